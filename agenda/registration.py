"""Each published kallelse (and each corrected version) registered as a handling of the committee's meetings case.

The case is "Sammanträden <år>", one per committee and year of publishing, registered in the committee's diarium
when first needed (``app.registry.automatic.meetings_case``). The handling is dated the day of publishing, carries
the sha256 of the members' snapshot (the publication's immutable content, from which its Word and PDF are made)
and is registered once per publication.
"""

from __future__ import annotations

import hashlib
import json

from agenda.models import Publication
from app.auth.models import User
from app.clock import to_local
from app.registry import automatic
from app.registry.models import RegisteredDocument


def publication_sha256(publication: Publication) -> str:
    """The sha256 of the publication's members' snapshot, as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(publication.members_snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def register_publication(publication: Publication, *, user: User | None) -> RegisteredDocument | None:
    """Register the published kallelse on the committee's meetings case of its year (once)."""
    meeting = publication.meeting
    day = to_local(publication.published_dt).date()
    case = automatic.meetings_case(meeting.committee, day.year, user=user, registered_on=day)
    when = to_local(meeting.start_dt)
    what = "Kallelse" if publication.version == 1 else f"Kallelse, rättad version {publication.version}"
    return automatic.register_once(
        case,
        user=user,
        source=f"publication:{publication.id}",
        description=f"{what}, {meeting.committee.name}s sammanträde {when:%Y-%m-%d}",
        document_date=day,
        sha256=publication_sha256(publication),
    )
