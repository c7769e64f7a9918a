"""The quality bar of issue 4: the real kallelse (Socialnämnden 2017-02-23, 21 items) built through the API
and read back through the public API and the public page, with nothing confidential in any public answer.

The test builds a world of its own from the fixture (municipality, committee, people, the cases with
the fixture's diarienummer, signed tjänsteutlåtanden, three confidential cases whose real titles carry
fictional names), so it does not depend on the state of the demo's own 2017 meeting. A meeting
cannot be planned in the past: this one is planned two months ahead with the fixture's place.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.auth.models import Role, User
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee
from app.registry import operations as registry_ops
from app.registry.models import Case
from tests.factories import body_of, create_api_token, create_municipality, create_user
from workflows import operations as report_ops

FIXTURE = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "socialnamnden-2017-02-23.json").read_text(encoding="utf-8")
)
AGENDA = FIXTURE["agenda"]
BY_NUMBER = {item["no"]: item for item in AGENDA}
REPORTS = {report["diarienummer"]: report for report in FIXTURE["tjansteutlatanden"]}
NUMBER_FORMAT = "{prefix}-{year}/{serial}.{class}"
SECRECY = "26 kap. 1 § OSL"

#: the confidential cases behind items 18–20: number, the real title (fictional names), the secret report text
CONFIDENTIAL = {
    18: (
        "SN-2017/12.754",
        "Yttrande till Södertörns tingsrätt angående adoption av Elin Testsson enligt 4 kap. "
        "10 § 1 stycket föräldrabalken",
        "Elin Testsson, född 2015, har bott hos sökanden Karin Testsson sedan hon var ett år gammal.",
    ),
    19: (
        "SN-2017/13.754",
        "Yttrande till Södertörns tingsrätt angående adoption av Noah Provsson enligt 4 kap. "
        "10 § 1 stycket föräldrabalken",
        "Noah Provsson har enligt utredningen en trygg anknytning till sökanden Olof Provsson.",
    ),
    20: (
        "SN-2017/45.754",
        "Ansökan om överflyttning av vårdnaden om Alva Exempelsson enligt 6 kap. 8 § "
        "föräldrabalken samt yrkande om särskilt förordnad vårdnadshavare",
        "Alva Exempelssons vårdnadshavare Maja Exempelsson har inte kunnat tillgodose hennes behov.",
    ),
}
#: what a delegated decision in a confidential case says (never public)
SECRET_DECISION = "Placering av Alva Exempelsson i familjehem hos Sven Exempelsson"
#: every confidential text of the world: no public answer may contain any of them
SECRETS = sorted(
    {title for _n, title, _t in CONFIDENTIAL.values()}
    | {text for *_x, text in CONFIDENTIAL.values()}
    | {
        SECRET_DECISION,
        "Elin Testsson",
        "Noah Provsson",
        "Alva Exempelsson",
        "Karin Testsson",
        "Olof Provsson",
        "Maja Exempelsson",
        "Sven Exempelsson",
        "Testsson",
        "Provsson",
        "Exempelsson",
    }
    | {number for number, _t, _x in CONFIDENTIAL.values()}
)
CLASSIFICATION = [
    ("103", "Överenskommelser"),
    ("181", "Verksamhetsberättelse"),
    ("182", "Budget"),
    ("183", "Tillstånd"),
    ("229", "Motioner"),
    ("280", "Lokaler"),
    ("313", "Detaljplaner"),
    ("476", "Trafik"),
    ("719", "Uppföljning"),
    ("728", "Icke verkställda beslut"),
    ("751", "Integration"),
    ("754", "Familjerätt"),
    ("905", "Delgivningar"),
    ("909", "Granskning"),
]
PUBLIC_PAGE = "/offentligt/sammantraden/{id}"


def registered_on(number: str) -> date:
    return date(2017, 1, 9) if "-2017/" in number else date(2016, 12, 1)


def report_content(title: str, text: str, proposal: str) -> dict:
    return {
        "title": title,
        "report_date": "2017-02-01",
        "sections": {"description": f"<p>{html.escape(text[:1500])}</p>"},
        "proposals": [{"text": proposal[:2000], "immediately_adjusted": False}],
        "recipients": ["Kommunstyrelsen"],
    }


def sign_report(case: Case, people: dict[str, User], content: dict) -> None:
    officer = people["handlaggare"]
    report = report_ops.create_report(case, user=officer)
    report_ops.save_revision(report, user=officer, raw=content, based_on=1)
    for name, who in (("submit", "handlaggare"), ("approve", "granskare"), ("sign", "direktor")):
        report_ops.transition(report, user=people[who], name=name, notify=False)


@pytest.fixture
def world(app):
    """The fixture's municipality, committee, people with API tokens, cases and signed reports."""
    facts = FIXTURE["committee"]
    municipality = create_municipality(
        facts["municipality"],
        administration=facts["administration"],
        codes=CLASSIFICATION,
        postal_address=facts["postal_address"],
        visiting_address=facts["visiting_address"],
        phone=facts["phone"],
        email=facts["email"],
        web=facts["web"],
        registration_number_format=NUMBER_FORMAT,
    )
    sn = Committee(
        municipality=municipality,
        administration=municipality.administrations[0],
        name=facts["name"],
        registry_prefix=facts["prefix"],
        notice_days=7,
    )
    other = Committee(
        municipality=municipality,
        administration=municipality.administrations[0],
        name="Kommunstyrelsen",
        registry_prefix="KS",
        notice_days=7,
    )
    db.session.add_all([sn, other])
    db.session.flush()
    people = {
        "sekreterare": create_user("sekreterare", {sn: [Role.secretary]}, name="Lars Axelsson"),
        "registrator": create_user("registrator", {sn: [Role.registrar]}, name="Karin Berg"),
        "handlaggare": create_user("handlaggare", {sn: [Role.case_officer]}, name="Christina Löfberg"),
        "granskare": create_user("granskare", {sn: [Role.reviewer]}, name="Marianne Krook"),
        "direktor": create_user("direktor", {sn: [Role.approver]}, name="Anne Lundkvist"),
        "ledamot": create_user("ledamot", {sn: [Role.member]}, name="Gunilla Helmerson"),
        # a case officer of the committee who is the officer of none of its cases: no right to read secrets
        "utredare": create_user("utredare", {sn: [Role.case_officer]}, name="Ulf Utredare"),
        "ks-ledamot": create_user("ks-ledamot", {other: [Role.member]}, name="Olle Ström"),
    }
    cases: dict[int, Case] = {}
    for item in AGENDA:
        number = item.get("diarienummer")
        if item["no"] in CONFIDENTIAL:
            number, title, text = CONFIDENTIAL[item["no"]]
            case = registry_ops.import_case(
                committee=sn,
                user=people["registrator"],
                number=number,
                title=title,
                case_officer=people["handlaggare"],
                registered_on=registered_on(number),
                is_confidential=True,
                secrecy_provision=SECRECY,
                public_title=item["title"],
            )
            sign_report(case, people, report_content(title, text, "Socialnämnden tillstyrker ansökan."))
        elif number:
            case = registry_ops.import_case(
                committee=sn,
                user=people["registrator"],
                number=number,
                title=item["title"],
                case_officer=people["handlaggare"],
                registered_on=registered_on(number),
                external_reference=item.get("external_reference"),
            )
            if number in REPORTS:
                source = REPORTS[number]
                sign_report(case, people, report_content(item["title"], source["text"], source["forslag_till_beslut"]))
        else:
            continue
        cases[item["no"]] = case
    tokens = {key: create_api_token(user) for key, user in people.items()}
    db.session.commit()
    return {"committee_id": sn.id, "tokens": tokens, "case_ids": {no: case.id for no, case in cases.items()}}


