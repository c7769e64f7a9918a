"""The outbox page (/utkorg): whose messages it shows, paging, and escaping."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.notifications import queue_message
from app.registry.models import Case
from tests.factories import person, submit_report


def _rows(html: str) -> int:
    return len(re.findall(r'<td data-label="Ämne">', html))


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/utkorg")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_a_user_sees_their_own_messages_and_not_others(demo, login_as):
    case = db.session.scalar(select(Case).where(Case.number == "SN-2017/50.182"))
    queue_message(
        person("enhetschef"),
        "Att granska: Budgetram",
        "Hej Per,\n\nGranska.",
        case_id=case.id,
        link=f"/arenden/{case.id}/utlatande",
    )
    queue_message(person("direktor"), "Att underteckna: Hyresavtal", "Hej Eva,\n\nUnderteckna.", case_id=case.id)
    queue_message(person("ks-handlaggare"), "Utan ärende", "Hej Olle.")
    db.session.commit()

    html = login_as("enhetschef").get("/utkorg").get_data(as_text=True)
    assert "Att granska: Budgetram" in html and "Hej Per," in html and "I kö" in html
    assert "Hyresavtal" not in html and "Utan ärende" not in html
    assert f'href="/arenden/{case.id}/utlatande"' in html
    assert '<caption class="visually-hidden">' in html and '<th scope="col">Ämne</th>' in html
    assert 'aria-current="page">Utkorg</a>' in html
    assert "Mottagare" not in html

    # An admin of the committee sees every message about its cases, not other people's private ones.
    admin = login_as("admin").get("/utkorg").get_data(as_text=True)
    assert "Budgetram" in admin and "Hyresavtal" in admin and "Mottagare" in admin
    assert "Utan ärende" not in admin

    nothing = login_as("ledamot").get("/utkorg").get_data(as_text=True)
    assert "Du har inga meddelanden." in nothing and "Budgetram" not in nothing


def test_the_outbox_is_paged_newest_first(app, demo, login_as):
    reviewer = person("enhetschef")
    for i in range(1, 31):
        queue_message(reviewer, f"Meddelande nummer {i:02}", "Hej")
    db.session.commit()
    client = login_as("enhetschef")
    first = client.get("/utkorg").get_data(as_text=True)
    assert _rows(first) == app.config["ITEMS_PER_PAGE"] == 25
    assert first.index("nummer 30") < first.index("nummer 29") and "nummer 05" not in first
    assert "Sida 1 av 2" in first and 'href="/utkorg?page=2"' in first
    second = client.get("/utkorg?page=2").get_data(as_text=True)
    assert _rows(second) == 5 and "nummer 01" in second and "nummer 30" not in second
    assert client.get("/utkorg?page=99").status_code == 200


def test_a_case_title_with_markup_comes_back_escaped(app, demo, login_as):
    case = db.session.scalar(select(Case).where(Case.number == "SN-2016/2624.719"))
    case.title = "<script>alert('utkorg')</script> Uppföljning & <b>fet</b>"
    submit_report(case, person("controller"))
    db.session.commit()

    html = login_as("enhetschef").get("/utkorg").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>fet</b>" not in html
    assert "&lt;script&gt;alert(&#39;utkorg&#39;)&lt;/script&gt; Uppföljning &amp; &lt;b&gt;fet&lt;/b&gt;" in html


def test_a_page_number_out_of_range_shows_an_empty_page(demo, login_as):
    client = login_as("enhetschef")
    for page in ("0", "-3", "x", "99999999999999999999999"):
        assert client.get(f"/utkorg?page={page}").status_code == 200, page
