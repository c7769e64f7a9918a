"""How a committee writes its agendas, kept in its meeting template by its secretary.

The document's name (its heading is "<name> till <nämnd>"), the first item's number (0 or 1), the named
sections items are placed under and the name of the closed part where the sekretessärenden stand, the markers
the secretary may choose for an item (e.g. "(KF)") and the wording for a handling that comes later. Pages and
documents read them from the meeting (``Meeting.conventions``, ``AgendaItem.number``, ``AgendaItem.section``)
while it is built; a published snapshot keeps those it was published with. Each change validates, writes an
audit row and flushes; the caller commits.
"""

from __future__ import annotations

from sqlalchemy import select, update

from agenda.models import AgendaConventions, AgendaItem, AgendaSection, ItemMarker, agenda_item_markers
from app import audit
from app.auth.models import User
from app.extensions import db
from app.organisation.models import Committee
from app.validation import ValidationError, clean_text

NAME_LENGTH = 100
MARKER_LENGTH = 30
MAX_SECTIONS = 20
MAX_MARKERS = 20
FIRST_NUMBERS = (0, 1)


def conventions_for(committee: Committee) -> AgendaConventions:
    """The committee's conventions: its own row, or the defaults when it has set none."""
    return db.session.get(AgendaConventions, committee.id) or AgendaConventions.defaults(committee.id)


def sections_for(committee: Committee) -> list[AgendaSection]:
    return list(
        db.session.scalars(
            select(AgendaSection)
            .where(AgendaSection.committee_id == committee.id)
            .order_by(AgendaSection.position, AgendaSection.id)
        )
    )


def markers_for(committee: Committee) -> list[ItemMarker]:
    return list(
        db.session.scalars(
            select(ItemMarker)
            .where(ItemMarker.committee_id == committee.id)
            .order_by(ItemMarker.position, ItemMarker.id)
        )
    )


def _lock(committee: Committee) -> None:
    """Serialise changes of one committee's template (names stay unique, positions 1 … n)."""
    db.session.execute(select(Committee.id).where(Committee.id == committee.id).with_for_update())


def _name(value: object, *, field: str, label: str, max_length: int = NAME_LENGTH) -> str:
    """A one-line name: required, within ``max_length``."""
    if isinstance(value, str):
        value = " ".join(value.split())
    return clean_text(value, field=field, label=label, max_length=max_length)


def _first_number(value: object) -> int:
    if isinstance(value, str) and value.strip() in ("0", "1"):
        value = int(value.strip())
    if isinstance(value, bool) or value not in FIRST_NUMBERS:
        raise ValidationError({"first_number": "Första punktens nummer ska vara 0 eller 1."})
    assert isinstance(value, int)
    return value


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def set_conventions(
    committee: Committee,
    *,
    user: User,
    notice_title: object,
    first_number: object,
    closed_section: object,
    handling_later_text: object,
) -> AgendaConventions:
    """Set the document's name, the first item's number, the closed part's name and the later-handling wording."""
    _lock(committee)
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    rules = (
        ("notice_title", lambda: _name(notice_title, field="notice_title", label="Dokumentets namn")),
        ("first_number", lambda: _first_number(first_number)),
        ("closed_section", lambda: _name(closed_section, field="closed_section", label="Den slutna delens namn")),
        (
            "handling_later_text",
            lambda: _name(
                handling_later_text, field="handling_later_text", label="Text för handling som kommer senare"
            ),
        ),
    )
    for key, rule in rules:
        try:
            values[key] = rule()
        except ValidationError as exc:
            errors.update(exc.errors)
    closed = values.get("closed_section")
    if isinstance(closed, str) and any(_folded(s.name) == _folded(closed) for s in sections_for(committee)):
        errors["closed_section"] = f"Det finns redan ett avsnitt som heter ”{closed}”; välj ett annat namn."
    if errors:
        raise ValidationError(errors)
    row = db.session.get(AgendaConventions, committee.id)
    if row is None:
        row = AgendaConventions.defaults(committee.id)
        db.session.add(row)
    before = {key: getattr(row, key) for key in values}
    for key, value in values.items():
        setattr(row, key, value)
    db.session.flush()
    audit.record(
        "committee.agenda_conventions_changed",
        committee,
        f"Föredragningslistans form för {committee.name} ändrad.",
        user=user,
        committee_id=committee.id,
        before=before,
        after=values,
    )
    return row


def _check_unique(committee: Committee, name: str, *, field: str, excluding: AgendaSection | None = None) -> None:
    folded = _folded(name)
    if any(
        s.id != (excluding.id if excluding else None) and _folded(s.name) == folded for s in sections_for(committee)
    ):
        raise ValidationError({field: f"Det finns redan ett avsnitt som heter ”{name}”."})
    if _folded(conventions_for(committee).closed_section) == folded:
        raise ValidationError({field: f"”{name}” är namnet på den slutna delen; välj ett annat namn."})


def add_section(committee: Committee, *, user: User, name: object) -> AgendaSection:
    """Add a named section at the end of the committee's list."""
    _lock(committee)
    clean = _name(name, field="name", label="Avsnittets namn")
    _check_unique(committee, clean, field="name")
    existing = sections_for(committee)
    if len(existing) >= MAX_SECTIONS:
        raise ValidationError({"name": f"En nämnd kan ha högst {MAX_SECTIONS} avsnitt."})
    section = AgendaSection(committee_id=committee.id, name=clean, position=len(existing) + 1)
    db.session.add(section)
    db.session.flush()
    audit.record(
        "committee.agenda_section_added",
        committee,
        f"Avsnittet ”{clean}” tillagt i mallen för {committee.name}.",
        user=user,
        committee_id=committee.id,
    )
    return section


