"""The schemas of the public kallelser in the API (no login): the listing's query and the answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.api.spec import Id, Page, PageQuery, Query, Shape, Year, written_schema


class MeetingFilters(Query):
    committee_id: Id = Field(None, title="Nämnd", description="Bara sammanträden i denna nämnd.")
    year: Year = Field(None, title="År", description="Bara sammanträden detta år.")


class PublicMeetingQuery(PageQuery, MeetingFilters):
    pass  # the filters, then the page


class KallelseQuery(Query):
    version: Id = Field(None, title="Version", description="En äldre version; utelämnad: den senaste.")


class PublicMeetingPage(Page):
    """En sida med sammanträden som har publicerad kallelse."""

    #: described with the meeting endpoints (app/api/openapi_meetings.py)
    items: list[Annotated[dict, written_schema("PublicMeeting")]]


class PublicKallelseReply(Shape):
    kallelse: Annotated[dict, written_schema("PublicKallelse")]
