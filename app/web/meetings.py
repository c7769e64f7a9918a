"""Meeting pages, one blueprint (``meetings``) in several modules along the seams of the work:

- ``app/web/year_plan.py``: the year plan, and planning meetings (one, or a series);
- ``app/web/agenda_builder.py``: the meeting page and the agenda builder, outcomes and publishing;
- ``app/web/notice.py``: the members' kallelse (a published version), its items and bilagor;
- ``app/web/delegations.py``: the delegated decisions, listed and registered;
- ``app/web/meeting_template.py``: the committee's meeting template (standing items, notice deadline).

Each registers its routes on ``bp`` here, so every endpoint keeps its name (``url_for("meetings.notice")``).
Loading a meeting for the user, and the 404 or 403 that goes with it, is ``agenda.access``'s. This module
holds the blueprint, the menu's links, the date filters, and what the modules share.
"""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user

from agenda.models import Meeting
from app.permissions import Action, can, committees_where
from app.registry.models import Case
from app.swedish_dates import long_date, meeting_time
from app.validation import ValidationError

bp = Blueprint("meetings", __name__)


@bp.app_context_processor
def meeting_helpers():
    """Offer the meeting links of the menu."""
    return {
        "meeting_nav": {
            "meetings": bool(committees_where(current_user, Action.view_meetings)),
            "delegations": bool(committees_where(current_user, Action.manage_meetings)),
        }
    }


bp.add_app_template_filter(meeting_time, "meeting_time")
bp.add_app_template_filter(long_date, "long_date_iso")


@bp.app_template_filter("iso_date")
def iso_date(value: str | None) -> str:
    """The date part of a snapshot's ISO date or datetime text."""
    return (value or "")[:10]


def meeting_url(meeting: Meeting, anchor: str | None = None) -> str:
    return url_for("meetings.meeting", meeting_id=meeting.id, _anchor=anchor)


def case_label(case: Case) -> str:
    """How a case is offered in a list: a confidential one the user may not read by its public title only."""
    if case.is_confidential and not can(current_user, Action.view_confidential, case):
        return f"Sekretessärende: {case.display_public_title}"
    label = f"{case.number} {case.title}"
    label = label if len(label) <= 140 else label[:139] + "…"
    return f"{label} (sekretess)" if case.is_confidential else label


def start_errors(exc: ValidationError) -> ValidationError:
    """Name the date field in the operation's errors about the start ("start" → "day")."""
    return ValidationError({("day" if key == "start" else key): message for key, message in exc.errors.items()})