def rename_section(section: AgendaSection, *, user: User, name: object) -> AgendaSection:
    """Rename a section: the agendas being built follow; published versions keep the name they had."""
    committee = db.session.get_one(Committee, section.committee_id)
    _lock(committee)
    clean = _name(name, field="name", label="Avsnittets namn")
    _check_unique(committee, clean, field="name", excluding=section)
    before = section.name
    section.name = clean
    db.session.flush()
    audit.record(
        "committee.agenda_section_renamed",
        committee,
        f"Avsnittet ”{before}” heter nu ”{clean}” i mallen för {committee.name}.",
        user=user,
        committee_id=committee.id,
        before={"name": before},
        after={"name": clean},
    )
    return section


def remove_section(section: AgendaSection, *, user: User) -> None:
    """Remove a section; the items placed in it stand without a section (published versions keep it)."""
    committee = db.session.get_one(Committee, section.committee_id)
    _lock(committee)
    name = section.name
    db.session.execute(
        update(AgendaItem).where(AgendaItem.section_id == section.id).values(section_id=None),
        execution_options={"synchronize_session": "fetch"},
    )
    rest = [other for other in sections_for(committee) if other.id != section.id]
    db.session.delete(section)
    for position, other in enumerate(rest, start=1):
        other.position = position
    db.session.flush()
    audit.record(
        "committee.agenda_section_removed",
        committee,
        f"Avsnittet ”{name}” borttaget ur mallen för {committee.name}.",
        user=user,
        committee_id=committee.id,
    )


def _check_unique_marker(committee: Committee, label: str, *, excluding: ItemMarker | None = None) -> None:
    folded = _folded(label)
    if any(
        m.id != (excluding.id if excluding else None) and _folded(m.label) == folded for m in markers_for(committee)
    ):
        raise ValidationError({"label": f"Det finns redan en markering ”{label}”."})


def add_marker(committee: Committee, *, user: User, label: object) -> ItemMarker:
    """Add a marker the secretary may choose for an item, e.g. "(KF)"."""
    _lock(committee)
    clean = _name(label, field="label", label="Markeringen", max_length=MARKER_LENGTH)
    _check_unique_marker(committee, clean)
    existing = markers_for(committee)
    if len(existing) >= MAX_MARKERS:
        raise ValidationError({"label": f"En nämnd kan ha högst {MAX_MARKERS} markeringar."})
    marker = ItemMarker(committee_id=committee.id, label=clean, position=len(existing) + 1)
    db.session.add(marker)
    db.session.flush()
    audit.record(
        "committee.item_marker_added",
        committee,
        f"Markeringen ”{clean}” tillagd i mallen för {committee.name}.",
        user=user,
        committee_id=committee.id,
    )
    return marker


def rename_marker(marker: ItemMarker, *, user: User, label: object) -> ItemMarker:
    committee = db.session.get_one(Committee, marker.committee_id)
    _lock(committee)
    clean = _name(label, field="label", label="Markeringen", max_length=MARKER_LENGTH)
    _check_unique_marker(committee, clean, excluding=marker)
    before = marker.label
    marker.label = clean
    db.session.flush()
    audit.record(
        "committee.item_marker_renamed",
        committee,
        f"Markeringen ”{before}” heter nu ”{clean}” i mallen för {committee.name}.",
        user=user,
        committee_id=committee.id,
        before={"label": before},
        after={"label": clean},
    )
    return marker


def remove_marker(marker: ItemMarker, *, user: User) -> None:
    """Remove a marker; the items that had it lose it (published versions keep it)."""
    committee = db.session.get_one(Committee, marker.committee_id)
    _lock(committee)
    label = marker.label
    db.session.execute(agenda_item_markers.delete().where(agenda_item_markers.c.marker_id == marker.id))
    rest = [other for other in markers_for(committee) if other.id != marker.id]
    db.session.delete(marker)
    for position, other in enumerate(rest, start=1):
        other.position = position
    db.session.flush()
    for item in db.session.identity_map.values():
        if isinstance(item, AgendaItem):
            db.session.expire(item, ["markers"])
    audit.record(
        "committee.item_marker_removed",
        committee,
        f"Markeringen ”{label}” borttagen ur mallen för {committee.name}.",
        user=user,
        committee_id=committee.id,
    )


def section_of(committee: Committee, section_id: object) -> AgendaSection | None:
    """The committee's section an item is placed under (None or "" for none); another committee's is refused."""
    if section_id in (None, ""):
        return None
    if isinstance(section_id, str) and section_id.strip().isdigit():
        section_id = int(section_id)
    if isinstance(section_id, bool) or not isinstance(section_id, int):
        raise ValidationError({"section": "Välj ett av nämndens avsnitt."})
    section = db.session.get(AgendaSection, section_id)
    if section is None or section.committee_id != committee.id:
        raise ValidationError({"section": f"Avsnittet finns inte bland {committee.name}s avsnitt."})
    return section


def markers_of(committee: Committee, marker_ids: object) -> list[ItemMarker]:
    """The committee's markers chosen for an item (ids); another committee's is refused."""
    if marker_ids in (None, ""):
        return []
    if not isinstance(marker_ids, list | tuple) or len(marker_ids) > MAX_MARKERS:
        raise ValidationError({"markers": "Markeringarna anges som en lista."})
    ids: list[int] = []
    for value in marker_ids:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError({"markers": "Välj bland nämndens markeringar."})
        if value not in ids:
            ids.append(value)
    own = {m.id: m for m in markers_for(committee)}
    if any(i not in own for i in ids):
        raise ValidationError({"markers": f"Markeringen finns inte bland {committee.name}s markeringar."})
    return sorted((own[i] for i in ids), key=lambda m: m.position)
