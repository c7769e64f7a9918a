"""Ställ in sammanträdet: the confirm page with the reason, and cancelling (agenda.cancellation).

The secretary who may publish the kallelse may cancel the meeting (``Action.publish_notice``, as agenda.access
decides: 404 for another committee's meeting, 403 for a member). The meeting page links to the confirm page; the
page says what cancelling does and that it cannot be undone."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from agenda import access
from agenda.cancellation import MAX_REASON, cancel_meeting, refusal
from app.permissions import Action
from app.web.meeting_forms import CancelMeetingForm
from app.web.meetings import bp, meeting_url
from app.web.report_forms import run
from workflows.access import acting_user


@bp.route("/sammantraden/<int:meeting_id>/stall-in", methods=["GET", "POST"])
@login_required
def cancel(meeting_id: int):
    """Ask first, with the reason and what follows; then cancel and tell the members."""
    meeting = access.load_meeting(current_user, meeting_id, Action.publish_notice)
    form = CancelMeetingForm()

    def operation():
        cancel_meeting(meeting, user=acting_user(), reason=form.reason.data)
        told = " Ledamöter och ersättare har fått besked." if meeting.latest_publication else ""
        return f"Sammanträdet är inställt.{told}", meeting_url(meeting)

    def render(status: int):
        page = render_template(
            "agenda/cancel_meeting.html",
            meeting=meeting,
            form=form,
            refused=refusal(meeting),
            max_reason=MAX_REASON,
        )
        return page, status

    return run(form, operation, render)
