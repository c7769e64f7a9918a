"""The text of a bilaga for the search (tasks/text_extraction.py): each type read back, a scan marked, and the child
process's limits."""

from __future__ import annotations

import pytest

from tasks.text_extraction import extract, extract_limited
from tests.sample_files import (
    make_docx,
    make_docx_bomb,
    make_opendocument,
    make_pdf,
    make_png,
    make_slow_pdf,
    make_text_pdf,
    make_txt,
    make_xlsx,
)
from workflows.sniffing import DOCX, ODT, PDF, PNG, TXT, XLSX


@pytest.mark.parametrize(
    ("data", "content_type", "wanted"),
    [
        (make_text_pdf("Riksnormen för bårhus (2027)"), PDF, "Riksnormen för bårhus (2027)"),
        (make_docx("Ekonomiskt bistånd i Huddinge"), DOCX, "Ekonomiskt bistånd i Huddinge"),
        (make_xlsx("Budgetram för äldreomsorgen"), XLSX, "Budgetram för äldreomsorgen"),
        (make_opendocument(ODT, "Beslutet delges Öjersjö skola"), ODT, "Beslutet delges Öjersjö skola"),
        (make_txt("Åtgärdsplan för hemtjänsten\n"), TXT, "Åtgärdsplan för hemtjänsten"),
        ("Åtgärdsplan i Windows-teckenkodning".encode("cp1252"), TXT, "Åtgärdsplan i Windows-teckenkodning"),
    ],
)
def test_each_type_is_read_with_its_swedish_letters(data, content_type, wanted):
    result = extract(data, content_type)
    assert result.status == "done"
    assert wanted in result.text


def test_a_pdf_without_text_is_marked_as_a_scan():
    result = extract(make_pdf("Skannad"), PDF)
    assert result.status == "no_text"
    assert "skannad" in result.problem


def test_a_type_without_text_is_marked_so():
    result = extract(make_png(), PNG)
    assert result.status == "no_text" and result.text == ""


def test_the_child_reads_the_text_within_its_limits():
    result = extract_limited(make_text_pdf("Riksnormen 2027"), PDF, seconds=20, memory_mb=512)
    assert (result.status, result.text) == ("done", "Riksnormen 2027")


def test_a_broken_file_fails_in_the_child_not_in_the_caller():
    result = extract_limited(b"%PDF-1.4 trasig", PDF, seconds=20, memory_mb=512)
    assert result.status == "failed"
    assert result.problem.startswith("Filen kunde inte läsas")


def test_the_memory_limit_holds_in_the_child():
    # too little memory for the reader to start: the child fails, the caller gets the answer
    result = extract_limited(make_text_pdf("Riksnormen"), PDF, seconds=20, memory_mb=20)
    assert result.status == "failed" and result.text == ""


# --- pathological files: each ends failed with its reason within the limits; nothing hangs ------------------


def test_a_pdf_the_reader_would_take_minutes_over_ends_at_the_time_limit():
    data = make_slow_pdf()
    assert len(data) < 1_000_000  # small to upload, slow to read
    result = extract_limited(data, PDF, seconds=1, memory_mb=512)
    assert result.status == "failed" and result.text == ""
    # the processor time's limit (or, on a busy machine, the wall clock's at twice that) ended the child
    assert result.problem in (
        "Texten kunde inte läsas inom 1 sekunds processortid.",
        "Texten kunde inte läsas inom 1 sekund.",
    ), result.problem


def test_a_zip_bomb_ends_at_the_memory_limit():
    data = make_docx_bomb(300)
    assert len(data) < 2_000_000  # a small file that unpacks to 300 MB
    result = extract_limited(data, DOCX, seconds=20, memory_mb=256)
    assert result.status == "failed" and result.text == ""
    assert result.problem in (
        "Filen kunde inte läsas inom minnesgränsen.",
        "Filen kunde inte läsas inom gränserna för tid och minne.",
    ), result.problem
