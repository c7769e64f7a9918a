"""The audit log is append-only; the migrations build exactly the models' schema and keep data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.clock import utcnow
from app.extensions import db
from app.registry.models import Case
from tests.factories import login


def test_logging_in_is_audited(client, demo):
    login(client, demo["registrator"]["email"], demo["registrator"]["password"])
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.logged_in"))
    assert entry is not None and entry.user.email == demo["registrator"]["email"]
    assert entry.summary == "Karin Berg loggade in."


def test_audit_rows_cannot_be_changed_through_the_orm(app, demo):
    entry = db.session.scalar(select(AuditEntry).limit(1))
    entry.summary = "ändrat i efterhand"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditEntry).limit(1)))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET summary = 'x'", "DELETE FROM audit_log"])
def test_audit_rows_cannot_be_changed_in_the_database(app, demo, statement):
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_migrations_match_the_models(app):
    # with the options the migrations run with (the search's FTS5 tables and GIN indexes are theirs alone)
    options = {k: v for k, v in app.extensions["migrate"].configure_args.items() if k == "include_name"}
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts=options), db.metadata)
    assert diff == []


def test_upgrade_keeps_existing_data(app, demo):
    count = db.session.scalar(select(func.count()).select_from(Case))
    db.session.remove()
    upgrade()  # already at head: a no-op that must not touch the data
    assert db.session.scalar(select(func.count()).select_from(Case)) == count == 19


def test_the_standing_items_migration_gives_every_committee_its_former_template(app, demo):
    """0004 on a database of 0003: each committee gets the four items the code used to add, and the
    agendas' "Övriga frågor" become closing items."""
    from flask_migrate import downgrade

    from agenda.models import AgendaItem, StandingItem
    from app.organisation.models import Committee

    db.session.remove()
    downgrade(revision="0003_agenda")
    upgrade()
    committees = db.session.scalars(select(Committee.id).order_by(Committee.id)).all()
    rows = db.session.execute(
        select(
            StandingItem.committee_id, StandingItem.closes_agenda, StandingItem.position, StandingItem.title
        ).order_by(StandingItem.committee_id, StandingItem.closes_agenda, StandingItem.position)
    ).all()
    assert rows == [
        row
        for committee_id in committees
        for row in (
            (committee_id, False, 1, "Val av justerare"),
            (committee_id, False, 2, "Godkännande av föredragningslistan"),
            (committee_id, True, 1, "Övriga frågor"),
            (committee_id, True, 2, "Delgivningar och anmälda delegationsbeslut"),
        )
    ]
    closing = db.session.execute(select(AgendaItem.title, AgendaItem.closes_agenda)).all()
    assert {title for title, closes in closing if closes} == {"Övriga frågor"}
    assert sum(1 for title, _closes in closing if title == "Övriga frågor") >= 2  # the demo's two meetings


def test_the_rendered_parts_migration_keeps_what_earlier_jobs_stored(app, demo):
    """0006 on a database of 0005: the parts the meeting documents jobs recorded in their params (newest first)
    become rendered_parts, so nothing is rendered again after the upgrade."""
    from flask_migrate import downgrade

    from tasks.models import Job, JobState, RenderedPart

    db.session.remove()
    downgrade(revision="0005_handling_notes")
    older = {
        "a.pdf": {"key": "ab/old-a", "sha256": "1" * 64, "size": 10},
        "b.pdf": {"key": "ab/old-b", "sha256": "2" * 64, "size": 20},
    }
    newer = {"a.pdf": {"key": "cd/new-a", "sha256": "3" * 64, "size": 30}}
    for params in ({"parts": older}, {"parts": newer}, {"outputs": {}}):
        db.session.execute(
            sa.insert(Job.__table__).values(
                kind="meeting_documents",
                state=JobState.done.value,
                progress_done=0,
                progress_total=0,
                attempts=0,
                params=params,
                created_dt=utcnow(),
            )
        )
    db.session.commit()
    db.session.remove()
    upgrade()
    rows = db.session.execute(
        select(RenderedPart.key, RenderedPart.storage_key, RenderedPart.size).order_by(RenderedPart.key)
    ).all()
    assert rows == [("a.pdf", "cd/new-a", 30), ("b.pdf", "ab/old-b", 20)]


