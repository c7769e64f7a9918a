"""The schemas of the municipality and its organisation in the API: what is sent and what is answered."""

from __future__ import annotations

from pydantic import Field

from app.api.spec import Body, RowId, Shape, Text, Url

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
