"""Publication snapshots for the kallelse and package tests, shaped as agenda.snapshot makes them.

``demo_snapshots()`` is the demo's kallelse of 2017-02-23 (app/demo/data.py) without a database;
the public one is derived with agenda.snapshot.public_item, as publishing does.
"""

from __future__ import annotations

import copy

from agenda.snapshot import public_item
from app.demo import data

MEETING = {
    "id": 1,
    "committee": "Socialnämnden",
    "committee_prefix": "SN",
    "municipality": "Huddinge kommun",
    "administration": "Social- och äldreomsorgsförvaltningen",
    "title": "Kallelse till Socialnämnden",
    "start": "2017-02-23T18:00:00+01:00",
    "place": "Plenum, Gymnasietorget 1",
    "is_public": False,
    "notice_place": "Huddinge",
    "notice_date": "2017-02-02",
    "chair_name": "Gunnel Hedberg",
    "secretary_name": "Sara Lindqvist",
}
REPORTED = {
    "SN-2016/3342.181",
    "SN-2017/50.182",
    "SN-2017/71.280",
    "SN-2017/104.183",
    "SN-2016/3580.229",
    "SN-2016/3097.751",
}


def _item(number: int, kind: str, title: str, case: str | None = None, **extra) -> dict:
    confidential = {c[0]: c for c in data.CONFIDENTIAL_CASES}
    item = {
        "id": number,
        "number": number,
        "kind": kind,
        "section": None,
        "title": title,
        "case_id": None,
        "case_number": case,
        "public_title": None,
        "note": None,
        "external_reference": None,
        "parts": [],
        "is_handling_later": False,
        "report": None,
        "attachments": [],
    }
    if case in confidential:
        item.update(
            kind="confidential_case",
            section="Sekretessärenden",
            title=confidential[case][1],
            public_title=confidential[case][2],
            case_id=1000 + number,
        )
    elif case:
        item["case_id"] = number
    if case in REPORTED:
        item["report"] = {"id": number, "revision": 2, "signed_hash": "0" * 64, "title": title}
    item.update(extra)
    return item


def demo_snapshots() -> tuple[dict, dict]:
    """The members' and the public snapshot of the demo kallelse (21 items)."""
    titles = {c[0]: c[1] for c in data.CASES}
    items = []
    for number, (kind, title, extra) in enumerate(data.AGENDA, start=1):
        extra = dict(extra)
        case = extra.pop("case", None)
        items.append(_item(number, kind, title or titles.get(case, ""), case, **extra))
    items[-1]["delegation_decisions"] = [
        {
            "decided_on": d[0],
            "decision_maker": "Eva Strand, socialdirektör",
            "delegation_point": d[2],
            "case_id": None,
            "case_number": d[3],
            "summary": d[4],
            "is_confidential": d[3] is not None,
            "public_title": "Placering" if d[3] else None,
        }
        for d in data.DELEGATION_DECISIONS
    ]
    number, title, _text = data.CONFIDENTIAL_ATTACHMENT
    item4 = next(i for i in items if i["case_number"] == number)
    item4["attachments"] = [
        {
            "id": 1,
            "number": 1,
            "title": "Verksamhetsberättelse 2016 för socialnämnden",
            "sha256": "a" * 64,
            "filename": "vb.pdf",
            "content_type": "application/pdf",
            "is_confidential": False,
        },
        {
            "id": 2,
            "number": 2,
            "title": title,
            "sha256": "b" * 64,
            "filename": "Utredning.txt",
            "content_type": "text/plain",
            "is_confidential": True,
        },
    ]
    members = {"meeting": dict(MEETING), "items": items}
    public = {
        "meeting": {k: v for k, v in MEETING.items() if k != "id"},
        "items": [public_item(copy.deepcopy(i)) for i in items],
    }
    return members, public
