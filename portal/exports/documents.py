"""The official documents of one OPD for a period, as plain data both the workbook
(official.py) and the browser's print view read: the Formulir Pengukuran Kinerja and the
Perjanjian Kinerja lampiran with its statement page (PermenPANRB 53/2014). Pure: figures
and names in, documents out.

A document is laid out per sasaran strategis: its indicators, and beside them the
programs that serve it (ProgramKegiatan.sasaran_kode; programs not tied to a sasaran
are listed in a last group that says so).
"""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from portal.capaian.rules import CapaianResult, classify_capaian, compute_serapan
from portal.capaian.values import BELUM_DIISI, DIHITUNG
from portal.exports.figures import Export, OpdFigures, Program, Row
from portal.formatting import angka, tanggal
from portal.numbers import TW, format_angka

UNLINKED = "Program yang belum dikaitkan dengan sasaran strategis"
NOTHING_SIGNED = ("Belum ada angka yang disahkan untuk periode ini: dokumen ini hanya memuat daftar indikator "
                  "dan target, tanpa realisasi.")
SIGNED = "Angka yang telah disahkan."
PREVIEW = "DRAF — belum disahkan: angka yang belum disahkan ditandai per baris."

PK_OPENING = ("Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan dan akuntabel serta "
              "berorientasi pada hasil, kami yang bertanda tangan di bawah ini:")
PK_PROMISE = ("Pihak pertama berjanji akan mewujudkan target kinerja yang seharusnya sesuai lampiran perjanjian "
              "ini, dalam rangka mencapai target kinerja jangka menengah seperti yang telah ditetapkan dalam "
              "dokumen perencanaan. Keberhasilan dan kegagalan pencapaian target kinerja tersebut menjadi "
              "tanggung jawab kami.")
PK_SUPERVISION = ("Pihak kedua akan melakukan supervisi yang diperlukan serta akan melakukan evaluasi terhadap "
                  "capaian kinerja dari perjanjian ini dan mengambil tindakan yang diperlukan dalam rangka "
                  "pemberian penghargaan dan sanksi.")
DOTS = "…………………………"


@dataclass
class ProgramLine:
    program: Program
    spent: Decimal             # realisasi Rp up to the measured triwulan
    serapan: CapaianResult

    @property
    def is_program(self) -> bool:
        return self.program.level == "program"


@dataclass
class Group:
    """A sasaran strategis with its indicators and the programs that serve it."""

    kode: str
    nama: str
    rows: list[Row]
    programs: list[ProgramLine]

    @property
    def title(self) -> str:
        return f"{self.kode} {self.nama}".strip()

    @property
    def height(self) -> int:
        """Lines of the form: indicators and programs side by side, at least one."""
        return max(len(self.rows), len(self.programs), 1)


@dataclass
class Person:
    """A signature block: jabatan, nama, NIP (empty when unknown: a line to write on)."""

    jabatan: str
    nama: str = ""
    nip: str = ""
    pangkat: str = ""


@dataclass
class Document:
    opd: OpdFigures
    export: Export
    groups: list[Group]
    status: str                # the first line under the title: signed, nothing signed, or draft
    signed: bool               # some figure is signed
    tempat: str
    tanggal: str               # of the signature (empty: to be written by hand)
    kepala: Person
    atasan: Person             # Pihak Kedua of the PK
    totals: dict = field(default_factory=dict)

    @property
    def triwulan(self) -> int:
        return self.export.triwulan

    @property
    def tw(self) -> str:
        return f"TW {TW[self.triwulan - 1]}"

    @property
    def rows(self) -> list[Row]:
        return [r for g in self.groups for r in g.rows]

    @property
    def program_lines(self) -> list[ProgramLine]:
        return [p for g in self.groups for p in g.programs]

    @property
    def average(self) -> CapaianResult:
        return self.opd.average()

    @property
    def average_kategori(self) -> str | None:
        return classify_capaian(self.average, self.opd.rules.kategori)


def program_line(p: Program, n: int) -> ProgramLine:
    spent = sum((v for v in p.realisasi[:n] if v is not None), Decimal(0))
    return ProgramLine(p, spent, compute_serapan(spent, p.pagu if p.pagu is not None else BELUM_DIISI))


