"""Administering the municipality is a role held in the municipality, not in one of its committees: a
committee's administrator keeps the committee's own matters (its review rule) and nothing municipality-wide."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth.models import CommitteeRole, MunicipalityRole, MunicipalRole, Role, User
from app.extensions import db
from app.organisation.models import Committee, Municipality
from tests import factories
from tests.factories import body_of, csrf_token, login

PASSWORD = "test-password-1"
#: the municipality's pages: classification plan, report sections, users
MUNICIPALITY_PAGES = ["/admin/klassificering", "/admin/avsnitt", "/admin/anvandare", "/admin/anvandare/ny"]


def fresh():
    db.session.remove()
    return db.session


def logged_in(app, key: str):
    client = app.test_client()
    assert login(client, f"{key}@test.example", PASSWORD).status_code == 302
    return client


def state():
    s = fresh()
    return (
        s.execute(
            select(MunicipalityRole.user_id, MunicipalityRole.municipality_id).order_by(MunicipalityRole.id)
        ).all(),
        s.execute(select(CommitteeRole.user_id, CommitteeRole.committee_id, CommitteeRole.role)).all(),
        s.execute(select(User.id, User.name, User.is_enabled, User.password_hash).order_by(User.id)).all(),
        s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "user.logged_in")),
    )


@pytest.fixture
def committee_admin(demo):
    """An administrator of Socialnämnden who does not administer the municipality."""
    sn = db.session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
    user = factories.create_user("sn-admin", {sn: [Role.admin]}, name="Sune Admin")
    db.session.commit()
    return user.id


@pytest.fixture
def municipality_admin(demo):
    """An administrator of the municipality who holds no role in any committee."""
    from app.auth import operations as auth_ops

    user = factories.create_user("kommun-admin", name="Kim Kommun")
    auth_ops.grant_municipal_role(user, db.session.scalar(select(Municipality)), MunicipalRole.admin)
    db.session.commit()
    return user.id


def test_a_committee_admin_is_refused_on_the_municipalitys_pages(app, committee_admin, demo):
    client = logged_in(app, "sn-admin")
    for path in MUNICIPALITY_PAGES:
        assert client.get(path).status_code == 403, path
    karin = fresh().scalar(select(User.id).where(User.email == demo["registrator"]["email"]))
    sn = fresh().scalar(select(Committee.id).where(Committee.registry_prefix == "SN"))
    token = csrf_token(client, "/profil")
    before = state()
    posts = {
        "/admin/klassificering": {"code": "999", "name": "Obehörig"},
        "/admin/avsnitt": {"title": "Obehörigt avsnitt"},
        "/admin/anvandare/ny": {"name": "Obehörig", "email": "obehorig@huddinge.example", "password": PASSWORD},
        f"/admin/anvandare/{karin}/roller": {"committee": sn, "role": "secretary"},
        f"/admin/anvandare/{karin}/kommunadministrator": {},
        f"/admin/anvandare/{committee_admin}/kommunadministrator": {},
    }
    for path, data in posts.items():
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    assert state() == before

    # What concerns the committee itself stays theirs: its review rule, and what an admin sees in it.
    page = client.get("/admin/granskning")
    assert page.status_code == 200 and "Socialnämnden" in body_of(page)
    assert client.get("/admin/").headers["Location"].endswith("/admin/granskning")
    home = body_of(client.get("/"))
    assert 'href="/admin/"' in home
    assert 'href="/admin/anvandare"' not in body_of(page)


def test_the_municipality_admin_opens_the_municipalitys_pages_without_a_committee_role(app, municipality_admin):
    client = logged_in(app, "kommun-admin")
    for path in MUNICIPALITY_PAGES:
        assert client.get(path).status_code == 200, path
    # Review rules belong to a committee's administrator.
    assert client.get("/admin/granskning").status_code == 403
    assert client.get("/admin/").headers["Location"].endswith("/admin/klassificering")
    added = client.post(
        "/admin/klassificering",
        data={"csrf_token": csrf_token(client, "/admin/klassificering"), "code": "999", "name": "Övrigt"},
    )
    assert added.status_code == 302


def test_the_demo_admin_administers_the_municipality(login_as):
    client = login_as("admin")
    for path in [*MUNICIPALITY_PAGES, "/admin/granskning"]:
        assert client.get(path).status_code == 200, path


def test_others_have_no_administration(login_as):
    client = login_as("sekreterare")
    assert client.get("/admin/").status_code == 403
    assert "Administration" not in body_of(client.get("/"))


def test_the_admin_makes_a_user_municipality_admin_and_takes_it_back_with_audit(app, login_as, demo, committee_admin):
    admin = login_as("admin")
    page = f"/admin/anvandare/{committee_admin}"
    html = body_of(admin.get(page))
    assert "Sune Admin är inte kommunadministratör." in html
    response = admin.post(f"{page}/kommunadministrator", data={"csrf_token": csrf_token(admin, page)})
    assert response.status_code == 302
    assert "Sune Admin är kommunadministratör i Huddinge kommun." in body_of(admin.get(page))
    granted = fresh().scalars(select(AuditEntry).where(AuditEntry.action == "municipality_role.granted")).all()[-1]
    nils = fresh().scalar(select(User.id).where(User.email == demo["admin"]["email"]))
    assert (granted.object_id, granted.user_id) == (committee_admin, nils)
    assert granted.summary == "Sune Admin fick rollen Kommunadministratör i Huddinge kommun."

    # Now Sune opens the municipality's pages.
    sune = logged_in(app, "sn-admin")
    assert sune.get("/admin/anvandare").status_code == 200

    response = admin.post(f"{page}/kommunadministrator/ta-bort", data={"csrf_token": csrf_token(admin, page)})
    assert response.status_code == 302
    assert "Sune Admin är inte längre kommunadministratör i Huddinge kommun." in body_of(admin.get(page))
    assert (
        fresh().scalar(
            select(func.count()).select_from(MunicipalityRole).where(MunicipalityRole.user_id == committee_admin)
        )
        == 0
    )
    revoked = fresh().scalars(select(AuditEntry).where(AuditEntry.action == "municipality_role.revoked")).all()[-1]
    assert (revoked.object_id, revoked.user_id) == (committee_admin, nils)
    assert sune.get("/admin/anvandare").status_code == 403


def test_the_last_municipality_admin_stays(login_as, demo):
    admin = login_as("admin")
    nils = fresh().scalar(select(User.id).where(User.email == demo["admin"]["email"]))
    page = f"/admin/anvandare/{nils}"
    before = state()
    refused = admin.post(f"{page}/kommunadministrator/ta-bort", data={"csrf_token": csrf_token(admin, page)})
    assert refused.status_code == 409
    assert "Kommunen måste ha minst en kommunadministratör." in body_of(refused, 409)
    assert state() == before


def test_the_last_municipality_admin_cannot_be_disabled(app, municipality_admin, demo):
    """While Kim also administers the municipality, Nils's account may be disabled; once Kim is the only one
    left, Kim's may not (the guard of the committees' last admin aside: SN and KS get another admin)."""
    from app.auth import operations as auth_ops
    from app.validation import ConflictError

    factories.create_user("reserv", {c: [Role.admin] for c in db.session.scalars(select(Committee))})
    db.session.commit()
    client = logged_in(app, "kommun-admin")
    nils = fresh().scalar(select(User.id).where(User.email == demo["admin"]["email"]))
    assert (
        client.post(
            f"/admin/anvandare/{nils}/inaktivera", data={"csrf_token": csrf_token(client, "/profil")}
        ).status_code
        == 302
    )

    s = fresh()
    kim, reserve = s.get(User, municipality_admin), s.scalar(select(User).where(User.email == "reserv@test.example"))
    with pytest.raises(ConflictError, match="Kommunen måste ha minst en kommunadministratör."):
        auth_ops.set_enabled(kim, False, actor=reserve)
    s.rollback()
    assert fresh().get(User, municipality_admin).is_enabled
