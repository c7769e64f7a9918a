"""The kallelser and protokoll in the search (app.search): each found by the rule of the page that shows it, a
member finding the sekretessärenden they decide on, and the public finding a justerat protokoll's public version
only (canaries: the names in the confidential paragraphs), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from agenda.minutes.documents import DocumentKind
from agenda.minutes.operations import minutes_for
from agenda.snapshot import items_for
from app.extensions import db
from app.permissions import Action, can
from app.registry.models import Case
from app.search.models import EntryKind, SearchEntry
from app.search.queries import SearchRequest, search, search_public, visible_entries_clause
from tests.agenda.test_minutes_documents import _document
from tests.factories import body_of, demo_meeting, person

USERS = ["sekreterare", "registrator", "handlaggare", "controller", "enhetschef", "direktor", "ordforande"]
USERS += ["ledamot", "admin", "ks-handlaggare"]
#: the fictional names in the titles of the demo's sekretessärenden (app.demo.data.CONFIDENTIAL_CASES)
NAMES = ["Testsson", "Provsson", "Exempelsson"]


def found_parts(key: str, kind: EntryKind, object_ids: list[int]) -> set[int]:
    """The entries of ``kind`` the user may find, by the query's own clause (no words asked for)."""
    rows = db.session.execute(
        select(SearchEntry.object_id, SearchEntry.part)
        .outerjoin(Case, Case.id == SearchEntry.case_id)
        .where(SearchEntry.kind == kind, SearchEntry.object_id.in_(object_ids), visible_entries_clause(person(key)))
    ).all()
    return {part if kind is EntryKind.kallelse else object_id for object_id, part in rows}


@pytest.mark.parametrize("key", USERS)
def test_a_kallelse_item_is_found_exactly_when_its_page_shows_it(demo, key):
    meeting = demo_meeting()
    user = person(key)
    shown = (
        {i["number"] for i in items_for(meeting.latest_publication.members_snapshot, user) if not i.get("withheld")}
        if can(user, Action.view_meetings, meeting)
        else set()
    )
    assert found_parts(key, EntryKind.kallelse, [meeting.id]) == shown
    if key == "ledamot":  # the members read the sekretessärenden they decide on
        confidential = {i["number"] for i in meeting.latest_publication.members_snapshot["items"]}
        assert len(shown) == len(confidential)


@pytest.mark.parametrize("key", USERS)
def test_a_protokoll_paragraph_is_found_exactly_when_its_page_shows_it(demo, key):
    minutes = minutes_for(demo_meeting())
    ids = [p.id for p in minutes.paragraphs]
    wanted = set(ids) if can(person(key), Action.view_minutes, minutes.meeting) else set()
    assert found_parts(key, EntryKind.protokoll, ids) == wanted


def test_a_member_finds_the_sekretessarende_they_decide_on_and_its_page_shows_it(login_as, demo):
    result = search(person("ledamot"), SearchRequest(q="Testsson"))
    kinds = {h.kind for h in result.hits}
    assert kinds == {EntryKind.kallelse, EntryKind.protokoll}
    html = body_of(login_as("ledamot").get("/sok?q=Testsson"))
    link = next(part.split('"')[0] for part in html.split('href="')[1:] if "/kallelse/punkt/" in part.split('"')[0])
    assert "Elin Testsson" in body_of(login_as("ledamot").get(link))
    for key in ("controller", "ks-handlaggare"):
        found = search(person(key), SearchRequest(q="Testsson"))
        assert found.total == 0 and not any(v for v in found.facets.values()), key
    # the case's own officer reads its item on the kallelse's page, as the case in the diarium; not the protokoll
    officer = {h.kind for h in search(person("handlaggare"), SearchRequest(q="Testsson")).hits}
    assert officer == {EntryKind.case, EntryKind.kallelse}


@pytest.fixture
def public_protokoll(demo):
    """The demo's justerat protokoll with its sealed public version rendered (stand-in bytes)."""
    minutes = minutes_for(demo_meeting())
    _document(minutes, DocumentKind.public, revision=minutes.current_revision, adjusted=True, pdf=b"%PDF sealed")
    db.session.commit()
    return minutes


