"""A committee's meeting template: its standing items and the notice deadline of its rules.

Every meeting the committee plans starts with the template's items: the opening ones in their
order, then the closing ones (new items are placed before those). The committee's secretary keeps
the template; a change applies to meetings planned afterwards, never to agendas already built.
"""

from __future__ import annotations

from sqlalchemy import func, select

from agenda.models import STANDING_KINDS, ItemKind, StandingItem
from app import audit
from app.auth.models import User
from app.extensions import db
from app.organisation.models import Committee
from app.validation import ValidationError, clean_text

MAX_STANDING_ITEMS = 20
TITLE_LENGTH = 300
#: the committee's rule for the kallelse: days before the meeting (kommunallagen leaves it to the reglemente)
NOTICE_DAYS_RANGE = (1, 60)


def template_for(committee: Committee) -> list[StandingItem]:
    """The committee's standing items in agenda order: the opening ones, then the closing ones."""
    return list(
        db.session.scalars(
            select(StandingItem)
            .where(StandingItem.committee_id == committee.id)
            .order_by(StandingItem.closes_agenda, StandingItem.position, StandingItem.id)
        )
    )


def _lock_template(committee: Committee) -> None:
    """Serialise changes of one committee's template (positions stay 1 … n within each group)."""
    db.session.execute(select(Committee.id).where(Committee.id == committee.id).with_for_update())


def _fields(title: object, kind: object, closes_agenda: object) -> tuple[str, ItemKind, bool]:
    errors: dict[str, str] = {}
    if isinstance(title, str):
        title = " ".join(title.split())  # a title is one line
    clean_title = ""
    try:
        clean_title = clean_text(title, field="title", label="Rubrik", max_length=TITLE_LENGTH)
    except ValidationError as exc:
        errors.update(exc.errors)
    item_kind: ItemKind | None
    try:
        item_kind = ItemKind(kind)
    except ValueError:
        item_kind = None
    if item_kind not in STANDING_KINDS:
        errors["kind"] = "Välj en typ av stående punkt: formalia, information, delgivningar eller övrigt."
    if not isinstance(closes_agenda, bool):
        errors["closes_agenda"] = "Ange om punkten kommer först eller sist på föredragningslistan."
    if errors or item_kind is None or not isinstance(closes_agenda, bool):  # the last two: errors above
        raise ValidationError(errors)
    return clean_title, item_kind, closes_agenda


def _group(committee: Committee, closes_agenda: bool) -> list[StandingItem]:
    return [item for item in template_for(committee) if item.closes_agenda == closes_agenda]


def _renumber(items: list[StandingItem]) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position


def add_standing_item(
    committee: Committee, *, user: User, title: object, kind: object, closes_agenda: object
) -> StandingItem:
    """Add an item at the end of its group (the opening items, or the closing ones)."""
    _lock_template(committee)
    title, kind, closes_agenda = _fields(title, kind, closes_agenda)
    count = db.session.execute(
        select(func.count()).select_from(StandingItem).where(StandingItem.committee_id == committee.id)
    ).scalar_one()
    if count >= MAX_STANDING_ITEMS:
        raise ValidationError({"title": f"En nämnd kan ha högst {MAX_STANDING_ITEMS} stående punkter."})
    item = StandingItem(
        committee=committee,
        title=title,
        kind=kind,
        closes_agenda=closes_agenda,
        position=len(_group(committee, closes_agenda)) + 1,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        "committee.standing_item_added",
        committee,
        f"Stående punkt ”{title}” tillagd i mallen för {committee.name}.",
        user=user,
        committee_id=committee.id,
    )
    return item


def update_standing_item(
    item: StandingItem, *, user: User, title: object, kind: object, closes_agenda: object
) -> StandingItem:
    """Change an item's title, kind or group (moving to the other group puts it last there)."""
    committee = item.committee
    _lock_template(committee)
    title, kind, closes_agenda = _fields(title, kind, closes_agenda)
    before = {"title": item.title, "kind": item.kind.value, "closes_agenda": item.closes_agenda}
    if closes_agenda != item.closes_agenda:
        old_group = [other for other in _group(committee, item.closes_agenda) if other.id != item.id]
        item.position = len(_group(committee, closes_agenda)) + 1
        item.closes_agenda = closes_agenda
        _renumber(old_group)
    item.title, item.kind = title, kind
    db.session.flush()
    audit.record(
        "committee.standing_item_updated",
        committee,
        f"Stående punkt ”{title}” ändrad i mallen för {committee.name}.",
        user=user,
        committee_id=committee.id,
        before=before,
        after={"title": title, "kind": kind.value, "closes_agenda": closes_agenda},
    )
    return item


def remove_standing_item(item: StandingItem, *, user: User) -> None:
    committee = item.committee
    _lock_template(committee)
    rest = [other for other in _group(committee, item.closes_agenda) if other.id != item.id]
    db.session.delete(item)
    _renumber(rest)
    db.session.flush()
    audit.record(
        "committee.standing_item_removed",
        committee,
        f"Stående punkt ”{item.title}” borttagen ur mallen för {committee.name}.",
        user=user,
        committee_id=committee.id,
    )


def move_standing_item(item: StandingItem, *, user: User, direction: str) -> None:
    """Move an item one step up or down within its group."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Välj att flytta upp eller ner."})
    committee = item.committee
    _lock_template(committee)
    group = _group(committee, item.closes_agenda)
    index = next(i for i, other in enumerate(group) if other.id == item.id)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(group):
        raise ValidationError(
            {"direction": "Punkten står redan först." if direction == "up" else "Punkten står redan sist."}
        )
    group[index], group[target] = group[target], group[index]
    _renumber(group)
    db.session.flush()
    audit.record(
        "committee.standing_item_moved",
        committee,
        f"Stående punkt ”{item.title}” flyttad i mallen för {committee.name}.",
        user=user,
        committee_id=committee.id,
    )


def set_notice_days(committee: Committee, *, user: User, days: object) -> Committee:
    """Change how many days before a meeting its kallelse must be published."""
    low, high = NOTICE_DAYS_RANGE
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        raise ValidationError({"notice_days": f"Ange ett helt antal dagar från {low} till {high}."})
    _lock_template(committee)
    before = committee.notice_days
    committee.notice_days = days
    db.session.flush()
    audit.record(
        "committee.notice_days_changed",
        committee,
        f"Kallelsens tidsfrist för {committee.name} ändrad från {before} till {days} dagar före sammanträdet.",
        user=user,
        committee_id=committee.id,
        before={"notice_days": before},
        after={"notice_days": days},
    )
    return committee
