"""``flask demo generate --cases N [--reports M]``: years of Swedish-looking data for the benchmark and for trying
search at scale.

Cases (a share confidential, most with a case officer of their committee), their registered documents, signed
tjänsteutlåtanden with a bilaga each (a text file, stored, and the text a worker reads from it), and meetings with
agendas of those cases, for every committee of the demo municipality, spread over several years before today;
titles, reports and bilagor are put together from a vocabulary of real Swedish municipal phrases (``texts``). Rows
go in by bulk INSERTs (Core, in batches), the diaria's counters are moved past the numbers used, the search index
gets the new rows' entries (``refresh_many``), and nothing is audited: it is test data, not history.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import selectinload

from agenda.models import AgendaItem, ItemKind, Meeting
from app.auth.models import CommitteeRole, Role, User
from app.clock import local_today
from app.demo import texts
from app.extensions import db
from app.organisation.models import Committee
from app.registry.models import (
    Case,
    ClassificationCode,
    Diarium,
    Direction,
    RegisteredDocument,
    RegistrationCounter,
)
from app.registry.numbering import RegistrationNumber, number_format
from app.search.indexing import refresh_many
from app.search.models import EntryKind, ExtractedText, ExtractionStatus
from app.storage import get_storage
from workflows.content import ReportContent
from workflows.models import CaseReport, ReportAttachment, ReportRevision, ReportState, StoredFileRecord
from workflows.operations import signature_hash

SUBJECTS = [
    "riktlinjer för ekonomiskt bistånd",
    "avgifter inom äldreomsorgen",
    "delårsrapport per augusti",
    "verksamhetsberättelse",
    "internkontrollplan",
    "budget och verksamhetsplan",
    "taxa för bygglov",
    "detaljplan för bostäder vid Sjödalen",
    "medborgarförslag om belysning på gång- och cykelväg",
    "motion om fler förskoleplatser",
    "remiss om regional utvecklingsstrategi",
    "upphandling av hemtjänst",
    "bårhusverksamheten",
    "ansökan om serveringstillstånd",
    "överenskommelse om samverkan kring barn och unga",
    "tillsyn enligt alkohollagen",
    "lokalförsörjningsplan",
    "riktlinjer för handläggning av färdtjänst",
    "patientsäkerhetsberättelse",
    "kvalitetsberättelse för socialtjänsten",
    "föreningsbidrag",
    "plan för suicidprevention",
    "avfallsplan",
    "trafiksäkerhetsprogram",
    "val av dataskyddsombud",
]
KINDS = ["Yttrande över", "Beslut om", "Revidering av", "Uppföljning av", "Information om", "Svar på", "Förslag till"]
SECRET_SUBJECTS = [
    "Yttrande till tingsrätt angående vårdnad",
    "Ansökan om vård enligt LVU",
    "Överflyttning av ärende enligt SoL",
    "Anmälan enligt lex Sarah",
    "Yttrande angående adoption",
]
DOCUMENTS = [
    (Direction.incoming, "Remiss", "Länsstyrelsen i Stockholms län"),
    (Direction.incoming, "Skrivelse", "Inspektionen för vård och omsorg"),
    (Direction.incoming, "Motion remitterad till nämnden", "Kommunfullmäktige"),
    (Direction.internal, "Tjänsteutlåtande", ""),
    (Direction.internal, "Bilaga: statistik och uppföljning", ""),
    (Direction.outgoing, "Protokollsutdrag", "Kommunstyrelsen"),
    (Direction.outgoing, "Yttrande", "Regionen"),
]
PLACES = ["Plenisalen, Kommunalvägen 28", "Sammanträdesrum Sjöberg", "Stadshuset, sal A"]
BATCH = 5000


#: the cases a handläggare is given a year: a municipality with more cases has more handläggare, not busier ones
CASES_PER_OFFICER_YEAR = 100
FIRST_NAMES = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Per", "Elin", "Ahmed", "Leila", "Oskar"]
LAST_NAMES = ["Lindqvist", "Berg", "Nyström", "Holm", "Sandberg", "Ali", "Ekström", "Lund", "Öberg", "Åkesson"]


def _more_officers(
    committees: list[Committee], officers: dict[int, list[int]], cases: int, years: int, rng: random.Random
) -> None:
    """Add handläggare to each committee until none would be given more than ``CASES_PER_OFFICER_YEAR`` cases a
    year (the demo's own stay, and get their share): generated staff, enabled, whose password nobody knows."""
    needed = -(-cases // (len(committees) * years * CASES_PER_OFFICER_YEAR))
    for committee in committees:
        for n in range(len(officers[committee.id]), needed):
            user = User(
                email=f"handlaggare-{committee.id}-{n}@generated.invalid",
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                title="Handläggare",
            )
            user.set_password(secrets.token_urlsafe(), method="pbkdf2:sha256:1000")
            user.roles.append(CommitteeRole(committee_id=committee.id, role=Role.case_officer))
            db.session.add(user)
            db.session.flush()
            officers[committee.id].append(user.id)


def _rows(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start : start + BATCH])


def generate(
    cases: int, *, years: int = 6, reports: int = 0, confidential_share: float = 0.05, seed: int = 2017
) -> dict[str, int]:
    """Add ``cases`` cases with documents, ``reports`` of them with a signed tjänsteutlåtande and its bilaga, and
    meetings with agendas, to the committees, and index them for search; return what was made."""
    if reports > cases:
        raise ValueError("Det kan inte bli fler tjänsteutlåtanden än ärenden.")
    rng = random.Random(seed)
    committees = [c for c in db.session.scalars(select(Committee).order_by(Committee.id)) if c.diarium_id]
    if not committees:
        raise ValueError("Det finns ingen nämnd med diarium att fylla.")
    officers: dict[int, list[int]] = {c.id: [] for c in committees}
    for user_id, committee_id in db.session.execute(
        select(CommitteeRole.user_id, CommitteeRole.committee_id)
        .where(CommitteeRole.role == Role.case_officer)
        .order_by(CommitteeRole.id)
    ):
        officers.setdefault(committee_id, []).append(user_id)
    _more_officers(committees, officers, cases, years, rng)
    today = local_today()
    first_year = today.year - years + 1
    codes = {
        c.municipality_id: [code for code in db.session.scalars(select(ClassificationCode).where(
            ClassificationCode.municipality_id == c.municipality_id))]
        for c in committees
    }  # fmt: skip
    now = datetime.now(UTC)
    case_rows: list[dict] = []
    serials: dict[tuple[int, int], int] = {}
    for diarium_id, year, last in db.session.execute(
        select(RegistrationCounter.diarium_id, RegistrationCounter.year, RegistrationCounter.last_serial)
    ):
        serials[(diarium_id, year)] = last
    for diarium_id, year, used in db.session.execute(
        select(Case.diarium_id, Case.year, func.max(Case.serial)).group_by(Case.diarium_id, Case.year)
    ):
        serials[(diarium_id, year)] = max(serials.get((diarium_id, year), 0), used)
    diaria = {d.id: d for d in db.session.scalars(select(Diarium))}
    for _ in range(cases):
        committee = rng.choice(committees)
        diarium = diaria[committee.diarium_id]
        year = rng.randint(first_year, today.year)
        last_day = today if year == today.year else date(year, 12, 31)
        registered = date(year, 1, 1) + timedelta(days=rng.randint(0, (last_day - date(year, 1, 1)).days))
        serial = serials.get((diarium.id, year), 0) + 1
        serials[(diarium.id, year)] = serial
        code = rng.choice(codes[committee.municipality_id]) if codes[committee.municipality_id] else None
        number = number_format(diarium.number_format).format(
            RegistrationNumber(diarium.series, year, serial, code.code if code else None)
        )
        secret = rng.random() < confidential_share
        title = (
            f"{rng.choice(SECRET_SUBJECTS)} {rng.randint(1, 999)}"
            if secret
            else f"{rng.choice(KINDS)} {rng.choice(SUBJECTS)} {year}"
        )
        closed = registered + timedelta(days=rng.randint(20, 200)) if rng.random() < 0.7 else None
        officer = rng.choice(officers[committee.id]) if officers[committee.id] and rng.random() < 0.8 else None
        case_rows.append(
            {
                "committee_id": committee.id,
                "diarium_id": diarium.id,
                "series": diarium.series,
                "year": year,
                "serial": serial,
                "classification_id": code.id if code else None,
                "number": number,
                "title": title,
                "public_title": "Ärende enligt socialtjänstlagen" if secret else None,
                "status": "closed" if closed and closed <= today else "open",
                "registered_on": registered,
                "closed_on": closed if closed and closed <= today else None,
                "is_confidential": secret,
                "secrecy_provision": "26 kap. 1 § OSL" if secret else None,
                "case_officer_id": officer,
                "search_text": " ".join([number, title]).casefold(),
                "last_document_number": rng.randint(2, 4),  # the documents made below
                "created_dt": now,
                "modified_dt": now,
            }
        )
    _rows(Case, case_rows)
    for (diarium_id, year), last in serials.items():
        if db.session.get(RegistrationCounter, (diarium_id, year)) is None:
            db.session.add(RegistrationCounter(diarium_id=diarium_id, year=year, last_serial=last))
        else:
            db.session.execute(
                update(RegistrationCounter)
                .where(RegistrationCounter.diarium_id == diarium_id, RegistrationCounter.year == year)
                .values(last_serial=last)
            )
    db.session.flush()
    numbers = [r["number"] for r in case_rows]
    made = {
        n: (i, d, c, s)
        for n, i, d, c, s in db.session.execute(
            select(Case.number, Case.id, Case.registered_on, Case.committee_id, Case.is_confidential).where(
                Case.created_dt == now
            )
        )
    }
    document_rows = []
    documents = {r["number"]: r["last_document_number"] for r in case_rows}
    for number in numbers:
        case_id, registered, _committee, secret = made[number]
        for n in range(1, documents[number] + 1):
            direction, description, party = rng.choice(DOCUMENTS)
            document_rows.append(
                {
                    "case_id": case_id,
                    "number": n,
                    "direction": direction.value,
                    "document_date": min(registered + timedelta(days=7 * (n - 1)), today),
                    "counterparty": party,
                    "description": description,
                    "is_confidential": secret,
                    "secrecy_provision": "26 kap. 1 § OSL" if secret else None,
                    "registered_dt": now,
                }
            )
    _rows(RegisteredDocument, document_rows)
    meeting_rows = []
    for committee in committees:
        for year in range(first_year, today.year + 1):
            for month in (2, 3, 4, 5, 6, 9, 10, 11, 12):
                day = datetime(year, month, 20, 17, 0, tzinfo=UTC)
                if day.date() < today:
                    meeting_rows.append(
                        {"committee_id": committee.id, "start_dt": day, "place": rng.choice(PLACES),
                         "is_public": False, "status": "held", "agenda_version": 1, "created_dt": now}
                    )  # fmt: skip
    _rows(Meeting, meeting_rows)
    meetings = db.session.execute(
        select(Meeting.id, Meeting.committee_id, Meeting.start_dt).where(Meeting.created_dt == now)
    ).all()
    by_month: dict[tuple[int, int, int], int] = {(c, m.year, m.month): i for i, c, m in meetings}
    item_rows, positions = [], {}
    titles = {r["number"]: r["title"] for r in case_rows}
    for number in numbers:
        case_id, registered, committee_id, secret = made[number]
        later = registered + timedelta(days=40)
        meeting_id = by_month.get((committee_id, later.year, later.month))
        if meeting_id is None:
            continue
        positions[meeting_id] = positions.get(meeting_id, 0) + 1
        item_rows.append(
            {
                "meeting_id": meeting_id,
                "position": positions[meeting_id],
                "kind": (ItemKind.confidential_case if secret else ItemKind.case).value,
                "title": titles[number],
                "case_id": case_id,
                "is_handling_later": False,
                "parts": [],
                "closes_agenda": False,
                "created_dt": now,
            }
        )
    _rows(AgendaItem, item_rows)
    names = {c.id: c.name for c in committees}
    chosen = rng.sample(numbers, reports)
    report_ids, attachment_ids = _reports(rng, [(made[n][0], made[n][2], titles[n]) for n in chosen], names, now)
    case_ids = [made[n][0] for n in numbers]
    document_ids = db.session.scalars(
        select(RegisteredDocument.id).where(
            RegisteredDocument.case_id.in_(select(Case.id).where(Case.created_dt == now))
        )
    ).all()
    entries = sum(
        refresh_many(kind, ids)
        for kind, ids in (
            (EntryKind.case, case_ids),
            (EntryKind.public_case, case_ids),
            (EntryKind.document, document_ids),
            (EntryKind.report, report_ids),
            (EntryKind.bilaga, attachment_ids),
        )
    )
    return {
        "cases": len(case_rows),
        "documents": len(document_rows),
        "reports": len(report_ids),
        "meetings": len(meeting_rows),
        "items": len(item_rows),
        "entries": entries,
    }


def _subject(title: str) -> str:
    """The subject of a generated title ("Beslut om avfallsplan 2024" → "avfallsplan")."""
    return next((s for s in SUBJECTS if s in title), title)


def _reports(
    rng: random.Random, cases: list[tuple[int, int, str]], committees: dict[int, str], now: datetime
) -> tuple[list[int], list[int]]:
    """A signed tjänsteutlåtande on each of ``cases`` (id, committee, title) with one bilaga: a text file in
    storage and the text read from it. Return the reports' and the bilagor's ids."""
    storage = get_storage()
    report_rows, revisions, files, texts_by_case = [], {}, {}, {}
    for case_id, committee_id, title in cases:
        year = int(title[-4:]) if title[-4:].isdigit() else now.year
        subject, committee = _subject(title), committees[committee_id]
        content = texts.report_content(rng, title=title, subject=subject, year=year, committee=committee)
        revisions[case_id] = content
        text = texts.bilaga_text(rng, subject=subject, year=year, committee=committee)
        stored = storage.save(text.encode("utf-8"))
        files[stored.sha256] = stored
        texts_by_case[case_id] = (stored.sha256, text)
        report_rows.append(
            {"case_id": case_id, "state": ReportState.signed.value, "current_revision": 1, "signed_revision": 1,
             "signed_dt": now, "created_dt": now}
        )  # fmt: skip
    _rows(CaseReport, report_rows)
    reports = dict(
        db.session.execute(
            select(CaseReport.case_id, CaseReport.id).where(CaseReport.created_dt == now, CaseReport.signed_dt == now)
        ).all()
    )
    _rows(
        ReportRevision,
        [
            {"report_id": reports[case_id], "number": 1, "created_dt": now, "content": content,
             "content_hash": ReportContent.from_json(content).content_hash(), "changed_fields": []}
            for case_id, content in revisions.items()
        ],
    )  # fmt: skip
    known = set(db.session.scalars(select(StoredFileRecord.sha256).where(StoredFileRecord.sha256.in_(files))))
    _rows(
        StoredFileRecord,
        [
            {"storage_key": f.key, "sha256": f.sha256, "size": f.size, "content_type": "text/plain", "created_dt": now}
            for f in files.values()
            if f.sha256 not in known
        ],
    )
    file_ids = dict(
        db.session.execute(
            select(StoredFileRecord.sha256, StoredFileRecord.id).where(StoredFileRecord.sha256.in_(files))
        ).all()
    )
    done = set(db.session.scalars(select(ExtractedText.file_id).where(ExtractedText.file_id.in_(file_ids.values()))))
    extracted = {file_ids[sha]: text for sha, text in texts_by_case.values() if file_ids[sha] not in done}
    _rows(
        ExtractedText,
        [
            {"file_id": i, "status": ExtractionStatus.done.value, "text": t, "extracted_dt": now}
            for i, t in extracted.items()
        ],
    )
    _rows(
        ReportAttachment,
        [
            {"report_id": reports[case_id], "position": 1, "title": "Uppföljning och nyckeltal",
             "file_id": file_ids[sha], "filename": "uppfoljning.txt", "is_confidential": False, "is_current": True,
             "added_dt": now}
            for case_id, (sha, _text) in texts_by_case.items()
        ],
    )  # fmt: skip
    report_ids = sorted(reports.values())
    # the signature covers the text and the bilagor: computed as signing does, written in one UPDATE
    hashes = []
    for start in range(0, len(report_ids), BATCH):
        loaded = db.session.scalars(
            select(CaseReport)
            .where(CaseReport.id.in_(report_ids[start : start + BATCH]))
            .options(
                selectinload(CaseReport.revisions),
                selectinload(CaseReport.attachments).selectinload(ReportAttachment.file),
            )
        ).all()
        hashes += [{"report": r.id, "hash": signature_hash(r)} for r in loaded]
    if hashes:
        db.session.execute(
            update(CaseReport.__table__)
            .where(CaseReport.__table__.c.id == bindparam("report"))
            .values(signed_hash=bindparam("hash")),
            hashes,
        )
    attachment_ids = db.session.scalars(
        select(ReportAttachment.id).where(ReportAttachment.report_id.in_(report_ids))
    ).all()
    return report_ids, list(attachment_ids)