class Api:
    """A test client speaking as one person with their API token."""

    def __init__(self, app, token: str | None):
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def __getattr__(self, method):
        def call(url, **kwargs):
            response = getattr(self.client, method)(url, headers=self.headers, **kwargs)
            return response

        return call


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:2000])
    return response.get_json()


def future_start(days: int = 60) -> str:
    return f"{(local_today() + timedelta(days=days)).isoformat()}T18:00"


def build_the_kallelse(app, world) -> int:
    """Build the fixture's agenda through the API, complete the kallelse and publish it; return the meeting id."""
    secretary = Api(app, world["tokens"]["sekreterare"])
    facts = FIXTURE["meeting"]
    meeting = ok(
        secretary.post(
            "/api/v1/meetings",
            json={
                "committee_id": world["committee_id"],
                "start": future_start(),
                "place": facts["place"],
                "is_public": False,
            },
        ),
        201,
    )["meeting"]
    base = f"/api/v1/meetings/{meeting['id']}"
    standing = [(i["number"], i["title"]) for i in meeting["items"]]
    assert standing == [
        (1, "Val av justerare"),
        (2, "Godkännande av föredragningslistan"),
        (3, "Övriga frågor"),
        (4, "Delgivningar och anmälda delegationsbeslut"),
    ]
    version = meeting["agenda_version"]

    # The standing delegation item has no case; the fixture's item 21 carries SN-2017/100.905.
    removed = ok(secretary.delete(f"{base}/items/{meeting['items'][3]['id']}?version={version}"))
    version = removed["agenda_version"]

    def add(body: dict) -> dict:
        nonlocal version
        reply = ok(secretary.post(f"{base}/items", json={**body, "version": version}), 201)
        version = reply["agenda_version"]
        return reply["item"]

    # Out of the fixture's order on purpose: the default places keep the sections where they belong.
    for no in (18, 19, 20):
        add({"kind": "confidential_case", "case_id": world["case_ids"][no]})
    add({"kind": "delegation_report", "case_number": BY_NUMBER[21]["diarienummer"]})
    for no in range(4, 17):
        item = BY_NUMBER[no]
        body = {"kind": "case", "case_number": item["diarienummer"]}
        if item["diarienummer"] not in REPORTS:
            body["is_handling_later"] = True
        for field in ("note", "external_reference"):
            if field in item:
                body[field] = item[field]
        add(body)
    # The information item goes in last (before Övriga frågor, its default place) and is then moved to
    # number 3, as a keyboard user would move it: PATCH its position.
    information = add({"kind": "information", "parts": BY_NUMBER[3]["parts"]})
    assert information["number"] == 16
    moved = ok(secretary.patch(f"{base}/items/{information['id']}", json={"position": 3, "version": version}))
    assert moved["item"]["number"] == 3 and moved["agenda_version"] == version + 1
    agenda = ok(secretary.get(f"{base}/items"))
    titles = [(i["number"], i["title"]) for i in agenda["items"]]
    # The secretary sees the confidential cases' real titles; everything else as in the fixture.
    assert titles == [
        (item["no"], CONFIDENTIAL[item["no"]][1] if item["no"] in CONFIDENTIAL else item["title"]) for item in AGENDA
    ], titles
    assert [i["case_number"] for i in agenda["items"]] == [
        CONFIDENTIAL[item["no"]][0] if item["no"] in CONFIDENTIAL else item.get("diarienummer") for item in AGENDA
    ]
    assert [i["public_title"] for i in agenda["items"][17:20]] == [BY_NUMBER[no]["title"] for no in (18, 19, 20)]

    chair, signer = facts["chair"]["name"], facts["secretary"]["name"]
    changed = ok(
        secretary.patch(
            base,
            json={
                "notice_place": facts["notice_place"],
                "notice_date": local_today().isoformat(),
                "chair_name": chair,
                "secretary_name": signer,
            },
        )
    )["meeting"]
    assert (changed["chair_name"], changed["secretary_name"]) == (chair, signer)

    check = ok(secretary.get(f"{base}/publication-check"))
    assert check == {"problems": [], "deadline": (local_today() + timedelta(days=60 - 7)).isoformat(), "is_late": False}
    published = ok(secretary.post(f"{base}/publications", json={}), 201)["publication"]
    assert published["version"] == 1 and published["changes"] == []
    return meeting["id"]


