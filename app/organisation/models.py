"""Municipality, administration (förvaltning) and committee (nämnd)."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

#: The Huddinge style; see app.registry.numbering for the fields a format may use.
DEFAULT_NUMBER_FORMAT = "{prefix}-{year}/{serial}.{class}"


class Municipality(Model):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "Huddinge kommun"
    name: Mapped[str] = mapped_column(String(200))
    #: the address block printed in the footer of every document
    postal_address: Mapped[str] = mapped_column(String(300), default="")
    visiting_address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    web: Mapped[str] = mapped_column(String(200), default="")
    #: the format a new diarium starts with, e.g. "{prefix}-{year}/{serial}.{class}" (each diarium keeps its own)
    registration_number_format: Mapped[str] = mapped_column(String(100), default=DEFAULT_NUMBER_FORMAT)
    #: the organisationsnummer, written NNNNNN-NNNN (empty until the administrator gives it)
    organisation_number: Mapped[str] = mapped_column(String(11), default="")
    #: the logo (PNG or JPEG) in app.storage, by its key and sha256; none until one is uploaded
    logo_key: Mapped[str | None] = mapped_column(String(67))
    logo_sha256: Mapped[str | None] = mapped_column(String(64))
    logo_content_type: Mapped[str | None] = mapped_column(String(20))

    administrations: Mapped[list[Administration]] = relationship(back_populates="municipality")
    committees: Mapped[list[Committee]] = relationship(back_populates="municipality")
    # Its classification plan is the diarium's: app.registry.queries.classification_codes().

    def __repr__(self) -> str:
        return f"<Municipality {self.id}: {self.name}>"


class Administration(Model):
    """A förvaltning: the office that prepares a committee's cases."""

    __tablename__ = "administrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: e.g. "Social- och äldreomsorgsförvaltningen"
    name: Mapped[str] = mapped_column(String(200))
    #: the address block of the förvaltning; empty fields fall back to the municipality's
    postal_address: Mapped[str] = mapped_column(String(300), default="")
    visiting_address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    web: Mapped[str] = mapped_column(String(200), default="")

    municipality: Mapped[Municipality] = relationship(back_populates="administrations")
    committees: Mapped[list[Committee]] = relationship(back_populates="administration")

    def address_block(self) -> dict[str, str]:
        """Return the address printed on documents, the förvaltning's own before the municipality's."""
        m = self.municipality
        return {
            "postal_address": self.postal_address or m.postal_address,
            "visiting_address": self.visiting_address or m.visiting_address,
            "phone": self.phone or m.phone,
            "email": self.email or m.email,
            "web": self.web or m.web,
        }

    def __repr__(self) -> str:
        return f"<Administration {self.id}: {self.name}>"


class CommitteeKind(str, enum.Enum):
    """What kind of body a committee is."""

    #: a nämnd of the municipality, e.g. Socialnämnden
    committee = "committee"
    #: an utskott (e.g. an arbetsutskott): prepares matters for its parent committee, has its own meetings,
    #: agenda and members
    subcommittee = "subcommittee"
    #: a stadsdelsnämnd: a nämnd for part of a city
    district_committee = "district_committee"

    @property
    def label(self) -> str:
        return COMMITTEE_KIND_LABELS[self]


COMMITTEE_KIND_LABELS = {
    CommitteeKind.committee: "Nämnd",
    CommitteeKind.subcommittee: "Utskott",
    CommitteeKind.district_committee: "Stadsdelsnämnd",
}


class Committee(Model):
    """A nämnd, an utskott of one, or a stadsdelsnämnd, with its own diarium series."""

    __tablename__ = "committees"
    __table_args__ = (UniqueConstraint("municipality_id", "registry_prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    administration_id: Mapped[int] = mapped_column(ForeignKey("administrations.id"), index=True)
    #: e.g. "Socialnämnden"
    name: Mapped[str] = mapped_column(String(200))
    #: the diarium prefix and series, e.g. "SN"
    registry_prefix: Mapped[str] = mapped_column(String(10))
    #: days before a meeting the kallelse must be published (the committee's reglemente)
    notice_days: Mapped[int] = mapped_column(default=7)
    #: the diarium its new cases are registered in (app.registry.models.Diarium); an utskott uses its parent's
    diarium_id: Mapped[int | None] = mapped_column(ForeignKey("diaria.id"), index=True)
    #: whether the reviewer who approved a tjänsteutlåtande may also sign it (if they hold both roles)
    same_person_may_approve_and_sign: Mapped[bool] = mapped_column(default=False)
    #: förvaringsplats för protokollet, as the anslag states it (None: the förvaltning's name and visiting address)
    minutes_kept_at: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[CommitteeKind] = mapped_column(
        Enum(CommitteeKind, native_enum=False, length=20), default=CommitteeKind.committee
    )
    #: an utskott's parent committee (of the same municipality, and not itself an utskott)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)

    municipality: Mapped[Municipality] = relationship(back_populates="committees")
    administration: Mapped[Administration] = relationship(back_populates="committees")
    parent: Mapped[Committee | None] = relationship(remote_side=[id], back_populates="subcommittees")
    subcommittees: Mapped[list[Committee]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Committee {self.id}: {self.registry_prefix} {self.name}>"
