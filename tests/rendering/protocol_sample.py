"""A protokoll of the seed meeting (Socialnämnden, 2017-02-23) as ``ProtocolJSON``, for the protokoll's builders.

§§ 12–20 of the year: the procedural items, information, the verksamhetsberättelse justerad at once (its
proposal as in the seed's tjänsteutlåtande), the budget frame with yrkanden, a vote and a reservation, a
postponed item, a matter with jäv, a confidential matter and the delgivningar. The cases' numbers and titles
are the seed's; the people are invented (the demo's chair, member and secretary among them).
"""

from __future__ import annotations

import copy

from app.demo import data
from tasks.rendering.protocol_json import (
    BallotJSON,
    DeciderJSON,
    ParagraphJSON,
    PersonJSON,
    ProtocolJSON,
)

SECRET_TITLE, PUBLIC_TITLE = data.CONFIDENTIAL_CASES[0][1], data.CONFIDENTIAL_CASES[0][2]
SECRET_NUMBER = data.CONFIDENTIAL_CASES[0][0]
#: what only the members' protokoll may hold of the confidential §
SECRETS = (
    "Elin Testsson",
    SECRET_NUMBER,
    "tillstyrker",
    "Södertörns tingsrätt, enheten för familjemål",
    "Adoptivföräldrarna har prövats",
)


def person(name: str, party: str | None = None, title: str | None = None) -> PersonJSON:
    found = PersonJSON(name=name, party=party)
    if title:
        found["title"] = title
    return found


CHAIR = person("Gunnel Hedberg", "S")
VICE = person("Per Olsson", "M")
SECRETARY = person("Sara Lindqvist", title="nämndsekreterare")
MEMBERS = [
    (CHAIR, "Ordförande"),
    (VICE, "1:e vice ordförande"),
    (person("Ali Karimi", "S"), "Ledamot"),
    (person("Birgitta Lund", "MP"), "Ledamot"),
    (person("Johan Sandberg", "M"), "Ledamot"),
    (person("Karin Malm", "L"), "Ledamot"),
    (person("Ahmed Yilmaz", "S"), "Ledamot"),
    (person("Lena Wikström", "C"), "Ledamot"),
    (person("Stefan Ek", "SD"), "Ledamot"),
    (person("Tove Berg", "V"), "Ledamot"),
]
SERVING = person("Mona Nilsson", "S")
ABSENT = person("Eva Ahlberg", "S")
DEPUTY = person("Lisa Ek", "S")


def _paragraph(number: int, item: int | None, kind: str, title: str, **values: object) -> ParagraphJSON:
    par = ParagraphJSON(
        number=number,
        item_number=item,
        kind=kind,
        title=title,
        case_number=None,
        is_confidential=False,
        public_title=None,
        secrecy_provision=None,
        outcome="decided",
        decision=[],
        immediate_adjustment=False,
        summary=None,
        decision_basis=[],
        motions=[],
        proposition_order=[],
        votes=[],
        reservations=[],
        notes=[],
        conflicts=[],
        recipients=[],
    )
    par.update(values)  # type: ignore[typeddict-item]
    return par


def _ballots() -> list[BallotJSON]:
    """The budget vote: the majority (S, MP, V) ja, the opposition (M, L, C, SD) nej."""
    ballots = [
        BallotJSON(person=p, vote="yes" if p["party"] in ("S", "MP", "V") else "no", is_chair=p is CHAIR)
        for p, _role in MEMBERS
    ]
    ballots.append(BallotJSON(person=SERVING, vote="yes", is_chair=False))
    return ballots


