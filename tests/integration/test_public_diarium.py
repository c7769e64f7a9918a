"""The public diarium without log-in: every committee's cases and registered documents, searchable and paged, with a
confidential case's title, a confidential document's description and party, personnummer and the names of private
persons masked (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import text

from app.demo import data
from app.extensions import db
from app.registry import operations as registry_ops
from app.registry.models import Case, Direction
from app.registry.public_register import (
    PRIVATE_PERSON,
    SECRET_CASE_TITLE,
    SECRET_DOCUMENT_TEXT,
    PublicDiariumQuery,
    is_organisation,
    search_public_cases,
)
from tests.factories import body_of, committee, create_case, fresh, person

SECRET_NUMBER, SECRET_TITLE, SECRET_PUBLIC_TITLE, _ = data.CONFIDENTIAL_CASES[0]


def _text(client, path: str, status: int = 200) -> str:
    return unescape(body_of(client.get(path), status))


def _numbers(html: str) -> list[str]:
    return re.findall(r'href="/offentligt/diarium/\d+"><span class="nowrap">([^<]+)</span></a>', html)


def test_the_diarium_lists_every_committees_cases_newest_first_with_secret_ones_masked(demo, client):
    newest = [
        create_case(f"Medborgarförslag om parkbänkar nummer {i}", officer=person("handlaggare")).number
        for i in range(10)
    ]
    fresh()
    html = _text(client, "/offentligt/diarium?committee=")
    assert "Offentlig diarieförteckning" in html and "OSL 5 kap. 2 §" in html
    shown = _numbers(html)
    assert len(shown) == 25 and "Sida 1 av 2" in html  # paged
    assert shown[:10] == newest[::-1]
    second = _text(client, "/offentligt/diarium?page=2")
    everything = shown + _numbers(second)
    assert len(everything) == len(set(everything)) == 29
    assert SECRET_NUMBER in everything and any(n.startswith("KS") for n in everything)
    both = html + second
    assert SECRET_CASE_TITLE in both
    for _number, title, public_title, _day in data.CONFIDENTIAL_CASES:
        assert title not in both and public_title not in both
    assert "Elin Testsson" not in both and "Södertörns tingsrätt" not in both


def test_a_secret_case_page_shows_its_number_and_dates_but_no_title_nor_documents(demo, client):
    html = _text(client, "/offentligt/diarium?q=" + SECRET_NUMBER)
    [link] = re.findall(r'href="(/offentligt/diarium/\d+)"', html)
    page = _text(client, link)
    assert SECRET_NUMBER in page and SECRET_CASE_TITLE in page and "2017-01-04" in page
    assert SECRET_TITLE not in page and SECRET_PUBLIC_TITLE not in page
    assert SECRET_DOCUMENT_TEXT in page and "Begäran om yttrande" not in page and "Södertörns tingsrätt" not in page
    assert _text(client, "/offentligt/diarium/999999", 404)


def test_search_matches_public_text_only(demo, client):
    # a word of an open case's title finds it; a word only in a secret title finds nothing
    assert "bårhus" in _text(client, "/offentligt/diarium?q=b%C3%A5rhus").lower()
    assert "0 ärenden" in _text(client, "/offentligt/diarium?q=Testsson")
    assert "0 handlingar" in _text(client, "/offentligt/diarium?visa=handlingar&q=yttrande+tingsr%C3%A4tt")
    # the number part of a secret case finds it, masked
    html = _text(client, "/offentligt/diarium?q=2017/12.754")
    assert _numbers(html) == [SECRET_NUMBER] and SECRET_CASE_TITLE in html
    # committee and dates
    ks = _text(client, f"/offentligt/diarium?committee={committee('KS').id}")
    assert _numbers(ks) and all(n.startswith("KS") for n in _numbers(ks))
    none = _text(client, "/offentligt/diarium?date_from=2030-01-01")
    assert "0 ärenden" in none


def test_bad_searches_are_refused_in_swedish(demo, client):
    html = _text(client, "/offentligt/diarium?date_from=2017-13-01", 400)
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in html
    html = _text(client, "/offentligt/diarium?date_from=2017-03-01&date_to=2017-01-01", 400)
    assert "Slutdatum kan inte vara före startdatum." in html
    html = _text(client, "/offentligt/diarium?q=19121212-1212", 400)
    assert "personnummer" in html
    assert "Välj ett av alternativen" in _text(client, "/offentligt/diarium?visa=allt", 400)


def test_documents_mask_private_persons_personnummer_and_secret_documents(demo, client):
    case = create_case("Klagomål från Anna Privatsson 19121212-1212 om färdtjänst", officer=person("handlaggare"))
    registrar = person("registrator")
    today = date(2026, 1, 2)
    documents = [
        (Direction.incoming, "Anna Privatsson", "Klagomål från Anna Privatsson", {}),
        (Direction.outgoing, "Inspektionen för vård och omsorg", "Svar till IVO", {}),
        (
            Direction.incoming,
            "Hemlig Uppgiftslämnare",
            "Anmälan om missförhållanden i hemmet",
            {"is_confidential": True, "secrecy_provision": "26 kap. 1 § OSL"},
        ),
    ]
    for direction, party, description, secrecy in documents:
        registry_ops.register_document(
            case,
            user=registrar,
            direction=direction,
            document_date=today,
            counterparty=party,
            description=description,
            **secrecy,
        )
    fresh()
    page = _text(client, f"/offentligt/diarium/{case.id}")
    listing = _text(client, "/offentligt/diarium?visa=handlingar&date_from=2026-01-02&date_to=2026-01-02")
    for html in (page, listing):
        assert "Privatsson" not in html and "19121212-1212" not in html and "Hemlig" not in html
        assert "missförhållanden" not in html
        assert PRIVATE_PERSON in html and "Inspektionen för vård och omsorg" in html and "Svar till IVO" in html
        assert SECRET_DOCUMENT_TEXT in html
    assert "121212-****" in page and "Klagomål från Privatperson" in page


def test_who_is_an_organisation():
    for name in (
        "Södertörns tingsrätt",
        "Samhällsbyggnadsavdelningen",
        "Storsthlm",
        "CuraNova Omsorg AB",
        "Kommunfullmäktige",
        "Inspektionen för vård och omsorg",
        "Försäkringskassan",
    ):
        assert is_organisation(name), name
    for name in ("Anna Privatsson", "Abbe Karlsson"):
        assert not is_organisation(name), name


def test_a_word_search_reads_its_cases_from_the_trigram_indexes_on_postgresql(demo, backend):
    """At 100,000 cases a word no open case has must not read every case's text (issue 19 item 8): PostgreSQL can
    answer both LIKEs of the word search (a number, an open case's text) from the migration's trigram indexes."""
    if backend != "postgresql":
        pytest.skip("SQLite has no trigram index: its LIKE reads the texts")
    # the count of the matches (the page's first cases may come from the diarium's order instead)
    stmt = search_public_cases(PublicDiariumQuery(q="riksnormen")).with_only_columns(Case.id).order_by(None)
    compiled = stmt.compile(db.engine)
    with db.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))  # the demo's few cases would rather be read whole
        plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params))
        # the text's LIKE alone (beside it above the planner may take the few open cases of the demo instead)
        text_plan = "\n".join(
            conn.scalars(text("EXPLAIN SELECT id FROM cases WHERE search_text LIKE :p"), {"p": "%riksnormen%"})
        )
    assert "ix_cases_trgm_number" in plan and "Seq Scan" not in plan, plan
    assert "ix_cases_trgm_search_text" in text_plan, text_plan
