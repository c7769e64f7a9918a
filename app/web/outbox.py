"""The outbox (utkorg): the messages Nämndflöde has sent, or would have sent without an e-mail server."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.notifications import OutboxMessage
from app.permissions import Action, committees_where
from app.registry.models import Case

bp = Blueprint("outbox", __name__)
#: page numbers above this show an empty page (an offset the databases can still count)
MAX_PAGE = 1_000_000


def visible_messages(user, committee_ids: set[int]):
    """Select the user's own messages and every message about a case in ``committee_ids``."""
    stmt = select(OutboxMessage).options(selectinload(OutboxMessage.recipient))
    if not committee_ids:
        return stmt.where(OutboxMessage.recipient_id == user.id)
    return stmt.outerjoin(Case, Case.id == OutboxMessage.case_id).where(
        or_(OutboxMessage.recipient_id == user.id, Case.committee_id.in_(committee_ids))
    )


@bp.route("/utkorg")
@login_required
def outbox():
    committee_ids = committees_where(current_user, Action.view_outbox)
    stmt = visible_messages(current_user, committee_ids)
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    messages = db.paginate(
        stmt.order_by(OutboxMessage.created_dt.desc(), OutboxMessage.id.desc()),
        page=page,
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "outbox/outbox.html",
        messages=messages,
        everyone=bool(committee_ids),
        mail_configured=bool(current_app.config.get("MAIL_SERVER")),
    )


@bp.route("/utkorg/<int:message_id>/kalender.ics")
@login_required
def calendar(message_id: int):
    """A message's calendar invitation, for its recipient only (whoever chose no e-mail gets it here)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.recipient_id != current_user.id or not message.calendar:
        abort(404)
    response = Response(message.calendar.encode("utf-8"), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="kallelse.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