def demo_protocol() -> ProtocolJSON:
    """The members' protokoll of 2017-02-23, justerat and announced."""
    deciders = [DeciderJSON(person=p, role=role) for p, role in MEMBERS]
    deciders.append(DeciderJSON(person=SERVING, role="Tjänstgörande ersättare", replacing=ABSENT))
    paragraphs = [
        _paragraph(
            12,
            1,
            "procedural",
            "Val av justerare",
            decision=["Socialnämnden utser Per Olsson (M) att jämte ordföranden justera protokollet."],
        ),
        _paragraph(
            13, 2, "procedural", "Godkännande av föredragningslistan", decision=["Föredragningslistan godkänns."]
        ),
        _paragraph(
            14,
            3,
            "information",
            "Information",
            decision=["Socialnämnden tar del av informationen."],
            information=[
                {"title": "Socialnämndens hälso- och sjukvårdsansvar", "presenter": "Lena Ås, medicinskt ansvarig"},
                {"title": "Ekonomisk rapport", "presenter": "Omar Berg, ekonomichef"},
            ],
        ),
        _paragraph(
            15,
            4,
            "case",
            "Verksamhetsberättelse 2016 för Socialnämnden",
            case_number="SN-2016/3342.181",
            decision=[
                "Socialnämnden godkänner förvaltningens förslag till verksamhetsberättelse 2016 och överlämnar den "
                "till kommunstyrelsen.",
                "Socialnämnden begär hos kommunstyrelsen att 17,4 miljoner kronor av 2016 års underskott på 19,1 "
                "miljoner kronor överförs till nämndens tidigare balanserade underskott.",
                "Socialnämnden begär hos kommunstyrelsen att 2,9 miljoner kronor av investeringsbudgeten för år 2016 "
                "får överföras till nämndens investeringsbudget 2017.",
            ],
            immediate_adjustment=True,
            summary=(
                "Verksamhetsberättelsen innehåller en redovisning av socialnämndens resultat för 2016 års "
                "verksamhet. Den sammanvägda bedömningen är att måluppfyllelsen för året är godtagbar.\n"
                "Socialnämnden redovisar ett negativt resultat på 19,1 miljoner kronor för 2016."
            ),
            decision_basis=[
                "Tjänsteutlåtande daterat 1 februari 2017",
                "Bilaga 1 Verksamhetsberättelse 2016 för socialnämnden",
            ],
            recipients=["Kommunstyrelsen", "Ekonomiavdelningen"],
        ),
        _paragraph(
            16,
            5,
            "case",
            "Justering av budgetram 2017",
            case_number="SN-2017/50.182",
            decision=["Socialnämnden godkänner förvaltningens förslag till justerad budgetram 2017."],
            summary="Förvaltningen föreslår att budgetramen för 2017 justeras efter kommunfullmäktiges beslut.",
            decision_basis=["Tjänsteutlåtande daterat 10 januari 2017"],
            motions=[
                {"by": [CHAIR], "kind": "bifall", "text": None},
                {
                    "by": [VICE],
                    "kind": "avslag",
                    "text": None,
                    "supported_by": [person("Johan Sandberg", "M"), person("Karin Malm", "L")],
                },
            ],
            proposition_order=[
                "Ordföranden ställer proposition på bifall till förvaltningens förslag mot avslag och finner att "
                "nämnden bifallit förvaltningens förslag.",
                "Omröstning begärs.",
            ],
            votes=[
                {
                    "yes_means": "bifall till förvaltningens förslag",
                    "no_means": "avslag på förvaltningens förslag",
                    "ballots": _ballots(),
                    "result": "yes",
                    "casting_vote": False,
                }
            ],
            reservations=[
                {
                    "by": [VICE, person("Johan Sandberg", "M"), person("Karin Malm", "L")],
                    "reason": "till förmån för eget yrkande",
                    "appendix": "Bilaga 1",
                }
            ],
            notes=[
                {
                    "by": [person("Stefan Ek", "SD")],
                    "text": "Vi vill att förvaltningen redovisar kostnaderna för placeringar varje kvartal.",
                }
            ],
            recipients=["Kommunstyrelsen"],
        ),
        _paragraph(
            17,
            6,
            "case",
            "Hyresavtal modulhus, Huddinge 1 och 2",
            case_number="SN-2017/71.280",
            outcome="postponed",
            decision=["Ärendet bordläggs till nästa sammanträde."],
        ),
        _paragraph(
            18,
            7,
            "case",
            "Ansökan om att utföra hemtjänst CuraNova Omsorg AB",
            case_number="SN-2017/104.183",
            decision=["Socialnämnden godkänner CuraNova Omsorg AB som utförare av hemtjänst enligt LOV."],
            conflicts=[{"person": person("Ahmed Yilmaz", "S"), "replaced_by": DEPUTY}],
            recipients=["CuraNova Omsorg AB", "Avdelningen för upphandling"],
        ),
        _paragraph(
            19,
            18,
            "confidential_case",
            SECRET_TITLE,
            case_number=SECRET_NUMBER,
            is_confidential=True,
            public_title=PUBLIC_TITLE,
            secrecy_provision=data.SECRECY_PROVISION,
            decision=["Socialnämnden tillstyrker adoptionen av Elin Testsson."],
            summary="Adoptivföräldrarna har prövats och bedömts lämpliga.",
            decision_basis=["Tjänsteutlåtande daterat 30 januari 2017"],
            recipients=["Södertörns tingsrätt, enheten för familjemål"],
        ),
        _paragraph(
            20,
            21,
            "delegation_report",
            "Delgivningar och anmälda delegationsbeslut",
            case_number="SN-2017/100.905",
            decision=["Socialnämnden lägger delgivningarna och redovisningen av delegationsbeslut till handlingarna."],
        ),
    ]
    numbers = [p["number"] for p in paragraphs]
    return ProtocolJSON(
        meeting={
            "committee": "Socialnämnden",
            "committee_prefix": "SN",
            "municipality": "Huddinge kommun",
            "administration": "Social- och äldreomsorgsförvaltningen",
            "start": "2017-02-23T18:00:00+01:00",
            "end": "2017-02-23T20:15:00+01:00",
            "place": "Plenum, Gymnasietorget 1",
            "adjournments": [{"start": "2017-02-23T19:10:00+01:00", "end": "2017-02-23T19:25:00+01:00"}],
        },
        version=1,
        correction=None,
        deciders=deciders,
        others_present=[
            {"person": DEPUTY, "role": "Ersättare"},
            {"person": person("Erik Holm", "M"), "role": "Ersättare"},
            {"person": person("Eva Strand", title="socialdirektör"), "role": None},
            {"person": person("Maria Holm", title="controller"), "role": None, "paragraphs": {"first": 15, "last": 16}},
            {"person": SECRETARY, "role": "Sekreterare"},
        ],
        adjustment={
            "adjusters": [VICE],
            "place": "Social- och äldreomsorgsförvaltningen",
            "date": "2017-03-02T10:00:00+01:00",
            "adjusted_on": "2017-03-02",
        },
        signatures=[
            {"role": "secretary", "person": SECRETARY, "paragraphs": list(numbers)},
            {"role": "chair", "person": CHAIR, "paragraphs": list(numbers)},
            {"role": "adjuster", "person": VICE, "paragraphs": list(numbers)},
        ],
        announcement={
            "posted_on": "2017-03-03",
            "taken_down_on": "2017-03-25",
            "kept_at": "Social- och äldreomsorgsförvaltningen, Gymnasietorget 1, Huddinge",
            "signed_by": SECRETARY,
        },
        paragraphs=paragraphs,
    )


def corrected(protocol: ProtocolJSON) -> ProtocolJSON:
    """Version 2 of the protokoll: a rättelse of § 16."""
    fixed = copy.deepcopy(protocol)
    fixed["version"] = 2
    fixed["correction"] = {
        "corrected_on": "2017-03-10",
        "description": "Omröstningslistan i § 16 angav fel parti för en ledamot.",
        "paragraphs": [16],
    }
    return fixed
