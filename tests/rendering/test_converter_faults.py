"""LibreOffice hung (SIGSTOP) or killed mid-work: killed, started afresh and the document converted again; only a
document that fails on a fresh converter is reported, saying what happened. With the real converter."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tasks.rendering import pdf
from tasks.rendering.conversion_errors import ConversionFailed
from tasks.rendering.intake import BadAttachment, converted_attachment
from tasks.rendering.report_docx import build_report_docx
from tests.rendering.sample import demo_report

pytestmark = pytest.mark.slow


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    if reason := pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {reason}")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(pdf, "conversion_timeout", lambda: 20.0)
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    converter = pdf.WarmConverter()
    yield converter
    converter.stop()


def _office_pids(converter) -> list[int]:
    marker = converter._profile.name.encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes() and b"soffice" in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@pytest.mark.parametrize("fault", [signal.SIGSTOP, signal.SIGKILL])
def test_a_hung_or_killed_converter_is_restarted_and_the_document_converted(fresh, fault, tmp_path):
    data = build_report_docx(demo_report())
    assert fresh.convert(data).startswith(b"%PDF")
    old_profile = fresh._profile.name
    old_pipe = pdf.office_pipe(Path(old_profile, "user"))
    assert old_pipe.is_socket()  # LibreOffice's, where office_pipe says it is
    pids = _office_pids(fresh)
    assert pids
    for pid in pids:
        os.kill(pid, fault)
    assert fresh.convert(data).startswith(b"%PDF")
    assert fresh.starts == 2
    assert not Path(old_profile).exists()  # the old one's folder went with it
    assert not old_pipe.exists()  # and its socket in /tmp
    assert [p.name for p in tmp_path.glob(pdf.PROFILE_PREFIX + "*")] == [Path(fresh._profile.name).name]


def test_a_stopped_converter_leaves_neither_its_folder_nor_its_socket(fresh):
    assert fresh.convert(build_report_docx(demo_report())).startswith(b"%PDF")
    profile = Path(fresh._profile.name)
    pipe = pdf.office_pipe(profile / "user")
    assert pipe.is_socket()
    fresh.stop()
    assert not profile.exists()
    assert not pipe.exists()  # LibreOffice, ended with a signal, leaves it


def test_only_a_document_refused_by_a_fresh_converter_is_called_broken(fresh):
    with pytest.raises(ConversionFailed) as raised:
        fresh.convert(b"PK\x03\x04 detta ar ingen Word-fil", export_filter="writer_pdf_Export")
    assert "kunde inte läsa filen" in str(raised.value)
    with pytest.raises(BadAttachment) as bad:
        converted_attachment(lambda: fresh.convert(b"PK\x03\x04 inte heller"), "Bilaga 2 i § 5")
    assert str(bad.value).startswith("Bilaga 2 i § 5 kunde inte göras om till PDF: LibreOffice kunde inte läsa filen")


def test_a_converter_that_hangs_again_after_a_restart_says_so(fresh, monkeypatch):
    data = build_report_docx(demo_report())
    monkeypatch.setattr(pdf, "conversion_timeout", lambda: 5.0)
    started = fresh.start

    def start_and_stop_it():
        started()
        for pid in _office_pids(fresh):
            os.kill(pid, signal.SIGSTOP)

    monkeypatch.setattr(fresh, "start", start_and_stop_it)
    with pytest.raises(ConversionFailed) as raised:
        fresh.convert(data)
    assert "fastnade på filen och svarade inte inom 5 sekunder, också när LibreOffice hade startats om" in str(
        raised.value
    )


def test_the_next_start_removes_what_a_killed_worker_left(tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / (pdf.PROFILE_PREFIX + "killed")
    (left / "user").mkdir(parents=True)
    (left / pdf.OWNER_FILE).write_text(f"{pdf.socket.gethostname()}:{dead.pid}")
    sleeper = subprocess.Popen(["sleep", "60", str(left)])  # stands in for an orphaned oosplash naming the profile
    pipe = pdf.office_pipe(left / "user")  # and this for the socket the killed LibreOffice left in /tmp
    with pdf.socket.socket(pdf.socket.AF_UNIX) as stand_in:
        stand_in.bind(str(pipe))
    alive = tmp_path / (pdf.PROFILE_PREFIX + "alive")
    alive.mkdir()
    (alive / pdf.OWNER_FILE).write_text(pdf.this_process())
    try:
        assert pdf.remove_abandoned_profiles(tmp_path) == 1
        assert not left.exists() and alive.exists()
        assert not pipe.exists()
        assert sleeper.wait(timeout=10) is not None
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
        pipe.unlink(missing_ok=True)
