"""The production shape on one machine: PostgreSQL, Redis, two web processes (gunicorn, as in production), two
workers with instance folders of their own sharing the storage path, beat once (in the first worker). A review
chain and a meeting package go through it over HTTP, each request to the next web process in turn.

Skipped (with the reason) when PostgreSQL or Redis does not answer, or LibreOffice is missing.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from agenda.models import Publication
from app.extensions import db
from app.notifications import MessageState, OutboxMessage
from app.registry.models import Case
from tasks.models import Job, JobState, KeptTask
from tasks.rendering import pdf
from tests.services import free_port
from tests.workers import ROOT, wait_for, worker_app

CASE_NUMBER = "SN-2016/2624.719"
TOKENS = {
    "controller": "nf_demo_controller_9Pf1Jx5Rg7",
    "enhetschef": "nf_demo_enhetschef_2Tw7Ym3Lc8",
    "direktor": "nf_demo_direktor_6Gn4Hs9Bv2",
    "sekreterare": "nf_demo_sekreterare_5Qm2Lr8Tz1",
}
CONTENT = {
    "title": "Uppföljning av Familjerådgivningen City Mentea",
    "sections": {
        "summary": "<p>Uppföljningen visar att avtalet följs.</p>",
        "description": "<p>Förvaltningen har följt upp verksamheten under 2016.</p>",
    },
    "proposals": ["Socialnämnden godkänner uppföljningen."],
}


class Web:
    """The web processes, asked in turn (as a load balancer would)."""

    def __init__(self, ports: list[int]):
        self.ports, self.turn = ports, 0

    def fetch(self, path: str, who: str) -> bytes:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {TOKENS[who]}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def call(self, method: str, path: str, who: str, body: dict | None = None) -> tuple[int, dict]:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {TOKENS[who]}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            return error.code, {"not_json": text[:2000]} if not text.startswith("{") else json.loads(text)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("worker_env", ["redis-postgresql"], indirect=True)
def test_the_production_shape_takes_a_review_chain_and_a_package(worker_env, start_worker, own_redis, tmp_path):
    if reason := pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {reason}")
    env, queue = worker_env
    production = {
        **env,
        "APP_ENV": "production",
        "REDIS_URL": own_redis.url,
        # STORAGE_PATH (the demo's files): the share every machine mounts
        "SESSION_COOKIE_SECURE": "0",
    }
    log = tmp_path / "worker.log"
    for n, beat in ((1, True), (2, False)):
        start_worker({**production, "INSTANCE_PATH": str(tmp_path / f"worker-{n}")}, pool="prefork", beat=beat)
    ports, servers = [free_port(), free_port()], []
    try:
        for n, port in enumerate(ports, 1):
            out = open(tmp_path / f"web-{n}.log", "wb")  # noqa: SIM115 - closed with the server below
            servers.append(
                (
                    subprocess.Popen(
                        [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}"]
                        + ["--workers", "1", "--threads", "4", "app:create_app()"],
                        cwd=ROOT,
                        env={**os.environ, **production, "INSTANCE_PATH": str(tmp_path / f"web-{n}")},
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    ),
                    out,
                )
            )
        for n, port in enumerate(ports, 1):
            wait_for(lambda port=port: _answers(port), 30, f"web process {n}", tmp_path / f"web-{n}.log")
        web = Web(ports)
        app = worker_app(production, queue)
        with app.app_context():
            case_id = db.session.scalar(select(Case.id).where(Case.number == CASE_NUMBER))
            meeting_id = db.session.scalar(select(Publication.meeting_id).order_by(Publication.id.desc()).limit(1))
            db.session.remove()

        # the review chain: written and submitted, approved, signed, each step by another web process
        status, body = web.call("POST", f"/api/v1/cases/{case_id}/report", "controller", {"content": CONTENT})
        assert status == 201, body
        for who, name in (("controller", "submit"), ("enhetschef", "approve"), ("direktor", "sign")):
            status, body = web.call("POST", f"/api/v1/cases/{case_id}/report/transitions", who, {"name": name})
            assert status == 200, body
        assert body["report"]["state"] == "signed"

        # the package, rendered by a worker into the shared storage and read through the other web process
        status, body = web.call("POST", f"/api/v1/meetings/{meeting_id}/documents", "sekreterare")
        assert status == 202, body
        job_path = f"/api/v1/meetings/{meeting_id}/documents/{body['job']['id']}"
        finished = wait_for(
            lambda: (b := web.call("GET", job_path, "sekreterare")[1])["job"]["state"] in ("done", "failed") and b,
            240,
            "the meeting package",
            log,
        )
        assert finished["job"]["state"] == "done", finished["job"]

        def messages():
            with app.app_context():
                rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.state)).all()
                db.session.remove()
            return sorted((a, s) for a, s in rows if s is not MessageState.queued) if rows else []

        wait_for(lambda: len(messages()) == 4, 30, "the review chain's messages", log)
        assert {s for _, s in messages()} == {MessageState.kept}  # no MAIL_SERVER: kept under Utkorg
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(KeptTask)) == 0
            assert not db.session.scalar(
                select(func.count()).select_from(Job).where(Job.state.in_([JobState.queued, JobState.running]))
            )
            db.session.remove()
        # the package's PDF, made by a worker into the shared storage, read back through a web process
        data = web.fetch(finished["files"]["members"]["motespaket.pdf"], "sekreterare")
        assert len(PdfReader(io.BytesIO(data)).pages) > 10
    finally:
        for server, out in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
            out.close()
