"""NIP (Nomor Induk Pegawai) of a civil servant: 18 digits, read as
YYYYMMDD (birth) YYYYMM (TMT CPNS) G (1 man, 2 woman) NNN (serial)."""
import re
from datetime import date

from portal import clock

MIN_AGE_AT_TMT = 18  # nobody becomes a CPNS younger than this


def nip_problem(nip: str, today: date | None = None) -> str | None:
    """None when the NIP is plausible, else what is wrong (Bahasa Indonesia)."""
    today = today or clock.today()
    digits = re.sub(r"[\s.]", "", nip or "")
    if not re.fullmatch(r"\d{18}", digits):
        return "NIP harus 18 angka."
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return f"NIP {digits}: tanggal lahir {digits[6:8]}-{digits[4:6]}-{digits[0:4]} tidak ada."
    if born.year < 1940 or born > today:
        return f"NIP {digits}: tahun lahir {born.year} tidak masuk akal."
    tmt_year, tmt_month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= tmt_month <= 12:
        return f"NIP {digits}: bulan TMT {tmt_month:02d} tidak ada."
    if (tmt_year, tmt_month) > (today.year, today.month):
        return f"NIP {digits}: TMT {tmt_month:02d}-{tmt_year} belum terjadi."
    if tmt_year - born.year < MIN_AGE_AT_TMT:
        return f"NIP {digits}: TMT {tmt_year} terlalu dekat dengan tahun lahir {born.year}."
    if digits[14] not in "12":
        return f"NIP {digits}: angka jenis kelamin (ke-15) harus 1 atau 2."
    return None


def normalise_nip(nip: str) -> str:
    return re.sub(r"[\s.]", "", nip or "")
