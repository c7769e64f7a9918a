"""Before the meeting: the committee's seats (ledamöter and ersättare), förhinder and who is called in for them,
and the yrkanden members file in advance.

Each operation validates, changes, writes an audit row and flushes; the caller commits (and with the commit the
outbox hands over the messages queued here). The views check the Action (app.permissions); the operations check
what only they can know: that a member reports förhinder or files a yrkande for their own seat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import func, select

from agenda.minutes.models import Absence, CommitteeSeat, FiledMotion, MotionKind, SeatKind, SeatOffice
from agenda.minutes.rules import Seat, replacements
from agenda.models import UPCOMING, AgendaItem, Meeting
from agenda.outcomes import refuse_if_cancelled
from app import audit
from app.auth.models import Role, User
from app.clock import to_local, utcnow
from app.extensions import db
from app.notifications import queue_message
from app.organisation.models import Committee
from app.validation import ConflictError, ForbiddenError, ValidationError, clean_text

MOTION_MAX = 4_000
MAX_SEATS = 200


# --- seats ----------------------------------------------------------------------------------------------


def seats_of(committee_id: int, *, active_only: bool = True) -> list[CommitteeSeat]:
    """The committee's seats: the ledamöter in their order, then the ersättare in the ersättarordning."""
    stmt = select(CommitteeSeat).where(CommitteeSeat.committee_id == committee_id)
    if active_only:
        stmt = stmt.where(CommitteeSeat.is_active.is_(True))
    seats = db.session.scalars(stmt).all()
    return sorted(seats, key=lambda s: (s.kind is not SeatKind.member, s.position, s.id))


def as_rule_seats(seats: Sequence[CommitteeSeat]) -> list[Seat]:
    """The seats as the pure rules take them."""
    return [Seat(s.id, s.kind, s.position, s.party, s.name, s.office) for s in seats]


def seat_of_user(committee_id: int, user: User) -> CommitteeSeat | None:
    """The active seat ``user`` holds in the committee, if any."""
    return db.session.scalar(
        select(CommitteeSeat).where(
            CommitteeSeat.committee_id == committee_id,
            CommitteeSeat.user_id == user.id,
            CommitteeSeat.is_active.is_(True),
        )
    )


def _kind(value: object) -> SeatKind:
    try:
        return SeatKind(value)
    except ValueError:
        raise ValidationError({"kind": "Välj ledamot eller ersättare."}) from None


def _office(value: object) -> SeatOffice | None:
    if value in (None, ""):
        return None
    try:
        return SeatOffice(value)
    except ValueError:
        raise ValidationError({"office": "Välj ordförande, förste eller andre vice ordförande, eller inget."}) from None


def _check_holder(committee: Committee, holder: User | None, seat: CommitteeSeat | None) -> None:
    if holder is None:
        return
    if Role.member not in holder.roles_in(committee.id):
        raise ValidationError({"user": f"{holder.name} har inte rollen Ledamot i {committee.name}."})
    other = seat_of_user(committee.id, holder)
    if other is not None and other is not seat:
        raise ValidationError({"user": f"{holder.name} har redan en plats i {committee.name}."})


def _check_office(committee: Committee, office: SeatOffice | None, kind: SeatKind, seat: CommitteeSeat | None) -> None:
    if office is None:
        return
    if kind is not SeatKind.member:
        raise ValidationError({"office": "Bara en ledamot kan vara ordförande eller vice ordförande."})
    holder = db.session.scalar(
        select(CommitteeSeat).where(
            CommitteeSeat.committee_id == committee.id,
            CommitteeSeat.office == office,
            CommitteeSeat.is_active.is_(True),
        )
    )
    if holder is not None and holder is not seat:
        raise ValidationError({"office": f"{holder.name} är redan {office.label.lower()}."})


