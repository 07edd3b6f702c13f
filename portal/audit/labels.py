"""What each audit action code means, in the words of the SOP.

Codes are "<subject>.<verb>" (siklus.mulai, data.kembalikan ...). Every code written
anywhere in portal/ must have a label here: tests/test_audit_labels.py finds the codes
in the source and fails on one without a label. To add a code, add one line in its
subject's block.
"""

ACTION_LABELS: dict[str, str] = {
    # reminders and escalation of late work
    "pengingat.kirim": "Mengirim pengingat",
    "pengingat.atur": "Mengatur eskalasi pengingat",
    # the cycle as a whole
    "siklus.mulai": "Memulai siklus pengukuran",
    "siklus.selesai": "Siklus selesai",
    "siklus.sahkan": "Mengesahkan data",
    "siklus.buka_kembali": "Membuka kembali data yang sudah disahkan",
    # a step (task) of the SOP
    "tugas.selesai": "Menyelesaikan langkah",
    "tugas.kembalikan": "Mengembalikan alur ke langkah sebelumnya",
    # an indicator's data in a cycle
    "data.ajukan": "Mengajukan data",
    "data.setujui": "Menyetujui data",
    "data.kembalikan": "Mengembalikan data untuk diperbaiki",
    # data entry
    "realisasi.simpan": "Mengubah realisasi",
    "bukti.unggah": "Mengunggah bukti dukung",
    "bukti.ganti": "Mengganti bukti dukung",
    "bukti.hapus": "Menghapus bukti dukung",
    # indicator definitions (edits in the browser and XLSX imports)
    "indikator.ubah": "Mengubah definisi indikator",
    "indikator.impor": "Mengimpor indikator (XLSX)",
    "indikator.salin_set": "Menyalin set indikator",
    # local days off
    "libur.tambah": "Menambah hari libur",
    "libur.hapus": "Menghapus hari libur",
    # the SOP
    "sop.tempel": "Membuat draf SOP dari tabel langkah yang ditempel",
    "sop.impor": "Mengimpor SOP dari berkas YAML",
    "sop.berlaku": "Memilih SOP yang berlaku",
    "sop.sahkan": "Mengesahkan SOP (Kepala)",
    # the tenant tree: instansi, units, lanes
    "instansi.buat": "Membuat instansi",
    "instansi.ubah": "Mengubah data instansi",
    "instansi.aktif": "Mengaktifkan kembali instansi",
    "instansi.nonaktif": "Menonaktifkan instansi",
    "unit.buat": "Membuat unit kerja",
    "unit.ubah": "Mengubah unit kerja",
    "unit.aktif": "Mengaktifkan kembali unit kerja",
    "unit.nonaktif": "Menonaktifkan unit kerja",
    "peran.buat": "Membuat peran",
    "peran.ubah": "Mengubah peran",
    # people and their accounts
    "pengguna.buat": "Menambah pengguna",
    "undangan.buat": "Mengundang orang bergabung",
    "undangan.kirim": "Mengirim ulang undangan bergabung",
    "undangan.batal": "Membatalkan undangan bergabung",
    "undangan.terima": "Menerima undangan bergabung",
    "orang.impor": "Mengimpor lembar kerja orang",
    "pengguna.ekspor": "Mengekspor data pribadi seseorang",
    "pengguna.anonim": "Menganonimkan data pribadi orang yang sudah keluar",
    "keanggotaan.buat": "Memberi peran kepada pengguna",
    "pengguna.undang": "Mengirim tautan undangan",
    "pengguna.reset_sandi": "Mengirim tautan atur ulang kata sandi",
    "pengguna.sandi_dibuat": "Membuat kata sandi dari undangan",
    "pengguna.sandi_direset": "Mengatur ulang kata sandi",
    "pengguna.ubah_sandi": "Mengubah kata sandi sendiri",
    "pengguna.kontak": "Mengubah kontak dan pilihan pengingat",
    "pengguna.aktif": "Mengaktifkan kembali pengguna",
    "pengguna.nonaktif": "Menonaktifkan pengguna",
    # exports
    "ekspor.mulai": "Memulai ekspor (latar belakang)",
    "ekspor.unduh": "Mengunduh ekspor",
}

# Column names that appear in an event's field ("TW II faktor_pendorong"), as a user says them.
FIELD_WORDS = {
    "faktor_pendorong": "faktor pendorong",
    "faktor_penghambat": "faktor penghambat",
    "tindak_lanjut": "tindak lanjut",
    "tidak_berlaku": "tidak berlaku",
    "target_pk": "target PK",
    "satuan": "satuan",
    "polaritas": "polaritas",
    "sifat": "sifat",
}

AUTOMATIC_LANE = "otomatis (sistem)"


def action_label(code: str) -> str:
    """The label of a code; an unknown code shows as itself rather than hiding the event."""
    return ACTION_LABELS.get(code, code)


def field_text(field: str) -> str:
    words = [FIELD_WORDS.get(word, word.replace("_", " ")) for word in field.split(" ")]
    return " ".join(words)
