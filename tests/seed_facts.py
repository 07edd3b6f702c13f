"""Facts read directly from the seed SOP texts in /work/shared/seeds/, keyed by the SOP
file (relative to tenants/) that transcribes each seed.

Tests load tenants/ and check the transcription against these facts. Every fact says
where in the seed text it stands. Names and outputs are the seed's words with OCR noise
removed (spacing, capitals of a heading printed in capitals, characters the OCR lost).
"""

SEED_FACTS = {
    # Dinas Sosial Kota Blitar
    "kota-blitar/sop/dinsos.yaml": {
        "seed": "000_48add1f2e3be8d3b.txt",
        # first line: "NAMA SOP Pengukuran Kinerja"
        "nama": "Pengukuran Kinerja",
        # step table, numbered rows "1 Memerintahkan Sekretaris ..." to
        # "14 Pengarsipan Dokumen pengukuran kinerja"
        "step_count": 14,
        # header row of the step table under "Pelaksana":
        # "Kepala Dinas Sekretaris Jabfung Kepala Bidang"
        "lane_names": ["Kepala Dinas", "Sekretaris", "Jabfung", "Kepala Bidang"],
        # Mutu Baku Waktu and Output of rows whose values are unambiguous in the text
        # (steps 1-2 on the first page; steps 9-14 stand row by row on the second page).
        # Steps 3-8 are left out: their page lists five Waktu values for six steps.
        "samples": [
            # "1 Memerintahkan Sekretaris ..." -> first "3 menit", first "Disposisi"
            {"no": 1, "waktu": (3, "menit"), "output": "Disposisi"},
            # "2 Memerintahkan Perencana Ahli Muda ..." -> second "3 menit", "Disposisi"
            {"no": 2, "waktu": (3, "menit"), "output": "Disposisi"},
            # "9 Kepala Badan mengoreksi ..." -> "60 menit", "Dokumen pengukuran kinerja"
            {"no": 9, "waktu": (60, "menit"), "output": "Dokumen pengukuran kinerja"},
            # "11 Penandatanganan dokumen ..." -> "1 hari", "Dokumen pengukuran kinerja"
            {"no": 11, "waktu": (1, "hari"), "output": "Dokumen pengukuran kinerja"},
            # "12 Pembuatan surat pengantar ..." -> "60 menit", "Draf pengukuran kinerja"
            {"no": 12, "waktu": (60, "menit"), "output": "Draf pengukuran kinerja"},
            # "13 Penggandaan dokumen ..." -> "1 hari", "Draf Dokumen pengukuran kinerja"
            {"no": 13, "waktu": (1, "hari"), "output": "Draf Dokumen pengukuran kinerja"},
            # "14 Pengarsipan Dokumen ..." -> "3 menit", "Draf Dokumen pengukuran kinerja"
            {"no": 14, "waktu": (3, "menit"), "output": "Draf Dokumen pengukuran kinerja"},
        ],
        # no step of the text offers a Ya/Tidak or a return
        "decisions": {},
    },
    # Dinas Kesehatan Kabupaten Mojokerto
    "kabupaten-mojokerto/sop/dinkes.yaml": {
        "seed": "001_47d31998d1e462a1.txt",
        # header: "PENGUKURAN KINERJA ... Nama SOP" (printed in capitals)
        "nama": "Pengukuran Kinerja",
        # "URAIAN PROSEDUR PENGUKURAN KINERJA DINAS KESEHATAN", rows "1." to "9."
        "step_count": 9,
        # table header: "Kepal sekretari Fungsional | Tim SAKIP Staf" over
        # "Dinas Dinas Perencana" (OCR lost the last letters of the first two)
        "lane_names": ["Kepala Dinas", "Sekretaris Dinas", "Fungsional Perencana", "Tim SAKIP", "Staf"],
        "samples": [
            # row "1. Memerintahkan Sekretaris ... 10 menit Format penyusunan ... pengukuran kinerja"
            {"no": 1, "waktu": (10, "menit"), "output": "Format penyusunan pengukuran kinerja"},
            # row "2. Sekretaris memfasilitasi ... 10 menit Disposisi Kepala ... Dinas"
            {"no": 2, "waktu": (10, "menit"), "output": "Disposisi Kepala Dinas"},
            # row "3. Membuat format pengukuran kinerja ... 1 hari Draft pengukuran ... kinerja"
            {"no": 3, "waktu": (1, "hari"), "output": "Draft pengukuran kinerja"},
            # row "5. Membahas dan mengevaluasi ... 1 hari Draft laporan kinerja"
            {"no": 5, "waktu": (1, "hari"), "output": "Draft laporan kinerja"},
            # row "8. Menandatangani ... 1 hari Dokumen ... pengukuran kinerja ... yang telah ... ditandatangani"
            {"no": 8, "waktu": (1, "hari"), "output": "Dokumen pengukuran kinerja yang telah ditandatangani"},
            # row "9. Mendokumentasikan ... 1 hari Arsip"
            {"no": 9, "waktu": (1, "hari"), "output": "Arsip"},
        ],
        # row 7 carries "Tidak" and "Ya" (the only decision). The target of the
        # "Tidak" arrow was lost with the flowchart; 6 (the step that drafted the
        # document step 7 corrects) is the transcription's reading, not printed text.
        "decisions": {7: 6},
    },
    # a Dinas whose region the text does not name (placeholder pemda)
    "kabupaten-contoh/sop/dinas-contoh.yaml": {
        "seed": "002_ae73dce5f54d1731.txt",
        # first lines: "NAMA SOP" / "PENGUKURAN KINERJA"
        "nama": "Pengukuran Kinerja",
        # "SOP PENGUKURAN KINERJA" table: nine AKTIVITAS rows (unnumbered), from
        # "Hasil Rapim memberi disposisi ..." to "Sekretaris bersama Tim menyusun rencana
        # tindaklanjut ...", with nine MENIT values 10, 10, 45, 15, 45, 330, 45, 30, 60.
        # (The seeds README's table says 10; the text holds 9.)
        "step_count": 9,
        # table header: "TIM" over "AKTIVITAS KADIS SEKDIS JFP PENYUSUN ..."
        "lane_names": ["Kadis", "Sekdis", "JFP", "Tim Penyusun"],
        "samples": [
            # "Hasil Rapim memberi disposisi ... 10 Disposisi" / "Kadis"
            {"no": 1, "waktu": (10, "menit"), "output": "Disposisi Kadis"},
            # "Memerintahkan Fungsional Perencana ... 10 Perintah" / "Sekdis"
            {"no": 2, "waktu": (10, "menit"), "output": "Perintah Sekdis"},
            # "Menyusun konsep SK ... Peraturan 45 Dokumen" / "Terkait Draft SK"
            {"no": 3, "waktu": (45, "menit"), "output": "Dokumen Draft SK"},
            # "Memeriksa draft SK ... Draft SK 45 Final SK" (output "Dokumen Final SK")
            {"no": 5, "waktu": (45, "menit"), "output": "Dokumen Final SK"},
            # "Tim melaksanakan tugasnya ... 330 Dokumen" (output "Draf Dokumen Laporan")
            {"no": 6, "waktu": (330, "menit"), "output": "Draf Dokumen Laporan"},
            # "Memeriksa Laporan Evaluasi ... 30 Final ... Laporan" (output "Dokumen Final Laporan")
            {"no": 8, "waktu": (30, "menit"), "output": "Dokumen Final Laporan"},
            # "Sekretaris bersama Tim ... 60 Dokumen" / "Tindak Lanjut"
            {"no": 9, "waktu": (60, "menit"), "output": "Dokumen Tindak Lanjut"},
        ],
        # the rows with "Jika tidak setuju":
        # 4 "Memeriksa konsep SK ... mengembalikan kepada JFP" -> 3 (JFP drafts the SK)
        # 5 "Memeriksa draft SK ... mengembalikan kepada Sekretaris Dinas" -> 4
        # 7 "Rapat Tim bersama Sekretaris ... menyerahkan kembali kepada Tim Penyusun" -> 6
        # (row 8 "Memeriksa Laporan ... Jika setuju menandatangani ..." prints no
        # "Jika tidak setuju" branch and no return)
        "decisions": {4: 3, 5: 4, 7: 6},
    },
    # every Perangkat Daerah of Kota Pasuruan (Perwali 31/2022)
    "kota-pasuruan/sop/perwali-31-2022.yaml": {
        "seed": "003_f11e83ba54213e70.txt",
        # "Judul SOP : Pengukuran Kinerja"; Lembar Kerja "1. Judul SOP Pengukuran Kinerja"
        "nama": "Pengukuran Kinerja",
        # step table rows "1." to "14."; Lembar Kerja C lists 1-14 as well
        "step_count": 14,
        # step table header: "Kepala Perangkat Daerah  Sekretaris PD  Perencana/ umum peg
        # Kabid / Kasi pelaksana"
        "lane_names": ["Kepala Perangkat Daerah", "Sekretaris PD", "Perencana/ umum peg", "Kabid / Kasi pelaksana"],
        # column "Waktu (menit)"
        "samples": [
            # "1. Memerintahkan penyusunan ... Lembar disposisi 15 disposisi Pimpinan"
            {"no": 1, "waktu": (15, "menit"), "output": "disposisi Pimpinan"},
            # "3. Menyampaikan format ... Form Pengukuran Kinerja 25 Draf masukan dan arahan"
            {"no": 3, "waktu": (25, "menit"), "output": "Draf masukan dan arahan"},
            # "4. Mengundang kepala PD ... Undangan Rapat 30 Undangan Rapat"
            {"no": 4, "waktu": (30, "menit"), "output": "Undangan Rapat"},
            # "5. Melaksanakan rapat ... 120 Draf Pengukuran Kinerja SOP Pelaksanaan Rapa"
            {"no": 5, "waktu": (120, "menit"), "output": "Draf Pengukuran Kinerja"},
            # "7. Perencana/umpeg Menghimpun ... 240 Draf Dokumen Pengukuran Kinerja"
            {"no": 7, "waktu": (240, "menit"), "output": "Draf Dokumen Pengukuran Kinerja"},
            # "8. Menyampaikan data kinerja kepada ... 40 Draf Dokumen Pengukuran Kinerja"
            {"no": 8, "waktu": (40, "menit"), "output": "Draf Dokumen Pengukuran Kinerja"},
            # "11. Penandatanganan ... oleh Kepala PD ... 10 Dokumen Pengukuran Kinerja"
            {"no": 11, "waktu": (10, "menit"), "output": "Dokumen Pengukuran Kinerja"},
        ],
        # no step of the text offers a Ya/Tidak or a return
        "decisions": {},
    },
}
