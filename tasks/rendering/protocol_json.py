"""The shape of a protokoll as its document builders read it (tasks.rendering.protocol_docx).

One ``ProtocolJSON`` is one version of a meeting's protokoll: the meeting's facts, who took part, the
justering and its signatures, the anslag (ANSLAG/BEVIS), and one ``ParagraphJSON`` per matter, in the
order of their § numbers. The minutes' model (agenda.minutes) makes it from what the secretary recorded;
the builders make the protokoll, each protokollsutdrag and the public version from it, and nothing else.

Conventions:

* dates are ISO 8601 text: a date "2017-03-02", a moment "2017-02-23T18:00:00+01:00" (Swedish time, as
  the kallelse's snapshot writes it); the builders write them in words ("2 mars 2017");
* texts are plain text (no markup): a multi-paragraph text (a Sammanfattning, a written reservation)
  has one paragraph a line ("\\n" between them), as ``workflows.content.html_to_text`` gives it;
* a person is named with their party where they have one (``PersonJSON``), shown "Anna Berg (M)";
* what is secret is said by ``ParagraphJSON.is_confidential`` and ``secrecy_provision``, read from the
  case when the protokoll is made (ARCHITECTURE.md rule 10); the members' version carries everything and
  the builders derive the public version from it (``protocol_docx.public_protocol``): a confidential
  paragraph keeps its number, public title and provision only.

From the minutes' content (agenda.minutes.content) it is: a seat → ``PersonJSON`` (name, party); a yrkande's
kind → its ``MotionKind`` label in lower case ("Bifall" → "bifall"); a vote's ``question`` as it is, its
``result`` and ``casting_vote`` from ``agenda.minutes.rules.vote_result`` with the seat presiding at that
paragraph as ``is_chair``; who served for whom at a paragraph with jäv from ``rules.serving_at``; an outcome of
None (not yet handled) as None.

Pure: types only. It depends on nothing of the project but agenda.snapshot_json's address block, so it can
move below agenda.minutes (which may not import tasks/) unchanged if the minutes' code is to name it.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from agenda.snapshot_json import AddressJSON


class PersonJSON(TypedDict):
    """A politician or an official: "Anna Berg (M)"; an official has a title instead of a party."""

    name: str
    #: the party's abbreviation ("S", "M", "MP"); None for an official
    party: str | None
    #: an official's title ("nämndsekreterare", "socialdirektör"); None for a politician
    title: NotRequired[str | None]


class ParagraphRangeJSON(TypedDict):
    """The paragraphs someone was there for, when not all of them: from § ``first`` to § ``last``."""

    #: None: from the first paragraph
    first: int | None
    #: None: to the last paragraph
    last: int | None


class DeciderJSON(TypedDict):
    """One of the beslutande: a member, or a tjänstgörande ersättare in an absent member's place."""

    person: PersonJSON
    #: "Ordförande", "1:e vice ordförande", "2:e vice ordförande", "Ledamot", "Tjänstgörande ersättare"
    role: str
    #: a tjänstgörande ersättare: the member whose place they take
    replacing: NotRequired[PersonJSON | None]
    #: when they took part in some paragraphs only (arrived late, left early, served for part of the meeting)
    paragraphs: NotRequired[ParagraphRangeJSON | None]


class OtherPresentJSON(TypedDict):
    """Övriga närvarande: ersättare not serving, officials, others (with their title or role)."""

    person: PersonJSON
    #: "Ersättare", or an official's function at the meeting ("Sekreterare", "Föredragande")
    role: str | None
    paragraphs: NotRequired[ParagraphRangeJSON | None]


class AdjournmentJSON(TypedDict):
    """A break in the meeting ("Ajournering 19:10–19:25")."""

    start: str
    end: str


class ProtocolMeetingJSON(TypedDict):
    committee: str
    committee_prefix: str
    municipality: str
    administration: str
    #: the address block of the committee's förvaltning (the footer of the first page)
    address: NotRequired[AddressJSON]
    #: ISO 8601 moment, Swedish time: the sammanträdesdatum and the start
    start: str
    #: ISO 8601 moment, when the meeting ended
    end: str | None
    place: str
    adjournments: NotRequired[list[AdjournmentJSON]]


