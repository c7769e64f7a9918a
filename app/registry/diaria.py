"""Diaria: which diarium each committee registers in, and each diarium's series code and number format.

Operations validate, change, audit and flush; they never commit. A change of series code or format
applies to cases registered afterwards: a case keeps the number it was given.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.auth.models import User
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.registry.models import Diarium, RegistrationCounter
from app.registry.numbering import NumberFormat, RegistrationNumber, check_series
from app.validation import ConflictError, ValidationError, clean_text

NAME_MAX = 200


def parent_committee(committee: Committee) -> Committee | None:
    """The committee an utskott prepares matters for (and registers in the diarium of), if it is one."""
    return committee.parent if committee.parent_id is not None else None


def registering_diarium(committee: Committee) -> Diarium | None:
    """The diarium ``committee`` registers in (an utskott's parent's), without making one: None if it has none yet."""
    committee = parent_committee(committee) or committee
    return db.session.get(Diarium, committee.diarium_id) if committee.diarium_id is not None else None


def diarium_of(committee: Committee) -> Diarium:
    """The diarium ``committee`` registers new cases in: its parent's for an utskott, else its own.

    A committee made without one (before diaria existed, or by code that does not choose) gets the
    municipality's diarium of its prefix, made with the municipality's format if there is none yet.
    """
    committee = parent_committee(committee) or committee
    if committee.diarium_id is not None:
        return db.session.get_one(Diarium, committee.diarium_id)
    diarium = _diarium_by_series(committee.municipality_id, committee.registry_prefix.upper())
    if diarium is None:
        try:
            with db.session.begin_nested():  # another registration may make the same one meanwhile
                diarium = Diarium(
                    municipality_id=committee.municipality_id,
                    name=committee.name[:NAME_MAX],
                    series=committee.registry_prefix.upper(),
                    number_format=committee.municipality.registration_number_format,
                )
                db.session.add(diarium)
        except IntegrityError:
            made = _diarium_by_series(committee.municipality_id, committee.registry_prefix.upper())
            if made is None:  # the clash was another
                raise
            diarium = made
        else:
            audit.record(
                "diarium.created",
                diarium,
                f"Diariet {diarium.name} ({diarium.series}) skapat för {committee.name}.",
                user=None,
                committee_id=committee.id,
                after=diarium_snapshot(diarium),
            )
    committee.diarium_id = diarium.id
    db.session.flush()
    return diarium


def _diarium_by_series(municipality_id: int, series: str) -> Diarium | None:
    return db.session.scalar(
        select(Diarium).where(Diarium.municipality_id == municipality_id, Diarium.series == series)
    )


def diaria_of(municipality: Municipality) -> list[Diarium]:
    return list(
        db.session.scalars(select(Diarium).where(Diarium.municipality_id == municipality.id).order_by(Diarium.name))
    )


def diarium_snapshot(diarium: Diarium) -> dict[str, Any]:
    return {"name": diarium.name, "series": diarium.series, "number_format": diarium.number_format}


def next_serial(diarium: Diarium, year: int) -> int:
    """The serial the next case registered in ``year`` would get (a preview: nothing is taken)."""
    last = db.session.scalar(
        select(RegistrationCounter.last_serial).where(
            RegistrationCounter.diarium_id == diarium.id, RegistrationCounter.year == year
        )
    )
    return (last or 0) + 1


def preview(number_format: object, series: object, *, diarium: Diarium | None = None) -> dict[str, Any]:
    """The next number a diarium with this format and series would hand out, or the Swedish errors.

    Pure apart from reading the counter; used by the administration's live preview.
    """
    errors: dict[str, str] = {}
    try:
        series = check_series(series)
    except ValidationError as exc:
        errors.update(exc.errors)
        series = "KS"
    try:
        fmt = NumberFormat(number_format if isinstance(number_format, str) else "", field="number_format")
    except ValidationError as exc:
        errors.update(exc.errors)
        return {"errors": errors}
    year = local_today().year
    serial = next_serial(diarium, year) if diarium is not None and diarium.id else 1
    number = fmt.format(RegistrationNumber(series, year, serial, "181" if fmt.uses_class else None))
    return {
        "errors": errors,
        "number": number,
        "uses_class": fmt.uses_class,
        "uses_series": fmt.uses_series,
    }


def _validate(
    municipality: Municipality, *, name: object, series: object, number_format: object, diarium: Diarium | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key, check in (
        ("name", lambda: clean_text(name, field="name", label="Namn", max_length=NAME_MAX)),
        ("series", lambda: check_series(series)),
        (
            "number_format",
            lambda: NumberFormat(
                number_format.strip() if isinstance(number_format, str) else "", field="number_format"
            ),
        ),
    ):
        try:
            values[key] = check()
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    others = select(Diarium).where(Diarium.municipality_id == municipality.id)
    if diarium is not None:
        others = others.where(Diarium.id != diarium.id)
    same_name = db.session.scalar(others.where(func.lower(Diarium.name) == values["name"].lower()))
    if same_name is not None:
        raise ConflictError(f"Det finns redan ett diarium som heter {same_name.name}.")
    same_series = db.session.scalar(others.where(Diarium.series == values["series"]))
    if same_series is not None:
        raise ConflictError(f"Seriekoden {values['series']} används redan av {same_series.name}.")
    if not values["number_format"].uses_series:
        for other in db.session.scalars(others):
            if "{prefix}" not in other.number_format:
                raise ConflictError(
                    f"{other.name} skriver redan sina nummer utan seriekod; två sådana diarier skulle ge samma "
                    "nummer. Ta med {prefix} i formatet."
                )
    values["number_format"] = values["number_format"].pattern
    return values


def create_diarium(
    municipality: Municipality, *, user: User | None, name: object, series: object, number_format: object
) -> Diarium:
    values = _validate(municipality, name=name, series=series, number_format=number_format, diarium=None)
    diarium = Diarium(municipality=municipality, **values)
    db.session.add(diarium)
    db.session.flush()
    audit.record(
        "diarium.created",
        diarium,
        f"Diariet {diarium.name} ({diarium.series}) skapat med formatet {diarium.number_format}.",
        user=user,
        after=diarium_snapshot(diarium),
    )
    return diarium


def update_diarium(
    diarium: Diarium, *, user: User | None, name: object, series: object, number_format: object
) -> Diarium:
    """Change a diarium's name, series code or format; numbers already given stay as they are."""
    before = diarium_snapshot(diarium)
    values = _validate(diarium.municipality, name=name, series=series, number_format=number_format, diarium=diarium)
    for key, value in values.items():
        setattr(diarium, key, value)
    db.session.flush()
    old, new = audit.changes(before, diarium_snapshot(diarium))
    if new:
        audit.record(
            "diarium.updated",
            diarium,
            f"Diariet {diarium.name} ändrat; det gäller ärenden som registreras härefter.",
            user=user,
            before=old,
            after=new,
        )
    return diarium


def assign_committee(committee: Committee, diarium: Diarium, *, user: User | None) -> Committee:
    """Let ``committee`` register its new cases in ``diarium``; its earlier cases keep their numbers."""
    if diarium.municipality_id != committee.municipality_id:
        raise ValidationError({"diarium_id": "Diariet hör till en annan kommun än nämnden."})
    parent = parent_committee(committee)
    if parent is not None:
        raise ConflictError(
            f"{committee.name} är ett utskott och registrerar i {parent.name}s diarium; byt diarium för {parent.name}."
        )
    if committee.diarium_id == diarium.id:
        return committee
    before = db.session.get(Diarium, committee.diarium_id) if committee.diarium_id else None
    committee.diarium_id = diarium.id
    db.session.flush()
    audit.record(
        "committee.diarium",
        committee,
        f"{committee.name} registrerar nya ärenden i {diarium.name}.",
        user=user,
        committee_id=committee.id,
        before={"diarium": before.name if before else None},
        after={"diarium": diarium.name},
    )
    return committee