def public_texts(result) -> str:
    parts = [f"{h.title} {h.snippet} {h.case_number}" for h in result.hits]
    parts += [f"{f.value} {f.label} {f.count}" for values in result.facets.values() for f in values]
    return " ".join([*parts, result.suggestion or ""])


def test_no_public_protokoll_is_found_before_its_sealed_public_version(demo):
    assert search_public(SearchRequest(q="§ 12")).total == 0
    assert not db.session.scalars(select(SearchEntry).where(SearchEntry.kind == EntryKind.public_protokoll)).all()


def test_the_public_finds_the_justerat_protokoll_s_public_version(client, public_protokoll):
    result = search_public(SearchRequest(q="§ 12"))
    first = result.hits[0]
    assert first.kind is EntryKind.public_protokoll and str(first.title).startswith("<mark>§ 12</mark> ")
    assert {f.label for f in result.facets["kind"]} >= {"Protokoll"}
    html = body_of(client.get("/offentligt/sok?q=§ 12"))
    link = f"/offentligt/sammantraden/{public_protokoll.meeting_id}/protokoll.pdf"
    assert f'href="{link}"' in html
    assert client.get(link).data == b"%PDF sealed"


def test_a_confidential_paragraph_is_public_only_by_its_heading_and_secrecy_provision(client, public_protokoll):
    paragraphs = {p.id: p for p in public_protokoll.paragraphs}
    confidential = [p for p in paragraphs.values() if p.item.is_confidential]
    assert len(confidential) == 3
    for paragraph in confidential:
        entry = db.session.scalar(
            select(SearchEntry).where(
                SearchEntry.kind == EntryKind.public_protokoll, SearchEntry.object_id == paragraph.id
            )
        )
        assert entry.title == f"{paragraph.label} {paragraph.item.case.public_title}"
        assert entry.body == "Sekretess enligt 26 kap. 1 § OSL" and entry.case_id is None
        result = search_public(SearchRequest(q=paragraph.label))
        assert result.hits[0].object_id == paragraph.id
    wide = search_public(SearchRequest(q="föräldrabalken"))
    assert {h.kind for h in wide.hits} == {EntryKind.public_protokoll}
    for q in [*NAMES, "Elin", "SN-2017/12.754", "12.754", "adoption av"]:
        result = search_public(SearchRequest(q=q))
        assert result.total == 0 and not any(v for v in result.facets.values()), q
        html = body_of(client.get("/offentligt/sok", query_string={"q": q}))
        assert "0 träffar" in html, q
    for q in ("föräldrabalken", "sekretess", "protokoll", "socialnämnden", "§ 20"):
        shown = public_texts(search_public(SearchRequest(q=q)))
        assert not [n for n in NAMES if n in shown], q
        assert "754" not in shown, q


def test_a_case_made_confidential_leaves_its_public_paragraph_masked(public_protokoll):
    from app.registry import operations as registry_ops
    from tests.canaries import PUBLIC_TITLE

    open_paragraph = next(p for p in public_protokoll.paragraphs if p.item.case and not p.item.is_confidential)
    case = open_paragraph.item.case
    words = case.title.split()[0]
    assert any(h.object_id == open_paragraph.id for h in search_public(SearchRequest(q=case.number)).hits)
    registry_ops.set_confidentiality(
        case,
        user=person("registrator"),
        is_confidential=True,
        secrecy_provision="26 kap. 1 § OSL",
        public_title=PUBLIC_TITLE,
    )
    db.session.commit()
    assert search_public(SearchRequest(q=case.number)).total == 0
    hits = search_public(SearchRequest(q=open_paragraph.label)).hits
    assert hits[0].object_id == open_paragraph.id and PUBLIC_TITLE in str(hits[0].title)
    assert words not in str(hits[0].title) + str(hits[0].snippet) or words in PUBLIC_TITLE
