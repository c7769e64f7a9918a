"""DOCX → tagged PDF through LibreOffice run headless, kept warm in the worker process.

LibreOffice takes seconds to start and 0.15 s to convert a tjänsteutlåtande once it runs
(RENDERING-NOTES.md), so each worker process starts one unoserver lazily, on its first PDF,
and keeps it: one per process, started under a lock, restarted when it has died. The
server runs under Debian's /usr/bin/python3, which has python3-uno; this side only speaks
XML-RPC to it through unoserver's client. The server converts one document at a time, so
conversions from one process are serialised by the same lock.

PDFs are tagged (``UseTaggedPDF``): with the template's sv-SE language and the document title
they carry /Lang, /Title, a structure tree and an outline from the headings.

When LibreOffice or python3-uno is missing, ``ConverterUnavailable`` says so in Swedish; the
DOCX is made all the same.

A converter that hangs (no answer within CONVERSION_TIMEOUT, e.g. stopped) or dies mid-conversion is killed,
started afresh and given the document again; only a document that fails on a freshly started converter is
reported as unreadable (``ConversionFailed``, whose message says which happened: refused, hung or died).
Every converter keeps its profile in a folder of its own (``namndflode-lo-*`` in the temporary directory,
with its owner's "host:pid"); stopping it ends its processes and removes the folder and LibreOffice's socket in
/tmp (``office_pipe``), and
``remove_abandoned_profiles`` (at a worker's start) ends and removes what a killed worker left behind.

Bilagor come from outside, so LibreOffice must not reach out while it converts them: a linked
picture, a remote template, an INCLUDETEXT field or an OLE link would make it fetch a URL (a
request from the worker's network) or read a local file into the public PDF. Uploads with such
links are refused (workflows.sniffing); as a second wall, the profile each converter uses is
written with ``LOCKED_DOWN`` before LibreOffice starts (see ``lock_down_profile``).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from xmlrpc.client import Fault, ServerProxy, Transport

from tasks.rendering.conversion_errors import ConversionFailed, ConverterUnavailable

log = logging.getLogger(__name__)

PDF_MIMETYPE = "application/pdf"
#: the export filter options: a tagged (accessible) PDF with the headings as bookmarks
PDF_FILTER_OPTIONS = ["UseTaggedPDF=true", "ExportBookmarks=true"]
#: the same for the command line (`soffice --convert-to`)
CLI_FILTER = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'
#: Debian's Python with python3-uno; override with UNO_PYTHON
UNO_PYTHON = "/usr/bin/python3"
STARTUP_TIMEOUT = 90.0
#: seconds one conversion may take before the converter is judged hung (the setting CONVERSION_TIMEOUT)
CONVERSION_TIMEOUT = 90.0
#: the prefix of each converter's profile folder in the temporary directory, and the file naming its owner
PROFILE_PREFIX = "namndflode-lo-"
OWNER_FILE = "owner"
#: where LibreOffice's and curl's proxy settings send any fetch: the discard port, where nothing listens
DEAD_PROXY = ("127.0.0.1", 9)

#: LibreOffice settings that keep a conversion from fetching anything: (node path, property, value)
LOCKED_DOWN = (
    # what a document outside the trusted locations (there are none) links to is not opened: linked pictures,
    # http: and file: alike, OLE links, media. (The document must be loaded from a file for this: unoserver
    # writes the bytes to a temporary file; a document loaded from a private:stream would count as trusted.)
    ("org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    # LibreOffice 24.8 and later: no macros, DDE, OLE, linked content at all (ignored where unknown)
    ("org.openoffice.Office.Common/Security/Scripting", "DisableActiveContent", "true"),
    ("org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    # links are never updated on load (Writer: 0 never, 1 on request, 2 always; Calc: 0 always, 1 never)
    ("org.openoffice.Office.Writer/Content/Update", "Link", "0"),
    ("org.openoffice.Office.Calc/Content/Update", "Link", "1"),
    # spreadsheets keep their stored results: no WEBSERVICE() or external reference recalculated on load
    ("org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "1"),
    ("org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "1"),
    # whatever still tries HTTP, HTTPS or FTP goes to a proxy that is not there
    ("org.openoffice.Inet/Settings", "ooInetProxyType", "1"),  # manual
    ("org.openoffice.Inet/Settings", "ooInetHTTPProxyName", DEAD_PROXY[0]),
    ("org.openoffice.Inet/Settings", "ooInetHTTPProxyPort", str(DEAD_PROXY[1])),
    ("org.openoffice.Inet/Settings", "ooInetHTTPSProxyName", DEAD_PROXY[0]),
    ("org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort", str(DEAD_PROXY[1])),
    ("org.openoffice.Inet/Settings", "ooInetFTPProxyName", DEAD_PROXY[0]),
    ("org.openoffice.Inet/Settings", "ooInetFTPProxyPort", str(DEAD_PROXY[1])),
    ("org.openoffice.Inet/Settings", "ooInetNoProxy", ""),
)


def soffice_path() -> str | None:
    """The LibreOffice program: $SOFFICE if set (None when that is not an executable), else from PATH."""
    if "SOFFICE" in os.environ:
        return shutil.which(os.environ["SOFFICE"])
    return shutil.which("soffice") or shutil.which("libreoffice")


def uno_python() -> str:
    return os.environ.get("UNO_PYTHON") or UNO_PYTHON


def lock_down_profile(installation: Path) -> None:
    """Write ``LOCKED_DOWN`` into the LibreOffice profile whose UserInstallation is ``installation``.

    Before LibreOffice first starts there, the file holds only these; in a profile it has used, they replace
    the same settings and the rest is kept (LibreOffice writes one item a line)."""
    path = installation / "user" / "registrymodifications.xcu"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    if "</oor:items>" not in text:
        text = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "\n</oor:items>\n"
        )
    items = []
    for node, name, value in LOCKED_DOWN:
        text = re.sub(
            rf'<item oor:path="/{re.escape(node)}"><prop oor:name="{name}"[^>]*>.*?</prop></item>\n?', "", text
        )
        items.append(
            f'<item oor:path="/{node}"><prop oor:name="{name}" oor:op="fuse"><value>{escape(value)}</value>'
            "</prop></item>\n"
        )
    path.write_text(text.replace("</oor:items>", "".join(items) + "</oor:items>", 1), encoding="utf-8")


def offline_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` with every proxy variable pointing at the dead proxy (for what in LibreOffice uses curl's own)."""
    proxy = f"http://{DEAD_PROXY[0]}:{DEAD_PROXY[1]}"
    env = {k: v for k, v in env.items() if k.lower() != "no_proxy"}
    for name in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy"):
        env[name] = env[name.upper()] = proxy
    return env


