"""The workflow table applied by the operations: every transition allowed and refused."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from app.audit import AuditEntry
from app.auth.models import Role
from app.auth.operations import grant_role
from app.extensions import db
from app.notifications import OutboxMessage
from app.validation import ConflictError, ForbiddenError, ValidationError
from tasks.models import Job
from tests.factories import COMPLETE, create_report
from workflows import operations as ops
from workflows.models import CaseReport, ReportConflict, ReportState, ReportTransition
from workflows.states import TRANSITIONS

S = ReportState

#: (transition, state it starts from, the user allowed, the state it ends in)
ALLOWED = [
    ("submit", S.draft, "controller", S.in_review),
    ("return_review", S.in_review, "enhetschef", S.returned),
    ("approve", S.in_review, "enhetschef", S.approved),
    ("return_approval", S.approved, "direktor", S.returned),
    ("sign", S.approved, "direktor", S.signed),
    ("withdraw", S.draft, "controller", S.withdrawn),
    ("withdraw", S.signed, "sekreterare", S.withdrawn),
    ("place_on_agenda", S.signed, "sekreterare", S.on_agenda),
]


@pytest.mark.parametrize("name, start, key, end", ALLOWED)
def test_transition_allowed_for_the_right_role_in_the_right_state(report_in, user, name, start, key, end):
    report = report_in(start)
    row = ops.transition(report, user=user(key), name=name, comment="Ser bra ut")
    db.session.commit()
    assert report.state is end
    assert (row.from_state, row.to_state, row.user.email) == (start, end, f"{key}@huddinge.example")
    assert report.transitions[-1].name == name
    audit = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == f"report.{name}").order_by(AuditEntry.id.desc())
    )
    assert audit.case_id == report.case_id and audit.data["after"]["state"] == end.value


#: (transition, state, user without the role) → 403
WRONG_ROLE = [
    ("submit", S.draft, "enhetschef"),
    ("approve", S.in_review, "controller"),
    ("approve", S.in_review, "direktor"),
    ("approve", S.in_review, "ledamot"),
    ("return_review", S.in_review, "sekreterare"),
    ("sign", S.approved, "enhetschef"),
    ("sign", S.approved, "controller"),
    ("return_approval", S.approved, "enhetschef"),
    ("withdraw", S.draft, "enhetschef"),
]


@pytest.mark.parametrize("name, start, key", WRONG_ROLE)
def test_transition_refused_for_the_wrong_role(report_in, user, name, start, key):
    report = report_in(start)
    with pytest.raises(ForbiddenError):
        ops.transition(report, user=user(key), name=name, comment="x")
    assert report.state is start


@pytest.mark.parametrize("name", [n for n, t in TRANSITIONS.items()])
def test_transition_refused_in_every_state_it_does_not_start_from(report_in, user, name):
    t = TRANSITIONS[name]
    for state in [S.draft, S.in_review, S.approved, S.signed, S.withdrawn]:
        if state in t.sources:
            continue
        db.session.rollback()
        db.session.execute(delete(Job).where(Job.report_id.is_not(None)))  # a signature's render names its report
        for existing in db.session.scalars(select(CaseReport)):
            db.session.delete(existing)
        db.session.commit()
        report = report_in(state)
        actor = {
            "submit": "controller",
            "approve": "enhetschef",
            "return_review": "enhetschef",
            "return_approval": "direktor",
            "sign": "direktor",
        }.get(name, "sekreterare")
        with pytest.raises(ConflictError) as info:
            ops.transition(report, user=user(actor), name=name, comment="x")
        assert t.label in info.value.message
        assert report.state is state


def test_nobody_approves_or_signs_their_own_report(report_in, user, case):
    officer = user("controller")
    grant_role(officer, case.committee, Role.reviewer)
    grant_role(officer, case.committee, Role.approver)
    report = report_in(S.in_review)
    with pytest.raises(ForbiddenError, match="skrivit i utlåtandet"):
        ops.transition(report, user=officer, name="approve")
    ops.transition(report, user=user("enhetschef"), name="approve")
    with pytest.raises(ForbiddenError, match="skrivit i utlåtandet"):
        ops.transition(report, user=officer, name="sign")


SAME_PERSON = "Samma person kan inte både godkänna och underteckna tjänsteutlåtandet."


def _reviewer_and_approver(user, case):
    """The unit head, given the approver's role too."""
    both = user("enhetschef")
    grant_role(both, case.committee, Role.approver)
    return both


