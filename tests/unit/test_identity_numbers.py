"""Personnummer and samordningsnummer in public texts (Luhn check digit, real dates)."""

from __future__ import annotations

import pytest

from app.registry.identity_numbers import find_identity_numbers, luhn_ok


@pytest.mark.parametrize(
    "text, found, kind",
    [
        ("Ärendet gäller 811218-9876 och hennes barn.", "811218-9876", "personnummer"),
        ("Sökande: 19811218-9876", "19811218-9876", "personnummer"),
        ("pnr 8112189876.", "8112189876", "personnummer"),
        ("född 811218+9876 (över hundra år)", "811218+9876", "personnummer"),
        ("samordningsnummer 701063-2391", "701063-2391", "samordningsnummer"),
        ("Anna Ek (198112189876) har ansökt", "198112189876", "personnummer"),
    ],
)
def test_identity_numbers_are_found(text, found, kind):
    assert [(n.text, n.kind) for n in find_identity_numbers(text)] == [(found, kind)]


@pytest.mark.parametrize(
    "text",
    [
        "811218-9875",  # wrong check digit
        "811332-9876",  # no 32 December
        "SN-2016/3342.181",  # a diarienummer
        "KSL/12/0177-37",  # an external reference
        "Telefon 08-535 300 14",  # a phone number
        "Budgeten är 1 234 567 890 kronor",
        "Dnr 2015/123-700",
        "",
    ],
)
def test_other_numbers_are_not_taken_for_identity_numbers(text):
    assert find_identity_numbers(text) == []


def test_luhn():
    assert luhn_ok("8112189876") and not luhn_ok("8112189875")
