"""The diarium pages: search, registration, the case page and its actions (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth.models import User
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee
from app.registry.models import Case, CaseStatus, RegisteredDocument
from tests.factories import body_of, csrf_token
from tests.page_structure import structure_problems

#: a case's link in the diarium's list: its number, kept on one line (the nowrap filter's span)
CASE_LINK = re.compile(r'<a href="/arenden/\d+"><span class="nowrap">([^<]+)</span></a>')
SWEDISH_TITLE = "Yttrande över förslag om ändrad § 5 i äldreomsorgens riktlinjer – Åtgärdsplan"
CONFIDENTIAL_NUMBER = "SN-2017/12.754"


def fresh():
    """Return a new session, so what the requests committed is read back from the database."""
    db.session.remove()
    return db.session


def committee_id(prefix: str) -> int:
    return fresh().scalar(select(Committee.id).where(Committee.registry_prefix == prefix))


def user_id(key: str) -> int:
    return fresh().scalar(select(User.id).where(User.email == f"{key}@huddinge.example"))


def case_count() -> int:
    return fresh().scalar(select(func.count()).select_from(Case))


def id_of(number: str) -> int:
    return fresh().scalar(select(Case.id).where(Case.number == number))


def case_by_id(case_id: int) -> Case | None:
    return fresh().get(Case, case_id)


def register(client, **fields):
    """Post the register form with sensible values; a field given as None is left out."""
    data = {
        "csrf_token": csrf_token(client, "/diarium/registrera"),
        "committee": committee_id("SN"),
        "title": "Remiss om riktlinjer för hemtjänst",
        "classification_code": "181",
        "case_officer_id": user_id("handlaggare"),
    }
    data.update(fields)
    return client.post("/diarium/registrera", data={k: v for k, v in data.items() if v is not None})


def registered_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.fullmatch(r"/arenden/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def post_form(client, path: str, **fields):
    """Post ``fields`` to ``path`` with the CSRF token of the form page (or the case page for buttons)."""
    return client.post(path, data={"csrf_token": csrf_token(client, fields.pop("token_from", path)), **fields})


def search(client, **params) -> tuple[int, str, list[str]]:
    response = client.get("/diarium", query_string=params)
    html = response.get_data(as_text=True)
    return response.status_code, html, CASE_LINK.findall(html)


# --- registering a case ---------------------------------------------------------------------


def test_registrar_registers_case_and_sees_the_new_number(login_as):
    client = login_as("registrator")
    year = local_today().year

    response = register(client)
    case_id = registered_id(response)
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    number = f"SN-{year}/1.181"  # the demo format {prefix}-{year}/{serial}.{class}, a fresh year series
    assert f"Ärendet har registrerats med diarienummer {number}." in page
    case = case_by_id(case_id)
    assert (case.number, case.series, case.year, case.serial) == (number, "SN", year, 1)
    assert case.case_officer_id == user_id("handlaggare")
    assert case.status is CaseStatus.open
    audit = fresh().scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)).all()
    assert audit == ["case.registered"]
    assert 'data-action="case.registered"' in page
    assert f'Ärende <span class="nowrap">{number}</span> registrerat.' in page

    second = case_by_id(registered_id(register(client, title="Ett ärende till")))
    assert second.number == f"SN-{year}/2.181"


def test_register_form_offers_only_what_the_user_may_choose(login_as):
    page = login_as("handlaggare").get("/diarium/registrera").get_data(as_text=True)
    # One committee: preselected; the case officer is preselected as responsible.
    assert re.search(r'<option selected value="\d+">Socialnämnden</option>', page)
    assert "Kommunstyrelsen" not in page
    assert re.search(r'<option selected value="\d+">Johan Ek \(Socialnämnden\)</option>', page)
    assert "181 – Verksamhetsberättelse och årsredovisning" in page


def test_member_may_not_register(login_as):
    client = login_as("ledamot")
    assert client.get("/diarium/registrera").status_code == 403
    assert "Registrera ärende" not in body_of(client.get("/diarium"))


def test_swedish_characters_round_trip(login_as):
    client = login_as("registrator")
    case_id = registered_id(register(client, title=SWEDISH_TITLE, external_reference="KSL/12/0177-37"))

    assert case_by_id(case_id).title == SWEDISH_TITLE
    page = client.get(f"/arenden/{case_id}").get_data(as_text=True)
    assert f"<h1>{SWEDISH_TITLE}</h1>" in page
    number = case_by_id(case_id).number
    for words in ("ÅTGÄRDSPLAN", "ändrad § 5", "äldreomsorgens RIKTLINJER"):
        status, html, numbers = search(client, q=words)
        assert status == 200
        assert numbers == [number], words
        assert SWEDISH_TITLE in html
    # Words are matched one by one, so "§ 5" also finds the demo's confidential "… 10 § 1 …" cases.
    assert number in search(client, q="§ 5")[2]
    # The external reference is searchable too; the demo's SN-2016/3693.103 answers the same one.
    assert set(search(client, q="ksl/12/0177")[2]) == {number, "SN-2016/3693.103"}


@pytest.mark.parametrize(
    "fields, status, message",
    [
        ({"title": "   "}, 422, "Ärendemening måste fyllas i."),
        ({"title": "x" * 5000}, 422, "Ärendemening får vara högst 500 tecken (nu 5000)."),
        ({"classification_code": "999"}, 422, "Klassificeringen ”999” finns inte i klassificeringsstrukturen."),
        ({"classification_code": ""}, 422, "Välj en klassificering ur klassificeringsstrukturen."),
        ({"case_officer_id": "ks-handlaggare"}, 422, "Den valda personen är inte handläggare i Socialnämnden."),
        ({"case_officer_id": ""}, 422, "Välj ansvarig handläggare."),
        ({"is_confidential": "y", "secrecy_provision": ""}, 422, "Sekretessbestämmelse måste fyllas i."),
        ({"committee": "987654"}, 400, "Välj ett av alternativen i listan."),
        ({"committee": "SN"}, 400, "Välj ett av alternativen i listan."),
        ({"committee": ""}, 422, "Välj nämnd."),
    ],
    ids=[
        "empty-title",
        "long-title",
        "unknown-code",
        "no-code",
        "officer-of-other-committee",
        "no-officer",
        "secrecy-without-provision",
        "unknown-committee",
        "non-integer-committee",
        "no-committee",
    ],
)
def test_bad_registration_is_refused_and_nothing_stored(login_as, fields, status, message):
    client = login_as("registrator")
    if fields.get("case_officer_id") == "ks-handlaggare":
        fields = {**fields, "case_officer_id": user_id("ks-handlaggare")}
    before = case_count()

    response = register(client, **fields)

    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html
    assert "Formuläret innehåller fel" in html
    assert case_count() == before


def test_committee_where_the_user_may_not_register_is_refused(login_as):
    client = login_as("handlaggare")  # case officer in SN only
    before = case_count()
    response = register(client, committee=committee_id("KS"))
    assert response.status_code == 400
    assert "Välj ett av alternativen i listan." in response.get_data(as_text=True)
    assert case_count() == before


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["missing", "forged"])
def test_registration_without_valid_csrf_token_is_refused(login_as, token):
    client = login_as("registrator")
    before = case_count()
    response = register(client, csrf_token=token)
    assert response.status_code == 400
    assert "säkerhetstoken (CSRF)" in response.get_data(as_text=True)
    assert case_count() == before


def test_script_in_a_title_is_escaped(login_as):
    client = login_as("registrator")
    title = "<script>alert(1)</script> Skadlig rubrik"
    case_id = registered_id(register(client, title=title))

    pages = [
        client.get("/diarium").get_data(as_text=True),
        search(client, q="<script>alert(1)</script>")[1],
        client.get(f"/arenden/{case_id}").get_data(as_text=True),
    ]
    for html in pages:
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- the diarium search ------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["SN-2016/3342.181", "sn-2016/3342.181", " Dnr SN-2016/3342.181 "])
def test_search_by_whole_number_matches_exactly(login_as, typed):
    status, html, numbers = search(login_as("registrator"), number=typed)
    assert status == 200
    assert numbers == ["SN-2016/3342.181"]
    assert "1 ärende." in html


def test_search_by_part_of_number(login_as):
    client = login_as("registrator")
    assert search(client, number="3342")[2] == ["SN-2016/3342.181"]
    assert set(search(client, number="2017/1")[2]) == {
        "SN-2017/104.183",
        "SN-2017/100.905",
        "SN-2017/12.754",
        "SN-2017/13.754",
        "KS-2017/12.229",
    }


def test_search_by_date_range_and_committee(login_as):
    client = login_as("registrator")
    status, _, numbers = search(client, registered_from="2016-12-01", registered_to="2016-12-10")
    assert status == 200
    assert numbers == ["SN-2016/3369.476", "SN-2016/3342.181"]  # newest first

    _, _, ks = search(client, committee=committee_id("KS"))
    assert sorted(ks) == ["KS-2017/12.229", "KS-2017/37.182"]


def test_search_by_case_officer_status_and_classification(login_as):
    client = login_as("registrator")
    _, _, numbers = search(client, case_officer=user_id("controller"))
    assert set(numbers) == {
        "SN-2016/3342.181",
        "SN-2017/50.182",
        "SN-2017/30.909",
        "SN-2016/2624.719",
        "SN-2017/90.728",
    }
    assert search(client, classification="313")[2] == ["SN-2017/51.313", "SN-2016/3635.313"]
    assert search(client, status="closed")[2] == []


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"registered_from": "2017-13-45"}, "registered_from", "Ange datumet som ÅÅÅÅ-MM-DD"),
        ({"registered_to": "igår"}, "registered_to", "Ange datumet som ÅÅÅÅ-MM-DD"),
        (
            {"registered_from": "2017-02-01", "registered_to": "2017-01-01"},
            "registered_to",
            "Slutdatum kan inte vara före startdatum.",
        ),
        ({"committee": "abc"}, "committee", "Välj ett av alternativen i listan."),
        ({"case_officer": "1.5"}, "case_officer", "Välj ett av alternativen i listan."),
        ({"status": "pending"}, "status", "Välj ett av alternativen i listan."),
        ({"classification": "999"}, "classification", "Välj ett av alternativen i listan."),
        ({"q": "x" * 201}, "q", "Söktexten får vara högst 200 tecken."),
    ],
    ids=[
        "bad-date",
        "word-date",
        "to-before-from",
        "non-integer-committee",
        "non-integer-officer",
        "unknown-status",
        "unknown-code",
        "long-text",
    ],
)
def test_bad_search_input_answers_400_with_message(login_as, params, field, message):
    status, html, numbers = search(login_as("registrator"), **params)
    assert status == 400
    assert f'<p class="field__error" id="{field}-error">{message}' in html
    assert numbers == []


def test_search_offers_only_own_committees(login_as):
    client = login_as("ks-handlaggare")
    status, html, numbers = search(client)
    assert status == 200
    assert sorted(numbers) == ["KS-2017/12.229", "KS-2017/37.182"]
    assert "Socialnämnden" not in html
    # Another committee's id is not a choice, so it cannot widen the search.
    assert search(client, committee=committee_id("SN"))[0] == 400


def test_pagination_keeps_the_filters(app, login_as):
    app.config["ITEMS_PER_PAGE"] = 5
    client = login_as("registrator")
    status, html, first = search(client, status="open", committee=committee_id("SN"))
    assert status == 200
    assert "17 ärenden, sida 1 av 4." in html
    assert len(first) == 5
    link = re.search(r'<a href="(/diarium\?[^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    assert "status=open" in link and f"committee={committee_id('SN')}" in link and "page=2" in link
    second = CASE_LINK.findall(client.get(link).get_data(as_text=True))
    assert len(second) == 5 and not set(first) & set(second)
    assert search(client, page="abc")[0] == 200
    status, html, beyond = search(client, page="99999999999999")  # past the database's integers
    assert status == 200 and beyond == []


# --- who sees what -----------------------------------------------------------------------------


def test_member_never_sees_confidential_cases(login_as):
    confidential_id = id_of(CONFIDENTIAL_NUMBER)
    client = login_as("ledamot")

    response = client.get(f"/arenden/{confidential_id}")
    assert response.status_code == 404
    assert "Testsson" not in response.get_data(as_text=True)
    assert CONFIDENTIAL_NUMBER not in response.get_data(as_text=True)
    assert client.get(f"/arenden/{confidential_id}/handlingar/ny").status_code == 404

    status, html, numbers = search(client)
    assert status == 200 and len(numbers) == 14
    assert CONFIDENTIAL_NUMBER not in numbers
    assert "Elin Testsson" not in html and "Sekretess" not in html
    assert search(client, q="Testsson")[2] == []
    assert search(client, number=CONFIDENTIAL_NUMBER)[2] == []


def test_registrar_sees_confidential_cases_marked(login_as):
    client = login_as("registrator")
    status, html, numbers = search(client, q="Elin Testsson")
    assert numbers == [CONFIDENTIAL_NUMBER]
    assert '<span class="badge badge--confidential">Sekretess</span>' in html
    page = client.get(f"/arenden/{id_of(CONFIDENTIAL_NUMBER)}").get_data(as_text=True)
    assert "Elin Testsson" in page
    assert "Ja, 26 kap. 1 § OSL" in page
    assert "Yttrande till Södertörns tingsrätt angående adoption enligt 4 kap." in page  # the public title


def test_other_committee_cases_are_not_found(login_as):
    client = login_as("ks-handlaggare")
    assert client.get(f"/arenden/{id_of('SN-2016/3342.181')}").status_code == 404
    assert client.get(f"/arenden/{id_of('KS-2017/12.229')}").status_code == 200


def test_actions_are_shown_and_allowed_by_role(login_as):
    cid = id_of("SN-2016/3342.181")
    officer = login_as("handlaggare")
    page = officer.get(f"/arenden/{cid}").get_data(as_text=True)
    assert "Registrera handling" in page
    assert "Makulera" not in page and "Ändra uppgifter" not in page and "Avsluta ärendet" not in page
    assert officer.get(f"/arenden/{cid}/andra").status_code == 403
    assert post_form(officer, f"/arenden/{cid}/makulera", reason="Fel", token_from=f"/arenden/{cid}").status_code == 403
    assert case_by_id(cid).status is CaseStatus.open

    member_page = login_as("ledamot").get(f"/arenden/{cid}").get_data(as_text=True)
    assert "Registrera handling" not in member_page
    assert "Händelser" not in member_page  # the history is for staff
    assert "Tjänsteutlåtande: Verksamhetsberättelse 2016" in member_page


# --- actions on a case -------------------------------------------------------------------------


def test_documents_get_running_numbers(login_as):
    client = login_as("registrator")
    case_id = registered_id(register(client))
    path = f"/arenden/{case_id}/handlingar/ny"
    documents = [
        ("incoming", "Storsthlm", "Remiss om riktlinjer"),
        ("internal", "", "Tjänsteutlåtande"),
        ("outgoing", "Kommunfullmäktige", "Yttrande över remissen"),
    ]
    for number, (direction, party, description) in enumerate(documents, start=1):
        response = post_form(
            client, path, direction=direction, document_date="2017-02-01", counterparty=party, description=description
        )
        assert response.status_code == 302
        assert f"Handling {number} har registrerats" in client.get(response.headers["Location"]).get_data(as_text=True)

    rows = (
        fresh()
        .execute(
            select(RegisteredDocument.number, RegisteredDocument.description)
            .where(RegisteredDocument.case_id == case_id)
            .order_by(RegisteredDocument.number)
        )
        .all()
    )
    assert rows == [(1, "Remiss om riktlinjer"), (2, "Tjänsteutlåtande"), (3, "Yttrande över remissen")]
    page = client.get(f"/arenden/{case_id}").get_data(as_text=True)
    assert '<td data-label="Riktning">Utgående</td>' in page
    assert page.count('data-action="document.registered"') == 3


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"direction": "outgoing", "counterparty": ""}, "Ange avsändare (inkommande) eller mottagare (utgående)."),
        ({"document_date": "2999-01-01"}, "Handlingens datum kan inte ligga i framtiden."),
        ({"document_date": "1 februari"}, "Ange datumet som ÅÅÅÅ-MM-DD"),
        ({"description": ""}, "Beskrivning måste fyllas i."),
    ],
    ids=["no-recipient", "future-date", "bad-date", "no-description"],
)
def test_bad_document_is_refused(login_as, fields, message):
    client = login_as("registrator")
    case_id = registered_id(register(client))
    data = {
        "direction": "incoming",
        "document_date": "2017-02-01",
        "counterparty": "Storsthlm",
        "description": "Remiss",
        **fields,
    }
    response = post_form(client, f"/arenden/{case_id}/handlingar/ny", **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (
        fresh().scalar(
            select(func.count()).select_from(RegisteredDocument).where(RegisteredDocument.case_id == case_id)
        )
        == 0
    )


def test_void_keeps_the_number_taken(login_as):
    client = login_as("registrator")
    year = local_today().year
    case_id = registered_id(register(client))
    path = f"/arenden/{case_id}/makulera"
    assert "används aldrig igen" in client.get(path).get_data(as_text=True)

    refused = post_form(client, path, reason="   ")
    assert refused.status_code == 422
    assert "Skäl måste fyllas i." in refused.get_data(as_text=True)
    assert case_by_id(case_id).status is CaseStatus.open

    response = post_form(client, path, reason="Registrerat två gånger")
    assert response.status_code == 302
    voided = case_by_id(case_id)
    assert (voided.status, voided.void_reason, voided.number) == (
        CaseStatus.voided,
        "Registrerat två gånger",
        f"SN-{year}/1.181",
    )
    page = client.get(f"/arenden/{case_id}").get_data(as_text=True)
    assert "Ärendet är makulerat." in page and "Makulera</a>" not in page

    again = post_form(client, path, reason="Igen")
    assert again.status_code == 409
    assert "redan makulerat" in again.get_data(as_text=True)

    assert case_by_id(registered_id(register(client))).number == f"SN-{year}/2.181"
    assert search(client, status="voided")[2] == [f"SN-{year}/1.181"]


def test_edit_case(login_as):
    client = login_as("registrator")
    cid = id_of("SN-2017/71.280")
    path = f"/arenden/{cid}/andra"
    assert "Hyresavtal modulhus, Huddinge 1 och 2" in client.get(path).get_data(as_text=True)

    refused = post_form(client, path, title="Hyresavtal", case_officer_id=user_id("ks-handlaggare"))
    assert refused.status_code == 422
    assert "Den valda personen är inte handläggare i Socialnämnden." in refused.get_data(as_text=True)

    response = post_form(
        client,
        path,
        title="Hyresavtal för modulhus",
        case_officer_id=user_id("controller"),
        external_reference="Ref 17/4",
    )
    assert response.status_code == 302
    changed = case_by_id(cid)
    assert (changed.title, changed.case_officer_id, changed.external_reference) == (
        "Hyresavtal för modulhus",
        user_id("controller"),
        "Ref 17/4",
    )
    assert 'data-action="case.updated"' in client.get(f"/arenden/{cid}").get_data(as_text=True)


def test_close_and_reopen(login_as):
    client = login_as("registrator")
    cid = id_of("SN-2017/50.182")
    page = f"/arenden/{cid}"

    assert post_form(client, f"{page}/avsluta", token_from=page).status_code == 302
    closed = case_by_id(cid)
    assert closed.status is CaseStatus.closed and closed.closed_on == local_today()
    html = client.get(page).get_data(as_text=True)
    assert "Återöppna ärendet" in html and "Avsluta ärendet" not in html

    again = post_form(client, f"{page}/avsluta", token_from=page)
    assert again.status_code == 409
    assert "är redan avslutat" in again.get_data(as_text=True)

    assert post_form(client, f"{page}/ateroppna", token_from=page).status_code == 302
    assert case_by_id(cid).status is CaseStatus.open
    actions = fresh().scalars(select(AuditEntry.action).where(AuditEntry.case_id == cid).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["case.closed", "case.reopened"]


def test_set_confidentiality_hides_the_case_from_members(login_as):
    registrar = login_as("registrator")
    cid = id_of("SN-2017/104.183")
    path = f"/arenden/{cid}/sekretess"

    refused = post_form(registrar, path, is_confidential="y", secrecy_provision="")
    assert refused.status_code == 422
    assert "Sekretessbestämmelse måste fyllas i." in refused.get_data(as_text=True)

    response = post_form(
        registrar,
        path,
        is_confidential="y",
        secrecy_provision="31 kap. 16 § OSL",
        public_title="Ansökan om att utföra hemtjänst",
    )
    assert response.status_code == 302
    marked = case_by_id(cid)
    assert (marked.is_confidential, marked.secrecy_provision) == (True, "31 kap. 16 § OSL")
    assert login_as("ledamot").get(f"/arenden/{cid}").status_code == 404

    assert post_form(registrar, path).status_code == 302  # checkbox left empty: lift the marking
    assert case_by_id(cid).is_confidential is False


# --- page structure ----------------------------------------------------------------------------


def test_pages_have_one_h1_ordered_headings_labels_and_captions(login_as):
    client = login_as("admin")
    cid = id_of("SN-2016/3693.103")
    code_id = fresh().scalar(select(func.min(Case.classification_id)))
    paths = [
        "/diarium",
        "/diarium?registered_from=fel",
        "/diarium/registrera",
        f"/arenden/{cid}",
        f"/arenden/{cid}/handlingar/ny",
        f"/arenden/{cid}/andra",
        f"/arenden/{cid}/sekretess",
        f"/arenden/{cid}/makulera",
        "/admin/klassificering",
        f"/admin/klassificering/{code_id}/andra",
    ]
    pages = {path: client.get(path).get_data(as_text=True) for path in paths}
    pages["refused registration"] = register(client, title="").get_data(as_text=True)
    for name, html in pages.items():
        assert structure_problems(html) == [], name
    assert structure_problems("<h1>A</h1><h3>B</h3><input id=x>") == ["h1 followed by h3", "no label for x"]


# --- anonymous visitors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/diarium",
        "/diarium?q=budget",
        "/diarium/registrera",
        "/arenden/1",
        "/arenden/1/handlingar/ny",
        "/arenden/1/andra",
        "/arenden/1/sekretess",
        "/arenden/1/makulera",
    ],
)
def test_anonymous_get_redirects_to_login(client, demo, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in?next=")


@pytest.mark.parametrize(
    "path",
    [
        "/diarium/registrera",
        "/arenden/1/handlingar/ny",
        "/arenden/1/andra",
        "/arenden/1/sekretess",
        "/arenden/1/makulera",
        "/arenden/1/avsluta",
        "/arenden/1/ateroppna",
    ],
)
def test_anonymous_post_redirects_to_login(client, demo, path):
    response = client.post(path, data={"csrf_token": csrf_token(client), "reason": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in")
    assert case_by_id(1).status is CaseStatus.open


def test_a_member_does_not_see_the_party_of_a_confidential_document(app, demo, login_as):
    """On a case the member may read, a confidential handling's sender is masked; staff see it."""
    from datetime import date

    from sqlalchemy import select

    from app.extensions import db
    from app.registry.models import Case, Direction
    from app.registry.operations import register_document

    case = db.session.scalar(select(Case).where(Case.number == "SN-2017/90.728"))
    register_document(
        case,
        user=None,
        direction=Direction.incoming,
        document_date=date(2017, 1, 20),
        counterparty="Anna Andersson-Skyddad",
        description="Klagomål på verkställighet",
        is_confidential=True,
        secrecy_provision="26 kap. 1 § OSL",
    )
    db.session.commit()
    case_id = case.id
    member_page = login_as("ledamot").get(f"/arenden/{case_id}").get_data(as_text=True)
    assert "Klagomål på verkställighet" in member_page
    assert "Anna Andersson-Skyddad" not in member_page
    assert "Skyddas av sekretess" in member_page
    registrar_page = login_as("registrator").get(f"/arenden/{case_id}").get_data(as_text=True)
    assert "Anna Andersson-Skyddad" in registrar_page
