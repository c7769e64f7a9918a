"""Several Word documents converted by LibreOffice in one call, then split into one tagged PDF each.

A conversion through the warm LibreOffice costs about 0.1 s whatever its size (the XML-RPC call,
loading, the PDF export), so a meeting package of 120 small documents spent most of its time on
those fixed costs. Here the documents' builders write into one Word document instead, each in a
section of its own:

* with its own header and footer (the builders fill the ones they are given, ``word.Target``),
  page numbering restarting at 1 (``w:pgNumType w:start="1"``), and a new page at its start;
* "SIDA n (N)": PAGE restarts with the section, but NUMPAGES counts the whole file and this
  LibreOffice (7.4) leaves SECTIONPAGES at its stored value, so a document's page count comes from
  ``PAGEREF`` to a bookmark at its very end, which shows that page's (restarted) number. LibreOffice
  exports such a reference as a link to the bookmark; the split removes those links (an untagged
  internal link in a header is noise to a screen reader);
* its own lists: a template list it uses (the decision proposals) gets a numbering instance of the
  document's own that restarts at 1, so the second report's proposals do not go on from the first's.

The end bookmarks are exported as named destinations (``ExportBookmarksToPDFDestination``), which
give each document's last page; ``split`` cuts the PDF there. Each document's PDF gets its pages,
the top-level structure elements whose content is on them (LibreOffice tags a document's
paragraphs and tables as children of one /Document; a section break always starts a new page,
so none spans two documents) with the parent-tree entries of its pages and annotations, the
role map, /Lang, /MarkInfo, a title and the outline entries (the headings) on its pages. The caller stores each under its own input hash, as if
it had been converted alone (tests/rendering/test_batch.py compares them page by page); a later
render converts only what changed. A ``Batch`` of one document converts it as itself, unsplit.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from dataclasses import replace
from io import BytesIO
from typing import Protocol

import pikepdf
from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.parts.hdrftr import FooterPart, HeaderPart
from lxml import etree
from pikepdf import Array, Dictionary, Name, String

from tasks.rendering.outline import PageIndex, headings, outline_items
from tasks.rendering.structure import copied as _copied
from tasks.rendering.structure import number_tree as _number_tree
from tasks.rendering.word import (
    R_NS,
    HeaderFooter,
    Letterhead,
    Target,
    WordBuilder,
    first_page_letterhead,
    template_document,
)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: the end bookmark of document n; letters and digits only (LibreOffice escapes others in destination names)
END_MARK = "NfSlut{}"
#: what the combined conversion asks of the PDF export besides the usual
SPLIT_OPTIONS = ("ExportBookmarksToPDFDestination=true",)


class Maker(Protocol):
    """A function that makes a builder writing into the target it is given (report_docx._ReportBuilder and kin),
    or into a document of its own when given none."""

    def __call__(self, target: Target | None = None) -> WordBuilder: ...


Converter = Callable[..., bytes]


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


class SplitFailed(RuntimeError):
    """The combined PDF does not show where each document ends (LibreOffice did not export the marks)."""


class CombinedDocument:
    """One Word document holding several, each in its own section (see the module's description)."""

    def __init__(self) -> None:
        self.document: Document = template_document()
        self.body = self.document.element.body
        #: the template's section properties: the model of every section
        self.final: etree._Element = self.body[-1]
        self.numbering: etree._Element = self.document.part.numbering_part.element
        self.template_lists: dict[str, str] = {}  # the template's lists: numId → abstractNumId
        for n in self.numbering.findall(_w("num")):
            num_id, abstract_id = n.get(_w("numId")), _child(n, _w("abstractNumId")).get(_w("val"))
            if num_id is not None and abstract_id is not None:
                self.template_lists[num_id] = abstract_id
        self.count = 0
        self.last_section: etree._Element | None = None
        # the template's first-page letterhead (a logo, a name), given to every document with its pictures' parts
        section = self.document.sections[0]
        self.letterhead: Letterhead = first_page_letterhead(section)
        self.letterhead_parts: tuple[XmlPart | None, XmlPart | None] = (
            section.first_page_header.part if self.letterhead[0] else None,
            section.first_page_footer.part if self.letterhead[1] else None,
        )

    def _new_part(self, kind: str, first: bool = False) -> tuple[HeaderPart | FooterPart, str]:
        """A new, empty header or footer part (``first``: the first page's) and its relationship id.

        (python-docx's ``add_header_part`` looks for a free part name by walking every part, and
        ``relate_to`` compares with every relationship: quadratic in the number of documents here.)"""
        kinds: dict[str, tuple[type[HeaderPart] | type[FooterPart], str, str, str]] = {
            "header": (HeaderPart, CT.WML_HEADER, RT.HEADER, "hdr"),
            "footer": (FooterPart, CT.WML_FOOTER, RT.FOOTER, "ftr"),
        }
        part_class, content_type, relationship, root = kinds[kind]
        suffix = "-first" if first else ""
        name = PackURI(f"/word/{kind}-{self.count + 1}{suffix}.xml")
        part = part_class(name, content_type, parse_xml(f'<w:{root} xmlns:w="{W_NS}"/>'), self.document.part.package)
        r_id = f"rIdNf{kind[0]}{self.count + 1}{'f' if first else ''}"
        self.document.part.rels.add_relationship(relationship, part, r_id)
        return part, r_id

    def add(self, make: Maker) -> None:
        """Add the document ``make`` builds (given a target with a fresh header and footer)."""
        header, header_id = self._new_part("header")
        footer, footer_id = self._new_part("footer")
        first: dict[str, tuple[HeaderPart | FooterPart, str]] = {}

        def first_page() -> HeaderFooter:
            first["header"] = self._new_part("header", first=True)
            first["footer"] = self._new_part("footer", first=True)
            return first["header"][0].element, first["footer"][0].element

        builder = make(Target(self.document, header.element, footer.element, first_page, self.letterhead))
        elements = builder.content()
        for (part, _r_id), source in zip(
            (first.get("header", (None, None)), first.get("footer", (None, None))), self.letterhead_parts
        ):
            if part is not None and source is not None:
                _relate_copied(part, source)
        mark = END_MARK.format(self.count)
        self._own_lists(elements)
        for container in (header.element, footer.element, *(part.element for part, _ in first.values())):
            _count_own_pages(container, mark)
        if not elements or elements[-1].tag != _w("p"):
            elements.append(etree.Element(_w("p")))  # a section ends in a paragraph (a table cannot hold it)
        last = elements[-1]
        start = etree.SubElement(last, _w("bookmarkStart"))
        start.set(_w("id"), str(self.count))
        start.set(_w("name"), mark)
        etree.SubElement(last, _w("bookmarkEnd")).set(_w("id"), str(self.count))
        section = self._section(
            header_id, footer_id, first.get("header", (None, None))[1], first.get("footer", (None, None))[1]
        )
        properties = last.find(_w("pPr"))
        if properties is None:
            properties = etree.Element(_w("pPr"))
            last.insert(0, properties)
        properties.append(section)
        for element in elements:
            self.final.addprevious(element)
        self.last_section = section
        self.count += 1

    def _section(
        self, header_id: str, footer_id: str, first_header_id: str | None, first_footer_id: str | None
    ) -> etree._Element:
        """The section properties of a document: its headers and footers (the first page's if it has its own),
        numbering from 1."""
        section = copy.deepcopy(self.final)
        for tag in ("headerReference", "footerReference", "titlePg"):
            for old in section.findall(_w(tag)):
                section.remove(old)
        references = [
            ("headerReference", "default", header_id),
            ("headerReference", "first", first_header_id),
            ("footerReference", "default", footer_id),
            ("footerReference", "first", first_footer_id),
        ]
        for tag, kind, r_id in reversed(references):
            if r_id is None:
                continue
            reference = etree.Element(_w(tag))
            reference.set(_w("type"), kind)
            reference.set(f"{{{R_NS}}}id", r_id)
            section.insert(0, reference)
        numbering = etree.Element(_w("pgNumType"))
        numbering.set(_w("start"), "1")
        columns = section.find(_w("cols"))
        if columns is not None:
            columns.addprevious(numbering)
        else:
            section.append(numbering)
        if first_header_id or first_footer_id:
            title_page = etree.Element(_w("titlePg"))  # after cols (and before docGrid), as the schema orders them
            after = section.find(_w("cols"))
            if after is None:
                after = numbering
            after.addnext(title_page)
        return section

    def _own_lists(self, elements: list[etree._Element]) -> None:
        """Give the document its own instance of each template list it uses, restarting at 1."""
        own: dict[str, str] = {}
        for element in elements:
            for num_id in element.iter(_w("numId")):
                value = num_id.get(_w("val"))
                if value is None or value not in self.template_lists:
                    continue
                if value not in own:
                    own[value] = self._restarted(self.template_lists[value])
                num_id.set(_w("val"), own[value])

    def _restarted(self, abstract_id: str) -> str:
        num_id = str(max(int(_attribute(n, _w("numId"))) for n in self.numbering.findall(_w("num"))) + 1)
        num = etree.SubElement(self.numbering, _w("num"))
        num.set(_w("numId"), num_id)
        etree.SubElement(num, _w("abstractNumId")).set(_w("val"), abstract_id)
        override = etree.SubElement(num, _w("lvlOverride"))
        override.set(_w("ilvl"), "0")
        etree.SubElement(override, _w("startOverride")).set(_w("val"), "1")
        return num_id

    def docx(self) -> bytes:
        """The combined document (the last document's section properties become the body's)."""
        if not self.count or self.last_section is None:  # (the one without the other)
            raise ValueError("no documents")
        _parent(self.last_section).remove(self.last_section)
        _parent(self.final).replace(self.final, self.last_section)
        out = BytesIO()
        self.document.save(out)
        return out.getvalue()


def _child(element: etree._Element, tag: str) -> etree._Element:
    """``element``'s first child ``tag``; ValueError when it has none (the template is not ours)."""
    found: etree._Element | None = element.find(tag)
    if found is None:
        raise ValueError(f"{element.tag!r} has no {tag}")
    return found


def _attribute(element: etree._Element, name: str) -> str:
    value = element.get(name)
    if value is None:
        raise ValueError(f"{element.tag!r} has no {name}")
    return value


def _parent(element: etree._Element) -> etree._Element:
    parent: etree._Element | None = element.getparent()
    if parent is None:
        raise ValueError(f"{element.tag!r} is not in the document")
    return parent


def _count_own_pages(container: etree._Element, mark: str) -> None:
    """NUMPAGES in a header or footer → the number of the page holding the document's end bookmark."""
    for simple in container.iter(_w("fldSimple")):
        instruction = simple.get(_w("instr")) or ""
        if instruction.split()[:1] == ["NUMPAGES"]:
            simple.set(_w("instr"), f" PAGEREF {mark} ")
    for text in container.iter(_w("instrText")):
        if (text.text or "").split()[:1] == ["NUMPAGES"]:
            text.text = f" PAGEREF {mark} "


# --- the split --------------------------------------------------------------------------------


def _destinations(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    """Named destinations: the PDF 1.1 /Dests dictionary LibreOffice writes, or a /Names /Dests tree."""
    found: dict[str, pikepdf.Object] = {}
    dests = pdf.Root.get("/Dests")
    if dests is not None:
        found.update({str(name)[1:]: value for name, value in dests.items()})
    names = pdf.Root.get("/Names")
    if names is not None and "/Dests" in names:
        found.update({str(name): value for name, value in pikepdf.NameTree(names.Dests).items()})
    return found


def _page_ranges(pdf: pikepdf.Pdf, count: int, index_of: PageIndex) -> list[range]:
    destinations = _destinations(pdf)
    ends = []
    for n in range(count):
        target = destinations.get(END_MARK.format(n))
        if isinstance(target, Dictionary):
            target = target.get("/D")
        if not isinstance(target, Array) or not len(target) or target[0].objgen not in index_of:
            raise SplitFailed(f"the end of document {n} is not marked in the PDF")
        ends.append(index_of[target[0].objgen])
    starts = [0] + [end + 1 for end in ends[:-1]]
    ranges = [range(start, end + 1) for start, end in zip(starts, ends)]
    if any(not r for r in ranges) or ends[-1] != len(index_of) - 1:
        raise SplitFailed(f"the documents' ends do not divide the pages: {ends}, {len(index_of)} pages")
    return ranges


def _drop_page_count_links(pages: list[pikepdf.Page]) -> None:
    """Remove the links LibreOffice makes of the headers' PAGEREF fields: internal and untagged."""
    for page in pages:
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        kept = [
            a
            for a in annotations
            if not (
                a.get("/Subtype") == Name.Link and "/StructParent" not in a and ("/Dest" in a or _goes_to(a.get("/A")))
            )
        ]
        if len(kept) != len(annotations):
            if kept:
                page.obj.Annots = Array(kept)
            else:
                del page.obj["/Annots"]


def _goes_to(action: pikepdf.Object | None) -> bool:
    """Whether an annotation's action is a GoTo (one inside the document)."""
    return bool(action) and action is not None and action.get("/S") == Name.GoTo


def _first_page(element: pikepdf.Object, index_of: PageIndex) -> int | None:
    """The page (from 0) of an element's first content, or None when it has none."""
    page = element.get("/Pg")
    if page is not None and page.objgen in index_of:
        return index_of[page.objgen]
    kids = element.get("/K")
    if kids is None:
        return None
    for kid in kids if isinstance(kids, Array) else [kids]:
        if isinstance(kid, Dictionary):
            found = _first_page(kid, index_of)
            if found is not None:
                return found
    return None


def _struct_kids(root: pikepdf.Object) -> list[pikepdf.Object]:
    """The top-level elements: the children of the /Document (LibreOffice's one child of the root)."""
    found = root.get("/K")
    kids = [] if found is None else list(found) if isinstance(found, Array) else [found]
    if len(kids) == 1 and isinstance(kids[0], Dictionary) and kids[0].get("/S") == Name.Document:
        inner = kids[0].get("/K")
        return [] if inner is None else list(inner) if isinstance(inner, Array) else [inner]
    return kids


def _parent_tree(root: pikepdf.Object) -> dict[int, pikepdf.Object]:
    return dict(_number_tree(root.get("/ParentTree")))


class CombinedPdf:
    """The converted combined document: where each document's pages are (at once), and its own PDFs."""

    def __init__(self, pdf: bytes, titles: list[str]) -> None:
        self.titles = titles
        self.source = pikepdf.open(io.BytesIO(pdf))
        self.pages = list(self.source.pages)
        self.index_of = {page.obj.objgen: n for n, page in enumerate(self.pages)}
        try:
            self.ranges = _page_ranges(self.source, len(titles), self.index_of)
        except SplitFailed:
            self.source.close()
            raise
        self.headings = headings(self.source, self.index_of)

    def page_counts(self) -> list[int]:
        return [len(r) for r in self.ranges]

    def parts(self) -> list[bytes]:
        """One PDF per document (see the module's description); closes the combined PDF."""
        source, pages = self.source, self.pages
        try:
            _drop_page_count_links(pages)
            groups, parents = self._elements()
            return [
                self._part(title, pages_of, kids, parents)
                for title, pages_of, kids in zip(self.titles, self.ranges, groups)
            ]
        finally:
            source.close()

    def _elements(self) -> tuple[list[list[pikepdf.Object]], dict[int, pikepdf.Object]]:
        """The top-level structure elements of each document, and the parent tree."""
        document_of_page = [0] * len(self.pages)
        for n, pages_of in enumerate(self.ranges):
            for page in pages_of:
                document_of_page[page] = n
        root = self.source.Root.get("/StructTreeRoot")
        groups: list[list[pikepdf.Object]] = [[] for _ in self.titles]
        if root is None:
            return groups, {}
        current = 0
        for kid in _struct_kids(root):
            if not isinstance(kid, Dictionary) or not kid.is_indirect:
                continue
            first = _first_page(kid, self.index_of)
            if first is not None:
                current = document_of_page[first]
            if "/P" in kid:
                del kid["/P"]  # cut from the combined document, so a copy does not drag the whole tree along
            groups[current].append(kid)
        return groups, _parent_tree(root)

    def _part(
        self, title: str, pages_of: range, kids: list[pikepdf.Object], parents: dict[int, pikepdf.Object]
    ) -> bytes:
        source = self.source
        part = pikepdf.new()
        part.pages.extend(self.pages[pages_of.start : pages_of.stop])
        if "/StructTreeRoot" in source.Root:
            _tree_of_part(part, source, kids, [self.pages[n] for n in pages_of], parents)
        part.Root.Lang = source.Root.get("/Lang") or String("sv-SE")
        part.Root.MarkInfo = Dictionary(Marked=True)
        part.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        part.docinfo = part.make_indirect(Dictionary(Title=String(title), Producer=String("Nämndflöde")))
        own = [replace(h, page=h.page - pages_of.start) for h in self.headings if h.page in pages_of]
        if own:
            with part.open_outline() as outline:
                outline.root.extend(outline_items(own))
        out = io.BytesIO()
        part.save(out, deterministic_id=True)
        return out.getvalue()


def split(pdf: bytes, titles: list[str]) -> list[bytes]:
    """Cut the combined PDF into one PDF per document (see the module's description)."""
    return CombinedPdf(pdf, titles).parts()


def _tree_of_part(
    part: pikepdf.Pdf,
    source: pikepdf.Pdf,
    kids: list[pikepdf.Object],
    source_pages: list[pikepdf.Page],
    parents: dict[int, pikepdf.Object],
) -> None:
    """The part's own structure tree: a /Document of its elements, and the parent-tree entries of its pages."""
    root = source.Root.StructTreeRoot
    tree_root = part.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = part.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree_root, K=Array()))
    for kid in kids:
        element = part.copy_foreign(kid)
        element.P = document
        document.K.append(element)
    tree_root.K = Array([document])
    keys = []
    for page in source_pages:
        if "/StructParents" in page.obj:
            keys.append(int(page.obj.StructParents))
        for annotation in page.obj.get("/Annots") or []:
            if "/StructParent" in annotation:
                keys.append(int(annotation.StructParent))
    nums = Array()
    for key in sorted(set(keys)):
        if key in parents:
            nums.append(key)
            nums.append(_copied(part, parents[key], source))
    tree_root.ParentTree = part.make_indirect(Dictionary(Nums=nums))
    tree_root.ParentTreeNextKey = max(keys) + 1 if keys else 0
    if "/RoleMap" in root:
        tree_root.RoleMap = Dictionary({name: value for name, value in root.RoleMap.items()})
    part.Root.StructTreeRoot = tree_root


