"""Operations on case reports: create, save a revision, move through the workflow.

They validate, change, write the timeline and the audit log, queue notifications, and
flush; the view commits once and then sends the queued messages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from app import audit
from app.auth.models import Role, User
from app.clock import local_today, utcnow
from app.extensions import db
from app.organisation.models import Municipality
from app.registry.models import Case, CaseStatus
from app.validation import ConflictError, ForbiddenError
from workflows.content import STANDARD_SECTIONS, ReportContent, Signatory, clean_content, missing_for_submission
from workflows.models import (
    CaseReport,
    ReportConflict,
    ReportRevision,
    ReportSectionDefinition,
    ReportState,
    ReportTransition,
)
from workflows.notify import notify_transition
from workflows.registration import register_signed
from workflows.states import EDITABLE, TRANSITIONS, GuardContext, editor_only


class RevisionConflict(ConflictError):
    """A save based on an old revision; carries both texts so nothing is lost."""

    def __init__(self, conflict: ReportConflict, current: ReportRevision):
        self.conflict = conflict
        self.current = current
        who = current.author.name if current.author else "någon annan"
        since = (
            f"Utlåtandet har påbörjats av {who} (version {current.number}) medan du skrev ditt. "
            if conflict.based_on == 0
            else f"Utlåtandet har sparats av {who} (version {current.number}) sedan du började "
            f"(version {conflict.based_on}). "
        )
        super().__init__(
            since + "Din text är sparad vid sidan av; jämför och för in dina ändringar i den senaste versionen."
        )


def _sections(municipality: Municipality, keep: Collection[str] | None = ()) -> list[tuple[str, str, bool]]:
    """The standard sections and the municipality's active extra ones, in document order.

    ``keep`` names inactive extra sections to include as well (a report that already has text
    in them keeps it); None includes every inactive one (for reading old versions).
    """
    definitions = db.session.scalars(
        select(ReportSectionDefinition)
        .where(ReportSectionDefinition.municipality_id == municipality.id)
        .order_by(ReportSectionDefinition.position, ReportSectionDefinition.id)
    )
    return STANDARD_SECTIONS + [
        (d.key, d.title, d.is_required and d.is_active)
        for d in definitions
        if d.is_active or keep is None or d.key in keep
    ]


def section_titles(municipality: Municipality, keep: Collection[str] | None = ()) -> dict[str, str]:
    """Every section of the municipality's reports in document order, key → heading (see _sections)."""
    return {key: title for key, title, _ in _sections(municipality, keep)}


def report_section_titles(report: CaseReport) -> dict[str, str]:
    """The sections a report is written in: the active ones and any retired one it has text in."""
    return section_titles(report.case.committee.municipality, report.current().content.get("sections") or {})


def required_sections(municipality: Municipality) -> dict[str, str]:
    return {key: title for key, title, required in _sections(municipality) if required}


def _lock(report: CaseReport) -> None:
    """Serialise changes to one report (PostgreSQL row lock; SQLite writes are serial)."""
    db.session.execute(select(CaseReport.id).where(CaseReport.id == report.id).with_for_update())
    db.session.refresh(report, ["state", "current_revision"])


def report_for(case: Case) -> CaseReport | None:
    return db.session.scalar(select(CaseReport).where(CaseReport.case_id == case.id))


def check_may_start(case: Case, user: User) -> None:
    """Refuse, with the reason, when ``user`` may not start the case's tjänsteutlåtande now."""
    if case.status is not CaseStatus.open:
        raise ConflictError(f"Ärende {case.number} är {case.status.label.lower()}; inget utlåtande kan skrivas.")
    if report_for(case) is not None:
        raise ConflictError(f"Ärende {case.number} har redan ett tjänsteutlåtande.")
    if Role.case_officer not in user.roles_in(case.committee_id):
        raise ForbiddenError("Bara handläggare i nämnden kan skriva tjänsteutlåtanden.")


def starting_content(case: Case, user: User) -> ReportContent:
    """What a new report starts from: the case's title, today's date and its writer as signatory."""
    signatories = [Signatory(user_id=user.id, name=user.name, title=user.title)]
    return ReportContent(title=case.title, report_date=local_today().isoformat(), signatories=signatories)


