"""Factories for test objects, built through the same operations the app uses, and plain helpers.

Fixtures live in the conftest.py files (pytest finds them); what a test calls by name lives here.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import select

from agenda import conventions
from agenda import operations as agenda_ops
from agenda.models import AgendaItem, ItemKind, Meeting, Publication
from app.auth import operations as auth_ops
from app.auth.models import Role, User
from app.clock import LOCAL_TZ, local_today
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.registry import operations as registry_ops
from app.registry.models import Case, ClassificationCode
from tasks.models import Job
from tasks.registry import export_registry
from workflows import attachments
from workflows import operations as report_ops
from workflows.models import CaseReport, ReportState


def create_committee(prefix: str, *, name: str | None = None, municipality: Municipality | None = None) -> Committee:
    """A committee in the (first) municipality, sharing its first administration."""
    municipality = municipality or db.session.scalar(select(Municipality).order_by(Municipality.id))
    committee = Committee(
        municipality=municipality,
        administration=municipality.administrations[0],
        name=name or f"Testnämnden {prefix}",
        registry_prefix=prefix,
    )
    db.session.add(committee)
    db.session.flush()
    return committee


def create_user(key: str, roles: dict[Committee, list[Role]] | None = None, *, name: str | None = None) -> User:
    user = auth_ops.create_user(email=f"{key}@test.example", name=name or key.title(), password="test-password-1")
    for committee, role_list in (roles or {}).items():
        for role in role_list:
            auth_ops.grant_role(user, committee, role)
    return user


def classification(code: str = "181") -> ClassificationCode:
    return db.session.scalar(select(ClassificationCode).where(ClassificationCode.code == code))


def create_municipality(name: str, *, administration: str, codes: list[tuple[str, str]] = (), **fields) -> Municipality:
    """A municipality of its own (a test world without the demo), with one administration and classification codes."""
    from app.organisation.models import Administration

    municipality = Municipality(name=name, **fields)
    db.session.add(municipality)
    db.session.add(Administration(municipality=municipality, name=administration))
    for code, title in codes:
        db.session.add(ClassificationCode(municipality=municipality, code=code, name=title))
    db.session.flush()
    return municipality


def create_api_token(user: User) -> str:
    """A personal API token for ``user``; returns the secret to send as Bearer."""
    _row, secret = auth_ops.create_token(user, "Testnyckel")
    return secret


# --- the demo's people and committees -------------------------------------------------------------

DEMO_DOMAIN = "huddinge.example"


def person(key: str) -> User:
    """A demo user by the key before the @, e.g. ``person("sekreterare")``."""
    return db.session.scalar(select(User).where(User.email == f"{key}@{DEMO_DOMAIN}"))


def approve_as_chair_and_justerare(minutes, document, kind: str = "full") -> None:
    """The demo's chair and justerare (Ali Karimi, the demo's ledamot) approve ``document`` in the round of
    ``kind`` ("full", "immediate", "correction"), each with their demo password; committed."""
    from agenda.minutes import adjustment

    for key in ("ordforande", "ledamot"):
        adjustment.approve(
            minutes,
            user=person(key),
            kind=kind,
            document=document,
            seen_sha256=document.sha256,
            password=f"demo-{key}",
        )
    db.session.commit()


def committee(prefix: str = "SN") -> Committee:
    """A committee by its registry prefix (the demo's Socialnämnden by default)."""
    return db.session.scalar(select(Committee).where(Committee.registry_prefix == prefix))


def next_week(days: int = 30, hour: int = 18) -> datetime:
    """A local start ``days`` from today at ``hour`` o'clock."""
    day = local_today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LOCAL_TZ)


# --- cases and reports ----------------------------------------------------------------------------

#: a complete report for a new case of Socialnämnden
REPORT = {
    "title": "Riktlinjer för ekonomiskt bistånd 2027",
    "report_date": "2026-11-20",
    "sections": {"description": "<p>Förvaltningen föreslår nya riktlinjer för ekonomiskt bistånd.</p>"},
    "proposals": [{"text": "Socialnämnden antar riktlinjerna.", "immediately_adjusted": False}],
    "recipients": ["Kommunstyrelsen"],
}