def expected_public_items() -> list[tuple]:
    return [
        (item["no"], item["title"], None if item.get("confidential") else item.get("diarienummer")) for item in AGENDA
    ]


def test_the_fixture_kallelse_through_the_api_and_back_through_the_public_api(app, world):
    meeting_id = build_the_kallelse(app, world)
    public = Api(app, None)

    listing = ok(public.get("/api/v1/public/meetings"))
    assert [m["id"] for m in listing["items"]] == [meeting_id]
    shown = listing["items"][0]
    assert (shown["committee"], shown["place"], shown["latest_version"]) == (
        "Socialnämnden",
        FIXTURE["meeting"]["place"],
        1,
    )

    kallelse = ok(public.get(f"/api/v1/public/meetings/{meeting_id}/kallelse"))["kallelse"]
    items = kallelse["items"]
    assert [(i["number"], i["title"], i["case_number"]) for i in items] == expected_public_items()
    assert kallelse["meeting"]["title"] == "Kallelse till Socialnämnden"
    assert kallelse["meeting"]["place"] == FIXTURE["meeting"]["place"]
    assert kallelse["meeting"]["chair_name"] == FIXTURE["meeting"]["chair"]["name"]
    by_no = {i["number"]: i for i in items}
    assert by_no[3]["parts"] == BY_NUMBER[3]["parts"]
    assert [p["presenter"] for p in by_no[3]["parts"]] == [
        "Sofia Nilsson, medicinskt ansvarig sjuksköterska",
        "Siv Jönsson, ekonomichef",
    ]
    for no in (11, 12, 13):
        assert by_no[no]["note"] == BY_NUMBER[no]["note"]
    assert by_no[10]["external_reference"] == "KSL/12/0177-37"
    assert by_no[21]["case_number"] == "SN-2017/100.905" and by_no[21]["kind"] == "delegation_report"
    for no in (18, 19, 20):
        item = by_no[no]
        assert item["title"] == BY_NUMBER[no]["title"]
        assert (item["section"], item["kind"]) == ("Sekretessärenden", "confidential_case")
        assert item["case_number"] is None and item["report"] is None and item["attachments"] == []
        assert item["note"] is None and item["parts"] == []
    # The signed reports went with their items; the others say "handling kommer senare".
    for no in range(4, 17):
        has_report = BY_NUMBER[no]["diarienummer"] in REPORTS
        assert (by_no[no]["report"] is not None) is has_report, no
        assert by_no[no]["is_handling_later"] is not has_report, no
    assert [v["version"] for v in kallelse["versions"]] == [1]

    # The members' version: the secretary and the committee's members, who decide on the confidential cases,
    # read them in full (DOMAIN.md); a case officer who is not their officer reads them as the public does.
    secretary = Api(app, world["tokens"]["sekreterare"])
    members = ok(secretary.get(f"/api/v1/meetings/{meeting_id}/publications/1"))["publication"]["items"]
    assert [(i["number"], i["case_number"]) for i in members][17:20] == [
        (no, CONFIDENTIAL[no][0]) for no in (18, 19, 20)
    ]
    assert members[17]["title"] == CONFIDENTIAL[18][1]
    member = Api(app, world["tokens"]["ledamot"])
    read = ok(member.get(f"/api/v1/meetings/{meeting_id}/publications/1"))["publication"]["items"]
    assert read == members
    assert [(i["number"], i["title"], i["case_number"]) for i in read][17:20] == [
        (no, CONFIDENTIAL[no][1], CONFIDENTIAL[no][0]) for no in (18, 19, 20)
    ]
    assert not any(i["withheld"] for i in read)
    assert all(i["report"] is not None and i["report"]["title"] == CONFIDENTIAL[i["number"]][1] for i in read[17:20])
    staff = Api(app, world["tokens"]["utredare"])
    read = ok(staff.get(f"/api/v1/meetings/{meeting_id}/publications/1"))["publication"]["items"]
    assert [(i["number"], i["title"], i["case_number"]) for i in read] == expected_public_items()
    assert all(i["withheld"] and i["report"] is None for i in read[17:20])
    assert not any(i["withheld"] for i in read[:17])


