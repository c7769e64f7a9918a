"""Delegated decisions imported from a CSV file as Swedish Excel writes it, or an .xlsx made here: all or nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select

from agenda.models import DelegationDecision
from app.clock import local_today
from app.extensions import db
from tests.factories import committee, csrf_token

PAGE = "/delegationsbeslut/import"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(DelegationDecision))


def _csv(*rows: str) -> bytes:
    """Semicolons and a BOM, as Excel in Swedish saves "CSV UTF-8"."""
    lines = ["Beslutsdatum;Beslutsfattare;Delegationspunkt;Diarienummer;Beslut", *rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _xlsx(*rows: tuple) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Beslutsdatum", "Beslutsfattare", "Delegationspunkt", "Diarienummer", "Beslut"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name: str):
    return client.post(
        PAGE,
        data={
            "csrf_token": csrf_token(client, PAGE),
            "committee": str(committee("SN").id),
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def test_a_csv_from_swedish_excel_is_imported_with_its_cases(login_as):
    client = login_as("sekreterare")
    day = (local_today() - timedelta(days=3)).isoformat()
    before = _count()
    data = _csv(
        f"{day};Eva Strand, socialdirektör;3.1.2;SN-2016/3342.181;Beslut om förlängd placering.",
        f"{day};Per Sundberg, enhetschef;4.2;;Beslut om färdtjänst för en resenär.",
    )
    response = _upload(client, data, "C:\\Users\\sara\\beslut.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _count() == before + 2
    found = db.session.scalar(select(DelegationDecision).where(DelegationDecision.delegation_point == "3.1.2"))
    assert found.case.number == "SN-2016/3342.181" and found.decided_on == date.fromisoformat(day)
    # the same file again: every row is already registered, nothing is stored
    again = _upload(client, data, "beslut.csv")
    assert again.status_code == 422 and _count() == before + 2
    assert "Rad 2: beslutet är redan registrerat." in again.get_data(as_text=True)


def test_one_bad_row_imports_nothing_and_each_error_is_named_by_row_and_column(login_as):
    client = login_as("sekreterare")
    future = (local_today() + timedelta(days=5)).isoformat()
    before = _count()
    data = _xlsx(
        (local_today() - timedelta(days=1), "Eva Strand", "3.1.2", None, "Ett riktigt beslut."),
        ("2026-02-30", "Eva Strand", "3.1.3", None, "Fel datum."),
        (future, "", "3.1.4", "SN-1999/1.181", "Framtida beslut."),
        (local_today() - timedelta(days=1), "Eva Strand", "3.1.2", None, "Ett riktigt beslut."),
    )
    response = _upload(client, data, "beslut.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and _count() == before
    assert "Rad 3, Beslutsdatum:" in html
    assert "Rad 4, Diarienummer: ärendet ”SN-1999/1.181” finns inte i nämndens diarium." in html
    assert "Rad 5: samma beslut står redan på rad 2." in html


def test_an_xlsx_is_read_with_its_dates_and_other_files_are_refused(login_as):
    client = login_as("sekreterare")
    before = _count()
    ok = _xlsx((local_today() - timedelta(days=2), "Eva Strand, socialdirektör", "5.1", None, "Beslut om bistånd."))
    assert _upload(client, ok, "delegation.xlsx").status_code == 302 and _count() == before + 1
    for data, name, said in (
        (b"%PDF-1.4\n\x00\x01\x02 binary", "beslut.csv", "inte en textfil"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "beslut.xls", "äldre Excel-fil"),
        (b"PK\x03\x04not really a zip", "beslut.xlsx", "skadad"),
    ):
        response = _upload(client, data, name)
        assert response.status_code == 422 and said in response.get_data(as_text=True), name
    assert _count() == before + 1


def test_only_the_secretary_imports_and_the_template_reads_back(login_as):
    assert login_as("ledamot").get(PAGE).status_code == 403
    client = login_as("sekreterare")
    template = client.get("/delegationsbeslut/import/mall.csv")
    assert template.status_code == 200 and template.data.startswith("\ufeffBeslutsdatum;".encode())
    assert _upload(client, template.data, "mall.csv").status_code == 302


def test_the_api_checks_and_imports_a_file_all_or_nothing(api_as):
    client, headers = api_as("sekreterare")
    url = f"/api/v1/committees/{committee('SN').id}/delegation-decisions/import"
    day = (local_today() - timedelta(days=4)).isoformat()
    good = _csv(f"{day};Eva Strand;6.1;;Beslut om avgiftsreducering.")
    before = _count()

    def send(data: bytes, **fields):
        return client.post(
            url,
            headers=headers,
            data={"file": (io.BytesIO(data), "beslut.csv"), **fields},
            content_type="multipart/form-data",
        )

    checked = send(good, check_only="true")
    assert checked.status_code == 200 and checked.get_json() == {"imported": False, "decisions": 1, "encoding": "UTF-8"}
    assert _count() == before
    assert send(good).status_code == 201 and _count() == before + 1
    refused = send(_csv(f"{day};;6.2;;Utan beslutsfattare."))
    assert refused.status_code == 422 and "2:Beslutsfattare" in refused.get_json()["error"]["fields"]
    assert _count() == before + 1
    other, other_headers = api_as("ledamot")
    upload = {"file": (io.BytesIO(good), "beslut.csv")}
    answer = other.post(url, headers=other_headers, data=upload, content_type="multipart/form-data")
    assert answer.status_code == 403 and _count() == before + 1
