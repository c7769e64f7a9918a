"""Load the demo municipality through the same operations the pages use."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from agenda.models import Meeting, MeetingStatus
from app.auth import operations as auth_ops
from app.auth.models import MunicipalRole, Role, User
from app.clock import LOCAL_TZ, local_today
from app.demo import data
from app.demo.minutes import keep_minutes
from app.extensions import db
from app.organisation.models import Administration, Committee, Municipality
from app.registry import diaria as registry_diaria
from app.registry import operations as registry_ops
from app.registry.models import Case, ClassificationCode, Direction
from workflows.attachments import upload_attachment
from workflows.sections import add_section


def is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(Municipality)) == 0


def credentials() -> list[dict]:
    """The demo users with their roles, passwords and tokens, for README and the terminal."""
    out = []
    for key, name, title, _phone, roles, password, token in data.USERS:
        out.append(
            {
                "email": f"{key}@{data.EMAIL_DOMAIN}",
                "name": name,
                "title": title,
                "roles": ", ".join(
                    ([MunicipalRole.admin.label] if key in data.MUNICIPALITY_ADMINS else [])
                    + [f"{Role(r).label} ({prefix})" for prefix, rs in roles.items() for r in rs]
                ),
                "password": password,
                "token": token,
            }
        )
    return out


def load(*, with_tokens: bool, password_method: str | None = None) -> None:
    """Create the demo municipality; the caller commits."""
    m = Municipality(**data.MUNICIPALITY)
    db.session.add(m)
    administrations = {}
    for key, values in data.ADMINISTRATIONS.items():
        administrations[key] = Administration(municipality=m, **values)
        db.session.add(administrations[key])
    committees = {}
    for prefix, values in data.COMMITTEES.items():
        committees[prefix] = Committee(
            municipality=m,
            administration=administrations[values["administration"]],
            name=values["name"],
            registry_prefix=prefix,
            notice_days=values["notice_days"],
            same_person_may_approve_and_sign=values["same_person_may_approve_and_sign"],
        )
        db.session.add(committees[prefix])
    db.session.flush()
    for prefix, committee in committees.items():  # a diarium per committee, in the municipality's format
        committee.diarium_id = registry_diaria.create_diarium(
            m, user=None, name=f"{committee.name}s diarium", series=prefix, number_format=m.registration_number_format
        ).id
    for code, name in data.CLASSIFICATION:
        db.session.add(ClassificationCode(municipality=m, code=code, name=name))
    db.session.flush()
    for title, required in data.REPORT_SECTIONS:
        add_section(m, user=None, title=title, is_required=required)

    users: dict[str, User] = {}
    for key, name, title, phone, roles, password, token in data.USERS:
        user = auth_ops.create_user(
            email=f"{key}@{data.EMAIL_DOMAIN}", name=name, password=password, title=title, phone=phone
        )
        if password_method:
            user.set_password(password, method=password_method)
        users[key] = user
        for prefix, role_names in roles.items():
            for role in role_names:
                auth_ops.grant_role(user, committees[prefix], Role(role))
        if key in data.MUNICIPALITY_ADMINS:
            auth_ops.grant_municipal_role(user, m, MunicipalRole.admin)
        if with_tokens:
            auth_ops.create_token(user, "Demo-nyckel", token=token)

    sn, ks = committees["SN"], committees["KS"]
    for number, title, officer, registered in data.CASES:
        case = registry_ops.import_case(
            committee=sn,
            user=users["registrator"],
            number=number,
            title=title,
            case_officer=users.get(officer) if officer else None,
            registered_on=date.fromisoformat(registered),
            external_reference=data.EXTERNAL_REFERENCES.get(number),
        )
        _documents_for(case, users)
    for number, title, public_title, registered in data.CONFIDENTIAL_CASES:
        case = registry_ops.import_case(
            committee=sn,
            user=users["registrator"],
            number=number,
            title=title,
            case_officer=users["handlaggare"],
            registered_on=date.fromisoformat(registered),
            is_confidential=True,
            secrecy_provision=data.SECRECY_PROVISION,
            public_title=public_title,
        )
        registry_ops.register_document(
            case,
            user=users["registrator"],
            direction=Direction.incoming,
            document_date=case.registered_on,
            counterparty="Södertörns tingsrätt",
            description="Begäran om yttrande",
            is_confidential=True,
            secrecy_provision=data.SECRECY_PROVISION,
        )
    for number, title, officer, registered in data.KS_CASES:
        case = registry_ops.import_case(
            committee=ks,
            user=users["registrator"],
            number=number,
            title=title,
            case_officer=users[officer],
            registered_on=date.fromisoformat(registered),
        )
        _documents_for(case, users)

    _seats(sn, users)
    _signed_reports(users)

    meeting = _published_meeting(committees[data.MEETING["committee"]], users)
    keep_minutes(meeting, users)
    _next_meeting(committees[data.MEETING["committee"]], users)


def _signed_reports(users: dict[str, User]) -> None:
    """The kallelse's six tjänsteutlåtanden, written, reviewed and signed by the demo's people. Their signatures
    start no render of the signed PDF (``workflows.registration.init_app``'s hook: no worker needs to run, nor
    LibreOffice to be installed); ``flask documents render-demo`` queues them."""
    from workflows import registration

    hook = current_app.extensions.pop(registration.SIGNED_HOOK, None)
    try:
        _write_and_sign(users)
    finally:
        if hook is not None:
            current_app.extensions[registration.SIGNED_HOOK] = hook


def _write_and_sign(users: dict[str, User]) -> None:
    from workflows import operations as report_ops

    source = json.loads((Path(__file__).parent / "reports.json").read_text(encoding="utf-8"))
    officers = {number: key for number, _title, key, _registered in data.CASES}
    director = users["direktor"]
    for item in source["reports"]:
        case = db.session.scalar(select(Case).where(Case.number == item["number"]))
        officer = users[officers[item["number"]]]
        report = report_ops.create_report(
            case,
            user=officer,
            raw={
                "title": item["title"],
                "report_date": item["date"],
                "sections": item["sections"],
                "proposals": item["proposals"],
                "recipients": item["recipients"],
                "signatories": [
                    {"user_id": director.id, "name": director.name, "title": director.title},
                    {"user_id": officer.id, "name": officer.name, "title": officer.title},
                ],
            },
        )
        for title in item["attachments"]:
            text = data.ATTACHMENT_TEXT.format(title=title, number=case.number)
            upload_attachment(
                report, user=officer, data=text.encode("utf-8"), filename=f"{title[:80]}.txt", title=title
            )
        number, title, text = data.CONFIDENTIAL_ATTACHMENT
        if case.number == number:
            upload_attachment(
                report,
                user=officer,
                data=text.encode("utf-8"),
                filename="Utredning.txt",
                title=title,
                is_confidential=True,
            )
        for name, actor in (("submit", officer), ("approve", users["enhetschef"]), ("sign", director)):
            report_ops.transition(report, user=actor, name=name, notify=False)


def _published_meeting(committee: Committee, users: dict[str, User]) -> Meeting:
    """The meeting of 2017-02-23 with the real kallelse's 21 items, published on 2 February and held."""
    from agenda import operations as agenda_ops

    secretary, facts = users["sekreterare"], data.MEETING
    start = datetime.fromisoformat(facts["start"]).replace(tzinfo=LOCAL_TZ)
    meeting = Meeting(
        committee=committee,
        start_dt=start,
        place=facts["place"],
        is_public=facts["is_public"],
        notice_place=facts["notice_place"],
        notice_date=date.fromisoformat(facts["notice_date"]),
        chair_name=users["ordforande"].name,
        secretary_name=secretary.name,
    )
    db.session.add(meeting)
    db.session.flush()
    published = datetime.fromisoformat(facts["published"]).replace(tzinfo=LOCAL_TZ)
    for decided_on, maker, point, number, summary in data.DELEGATION_DECISIONS:
        case = db.session.scalar(select(Case).where(Case.number == number)) if number else None
        decision = agenda_ops.register_delegation_decision(
            committee,
            user=secretary,
            decided_on=decided_on,
            case=case,
            delegation_point=point,
            summary=summary,
            decision_maker=f"{users[maker].name}, {users[maker].title.lower()}",
        )
        decision.registered_dt = datetime.fromisoformat(decided_on).replace(hour=10, tzinfo=LOCAL_TZ)
    for kind, title, extra in data.AGENDA:
        extra = dict(extra)
        case = db.session.scalar(select(Case).where(Case.number == extra.pop("case"))) if "case" in extra else None
        ready = case is not None and kind == "case" and _has_signed_report(case)
        agenda_ops.add_item(
            meeting,
            user=secretary,
            kind=kind,
            case=case,
            title=title,
            is_handling_later=kind == "case" and not ready,
            **extra,
        )
    agenda_ops.publish(meeting, user=secretary, as_of=published)
    meeting.status = MeetingStatus.held
    db.session.flush()
    return meeting


