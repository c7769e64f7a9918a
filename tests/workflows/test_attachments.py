"""Bilagor: bad uploads refused with nothing stored, every allowed type accepted, files stored once,
numbering, replacing with history, linking diarium documents, who may change them, and a change
in a signed report taking it back through review.

Everything is read back from the database and from the storage directory.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from app.audit import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.registry import operations as registry_ops
from app.registry.models import Case, Direction, RegisteredDocument
from app.validation import ConflictError, ForbiddenError, ValidationError
from tests.sample_files import (
    ELF,
    GOOD,
    PE,
    SETTINGS_RELS,
    linked_picture_docx,
    make_docx,
    make_pdf,
    make_png,
    make_txt,
    make_zip_bomb,
    odt_from_template,
    template_docx,
)
from workflows import attachments as att
from workflows import operations as ops
from workflows.models import CaseReport, ReportAttachment, ReportState, StoredFileRecord

S = ReportState
OTHER_CASE = "SN-2016/2624.719"  # no demo report; also the demo user "controller"'s


_BASELINE: dict = {}


@pytest.fixture(autouse=True)
def _demo_files(demo):
    """What the demo itself stored (its bilagor): stored() counts only what a test adds."""
    _BASELINE.clear()
    _BASELINE.update(
        records=db.session.scalar(select(func.max(StoredFileRecord.id))) or 0,
        rows=db.session.scalar(select(func.max(ReportAttachment.id))) or 0,
        files=set(_files()),
    )


def _files() -> list[str]:
    root = Path(current_app.config["STORAGE_PATH"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def stored() -> tuple[int, int, list[str]]:
    """What the test stored: file records, attachment rows, files under the storage directory."""
    return (
        db.session.scalar(
            select(func.count()).select_from(StoredFileRecord).where(StoredFileRecord.id > _BASELINE["records"])
        ),
        db.session.scalar(
            select(func.count()).select_from(ReportAttachment).where(ReportAttachment.id > _BASELINE["rows"])
        ),
        [f for f in _files() if f not in _BASELINE["files"]],
    )


def reread(report: CaseReport) -> CaseReport:
    """The report as the database has it after a commit."""
    db.session.commit()
    db.session.expire_all()
    return db.session.get(CaseReport, report.id)


def current(report: CaseReport) -> list[tuple[int, str]]:
    return [(a.position, a.title) for a in sorted(report.current_attachments, key=lambda a: a.position)]


def sign(report: CaseReport, user) -> None:
    for name, key in [("submit", "controller"), ("approve", "enhetschef"), ("sign", "direktor")]:
        ops.transition(report, user=user(key), name=name)
    db.session.commit()
    assert report.state is S.signed and report.signed_hash


def register(case: Case, description: str, *, confidential: bool = False) -> RegisteredDocument:
    return registry_ops.register_document(
        case,
        user=None,
        direction=Direction.incoming,
        document_date=date(2017, 1, 20),
        counterparty="Revisionen",
        description=description,
        is_confidential=confidential,
        secrecy_provision="26 kap. 1 § OSL" if confidential else None,
    )


# --- bad uploads -------------------------------------------------------------------------

BAD = [
    (
        "over_limit",
        "Verksamhetsberättelse.pdf",
        lambda: make_pdf() + b"%" * (1024 * 1024),
        "Filen ”Verksamhetsberättelse.pdf” är för stor. En bilaga får vara högst 1 MB.",
    ),
    (
        "elf_as_pdf",
        "Verksamhetsberättelse.pdf",
        lambda: ELF,
        "Filen ”Verksamhetsberättelse.pdf” är ett program, inte en PDF. Program kan inte laddas upp.",
    ),
    (
        "pe_as_pdf",
        "Verksamhetsberättelse.pdf",
        lambda: PE,
        "Filen ”Verksamhetsberättelse.pdf” är ett program, inte en PDF. Program kan inte laddas upp.",
    ),
    (
        "zip_bomb_docx",
        "Yttrande.docx",
        make_zip_bomb,
        "Filen ”Yttrande.docx” är packad orimligt hårt (mer än 100:1) och kan inte tas emot (misstänkt zip-bomb).",
    ),
    ("nul_in_name", "rapport.pdf\x00.exe", make_pdf, "Filnamnet innehåller ett NUL-tecken och kan inte tas emot."),
    ("empty", "Tom.pdf", lambda: b"", "Filen ”Tom.pdf” är tom."),
    (
        "png_as_pdf",
        "Diagram.pdf",
        make_png,
        "Filen ”Diagram.pdf” heter .pdf men innehållet är en PNG-bild. Byt filändelse till .png eller välj rätt fil.",
    ),
    (
        "linked_picture_from_a_template",
        "Karta.docx",
        lambda: template_docx(linked_picture_docx("http://127.0.0.1:8080/karta.png")),
        "Filen ”Karta.docx” hämtar innehåll från en extern adress (en länkad bild, mall eller fil) och kan inte tas "
        "emot. Bädda in bilden i dokumentet i stället för att länka den, ta bort kopplingen till mallen, eller spara "
        "dokumentet som PDF.",
    ),
    (
        "dotdot_to_disallowed_name",
        "../../etc/passwd",
        make_txt,
        "Filen ”passwd” saknar filändelse. Tillåtna filtyper är PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG och TXT.",
    ),
]


@pytest.mark.parametrize("filename, build, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_upload_is_refused_with_a_swedish_message_and_nothing_stored(
    app, report_in, user, filename, build, message
):
    app.config["MAX_ATTACHMENT_BYTES"] = 1024 * 1024
    report = report_in(S.draft)
    att.upload_attachment(report, user=user("controller"), data=make_pdf("Befintlig"), filename="Befintlig.pdf")
    db.session.commit()
    before = stored()
    with pytest.raises(ValidationError) as caught:
        att.upload_attachment(report, user=user("controller"), data=build(), filename=filename)
    assert caught.value.errors == {"file": message}
    assert stored() == before  # counted before any rollback: nothing pending either
    db.session.rollback()
    assert stored() == before and current(reread(report)) == [(1, "Befintlig")]


def test_a_refused_upload_leaves_a_signed_report_signed(report_in, user):
    report = report_in(S.signed)
    signed_hash, before = report.signed_hash, stored()
    with pytest.raises(ValidationError):
        att.upload_attachment(report, user=user("controller"), data=ELF, filename="Bilaga.pdf")
    db.session.rollback()
    report = reread(report)
    assert (report.state, report.signed_hash, stored()) == (S.signed, signed_hash, before)
    assert [t.name for t in report.transitions][-1] == "sign"


def test_a_replacement_is_checked_like_an_upload(report_in, user):
    report = report_in(S.draft)
    old = att.upload_attachment(report, user=user("controller"), data=make_pdf(), filename="Bilaga.pdf")
    db.session.commit()
    before = stored()
    with pytest.raises(ValidationError, match="zip-bomb"):
        att.replace_attachment(old, user=user("controller"), data=make_zip_bomb(), filename="Bilaga.docx")
    db.session.rollback()
    assert stored() == before and reread(report).current_attachments[0].id == old.id


def test_a_dotdot_name_is_cleaned_to_its_base_name_and_the_file_stored_by_content(app, report_in, user, tmp_path):
    report = report_in(S.draft)
    data = make_pdf()
    first = att.upload_attachment(
        report, user=user("controller"), data=data, filename="../../../etc/Verksamhetsberättelse 2016.pdf"
    )
    second = att.upload_attachment(
        report, user=user("controller"), data=make_txt(), filename="..\\..\\Windows\\Protokollsutdrag.txt"
    )
    report = reread(report)
    assert [(a.filename, a.title) for a in report.current_attachments] == [
        ("Verksamhetsberättelse 2016.pdf", "Verksamhetsberättelse 2016"),
        ("Protokollsutdrag.txt", "Protokollsutdrag"),
    ]
    digest = hashlib.sha256(data).hexdigest()
    assert f"{digest[:2]}/{digest}" in stored()[2]
    assert not (tmp_path / "etc").exists() and not list(tmp_path.rglob("Verksamhetsberättelse*"))
    assert att.attachment_content(first) == (data, "application/pdf", "Verksamhetsberättelse 2016.pdf")
    assert att.attachment_content(second)[2] == "Protokollsutdrag.txt"


# --- good uploads ------------------------------------------------------------------------


def test_every_allowed_type_is_accepted_with_the_type_read_from_its_content(app, report_in, user):
    report = report_in(S.draft)
    expected = []
    for number, (filename, build, content_type) in enumerate(GOOD, start=1):
        data = build()
        attachment = att.upload_attachment(report, user=user("controller"), data=data, filename=filename)
        assert attachment.position == number
        expected.append((filename, content_type, hashlib.sha256(data).hexdigest(), len(data)))
    report = reread(report)
    rows = sorted(report.current_attachments, key=lambda a: a.position)
    assert [(a.filename, a.file.content_type, a.file.sha256, a.file.size) for a in rows] == expected
    root = Path(app.config["STORAGE_PATH"])
    for row in rows:
        data, content_type, name = att.attachment_content(row)
        assert (root / row.file.storage_key).read_bytes() == data
        assert (content_type, name) == (row.file.content_type, row.filename)
    # the same JPEG and PDF under two names each: stored once
    assert stored()[0] == len(GOOD) - 2 and len(stored()[2]) == len(GOOD) - 2


def test_the_same_file_in_two_reports_is_stored_once(report_in, user):
    first = report_in(S.draft)
    other = db.session.scalar(select(Case).where(Case.number == OTHER_CASE))
    second = ops.create_report(other, user=user("controller"))
    data = make_docx("Delårsrapport 2016")
    a = att.upload_attachment(first, user=user("controller"), data=data, filename="Delårsrapport.docx")
    b = att.upload_attachment(
        second, user=user("controller"), data=data, filename="Delårsrapport augusti.docx", title="Delårsrapport"
    )
    db.session.commit()
    digest = hashlib.sha256(data).hexdigest()
    records, rows, files = stored()
    assert (records, rows, files) == (1, 2, [f"{digest[:2]}/{digest}"])
    assert a.file_id == b.file_id and (a.title, b.title) == ("Delårsrapport", "Delårsrapport")


def _without_template(data: bytes) -> None:
    """The stored DOCX: no attachedTemplate relationship, no w:attachedTemplate, python-docx opens it, same text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not [
            name for name in archive.namelist() if name.endswith(".rels") and b"attachedTemplate" in archive.read(name)
        ]
        assert SETTINGS_RELS in archive.namelist() and b"attachedTemplate" not in archive.read("word/settings.xml")
    assert [p.text for p in docx.Document(io.BytesIO(data)).paragraphs] == [
        "Tjänsteutlåtande om bygglov för Flemingsberg 3:1"
    ]


