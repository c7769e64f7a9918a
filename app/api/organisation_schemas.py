"""The schemas of the municipality and its organisation in the API: what is sent and what is answered."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.api.spec import Body, Choice, Id, RowId, Shape, Text, Url
from app.organisation.models import CommitteeKind
from app.organisation.operations import NOTICE_DAYS_MAX

# --- requests ------------------------------------------------------------------------------------------


class AddressBlockChange(Body):
    postal_address: Text(300) = Field(None, title="Postadress", description="Till exempel 141 85 Huddinge.")
    visiting_address: Text(300) = Field(None, title="Besöksadress")
    phone: Text(50) = Field(None, title="Telefon")
    email: Text(200) = Field(None, title="E-post")
    web: Text(200) = Field(None, title="Webbadress", description="Till exempel www.kommun.se.")


class MunicipalityChange(AddressBlockChange):
    """Kommunens uppgifter att ändra: bara de fält som skickas ändras; en tom text tömmer fältet."""

    name: Text(200) = Field(None, title="Namn", description="Till exempel Borås stad.")
    organisation_number: Text(20) = Field(
        None,
        title="Organisationsnummer",
        description="Tio siffror, NNNNNN-NNNN; kontrollsiffran kontrolleras (Luhn).",
        examples=["212000-1561"],
    )


class AdministrationChange(AddressBlockChange):
    """En förvaltning: bara de fält som skickas ändras; tomma adressfält tar kommunens."""

    name: Text(200) = Field(None, title="Namn", description="Till exempel Social- och äldreomsorgsförvaltningen.")


#: a whole number of days, judged by the operation (0 to NOTICE_DAYS_MAX)
Days = Annotated[int, Field(strict=True, json_schema_extra={"minimum": 0, "maximum": NOTICE_DAYS_MAX})]


class CommitteeChange(Body):
    """En nämnd, ett utskott eller en stadsdelsnämnd: bara de fält som skickas ändras."""

    name: Text(200) = Field(None, title="Namn", description="Till exempel Socialnämndens arbetsutskott.")
    kind: Choice(CommitteeKind) = Field(
        None,
        title="Typ",
        description="committee (nämnd), subcommittee (utskott) eller district_committee (stadsdelsnämnd).",
    )
    administration_id: Id = Field(None, title="Förvaltning", description="En förvaltning i kommunen.")
    registry_prefix: Text(10) = Field(None, title="Diarieserie", description="Versaler och siffror, t.ex. SN.")
    notice_days: Days = Field(None, title="Dagar före sammanträdet", description="När kallelsen senast ska publiceras.")
    parent_id: Id = Field(
        None,
        title="Överordnad nämnd",
        description="Ett utskotts nämnd: en nämnd i samma kommun som inte själv är ett utskott.",
    )
    minutes_kept_at: Text(None) = Field(
        None,
        title="Förvaringsplats för protokollen",
        description="Som anslaget om justering anger den; tom: förvaltningens namn och besöksadress.",
        json_schema_extra={"maxLength": 300},
    )
    diarium_id: Id = Field(
        None,
        title="Diarium",
        description="Diariet som nämndens nya ärenden registreras i (samma kommun; tidigare ärenden behåller sina "
        "nummer). Kräver rätten att administrera kommunens diarier; ett utskott registrerar i sin nämnds (409).",
    )


# --- answers -------------------------------------------------------------------------------------------


class AddressBlock(Shape):
    postal_address: str
    visiting_address: str
    phone: str
    email: str
    web: str


class MunicipalityLogo(Shape):
    content_type: str = Field(examples=["image/png"])
    sha256: str


class MunicipalityDetails(AddressBlock):
    id: RowId
    name: str
    organisation_number: str = Field(description="NNNNNN-NNNN, eller tom om det inte är angivet.")
    logo: MunicipalityLogo | None = Field(description="Kommunens logotyp; laddas upp under Administration → Kommunen.")
    may_administer: bool = Field(description="Om du är kommunadministratör.")
    links: dict[str, Url]


class MunicipalityReply(Shape):
    municipality: MunicipalityDetails


class AdministrationDetails(AddressBlock):
    id: RowId
    name: str
    address_block: AddressBlock = Field(description="Adressen på dokumenten: förvaltningens egen, annars kommunens.")
    links: dict[str, Url]


class AdministrationList(Shape):
    items: list[AdministrationDetails]


class AdministrationReply(Shape):
    administration: AdministrationDetails


class NamedRef(Shape):
    id: RowId
    name: str


class OrganisationCommittee(Shape):
    id: RowId
    name: str
    kind: Literal[tuple(kind.value for kind in CommitteeKind)]
    kind_label: str = Field(examples=["Utskott"])
    registry_prefix: str
    notice_days: int
    minutes_kept_at: str | None = Field(description="Förvaringsplats för protokollen; null: förvaltningens.")
    administration: NamedRef
    parent: NamedRef | None = Field(description="Utskottets nämnd; null för andra.")
    diarium: NamedRef | None = Field(
        description="Diariet som nya ärenden registreras i (ett utskotts: dess nämnds); null innan det finns ett."
    )
    subcommittees: list[NamedRef]
    links: dict[str, Url]


class OrganisationCommitteeReply(Shape):
    committee: OrganisationCommittee
