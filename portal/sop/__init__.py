"""SOP Pengukuran Kinerja: versioned data, editor, official document, library, files."""