def add_seat(
    committee: Committee,
    *,
    user: User | None,
    kind: SeatKind | str,
    name: object,
    party: object,
    office: SeatOffice | str | None = None,
    holder: User | None = None,
) -> CommitteeSeat:
    """Add a ledamot or ersättare last in their order, linked to ``holder``'s account if they have one."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for key, fn in (
        ("kind", lambda: _kind(kind)),
        ("name", lambda: clean_text(name, field="name", label="Namn", max_length=200)),
        ("party", lambda: clean_text(party, field="party", label="Parti", max_length=20)),
        ("office", lambda: _office(office)),
    ):
        try:
            values[key] = fn()
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    seat_kind = SeatKind(values["kind"])
    seat_office = _office(values["office"])
    _check_office(committee, seat_office, seat_kind, None)
    _check_holder(committee, holder, None)
    count = db.session.scalar(select(func.count()).where(CommitteeSeat.committee_id == committee.id)) or 0
    if count >= MAX_SEATS:
        raise ConflictError(f"En nämnd har högst {MAX_SEATS} platser.")
    last = db.session.scalar(
        select(func.max(CommitteeSeat.position)).where(
            CommitteeSeat.committee_id == committee.id, CommitteeSeat.kind == seat_kind
        )
    )
    seat = CommitteeSeat(
        committee=committee,
        kind=seat_kind,
        position=(last or 0) + 1,
        name=str(values["name"]),
        party=str(values["party"]),
        office=seat_office,
        user=holder,
    )
    db.session.add(seat)
    db.session.flush()
    audit.record(
        "seat.added",
        seat,
        f"{seat_kind.label} {seat.label} tillagd i {committee.name}"
        + (f" som {seat_office.label.lower()}" if seat_office else "")
        + ".",
        user=user,
        committee_id=committee.id,
    )
    call_in_again(committee.id, user=user)
    return seat


def update_seat(seat: CommitteeSeat, *, user: User, values: Mapping[str, object], holder: User | None = None) -> None:
    """Change a seat's name, party, office, account (``holder`` with ``"user"`` in values) or whether it is active."""
    known = {"name", "party", "office", "user", "is_active"}
    unknown = set(values) - known
    if unknown:
        raise ValidationError({key: "Okänt fält." for key in sorted(unknown)})
    before = {"name": seat.name, "party": seat.party, "office": seat.office, "user": seat.user_id}
    before["is_active"] = seat.is_active
    if "name" in values:
        seat.name = clean_text(values["name"], field="name", label="Namn", max_length=200)
    if "party" in values:
        seat.party = clean_text(values["party"], field="party", label="Parti", max_length=20)
    if "office" in values:
        office = _office(values["office"])
        _check_office(seat.committee, office, seat.kind, seat)
        seat.office = office
    if "user" in values:
        _check_holder(seat.committee, holder, seat)
        seat.user = holder
    if "is_active" in values:
        if not isinstance(values["is_active"], bool):
            raise ValidationError({"is_active": "Aktiv anges som sant eller falskt."})
        seat.is_active = values["is_active"]
        if not seat.is_active:
            seat.office = None
    db.session.flush()
    after = {"name": seat.name, "party": seat.party, "office": seat.office, "user": seat.user_id}
    after["is_active"] = seat.is_active
    old, new = audit.changes(
        {k: v.value if isinstance(v, SeatOffice) else v for k, v in before.items()},
        {k: v.value if isinstance(v, SeatOffice) else v for k, v in after.items()},
    )
    if new:
        audit.record(
            "seat.updated",
            seat,
            f"{seat.kind.label} {seat.label} i {seat.committee.name} ändrad.",
            user=user,
            committee_id=seat.committee_id,
            before=old,
            after=new,
        )
        call_in_again(seat.committee_id, user=user)