#: a complete report for the demo case ``CASE_NUMBER``
CASE_NUMBER = "SN-2017/30.909"  # no demo report yet; its case officer is the demo user "controller"
COMPLETE = {
    "title": "Verksamhetsberättelse 2016 för Socialnämnden",
    "report_date": "2017-02-01",
    "sections": {
        "summary": "<p>Verksamhetsberättelsen redovisar 2016 års resultat.</p>",
        "description": "<p>Socialnämnden redovisar ett negativt resultat.</p>",
    },
    "proposals": [
        {
            "text": "Socialnämnden godkänner förvaltningens förslag till verksamhetsberättelse 2016.",
            "immediately_adjusted": True,
        }
    ],
    "recipients": ["Kommunstyrelsen"],
}

#: the steps that bring a new report to each state: (transition, who) where who is "author" or a demo user key
PATHS = {
    ReportState.draft: [],
    ReportState.in_review: [("submit", "author")],
    ReportState.returned: [("submit", "author"), ("return_review", "enhetschef")],
    ReportState.approved: [("submit", "author"), ("approve", "enhetschef")],
    ReportState.signed: [("submit", "author"), ("approve", "enhetschef"), ("sign", "direktor")],
    ReportState.withdrawn: [("withdraw", "author")],
}


def create_case(
    title: str, *, prefix: str = "SN", officer: User | None = None, confidential: bool = False, code: str = "181"
) -> Case:
    """A new open case registered by the demo's registrator; confidential with a public title if asked."""
    registrar = person("registrator")
    case = registry_ops.register_case(
        committee=committee(prefix), user=registrar, title=title, classification_code=code, case_officer=officer
    )
    if confidential:
        registry_ops.set_confidentiality(
            case,
            user=registrar,
            is_confidential=True,
            secrecy_provision="26 kap. 1 § OSL",
            public_title="Ansökan enligt föräldrabalken",
        )
    return case


def create_report(
    case: Case, state: ReportState = ReportState.draft, *, author: User, raw: dict | None = None, **transition_args
) -> CaseReport:
    """A report on ``case`` written by ``author`` and brought to ``state`` through the real transitions.

    The reviewers are the demo's enhetschef and direktor; ``transition_args`` (``comment``, ``notify``) go to
    every transition. The caller commits.
    """
    report = report_ops.create_report(case, user=author)
    report_ops.save_revision(
        report, user=author, raw=raw if raw is not None else {**REPORT, "title": case.title}, based_on=1
    )
    for name, who in PATHS[state]:
        report_ops.transition(report, user=author if who == "author" else person(who), name=name, **transition_args)
    assert report.state is state
    return report


def submit_report(case: Case, officer: User) -> CaseReport:
    """Write a complete report for the case and send it for review, its reviewers notified (the caller commits)."""
    return create_report(
        case,
        ReportState.in_review,
        author=officer,
        raw={
            "title": case.title,
            "sections": {
                "summary": "<p>Uppföljningen visar att avtalet följs.</p>",
                "description": "<p>Förvaltningen har följt upp verksamheten under 2016.</p>",
            },
            "proposals": [{"text": "Socialnämnden godkänner uppföljningen."}],
        },
    )


# --- meetings, agenda items and publications ------------------------------------------------------


def plan_meeting(
    prefix: str = "SN",
    *,
    days: int = 14,
    place: str = "Plenum, Gymnasietorget 1",
    secretary: User | None = None,
    **fields,
) -> Meeting:
    """A meeting of the committee ``days`` ahead, with its standing items, planned by its secretary."""
    return agenda_ops.plan_meeting(
        committee(prefix), user=secretary or person("sekreterare"), start=next_week(days), place=place, **fields
    )


def add_case_item(meeting: Meeting, case: Case, *, user: User | None = None, **values) -> AgendaItem:
    """A case item (ärende) on the meeting's agenda, carrying the case's signed report."""
    return agenda_ops.add_item(meeting, user=user or person("sekreterare"), kind=ItemKind.case, case=case, **values)