def test_a_word_document_from_a_template_is_stored_without_the_link_to_the_template(app, report_in, user):
    """Word links every document made from a company template to it: taken out, not refused (issue 13)."""
    report = report_in(S.draft)
    upload = template_docx()
    bilaga = att.upload_attachment(report, user=user("controller"), data=upload, filename="Tjänsteutlåtande.docx")
    report = reread(report)
    bilaga = db.session.get(ReportAttachment, bilaga.id)
    data, content_type, name = att.attachment_content(bilaga)
    assert (content_type, name, bilaga.title) == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Tjänsteutlåtande.docx",
        "Tjänsteutlåtande",
    )
    _without_template(data)
    assert data != upload and len(data) == bilaga.file.size
    assert bilaga.file.sha256 == hashlib.sha256(data).hexdigest() != hashlib.sha256(upload).hexdigest()
    assert (Path(app.config["STORAGE_PATH"]) / bilaga.file.storage_key).read_bytes() == data
    assert stored()[:2] == (1, 1)
    # the same document uploaded again is the same stored file
    # (the same bytes: two builds of the DOCX differ by their zip entries' times when a second passes between)
    again = att.upload_attachment(report, user=user("controller"), data=upload, filename="Kopia.docx")
    assert again.file_id == bilaga.file_id and stored()[0] == 1


