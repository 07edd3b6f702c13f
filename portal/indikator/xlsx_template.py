"""The blank XLSX template of an indicator set: pure function from data to bytes.

Sheets: "Indikator" (one row per indicator, its sasaran repeated on each row),
"Program" (Program and Kegiatan rows, optional) and "Petunjuk" (what each column
means, the accepted values and the OPD's units). xlsx_import reads the same columns.
"""
import io
from dataclasses import dataclass

import xlsxwriter

from portal.capaian.settings import PREDIKAT_SCALES

YA_TIDAK = ("Ya", "Tidak")
POLARITAS_CHOICES = {"positif": "Positif", "negatif": "Negatif"}
SIFAT_CHOICES = {"kumulatif": "Kumulatif", "nilai_akhir": "Nilai akhir", "rata_rata": "Rata-rata"}
JENIS_CHOICES = {"angka": "Angka", "rentang": "Rentang", "predikat": "Predikat"}
SKALA_CHOICES = {"opini_bpk": "Opini BPK", "predikat_sakip": "Predikat SAKIP"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str              # text | number | rupiah | bool | choice | unit
    required: bool = False
    choices: dict | None = None
    width: int = 14
    note: str = ""


INDIKATOR_COLUMNS = (
    Column("kode_sasaran", "Kode Sasaran", "text", True, width=12, note="Kode sasaran strategis, misalnya S1."),
    Column("nama_sasaran", "Sasaran Strategis", "text", True, width=40,
           note="Nama sasaran; baris dengan kode sasaran yang sama harus bernama sama."),
    Column("kode", "Kode Indikator", "text", True, width=12, note="Unik dalam set indikator tahun ini."),
    Column("nama", "Indikator Kinerja", "text", True, width=45),
    Column("is_iku", "IKU", "bool", choices=dict.fromkeys(YA_TIDAK), width=8,
           note="Ya jika Indikator Kinerja Utama; kosong berarti Tidak."),
    Column("definisi", "Definisi Operasional / Formula", "text", width=40),
    Column("satuan", "Satuan", "text", width=10, note="Misalnya %, orang, km, per 100.000 KH. Wajib kecuali predikat."),
    Column("sumber_data", "Sumber Data", "text", width=24),
    Column("unit", "Unit Penanggung Jawab", "unit", width=26, note="Kunci atau nama unit (lihat daftar di bawah)."),
    Column("polaritas", "Polaritas", "choice", True, POLARITAS_CHOICES, width=11),
    Column("sifat", "Sifat Agregasi", "choice", True, SIFAT_CHOICES, width=13),
    Column("jenis_target", "Jenis Target", "choice", False, JENIS_CHOICES, width=11, note="Kosong berarti Angka."),
    Column("baseline", "Baseline", "number"),
    Column("target_pk", "Target PK", "number", note="Target tahunan Perjanjian Kinerja."),
    Column("target_tw1", "Target s.d. TW I", "number", note="Target s.d. triwulan dari Rencana Aksi."),
    Column("target_tw2", "Target s.d. TW II", "number"),
    Column("target_tw3", "Target s.d. TW III", "number"),
    Column("target_tw4", "Target s.d. TW IV", "number"),
    Column("target_renstra", "Target Akhir Renstra", "number"),
    Column("target_bawah", "Batas Bawah Rentang", "number", note="Hanya untuk jenis target Rentang."),
    Column("target_atas", "Batas Atas Rentang", "number", note="Hanya untuk jenis target Rentang."),
    Column("skala_predikat", "Skala Predikat", "choice", False, SKALA_CHOICES, width=15,
           note="Hanya untuk jenis target Predikat."),
    Column("target_predikat", "Target Predikat", "text", width=10,
           note="Opini BPK: " + ", ".join(PREDIKAT_SCALES["opini_bpk"].levels) + "; Predikat SAKIP: "
           + ", ".join(PREDIKAT_SCALES["predikat_sakip"].levels) + "."),
    Column("pakai_rasio", "Isian Pembilang/Penyebut", "bool", choices=dict.fromkeys(YA_TIDAK), width=12,
           note="Ya jika realisasi diisi sebagai pembilang dan penyebut."),
    Column("boleh_negatif", "Boleh Negatif", "bool", choices=dict.fromkeys(YA_TIDAK), width=10,
           note="Ya jika nilai negatif bermakna (misalnya pertumbuhan)."),
)

PROGRAM_COLUMNS = (
    Column("kode", "Kode", "text", True, width=16),
    Column("nama", "Program / Kegiatan", "text", True, width=50),
    Column("kode_induk", "Kode Program Induk", "text", width=16, note="Kosong untuk program; isi untuk kegiatan."),
    Column("kode_sasaran", "Kode Sasaran", "text", width=12,
           note="Sasaran strategis yang didukung program (kode pada lembar Indikator atau yang sudah ada); "
                "kosong untuk kegiatan."),
    Column("pagu", "Pagu (Rp)", "rupiah", width=18),
    Column("realisasi_tw1", "Realisasi TW I (Rp)", "rupiah", width=18, note="Realisasi anggaran dalam triwulan."),
    Column("realisasi_tw2", "Realisasi TW II (Rp)", "rupiah", width=18),
    Column("realisasi_tw3", "Realisasi TW III (Rp)", "rupiah", width=18),
    Column("realisasi_tw4", "Realisasi TW IV (Rp)", "rupiah", width=18),
)

SHEET_INDIKATOR, SHEET_PROGRAM, SHEET_PETUNJUK = "Indikator", "Program", "Petunjuk"
TEMPLATE_ROWS = 500  # rows prepared with validation lists


def template_bytes(opd_name: str, tahun: int, units: list[tuple[str, str]]) -> bytes:
    """The template for an OPD's year; units are (key, name) pairs."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDE6F0", "border": 1})
    required = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F6E3B4",
                                "border": 1})
    text = book.add_format({"num_format": "@"})
    number = book.add_format({"num_format": "#,##0.####"})
    rupiah = book.add_format({"num_format": "#,##0.00"})
    unit_names = [name for _, name in units]
    for sheet_name, columns in ((SHEET_INDIKATOR, INDIKATOR_COLUMNS), (SHEET_PROGRAM, PROGRAM_COLUMNS)):
        sheet = book.add_worksheet(sheet_name)
        sheet.freeze_panes(1, 0)
        sheet.set_row(0, 45)
        for i, col in enumerate(columns):
            fmt = {"number": number, "rupiah": rupiah}.get(col.kind, text)
            sheet.set_column(i, i, col.width, fmt)
            sheet.write_string(0, i, col.header, required if col.required else head)
            choices = list(col.choices) if col.kind == "bool" else (
                list(col.choices.values()) if col.choices else (unit_names if col.kind == "unit" else None))
            if choices and len(", ".join(choices)) < 250:  # Excel's limit for an inline list
                sheet.data_validation(1, i, TEMPLATE_ROWS, i, {"validate": "list", "source": choices,
                                                                "error_type": "warning"})
    _instructions(book, opd_name, tahun, units, head)
    book.close()
    return out.getvalue()


def _instructions(book, opd_name: str, tahun: int, units, head) -> None:
    sheet = book.add_worksheet(SHEET_PETUNJUK)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 30, wrap)
    sheet.set_column(1, 1, 90, wrap)
    lines = [
        ("Templat set indikator", f"{opd_name}, tahun {tahun}"),
        ("Cara mengisi", "Isi satu baris per indikator pada lembar Indikator (dan, bila perlu, satu baris per "
                         "program atau kegiatan pada lembar Program). Kolom berwarna kuning wajib diisi. Angka "
                         "boleh diketik sebagai angka Excel atau sebagai teks Indonesia (12,5 atau 1.234,5)."),
        ("Saat diunggah", "Seluruh berkas diperiksa lebih dahulu. Jika ada satu baris yang salah, tidak ada yang "
                          "disimpan; setiap kesalahan disebutkan dengan nomor barisnya. Indikator dan sasaran "
                          "dengan kode yang sudah ada diperbarui; yang belum ada ditambahkan."),
    ]
    row = 0
    for label, textline in lines:
        sheet.write_string(row, 0, label, head)
        sheet.write_string(row, 1, textline)
        row += 1
    row += 1
    for sheet_name, columns in ((SHEET_INDIKATOR, INDIKATOR_COLUMNS), (SHEET_PROGRAM, PROGRAM_COLUMNS)):
        sheet.write_string(row, 0, f"Kolom lembar {sheet_name}", head)
        sheet.write_string(row, 1, "Keterangan", head)
        row += 1
        for col in columns:
            allowed = ""
            if col.choices and col.kind == "choice":
                allowed = " Pilihan: " + ", ".join(col.choices.values()) + "."
            elif col.kind == "bool":
                allowed = " Pilihan: Ya, Tidak."
            sheet.write_string(row, 0, col.header + (" (wajib)" if col.required else ""))
            sheet.write_string(row, 1, (col.note + allowed).strip())
            row += 1
        row += 1
    sheet.write_string(row, 0, "Kunci unit", head)
    sheet.write_string(row, 1, "Nama unit", head)
    for key, name in units:
        row += 1
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, name)
