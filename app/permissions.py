"""The one place that answers "may this user do X here".

Every view and API endpoint asks ``can()`` (or ``require()``, which aborts); list queries
use ``committees_where()`` (and the diarium's ``app.registry.queries.visible_cases_clause()``),
built from the same table, so a list never shows what the detail page would refuse.

This module is part of the core and imports no domain: it judges the domains' objects by
what they show (the protocols below), not by their classes.
"""

from __future__ import annotations

import enum
from typing import Protocol, TypeVar, runtime_checkable

from flask import abort
from sqlalchemy import select

from app.auth.models import MunicipalRole, Role, User
from app.extensions import db
from app.organisation.models import Committee, Municipality

ALL_ROLES = frozenset(Role)
STAFF = frozenset(ALL_ROLES - {Role.member})


class Action(str, enum.Enum):
    view_committee = "view_committee"
    view_case = "view_case"
    #: see confidential cases and their titles (the responsible case officer may too)
    view_confidential = "view_confidential"
    view_case_history = "view_case_history"
    register_case = "register_case"
    edit_case = "edit_case"
    void_case = "void_case"
    set_confidentiality = "set_confidentiality"
    register_document = "register_document"
    export_registry = "export_registry"
    #: the municipality's classification plan and the extra sections of its tjänsteutlåtanden
    manage_classification = "manage_classification"
    #: create and change diaria (series code, number format) and choose the diarium each committee registers in
    manage_diaria = "manage_diaria"
    #: create users, edit them and grant or revoke their roles, in every committee of the municipality
    manage_users = "manage_users"
    #: the municipality's details, its förvaltningar and committees
    manage_organisation = "manage_organisation"
    #: the municipality's Word templates (Administration → Dokumentmall): upload, choose the one in use
    manage_templates = "manage_templates"
    #: take over existing data (Administration → Import): a diarium's cases with the numbers they have, past
    #: meetings with their agendas and outcomes
    import_data = "import_data"
    #: the committee's rules of the review chain (whether who approved a report may also sign it)
    manage_review_rules = "manage_review_rules"
    #: follow and download a background job: only the user who asked for it
    view_job = "view_job"
    #: read a case's tjänsteutlåtande, its versions, timeline and bilagor (staff, not members)
    view_report = "view_report"
    #: start a report, write in it, handle its bilagor (the workflow table decides the rest)
    write_report = "write_report"
    #: see the review and signing queue of a committee
    review_reports = "review_reports"
    #: read every message the outbox holds about the committee's cases (anyone reads their own)
    view_outbox = "view_outbox"
    #: see the committee's meetings and read their published kallelser (members' version)
    view_meetings = "view_meetings"
    #: plan meetings, build their agendas, record outcomes, register delegated decisions
    manage_meetings = "manage_meetings"
    #: publish (and republish) a kallelse
    publish_notice = "publish_notice"
    #: read the confidential items, bilagor and delegated decisions of a published members' kallelse:
    #: the members who decide on them, and those who may see the committee's secrets anyway
    read_confidential_handlingar = "read_confidential_handlingar"
    #: keep the committee's seats: its ledamöter and ersättare, their parties, order and offices
    manage_seats = "manage_seats"
    #: report förhinder for a meeting: a member for their own seat, the secretary for anyone's
    report_absence = "report_absence"
    #: read the yrkanden filed in advance on the committee's agenda items
    view_motions = "view_motions"
    #: file a written yrkande in advance on an agenda item (a member, for their own seat)
    file_motion = "file_motion"
    #: read the committee's protokoll drafts, its attendance and paragraphs
    view_minutes = "view_minutes"
    #: keep the protokoll: attendance, justerare, paragraphs, yrkanden, votes, decisions
    record_minutes = "record_minutes"
    #: approve (justera) or reject the rendered protokoll: a member who is the meeting's chair or a justerare
    #: (agenda.minutes.adjustment decides which members those are)
    adjust_minutes = "adjust_minutes"
    #: read the draft kallelse the secretary gave them and comment on it (ordförandeberedning): a member who is
    #: the committee's chair (agenda.chair_review decides which member that is)
    review_draft = "review_draft"


