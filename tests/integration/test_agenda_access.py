"""Pages and API answer the same question about meetings with the same status (agenda/access.py).

For each page and its API twin — the meeting, adding an agenda item, an item, the members' kallelse
(a published version), registering a delegated decision, starting Skapa handlingar and following its
job — each kind of user asks, and the page and the API must both give the status in the table:

- 404 where the user may not know the meeting exists (a meeting of another committee), as for an
  unknown id; a job only its starter follows, so anyone else gets 404 for it;
- 403 where they see the meeting but may not do this (members and case officers read the agenda and
  the kallelse; only the committee's secretary plans, builds and renders);
- success otherwise (200, or what the request creates: the page redirects, the API answers 201 or 202).

And a delegated decision in a confidential case is withheld alike on the page and in the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from agenda.models import Meeting, Publication
from app.extensions import db
from app.organisation.models import Committee

#: who asks, by kind: a demo user's key
ASKERS = {
    "outsider": "ks-handlaggare",  # case officer of another committee (KS)
    "member": "ledamot",  # ledamot of Socialnämnden
    "officer": "handlaggare",  # case officer of Socialnämnden
    "secretary": "sekreterare",  # Socialnämnden's secretary
}
KINDS = tuple(ASKERS)
OK = "ok"

#: page and API twin → expected answer per kind of user (in the order of KINDS)
EXPECTED = {
    #                outsider member officer secretary
    "meeting": (404, OK, OK, OK),
    "add item": (404, 403, 403, OK),
    "item": (404, 403, 403, OK),
    "kallelse": (404, OK, OK, OK),
    "delegations": (404, 403, 403, OK),
    "documents": (404, 403, 403, OK),
    "documents job": (404, 404, 404, OK),
}

DECISION = {
    "decided_on": "2017-01-20",
    "decision_maker": "Eva Strand, socialdirektör",
    "delegation_point": "1.2.4",
    "summary": "Yttrande över remiss beslutat.",
}


@dataclass(frozen=True)
class Pair:
    """A page and its API twin: (method, address) each, with ``{upcoming}``, ``{published}``, ``{item}``,
    ``{committee}`` and ``{job}`` to fill in; the page's form fields and the API's JSON body."""

    page: tuple[str, str]
    api: tuple[str, str]
    #: what each answers when it grants the request
    ok: tuple[int, int] = (200, 200)
    form: dict = field(default_factory=dict)
    body: dict | None = None


PAIRS = {
    "meeting": Pair(("get", "/sammantraden/{upcoming}"), ("get", "/api/v1/meetings/{upcoming}")),
    "add item": Pair(
        ("post", "/sammantraden/{upcoming}/punkter"),
        ("post", "/api/v1/meetings/{upcoming}/items"),
        ok=(302, 201),
        form={"kind": "other", "title": "Studiebesök"},
        body={"kind": "other", "title": "Studiebesök"},
    ),
    "item": Pair(
        ("get", "/sammantraden/{upcoming}/punkter/{item}"),
        ("patch", "/api/v1/meetings/{upcoming}/items/{item}"),
        body={"note": "Anteckning."},
    ),
    "kallelse": Pair(
        ("get", "/sammantraden/{published}/kallelse?version=1"), ("get", "/api/v1/meetings/{published}/publications/1")
    ),
    "delegations": Pair(
        ("post", "/delegationsbeslut"),
        ("post", "/api/v1/committees/{committee}/delegation-decisions"),
        ok=(302, 201),
        form={"committee": "{committee}", "case": "", **DECISION},
        body=DECISION,
    ),
    "documents": Pair(
        ("post", "/sammantraden/{published}/handlingar"),
        ("post", "/api/v1/meetings/{published}/documents"),
        ok=(303, 202),
    ),
    "documents job": Pair(
        ("get", "/sammantraden/{published}/handlingar/{job}"), ("get", "/api/v1/meetings/{published}/documents/{job}")
    ),
}


def test_the_table_covers_every_pair():
    assert set(EXPECTED) == set(PAIRS)
    assert all(len(row) == len(KINDS) for row in EXPECTED.values())


@pytest.fixture
def targets(demo, askers) -> dict[str, int]:
    """Socialnämnden's published meeting and its upcoming one (an item of it), and a Skapa handlingar job
    of the published one, started by the secretary."""
    committee = db.session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
    published = db.session.scalar(
        select(Meeting)
        .join(Publication)
        .where(Meeting.committee_id == committee.id)
        .order_by(Meeting.start_dt)
        .limit(1)
    )
    upcoming = db.session.scalar(
        select(Meeting)
        .where(Meeting.committee_id == committee.id, ~Meeting.publications.any())
        .order_by(Meeting.start_dt.desc())
        .limit(1)
    )
    found = {
        "committee": committee.id,
        "published": published.id,
        "upcoming": upcoming.id,
        "item": upcoming.items[0].id,
    }
    _page, _token, api, headers = askers(ASKERS["secretary"])
    started = api.post(f"/api/v1/meetings/{published.id}/documents", headers=headers)
    assert started.status_code == 202, started.get_data(as_text=True)
    found["job"] = started.get_json()["job"]["id"]
    db.session.rollback()
    return found


def _status(client, method: str, address: str, **kwargs) -> int:
    return getattr(client, method)(address, **kwargs).status_code


def _ask(spec: Pair, values: dict, page, token, api, headers) -> tuple[int, int]:
    (page_method, page_address), (api_method, api_address) = spec.page, spec.api
    form = {}
    if page_method == "post":
        form = {"data": {"csrf_token": token, **{k: str(v).format(**values) for k, v in spec.form.items()}}}
    body = {"json": spec.body} if spec.body is not None else {}
    return (
        _status(page, page_method, page_address.format(**values), **form),
        _status(api, api_method, api_address.format(**values), headers=headers, **body),
    )


@pytest.mark.parametrize("pair", list(PAIRS))
def test_page_and_api_answer_each_user_the_same(pair, targets, askers):
    spec = PAIRS[pair]
    answers, wanted = {}, {}
    for kind, expected in zip(KINDS, EXPECTED[pair]):
        answers[kind] = _ask(spec, targets, *askers(ASKERS[kind]))
        wanted[kind] = spec.ok if expected == OK else (expected, expected)
    assert answers == wanted


@pytest.mark.parametrize("pair", [p for p in PAIRS if p != "delegations"])
def test_an_unknown_meeting_item_or_job_is_404_on_both(pair, targets, askers):
    spec = PAIRS[pair]
    asker = askers(ASKERS["secretary"])
    # an id too large for any row is unknown too, on every database and for every method (the id's pattern
    # stops at 2**31 - 1, so such an address matches no route at all)
    for meeting_id in (999_999, 2**31, 2**40):
        unknown = {**targets, "upcoming": meeting_id, "published": meeting_id}
        assert _ask(spec, unknown, *asker) == (404, 404)
    if "{item}" in spec.page[1]:
        # an item of another meeting is no item of this one
        other = db.session.get(Meeting, targets["published"]).items[0].id
        assert _ask(spec, {**targets, "item": other}, *asker) == (404, 404)
    if "{job}" in spec.page[1]:
        assert _ask(spec, {**targets, "job": 999_999}, *asker) == (404, 404)


def test_a_committee_unknown_to_the_user_is_404_for_a_delegated_decision_on_both(targets, askers):
    """The page names the committee in its form, the API in its address: an unknown one is 404 on both."""
    assert _ask(PAIRS["delegations"], {**targets, "committee": 999_999}, *askers(ASKERS["secretary"])) == (404, 404)


def test_a_withheld_delegated_decision_is_shown_alike_on_the_page_and_in_the_api(targets, askers):
    """The demo's decision in a confidential case: its summary for the secretary, its public title for a member."""
    secret_summary = "Beslut om tillfällig placering"
    for kind, withheld in (("member", True), ("secretary", False)):
        page, _token, api, headers = askers(ASKERS[kind])
        html = page.get("/delegationsbeslut").get_data(as_text=True)
        listed = api.get(
            f"/api/v1/committees/{targets['committee']}/delegation-decisions?per_page=100", headers=headers
        ).get_json()["items"]
        decision = next(d for d in listed if d["delegation_point"] == "3.4.1")
        assert decision["withheld"] is withheld and decision["is_confidential"] is True
        assert (secret_summary in html) is (not withheld) and (decision["summary"] == secret_summary) is (not withheld)
        if withheld:
            assert decision["case_id"] is None and decision["case_number"] is None
            assert decision["summary"] in html  # the case's public title, on the page too
