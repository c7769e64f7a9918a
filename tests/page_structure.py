"""What keeps a page from being read with a screen reader: one h1, headings in order, labelled fields, captioned tables.

A plain helper for the page tests of every area.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


class Structure(HTMLParser):
    """Collect headings, labels, form controls and table headers of a page."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.labels: set[str] = set()
        self.controls: list[str] = []
        self.tables = self.captions = self.unscoped_headers = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a.get("id") or a.get("name"))
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th" and a.get("scope") not in ("col", "row"):
            self.unscoped_headers += 1


def structure_problems(html: str) -> list[str]:
    """Return what keeps a page from one h1, headings in order, labelled fields and captioned tables."""
    page = Structure()
    page.feed(html)
    problems = []
    if page.headings.count(1) != 1 or page.headings[0] != 1:
        problems.append(f"headings {page.headings}")
    problems += [f"h{a} followed by h{b}" for a, b in zip(page.headings, page.headings[1:]) if b > a + 1]
    problems += [f"no label for {c}" for c in page.controls if c not in page.labels]
    if page.captions != page.tables or page.unscoped_headers:
        problems.append("table without caption or th scope")
    return problems