#: Actions on the municipality as a whole, and which roles held in the municipality (not in one of its
#: committees) allow them. On a committee such an action is decided by the roles in its municipality.
MUNICIPALITY_RULES: dict[Action, frozenset[MunicipalRole]] = {
    Action.manage_classification: frozenset({MunicipalRole.admin}),
    Action.manage_diaria: frozenset({MunicipalRole.admin}),
    Action.manage_users: frozenset({MunicipalRole.admin}),
    Action.manage_organisation: frozenset({MunicipalRole.admin}),
    Action.manage_templates: frozenset({MunicipalRole.admin}),
    Action.import_data: frozenset({MunicipalRole.admin}),
}

#: which roles in a committee allow each action there (the committee's administrator keeps what concerns
#: the committee itself: its cases, secrets, outbox and review rule; the municipality's are above)
RULES: dict[Action, frozenset[Role]] = {
    Action.view_committee: ALL_ROLES,
    Action.view_case: ALL_ROLES,
    Action.view_confidential: frozenset({Role.registrar, Role.secretary, Role.reviewer, Role.approver, Role.admin}),
    Action.view_case_history: STAFF,
    Action.register_case: frozenset({Role.registrar, Role.case_officer, Role.secretary, Role.admin}),
    Action.edit_case: frozenset({Role.registrar, Role.admin}),
    Action.void_case: frozenset({Role.registrar, Role.admin}),
    Action.set_confidentiality: frozenset({Role.registrar, Role.admin}),
    Action.register_document: frozenset({Role.registrar, Role.case_officer, Role.secretary, Role.admin}),
    Action.export_registry: frozenset({Role.registrar, Role.secretary, Role.admin}),
    Action.manage_review_rules: frozenset({Role.admin}),
    Action.view_job: ALL_ROLES,
    Action.view_report: STAFF,
    Action.write_report: frozenset({Role.case_officer}),
    Action.review_reports: frozenset({Role.reviewer, Role.approver}),
    Action.view_outbox: frozenset({Role.admin}),
    Action.view_meetings: ALL_ROLES,
    Action.manage_meetings: frozenset({Role.secretary}),
    Action.publish_notice: frozenset({Role.secretary}),
    Action.read_confidential_handlingar: frozenset(
        {Role.member, Role.registrar, Role.secretary, Role.reviewer, Role.approver, Role.admin}
    ),
    Action.manage_seats: frozenset({Role.secretary}),
    Action.report_absence: frozenset({Role.member, Role.secretary}),
    Action.view_motions: frozenset({Role.member, Role.secretary}),
    Action.file_motion: frozenset({Role.member}),
    Action.view_minutes: frozenset({Role.member, Role.secretary}),
    Action.record_minutes: frozenset({Role.secretary}),
    Action.adjust_minutes: frozenset({Role.member}),
    Action.review_draft: frozenset({Role.member}),
}

#: actions on a case; each needs view access to it first (so a confidential case stays hidden)
_CASE_ACTIONS_NEEDING_VIEW = {
    Action.view_case,
    Action.view_confidential,
    Action.view_case_history,
    Action.edit_case,
    Action.void_case,
    Action.set_confidentiality,
    Action.register_document,
    Action.export_registry,
    Action.view_report,
    Action.write_report,
}


@runtime_checkable
class HeldByCommittee(Protocol):
    """Anything a committee holds, e.g. a meeting: the user's roles in that committee decide."""

    committee_id: int


@runtime_checkable
class CaseLike(HeldByCommittee, Protocol):
    """A case (ärende): its committee's roles decide, and a confidential one is seen only by those who may see
    the committee's secrets, or by its own case officer."""

    is_confidential: bool
    case_officer_id: int | None


@runtime_checkable
class AskedFor(Protocol):
    """What only the user who asked for it may follow (``Action.view_job``): a background job."""

    created_by_id: int | None


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def municipalities_where(user: User | None, action: Action) -> set[int]:
    """Return the ids of the municipalities in which ``user`` may do the municipality-wide ``action``."""
    if not _authenticated(user) or action not in MUNICIPALITY_RULES:
        return set()
    allowed = MUNICIPALITY_RULES[action]
    return {r.municipality_id for r in user.municipality_roles if r.role in allowed}