def test_the_public_kallelse_is_the_published_snapshot_never_live_data(app, world):
    meeting_id = build_the_kallelse(app, world)
    secretary = Api(app, world["tokens"]["sekreterare"])
    base = f"/api/v1/meetings/{meeting_id}"
    ok(secretary.patch(base, json={"place": "Sessionssalen, Kommunalvägen 28"}))
    agenda = ok(secretary.get(f"{base}/items"))
    ok(
        secretary.patch(
            f"{base}/items/{agenda['items'][16]['id']}",
            json={"title": "Övriga frågor och information", "version": agenda["agenda_version"]},
        )
    )

    public = Api(app, None)
    url = f"/api/v1/public/meetings/{meeting_id}/kallelse"
    before = ok(public.get(url))["kallelse"]
    assert before["meeting"]["place"] == FIXTURE["meeting"]["place"]
    assert before["items"][16]["title"] == "Övriga frågor"
    assert ok(public.get("/api/v1/public/meetings"))["items"][0]["place"] == FIXTURE["meeting"]["place"]

    republished = ok(secretary.post(f"{base}/publications", json={}), 201)["publication"]
    assert republished["version"] == 2
    assert any(line.startswith("Plats ändrad") for line in republished["changes"])
    after = ok(public.get(url))["kallelse"]
    assert after["version"] == 2 and after["meeting"]["place"] == "Sessionssalen, Kommunalvägen 28"
    assert after["items"][16]["title"] == "Övriga frågor och information"
    old = ok(public.get(url, query_string={"version": 1}))["kallelse"]
    assert old["meeting"]["place"] == FIXTURE["meeting"]["place"] and old["version"] == 1
    assert public.get(url, query_string={"version": 3}).status_code == 404


