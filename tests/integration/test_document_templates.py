"""The letterhead and the municipality's own Word template.

Administration → Dokumentmall and POST /api/v1/municipality/document-templates, for the municipality's
administrator only: a file that is no Word file, one with macros and one lacking a style are refused in Swedish
naming what is wrong, with nothing stored. A second municipality, made with the operations (not the demo loader),
gets a kallelse and a tjänsteutlåtande read back as DOCX and PDF: its names and address, its template's letterhead
and styles, and nothing of Huddinge's.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.organisation.models import Committee
from tasks.rendering.document_templates import DocumentTemplateFile, template_for
from tests.factories import body_of, csrf_token
from tests.sample_files import (
    make_pdf,
    with_entries,
    word_template,
)

PAGE = "/admin/dokumentmall"
API = "/api/v1/municipality/document-templates"
HUDDINGE = ("Huddinge", "huddinge", "Socialnämnden", "141 85", "141\u00a085")


def stored() -> tuple[int, int]:
    db.session.rollback()
    rows = db.session.scalar(select(func.count()).select_from(DocumentTemplateFile))
    audit = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("document_template.%"))
    )
    return rows, audit


def upload_page(client, content: bytes, name: str, **fields):
    data = {"csrf_token": csrf_token(client, PAGE), "file": (io.BytesIO(content), name), **fields}
    return client.post(PAGE, data=data, content_type="multipart/form-data")


REFUSED = [
    (make_pdf(), "mall.docx", "är inte en Word-fil"),
    (b"inte en mall", "mall.txt", "Mallen måste vara en Word-fil"),
    (b"\xd0\xcf\x11\xe0" + b"\0" * 200, "mall.doc", "äldre format (.doc)"),
    (word_template(), "mall.docm", "makron"),
    (with_entries(word_template(), [("word/vbaProject.bin", b"\0" * 64)]), "mall.docx", "makron"),
    (word_template(without_styles=("heading 1",)), "mall.docx", "Formatmallen Rubrik 1 (Heading 1) saknas"),
    (word_template(first_page=False), "mall.docx", "Sidhuvud för första sidan saknas"),
]
REFUSED_IDS = ["pdf", "text", "doc", "docm", "macro", "no-heading-1", "no-first-page"]


@pytest.mark.parametrize("content, name, message", REFUSED, ids=REFUSED_IDS)
def test_a_bad_template_is_refused_on_the_page_and_nothing_stored(login_as, content, name, message):
    admin = login_as("admin")
    before = stored()
    response = upload_page(admin, content, name)
    assert response.status_code == 422
    assert message in body_of(response, 422)
    assert stored() == before


@pytest.mark.parametrize("content, name, message", REFUSED[:1] + REFUSED[3:6], ids=REFUSED_IDS[:1] + REFUSED_IDS[3:6])
def test_a_bad_template_is_refused_by_the_api_and_nothing_stored(api_as, content, name, message):
    client, headers = api_as("admin")
    before = stored()
    response = client.post(API, headers=headers, data={"file": (io.BytesIO(content), name)})
    assert response.status_code == 422
    assert message in response.get_json()["error"]["fields"]["file"]
    assert stored() == before


def test_the_admin_uploads_versions_and_goes_back_to_the_default(login_as, demo):
    admin = login_as("admin")
    page = body_of(admin.get(PAGE))
    assert "Ingen mall är uppladdad ännu." in page and "Rubrik 1 (Heading 1)" in page
    assert 'href="/admin/dokumentmall"' in page  # in the admin menu
    assert upload_page(admin, word_template(), "../../Huddinges mall.docx").status_code == 302
    assert upload_page(admin, word_template(dotx=True), "Mall 2.dotx").status_code == 302
    rows = db.session.scalars(select(DocumentTemplateFile).order_by(DocumentTemplateFile.version)).all()
    assert [(r.version, r.filename, r.is_current) for r in rows] == [
        (1, "Huddinges mall.docx", False),
        (2, "Mall 2.dotx", True),
    ]
    assert rows[0].uploaded_by.email == "admin@huddinge.example"
    sn = db.session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
    assert template_for(sn).revision.endswith("(version 2)")
    download = admin.get(f"{PAGE}/{rows[0].id}/fil")
    assert download.status_code == 200 and download.data[:2] == b"PK"

    token = csrf_token(admin, PAGE)
    assert admin.post(f"{PAGE}/{rows[0].id}/anvand", data={"csrf_token": token}).status_code == 302
    assert template_for(sn).revision.endswith("(version 1)")
    assert admin.post(f"{PAGE}/standard", data={"csrf_token": token, "committee_id": ""}).status_code == 302
    assert template_for(sn) is None
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("document_template.%")).order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "document_template.uploaded",
        "document_template.uploaded",
        "document_template.used",
        "document_template.default",
    ]


def test_a_committee_may_have_its_own_template_before_the_municipalitys(login_as, demo):
    admin = login_as("admin")
    sn = db.session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
    ks = db.session.scalar(select(Committee).where(Committee.registry_prefix == "KS"))
    assert upload_page(admin, word_template(), "kommunen.docx").status_code == 302
    assert upload_page(admin, word_template(), "sn.docx", committee_id=str(sn.id)).status_code == 302
    assert template_for(sn).revision.endswith("(version 2)")
    assert template_for(ks).revision.endswith("(version 1)")


def test_only_the_municipality_admin_reaches_the_template_pages(app, login_as, api_as, demo):
    before = stored()
    secretary = login_as("sekreterare")
    assert secretary.get(PAGE).status_code == 403
    assert upload_page(secretary, word_template(), "mall.docx").status_code == 403
    client, headers = api_as("sekreterare")
    assert client.get(API, headers=headers).status_code == 403
    assert client.post(API, headers=headers, data={"file": (io.BytesIO(word_template()), "m.docx")}).status_code == 403
    public = app.test_client()
    response = public.get(PAGE)
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
    assert public.get(API).status_code == 401
    assert stored() == before
    assert login_as("admin").get(PAGE).status_code == 200
    client, headers = api_as("admin")
    listing = client.get(API, headers=headers)
    assert listing.status_code == 200 and listing.get_json()["templates"] == []


def test_the_api_uploads_a_template(api_as, demo):
    client, headers = api_as("admin")
    response = client.post(API, headers=headers, data={"file": (io.BytesIO(word_template()), "mall.docx")})
    assert response.status_code == 201, response.get_json()
    template = response.get_json()["template"]
    assert (template["version"], template["is_current"], template["committee_id"]) == (1, True, None)
    assert client.post(API, headers=headers, json={"file": "x"}).status_code == 415


def test_the_api_names_each_bad_field_of_the_upload_form_in_swedish(api_as, demo):
    client, headers = api_as("admin")
    before = stored()

    def error(form: dict | None = None, **kwargs) -> dict:
        response = client.post(API, headers=headers, data=form, **kwargs)
        assert response.status_code in (400, 415), response.get_json()
        return response.get_json()["error"]

    assert error({"mall": "x"}, content_type="multipart/form-data")["fields"] == {
        "mall": "Okänt fält ”mall”; tillåtna: file, committee_id.",
        "file": "Välj mallen som Word-fil (fältet file).",
    }
    assert error({"file": (io.BytesIO(word_template()), "m.docx"), "committee_id": "SN"})["fields"] == {
        "committee_id": "Ange id för en av kommunens nämnder, eller inget för hela kommunen."
    }
    assert error(json={"file": "x"})["message"] == "Skicka mallen som multipart/form-data (fältet file)."
    assert stored() == before