def create_report(case: Case, *, user: User, raw: Mapping[str, object] | None = None) -> CaseReport:
    """Start the case's tjänsteutlåtande with its first version.

    ``raw`` is the first save as the editor or the API sends it, validated as every save is; version 1
    is that text, so the first real save is version 1. Without it (an API client that starts the
    report before writing) version 1 is the starting content.
    """
    check_may_start(case, user)
    if raw is None:
        content = starting_content(case, user)
    else:
        content = clean_content(raw, section_titles(case.committee.municipality))
    report = CaseReport(case=case, state=ReportState.draft, created_by=user, current_revision=1)
    if user.id != case.case_officer_id:
        report.editors.append(user)
    report.revisions.append(
        ReportRevision(
            number=1,
            based_on=None,
            author=user,
            content=content.to_json(),
            content_hash=content.content_hash(),
            changed_fields=[],
        )
    )
    db.session.add(report)
    db.session.flush()
    _timeline(report, "create", None, ReportState.draft, user, None)
    audit.record(
        "report.created",
        report,
        f"Tjänsteutlåtande påbörjat i {case.number}, sparat som version 1.",
        user=user,
        committee_id=case.committee_id,
        case_id=case.id,
        after={"revision": 1},
    )
    return report


def add_editor(report: CaseReport, editor: User, *, user: User) -> None:
    """Let another case officer of the committee write in the report."""
    editor_only(report, user, {})
    if Role.case_officer not in editor.roles_in(report.case.committee_id) or not editor.is_enabled:
        raise ConflictError("Medförfattaren måste vara handläggare i nämnden.")
    if editor in report.editors or editor.id == report.case.case_officer_id:
        return
    report.editors.append(editor)
    audit.record(
        "report.editor_added",
        report,
        f"{editor.name} kan nu skriva i utlåtandet.",
        user=user,
        committee_id=report.case.committee_id,
        case_id=report.case_id,
    )


def remove_editor(report: CaseReport, editor: User, *, user: User) -> None:
    """Take a co-editor off the report (the case's own officer always stays)."""
    editor_only(report, user, {})
    if editor not in report.editors:
        raise ConflictError(f"{editor.name} är inte medförfattare till utlåtandet.")
    report.editors.remove(editor)
    audit.record(
        "report.editor_removed",
        report,
        f"{editor.name} kan inte längre skriva i utlåtandet.",
        user=user,
        committee_id=report.case.committee_id,
        case_id=report.case_id,
    )


def save_revision(report: CaseReport, *, user: User, raw: Mapping[str, object], based_on: int) -> ReportRevision:
    """Save the content as a new revision, if it is based on the current one.

    A save based on an older revision is refused with RevisionConflict, and its text is
    kept in ReportConflict. Saving a returned report starts the next draft; saving an
    approved or signed report reopens it and takes it back through review.
    """
    _lock(report)
    if report.state not in EDITABLE:
        raise ConflictError(f"Utlåtandets status är ”{report.state.label}”; det kan inte ändras nu.")
    editor_only(report, user, {})
    content = clean_content(raw, report_section_titles(report))
    current = report.current()
    if based_on != report.current_revision:
        conflict = ReportConflict(
            report=report,
            author=user,
            based_on=based_on,
            current_at_refusal=report.current_revision,
            content=content.to_json(),
        )
        db.session.add(conflict)
        db.session.flush()
        audit.record(
            "report.save_conflict",
            report,
            f"Sparning från version {based_on} avvisades: version {report.current_revision} finns.",
            user=user,
            committee_id=report.case.committee_id,
            case_id=report.case_id,
        )
        raise RevisionConflict(conflict, current)
    previous = ReportContent.from_json(current.content)
    changed = content.changed_fields(previous)
    if not changed:
        return current
    _begin_change(report, user)
    revision = ReportRevision(
        report=report,
        number=report.current_revision + 1,
        based_on=based_on,
        author=user,
        content=content.to_json(),
        content_hash=content.content_hash(),
        changed_fields=changed,
    )
    db.session.add(revision)
    report.current_revision = revision.number
    db.session.flush()
    audit.record(
        "report.saved",
        report,
        f"Tjänsteutlåtandet i {report.case.number} sparat som version {revision.number}.",
        user=user,
        committee_id=report.case.committee_id,
        case_id=report.case_id,
        after={"revision": revision.number, "changed": changed},
    )
    return revision