def publish(meeting: Meeting, *, user: User | None = None, **options) -> Publication:
    """Publish the meeting's kallelse through the real operation (its checks included)."""
    return agenda_ops.publish(meeting, user=user or person("sekreterare"), **options)


def publish_with_conventions(meeting: Meeting) -> Meeting:
    """Give Socialnämnden conventions of its own and publish ``meeting`` in them (the caller reads it fresh).

    "Föredragningslista", numbered from 0, the section "Beslutsärenden" and the marker "(KF)", the closed part
    "Slutet sammanträde" and "Handling delas ut på sammanträdet"; on the agenda a case whose signed report
    proposes omedelbar justering (section and marker), a case whose handling comes later (section) and a
    confidential case (marker): numbers 2, 3 and 5.
    """
    secretary, officer, sn = person("sekreterare"), person("handlaggare"), committee()
    conventions.set_conventions(
        sn,
        user=secretary,
        notice_title="Föredragningslista",
        first_number=0,
        closed_section="Slutet sammanträde",
        handling_later_text="Handling delas ut på sammanträdet",
    )
    decisions = conventions.add_section(sn, user=secretary, name="Beslutsärenden")
    kf = conventions.add_marker(sn, user=secretary, label="(KF)")
    adjusted = create_case("Taxor för färdtjänst 2027", officer=officer)
    proposals = [{"text": "Socialnämnden antar taxorna för färdtjänst 2027.", "immediately_adjusted": True}]
    create_report(
        adjusted, ReportState.signed, author=officer, raw={**REPORT, "title": adjusted.title, "proposals": proposals}
    )
    later = create_case("Riktlinjer för hemtjänst 2027", officer=officer)
    secret = create_case(
        "Vårdnad om Alva Exempelsson enligt 6 kap. 8 § föräldrabalken", officer=officer, confidential=True
    )
    create_report(secret, ReportState.signed, author=officer)
    agenda_ops.add_item(meeting, user=secretary, kind="case", case=adjusted, section=decisions.id, markers=[kf.id])
    agenda_ops.add_item(meeting, user=secretary, kind="case", case=later, is_handling_later=True, section=decisions.id)
    agenda_ops.add_item(meeting, user=secretary, kind="case", case=secret, markers=[kf.id])
    sign_notice(meeting, user=secretary)
    publish(meeting)
    db.session.commit()
    return meeting


def sign_notice(meeting: Meeting, *, user: User | None = None) -> None:
    """Give the kallelse its closing (place, date, chair, secretary), which publishing requires."""
    agenda_ops.update_meeting(
        meeting,
        user=user or person("sekreterare"),
        values={
            "notice_place": "Huddinge",
            "notice_date": local_today().isoformat(),
            "chair_name": "Gunnel Hedberg",
            "secretary_name": "Sara Lindqvist",
        },
    )


# --- jobs ------------------------------------------------------------------------------------------


def request_export(client, **fields) -> int:
    """Ask for a diarium extract of Socialnämnden in the browser; returns the job's id."""
    page = client.get("/diarium/utdrag")
    assert page.status_code == 200
    sn_id = re.search(r'<option value="(\d+)">Socialnämnden</option>', page.get_data(as_text=True)).group(1)
    response = client.post(
        "/diarium/utdrag", data={"csrf_token": csrf_token(client, "/diarium/utdrag"), "committee_id": sn_id, **fields}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def run_export(job_id: int) -> Job:
    """Run the extract's task in this process (``apply``) and read the job back."""
    db.session.commit()
    export_registry.apply(args=[job_id])
    db.session.remove()
    return db.session.get(Job, job_id)


# --- clients ---------------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, path: str = "/logga-in") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str, password: str):
    token = csrf_token(client)
    return client.post("/logga-in", data={"email": email, "password": password, "csrf_token": token})


@contextmanager
def fresh_session():
    """A new session for reading back what a request committed."""
    db.session.remove()
    yield db.session
    db.session.remove()


def body_of(response, status: int = 200) -> str:
    """The response's text after asserting its status: a 404 page is never counted as "contains no secret"."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    return response.get_data(as_text=True)


# --- pages, and a signed report with a public and a confidential bilaga ----------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SECRET_TITLE = "Vårdnad om Alva Exempelsson enligt 6 kap. 8 § föräldrabalken"
PUBLIC_TITLE = "Ansökan enligt föräldrabalken"
SECRET_BILAGA = "Utredning om familjen Exempelsson"


def fresh():
    """The test's session, reading again what the requests committed (its objects stay usable)."""
    db.session.commit()
    db.session.expire_all()
    return db.session


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:2000])
    return response.get_data(as_text=True)