def _seats(committee: Committee, users: dict[str, User]) -> None:
    """Socialnämnden's ledamöter and ersättare; the demo's chair and member hold their seats with their accounts."""
    from agenda.minutes import seats as seat_ops

    for kind, name, party, office, key in data.SEATS:
        seat_ops.add_seat(
            committee, user=None, kind=kind, name=name, party=party, office=office, holder=users[key] if key else None
        )


def _has_signed_report(case: Case) -> bool:
    from workflows import operations as report_ops
    from workflows.models import ReportState

    report = report_ops.report_for(case)
    return report is not None and report.state is ReportState.signed


def _next_meeting(committee: Committee, users: dict[str, User]) -> Meeting:
    """The committee's next meeting, planned with the standing items, for the secretary to build."""
    from agenda import operations as agenda_ops

    days, hour, place = data.NEXT_MEETING
    day = local_today() + timedelta(days=days)
    start = datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)
    return agenda_ops.plan_meeting(committee, user=users["sekreterare"], start=start, place=place)


def _documents_for(case: Case, users: dict[str, User]) -> None:
    """A plausible set of registered documents for a demo case."""
    code = case.classification.code
    registrar = users["registrator"]
    if code in {"313", "476"}:
        registry_ops.register_document(
            case,
            user=registrar,
            direction=Direction.incoming,
            document_date=case.registered_on,
            counterparty="Samhällsbyggnadsavdelningen",
            description="Remiss",
        )
    elif code == "103":
        registry_ops.register_document(
            case,
            user=registrar,
            direction=Direction.incoming,
            document_date=case.registered_on,
            counterparty="Storsthlm",
            description="Rekommendation om överenskommelse",
            external_reference=case.external_reference,
        )
    elif code == "229":
        registry_ops.register_document(
            case,
            user=registrar,
            direction=Direction.incoming,
            document_date=case.registered_on,
            counterparty="Kommunfullmäktige",
            description="Motion remitterad till nämnden",
        )
    if code != "905":
        registry_ops.register_document(
            case,
            user=registrar,
            direction=Direction.internal,
            document_date=max(case.registered_on, date(2017, 1, 12)),
            description=f"Tjänsteutlåtande: {case.title[:120]}",
        )
