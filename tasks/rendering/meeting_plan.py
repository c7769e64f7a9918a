"""What a publication's documents are made of, read from the database: its plan.

Everything comes from the publication's immutable snapshots and what they name (the reports' signed
revisions, the bilagor by sha256), so the documents are exactly what was published. The plan has two
variants: the members' (everything in the kallelse) and the public one (no confidential bilaga).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select

from agenda.models import Publication
from agenda.snapshot_json import AttachmentJSON, ItemJSON, SnapshotJSON
from app.extensions import db
from app.storage import StorageError, get_storage
from tasks.rendering.intake import BadAttachment, attachment_input_hash
from tasks.rendering.package_contents import attachment_label, item_title
from tasks.rendering.report_data import report_document
from tasks.rendering.report_docx import AttachmentLine, ReportDocument, secrecy_marking
from workflows.sniffing import PDF

#: the versions of a publication's documents: the members' and the public one
VARIANTS = ("members", "public")


@dataclass
class ReportPart:
    document: ReportDocument
    key: str  # input hash


@dataclass
class AttachmentPart:
    sha256: str
    content_type: str
    title: str  # "Bilaga 1 Verksamhetsberättelse 2016"
    where: str  # how an error message names it
    key: str
    #: "Sekretess enligt …" at the head of its pages in the package: a confidential bilaga or one of a confidential case
    marking: str = ""


@dataclass
class PlannedItem:
    number: int
    title: str
    report: ReportPart | None = None
    attachments: list[AttachmentPart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    snapshots: dict[str, SnapshotJSON]  # variant → snapshot
    items: dict[str, list[PlannedItem]]  # variant → its items

    def reports(self) -> dict[str, ReportPart]:
        return {i.report.key: i.report for items in self.items.values() for i in items if i.report}

    def attachments(self) -> dict[str, AttachmentPart]:
        return {a.key: a for items in self.items.values() for i in items for a in i.attachments}

    def total(self) -> int:
        """Documents to make: the two kallelser, each distinct report and bilaga, the two packages."""
        return 2 + len(self.reports()) + len(self.attachments()) + 2


def _attachment_where(attachment: AttachmentJSON, item: ItemJSON) -> str:
    """How an error message names a bilaga: its number, title, item and case."""
    text = f"Bilaga {attachment['number']} ”{attachment.get('title') or ''}” till punkt {item['number']}"
    return text + (f" ({item['case_number']})" if item.get("case_number") else "")


def _report_part(item: ItemJSON, members_item: ItemJSON, public: bool) -> ReportPart | None:
    from workflows.models import CaseReport

    ref = item.get("report")
    if not ref:
        return None
    report = db.session.get(CaseReport, ref["id"])
    if report is None:
        raise BadAttachment(f"Tjänsteutlåtandet till punkt {item['number']} finns inte längre.")
    attachments = [
        AttachmentLine(a["number"], a.get("title") or "", bool(a.get("is_confidential")))
        for a in members_item.get("attachments") or []
    ]
    # The public version differs only where a bilaga is confidential; else both share one render.
    public = public and any(a.is_confidential for a in attachments)
    document = report_document(report, ref["revision"], public=public)
    # The bilagor as published (the snapshot), not as they are now.
    document = replace(document, attachments=attachments)
    return ReportPart(document, document.input_hash())


def _case_marking(item: ItemJSON) -> str:
    """The secrecy marking of every handling of the item's case when the case is confidential now (read from
    the case when rendered, never copied), else ""."""
    from app.registry.models import Case

    case = db.session.get(Case, item["case_id"]) if item.get("case_id") else None
    return secrecy_marking(case.secrecy_provision) if case is not None and case.is_confidential else ""


def _attachment_marking(attachment: AttachmentJSON, case_marking: str) -> str:
    """A bilaga's secrecy marking: its case's, else its own (the provision of its registered document)."""
    from workflows.models import ReportAttachment

    if case_marking or not attachment.get("is_confidential"):
        return case_marking
    row = db.session.get(ReportAttachment, attachment["id"]) if attachment.get("id") else None
    document = row.registered_document if row is not None else None
    provision = document.secrecy_provision if document is not None and document.is_confidential else None
    return secrecy_marking(provision)


def plan_documents(publication: Publication) -> Plan:
    """Read what the publication's documents are made of (reports and bilagor as its snapshots name them)."""
    snapshots = {"members": publication.members_snapshot, "public": publication.public_snapshot}
    members_by_number = {i["number"]: i for i in publication.members_snapshot["items"]}
    items: dict[str, list[PlannedItem]] = {}
    for variant, snapshot in snapshots.items():
        planned: list[PlannedItem] = []
        for item in snapshot["items"]:
            members_item = members_by_number.get(item["number"], item)
            entry = PlannedItem(item["number"], item_title(item))
            entry.report = _report_part(item, members_item, public=variant == "public")
            case_marking = _case_marking(item) if variant == "members" else ""
            for a in item.get("attachments") or []:
                if variant == "public" and a.get("is_confidential"):
                    continue  # never in public (the public snapshot has none; this is belt and braces)
                label = attachment_label(a)
                sha256 = a.get("sha256")
                if not sha256:
                    entry.notes.append(f"{label} (handling i diariet, ingår inte i paketet)")
                    continue
                entry.attachments.append(
                    AttachmentPart(
                        sha256,
                        a.get("content_type") or "",
                        label,
                        _attachment_where(a, item),
                        attachment_input_hash(sha256, a.get("content_type") or "", label),
                        _attachment_marking(a, case_marking) if variant == "members" else "",
                    )
                )
            planned.append(entry)
        items[variant] = planned
    return Plan(snapshots, items)


def read_attachment(part: AttachmentPart) -> bytes | Path:
    """The bilaga as published (checked against its sha256, a megabyte at a time): a PDF as the path of its stored
    file (a scan of many megabytes is never read whole into memory), anything else as its bytes; BadAttachment
    naming it if it is missing or not what was published."""
    from workflows.models import StoredFileRecord

    record = db.session.scalar(select(StoredFileRecord).where(StoredFileRecord.sha256 == part.sha256))
    try:
        if record is None:
            raise StorageError(part.sha256)
        path = get_storage().local_path(record.storage_key)
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
    except (StorageError, OSError):
        raise BadAttachment(
            f"{part.where} saknas i fillagringen. Ladda upp bilagan igen och publicera en rättelse."
        ) from None
    if digest != part.sha256:
        raise BadAttachment(f"{part.where} stämmer inte med den publicerade filen (kontrollsumman skiljer sig).")
    return path if part.content_type == PDF else path.read_bytes()