class _Alone:
    """A batch of one document, converted as itself: its PDF needs no split."""

    def __init__(self, pdf: bytes) -> None:
        self.pdf = pdf

    def page_counts(self) -> list[int]:
        with pikepdf.open(io.BytesIO(self.pdf)) as pdf:
            return [len(pdf.pages)]

    def parts(self) -> list[bytes]:
        return [self.pdf]


#: a converted batch, to ask for its documents' page counts and PDFs
ConvertedBatch = CombinedPdf | _Alone


def _relate_copied(part: XmlPart, source: XmlPart) -> None:
    """Give ``part`` the relationships its copied letterhead refers to in ``source`` (a picture, a link), under
    ids of its own."""
    mapped: dict[str, str] = {}
    for element in part.element.iter():
        for name, value in list(element.attrib.items()):
            if not str(name).startswith(f"{{{R_NS}}}") or value not in source.rels:
                continue
            if value not in mapped:
                rel = source.rels[value]
                if rel.is_external:
                    mapped[value] = part.relate_to(rel.target_ref, rel.reltype, is_external=True)
                else:
                    mapped[value] = part.relate_to(rel.target_part, rel.reltype)
            element.set(name, mapped[value])


class Batch:
    """Documents to convert in one LibreOffice call: one alone is converted as itself (exactly as if it were
    not in a batch); more are combined (``CombinedDocument``) and the PDF split (``CombinedPdf``)."""

    def __init__(self) -> None:
        self.makers: list[Maker] = []
        self.titles: list[str] = []

    def __len__(self) -> int:
        return len(self.makers)

    def add(self, make: Maker, title: str) -> None:
        self.makers.append(make)
        self.titles.append(title)

    def docx(self) -> bytes:
        if len(self.makers) == 1:
            return self.makers[0]().build()
        combined = CombinedDocument()
        for make in self.makers:
            combined.add(make)
        return combined.docx()

    @property
    def options(self) -> tuple[str, ...]:
        """The export options the conversion of ``docx()`` needs."""
        return () if len(self.makers) == 1 else SPLIT_OPTIONS

    def converted(self, pdf: bytes) -> ConvertedBatch:
        """The PDF of ``docx()``, to ask for its documents' page counts and PDFs (SplitFailed if it cannot be cut)."""
        return _Alone(pdf) if len(self.makers) == 1 else CombinedPdf(pdf, self.titles)


def convert_together(documents: list[tuple[Maker, str]], convert: Converter) -> list[bytes]:
    """Convert the (maker, title) documents in one call: one PDF per document."""
    batch = Batch()
    for make, title in documents:
        batch.add(make, title)
    return batch.converted(convert(batch.docx(), options=batch.options)).parts()
