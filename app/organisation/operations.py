"""Operations on the municipality and its organisation: validate, change, write an audit row; never commit."""

from __future__ import annotations

import re
import struct

from sqlalchemy import func, select

from app import audit
from app.extensions import db
from app.organisation.models import Administration, Committee, CommitteeKind, Municipality
from app.storage import get_storage
from app.validation import ValidationError, clean_text

#: the largest logo accepted
LOGO_MAX_BYTES = 2 * 1024 * 1024
#: the largest logo's side, in pixels
LOGO_MAX_SIDE = 10_000
PNG = "image/png"
JPEG = "image/jpeg"
LOGO_TYPES = {PNG: "png", JPEG: "jpg"}

_ORGANISATION_NUMBER = re.compile(r"(\d{6})-?(\d{4})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_WEB = re.compile(
    r"(https?://)?[a-z0-9åäö]([a-z0-9åäö-]*[a-z0-9åäö])?(\.[a-z0-9åäö]([a-z0-9åäö-]*[a-z0-9åäö])?)+(:\d{1,5})?(/\S*)?",
    re.I,
)


def luhn_ok(digits: str) -> bool:
    """Answer whether the digits' last one is their Luhn check digit (as in person- and organisationsnummer)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def clean_organisation_number(value, *, field: str = "organisation_number") -> str:
    """Return an organisationsnummer as NNNNNN-NNNN (or "" when none is given), refusing a malformed one or one
    whose check digit is wrong."""
    text = clean_text(value, field=field, label="Organisationsnummer", max_length=20, required=False)
    if not text:
        return ""
    match = _ORGANISATION_NUMBER.fullmatch(text.replace(" ", ""))
    if match is None:
        raise ValidationError({field: "Organisationsnumret skrivs med tio siffror, NNNNNN-NNNN, t.ex. 212000-0142."})
    if not luhn_ok(match[1] + match[2]):
        raise ValidationError({field: "Organisationsnumret är inte giltigt: kontrollsiffran stämmer inte."})
    return f"{match[1]}-{match[2]}"


def clean_email(value, *, field: str = "email", label: str = "E-post") -> str:
    text = clean_text(value, field=field, label=label, max_length=200, required=False)
    if text and not _EMAIL.fullmatch(text):
        raise ValidationError({field: "Ange en giltig e-postadress, t.ex. kommun@kommun.se."})
    return text


def clean_web(value, *, field: str = "web") -> str:
    text = clean_text(value, field=field, label="Webbadress", max_length=200, required=False)
    if text and not _WEB.fullmatch(text):
        raise ValidationError({field: "Ange en giltig webbadress, t.ex. www.kommun.se eller https://www.kommun.se."})
    return text


#: the address block's fields, as a municipality and a förvaltning have them
ADDRESS_CHECKS = {
    "postal_address": lambda v: clean_text(
        v, field="postal_address", label="Postadress", max_length=300, required=False
    ),
    "visiting_address": lambda v: clean_text(
        v, field="visiting_address", label="Besöksadress", max_length=300, required=False
    ),
    "phone": lambda v: clean_text(v, field="phone", label="Telefon", max_length=50, required=False),
    "email": clean_email,
    "web": clean_web,
}


def _cleaned(values: dict, checks: dict) -> dict:
    """Run the check of every given field, collecting every error before refusing."""
    errors: dict[str, str] = {}
    cleaned = {}
    for key, check in checks.items():
        if key not in values:
            continue
        try:
            cleaned[key] = check(values[key])
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


MUNICIPALITY_FIELDS = (
    "name",
    "organisation_number",
    "postal_address",
    "visiting_address",
    "phone",
    "email",
    "web",
)


def _municipality_snapshot(m: Municipality) -> dict:
    return {key: getattr(m, key) for key in MUNICIPALITY_FIELDS}


def create_municipality(*, user, name, organisation_number="") -> Municipality:
    """Create a municipality (a new installation's, by ``flask setup``); its other details are set afterwards."""
    cleaned = _cleaned(
        {"name": name, "organisation_number": organisation_number},
        {
            "name": lambda v: clean_text(v, field="name", label="Namn", max_length=200),
            "organisation_number": clean_organisation_number,
        },
    )
    municipality = Municipality(**cleaned)
    db.session.add(municipality)
    db.session.flush()
    audit.record(
        "municipality.created",
        municipality,
        f"Kommunen {municipality.name} skapad.",
        user=user,
        after=_municipality_snapshot(municipality),
    )
    return municipality


def update_municipality(municipality: Municipality, *, user, values: dict) -> Municipality:
    """Change the municipality's details named in ``values``; every value is checked before any is stored."""
    unknown = set(values) - set(MUNICIPALITY_FIELDS)
    if unknown:
        raise ValueError(f"unknown municipality fields: {sorted(unknown)}")
    checks = {
        "name": lambda v: clean_text(v, field="name", label="Namn", max_length=200),
        "organisation_number": clean_organisation_number,
        **ADDRESS_CHECKS,
    }
    cleaned = _cleaned(values, checks)
    before = _municipality_snapshot(municipality)
    for key, value in cleaned.items():
        setattr(municipality, key, value)
    db.session.flush()
    old, new = audit.changes(before, _municipality_snapshot(municipality))
    if new:
        audit.record(
            "municipality.updated",
            municipality,
            f"Uppgifterna om {municipality.name} ändrade.",
            user=user,
            before=old,
            after=new,
        )
    return municipality


# --- the logo ---


def _png_size(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 33 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Read a JPEG's size from its first frame header (SOFn), walking its segments."""
    if not data.startswith(b"\xff\xd8\xff"):
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if length < 2:
            return None
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if i + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def sniff_logo(data: bytes, *, field: str = "logo") -> str:
    """Return the logo's type, judged by its content (never its name): a PNG or a JPEG of sensible size."""
    if not data:
        raise ValidationError({field: "Välj en bildfil med kommunens logotyp."})
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError({field: f"Logotypen får vara högst {LOGO_MAX_BYTES // (1024 * 1024)} MB."})
    for content_type, size in ((PNG, _png_size(data)), (JPEG, _jpeg_size(data))):
        if size is None:
            continue
        width, height = size
        if not (0 < width <= LOGO_MAX_SIDE and 0 < height <= LOGO_MAX_SIDE):
            raise ValidationError(
                {field: f"Logotypen måste vara mellan 1 och {LOGO_MAX_SIDE} bildpunkter bred och hög."}
            )
        return content_type
    raise ValidationError({field: "Logotypen måste vara en PNG- eller JPEG-bild."})


def set_logo(municipality: Municipality, data: bytes, *, user) -> Municipality:
    """Store the uploaded logo (checked by its content) and make it the municipality's."""
    content_type = sniff_logo(data)
    stored = get_storage().save(data)
    before = {"logo_sha256": municipality.logo_sha256}
    municipality.logo_key, municipality.logo_sha256, municipality.logo_content_type = (
        stored.key,
        stored.sha256,
        content_type,
    )
    db.session.flush()
    audit.record(
        "municipality.logo_set",
        municipality,
        f"Ny logotyp för {municipality.name}.",
        user=user,
        before=before,
        after={"logo_sha256": stored.sha256, "logo_content_type": content_type},
    )
    return municipality


def remove_logo(municipality: Municipality, *, user) -> bool:
    """Take the logo away (the stored file stays: files are shared by content); False if there was none."""
    if municipality.logo_key is None:
        return False
    before = {"logo_sha256": municipality.logo_sha256}
    municipality.logo_key = municipality.logo_sha256 = municipality.logo_content_type = None
    db.session.flush()
    audit.record(
        "municipality.logo_removed",
        municipality,
        f"Logotypen för {municipality.name} borttagen.",
        user=user,
        before=before,
    )
    return True


# --- förvaltningar ---

ADMINISTRATION_FIELDS = ("name", "postal_address", "visiting_address", "phone", "email", "web")


def _administration_snapshot(a: Administration) -> dict:
    return {key: getattr(a, key) for key in ADMINISTRATION_FIELDS}


def _clean_administration(municipality: Municipality, values: dict, *, own: Administration | None = None) -> dict:
    def name(value):
        text = clean_text(value, field="name", label="Namn", max_length=200)
        taken = db.session.scalar(
            select(Administration.id).where(
                Administration.municipality_id == municipality.id,
                func.lower(Administration.name) == text.lower(),
                Administration.id != (own.id if own is not None else -1),
            )
        )
        if taken is not None:
            raise ValidationError({"name": f"Det finns redan en förvaltning som heter {text}."})
        return text

    unknown = set(values) - set(ADMINISTRATION_FIELDS)
    if unknown:
        raise ValueError(f"unknown administration fields: {sorted(unknown)}")
    return _cleaned(values, {"name": name, **ADDRESS_CHECKS})


def create_administration(municipality: Municipality, *, user, values: dict) -> Administration:
    """Add a förvaltning; the fields of its address block left empty fall back to the municipality's."""
    if "name" not in values:
        values = {**values, "name": ""}
    cleaned = _clean_administration(municipality, values)
    administration = Administration(municipality=municipality, **{k: cleaned.get(k, "") for k in ADMINISTRATION_FIELDS})
    db.session.add(administration)
    db.session.flush()
    audit.record(
        "administration.created",
        administration,
        f"Förvaltningen {administration.name} skapad.",
        user=user,
        after=_administration_snapshot(administration),
    )
    return administration


def update_administration(administration: Administration, *, user, values: dict) -> Administration:
    cleaned = _clean_administration(administration.municipality, values, own=administration)
    before = _administration_snapshot(administration)
    for key, value in cleaned.items():
        setattr(administration, key, value)
    db.session.flush()
    old, new = audit.changes(before, _administration_snapshot(administration))
    if new:
        audit.record(
            "administration.updated",
            administration,
            f"Förvaltningen {administration.name} ändrad.",
            user=user,
            before=old,
            after=new,
        )
    return administration


# --- nämnder, utskott and stadsdelsnämnder ---

COMMITTEE_FIELDS = (
    "name",
    "kind",
    "administration_id",
    "registry_prefix",
    "notice_days",
    "parent_id",
    "minutes_kept_at",
)
KEPT_AT_MAX = 300
_PREFIX = re.compile(r"[A-ZÅÄÖ0-9]{1,10}")
NOTICE_DAYS_MAX = 60


def _committee_snapshot(c: Committee) -> dict:
    return {
        "name": c.name,
        "kind": c.kind.value if c.kind is not None else None,
        "administration_id": c.administration_id,
        "registry_prefix": c.registry_prefix,
        "notice_days": c.notice_days,
        "parent_id": c.parent_id,
        "minutes_kept_at": c.minutes_kept_at,
    }


def _clean_committee(municipality: Municipality, values: dict, *, own: Committee | None = None) -> dict:
    """Check the committee's fields given in ``values`` (with ``own``'s for those not given), every error
    collected; return the clean values, the administration and parent as rows."""
    unknown = set(values) - set(COMMITTEE_FIELDS)
    if unknown:
        raise ValueError(f"unknown committee fields: {sorted(unknown)}")
    own_id = own.id if own is not None else -1

    def name(value):
        text = clean_text(value, field="name", label="Namn", max_length=200)
        taken = db.session.scalar(
            select(Committee.id).where(
                Committee.municipality_id == municipality.id,
                func.lower(Committee.name) == text.lower(),
                Committee.id != own_id,
            )
        )
        if taken is not None:
            raise ValidationError({"name": f"Det finns redan en nämnd som heter {text}."})
        return text

    def kind(value):
        if isinstance(value, CommitteeKind):
            return value
        try:
            return CommitteeKind(value)
        except ValueError:
            raise ValidationError({"kind": "Välj nämnd, utskott eller stadsdelsnämnd."}) from None

    def administration(value):
        found = db.session.get(Administration, value) if isinstance(value, int) else None
        if found is None:
            raise ValidationError({"administration_id": "Välj en förvaltning."})
        if found.municipality_id != municipality.id:
            raise ValidationError({"administration_id": "Förvaltningen hör till en annan kommun."})
        return found

    def prefix(value):
        text = clean_text(value, field="registry_prefix", label="Diarieserie", max_length=10).upper()
        if not _PREFIX.fullmatch(text):
            raise ValidationError(
                {"registry_prefix": "Diarieserien skrivs med högst tio versaler och siffror, t.ex. SN eller KSAU."}
            )
        holder = db.session.scalar(
            select(Committee).where(
                Committee.municipality_id == municipality.id,
                Committee.registry_prefix == text,
                Committee.id != own_id,
            )
        )
        if holder is not None:
            raise ValidationError({"registry_prefix": f"Diarieserien {text} används redan av {holder.name}."})
        return text

    def notice_days(value):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= NOTICE_DAYS_MAX:
            raise ValidationError(
                {"notice_days": f"Ange antal dagar före sammanträdet som ett heltal mellan 0 och {NOTICE_DAYS_MAX}."}
            )
        return value

    def parent(value):
        if value is None:
            return None
        found = db.session.get(Committee, value) if isinstance(value, int) else None
        if found is None:
            raise ValidationError({"parent_id": "Nämnden som utskottet hör till finns inte."})
        return found

    def kept_at(value):
        text = clean_text(
            value,
            field="minutes_kept_at",
            label="Förvaringsplats för protokollen",
            max_length=KEPT_AT_MAX,
            required=False,
        )
        return text or None

    checks = {
        "minutes_kept_at": kept_at,
        "name": name,
        "kind": kind,
        "administration_id": administration,
        "registry_prefix": prefix,
        "notice_days": notice_days,
        "parent_id": parent,
    }
    cleaned = _cleaned(values, checks)
    # The rules between the fields, on the committee as it would be.
    chosen_kind = cleaned.get("kind", own.kind if own is not None else CommitteeKind.committee)
    chosen_parent = cleaned.get("parent_id", own.parent if own is not None else None)
    if chosen_kind is not CommitteeKind.subcommittee and "parent_id" not in values and chosen_parent is not None:
        cleaned["parent_id"] = chosen_parent = None  # an utskott made a nämnd leaves its parent
    if chosen_kind is CommitteeKind.subcommittee:
        if chosen_parent is None:
            raise ValidationError({"parent_id": "Ett utskott hör till en nämnd: välj vilken."})
        if chosen_parent.municipality_id != municipality.id:
            raise ValidationError({"parent_id": "Nämnden som utskottet hör till finns i en annan kommun."})
        if chosen_parent.id == own_id:
            raise ValidationError({"parent_id": "Ett utskott kan inte höra till sig självt."})
        if chosen_parent.kind is CommitteeKind.subcommittee:
            raise ValidationError({"parent_id": "Ett utskott kan inte höra till ett annat utskott."})
        if own is not None and own.subcommittees:
            raise ValidationError({"kind": f"{own.name} har egna utskott och kan inte själv bli ett utskott."})
    elif chosen_parent is not None:
        raise ValidationError({"parent_id": "Bara ett utskott hör till en annan nämnd."})
    return cleaned


def create_committee(municipality: Municipality, *, user, values: dict) -> Committee:
    """Add a nämnd, utskott or stadsdelsnämnd; its meeting template starts as every new committee's does."""
    required = {"name": "", "administration_id": None, "registry_prefix": ""}
    cleaned = _clean_committee(municipality, {**required, "kind": CommitteeKind.committee, **values})
    committee = Committee(
        municipality=municipality,
        name=cleaned["name"],
        kind=cleaned["kind"],
        administration=cleaned["administration_id"],
        registry_prefix=cleaned["registry_prefix"],
        notice_days=cleaned.get("notice_days", 7),
        parent=cleaned.get("parent_id"),
        minutes_kept_at=cleaned.get("minutes_kept_at"),
    )
    db.session.add(committee)
    db.session.flush()
    audit.record(
        "committee.created",
        committee,
        f"{committee.kind.label} {committee.name} skapad.",
        user=user,
        committee_id=committee.id,
        after=_committee_snapshot(committee),
    )
    return committee


def update_committee(committee: Committee, *, user, values: dict) -> Committee:
    """Change the committee's fields named in ``values`` (a null parent_id takes an utskott's parent away)."""
    cleaned = _clean_committee(committee.municipality, values, own=committee)
    before = _committee_snapshot(committee)
    for key, value in cleaned.items():
        if key == "administration_id":
            committee.administration = value
        elif key == "parent_id":
            committee.parent = value
        else:
            setattr(committee, key, value)
    db.session.flush()
    old, new = audit.changes(before, _committee_snapshot(committee))
    if new:
        audit.record(
            "committee.updated",
            committee,
            f"{committee.kind.label} {committee.name} ändrad.",
            user=user,
            committee_id=committee.id,
            before=old,
            after=new,
        )
    return committee
