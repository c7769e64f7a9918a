"""The municipality's details and logo: Administration → Kommunen and GET/PATCH /api/v1/municipality, for its
administrator only; bad input answered in Swedish with nothing stored."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth.models import Role
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.organisation.operations import clean_organisation_number
from app.validation import ValidationError
from tests import factories
from tests.factories import body_of, csrf_token, login
from tests.sample_files import make_jpeg, make_pdf, make_png

PAGE = "/admin/kommunen"
API = "/api/v1/municipality"
DETAILS = {
    "name": "Huddinge kommun",
    "organisation_number": "212000-0068",
    "postal_address": "141 85 Huddinge",
    "visiting_address": "Kommunalvägen 28",
    "phone": "08-535 300 00",
    "email": "huddinge@huddinge.se",
    "web": "https://www.huddinge.se",
}


def stored() -> tuple:
    db.session.remove()
    m = db.session.scalar(select(Municipality).order_by(Municipality.id))
    audit = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("municipality.%"))
    )
    row = (
        m.name,
        m.organisation_number,
        m.postal_address,
        m.visiting_address,
        m.phone,
        m.email,
        m.web,
        m.logo_sha256,
        m.logo_content_type,
        audit,
    )
    db.session.rollback()
    return row


def post(client, path: str, data: dict, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, PAGE), **data}, **kwargs)


@pytest.mark.parametrize(
    "given, expected",
    [("212000-0068", "212000-0068"), ("2120000068", "212000-0068"), (" 212000-0142 ", "212000-0142"), ("", "")],
)
def test_an_organisation_number_is_written_nnnnnn_nnnn(given, expected):
    assert clean_organisation_number(given) == expected


@pytest.mark.parametrize(
    "given, message",
    [
        ("212000-0069", "kontrollsiffran stämmer inte"),
        ("21200-00068", "tio siffror"),
        ("212000-006", "tio siffror"),
        ("2120O0-0068", "tio siffror"),
    ],
)
def test_a_bad_organisation_number_is_refused(given, message):
    with pytest.raises(ValidationError, match=message):
        clean_organisation_number(given)


def test_the_admin_changes_the_details_with_audit(login_as, demo):
    admin = login_as("admin")
    page = body_of(admin.get(PAGE))
    assert "Huddinge kommun" in page and "Organisationsnummer" in page
    response = post(admin, PAGE, {**DETAILS, "organisation_number": "2120000068"})
    assert response.status_code == 302
    assert "Uppgifterna om Huddinge kommun har sparats." in body_of(admin.get(PAGE))
    assert stored()[:7] == tuple(DETAILS.values())
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "municipality.updated")).all()[-1]
    assert entry.data["after"] == {
        "organisation_number": "212000-0068",
        "visiting_address": "Kommunalvägen 28",
        "web": "https://www.huddinge.se",
    }
    assert entry.data["before"]["visiting_address"] == "Gymnasietorget 1"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "", "Namn måste fyllas i."),
        ("organisation_number", "212000-0069", "kontrollsiffran stämmer inte"),
        ("email", "inte-en-adress", "Ange en giltig e-postadress"),
        ("web", "inte en adress", "Ange en giltig webbadress"),
        ("phone", "0" * 51, "Telefon får vara högst 50 tecken"),
    ],
)
def test_bad_details_are_refused_on_the_page_and_nothing_stored(login_as, field, value, message):
    admin = login_as("admin")
    before = stored()
    response = post(admin, PAGE, {**DETAILS, field: value})
    assert response.status_code == 422
    assert message in body_of(response, 422)
    assert stored() == before


def test_a_logo_is_uploaded_shown_replaced_and_removed(login_as):
    admin = login_as("admin")
    assert admin.get(f"{PAGE}/logotyp").status_code == 404
    png = make_png(40)
    response = post(admin, f"{PAGE}/logotyp", {"logo": (io.BytesIO(png), "../../etc/logo.png")})
    assert response.status_code == 302
    shown = admin.get(f"{PAGE}/logotyp")
    assert (shown.status_code, shown.mimetype, shown.data) == (200, "image/png", png)
    assert 'src="/admin/kommunen/logotyp"' in body_of(admin.get(PAGE))

    jpeg = make_jpeg()
    assert post(admin, f"{PAGE}/logotyp", {"logo": (io.BytesIO(jpeg), "logo.png")}).status_code == 302
    shown = admin.get(f"{PAGE}/logotyp")
    assert (shown.mimetype, shown.data) == ("image/jpeg", jpeg)  # judged by its content, not its name

    assert post(admin, f"{PAGE}/logotyp/ta-bort", {}).status_code == 302
    assert admin.get(f"{PAGE}/logotyp").status_code == 404
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("municipality.logo%")).order_by(AuditEntry.id)
    ).all()
    assert actions == ["municipality.logo_set", "municipality.logo_set", "municipality.logo_removed"]


@pytest.mark.parametrize(
    "content, name, message",
    [
        (make_pdf(), "logo.png", "PNG- eller JPEG-bild"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "PNG- eller JPEG-bild"),
        (b"GIF89a" + b"\x00" * 20, "logo.gif", "PNG- eller JPEG-bild"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "logo.png", "PNG- eller JPEG-bild"),
        (make_png()[:8] + b"\x00" * (2 * 1024 * 1024), "stor.png", "högst 2 MB"),
        (b"", "tom.png", "Välj en bildfil"),
    ],
    ids=["pdf", "svg", "gif", "broken-png", "too-large", "empty"],
)
def test_a_bad_logo_is_refused_and_nothing_stored(login_as, content, name, message):
    admin = login_as("admin")
    before = stored()
    response = post(admin, f"{PAGE}/logotyp", {"logo": (io.BytesIO(content), name)})
    assert response.status_code == 422
    assert message in body_of(response, 422)
    assert stored() == before


@pytest.fixture
def committee_admin(demo):
    sn = db.session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
    user = factories.create_user("sn-admin", {sn: [Role.admin]})
    db.session.commit()
    return user


def test_only_the_municipality_admin_may_change_the_details(app, login_as, committee_admin):
    client = app.test_client()
    assert login(client, "sn-admin@test.example", "test-password-1").status_code == 302
    secretary = login_as("sekreterare")
    before = stored()
    for who in (client, secretary):
        token = csrf_token(who, "/profil")
        assert who.get(PAGE).status_code == 403
        assert who.post(PAGE, data={"csrf_token": token, **DETAILS}).status_code == 403
        logo = {"csrf_token": token, "logo": (io.BytesIO(make_png()), "logo.png")}
        assert who.post(f"{PAGE}/logotyp", data=logo).status_code == 403
        assert who.post(f"{PAGE}/logotyp/ta-bort", data={"csrf_token": token}).status_code == 403
        assert who.get(f"{PAGE}/logotyp").status_code == 403
    assert stored() == before
    assert login_as("admin").get(PAGE).status_code == 200


# --- the API ---


def test_the_api_reads_the_municipality_for_every_user_and_changes_it_for_its_admin(api_as, demo):
    client, headers = api_as("ledamot")
    reply = client.get(API, headers=headers)
    assert reply.status_code == 200
    m = reply.get_json()["municipality"]
    assert (m["name"], m["postal_address"], m["may_administer"], m["logo"]) == (
        "Huddinge kommun",
        "141 85 Huddinge",
        False,
        None,
    )
    before = stored()
    assert client.patch(API, json={"name": "Obehörig kommun"}, headers=headers).status_code == 403
    assert stored() == before

    client, headers = api_as("admin")
    assert client.get(API, headers=headers).get_json()["municipality"]["may_administer"] is True
    reply = client.patch(API, json={"organisation_number": "2120000068", "email": ""}, headers=headers)
    assert reply.status_code == 200
    m = reply.get_json()["municipality"]
    assert (m["organisation_number"], m["email"], m["phone"]) == ("212000-0068", "", "08-535 300 00")
    assert stored()[1] == "212000-0068" and stored()[5] == ""


@pytest.mark.parametrize(
    "body, status, fields",
    [
        ({"organisation_number": "212000-0069"}, 422, {"organisation_number"}),
        ({"name": "", "email": "x"}, 422, {"name", "email"}),
        ({"name": 5}, 400, {"name"}),
        ({"logo_key": "ab/cd"}, 400, {"logo_key"}),
        ({}, 422, {"body"}),
    ],
)
def test_bad_api_changes_are_refused_in_swedish_and_nothing_stored(api_as, body, status, fields):
    client, headers = api_as("admin")
    before = stored()
    reply = client.patch(API, json=body, headers=headers)
    assert reply.status_code == status
    error = reply.get_json()["error"]
    assert set(error["fields"]) == fields
    assert stored() == before


def test_the_municipality_answers_in_the_described_shape(api_as, client):
    from tests.api_helpers import conforms

    spec = client.get("/api/v1/openapi.json").get_json()
    api, headers = api_as("admin")
    conforms(spec, "MunicipalityDetails", api.get(API, headers=headers).get_json()["municipality"])
