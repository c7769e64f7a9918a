"""Read a case report from the database into the plain ReportDocument the builder prints."""

from __future__ import annotations

from tasks.rendering.blocks import AddressBlock
from tasks.rendering.report_docx import (
    AttachmentLine,
    ProposalLine,
    ReportDocument,
    SectionText,
    SignatoryLine,
    secrecy_marking,
)
from tasks.rendering.word import template_revision
from workflows.content import ReportContent
from workflows.models import CaseReport
from workflows.operations import section_titles


def report_document(report: CaseReport, revision: int | None = None, public: bool = False) -> ReportDocument:
    """Return what the printed report shows: ``revision`` (default the current one) of ``report``, with the
    letterhead of its committee (municipality, förvaltning, address block; the revision of the template in use).

    ``public`` makes the public version: confidential bilagor are listed by number only.
    (A confidential case's report is never published; its title is the case's own here.)
    The bilagor are the report's current ones: they are not versioned with the text.
    """
    saved = report.revision(revision)
    if saved is None:
        raise LookupError(f"report {report.id} has no revision {revision}")
    content = ReportContent.from_json(saved.content)
    case = report.case
    committee = case.committee
    administration = committee.administration
    titles = section_titles(committee.municipality, keep=content.sections.keys())
    officer = case.case_officer
    address = administration.address_block()
    return ReportDocument(
        administration=administration.name,
        municipality=committee.municipality.name,
        committee=committee.name,
        registration_number=case.number,
        title=content.title or case.title,
        report_date=content.report_date or "",
        officer_name=officer.name if officer else "",
        officer_phone=(officer.phone or "") if officer else "",
        officer_email=(officer.email or "") if officer else "",
        sections=[
            SectionText(heading, content.sections[key]) for key, heading in titles.items() if content.sections.get(key)
        ],
        proposals=[ProposalLine(p.text, p.immediately_adjusted) for p in content.proposals],
        signatories=[SignatoryLine(s.name, s.title or "") for s in content.signatories],
        attachments=[
            AttachmentLine(a.position, a.title, a.is_confidential)
            for a in sorted(report.current_attachments, key=lambda a: a.position)
        ],
        omit_confidential_titles=public,
        recipients=list(content.recipients),
        address=AddressBlock(**address),
        template_revision=template_revision(),
        # read from the case when rendered, never copied: a case made confidential later is marked too
        secrecy_marking=secrecy_marking(case.secrecy_provision) if case.is_confidential else "",
    )