_HAS_UNO: set[str] = set()


def _uno_importable(python: str) -> bool:
    """Whether ``python`` can import uno (a success is remembered; a failure is asked again next time)."""
    if python not in _HAS_UNO:
        try:
            if subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0:
                _HAS_UNO.add(python)
        except (OSError, subprocess.SubprocessError):
            pass
    return python in _HAS_UNO


def unavailable_reason() -> str | None:
    """Return why PDFs cannot be made here (in Swedish), or None when they can."""
    if soffice_path() is None:
        return (
            "PDF kunde inte skapas: LibreOffice är inte installerat på servern "
            "(Debian-paketet libreoffice-writer-nogui; `make system` installerar det)."
        )
    if not _uno_importable(uno_python()):
        return (
            f"PDF kunde inte skapas: {uno_python()} saknar LibreOffice-kopplingen python3-uno "
            "(Debian-paketet python3-uno; `make system` installerar det)."
        )
    from tasks.rendering.pdf_fonts import missing_fonts_reason  # the pages drawn without LibreOffice

    return missing_fonts_reason()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _load_libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None


#: loaded in the parent: the child between fork and exec only calls prctl
_LIBC = _load_libc() if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Let the server get SIGTERM if the worker that started it dies (Linux), so none is left behind.

    (Linux sends it when the *thread* that started the server ends: start it from one that lives as long
    as the process, as meeting_documents' conversion thread does.)"""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _end_processes_using(profile: str, timeout: float = 3.0) -> None:
    """End the processes whose command line names our own LibreOffice profile directory.

    LibreOffice's launcher (oosplash, soffice.bin) runs in a process group of its own, and
    outlives unoserver when that dies; the profile directory is unique to this converter, so
    the processes naming it are exactly the ones it started.
    """
    marker = profile.encode()
    proc = Path("/proc")
    if not proc.is_dir():
        return
    pids = []
    for entry in proc.iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = []
        for pid in pids:
            try:
                os.kill(pid, sig)
                alive.append(pid)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + (timeout if sig == signal.SIGTERM else 2.0)
        while alive and time.monotonic() < deadline:
            alive = [pid for pid in alive if _running(pid)]
            if alive:
                time.sleep(0.1)
        pids = alive
        if not pids:
            return


def office_pipe(installation: Path) -> Path:
    """The socket LibreOffice listens on for the profile whose UserInstallation is ``installation``.

    LibreOffice makes it in /tmp whatever TMPDIR says, named after the MD5 of the profile's URL in UTF-16 (each
    byte in hex, without a leading zero), and leaves it there when it is ended with a signal, as a converter is.
    """
    digest = hashlib.md5(installation.as_uri().encode("utf-16-le"), usedforsecurity=False).digest()
    return Path("/tmp", f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_" + "".join(f"{byte:x}" for byte in digest))


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().split(b") ", 1)[1][:1] != b"Z"  # a zombie has ended
    except (OSError, IndexError):
        return False


def _unoserver_path(into: Path) -> Path:
    """Make ``into`` a directory holding only the unoserver package (and its metadata), for Debian's Python.

    Debian's Python must not see the rest of our environment; unoserver itself is pure Python.
    """
    import unoserver

    package = Path(unoserver.__file__).resolve().parent
    into.mkdir()
    for source in [package, *package.parent.glob("unoserver-*.dist-info")]:
        (into / source.name).symlink_to(source, target_is_directory=True)
    return into


class _TimedTransport(Transport):
    """XML-RPC over HTTP whose socket gives up after ``timeout`` seconds (a hung LibreOffice never answers)."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):  # type: ignore[no-untyped-def]
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class _Hung(Exception):
    """The converter did not answer within the conversion timeout."""


def conversion_timeout() -> float:
    """CONVERSION_TIMEOUT from the app's settings (config.py), else the default."""
    try:
        from flask import current_app

        return float(current_app.config.get("CONVERSION_TIMEOUT") or CONVERSION_TIMEOUT)
    except RuntimeError:  # no app: a script or the benchmark
        return CONVERSION_TIMEOUT


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def remove_abandoned_profiles(folder: str | Path | None = None) -> int:
    """End the LibreOffice processes of profile folders whose owner process has ended (a worker killed with
    SIGKILL), and remove the folders; return how many. Folders of live processes, and of other machines sharing
    the folder, are left alone."""
    removed = 0
    host = socket.gethostname()
    for profile in Path(folder or tempfile.gettempdir()).glob(PROFILE_PREFIX + "*"):
        try:
            owner = (profile / OWNER_FILE).read_text().strip()
        except OSError:
            owner = ""
        owner_host, _, pid = owner.rpartition(":")
        if owner_host and owner_host != host:
            continue
        if pid.isdigit() and _running(int(pid)):
            continue
        if not pid.isdigit() and time.time() - profile.stat().st_mtime < STARTUP_TIMEOUT:
            continue  # being made just now (the owner file comes right after the folder)
        _end_processes_using(str(profile), timeout=1.0)
        office_pipe(profile / "user").unlink(missing_ok=True)
        shutil.rmtree(profile, ignore_errors=True)
        log.warning("removed the LibreOffice profile %s left by %s, and its processes", profile, owner or "?")
        removed += 1
    return removed


class WarmConverter:
    """One LibreOffice (through unoserver) for this process, started on first use."""

    def __init__(self, *, startup_timeout: float = STARTUP_TIMEOUT):
        self.startup_timeout = startup_timeout
        self._lock = threading.RLock()
        self._process: subprocess.Popen[bytes] | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._port: int | None = None
        self._log_path: Path | None = None
        self.starts = 0
        #: conversions done by the LibreOffice running now (0: freshly started)
        self.conversions = 0

    # life cycle
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server unless it runs; wait until it answers."""
        with self._lock:
            if self.is_running():
                return
            self._cleanup()
            reason = unavailable_reason()
            soffice = soffice_path()
            if reason or soffice is None:  # (no soffice: the reason says so)
                raise ConverterUnavailable(reason)
            remove_abandoned_profiles()  # a killed pool child's, before this one adds its own
            self._profile = tempfile.TemporaryDirectory(prefix=PROFILE_PREFIX)
            profile = Path(self._profile.name)
            (profile / OWNER_FILE).write_text(this_process())
            self._port, uno_port = _free_port(), _free_port()
            self._log_path = profile / "unoserver.log"
            lock_down_profile(profile / "user")
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
            env = offline_environment(env)
            env["PYTHONPATH"] = str(_unoserver_path(profile / "python"))
            cmd = [
                uno_python(),
                "-m",
                "unoserver.server",
                "--interface",
                "127.0.0.1",
                "--port",
                str(self._port),
                "--uno-interface",
                "127.0.0.1",
                "--uno-port",
                str(uno_port),
                "--executable",
                soffice,
                "--user-installation",
                str(profile / "user"),
                # unoserver's own limit, a last resort behind ours (conversion_timeout())
                "--conversion-timeout",
                str(int(conversion_timeout()) + 30),
            ]
            log.info("starting LibreOffice (unoserver) on port %s", self._port)
            with open(self._log_path, "wb") as out:
                self._process = subprocess.Popen(
                    cmd,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,
                )
            self.starts += 1
            self.conversions = 0
            deadline = time.monotonic() + self.startup_timeout
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    break
                try:
                    with ServerProxy(f"http://127.0.0.1:{self._port}", allow_none=True) as proxy:
                        proxy.info()
                    return
                except (OSError, Fault):
                    time.sleep(0.25)
            tail = self._log_tail()
            self.stop()
            raise ConverterUnavailable("PDF kunde inte skapas: LibreOffice startade inte på servern. " + tail)

    def stop(self) -> None:
        """Stop unoserver and the LibreOffice it started (also one left behind by a dead unoserver)."""
        with self._lock:
            process, self._process = self._process, None
            if process is not None and process.poll() is None:
                process.terminate()  # unoserver passes the signal on to LibreOffice
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
            self._cleanup()

    def kill(self) -> None:
        """End a hung or broken converter at once: every process of its profile (SIGKILL works on a stopped
        one too), then its folder."""
        with self._lock:
            process, self._process = self._process, None
            if self._profile is not None:
                _end_processes_using(self._profile.name, timeout=0)
            if process is not None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)
            self._cleanup()

    def _cleanup(self) -> None:
        if self._profile is not None:
            _end_processes_using(self._profile.name)
            office_pipe(Path(self._profile.name, "user")).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self._profile.cleanup()
            shutil.rmtree(self._profile.name, ignore_errors=True)
            self._profile = None

    def _log_tail(self) -> str:
        try:
            text = self._log_path.read_text(errors="replace") if self._log_path else ""
        except OSError:
            text = ""
        lines = [line for line in text.splitlines() if line.strip()][-3:]
        return ("Logg: " + " | ".join(lines)) if lines else ""

    # work
    def convert(self, docx: bytes, export_filter: str = "writer_pdf_Export", options: Sequence[str] = ()) -> bytes:
        """Return the DOCX (or another document LibreOffice reads) as a tagged PDF. ``export_filter`` is the PDF
        export of the LibreOffice module that reads the input: ``writer_pdf_Export`` for text documents,
        ``calc_pdf_Export`` for spreadsheets. ``options`` are export options besides PDF_FILTER_OPTIONS
        ("Name=value").

        A converter that hangs or dies is killed and the document given to a freshly started one; a document
        refused by a fresh converter, or that makes a fresh one hang or die too, raises ConversionFailed
        saying which happened."""
        timeout = conversion_timeout()
        with self._lock:
            while True:
                self.start()
                fresh = self.conversions == 0
                try:
                    pdf = self._convert_once(docx, export_filter, [*PDF_FILTER_OPTIONS, *options], timeout)
                except _Hung:
                    happened = HUNG.format(seconds=int(timeout))
                    log.warning("LibreOffice did not answer within %s s (fresh: %s); killed", timeout, fresh)
                except (OSError, Fault) as exc:
                    if isinstance(exc, Fault) and self._answers():
                        self.conversions += 1
                        if fresh:
                            raise ConversionFailed(REFUSED + ".") from exc
                        happened = REFUSED
                        log.warning("LibreOffice refused a document after %s conversions; restarted", self.conversions)
                    else:
                        happened = DIED
                        log.warning("LibreOffice stopped during a conversion (fresh: %s): %s", fresh, exc)
                else:
                    self.conversions += 1
                    return pdf
                self.kill()
                if fresh:
                    raise ConversionFailed(f"{happened}, också när LibreOffice hade startats om.")

    def _convert_once(self, data: bytes, export_filter: str, options: list[str], timeout: float) -> bytes:
        try:
            with ServerProxy(
                f"http://127.0.0.1:{self._port}", transport=_TimedTransport(timeout), allow_none=True
            ) as proxy:
                info: Any = proxy.info()  # XML-RPC answers are untyped
                if export_filter not in info["export_filters"]:  # e.g. no Calc installed
                    raise ConversionFailed(f"PDF kunde inte skapas: LibreOffice på servern saknar {export_filter}.")
                # unoserver's API: inpath, indata, outpath, convert_to, filtername, filter_options, update_index,
                # infiltername, password
                result: Any = proxy.convert(None, data, None, "pdf", export_filter, options, True, None, None)
        except TimeoutError as exc:
            raise _Hung() from exc
        return bytes(result.data)

    def _answers(self) -> bool:
        """Whether the converter is running and answers at once (it refused the document, it did not die)."""
        if not self.is_running():
            return False
        try:
            with ServerProxy(f"http://127.0.0.1:{self._port}", transport=_TimedTransport(5), allow_none=True) as proxy:
                proxy.info()
        except (OSError, Fault):
            return False
        return True


#: what happened to a conversion, for the message of a document that fails on a fresh converter
REFUSED = "PDF kunde inte skapas: LibreOffice kunde inte läsa filen (den är skadad, lösenordsskyddad eller av ett slag som saknar program på servern)"
HUNG = "PDF kunde inte skapas: LibreOffice fastnade på filen och svarade inte inom {seconds} sekunder"
DIED = "PDF kunde inte skapas: LibreOffice avslutades mitt i konverteringen av filen"


_converter: WarmConverter | None = None
_converter_lock = threading.Lock()


def get_converter() -> WarmConverter:
    """The process's converter (a new one in a forked child: a server belongs to the process that started it)."""
    global _converter
    with _converter_lock:
        if _converter is None:
            _converter = WarmConverter()
        return _converter


def _forget_after_fork() -> None:
    global _converter, _converter_lock
    _converter = None
    _converter_lock = threading.Lock()


def stop_converter() -> None:
    """Stop this process's converter, if it started one (at exit, and when a worker's pool process ends)."""
    if _converter is not None:
        _converter.stop()


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(stop_converter)


def docx_to_pdf(docx: bytes, export_filter: str = "writer_pdf_Export", options: Sequence[str] = ()) -> bytes:
    """Convert with the process's warm LibreOffice."""
    return get_converter().convert(docx, export_filter, options)


def cold_convert(docx: bytes, *, profile: str | Path | None = None, timeout: float = CONVERSION_TIMEOUT) -> bytes:
    """Convert with a new `soffice --headless --convert-to pdf` process (the benchmark's yardstick).

    ``profile`` is the LibreOffice user profile to use (made on first use, then reused as a desktop
    user's would be); without it a new one is made, which costs seconds more.
    """
    soffice = soffice_path()
    if soffice is None:
        raise ConverterUnavailable(unavailable_reason())
    with tempfile.TemporaryDirectory(prefix="namndflode-cold-") as tmp:
        source = Path(tmp) / "dokument.docx"
        source.write_bytes(docx)
        user = Path(profile) if profile else Path(tmp, "user")
        lock_down_profile(user)
        result = subprocess.run(
            [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={user.resolve().as_uri()}",
                "--convert-to",
                CLI_FILTER,
                "--outdir",
                tmp,
                str(source),
            ],
            capture_output=True,
            timeout=timeout,
            env=offline_environment(dict(os.environ)),
        )
        target = Path(tmp) / "dokument.pdf"
        if result.returncode != 0 or not target.exists():
            raise ConversionFailed(
                "PDF kunde inte skapas med soffice: " + result.stderr.decode(errors="replace")[-300:]
            )
        return target.read_bytes()


if __name__ == "__main__":  # pragma: no cover - a manual check: python -m tasks.rendering.pdf in.docx out.pdf
    Path(sys.argv[2]).write_bytes(docx_to_pdf(Path(sys.argv[1]).read_bytes()))
