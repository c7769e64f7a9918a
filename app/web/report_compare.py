"""Side-by-side comparison of two versions of a report's content, word by word, escaped."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from workflows.compare import text_changes
from workflows.content import ReportContent

#: above this many words on a side the texts are shown without marking the differences
MAX_TOKENS = 20_000
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class FieldChange:
    field: str
    label: str
    a: Markup
    b: Markup


def word_diff(a: str, b: str) -> tuple[Markup, Markup]:
    """Return both texts escaped, with deleted words in <del> (a) and inserted words in <ins> (b)."""
    ta, tb = _TOKENS.findall(a), _TOKENS.findall(b)
    if len(ta) > MAX_TOKENS or len(tb) > MAX_TOKENS:
        return escape(a), escape(b)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        old, new = escape("".join(ta[i1:i2])), escape("".join(tb[j1:j2]))
        if op == "equal":
            left.append(old)
            right.append(new)
            continue
        if old:
            left.append(Markup("<del>%s</del>") % old)
        if new:
            right.append(Markup("<ins>%s</ins>") % new)
    return Markup("").join(left), Markup("").join(right)


def compare(a: ReportContent, b: ReportContent, sections: dict[str, str]) -> list[FieldChange]:
    """Return the fields that differ between ``a`` and ``b`` in document order, each marked word by word."""
    return [FieldChange(c.field, c.label, *word_diff(c.a, c.b)) for c in text_changes(a, b, sections)]
