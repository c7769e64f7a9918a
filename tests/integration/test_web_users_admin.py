"""The user and role administration pages (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth import operations as auth_ops
from app.auth.models import CommitteeRole, Role, User
from app.extensions import db
from app.organisation.models import Committee
from tests import factories
from tests.factories import body_of, csrf_token, login

USERS = "/admin/anvandare"
NEW = f"{USERS}/ny"
PASSWORD = "ett-bra-lösenord-42"


def fresh():
    """Return a new session, so what the requests committed is read back from the database."""
    db.session.remove()
    return db.session


def user_id(email: str) -> int:
    return fresh().scalar(select(User.id).where(User.email == email))


def load_user(email: str) -> User | None:
    return fresh().scalar(select(User).where(User.email == email))


def committee_id(prefix: str) -> int:
    return fresh().scalar(select(Committee.id).where(Committee.registry_prefix == prefix))


def roles_of(email: str) -> set[tuple[str, Role]]:
    rows = (
        fresh()
        .execute(
            select(Committee.registry_prefix, CommitteeRole.role)
            .join(Committee, Committee.id == CommitteeRole.committee_id)
            .join(User, User.id == CommitteeRole.user_id)
            .where(User.email == email)
        )
        .all()
    )
    return {(prefix, role) for prefix, role in rows}


def audit_rows(action: str) -> list[AuditEntry]:
    return list(fresh().scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def state():
    """Everything the admin pages could change: users, roles and the audit log (log-ins aside)."""
    s = fresh()
    users = s.execute(
        select(
            User.id,
            User.email,
            User.name,
            User.title,
            User.phone,
            User.is_enabled,
            User.password_hash,
            User.session_version,
        ).order_by(User.id)
    ).all()
    roles = s.execute(
        select(CommitteeRole.user_id, CommitteeRole.committee_id, CommitteeRole.role).order_by(CommitteeRole.id)
    ).all()
    audit = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "user.logged_in"))
    return users, roles, audit


def post(client, path: str, data: dict, token_page: str = "/profil"):
    return client.post(path, data={"csrf_token": csrf_token(client, token_page), **data})


def create(client, **fields):
    data = {
        "name": "Åsa Öberg",
        "title": "Utredare",
        "email": "asa.oberg@huddinge.example",
        "phone": "08-535 300 30",
        "password": PASSWORD,
        **fields,
    }
    return post(client, NEW, data, NEW)


def test_admin_creates_a_user_with_a_role_who_can_log_in(app, login_as, demo):
    admin = login_as("admin")
    sn = committee_id("SN")
    response = create(
        admin, name="Åsa Öberg-Ärlemark", email=" Asa.Oberg@Huddinge.Example ", roles=[f"{sn}:case_officer"]
    )
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Användaren Åsa Öberg-Ärlemark (asa.oberg@huddinge.example) har skapats." in page

    user = load_user("asa.oberg@huddinge.example")
    assert (user.name, user.title, user.phone, user.is_enabled) == (
        "Åsa Öberg-Ärlemark",
        "Utredare",
        "08-535 300 30",
        True,
    )
    assert roles_of(user.email) == {("SN", Role.case_officer)}
    admin_id = user_id(demo["admin"]["email"])
    created, granted = audit_rows("user.created")[-1], audit_rows("role.granted")[-1]
    assert (created.object_id, created.user_id) == (user.id, admin_id)
    assert (granted.object_id, granted.user_id, granted.committee_id) == (user.id, admin_id, sn)
    assert "Åsa Öberg-Ärlemark" in admin.get(USERS).get_data(as_text=True)

    newcomer = app.test_client()
    assert login(newcomer, "asa.oberg@huddinge.example", PASSWORD).status_code == 302
    start = newcomer.get("/").get_data(as_text=True)
    assert "Välkommen, Åsa Öberg-Ärlemark" in start
    assert "Socialnämnden" in start and "Kommunstyrelsen" not in start
    assert "Dina roller: Handläggare" in start


@pytest.mark.parametrize(
    "fields, field_id, message",
    [
        (
            {"email": "Registrator@huddinge.example"},
            "email",
            "Det finns redan en användare med e-post registrator@huddinge.example.",
        ),
        ({"email": "inte-en-adress"}, "email", "Ange en giltig e-postadress."),
        ({"password": "kort-9tkn"}, "password", "Lösenordet måste ha minst 10 tecken."),
        ({"name": "  "}, "name", "Namn måste fyllas i."),
    ],
    ids=["duplicate-email", "bad-email", "short-password", "no-name"],
)
def test_bad_new_user_is_refused_and_nothing_stored(login_as, fields, field_id, message):
    admin = login_as("admin")
    before = state()
    response = create(admin, roles=[f"{committee_id('SN')}:member"], **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<p class="field__error" id="{field_id}-error">{message}</p>' in html
    assert PASSWORD not in html  # a typed password is never sent back
    assert state() == before


def test_admin_grants_and_revokes_a_role_with_audit(login_as, demo):
    admin = login_as("admin")
    karin = user_id(demo["registrator"]["email"])
    admin_id = user_id(demo["admin"]["email"])
    sn = committee_id("SN")
    page = f"{USERS}/{karin}"

    response = post(admin, f"{page}/roller", {"committee": sn, "role": "secretary"}, page)
    assert response.status_code == 302
    assert "Karin Berg har fått rollen Nämndsekreterare i Socialnämnden." in admin.get(page).get_data(as_text=True)
    assert ("SN", Role.secretary) in roles_of(demo["registrator"]["email"])
    granted = audit_rows("role.granted")[-1]
    assert (granted.object_id, granted.user_id, granted.committee_id) == (karin, admin_id, sn)
    assert granted.data == {"before": None, "after": {"role": "secretary"}}

    before = state()
    again = post(admin, f"{page}/roller", {"committee": sn, "role": "secretary"}, page)
    assert again.status_code == 302
    assert "Karin Berg har redan rollen Nämndsekreterare i Socialnämnden; inget har ändrats." in admin.get(
        page
    ).get_data(as_text=True)
    assert state() == before

    response = post(admin, f"{page}/roller/ta-bort", {"committee": sn, "role": "secretary"}, page)
    assert response.status_code == 302
    assert "Rollen Nämndsekreterare i Socialnämnden har tagits bort från Karin Berg." in admin.get(page).get_data(
        as_text=True
    )
    assert roles_of(demo["registrator"]["email"]) == {("SN", Role.registrar), ("KS", Role.registrar)}
    revoked = audit_rows("role.revoked")[-1]
    assert (revoked.object_id, revoked.user_id, revoked.committee_id) == (karin, admin_id, sn)
    assert revoked.data == {"before": {"role": "secretary"}, "after": None}


def test_the_last_admin_of_a_committee_cannot_be_removed(login_as, demo):
    admin = login_as("admin")
    nils, johan = user_id(demo["admin"]["email"]), user_id(demo["handlaggare"]["email"])
    sn = committee_id("SN")
    page = f"{USERS}/{nils}"
    before = state()
    refused = post(admin, f"{page}/roller/ta-bort", {"committee": sn, "role": "admin"}, page)
    assert refused.status_code == 409
    assert "Nämnden måste ha minst en administratör." in refused.get_data(as_text=True)
    assert state() == before

    # With a second admin in Socialnämnden the first may step down there.
    assert post(admin, f"{USERS}/{johan}/roller", {"committee": sn, "role": "admin"}, page).status_code == 302
    assert post(admin, f"{page}/roller/ta-bort", {"committee": sn, "role": "admin"}, page).status_code == 302
    assert roles_of(demo["admin"]["email"]) == {("KS", Role.admin)}


def test_admin_cannot_disable_themselves(login_as, demo):
    admin = login_as("admin")
    nils = user_id(demo["admin"]["email"])
    # A second admin in both committees, so only the self-guard can refuse.
    factories.create_user("andra-admin", {c: [Role.admin] for c in fresh().scalars(select(Committee))})
    db.session.commit()
    assert "Du kan inte inaktivera ditt eget konto." in admin.get(f"{USERS}/{nils}").get_data(as_text=True)
    before = state()
    refused = post(admin, f"{USERS}/{nils}/inaktivera", {})
    assert refused.status_code == 409
    assert '<p class="flash flash--error">Du kan inte inaktivera ditt eget konto.</p>' in refused.get_data(as_text=True)
    assert state() == before
    assert load_user(demo["admin"]["email"]).is_enabled


def test_disabled_user_can_neither_log_in_nor_use_a_token(app, login_as, demo):
    registrar = demo["registrator"]
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {registrar['token']}"}
    assert api.get("/api/v1/committees", headers=bearer).status_code == 200
    session = login_as("registrator")  # logged in before the account is disabled

    admin = login_as("admin")
    karin = user_id(registrar["email"])
    response = post(admin, f"{USERS}/{karin}/inaktivera", {})
    assert response.status_code == 302
    assert "Kontot för Karin Berg är inaktiverat" in admin.get(f"{USERS}/{karin}").get_data(as_text=True)
    assert load_user(registrar["email"]).is_enabled is False
    disabled = audit_rows("user.disabled")[-1]
    assert (disabled.object_id, disabled.user_id) == (karin, user_id(demo["admin"]["email"]))
    assert disabled.data == {"before": {"is_enabled": True}, "after": {"is_enabled": False}}
    assert "Inaktiverad" in admin.get(USERS).get_data(as_text=True)

    refused = login(app.test_client(), registrar["email"], registrar["password"])
    assert refused.status_code == 401
    assert "Fel e-post eller lösenord." in refused.get_data(as_text=True)
    answer = api.get("/api/v1/committees", headers=bearer)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["status"] == 401
    assert auth_ops.user_for_token(registrar["token"]) is None  # refused by the look-up itself, too
    assert session.get("/profil").status_code == 302  # the open session ends too

    assert post(admin, f"{USERS}/{karin}/aktivera", {}).status_code == 302
    assert login(app.test_client(), registrar["email"], registrar["password"]).status_code == 302
    assert api.get("/api/v1/committees", headers=bearer).status_code == 200


def test_admin_edits_details_and_email_stays_unique(login_as, demo):
    admin = login_as("admin")
    karin = user_id(demo["registrator"]["email"])
    page = f"{USERS}/{karin}"
    details = {
        "name": "Karin Berg-Åström",
        "title": "Registrator",
        "email": "KARIN.BERG@Huddinge.Example",
        "phone": "08-535 300 12",
    }

    taken = post(admin, page, {**details, "email": demo["sekreterare"]["email"]}, page)
    assert taken.status_code == 422
    assert f"Det finns redan en användare med e-post {demo['sekreterare']['email']}." in taken.get_data(as_text=True)
    assert load_user(demo["registrator"]["email"]).name == "Karin Berg"

    response = post(admin, page, details, page)
    assert response.status_code == 302
    user = load_user("karin.berg@huddinge.example")
    assert (user.id, user.name) == (karin, "Karin Berg-Åström")
    updated = audit_rows("user.updated")[-1]
    assert updated.user_id == user_id(demo["admin"]["email"])
    assert updated.data == {
        "before": {"email": demo["registrator"]["email"], "name": "Karin Berg"},
        "after": {"email": "karin.berg@huddinge.example", "name": "Karin Berg-Åström"},
    }
    assert "Karin Berg-Åström" in admin.get(page).get_data(as_text=True)


def test_admin_sets_a_new_password(app, login_as, demo):
    admin = login_as("admin")
    karin = user_id(demo["registrator"]["email"])
    page = f"{USERS}/{karin}"
    before = state()
    short = post(admin, f"{page}/losenord", {"password": "för-kort"}, page)
    assert short.status_code == 422
    assert "Lösenordet måste ha minst 10 tecken." in short.get_data(as_text=True)
    assert state() == before

    assert post(admin, f"{page}/losenord", {"password": PASSWORD}, page).status_code == 302
    reset = audit_rows("user.password_reset")[-1]
    assert (reset.object_id, reset.user_id, reset.data) == (karin, user_id(demo["admin"]["email"]), None)
    assert reset.summary == "Nils Nord satte ett nytt lösenord för Karin Berg."
    assert login(app.test_client(), demo["registrator"]["email"], demo["registrator"]["password"]).status_code == 401
    assert login(app.test_client(), demo["registrator"]["email"], PASSWORD).status_code == 302


@pytest.mark.parametrize("key", ["registrator", "ledamot", "ks-handlaggare"])
def test_non_admin_is_refused_on_every_page_and_post(login_as, demo, key):
    client = login_as(key)
    karin = user_id(demo["registrator"]["email"])
    sn = committee_id("SN")
    assert "Administration" not in body_of(client.get("/"))
    for path in (USERS, NEW, f"{USERS}/{karin}"):
        assert client.get(path).status_code == 403, path
    before = state()
    posts = {
        NEW: {"name": "Obehörig", "email": "obehorig@huddinge.example", "password": PASSWORD},
        f"{USERS}/{karin}": {"name": "Obehörig", "email": "obehorig@huddinge.example"},
        f"{USERS}/{karin}/roller": {"committee": sn, "role": "admin"},
        f"{USERS}/{karin}/roller/ta-bort": {"committee": sn, "role": "registrar"},
        f"{USERS}/{karin}/losenord": {"password": PASSWORD},
        f"{USERS}/{karin}/inaktivera": {},
        f"{USERS}/{karin}/aktivera": {},
        f"{USERS}/{karin}/logga-ut": {},
    }
    for path, data in posts.items():
        assert post(client, path, data).status_code == 403, path
    assert state() == before


def test_admin_pages_link_to_each_other(login_as):
    admin = login_as("admin")
    page = admin.get(USERS).get_data(as_text=True)
    assert ">Administration</a>" in page
    assert f'href="{USERS}" aria-current="page">Användare</a>' in page
    assert f'href="{USERS}"' in admin.get("/admin/klassificering").get_data(as_text=True)


@pytest.mark.parametrize(
    "path, data",
    [
        (NEW, {"name": "Falsk", "email": "falsk@huddinge.example", "password": PASSWORD}),
        ("{user}", {"name": "Falsk", "email": "falsk@huddinge.example"}),
        ("{user}/roller", {"committee": "{sn}", "role": "admin"}),
        ("{user}/roller/ta-bort", {"committee": "{sn}", "role": "registrar"}),
        ("{user}/losenord", {"password": PASSWORD}),
        ("{user}/inaktivera", {}),
        ("{user}/logga-ut", {}),
    ],
    ids=["new", "edit", "grant", "revoke", "password", "disable", "end-sessions"],
)
def test_forged_csrf_token_changes_nothing(login_as, demo, path, data):
    admin = login_as("admin")
    user = f"{USERS}/{user_id(demo['registrator']['email'])}"
    sn = str(committee_id("SN"))
    data = {k: v.replace("{sn}", sn) for k, v in data.items()}
    before = state()
    response = admin.post(path.replace("{user}", user), data={"csrf_token": "forged", **data})
    assert response.status_code == 400
    assert "säkerhetstoken" in response.get_data(as_text=True)
    assert state() == before


@pytest.mark.parametrize(
    "suffix, method",
    [
        ("", "get"),
        ("", "post"),
        ("/roller", "post"),
        ("/roller/ta-bort", "post"),
        ("/losenord", "post"),
        ("/inaktivera", "post"),
        ("/aktivera", "post"),
        ("/logga-ut", "post"),
    ],
)
def test_unknown_user_is_404(login_as, demo, suffix, method):
    admin = login_as("admin")
    data = {
        "csrf_token": csrf_token(admin, USERS),
        "committee": committee_id("SN"),
        "role": "member",
        "name": "X",
        "email": "x@huddinge.example",
        "password": PASSWORD,
    }
    response = getattr(admin, method)(f"{USERS}/987654{suffix}", data=data if method == "post" else None)
    assert response.status_code == 404


def test_admin_acts_only_in_their_own_municipality(login_as, demo):
    """The municipality's administrator gives roles in every committee of Huddinge, a new one too, but may not
    touch roles in another municipality's committee nor edit a user whose roles are all there."""
    von = factories.create_committee("VON", name="Vård- och omsorgsnämnden")
    other = factories.create_municipality("Andra kommun", administration="Andra förvaltningen")
    bun = factories.create_committee("BUN", name="Barn- och utbildningsnämnden", municipality=other)
    factories.create_user("bun-admin", {bun: [Role.admin]}, name="Vera Admin")
    outsider = factories.create_user("bun-handlaggare", {bun: [Role.case_officer]}, name="Viktor Vård")
    db.session.commit()
    von_id, bun_id, outsider_id, karin = von.id, bun.id, outsider.id, user_id(demo["registrator"]["email"])
    vera = user_id("bun-admin@test.example")
    admin = login_as("admin")
    page = f"{USERS}/{outsider_id}"

    html = admin.get(page).get_data(as_text=True)
    assert "Viktor Vård" in html and "Användaren har roller i en kommun som du inte administrerar." in html
    assert "roller/ta-bort" not in html  # no button for a role in the other municipality
    before = state()
    refused = [
        (page, {"name": "Ändrad", "email": "bun-handlaggare@test.example"}),
        (f"{page}/losenord", {"password": PASSWORD}),
        (f"{page}/inaktivera", {}),
        (f"{page}/logga-ut", {}),
        (f"{page}/kommunadministrator", {}),
        (f"{USERS}/{karin}/roller", {"committee": bun_id, "role": "registrar"}),
        (f"{USERS}/{karin}/roller", {"committee": 987654, "role": "registrar"}),
        (f"{USERS}/{vera}/roller/ta-bort", {"committee": bun_id, "role": "admin"}),
    ]
    for path, data in refused:
        assert post(admin, path, data, USERS).status_code == 403, path
    assert create(admin, roles=[f"{bun_id}:member"]).status_code == 403
    assert state() == before

    # Roles in the municipality's own committees may be given, to the outsider too, in a committee where the
    # administrator holds no role of their own.
    assert post(admin, f"{page}/roller", {"committee": committee_id("SN"), "role": "member"}, USERS).status_code == 302
    assert post(admin, f"{USERS}/{karin}/roller", {"committee": von_id, "role": "registrar"}, USERS).status_code == 302
    assert roles_of("bun-handlaggare@test.example") == {("BUN", Role.case_officer), ("SN", Role.member)}
    assert ("VON", Role.registrar) in roles_of(demo["registrator"]["email"])


def test_script_in_a_name_comes_back_escaped(login_as):
    admin = login_as("admin")
    name = '<script>alert("x")</script> Ölund'
    response = create(admin, name=name, email="skript@huddinge.example")
    assert response.status_code == 302
    assert load_user("skript@huddinge.example").name == name
    for path in (USERS, response.headers["Location"]):
        html = admin.get(path).get_data(as_text=True)
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Ölund" in html
        assert "<script>alert" not in html


@pytest.mark.parametrize("path", [USERS, NEW, f"{USERS}/1"])
def test_anonymous_is_sent_to_login(client, demo, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in")
