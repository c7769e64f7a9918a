"""A meeting package of big scans rendered by a real worker without holding them in memory (issue 19, item 6).

Three 15 MB scans (made here, tests/scans.py) are the bilagor of an item; the worker renders the members' and
the public package of them. The worker's peak resident memory (the kernel's VmHWM) is read before and after.
Reading, checking, cleaning and storing a bilaga and writing the package go from file to file; only the merge
holds the scans of the one package it is merging (pikepdf copies a part's streams into the new PDF at once), so
the peak grows by about the scans' size once, not by a multiple of it (the renderer held every bilaga, each
package's copy and each package's bytes: 103 MB for these 47 MB).
`make bench` measures the same with ten scans, 150 MB (tests/benchmarks/bigpkg_bench.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from agenda.models import Meeting
from app.extensions import db
from tasks.rendering import pdf
from tests.rendering.pdf_checks import outline
from tests.scans import peak_rss, publish_scans, write_scan
from tests.workers import wait_for, worker_app

SEKRETERARE = {"Authorization": "Bearer nf_demo_sekreterare_5Qm2Lr8Tz1"}
SCANS, SCAN_MB = 3, 15
MB = 1024 * 1024
#: the worker's peak memory while making a package of big scans, whatever their size (issue 19: ≤ 400 MB)
PEAK_BOUND = 400 * MB


def render(client, meeting_id: int, log: Path) -> dict:
    created = client.post(f"/api/v1/meetings/{meeting_id}/documents", headers=SEKRETERARE)
    assert created.status_code == 202, created.get_json()
    location = created.headers["Location"]

    def finished():
        body = client.get(location, headers=SEKRETERARE).get_json()
        return body if body["job"]["state"] in ("done", "failed") else None

    body = wait_for(finished, 300, "the meeting documents job", log)
    assert body["job"]["state"] == "done", body
    return body


@pytest.mark.slow
@pytest.mark.parametrize("worker_env", ["filesystem-sqlite"], indirect=True)
def test_a_package_of_big_scans_is_made_without_holding_them_in_memory(worker_env, worker, tmp_path):
    if reason := pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {reason}")
    env, queue = worker_env
    app = worker_app(env, queue)
    client = app.test_client()
    log = tmp_path / "worker.log"
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).join(Meeting.publications).order_by(Meeting.id))
        db.session.remove()
    # The demo's documents first: the worker has every module loaded and its LibreOffice started; its peak then
    # is what it needs without big files.
    render(client, meeting_id, log)
    before = peak_rss(worker.pid)

    scans = [tmp_path / f"skanning-{n}.pdf" for n in range(1, SCANS + 1)]
    pages = [write_scan(path, SCAN_MB, seed=n) for n, path in enumerate(scans, start=1)]
    scans_bytes = sum(path.stat().st_size for path in scans)
    assert scans_bytes >= SCANS * SCAN_MB * MB
    with app.app_context():
        publish_scans(scans)
        db.session.remove()
    body = render(client, meeting_id, log)
    after = peak_rss(worker.pid)

    assert after <= PEAK_BOUND, f"peak {after / MB:.0f} MB"
    assert after - before < scans_bytes * 1.5, (
        f"the peak grew {(after - before) / MB:.0f} MB with {scans_bytes / MB:.0f} MB of scans"
    )
    for variant in ("members", "public"):
        package = client.get(body["files"][variant]["motespaket.pdf"], headers=SEKRETERARE)
        assert package.status_code == 200
        reader = PdfReader(_saved(package, tmp_path / f"{variant}.pdf"))
        item = next(entry for entry in outline(reader) if entry[0].startswith("4 "))
        titles = [child[0] for child in item[2]]
        assert titles == ["Tjänsteutlåtande"] + [f"Bilaga {n} Inskannat underlag {n}" for n in range(1, SCANS + 1)]
        scan_pages = [child[1] for child in item[2][1:]]
        assert [b - a for a, b in zip(scan_pages, scan_pages[1:])] == pages[:-1]  # each scan whole, in its place
        assert len(reader.pages) >= scan_pages[-1] + pages[-1] - 1
        assert len(package.data) > scans_bytes


def _saved(response, path: Path) -> Path:
    path.write_bytes(response.data)
    return path
