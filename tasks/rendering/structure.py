"""The structure trees of PDFs merged into one, grafted together; and their fonts, each kept once.

A naive merge keeps the pages but drops each part's structure tree. Here the parts' trees are
grafted into one (``StructTree``): the package's /StructTreeRoot holds a /Document element, under
it the kallelse and the contents as /Part elements and each item as a /Sect (titled like its
bookmark) holding its report and bilagor as /Part elements; each part's parent tree is copied
with its keys shifted past the previous parts', and the pages' /StructParents and the
annotations' /StructParent with them. MCIDs are per page and stay valid. A bilaga PDF that came
untagged stays untagged (nothing to graft); all other parts are tagged PDFs (from LibreOffice,
and the drawn contents).

Parts converted together (tasks.rendering.batch) carry the same font subsets: each embedded font
is kept once, found by its content (``SharedFonts``). Pure: pikepdf (qpdf) objects in and out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, String


def copied(pdf: pikepdf.Pdf, value: pikepdf.Object, source: pikepdf.Pdf) -> pikepdf.Object:
    """``value`` of ``source`` as an object of ``pdf``, what it refers to copied (once: qpdf remembers); a direct
    array or dictionary is made indirect in the source first (qpdf copies only indirect objects)."""
    if isinstance(value, (Array, Dictionary)):
        return pdf.copy_foreign(value if value.is_indirect else source.make_indirect(value))
    return value


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def number_tree(node: pikepdf.Object | None) -> Iterator[tuple[int, pikepdf.Object]]:
    """(key, value) pairs of a PDF number tree, in order."""
    if node is None:
        return
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids") or []:
        yield from number_tree(kid)


class StructTree:
    """The package's structure tree, grafted together from the parts' trees."""

    def __init__(self, pdf: pikepdf.Pdf, title: str, lang: str) -> None:
        self.pdf = pdf
        self.root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = pdf.make_indirect(
            Dictionary(
                Type=Name.StructElem, S=Name.Document, P=self.root, T=String(title), Lang=String(lang), K=Array()
            )
        )
        self.root.K = Array([self.document])
        self.nums = Array()
        self.next_key = 0
        self.role_map = Dictionary()
        self.tagged_parts = 0
        self.untagged_parts = 0

    def _element(self, kind: Name, parent: pikepdf.Object, title: str, position: int | None = None) -> pikepdf.Object:
        element = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=kind, P=parent, T=String(title), K=Array()))
        if position is None:
            parent.K.append(element)
        else:
            parent.K.insert(position, element)
        return element

    def section(self, title: str) -> pikepdf.Object:
        """A /Sect under the document for one item."""
        return self._element(Name.Sect, self.document, title)

    def graft(
        self,
        source: pikepdf.Pdf,
        pages: list[pikepdf.Page],
        title: str,
        parent: pikepdf.Object | None = None,
        position: int | None = None,
    ) -> bool:
        """Hang ``source``'s tree under ``parent`` (default the document; at ``position`` among its children,
        default last) as a /Part; ``pages`` are its pages as copied into the package. False: it had none."""
        root = source.Root.get("/StructTreeRoot")
        if root is None:
            self.untagged_parts += 1
            return False
        part = self._element(Name.Part, parent if parent is not None else self.document, title, position)
        kids = []
        for kid in _kids(root):
            if isinstance(kid, Dictionary):
                if "/P" in kid:
                    del kid["/P"]  # the source's root: not copied; the part is the new parent
                kids.append(kid)
        entries = list(number_tree(root.get("/ParentTree")))
        # one copy of everything (qpdf copies what is reachable, each object once)
        copied = self.pdf.copy_foreign(
            source.make_indirect(
                Array([Array(kids), Array([value for _key, value in entries]), root.get("/RoleMap") or Dictionary()])
            )
        )
        for element in copied[0]:
            if element.get("/S") == Name.Document:
                element.S = Name.Div  # one /Document per file: the package's
            element.P = part
        part.K = copied[0]
        offset = self.next_key
        highest = -1
        for (key, _value), value in zip(entries, copied[1]):
            self.nums.append(key + offset)
            self.nums.append(value)
            highest = max(highest, key)
        next_key = int(root.get("/ParentTreeNextKey", highest + 1))
        self.next_key = offset + max(next_key, highest + 1)
        for name, value in copied[2].items():
            if name not in self.role_map:
                self.role_map[name] = value
        if offset:
            for page in pages:
                page_object = page.obj
                if "/StructParents" in page_object:
                    page_object.StructParents = int(page_object.StructParents) + offset
                for annotation in page_object.get("/Annots") or ():
                    if "/StructParent" in annotation:
                        annotation.StructParent = int(annotation.StructParent) + offset
        self.tagged_parts += 1
        return True

    def finish(self) -> None:
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=self.nums))
        self.root.ParentTreeNextKey = self.next_key
        if len(self.role_map):
            self.root.RoleMap = self.role_map
        self.pdf.Root.StructTreeRoot = self.root


_REFERENCE = re.compile(rb"(\d+) (\d+) R\b")


def _fingerprint(pdf: pikepdf.Pdf, value: pikepdf.Object, memo: dict[tuple[int, int], bytes]) -> bytes:
    """A digest of an indirect object's content with what it refers to (for finding a font embedded twice):
    its text as qpdf writes it, each reference replaced by the digest of the object referred to, and a
    stream's raw data."""
    key = value.objgen
    if key in memo:
        return memo[key]
    memo[key] = b"cycle"
    digest = hashlib.sha1()
    if isinstance(value, pikepdf.Stream):
        digest.update(value.read_raw_bytes())
        text = bytes(value.stream_dict.unparse())
    else:
        text = bytes(value.unparse(resolved=True))
    position = 0
    for match in _REFERENCE.finditer(text):
        digest.update(text[position : match.start()])
        position = match.end()
        try:
            referred = pdf.get_object((int(match[1]), int(match[2])))
        except Exception:  # noqa: BLE001 - text that only looks like a reference
            referred = None
        digest.update(
            _fingerprint(pdf, referred, memo)
            if isinstance(referred, pikepdf.Object) and referred.is_indirect
            else match[0]
        )
    digest.update(text[position:])
    memo[key] = digest.digest()
    return memo[key]


class SharedFonts:
    """One copy of each embedded font: parts converted together carry the same font subsets."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.kept: dict[bytes, pikepdf.Object] = {}

    def share(self, pages: list[pikepdf.Page]) -> None:
        memo: dict[tuple[int, int], bytes] = {}
        for page in pages:
            resources = page.obj.get("/Resources")
            fonts = resources.get("/Font") if resources is not None else None
            if not isinstance(fonts, Dictionary):
                continue
            for name, font in list(fonts.items()):
                if not font.is_indirect:
                    continue
                kept = self.kept.setdefault(_fingerprint(self.pdf, font, memo), font)
                if kept.objgen != font.objgen:
                    fonts[name] = kept
