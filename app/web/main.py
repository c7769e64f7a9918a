"""The start page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from app.extensions import db
from app.permissions import Action, committees_where, visible_cases_clause
from app.registry.models import Case, CaseStatus

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/public_index.html")
    committees = current_user.committees()
    counts = dict(
        db.session.execute(
            select(Case.committee_id, func.count())
            .where(visible_cases_clause(current_user), Case.status == CaseStatus.open)
            .group_by(Case.committee_id)
        ).all()
    )
    my_cases = db.session.scalars(
        select(Case)
        .where(visible_cases_clause(current_user), Case.case_officer_id == current_user.id,
               Case.status == CaseStatus.open)
        .order_by(Case.registered_on.desc())
        .limit(10)
    ).all()
    may_register = bool(committees_where(current_user, Action.register_case))
    return render_template("main/index.html", committees=committees, open_counts=counts,
                           my_cases=my_cases, may_register=may_register)
