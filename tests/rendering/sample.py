"""Report documents for the rendering tests and the benchmark: the demo's real tjänsteutlåtanden as data."""

from __future__ import annotations

import json
from pathlib import Path

from tasks.rendering.report_docx import (
    AddressBlock,
    AttachmentLine,
    ProposalLine,
    ReportDocument,
    SectionText,
    SignatoryLine,
)

#: characters that must survive every step: Swedish letters, §, en dash, quotes, a non-breaking space
SPECIAL = "Å ä ö § – “citat” 1\u00a0000 kr ≥ 5 % Ñ"
LONG_TITLE = (
    "Bostadslösningar för nyanlända i Huddinge kommun – svar på motion väckt av Birgitta Ljung (MP), "
    "Marica Lindblad (MP) och Marianne Broman (MP) angående § 12 i reglementet, "
) * 2
LONG_TITLE = (LONG_TITLE + "x" * 300)[:300]

REPORTS = Path(__file__).resolve().parents[2] / "app" / "demo" / "reports.json"
HEADINGS = {
    "summary": "Sammanfattning",
    "description": "Beskrivning av ärendet",
    "administration_views": "Förvaltningens synpunkter",
}
ADDRESS = AddressBlock(
    postal_address="Huddinge kommun, 141 85 Huddinge",
    visiting_address="Kommunalvägen 28",
    phone="08-535 300 00",
    email="huddinge@huddinge.example",
    web="www.huddinge.example",
)


def demo_report(number: str = "SN-2016/3342.181", **changes) -> ReportDocument:
    """One of the demo's six reports (the 2017-02-23 kallelse's), laid out for printing."""
    item = next(r for r in json.loads(REPORTS.read_text(encoding="utf-8"))["reports"] if r["number"] == number)
    values = dict(
        administration="Social- och äldreomsorgsförvaltningen",
        committee="Socialnämnden",
        registration_number=item["number"],
        title=item["title"],
        report_date=item["date"],
        officer_name="Johan Ek",
        officer_phone="08-535 378 17",
        officer_email="johan.ek@huddinge.example",
        sections=[SectionText(HEADINGS[k], item["sections"][k]) for k in HEADINGS if item["sections"].get(k)],
        proposals=[ProposalLine(**p) for p in item["proposals"]],
        signatories=[SignatoryLine("Eva Strand", "Socialdirektör"), SignatoryLine("Johan Ek", "Utredare")],
        attachments=[
            AttachmentLine(i, a if isinstance(a, str) else a.get("title", ""), False)
            for i, a in enumerate(item.get("attachments") or [], start=1)
        ],
        recipients=list(item.get("recipients") or []),
        address=ADDRESS,
    )
    values.update(changes)
    return ReportDocument(**values)
