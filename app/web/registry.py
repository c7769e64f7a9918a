"""Diarium pages (placeholder until the pages land)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("registry", __name__)


@bp.route("/diarium")
@login_required
def diarium():
    return "diarium"


@bp.route("/diarium/registrera")
@login_required
def register_case():
    return "register"


@bp.route("/arenden/<int:case_id>")
@login_required
def case_detail(case_id: int):
    return "case"
