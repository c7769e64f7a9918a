"""Diarienummer formats: formatting and parsing, pure functions without a database.

A format is text with fields in braces; everything else is written as it stands (``{{`` and ``}}``
write a brace):

``{prefix}``  the diarium's series code, letters and/or digits ("SN", "KSN", "B2")
``{year}``    four-digit year; ``{yy}`` the last two digits (one of them is required)
``{serial}``  running number within (diarium, year), required; ``{serial:04}`` pads it with zeros
``{class}``   the classification code from the document management plan ("181"); optional: a format
              without it registers cases without a code

Examples: ``{prefix}-{year}/{serial}.{class}`` → ``SN-2016/3342.181``,
``{prefix} {yy}/{serial:04}`` → ``SN 18/0098``, ``{prefix}-{year}-{serial:04}`` → ``KSN-2019-0123``,
``{prefix} {serial}/{year}`` → ``KS 123/2019``, ``{serial:04}/{yy}`` → ``0123/19`` (no series in the
text), ``Dnr {prefix} {year}.{serial}`` → ``Dnr BUN 2019.123``.

A format must say where each field ends: two numbers with nothing between them (``{year}{serial}``)
are refused, and so is any format in which one number could be read in two ways. Hence a format parses
exactly what it formats. Typed-in numbers are read leniently: without the format's leading or trailing
text (``BUN 2019.123`` for ``Dnr BUN 2019.123``), with a leading "Dnr", any case, spaces or none.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import NoReturn

from app.validation import ValidationError

FIELDS = ("prefix", "year", "yy", "serial", "class")
NUMBERS = {"year", "yy", "serial", "class"}
_PATTERNS = {
    "prefix": "(?P<prefix>[A-Za-zÅÄÖåäö0-9]{1,10})",
    "year": "(?P<year>[0-9]{4})",
    "yy": "(?P<yy>[0-9]{2})",
    "serial": "(?P<serial>[0-9]{1,9})",
    "class": r"(?P<cls>[0-9]{1,6}(?:\.[0-9]{1,6}){0,4})",
}
#: fields of a fixed number of characters: their end is known without a separator
_WIDTH = {"year": 4, "yy": 2}
_DNR_LEAD = re.compile(r"^\s*(?:dnr\.?|diarienummer:?)\s*", re.IGNORECASE)
SERIES_RE = re.compile(r"^[A-ZÅÄÖ0-9]{1,10}$")
#: at most this much literal text in a format, so a number stays short enough to store and read
LITERAL_MAX = 20
PATTERN_MAX = 100


def _in_alphabet(field: str, ch: str) -> bool:
    """Whether ``ch`` can be part of ``field``'s text (as a case-insensitive regex may match it)."""
    if field == "prefix":
        return ch.isalnum()
    if field == "class":
        return ch in string.digits or ch == "."
    return ch in string.digits


def check_series(code: object, *, field: str = "series") -> str:
    """Return a diarium's series code in capitals, or raise a Swedish ValidationError."""
    text = code.strip().upper() if isinstance(code, str) else ""
    if not text:
        raise ValidationError({field: "Ange diariets seriekod, t.ex. KS eller SN."})
    if not SERIES_RE.match(text):
        raise ValidationError(
            {field: "Seriekoden skrivs med högst 10 bokstäver och/eller siffror, t.ex. KS eller BUN."}
        )
    return text


@dataclass(frozen=True)
class RegistrationNumber:
    """The parts of a diarienummer; ``prefix`` is empty when the format writes no series."""

    prefix: str
    year: int
    serial: int
    classification: str | None = None


@dataclass(frozen=True)
class _Field:
    name: str
    width: int = 0  # zero padding of {serial:0N}


def _brace(name: str) -> str:
    return "{" + name + "}"


