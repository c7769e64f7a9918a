"""User accounts, roles per committee and in the municipality, and personal API tokens."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.db_types import UTCDateTime, utcnow
from app.extensions import Model, db
from app.organisation.models import Committee, Municipality


class Role(str, enum.Enum):
    """What a user may do in one committee."""

    case_officer = "case_officer"
    reviewer = "reviewer"
    approver = "approver"
    secretary = "secretary"
    registrar = "registrar"
    member = "member"
    admin = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.case_officer: "Handläggare",
    Role.reviewer: "Granskare",
    Role.approver: "Undertecknare",
    Role.secretary: "Nämndsekreterare",
    Role.registrar: "Registrator",
    Role.member: "Ledamot",
    Role.admin: "Administratör",
}


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the log-in name; stored lower-case
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: e.g. "Socialdirektör", printed under signatures
    title: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: part of every log-in session; raising it ends the sessions made before (app.auth.login)
    session_version: Mapped[int] = mapped_column(default=0)
    #: whether the notice of a published or corrected kallelse also comes by e-mail (the user's choice on their
    #: profile); it shows under Utkorg either way
    email_meeting_notices: Mapped[bool] = mapped_column(default=True)

    roles: Mapped[list[CommitteeRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    municipality_roles: Mapped[list[MunicipalityRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    api_tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    def get_id(self) -> str:
        """What a log-in session stores: the id and the session version it was made with."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """End every log-in session of this user (they no longer match the new version)."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def roles_in(self, committee_id: int) -> set[Role]:
        return {r.role for r in self.roles if r.committee_id == committee_id}

    @property
    def committee_ids(self) -> set[int]:
        return {r.committee_id for r in self.roles}

    def committees(self) -> list[Committee]:
        if not self.committee_ids:
            return []
        return list(
            db.session.scalars(select(Committee).where(Committee.id.in_(self.committee_ids)).order_by(Committee.name))
        )

    def __repr__(self) -> str:
        return f"<User {self.id}: {self.email}>"


class CommitteeRole(Model):
    """One role of one user in one committee."""

    __tablename__ = "committee_roles"
    __table_args__ = (UniqueConstraint("user_id", "committee_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))

    user: Mapped[User] = relationship(back_populates="roles")
    committee: Mapped[Committee] = relationship()

    def __repr__(self) -> str:
        return f"<CommitteeRole user={self.user_id} committee={self.committee_id} {self.role.value}>"


class MunicipalRole(str, enum.Enum):
    """What a user may do in the municipality as a whole, whatever their roles in its committees."""

    #: administers the municipality: its details, organisation, committees, diaria, classification plan,
    #: templates and its users and their roles
    admin = "admin"

    @property
    def label(self) -> str:
        return MUNICIPAL_ROLE_LABELS[self]


MUNICIPAL_ROLE_LABELS = {MunicipalRole.admin: "Kommunadministratör"}


class MunicipalityRole(Model):
    """One role of one user in one municipality (not in one of its committees)."""

    __tablename__ = "municipality_roles"
    __table_args__ = (UniqueConstraint("user_id", "municipality_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    role: Mapped[MunicipalRole] = mapped_column(Enum(MunicipalRole, native_enum=False, length=20))

    user: Mapped[User] = relationship(back_populates="municipality_roles")
    municipality: Mapped[Municipality] = relationship()

    def __repr__(self) -> str:
        return f"<MunicipalityRole user={self.user_id} municipality={self.municipality_id} {self.role.value}>"


TOKEN_PREFIX = "nf_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiToken(Model):
    """A personal API token; only its sha256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: what the user calls it, e.g. "Skript för diarieutdrag"
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters, so the user can tell tokens apart
    display_prefix: Mapped[str] = mapped_column(String(16))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="api_tokens")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_dt is not None

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id} {self.display_prefix}…>"
