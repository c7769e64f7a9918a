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
    assert (PACKAGE_VERSION, BUILDER_VERSION, KALLELSE_BUILDER_VERSION, CLEAN_VERSION) == ("1", "5", "5", "1")
    assert template_sha256() == "253b3e33ae2cdebea35bb68bc869056ac53670cfa350bbbd802192002af3fc98"


def test_a_bilaga_keeps_its_key():
    assert (
        attachment_input_hash("a" * 64, "application/pdf", "Bilaga 1 Underlag")
        == "e09f5ff062234fca59506cb673ee68abe240b8f9a4700e840ece821d8540662d"
    )
    assert (
        attachment_input_hash("0123456789abcdef" * 4, "text/plain", "Bilaga 2 Text: Å ä ö § –")
        == "bded1ce51416d78d90efd72ff2db85d5b6a4c4a091732f1d28d79e1a297371c0"
    )
    assert (
        attachment_input_hash("f" * 64, "image/png", "Bilaga 3 Karta")
        == "82c2bc07d0c2b60b3434209f330651caed61d38af361a07f0726cfddd1311365"
    )
    assert (
        attachment_input_hash("e" * 64, DOCX, "Bilaga 4")
        == "50403c9bb681b2f1fe71560a91ea449160425b9f02e0471ba78c1672b500c0a8"
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
    assert report.input_hash() == "4bbf678386b6f4352a3a12e0c4518d628fc2becd111d483b6026c50788881362"
    assert (
        ReportDocument("F", "N", "SN-1", "T").input_hash()
        == "e7f9e8b9a71447a5dbc754886ee07c60289c2958a31e03b7bb18dfdda17bf5a0"
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
        == "1dd5aa24fb20775e1b7dcf3db5a212a58c606bd43d193b99f9a8b420f15c56a7"
    )
    assert (
        kallelse_input_hash(snapshot, public=True) == "1af6c95b2b0386a4851c935883e0b5906753af01eb30b99e2f734f5d1732d538"
    )
