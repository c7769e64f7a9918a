"""A PDF's outline (its bookmarks, which LibreOffice makes from the headings) read as a flat list, and nested
again: for a part cut from a combined PDF (tasks.rendering.batch) and for the documents of the package, whose
bookmarks keep each document's headings beneath it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import pikepdf
from pikepdf import Array, Dictionary, OutlineItem, PageLocation

#: a page object's (object number, generation) → the index of its page
PageIndex: TypeAlias = dict[tuple[int, int], int]

#: more entries than any of our documents has: a guard against a malformed, looping outline
MAX_ENTRIES = 5000


@dataclass(frozen=True)
class Heading:
    depth: int  # 0: top level
    title: str
    page: int  # index of its page
    top: float | None  # where on the page (an /XYZ destination's top), if said


def _target(pdf: pikepdf.Pdf, entry: Dictionary, index_of: PageIndex) -> tuple[int, float | None] | None:
    destination = entry.get("/Dest")
    if destination is None:
        action = entry.get("/A")
        destination = action.get("/D") if isinstance(action, Dictionary) else None
    if not isinstance(destination, Array) or not len(destination):
        return None  # a named destination or another kind of action: not a place in this file we can follow
    page = destination[0]
    if not isinstance(page, Dictionary) or page.objgen not in index_of:
        return None
    top = None
    if len(destination) >= 4 and str(destination[1]) == "/XYZ" and destination[3] is not None:
        try:
            top = float(destination[3])
        except (TypeError, ValueError):
            top = None
    return index_of[page.objgen], top


def headings(pdf: pikepdf.Pdf, index_of: PageIndex | None = None) -> list[Heading]:
    """The outline's entries in order, with their depth and page (those pointing elsewhere left out).
    ``index_of``: page object id → page index (default: the file's own pages)."""
    if index_of is None:
        index_of = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
    outlines = pdf.Root.get("/Outlines")
    found: list[Heading] = []
    if not isinstance(outlines, Dictionary):
        return found
    stack = [(outlines.get("/First"), 0)]
    seen: set[tuple[int, int]] = set()
    while stack and len(seen) < MAX_ENTRIES:
        entry, depth = stack.pop()
        if not isinstance(entry, Dictionary) or entry.objgen in seen:
            continue
        seen.add(entry.objgen)
        stack.append((entry.get("/Next"), depth))  # its next sibling after its children
        stack.append((entry.get("/First"), depth + 1))
        target = _target(pdf, entry, index_of)
        if target is not None:
            found.append(Heading(depth, str(entry.get("/Title", "")), *target))
    return found


def outline_items(found: list[Heading], first_page: int = 0) -> list[OutlineItem]:
    """``found`` nested again by depth (the shallowest made the top level), their pages moved by ``first_page``."""
    top_level: list[OutlineItem] = []
    if not found:
        return top_level
    base = min(h.depth for h in found)
    open_items: list[tuple[int, OutlineItem]] = []  # the last item at each depth still taking children
    for heading in found:
        if heading.top is not None:
            item = OutlineItem(
                heading.title, first_page + heading.page, page_location=PageLocation.XYZ, top=heading.top
            )
        else:
            item = OutlineItem(heading.title, first_page + heading.page)
        depth = heading.depth - base
        while open_items and open_items[-1][0] >= depth:
            open_items.pop()
        (open_items[-1][1].children if open_items else top_level).append(item)
        open_items.append((depth, item))
    return top_level
