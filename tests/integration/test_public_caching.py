"""Publishing day: the public kallelse and item pages are cacheable replies (ETag, Last-Modified, public caching,
304 on revalidation, rendered once per state), a correction or a case made confidential gives a new ETag, and
nothing of a session or a confidential matter goes into a shared cache (app/web/published_pages.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.event import listen, remove

from agenda import operations as agenda_ops
from agenda.models import Meeting, Publication
from app.extensions import db
from app.registry.models import Case
from app.web.published_pages import page_cache
from tests.canaries import PUBLIC_TITLE, assert_no_canary, complete, make_confidential, signed_case_with_canaries
from tests.factories import add_case_item, person, publish


@pytest.fixture
def published(app, meeting):
    """A meeting with an open case (its report full of canaries, in case it becomes confidential), published once."""
    case = signed_case_with_canaries()
    add_case_item(meeting, case)
    complete(meeting)
    publish(meeting)
    db.session.commit()
    number = next(item.position for item in meeting.items if item.case_id == case.id)
    return {"meeting_id": meeting.id, "case": case, "number": number}


def _demo_meeting_url() -> str:
    meeting_id = db.session.scalar(select(Publication.meeting_id).order_by(Publication.id).limit(1))
    return f"/offentligt/sammantraden/{meeting_id}"


def assert_cacheable(response) -> None:
    assert response.status_code == 200
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    cache = response.cache_control
    assert cache.public and cache.max_age == 60 and cache.must_revalidate and not cache.no_store
    assert "Cookie" in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers


def test_the_public_kallelse_and_item_pages_are_cacheable_and_revalidated_with_304(app, client, demo):
    url = _demo_meeting_url()
    page = client.get(url)
    assert_cacheable(page)
    item = client.get(f"{url}/punkt/1")
    assert_cacheable(item)
    assert item.headers["ETag"] != page.headers["ETag"]
    renders = page_cache().renders

    for headers in ({"If-None-Match": page.headers["ETag"]}, {"If-Modified-Since": page.headers["Last-Modified"]}):
        again = client.get(url, headers=headers)
        assert again.status_code == 304 and again.get_data() == b""
        assert again.headers["ETag"] == page.headers["ETag"] and "Set-Cookie" not in again.headers
    assert client.head(url, headers={"If-None-Match": page.headers["ETag"]}).status_code == 304

    # A reader without a copy gets the same bytes, rendered once: the kept page, not a new render.
    fresh = client.get(url)
    assert fresh.get_data() == page.get_data() and fresh.headers["ETag"] == page.headers["ETag"]
    assert page_cache().renders == renders
    # The security headers go with the cached page; no session cookie for an anonymous reader.
    assert "frame-ancestors 'none'" in fresh.headers["Content-Security-Policy"]
    assert client.get_cookie("session") is None


def test_a_second_process_reads_the_rendered_page_from_the_instance_folder(app, client, demo):
    url = _demo_meeting_url()
    first = client.get(url)
    app.extensions.pop("page_cache")  # as a second gunicorn worker: nothing in memory
    second = client.get(url)
    assert second.get_data() == first.get_data()
    assert page_cache().renders == 0


def test_nothing_confidential_is_in_the_cached_public_pages(app, client, demo):
    url = _demo_meeting_url()
    secret = db.session.scalars(select(Case).where(Case.is_confidential.is_(True))).all()
    assert secret
    for path in (url, url, f"{url}/punkt/1"):  # the second read is the kept page
        body = client.get(path).get_data(as_text=True)
        for case in secret:
            assert case.title not in body and case.number not in body, (path, case.number)


def test_a_correction_gives_every_version_a_new_etag(app, client, published):
    meeting_id, number = published["meeting_id"], published["number"]
    url = f"/offentligt/sammantraden/{meeting_id}"
    before = {path: client.get(path) for path in (url, f"{url}?version=1", f"{url}/punkt/{number}")}

    meeting = db.session.get(Meeting, meeting_id)
    agenda_ops.update_meeting(meeting, user=person("sekreterare"), values={"place": "Rättelsesalen, plan 3"})
    publish(meeting)
    db.session.commit()

    for path, old in before.items():
        response = client.get(path, headers={"If-None-Match": old.headers["ETag"]})
        assert response.status_code == 200, path  # not 304: the page changed
        assert_cacheable(response)
        assert response.headers["ETag"] != old.headers["ETag"], path
        body = response.get_data(as_text=True)
        if "version=1" in path:
            assert "Det finns en nyare version av kallelsen" in body
        elif "punkt" in path:
            assert ", version 2</a>" in body
        else:
            assert "Rättelsesalen, plan 3" in body and "Version 2" in body


def test_a_case_made_confidential_after_publishing_changes_the_etag_and_leaves_the_cached_page(app, client, published):
    url = f"/offentligt/sammantraden/{published['meeting_id']}"
    item_url = f"{url}/punkt/{published['number']}"
    old_page, old_item = client.get(url), client.get(item_url)
    assert old_item.status_code == 200

    make_confidential(published["case"], rename=False)

    page = client.get(url, headers={"If-None-Match": old_page.headers["ETag"]})
    assert page.status_code == 200 and page.headers["ETag"] != old_page.headers["ETag"]
    body = page.get_data(as_text=True)
    assert_no_canary(body, "the public kallelse after the marking")
    assert PUBLIC_TITLE in body
    # The item page is gone, not served from a cache: 404, and never kept by one.
    gone = client.get(item_url, headers={"If-None-Match": old_item.headers["ETag"]})
    assert gone.status_code == 404
    assert gone.cache_control.no_store and "ETag" not in gone.headers


def test_a_logged_in_reader_gets_a_private_page_that_is_not_kept(app, login_as, demo):
    response = login_as("ledamot").get(_demo_meeting_url())
    assert response.status_code == 200
    assert response.cache_control.private and response.cache_control.no_store and not response.cache_control.public
    assert "ETag" not in response.headers
    assert "Ali Karimi" in response.get_data(as_text=True)  # the page names its reader: never in a shared cache


def _known_replies() -> int:
    return page_cache().known_replies


def _statements(app, fetch) -> tuple[object, list[str]]:
    """The reply of ``fetch()`` and the SQL statements it ran (a pool's liveness ping is not counted)."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.strip().upper() not in ("SELECT 1", "BEGIN"):
            seen.append(statement)

    listen(db.engine, "before_cursor_execute", count)
    try:
        return fetch(), seen
    finally:
        remove(db.engine, "before_cursor_execute", count)


def test_a_page_already_given_is_answered_from_its_stamp_in_one_query(app, client, published):
    url = f"/offentligt/sammantraden/{published['meeting_id']}"
    first = client.get(url)
    before, renders = _known_replies(), page_cache().renders
    again, statements = _statements(app, lambda: client.get(url))
    assert _known_replies() == before + 1 and page_cache().renders == renders
    assert len(statements) == 1, statements  # the stamp: no meeting, snapshot or case loaded
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert_cacheable(again)
    revalidated = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and _known_replies() == before + 2
    # an unknown version or a bad one is the full path's answer, never a kept page
    assert client.get(f"{url}?version=9").status_code == 404
    assert client.get(f"{url}?version=x").status_code == 400


def _make_case_confidential_behind_the_orm(case_id: int) -> None:
    """Mark the case confidential with plain SQL: its last-change time is not touched."""
    db.session.execute(
        text("UPDATE cases SET is_confidential = :yes, public_title = :title WHERE id = :id"),
        {"yes": True, "title": PUBLIC_TITLE, "id": case_id},
    )
    db.session.commit()


def _new_render_job(meeting_id: int) -> None:
    from tasks.rendering.meeting_jobs import start_meeting_documents

    start_meeting_documents(person("sekreterare"), db.session.get(Meeting, meeting_id))
    db.session.commit()


def _cancel(meeting_id: int) -> None:
    from agenda.cancellation import cancel_meeting

    cancel_meeting(db.session.get(Meeting, meeting_id), user=person("sekreterare"), reason="Sjukdom.")
    db.session.commit()


def _correct(meeting_id: int) -> None:
    meeting = db.session.get(Meeting, meeting_id)
    agenda_ops.update_meeting(meeting, user=person("sekreterare"), values={"place": "Rättelsesalen, plan 3"})
    publish(meeting)
    db.session.commit()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: _make_case_confidential_behind_the_orm(p["case"].id), PUBLIC_TITLE),
        (lambda p: make_confidential(p["case"], rename=True), PUBLIC_TITLE),
        (lambda p: _new_render_job(p["meeting_id"]), "skapas"),
        (lambda p: _cancel(p["meeting_id"]), "inställt"),
        (lambda p: _correct(p["meeting_id"]), "Rättelsesalen, plan 3"),
    ],
    ids=["confidential-by-sql", "confidential-and-renamed", "render-queued", "cancelled", "corrected"],
)
def test_any_change_to_what_the_page_shows_changes_its_stamp(app, client, published, change, expected):
    url = f"/offentligt/sammantraden/{published['meeting_id']}"
    first = client.get(url)
    client.get(url)
    known = _known_replies()
    assert client.get(url).headers["ETag"] == first.headers["ETag"] and _known_replies() == known + 1

    change(published)

    changed = client.get(url)
    assert _known_replies() == known + 1  # not the kept reply: the full path answered
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    body = changed.get_data(as_text=True)
    assert expected in body
    if expected == PUBLIC_TITLE:
        assert_no_canary(body, "the public kallelse after the change")
    # and the new state is known in its turn
    assert client.get(url).get_data() == changed.get_data() and _known_replies() == known + 2
