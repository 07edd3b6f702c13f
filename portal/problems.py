"""The few ways a domain function says no. `portal/web.py` turns each into an answer.

Domain code raises these with a message in Bahasa Indonesia that a user can act on;
views do not catch them to build refusal pages of their own.
"""


class Problem(Exception):
    """Base: a request that cannot be carried out, with a message for the user."""

    status = 400
    title = "Permintaan tidak valid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Refused(Problem):
    """The user may not do this (role, lane, separation of duties)."""

    status = 403
    title = "Akses ditolak"


class NotFound(Problem):
    """The thing does not exist, or the user may not know it exists."""

    status = 404
    title = "Tidak ditemukan"


class Conflict(Problem):
    """The data changed under the user (someone else's edit, a lock, a state change)."""

    status = 409
    title = "Tidak dapat diubah"


class Invalid(Problem):
    """The input cannot be used as it is."""

    status = 422
    title = "Tidak dapat disimpan"