class AdjustmentJSON(TypedDict):
    """Utses att justera, and justeringens plats och tid."""

    #: the justerare elected at the meeting (the chair justerar too, without being elected)
    adjusters: list[PersonJSON]
    place: str
    #: ISO date (or moment) the justering is planned for
    date: str | None
    #: ISO date of the justering once done (the last approval); None before it
    adjusted_on: str | None


class SignatureJSON(TypedDict):
    """A signature line on the first page: who signs which paragraphs ("Paragrafer 1–21")."""

    #: "secretary", "chair" or "adjuster": printed "Sekreterare", "Ordförande", "Justerare"
    role: Literal["secretary", "chair", "adjuster"]
    person: PersonJSON
    #: the § numbers this signature covers (printed as ranges: "1–13, 15–21")
    paragraphs: list[int]
    #: ISO moment of their approval in the product, once given (printed under the line)
    approved_at: NotRequired[str | None]


class AnnouncementJSON(TypedDict):
    """The ANSLAG/BEVIS box: the justering announced on the anslagstavla (organ and sammanträdesdatum are the
    meeting's)."""

    #: ISO date: datum då anslaget sätts upp (None before justering: the box is printed empty to fill in)
    posted_on: str | None
    #: ISO date: datum då anslaget tas ned
    taken_down_on: str | None
    #: förvaringsplats för protokollet, e.g. "Social- och äldreomsorgsförvaltningen, Gymnasietorget 1"
    kept_at: str
    #: who signs the box (underskrift): usually the secretary
    signed_by: PersonJSON | None


class CorrectionJSON(TypedDict):
    """A rättelse: a new version of a justerat protokoll, shown as one."""

    #: ISO date of the correction
    corrected_on: str
    #: what was corrected and why, as the secretary wrote it
    description: str
    #: the § numbers corrected
    paragraphs: list[int]


class MotionJSON(TypedDict):
    """A yrkande not withdrawn: "Anna Berg (M) yrkar avslag på förvaltningens förslag."."""

    #: who made it (several who made it together)
    by: list[PersonJSON]
    kind: Literal["bifall", "avslag", "ändring", "tillägg", "återremiss", "bordläggning"]
    #: what is proposed (for ändring and tillägg the wording; for återremiss the reason), without "yrkar";
    #: None: the builder writes the kind's usual words ("avslag på förvaltningens förslag")
    text: str | None
    #: who joined it ("Bo Ek (L) instämmer")
    supported_by: NotRequired[list[PersonJSON]]
    #: a written yrkande filed as an appendix to the protokoll ("Bilaga 1")
    appendix: NotRequired[str | None]


class BallotJSON(TypedDict):
    """How one tjänstgörande member voted."""

    person: PersonJSON
    vote: Literal["yes", "no", "abstain"]
    #: the one presiding at this paragraph (the chair, or a vice chair in their place): their vote decides a tie
    is_chair: bool


class VoteJSON(TypedDict):
    """An open vote (omröstning): what ja and nej stand for, each vote, the result.

    What ja and nej stand for is given either as ``yes_means`` and ``no_means`` (printed "Ja-röst för …",
    "Nej-röst för …", and the winning one again in the result), or as the chair's ``question`` in one sentence
    ("Ja för förvaltningens förslag, nej för avslagsyrkandet"), printed as it is."""

    #: "bifall till förvaltningens förslag": the text after "Ja-röst för"
    yes_means: NotRequired[str | None]
    #: "bifall till Anna Bergs (M) avslagsyrkande": the text after "Nej-röst för"
    no_means: NotRequired[str | None]
    question: NotRequired[str | None]
    ballots: list[BallotJSON]
    #: which side won, the chair's casting vote included (agenda.minutes computes it; the builder checks it
    #: against the counts)
    result: Literal["yes", "no"]
    #: the votes were even and the chair's vote decided (utslagsröst)
    casting_vote: bool


