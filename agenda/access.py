"""Who reaches which meeting: load a meeting (an agenda item, a published version, a committee's delegated
decisions) for a user and decide once; and what of a confidential case they read there: a withheld agenda
item or delegated decision, the members' files or the public ones.

Pages and API both load through here, so they answer the same question with the same status:

- **404** when the user may not know the meeting exists: a meeting of a committee in which they have no
  role (another committee's), an unknown id, an item of another meeting, a version never published;
- **403** when they see the meeting but may not do the action asked for (a member of the committee reads
  the agenda and the kallelse, but does not plan, build or publish: only its secretary does).

The table of who may do what stays in ``app.permissions``; this module only asks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from flask import abort

from agenda.models import AgendaItem, AgendaSection, DelegationDecision, ItemMarker, Meeting, Publication, StandingItem
from agenda.snapshot import items_for
from app.auth.models import User
from app.organisation.models import Committee
from app.permissions import Action, can, decide
from app.registry.access import get_by_id
from app.registry.models import Case

NOT_PUBLISHED = "Kallelsen är inte publicerad."


def may_know(user: User | None, meeting: Meeting | Committee) -> bool:
    """Whether ``user`` may know that the meeting (or the committee's meetings) exists: a role in its committee."""
    return can(user, Action.view_meetings, meeting)


_Target = TypeVar("_Target", Meeting, Committee)


def _check(user: User | None, target: _Target, action: Action) -> _Target:
    return decide(user, target, known_by=Action.view_meetings, action=action)


def check_meeting(user: User | None, meeting: Meeting, action: Action = Action.view_meetings) -> Meeting:
    """Return ``meeting`` if ``user`` may do ``action`` on it; else 401, 404 or 403 as the module says."""
    return _check(user, meeting, action)


def load_meeting(user: User | None, meeting_id: int, action: Action = Action.view_meetings) -> Meeting:
    """Return the meeting with this id if ``user`` may do ``action`` on it: 404 when unknown or another
    committee's, 403 when they see it but may not do ``action``."""
    meeting = get_by_id(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return check_meeting(user, meeting, action)


def item_of(meeting: Meeting, item_id: int) -> AgendaItem:
    """Return the agenda item with this id if it is one of ``meeting``'s (loaded for the user first); else 404."""
    item = get_by_id(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def load_item(user: User | None, meeting_id: int, item_id: int, action: Action = Action.view_meetings) -> AgendaItem:
    """Return the meeting's agenda item, the meeting checked as ``load_meeting``; 404 for an item of another."""
    return item_of(load_meeting(user, meeting_id, action), item_id)


def publication_of(meeting: Meeting, version: int | None = None) -> Publication:
    """Return the meeting's published version ``version`` (None: the latest); 404 when there is none."""
    if version is None:
        publication = meeting.latest_publication
    else:
        publication = next((p for p in meeting.publications if p.version == version), None)
    if publication is None:
        abort(404, NOT_PUBLISHED if version is None else f"Kallelsen har ingen version {version}.")
    return publication


def load_publication(user: User | None, meeting_id: int, version: int | None = None) -> Publication:
    """Return a published version of the meeting (the members' kallelse) if ``user`` may read it; as above."""
    return publication_of(load_meeting(user, meeting_id), version)


def load_committee(user: User | None, committee_id: int | None, action: Action = Action.view_meetings) -> Committee:
    """Return the committee whose meetings and delegated decisions ``user`` asks about: 404 when they have no
    role in it (or it is unknown), 403 when they may not do ``action`` there."""
    committee = get_by_id(Committee, committee_id) if committee_id is not None else None
    if committee is None:
        abort(404)
    return _check(user, committee, action)


def standing_item_of(committee: Committee, item_id: int) -> StandingItem:
    """Return the standing item of the committee's meeting template with this id (the committee loaded for the
    user first); else 404."""
    item = get_by_id(StandingItem, item_id)
    if item is None or item.committee_id != committee.id:
        abort(404)
    return item


def section_of(committee: Committee, section_id: int) -> AgendaSection:
    """Return the named section of the committee's template with this id; else 404."""
    section = get_by_id(AgendaSection, section_id)
    if section is None or section.committee_id != committee.id:
        abort(404)
    return section


def marker_of(committee: Committee, marker_id: int) -> ItemMarker:
    """Return the item marker of the committee's template with this id; else 404."""
    marker = get_by_id(ItemMarker, marker_id)
    if marker is None or marker.committee_id != committee.id:
        abort(404)
    return marker


# --- what a user reads of a published version and of the live agenda --------------------------------


def reads_everything(publication: Publication, user: User | None) -> bool:
    """Whether ``user`` may read every confidential matter and bilaga of the members' version (and so gets its
    rendered files; anyone else gets the public files)."""
    for item in items_for(publication.members_snapshot, user):
        if item.get("withheld") or any(a.get("withheld") for a in item.get("attachments") or []):
            return False
    return True


def item_withheld(item: AgendaItem, user: User | None) -> bool:
    """Whether a confidential item of the live agenda is withheld from ``user``: shown by its case's public title
    only, without its number, notes or handling, because they may not read the case's secrets."""
    return item.is_confidential and (item.case is None or not may_read_case_secrets(user, item.case))


# --- what a user sees of a delegated decision -------------------------------------------------------


@dataclass(frozen=True)
class ShownDecision:
    """A delegated decision as one user may see it.

    In a confidential case whose secrets the user may not read it is *withheld*: it shows the case's
    public title instead of its summary, and neither the case's id nor its diarienummer.
    """

    decision: DelegationDecision
    withheld: bool
    is_confidential: bool
    case_id: int | None
    case_number: str | None
    summary: str


def may_read_case_secrets(user: User | None, case: Case) -> bool:
    """Whether ``user`` may read a confidential case's title, number and what is said of it."""
    return can(user, Action.view_confidential, case)


def shown_decision(decision: DelegationDecision, user: User | None) -> ShownDecision:
    """How ``user`` sees ``decision``: withheld when its case is confidential and they may not read its secrets."""
    case = decision.case
    confidential = case is not None and case.is_confidential
    withheld = case is not None and case.is_confidential and not may_read_case_secrets(user, case)
    return ShownDecision(
        decision=decision,
        withheld=withheld,
        is_confidential=confidential,
        case_id=None if withheld or case is None else case.id,
        case_number=None if withheld or case is None else case.number,
        summary=case.display_public_title if withheld and case is not None else decision.summary,
    )
