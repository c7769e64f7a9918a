"""Secrecy of what is published, read from the cases as they are now.

Whether an agenda item, a bilaga or a delegated decision is confidential is derived from its case
whenever it is shown, published or rendered, never from a copy taken earlier. This module holds
what the public may read of an item (``public_item``, ``public_decision``: a confidential one by its
public title only, without its confidential bilagor) and the two checks that follow from that rule:

- before publishing, no public text may hold anything of a confidential case: a title it has or
  had, its diarienummer, a protected party's name, a passage of its report, or an item's own title
  given to it on the agenda (``secrecy_problems``);
- a version published before its case became confidential stays as it was (immutable), but what
  the public reads of it today treats that item as confidential (``public_items_now``), and the
  secretary is told (``newly_confidential``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import select

from agenda.models import CONFIDENTIAL_SECTION, DelegationDecision, ItemKind, Meeting, Publication
from agenda.snapshot_json import DecisionJSON, ItemJSON, SnapshotJSON
from app.audit import AuditEntry
from app.extensions import db
from app.registry.models import Case, RegisteredDocument
from workflows import operations as report_ops
from workflows.content import ReportContent, html_to_text

#: a run of this many words of a confidential report found in a public text gives it away (fewer are too common)
PASSAGE_WORDS = 8


@dataclass
class ConfidentialMarks:
    """What would give a confidential case away, each with how a problem names it."""

    titles: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    parties: set[str] = field(default_factory=set)
    #: every run of PASSAGE_WORDS words of the confidential reports
    passages: set[str] = field(default_factory=set)
    #: the public titles, meant to be shown: what they say is not looked at
    public_titles: set[str] = field(default_factory=set)

    # One pattern per kind, made once per check (a committee may have thousands of confidential cases).
    @cached_property
    def _numbers_re(self) -> re.Pattern[str] | None:
        return _any_of(self.numbers, before=r"(?<![\w/.-])", after=r"(?!\d)")

    @cached_property
    def _parties_re(self) -> re.Pattern[str] | None:
        return _any_of(self.parties, before=r"(?<!\w)", after=r"(?!\w)")

    def found_in(self, text: str, *, is_report: bool = False) -> list[str]:
        """Swedish descriptions of what of a confidential case ``text`` holds (without repeating it).

        An open case's report is not searched for a confidential report's passages: reports share
        set phrases. Its passages would reach a public report only as that case's own report, which
        a confidential item never shows.
        """
        folded = _folded(text)
        for public in sorted(self.public_titles, key=len, reverse=True):
            folded = folded.replace(public, " ")
        found: list[str] = []
        if any(t in folded for t in self.titles):
            found.append("innehåller rubriken på ett sekretessärende")
        if self._numbers_re and self._numbers_re.search(folded):
            found.append("innehåller diarienumret för ett sekretessärende")
        if self._parties_re and self._parties_re.search(folded):
            found.append("innehåller namnet på en part i ett sekretessärende")
        if not is_report and self.passages & _passages(folded):
            found.append("innehåller text ur tjänsteutlåtandet i ett sekretessärende")
        return found


def _any_of(texts: set[str], *, before: str, after: str) -> re.Pattern[str] | None:
    """One pattern matching any of ``texts`` (longest first) between the given boundaries; None for none."""
    if not texts:
        return None
    return re.compile(
        before + "(?:" + "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True)) + ")" + after
    )


def _folded(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _passages(text: str) -> set[str]:
    """Every run of PASSAGE_WORDS words of ``text`` (case and punctuation aside)."""
    words = re.findall(r"\w+", text.casefold())
    return {" ".join(words[i : i + PASSAGE_WORDS]) for i in range(len(words) - PASSAGE_WORDS + 1)}


def confidential_marks(meeting: Meeting, decisions: list[DelegationDecision]) -> ConfidentialMarks:
    """Every confidential case of the committee by its titles (now and before) and diarienummer; the
    parties of its documents marked confidential; and for the cases on this agenda or its list of
    delegated decisions, their items' own titles and the passages of their reports."""
    marks = ConfidentialMarks()
    cases = db.session.scalars(
        select(Case).where(Case.committee_id == meeting.committee_id, Case.is_confidential.is_(True))
    ).all()
    ids = [c.id for c in cases]
    for case in cases:
        marks.titles.add(_folded(case.title))
        marks.numbers.add(_folded(case.number))
        marks.public_titles.add(_folded(case.display_public_title))
    if ids:
        for data in db.session.scalars(
            select(AuditEntry.data).where(AuditEntry.case_id.in_(ids), AuditEntry.action == "case.updated")
        ):
            for side in ("before", "after"):
                title = ((data or {}).get(side) or {}).get("title")
                if title:
                    marks.titles.add(_folded(title))
        marks.parties |= {
            _folded(p)
            for p in db.session.scalars(
                select(RegisteredDocument.counterparty)
                .where(RegisteredDocument.case_id.in_(ids))
                .where(RegisteredDocument.is_confidential.is_(True))
            )
            if p and p.strip()
        }
    on_agenda = [item.case for item in meeting.items if item.is_confidential]
    on_agenda += [d.case for d in decisions if d.case is not None and d.case.is_confidential]
    for item in meeting.items:
        if item.is_confidential:
            marks.titles.add(_folded(item.title))
    for case in {c.id: c for c in on_agenda if c is not None}.values():
        title, passages = _report_text(case)
        marks.titles |= title
        marks.passages |= passages
    marks.titles -= marks.public_titles | {""}
    marks.public_titles.discard("")
    return marks


