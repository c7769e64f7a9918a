"""Expediering: the secretary's page of what each justerad paragraph's protokollsutdrag was sent to, how, when and
what failed, with **Expediera** (send the waiting ones) and **Skicka igen** for a failed e-mail.

Loads through agenda.minutes.access with Action.record_minutes (404 when the meeting is unknown to the user or has
no protokoll, 403 for anyone but the committee's secretary), calls one operation of agenda.minutes.dispatch and
commits once; a refusal is shown on the page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from agenda.minutes import access
from agenda.minutes import dispatch as expediering
from app.extensions import db
from app.permissions import Action
from app.validation import ConflictError
from app.web.forms import EmptyForm
from workflows.access import acting_user

bp = Blueprint("minutes_dispatch", __name__)


@bp.route("/sammantraden/<int:meeting_id>/protokoll/expediering")
@login_required
def page(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    paragraphs = expediering.state_of(minutes)
    return render_template(
        "agenda/expediering.html",
        meeting=minutes.meeting,
        minutes=minutes,
        paragraphs=paragraphs,
        waiting=sum(len(p.waiting) for p in paragraphs if p.document is not None),
        form=EmptyForm(),
    )


def _back(meeting_id: int):
    return redirect(url_for("minutes_dispatch.page", meeting_id=meeting_id), 303)


@bp.route("/sammantraden/<int:meeting_id>/protokoll/expediering", methods=["POST"])
@login_required
def expedite(meeting_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        sent = expediering.expedite(minutes, user=acting_user())
    except ConflictError as exc:
        flash(exc.message, "error")
        return _back(meeting_id)
    db.session.commit()
    failed = sum(1 for d in sent if d.channel.value == "manual")
    flash(
        f"Besluten är expedierade: {len(sent)} utskick"
        + (f", varav {failed} att hantera manuellt." if failed else "."),
        "info",
    )
    return _back(meeting_id)


@bp.route("/sammantraden/<int:meeting_id>/protokoll/expediering/<int:dispatch_id>/skicka-igen", methods=["POST"])
@login_required
def resend(meeting_id: int, dispatch_id: int):
    minutes = access.load_minutes(current_user, meeting_id, Action.record_minutes)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        expediering.resend(minutes, user=acting_user(), dispatch_id=dispatch_id)
    except ConflictError as exc:
        flash(exc.message, "error")
        return _back(meeting_id)
    db.session.commit()
    flash("Utdraget skickas igen.", "info")
    return _back(meeting_id)
