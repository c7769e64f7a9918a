"""The review and approval workflow as data: states, transitions, the role each needs, guards.

A guard returns when the transition may happen, or raises ForbiddenError (this user may
not: 403) or ValidationError (something must be filled in first: 422) with a Swedish message.
``workflows.operations.transition`` is the one function that applies this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from app.auth.models import Role, User
from app.validation import ForbiddenError, ValidationError
from workflows.models import CaseReport, ReportState

S = ReportState


class GuardContext(TypedDict, total=False):
    """What the guards judge besides the report and the user (workflows.operations.transition fills it)."""

    #: the comment given with the step, stripped (None when there is none)
    comment: str | None
    #: the headings of what the report lacks before it can be submitted
    missing: list[str]


Guard = Callable[[CaseReport, User, GuardContext], None]


def is_author(report: CaseReport, user: User) -> bool:
    """Whether ``user`` wrote any revision of the report."""
    return any(r.author_id == user.id for r in report.revisions)


def is_editor(report: CaseReport, user: User) -> bool:
    return user.id == report.case.case_officer_id or any(e.id == user.id for e in report.editors)


def editor_only(report: CaseReport, user: User, ctx: GuardContext) -> None:
    if not is_editor(report, user):
        raise ForbiddenError("Bara ärendets handläggare och utsedda medförfattare kan ändra utlåtandet.")


def not_own_report(report: CaseReport, user: User, ctx: GuardContext) -> None:
    if is_author(report, user):
        raise ForbiddenError("Du har skrivit i utlåtandet och kan därför inte granska, godkänna eller underteckna det.")


def comment_required(report: CaseReport, user: User, ctx: GuardContext) -> None:
    if not (ctx.get("comment") or "").strip():
        raise ValidationError({"comment": "Skriv en kommentar som säger varför."})


def complete_content(report: CaseReport, user: User, ctx: GuardContext) -> None:
    missing = ctx.get("missing") or []
    if missing:
        raise ValidationError(
            {"content": "Utlåtandet kan inte skickas på granskning. Det saknas: " + ", ".join(missing) + "."}
        )


def not_own_approval(report: CaseReport, user: User, ctx: GuardContext) -> None:
    """Who approved the report in this round does not sign it too, unless the committee allows it."""
    if report.case.committee.same_person_may_approve_and_sign:
        return
    approval = next((t for t in reversed(report.transitions) if t.name == "approve"), None)
    if approval is not None and approval.user_id == user.id:
        raise ForbiddenError("Samma person kan inte både godkänna och underteckna tjänsteutlåtandet.")


def editor_or_secretary(report: CaseReport, user: User, ctx: GuardContext) -> None:
    if not (is_editor(report, user) or Role.secretary in user.roles_in(report.case.committee_id)):
        raise ForbiddenError("Bara ärendets handläggare eller nämndsekreteraren kan återkalla utlåtandet.")


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[ReportState]
    target: ReportState
    roles: frozenset[Role]
    guards: tuple[Guard, ...] = ()
    #: the button's text
    label: str = ""
    #: shown to the people acting on the report (False: done by other operations, e.g. saving)
    is_manual: bool = True
    #: the transition takes the report through review again: the signature no longer holds
    clears_signature: bool = False
    extra: dict[str, object] = field(default_factory=dict)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit",
            frozenset({S.draft}),
            S.in_review,
            frozenset({Role.case_officer}),
            (editor_only, complete_content),
            "Skicka på granskning",
        ),
        Transition(
            "return_review",
            frozenset({S.in_review}),
            S.returned,
            frozenset({Role.reviewer}),
            (not_own_report, comment_required),
            "Returnera till handläggaren",
        ),
        Transition(
            "approve", frozenset({S.in_review}), S.approved, frozenset({Role.reviewer}), (not_own_report,), "Godkänn"
        ),
        Transition(
            "return_approval",
            frozenset({S.approved}),
            S.returned,
            frozenset({Role.approver}),
            (not_own_report, comment_required),
            "Returnera till handläggaren",
        ),
        Transition(
            "sign",
            frozenset({S.approved}),
            S.signed,
            frozenset({Role.approver}),
            (not_own_report, not_own_approval),
            "Underteckna",
        ),
        # Saving a returned report starts the next draft; saving an approved or signed one reopens it.
        Transition(
            "resume",
            frozenset({S.returned}),
            S.draft,
            frozenset({Role.case_officer}),
            (editor_only,),
            "Arbeta vidare",
            is_manual=False,
        ),
        Transition(
            "reopen",
            frozenset({S.approved, S.signed}),
            S.draft,
            frozenset({Role.case_officer}),
            (editor_only,),
            "Öppna för ändring",
            is_manual=False,
            clears_signature=True,
        ),
        Transition(
            "withdraw",
            frozenset({S.draft, S.returned, S.in_review, S.approved, S.signed}),
            S.withdrawn,
            frozenset({Role.case_officer, Role.secretary}),
            (editor_or_secretary, comment_required),
            "Återkalla utlåtandet",
        ),
        # Set by the agenda (secretary).
        Transition(
            "place_on_agenda",
            frozenset({S.signed}),
            S.on_agenda,
            frozenset({Role.secretary}),
            (),
            "Placera på föredragningslista",
            is_manual=False,
        ),
        Transition(
            "remove_from_agenda",
            frozenset({S.on_agenda}),
            S.signed,
            frozenset({Role.secretary}),
            (),
            "Ta bort från föredragningslista",
            is_manual=False,
        ),
        Transition(
            "decide", frozenset({S.on_agenda}), S.decided, frozenset({Role.secretary}), (), "Beslutad", is_manual=False
        ),
    ]
}

#: states in which the content may be saved (a save from returned/approved/signed first moves it to draft)
EDITABLE = {S.draft: None, S.returned: "resume", S.approved: "reopen", S.signed: "reopen"}
