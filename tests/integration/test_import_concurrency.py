"""An import and registrations at the same time (PostgreSQL): imported numbers never collide with registered ones."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee
from app.registry import importing
from app.registry.diaria import diarium_of
from app.registry.import_files import ImportRefused
from app.registry.models import Case, RegistrationCounter
from app.registry.operations import register_case
from tests.factories import create_committee, create_user

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
WRITERS = 4
FIRST_IMPORTED = 1001
IMPORTED = 5000


@pytest.fixture
def backend():
    return "postgresql"


@pytest.fixture
def series(app, demo):
    committee = create_committee("IM")
    officer = create_user("im-officer", {committee: [Role.case_officer]})
    diarium_of(committee)
    ids = committee.id, officer.id
    db.session.commit()
    db.session.remove()
    return ids


def _register(app, committee_id: int, officer_id: int, title: str) -> Case:
    committee = db.session.get(Committee, committee_id)
    officer = db.session.get(User, officer_id)
    return register_case(
        committee=committee, user=officer, title=title, classification_code="181", case_officer=officer
    )


def _csv(year: int, serials: range) -> bytes:
    lines = ["diarienummer;ärendemening;registreringsdatum"]
    lines += [f"IM-{year}/{n}.181;Överfört ärende {n};{year}-01-02" for n in serials]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_registrations_during_an_import_get_numbers_outside_it(app, series):
    committee_id, officer_id = series
    year = local_today().year
    stop = threading.Event()
    errors: list[BaseException] = []
    registered: list[int] = []

    def writer(n: int) -> None:
        try:
            with app.app_context():
                i = 0
                while not stop.is_set() or i < 3:
                    case = _register(app, committee_id, officer_id, f"Registrerat under importen {n}-{i}")
                    db.session.commit()
                    registered.append(case.serial)
                    i += 1
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    try:
        with app.app_context():
            diarium = diarium_of(db.session.get(Committee, committee_id))
            source = importing.read_case_csv(_csv(year, range(FIRST_IMPORTED, FIRST_IMPORTED + IMPORTED)))
            result = importing.import_cases(diarium, source, user=None, source_name="samtidigt.csv")
            db.session.commit()
            db.session.remove()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors
    assert result.count == IMPORTED

    db.session.remove()
    rows = db.session.execute(select(Case.serial, Case.number).where(Case.series == "IM", Case.year == year)).all()
    serials = [r.serial for r in rows]
    assert len(serials) == len(set(serials)) == IMPORTED + len(registered)
    assert len({r.number for r in rows}) == len(rows)
    last_imported = FIRST_IMPORTED + IMPORTED - 1
    assert all(s < FIRST_IMPORTED or s > last_imported for s in registered), sorted(registered)
    assert any(s > last_imported for s in registered)  # some registered after the import, above it
    counter = db.session.scalar(
        select(RegistrationCounter.last_serial).where(
            RegistrationCounter.diarium_id == db.session.get(Committee, committee_id).diarium_id,
            RegistrationCounter.year == year,
        )
    )
    assert counter == max(serials)


def test_an_import_waits_for_a_registration_in_flight_and_refuses_its_number(app, series):
    """A registration holds the counter when the import starts: the import waits, then sees the case and refuses."""
    committee_id, officer_id = series
    year = local_today().year
    registered = threading.Event()
    release = threading.Event()
    outcome: dict[str, object] = {}

    def registrar() -> None:
        with app.app_context():
            case = _register(app, committee_id, officer_id, "Registreras medan importen börjar")
            outcome["serial"] = case.serial
            registered.set()
            release.wait(timeout=30)
            db.session.commit()
            db.session.remove()

    def importer() -> None:
        with app.app_context():
            diarium = diarium_of(db.session.get(Committee, committee_id))
            source = importing.read_case_csv(_csv(year, range(1, 11)))
            try:
                importing.import_cases(diarium, source, user=None, source_name="krock.csv")
                db.session.commit()
                outcome["import"] = "imported"
            except ImportRefused as exc:
                db.session.rollback()
                outcome["import"] = exc
            db.session.remove()

    first = threading.Thread(target=registrar)
    first.start()
    assert registered.wait(timeout=30)
    second = threading.Thread(target=importer)
    second.start()
    second.join(timeout=2)
    assert second.is_alive()  # waiting for the registration's counter row
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    refusal = outcome["import"]
    assert isinstance(refusal, ImportRefused), refusal
    assert str(refusal.problems[0]) == f"Rad 2, diarienummer: IM-{year}/1.181 finns redan i Testnämnden IM."
    db.session.remove()
    rows = db.session.scalars(select(Case.number).where(Case.series == "IM")).all()
    assert rows == [f"IM-{year}/1.181"]