def test_who_approved_a_report_may_not_sign_it_by_default(report_in, user, case):
    both = _reviewer_and_approver(user, case)
    assert case.committee.same_person_may_approve_and_sign is False
    report = report_in(S.in_review)
    ops.transition(report, user=both, name="approve")
    with pytest.raises(ForbiddenError) as refused:
        ops.transition(report, user=both, name="sign")
    assert refused.value.message == SAME_PERSON
    assert report.state is S.approved
    ops.transition(report, user=user("direktor"), name="sign")  # someone else signs
    assert report.state is S.signed


def test_a_committee_may_let_the_same_person_approve_and_sign(report_in, user, case):
    both = _reviewer_and_approver(user, case)
    case.committee.same_person_may_approve_and_sign = True
    report = report_in(S.in_review)
    ops.transition(report, user=both, name="approve")
    ops.transition(report, user=both, name="sign")
    db.session.commit()
    assert (report.state, report.signed_by) == (S.signed, both)


def test_only_the_approval_of_the_current_round_counts(report_in, user, case):
    """Approved in an earlier round, returned by the approver, approved again by another reviewer: may sign."""
    both = _reviewer_and_approver(user, case)
    other = user("ordforande")
    grant_role(other, case.committee, Role.reviewer)
    report = report_in(S.in_review)
    ops.transition(report, user=both, name="approve")
    ops.transition(report, user=user("direktor"), name="return_approval", comment="Komplettera")
    ops.save_revision(report, user=user("controller"), raw={**COMPLETE, "title": "Kompletterad"}, based_on=2)
    ops.transition(report, user=user("controller"), name="submit")
    ops.transition(report, user=other, name="approve")
    ops.transition(report, user=both, name="sign")
    assert report.state is S.signed


def test_a_reviewer_who_wrote_in_the_report_cannot_review_it(report_in, user, case):
    reviewer = user("enhetschef")
    grant_role(reviewer, case.committee, Role.case_officer)
    report = report_in(S.draft)
    ops.add_editor(report, reviewer, user=user("controller"))
    ops.save_revision(report, user=reviewer, raw={**COMPLETE, "title": "Ändrad av granskaren"}, based_on=2)
    ops.transition(report, user=user("controller"), name="submit")
    with pytest.raises(ForbiddenError):
        ops.transition(report, user=reviewer, name="approve")


def test_submit_names_what_is_missing(case, user):
    report = ops.create_report(case, user=user("controller"))
    with pytest.raises(ValidationError) as info:
        ops.transition(report, user=user("controller"), name="submit")
    assert info.value.errors["content"] == (
        "Utlåtandet kan inte skickas på granskning. Det saknas: Förslag till beslut, Beskrivning av ärendet."
    )


def test_return_needs_a_comment(report_in, user):
    report = report_in(S.in_review)
    with pytest.raises(ValidationError) as info:
        ops.transition(report, user=user("enhetschef"), name="return_review", comment="  ")
    assert "comment" in info.value.errors


def test_only_an_editor_edits_a_draft(report_in, user):
    report = report_in(S.draft)
    with pytest.raises(ForbiddenError):
        ops.save_revision(report, user=user("handlaggare"), raw=COMPLETE, based_on=2)


def test_a_report_in_review_cannot_be_edited(report_in, user):
    report = report_in(S.in_review)
    with pytest.raises(ConflictError, match="”Under granskning”; det kan inte ändras nu"):
        ops.save_revision(report, user=user("controller"), raw={**COMPLETE, "title": "Ny"}, based_on=2)
    assert report.current_revision == 2


def test_signing_freezes_the_content_and_editing_reopens_it(report_in, user):
    report = report_in(S.signed)
    assert report.signed_revision == 2 and report.signed_hash == ops.signature_hash(report)
    revision = ops.save_revision(
        report, user=user("controller"), based_on=2, raw={**COMPLETE, "recipients": ["Kommunstyrelsen", "Revisorerna"]}
    )
    db.session.commit()
    assert revision.number == 3 and revision.changed_fields == ["recipients"]
    assert report.state is S.draft and report.signed_hash is None
    names = [t.name for t in report.transitions]
    assert names[-1] == "reopen" and report.transitions[-1].comment == "Ändrat efter underskrift"
    signed_row = next(t for t in report.transitions if t.name == "sign")
    assert signed_row.content_hash and signed_row.revision_number == 2  # the old signature stays on record
    assert report.revision(2).content["recipients"] == ["Kommunstyrelsen"]  # revisions are never changed
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.reopen")) is not None