def test_a_replacement_from_a_template_is_stored_without_it_too(report_in, user):
    report = report_in(S.draft)
    old = att.upload_attachment(report, user=user("controller"), data=make_pdf(), filename="Bilaga.pdf")
    new = att.replace_attachment(old, user=user("controller"), data=template_docx(), filename="Bilaga.docx")
    _without_template(att.attachment_content(new)[0])
    odt = att.replace_attachment(new, user=user("controller"), data=odt_from_template(), filename="Bilaga.odt")
    data = att.attachment_content(odt)[0]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        meta = archive.read("meta.xml")
    assert b"meta:template" not in meta and b"Anna Svensson" in meta
    assert odt.file.sha256 == hashlib.sha256(data).hexdigest()


# --- numbering, moving, removing, replacing ---------------------------------------------------


def three(report, user) -> list[ReportAttachment]:
    return [
        att.upload_attachment(report, user=user("controller"), data=make_pdf(title), filename=f"{title}.pdf")
        for title in ("Verksamhetsberättelse 2016", "Delårsrapport", "Revisionsrapport")
    ]


def test_bilagor_are_numbered_and_renumbered_after_a_move_and_a_removal(report_in, user):
    report = report_in(S.draft)
    first, _, third = three(report, user)
    assert [a.label for a in reread(report).current_attachments] == [
        "Bilaga 1 Verksamhetsberättelse 2016",
        "Bilaga 2 Delårsrapport",
        "Bilaga 3 Revisionsrapport",
    ]

    att.move_attachment(third, user=user("controller"), position=1)
    assert current(reread(report)) == [(1, "Revisionsrapport"), (2, "Verksamhetsberättelse 2016"), (3, "Delårsrapport")]

    att.remove_attachment(first, user=user("controller"))
    report = reread(report)
    assert current(report) == [(1, "Revisionsrapport"), (2, "Delårsrapport")]
    removed = db.session.get(ReportAttachment, first.id)
    assert removed.is_current is False and removed.file is not None  # kept in the history
    assert [m["title"] for m in ops.attachment_manifest(report)] == ["Revisionsrapport", "Delårsrapport"]
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.case_id == report.case_id, AuditEntry.action.like("report.attachment%")
        )
    ).all()
    assert actions == ["report.attachment_added"] * 3 + ["report.attachment_moved", "report.attachment_removed"]

    att.upload_attachment(report, user=user("controller"), data=make_png(), filename="Diagram.png")
    assert current(reread(report))[-1] == (3, "Diagram")


