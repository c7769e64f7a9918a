"""Importing delegated decisions in a browser: the page is accessible, a bad file's errors are listed and nothing
imported; a good CSV or Excel file stores every row, listed on the decisions' page, with the import's audit row."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from playwright.sync_api import expect
from sqlalchemy import func

from tests.browser import steps
from tests.browser.ui import check_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COLUMNS = ("Beslutsdatum", "Beslutsfattare", "Delegationspunkt", "Diarienummer", "Beslut")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_import_page_lists_each_error_and_imports_nothing(new_page):
    page = new_page("sekreterare")
    page.goto("/delegationsbeslut")
    page.get_by_role("link", name="Importera delegationsbeslut från en CSV- eller Excel-fil").click()
    check_page(page, "delegationsbeslut-import", screenshot=True)
    csv = "\ufeffBeslutsdatum;Beslutsfattare;Delegationspunkt;Diarienummer;Beslut\r\n2026-02-30;;3.1;;Fel.\r\n"
    page.get_by_label("Fil med delegationsbeslut").set_input_files(
        {"name": "beslut.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}
    )
    page.get_by_role("button", name="Importera").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Inget importerades")
    expect(alert).to_contain_text("Rad 2, Beslutsfattare")
    check_page(page)


def _imported(served_app, summaries: list[str]) -> tuple[list[tuple], list[dict], int]:
    """The decisions stored with these summaries (summary, decided on, point, case number), the import's audit rows and
    the decisions' own audit rows."""
    from sqlalchemy import select

    from agenda.models import DelegationDecision
    from app.audit import AuditEntry
    from app.extensions import db

    with served_app.app.app_context():
        decisions = db.session.scalars(
            select(DelegationDecision).where(DelegationDecision.summary.in_(summaries)).order_by(DelegationDecision.id)
        ).all()
        stored = [
            (d.summary, d.decided_on.isoformat(), d.delegation_point, d.case.number if d.case else "")
            for d in decisions
        ]
        ids = {d.id for d in decisions}
        audits = [
            (entry.data or {}).get("after", {})
            for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "delegation.imported"))
            if ids and set(((entry.data or {}).get("after") or {}).get("decision_ids", [])) <= ids
        ]
        registered = db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "delegation.registered", AuditEntry.object_id.in_(ids))
        )
        db.session.remove()
    return stored, audits, registered


def _case_number(served_app) -> str:
    from sqlalchemy import select

    from app.extensions import db
    from app.organisation.models import Committee
    from app.registry.models import Case

    with served_app.app.app_context():
        number = db.session.scalar(
            select(Case.number).join(Committee).where(Committee.registry_prefix == "SN").order_by(Case.id).limit(1)
        )
        db.session.remove()
    return number


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_good_file_imports_every_row_and_is_audited(new_page, served_app, kind):
    number = _case_number(served_app)
    summaries = [steps.unique_title(f"Beslut om kontaktperson {n} ({kind})") for n in (1, 2, 3)]
    rows = [
        ("2026-11-02", "Eva Strand, socialdirektör", "3.1.2", number, summaries[0]),
        ("2026-11-09", "Eva Strand, socialdirektör", "3.1.4", "", summaries[1]),
        ("2026-11-16", "Per Ek, enhetschef", "4.2", "", summaries[2]),
    ]
    if kind == "csv":
        text = "\ufeff" + "\r\n".join(";".join(row) for row in [COLUMNS, *rows]) + "\r\n"
        upload = {"name": "beslut.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    else:
        book = Workbook()
        sheet = book.active
        for row in [COLUMNS, *rows]:
            sheet.append(list(row))
        out = io.BytesIO()
        book.save(out)
        upload = {"name": "beslut.xlsx", "mimeType": XLSX, "buffer": out.getvalue()}

    page = new_page("sekreterare")
    page.goto("/delegationsbeslut/import")
    page.get_by_label("Nämnd").select_option(label="Socialnämnden")
    page.get_by_label("Fil med delegationsbeslut").set_input_files(upload)
    page.get_by_role("button", name="Importera").click()
    expect(page).to_have_url(re.compile(r"/delegationsbeslut$"))
    assert "3 delegationsbeslut har importerats till Socialnämnden." in steps.flash_text(page)
    for summary in summaries:
        expect(page.get_by_text(summary)).to_be_visible()
    check_page(page, f"delegationsbeslut-importerade-{kind}", screenshot=True)

    stored, audits, registered = _imported(served_app, summaries)
    assert stored == [
        (summaries[0], "2026-11-02", "3.1.2", number),
        (summaries[1], "2026-11-09", "3.1.4", ""),
        (summaries[2], "2026-11-16", "4.2", ""),
    ]
    assert len(audits) == 1 and len(audits[0]["decision_ids"]) == 3  # the import's own row
    assert registered == 3  # and each decision's
