"""The schemas of the imports in the API: a diarium's cases and past meetings, as JSON rows or a CSV file."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import Field

from app.api.spec import Body, Flag, Form, ListOf, RowId, Shape, Text

CHECK_HELP = "true: kontrollera bara och svara med vad som skulle importeras; inget sparas."


class CaseRow(Shape):
    """Ett ärende att importera; alla värden som text (år och löpnummer även som tal)."""

    number: str = Field(description="Diarienumret, som det är skrivet.", examples=["SN-2016/3342.181"])
    year: int | str = Field(None, description="Året; krävs när numret inte följer diariets format.")
    serial: int | str = Field(None, description="Löpnumret; krävs när numret inte följer diariets format.")
    title: str = Field(description="Ärendemeningen.")
    registered_on: dt.date = Field(description="Registreringsdatum, ÅÅÅÅ-MM-DD.")
    committee: str = Field(None, description="Nämndens seriekod eller namn; krävs om flera nämnder använder diariet.")
    case_officer: str = Field(None, description="Handläggarens e-post eller namn (en användare med roll i kommunen).")
    status: str = Field(None, description="pågående (standard), avslutat eller makulerat.")
    closed_on: dt.date = Field(None, description="Avslutsdatum för ett avslutat ärende.")
    classification: str = Field(None, description="Klassificeringskoden, om numret inte redan har den.")
    is_confidential: bool | str = Field(None, description="Sekretessärende: true/false eller ja/nej.")
    secrecy_provision: str = Field(None, description="Sekretessbestämmelsen, krävs för ett sekretessärende.")
    public_title: str = Field(None, description="Den offentliga titeln för ett sekretessärende.")
    external_reference: str = Field(None, description="Annan organisations nummer.")


class CaseImportBody(Body):
    """Ärendena att importera till diariet, alla eller inget."""

    rows: ListOf(CaseRow) = Field(None, title="Rader")
    check_only: Flag = Field(None, title="Bara kontroll", description=CHECK_HELP)


class CaseImportUpload(Form):
    no_file: ClassVar[str] = "Välj CSV-filen med ärendena (fältet file)."
    not_multipart: ClassVar[str] = "Skicka filen som multipart/form-data (fältet file)."

    check_only: Text(10) = Field(None, title="Bara kontroll", description=CHECK_HELP)


class ImportedYear(Shape):
    year: int
    cases: int = Field(description="Ärenden det året.")
    highest_serial: int = Field(description="Det högsta importerade löpnumret.")
    next_serial: int = Field(description="Löpnumret nästa registrering det året får (minst).")


class ImportedCase(Shape):
    number: str
    title: str = Field(description="Ärendemeningen (för ett sekretessärende dess offentliga titel).")
    registered_on: dt.date
    status: str


class CaseImportReply(Shape):
    diarium_id: RowId
    imported: bool = Field(description="false för en kontroll: inget har sparats.")
    cases: int
    encoding: str = Field(description="Hur filen lästes: UTF-8, Windows-1252 eller JSON.")
    years: list[ImportedYear]
    sample: list[ImportedCase] = Field(description="De första raderna, som de skulle sparas.")


class MeetingRow(Shape):
    """En punkt på ett genomfört sammanträdes föredragningslista."""

    committee: str = Field(description="Nämndens seriekod eller namn.")
    date: dt.date
    time: str = Field(description="Klockslaget, TT:MM.", examples=["18:00"])
    place: str
    is_public: bool | str = Field(None)
    chair_name: str = Field(None)
    secretary_name: str = Field(None)
    number: int | str = Field(description="Punktens nummer; punkterna ordnas efter det.")
    title: str = Field(None, description="Rubriken; för ett ärende annars ärendets ärendemening.")
    kind: str = Field(None, description="formalia, information, ärende, sekretessärende, delgivningar eller övrigt.")
    case_number: str = Field(None, description="Ärendets diarienummer (ärendet importeras först).")
    outcome: str = Field(None, description="beslutat, bordlagt, återremitterat eller inget.")
    paragraph: int | str = Field(
        None,
        description="Punktens paragraf (§) i protokollet; nämndens numrering det året fortsätter efter den högsta.",
    )
    note: str = Field(None)


class MeetingImportBody(Body):
    """Genomförda sammanträden, en rad per punkt; raderna med samma nämnd, datum och tid är ett sammanträde."""

    rows: ListOf(MeetingRow) = Field(None, title="Rader")
    check_only: Flag = Field(None, title="Bara kontroll", description=CHECK_HELP)


class MeetingImportUpload(Form):
    no_file: ClassVar[str] = "Välj CSV-filen med sammanträdena (fältet file)."
    not_multipart: ClassVar[str] = "Skicka filen som multipart/form-data (fältet file)."

    check_only: Text(10) = Field(None, title="Bara kontroll", description=CHECK_HELP)


class ImportedMeeting(Shape):
    committee: str
    start: str = Field(description="Lokal tid, ÅÅÅÅ-MM-DD TT:MM.")
    items: int


class MeetingImportReply(Shape):
    imported: bool = Field(description="false för en kontroll: inget har sparats.")
    meetings: list[ImportedMeeting]
    items: int
    encoding: str


class DelegationImportUpload(Form):
    no_file: ClassVar[str] = "Välj CSV- eller Excel-filen med delegationsbesluten (fältet file)."
    not_multipart: ClassVar[str] = "Skicka filen som multipart/form-data (fältet file)."

    check_only: Text(10) = Field(None, title="Bara kontroll", description=CHECK_HELP)


class DelegationImportReply(Shape):
    imported: bool = Field(description="false för en kontroll: inget har sparats.")
    decisions: int = Field(description="Antalet beslut som importerades (eller skulle importeras).")
    encoding: str = Field(examples=["UTF-8", "Windows-1252", "XLSX"])
