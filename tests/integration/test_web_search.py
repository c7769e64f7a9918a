"""The page Sök (/sok) and GET /api/v1/search: the same search, its facets, paging and refusals, and the secrecy
rules through both (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from app.extensions import db
from app.search import queries
from tests.canaries import CANARIES, make_confidential, signed_case_with_canaries
from tests.factories import body_of, create_case, person, searched_case


def test_the_page_shows_marked_hits_with_links_and_facets(login_as):
    case = searched_case()
    html = body_of(login_as("sekreterare").get("/sok?q=riksnormen"))
    assert "<mark>riksnormen</mark>" in html
    assert f'href="/arenden/{case.id}/utlatande"' in html
    assert "Tjänsteutlåtande (1)" in html
    assert 'role="search"' in html and 'id="sidhuvud-sok"' in html


def test_a_facet_link_filters_and_keeps_the_query(login_as):
    searched_case()
    client = login_as("sekreterare")
    html = body_of(client.get("/sok?q=riktlinje"))
    link = re.search(r'href="(/sok\?[^"]*kind=report[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "q=riktlinje" in link
    filtered = body_of(client.get(link))
    assert 'aria-current="true">Tjänsteutlåtande' in filtered
    assert "1 träff." in filtered


def test_the_page_suggests_the_word_with_its_ring(login_as):
    searched_case()
    html = body_of(login_as("sekreterare").get("/sok?q=bistand"))
    assert "0 träffar" in html
    assert "Menade du:" in html and ">bistånd</a>" in html


def test_odd_filters_are_refused_in_swedish(login_as):
    client = login_as("sekreterare")
    assert "Året ska vara ett positivt heltal." in body_of(client.get("/sok?q=a&year=tjugo"), 400)
    assert "Välj ett av alternativen i listan." in body_of(client.get("/sok?q=a&kind=hemligt"), 400)
    assert "Söktexten får vara högst 200 tecken." in body_of(client.get("/sok?q=" + "a" * 201), 400)


def test_the_page_needs_a_log_in(client, demo):
    response = client.get("/sok?q=riktlinje")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_the_api_answers_the_same_search(api_as):
    case = searched_case()
    client, headers = api_as("sekreterare")
    response = client.get("/api/v1/search?q=riksnormen", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    report = next(h for h in body["items"] if h["kind"] == "report")
    assert report["case_id"] == case.id and report["case_number"] == case.number
    assert "<mark>riksnormen</mark>" in report["snippet_html"]
    assert report["links"]["html"].endswith(f"/arenden/{case.id}/utlatande")
    assert {f["value"] for f in body["facets"]["kind"]} >= {"report"}
    assert client.get("/api/v1/search?q=bistand", headers=headers).get_json()["suggestion"] == "bistånd"


def test_the_api_refuses_odd_parameters(api_as):
    client, headers = api_as("sekreterare")
    assert client.get("/api/v1/search?q=a&kind=hemligt", headers=headers).status_code == 400
    assert client.get("/api/v1/search?q=a&page=501", headers=headers).status_code == 400
    assert client.get("/api/v1/search?q=a&hemlig=1", headers=headers).status_code == 400
    assert client.get("/api/v1/search?q=a").status_code == 401


def test_no_canary_through_the_page_or_the_api(login_as, api_as):
    case = signed_case_with_canaries()
    make_confidential(case, rename=False)
    assert "KANARI" in body_of(login_as("registrator").get("/sok?q=kanari"))
    for key in ("controller", "ledamot", "ks-handlaggare"):
        page_client = login_as(key)
        api_client, headers = api_as(key)
        for q in ("kanari", "Kanarieholmen", case.number, "familjehem", "KANARI-Bilaga"):
            html = body_of(page_client.get(f"/sok?q={q}"))
            assert "0 träffar" in html, (key, q)
            answer = api_client.get(f"/api/v1/search?q={q}", headers=headers).get_json()
            assert answer["total"] == 0 and answer["items"] == [], (key, q)
            # what the user typed is shown back to them; nothing else of the case may be
            for text in (html.replace(q, ""), str(answer).replace(q, "")):
                assert not [c for c in CANARIES if c in text], (key, q)


# --- the public search -------------------------------------------------------------------------------------


def test_the_public_search_finds_open_cases_and_public_kallelse_items_without_a_log_in(client, demo):
    case = searched_case()
    html = body_of(client.get("/offentligt/sok?q=riktlinje"))
    assert f'href="/offentligt/diarium/{case.id}"' in html
    # what only staff read is not there: the report's text
    assert "0 träffar" in body_of(client.get("/offentligt/sok?q=riksnormen"))
    # the demo's published kallelse: its public items
    html = body_of(client.get("/offentligt/sok?q=bårhus&kind=public_kallelse"))
    assert "<mark>bårhus</mark>" in html and 'href="/offentligt/sammantraden/' in html


def test_the_public_search_finds_nothing_of_a_confidential_case(client, demo):
    from app.demo import data

    case = signed_case_with_canaries()
    assert "1 träff." in body_of(client.get("/offentligt/sok?q=familjehem"))  # open, the public finds its title
    assert "0 träffar" in body_of(client.get("/offentligt/sok?q=Kanarieholmen"))  # but not its report
    make_confidential(case, rename=True)
    queries = ["kanari", "KANARI-Bilaga", "Kanarieholmen", "familjehem", case.number, "Nyttnamnsson"]
    queries += [title for _number, title, _public, _day in data.CONFIDENTIAL_CASES]
    queries += [number for number, _title, _public, _day in data.CONFIDENTIAL_CASES]
    for q in queries:
        html = body_of(client.get("/offentligt/sok", query_string={"q": q}))
        assert "0 träffar" in html, q
        assert not [c for c in CANARIES if c in html.replace(q, "")], q


def test_more_hits_than_the_search_reads_are_said_on_the_page_and_in_the_api(login_as, api_as, monkeypatch):
    monkeypatch.setattr(queries, "HIT_LIMIT", 2)
    officer = person("handlaggare")
    for place in ("Flemingsberg", "Stuvsta", "Segeltorp"):
        create_case(f"Tillsyn av vattentornet i {place}", officer=officer)
    db.session.commit()
    html = body_of(login_as("registrator").get("/sok?q=vattentornet"))
    assert "Fler än 2 träffar, de senaste åren först." in html
    assert "Antalen gäller de 2 senaste träffarna." in html
    assert html.count('class="search-hit"') == 2
    client, headers = api_as("registrator")
    body = client.get("/api/v1/search?q=vattentornet", headers=headers).get_json()
    assert body["capped"] is True and body["facets_sampled"] is True
    assert body["total"] == 2 and len(body["items"]) == 2
    # one more word, fewer hits: counted whole again
    body = client.get("/api/v1/search?q=vattentornet+stuvsta", headers=headers).get_json()
    assert body["capped"] is False and body["total"] == 1
