"""The schemas of the municipality's Word templates in the API: the upload form and what is answered."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from app.api.spec import Form, RowId, Shape, Text, Url


class TemplateUpload(Form):
    no_file: ClassVar[str] = "Välj mallen som Word-fil (fältet file)."
    not_multipart: ClassVar[str] = "Skicka mallen som multipart/form-data (fältet file)."

    #: text, looked up among the municipality's committees by the view (which names them in its error)
    committee_id: Text(None) = Field(
        None, title="Nämnd", description="En nämnd som ska ha en egen mall; utan det gäller mallen hela kommunen."
    )


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
