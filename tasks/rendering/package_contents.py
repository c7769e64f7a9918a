"""What a meeting package holds, and its contents pages ("Innehåll") listing it.

A package is the kallelse, the contents pages, then for each item with documents its
tjänsteutlåtande followed by its bilagor (``PackageItem``, ``PackageDocument``): the titles here
are its bookmarks and the lines of its contents. The contents give each document's page in the
package and link to it; they are drawn straight into PDF by tasks.rendering.contents_pdf once
every document's length is known, and laid out before (``contents_layout``), so the merge
(tasks.rendering.package) can start while the documents are still being converted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agenda.snapshot_json import AttachmentJSON, ItemJSON, MeetingJSON
from tasks.rendering.contents_pdf import ContentsLayout, ContentsLine
from tasks.rendering.pdf_files import PdfData, page_count
from tasks.rendering.word import clean


@dataclass
class PackageDocument:
    """One document of an item: its bookmark title and its PDF."""

    title: str
    #: its PDF: bytes, or the path of a file (a big bilaga, never read whole into memory)
    pdf: PdfData
    #: its number of pages (counted when not given)
    pages: int = 0
    #: what the caller stores it under (for filling it in later, see PackageMerge)
    key: str = ""
    #: a secrecy marking ("Sekretess enligt 26 kap. 1 § OSL") the package prints at the head of each of its pages
    marking: str = ""

    def __post_init__(self) -> None:
        if not self.pages:
            self.pages = page_count(self.pdf)


@dataclass
class PackageItem:
    """An item of the package: its bookmark title ("4 Titel – SN-…") and its documents in order."""

    number: int
    title: str
    documents: list[PackageDocument] = field(default_factory=list)
    #: lines for the contents without a document of their own (e.g. a bilaga that is a paper in the diarium)
    notes: list[str] = field(default_factory=list)


def item_title(item: ItemJSON) -> str:
    """The bookmark of an item: "4 Verksamhetsberättelse 2016 – SN-2016/3342.181" (its markers after the title)."""
    text = f"{item['number']} {clean(item.get('title') or '')}".strip()
    for marker in item.get("markers") or []:
        text += f" {clean(marker)}"
    if item.get("case_number"):
        text += f" – {item['case_number']}"
    return text


def attachment_label(attachment: AttachmentJSON) -> str:
    return f"Bilaga {attachment['number']} {clean(attachment.get('title') or '')}".strip()


def contents_lines(items: list[PackageItem], first_page: int) -> list[ContentsLine]:
    """The contents with the page each document starts on, the first item's first page being ``first_page``."""
    lines, page = [], first_page
    for item in items:
        lines.append(
            ContentsLine(
                0,
                str(item.number),
                item.title.split(" ", 1)[1] if " " in item.title else item.title,
                page if item.documents else None,
            )
        )
        for document in item.documents:
            lines.append(ContentsLine(1, "", document.title, page))
            page += document.pages
        for note in item.notes:
            lines.append(ContentsLine(1, "", note, None))
    return lines


def contents_layout(meeting: MeetingJSON, items: list[PackageItem], *, public: bool) -> ContentsLayout:
    """The contents pages laid out (tasks.rendering.contents_pdf); the documents' lengths need not be known yet."""
    return ContentsLayout(meeting, contents_lines(items, 1), public=public)


def contents_pdf(
    meeting: MeetingJSON,
    kallelse_pages: int,
    items: list[PackageItem],
    *,
    public: bool,
    layout: ContentsLayout | None = None,
) -> bytes:
    """The contents pages of a package as a tagged PDF: the kallelse has ``kallelse_pages`` pages, the items'
    documents have the page counts given (their PDFs are not needed). ``layout``: theirs, made beforehand."""
    layout = layout or contents_layout(meeting, items, public=public)
    layout.number(contents_lines(items, kallelse_pages + layout.page_count() + 1))
    return layout.pdf(f"Innehåll – {clean(meeting.get('title') or '')}")