def test_the_session_version_migration_keeps_users_and_committees(app, demo):
    """0008 on a database of 0007 full of rows that refer to users and committees: every user starts at
    session version 0 and no committee lets one person both approve and sign."""
    from flask_migrate import downgrade

    from app.auth.models import User
    from app.organisation.models import Committee

    users = db.session.scalar(select(func.count()).select_from(User))
    db.session.remove()
    downgrade(revision="0007_outbox_claimed")
    upgrade()
    assert db.session.execute(select(func.count(), func.max(User.session_version))).one() == (users, 0)
    assert set(db.session.scalars(select(Committee.same_person_may_approve_and_sign))) == {False}


def test_the_job_subjects_migration_takes_the_ids_from_the_params_and_gives_them_back(app, demo):
    """0009 on a database of 0008 with jobs that name their report or publication in their params: each gets the
    column of what it renders, if that row exists (a preview of a report, the documents of a publication; not an
    id of a row that is gone, nor another kind's). Down again, the params name them as before."""
    from flask_migrate import downgrade

    from agenda.models import Publication
    from tasks.models import Job, JobState
    from workflows.models import CaseReport

    report_id = db.session.scalar(select(CaseReport.id).order_by(CaseReport.id))
    publication_id = db.session.scalar(select(Publication.id).order_by(Publication.id))
    assert report_id and publication_id
    db.session.remove()
    downgrade(revision="0008_session_version")
    jobs = sa.table("jobs", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("params", sa.JSON))
    before = [
        ("report_preview", {"case_id": 1, "report_id": report_id, "revision": 2, "public": False}),
        ("report_preview", {"case_id": 1, "report_id": 999999, "revision": 1, "public": True}),  # gone
        ("meeting_documents", {"meeting_id": 1, "publication_id": publication_id, "version": 1, "outputs": {}}),
        ("meeting_documents", {"meeting_id": 1, "publication_id": 999999, "version": 3}),  # gone
        ("meeting_documents", {"meeting_id": 1, "publication_id": str(publication_id)}),  # not an id
        ("registry_export", {"committee_id": 1, "report_id": report_id, "publication_id": publication_id}),
    ]
    ids = []
    for kind, params in before:
        ids.append(
            db.session.execute(
                sa.insert(Job.__table__)
                .values(
                    kind=kind,
                    state=JobState.done.value,
                    progress_done=0,
                    progress_total=0,
                    attempts=0,
                    params=params,
                    created_dt=utcnow(),
                )
                .returning(Job.__table__.c.id)
            ).scalar_one()
        )
    db.session.commit()
    db.session.remove()

    upgrade()
    rows = db.session.execute(
        select(Job.kind, Job.report_id, Job.publication_id, Job.params).where(Job.id.in_(ids)).order_by(Job.id)
    ).all()
    assert [(kind, report, publication) for kind, report, publication, _params in rows] == [
        ("report_preview", report_id, None),
        ("report_preview", None, None),
        ("meeting_documents", None, publication_id),
        ("meeting_documents", None, None),
        ("meeting_documents", None, None),
        ("registry_export", None, None),
    ]
    assert [params for *_columns, params in rows] == [params for _kind, params in before]  # left as they were
    # a job made now names its subject by the column only; the downgrade puts it into its params
    new = Job(
        kind="meeting_documents",
        state=JobState.queued,
        params={"meeting_id": 1, "version": 1},
        publication_id=publication_id,
    )
    db.session.add(new)
    db.session.commit()
    new_id = new.id
    db.session.remove()

    downgrade(revision="0008_session_version")
    with db.engine.connect() as conn:
        assert "publication_id" not in {c["name"] for c in sa.inspect(conn).get_columns("jobs")}
        params = dict(conn.execute(select(jobs.c.id, jobs.c.params).where(jobs.c.id.in_([*ids, new_id]))).all())
    assert params[new_id] == {"meeting_id": 1, "version": 1, "publication_id": publication_id}
    assert [params[i] for i in ids] == [params for _kind, params in before]
    upgrade()
    assert db.session.get(Job, new_id).publication_id == publication_id