def _begin_change(report: CaseReport, user: User) -> None:
    """Bring a returned, approved or signed report back to draft before its content changes."""
    follow_up = EDITABLE[report.state]
    if follow_up:
        transition(
            report,
            user=user,
            name=follow_up,
            comment="Ändrat efter underskrift" if report.state is ReportState.signed else None,
        )


def transition(
    report: CaseReport,
    *,
    user: User,
    name: str,
    comment: str | None = None,
    notify: bool = True,
    authority: str | None = None,
) -> ReportTransition:
    """Move the report along transition ``name`` of the workflow table, or refuse with the reason.

    ``notify=False`` is for taking over history (the demo, imports): nobody is told. ``authority`` names the record
    that makes an automatic transition in the user's stead ("Justerat protokoll § 15": the chair or justerare who
    completed the justering need not hold the secretary's role); it becomes the comment.
    """
    try:
        t = TRANSITIONS[name]
    except KeyError:
        raise ConflictError(f"Okänd åtgärd ”{name[:40]}”.") from None
    _lock(report)
    if report.state not in t.sources:
        raise ConflictError(f"Utlåtandets status är ”{report.state.label}”; ”{t.label}” går inte nu.")
    if authority is not None and t.is_manual:
        raise ValueError(f"{name} is done by hand; no record stands in for its role")
    if authority is None and not (t.roles & user.roles_in(report.case.committee_id)):
        raise ForbiddenError(f"Du har inte den roll som krävs för ”{t.label}”.")
    comment = (authority or comment or "").strip()[:4000] or None
    content = ReportContent.from_json(report.current().content)
    ctx: GuardContext = {
        "comment": comment,
        "missing": missing_for_submission(content, required_sections(report.case.committee.municipality)),
    }
    for guard in t.guards:
        guard(report, user, ctx)
    source = report.state
    report.state = t.target
    content_hash = None
    if t.target is ReportState.signed and name == "sign":
        content_hash = signature_hash(report)
        report.signed_revision = report.current_revision
        report.signed_hash = content_hash
        report.signed_dt = utcnow()
        report.signed_by = user
    if t.clears_signature:
        report.signed_revision = report.signed_hash = report.signed_dt = report.signed_by = None
    report.due_on = _due_date(t.target)
    report.reminded_on = None
    row = _timeline(report, name, source, t.target, user, comment, content_hash)
    if content_hash is not None:
        register_signed(report, user=user)
    audit.record(
        f"report.{name}",
        report,
        f"Tjänsteutlåtandet i {report.case.number}: {source.label} → {t.target.label}"
        + (f" ({comment})" if comment else "")
        + ".",
        user=user,
        committee_id=report.case.committee_id,
        case_id=report.case_id,
        before={"state": source.value},
        after={"state": t.target.value, "revision": report.current_revision},
    )
    if notify:
        notify_transition(report, row, user)
    return row


def attachment_manifest(report: CaseReport) -> list[dict[str, str | int | bool | None]]:
    """The current bilagor as data: what a signature covers besides the text."""
    return [
        {
            "position": a.position,
            "title": a.title,
            "confidential": a.is_confidential,
            "sha256": a.file.sha256 if a.file else None,
            "registered_document_id": a.registered_document_id,
        }
        for a in sorted(report.current_attachments, key=lambda a: a.position)
    ]


def signature_hash(report: CaseReport) -> str:
    """The sha256 that signing freezes: the current revision's content and its bilagor."""
    content = ReportContent.from_json(report.current().content)
    manifest = json.dumps(attachment_manifest(report), sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(content.canonical_bytes() + b"\n" + manifest).hexdigest()


def _due_date(state: ReportState) -> date | None:
    days = {ReportState.in_review: "REVIEW_DAYS", ReportState.approved: "APPROVAL_DAYS"}.get(state)
    if days is None:
        return None
    return local_today() + timedelta(days=int(current_app.config.get(days, 5)))


def _timeline(
    report: CaseReport,
    name: str,
    source: ReportState | None,
    target: ReportState,
    user: User,
    comment: str | None,
    content_hash: str | None = None,
) -> ReportTransition:
    row = ReportTransition(
        report=report,
        name=name,
        from_state=source,
        to_state=target,
        user=user,
        comment=comment,
        revision_number=report.current_revision,
        content_hash=content_hash,
    )
    db.session.add(row)
    db.session.flush()
    return row
