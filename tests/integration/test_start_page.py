"""The start page shows each user what waits for them, by role, and their committees' next meeting."""

from __future__ import annotations

import re

from sqlalchemy import select

from agenda.models import Meeting
from app.extensions import db


def waiting(html: str) -> dict[str, int]:
    """The "Att göra" rows as label → count."""
    section = html.split('id="att-gora"', 1)[1].split("</section>", 1)[0] if 'id="att-gora"' in html else ""
    return {
        label.strip(): int(count)
        for count, label in re.findall(r'<span class="counts__number">(\d+)</span>([^<]+)</a>', section)
    }


def test_each_role_sees_what_waits_for_it(login_as):
    officer = waiting(login_as("handlaggare").get("/").get_data(as_text=True))
    assert officer.get("Ärenden utan tjänsteutlåtande", 0) >= 1
    assert "Att granska eller underteckna" not in officer
    assert waiting(login_as("enhetschef").get("/").get_data(as_text=True)) == {"Att granska eller underteckna": 0}
    secretary = waiting(login_as("sekreterare").get("/").get_data(as_text=True))
    # The demo's next meeting is planned but not published; its signed reports are on the 2017 agenda.
    assert secretary == {
        "Undertecknade utlåtanden att sätta på en föredragningslista": 0,
        "Kommande sammanträden utan publicerad kallelse": 1,
    }
    assert waiting(login_as("ledamot").get("/").get_data(as_text=True)) == {}


def test_the_next_meeting_is_on_the_start_page(app, login_as):
    with app.app_context():
        upcoming = db.session.scalars(select(Meeting).order_by(Meeting.start_dt.desc())).first()
        meeting_id = upcoming.id
    member = login_as("ledamot").get("/").get_data(as_text=True)
    assert "Nästa sammanträde" in member and "Kallelsen är inte publicerad ännu." in member
    assert f'/sammantraden/{meeting_id}"' not in member  # the builder is the secretary's
    secretary = login_as("sekreterare").get("/").get_data(as_text=True)
    assert f'href="/sammantraden/{meeting_id}"' in secretary and "sista dag" in secretary


def test_the_accessibility_statement_is_linked_from_every_page_and_public(client, demo):
    for path in ("/", "/offentligt", "/logga-in"):
        assert 'href="/tillganglighet"' in client.get(path).get_data(as_text=True), path
    page = client.get("/tillganglighet")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Tillgänglighetsredogörelse</h1>" in html
    assert "lagen (2018:1937)" in html and "WCAG 2.1" in html and "Digg" in html
