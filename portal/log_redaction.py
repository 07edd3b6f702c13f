"""Secrets stay out of logs: the tokens of invitation and password links are cut from
every access-log line (werkzeug's in development, gunicorn's in production).

A link's token opens an account until it is used or expires; an access log is read by
more people (and kept longer) than the database. `install()` puts the filter on the
werkzeug logger (create_app) and `gunicorn.conf.py` on gunicorn's access logger.
"""
import logging
import re

# /undangan/<token> (password links) and /gabung/<token> (invitations to join).
TOKEN_PATH = re.compile(r"/(undangan|gabung)/[A-Za-z0-9_\-]{8,}")
REDACTED = r"/\1/[token-disembunyikan]"
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")


def redact(text: str) -> str:
    return TOKEN_PATH.sub(REDACTED, text)


class TokenFilter(logging.Filter):
    """Rewrites a record whose text carries a link token; never drops a line."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record that cannot format is left to the handler
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install(*names: str) -> None:
    """Add the filter once to each named logger (default: the access loggers)."""
    for name in names or ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenFilter) for f in logger.filters):
            logger.addFilter(TokenFilter())
