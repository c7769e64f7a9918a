"""The search in Swedish (app.search): the query set with its expected hits, the index following every change, and
the secrecy rules (canaries), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from app.clock import local_today
from app.extensions import db
from app.registry import operations as registry_ops
from app.search import queries
from app.search.indexing import reindex_all
from app.search.models import EntryKind, SearchEntry
from app.search.queries import SearchRequest, SearchResult, search
from tests.canaries import CANARIES, make_confidential, signed_case_with_canaries
from tests.factories import (
    SEARCHED_TITLE,
    SECRET_BILAGA,
    create_case,
    person,
    searched_case,
    signed_report_with_bilagor,
)

RIKTLINJER = SEARCHED_TITLE
BARHUS = "Bårhusverksamheten i södra länet"


@pytest.fixture
def corpus(demo):
    """The demo, and two cases of Socialnämnden: riktlinjer with a signed report, and bårhusverksamheten."""
    riktlinjer = searched_case()
    barhus = create_case(BARHUS, officer=person("handlaggare"))
    db.session.commit()
    return {"riktlinjer": riktlinjer, "barhus": barhus}


def find(key: str, q: str, **filters) -> SearchResult:
    return search(person(key), SearchRequest(q=q, **filters))


def titles(result: SearchResult) -> list[str]:
    return [str(h.title).replace("<mark>", "").replace("</mark>", "") for h in result.hits]


def everything_shown(result: SearchResult) -> str:
    """Every text a result shows: headings, snippets, numbers, facets and the suggestion."""
    parts = [f"{h.title} {h.snippet} {h.case_number} {h.committee}" for h in result.hits]
    parts += [f"{f.value} {f.label} {f.count}" for values in result.facets.values() for f in values]
    return " ".join([*parts, result.suggestion or ""])


# --- the Swedish query set ----------------------------------------------------------------------------------


def test_inflection_finds_another_form_of_the_word(corpus):
    result = find("sekreterare", "riktlinje")
    assert RIKTLINJER in titles(result)
    assert any("riktlinje" in str(h.title).casefold() for h in result.hits)
    # and the other way round: the defined plural finds the text that has the word in another form
    assert RIKTLINJER in titles(find("sekreterare", "riktlinjer"))


def test_a_compound_is_found_by_its_first_part(corpus):
    result = find("sekreterare", "bårhus")
    assert BARHUS in titles(result)
    hit = next(h for h in result.hits if BARHUS in str(h.title).replace("<mark>", "").replace("</mark>", ""))
    assert str(hit.title).startswith("<mark>Bårhus")


def test_a_word_of_a_signed_report_finds_it(corpus):
    result = find("sekreterare", "riksnormen")
    report = next(h for h in result.hits if h.kind is EntryKind.report)
    assert report.case_id == corpus["riktlinjer"].id
    assert "<mark>riksnormen</mark>" in str(report.snippet)


def test_a_number_fragment_ranks_its_case_first(corpus):
    result = find("registrator", "3342")
    assert result.hits[0].kind is EntryKind.case
    assert result.hits[0].case_number == "SN-2016/3342.181"


def test_a_whole_diarienummer_ranks_its_case_first(corpus):
    number = corpus["barhus"].number
    result = find("registrator", number.lower())
    assert result.hits[0].case_number == number and result.hits[0].kind is EntryKind.case


def test_a_paragraph_ranks_its_exact_match_first(corpus):
    for typed in ("§ 12", "§12"):
        result = find("sekreterare", typed)
        assert result.hits, typed
        first = result.hits[0]
        assert first.kind is EntryKind.protokoll
        assert str(first.title).startswith("<mark>§ 12</mark> ")


def test_a_quoted_phrase(corpus):
    result = find("sekreterare", '"ekonomiskt bistånd"')
    assert RIKTLINJER in titles(result)
    assert BARHUS not in titles(result)
    assert all("ekonomiskt bistånd" in str(h.title) + str(h.snippet) or h.kind for h in result.hits)
    # the words apart must not match as a phrase
    assert not find("sekreterare", '"bistånd ekonomiskt"').hits


def test_letters_with_and_without_ring_and_dots(corpus):
    assert RIKTLINJER in titles(find("sekreterare", "bistånd"))
    assert RIKTLINJER in titles(find("sekreterare", "BISTÅND"))
    without = find("sekreterare", "bistand")
    assert without.total == 0
    assert without.suggestion == "bistånd"
    assert find("sekreterare", "ekonomiskt bistand").suggestion == "ekonomiskt bistånd"


def test_facets_and_paging_count_what_is_found(corpus):
    result = find("sekreterare", "socialnämnden")
    assert result.total > 0
    kinds = {f.value: f.count for f in result.facets["kind"]}
    assert sum(kinds.values()) == result.total
    only_cases = find("sekreterare", "socialnämnden", kind=EntryKind.case)
    assert only_cases.total == kinds["case"]
    # a facet's own choice leaves its values for the others to choose
    assert {f.value for f in only_cases.facets["kind"]} == set(kinds)
    if result.total > 20:
        second = find("sekreterare", "socialnämnden", page=2)
        assert {(h.kind, h.object_id, h.part) for h in second.hits}.isdisjoint(
            {(h.kind, h.object_id, h.part) for h in result.hits}
        )


def test_a_snippet_is_escaped_before_it_is_marked(demo):
    officer = person("handlaggare")
    create_case("Skolan <script>alert(1)</script> & bistånd", officer=officer)
    db.session.commit()
    hit = next(h for h in find("registrator", "script").hits if h.kind is EntryKind.case)
    assert "<script>" not in str(hit.title)
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; &amp; bistånd" in str(hit.title)


# --- the index follows every change -------------------------------------------------------------------------


def test_the_index_follows_a_change_in_the_same_transaction(corpus):
    case = corpus["barhus"]
    registrar = person("registrator")
    registry_ops.update_case(case, user=registrar, title="Gravkapellets framtid", case_officer=case.case_officer)
    assert "Gravkapellets framtid" in titles(find("registrator", "gravkapell"))  # before the commit, same transaction
    db.session.rollback()
    assert not find("registrator", "gravkapell").hits
    assert BARHUS in titles(find("registrator", "bårhus"))


def test_reindex_rebuilds_the_same_index(corpus):
    def snapshot():
        return sorted(
            db.session.execute(
                select(SearchEntry.kind, SearchEntry.object_id, SearchEntry.part, SearchEntry.plain)
            ).all()
        )

    before = snapshot()
    count = reindex_all()
    db.session.commit()
    assert count == db.session.scalar(select(func.count()).select_from(SearchEntry)) == len(before)
    assert snapshot() == before
    assert RIKTLINJER in titles(find("sekreterare", "riktlinje"))


def test_flask_search_reindex(app, corpus):
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed" in result.output


# --- secrecy: canaries --------------------------------------------------------------------------------------


def assert_nothing_of(result: SearchResult, canaries: list[str], who: str) -> None:
    shown = everything_shown(result)
    found = [c for c in canaries if c.casefold() in shown.casefold()]
    assert not found, f"{found} shown to {who}"


def test_a_confidential_case_is_found_only_by_those_who_may_see_it(demo):
    case = signed_case_with_canaries()
    make_confidential(case, rename=False)
    for key in ("registrator", "sekreterare", "handlaggare"):
        assert any(h.case_id == case.id for h in find(key, "KANARI").hits), key
    before = {key: find(key, "socialnämnden") for key in ("controller", "ledamot", "ks-handlaggare")}
    for key in ("controller", "ledamot", "ks-handlaggare"):
        for canary in [*CANARIES, case.number, "kanari", "kanarieholm"]:
            result = find(key, canary)
            assert result.total == 0 and not result.hits, (key, canary)
            assert all(not values for values in result.facets.values()), (key, canary)
            assert result.suggestion is None
            assert_nothing_of(result, CANARIES, key)
    # counts and facets of a wide query are the same as without the case
    for key, earlier in before.items():
        again = find(key, "socialnämnden")
        assert again.total == earlier.total and again.facets == earlier.facets
        assert_nothing_of(again, CANARIES, key)


def test_a_case_made_confidential_hides_its_entries_at_once(demo):
    case = signed_case_with_canaries()
    assert find("controller", "Kanarieholmen").total == 1  # the open case's report, for staff
    make_confidential(case, rename=True)
    for canary in CANARIES:
        assert find("controller", canary).total == 0


def test_a_confidential_bilaga_is_found_only_by_those_who_may_read_it(new_case):
    case, (_public, secret) = signed_report_with_bilagor(new_case, "Uppföljning av hemtjänsten 2026")
    for key in ("handlaggare", "registrator", "sekreterare"):
        assert any(h.kind is EntryKind.bilaga and h.object_id == secret for h in find(key, "Exempelsson").hits), key
    for key in ("controller", "ledamot", "ks-handlaggare"):
        result = find(key, "Exempelsson")
        # (a member reads the demo's sekretessärende about Alva Exempelsson in the kallelse and the protokoll)
        assert result.total == (2 if key == "ledamot" else 0)
        assert not [h for h in result.hits if h.kind is EntryKind.bilaga], key
        assert_nothing_of(result, [SECRET_BILAGA, "familjen Exempelsson"], key)
        assert_nothing_of(find(key, "utredning"), ["Exempelsson", SECRET_BILAGA], key)
        assert_nothing_of(find(key, "hemtjänsten"), ["Exempelsson", SECRET_BILAGA], key)
    # the case and its public bilaga are found by the same staff
    assert any(h.kind is EntryKind.bilaga for h in find("controller", "verksamhetsberättelse").hits)


def test_a_confidential_document_party_is_found_only_by_those_who_may_read_it(corpus):
    registry_ops.register_document(
        corpus["riktlinjer"],
        user=person("registrator"),
        direction="incoming",
        document_date=local_today(),
        description="Synpunkter på riktlinjerna",
        counterparty="Hemlig Kanarisson",
        is_confidential=True,
        secrecy_provision="26 kap. 1 § OSL",
    )
    db.session.commit()
    assert find("registrator", "Kanarisson").total == 1
    for key in ("controller", "ledamot"):
        assert find(key, "Kanarisson").total == 0
        assert_nothing_of(find(key, "riktlinjerna"), ["Kanarisson"], key)


def test_a_member_finds_no_report_and_nobody_logged_out_finds_anything(corpus):
    member = find("ledamot", "riksnormen")
    assert all(h.kind is not EntryKind.report for h in member.hits)
    assert search(None, SearchRequest(q="riktlinjer")).total == 0  # type: ignore[arg-type]


# --- more hits than a search reads --------------------------------------------------------------------------

TOWER = "Tillsyn av vattentornet"


@pytest.fixture
def towers(demo, monkeypatch):
    """Five cases about the water tower this year and three of two years ago (their index entries' year and date
    moved back, as a case registered then has them); a search reads four hits at most."""
    monkeypatch.setattr(queries, "HIT_LIMIT", 4)
    officer = person("handlaggare")
    new = [create_case(f"{TOWER} {n}", officer=officer) for n in range(5)]
    old = [create_case(f"{TOWER} {n}", officer=officer) for n in range(5, 8)]
    db.session.flush()
    year = local_today().year
    db.session.execute(
        update(SearchEntry)
        .where(SearchEntry.case_id.in_([c.id for c in old]))
        .values(year=year - 2, entry_date=local_today().replace(year=year - 2, day=1))
    )
    db.session.commit()
    return {"new": new, "old": old, "year": year}


def test_more_hits_than_it_reads_are_said_and_the_newest_shown(towers):
    result = find("registrator", "vattentornet")
    assert result.capped and result.sampled
    assert result.total == 4 == len(result.hits)
    assert {h.year for h in result.hits} == {towers["year"]}
    assert sum(f.count for f in result.facets["kind"]) == 4
    # the year facet counts the years read and offers the older ones without a count, to be chosen
    years = {f.value: f.count for f in result.facets["year"]}
    assert years[str(towers["year"])] == 4 and years[str(towers["year"] - 2)] is None
    # a year chosen reads that year's own hits, all of them
    older = find("registrator", "vattentornet", year=towers["year"] - 2)
    assert not older.capped and older.total == 3
    assert {h.case_id for h in older.hits} == {c.id for c in towers["old"]}


def test_an_exact_diarienummer_is_found_first_however_many_the_hits(towers):
    old = towers["old"][0]
    for n in range(5):  # texts of this year naming the old case's number: more than the search reads
        create_case(f"Yttrande över {old.number} del {n}", officer=person("handlaggare"))
    db.session.commit()
    result = find("registrator", old.number)
    assert result.capped
    assert result.hits[0].kind is EntryKind.case and result.hits[0].case_id == old.id


def test_what_the_user_may_not_find_never_fills_the_limit(towers):
    officer = person("handlaggare")
    secret = [create_case(f"{TOWER} {n}", officer=officer, confidential=True) for n in range(8, 14)]
    db.session.commit()
    # the controller sees the open ones only: the limit is reached by them, never by the secret ones
    result = find("controller", "vattentornet")
    assert {h.case_id for h in result.hits}.isdisjoint({c.id for c in secret})
    assert not find("controller", "vattentornet", year=towers["year"] - 2).capped
    # with fewer open hits than the limit, the total is theirs alone
    for case in towers["new"]:
        make_confidential(case, rename=False)
    db.session.commit()
    only_old = find("controller", "vattentornet")
    assert not only_old.capped and only_old.total == 3
    assert {h.case_id for h in only_old.hits} == {c.id for c in towers["old"]}


def test_the_newest_years_hits_come_first_when_they_are_fewer_than_the_limit(towers):
    """Two hits this year, six older: more than the search reads, the two of this year first."""
    moved = [c.id for c in towers["new"][2:]]
    db.session.execute(
        update(SearchEntry)
        .where(SearchEntry.case_id.in_(moved))
        .values(year=towers["year"] - 3, entry_date=local_today().replace(year=towers["year"] - 3, day=1))
    )
    db.session.commit()
    result = find("registrator", "vattentornet")
    assert result.capped and len(result.hits) == 4
    assert [h.year for h in result.hits[:2]] == [towers["year"]] * 2
    assert {h.case_id for h in result.hits[:2]} == {c.id for c in towers["new"][:2]}