@pytest.mark.parametrize("position", [0, 4, -1, True, "2", None])
def test_a_move_outside_the_list_is_refused(report_in, user, position):
    report = report_in(S.draft)
    first = three(report, user)[0]
    with pytest.raises(ValidationError, match="Ange en plats mellan 1 och 3"):
        att.move_attachment(first, user=user("controller"), position=position)


def test_a_removed_or_replaced_bilaga_cannot_be_changed_again(report_in, user):
    report = report_in(S.draft)
    first, second, _ = three(report, user)
    att.remove_attachment(first, user=user("controller"))
    att.replace_attachment(second, user=user("controller"), data=make_txt(), filename="Ny.txt")
    for old in (first, second):
        with pytest.raises(ConflictError, match="redan ersatts eller tagits bort"):
            att.move_attachment(old, user=user("controller"), position=1)
        with pytest.raises(ConflictError):
            att.remove_attachment(old, user=user("controller"))


def test_replacing_keeps_the_old_row_and_its_file(app, report_in, user):
    report = report_in(S.draft)
    old_data, new_data = make_pdf("Utkast"), make_pdf("Slutlig")
    att.upload_attachment(report, user=user("controller"), data=make_png(), filename="Diagram.png")
    old = att.upload_attachment(
        report,
        user=user("controller"),
        data=old_data,
        filename="Rapport utkast.pdf",
        title="Revisionsrapport",
        is_confidential=True,
    )
    new = att.replace_attachment(old, user=user("controller"), data=new_data, filename="Rapport slutlig.pdf")
    report = reread(report)
    old, new = db.session.get(ReportAttachment, old.id), db.session.get(ReportAttachment, new.id)
    assert (new.position, new.title, new.replaces_id, new.is_current, new.is_confidential) == (
        2,
        "Revisionsrapport",
        old.id,
        True,
        True,
    )
    assert (old.position, old.is_current) == (2, False)
    assert current(report) == [(1, "Diagram"), (2, "Revisionsrapport")]
    assert att.attachment_content(old) == (old_data, "application/pdf", "Rapport utkast.pdf")
    assert att.attachment_content(new) == (new_data, "application/pdf", "Rapport slutlig.pdf")
    records, rows, files = stored()
    assert (records, rows, len(files)) == (3, 3, 3)


