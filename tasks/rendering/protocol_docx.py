"""The protokoll (minutes) and its protokollsutdrag as Word documents. Pure: a ``ProtocolJSON`` in, DOCX bytes out.

``build_protocol_docx(protocol, public=...)`` lays out one version of a meeting's protokoll as the municipality's
printed one (DOMAIN.md, "After the meeting"): on every page the header "SOCIALNÄMNDEN  SAMMANTRÄDESPROTOKOLL
SIDA n (N)" (Word's PAGE and NUMPAGES fields) with the sammanträdesdatum, and at the foot the boxes for the
justerandes signatur and the utdragsbestyrkande; the first page with plats och tid, beslutande (ledamöter and
tjänstgörande ersättare with for whom), övriga närvarande, utses att justera, justeringens plats och tid, the
signatures with the paragraphs each covers ("Paragrafer 1–21") and the ANSLAG/BEVIS box; then one § per matter,
each from a new page: its heading "§ 12 <title>" and Dnr, Beslut (numbered points, "Paragrafen förklaras
omedelbart justerad"), Sammanfattning, Beslutsunderlag, Yrkanden, Propositionsordning, Omröstning (a table of
the votes and the result, the chair's casting vote noted), Reservationer, Protokollsanteckningar, Jäv and
Beslutet skickas till, each a real heading.

``build_extract_docx(protocol, number)`` is the protokollsutdrag of one §: the same header, the facts of the
meeting, justering and anslag it needs, the §, and "Rätt utdraget intygar" with a signature line.

The public version (``public=True``) is made from ``public_protocol``: a confidential § keeps its number, its
public title and its secrecy provision ("Sekretess enligt 26 kap. 1 § OSL"), nothing else. A rättelse (a
correction of a justerat protokoll) shows as one: in every page's header, on the first page with what was
corrected, and at each corrected §. Dates are written in words, as the kallelse writes them (app.swedish_dates).

Same lean template and letterhead mechanism as the kallelse and the tjänsteutlåtande (tasks.rendering.word):
sv-SE, A4, real headings (Heading 1 per §, Heading 2 per part of it), table header rows repeated per page.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape

from lxml import etree

from app.clock import to_local
from app.swedish_dates import long_date, weekday_date
from tasks.rendering.batch import Maker
from tasks.rendering.blocks import whole_number_runs
from tasks.rendering.protocol_json import (
    AdjournmentJSON,
    DeciderJSON,
    MotionJSON,
    OtherPresentJSON,
    ParagraphJSON,
    ParagraphRangeJSON,
    PersonJSON,
    ProtocolJSON,
    SignatureJSON,
    VoteJSON,
)
from tasks.rendering.word import (
    KEEPNEXT,
    Target,
    WordBuilder,
    clean,
    numbered,
    paragraph,
    ppr,
    run,
    spacing,
    sub,
    template_revision,
    template_sha256,
    w,
)

Element = etree._Element

#: bump when the layout changes, so stored renders of the same protokoll are made again
PROTOCOL_BUILDER_VERSION = "1"
DOCUMENT_NAME = "SAMMANTRÄDESPROTOKOLL"
EXTRACT_NAME = "Protokollsutdrag"
PUBLIC_MARK = "Offentlig version"
ADJUSTED_TEXT = "Paragrafen förklaras omedelbart justerad."
CERTIFIED_TEXT = "Rätt utdraget intygar"
#: the secrecy marking of a confidential §, with its provision in OSL
SECRECY_MARKING = "Sekretess enligt {}"
SECRECY_MARKING_WITHOUT_PROVISION = "Sekretess"
#: a decision left empty: what the § says for an item postponed or sent back
OUTCOME_TEXT = {
    "postponed": "Ärendet bordläggs.",
    "sent_back": "Ärendet återremitteras.",
}
#: what a yrkande of each kind proposes when its text is not given
MOTION_TEXT = {
    "bifall": "bifall till förvaltningens förslag",
    "avslag": "avslag på förvaltningens förslag",
    "ändring": "ändring av förvaltningens förslag",
    "tillägg": "tillägg till förvaltningens förslag",
    "återremiss": "att ärendet återremitteras",
    "bordläggning": "att ärendet bordläggs",
}
SIGNATURE_ROLES = {"secretary": "Sekreterare", "chair": "Ordförande", "adjuster": "Justerare"}
VOTE_MARKS = {"yes": "Ja", "no": "Nej", "abstain": "Avstår"}

#: text width of the page in twips (A4 less 25 mm margins)
TEXT_WIDTH = 9071
#: the header's columns: the committee, the document's name and date, the page
HEADER_WIDTHS = (3969, 3402, 1700)
#: the footer's columns: the first page's sender line, the boxes for justerandes signatur and utdragsbestyrkande
FOOTER_WIDTHS = (5103, 1984, 1984)
#: where the first page's facts stand, right of their labels
LABEL_WIDTH = 2552
#: the signatures: label, role, signature line with the name under it, paragraphs
SIGNATURE_WIDTHS = (2552, 1304, 3402, 1813)
#: the anslag box: label, value
ANNOUNCEMENT_WIDTHS = (3402, 5669)
#: the vote list: name, party, ja, nej, avstår
VOTE_WIDTHS = (4253, 1134, 1228, 1228, 1228)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_SIZE_FACTS = 20  # 10 pt
_SIZE_SMALL = 18  # 9 pt


# --- the input ---------------------------------------------------------------------------------------------------


def person_name(person: PersonJSON) -> str:
    """ "Anna Berg (M)"; an official "Eva Strand, socialdirektör"."""
    name = clean(person["name"]).strip()
    if person.get("party"):
        return f"{name} ({clean(person['party'])})"
    title = person.get("title")
    return f"{name}, {clean(title)}" if title else name


def joined(names: Sequence[str]) -> str:
    """ "A", "A och B", "A, B och C"."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


