"""The schemas of the rendered protokoll in the API: its documents (the full protokoll, the public version and the
protokollsutdrag of a revision) with their files, and the job that makes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from agenda.minutes.documents import DocumentKind
from app.api.committee_schemas import Job
from app.api.spec import RowId, Shape, Url


class SealShape(Shape):
    """Organisationens elektroniska sigill på en justerad PDF, kontrollerat när svaret ges."""

    is_valid: bool
    signer: str = Field(description="Certifikatets innehavare.")
    problem: str = Field(description="Vad som är fel, på svenska (tom när sigillet är giltigt).")


class MinutesDocumentShape(Shape):
    """Ett dokument som gjorts av en version av protokollet, som Word-fil och taggad PDF."""

    id: RowId
    revision: int = Field(ge=1, description="Protokollets version som dokumentet gjordes av.")
    kind: DocumentKind = Field(
        description="`full`: hela protokollet; `public`: den offentliga versionen; `extract`: ett protokollsutdrag."
    )
    label: str = Field(examples=["Protokollsutdrag § 12"])
    paragraph_number: int | None = Field(description="Paragrafen i ett protokollsutdrag.")
    is_adjusted: bool = Field(description="Gjort av det justerade protokollet: PDF-filen är förseglad.")
    title: str
    pdf_url: Url
    pdf_name: str
    pdf_sha256: str = Field(description="PDF-filens sha256: det en justering godkänner.")
    pdf_size: int
    docx_url: Url
    docx_name: str
    docx_size: int
    created_at: datetime
    seal: SealShape | None = Field(description="Sigillets kontroll (bara för ett justerat dokument).")


class MinutesDocuments(Shape):
    """Protokollets dokument för dess senaste version, och det senaste jobbet som skapar dem. Saknas den offentliga
    versionen säger `job.error` var ett personnummer står."""

    revision: int = Field(ge=1, description="Protokollets senaste version.")
    is_adjusted: bool = Field(description="Protokollet är justerat.")
    documents: list[MinutesDocumentShape]
    job: Job | None = Field(description="Det senaste jobbet som skapar protokollets dokument.")
