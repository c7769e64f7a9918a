"""``make run``'s processes: the Celery worker (with beat) and gunicorn, started together and stopped together.

``python -m app.launcher --host 127.0.0.1 --port 5000``. Each child runs in a session of its own, so a Ctrl-C in
the terminal reaches only this launcher, which then stops the stack itself: SIGTERM to the worker and to gunicorn,
up to STOP_SECONDS for every process of the run to end (the worker stops its LibreOffice, which removes its
profile), then SIGKILL to whatever is left. LibreOffice runs in a session of its own (tasks.rendering.pdf), so
the processes of the run are found by the variable RUN_VARIABLE, which each inherits. Its value is the run's
folder, which is also the stack's TMPDIR: LibreOffice's profiles and temporary files, uploads on their way and
the like all go there, and the folder is removed at the end.

A stop asked for (SIGINT, SIGTERM, SIGHUP) ends with 0; a child that ends on its own stops the rest and ends
with 1. A second signal while stopping skips the wait.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from config import DEFAULT_INSTANCE_PATH, ROOT
from tasks.rendering import pdf

#: seconds the stack has to end after SIGTERM before what is left gets SIGKILL
STOP_SECONDS = 20.0
#: seconds gunicorn has to answer before the start is given up
START_SECONDS = 120.0
#: names the run's folder in the environment of every process the launcher starts, and of their children
RUN_VARIABLE = "NAMNDFLODE_RUN"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
NAMES = {"worker": "Celery-arbetaren", "web": "Webbservern (gunicorn)"}

_PR_SET_PDEATHSIG = 1
try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:
    _LIBC = None


def _stop_with_launcher() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Have the kernel send the child SIGTERM when the launcher dies (Linux): even a launcher killed with SIGKILL
    leaves no stack running."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _no_control_socket() -> list[str]:
    """gunicorn 25.1 and later open a control socket at one path per user (~/.gunicorn/gunicorn.ctl), which
    outlives a killed gunicorn and is shared by every other one: nothing here uses it."""
    found = re.match(r"(\d+)\.(\d+)", version("gunicorn"))
    return ["--no-control-socket"] if found and (int(found[1]), int(found[2])) >= (25, 1) else []


class Stack:
    """The worker and the web server of one run, and the folder they use for temporary files."""

    def __init__(self, host: str, port: int):
        self.url = f"http://{host}:{port}"
        self.instance = Path(os.environ.get("INSTANCE_PATH") or DEFAULT_INSTANCE_PATH)
        self.folder = Path(tempfile.mkdtemp(prefix="namndflode-run-"))
        self.env = {**os.environ, "TMPDIR": str(self.folder), RUN_VARIABLE: str(self.folder), "FLASK_APP": "app"}
        queues = f"{os.environ.get('CELERY_QUEUE') or 'celery'},{os.environ.get('CELERY_RENDER_QUEUE') or 'rendering'}"
        self.commands = {
            "worker": ["celery", "-A", "tasks.worker", "worker", "-B", "-Q", queues]
            + ["--schedule", str(self.instance / "celerybeat-schedule"), "--loglevel=INFO", "--concurrency=2"]
            + ["--without-mingle", "--without-gossip"],
            "web": ["gunicorn", "--bind", f"{host}:{port}", "--workers", "1", "--threads", "8"]
            + ["--access-logfile", "-", "--graceful-timeout", "10", *_no_control_socket(), "app:create_app()"],
        }
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        self.instance.mkdir(parents=True, exist_ok=True)
        for name, command in self.commands.items():
            self.children[name] = subprocess.Popen(
                [sys.executable, "-m", *command],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_stop_with_launcher,
            )

    def ended(self) -> str | None:
        """A message naming the first child that has ended, or None while all run."""
        for name, child in self.children.items():
            if child.poll() is not None:
                return f"{NAMES[name]} avslutades oväntat (kod {child.returncode}); avslutar resten."
        return None

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def show_demo_users(self) -> None:
        subprocess.run([sys.executable, "-m", "flask", "demo", "users"], cwd=ROOT, env=self.env, check=False)

    def processes(self) -> list[int]:
        """The processes of this run that have not ended: those whose environment names the run's folder."""
        marker = f"{RUN_VARIABLE}={self.folder}".encode()
        found = []
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry.name}/environ", "rb") as fh:
                    if marker in fh.read().split(b"\0"):  # a zombie's environment is empty
                        found.append(int(entry.name))
            except OSError:
                continue
        return found

    def stop(self, hurry: Callable[[], bool]) -> int:
        """End every process of the run and remove what it leaves; return how many had to be killed. ``hurry()``
        true skips the wait.

        SIGTERM goes to the worker's and gunicorn's main processes only: the worker then finishes its tasks and
        its pool processes stop their LibreOffice, gunicorn finishes its requests. (SIGTERM to the worker's whole
        group would end the pool processes mid-task, leaving their LibreOffice running.)"""
        for child in self.children.values():
            child.send_signal(signal.SIGTERM)  # (nothing when it has ended)
        deadline = time.monotonic() + STOP_SECONDS
        while self.processes() and time.monotonic() < deadline and not hurry():
            for child in self.children.values():
                child.poll()  # reap the ones that have ended
            time.sleep(0.2)
        left = self._kill_the_rest()
        for child in self.children.values():
            child.wait()
        pdf.remove_abandoned_profiles(self.folder)  # a killed converter's processes, folder and socket
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.folder.exists():
            print(f"Den tillfälliga mappen {self.folder} kunde inte tas bort.", file=sys.stderr)
        return left

    def _kill_the_rest(self) -> int:
        left = self.processes()
        for child in self.children.values():
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.05)  # gone before their folder is removed
        return len(left)


def _serve(stack: Stack, stop_asked: Callable[[], bool]) -> int:
    """Wait until the web server answers, greet, then wait for a stop: 0 when asked for, 1 when a child ended."""
    deadline = time.monotonic() + START_SECONDS
    while not stack.answers():
        if stop_asked():
            return 0
        if message := stack.ended():
            print(message, file=sys.stderr, flush=True)
            return 1
        if time.monotonic() > deadline:
            print(f"Webbservern svarade inte på {stack.url} inom {START_SECONDS:.0f} s; avslutar.", file=sys.stderr)
            return 1
        time.sleep(0.2)
    stack.show_demo_users()
    print(f"\nNämndflöde körs på {stack.url} – Ctrl-C avslutar.\n", flush=True)
    while not stop_asked():
        if message := stack.ended():
            print(message, file=sys.stderr, flush=True)
            return 1
        time.sleep(0.2)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start Nämndflöde (webbserver och arbetare); Ctrl-C avslutar.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    signals: list[int] = []
    for number in STOP_SIGNALS:
        signal.signal(number, lambda received, _frame: signals.append(received))
    stack = Stack(args.host, args.port)
    code = 1
    try:
        stack.start()
        code = _serve(stack, lambda: bool(signals))
    finally:
        print(f"\nAvslutar Nämndflöde (högst {STOP_SECONDS:.0f} s; Ctrl-C igen avslutar direkt) …", flush=True)
        before = len(signals)
        killed = stack.stop(hurry=lambda: len(signals) > before)
        if killed:
            print(f"{killed} processer hade inte avslutats och stoppades med SIGKILL.", flush=True)
        print("Nämndflöde är avslutat.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
