"""The schemas of diaria in the API: a diarium with its series code, number format and committees."""

from __future__ import annotations

from pydantic import Field

from app.api.spec import Body, Id, Query, RowId, Shape, Text, Url

FORMAT_HELP = (
    "Diarienummerformatet: text med fälten {prefix} (seriekoden), {year} eller {yy}, {serial} (eller {serial:04} "
    "med nollor) och valfritt {class} (klassificeringskoden), t.ex. {prefix}-{year}/{serial}.{class}."
)


class DiariumCommittee(Shape):
    id: RowId
    name: str
    registry_prefix: str


class DiariumLinks(Shape):
    self: Url


class Diarium(Shape):
    id: RowId
    municipality_id: RowId
    name: str = Field(examples=["Kommunstyrelsens diarium"])
    series: str = Field(description="Seriekoden som {prefix} skriver.", examples=["KS"])
    number_format: str = Field(description=FORMAT_HELP, examples=["{prefix}-{year}/{serial}.{class}"])
    next_number: str = Field(
        description="Numret nästa ärende skulle få i år (med klassificeringskoden 181 om formatet har {class}).",
        examples=["KS-2026/14.181"],
    )
    uses_classification: bool = Field(description="Om nya ärenden måste ha en klassificeringskod.")
    committees: list[DiariumCommittee] = Field(description="Nämnderna som registrerar nya ärenden här.")
    links: DiariumLinks


class DiariumReply(Shape):
    diarium: Diarium


class DiariumList(Shape):
    items: list[Diarium]


class NewDiarium(Body):
    """Ett nytt diarium."""

    municipality_id: Id = Field(
        None, title="Kommun", description="Behövs bara om du administrerar diarier i flera kommuner."
    )
    name: Text(None) = Field(None, title="Namn", json_schema_extra={"maxLength": 200})
    series: Text(None) = Field(None, title="Seriekod", description="Högst 10 bokstäver och/eller siffror.")
    number_format: Text(None) = Field(None, title="Format", description=FORMAT_HELP)


class DiariumChange(Body):
    """Det som ändras; ändringen gäller ärenden som registreras härefter."""

    name: Text(None) = Field(None, title="Namn", json_schema_extra={"maxLength": 200})
    series: Text(None) = Field(None, title="Seriekod", description="Högst 10 bokstäver och/eller siffror.")
    number_format: Text(None) = Field(None, title="Format", description=FORMAT_HELP)


class CommitteeChange(Body):
    """Det som ändras i nämnden."""

    diarium_id: Id = Field(
        None, title="Diarium", description="Diariet som nämndens nya ärenden registreras i (samma kommun)."
    )


class PreviewQuery(Query):
    series: Text(None) = Field(None, title="Seriekod", description="Seriekoden att visa numret med, t.ex. KS.")
    number_format: Text(None) = Field(None, title="Format", description=FORMAT_HELP)
    diarium_id: Id = Field(
        None, title="Diarium", description="Räkna fram numret i detta diariums serie (annars löpnummer 1)."
    )


class Preview(Shape):
    number: str = Field(description="Nästa diarienummer i år med detta format.", examples=["Dnr BUN 2026.1"])
    uses_classification: bool = Field(description="Om formatet skriver klassificeringskoden (181 i exemplet).")