class ReservationJSON(TypedDict):
    """A reservation against the decision by members who took part in it."""

    by: list[PersonJSON]
    #: e.g. "till förmån för eget yrkande"; None: against the decision
    reason: str | None
    #: a written reservation given in the protokoll itself
    text: NotRequired[str | None]
    #: a written reservation filed as an appendix ("Bilaga 2")
    appendix: NotRequired[str | None]


class MinutesNoteJSON(TypedDict):
    """A protokollsanteckning."""

    #: who made it; empty when the text names its author itself (a party group's)
    by: list[PersonJSON]
    text: str
    appendix: NotRequired[str | None]


class ConflictJSON(TypedDict):
    """Jäv: the member takes no part in the matter; who served in their place."""

    person: PersonJSON
    replaced_by: PersonJSON | None


class InformationJSON(TypedDict):
    """A part of an information item."""

    title: str
    presenter: str | None


class ParagraphJSON(TypedDict):
    """One § of the protokoll: one matter."""

    #: the § number, running per committee and calendar year
    number: int
    #: the item's number on the föredragningslista (None for a matter added at the meeting)
    item_number: int | None
    #: an agenda.models.ItemKind value: procedural, information, case, confidential_case, delegation_report, other
    kind: str
    #: the title (for a confidential matter the real one: only in the members' version)
    title: str
    #: the diarienummer (Dnr) of its case
    case_number: str | None
    is_confidential: bool
    #: a confidential matter's title without what is secret: the heading of the public version
    public_title: str | None
    #: a confidential matter's provision: "26 kap. 1 § OSL"
    secrecy_provision: str | None
    #: an agenda.models.ItemOutcome value: decided, postponed (bordlagt), sent_back (återremitterat)
    #: None: not yet handled (a draft)
    outcome: Literal["decided", "postponed", "sent_back"] | None
    #: the decision, numbered points (a single point is printed unnumbered); for a postponed matter the
    #: decision to postpone ("Ärendet bordläggs till nästa sammanträde.") or empty (the builder says so)
    decision: list[str]
    #: "Paragrafen förklaras omedelbart justerad"
    immediate_adjustment: bool
    #: ISO date the paragraph was justerad on its own (omedelbar justering, the last approval); None until then,
    #: and for a paragraph justerad with the whole protokoll (``AdjustmentJSON.adjusted_on``)
    adjusted_on: NotRequired[str | None]
    #: the anslag of a paragraph's own justering (omedelbar justering): its extract prints these dates; None until
    #: then, and for a paragraph justerad with the whole protokoll (``ProtocolJSON.announcement``)
    announcement: NotRequired[AnnouncementJSON | None]
    #: Sammanfattning (one paragraph a line)
    summary: str | None
    #: Beslutsunderlag: "Tjänsteutlåtande daterat 1 februari 2017", "Bilaga 1 Verksamhetsberättelse 2016"
    decision_basis: list[str]
    #: the entries of ``decision_basis`` that are confidential bilagor: the members' version lists them, the public
    #: version leaves them out (as the public kallelse does)
    confidential_basis: NotRequired[list[str]]
    #: an information item's parts (title, presenter), as in the kallelse
    information: NotRequired[list[InformationJSON]]
    motions: list[MotionJSON]
    #: Propositionsordning: the chair's questions and findings, one sentence or paragraph each
    proposition_order: list[str]
    #: votes, in the order taken (usually none or one)
    votes: list[VoteJSON]
    reservations: list[ReservationJSON]
    notes: list[MinutesNoteJSON]
    conflicts: list[ConflictJSON]
    #: Beslutet skickas till
    recipients: list[str]


class ProtocolJSON(TypedDict):
    meeting: ProtocolMeetingJSON
    #: the version of the protokoll (1, then 2 … for each rättelse)
    version: int
    #: set on a rättelse: shown on the first page and at each corrected paragraph
    correction: CorrectionJSON | None
    #: the beslutande, in the order printed (chair first)
    deciders: list[DeciderJSON]
    others_present: list[OtherPresentJSON]
    adjustment: AdjustmentJSON
    #: sekreterare, ordförande, justerare, in that order
    signatures: list[SignatureJSON]
    announcement: AnnouncementJSON
    #: in § order
    paragraphs: list[ParagraphJSON]
