"""The schemas of the public kallelser in the API (no login): the listing's query and the answers."""

from __future__ import annotations

from pydantic import Field

from app.api.meeting_schemas import PublicKallelse, PublicMeeting
from app.api.spec import Id, Page, Query, Shape


class KallelseQuery(Query):
    version: Id = Field(None, title="Version", description="En äldre version; utelämnad: den senaste.")


class PublicMeetingPage(Page):
    """En sida med sammanträden som har publicerad kallelse."""

    items: list[PublicMeeting]


class PublicKallelseReply(Shape):
    kallelse: PublicKallelse
