"""Accounts: authenticate, create users, API tokens, passwords. Flush, never commit."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from app import audit
from app.auth.models import ApiToken, CommitteeRole, MunicipalityRole, MunicipalRole, Role, User, hash_token
from app.clock import utcnow
from app.extensions import db, separate_transaction
from app.organisation.models import Committee, Municipality
from app.validation import ConflictError, ValidationError, clean_text

PASSWORD_MIN = 10
#: a hash to compare against when the user does not exist, so timing does not tell
_DUMMY_HASH: str | None = None


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """Return the enabled user with this e-mail and password, or None."""
    global _DUMMY_HASH
    user = find_user_by_email(email)
    if user is None or not user.is_enabled:
        if _DUMMY_HASH is None:
            from werkzeug.security import generate_password_hash

            _DUMMY_HASH = generate_password_hash("not a password", method=_hash_method())
        from werkzeug.security import check_password_hash

        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password or ""):
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_dt = utcnow()
    audit.record("user.logged_in", user, f"{user.name} loggade in.", user=user)


def record_logout(user: User) -> None:
    """Log the user out: every session of theirs ends, this browser's and any copy of its cookie."""
    user.end_sessions()
    audit.record("user.logged_out", user, f"{user.name} loggade ut.", user=user)


def end_sessions(user: User, *, actor: User) -> None:
    """Log the user out on every device (an admin's action; API tokens are revoked on their own)."""
    user.end_sessions()
    audit.record("user.sessions_ended", user, f"{actor.name} loggade ut {user.name} från alla enheter.", user=actor)


def check_password_strength(password: str, *, field: str = "password") -> None:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise ValidationError({field: f"Lösenordet måste ha minst {PASSWORD_MIN} tecken."})
    if len(password) > 200:
        raise ValidationError({field: "Lösenordet får ha högst 200 tecken."})


def create_user(*, email, name, password, title="", phone="", actor: User | None = None) -> User:
    """Create an enabled user account (log-in name: the e-mail, lower-cased)."""
    email = _clean_email(email)
    check_password_strength(password)
    user = User(
        email=email,
        name=clean_text(name, field="name", label="Namn", max_length=200),
        title=clean_text(title, field="title", label="Titel", max_length=200, required=False),
        phone=clean_text(phone, field="phone", label="Telefon", max_length=50, required=False),
    )
    user.set_password(password, method=_hash_method())
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, f"Användare {user.name} ({email}) skapad.", user=actor)
    return user


def grant_role(user: User, committee: Committee, role: Role, *, actor: User | None = None) -> CommitteeRole:
    existing = next((r for r in user.roles if r.committee_id == committee.id and r.role is role), None)
    if existing:
        return existing
    grant = CommitteeRole(user=user, committee=committee, role=role)
    db.session.add(grant)
    db.session.flush()
    audit.record(
        "role.granted",
        user,
        f"{user.name} fick rollen {role.label} i {committee.name}.",
        user=actor,
        committee_id=committee.id,
        after={"role": role.value},
    )
    return grant


def change_password(user: User, *, current: str, new: str, repeat: str) -> None:
    if not user.check_password(current or ""):
        raise ValidationError({"current_password": "Nuvarande lösenord stämmer inte."})
    check_password_strength(new, field="new_password")
    if new != repeat:
        raise ValidationError({"repeat_password": "Lösenorden är inte lika."})
    user.set_password(new, method=_hash_method())
    user.end_sessions()  # the caller logs the current browser in again
    audit.record("user.password_changed", user, f"{user.name} bytte lösenord.", user=user)


def set_email_meeting_notices(user: User, wanted: bool, *, actor: User) -> bool:
    """Choose whether the notices of published kallelser also come by e-mail; say whether anything changed."""
    wanted = bool(wanted)
    if user.email_meeting_notices == wanted:
        return False
    user.email_meeting_notices = wanted
    db.session.flush()
    audit.record(
        "user.notice_email_changed",
        user,
        f"{user.name} får kallelser {'även som e-post' if wanted else 'bara i Nämndflöde, inte som e-post'}.",
        user=actor,
        before={"email_meeting_notices": not wanted},
        after={"email_meeting_notices": wanted},
    )
    return True