def _report_text(case: Case) -> tuple[set[str], set[str]]:
    """A case's report (current and signed revision): its titles, and its runs of words (``_passages``)."""
    report = report_ops.report_for(case)
    titles: set[str] = set()
    out: set[str] = set()
    if report is None:
        return titles, out
    for number in {report.current_revision, report.signed_revision} - {None, 0}:
        revision = report.revision(number)
        if revision is None:
            continue
        content = ReportContent.from_json(revision.content)
        titles.add(_folded(content.title))
        texts = [*(html_to_text(h) for h in content.sections.values()), *(p.text for p in content.proposals)]
        for text in texts:
            out |= _passages(text or "")
    return titles, out


def secrecy_problems(texts: list[tuple[str, str, bool]], marks: ConfidentialMarks) -> list[str]:
    """One line per public text (where, text, is a report) that gives a confidential case away, naming where."""
    return [
        f"{where}: {what}." for where, text, is_report in texts for what in marks.found_in(text, is_report=is_report)
    ]


# --- versions published before a case became confidential ---------------------------------------------


def secret_now(snapshot: SnapshotJSON) -> dict[int, str]:
    """The cases a members' snapshot names (items and delegated decisions) that are confidential now,
    by id, with their public titles."""
    ids = {case_id for i in snapshot["items"] if (case_id := i.get("case_id"))}
    ids |= {
        case_id for i in snapshot["items"] for d in i.get("delegation_decisions", []) if (case_id := d.get("case_id"))
    }
    if not ids:
        return {}
    cases = db.session.scalars(select(Case).where(Case.id.in_(ids), Case.is_confidential.is_(True)))
    return {c.id: c.display_public_title for c in cases}


def public_item(item: ItemJSON) -> ItemJSON:
    """The public version of a members' item: a confidential one as its public title only."""
    if item["kind"] == ItemKind.confidential_case.value:
        return {
            "number": item["number"],
            "kind": item["kind"],
            "section": item["section"],
            "title": item["public_title"] or "Sekretessärende",
            "case_number": None,
            "note": None,
            "external_reference": None,
            "parts": [],
            "markers": [],
            "immediate_adjustment": False,
            "is_handling_later": False,
            "report": None,
            "attachments": [],
        }
    out = item.copy()
    out.pop("id", None)
    out.pop("case_id", None)
    out.pop("public_title", None)
    out["attachments"] = [a for a in item["attachments"] if not a["is_confidential"]]
    if "delegation_decisions" in item:
        out["delegation_decisions"] = [public_decision(d) for d in item["delegation_decisions"]]
    return out


def public_decision(decision: DecisionJSON) -> DecisionJSON:
    if not decision["is_confidential"]:
        out = decision.copy()
        out.pop("public_title", None)
        out.pop("case_id", None)
        return out
    return {
        "decided_on": decision["decided_on"],
        "decision_maker": decision["decision_maker"],
        "delegation_point": decision["delegation_point"],
        "case_number": None,
        "summary": decision.get("public_title") or "Sekretess",
        "is_confidential": True,
    }


def newly_confidential(publication: Publication) -> list[ItemJSON]:
    """The members' items of ``publication`` published as open whose case is confidential now."""
    secret = secret_now(publication.members_snapshot)
    return [
        i
        for i in publication.members_snapshot["items"]
        if (case_id := i.get("case_id")) is not None
        and case_id in secret
        and i["kind"] != ItemKind.confidential_case.value
    ]


def public_items_now(publication: Publication) -> list[ItemJSON]:
    """The public items of a publication as they may be read today.

    The stored snapshot is never changed; an item whose case has become confidential since is
    shown as a sekretessärende (its public title only, no report, no bilagor), and so is a
    delegated decision in such a case.
    """
    secret = secret_now(publication.members_snapshot)
    if not secret:
        return publication.public_snapshot["items"]
    closed = publication.members_snapshot["meeting"].get("closed_section") or CONFIDENTIAL_SECTION
    members = {i["number"]: i for i in publication.members_snapshot["items"]}
    out: list[ItemJSON] = []
    for item in publication.public_snapshot["items"]:
        member = members.get(item["number"])
        case_id = member.get("case_id") if member is not None else None
        if (
            member is not None
            and case_id is not None
            and case_id in secret
            and item["kind"] != ItemKind.confidential_case.value
        ):
            item = public_item(
                {
                    **member,
                    "kind": ItemKind.confidential_case.value,
                    "section": closed,
                    "public_title": secret[case_id],
                }
            )
        elif "delegation_decisions" in item:
            decisions: list[DecisionJSON] = []
            full_decisions = member.get("delegation_decisions", []) if member is not None else []
            for shown, full in zip(item["delegation_decisions"], full_decisions):
                decision_case = full.get("case_id")
                if decision_case is not None and decision_case in secret and not shown.get("is_confidential"):
                    shown = public_decision({**full, "is_confidential": True, "public_title": secret[decision_case]})
                decisions.append(shown)
            item = {**item, "delegation_decisions": decisions}
        out.append(item)
    return out


def public_changes_now(publication: Publication) -> list[str]:
    """The publication's change lines as the public may read them today: a line naming an item whose
    case has become confidential since says only that an item changed."""
    titles = {_folded(i["title"]) for i in newly_confidential(publication)} - {""}
    return [
        ("En punkt har ändrats." if any(t in _folded(line) for t in titles) else line)
        for line in publication.changes or []
    ]


#: why the public files of a version are no longer handed out
WITHDRAWN = (
    "Handlingarna till den här versionen av kallelsen lämnas inte längre ut: ett ärende i den har "
    "sekretessmarkerats. Se den senaste versionen."
)
