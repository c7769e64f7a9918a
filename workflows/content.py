"""The content of a tjänsteutlåtande as plain data, and its rich text rules. Pure: no database.

Rich text is limited to what Word carries well: paragraphs, subheadings (h3, printed as Word's
Heading 3 under the section's Heading 2), bold, italic, lists and links. Everything else (scripts,
styles, images, unknown tags and attributes) is removed on input; a heading of another level is
taken as a subheading.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from typing import Any, TypedDict, TypeVar

import nh3

from app.validation import ValidationError, clean_text

ALLOWED_TAGS = {"p", "h3", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a"}
#: the tag of a subheading within a section (the section's own heading is h2 on the page, Heading 2 in Word)
SUBHEADING = "h3"
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
RICH_TEXT_MAX = 50_000
PROPOSAL_MAX = 2_000
MAX_PROPOSALS = 30

#: the fixed sections of every report, in document order: (key, Swedish heading, required).
#: Short reports often have no Sammanfattning (two of six in the 2017-02-23 kallelse), so only
#: the description is required; a municipality can require more (ReportSectionDefinition).
STANDARD_SECTIONS = [
    ("summary", "Sammanfattning", False),
    ("description", "Beskrivning av ärendet", True),
    ("administration_views", "Förvaltningens synpunkter", False),
]


def sanitize_html(value: object, *, field: str, label: str) -> str:
    """Return the rich text with only Word-compatible markup kept; refuse non-text or too long."""
    text = clean_text(value, field=field, label=label, max_length=RICH_TEXT_MAX * 2, required=False)
    cleaned = nh3.clean(
        _OTHER_HEADING.sub(r"<\1h3", text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
    cleaned = _EMPTY_SUBHEADING.sub("", cleaned).strip()
    if len(cleaned) > RICH_TEXT_MAX:
        raise ValidationError({field: f"{label} är för lång (högst {RICH_TEXT_MAX} tecken)."})
    return cleaned


#: the start or end of a heading of another level than the subheading's (renamed: nh3 then cleans it as any h3)
_OTHER_HEADING = re.compile(r"<(/?)h[124-6](?=[\s/>])", re.IGNORECASE)
#: a subheading with nothing to say (an empty heading is noise to a screen reader and an empty bookmark in the PDF)
_EMPTY_SUBHEADING = re.compile(r"<h3>(?:\s|&nbsp;|<br>)*</h3>")
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h3|li|ul|ol)>|<br\s*/?>", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """Return sanitised rich text as plain text (for search, comparison and checks)."""
    text = _BLOCK_END.sub("\n", html or "")
    text = _TAG.sub("", text)
    lines = [" ".join(unescape(line).split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def plain_text(value: str) -> str:
    """Remove any markup from a plain-text field, keeping characters such as < and & as text."""
    return html_to_text(nh3.clean(value, tags=set()))


class ProposalJSON(TypedDict):
    text: str
    immediately_adjusted: bool


class SignatoryJSON(TypedDict):
    user_id: int | None
    name: str
    title: str


class ReportContentJSON(TypedDict):
    """A revision's content as stored (ReportRevision.content) and as the API shows it."""

    title: str
    report_date: str | None
    sections: dict[str, str]
    proposals: list[ProposalJSON]
    recipients: list[str]
    signatories: list[SignatoryJSON]


@dataclass
class Proposal:
    """One numbered point of Förslag till beslut."""

    text: str
    immediately_adjusted: bool = False


@dataclass
class Signatory:
    user_id: int | None
    name: str
    title: str


