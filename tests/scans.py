"""Big scanned PDFs for the tests and the benchmark of big meeting packages, made on the spot (never committed).

A scan is pages of one greyscale JPEG each (noise: it does not compress, as a real scan barely does), its
size about what is asked; each seed gives other bytes, so ten scans are ten stored files. ``publish_scans`` makes
them the bilagor of a new version of the demo kallelse; ``peak_rss`` reads a worker's peak memory.
"""

from __future__ import annotations

import copy
import io
import math
import random
from pathlib import Path

import pikepdf
from PIL import Image

MB = 1024 * 1024
#: an A4 page scanned at 150 dpi, greyscale
PAGE_PIXELS = (1240, 1754)


def _noise_jpeg(seed: int) -> bytes:
    width, height = PAGE_PIXELS
    noise = random.Random(seed).randbytes(width * height)
    out = io.BytesIO()
    Image.frombytes("L", PAGE_PIXELS, noise).save(out, "JPEG", quality=92)
    return out.getvalue()


def write_scan(path: Path, megabytes: float, *, seed: int = 0, title: str = "Inskannad handling") -> int:
    """Write a scanned-looking PDF of about ``megabytes`` to ``path``; return its page count."""
    jpeg = _noise_jpeg(seed)
    pages = max(1, math.ceil(megabytes * MB / len(jpeg)))
    width, height = PAGE_PIXELS
    pdf = pikepdf.new()
    for number in range(pages):
        image = pikepdf.Stream(
            pdf,
            jpeg,
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=width,
            Height=height,
            ColorSpace=pikepdf.Name.DeviceGray,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(f"q 595 0 0 842 0 0 cm /Im0 Do Q % {seed}.{number}".encode())
    pdf.docinfo["/Title"] = f"{title} {seed}"
    pdf.save(path)
    return pages


def peak_rss(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for process {pid}")


def publish_scans(scans: list[Path]) -> int:
    """A next version of the demo kallelse whose item 4 has the scans as its bilagor; returns the meeting's id.

    The scans are put straight into storage (streamed) with their file records, as an upload stores them."""
    from sqlalchemy import select

    from agenda.models import Meeting, Publication
    from app.extensions import db
    from app.storage import get_storage
    from workflows.models import StoredFileRecord

    meeting = db.session.scalar(select(Meeting).join(Meeting.publications).order_by(Meeting.id))
    latest = meeting.latest_publication
    attachments = []
    for number, scan in enumerate(scans, start=1):
        stored = get_storage().store_path(scan)
        db.session.add(
            StoredFileRecord(
                storage_key=stored.key, sha256=stored.sha256, size=stored.size, content_type="application/pdf"
            )
        )
        attachments.append((number, stored.sha256))
    members, public = copy.deepcopy(latest.members_snapshot), copy.deepcopy(latest.public_snapshot)
    for snapshot in (members, public):
        item = next(i for i in snapshot["items"] if i["number"] == 4)
        template = item["attachments"][0]
        item["attachments"] = [
            dict(
                template,
                number=number,
                title=f"Inskannat underlag {number}",
                sha256=sha256,
                content_type="application/pdf",
                filename=f"skanning-{number}.pdf",
            )
            for number, sha256 in attachments
        ]
    db.session.add(
        Publication(
            meeting=meeting,
            version=latest.version + 1,
            members_snapshot=members,
            public_snapshot=public,
            changes=["Punkt 4: inskannade bilagor."],
            published_by=latest.published_by,
        )
    )
    db.session.commit()
    return meeting.id
