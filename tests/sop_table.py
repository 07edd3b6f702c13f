"""An SOP step table as copied from Word (tab-separated), of an agency not in the demo."""

TABLE = "\n".join("\t".join(row) for row in [
    ["No", "Kegiatan", "Kepala Dinas", "Sekretaris", "Kasubbag Perencanaan", "Kepala Bidang",
     "Kelengkapan", "Waktu", "Output", "Keterangan"],
    ["1", "Menerbitkan surat perintah pengukuran kinerja triwulan", "√", "", "", "",
     "Renstra, Perjanjian Kinerja", "", "Surat perintah", ""],
    ["2", "Menyiapkan formulir pengukuran kinerja", "", "", "√", "", "Formulir PK", "1 hari", "Formulir", ""],
    ["3", "Mengisi realisasi kinerja dan bukti dukung", "", "", "", "√", "Data capaian", "3 hari kerja",
     "Realisasi terisi", ""],
    ["4", "Memverifikasi realisasi kinerja", "", "√", "", "", "Realisasi, bukti dukung", "2 jam",
     "Realisasi terverifikasi", "Tidak: kembali ke langkah 3"],
    ["5", "Menandatangani laporan pengukuran kinerja", "√", "", "", "", "Laporan", "30 menit",
     "Laporan ditandatangani", ""],
])
