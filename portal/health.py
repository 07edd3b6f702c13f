"""Liveness for load balancers: answers when the app and its database answer."""
from flask import Blueprint
from sqlalchemy import text

from portal.access import rule
from portal.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/sehat")
@rule("public")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