def create_token(user: User, name, *, token: str | None = None) -> tuple[ApiToken, str]:
    """Create a personal API token; return the row and the token itself (shown only once)."""
    name = clean_text(name, field="name", label="Namn på nyckeln", max_length=100)
    active = [t for t in user.api_tokens if not t.is_revoked]
    if len(active) >= 20:
        raise ValidationError({"name": "Du har redan 20 aktiva API-nycklar; återkalla någon först."})
    token = token or ApiToken.generate()
    row = ApiToken(user=user, name=name, token_hash=hash_token(token), display_prefix=token[:10])
    db.session.add(row)
    db.session.flush()
    audit.record("token.created", row, f"{user.name} skapade API-nyckeln ”{name}”.", user=user)
    return row, token


def revoke_token(row: ApiToken, *, user: User) -> None:
    if row.is_revoked:
        return
    row.revoked_dt = utcnow()
    audit.record("token.revoked", row, f"{user.name} återkallade API-nyckeln ”{row.name}”.", user=user)


#: how stale a token's "last used" may get before it is written again
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def user_for_token(token: str) -> User | None:
    """Return the enabled user of an unrevoked token, noting when the token was last used.

    The look-up and the note share one short transaction of their own, taken before the
    request's session starts one (on SQLite a writing request would otherwise hold the
    lock the note needs).
    """
    now = utcnow()
    with separate_transaction() as session:
        row = session.execute(
            select(ApiToken.id, ApiToken.user_id, ApiToken.last_used_dt).where(
                ApiToken.token_hash == hash_token(token), ApiToken.revoked_dt.is_(None)
            )
        ).first()
        if row is None:
            return None
        if row.last_used_dt is None or now - row.last_used_dt > TOKEN_TOUCH_INTERVAL:
            session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_dt=now))
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


# --- administration of users by an admin ---

LAST_ADMIN = "Nämnden måste ha minst en administratör."
LAST_MUNICIPALITY_ADMIN = "Kommunen måste ha minst en kommunadministratör."


def _user_snapshot(user: User) -> dict:
    return {"email": user.email, "name": user.name, "title": user.title, "phone": user.phone}


def _clean_email(email, *, owner: User | None = None) -> str:
    """Return the e-mail lower-cased, refusing a malformed one or one another user has."""
    email = clean_text(email, field="email", label="E-post", max_length=200).lower()
    if "@" not in email or " " in email:
        raise ValidationError({"email": "Ange en giltig e-postadress."})
    other = find_user_by_email(email)
    if other is not None and other is not owner:
        raise ValidationError({"email": f"Det finns redan en användare med e-post {email}."})
    return email


def update_user(user: User, *, email, name, title="", phone="", actor: User | None = None) -> User:
    """Change a user's e-mail, name, title and phone, recording what changed."""
    before = _user_snapshot(user)
    errors: dict[str, str] = {}
    cleaned = {}
    checks = {
        "email": lambda: _clean_email(email, owner=user),
        "name": lambda: clean_text(name, field="name", label="Namn", max_length=200),
        "title": lambda: clean_text(title, field="title", label="Titel", max_length=200, required=False),
        "phone": lambda: clean_text(phone, field="phone", label="Telefon", max_length=50, required=False),
    }
    for key, check in checks.items():
        try:
            cleaned[key] = check()
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    for key, value in cleaned.items():
        setattr(user, key, value)
    db.session.flush()
    old, new = audit.changes(before, _user_snapshot(user))
    if new:
        audit.record("user.updated", user, f"Uppgifterna för {user.name} ändrade.", user=actor, before=old, after=new)
    return user


def _other_enabled_admins(committee_id: int, user: User) -> int:
    """Count the enabled admins of a committee other than ``user``.

    The committee row is locked first (PostgreSQL; SQLite's writing transactions are
    serial anyway), so two admins removing each other at once cannot both succeed.
    """
    db.session.execute(select(Committee.id).where(Committee.id == committee_id).with_for_update())
    return db.session.scalar(
        select(func.count())
        .select_from(CommitteeRole)
        .join(User, User.id == CommitteeRole.user_id)
        .where(
            CommitteeRole.committee_id == committee_id,
            CommitteeRole.role == Role.admin,
            CommitteeRole.user_id != user.id,
            User.is_enabled.is_(True),
        )
    )


