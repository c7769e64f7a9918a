"""Administration → Import: upload, Kontrollera (what would be imported, or the errors in Swedish), Importera."""

from __future__ import annotations

import html
import io
import re

from sqlalchemy import func, select

from agenda.models import Meeting, MeetingStatus
from app.extensions import db
from app.registry.diaria import diarium_of
from app.registry.models import Case
from tests import factories
from tests.factories import body_of, csrf_token

GOOD = (
    "diarienummer;år;löpnummer;ärendemening;registreringsdatum;status\r\n"
    "SN-2008/1.181;;;Ärende om äldreboende;2008-01-10;avslutat\r\n"
    "Dnr SN 08/2;2008;2;Ärende i äldre format;2008-01-11;\r\n"
)
TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]+)"')


def _cases_2008() -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(Case.series == "SN", Case.year == 2008))


def _check(client, data: bytes, **extra):
    fields = {
        "csrf_token": csrf_token(client, "/admin/import"),
        "diarium_id": str(diarium_of(factories.committee("SN")).id),
        "file": (io.BytesIO(data), "diarium.csv"),
        **extra,
    }
    return client.post("/admin/import/arenden", data=fields, content_type="multipart/form-data")


def test_check_shows_what_would_be_imported_then_import_takes_it(app, login_as):
    client = login_as("admin")
    start = body_of(client.get("/admin/import"))
    assert 'href="/admin/import"' in start and "Kontrollera" in start
    page = body_of(_check(client, GOOD.encode("cp1252")))
    assert "2 ärenden kan importeras till Socialnämndens diarium (filen lästes som Windows-1252)" in html.unescape(page)
    assert "Ärende om äldreboende" in page and "Dnr SN 08/2" in page
    assert "löpnummer 3 (minst)" in page
    assert _cases_2008() == 0  # a check stores nothing

    token = TOKEN_RE.search(page).group(1)
    other = login_as("registrator")
    assert (
        other.post(
            "/admin/import/arenden/importera", data={"csrf_token": csrf_token(other, "/"), "token": token}
        ).status_code
        == 403
    )
    done = client.post(
        "/admin/import/arenden/importera", data={"csrf_token": csrf_token(client, "/admin/import"), "token": token}
    )
    assert done.status_code == 302
    assert "2 ärenden har importerats till Socialnämndens diarium (2008: 2)." in body_of(client.get(done.location))
    assert _cases_2008() == 2
    again = client.post(
        "/admin/import/arenden/importera", data={"csrf_token": csrf_token(client, "/admin/import"), "token": token}
    )
    assert again.status_code == 400  # the file is gone once imported


def test_errors_are_listed_in_swedish_by_line_and_column_and_nothing_is_stored(app, login_as):
    client = login_as("admin")
    bad = GOOD + "SN-2008/3.181;;;;2008-02-30;halvklart\r\nSN-2008/1.181;;;Dubblett;2008-01-12;\r\n"
    response = _check(client, bad.encode())
    page = html.unescape(body_of(response, 422))
    assert "Inget kan importeras: 4 fel i diarium.csv till Socialnämndens diarium" in page
    assert "Rad 4, ärendemening: Ärendemening måste fyllas i." in page
    assert "Rad 4, registreringsdatum: ”2008-02-30” är inte ett datum" in page
    assert "Rad 4, status: ”halvklart” är ingen status" in page
    assert "Rad 5, diarienummer: SN-2008/1.181 finns redan på rad 2." in page
    assert 'name="token"' not in page  # nothing to import
    garbage = html.unescape(body_of(_check(client, bytes(range(256)) * 3), 422))
    assert "inte en textfil i UTF-8 eller Windows-1252" in garbage
    assert _cases_2008() == 0


def test_the_forms_need_their_csrf_token_and_a_file(app, login_as):
    client = login_as("admin")
    forged = _check(client, GOOD.encode(), csrf_token="")
    assert forged.status_code == 400  # the app's CSRF protection refuses it before the view
    no_file = client.post(
        "/admin/import/arenden",
        data={"csrf_token": csrf_token(client, "/admin/import"), "diarium_id": "1"},
        content_type="multipart/form-data",
    )
    assert "Välj en CSV-fil." in body_of(no_file, 422)
    confirm = client.post("/admin/import/arenden/importera", data={"token": "x"})
    assert confirm.status_code == 400
    assert _cases_2008() == 0


def test_only_the_municipality_administrator_sees_the_page(app, login_as):
    for key in ("registrator", "sekreterare", "ledamot"):
        client = login_as(key)
        assert client.get("/admin/import").status_code == 403, key
        assert _check(client, GOOD.encode()).status_code == 403, key
    assert app.test_client().get("/admin/import").status_code == 302  # to the log-in page
    assert _cases_2008() == 0


def test_past_meetings_are_checked_and_imported(app, login_as):
    client = login_as("admin")
    page = body_of(_check(client, GOOD.encode()))
    token = TOKEN_RE.search(page).group(1)
    client.post(
        "/admin/import/arenden/importera", data={"csrf_token": csrf_token(client, "/admin/import"), "token": token}
    )
    rows = (
        "nämnd;datum;tid;plats;punkt;rubrik;typ;diarienummer;beslut\r\n"
        "SN;2008-03-20;18:00;Plenum;1;Val av justerare;formalia;;\r\n"
        "SN;2008-03-20;18:00;Plenum;2;;;SN-2008/1.181;återremitterat\r\n"
        "Socialnämnden;2008-04-17;18.00;Plenum;1;Val av justerare;formalia;;\r\n"
    )
    data = {"csrf_token": csrf_token(client, "/admin/import"), "file": (io.BytesIO(rows.encode()), "moten.csv")}
    page = html.unescape(
        body_of(client.post("/admin/import/sammantraden", data=data, content_type="multipart/form-data"))
    )
    assert "2 genomförda sammanträden med 3 punkter kan importeras" in page
    token = TOKEN_RE.search(page).group(1)
    done = client.post(
        "/admin/import/sammantraden/importera", data={"csrf_token": csrf_token(client, "/admin/import"), "token": token}
    )
    assert done.status_code == 302
    held = db.session.scalars(
        select(Meeting).where(Meeting.status == MeetingStatus.held, Meeting.place == "Plenum")
    ).all()
    assert len(held) == 2
    year_plan = html.unescape(body_of(login_as("sekreterare").get("/sammantraden?ar=2008")))
    assert "2008-03-20" in year_plan or "20 mars 2008" in year_plan
