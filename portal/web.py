"""Responses: page or fragment, redirects, HX-* headers. The one place they are written."""
import unicodedata
from urllib.parse import quote, urlsplit

from flask import flash, make_response, redirect, render_template, request, url_for


def is_fragment_request() -> bool:
    """An htmx request that wants a piece of a page (not a boosted navigation or a
    history restore, which want the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


# A stale write answered with the form again (naming the other person's value) is swapped
# in like a 422; a 409 refusal message is not. The layout's script reads this header.
FORM_AGAIN = "X-Portal-Form-Again"


def _answer(template: str, status: int, form_again: bool, **context):
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    if form_again and status == 409:
        response.headers[FORM_AGAIN] = "1"
    return response


def render(page: str, fragment: str | None = None, status: int = 200, **context):
    """Render the page, or only its fragment for an htmx fragment request."""
    template = fragment if fragment and is_fragment_request() else page
    return _answer(template, status, True, **context)


def render_fragment(fragment: str, status: int = 200, **context):
    return _answer(fragment, status, True, **context)


def see_other(url: str):
    """After a write that moves the user: 303, or a client redirect for a fragment request."""
    if is_fragment_request():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
    else:
        response = redirect(url, code=303)
    response.vary.add("HX-Request")
    return response


def refusal(status: int, title: str, text: str):
    """A refusal or failure with its reason: a short message for htmx (the layout shows
    it), else a whole page."""
    if is_fragment_request():
        return _answer("errors/_message.html", status, False, title=title, text=text)
    return _answer("errors/error.html", status, False, title=title, text=text, code=status)


def problem(error):
    """Answer a `portal.problems.Problem` raised by domain code."""
    return refusal(error.status, error.title, error.message)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(data: bytes, filename: str, mimetype: str, etag: str | None = None, untrusted: bool = False):
    """A file to save, never to render inline; the one place download headers are written.
    `untrusted`: content a user uploaded, so it also gets a sandboxing policy in case a
    browser renders it anyway."""
    response = make_response(data)
    response.mimetype = mimetype
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode().replace('"', "")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if etag:
        response.set_etag(etag)
    if untrusted:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths are followed after sign-in."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def to_login():
    """Send an anonymous (or expired) user to the sign-in page. For an htmx request the
    browser itself goes there, instead of a login form swapped into a fragment."""
    htmx = getattr(request, "htmx", None)
    if htmx:
        back = htmx.current_url or request.full_path
        parts = urlsplit(back)
        back_path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = make_response("Sesi Anda telah berakhir. Silakan masuk kembali.", 401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=back_path)
    elif request.method == "GET":
        response = redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    else:
        response = redirect(url_for("auth.login"), code=303)
    response.vary.add("HX-Request")
    return response


def in_place(url: str, answer, flash_message: str | None = None):
    """An in-place answer: htmx gets `answer()` (a fragment, rendered only then); a plain
    request (no JavaScript) goes back to `url` with a 303, after flashing `flash_message`."""
    if is_fragment_request():
        return answer()
    if flash_message:
        flash(flash_message, "error")
    return see_other(url)


def fragment_or_redirect(fragment: str, url: str, status: int = 200, **context):
    """An in-place write: htmx gets the updated fragment; a plain form post (no
    JavaScript) is sent back to the page it came from."""
    if is_fragment_request():
        return render_fragment(fragment, status=status, **context)
    response = redirect(url, code=303)
    response.vary.add("HX-Request")
    return response
