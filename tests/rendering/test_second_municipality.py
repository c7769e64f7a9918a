"""A second municipality set up as a fresh production installation is: ``flask setup`` on an empty database, then
everything through the administration pages and the API, never the demo loader or the operations directly.

Ekby kommun (fictional) gets its details, a förvaltning, Kommunstyrelsen and its arbetsutskott (which registers in
its parent's diarium), a diarium numbering ``KSN-{year}-{serial:04}`` without classification, users and roles, the
utskott's agenda conventions (numbered from 0, a section "Beslutsärenden", a marker "(KF)") and a Word template of
its own made from the project's with Ekby's letterhead. A case is registered, its tjänsteutlåtande written,
reviewed, approved and signed, put on the utskott's agenda, the kallelse published and its documents made by the
render task on the session's LibreOffice. The Word and PDF kallelse and the members' package are read back: Ekby's
names and number format everywhere, nothing of the demo's."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import RGBColor
from pypdf import PdfReader

from app.clock import local_today
from tasks.rendering.meeting_documents import render_meeting_documents
from tests.factories import body_of, csrf_token, login
from tests.rendering.pdf_checks import outline, png
from tests.sample_files import make_docx

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

PASSWORD = "ekby-lösenord-2026"
MUNICIPALITY = "Ekby kommun"
ADMINISTRATION = "Kommunledningsförvaltningen"
COMMITTEE = "Kommunstyrelsen"
UTSKOTT = "Kommunstyrelsens arbetsutskott"
NUMBER_FORMAT = "{prefix}-{year}-{serial:04}"
CASE_TITLE = "Ny taxa för bygglov i Ekby 2027"
LATER_TITLE = "Remiss om regional cykelplan för Ekbyregionen"
NOTICE_TITLE = "Kallelse och föredragningslista"
BILAGA_TEXT = "Taxetabell för bygglov i Ekby"
LETTERHEAD = "Ekby kommun – här börjar vägen"
LETTERHEAD_FOOTER = "Ekbys mallfot: tillsammans bygger vi Ekby"
HEADING_FONT = "Georgia"
#: Ekby's logo, uploaded on Administration → Kommunen
LOGO = png(300, 100)
#: what the demo writes, which Ekby's documents must never show
DEMO = (
    "Huddinge",
    "huddinge",
    "Socialnämnden",
    "SOCIALNÄMNDEN",
    "Social- och äldreomsorgsförvaltningen",
    "Gymnasietorget",
    "141 85",
    "141\u00a085",
    "Sara Lindqvist",
    "Gunnel Hedberg",
)
#: the demo's series: "SN-" not preceded by a letter (Ekby's "KSN-" is its own)
DEMO_SERIES = re.compile(r"(?<![A-ZÅÄÖ])SN-")

PEOPLE = {
    # key: (name, title, roles in the utskott)
    "registrator": ("Rut Registrator", "registrator", ["registrar"]),
    "handlaggare": ("Hanna Handläggare", "utredare", ["case_officer"]),
    "granskare": ("Gustav Granskare", "avdelningschef", ["reviewer"]),
    "undertecknare": ("Ulrika Undertecknare", "kommundirektör", ["approver"]),
    "sekreterare": ("Stina Sekreterare", "nämndsekreterare", ["secretary"]),
    "ledamot": ("Lars Ledamot", "ledamot", ["member"]),
}


def ekby_template() -> bytes:
    """Ekby's Word template, made from the project's own: a letterhead on its first page, Heading 1 in Georgia."""
    document = docx.Document("templates/documents/kommunmall.docx")
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = LETTERHEAD
    section.first_page_footer.paragraphs[0].text = LETTERHEAD_FOOTER
    heading = document.styles["Heading 1"]
    heading.font.name = HEADING_FONT
    heading.font.color.rgb = RGBColor(0x1B, 0x5E, 0x20)
    document.add_paragraph("Mallens exempeltext, som inte ska synas i dokumenten.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def post_page(client, path: str, data: dict, *, expect: int = 302, form_page: str = "/profil"):
    response = client.post(path, data={"csrf_token": csrf_token(client, form_page), **data})
    assert response.status_code == expect, (path, response.status_code, response.get_data(as_text=True)[:3000])
    return response


def api(client, method: str, path: str, token: str, expect: int, **kwargs) -> dict:
    response = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)
    assert response.status_code == expect, (method, path, response.status_code, response.get_data(as_text=True))
    return response.get_json()


def option_value(html: str, label: str) -> int:
    match = re.search(rf'<option value="(\d+)"[^>]*>\s*{re.escape(label)}\s*</option>', html)
    assert match, f"no option {label!r}"
    return int(match.group(1))


def new_token(client) -> str:
    page = post_page(client, "/profil/api-nycklar", {"token-name": "Ekbys skript"}, expect=200)
    return re.search(r'<code class="token" id="new-token">([^<]+)</code>', page.get_data(as_text=True)).group(1)


def logged_in(app, email: str):
    client = app.test_client()
    assert login(client, email, PASSWORD).status_code == 302
    return client


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for section in document.sections:
        for story in (section.first_page_header, section.header, section.first_page_footer, section.footer):
            parts += [p.text for p in story.paragraphs]
            parts += [c.text for t in story.tables for r in t.rows for c in r.cells]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def assert_nothing_of_the_demo(name: str, text: str) -> None:
    for demo_text in DEMO:
        assert demo_text not in text, (name, demo_text)
    assert not DEMO_SERIES.search(text), (name, DEMO_SERIES.search(text))


def test_a_second_municipality_from_an_empty_installation_to_its_rendered_kallelse(app, converter, monkeypatch):
    # --- flask setup on the empty database: the municipality and its first administrator -------------------
    monkeypatch.setenv("NAMNDFLODE_ADMIN_PASSWORD", PASSWORD)
    result = app.test_cli_runner().invoke(
        args=[
            "setup",
            "--municipality",
            MUNICIPALITY,
            "--organisation-number",
            "212000-9994",
            "--admin-email",
            "it@ekby.example",
            "--admin-name",
            "Ivar It",
        ]
    )
    assert result.exit_code == 0, result.output
    admin = logged_in(app, "it@ekby.example")

    # --- Administration → Kommunen: the details and the address block -------------------------------------
    post_page(
        admin,
        "/admin/kommunen",
        {
            "name": MUNICIPALITY,
            "organisation_number": "212000-9994",
            "postal_address": "Ekby kommun, 199 81 Ekby",
            "visiting_address": "Stortorget 3, Ekby",
            "phone": "0123-45 67 00",
            "email": "kommunen@ekby.example",
            "web": "www.ekby.example",
        },
    )
    post_page(
        admin,
        "/admin/kommunen/logotyp",
        {"logo": (io.BytesIO(LOGO), "ekby-logotyp.png")},
        form_page="/admin/kommunen",
    )
    # --- Organisation: a förvaltning with an address of its own, Kommunstyrelsen and its arbetsutskott ------
    post_page(
        admin,
        "/admin/forvaltningar/ny",
        {
            "name": ADMINISTRATION,
            "postal_address": "Kommunledningsförvaltningen, 199 81 Ekby",
            "phone": "0123-45 68 00",
        },
    )
    form = body_of(admin.get("/admin/namnder/ny"))
    administration_id = option_value(form, ADMINISTRATION)
    committee_fields = {"administration": administration_id, "notice_days": "6"}
    post_page(
        admin,
        "/admin/namnder/ny",
        {**committee_fields, "name": COMMITTEE, "kind": "committee", "registry_prefix": "KS", "parent": ""},
    )
    ks_id = option_value(body_of(admin.get("/admin/namnder/ny")), COMMITTEE)
    post_page(
        admin,
        "/admin/namnder/ny",
        {**committee_fields, "name": UTSKOTT, "kind": "subcommittee", "registry_prefix": "KSAU", "parent": ks_id},
    )
    organisation = body_of(admin.get("/admin/organisation"))
    assert f"Utskott till {COMMITTEE}" in organisation
    au_id = int(
        re.search(
            rf'href="/admin/namnder/(\d+)">Ändra<span class="visually-hidden"> {re.escape(UTSKOTT)}<', organisation
        ).group(1)
    )

    # --- Diarier: Kommunstyrelsens diarium without classification, chosen for Kommunstyrelsen ---------------
    preview = post_page(
        admin,
        "/admin/diarier",
        {"name": "Kommunstyrelsens diarium", "series": "KSN", "number_format": NUMBER_FORMAT, "preview": "1"},
        expect=200,
    )
    year = local_today().year
    assert f"KSN-{year}-0001" in preview.get_data(as_text=True)
    post_page(
        admin,
        "/admin/diarier",
        {"name": "Kommunstyrelsens diarium", "series": "KSN", "number_format": NUMBER_FORMAT, "save": "1"},
    )
    diaria = body_of(admin.get("/admin/diarier"))
    diarium_id = option_value(diaria, "Kommunstyrelsens diarium (KSN)")
    post_page(admin, f"/admin/diarier/namnd/{ks_id}", {f"c{ks_id}-diarium_id": diarium_id})

    # --- Användare: the utskott's people and their roles ---------------------------------------------------
    for key, (name, title, roles) in PEOPLE.items():
        post_page(
            admin,
            "/admin/anvandare/ny",
            {
                "name": name,
                "title": title,
                "email": f"{key}@ekby.example",
                "password": PASSWORD,
                "roles": [f"{au_id}:{role}" for role in roles],
            },
        )

    # --- Dokumentmall: the utskott's own Word template -----------------------------------------------------
    post_page(
        admin,
        "/admin/dokumentmall",
        {"file": (io.BytesIO(ekby_template()), "Ekbys mall.docx"), "committee_id": str(au_id)},
        form_page="/admin/dokumentmall",
    )

    # --- the people at work, through the API with their own tokens ------------------------------------------
    clients = {key: logged_in(app, f"{key}@ekby.example") for key in PEOPLE}
    tokens = {key: new_token(client) for key, client in clients.items()}
    client = app.test_client()

    # the utskott registers in its parent's diarium
    secretary = tokens["sekreterare"]
    au = api(client, "GET", f"/api/v1/committees/{au_id}", secretary, 200)["committee"]
    assert (au["name"], au["kind"], au["parent_id"], au["diarium"]["name"], au["municipality"]["name"]) == (
        UTSKOTT,
        "subcommittee",
        ks_id,
        "Kommunstyrelsens diarium",
        MUNICIPALITY,
    )

    # the secretary writes down how the utskott writes its agendas
    api(
        client,
        "PATCH",
        f"/api/v1/committees/{au_id}/agenda-conventions",
        secretary,
        200,
        json={"first_number": 0, "notice_title": NOTICE_TITLE, "handling_later_text": "Handlingar senare"},
    )
    section_id = api(
        client, "POST", f"/api/v1/committees/{au_id}/agenda-sections", secretary, 201, json={"name": "Beslutsärenden"}
    )["section"]["id"]
    marker_id = api(client, "POST", f"/api/v1/committees/{au_id}/item-markers", secretary, 201, json={"label": "(KF)"})[
        "marker"
    ]["id"]

    # the registrar registers a case: a number in the parent's diarium's format, without a classification
    officers = api(client, "GET", f"/api/v1/committees/{au_id}/case-officers", tokens["registrator"], 200)["items"]
    assert [(o["name"], o["title"]) for o in officers] == [("Hanna Handläggare", "utredare")]
    officer_id = officers[0]["id"]
    case = api(
        client,
        "POST",
        "/api/v1/cases",
        tokens["registrator"],
        201,
        json={"committee_id": au_id, "title": CASE_TITLE, "case_officer_id": officer_id},
    )["case"]
    number = f"KSN-{year}-0001"
    assert case["number"] == number
    later = api(
        client,
        "POST",
        "/api/v1/cases",
        tokens["registrator"],
        201,
        json={"committee_id": au_id, "title": LATER_TITLE, "case_officer_id": officer_id},
    )["case"]
    assert later["number"] == f"KSN-{year}-0002"

    # the case officer writes the tjänsteutlåtande; it is reviewed, approved and signed
    case_id, officer = case["id"], tokens["handlaggare"]
    api(client, "POST", f"/api/v1/cases/{case_id}/report", officer, 201)
    content = {
        "title": CASE_TITLE,
        "report_date": local_today().isoformat(),
        "sections": {
            "summary": "<p>Förvaltningen föreslår en ny taxa för bygglov.</p>",
            "description": "<p>Taxan följer Sveriges Kommuners och Regioners underlag.</p>",
        },
        "proposals": [
            {"text": "Kommunstyrelsen föreslår kommunfullmäktige att anta taxan.", "immediately_adjusted": False}
        ],
        "recipients": ["Bygg- och miljöförvaltningen"],
        "signatories": [{"name": "Ulrika Undertecknare", "title": "Kommundirektör"}],
    }
    api(
        client, "PUT", f"/api/v1/cases/{case_id}/report/content", officer, 200, json={"based_on": 1, "content": content}
    )
    bilaga = api(
        client,
        "POST",
        f"/api/v1/cases/{case_id}/report/attachments",
        officer,
        201,
        data={"file": (io.BytesIO(make_docx(BILAGA_TEXT)), "Taxetabell.docx"), "title": "Taxetabell 2027"},
        content_type="multipart/form-data",
    )
    assert bilaga["attachment"]["label"] == "Bilaga 1 Taxetabell 2027"
    for name, who in (("submit", "handlaggare"), ("approve", "granskare"), ("sign", "undertecknare")):
        api(client, "POST", f"/api/v1/cases/{case_id}/report/transitions", tokens[who], 200, json={"name": name})

    # the secretary plans the utskott's meeting, puts the case under Beslutsärenden with (KF), and publishes
    day = local_today() + timedelta(days=21)
    day += timedelta(days=(1 - day.weekday()) % 7)  # a Tuesday
    meeting = api(
        client,
        "POST",
        "/api/v1/meetings",
        secretary,
        201,
        json={
            "committee_id": au_id,
            "start": f"{day.isoformat()}T08:30",
            "place": "Sammanträdesrum Ekan, Stortorget 3",
        },
    )["meeting"]
    meeting_id = meeting["id"]
    agenda = api(client, "GET", f"/api/v1/meetings/{meeting_id}/items", secretary, 200)
    added = api(
        client,
        "POST",
        f"/api/v1/meetings/{meeting_id}/items",
        secretary,
        201,
        json={
            "kind": "case",
            "case_number": number,
            "section_id": section_id,
            "markers": [marker_id],
            "version": agenda["agenda_version"],
        },
    )
    item = added["item"]
    assert (item["number"], item["section"], item["markers"]) == (2, "Beslutsärenden", ["(KF)"])
    item = api(
        client,
        "POST",
        f"/api/v1/meetings/{meeting_id}/items",
        secretary,
        201,
        json={
            "kind": "case",
            "case_number": f"ksn-{year}-0002",  # typed in lower case: read leniently
            "section_id": section_id,
            "is_handling_later": True,
            "version": added["agenda_version"],
        },
    )["item"]
    assert (item["number"], item["case_number"]) == (3, f"KSN-{year}-0002")
    api(
        client,
        "PATCH",
        f"/api/v1/meetings/{meeting_id}",
        secretary,
        200,
        json={
            "notice_place": "Ekby",
            "notice_date": local_today().isoformat(),
            "chair_name": "Olga Ordförande",
            "secretary_name": "Stina Sekreterare",
        },
    )
    api(client, "POST", f"/api/v1/meetings/{meeting_id}/publications", secretary, 201, json={})

    # the pages: the member's kallelse and the public's, numbered from 0, with the section and the marker
    member_page = body_of(clients["ledamot"].get(f"/sammantraden/{meeting_id}/kallelse"))
    public_page = body_of(app.test_client().get(f"/offentligt/sammantraden/{meeting_id}"))
    for name, html in (("members' page", member_page), ("public page", public_page)):
        for wanted in (UTSKOTT, number, "Beslutsärenden", "(KF)", CASE_TITLE):
            assert wanted in html, (name, wanted)
        assert_nothing_of_the_demo(name, html)

    # --- Skapa handlingar: the render task on the session's LibreOffice -------------------------------------
    started = api(client, "POST", f"/api/v1/meetings/{meeting_id}/documents", secretary, 202)
    render_meeting_documents.apply(args=[started["job"]["id"]])
    documents = api(client, "GET", f"/api/v1/meetings/{meeting_id}/documents/{started['job']['id']}", secretary, 200)
    assert documents["job"]["state"] == "done", documents["job"]

    def fetch(name: str, variant: str = "members") -> bytes:
        response = client.get(documents["files"][variant][name], headers={"Authorization": f"Bearer {secretary}"})
        assert response.status_code == 200, (name, response.status_code)
        return response.data

    kallelse_docx, kallelse_pdf, package_pdf = fetch("kallelse.docx"), fetch("kallelse.pdf"), fetch("motespaket.pdf")

    # The Word kallelse: Ekby's template, letterhead, names and numbers
    kallelse = docx.Document(io.BytesIO(kallelse_docx))
    assert kallelse.styles["Heading 1"].font.name == HEADING_FONT
    rows = [[c.text.strip() for c in r.cells] for r in kallelse.tables[0].rows]
    numbered = [(r[0], r[1].split("\n")[0]) for r in rows if r[0].isdigit()]
    assert numbered[0] == ("0", "Val av justerare")
    assert ("2", f"{CASE_TITLE} (KF)") in numbered, numbered
    later_row = next(r for r in rows if r[0] == "3")
    assert (later_row[1].split("\n"), later_row[-1]) == ([LATER_TITLE, "Handlingar senare"], f"KSN-{year}-0002")
    section_row = next(i for i, r in enumerate(rows) if r[0] == "Beslutsärenden")
    assert rows[section_row + 1][0] == "2", rows  # the section's heading stands before its item
    assert [r[-1] for r in rows if r[0] == "2"] == [number]

    read = {"kallelse.docx": docx_text(kallelse_docx), "kallelse.pdf": pdf_text(kallelse_pdf)}
    read["motespaket.pdf"] = pdf_text(package_pdf)
    read["public kallelse.pdf"] = pdf_text(fetch("kallelse.pdf", "public"))
    read["public kallelse.docx"] = docx_text(fetch("kallelse.docx", "public"))
    read["public motespaket.pdf"] = pdf_text(fetch("motespaket.pdf", "public"))
    for name, text in read.items():
        flat = " ".join(text.replace("\u00a0", " ").split())
        for wanted in (
            MUNICIPALITY,
            ADMINISTRATION,
            f"{NOTICE_TITLE} till {UTSKOTT}",
            number,
            "Beslutsärenden",
            "(KF)",
            "Handlingar senare",
            "199 81 Ekby",
        ):
            assert wanted in flat, (name, wanted)
        assert LETTERHEAD in flat, name
        # the footer's e-mail address stands whole on its line (its column widened for it)
        assert "kommunen@ekby.example" in text.split(), name
        assert_nothing_of_the_demo(name, text)

    # the municipality's logo in the first page's letterhead (above the template's), and only there
    section = kallelse.sections[0]
    pictures = section.first_page_header.part.package.image_parts
    assert [p.blob for p in pictures] == [LOGO]
    descriptions = [d.get("descr") for d in section.first_page_header._element.iter(qn("wp:docPr"))]
    assert descriptions == ["Ekby kommuns logotyp"]
    assert not list(section.header._element.iter(qn("wp:docPr")))
    assert len(PdfReader(io.BytesIO(kallelse_pdf)).pages[0].images) == 1

    package = PdfReader(io.BytesIO(package_pdf))
    entries = outline(package)
    report_page = entries[2][2][0][1]
    assert [len(page.images) for page in package.pages] == [
        1 if number in (1, report_page) else 0 for number in range(1, len(package.pages) + 1)
    ]
    assert [e[0] for e in entries[:2]] == ["Kallelse", "Innehåll"]
    assert entries[2][0] == f"2 {CASE_TITLE} (KF) – {number}", entries
    assert [c[0] for c in entries[2][2]] == ["Tjänsteutlåtande", "Bilaga 1 Taxetabell 2027"]
    assert len(entries) == 3  # the item whose handlingar come later has none in the package yet
    assert BILAGA_TEXT in package.pages[entries[2][2][1][1] - 1].extract_text()
