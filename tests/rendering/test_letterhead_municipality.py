"""A second municipality, made with the models and operations (not the demo loader), with its own förvaltning,
address block, e-mail and uploaded Word template: its kallelse (members' and public) and tjänsteutlåtande read
back as DOCX and PDF hold its names, its address and its template's letterhead and styles, and nothing of
Huddinge's."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from agenda import operations as agenda_ops
from app.auth.models import Role
from app.clock import LOCAL_TZ, local_today
from app.extensions import db
from app.organisation import operations as org_ops
from app.organisation.models import Administration, Committee
from app.registry import operations as registry_ops
from tasks.rendering.document_templates import template_for, upload_template
from tasks.rendering.kallelse_docx import build_kallelse_docx
from tasks.rendering.report_data import report_document
from tasks.rendering.report_docx import build_report_docx
from tasks.rendering.word import using_template
from tests import factories
from tests.sample_files import TEMPLATE_FOOTER_TEXT, TEMPLATE_HEADER_TEXT, TEMPLATE_HEADING_FONT, word_template
from workflows import operations as report_ops

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

HUDDINGE = ("Huddinge", "huddinge", "Socialnämnden", "141 85", "141\u00a085")


# --- a second municipality, its letterhead and template --------------------------------------------------------


@pytest.fixture
def lerum(demo):
    """Lerums kommun, made with the models and operations: its förvaltning with an address block of its own, a
    committee with a case, a draft report and a published kallelse; its own Word template uploaded."""
    municipality = factories.create_municipality(
        "Lerums kommun",
        administration="Sektor samhällsbyggnad",
        codes=[("100", "Styrning och ledning")],
        postal_address="443 80 Lerum",
        email="kontaktcenter@lerum.example",
    )
    admin = factories.create_user("lerum-admin", name="Lena Lerumsson")
    org_ops.update_municipality(municipality, user=admin, values={"web": "www.lerum.example", "phone": "0302-52 10 00"})
    administration = db.session.scalar(select(Administration).where(Administration.municipality == municipality))
    administration.postal_address = "Sektor samhällsbyggnad, 443 80 Lerum"
    administration.email = "samhallsbyggnad@lerum.example"
    committee = Committee(
        municipality=municipality, administration=administration, name="Byggnadsnämnden", registry_prefix="BN"
    )
    db.session.add(committee)
    db.session.flush()
    officer = factories.create_user(
        "lerum-handlaggare", {committee: [Role.case_officer, Role.registrar]}, name="Olle Lerumsson"
    )
    secretary = factories.create_user("lerum-sekreterare", {committee: [Role.secretary]}, name="Sara Lerumsson")
    case = registry_ops.register_case(
        committee=committee,
        user=officer,
        title="Detaljplan för Lerums centrum",
        classification_code="100",
        case_officer=officer,
    )
    report = report_ops.create_report(case, user=officer)
    report_ops.save_revision(
        report,
        user=officer,
        based_on=1,
        raw={
            "title": case.title,
            "report_date": "2026-11-20",
            "sections": {"description": "<p>Sektorn beskriver planförslaget.</p>"},
            "proposals": [{"text": "Byggnadsnämnden godkänner planförslaget."}],
        },
    )
    day = local_today() + timedelta(days=30)
    meeting = agenda_ops.plan_meeting(
        committee,
        user=secretary,
        start=datetime(day.year, day.month, day.day, 18, 0, tzinfo=LOCAL_TZ),
        place="Lerums kommunhus",
    )
    agenda_ops.add_item(meeting, user=secretary, kind="case", case=case, is_handling_later=True)
    agenda_ops.update_meeting(
        meeting,
        user=secretary,
        values={
            "notice_place": "Lerum",
            "notice_date": date.today(),
            "chair_name": "Ulla Ordförandesson",
            "secretary_name": "Sara Lerumsson",
        },
    )
    publication = agenda_ops.publish(meeting, user=secretary)
    upload_template(municipality, user=admin, data=word_template(), filename="Lerums mall.docx")
    db.session.commit()
    return committee, report, publication


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for section in document.sections:
        for story in (section.first_page_header, section.header, section.first_page_footer, section.footer):
            parts += [p.text for p in story.paragraphs]
            parts += [c.text for t in story.tables for r in t.rows for c in r.cells]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_a_second_municipalitys_documents_carry_its_letterhead_and_nothing_of_huddinge(lerum, converter):
    committee, report, publication = lerum
    with using_template(template_for(committee)):
        made = {
            "tjänsteutlåtande": build_report_docx(report_document(report)),
            "kallelse": build_kallelse_docx(publication.members_snapshot, public=False),
            "offentlig kallelse": build_kallelse_docx(publication.public_snapshot, public=True),
        }
    for name, data in made.items():
        document = docx.Document(io.BytesIO(data))
        assert document.styles["Heading 1"].font.name == TEMPLATE_HEADING_FONT, name
        text = _docx_text(data)
        pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(converter.convert(data))).pages)
        for shown in (text, pdf):
            for wanted in ("Lerums kommun", "Sektor samhällsbyggnad", "Lerum", "www.lerum.example"):
                assert wanted in shown, (name, wanted)
            # an e-mail address longer than the footer's usual column stands whole: the column is widened for it
            assert "samhallsbyggnad@lerum.example" in shown.split(), name
            assert TEMPLATE_HEADER_TEXT in shown and TEMPLATE_FOOTER_TEXT in shown, name
            assert "Version 1" in shown or "(version 1)" in shown, name
            for demo_text in HUDDINGE:
                assert demo_text not in shown, (name, demo_text)
        assert "Byggnadsnämnden" in text.replace("BYGGNADSNÄMNDEN", "Byggnadsnämnden"), name
        assert "443\u00a080 Lerum" in text or "443 80 Lerum" in text, name
