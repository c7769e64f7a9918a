"""Taking over an existing diarium: numbers kept, counters continued, all or nothing, encodings, duplicates."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.clock import local_today
from app.extensions import db
from app.registry import importing
from app.registry.diaria import diarium_of
from app.registry.import_files import ImportRefused
from app.registry.models import Case, CaseStatus, RegistrationCounter
from tests import factories

HEADER = "diarienummer;ärendemening;registreringsdatum;handläggare;status;klassificering"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode(encoding)


def _import(data: bytes, prefix: str = "SN"):
    diarium = diarium_of(factories.committee(prefix))
    return importing.import_cases(
        diarium, importing.read_case_csv(data), user=factories.person("admin"), source_name="test.csv"
    )


def _count(prefix: str = "SN", year: int | None = None) -> int:
    query = select(func.count()).select_from(Case).where(Case.series == prefix)
    if year is not None:
        query = query.where(Case.year == year)
    return db.session.scalar(query) or 0


def test_cases_keep_their_numbers_dates_officers_and_statuses(app, demo):
    data = csv_bytes(
        "SN-2012/7.181;Bostadssociala frågor;2012-03-14;handlaggare@huddinge.example;avslutat;",
        "SN-2012/12.181;Ärende om färdtjänst;2012-05-02;Johan Ek;pågående;",
        "SN 2011/99;Ärende i äldre format;2011-12-30;;makulerat;",  # older format: år and löpnummer needed
    )
    with pytest.raises(ImportRefused) as refused:
        _import(data)
    assert "Rad 4, diarienummer" in str(refused.value.problems[0])
    assert "ange år och löpnummer" in refused.value.problems[0].message
    db.session.rollback()

    data = (
        "diarienummer;år;löpnummer;ärendemening;registreringsdatum;handläggare;status;avslutad\r\n"
        "SN-2012/7.181;;;Bostadssociala frågor;2012-03-14;handlaggare@huddinge.example;avslutat;2012-09-01\r\n"
        "sn-2012/12.181;2012;12;Ärende om färdtjänst;2012-05-02;Johan Ek;pågående;\r\n"
        "SN 2011/99;2011;99;Ärende i äldre format;2011-12-30;;makulerat;\r\n"
    ).encode()
    before = _count()
    result = _import(data)
    db.session.commit()
    assert result.count == 3
    numbers = {"SN-2012/7.181", "SN-2012/12.181", "SN 2011/99"}  # the format's own spelling, or as written
    rows = {c.number: c for c in db.session.scalars(select(Case).where(Case.number.in_(numbers)))}
    assert set(rows) == numbers
    first = rows["SN-2012/7.181"]
    assert (first.year, first.serial, first.classification.code) == (2012, 7, "181")
    assert first.status is CaseStatus.closed and first.closed_on.isoformat() == "2012-09-01"
    assert first.case_officer.email == "handlaggare@huddinge.example"
    assert rows["SN-2012/12.181"].case_officer.name == "Johan Ek"
    old = rows["SN 2011/99"]
    assert (old.year, old.serial, old.status, old.classification) == (2011, 99, CaseStatus.voided, None)
    assert _count() == before + 3
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "diarium.imported")).all()
    assert len(entries) == 1 and entries[0].data["after"]["cases"] == 3
    assert entries[0].data["after"]["per_year"] == {"2011": 1, "2012": 2}


def test_the_counter_continues_after_the_highest_imported_serial(app, demo):
    committee = factories.committee("SN")
    diarium = diarium_of(committee)
    year = local_today().year
    current = (
        db.session.scalar(
            select(RegistrationCounter.last_serial).where(
                RegistrationCounter.diarium_id == diarium.id, RegistrationCounter.year == year
            )
        )
        or 0
    )
    high = current + 500
    _import(
        csv_bytes(
            f"SN-{year}/{high}.181;Sent ärende;{year}-01-02;;;",
            f"SN-{year}/{high - 3}.181;Tidigare ärende;{year}-01-01;;;",
            "SN-1998/4.181;Gammalt ärende;1998-02-02;;avslutat;",
        )
    )
    db.session.commit()
    case = factories.create_case("Nytt ärende efter överföringen", officer=factories.person("handlaggare"))
    assert (case.year, case.serial) == (year, high + 1)
    assert case.number == f"SN-{year}/{high + 1}.181"
    old_year = db.session.scalar(
        select(RegistrationCounter.last_serial).where(
            RegistrationCounter.diarium_id == diarium.id, RegistrationCounter.year == 1998
        )
    )
    assert old_year == 4


def test_a_windows_1252_file_is_read_with_its_swedish_letters(app, demo):
    data = csv_bytes("SN-2013/5.181;Åtgärder för äldreomsorg i Östra Huddinge;2013-04-04;;;", encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    source = importing.read_case_csv(data)
    assert source.encoding == "Windows-1252"
    _import(data)
    db.session.commit()
    case = db.session.scalar(select(Case).where(Case.number == "SN-2013/5.181"))
    assert case.title == "Åtgärder för äldreomsorg i Östra Huddinge"


def test_a_utf8_file_with_bom_is_read(app, demo):
    data = b"\xef\xbb\xbf" + csv_bytes("SN-2013/6.181;Äldreboende;2013-04-04;;;")
    assert importing.read_case_csv(data).encoding == "UTF-8"
    assert _import(data).count == 1


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,  # garbage: control characters in any reading
        "diarienummer;ärendemening\r\n".encode("utf-16"),  # UTF-16, as some tools save "Unicode text"
        b"\x00\x01PK\x03\x04 not a csv at all \x9d\x81",  # a zip's start with bytes Windows-1252 lacks
    ],
    ids=["garbage", "utf16", "binary"],
)
def test_a_file_that_is_no_text_is_refused_in_swedish(app, demo, data):
    before = _count()
    with pytest.raises(ImportRefused) as refused:
        _import(data)
    assert "UTF-8" in refused.value.message and "Inget importerades" in refused.value.message
    db.session.rollback()
    assert _count() == before


def test_duplicates_in_the_file_and_against_the_diarium_are_refused(app, demo):
    with pytest.raises(ImportRefused) as refused:
        _import(
            csv_bytes(
                "SN-2014/1.181;Ett;2014-01-01;;;",
                "SN-2014/2.181;Två;2014-01-01;;;",
                "SN-2014/1.181;Samma nummer igen;2014-01-02;;;",
            )
        )
    assert [str(p) for p in refused.value.problems] == ["Rad 4, diarienummer: SN-2014/1.181 finns redan på rad 2."]
    db.session.rollback()
    existing = db.session.scalar(select(Case).where(Case.series == "SN").order_by(Case.id))
    with pytest.raises(ImportRefused) as refused:
        _import(csv_bytes(f"{existing.number};Krock med diariet;2014-01-01;;;"))
    assert refused.value.problems[0].line == 2
    assert f"{existing.number} finns redan" in refused.value.problems[0].message
    db.session.rollback()
    assert _count(year=2014) == 0


def test_every_bad_field_is_named_with_its_line(app, demo):
    with pytest.raises(ImportRefused) as refused:
        _import(
            csv_bytes(
                "SN-2015/1.181;Bra rad;2015-01-01;;;",
                "SN-2015/2.181;;2015-13-01;okand@example.org;halvklart;",
                "SN-2015/3.999;Okänd kod;2015-01-01;;;",
            )
        )
    got = [(p.line, p.column) for p in refused.value.problems]
    assert got == [
        (3, "ärendemening"),
        (3, "registreringsdatum"),
        (3, "handläggare"),
        (3, "status"),
        (4, "klassificering"),
    ]
    assert "2015-13-01" in refused.value.problems[1].message


@pytest.mark.slow
def test_one_bad_row_near_the_end_of_50000_imports_nothing(app, demo):
    lines = [f"SN-2010/{n}.181;Ärende nummer {n} om äldreomsorg;2010-02-03;;avslutat;" for n in range(1, 50_001)]
    lines[49_990] = "SN-2010/49991.181;Ärende med fel datum;2010-02-30;;avslutat;"
    data = csv_bytes(*lines)
    before = _count()
    started = time.perf_counter()
    with pytest.raises(ImportRefused) as refused:
        _import(data)
    assert time.perf_counter() - started < 20
    db.session.rollback()
    assert [str(p) for p in refused.value.problems] == [
        "Rad 49992, registreringsdatum: ”2010-02-30” är inte ett datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2019-03-14."
    ]
    assert _count() == before
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "diarium.imported"))
        == 0
    )

    lines[49_990] = "SN-2010/49991.181;Ärende med rätt datum;2010-02-28;;avslutat;"
    assert _import(csv_bytes(*lines)).count == 50_000
    db.session.commit()
    assert _count(year=2010) == 50_000


def test_the_cli_checks_and_imports_a_file(app, demo, tmp_path):
    path = tmp_path / "diarium.csv"
    path.write_bytes(csv_bytes("SN-2016/90001.181;Överfört via kommandoraden;2016-05-05;;;", encoding="cp1252"))
    db.session.commit()
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["import", "cases", str(path), "--diarium", "sn", "--check"])
    assert checked.exit_code == 0, checked.output
    assert "1 cases would be imported into Socialnämndens diarium (Windows-1252)." in checked.output
    done = runner.invoke(args=["import", "cases", str(path), "--diarium", "SN"])
    assert done.exit_code == 0, done.output
    assert "Imported 1 cases into Socialnämndens diarium: 2016: 1 (next serial 90002)." in done.output
    again = runner.invoke(args=["import", "cases", str(path), "--diarium", "SN"])
    assert again.exit_code == 1
    assert "Rad 2, diarienummer: SN-2016/90001.181 finns redan i Socialnämndens diarium." in again.output
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.serial == 90001)) == 1
