"""The extra report sections a municipality configures (e.g. Barnrättsperspektiv)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select

from app import audit
from app.auth.models import User
from app.extensions import db
from app.organisation.models import Municipality
from app.validation import ValidationError, clean_text
from workflows.content import STANDARD_SECTIONS
from workflows.models import ReportSectionDefinition

_STANDARD_TITLES = {title.casefold() for _key, title, _required in STANDARD_SECTIONS}


def _key_for(title: str, taken: set[str]) -> str:
    """A stable ASCII key for a heading: "Barnrättsperspektiv" → "barnrattsperspektiv"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", "_", ascii_title.lower()).strip("_")[:32] or "avsnitt"
    key, n = base, 2
    while key in taken or key in {k for k, _t, _r in STANDARD_SECTIONS}:
        key, n = f"{base}_{n}", n + 1
    return key


def _clean_title(municipality: Municipality, title: object, *, own: ReportSectionDefinition | None = None) -> str:
    title = clean_text(title, field="title", label="Rubrik", max_length=100)
    if title.casefold() in _STANDARD_TITLES:
        raise ValidationError({"title": f"”{title}” finns redan i alla tjänsteutlåtanden."})
    clash = db.session.scalar(
        select(ReportSectionDefinition).where(
            ReportSectionDefinition.municipality_id == municipality.id,
            func.lower(ReportSectionDefinition.title) == title.lower(),
        )
    )
    if clash is not None and clash is not own:
        raise ValidationError({"title": f"Avsnittet ”{title}” finns redan."})
    return title


def add_section(
    municipality: Municipality, *, user: User | None, title: object, is_required: bool
) -> ReportSectionDefinition:
    """Add a section to every tjänsteutlåtande of the municipality, after the standard ones."""
    title = _clean_title(municipality, title)
    existing = list(
        db.session.scalars(
            select(ReportSectionDefinition).where(ReportSectionDefinition.municipality_id == municipality.id)
        )
    )
    item = ReportSectionDefinition(
        municipality=municipality,
        key=_key_for(title, {s.key for s in existing}),
        title=title,
        is_required=bool(is_required),
        position=max((s.position for s in existing), default=0) + 1,
        is_active=True,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        "report_section.added",
        item,
        f"Avsnittet ”{title}” lades till i tjänsteutlåtandena.",
        user=user,
        after={"key": item.key, "title": title, "is_required": item.is_required},
    )
    return item


def update_section(
    item: ReportSectionDefinition, *, user: User, title: object, is_required: bool, is_active: bool
) -> None:
    """Rename a section, make it required or optional, or stop offering it (old reports keep their text)."""
    before = {"title": item.title, "is_required": item.is_required, "is_active": item.is_active}
    item.title = _clean_title(item.municipality, title, own=item)
    item.is_required = bool(is_required)
    item.is_active = bool(is_active)
    old, new = audit.changes(
        before, {"title": item.title, "is_required": item.is_required, "is_active": item.is_active}
    )
    if new:
        audit.record(
            "report_section.updated", item, f"Avsnittet ”{item.title}” ändrades.", user=user, before=old, after=new
        )
