"""Find Swedish personal identity numbers (personnummer, samordningsnummer) in text. Pure.

A candidate is a date of birth (YYMMDD or YYYYMMDD; a samordningsnummer adds 60 to the day)
followed by a separator (-, + or none) and four digits whose last is the Luhn check digit of the
ten-digit form. Numbers that fail the date or the check digit are not reported, so an ordinary
reference such as "KSL/12/0177-37" or a phone number rarely matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_CANDIDATE = re.compile(r"(?<![\d-])(\d{2})?(\d{2})(\d{2})(\d{2})\s?([-+]?)\s?(\d{3})(\d)(?!\d)")


@dataclass(frozen=True)
class IdentityNumber:
    text: str
    kind: str  # "personnummer" or "samordningsnummer"


def luhn_ok(digits: str) -> bool:
    """Whether the last digit of ``digits`` is the Luhn check digit of the others."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _valid_date(century: str | None, yy: str, mm: str, dd: str) -> str | None:
    """Return the kind of number the date part makes, or None when it is no date."""
    day = int(dd)
    kind = "personnummer"
    if day > 60:
        day -= 60
        kind = "samordningsnummer"
    year = int((century or "19") + yy)
    try:
        date(year, int(mm), day)
    except ValueError:
        # Without a century, 29 February may belong to another century's leap year.
        if not (century is None and mm == "02" and day == 29):
            return None
    return kind


def find_identity_numbers(text: str) -> list[IdentityNumber]:
    """Return every personnummer and samordningsnummer in ``text``, in order."""
    found = []
    for match in _CANDIDATE.finditer(text or ""):
        century, yy, mm, dd, _sep, serial, check = match.groups()
        kind = _valid_date(century, yy, mm, dd)
        if kind and luhn_ok(yy + mm + dd + serial + check):
            found.append(IdentityNumber(match.group(0).strip(), kind))
    return found


def masked(text: str) -> str:
    """Show where a personnummer is without repeating it whole: its date part and ****."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[:-4] + "-****"


def mask_identity_numbers(text: str) -> str:
    """``text`` with each personnummer and samordningsnummer written as ``masked`` writes it."""
    for number in find_identity_numbers(text):
        text = text.replace(number.text, masked(number.text))
    return text