def test_confidentiality_can_be_set_and_shows_in_the_manifest(report_in, user):
    report = report_in(S.draft)
    first = three(report, user)[0]
    att.set_attachment_confidential(first, user=user("controller"), is_confidential=True)
    att.set_attachment_confidential(first, user=user("controller"), is_confidential=True)  # no change
    report = reread(report)
    assert [m["confidential"] for m in ops.attachment_manifest(report)] == [True, False, False]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.attachment_confidential")).all()
    assert len(entries) == 1 and "Verksamhetsberättelse" not in entries[0].summary
    with pytest.raises(ValidationError):
        att.set_attachment_confidential(first, user=user("controller"), is_confidential="ja")


@pytest.mark.parametrize("secret_by", ["bilaga", "case"])
def test_the_audit_names_a_secret_bilaga_by_its_number_only(case, report_in, user, secret_by):
    """Issue 13: the case history is read by staff who may not read confidential bilagor."""
    report = report_in(S.draft)
    if secret_by == "case":
        registry_ops.set_confidentiality(
            case,
            user=user("registrator"),
            is_confidential=True,
            secrecy_provision="26 kap. 1 § OSL",
            public_title="Ärende om enskild",
        )
    bilaga = att.upload_attachment(
        report,
        user=user("controller"),
        data=make_pdf("Hemlig"),
        filename="HEMLIG-kanari.pdf",
        title="Utredning om kanarien",
        is_confidential=secret_by == "bilaga",
    )
    att.replace_attachment(bilaga, user=user("controller"), data=make_pdf("Hemlig 2"), filename="HEMLIG-kanari-2.pdf")
    db.session.commit()
    summaries = db.session.scalars(
        select(AuditEntry.summary)
        .where(AuditEntry.case_id == case.id, AuditEntry.action.like("report.attachment%"))
        .order_by(AuditEntry.id)
    ).all()
    assert summaries == [
        f"Bilaga 1 (sekretessmarkerad) bifogad i tjänsteutlåtandet för {case.number}.",
        f"Bilaga 1 (sekretessmarkerad) ersatt med en ny fil i tjänsteutlåtandet för {case.number}.",
    ]


def test_the_audit_names_an_open_bilaga_and_its_file(case, report_in, user):
    report = report_in(S.draft)
    bilaga = att.upload_attachment(
        report, user=user("controller"), data=make_pdf(), filename="Revision.pdf", title="Revisionsrapport"
    )
    att.replace_attachment(bilaga, user=user("controller"), data=make_pdf("2"), filename="Revision 2.pdf")
    summaries = db.session.scalars(
        select(AuditEntry.summary)
        .where(AuditEntry.case_id == case.id, AuditEntry.action.like("report.attachment%"))
        .order_by(AuditEntry.id)
    ).all()
    assert summaries == [
        f"Bilaga 1 Revisionsrapport (Revision.pdf) bifogad i tjänsteutlåtandet för {case.number}.",
        f"Bilaga 1 Revisionsrapport ersatt med Revision 2.pdf i tjänsteutlåtandet för {case.number}.",
    ]


# --- registered documents --------------------------------------------------------------------


def test_a_registered_document_of_the_case_is_linked_with_its_confidentiality(case, report_in, user):
    report = report_in(S.draft)
    public = register(case, "Revisionsrapport 2016")
    secret = register(case, "Yttrande om enskild", confidential=True)
    a = att.link_registered_document(report, user=user("controller"), document=public)
    b = att.link_registered_document(report, user=user("controller"), document=secret, title="Yttrande")
    report = reread(report)
    assert [(x.label, x.registered_document_id, x.is_confidential, x.file_id) for x in report.current_attachments] == [
        ("Bilaga 1 Revisionsrapport 2016", public.id, False, None),
        ("Bilaga 2 Yttrande", secret.id, True, None),
    ]
    with pytest.raises(ValidationError, match="redan bifogad som Bilaga 1"):
        att.link_registered_document(report, user=user("controller"), document=public)
    with pytest.raises(ValidationError, match="sekretessmarkerad i diariet"):
        att.set_attachment_confidential(b, user=user("controller"), is_confidential=False)
    with pytest.raises(ValidationError) as caught:
        att.attachment_content(a)
    assert "utan uppladdad fil" in caught.value.errors["file"]
    assert stored()[0] == 0


