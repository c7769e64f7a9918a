"""Pages and API answer the same question about the protokoll with the same status (agenda/minutes/access.py).

For each protokoll page and its API twin — the committee's seats (read, added, changed), förhinder (read,
reported for the chair), yrkanden filed in advance (read, filed), and the protokoll (started, read, a paragraph
given, the header and a paragraph saved) — each kind of user asks, and both must give the status in the table:
404 where the user may not know the meeting or committee exists, 403 where they see it but may not do this,
success otherwise (the page redirects, the API answers 200 or 201). A save sends what the part already says,
so the page's and the API's saves both succeed from the same revision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from agenda.minutes.models import CommitteeSeat, SeatKind
from agenda.models import Meeting
from app.extensions import db
from tests.factories import plan_meeting

ASKERS = {"outsider": "ks-handlaggare", "member": "ledamot", "officer": "handlaggare", "secretary": "sekreterare"}
KINDS = tuple(ASKERS)
OK = "ok"

EXPECTED = {
    #                   outsider member officer secretary
    "seats": (404, OK, OK, OK),
    "add seat": (404, 403, 403, OK),
    "change seat": (404, 403, 403, OK),
    "absences": (404, OK, OK, OK),
    "report absence": (404, 403, 403, OK),
    "motions": (404, OK, 403, OK),
    "file motion": (404, OK, 403, 403),
    "start minutes": (404, 403, 403, OK),
    "minutes": (404, OK, 403, OK),
    "open paragraph": (404, 403, 403, OK),
    "header": (404, 403, 403, OK),
    "paragraph": (404, 403, 403, OK),
}


@dataclass(frozen=True)
class Pair:
    page: tuple[str, str]
    api: tuple[str, str]
    ok: tuple[int, int] = (200, 200)
    form: dict = field(default_factory=dict)
    body: dict | None = None


PAIRS = {
    "seats": Pair(("get", "/sammantraden/ledamoter/{committee}"), ("get", "/api/v1/committees/{committee}/seats")),
    "add seat": Pair(
        ("post", "/sammantraden/ledamoter/{committee}"),
        ("post", "/api/v1/committees/{committee}/seats"),
        ok=(302, 201),
        form={"kind": "deputy", "name": "Nora Vik", "party": "KD"},
        body={"kind": "deputy", "name": "Nora Vik", "party": "KD"},
    ),
    "change seat": Pair(
        ("post", "/sammantraden/ledamoter/{committee}/{seat}"),
        ("patch", "/api/v1/committees/{committee}/seats/{seat}"),
        ok=(302, 200),
        form={"kind": "deputy", "name": "Lisa Ek", "party": "MP", "is_active": "y"},
        body={"party": "MP"},
    ),
    "absences": Pair(("get", "/sammantraden/{upcoming}/narvaro"), ("get", "/api/v1/meetings/{upcoming}/absences")),
    "report absence": Pair(
        ("post", "/sammantraden/{upcoming}/forhinder"),
        ("post", "/api/v1/meetings/{other}/absences"),
        ok=(302, 201),
        form={"seat": "{chair}"},
        body={"seat_id": "{chair}"},
    ),
    "motions": Pair(
        ("get", "/sammantraden/{upcoming}/punkter/{item}/yrkanden"),
        ("get", "/api/v1/meetings/{upcoming}/items/{item}/motions"),
    ),
    "file motion": Pair(
        ("post", "/sammantraden/{upcoming}/punkter/{item}/yrkanden"),
        ("post", "/api/v1/meetings/{upcoming}/items/{item}/motions"),
        ok=(302, 201),
        form={"kind": "rejection", "text": "Avslag."},
        body={"kind": "rejection", "text": "Avslag."},
    ),
    "start minutes": Pair(
        ("post", "/sammantraden/{upcoming}/protokoll"), ("post", "/api/v1/meetings/{other}/minutes"), ok=(302, 201)
    ),
    "minutes": Pair(("get", "/sammantraden/{recorded}/protokoll"), ("get", "/api/v1/meetings/{recorded}/minutes")),
    "open paragraph": Pair(
        ("post", "/sammantraden/{recorded}/protokoll/paragrafer"),
        ("post", "/api/v1/meetings/{recorded}/minutes/paragraphs"),
        ok=(302, 201),
        form={"item": "{second_item}"},
        body={"item_id": "{third_item}"},
    ),
    "header": Pair(
        ("post", "/sammantraden/{recorded}/protokoll/narvaro"),
        ("patch", "/api/v1/meetings/{recorded}/minutes/header"),
        ok=(302, 200),
        form={"based_on": "{revision}", "presence": "all"},
        body={"based_on": "{revision}", "adjustment_place": ""},
    ),
    "paragraph": Pair(
        ("post", "/sammantraden/{recorded}/protokoll/paragrafer/{paragraph}"),
        ("patch", "/api/v1/meetings/{recorded}/minutes/paragraphs/{paragraph}"),
        ok=(302, 200),
        form={"based_on": "{revision}", "title": "Val av justerare"},
        body={"based_on": "{revision}", "title": "Val av justerare"},
    ),
}


def test_the_table_covers_every_pair():
    assert set(EXPECTED) == set(PAIRS)
    assert all(len(row) == len(KINDS) for row in EXPECTED.values())


@pytest.fixture
def targets(demo, askers) -> dict:
    """Two upcoming meetings of Socialnämnden without a protokoll, and a third whose protokoll the secretary
    started through the API with a paragraph for its first item."""
    upcoming, other, recorded = (plan_meeting("SN", days=days) for days in (14, 15, 16))
    db.session.commit()
    seats = db.session.scalars(select(CommitteeSeat).where(CommitteeSeat.committee_id == upcoming.committee_id)).all()
    members = [s.id for s in seats if s.kind is SeatKind.member]
    _page, _token, api, headers = askers(ASKERS["secretary"])
    assert api.post(f"/api/v1/meetings/{recorded.id}/minutes", headers=headers).status_code == 201
    answer = api.post(
        f"/api/v1/meetings/{recorded.id}/minutes/paragraphs", json={"item_id": recorded.items[0].id}, headers=headers
    )
    assert answer.status_code == 201
    minutes = answer.get_json()["minutes"]
    found = {
        "committee": upcoming.committee_id,
        "seat": next(s.id for s in seats if s.name == "Lisa Ek"),
        "chair": next(s.id for s in seats if s.name == "Gunnel Hedberg"),
        "upcoming": upcoming.id,
        "other": other.id,
        "item": upcoming.items[0].id,
        "recorded": recorded.id,
        "second_item": recorded.items[1].id,
        "third_item": recorded.items[2].id,
        "paragraph": minutes["paragraphs"][0]["id"],
        "revision": minutes["revision"],
        "members": members,
    }
    db.session.rollback()
    return found


def _status(client, method: str, address: str, **kwargs) -> int:
    return getattr(client, method)(address, **kwargs).status_code


def _fill(value, values: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in values:
        return values[value[1:-1]]
    return value.format(**values) if isinstance(value, str) else value


def _ask(spec: Pair, values: dict, page, token, api, headers) -> tuple[int, int]:
    (page_method, page_address), (api_method, api_address) = spec.page, spec.api
    form = {}
    if page_method == "post":
        data = {"csrf_token": token}
        for key, value in spec.form.items():
            if key == "presence":  # the header as it stands: every ledamot present
                data.update({f"present_{seat}": "y" for seat in values["members"]})
            else:
                data[key] = str(_fill(value, values))
        form = {"data": data}
    body = {"json": {k: _fill(v, values) for k, v in spec.body.items()}} if spec.body is not None else {}
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


@pytest.mark.parametrize("pair", [p for p in PAIRS if p not in ("seats", "add seat", "change seat")])
def test_an_unknown_meeting_is_404_on_both(pair, targets, askers):
    unknown = {**targets, "upcoming": 999_999, "other": 999_999, "recorded": 999_999}
    assert _ask(PAIRS[pair], unknown, *askers(ASKERS["secretary"])) == (404, 404)


@pytest.mark.parametrize("pair", ["seats", "add seat", "change seat"])
def test_an_unknown_committee_or_seat_is_404_on_both(pair, targets, askers):
    asker = askers(ASKERS["secretary"])
    assert _ask(PAIRS[pair], {**targets, "committee": 999_999}, *asker) == (404, 404)
    if "{seat}" in PAIRS[pair].page[1]:
        assert _ask(PAIRS[pair], {**targets, "seat": 999_999}, *asker) == (404, 404)


def test_a_paragraph_or_item_of_another_meeting_is_404_on_both(targets, askers):
    asker = askers(ASKERS["secretary"])
    other_item = db.session.get(Meeting, targets["other"]).items[0].id
    assert _ask(PAIRS["motions"], {**targets, "item": 999_999}, *asker) == (404, 404)
    assert _ask(PAIRS["paragraph"], {**targets, "paragraph": 999_999}, *asker) == (404, 404)
    values = {**targets, "second_item": other_item, "third_item": other_item}
    assert _ask(PAIRS["open paragraph"], values, *asker) == (404, 404)
