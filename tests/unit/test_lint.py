"""ruff (the lint rules and per-file exceptions are in pyproject.toml) finds nothing in the code or the tests, and
`ruff format` would change nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATHS = ["app", "workflows", "agenda", "tasks", "tests", "config.py"]


def ruff() -> list[str]:
    """The command for the ruff installed beside this Python (the dev extra), else the one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    found = str(beside) if beside.exists() else shutil.which("ruff")
    assert found, "ruff is not installed: `pip install -e '.[dev]'`"
    return [found]


def test_ruff_finds_nothing():
    result = subprocess.run([*ruff(), "check", "--no-cache", *PATHS], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"ruff check {' '.join(PATHS)}:\n{result.stdout}{result.stderr}"


def test_ruff_format_changes_nothing():
    result = subprocess.run(
        [*ruff(), "format", "--check", "--no-cache", *PATHS], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"ruff format --check (run `ruff format` to fix):\n{result.stdout}{result.stderr}"
