"""The diarium registers by itself: the signed tjänsteutlåtande and its bilagor, each published kallelse."""

from __future__ import annotations

from sqlalchemy import func, select

from agenda import operations as agenda_ops
from agenda.registration import publication_sha256, register_publication
from app.audit import AuditEntry
from app.clock import local_today, to_local
from app.extensions import db
from app.registry.models import Case, Direction, RegisteredDocument
from tests.factories import SECRET_BILAGA, add_case_item, body_of, person, publish, signed_report_with_bilagor
from workflows import operations as report_ops
from workflows.models import CaseReport, ReportAttachment
from workflows.registration import register_signed


def _documents(case: Case) -> list[RegisteredDocument]:
    return list(
        db.session.scalars(
            select(RegisteredDocument).where(RegisteredDocument.case_id == case.id).order_by(RegisteredDocument.number)
        )
    )


def _report(case: Case) -> CaseReport:
    return db.session.scalar(select(CaseReport).where(CaseReport.case_id == case.id))


def test_signing_registers_the_report_and_each_bilaga_with_their_hashes(new_case):
    case, (public_id, secret_id) = signed_report_with_bilagor(new_case, "Uppföljning av hemtjänsten 2026")
    report = _report(case)
    public, secret = db.session.get(ReportAttachment, public_id), db.session.get(ReportAttachment, secret_id)
    signed, first, second = _documents(case)

    assert (signed.direction, signed.document_date, signed.counterparty) == (Direction.internal, local_today(), "")
    assert signed.description == f"Tjänsteutlåtande, undertecknat (version {report.signed_revision})"
    assert signed.sha256 == report.signed_hash and len(signed.sha256) == 64
    assert signed.source_kind == "report" and signed.registered_by == person("direktor")

    assert first.description == "Bilaga 1 till tjänsteutlåtandet: Verksamhetsberättelse 2016"
    assert (first.sha256, first.storage_key) == (public.file.sha256, public.file.storage_key)
    assert (first.source_kind, first.source_id, first.is_confidential) == ("attachment", public.id, False)
    # a confidential bilaga: a confidential handling, its title (secret itself) left out of the diarium
    assert second.description == "Bilaga 2 till tjänsteutlåtandet" and second.is_confidential
    assert SECRET_BILAGA not in second.description and second.sha256 == secret.file.sha256
    # the case's secrecy is not copied onto its handlingar
    assert not signed.is_confidential and signed.secrecy_provision is None

    audited = db.session.scalars(
        select(AuditEntry.summary).where(AuditEntry.case_id == case.id, AuditEntry.action == "document.registered")
    ).all()
    assert len(audited) == 3 and all("registrerad automatiskt" in s for s in audited)
    assert not any(SECRET_BILAGA in s for s in audited)


def test_registering_again_registers_nothing_twice_and_a_new_signature_only_what_is_new(new_case):
    case, (public_id, _secret_id) = signed_report_with_bilagor(new_case, "Riktlinjer för färdtjänst 2027")
    report = _report(case)
    assert len(register_signed(report, user=person("direktor"))) == 3  # the same rows, found again
    db.session.commit()
    assert len(_documents(case)) == 3

    officer = person("handlaggare")
    content = dict(report.current().content)
    content["proposals"] = [{"text": "Socialnämnden antar riktlinjerna.", "immediately_adjusted": False}]
    report_ops.save_revision(report, user=officer, raw=content, based_on=report.current_revision)
    for name, who in (("submit", "handlaggare"), ("approve", "enhetschef"), ("sign", "direktor")):
        report_ops.transition(report, user=person(who), name=name, notify=False)
    db.session.commit()

    documents = _documents(case)
    assert [d.source_kind for d in documents] == ["report", "attachment", "attachment", "report"]
    assert documents[3].sha256 == report.signed_hash != documents[0].sha256
    assert documents[3].description.endswith(f"(version {report.signed_revision})")
    assert documents[1].source_id == public_id


def test_a_signed_report_in_a_confidential_case_keeps_its_secrecy_on_the_case(new_case, login_as):
    case, _ = signed_report_with_bilagor(new_case, "Vårdnad enligt 6 kap. föräldrabalken", confidential_case=True)
    assert [d.is_confidential for d in _documents(case)] == [False, False, True]
    # whoever may not see the case sees none of its handlingar
    assert login_as("ledamot").get(f"/arenden/{case.id}").status_code == 404


def test_the_case_page_lists_the_registered_documents_with_their_links(new_case, login_as, api_as):
    case, (public_id, secret_id) = signed_report_with_bilagor(new_case, "Uppföljning av avtal om boende 2026")
    signed = _documents(case)[0]
    html = body_of(login_as("registrator").get(f"/arenden/{case.id}"))
    assert "Tjänsteutlåtande, undertecknat" in html and signed.sha256[:16] in html
    assert f'href="/arenden/{case.id}/utlatande"' in html
    assert f'href="/arenden/{case.id}/utlatande/bilagor/{public_id}/fil"' in html
    assert SECRET_BILAGA not in html

    client, headers = api_as("registrator")
    documents = client.get(f"/api/v1/cases/{case.id}", headers=headers).get_json()["case"]["documents"]
    assert [(d["registered_from"], d["sha256"]) for d in documents] == [
        ("report", signed.sha256),
        ("attachment", _documents(case)[1].sha256),
        ("attachment", _documents(case)[2].sha256),
    ]


def _published(meeting, new_case):
    case = new_case("Riktlinjer för ekonomiskt bistånd 2027")
    add_case_item(meeting, case)
    agenda_ops.update_meeting(
        meeting,
        user=person("sekreterare"),
        values={
            "notice_place": "Huddinge",
            "notice_date": local_today().isoformat(),
            "chair_name": "Gunnel Hedberg",
            "secretary_name": "Sara Lindqvist",
        },
    )
    publication = publish(meeting)
    db.session.commit()
    return publication


def test_each_published_kallelse_is_registered_on_the_committees_meetings_case(meeting, new_case, login_as):
    first = _published(meeting, new_case)
    year = to_local(first.published_dt).year
    case = db.session.scalar(select(Case).where(Case.committee_id == meeting.committee_id, Case.meetings_year == year))
    assert case is not None and case.title == f"Sammanträden {year}" and case.registered_on.year == year
    assert case.diarium_id == meeting.committee.diarium_id
    (document,) = _documents(case)
    day = f"{to_local(meeting.start_dt):%Y-%m-%d}"
    assert document.description == f"Kallelse, Socialnämndens sammanträde {day}"
    assert (document.direction, document.sha256, document.source) == (
        Direction.internal,
        publication_sha256(first),
        f"publication:{first.id}",
    )

    agenda_ops.add_item(meeting, user=person("sekreterare"), kind="other", title="Information om lokalerna")
    second = publish(meeting)
    db.session.commit()
    assert register_publication(second, user=None).id == _documents(case)[1].id  # registered once
    db.session.commit()
    documents = _documents(case)
    assert [d.description for d in documents] == [
        f"Kallelse, Socialnämndens sammanträde {day}",
        f"Kallelse, rättad version 2, Socialnämndens sammanträde {day}",
    ]
    assert documents[1].sha256 == publication_sha256(second) != documents[0].sha256
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.meetings_year == year)) == 1

    html = body_of(login_as("registrator").get(f"/arenden/{case.id}"))
    assert f'href="/sammantraden/{meeting.id}/kallelse?version=2"' in html
