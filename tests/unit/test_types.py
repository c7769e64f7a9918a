"""mypy finds nothing in the packages checked strictly (`[tool.mypy]` in pyproject.toml names them in `files`;
the rest of the code base is followed silently). Its cache in .mypy_cache makes a second run take seconds."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_nothing():
    assert importlib.util.find_spec("mypy") is not None, "mypy is not installed: `pip install -e '.[dev]'`"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"mypy (configured in pyproject.toml):\n{result.stdout}{result.stderr}"