class NumberFormat:
    """One diarium's way of writing diarienummer."""

    def __init__(self, pattern: str, *, field: str = "format"):
        self.pattern = pattern
        self._error_field = field
        if not isinstance(pattern, str) or not pattern.strip():
            self._refuse("Ange ett format, t.ex. {prefix}-{year}/{serial}.")
        if len(pattern) > PATTERN_MAX:
            self._refuse(f"Formatet får vara högst {PATTERN_MAX} tecken.")
        if any(ord(ch) < 32 or ord(ch) == 0x7F for ch in pattern):
            self._refuse("Formatet innehåller otillåtna tecken.")
        #: literal text and fields in turn: literals[i] stands before fields[i]; literals[-1] ends the number
        self.literals: list[str] = []
        self.parts: list[_Field] = []
        self._read(pattern)
        self.fields = [f.name for f in self.parts]
        self._check_fields()
        self._check_unambiguous()
        self._strict = re.compile(self._regex(lenient=False), re.IGNORECASE)
        self._lenient = re.compile(self._regex(lenient=True), re.IGNORECASE)

    def _refuse(self, message: str) -> NoReturn:
        raise ValidationError({self._error_field: message})

    def _read(self, pattern: str) -> None:
        try:
            parsed = list(string.Formatter().parse(pattern))
        except ValueError:
            self._refuse("Formatet går inte att tolka: varje { måste stängas med } (skriv {{ för en klammer).")
        literal = ""
        for text, name, spec, conversion in parsed:
            literal += text
            if name is None:
                continue
            if name not in FIELDS:
                self._refuse(
                    f"Okänt fält {_brace(name[:20])} i formatet; tillåtna: " + ", ".join(map(_brace, FIELDS)) + "."
                )
            if conversion or (spec and name != "serial"):
                self._refuse(f"Fältet {_brace(name)} kan inte ha format.")
            width = 0
            if spec:
                if not re.fullmatch(r"0[1-9]", spec):
                    self._refuse("Löpnumret kan bara fyllas ut med nollor, t.ex. {serial:04}.")
                width = int(spec)
            self.literals.append(literal)
            self.parts.append(_Field(name, width))
            literal = ""
        self.literals.append(literal)
        if sum(len(text) for text in self.literals) > LITERAL_MAX:
            self._refuse(f"Formatet får ha högst {LITERAL_MAX} tecken text utöver fälten.")

    def _check_fields(self) -> None:
        names = self.fields
        for name in names:
            if names.count(name) > 1:
                self._refuse(f"Fältet {_brace(name)} förekommer två gånger.")
        if "serial" not in names:
            self._refuse("Formatet måste innehålla löpnumret {serial}.")
        if "year" not in names and "yy" not in names:
            self._refuse("Formatet måste innehålla året, {year} eller {yy}.")
        if "year" in names and "yy" in names:
            self._refuse("Formatet kan inte ha både {year} och {yy}.")

    def _check_unambiguous(self) -> None:
        """Refuse a format in which a number could be read in more than one way.

        Reading from the left, a field's end is known when it has a fixed width, is the last, or the text
        after it starts with a character it cannot contain; reading from the right, its start likewise.
        If the two readings leave more than one field between them, a number is ambiguous.
        """
        parts, lits = self.parts, self.literals
        for i in range(1, len(parts)):
            a, b = parts[i - 1].name, parts[i].name
            if not lits[i] and a in NUMBERS and b in NUMBERS:
                self._refuse(
                    f"Formatet är tvetydigt: {_brace(a)} och {_brace(b)} står direkt efter varandra. "
                    "Skriv något mellan dem, t.ex. ett snedstreck eller ett bindestreck."
                )
        n = len(parts)
        left = 0  # fields whose ends are known reading from the left
        while left < n:
            name, after = parts[left].name, lits[left + 1]
            if name in _WIDTH or left == n - 1 or (after and not _in_alphabet(name, after[0])):
                left += 1
            else:
                break
        right = n  # fields from index ``right`` on have starts known reading from the right
        while right > 0:
            name, before = parts[right - 1].name, lits[right - 1]
            if name in _WIDTH or right == 1 or (before and not _in_alphabet(name, before[-1])):
                right -= 1
            else:
                break
        if right - left > 1:
            a, b = parts[left].name, parts[left + 1].name
            self._refuse(
                f"Formatet är tvetydigt: var {_brace(a)} slutar och {_brace(b)} börjar går inte att avgöra. "
                f"Skilj dem åt med ett tecken som inte kan ingå i dem, t.ex. ett mellanslag, - eller /."
            )

    def _literal_regex(self, text: str, *, lenient: bool) -> str:
        if not lenient:
            return re.escape(text)
        # Spaces in the format match any run of spaces (or none) in typed-in text.
        return r"\s*".join(re.escape(part) for part in text.split(" "))

    def _regex(self, *, lenient: bool) -> str:
        out = []
        last = len(self.literals) - 1
        for i, text in enumerate(self.literals):
            piece = self._literal_regex(text, lenient=lenient)
            if lenient and text.strip() and i in (0, last):
                piece = f"(?:{piece})?"  # typed without the leading "Dnr " or a trailing text
            out.append(piece)
            if i < len(self.parts):
                out.append(_PATTERNS[self.parts[i].name])
        return "^" + "".join(out) + "$"

    @property
    def uses_class(self) -> bool:
        return "class" in self.fields

    @property
    def uses_series(self) -> bool:
        return "prefix" in self.fields

    def format(self, number: RegistrationNumber) -> str:
        values = {
            "prefix": number.prefix,
            "year": f"{number.year:04d}",
            "yy": f"{number.year % 100:02d}",
            "class": number.classification or "",
        }
        if self.uses_class and not number.classification:
            raise ValueError(f"the format {self.pattern!r} needs a classification code")
        out = []
        for text, part in zip(self.literals, [*self.parts, None], strict=True):
            out.append(text)
            if part is not None:
                out.append(f"{number.serial:0{part.width}d}" if part.name == "serial" else values[part.name])
        return "".join(out)

    def example(self, series: str = "SN", year: int = 2016, serial: int = 3342, classification: str = "181") -> str:
        return self.format(RegistrationNumber(series, year, serial, classification if self.uses_class else None))

    def parse(self, text: str, *, series: str = "SN") -> RegistrationNumber:
        """Return the parts of a typed-in diarienummer, or raise ValidationError in Swedish.

        ``series`` only shapes the example in the error message.
        """
        if not isinstance(text, str) or not text.strip():
            raise ValidationError({"diarienummer": "Ange ett diarienummer."})
        typed = text.strip()
        match = (
            self._strict.match(text)  # exactly as written (a format may end in a space)
            or self._strict.match(typed)
            or self._lenient.match(_DNR_LEAD.sub("", typed))
        )
        if not match:
            raise ValidationError(
                {
                    "diarienummer": (
                        f"”{typed[:60]}” är inte ett diarienummer i diariets format (till exempel "
                        f"{self.example(series)}). Nummer från andra organisationer anges som extern referens."
                    )
                }
            )
        parts = match.groupdict()
        year = int(parts["year"]) if parts.get("year") else 2000 + int(parts["yy"])
        serial = int(parts["serial"])
        if serial < 1:
            raise ValidationError({"diarienummer": "Löpnumret i ett diarienummer börjar på 1."})
        if not 1900 <= year <= 2199:
            raise ValidationError({"diarienummer": f"Året {year} är inte rimligt i ett diarienummer."})
        return RegistrationNumber(
            prefix=(parts.get("prefix") or "").upper(),
            year=year,
            serial=serial,
            classification=parts.get("cls"),
        )


@lru_cache(maxsize=64)
def number_format(pattern: str) -> NumberFormat:
    return NumberFormat(pattern)
