"""How wide a line is in the documents' sans-serif face, and the footer's columns fitted to what they hold.

The widths are Arial's (Liberation Sans has the same metrics; LibreOffice sets the documents in it), kept here as
data so that a builder measures without a font file and makes the same bytes on every machine. A face with
other metrics (an uploaded template's) is allowed for by a margin.

Pure: no Flask, no database, no font files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: advance widths in thousandths of an em (Arial / Liberation Sans, regular)
_WIDTHS: dict[str, int] = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
        "ÅÄÖåäöÉéÜüØøÆæ–\u00a0",
        (
            277, 277, 354, 556, 556, 889, 666, 190, 333, 333, 389, 583, 277, 333, 277, 277,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 277, 277, 583, 583, 583, 556,
            1015, 666, 666, 722, 722, 666, 610, 777, 722, 277, 500, 666, 556, 833, 722, 777,
            666, 777, 722, 666, 610, 722, 666, 943, 666, 666, 610, 277, 277, 277, 469, 556,
            333, 556, 556, 500, 556, 556, 277, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 277, 556, 500, 722, 500, 500, 500, 333, 259, 333, 583,
            666, 666, 777, 556, 556, 556, 666, 556, 722, 556, 777, 610, 1000, 889, 556, 277,
        ),
        strict=True,
    )
)  # fmt: skip
#: a character not in the table: as wide as a digit
_OTHER = 556
#: room for a face wider than Arial, and for rounding in the layout
_MARGIN = 1.05
_TWIPS_PER_POINT = 20


def text_width(text: str, size: float) -> float:
    """The width of ``text`` in points at ``size`` points."""
    return sum(_WIDTHS.get(char, _OTHER) for char in text) * size / 1000


def fitted_widths(
    columns: Sequence[Sequence[tuple[str, float]]], widths: Sequence[int], *, gap: int
) -> tuple[int, ...]:
    """The columns' widths in twips: ``widths`` when every line fits unbroken, else wider columns for the lines
    that would break, taken from the room the others have to spare; the total stays the same.

    ``columns``: each column's lines as (text, size in points); ``gap``: the room each column keeps at its
    right. When the spare room is not enough, every column keeps what its own lines need and the columns that
    want more share the rest in proportion to what they lack (their lines still break, as little as they can).
    """
    needs = [
        gap + math.ceil(max((text_width(t, s) for t, s in lines), default=0) * _MARGIN * _TWIPS_PER_POINT)
        for lines in columns
    ]
    if all(need <= width for need, width in zip(needs, widths, strict=True)):
        return tuple(widths)
    lacking = sum(max(need - width, 0) for need, width in zip(needs, widths, strict=True))
    spare = sum(max(width - need, 0) for need, width in zip(needs, widths, strict=True))
    fitted: list[float] = []
    for need, width in zip(needs, widths, strict=True):
        if need > width:
            fitted.append(need if spare >= lacking else width + (need - width) * spare / lacking)
        else:
            fitted.append(width - (width - need) * lacking / spare if spare > lacking else need)
    result = [math.floor(w) for w in fitted]
    result[-1] += sum(widths) - sum(result)
    return tuple(result)
