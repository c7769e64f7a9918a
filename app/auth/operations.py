"""Accounts: authenticate, create users, API tokens, passwords. Flush, never commit."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app import audit
from app.auth.models import ApiToken, CommitteeRole, Role, User, hash_token
from app.clock import utcnow
from app.extensions import db
from app.organisation.models import Committee
from app.validation import ValidationError, clean_text

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


def check_password_strength(password: str, *, field: str = "password") -> None:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise ValidationError({field: f"Lösenordet måste ha minst {PASSWORD_MIN} tecken."})
    if len(password) > 200:
        raise ValidationError({field: "Lösenordet får ha högst 200 tecken."})


def create_user(*, email, name, password, title="", phone="", actor: User | None = None) -> User:
    email = clean_text(email, field="email", label="E-post", max_length=200).lower()
    if "@" not in email or " " in email:
        raise ValidationError({"email": "Ange en giltig e-postadress."})
    if find_user_by_email(email):
        raise ValidationError({"email": f"Det finns redan en användare med e-post {email}."})
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
    audit.record("role.granted", user, f"{user.name} fick rollen {role.label} i {committee.name}.",
                 user=actor, committee_id=committee.id, after={"role": role.value})
    return grant


def change_password(user: User, *, current: str, new: str, repeat: str) -> None:
    if not user.check_password(current or ""):
        raise ValidationError({"current_password": "Nuvarande lösenord stämmer inte."})
    check_password_strength(new, field="new_password")
    if new != repeat:
        raise ValidationError({"repeat_password": "Lösenorden är inte lika."})
    user.set_password(new, method=_hash_method())
    audit.record("user.password_changed", user, f"{user.name} bytte lösenord.", user=user)


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


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_dt.is_(None))
    )
    if row is None or not row.user.is_active:
        return None
    return row.user
