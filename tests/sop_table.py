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

# The same SOP as Word gives it when the flowchart shapes are drawn in the lane cells: the
# shapes are not copied (the lane cells are empty), the header is in capitals with its
# abbreviation dots, and the flowchart's end is a row of its own.
WORD_TABLE = "\n".join("\t".join(row) for row in [
    ["NO", "KEGIATAN", "KA. DINAS", "SEKRETARIS", "KASUBBAG PERENCANAAN", "KEPALA BIDANG",
     "KELENGKAPAN", "WAKTU", "OUTPUT", "KETERANGAN"],
    ["1", "Menerbitkan surat perintah pengukuran kinerja triwulan", "", "", "", "",
     "Renstra, Perjanjian Kinerja", "", "Surat perintah", ""],
    ["2", "Menyiapkan formulir pengukuran kinerja", "", "", "", "", "Formulir PK", "1 hari", "Formulir", ""],
    ["3", "Mengisi realisasi kinerja dan bukti dukung", "", "", "", "", "Data capaian", "3 hari kerja",
     "Realisasi terisi", ""],
    ["4", "Memverifikasi realisasi kinerja", "", "", "", "", "Realisasi, bukti dukung", "2 jam",
     "Realisasi terverifikasi", "Tidak: kembali ke langkah 3"],
    ["5", "Menandatangani laporan pengukuran kinerja", "", "", "", "", "Laporan", "30 menit",
     "Laporan ditandatangani", ""],
    ["6", "Selesai", "", "", "", "", "", "", "", ""],
])
# Who does which step of WORD_TABLE: step number -> lane indexes (as ticked in the preview).
WORD_TABLE_LANES = {1: [0], 2: [2], 3: [3], 4: [1], 5: [0]}
