"""The schemas of the municipality's Word templates in the API: what is answered."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from app.api.spec import RowId, Shape, Url


class DocumentTemplateVersion(Shape):
    id: RowId
    version: int = Field(description="1, 2, … per kommun.")
    filename: str = Field(description="Filens namn vid uppladdningen.")
    committee_id: RowId | None = Field(description="Nämnden mallen gäller för; null: hela kommunen.")
    is_current: bool = Field(description="Om dokumenten görs på denna version.")
    sha256: str
    size: int
    uploaded_by: str | None = Field(description="Vem som laddade upp den.")
    uploaded_at: datetime
    links: dict[str, Url]


class DocumentTemplateReply(Shape):
    template: DocumentTemplateVersion


class DocumentTemplateList(Shape):
    templates: list[DocumentTemplateVersion] = Field(description="Alla versioner, den senaste först.")
    required_styles: list[str] = Field(description="Formatmallar som en mall måste ha.")
