"""The shape of a published kallelse's JSON (Publication.members_snapshot and public_snapshot).

agenda.snapshot writes it, agenda.secrecy derives what the public and each reader may see from it,
the pages and the rendering read it. The members' version has every key; the public one leaves
out the ids and public titles (NotRequired below), and a reader's view marks what it withholds.
Pure: types only.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class AddressJSON(TypedDict):
    """The address block printed on the kallelse: the förvaltning's, else the municipality's."""

    postal_address: str
    visiting_address: str
    phone: str
    email: str
    web: str


class MeetingJSON(TypedDict):
    #: only in the members' version
    id: NotRequired[int]
    committee: str
    committee_prefix: str
    municipality: str
    administration: str
    #: the committee's förvaltning's address block when published (absent in snapshots published before it was kept)
    address: NotRequired[AddressJSON]
    #: the heading: "<document_name> till <committee>"
    title: str
    #: the committee's conventions it was published with (agenda.conventions); a version published before they
    #: existed has none of these keys and reads as the defaults (Kallelse, from 1, Sekretessärenden, Handling
    #: kommer senare)
    document_name: NotRequired[str]
    first_number: NotRequired[int]
    closed_section: NotRequired[str]
    handling_later_text: NotRequired[str]
    #: ISO 8601, Swedish time
    start: str
    place: str
    is_public: bool
    notice_place: str | None
    #: ISO 8601 date
    notice_date: str | None
    chair_name: str | None
    secretary_name: str | None


class ReportRefJSON(TypedDict):
    """The report of a case item: its signed revision, frozen by its hash."""

    id: int
    revision: int
    signed_hash: str | None
    title: str


class AttachmentJSON(TypedDict):
    #: None when withheld
    id: int | None
    number: int
    title: str
    sha256: str | None
    filename: str | None
    content_type: str | None
    is_confidential: bool
    #: in a reader's view only: shown without its title or file
    withheld: NotRequired[bool]


class DecisionJSON(TypedDict):
    """A delegated decision on the list of an item (delegation_report)."""

    #: ISO 8601 date
    decided_on: str
    decision_maker: str
    delegation_point: str
    #: only in the members' version
    case_id: NotRequired[int | None]
    case_number: str | None
    summary: str
    is_confidential: bool
    #: only in the members' version
    public_title: NotRequired[str | None]
    #: in a reader's view only
    withheld: NotRequired[bool]


class PartJSON(TypedDict):
    """A part of an information item (AgendaItem.parts)."""

    title: str
    presenter: NotRequired[str | None]


class ItemJSON(TypedDict):
    #: only in the members' version
    id: NotRequired[int]
    number: int
    #: an agenda.models.ItemKind value, as shown (a case item is confidential_case when its case is)
    kind: str
    section: str | None
    title: str
    #: only in the members' version
    case_id: NotRequired[int | None]
    case_number: str | None
    #: only in the members' version
    public_title: NotRequired[str | None]
    note: str | None
    external_reference: str | None
    parts: list[PartJSON]
    #: the markers the secretary chose for it, e.g. ["(KF)"] (absent in versions published before markers)
    markers: NotRequired[list[str]]
    #: its signed tjänsteutlåtande proposes that the paragraph be justerad at once (a proposal's flag)
    immediate_adjustment: NotRequired[bool]
    is_handling_later: bool
    report: ReportRefJSON | None
    attachments: list[AttachmentJSON]
    #: only on a delegation_report item
    delegation_decisions: NotRequired[list[DecisionJSON]]
    #: in a reader's view only: a confidential item shown as in public
    withheld: NotRequired[bool]


class SnapshotJSON(TypedDict):
    meeting: MeetingJSON
    items: list[ItemJSON]
