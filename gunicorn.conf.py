"""gunicorn settings for the portal: `gunicorn -c gunicorn.conf.py wsgi:app`.

The access log keeps the usual combined format, with the tokens of invitation and
password links cut out of every line (portal/log_redaction.py): a link in a log would
open the person's account to whoever reads the log.
"""
import os

from portal.log_redaction import install

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 4))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# Combined log format; %(r)s and %(U)s carry the path, which the filter redacts.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss'


def on_starting(server):
    install("gunicorn.access")


def post_fork(server, worker):
    install("gunicorn.access")