def textarea(html: str, id_: str) -> str:
    """The text of the page's textarea ``id_`` (as the page has it, escaped)."""
    match = re.search(rf'<textarea[^>]*id="{re.escape(id_)}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, f"no textarea #{id_}"
    return match.group(1).strip()


def demo_meeting() -> Meeting:
    """The demo's published (and held) meeting of 2017-02-23."""
    return fresh().scalar(select(Meeting).join(Publication).order_by(Meeting.start_dt).limit(1))


def post(client, path: str, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **fields})


def rows(html: str) -> list[tuple[int, str]]:
    """The builder's items as (number, title), in the table's order."""
    return [
        (int(n), t)
        for n, t in re.findall(
            r'<td data-label="Nr" class="agenda-number">(\d+)</td>\s*<td data-label="Ärende">\s*<strong>([^<]*)</strong>',
            html,
        )
    ]


def signed_report_with_bilagor(new_case, title: str, *, confidential_case: bool = False):
    """A case whose signed report has a public bilaga and a confidential one; returns (case, [bilagor])."""
    case = new_case(title, state=None, confidential=confidential_case)
    officer = person("handlaggare")
    report = report_ops.create_report(case, user=officer)
    report_ops.save_revision(
        report,
        user=officer,
        based_on=1,
        raw={
            "title": title,
            "report_date": "2026-11-20",
            "sections": {"description": "<p>Förvaltningen beskriver ärendet.</p>"},
            "proposals": [{"text": "Socialnämnden godkänner förslaget.", "immediately_adjusted": False}],
            "recipients": ["Kommunstyrelsen"],
        },
    )
    public = attachments.upload_attachment(
        report, user=officer, data=PDF + title.encode(), filename="Bilaga ett.pdf", title="Verksamhetsberättelse 2016"
    )
    secret = attachments.upload_attachment(
        report,
        user=officer,
        data=PDF + b"secret" + title.encode(),
        filename="Utredning.pdf",
        title=SECRET_BILAGA,
        is_confidential=True,
    )
    for name, who in (("submit", "handlaggare"), ("approve", "enhetschef"), ("sign", "direktor")):
        report_ops.transition(report, user=person(who), name=name, notify=False)
    db.session.commit()
    return case, [public.id, secret.id]


# --- the search's corpus ----------------------------------------------------------------------------------

SEARCHED_TITLE = "Riktlinjerna för ekonomiskt bistånd 2027"
#: a signed report whose words the search's query set looks for ("riksnormen", "riktlinjerna")
SEARCHED_REPORT = {
    "title": SEARCHED_TITLE,
    "report_date": "2026-11-20",
    "sections": {"description": "<p>Förvaltningen föreslår att riksnormen höjs för hushåll med barn.</p>"},
    "proposals": [{"text": "Socialnämnden antar riktlinjerna.", "immediately_adjusted": False}],
    "recipients": ["Kommunstyrelsen"],
}


def searched_case() -> Case:
    """A case of Socialnämnden titled SEARCHED_TITLE with the signed report SEARCHED_REPORT (committed)."""
    officer = person("handlaggare")
    case = create_case(SEARCHED_TITLE, officer=officer)
    create_report(case, ReportState.signed, author=officer, raw=SEARCHED_REPORT, notify=False)
    db.session.commit()
    return case
