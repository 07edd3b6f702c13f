"""A WSGI app that answers 410 to everything: enough for gunicorn to write access-log
lines (tests/test_people_privacy.py checks that link tokens never reach them)."""


def app(environ, start_response):
    start_response("410 Gone", [("Content-Type", "text/plain")])
    return [b"tidak berlaku"]