def move_seat(seat: CommitteeSeat, *, user: User, to_position: object) -> None:
    """Move an active seat to ``to_position`` (1-based) among the active seats of its kind: for ersättare, the
    ersättarordning (seats no longer active follow them)."""
    of_kind = [s for s in seats_of(seat.committee_id, active_only=False) if s.kind is seat.kind]
    active = [s for s in of_kind if s.is_active]
    if not seat.is_active:
        raise ConflictError(f"{seat.label} har ingen aktiv plats i nämnden.")
    if not isinstance(to_position, int) or isinstance(to_position, bool) or not 1 <= to_position <= len(active):
        raise ValidationError({"position": f"Platsen ska vara ett tal från 1 till {len(active)}."})
    before = [s.id for s in active]
    active.remove(seat)
    active.insert(to_position - 1, seat)
    for position, each in enumerate([*active, *(s for s in of_kind if not s.is_active)], start=1):
        each.position = position
    db.session.flush()
    audit.record(
        "seat.moved",
        seat,
        f"{seat.kind.label} {seat.label} flyttad till plats {to_position} i {seat.committee.name}.",
        user=user,
        committee_id=seat.committee_id,
        before={"order": before},
        after={"order": [s.id for s in active]},
    )
    call_in_again(seat.committee_id, user=user)


# --- förhinder and who is called in ----------------------------------------------------------------------


def _meeting_day(meeting: Meeting) -> str:
    return f"{to_local(meeting.start_dt):%Y-%m-%d}"


def _require_before(meeting: Meeting) -> None:
    refuse_if_cancelled(meeting, "ingen närvaro anmäls")
    if meeting.status not in UPCOMING or meeting.start_dt <= utcnow():
        raise ConflictError("Sammanträdet har börjat; närvaron förs i protokollet.")


def _may_act_for(meeting: Meeting, seat: CommitteeSeat, user: User) -> None:
    """A member acts for their own seat; the committee's secretary for anyone's."""
    if seat.user_id == user.id or Role.secretary in user.roles_in(meeting.committee_id):
        return
    raise ForbiddenError("Du kan bara anmäla förhinder för din egen plats.")


def absences_for(meeting: Meeting) -> list[Absence]:
    return list(
        db.session.scalars(select(Absence).where(Absence.meeting_id == meeting.id).order_by(Absence.reported_dt))
    )


def report_absence(meeting: Meeting, seat: CommitteeSeat, *, user: User, reason: object = None) -> Absence:
    """Report ``seat``'s förhinder for the meeting and call in an ersättare by the rule (agenda.minutes.rules)."""
    if seat.committee_id != meeting.committee_id or not seat.is_active:
        raise ValidationError({"seat": "Platsen hör inte till nämnden."})
    _may_act_for(meeting, seat, user)
    _require_before(meeting)
    text = clean_text(reason, field="reason", label="Meddelande", max_length=1000, required=False) or None
    if db.session.scalar(select(Absence).where(Absence.meeting_id == meeting.id, Absence.seat_id == seat.id)):
        raise ConflictError(f"{seat.label} har redan anmält förhinder till sammanträdet {_meeting_day(meeting)}.")
    absence = Absence(meeting=meeting, seat=seat, reason=text, reported_by=user)
    db.session.add(absence)
    db.session.flush()
    audit.record(
        "meeting.absence_reported",
        absence,
        f"{seat.label} har anmält förhinder till sammanträdet {_meeting_day(meeting)}.",
        user=user,
        committee_id=meeting.committee_id,
    )
    call_in(meeting, user=user)
    return absence


def withdraw_absence(absence: Absence, *, user: User) -> None:
    """The seat holder can come after all: their förhinder is taken back and the call-ins are made again."""
    meeting, seat = absence.meeting, absence.seat
    _may_act_for(meeting, seat, user)
    _require_before(meeting)
    audit.record(
        "meeting.absence_withdrawn",
        absence,
        f"{seat.label} kommer ändå till sammanträdet {_meeting_day(meeting)}.",
        user=user,
        committee_id=meeting.committee_id,
    )
    dropped = {absence.seat_id: absence.substitute_id}
    db.session.delete(absence)
    db.session.flush()
    call_in(meeting, user=user, dropped=dropped)


