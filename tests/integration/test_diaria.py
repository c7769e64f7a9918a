"""Diaria: committees register in a diarium with its own series and format; counters and numbers per diarium."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth.models import Role
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee, CommitteeKind
from app.registry.diaria import assign_committee, create_diarium, diarium_of, update_diarium
from app.registry.models import Case, Diarium, RegistrationCounter
from app.registry.operations import import_case, register_case
from app.registry.queries import find_case_by_number
from app.validation import ConflictError, ValidationError
from tests.factories import committee, create_committee, create_municipality, create_user, person


def _register(committee: Committee, officer, title: str = "Ett ärende", code: str | None = "181") -> Case:
    case = register_case(committee=committee, user=officer, title=title, classification_code=code, case_officer=officer)
    db.session.commit()
    return case


def _other_municipality(prefix: str = "KS"):
    municipality = create_municipality(
        "Exempelby kommun",
        administration="Kommunledningsförvaltningen",
        codes=[("1.1", "Styrning")],
        registration_number_format="{prefix} {serial}/{year}",
    )
    other = create_committee(prefix, name="Kommunstyrelsen i Exempelby", municipality=municipality)
    officer = create_user("exempelby", {other: [Role.case_officer]})
    return municipality, other, officer


def test_the_demo_registers_each_committee_in_its_own_diarium(app, demo):
    sn, ks = committee("SN"), committee("KS")
    assert (diarium_of(sn).series, diarium_of(sn).number_format) == ("SN", "{prefix}-{year}/{serial}.{class}")
    assert diarium_of(ks).series == "KS" and diarium_of(ks).id != diarium_of(sn).id
    numbers = db.session.scalars(select(Case.number).where(Case.committee_id == sn.id)).all()
    assert "SN-2016/3342.181" in numbers
    assert {c.diarium_id for c in db.session.scalars(select(Case))} == {diarium_of(sn).id, diarium_of(ks).id}


def test_two_municipalities_may_both_use_ks(app, demo):
    ks = committee("KS")
    ks_officer = create_user("ks-test", {ks: [Role.case_officer]})
    _municipality, other, officer = _other_municipality("KS")
    db.session.commit()
    ours = _register(ks, ks_officer)
    theirs = _register(other, officer, code="1.1")
    year = local_today().year
    assert theirs.number == f"KS 1/{year}"
    assert ours.number == f"KS-{year}/{ours.serial}.181"
    assert theirs.series == ours.series == "KS" and theirs.diarium_id != ours.diarium_id
    # the same number text in two municipalities' diaria is allowed too
    again = _register(other, officer, code="1.1")
    assert again.number == f"KS 2/{year}"


def test_a_diarium_shared_by_two_committees_numbers_from_one_counter(app, demo):
    admin = person("admin")
    sn, ks = committee("SN"), committee("KS")
    municipality = sn.municipality
    shared = create_diarium(
        municipality, user=admin, name="Kommunens diarium", series="HK", number_format="Dnr {prefix} {year}.{serial}"
    )
    assign_committee(sn, shared, user=admin)
    assign_committee(ks, shared, user=admin)
    db.session.commit()
    sn_officer, ks_officer = person("handlaggare"), person("ks-handlaggare")
    first = _register(sn, sn_officer, code=None)
    second = _register(ks, ks_officer, code=None)
    year = local_today().year
    assert (first.number, second.number) == (f"Dnr HK {year}.1", f"Dnr HK {year}.2")
    assert first.classification is None  # the format writes no code: none needed
    # found with or without the format's literal text
    assert find_case_by_number(f"HK {year}.2", [shared]) == second
    assert find_case_by_number(f"dnr hk {year}.1", [shared]) == first
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type.in_(["Diarium", "Committee"])))
    assert {"diarium.created", "committee.diarium"} <= set(actions)


def test_a_format_with_class_still_requires_a_code(app, demo):
    sn = committee("SN")
    with pytest.raises(ValidationError) as info:
        register_case(
            committee=sn,
            user=person("handlaggare"),
            title="Utan kod",
            classification_code=None,
            case_officer=person("handlaggare"),
        )
    assert "klassificering" in info.value.errors["classification_code"]
    db.session.rollback()


def test_changing_a_format_applies_to_new_registrations_only(app, demo):
    sn = committee("SN")
    officer = person("handlaggare")
    diarium = diarium_of(sn)
    before = dict(db.session.execute(select(Case.id, Case.number)).all())
    old = _register(sn, officer)
    update_diarium(
        diarium, user=person("admin"), name=diarium.name, series="SON", number_format="{prefix} {yy}/{serial:04}"
    )
    db.session.commit()
    new = _register(sn, officer)
    year = local_today().year
    assert new.number == f"SON {year % 100:02d}/{old.serial + 1:04d}"  # the counter goes on in the diarium
    db.session.expire_all()
    assert db.session.get(Case, old.id).number == f"SN-{year}/{old.serial}.181"
    assert {i: n for i, n in db.session.execute(select(Case.id, Case.number)) if i in before} == before
    # the old number is still found as stored, the new one as typed in the new format
    assert find_case_by_number(f"SN-{year}/{old.serial}.181", [diarium]).id == old.id
    assert find_case_by_number(f"son{year % 100:02d}/{old.serial + 1}", [diarium]).id == new.id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "diarium.updated")).one()
    assert entry.data["after"] == {"series": "SON", "number_format": "{prefix} {yy}/{serial:04}"}


@pytest.mark.parametrize(
    "fields, field, complaint",
    [
        ({"number_format": "{prefix}-{year}"}, "number_format", "löpnumret"),
        ({"number_format": "{year}{serial}"}, "number_format", "tvetydigt"),
        ({"series": "K S"}, "series", "Seriekoden"),
        ({"name": " "}, "name", "Namn"),
    ],
)
def test_bad_diaria_are_refused_and_nothing_is_stored(app, demo, fields, field, complaint):
    values = {"name": "Nytt diarium", "series": "ND", "number_format": "{prefix}-{year}/{serial}"} | fields
    count = db.session.scalar(select(func.count()).select_from(Diarium))
    with pytest.raises(ValidationError) as info:
        create_diarium(committee("SN").municipality, user=person("admin"), **values)
    assert complaint in info.value.errors[field]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Diarium)) == count


def test_a_series_code_is_one_diariums_in_a_municipality(app, demo):
    municipality = committee("SN").municipality
    with pytest.raises(ConflictError, match="KS används redan"):
        create_diarium(
            municipality, user=person("admin"), name="Annat", series="ks", number_format="{prefix}/{year}/{serial}"
        )
    db.session.rollback()
    other, _committee, _officer = _other_municipality("BUN")
    create_diarium(
        other, user=None, name="Annat", series="KS", number_format="{prefix}/{year}/{serial}"
    )  # elsewhere: yes


def test_a_committee_cannot_register_in_another_municipalitys_diarium(app, demo):
    _municipality, other, _officer = _other_municipality()
    with pytest.raises(ValidationError, match="annan kommun"):
        assign_committee(committee("SN"), diarium_of(other), user=person("admin"))
    db.session.rollback()


def test_an_import_keeps_its_number_and_the_counter_continues_after_it(app, demo):
    sn = committee("SN")
    officer = person("handlaggare")
    year = local_today().year
    imported = import_case(
        committee=sn,
        user=None,
        number=f"Dnr SN-{year}/500.181",
        title="Överfört",
        case_officer=officer,
        registered_on=local_today(),
    )
    db.session.commit()
    assert imported.number == f"SN-{year}/500.181"
    assert _register(sn, officer).serial == 501
    with pytest.raises(ConflictError):
        import_case(
            committee=sn,
            user=None,
            number=f"SN-{year}/500.181",
            title="Igen",
            case_officer=None,
            registered_on=local_today(),
        )
    db.session.rollback()


def test_an_utskott_registers_in_its_parents_diarium_and_cannot_leave_it(app, demo):
    sn = committee("SN")
    au = create_committee("SNAU", name="Socialnämndens arbetsutskott")
    au.kind, au.parent = CommitteeKind.subcommittee, sn
    officer = create_user("au-officer", {au: [Role.case_officer]})
    db.session.commit()
    case = _register(au, officer)
    assert case.diarium_id == diarium_of(sn).id and case.number.startswith("SN-")
    shared = create_diarium(
        sn.municipality, user=None, name="Gemensamt", series="GM", number_format="{prefix} {year}/{serial}"
    )
    with pytest.raises(ConflictError, match="utskott"):
        assign_committee(au, shared, user=person("admin"))
    assign_committee(sn, shared, user=person("admin"))  # the parent moves: its utskott follows
    db.session.commit()
    assert _register(au, officer, code=None).number == f"GM {local_today().year}/1"


def test_a_new_committee_without_a_diarium_gets_one_of_its_prefix(app, demo):
    new = create_committee("NY")
    officer = create_user("ny-officer", {new: [Role.case_officer]})
    case = _register(new, officer)
    assert case.diarium.series == "NY" and case.diarium.number_format == new.municipality.registration_number_format
    assert db.session.get(Committee, new.id).diarium_id == case.diarium_id


def test_the_migration_gives_each_series_a_diarium_and_keeps_every_number(app, demo):
    """0016 on a database of 0015: one diarium per committee series in the municipality's format, every case in the
    diarium of its series with the number it had, counters where the series stood."""
    from flask_migrate import downgrade, upgrade

    _register(committee("SN"), person("handlaggare"))
    before = db.session.execute(select(Case.id, Case.number, Case.series, Case.year, Case.serial)).all()
    highest = {
        (series, year): serial
        for series, year, serial in db.session.execute(
            select(Case.series, Case.year, func.max(Case.serial)).group_by(Case.series, Case.year)
        )
    }
    db.session.remove()
    downgrade(revision="0015_document_templates")
    counters = sa.table("registration_counters", sa.column("series"), sa.column("year"), sa.column("last_serial"))
    assert {(s, y): n for s, y, n in db.session.execute(sa.select(counters))} == highest
    db.session.remove()
    upgrade()
    diaria = {d.series: d for d in db.session.scalars(select(Diarium))}
    assert set(diaria) == {"SN", "KS"}
    assert {d.number_format for d in diaria.values()} == {"{prefix}-{year}/{serial}.{class}"}
    for prefix in ("SN", "KS"):
        assert committee(prefix).diarium_id == diaria[prefix].id
    after = db.session.execute(select(Case.id, Case.number, Case.series, Case.year, Case.serial)).all()
    assert sorted(after) == sorted(before)
    for case in db.session.scalars(select(Case)):
        assert case.diarium_id == diaria[case.series].id
    rows = db.session.execute(
        select(RegistrationCounter.diarium_id, RegistrationCounter.year, RegistrationCounter.last_serial)
    )
    assert {(d, y): n for d, y, n in rows} == {(diaria[s].id, y): n for (s, y), n in highest.items()}
    year = local_today().year
    assert _register(committee("SN"), person("handlaggare")).serial == highest[("SN", year)] + 1
