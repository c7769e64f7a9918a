"""The schemas of expediering in the API: what each justerad paragraph's protokollsutdrag was sent to, how, when,
and what failed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from agenda.minutes.dispatch_models import DispatchChannel
from app.api.spec import RowId, Shape, Url


class DispatchShape(Shape):
    """Ett försök att skicka ett protokollsutdrag till en mottagare."""

    id: RowId
    attempt: int = Field(ge=1, description="1 för det första utskicket, sedan ett till för varje nytt försök.")
    channel: DispatchChannel = Field(
        description="`email`: e-post med den förseglade PDF:en; `in_app`: meddelande i Nämndflöde till en "
        "användare som får läsa protokollet; `manual`: skickas inte härifrån (ingen adress, eller sekretess)."
    )
    channel_label: str
    status: Literal["pending", "sent", "failed"] = Field(
        description="Läses när svaret ges: ett e-postmeddelande som studsat eller inte kunde skickas är `failed`."
    )
    status_label: str
    to_address: str | None = Field(description="E-postadressen, när det finns en.")
    user_id: RowId | None = Field(description="Användaren som fick meddelandet i Nämndflöde.")
    created_at: datetime
    sent_at: datetime | None
    error: str | None = Field(description="Vad som gick fel, på svenska.")
    diarium_document: int | None = Field(description="Handlingens löpnummer i ärendet (utgående).")
    may_resend: bool = Field(description="Det senaste försöket misslyckades och kan skickas igen.")


class RecipientShape(Shape):
    recipient: str = Field(description="Mottagaren som den står i ”Beslutet skickas till”.")
    status: Literal["waiting", "pending", "sent", "failed"] = Field(
        description="`waiting`: inte expedierad ännu; annars det senaste försökets status."
    )
    attempts: list[DispatchShape]


class ExtractShape(Shape):
    id: RowId
    revision: int
    pdf_url: Url
    pdf_sha256: str


class ParagraphDispatchShape(Shape):
    number: int = Field(description="Paragrafens nummer.")
    title: str = Field(description="Ärendets rubrik (ett sekretessärendes offentliga rubrik).")
    is_confidential: bool
    case_number: str | None = Field(description="Diarienumret som utskicken registreras i.")
    extract: ExtractShape | None = Field(description="Det förseglade protokollsutdraget (saknas tills det skapats).")
    recipients: list[RecipientShape]


class ExpedieringReply(Shape):
    """Expedieringen av protokollets justerade paragrafer."""

    is_adjusted: bool = Field(description="Hela protokollet är justerat.")
    waiting: int = Field(description="Antal mottagare vars utdrag är klart men inte skickat.")
    paragraphs: list[ParagraphDispatchShape]
