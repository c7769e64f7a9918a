"""Which fields differ between two versions of a report's content, as plain text. Pure: no database.

The pages mark the differences word by word (app/web/report_compare.py); the API returns the texts.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.content import ReportContent, html_to_text

FIELD_LABELS = {
    "title": "Rubrik",
    "report_date": "Datum",
    "proposals": "Förslag till beslut",
    "recipients": "Beslutet delges",
    "signatories": "Undertecknare",
}
ADJUSTED = "Paragrafen förklaras omedelbart justerad."


@dataclass
class TextChange:
    field: str
    label: str
    a: str
    b: str


def field_labels(sections: dict[str, str]) -> dict[str, str]:
    """Return every field of the content in document order, name → Swedish heading."""
    labels = {k: FIELD_LABELS[k] for k in ("title", "report_date", "proposals")}
    labels.update({f"sections.{key}": heading for key, heading in sections.items()})
    labels.update({k: FIELD_LABELS[k] for k in ("recipients", "signatories")})
    return labels


def describe(changed: list[str], sections: dict[str, str]) -> str:
    """Name changed fields in Swedish, e.g. "Förslag till beslut, Sammanfattning"."""
    labels = field_labels(sections)
    ordered = [f for f in labels if f in changed] + [f for f in changed if f not in labels]
    return ", ".join(labels.get(f, f.removeprefix("sections.")) for f in ordered)


def field_text(content: ReportContent, field: str) -> str:
    """Return one field of the content as plain text."""
    if field.startswith("sections."):
        return html_to_text(content.sections.get(field.removeprefix("sections."), ""))
    if field == "proposals":
        return "\n".join(
            f"{i}. {p.text}" + (f" {ADJUSTED}" if p.immediately_adjusted else "")
            for i, p in enumerate(content.proposals, start=1)
        )
    if field == "recipients":
        return "\n".join(content.recipients)
    if field == "signatories":
        return "\n".join(", ".join(part for part in (s.name, s.title) if part) for s in content.signatories)
    return getattr(content, field) or ""


def text_changes(a: ReportContent, b: ReportContent, sections: dict[str, str]) -> list[TextChange]:
    """Return the fields that differ between ``a`` and ``b`` in document order, as plain text."""
    changed = set(b.changed_fields(a))
    labels = field_labels(sections)
    order = list(labels) + sorted(changed - set(labels))  # a section no longer configured comes last
    return [
        TextChange(f, labels.get(f, f.removeprefix("sections.")), field_text(a, f), field_text(b, f))
        for f in order
        if f in changed
    ]
