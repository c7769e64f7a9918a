"""The committee's review rule, set by its administrator: may who approved a tjänsteutlåtande sign it too?
Off by default (four eyes); the admin page turns it on and off, audited; others are refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.audit import AuditEntry
from app.extensions import db
from app.organisation.models import Committee
from tests.factories import csrf_token

PAGE = "/admin/granskning"


def committee(prefix: str) -> Committee:
    db.session.remove()
    return db.session.scalar(select(Committee).where(Committee.registry_prefix == prefix))


def post(client, committee_id: int, allowed: bool, token: str | None = None):
    data = {f"c{committee_id}-csrf_token": token if token is not None else _token(client, committee_id)}
    if allowed:
        data[f"c{committee_id}-same_person_may_approve_and_sign"] = "y"
    return client.post(f"{PAGE}/{committee_id}", data=data)


def _token(client, committee_id: int) -> str:
    html = client.get(PAGE).get_data(as_text=True)
    match = re.search(rf'name="c{committee_id}-csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_the_admin_allows_and_forbids_one_person_to_approve_and_sign(login_as):
    sn = committee("SN")
    assert sn.same_person_may_approve_and_sign is False
    admin = login_as("admin")
    page = admin.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Socialnämnden" in html and "Samma person får både godkänna och underteckna" in html
    assert "checked" not in html.split(f'id="namnd-{sn.id}"')[1].split("</section>")[0]

    response = post(admin, sn.id, allowed=True)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{PAGE}#namnd-{sn.id}")
    assert committee("SN").same_person_may_approve_and_sign is True
    assert "Reglerna för granskning i Socialnämnden är sparade." in admin.get(PAGE).get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "committee.review_rules_changed"))
    assert entry.summary == "Socialnämnden: samma person får både godkänna och underteckna ett tjänsteutlåtande."
    assert entry.data == {
        "before": {"same_person_may_approve_and_sign": False},
        "after": {"same_person_may_approve_and_sign": True},
    }

    assert post(admin, sn.id, allowed=False).status_code == 302
    assert committee("SN").same_person_may_approve_and_sign is False
    # Saving what is already set writes no audit row.
    post(admin, sn.id, allowed=False)
    db.session.remove()
    assert (
        len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "committee.review_rules_changed")).all())
        == 2
    )


@pytest.mark.parametrize("key", ["sekreterare", "direktor", "enhetschef", "ledamot", "registrator"])
def test_only_an_administrator_may_set_the_rule(login_as, key):
    sn = committee("SN")
    client = login_as(key)
    assert client.get(PAGE).status_code == 403
    own_token = csrf_token(client, "/")  # a valid token of the user's own session
    assert post(client, sn.id, allowed=True, token=own_token).status_code == 403
    assert committee("SN").same_person_may_approve_and_sign is False


def test_another_committee_is_unknown_and_a_missing_token_refused(login_as, client):
    admin = login_as("admin")
    assert admin.post(f"{PAGE}/999999", data={"csrf_token": csrf_token(admin, PAGE)}).status_code == 404
    sn = committee("SN")
    assert post(admin, sn.id, allowed=True, token="").status_code == 400
    assert committee("SN").same_person_may_approve_and_sign is False
    assert client.get(PAGE).status_code == 302  # anonymous: to log-in
