"""An SOP as plain data (the file format and the editor both speak it) and the rules a
publishable SOP must satisfy. Pure: no database, no request."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Symbol(StrEnum):
    MULAI = "mulai"
    PROSES = "proses"
    KEPUTUSAN = "keputusan"
    SELESAI = "selesai"


class Meaning(StrEnum):
    MANUAL = "manual"
    COLLECT = "collect"
    REVIEW = "review"
    SIGN = "sign"
    ARCHIVE = "archive"


class TimeUnit(StrEnum):
    MENIT = "menit"
    JAM = "jam"
    HARI = "hari"
    HARI_KERJA = "hari_kerja"


class Repeat(StrEnum):
    TRIWULAN = "triwulan"
    SEMESTER = "semester"


SYMBOL_LABELS = {Symbol.MULAI: "Mulai", Symbol.PROSES: "Proses", Symbol.KEPUTUSAN: "Keputusan",
                 Symbol.SELESAI: "Selesai"}
MEANING_LABELS = {
    Meaning.MANUAL: "Manual (tandai selesai, lampirkan output)",
    Meaning.COLLECT: "Pengumpulan data (unit mengisi realisasi)",
    Meaning.REVIEW: "Reviu (setujui / kembalikan)",
    Meaning.SIGN: "Pengesahan (Kepala menandatangani, data terkunci)",
    Meaning.ARCHIVE: "Arsip / ekspor dokumen",
}
UNIT_LABELS = {TimeUnit.MENIT: "menit", TimeUnit.JAM: "jam", TimeUnit.HARI: "hari", TimeUnit.HARI_KERJA: "hari kerja"}
REPEAT_LABELS = {Repeat.TRIWULAN: "setiap triwulan", Repeat.SEMESTER: "setiap semester"}

HEADER_LISTS = (
    ("dasar_hukum", "Dasar Hukum"),
    ("kualifikasi_pelaksana", "Kualifikasi Pelaksana"),
    ("keterkaitan", "Keterkaitan"),
    ("peralatan_perlengkapan", "Peralatan/Perlengkapan"),
    ("peringatan", "Peringatan"),
    ("pencatatan_pendataan", "Pencatatan dan Pendataan"),
)
# The header's single-value fields: the same names on SopDocument, SopVersion and the editor.
HEADER_FIELDS = ("nama", "nomor", "tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif", "disahkan_nama",
                 "disahkan_nip", "disahkan_jabatan", "tanggal_pengesahan", "disahkan_pangkat")


@dataclass
class LaneDoc:
    key: str
    name: str
    kind: str


@dataclass
class StepDoc:
    no: int
    kegiatan: str
    lanes: list[str]
    symbol: str = Symbol.PROSES
    meaning: str = Meaning.MANUAL
    kelengkapan: str = ""
    waktu_amount: Decimal | None = None
    waktu_unit: str = TimeUnit.MENIT
    output: str = ""
    keterangan: str = ""
    return_to: int | None = None
    repeat: str | None = None
    output_wajib: bool = False  # the Output must be uploaded to mark the step done


@dataclass
class SopDocument:
    nama: str
    nomor: str = ""
    tanggal_pembuatan: date | None = None
    tanggal_revisi: date | None = None
    tanggal_efektif: date | None = None
    disahkan_nama: str = ""
    disahkan_nip: str = ""
    disahkan_jabatan: str = ""
    tanggal_pengesahan: date | None = None
    disahkan_pangkat: str = ""  # pangkat/golongan of the signer
    lists: dict[str, list[str]] = field(default_factory=lambda: {key: [] for key, _ in HEADER_LISTS})
    lanes: list[LaneDoc] = field(default_factory=list)
    steps: list[StepDoc] = field(default_factory=list)


def publish_problems(doc: SopDocument, holdable_kinds: set[str] | None = None) -> list[str]:
    """Everything that stops this SOP from being published, in Bahasa Indonesia.

    holdable_kinds: lane kinds the owning tenant can staff; None skips that check
    (a template in the library belongs to no agency yet).
    """
    problems: list[str] = []
    if not doc.nama.strip():
        problems.append("Nama SOP belum diisi.")
    if not doc.lanes:
        problems.append("SOP belum memiliki pelaksana.")
    keys = [lane.key for lane in doc.lanes]
    for lane in doc.lanes:
        if keys.count(lane.key) > 1:
            problems.append(f"Pelaksana {lane.name!r} tercantum lebih dari sekali.")
        if not lane.name.strip():
            problems.append("Ada pelaksana tanpa nama.")
        if holdable_kinds is not None and lane.kind not in holdable_kinds:
            problems.append(
                f"Pelaksana {lane.name!r}: tidak ada peran jenis '{lane.kind}' di instansi ini, "
                "sehingga tidak ada yang dapat memegangnya."
            )
    if not doc.steps:
        problems.append("SOP belum memiliki langkah kegiatan.")
        return _unique(problems)
    if doc.steps[0].symbol != Symbol.MULAI:
        problems.append("Langkah pertama harus bersimbol Mulai.")
    if doc.steps[-1].symbol != Symbol.SELESAI:
        problems.append("Langkah terakhir harus bersimbol Selesai.")
    numbers = [step.no for step in doc.steps]
    for step in doc.steps:
        label = f"Langkah {step.no}"
        if not step.kegiatan.strip():
            problems.append(f"{label}: uraian kegiatan belum diisi.")
        if not step.lanes:
            problems.append(f"{label}: belum ada pelaksana.")
        for key in step.lanes:
            if key not in keys:
                problems.append(f"{label}: pelaksana {key!r} tidak ada di daftar pelaksana.")
        untimed_ok = step.symbol in (Symbol.MULAI, Symbol.SELESAI) and step.waktu_amount is None
        if not untimed_ok and (step.waktu_amount is None or step.waktu_amount <= 0):
            problems.append(f"{label}: waktu Mutu Baku harus berupa angka lebih dari 0.")
        if step.symbol in (Symbol.MULAI, Symbol.SELESAI) and step is not doc.steps[0] and step is not doc.steps[-1]:
            problems.append(f"{label}: simbol Mulai/Selesai hanya untuk langkah pertama dan terakhir.")
        if step.symbol == Symbol.KEPUTUSAN:
            if step.return_to is None:
                problems.append(f"{label}: keputusan belum memiliki langkah tujuan jika 'Tidak'.")
            elif step.return_to not in numbers or step.return_to >= step.no:
                problems.append(f"{label}: jika 'Tidak' harus kembali ke langkah sebelumnya (bukan {step.return_to}).")
        elif step.return_to is not None:
            problems.append(f"{label}: hanya langkah keputusan yang memiliki langkah kembali.")
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append("Nomor langkah harus berurutan mulai dari 1.")
    return _unique(problems)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