def call_in(
    meeting: Meeting, *, user: User | None, dropped: Mapping[int, int | None] | None = None
) -> dict[int, int | None]:
    """Work out again who is called in for the absent ledamöter, store it, and tell each ersättare whose call
    changed (called in, or no longer needed). ``dropped`` is a förhinder just withdrawn (seat id → the ersättare
    it had called in). Returns absent ledamot seat id → ersättare seat id or None."""
    absences = absences_for(meeting)
    absent = {a.seat_id for a in absences}
    seats = seats_of(meeting.committee_id)
    vacancies = [s for s in seats if s.kind is SeatKind.member and s.id in absent]
    deputies = [s for s in seats if s.kind is SeatKind.deputy and s.id not in absent]
    # by id among all the committee's seats: an ersättare whose seat was just made inactive hears they are released
    by_id = {s.id: s for s in seats_of(meeting.committee_id, active_only=False)}
    plan = replacements(as_rule_seats(vacancies), as_rule_seats(deputies))
    before = {**(dropped or {}), **{a.seat_id: a.substitute_id for a in absences}}
    after = {a.seat_id: plan.get(a.seat_id) for a in absences}
    if before == after:
        return plan
    for absence in absences:  # two steps: the (meeting, substitute) pair stays unique throughout
        absence.substitute_id = None
    db.session.flush()
    for absence in absences:
        absence.substitute_id = after[absence.seat_id]
    db.session.flush()
    called = {(sub, member) for member, sub in after.items() if sub is not None}
    was = {(sub, member) for member, sub in before.items() if sub is not None}
    for sub, member in sorted(called - was):
        _tell_called(meeting, by_id[sub], by_id[member])
    still_called = {sub for sub, _member in called}
    for sub, _member in sorted(was):
        if sub not in still_called and sub in by_id:
            _tell_released(meeting, by_id[sub])
    audit.record(
        "meeting.called_in",
        meeting,
        f"Inkallade ersättare till sammanträdet {_meeting_day(meeting)}: "
        + (
            "; ".join(f"{by_id[sub].label} för {by_id[member].label}" for member, sub in sorted(after.items()) if sub)
            or "inga"
        )
        + ".",
        user=user,
        committee_id=meeting.committee_id,
        before={"called_in": {str(k): v for k, v in before.items()}},
        after={"called_in": {str(k): v for k, v in after.items()}},
    )
    return plan


def call_in_again(committee_id: int, *, user: User | None) -> None:
    """The committee's seats changed (one added, changed, made inactive or moved in the order): call in again for
    each of its meetings not yet begun that has förhinder; only the ersättare whose call changed are told."""
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.committee_id == committee_id,
            Meeting.status.in_(UPCOMING),
            Meeting.start_dt > utcnow(),
            Meeting.id.in_(select(Absence.meeting_id)),
        )
        .order_by(Meeting.start_dt, Meeting.id)
    )
    for meeting in meetings:
        call_in(meeting, user=user)


def meeting_path(meeting: Meeting) -> str:
    """The meeting's page (messages are written outside requests too, so no url_for)."""
    return f"/sammantraden/{meeting.id}"


def _tell_called(meeting: Meeting, deputy: CommitteeSeat, member: CommitteeSeat) -> None:
    if deputy.user is None or not deputy.user.is_enabled:
        return  # no account: the secretary calls them in by telephone (the meeting page shows who)
    when = to_local(meeting.start_dt)
    committee = meeting.committee.name
    link = meeting_path(meeting)
    queue_message(
        deputy.user,
        f"Du är inkallad att tjänstgöra: {committee} {when:%Y-%m-%d}",
        f"Hej {deputy.name},\n\n{member.label} har anmält förhinder till {committee}s sammanträde "
        f"{when:%Y-%m-%d} kl. {when:%H:%M}, {meeting.place}. Du är inkallad att tjänstgöra i ledamotens ställe.\n\n"
        f"Kan du inte komma, anmäl förhinder du också så kallas nästa ersättare in.\n\n"
        f"Sammanträdet: {link}\n\nHälsningar\nNämndflöde",
        link=link,
    )