def test_a_document_of_another_case_cannot_be_linked(case, report_in, user):
    report = report_in(S.draft)
    other = db.session.scalar(select(Case).where(Case.number == OTHER_CASE))
    document = register(other, "Budgetunderlag")
    db.session.commit()
    with pytest.raises(ValidationError) as caught:
        att.link_registered_document(report, user=user("controller"), document=document)
    assert caught.value.errors == {"document": f"Bara handlingar i ärendets eget diarium ({case.number}) kan bifogas."}
    db.session.rollback()
    assert reread(report).current_attachments == []


# --- who and when ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["enhetschef", "handlaggare", "direktor"])
def test_only_the_reports_editors_may_change_bilagor(case, report_in, user, key):
    report = report_in(S.draft)
    first = att.upload_attachment(report, user=user("controller"), data=make_pdf(), filename="Bilaga.pdf")
    document = register(case, "Revisionsrapport")
    db.session.commit()
    before = stored()
    attempts = [
        lambda u: att.upload_attachment(report, user=u, data=make_png(), filename="Diagram.png"),
        lambda u: att.link_registered_document(report, user=u, document=document),
        lambda u: att.replace_attachment(first, user=u, data=make_png(), filename="Diagram.png"),
        lambda u: att.move_attachment(first, user=u, position=1),
        lambda u: att.remove_attachment(first, user=u),
        lambda u: att.set_attachment_confidential(first, user=u, is_confidential=True),
    ]
    for attempt in attempts:
        with pytest.raises(ForbiddenError, match="Bara ärendets handläggare"):
            attempt(user(key))
        db.session.rollback()
    assert stored() == before and current(reread(report)) == [(1, "Bilaga")]


def test_a_co_author_may_change_bilagor(report_in, user):
    report = report_in(S.draft)
    ops.add_editor(report, user("handlaggare"), user=user("controller"))
    att.upload_attachment(report, user=user("handlaggare"), data=make_pdf(), filename="Bilaga.pdf")
    assert current(reread(report)) == [(1, "Bilaga")]


@pytest.mark.parametrize("state", [S.in_review, S.withdrawn])
def test_bilagor_cannot_change_while_the_report_is_not_editable(report_in, user, state):
    report = report_in(state)
    with pytest.raises(ConflictError) as caught:
        att.upload_attachment(report, user=user("controller"), data=make_pdf(), filename="Bilaga.pdf")
    assert caught.value.message == f"Utlåtandets status är ”{state.label}”; bilagorna kan inte ändras nu."
    db.session.rollback()
    assert stored()[:2] == (0, 0)


# --- changes after approval and signature -------------------------------------------------------

CHANGES = {
    "upload": lambda r, a, d, u: att.upload_attachment(r, user=u, data=make_png(), filename="Diagram.png"),
    "link": lambda r, a, d, u: att.link_registered_document(r, user=u, document=d),
    "replace": lambda r, a, d, u: att.replace_attachment(a, user=u, data=make_txt(), filename="Ny.txt"),
    "move": lambda r, a, d, u: att.move_attachment(a, user=u, position=2),
    "remove": lambda r, a, d, u: att.remove_attachment(a, user=u),
    "confidential": lambda r, a, d, u: att.set_attachment_confidential(a, user=u, is_confidential=True),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_in_a_signed_report_reopens_it_and_the_timeline_shows_it(case, report_in, user, change):
    report = report_in(S.draft)
    first, _, _ = three(report, user)
    document = register(case, "Revisionsrapport")
    sign(report, user)
    signed_hash = report.signed_hash
    assert ops.signature_hash(report) == signed_hash

    CHANGES[change](report, first, document, user("controller"))
    report = reread(report)
    assert report.state is S.draft
    assert (report.signed_hash, report.signed_revision, report.signed_by_id) == (None, None, None)
    assert ops.signature_hash(report) != signed_hash  # the bilagor are part of what was signed
    reopen = report.transitions[-1]
    assert (reopen.name, reopen.from_state, reopen.to_state, reopen.comment, reopen.user.email) == (
        "reopen",
        S.signed,
        S.draft,
        "Ändrat efter underskrift",
        "controller@huddinge.example",
    )
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.case_id == report.case_id).order_by(AuditEntry.id.desc()).limit(2)
    ).all()
    assert actions[1] == "report.reopen" and actions[0].startswith("report.attachment_")

    ops.transition(report, user=user("controller"), name="submit")  # back through review
    assert report.state is S.in_review


