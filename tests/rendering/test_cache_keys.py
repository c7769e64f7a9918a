"""The input hashes stored parts are kept under do not change by accident.

Installations keep their rendered parts (tasks.rendering.parts) under these keys: a key that changes
without a reason makes every stored report, kallelse and bilaga be made again, and one that stays the
same when the output changes serves a stale part. The values below were computed before
tasks/rendering/package.py and report_docx.py were split; moving code must leave them as they are.
When a key is meant to change (a *_VERSION bumped, the Word template remade), update the values here.
"""

from __future__ import annotations

from tasks.rendering.intake import attachment_input_hash
from tasks.rendering.kallelse_docx import KALLELSE_BUILDER_VERSION, kallelse_input_hash
from tasks.rendering.package import PACKAGE_VERSION
from tasks.rendering.pdf_clean import CLEAN_VERSION
from tasks.rendering.report_docx import (
    BUILDER_VERSION,
    AddressBlock,
    AttachmentLine,
    ProposalLine,
    ReportDocument,
    SectionText,
    SignatoryLine,
)
from tasks.rendering.word import template_sha256

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_what_the_keys_are_made_from():
    assert (PACKAGE_VERSION, BUILDER_VERSION, KALLELSE_BUILDER_VERSION, CLEAN_VERSION) == ("1", "4", "5", "1")
    assert template_sha256() == "c30d3447657f8ea1aa1608454afb54c279be152ccf1fdb4c0b6d1caaacc87f0d"


def test_a_bilaga_keeps_its_key():
    assert (
        attachment_input_hash("a" * 64, "application/pdf", "Bilaga 1 Underlag")
        == "c8573053ba50e4f11e5979b43dbea8ffb2ba4d39616bd214e751feb2ee099137"
    )
    assert (
        attachment_input_hash("0123456789abcdef" * 4, "text/plain", "Bilaga 2 Text: Å ä ö § –")
        == "f635722297f8c5f6a7fb32747d45978c0a2f05705ca43faba38fcd88dd5c9145"
    )
    assert (
        attachment_input_hash("f" * 64, "image/png", "Bilaga 3 Karta")
        == "ab3d337a88c457347f9127efd71662613d099d8934d855512ffddb690623710e"
    )
    assert (
        attachment_input_hash("e" * 64, DOCX, "Bilaga 4")
        == "47c72ed7a2515693c45b8ad707ae7a23ce78776371b9a0164a12e4baa6d9ebc2"
    )


def test_a_report_keeps_its_key():
    report = ReportDocument(
        administration="Social- och äldreomsorgsförvaltningen",
        committee="Socialnämnden",
        registration_number="SN-2016/3342.181",
        title="Verksamhetsberättelse 2016",
        report_date="2017-02-01",
        officer_name="Johan Ek",
        officer_phone="08-535 378 17",
        officer_email="johan.ek@huddinge.example",
        sections=[SectionText("Sammanfattning", "<p>Text med <strong>fet</strong> stil, Å ä ö §.</p>")],
        proposals=[ProposalLine("Socialnämnden godkänner verksamhetsberättelsen.", True)],
        signatories=[SignatoryLine("Eva Strand", "Socialdirektör")],
        attachments=[AttachmentLine(1, "Verksamhetsberättelse 2016"), AttachmentLine(2, "Utredning", True)],
        omit_confidential_titles=True,
        recipients=["Kommunstyrelsen"],
        address=AddressBlock(postal_address="Huddinge kommun, 141 85 Huddinge", phone="08-535 300 00"),
    )
    assert report.input_hash() == "322018e8db0769eac8d02621fd2ddda3e8e7a60379bdc6a54eeb7d921fc462ac"
    assert (
        ReportDocument("F", "N", "SN-1", "T").input_hash()
        == "330bb77b6fbe0628e048d1f9073c50b08fa0c213cd9977ba194d02f70e5ede1e"
    )


def test_a_kallelse_keeps_its_key():
    snapshot = {
        "meeting": {
            "title": "Kallelse till Socialnämnden",
            "committee": "Socialnämnden",
            "start": "2017-02-23T18:00:00",
            "place": "Stadshuset",
        },
        "items": [{"number": 1, "title": "Upprop", "case_number": None}],
    }
    assert (
        kallelse_input_hash(snapshot, public=False)
        == "25a6cc77380c13b48a439a74f049fb473acdb88c0f000d992724fe6374428ec0"
    )
    assert (
        kallelse_input_hash(snapshot, public=True) == "1773006e640868e7806a0dd017e766fb315bbc047e9b96f8e97ae9814996e727"
    )
