"""The cases API: search with pagination and filters, confidentiality, lookup by number, registration."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth import operations as auth_ops
from app.auth.models import User
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee
from app.registry import operations
from app.registry.models import Case, RegistrationCounter
from tests.api_helpers import NOT_FOUND, scalar
from tests.factories import csrf_token, fresh_session

CONFIDENTIAL = {"SN-2017/12.754", "SN-2017/13.754", "SN-2017/45.754"}
KS = {"KS-2017/12.229", "KS-2017/37.182"}


def user_id(demo, key: str) -> int:
    return scalar(select(User.id).where(User.email == demo[key]["email"]))


def committee_id(prefix: str) -> int:
    return scalar(select(Committee.id).where(Committee.registry_prefix == prefix))


def case_id(number: str) -> int:
    return scalar(select(Case.id).where(Case.number == number))


def count(model) -> int:
    return scalar(select(func.count()).select_from(model))


def stored_state() -> tuple:
    """What a refused registration must leave unchanged: cases, audit rows, counters."""
    return count(Case), count(AuditEntry), scalar(select(func.sum(RegistrationCounter.last_serial)))


def get_all(client, headers, **params) -> list[str]:
    """Return the numbers of every page of a search, following the next links."""
    response = client.get("/api/v1/cases", query_string={**params, "per_page": 200}, headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["pages"] <= 1
    return [item["number"] for item in body["items"]]


# --- the list -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, total", [("registrator", 19), ("handlaggare", 17), ("ledamot", 14), ("ks-handlaggare", 2)]
)
def test_total_counts_only_the_cases_the_user_may_see(api_as, key, total):
    client, headers = api_as(key)
    body = client.get("/api/v1/cases", headers=headers).get_json()
    assert body["total"] == total
    assert len(body["items"]) == min(total, 25)
    assert body["page"] == 1 and body["per_page"] == 25


def test_pages_split_the_list_and_link_to_each_other(api_as):
    client, headers = api_as("ledamot")
    first = client.get("/api/v1/cases?per_page=5&q=&status=open", headers=headers)
    assert first.status_code == 200
    body = first.get_json()
    assert (body["total"], body["pages"], body["page"], body["per_page"]) == (14, 3, 1, 5)
    assert body["prev"] is None
    seen = [item["number"] for item in body["items"]]
    while body["next"]:
        link = urlsplit(body["next"])
        assert link.scheme == "http" and "per_page=5" in link.query and "status=open" in link.query
        body = client.get(f"{link.path}?{link.query}", headers=headers).get_json()
        seen += [item["number"] for item in body["items"]]
    assert body["page"] == 3 and len(body["items"]) == 4
    assert urlsplit(body["prev"]).query.count("page=2") == 1
    assert len(seen) == len(set(seen)) == 14
    dates = [
        item["registered_on"] for item in client.get("/api/v1/cases?per_page=14", headers=headers).get_json()["items"]
    ]
    assert dates == sorted(dates, reverse=True)


def test_a_page_past_the_end_is_empty(api_as):
    client, headers = api_as("ledamot")
    body = client.get("/api/v1/cases?per_page=10&page=7", headers=headers).get_json()
    assert body["items"] == [] and body["total"] == 14 and body["next"] is None
    assert "page=2" in body["prev"]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "BÅRHUS"}, {"SN-2016/3693.103"}),
        ({"q": "bårhus"}, {"SN-2016/3693.103"}),
        ({"q": "detaljplan REMISSVAR"}, {"SN-2016/3635.313", "SN-2017/51.313"}),
        ({"q": "KSL/12/0177-37"}, {"SN-2016/3693.103"}),
        ({"number": "SN-2016/3342.181"}, {"SN-2016/3342.181"}),
        ({"number": "3342"}, {"SN-2016/3342.181"}),
        ({"number": "2017/5"}, {"SN-2017/50.182", "SN-2017/51.313"}),
        (
            {"registered_from": "2017-01-10", "registered_to": "2017-01-11"},
            {"SN-2017/50.182", "SN-2017/51.313", "SN-2017/71.280"},
        ),
        ({"registered_from": "2017-01-16"}, {"SN-2017/104.183", "SN-2017/100.905", "KS-2017/37.182"}),
        ({"classification": "313"}, {"SN-2016/3635.313", "SN-2017/51.313"}),
        ({"classification": "754", "q": "Testsson"}, {"SN-2017/12.754"}),
    ],
    ids=lambda v: str(v) if not isinstance(v, set) else "",
)
def test_each_filter_finds_the_right_cases(api_as, params, expected):
    client, headers = api_as("registrator")
    assert set(get_all(client, headers, **params)) == expected


def test_committee_filter(api_as):
    client, headers = api_as("registrator")
    assert set(get_all(client, headers, committee_id=committee_id("KS"))) == KS
    assert len(get_all(client, headers, committee_id=committee_id("SN"))) == 17


def test_case_officer_filter(api_as, demo):
    client, headers = api_as("registrator")
    numbers = get_all(client, headers, case_officer_id=user_id(demo, "controller"))
    assert set(numbers) == {
        "SN-2016/3342.181",
        "SN-2017/50.182",
        "SN-2017/30.909",
        "SN-2016/2624.719",
        "SN-2017/90.728",
    }


def test_status_filter(api_as, demo):
    registrar_id, closed_id, voided_id = (
        user_id(demo, "registrator"),
        case_id("SN-2016/3342.181"),
        case_id("SN-2017/50.182"),
    )
    registrar = db.session.get(User, registrar_id)
    operations.close_case(db.session.get(Case, closed_id), user=registrar)
    operations.void_case(db.session.get(Case, voided_id), user=registrar, reason="Registrerat två gånger")
    db.session.commit()
    client, headers = api_as("registrator")
    assert get_all(client, headers, status="closed") == ["SN-2016/3342.181"]
    assert get_all(client, headers, status="voided") == ["SN-2017/50.182"]
    assert len(get_all(client, headers, status="open")) == 17


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=201", "per_page"),
        ("per_page=0", "per_page"),
        ("committee_id=abc", "committee_id"),
        ("committee_id=99999999999", "committee_id"),
        ("case_officer_id=-1", "case_officer_id"),
        ("registered_from=2017-13-01", "registered_from"),
        ("registered_from=20170101", "registered_from"),
        ("registered_from=2017-02-01&registered_to=2017-01-01", "registered_to"),
        ("status=pending", "status"),
        ("stauts=open", "stauts"),
        ("status=open&status=closed", "status"),
        ("q=" + "x" * 201, "q"),
        ("q=ab%00c", "q"),
        ("classification=" + "1" * 31, "classification"),
    ],
)
def test_invalid_filters_are_refused_naming_the_parameter(api_as, query, field):
    client, headers = api_as("registrator")
    response = client.get(f"/api/v1/cases?{query}", headers=headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and set(error["fields"]) == {field}
    assert error["message"] == error["fields"][field]


def test_filtering_on_a_committee_one_is_not_member_of_is_refused_like_an_unknown_one(api_as):
    client, headers = api_as("ledamot")
    foreign = client.get(f"/api/v1/cases?committee_id={committee_id('KS')}", headers=headers)
    unknown = client.get("/api/v1/cases?committee_id=9999", headers=headers)
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.get_json() == unknown.get_json()
    assert foreign.get_json()["error"]["fields"] == {"committee_id": "Nämnden finns inte."}


# --- one case, confidentiality --------------------------------------------------------------------


def test_case_detail_has_its_documents_and_links(api_as):
    client, headers = api_as("ledamot")
    cid = case_id("SN-2016/3693.103")
    response = client.get(f"/api/v1/cases/{cid}", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "Överenskommelse mellan hälso- och sjukvårdsförvaltningen".encode() in response.data  # not \u-escaped
    case = response.get_json()["case"]
    assert case["number"] == "SN-2016/3693.103"
    assert case["committee"] == {"id": committee_id("SN"), "name": "Socialnämnden", "registry_prefix": "SN"}
    assert case["classification"] == {"code": "103", "name": "Samverkan med andra myndigheter och organisationer"}
    assert (case["status"], case["registered_on"], case["closed_on"]) == ("open", "2016-12-28", None)
    assert case["case_officer"] == {"id": case["case_officer"]["id"], "name": "Johan Ek", "title": "Utredare"}
    assert case["case_officer"]["id"] == scalar(select(Case.case_officer_id).where(Case.id == cid))
    assert case["external_reference"] == "KSL/12/0177-37"
    assert "public_title" not in case
    assert case["confidentiality"] == {
        "is_confidential": False,
        "provision": None,
        "decided_on": None,
        "decided_by": None,
    }
    assert [(d["number"], d["direction"], d["counterparty"]) for d in case["documents"]] == [
        (1, "incoming", "Storsthlm"),
        (2, "internal", ""),
    ]
    assert case["documents"][0] == {
        "number": 1,
        "direction": "incoming",
        "direction_label": "Inkommande",
        "document_date": "2016-12-28",
        "counterparty": "Storsthlm",
        "description": "Rekommendation om överenskommelse",
        "external_reference": "KSL/12/0177-37",
        "is_confidential": False,
        "registered_from": None,
        "sha256": None,
    }
    assert case["links"] == {"self": f"http://localhost/api/v1/cases/{cid}", "html": f"http://localhost/arenden/{cid}"}


def test_member_never_sees_confidential_cases(api_as):
    client, headers = api_as("ledamot")
    assert not CONFIDENTIAL & set(get_all(client, headers))
    for words in ("Testsson", "adoption", "754", "tingsrätt"):
        assert get_all(client, headers, q=words) == []
    assert get_all(client, headers, number="SN-2017/12.754") == []
    for number in CONFIDENTIAL:
        by_id = client.get(f"/api/v1/cases/{case_id(number)}", headers=headers)
        by_number = client.get(f"/api/v1/cases/by-number/{quote(number, safe='')}", headers=headers)
        assert by_id.status_code == by_number.status_code == 404
        assert by_id.get_json() == by_number.get_json() == NOT_FOUND
    unknown = client.get("/api/v1/cases/999999", headers=headers)
    assert unknown.status_code == 404 and unknown.get_data() == by_id.get_data()


@pytest.mark.parametrize("key", ["registrator", "handlaggare"])
def test_registrar_and_responsible_officer_see_confidential_cases(api_as, key):
    client, headers = api_as(key)
    assert get_all(client, headers, q="Testsson") == ["SN-2017/12.754"]
    assert set(get_all(client, headers)) >= CONFIDENTIAL
    case = client.get(f"/api/v1/cases/{case_id('SN-2017/12.754')}", headers=headers).get_json()["case"]
    assert "Elin Testsson" in case["title"]
    assert case["public_title"].startswith("Yttrande till Södertörns tingsrätt angående adoption enligt")
    assert case["confidentiality"]["is_confidential"] is True
    assert case["confidentiality"]["provision"] == "26 kap. 1 § OSL"
    assert case["documents"][0]["is_confidential"] is True


@pytest.mark.parametrize(
    "key, sees_party",
    [
        ("ledamot", False),
        ("handlaggare", False),
        ("controller", True),
        ("registrator", True),
        ("enhetschef", True),
    ],
)
def test_party_of_a_confidential_document_is_masked_for_those_without_the_right(api_as, demo, key, sees_party):
    """On an open case, a confidential document's party shows only to secrecy roles and the case's officer."""
    cid, registrar_id = case_id("SN-2016/3342.181"), user_id(demo, "registrator")
    operations.register_document(
        db.session.get(Case, cid),
        user=db.session.get(User, registrar_id),
        direction="incoming",
        document_date=local_today(),
        counterparty="Elin Testsson",
        description="Skrivelse från enskild",
        is_confidential=True,
        secrecy_provision="26 kap. 1 § OSL",
    )
    db.session.commit()
    client, headers = api_as(key)
    response = client.get(f"/api/v1/cases/{cid}", headers=headers)
    documents = response.get_json()["case"]["documents"]
    assert documents[-1]["is_confidential"] is True
    assert documents[-1]["counterparty"] == ("Elin Testsson" if sees_party else None)
    assert (b"Testsson" in response.data) is sees_party
    assert documents[0]["counterparty"] == ""  # the open tjänsteutlåtande is not masked


def test_ks_only_user_sees_no_socialnamnden_case(api_as):
    client, headers = api_as("ks-handlaggare")
    assert set(get_all(client, headers)) == KS
    assert get_all(client, headers, q="verksamhetsberättelse") == []
    sn_case = client.get(f"/api/v1/cases/{case_id('SN-2016/3342.181')}", headers=headers)
    by_number = client.get("/api/v1/cases/by-number/SN-2016%2F3342.181", headers=headers)
    committee = client.get(f"/api/v1/committees/{committee_id('SN')}", headers=headers)
    assert sn_case.status_code == by_number.status_code == committee.status_code == 404
    assert sn_case.get_json() == by_number.get_json() == committee.get_json() == NOT_FOUND


def test_huge_case_id_is_a_404_not_a_crash(api_as):
    client, headers = api_as("registrator")
    assert client.get("/api/v1/cases/99999999999999999999", headers=headers).status_code == 404


# --- by number ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["SN-2016%2F3342.181", "sn-2016%2F3342.181", "Dnr%20SN-2016%2F3342.181"])
def test_by_number_finds_the_case(api_as, typed):
    client, headers = api_as("ledamot")
    response = client.get(f"/api/v1/cases/by-number/{typed}", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["case"]["id"] == case_id("SN-2016/3342.181")


def test_by_number_refuses_another_organisations_number(api_as):
    client, headers = api_as("registrator")
    response = client.get("/api/v1/cases/by-number/KSL%2F12%2F0177-37", headers=headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "extern referens" in error["message"] and "SN-2016/3342.181" in error["message"]
    assert error["fields"] == {"number": error["message"]}


@pytest.mark.parametrize("number", ["SN-1999%2F1.181", "SN-2016%2F3342.999", "KS-2016%2F3342.181"])
def test_by_number_unknown_is_404(api_as, number):
    client, headers = api_as("registrator")
    response = client.get(f"/api/v1/cases/by-number/{number}", headers=headers)
    assert response.status_code == 404 and response.get_json() == NOT_FOUND


# --- registering ----------------------------------------------------------------------------------


def new_case(demo, **changes) -> dict:
    body = {
        "committee_id": committee_id("SN"),
        "title": "Överenskommelse om äldreomsorg enligt 5 kap. 4 § socialtjänstlagen",
        "classification_code": "181",
        "case_officer_id": user_id(demo, "handlaggare"),
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def test_register_with_a_token(api_as, demo):
    client, headers = api_as("handlaggare")
    year = local_today().year
    first = client.post("/api/v1/cases", json=new_case(demo, external_reference="KSL/12/0177-37"), headers=headers)
    assert first.status_code == 201, first.get_json()
    case = first.get_json()["case"]
    assert case["number"] == f"SN-{year}/1.181"
    assert first.headers["Location"] == f"http://localhost/api/v1/cases/{case['id']}"
    assert case["title"] == "Överenskommelse om äldreomsorg enligt 5 kap. 4 § socialtjänstlagen"
    assert (case["status"], case["registered_on"], case["documents"]) == ("open", local_today().isoformat(), [])
    assert case["case_officer"]["name"] == "Johan Ek"

    second = client.post("/api/v1/cases", json=new_case(demo, title="Ärende två: åäö ÅÄÖ §"), headers=headers)
    assert second.status_code == 201
    assert second.get_json()["case"]["number"] == f"SN-{year}/2.181"

    read_back = client.get(urlsplit(first.headers["Location"]).path, headers=headers).get_json()["case"]
    assert read_back["number"] == case["number"] and read_back["external_reference"] == "KSL/12/0177-37"
    with fresh_session() as session:
        stored = session.get(Case, case["id"])
        assert stored.title == "Överenskommelse om äldreomsorg enligt 5 kap. 4 § socialtjänstlagen"
        assert (stored.series, stored.year, stored.serial) == ("SN", year, 1)
        assert stored.created_by.email == demo["handlaggare"]["email"]
        assert session.get(Case, second.get_json()["case"]["id"]).title == "Ärende två: åäö ÅÄÖ §"
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.registered")).all()
        assert {(a.case_id, a.user_id) for a in audit} == {
            (case["id"], user_id(demo, "handlaggare")),
            (second.get_json()["case"]["id"], user_id(demo, "handlaggare")),
        }


def test_register_a_confidential_case(api_as, demo):
    client, headers = api_as("registrator")
    response = client.post(
        "/api/v1/cases",
        headers=headers,
        json=new_case(
            demo,
            classification_code="754",
            is_confidential=True,
            secrecy_provision="26 kap. 1 § OSL",
            title="Yttrande angående adoption av Test Testsson",
            public_title="Yttrande angående adoption",
        ),
    )
    assert response.status_code == 201, response.get_json()
    case = response.get_json()["case"]
    assert case["public_title"] == "Yttrande angående adoption"
    assert case["confidentiality"]["provision"] == "26 kap. 1 § OSL"
    assert case["confidentiality"]["decided_by"]["id"] == user_id(demo, "registrator")
    member, member_headers = api_as("ledamot")
    assert member.get(f"/api/v1/cases/{case['id']}", headers=member_headers).status_code == 404


def bad(id_: str, status: int, field: str, **changes):
    return pytest.param(changes, status, field, id=id_)


@pytest.mark.parametrize(
    "changes, status, field",
    [
        bad("unknown committee", 422, "committee_id", committee_id=9999),
        bad("committee not a member of", 422, "committee_id", committee_id=lambda demo: committee_id("KS")),
        bad("no committee", 422, "committee_id", committee_id=...),
        bad("empty title", 422, "title", title=""),
        bad("blank title", 422, "title", title="   "),
        bad("no title", 422, "title", title=...),
        bad("5000-character title", 422, "title", title="Å" * 5000),
        bad("NUL in title", 400, "title", title="Rad\x00noll"),
        bad("code not in the plan", 422, "classification_code", classification_code="999"),
        bad("NUL in code", 400, "classification_code", classification_code="18\x001"),
        bad(
            "officer of another committee",
            422,
            "case_officer_id",
            case_officer_id=lambda demo: user_id(demo, "ks-handlaggare"),
        ),
        bad("officer who is a member", 422, "case_officer_id", case_officer_id=lambda demo: user_id(demo, "ledamot")),
        bad("unknown officer", 422, "case_officer_id", case_officer_id=999999),
        bad("no officer", 422, "case_officer_id", case_officer_id=None),
        bad("committee_id text", 400, "committee_id", committee_id="abc"),
        bad("committee_id boolean", 400, "committee_id", committee_id=True),
        bad("committee_id decimal", 400, "committee_id", committee_id=1.5),
        bad("committee_id huge", 400, "committee_id", committee_id=10**30),
        bad("is_confidential text", 400, "is_confidential", is_confidential="yes"),
        bad("title list", 400, "title", title=["lista"]),
        bad("code number", 400, "classification_code", classification_code=181),
        bad("unknown key", 400, "titel", titel="Stavfel"),
        bad("confidential without provision", 422, "secrecy_provision", is_confidential=True),
    ],
)
def test_bad_registrations_are_refused_and_nothing_is_stored(api_as, demo, changes, status, field):
    client, headers = api_as("handlaggare")
    body = new_case(demo, **{k: v(demo) if callable(v) else v for k, v in changes.items()})
    before = stored_state()
    response = client.post("/api/v1/cases", json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["status"] == status and field in error["fields"] and error["message"]
    assert stored_state() == before


def test_unknown_committee_and_foreign_committee_get_the_same_answer(api_as, demo):
    client, headers = api_as("handlaggare")
    unknown = client.post("/api/v1/cases", json=new_case(demo, committee_id=9999), headers=headers)
    foreign = client.post("/api/v1/cases", json=new_case(demo, committee_id=committee_id("KS")), headers=headers)
    assert (
        unknown.get_json()
        == foreign.get_json()
        == {
            "error": {
                "status": 422,
                "message": "Nämnden finns inte.",
                "fields": {"committee_id": "Nämnden finns inte."},
            }
        }
    )


@pytest.mark.parametrize(
    "data, content_type, status, message",
    [
        ('{"title": ', "application/json", 400, "Innehållet är inte giltig JSON."),
        ("", "application/json", 400, "Innehållet är inte giltig JSON."),
        ("[1, 2]", "application/json", 400, "Innehållet måste vara ett JSON-objekt."),
        ("null", "application/json", 400, "Innehållet måste vara ett JSON-objekt."),
        (
            "title=Hej",
            "application/x-www-form-urlencoded",
            415,
            "Skicka innehållet som JSON med Content-Type: application/json.",
        ),
        ('{"title": "Hej"}', "text/plain", 415, "Skicka innehållet som JSON med Content-Type: application/json."),
    ],
)
def test_malformed_bodies_are_refused(api_as, data, content_type, status, message):
    client, headers = api_as("handlaggare")
    before = stored_state()
    response = client.post("/api/v1/cases", data=data, content_type=content_type, headers=headers)
    assert response.status_code == status
    assert response.get_json()["error"]["status"] == status
    assert response.get_json()["error"]["message"] == message
    assert stored_state() == before


def test_member_may_not_register(api_as, demo):
    client, headers = api_as("ledamot")
    before = stored_state()
    response = client.post("/api/v1/cases", json=new_case(demo), headers=headers)
    assert response.status_code == 403
    assert response.get_json()["error"]["status"] == 403
    assert stored_state() == before


# --- authentication -------------------------------------------------------------------------------


def test_session_needs_the_csrf_token_to_register(login_as, demo):
    client = login_as("handlaggare")
    refused = client.post("/api/v1/cases", json=new_case(demo))
    assert refused.status_code == 400
    assert "CSRF" in refused.get_json()["error"]["message"]
    assert count(Case) == 19
    token = csrf_token(client, "/profil")
    accepted = client.post("/api/v1/cases", json=new_case(demo), headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.get_json()
    assert client.get("/api/v1/cases", query_string={"q": "äldreomsorg"}).get_json()["total"] == 1


def test_revoked_or_invalid_token_is_refused(api_as, demo):
    client, headers = api_as("handlaggare")
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    user = db.session.get(User, user_id(demo, "handlaggare"))
    for row in user.api_tokens:
        auth_ops.revoke_token(row, user=user)
    db.session.commit()
    for auth in (headers["Authorization"], "Bearer nf_inte_en_nyckel", "Basic aGVqOmhlag=="):
        response = client.get("/api/v1/cases", headers={"Authorization": auth})
        assert response.status_code == 401
        assert response.get_json()["error"]["status"] == 401
    response = client.post("/api/v1/cases", json=new_case(demo), headers=headers)
    assert response.status_code == 401 and count(Case) == 19


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/cases"),
        ("get", "/api/v1/cases/1"),
        ("get", "/api/v1/cases/by-number/SN-2016%2F3342.181"),
        ("post", "/api/v1/cases"),
    ],
)
def test_no_credentials_is_401(client, demo, method, path):
    response = getattr(client, method)(path, json={} if method == "post" else None)
    assert response.status_code == 401
    assert response.get_json()["error"]["message"].startswith("Inloggning krävs")


def test_number_format_follows_the_diarium(api_as, demo):
    """A diarium with another format gets numbers, and lookups, in that format."""
    from app.registry.diaria import diarium_of
    from tests.factories import committee

    diarium_of(committee("SN")).number_format = "{prefix} {year}/{serial:04}"
    db.session.commit()
    client, headers = api_as("registrator")
    response = client.post("/api/v1/cases", json=new_case(demo), headers=headers)
    assert response.status_code == 201, response.get_json()
    number = response.get_json()["case"]["number"]
    assert re.fullmatch(rf"SN {local_today().year}/0001", number)
    found = client.get(f"/api/v1/cases/by-number/{quote(number, safe='')}", headers=headers)
    assert found.status_code == 200 and found.get_json()["case"]["number"] == number
    assert get_all(client, headers, number=number) == [number]
