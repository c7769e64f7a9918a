"""Diarienummer formats: formatting and parsing, pure functions without a database.

A format is a Python format string over these fields:

``{prefix}``  the series, usually the committee's diarium prefix ("SN")
``{year}``    four-digit year; ``{yy}`` the last two digits
``{serial}``  running number within (series, year); a width such as ``{serial:04}`` pads it
``{class}``   the classification code from the document management plan ("181")

Examples: ``{prefix}-{year}/{serial}.{class}`` → ``SN-2016/3342.181``,
``{prefix} {yy}/{serial:04}`` → ``SN 18/0098``, ``{prefix} {year}/{serial}`` → ``KS 2018/124``.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache

from app.validation import ValidationError

FIELDS = {"prefix", "year", "yy", "serial", "class"}
_FIELD_PATTERNS = {
    "prefix": r"(?P<prefix>[A-Za-zÅÄÖåäö]{1,10})",
    "year": r"(?P<year>\d{4})",
    "yy": r"(?P<yy>\d{2})",
    "serial": r"(?P<serial>\d{1,9})",
    "class": r"(?P<cls>\d{1,6}(?:\.\d{1,6}){0,4})",
}
_DNR_LEAD = re.compile(r"^\s*(?:dnr\.?|diarienummer:?)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class RegistrationNumber:
    """The parts of a diarienummer."""

    prefix: str
    year: int
    serial: int
    classification: str | None = None


class NumberFormat:
    """One municipality's way of writing diarienummer."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        self.fields: list[str] = []
        regex = []
        try:
            parsed = list(string.Formatter().parse(pattern))
        except ValueError as exc:
            raise ValidationError({"registration_number_format": f"Formatet går inte att tolka: {exc}."}) from None
        for literal, field, spec, conversion in parsed:
            regex.append(self._literal_regex(literal))
            if field is None:
                continue
            if field not in FIELDS:
                raise ValidationError(
                    {
                        "registration_number_format": f"Okänt fält {{{field}}} i formatet; tillåtna: "
                        + ", ".join("{" + f + "}" for f in sorted(FIELDS))
                        + "."
                    }
                )
            if field in self.fields:
                raise ValidationError({"registration_number_format": f"Fältet {{{field}}} förekommer två gånger."})
            if conversion or (spec and field != "serial"):
                raise ValidationError({"registration_number_format": f"Fältet {{{field}}} kan inte ha format."})
            if spec and not re.fullmatch(r"0\d", spec):
                raise ValidationError(
                    {"registration_number_format": "Löpnumret kan bara fyllas ut med nollor, t.ex. {serial:04}."}
                )
            self.fields.append(field)
            regex.append(_FIELD_PATTERNS[field])
        if "serial" not in self.fields or not ({"year", "yy"} & set(self.fields)):
            raise ValidationError(
                {"registration_number_format": "Formatet måste innehålla {serial} och {year} eller {yy}."}
            )
        if {"year", "yy"} <= set(self.fields):
            raise ValidationError({"registration_number_format": "Formatet kan inte ha både {year} och {yy}."})
        self._regex = re.compile("^" + "".join(regex) + "$", re.IGNORECASE)

    @staticmethod
    def _literal_regex(literal: str) -> str:
        # Spaces in the format match any run of spaces (or none) in typed-in text.
        return r"\s*".join(re.escape(part) for part in literal.split(" "))

    @property
    def uses_class(self) -> bool:
        return "class" in self.fields

    def format(self, number: RegistrationNumber) -> str:
        return self.pattern.format(
            prefix=number.prefix,
            year=number.year,
            yy=f"{number.year % 100:02d}",
            serial=number.serial,
            **{"class": number.classification or ""},
        )

    def example(self) -> str:
        return self.format(RegistrationNumber("SN", 2016, 3342, "181"))

    def parse(self, text: str) -> RegistrationNumber:
        """Return the parts of a typed-in diarienummer, or raise ValidationError in Swedish."""
        if not isinstance(text, str) or not text.strip():
            raise ValidationError({"diarienummer": "Ange ett diarienummer."})
        cleaned = _DNR_LEAD.sub("", text.strip())
        match = self._regex.match(cleaned)
        if not match:
            raise ValidationError(
                {
                    "diarienummer": (
                        f"”{text.strip()[:60]}” är inte ett diarienummer i kommunens format (till exempel "
                        f"{self.example()}). Nummer från andra organisationer anges som extern referens."
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


@lru_cache(maxsize=32)
def number_format(pattern: str) -> NumberFormat:
    return NumberFormat(pattern)