def administered_municipalities(user: User | None, action: Action) -> list[Municipality]:
    """Return the municipalities in which ``user`` may do the municipality-wide ``action``, by name."""
    ids = municipalities_where(user, action)
    if not ids:
        return []
    return list(db.session.scalars(select(Municipality).where(Municipality.id.in_(ids)).order_by(Municipality.name)))


def committees_where(user: User | None, action: Action) -> set[int]:
    """Return the ids of the committees in which ``user`` may do ``action`` (for a municipality-wide action:
    every committee of the municipalities they administer)."""
    if not _authenticated(user):
        return set()
    if action in MUNICIPALITY_RULES:
        ids = municipalities_where(user, action)
        if not ids:
            return set()
        return set(db.session.scalars(select(Committee.id).where(Committee.municipality_id.in_(ids))))
    allowed = RULES[action]
    return {r.committee_id for r in user.roles if r.role in allowed}


def allowed_committees(user: User | None, action: Action) -> list[Committee]:
    """Return the committees in which ``user`` may do ``action``, by name."""
    ids = committees_where(user, action)
    if not ids:
        return []
    return list(db.session.scalars(select(Committee).where(Committee.id.in_(ids)).order_by(Committee.name)))


def can(user: User | None, action: Action, target) -> bool:
    """Answer whether ``user`` may do ``action`` on ``target``: a municipality, a committee, a case
    (``CaseLike``), something else a committee holds (``HeldByCommittee``), or, for ``Action.view_job``,
    what the user asked for (``AskedFor``)."""
    if not _authenticated(user):
        return False
    if action in MUNICIPALITY_RULES:
        if isinstance(target, Municipality):
            return target.id in municipalities_where(user, action)
        if isinstance(target, Committee):
            return target.municipality_id in municipalities_where(user, action)
        raise TypeError(f"{action.value} is decided on a municipality or a committee, not a {type(target).__name__}")
    if isinstance(target, Municipality):
        ids = committees_where(user, action)
        return any(c.id in ids for c in target.committees)
    if isinstance(target, Committee):
        return target.id in committees_where(user, action)
    if action is Action.view_job:
        return isinstance(target, AskedFor) and target.created_by_id == user.id
    if isinstance(target, CaseLike):
        if action in _CASE_ACTIONS_NEEDING_VIEW and not _may_view_case(user, target):
            return False
        if action is Action.view_confidential:
            return _may_see_secrets(user, target)
        return target.committee_id in committees_where(user, action)
    if isinstance(target, HeldByCommittee):
        return target.committee_id in committees_where(user, action)
    raise TypeError(f"no permission rule for {type(target).__name__}")


def _may_see_secrets(user: User, case: CaseLike) -> bool:
    """Confidential titles, documents and parties of this case: the right role, or its own officer."""
    return case.committee_id in committees_where(user, Action.view_confidential) or (case.case_officer_id == user.id)


def _may_view_case(user: User, case: CaseLike) -> bool:
    if case.committee_id not in committees_where(user, Action.view_case):
        return False
    return not case.is_confidential or _may_see_secrets(user, case)


_Target = TypeVar("_Target")


def decide(user: User | None, target: _Target, *, known_by: Action, action: Action) -> _Target:
    """Return ``target`` if ``user`` may do ``action`` on it; else 401 (not logged in), 404 (they may not know
    it exists: ``known_by`` is the action that lets them see it) or 403 (they see it, but may not do this).
    The areas' access modules load objects for users through this."""
    if not _authenticated(user):
        abort(401)
    if not can(user, known_by, target):
        abort(404)
    if not can(user, action, target):
        abort(403)
    return target


def require(user: User | None, action: Action, target) -> None:
    """Abort unless ``can()``: 404 where even knowing the object exists is not allowed, else 403."""
    if can(user, action, target):
        return
    if not _authenticated(user):
        abort(401)
    if isinstance(target, Committee):
        if not can(user, Action.view_committee, target):
            abort(404)
    elif action is Action.view_job:
        abort(404)
    elif isinstance(target, CaseLike):
        if not _may_view_case(user, target):
            abort(404)
    elif isinstance(target, HeldByCommittee) and not can(user, Action.view_meetings, target):
        abort(404)
    abort(403)
