"""Imports through the API: JSON rows and CSV uploads, check then import, 400/422 in Swedish, 403 for others."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from agenda.minutes.operations import allocate_paragraph_number
from agenda.models import ItemOutcome, Meeting, MeetingStatus
from app.audit import AuditEntry
from app.clock import local_today
from app.extensions import db
from app.registry.diaria import diarium_of
from app.registry.models import Case
from tests import factories


def _diarium_id() -> int:
    return diarium_of(factories.committee("SN")).id


def _cases(year: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(Case.series == "SN", Case.year == year))


ROWS = [
    {"number": "SN-2009/1.181", "title": "Första ärendet", "registered_on": "2009-01-12", "status": "avslutat"},
    {
        "number": "SN 09/2",
        "year": 2009,
        "serial": 2,
        "title": "Ärende i gammalt format",
        "registered_on": "2009-01-13",
        "case_officer": "handlaggare@huddinge.example",
        "is_confidential": True,
        "secrecy_provision": "26 kap. 1 § OSL",
        "public_title": "Ansökan om bistånd",
    },
]


def test_check_then_import_json_rows(app, api_as):
    client, headers = api_as("admin")
    url = f"/api/v1/diaria/{_diarium_id()}/import"
    checked = client.post(url, json={"rows": ROWS, "check_only": True}, headers=headers)
    assert checked.status_code == 200, checked.get_json()
    body = checked.get_json()
    assert body["imported"] is False and body["cases"] == 2
    assert body["years"] == [{"year": 2009, "cases": 2, "highest_serial": 2, "next_serial": 3}]
    assert body["sample"][1]["title"] == "Ansökan om bistånd"  # a confidential case by its public title
    assert _cases(2009) == 0

    done = client.post(url, json={"rows": ROWS}, headers=headers)
    assert done.status_code == 201, done.get_json()
    assert _cases(2009) == 2
    old = db.session.scalar(select(Case).where(Case.number == "SN 09/2"))
    assert old.is_confidential and old.case_officer.email == "handlaggare@huddinge.example"
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "diarium.imported"))
        == 1
    )


def test_a_bad_row_answers_422_naming_line_and_field_and_stores_nothing(app, api_as):
    client, headers = api_as("admin")
    rows = [*ROWS, {"number": "SN-2009/3.181", "title": "", "registered_on": "2009-02-30", "colour": "blå"}]
    answer = client.post(f"/api/v1/diaria/{_diarium_id()}/import", json={"rows": rows}, headers=headers)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["message"].startswith("Inget importerades: 3 fel.")
    assert set(error["fields"]) == {"3:colour", "3:title", "3:registered_on"}
    assert error["fields"]["3:registered_on"].startswith("Rad 3, registered_on: ”2009-02-30” är inte ett datum")
    assert _cases(2009) == 0

    duplicate = client.post(
        f"/api/v1/diaria/{_diarium_id()}/import", json={"rows": [ROWS[0], ROWS[0]]}, headers=headers
    )
    assert duplicate.status_code == 422
    assert duplicate.get_json()["error"]["fields"] == {"2:number": "Rad 2, number: SN-2009/1.181 finns redan på rad 1."}


def test_malformed_requests_answer_400(app, api_as):
    client, headers = api_as("admin")
    url = f"/api/v1/diaria/{_diarium_id()}/import"
    not_a_list = client.post(url, json={"rows": "SN-2009/1.181"}, headers=headers)
    assert not_a_list.status_code == 400
    assert not_a_list.get_json()["error"]["fields"] == {"rows": "Rader måste vara en lista."}
    unknown = client.post(url, json={"rows": ROWS, "dry_run": True}, headers=headers)
    assert unknown.status_code == 400 and "dry_run" in unknown.get_json()["error"]["fields"]
    no_file = client.post(
        url + "/csv", data={"check_only": "true"}, headers=headers, content_type="multipart/form-data"
    )
    assert no_file.status_code == 400


def test_only_the_municipality_administrator_may_import(app, api_as):
    for key in ("registrator", "sekreterare", "ledamot"):
        client, headers = api_as(key)
        answer = client.post(f"/api/v1/diaria/{_diarium_id()}/import", json={"rows": ROWS}, headers=headers)
        assert answer.status_code == 403, key
        assert answer.get_json()["error"]["status"] == 403
        meetings = client.post("/api/v1/meetings/import", json={"rows": []}, headers=headers)
        assert meetings.status_code == 403, key
    assert _cases(2009) == 0
    anonymous = app.test_client().post(f"/api/v1/diaria/{_diarium_id()}/import", json={"rows": ROWS})
    assert anonymous.status_code == 401


def test_a_windows_1252_csv_upload_is_imported(app, api_as):
    client, headers = api_as("admin")
    text = "diarienummer;ärendemening;registreringsdatum\r\nSN-2009/7.181;Äldreomsorg på Östra sidan;2009-03-03\r\n"
    answer = client.post(
        f"/api/v1/diaria/{_diarium_id()}/import/csv",
        data={"file": (io.BytesIO(text.encode("cp1252")), "diarium.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["encoding"] == "Windows-1252"
    assert db.session.scalar(select(Case.title).where(Case.number == "SN-2009/7.181")) == "Äldreomsorg på Östra sidan"

    garbage = client.post(
        f"/api/v1/diaria/{_diarium_id()}/import/csv",
        data={"file": (io.BytesIO(bytes(range(256))), "diarium.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert garbage.status_code == 422
    assert "UTF-8 eller Windows-1252" in garbage.get_json()["error"]["fields"]["file"]


def test_past_meetings_import_with_agendas_and_outcomes(app, api_as, demo):
    client, headers = api_as("admin")
    client.post(f"/api/v1/diaria/{_diarium_id()}/import", json={"rows": ROWS[:1]}, headers=headers)
    meeting = {"committee": "SN", "date": "2009-02-19", "time": "18:00", "place": "Plenum"}
    rows = [
        {**meeting, "number": 1, "title": "Val av justerare", "kind": "formalia"},
        {**meeting, "number": 2, "case_number": "SN-2009/1.181", "outcome": "bordlagt", "paragraph": "§ 11"},
        {**meeting, "number": 3, "title": "Övriga frågor", "kind": "övrigt", "outcome": "beslutat", "paragraph": 12},
    ]
    answer = client.post("/api/v1/meetings/import", json={"rows": rows}, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["meetings"] == [{"committee": "Socialnämnden", "start": "2009-02-19 18:00", "items": 3}]
    found = db.session.scalar(select(Meeting).where(Meeting.place == "Plenum", Meeting.status == MeetingStatus.held))
    assert [(i.number, i.title, i.outcome) for i in found.items] == [
        (1, "Val av justerare", None),
        (2, "Första ärendet", ItemOutcome.postponed),
        (3, "Övriga frågor", ItemOutcome.decided),
    ]
    sn = factories.committee("SN").id
    assert allocate_paragraph_number(sn, 2009) == 13  # the next protokoll of 2009 continues after § 12
    db.session.rollback()
    taken = client.post("/api/v1/meetings/import", json={"rows": [{**rows[2], "date": "2009-03-19"}]}, headers=headers)
    assert taken.get_json()["error"]["fields"] == {
        "1:paragraph": "Rad 1, paragraph: Socialnämndens protokoll har redan paragrafer till och med § 12 år 2009; "
        "en importerad paragraf måste ha ett högre nummer."
    }
    twice = [{**rows[1], "date": "2010-03-18"}, {**rows[2], "date": "2010-03-18", "paragraph": 11}]
    refused = client.post("/api/v1/meetings/import", json={"rows": twice}, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {
        "2:paragraph": "Rad 2, paragraph: § 11 år 2010 finns redan på rad 1."
    }
    again = client.post("/api/v1/meetings/import", json={"rows": rows[:1]}, headers=headers)
    assert again.status_code == 422
    assert "har redan ett sammanträde 2009-02-19 18:00" in again.get_json()["error"]["fields"]["1:date"]

    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    future = client.post("/api/v1/meetings/import", json={"rows": [{**rows[0], "date": tomorrow}]}, headers=headers)
    assert future.status_code == 422
    assert "Bara sammanträden som har ägt rum" in future.get_json()["error"]["fields"]["1:date"]