def groups(opd: OpdFigures, n: int) -> list[Group]:
    """Sasaran in their order (a sasaran without indicators included), each with its rows
    and programs (a program's kegiatan follow it); programs without a sasaran last."""
    out: dict[str, Group] = {}
    for kode, nama in opd.sasaran:
        out.setdefault(kode, Group(kode, nama, [], []))
    for row in opd.rows:
        out.setdefault(row.sasaran_kode, Group(row.sasaran_kode, row.sasaran, [], [])).rows.append(row)
    unlinked = Group("", UNLINKED, [], [])
    owner: dict[str, Group] = {}
    for p in opd.programs:
        if p.level == "program":
            group = out.get(p.sasaran_kode or "", unlinked) if p.sasaran_kode else unlinked
            owner[p.kode] = group
        else:
            group = owner.get(p.parent_kode or "", unlinked)
        group.programs.append(program_line(p, n))
    result = list(out.values())
    if unlinked.programs:
        result.append(unlinked)
    return result


def tempat_of(pemda_name: str) -> str:
    """The place a document is signed: the pemda's seat as its name says it."""
    pemda_name = pemda_name.removeprefix("Pemerintah ")
    for prefix in ("Kabupaten ", "Kab. ", "Kota ", "Provinsi "):
        if pemda_name.startswith(prefix):
            return pemda_name[len(prefix):]
    return pemda_name


def head_of_region(pemda_name: str, pemda_kind: str) -> str:
    """The jabatan of the pemda's head (Pihak Kedua of an OPD's Perjanjian Kinerja)."""
    place = tempat_of(pemda_name)
    name = pemda_name.removeprefix("Pemerintah ")
    if pemda_kind == "kota" or name.startswith("Kota "):
        return f"Wali Kota {place}"
    if pemda_kind == "kabupaten" or name.startswith(("Kabupaten ", "Kab. ")):
        return f"Bupati {place}"
    return f"Kepala Daerah {pemda_name}"


def status_line(export: Export, opd: OpdFigures) -> tuple[str, bool]:
    """What the document holds, said under its title: (text, is a warning)."""
    if opd.has_draft:
        return PREVIEW, True
    if not any(r.signed for r in opd.rows):
        return NOTHING_SIGNED, True
    return SIGNED, False


def latest_signer(opd: OpdFigures) -> tuple[int | None, str, str, datetime | None]:
    """(user id, name, lane, when) of the latest signature among the OPD's signed rows."""
    best = None
    for r in opd.rows:
        if r.signed and r.signer is not None and (best is None or (r.signer[3] or datetime.min) >
                                                  (best[3] or datetime.min)):
            best = r.signer
    return best or (None, "", "", None)


def document(export: Export, opd: OpdFigures, pemda_kind: str, people: dict[int, tuple[str, str, str]],
             kepala: tuple[str, str, str] | None) -> Document:
    """The document of `opd`. `people` maps a user id to (nama, NIP, jabatan) for the
    signer of the record; `kepala` is the OPD's Kepala now (for what is not signed)."""
    status, _warning = status_line(export, opd)
    signer_id, signer_name, signer_lane, signed_at = latest_signer(opd)
    jabatan_default = f"Kepala {opd.name}"
    if signer_id is not None or signer_name:
        nama, nip, jabatan = people.get(signer_id, (signer_name, "", ""))
        person = Person(jabatan or jabatan_default, signer_name or nama, nip)
        when = tanggal(signed_at) if signed_at else ""  # the WIB date it was signed (clock.tanggal)
    else:
        nama, nip, jabatan = kepala or ("", "", "")
        person = Person(jabatan or jabatan_default, nama, nip)
        when = ""
    return Document(opd, export, groups(opd, export.triwulan), status, any(r.signed for r in opd.rows),
                    tempat_of(opd.pemda), when, person, Person(head_of_region(opd.pemda, pemda_kind)))


def shown_capaian(result: CapaianResult | None) -> str:
    if result is None:
        return ""
    return result.display() + ("%" if result.state == DIHITUNG else "")



def target_text(row: Row, value) -> str:
    """A target as printed: a number, a range or a predikat."""
    ind = row.ind
    if ind.jenis_target == "rentang":
        both = ind.target_bawah is not None and ind.target_atas is not None
        return f"{angka(ind.target_bawah)}–{angka(ind.target_atas)}" if both else ""
    if ind.jenis_target == "predikat":
        return ind.target_predikat or ""
    return angka(value)


def realisasi_text(row: Row) -> str:
    return row.fig.realisasi_sd if row.fig is not None else ""


def rupiah(value) -> str:
    return "" if value is None else format_angka(Decimal(value), 0)
