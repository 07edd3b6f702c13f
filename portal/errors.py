"""Error pages in Bahasa Indonesia; htmx requests get a short text the layout shows."""
from flask_wtf.csrf import CSRFError

from portal import web
from portal.extensions import db
from portal.problems import Problem

MESSAGES = {
    400: ("Permintaan tidak valid", "Permintaan tidak dapat diproses. Muat ulang halaman dan coba lagi."),
    403: ("Akses ditolak", "Peran Anda tidak berwenang melakukan tindakan ini."),
    404: ("Tidak ditemukan", "Halaman atau data yang Anda cari tidak ada."),
    405: ("Metode tidak diizinkan", "Tindakan ini tidak dapat dilakukan dengan cara tersebut."),
    409: ("Tidak dapat diubah", "Data ini sudah berubah statusnya (misalnya sudah diterbitkan). Muat ulang halaman."),
    413: ("Berkas terlalu besar", "Berkas yang Anda kirim melebihi batas ukuran."),
    500: ("Terjadi kesalahan", "Terjadi kesalahan pada server. Perubahan Anda belum tersimpan; coba lagi."),
}


def _answer(code: int, detail: str | None = None):
    title, text = MESSAGES.get(code, MESSAGES[500])
    return web.refusal(code, title, detail or text)


def register(app):
    for code in (400, 403, 404, 405, 409, 413):
        app.register_error_handler(code, lambda e, code=code: _answer(code))

    @app.errorhandler(Problem)
    def problem(error):
        db.session.rollback()
        return web.problem(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _answer(400, "Formulir kedaluwarsa atau tidak sah (token CSRF). Muat ulang halaman, lalu kirim lagi.")

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _answer(500)