def test_the_municipality_roles_migration_makes_every_committee_admin_a_municipality_admin(app, demo):
    """0010 on a database of 0009: whoever administers a committee today administers its municipality after
    the upgrade (once, though they administer two committees), so nobody loses access; nobody else does."""
    from flask_migrate import downgrade

    from app.auth.models import CommitteeRole, MunicipalityRole, MunicipalRole, Role, User
    from app.organisation.models import Committee
    from tests import factories

    sn = db.session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
    factories.create_user("sn-admin", {sn: [Role.admin, Role.registrar]})
    db.session.commit()
    committee_admins = set(
        db.session.execute(
            select(CommitteeRole.user_id, Committee.municipality_id)
            .join(Committee, Committee.id == CommitteeRole.committee_id)
            .where(CommitteeRole.role == Role.admin)
        ).all()
    )
    roles_before = db.session.scalar(select(func.count()).select_from(CommitteeRole))
    db.session.remove()
    downgrade(revision="0009_job_subjects")
    upgrade()
    granted = db.session.execute(
        select(MunicipalityRole.user_id, MunicipalityRole.municipality_id, MunicipalityRole.role)
    ).all()
    assert {(u, m) for u, m, _ in granted} == committee_admins and len(granted) == len(committee_admins) == 2
    assert {role for _, _, role in granted} == {MunicipalRole.admin}
    emails = set(db.session.scalars(select(User.email).where(User.id.in_([u for u, _, _ in granted]))))
    assert emails == {"admin@huddinge.example", "sn-admin@test.example"}
    assert db.session.scalar(select(func.count()).select_from(CommitteeRole)) == roles_before


def test_the_reported_in_migration_leaves_a_decision_missed_by_its_kallelse_for_the_next_meeting(app, demo):
    """0011 on a database of 0010: the demo's decisions belong to the 2017 meeting whose kallelse listed them; one
    registered after that kallelse was published (before the meeting) and one after the meeting stay unreported,
    and so the next meeting reports both."""
    from flask_migrate import downgrade

    from agenda import operations as agenda_ops
    from agenda.models import DelegationDecision, Meeting

    held = db.session.scalar(select(Meeting).order_by(Meeting.start_dt))
    published = held.latest_publication.published_dt
    committee_id, start = held.committee_id, held.start_dt
    listed = {d["summary"] for d in held.latest_publication.members_snapshot["items"][-1]["delegation_decisions"]}
    assert listed
    db.session.remove()
    downgrade(revision="0010_municipality_roles")
    table = DelegationDecision.__table__
    missed = {"Beslut registrerat efter kallelsen", "Beslut registrerat efter sammanträdet"}
    for summary, registered in zip(sorted(missed), (published + (start - published) / 2, start + (start - published))):
        db.session.execute(
            sa.insert(table).values(
                committee_id=committee_id,
                decided_on=registered.date(),
                decision_maker="Eva Strand, socialdirektör",
                delegation_point="3.1.2",
                summary=summary,
                registered_dt=registered,
            )
        )
    db.session.commit()
    db.session.remove()

    upgrade()
    held = db.session.get(Meeting, held.id)
    assert {d.summary for d in db.session.scalars(select(DelegationDecision).filter_by(reported_in_id=held.id))} == (
        listed
    )
    assert {d.summary for d in agenda_ops.delegation_decisions_for(held)} == listed
    following = db.session.scalar(
        select(Meeting).where(Meeting.committee_id == committee_id, Meeting.start_dt > start).order_by(Meeting.start_dt)
    )
    assert {d.summary for d in agenda_ops.delegation_decisions_for(following)} == missed


def test_the_draft_versions_migration_numbers_the_reviews_given_per_meeting(app, demo):
    """0031 on a database of 0030 with reviews of two meetings: each meeting's are numbered 1, 2, … in the order
    they were given."""
    from flask_migrate import downgrade

    from agenda.chair_review import ChairReview
    from agenda.models import Meeting
    from app.auth.models import User

    first, second = db.session.scalars(select(Meeting.id).order_by(Meeting.id).limit(2)).all()
    user = db.session.scalar(select(User.id).order_by(User.id))
    db.session.remove()
    downgrade(revision="0030_idempotency_keys")
    reviews = sa.table(
        "chair_reviews",
        sa.column("meeting_id", sa.Integer),
        sa.column("chair_id", sa.Integer),
        sa.column("given_by_id", sa.Integer),
        sa.column("given_dt", sa.DateTime(timezone=True)),
    )
    for meeting_id in (first, second, first, first, second):
        db.session.execute(
            sa.insert(reviews).values(meeting_id=meeting_id, chair_id=user, given_by_id=user, given_dt=utcnow())
        )
    db.session.commit()
    db.session.remove()
    upgrade()
    rows = db.session.execute(select(ChairReview.meeting_id, ChairReview.version).order_by(ChairReview.id)).all()
    assert rows == [(first, 1), (second, 1), (first, 2), (first, 3), (second, 2)]