@dataclass
class ReportContent:
    """Everything a revision of a report says."""

    title: str = ""
    report_date: str | None = None
    sections: dict[str, str] = field(default_factory=dict)
    proposals: list[Proposal] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signatories: list[Signatory] = field(default_factory=list)

    def to_json(self) -> ReportContentJSON:
        return {
            "title": self.title,
            "report_date": self.report_date,
            "sections": dict(self.sections),
            "proposals": [{"text": p.text, "immediately_adjusted": p.immediately_adjusted} for p in self.proposals],
            "recipients": list(self.recipients),
            "signatories": [{"user_id": s.user_id, "name": s.name, "title": s.title} for s in self.signatories],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportContent:
        """The content of a stored revision (JSON as written by ``to_json``, older ones may lack keys)."""
        return cls(
            title=data.get("title", ""),
            report_date=data.get("report_date"),
            sections=dict(data.get("sections") or {}),
            proposals=[Proposal(**p) for p in data.get("proposals") or []],
            recipients=list(data.get("recipients") or []),
            signatories=[Signatory(**s) for s in data.get("signatories") or []],
        )

    def canonical_bytes(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def content_hash(self) -> str:
        """The sha256 of the content: what signing freezes."""
        return hashlib.sha256(self.canonical_bytes()).hexdigest()

    def changed_fields(self, other: ReportContent | None) -> list[str]:
        """Name the fields that differ from ``other`` (all of them when there is none)."""
        mine: Mapping[str, object] = self.to_json()
        theirs: Mapping[str, object] = other.to_json() if other else {}
        changed = [
            k
            for k in ("title", "report_date", "proposals", "recipients", "signatories")
            if mine.get(k) != theirs.get(k)
        ]
        their_sections = other.sections if other else {}
        keys = sorted(set(self.sections) | set(their_sections))
        changed += [f"sections.{k}" for k in keys if self.sections.get(k, "") != their_sections.get(k, "")]
        return changed


_T = TypeVar("_T")


def clean_content(raw: Mapping[str, object], section_titles: dict[str, str]) -> ReportContent:
    """Validate and sanitise submitted content; ``section_titles`` maps every allowed section key to its heading."""
    errors: dict[str, str] = {}

    def attempt(fn: Callable[[], _T]) -> _T | None:
        try:
            return fn()
        except ValidationError as exc:
            errors.update(exc.errors)
            return None

    title = attempt(lambda: plain_text(clean_text(raw.get("title"), field="title", label="Rubrik", max_length=500)))
    report_date = attempt(lambda: _clean_date(raw.get("report_date")))
    sections: dict[str, str] = {}
    raw_sections = raw.get("sections") or {}
    if not isinstance(raw_sections, dict):
        errors["sections"] = "Avsnitten måste anges per avsnitt."
        raw_sections = {}
    for key in raw_sections:
        if key not in section_titles:
            errors[f"sections.{key}"] = "Okänt avsnitt."
    for key, heading in section_titles.items():
        value = attempt(lambda: sanitize_html(raw_sections.get(key), field=f"sections.{key}", label=heading))
        if value:
            sections[key] = value
    proposals = attempt(lambda: _clean_proposals(raw.get("proposals")))
    recipients = attempt(
        lambda: _clean_lines(raw.get("recipients"), field="recipients", label="Beslutet delges", limit=50)
    )
    signatories = attempt(lambda: _clean_signatories(raw.get("signatories")))
    if errors:
        raise ValidationError(errors)
    # attempt gives None only when it has recorded an error
    assert title is not None and proposals is not None and recipients is not None and signatories is not None
    return ReportContent(
        title=title,
        report_date=report_date,
        sections=sections,
        proposals=proposals,
        recipients=recipients,
        signatories=signatories,
    )


def _clean_date(value: object) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValidationError({"report_date": "Ange datum som ÅÅÅÅ-MM-DD."}) from None


def _clean_proposals(value: object) -> list[Proposal]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError({"proposals": "Förslagen till beslut anges som en lista."})
    if len(value) > MAX_PROPOSALS:
        raise ValidationError({"proposals": f"Högst {MAX_PROPOSALS} beslutspunkter."})
    out = []
    for i, item in enumerate(value, start=1):
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict) or set(item) - {"text", "immediately_adjusted"}:
            raise ValidationError({f"proposals.{i}": "Beslutspunkten är felaktigt angiven."})
        text = clean_text(
            item.get("text"), field=f"proposals.{i}", label=f"Beslutspunkt {i}", max_length=PROPOSAL_MAX, required=False
        )
        text = plain_text(text)
        adjusted = item.get("immediately_adjusted", False)
        if not isinstance(adjusted, bool):
            raise ValidationError({f"proposals.{i}": "”Omedelbart justerad” är ja eller nej."})
        if text:
            out.append(Proposal(text=text, immediately_adjusted=adjusted))
    return out


def _clean_lines(value: object, *, field: str, label: str, limit: int) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or len(value) > limit:
        raise ValidationError({field: f"{label}: högst {limit} rader."})
    lines = [clean_text(v, field=field, label=label, max_length=300, required=False) for v in value]
    return [plain_text(line) for line in lines if line]


def _clean_signatories(value: object) -> list[Signatory]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 6:
        raise ValidationError({"signatories": "Högst sex undertecknare."})
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise ValidationError({"signatories": "Undertecknare anges med namn och titel."})
        name = plain_text(
            clean_text(item.get("name"), field="signatories", label="Undertecknarens namn", max_length=200)
        )
        if not name:
            raise ValidationError({"signatories": "Undertecknarens namn saknas."})
        title = plain_text(
            clean_text(
                item.get("title"), field="signatories", label="Undertecknarens titel", max_length=200, required=False
            )
        )
        user_id = item.get("user_id")
        if user_id is not None and (not isinstance(user_id, int) or isinstance(user_id, bool)):
            raise ValidationError({"signatories": "Undertecknarens användar-id måste vara ett heltal."})
        out.append(Signatory(user_id=user_id, name=name, title=title))
    return out


def missing_for_submission(content: ReportContent, required: dict[str, str]) -> list[str]:
    """Name, in Swedish, what a report lacks before it can be submitted for review."""
    missing = []
    if not content.proposals:
        missing.append("Förslag till beslut")
    for key, heading in required.items():
        if not html_to_text(content.sections.get(key, "")):
            missing.append(heading)
    return missing