def test_a_stale_save_is_refused_and_both_texts_survive(report_in, user, case):
    report = report_in(S.draft)
    second = user("handlaggare")
    ops.add_editor(report, second, user=user("controller"))
    db.session.commit()
    mine = {**COMPLETE, "sections": {**COMPLETE["sections"], "summary": "<p>Controllerns text</p>"}}
    theirs = {**COMPLETE, "sections": {**COMPLETE["sections"], "summary": "<p>Handläggarens text</p>"}}
    ops.save_revision(report, user=user("controller"), raw=mine, based_on=2)
    db.session.commit()
    with pytest.raises(ops.RevisionConflict) as info:
        ops.save_revision(report, user=second, raw=theirs, based_on=2)
    db.session.commit()  # the view commits the conflict row with the refusal
    assert info.value.current.number == 3
    assert report.revision().content["sections"]["summary"] == "<p>Controllerns text</p>"
    conflict = db.session.scalar(select(ReportConflict))
    assert conflict.content["sections"]["summary"] == "<p>Handläggarens text</p>"
    assert (conflict.based_on, conflict.current_at_refusal, conflict.author_id) == (2, 3, second.id)


def test_saving_unchanged_content_makes_no_revision(report_in, user):
    report = report_in(S.draft)
    assert ops.save_revision(report, user=user("controller"), raw=COMPLETE, based_on=2).number == 2
    assert report.current_revision == 2


def test_due_dates_and_notifications_follow_the_steps(report_in, user):
    report = report_in(S.in_review)
    assert report.due_on is not None
    subjects = [m.subject for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert subjects == [
        "Att granska: Granskningen av verkställighet av vissa av socialnämndens beslut och besvarande av remisser 2016 (SN-2017/30.909)"
    ]
    ops.transition(report, user=user("enhetschef"), name="approve")
    ops.transition(report, user=user("direktor"), name="sign")
    db.session.commit()
    assert report.due_on is None
    to = sorted(
        m.to_address
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.like("Undertecknat%")))
    )
    assert to == ["controller@huddinge.example", "sekreterare@huddinge.example"]


def test_one_report_per_case_and_only_case_officers_start_one(case, user):
    with pytest.raises(ForbiddenError):
        ops.create_report(case, user=user("enhetschef"))
    report = ops.create_report(case, user=user("controller"))
    with pytest.raises(ConflictError):
        ops.create_report(case, user=user("handlaggare"))
    assert (
        db.session.scalar(
            select(func.count()).select_from(ReportTransition).where(ReportTransition.report_id == report.id)
        )
        == 1
    )


def test_the_first_save_is_version_1_and_a_refused_one_stores_nothing(case, user):
    with pytest.raises(ValidationError) as refused:
        ops.create_report(case, user=user("controller"), raw={**COMPLETE, "report_date": "i morgon"})
    assert "report_date" in refused.value.errors
    assert ops.report_for(case) is None
    report = ops.create_report(case, user=user("controller"), raw=COMPLETE)
    assert report.current_revision == 1 and [r.number for r in report.revisions] == [1]
    assert report.current().content["proposals"] == COMPLETE["proposals"]
    assert report.current().based_on is None and report.current().changed_fields == []
    assert ops.save_revision(report, user=user("controller"), raw=COMPLETE, based_on=1).number == 1  # unchanged
    ops.transition(report, user=user("controller"), name="submit")  # complete as first written
    assert report.state is ReportState.in_review


def test_messages_about_a_confidential_case_carry_only_its_public_title(case, user):
    from app.registry import operations as registry_ops

    registry_ops.set_confidentiality(
        case,
        user=user("registrator"),
        is_confidential=True,
        secrecy_provision="26 kap. 1 § OSL",
        public_title="Granskning av beslut",
    )
    create_report(case, ReportState.in_review, author=user("controller"), raw=COMPLETE)
    db.session.commit()
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert messages
    for message in messages:
        assert "Granskning av beslut" in message.subject and "Granskning av beslut" in message.body
        assert "verkställighet" not in message.subject + message.body