def revoke_role(user: User, committee: Committee, role: Role, *, actor: User | None = None) -> bool:
    """Take a role away from a user in a committee; answer False if they did not have it."""
    grant = next((r for r in user.roles if r.committee_id == committee.id and r.role is role), None)
    if grant is None:
        return False
    if role is Role.admin and not _other_enabled_admins(committee.id, user):
        raise ConflictError(LAST_ADMIN)
    user.roles.remove(grant)
    db.session.flush()
    audit.record(
        "role.revoked",
        user,
        f"Rollen {role.label} i {committee.name} togs bort från {user.name}.",
        user=actor,
        committee_id=committee.id,
        before={"role": role.value},
    )
    return True


def set_password_by_admin(user: User, password: str, *, actor: User) -> None:
    """Give a user a new password chosen by an administrator (the audit names who, never the password)."""
    check_password_strength(password)
    user.set_password(password, method=_hash_method())
    user.end_sessions()
    audit.record("user.password_reset", user, f"{actor.name} satte ett nytt lösenord för {user.name}.", user=actor)


def set_enabled(user: User, enabled: bool, *, actor: User) -> None:
    """Enable or disable an account; a disabled user can neither log in nor use API tokens."""
    enabled = bool(enabled)
    if user.is_enabled == enabled:
        return
    if not enabled:
        if user.id == actor.id:
            raise ConflictError("Du kan inte inaktivera ditt eget konto.")
        if any(r.role is Role.admin and not _other_enabled_admins(r.committee_id, user) for r in user.roles):
            raise ConflictError(LAST_ADMIN)
        if any(
            r.role is MunicipalRole.admin and not _other_enabled_municipality_admins(r.municipality_id, user)
            for r in user.municipality_roles
        ):
            raise ConflictError(LAST_MUNICIPALITY_ADMIN)
    user.is_enabled = enabled
    db.session.flush()
    what, verb = ("user.enabled", "aktiverade") if enabled else ("user.disabled", "inaktiverade")
    audit.record(
        what,
        user,
        f"{actor.name} {verb} kontot för {user.name}.",
        user=actor,
        before={"is_enabled": not enabled},
        after={"is_enabled": enabled},
    )


# --- roles held in the municipality ---


def _other_enabled_municipality_admins(municipality_id: int, user: User) -> int:
    """Count the enabled administrators of a municipality other than ``user`` (its row locked first, as above)."""
    db.session.execute(select(Municipality.id).where(Municipality.id == municipality_id).with_for_update())
    return db.session.scalar(
        select(func.count())
        .select_from(MunicipalityRole)
        .join(User, User.id == MunicipalityRole.user_id)
        .where(
            MunicipalityRole.municipality_id == municipality_id,
            MunicipalityRole.role == MunicipalRole.admin,
            MunicipalityRole.user_id != user.id,
            User.is_enabled.is_(True),
        )
    )


def grant_municipal_role(
    user: User, municipality: Municipality, role: MunicipalRole = MunicipalRole.admin, *, actor: User | None = None
) -> MunicipalityRole:
    """Give ``user`` a role in the municipality as a whole; a role already held changes nothing."""
    existing = next(
        (r for r in user.municipality_roles if r.municipality_id == municipality.id and r.role is role), None
    )
    if existing:
        return existing
    grant = MunicipalityRole(user=user, municipality=municipality, role=role)
    db.session.add(grant)
    db.session.flush()
    audit.record(
        "municipality_role.granted",
        user,
        f"{user.name} fick rollen {role.label} i {municipality.name}.",
        user=actor,
        after={"role": role.value, "municipality_id": municipality.id},
    )
    return grant


def revoke_municipal_role(
    user: User, municipality: Municipality, role: MunicipalRole = MunicipalRole.admin, *, actor: User | None = None
) -> bool:
    """Take a municipality role away; answer False if they did not have it. The last administrator stays."""
    grant = next((r for r in user.municipality_roles if r.municipality_id == municipality.id and r.role is role), None)
    if grant is None:
        return False
    if role is MunicipalRole.admin and not _other_enabled_municipality_admins(municipality.id, user):
        raise ConflictError(LAST_MUNICIPALITY_ADMIN)
    user.municipality_roles.remove(grant)
    db.session.flush()
    audit.record(
        "municipality_role.revoked",
        user,
        f"Rollen {role.label} i {municipality.name} togs bort från {user.name}.",
        user=actor,
        before={"role": role.value, "municipality_id": municipality.id},
    )
    return True
