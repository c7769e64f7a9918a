"""Factories for test objects, built through the same operations the app uses."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import operations as auth_ops
from app.auth.models import Role, User
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.registry.models import ClassificationCode


def create_committee(prefix: str, *, name: str | None = None, municipality: Municipality | None = None) -> Committee:
    """A committee in the (first) municipality, sharing its first administration."""
    municipality = municipality or db.session.scalar(select(Municipality).order_by(Municipality.id))
    committee = Committee(municipality=municipality, administration=municipality.administrations[0],
                          name=name or f"Testnämnden {prefix}", registry_prefix=prefix)
    db.session.add(committee)
    db.session.flush()
    return committee


def create_user(key: str, roles: dict[Committee, list[Role]] | None = None, *, name: str | None = None) -> User:
    user = auth_ops.create_user(email=f"{key}@test.example", name=name or key.title(),
                                password="test-password-1")
    for committee, role_list in (roles or {}).items():
        for role in role_list:
            auth_ops.grant_role(user, committee, role)
    return user


def classification(code: str = "181") -> ClassificationCode:
    return db.session.scalar(select(ClassificationCode).where(ClassificationCode.code == code))


def create_municipality(name: str, *, administration: str, codes: list[tuple[str, str]] = (), **fields) -> Municipality:
    """A municipality of its own (a test world without the demo), with one administration and classification codes."""
    from app.organisation.models import Administration

    municipality = Municipality(name=name, **fields)
    db.session.add(municipality)
    db.session.add(Administration(municipality=municipality, name=administration))
    for code, title in codes:
        db.session.add(ClassificationCode(municipality=municipality, code=code, name=title))
    db.session.flush()
    return municipality


def create_api_token(user: User) -> str:
    """A personal API token for ``user``; returns the secret to send as Bearer."""
    _row, secret = auth_ops.create_token(user, "Testnyckel")
    return secret
