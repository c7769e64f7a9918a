"""`make run`'s launcher (app/launcher.py) stops its whole stack on SIGTERM and on Ctrl-C: the real launcher on an
instance of the test's own, with the demo's renders queued (as `make run` does) so that the worker has LibreOffice
running when the signal comes.

A LibreOffice that hangs (stopped) keeps its render, and so the worker, from ending: the launcher then kills what
is left after its bound. Afterwards no process of the run is left — found by the test's instance path in their
environment, and by the process groups and sessions they had, LibreOffice's own among them — and nothing is left
in the temporary folder the launcher was given, nor LibreOffice's socket in /tmp, nor a temporary file in the
storage.

Skipped (with the reason) when LibreOffice is missing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import launcher
from app.storage import TEMPORARY
from tasks.rendering import pdf
from tests.services import free_port
from tests.workers import ROOT, wait_for

pytestmark = pytest.mark.slow


def _process(pid: str) -> tuple[str, int, int, bytes, bytes] | None:
    """(state, process group, session, environment, command line) of a process, None once it has gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b") ", 1)[1].split()
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, IndexError):
        return None
    return fields[0].decode(), int(fields[2]), int(fields[3]), environ, cmdline


def _live(pids=None) -> dict[int, tuple[str, int, int, bytes, bytes]]:
    """The processes that have not ended (a zombie has), of ``pids`` or of all."""
    found = {}
    for pid in pids or (p for p in os.listdir("/proc") if p.isdigit()):
        if (info := _process(str(pid))) and info[0] != "Z":
            found[int(pid)] = info
    return found


def _of_the_run(instance: Path, groups=frozenset(), sessions=frozenset()) -> dict[int, bytes]:
    """The command lines of the live processes whose environment names the test's instance, or which are in one of
    ``groups`` or ``sessions``."""
    marker = f"INSTANCE_PATH={instance}".encode()
    return {
        pid: cmdline
        for pid, (_state, group, session, environ, cmdline) in _live().items()
        if marker in environ.split(b"\0") or group in groups or session in sessions
    }


@pytest.mark.parametrize("worker_env", ["filesystem-sqlite"], indirect=True)
@pytest.mark.parametrize("stop", ["SIGTERM", "Ctrl-C", "SIGTERM, LibreOffice hung"])
def test_the_launcher_leaves_nothing_behind(worker_env, stop, tmp_path):
    if reason := pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {reason}")
    env, _queue = worker_env
    instance = Path(env["INSTANCE_PATH"])
    temporary, runtime = tmp_path / "tmp", tmp_path / "run"
    temporary.mkdir()
    runtime.mkdir()
    # TMPDIR: the launcher's run folder comes here; XDG_RUNTIME_DIR: where gunicorn would put its control socket
    env = {**os.environ, **env, "TMPDIR": str(temporary), "XDG_RUNTIME_DIR": str(runtime), "FLASK_APP": "app"}
    queued = subprocess.run(
        [sys.executable, "-m", "flask", "documents", "render-demo"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "köade för 1 publicerade kallelser" in queued.stdout, queued.stdout + queued.stderr
    log = tmp_path / "launcher.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.launcher", "--port", str(free_port())],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, as make's in a terminal: Ctrl-C goes to that group
        )
    groups: set[int] = set()
    sessions: set[int] = set()
    try:
        wait_for(lambda: "Nämndflöde körs på http://" in log.read_text(), 180, "the launcher's greeting", log)
        offices = wait_for(
            lambda: [p for p, cmdline in _of_the_run(instance).items() if b"soffice.bin" in cmdline],
            240,
            "LibreOffice, started by a render",
            log,
        )
        running = _live(_of_the_run(instance))
        groups = {group for _state, group, _session, _environ, _cmdline in running.values()}
        sessions = {session for _state, _group, session, _environ, _cmdline in running.values()} - {os.getsid(0)}
        assert {running[p][2] for p in offices} - {process.pid}, "LibreOffice runs in a session of its own"

        def office_pipes() -> list[Path]:
            found = [pdf.office_pipe(u) for u in temporary.glob(f"namndflode-run-*/{pdf.PROFILE_PREFIX}*/user")]
            return found if found and all(pipe.is_socket() for pipe in found) else []

        # where office_pipe says they are, once each starting LibreOffice has made its socket
        pipes = wait_for(office_pipes, 60, "LibreOffice's pipes where office_pipe says they are", log)

        if stop.endswith("hung"):  # the worker waits for its render, which waits for LibreOffice: killed at last
            for pid in offices:
                os.kill(pid, signal.SIGSTOP)
        started = time.monotonic()
        if stop == "Ctrl-C":
            os.killpg(process.pid, signal.SIGINT)  # the terminal's: to the foreground group
        else:
            process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=launcher.STOP_SECONDS + 20)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        left = _of_the_run(instance, groups, sessions)
        for pid in left:  # not to leave them to the next test, whatever this one finds
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert took < launcher.STOP_SECONDS + 10, text[-3000:]
    assert "Nämndflöde är avslutat." in text
    if stop.endswith("hung"):
        assert "stoppades med SIGKILL" in text, text[-3000:]
    assert left == {}
    assert list(temporary.iterdir()) == []  # the run folder, with LibreOffice's profiles and temporary files
    assert [pipe for pipe in pipes if pipe.exists()] == []
    assert not (runtime / "gunicorn.ctl").exists()
    storage_temporary = Path(env["STORAGE_PATH"], TEMPORARY)
    assert not storage_temporary.exists() or list(storage_temporary.iterdir()) == []
