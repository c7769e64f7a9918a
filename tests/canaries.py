"""A confidential case with planted texts (canaries) in its title, report and bilaga, for the
tests of what reaches the public when a case becomes confidential after it was put on an agenda."""

from __future__ import annotations

from datetime import date

from agenda import operations as ops
from agenda.models import Meeting
from app.extensions import db
from app.registry import operations as registry_ops
from app.registry.models import Case
from tests.factories import REPORT, committee, person
from workflows import attachments as files
from workflows import operations as report_ops

TITLE = "Placering av KANARI-Titelsson i familjehem"
NEW_TITLE = "Omplacering av KANARI-Nyttnamnsson"
ITEM_TITLE = "KANARI-Egenrubrik om barnet på Ekgården"
REPORT_TEXT = "KANARI-rapport: barnet har under hösten bott hos sin moster i Kanarieholmen."
BILAGA_TITLE = "KANARI-Bilaga utredning"
BILAGA_TEXT = "KANARI-bilagetext om familjens förhållanden."
PUBLIC_TITLE = "Ärende enligt socialtjänstlagen"
CANARIES = ["KANARI", "Titelsson", "Nyttnamnsson", "Egenrubrik", "Kanarieholmen", "Ekgården"]


def signed_case_with_canaries() -> Case:
    officer = person("handlaggare")
    case = registry_ops.register_case(
        committee=committee(), user=person("registrator"), title=TITLE, classification_code="181", case_officer=officer
    )
    report = report_ops.create_report(case, user=officer)
    report_ops.save_revision(
        report,
        user=officer,
        based_on=1,
        raw={**REPORT, "title": TITLE, "sections": {"description": f"<p>{REPORT_TEXT}</p>"}},
    )
    files.upload_attachment(
        report, user=officer, data=BILAGA_TEXT.encode(), filename="utredning.txt", title=BILAGA_TITLE
    )
    for name, who in (("submit", officer), ("approve", person("enhetschef")), ("sign", person("direktor"))):
        report_ops.transition(report, user=who, name=name, notify=False)
    db.session.commit()
    return case


def complete(meeting: Meeting) -> None:
    ops.update_meeting(
        meeting,
        user=person("sekreterare"),
        values={
            "notice_place": "Huddinge",
            "notice_date": date.today().isoformat(),
            "chair_name": "Gunnel Hedberg",
            "secretary_name": "Sara Lindqvist",
        },
    )


def make_confidential(case: Case, *, rename: bool) -> None:
    registrar = person("registrator")
    registry_ops.set_confidentiality(
        case, user=registrar, is_confidential=True, secrecy_provision="26 kap. 1 § OSL", public_title=PUBLIC_TITLE
    )
    if rename:
        registry_ops.update_case(case, user=registrar, title=NEW_TITLE, case_officer=case.case_officer)
    db.session.commit()


def assert_no_canary(body: str, where: str) -> None:
    found = [c for c in CANARIES if c in body]
    assert not found, f"{found} on {where}"