def test_an_unpublished_meeting_is_not_public(app, world):
    secretary = Api(app, world["tokens"]["sekreterare"])
    meeting = ok(
        secretary.post(
            "/api/v1/meetings", json={"committee_id": world["committee_id"], "start": future_start(), "place": "Plenum"}
        ),
        201,
    )["meeting"]
    public = Api(app, None)
    missing = public.get(f"/api/v1/public/meetings/{meeting['id']}/kallelse")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404
    assert public.get("/api/v1/public/meetings/2147483648/kallelse").status_code == 404
    assert ok(public.get("/api/v1/public/meetings"))["items"] == []


def public_texts(app, meeting_id: int) -> list[str]:
    """Every public API answer about the meeting (each version, lists, refusals) and the public pages.

    Each answer's status is asserted first: a 404 page where a page was expected would contain no secret either.
    """
    public = Api(app, None)
    page = PUBLIC_PAGE.format(id=meeting_id)
    kallelse_url = f"/api/v1/public/meetings/{meeting_id}/kallelse"
    kallelse = public.get(kallelse_url)
    answers = [
        (public.get("/api/v1/public/meetings"), 200),
        (public.get(f"/api/v1/public/meetings?committee_id={1}&year={local_today().year}"), 200),
        (kallelse, 200),
    ]
    answers += [
        (public.get(f"{kallelse_url}?version={v['version']}"), 200) for v in kallelse.get_json()["kallelse"]["versions"]
    ]
    answers += [(public.get(f"{kallelse_url}?version=99"), 404), (public.get("/api/v1/public/meetings?bad=1"), 400)]
    answers.append((public.get(page), 200))
    # A confidential case has no public page of its own: 404, the others 200.
    answers += [
        (public.get(f"{page}/punkt/{item['number']}"), 404 if item["kind"] == "confidential_case" else 200)
        for item in kallelse.get_json()["kallelse"]["items"]
    ]
    answers += [(public.get(feed), 200) for feed in ("/offentligt/SN/kalender.ics", "/offentligt/SN/kallelser.atom")]
    return [html.unescape(body_of(answer, status)) for answer, status in answers]