def _tell_released(meeting: Meeting, deputy: CommitteeSeat) -> None:
    if deputy.user is None or not deputy.user.is_enabled:
        return
    when = to_local(meeting.start_dt)
    committee = meeting.committee.name
    link = meeting_path(meeting)
    queue_message(
        deputy.user,
        f"Du behöver inte tjänstgöra: {committee} {when:%Y-%m-%d}",
        f"Hej {deputy.name},\n\nInkallelsen till {committee}s sammanträde {when:%Y-%m-%d} kl. {when:%H:%M} gäller "
        f"inte längre: ledamoten kommer själv, eller en annan ersättare står före dig i ordningen.\n\n"
        f"Sammanträdet: {link}\n\nHälsningar\nNämndflöde",
        link=link,
    )


# --- yrkanden filed in advance ---------------------------------------------------------------------------


def filed_motions_for(item: AgendaItem) -> list[FiledMotion]:
    """The yrkanden filed on an item and not withdrawn, oldest first."""
    return list(
        db.session.scalars(
            select(FiledMotion)
            .where(FiledMotion.agenda_item_id == item.id, FiledMotion.withdrawn_dt.is_(None))
            .order_by(FiledMotion.filed_dt, FiledMotion.id)
        )
    )


def file_motion(item: AgendaItem, *, user: User, kind: MotionKind | str, text: object) -> FiledMotion:
    """File a written yrkande on an agenda item, in the name of the user's own seat in the committee."""
    meeting = item.meeting
    seat = seat_of_user(meeting.committee_id, user)
    if seat is None:
        raise ForbiddenError("Bara nämndens ledamöter och ersättare kan lämna yrkanden.")
    refuse_if_cancelled(meeting, "inga yrkanden lämnas")
    if meeting.status not in UPCOMING or meeting.start_dt <= utcnow():
        raise ConflictError("Yrkanden i förväg lämnas före sammanträdet; på sammanträdet förs de i protokollet.")
    errors: dict[str, str] = {}
    try:
        motion_kind = MotionKind(kind)
    except ValueError:
        errors["kind"] = "Välj bifall, avslag, ändring, tillägg, återremiss eller bordläggning."
    try:
        clean = clean_text(text, field="text", label="Yrkandet", max_length=MOTION_MAX)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    motion = FiledMotion(item=item, seat=seat, kind=motion_kind, text=clean, filed_by=user)
    db.session.add(motion)
    db.session.flush()
    audit.record(
        "motion.filed",
        motion,
        f"Yrkande ({motion_kind.label.lower()}) av {seat.label} på punkt {item.number} "
        f"till sammanträdet {_meeting_day(meeting)}.",
        user=user,
        committee_id=meeting.committee_id,
        case_id=item.case_id,
    )
    return motion


def withdraw_motion(motion: FiledMotion, *, user: User) -> None:
    """Withdraw a filed yrkande: only the seat's holder, before the meeting."""
    if motion.seat.user_id != user.id:
        raise ForbiddenError("Bara den som lämnat yrkandet kan ta tillbaka det.")
    if motion.is_withdrawn:
        raise ConflictError("Yrkandet är redan tillbakadraget.")
    _require_before(motion.item.meeting)
    motion.withdrawn_dt = utcnow()
    db.session.flush()
    audit.record(
        "motion.withdrawn",
        motion,
        f"Yrkande av {motion.seat.label} på punkt {motion.item.number} tillbakadraget.",
        user=user,
        committee_id=motion.item.meeting.committee_id,
        case_id=motion.item.case_id,
    )