@pytest.mark.parametrize("state, follow_up", [(S.approved, "reopen"), (S.returned, "resume")])
def test_a_change_in_an_approved_or_returned_report_brings_it_back_to_draft(report_in, user, state, follow_up):
    report = report_in(state)
    att.upload_attachment(report, user=user("controller"), data=make_pdf(), filename="Bilaga.pdf")
    report = reread(report)
    assert report.state is S.draft and report.transitions[-1].name == follow_up


def test_a_move_to_the_same_place_leaves_a_signed_report_signed(report_in, user):
    report = report_in(S.draft)
    first = three(report, user)[0]
    sign(report, user)
    att.move_attachment(first, user=user("controller"), position=1)
    report = reread(report)
    assert report.state is S.signed and report.signed_hash == ops.signature_hash(report)


def test_the_same_new_file_uploaded_at_the_same_moment_is_stored_once(app, backend, report_in, user):
    """Two uploads of one new file race: the second waits for the first and then uses its record."""
    first = report_in(S.draft)
    other = db.session.scalar(select(Case).where(Case.number == OTHER_CASE))
    second = ops.create_report(other, user=user("controller"))
    ids, officer_id = (first.id, second.id), user("controller").id
    db.session.commit()
    db.session.remove()  # no open transaction in the test's own session while the threads write
    data, flushed, errors, unique_violations = make_pdf("Samma fil"), threading.Event(), [], []

    def upload(report_id: int, *, commit_after: float = 0.0) -> None:
        try:
            with app.app_context():
                report, officer = db.session.get(CaseReport, report_id), db.session.get(User, officer_id)
                att.upload_attachment(report, user=officer, data=data, filename="Samma.pdf")
                flushed.set()
                time.sleep(commit_after)  # the other upload now waits on our new row (or SQLite's lock)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            flushed.set()

    def on_error(context) -> None:
        if isinstance(context.sqlalchemy_exception, IntegrityError):
            unique_violations.append(context.original_exception)

    event.listen(db.engine, "handle_error", on_error)
    try:
        racer = threading.Thread(target=upload, args=(ids[0],), kwargs={"commit_after": 0.5})
        racer.start()
        flushed.wait(timeout=30)
        upload(ids[1])
        racer.join(timeout=30)
    finally:
        event.remove(db.engine, "handle_error", on_error)
    assert errors == []
    records, rows, files = stored()
    assert (records, rows, len(files)) == (1, 2, 1)
    linked = select(ReportAttachment.file_id).where(ReportAttachment.report_id.in_(ids))
    assert len(set(db.session.scalars(linked))) == 1
    if backend == "postgresql":
        assert len(unique_violations) == 1  # the second insert met the first and fell back to its record


def test_a_big_scan_uploaded_as_a_file_is_stored_a_megabyte_at_a_time(app, report_in, user, tmp_path):
    """The web and the API hand over the upload as the open file werkzeug spooled to disk: a PDF is known by its
    first bytes and stored streaming, never read whole; a refused one (over the limit, a lie about its type)
    stores nothing."""
    from app.storage import CHUNK, get_storage
    from tests.scans import write_scan

    scan = tmp_path / "skanning.pdf"
    write_scan(scan, 6, seed=7)
    data = scan.read_bytes()

    class Upload(io.BytesIO):
        reads: list[int] = []

        def read(self, size=-1):
            self.reads.append(size)
            return super().read(size)

    report = report_in(S.draft)
    upload = Upload(data)
    added = att.upload_attachment(report, user=user("controller"), data=upload, filename="Skanning.pdf")
    db.session.commit()
    assert added.file.sha256 == hashlib.sha256(data).hexdigest() and added.file.content_type == "application/pdf"
    assert get_storage().local_path(added.file.storage_key).read_bytes() == data
    assert -1 not in upload.reads and max(upload.reads) <= CHUNK
    before = stored()
    app.config["MAX_ATTACHMENT_BYTES"] = len(data) - 1
    with pytest.raises(ValidationError, match="för stor. En bilaga får vara högst"):
        att.upload_attachment(report, user=user("controller"), data=Upload(data), filename="Större.pdf")
    app.config["MAX_ATTACHMENT_BYTES"] = len(data)
    with pytest.raises(ValidationError, match="heter .png men innehållet är en PDF"):
        att.upload_attachment(report, user=user("controller"), data=Upload(data), filename="Bild.png")
    db.session.rollback()
    assert stored() == before