def test_nothing_confidential_in_any_public_answer(app, world):
    meeting_id = build_the_kallelse(app, world)
    secretary = Api(app, world["tokens"]["sekreterare"])
    # A delegated decision in a confidential case, reported at the next meeting: in public only its public title.
    ok(
        secretary.post(
            f"/api/v1/committees/{world['committee_id']}/delegation-decisions",
            json={
                "decided_on": local_today().isoformat(),
                "decision_maker": "Anne Lundkvist, socialdirektör",
                "delegation_point": "4.2.1",
                "summary": SECRET_DECISION,
                "case_number": CONFIDENTIAL[20][0],
            },
        ),
        201,
    )
    ok(
        secretary.post(
            f"/api/v1/committees/{world['committee_id']}/delegation-decisions",
            json={
                "decided_on": local_today().isoformat(),
                "decision_maker": "Anne Lundkvist, socialdirektör",
                "delegation_point": "1.1",
                "summary": "Attestordning 2017",
                "case_number": "SN-2017/100.905",
            },
        ),
        201,
    )
    republished = ok(secretary.post(f"/api/v1/meetings/{meeting_id}/publications", json={}), 201)["publication"]
    assert republished["version"] == 2
    members_21 = republished["items"][20]["delegation_decisions"]
    assert SECRET_DECISION in [d["summary"] for d in members_21]  # the secretary may read it

    texts = public_texts(app, meeting_id)
    public = json.loads(texts[2])["kallelse"]
    decisions = public["items"][20]["delegation_decisions"]
    assert [(d["summary"], d["case_number"]) for d in decisions] == [
        (BY_NUMBER[20]["title"], None),
        ("Attestordning 2017", "SN-2017/100.905"),
    ]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, (secret, text[:300])

    # The members' version is not public: the committee's members decide on the confidential cases and read
    # them in full, with the delegated decision in one of them (DOMAIN.md).
    member = Api(app, world["tokens"]["ledamot"])
    read = ok(member.get(f"/api/v1/meetings/{meeting_id}/publications/2"))["publication"]
    assert [(i["title"], i["case_number"], i["withheld"]) for i in read["items"][17:20]] == [
        (CONFIDENTIAL[no][1], CONFIDENTIAL[no][0], False) for no in (18, 19, 20)
    ]
    decision = next(d for d in read["items"][20]["delegation_decisions"] if d["is_confidential"])
    assert (decision["summary"], decision["case_number"], decision.get("withheld", False)) == (
        SECRET_DECISION,
        CONFIDENTIAL[20][0],
        False,
    )
    # A case officer of the committee who is not the officer of the confidential cases has no right to read
    # them: the members' version without any secret.
    staff = Api(app, world["tokens"]["utredare"])
    read = ok(staff.get(f"/api/v1/meetings/{meeting_id}/publications/2"))
    assert all(i["withheld"] for i in read["publication"]["items"][17:20])
    for secret in SECRETS:
        assert secret not in json.dumps(read, ensure_ascii=False), secret
    # The register of delegated decisions follows the diarium's rule (view_confidential), for members too.
    for reader in (staff, member):
        listing = ok(reader.get(f"/api/v1/committees/{world['committee_id']}/delegation-decisions"))
        assert SECRET_DECISION not in [d["summary"] for d in listing["items"]]
        for secret in SECRETS:
            assert secret not in json.dumps(listing, ensure_ascii=False), secret


def test_the_fixture_kallelse_on_the_public_page(app, world):
    meeting_id = build_the_kallelse(app, world)
    response = app.test_client().get(PUBLIC_PAGE.format(id=meeting_id))
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))
    at = 0
    for no, title, number in expected_public_items():
        found = text.find(title, at)
        assert found >= 0, f"item {no} ({title[:40]}…) missing or out of order"
        at = found + len(title)
        if number:
            assert number in text, number
    for secret in SECRETS:
        assert secret not in text, secret
