"""Diarienummer under concurrency: unique, never reused, no gaps among committed cases."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.extensions import db
from app.organisation.models import Committee
from app.registry.diaria import diarium_of
from app.registry.models import Case, RegistrationCounter
from app.registry.operations import allocate_serial, register_case
from tests.factories import create_committee, create_user
from tests.services import FAST_HASH

WORKERS = 8
PER_WORKER = 100  # 800 registrations from 8 writers at once: contention from the first one on


def _register_many(committee_id: int, officer_id: int, count: int, tag: str) -> None:
    for i in range(count):
        committee = db.session.get(Committee, committee_id)
        officer = db.session.get(User, officer_id)
        register_case(
            committee=committee,
            user=officer,
            title=f"Ärende {tag}-{i}",
            classification_code="181",
            case_officer=officer,
        )
        db.session.commit()
    db.session.remove()


def _process_main(url: str, instance: str, committee_id: int, officer_id: int, count: int, tag: str) -> None:
    from app import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": FAST_HASH}, environ={"INSTANCE_PATH": instance}
    )
    with app.app_context():
        _register_many(committee_id, officer_id, count, tag)
        db.engine.dispose()


@pytest.fixture
def series(app, demo):
    committee = create_committee("CT")
    officer = create_user("ct-officer", {committee: [Role.case_officer]})
    ids = committee.id, officer.id
    db.session.commit()
    db.session.remove()  # no open transaction in the test's own session while others write
    return ids


@pytest.mark.slow
def test_concurrent_registrations_get_distinct_gapless_numbers(app, backend, series, tmp_path):
    committee_id, officer_id = series
    if backend == "postgresql":
        ctx = multiprocessing.get_context("spawn")
        procs = [
            ctx.Process(
                target=_process_main,
                args=(
                    app.config["SQLALCHEMY_DATABASE_URI"],
                    str(tmp_path / "instance"),
                    committee_id,
                    officer_id,
                    PER_WORKER,
                    f"p{n}",
                ),
            )
            for n in range(WORKERS)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=300)
        assert [p.exitcode for p in procs] == [0] * WORKERS
    else:
        errors: list[BaseException] = []

        def run(n: int) -> None:
            try:
                with app.app_context():
                    _register_many(committee_id, officer_id, PER_WORKER, f"t{n}")
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(n,)) for n in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors

    db.session.remove()
    total = WORKERS * PER_WORKER
    rows = db.session.execute(select(Case.serial, Case.number).where(Case.series == "CT")).all()
    serials = sorted(r.serial for r in rows)
    assert len({r.number for r in rows}) == total
    assert serials == list(range(1, total + 1))
    diarium_id = db.session.get(Committee, series[0]).diarium_id  # made by the first registration, once
    counter = db.session.scalar(
        select(RegistrationCounter.last_serial).where(RegistrationCounter.diarium_id == diarium_id)
    )
    assert counter == total
    assert {r.diarium_id for r in db.session.execute(select(Case.diarium_id).where(Case.series == "CT"))} == {
        diarium_id
    }


def test_a_rolled_back_registration_gives_its_number_back(app, series):
    committee_id, officer_id = series
    committee = db.session.get(Committee, committee_id)
    officer = db.session.get(User, officer_id)
    first = register_case(
        committee=committee, user=officer, title="Första", classification_code="181", case_officer=officer
    )
    db.session.commit()
    assert first.serial == 1
    register_case(committee=committee, user=officer, title="Ångras", classification_code="181", case_officer=officer)
    db.session.rollback()
    committee = db.session.get(Committee, committee_id)
    officer = db.session.get(User, officer_id)
    second = register_case(
        committee=committee, user=officer, title="Andra", classification_code="181", case_officer=officer
    )
    db.session.commit()
    assert second.serial == 2
    assert second.number.startswith("CT-") and second.number.endswith("/2.181")
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.series == "CT")) == 2


def test_diaria_and_years_count_separately(app, series):
    ct = diarium_of(db.session.get(Committee, series[0]))
    xy = diarium_of(create_committee("XY"))
    assert allocate_serial(ct, 2030) == 1
    assert allocate_serial(ct, 2030) == 2
    assert allocate_serial(ct, 2031) == 1
    assert allocate_serial(xy, 2030) == 1
    db.session.commit()
    assert allocate_serial(ct, 2030) == 3
    db.session.rollback()