def people(persons: Iterable[PersonJSON]) -> str:
    return joined([person_name(p) for p in persons])


def paragraph_ranges(numbers: Iterable[int]) -> str:
    """ "1–21", "4", "1–13, 15–21"."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


def paragraphs_label(numbers: Iterable[int]) -> str:
    """ "Paragrafer 1–21", "Paragraf 4"."""
    ordered = sorted(set(numbers))
    if not ordered:
        return ""
    return f"{'Paragraf' if len(ordered) == 1 else 'Paragrafer'} {paragraph_ranges(ordered)}"


def range_text(span: ParagraphRangeJSON | None) -> str:
    """ "§§ 5–12", "§ 5", "fr.o.m. § 5", "t.o.m. § 12" ("" for the whole meeting)."""
    if not span:
        return ""
    first, last = span.get("first"), span.get("last")
    if first is not None and last is not None:
        return f"§ {first}" if first == last else f"§§ {first}–{last}"
    if first is not None:
        return f"fr.o.m. § {first}"
    if last is not None:
        return f"t.o.m. § {last}"
    return ""


def _moment(value: str) -> datetime | date:
    if len(value) > 10:
        moment = datetime.fromisoformat(value)
        return to_local(moment) if moment.tzinfo is not None else moment
    return date.fromisoformat(value)


def clock(value: str | None) -> str:
    """ "18:00" of an ISO moment ("" for a date or nothing)."""
    if not value:
        return ""
    moment = _moment(value)
    return f"{moment:%H:%M}" if isinstance(moment, datetime) else ""


def date_and_time(value: str | None) -> str:
    """ "2 mars 2017" or "2 mars 2017, klockan 10:00"."""
    if not value:
        return ""
    at = clock(value)
    return f"{long_date(value[:10])}, klockan {at}" if at else long_date(value[:10])


def meeting_place_and_time(protocol: ProtocolJSON) -> str:
    """ "Plenum, Gymnasietorget 1, torsdag den 23 februari 2017, klockan 18:00–20:15"."""
    m = protocol["meeting"]
    start, end = clock(m["start"]), clock(m["end"])
    same_day = (m["end"] or "")[:10] == m["start"][:10]
    hours = f"{start}–{end}" if start and end and same_day else start
    when = weekday_date(m["start"][:10]) + (f", klockan {hours}" if hours else "")
    return ", ".join(part for part in (clean(m.get("place")), when) if part)


def adjournment_text(adjournment: AdjournmentJSON) -> str:
    return f"Ajournering {clock(adjournment['start'])}–{clock(adjournment['end'])}"


def secrecy_marking(provision: str | None) -> str:
    """ "Sekretess enligt 26 kap. 1 § OSL"."""
    provision = clean(provision or "").strip()
    return SECRECY_MARKING.format(provision) if provision else SECRECY_MARKING_WITHOUT_PROVISION


def public_paragraph(par: ParagraphJSON) -> ParagraphJSON:
    """A § as the public may read it: a confidential one by its number, public title and provision only; an open
    one without its confidential bilagor among the Beslutsunderlag."""
    if not par["is_confidential"]:
        public = copy.deepcopy(par)
        secret = public.pop("confidential_basis", [])
        public["decision_basis"] = [line for line in par["decision_basis"] if line not in secret]
        return public
    return ParagraphJSON(
        number=par["number"],
        item_number=par["item_number"],
        kind=par["kind"],
        title=clean(par.get("public_title") or "Sekretessärende"),
        case_number=None,
        is_confidential=True,
        public_title=None,
        secrecy_provision=par.get("secrecy_provision"),
        outcome=par["outcome"],
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


def public_protocol(protocol: ProtocolJSON) -> ProtocolJSON:
    """The protokoll as the public may read it: each confidential § with nothing but what ``public_paragraph``
    keeps (the rest of the protokoll is public: who decided, the justering, the anslag)."""
    public = copy.deepcopy(protocol)
    public["paragraphs"] = [public_paragraph(p) for p in protocol["paragraphs"]]
    return public


def protocol_texts(protocol: ProtocolJSON) -> list[tuple[str, str]]:
    """Every text the protokoll prints, with where it stands ("§ 16, Yrkanden"), for the checks before a version is
    published (a personnummer, a confidential case's words): run on ``public_protocol`` for the public version."""
    m = protocol["meeting"]
    texts = [("Plats och tid", meeting_place_and_time(protocol))]
    texts += [("Beslutande", decider_text(d)) for d in protocol["deciders"]]
    texts += [("Övriga närvarande", other_text(o)) for o in protocol["others_present"]]
    texts += [("Utses att justera", people(protocol["adjustment"]["adjusters"]))]
    texts += [("Justeringens plats", protocol["adjustment"]["place"])]
    texts += [("Anslag", protocol["announcement"]["kept_at"]), ("Organ", m["committee"])]
    correction = protocol["correction"]
    if correction:
        texts.append(("Rättelse", correction["description"]))
    for par in protocol["paragraphs"]:
        at = f"§ {par['number']}"
        texts.append((at, par["title"]))
        texts += [(f"{at}, Dnr", par["case_number"] or "")]
        texts += [(f"{at}, Beslut", point) for point in par["decision"]]
        texts += [(f"{at}, Sammanfattning", line) for line in _lines(par["summary"])]
        texts += [(f"{at}, Information", f"{i['title']} {i['presenter'] or ''}") for i in par.get("information") or []]
        texts += [(f"{at}, Beslutsunderlag", line) for line in par["decision_basis"]]
        texts += [(f"{at}, Yrkanden", line) for motion in par["motions"] for line in motion_lines(motion)]
        texts += [(f"{at}, Propositionsordning", line) for line in par["proposition_order"]]
        for vote in par["votes"]:
            asked = (vote.get("question"), vote.get("yes_means"), vote.get("no_means"))
            texts += [(f"{at}, Omröstning", text or "") for text in asked]
            texts += [(f"{at}, Omröstning", person_name(b["person"])) for b in vote["ballots"]]
        for reservation in par["reservations"]:
            texts.append((f"{at}, Reservationer", f"{people(reservation['by'])} {reservation['reason'] or ''}"))
            texts += [(f"{at}, Reservationer", line) for line in _lines(reservation.get("text"))]
        for note in par["notes"]:
            texts += [(f"{at}, Protokollsanteckningar", line) for line in _lines(note["text"])]
        texts += [(f"{at}, Jäv", person_name(c["person"])) for c in par["conflicts"]]
        texts += [(f"{at}, Beslutet skickas till", r) for r in par["recipients"]]
    return [(where, clean(text)) for where, text in texts if text and text.strip()]


def vote_counts(vote: VoteJSON) -> tuple[int, int, int]:
    """(ja, nej, avstår), checked against the result given: a result the votes do not give is refused."""
    yes = sum(1 for b in vote["ballots"] if b["vote"] == "yes")
    no = sum(1 for b in vote["ballots"] if b["vote"] == "no")
    abstain = sum(1 for b in vote["ballots"] if b["vote"] == "abstain")
    if yes != no:
        expected = "yes" if yes > no else "no"
        if vote["result"] != expected or vote["casting_vote"]:
            raise ValueError(f"vote result {vote['result']!r} does not follow from {yes} yes and {no} no")
    else:
        chair = next((b["vote"] for b in vote["ballots"] if b["is_chair"]), None)
        if not vote["casting_vote"] or chair not in ("yes", "no") or vote["result"] != chair:
            raise ValueError(f"an even vote ({yes}–{no}) is decided by the chair's vote, not {vote['result']!r}")
    return yes, no, abstain


def protocol_input_hash(protocol: ProtocolJSON, *, public: bool, extract: int | None = None) -> str:
    """The sha256 of everything a protokoll (or one § 's extract) is made from: data, variant, builder, template."""
    data = json.dumps(protocol, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    variant = ("/public/" if public else "/members/") + (f"extract-{extract}/" if extract is not None else "")
    return hashlib.sha256(
        b"protocol/" + PROTOCOL_BUILDER_VERSION.encode() + variant.encode() + template_sha256().encode() + b"/" + data
    ).hexdigest()


def protocol_filename(
    protocol: ProtocolJSON, extension: str, *, public: bool = False, extract: int | None = None
) -> str:
    """E.g. "protokoll-SN-2017-02-23.pdf", "protokoll-SN-2017-02-23-v2-offentlig.pdf",
    "protokollsutdrag-SN-2017-02-23-p12.pdf" (ASCII, no path)."""
    meeting = protocol["meeting"]
    prefix = re.sub(r"[^A-Za-z0-9]+", "-", meeting.get("committee_prefix") or "").strip("-") or "namnd"
    name = "protokollsutdrag" if extract is not None else "protokoll"
    parts = [f"{name}-{prefix}-{meeting['start'][:10]}"]
    if extract is not None:
        parts.append(f"p{int(extract)}")
    if protocol.get("version", 1) > 1:
        parts.append(f"v{int(protocol['version'])}")
    if public:
        parts.append("offentlig")
    return "-".join(parts) + f".{extension}"


def protocol_title(protocol: ProtocolJSON, *, public: bool, extract: int | None = None) -> str:
    """The document title: "Protokoll Socialnämnden 2017-02-23" (+ "§ 12", rättelse, offentlig version)."""
    m = protocol["meeting"]
    name = EXTRACT_NAME if extract is not None else "Protokoll"
    title = f"{name} {m['committee']} {m['start'][:10]}"
    if extract is not None:
        title += f" § {extract}"
    if protocol.get("correction"):
        title += f", rättelse version {protocol['version']}"
    if public:
        title += f" ({PUBLIC_MARK.lower()})"
    return clean(title)


# --- the builder -------------------------------------------------------------------------------------------------


def _heading(text: str, level: int = 2, *, page_break: bool = False, before: int | None = None) -> Element:
    p = paragraph(f"Heading{level}")
    if page_break:
        sub(ppr(p), w("pageBreakBefore"))
    if before is not None:
        spacing(p, before=before)
    whole_number_runs(p, clean(text))
    return p


def _text(
    text: str,
    *,
    size: int | None = None,
    bold: bool = False,
    italic: bool = False,
    sans: bool = False,
    indent: int = 0,
    right_indent: int = 0,
    before: int | None = None,
    after: int | None = 80,
    keep_next: bool = False,
    line_below: bool = False,
) -> Element:
    """A paragraph of ``text`` (its numbers kept whole); its properties written once, in the schema's order."""
    p = paragraph()
    properties = ppr(p)
    if keep_next:
        sub(properties, KEEPNEXT)
    if line_below:  # a dotted line to sign on
        bottom = sub(sub(properties, w("pBdr")), w("bottom"), "dotted")
        bottom.set(w("sz"), "6")
        bottom.set(w("space"), "1")
        bottom.set(w("color"), "auto")
    spacing(p, before=before, after=after)
    if indent or right_indent:
        ind = sub(properties, w("ind"))
        if indent:
            ind.set(w("left"), str(indent))
        if right_indent:
            ind.set(w("right"), str(right_indent))
    if text:
        whole_number_runs(p, clean(text), size=size, bold=bold, italic=italic, sans=sans)
    return p


def sentence(text: str) -> str:
    """``text`` ended as a sentence: a full stop added unless it ends with one (or with ! or ?), inside a closing
    quote too ("… ska lyda: ”Budgetramen fastställs.”")."""
    text = text.strip()
    if re.search(r"[.!?][”\"’)]*$", text):
        return text
    return text + "."


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in clean(text).splitlines() if line.strip()]


class _ProtocolBuilder(WordBuilder):
    """The protokoll, or one § of it as a protokollsutdrag (``extract``)."""

    def __init__(
        self, protocol: ProtocolJSON, public: bool, extract: int | None = None, target: Target | None = None
    ) -> None:
        self.public = public
        self.protocol = public_protocol(protocol) if public else protocol
        self.meeting = self.protocol["meeting"]
        self.extract = extract
        if extract is not None and not any(p["number"] == extract for p in self.protocol["paragraphs"]):
            raise ValueError(f"the protokoll has no § {extract}")
        super().__init__(target)

    # the page header and footer, on every page
    def header(self) -> None:
        def par(text: str, *, bold: bool = False, size: int = 20, fields: str = "", align: str = "left") -> str:
            rpr = f'<w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
            run_xml = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r>' if text else ""
            return f'<w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="{align}"/></w:pPr>{run_xml}{fields}</w:p>'

        def field(instr: str, shown: str) -> str:
            return (
                f'<w:fldSimple w:instr=" {instr} \\* MERGEFORMAT "><w:r><w:rPr><w:sz w:val="20"/></w:rPr>'
                f"<w:t>{shown}</w:t></w:r></w:fldSimple>"
            )

        def cell(width: int, content: str) -> str:
            return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{content}</w:tc>'

        small = '<w:r><w:rPr><w:sz w:val="20"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>'
        page = (
            small.format("SIDA ") + field("PAGE", "1") + small.format(" (") + field("NUMPAGES", "1") + small.format(")")
        )
        widths = HEADER_WIDTHS
        rows = [
            "<w:tr>"
            + cell(widths[0], par(clean(self.meeting["committee"]).upper(), bold=True))
            + cell(widths[1], par(DOCUMENT_NAME, bold=True))
            + cell(widths[2], par("", fields=page, align="right"))
            + "</w:tr>",
            "<w:tr>"
            + cell(widths[0], par(clean(self.meeting.get("municipality")), size=16))
            + cell(widths[1], par("SAMMANTRÄDESDATUM", size=14))
            + cell(widths[2], par(""))
            + "</w:tr>",
            "<w:tr>"
            + cell(widths[0], par(""))
            + cell(widths[1], par(long_date(self.meeting["start"][:10]), size=20))
            + cell(widths[2], par(""))
            + "</w:tr>",
        ]
        marks = [mark for mark in self.marks() if mark]
        marking = (
            f'<w:r><w:rPr><w:b/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(clean(" · ".join(marks)))}</w:t></w:r>'
            if marks
            else ""
        )
        xml = (
            self._table(widths, rows, rule="bottom")
            + f'<w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="right"/></w:pPr>{marking}</w:p>'
        )
        self._fill(self.target.header, xml)
        self._fill_first_header(xml)

    def marks(self) -> list[str]:
        """What the header says of this version: an extract, a rättelse, the public version."""
        correction = self.protocol.get("correction")
        return [
            EXTRACT_NAME if self.extract is not None else "",
            f"Rättelse, version {self.protocol['version']}, {long_date(correction['corrected_on'])}"
            if correction
            else "",
            PUBLIC_MARK if self.public else "",
        ]

    def footer(self) -> None:
        """At the foot of every page the boxes for the justerandes signatur and the utdragsbestyrkande; on the
        first page beside them the municipality and förvaltning and the template's revision."""
        m = self.meeting
        sender = " · ".join(part for part in (m.get("municipality"), m.get("administration")) if part)
        self._fill_first_footer(self._footer_xml([sender, template_revision()]))
        self._fill(self.target.footer, self._footer_xml([]))

    @staticmethod
    def _footer_xml(lines: list[str]) -> str:
        def par(text: str, size: int) -> str:
            run_xml = (
                f'<w:r><w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
                f'<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r>'
                if text
                else ""
            )
            return f'<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>{run_xml}</w:p>'

        box = (
            '<w:tcBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
            '<w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
            '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
            '<w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tcBorders>'
            '<w:tcMar><w:left w:w="57" w:type="dxa"/></w:tcMar>'
        )

        def cell(width: int, content: str, borders: str = "", valign: str = "top") -> str:
            return (
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{borders}<w:vAlign w:val="{valign}"/></w:tcPr>'
                f"{content}</w:tc>"
            )

        left = "".join(par(line, 12) for line in lines if line) or par("", 12)
        row = (
            '<w:tr><w:trPr><w:trHeight w:val="624" w:hRule="atLeast"/></w:trPr>'
            + cell(FOOTER_WIDTHS[0], left, valign="bottom")
            + cell(FOOTER_WIDTHS[1], par("Justerandes signatur", 12), box)
            + cell(FOOTER_WIDTHS[2], par("Utdragsbestyrkande", 12), box)
            + "</w:tr>"
        )
        grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in FOOTER_WIDTHS)
        return (
            f'<w:tbl><w:tblPr><w:tblStyle w:val="Sidhuvudtabell"/><w:tblW w:w="{sum(FOOTER_WIDTHS)}" w:type="dxa"/>'
            '<w:tblLayout w:type="fixed"/><w:tblLook w:val="0000"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{row}</w:tbl>" + par("", 4)
        )

    # the body
    def body(self) -> list[Element]:
        if self.extract is not None:
            return self.extract_body(self.extract)
        out = self.first_page()
        for par in self.protocol["paragraphs"]:
            out.extend(self.paragraph(par, page_break=True))
        return out

    def first_page(self) -> list[Element]:
        p = self.protocol
        m = self.meeting
        out = [_heading(f"Protokoll för {m['committee']}", 1, before=0)]
        out.extend(self.correction_note())
        when = [meeting_place_and_time(p)] + [adjournment_text(a) for a in m.get("adjournments") or []]
        out.extend(self.fact("Plats och tid", when))
        out.extend(self.fact("Beslutande", [decider_text(d) for d in p["deciders"]]))
        out.extend(self.fact("Övriga närvarande", [other_text(o) for o in p["others_present"]]))
        adjustment = p["adjustment"]
        out.extend(self.fact("Utses att justera", [people(adjustment["adjusters"])]))
        place_and_time = ", ".join(
            part for part in (clean(adjustment["place"]), date_and_time(adjustment["date"])) if part
        )
        out.extend(self.fact("Justeringens plats och tid", [place_and_time]))
        out.append(self.signatures_table())
        out.append(_text("", size=8, after=0))
        out.append(self.announcement_table())
        return out

    def correction_note(self) -> list[Element]:
        correction = self.protocol.get("correction")
        if not correction:
            return []
        box = paragraph()
        borders = sub(ppr(box), w("pBdr"))
        for side in ("top", "left", "bottom", "right"):
            edge = sub(borders, w(side), "single")
            edge.set(w("sz"), "8")
            edge.set(w("space"), "4")
            edge.set(w("color"), "auto")
        spacing(box, before=120, after=240)
        run(box, f"Rättelse – version {self.protocol['version']}, {long_date(correction['corrected_on'])}. ", bold=True)
        whole_number_runs(box, clean(correction["description"]))
        if correction["paragraphs"]:
            whole_number_runs(box, f" Rättade paragrafer: § {paragraph_ranges(correction['paragraphs'])}.")
        return [box]

    def fact(self, label: str, lines: Sequence[str]) -> list[Element]:
        """A fact of the first page: its label at the left, its lines beside it (each its own paragraph)."""
        out = []
        shown = [line for line in lines if line] or [""]
        for i, line in enumerate(shown):
            p = paragraph()
            properties = ppr(p)
            if i < len(shown) - 1:
                sub(properties, KEEPNEXT)
            sub(sub(properties, w("tabs")), w("tab"), "left").set(w("pos"), str(LABEL_WIDTH))
            spacing(p, before=160 if i == 0 else 0, after=0)
            indent = sub(properties, w("ind"))
            indent.set(w("left"), str(LABEL_WIDTH))
            indent.set(w("hanging"), str(LABEL_WIDTH))
            if i == 0:
                run(p, label, bold=True, sans=True, size=_SIZE_SMALL)
            sub(sub(p, w("r")), w("tab"))
            if line:
                whole_number_runs(p, clean(line), size=_SIZE_FACTS)
            out.append(p)
        return out

    def signatures_table(self) -> Element:
        """Underskrifter: per signature its role, a line to sign on with the name under it, and the paragraphs it
        covers (printed where they differ from the line above, as the original prints them once)."""
        widths = SIGNATURE_WIDTHS
        tbl = _table(
            widths, caption="Underskrifter", margins='<w:left w:w="0" w:type="dxa"/><w:right w:w="113" w:type="dxa"/>'
        )
        previous = ""
        for n, signature in enumerate(self.protocol["signatures"]):
            row = _row(tbl, cant_split=True)
            label = "Underskrifter" if n == 0 else ""
            _cell(
                row,
                widths[0],
                [_text(label, size=_SIZE_SMALL, bold=True, sans=True, before=300, after=0, keep_next=True)],
            )
            role = SIGNATURE_ROLES[signature["role"]]
            _cell(row, widths[1], [_text(role, size=_SIZE_SMALL, sans=True, before=300, after=0, keep_next=True)])
            _cell(row, widths[2], self.signature_line(signature))
            covered = paragraphs_label(signature["paragraphs"])
            shown = covered if covered != previous else ""
            previous = covered
            more = n < len(self.protocol["signatures"]) - 1
            _cell(row, widths[3], [_text(shown, size=_SIZE_SMALL, sans=True, before=300, after=0, keep_next=more)])
        return tbl

    @staticmethod
    def signature_line(signature: SignatureJSON) -> list[Element]:
        line = _text("", before=300, after=0, keep_next=True, line_below=True)
        name = _text(person_name(signature["person"]), size=_SIZE_SMALL, after=0, keep_next=True)
        out = [line, name]
        if signature.get("approved_at"):
            out.append(
                _text(
                    f"Justerat digitalt {date_and_time(signature.get('approved_at'))}",
                    size=16,
                    italic=True,
                    after=0,
                    keep_next=True,
                )
            )
        return out

    def announcement_table(self) -> Element:
        """ANSLAG/BEVIS: that the justering is announced on the anslagstavla, with its dates, where the protokoll
        is kept, and a line for the signature (left blank before justering, to be filled in)."""
        m, a = self.meeting, self.protocol["announcement"]
        widths = ANNOUNCEMENT_WIDTHS
        box = (
            "<w:tblBorders>"
            + "".join(
                f'<w:{side} w:val="single" w:sz="6" w:space="0" w:color="auto"/>'
                for side in ("top", "left", "bottom", "right", "insideH", "insideV")
            )
            + "</w:tblBorders>"
        )
        tbl = _table(
            widths,
            caption="Anslag om protokollets justering",
            borders=box,
            margins='<w:top w:w="20" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
            '<w:bottom w:w="20" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>',
        )
        head = _row(tbl, header=True, cant_split=True)
        title = _text("ANSLAG/BEVIS", bold=True, sans=True, size=20, after=0, keep_next=True)
        sentence = _text(
            "Protokollet är justerat. Justeringen har tillkännagivits genom anslag.",
            size=_SIZE_SMALL,
            after=0,
            keep_next=True,
        )
        _cell(head, sum(widths), [title, sentence], span=2, shade="F2F2F2")
        signer = a.get("signed_by")
        rows = [
            ("Organ", clean(m["committee"])),
            ("Sammanträdesdatum", long_date(m["start"][:10])),
            ("Datum då anslaget sätts upp", long_date(a.get("posted_on"))),
            ("Datum då anslaget tas ned", long_date(a.get("taken_down_on"))),
            ("Förvaringsplats för protokollet", clean(a["kept_at"])),
            ("Underskrift", ""),
        ]
        for n, (label, value) in enumerate(rows):
            row = _row(tbl, cant_split=True)
            last = n == len(rows) - 1
            _cell(row, widths[0], [_text(label, size=_SIZE_SMALL, sans=True, after=0, keep_next=not last)])
            if label == "Underskrift":
                line = _text("", before=300, after=0, keep_next=True, line_below=True)
                cells = [line, _text(person_name(signer) if signer else "", size=_SIZE_SMALL, after=0)]
            else:
                cells = [_text(value, size=20, after=0, keep_next=not last)]
            _cell(row, widths[1], cells)
        return tbl

    # one § of the protokoll
    def paragraph(self, par: ParagraphJSON, *, page_break: bool) -> list[Element]:
        out = [_heading(f"§ {par['number']} {par['title']}", 1, page_break=page_break)]
        if par["is_confidential"]:
            out.append(_text(secrecy_marking(par.get("secrecy_provision")), bold=True, size=20))
            if self.public:  # public_paragraph left nothing else: say nothing else either
                return out
        if par.get("case_number"):
            out.append(_text(f"Dnr {par['case_number']}", size=20))
        correction = self.protocol.get("correction")
        if correction and par["number"] in correction["paragraphs"]:
            out.append(
                _text(
                    f"Paragrafen är rättad i version {self.protocol['version']}, "
                    f"{long_date(correction['corrected_on'])}.",
                    italic=True,
                    size=20,
                )
            )

        out.append(_heading("Beslut"))
        decision = [clean(point) for point in par["decision"] if clean(point).strip()]
        if not decision and par["outcome"] in OUTCOME_TEXT:
            decision = [OUTCOME_TEXT[par["outcome"]]]
        if len(decision) == 1:
            out.append(_text(decision[0]))
        elif decision:
            num_id = self.new_ordered_list()
            for point in decision:
                p = paragraph("ListNumber")
                numbered(p, num_id)
                whole_number_runs(p, point)
                out.append(p)
        if par["immediate_adjustment"]:
            out.append(_text(ADJUSTED_TEXT))

        if par.get("summary"):
            out.append(_heading("Sammanfattning"))
            out.extend(_text(line) for line in _lines(par.get("summary")))
        if par.get("information"):
            out.append(_heading("Information"))
            for part in par.get("information") or []:
                text = clean(part["title"]) + (f" – {clean(part['presenter'])}" if part.get("presenter") else "")
                out.append(_text(text))
        if par["decision_basis"]:
            out.append(_heading("Beslutsunderlag"))
            out.extend(_text(line, after=40) for line in par["decision_basis"])
        if par["motions"]:
            out.append(_heading("Yrkanden"))
            for motion in par["motions"]:
                out.extend(_text(line) for line in motion_lines(motion))
        if par["proposition_order"]:
            out.append(_heading("Propositionsordning"))
            out.extend(_text(line) for line in par["proposition_order"])
        for vote in par["votes"]:
            out.append(_heading("Omröstning"))
            out.extend(self.vote(vote))
        if par["reservations"]:
            out.append(_heading("Reservationer"))
            for reservation in par["reservations"]:
                line = f"{people(reservation['by'])} reserverar sig mot beslutet"
                if reservation.get("reason"):
                    line += f" {clean(reservation['reason']).strip()}"
                line = sentence(line)
                if reservation.get("appendix"):
                    line += f" Skriftlig reservation, se {clean(reservation['appendix']).lower()}."
                written = _lines(reservation.get("text"))
                if written:
                    line += " Skriftlig reservation:"
                out.append(_text(line, keep_next=bool(written)))
                out.extend(_text(text, italic=True, indent=567) for text in written)
        if par["notes"]:
            out.append(_heading("Protokollsanteckningar"))
            for note in par["notes"]:
                written = _lines(note["text"])
                by = people(note["by"])
                if note.get("appendix"):
                    line = f"{by} lämnar en protokollsanteckning" if by else "Protokollsanteckning"
                    out.append(_text(f"{line}, se {clean(note['appendix']).lower()}."))
                else:
                    line = f"{by} lämnar följande protokollsanteckning:" if by else "Protokollsanteckning:"
                    out.append(_text(line, keep_next=True))
                out.extend(_text(text, italic=True, indent=567) for text in written)
        if par["conflicts"]:
            out.append(_heading("Jäv"))
            for conflict in par["conflicts"]:
                line = f"{person_name(conflict['person'])} anmäler jäv och deltar inte i handläggningen av ärendet."
                replacer = conflict["replaced_by"]
                if replacer:
                    line += f" {person_name(replacer)} tjänstgör i stället."
                out.append(_text(line))
        if par["recipients"]:
            out.append(_heading("Beslutet skickas till"))
            out.extend(_text(recipient, after=40) for recipient in par["recipients"])
        return out

    def vote(self, vote: VoteJSON) -> list[Element]:
        yes, no, abstain = vote_counts(vote)
        yes_means, no_means = clean(vote.get("yes_means")).strip(), clean(vote.get("no_means")).strip()
        out = []
        if vote.get("question"):
            out.append(_text(sentence(clean(vote.get("question"))), keep_next=True))
        if yes_means or no_means:
            out.append(_text(sentence(f"Ja-röst för {yes_means or '–'}"), after=0, keep_next=True))
            out.append(_text(sentence(f"Nej-röst för {no_means or '–'}"), keep_next=True))
        widths = VOTE_WIDTHS
        tbl = _table(
            widths,
            caption="Omröstningslista",
            borders='<w:tblBorders><w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
            '<w:insideH w:val="single" w:sz="2" w:space="0" w:color="BFBFBF"/></w:tblBorders>',
            margins='<w:top w:w="28" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/>',
        )
        head = _row(tbl, header=True)
        for width, text in zip(widths, ("Ledamot", "Parti", "Ja", "Nej", "Avstår")):
            p = _text(text, bold=True, sans=True, size=_SIZE_SMALL, after=0, keep_next=True)
            _cell(head, width, [p], bottom_rule=True, center=text in VOTE_MARKS.values())
        # every row keeps with the next: the list stays whole on a page when it fits on one
        for ballot in vote["ballots"]:
            row = _row(tbl, cant_split=True)
            name = clean(ballot["person"]["name"]) + (", ordförande" if ballot["is_chair"] else "")
            _cell(row, widths[0], [_text(name, size=20, after=0, keep_next=True)])
            _cell(row, widths[1], [_text(clean(ballot["person"].get("party")), size=20, after=0, keep_next=True)])
            for width, kind in zip(widths[2:], ("yes", "no", "abstain")):
                mark = "X" if ballot["vote"] == kind else ""
                _cell(row, width, [_text(mark, size=20, after=0, keep_next=True)], center=True)
        total = _row(tbl, cant_split=True)
        _cell(total, widths[0], [_text("Summa", bold=True, size=20, after=0)])
        _cell(total, widths[1], [_text("", size=20, after=0)])
        for width, count in zip(widths[2:], (yes, no, abstain)):
            _cell(total, width, [_text(str(count), bold=True, size=20, after=0)], center=True)
        out.append(tbl)
        means = yes_means if vote["result"] == "yes" else no_means
        side = "ja" if vote["result"] == "yes" else "nej"
        counted = f"{yes} ja-röster mot {no} nej-röster och {abstain} som avstår"
        committee = clean(self.meeting["committee"])
        what = f"enligt {side}-förslaget: {means}" if means else f"enligt {side}"
        if vote["casting_vote"]:
            result = (
                f"Rösterna är lika, {counted}. Ordförandens utslagsröst ({side}) avgör, och {committee} har beslutat "
                f"{what}"
            )
        else:
            result = f"Med {counted} har {committee} beslutat {what}"
        out.append(_text(sentence(result), before=120))
        return out

    # the protokollsutdrag
    def extract_body(self, number: int) -> list[Element]:
        p = self.protocol
        m = self.meeting
        par = next(item for item in p["paragraphs"] if item["number"] == number)
        out = [_heading(f"{EXTRACT_NAME} ur protokoll för {m['committee']}", 1)]
        out.extend(self.correction_note())
        out.extend(self.fact("Sammanträdesdatum", [long_date(m["start"][:10])]))
        out.extend(self.fact("Plats och tid", [meeting_place_and_time(p)]))
        adjustment = p["adjustment"]
        signers = [s for s in p["signatures"] if s["role"] != "secretary" and number in s["paragraphs"]]
        out.extend(self.fact("Justerare", [people(s["person"] for s in signers) or people(adjustment["adjusters"])]))
        adjusted = par.get("adjusted_on") or adjustment.get("adjusted_on") or ""
        out.extend(self.fact("Justerat", [long_date(adjusted) if adjusted else "Ännu inte justerat"]))
        a = par.get("announcement") or p["announcement"]
        posted = long_date(a.get("posted_on")) if a.get("posted_on") else ""
        down = long_date(a.get("taken_down_on")) if a.get("taken_down_on") else ""
        announced = f"{posted} – {down}" if posted and down else posted
        out.extend(self.fact("Anslaget på anslagstavlan", [announced]))
        out.extend(self.fact("Förvaringsplats", [clean(a["kept_at"])]))
        out.extend(self.paragraph(par, page_break=False))
        secretary = next((s["person"] for s in p["signatures"] if s["role"] == "secretary"), None)
        certified = _text(CERTIFIED_TEXT, bold=True, before=480, keep_next=True)
        line = _text("", before=600, after=0, keep_next=True, line_below=True, right_indent=TEXT_WIDTH // 2)
        out += [certified, line, _text(person_name(secretary) if secretary else "", size=_SIZE_SMALL, after=0)]
        return out

    def properties(self) -> None:
        p, m = self.protocol, self.meeting
        props = self.document.core_properties
        props._element.get_or_add_title().text = protocol_title(p, public=self.public, extract=self.extract)
        secretary = next((s["person"]["name"] for s in p["signatures"] if s["role"] == "secretary"), "")
        props.author = clean(secretary or m["committee"])[:255]
        props.last_modified_by = props.author
        props.subject = clean(f"Sammanträdesprotokoll, {m['committee']}")[:255]
        props.keywords = clean(f"protokoll; sammanträdesprotokoll; {m['start'][:10]}")[:255]
        props.language = "sv-SE"
        props.comments = ""
        day = date.fromisoformat((p["adjustment"].get("adjusted_on") or m["start"])[:10])
        props.created = props.modified = datetime(day.year, day.month, day.day)


def decider_text(decider: DeciderJSON) -> str:
    """ "Gunnel Hedberg (S), ordförande"; "Mona Nilsson (S), tjänstgörande ersättare för Ali Karimi (S), §§ 5–21"."""
    text = person_name(decider["person"])
    role = clean(decider.get("role")).strip()
    if role and role.lower() != "ledamot":
        text += f", {role[:1].lower()}{role[1:]}"
    replacing = decider.get("replacing")
    if replacing:
        text += f" för {person_name(replacing)}"
    span = range_text(decider.get("paragraphs"))
    return f"{text}, {span}" if span else text


def other_text(other: OtherPresentJSON) -> str:
    """ "Lisa Ek (S), ersättare"; "Eva Strand, socialdirektör"."""
    text = person_name(other["person"])
    role = clean(other.get("role")).strip()
    if role and not other["person"].get("title"):
        text += f", {role[:1].lower()}{role[1:]}"
    span = range_text(other.get("paragraphs"))
    return f"{text}, {span}" if span else text


def motion_lines(motion: MotionJSON) -> list[str]:
    """ "Anna Berg (M) yrkar avslag på förvaltningens förslag.", "Bo Ek (L) instämmer i yrkandet."."""
    proposed = clean(motion.get("text") or MOTION_TEXT[motion["kind"]])
    line = sentence(f"{people(motion['by'])} yrkar {proposed}")
    if motion.get("appendix"):
        line += f" Skriftligt yrkande, se {clean(motion['appendix']).lower()}."
    lines = [line]
    if motion.get("supported_by"):
        lines.append(f"{people(motion.get('supported_by') or [])} instämmer i yrkandet.")
    return lines


# --- tables in the body ------------------------------------------------------------------------------------------


def _table(widths: Sequence[int], *, caption: str, margins: str, borders: str = "") -> Element:
    """A fixed-layout table (w:tblPr children in the schema's order), described for assistive technology."""
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    return etree.fromstring(
        f'<w:tbl xmlns:w="{W_NS}"><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>{borders}'
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{margins}</w:tblCellMar>'
        f'<w:tblLook w:val="0020" w:firstRow="1"/><w:tblCaption w:val="{escape(caption)}"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid></w:tbl>"
    )


def _row(tbl: Element, *, header: bool = False, cant_split: bool = False) -> Element:
    row = sub(tbl, w("tr"))
    if header or cant_split:
        trpr = sub(row, w("trPr"))
        if cant_split:
            sub(trpr, w("cantSplit"))
        if header:
            sub(trpr, w("tblHeader"))
    return row


def _cell(
    row: Element,
    width: int,
    paragraphs: list[Element],
    *,
    span: int = 1,
    bottom_rule: bool = False,
    shade: str = "",
    center: bool = False,
) -> Element:
    tc = sub(row, w("tc"))
    tcpr = sub(tc, w("tcPr"))
    tcw = sub(tcpr, w("tcW"))
    tcw.set(w("w"), str(width))
    tcw.set(w("type"), "dxa")
    if span > 1:
        sub(tcpr, w("gridSpan"), str(span))
    if bottom_rule:
        edge = sub(sub(tcpr, w("tcBorders")), w("bottom"), "single")
        edge.set(w("sz"), "6")
        edge.set(w("color"), "auto")
    if shade:
        shd = sub(tcpr, w("shd"), "clear")
        shd.set(w("color"), "auto")
        shd.set(w("fill"), shade)
    for p in paragraphs or [paragraph()]:
        if center:
            sub(ppr(p), w("jc"), "center")
        tc.append(p)
    return tc


# --- the entry points --------------------------------------------------------------------------------------------


def protocol_maker(protocol: ProtocolJSON, *, public: bool = False, extract: int | None = None) -> Maker:
    """A builder factory for a combined document (tasks.rendering.batch): the protokoll (or the extract of §
    ``extract``) into the target given."""
    return lambda target=None: _ProtocolBuilder(protocol, public, extract, target)


def build_protocol_docx(protocol: ProtocolJSON, *, public: bool = False) -> bytes:
    """Return the protokoll (the members' version, or the public one) as DOCX bytes."""
    return _ProtocolBuilder(protocol, public).build()


def build_extract_docx(protocol: ProtocolJSON, number: int, *, public: bool = False) -> bytes:
    """Return the protokollsutdrag of § ``number`` as DOCX bytes."""
    return _ProtocolBuilder(protocol, public, number).build()
