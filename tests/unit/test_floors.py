"""The floors (ARCHITECTURE.md rule 7) hold: import-linter checks the contracts in pyproject.toml.

From the top: the CLI and the demo; pages | API (never each other); tasks; agenda; workflows; the
diarium; the core; its base. A module imports only from its own floor and those below it, and no
two packages import each other. A broken floor fails ``make test`` with import-linter's report.
"""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
#: the imports the contracts let through, each with its reason in pyproject.toml: adding one is a decision
JUSTIFIED = {
    "floors": {"tasks.worker -> app"},
    "acyclic": {"app.audit -> app.auth.models"},
}


def _contracts() -> dict[str, dict]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def test_the_floors_hold():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
            "--config",
            str(PYPROJECT),
            "--no-cache",
            "--no-logo",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"A floor is broken:\n{result.stdout}\n{result.stderr}"
    assert "0 broken" in result.stdout


def test_every_module_of_app_stands_on_a_floor():
    """A new module of app/ must be given a floor, or the contracts would not look at its imports."""
    on_floors = {name for layer in _contracts()["floors"]["layers"] for name in re.split(r"[|:]", layer)}
    on_floors = {name.strip() for name in on_floors}
    children = {f"app.{module.name}" for module in pkgutil.iter_modules(app.__path__)}
    assert children - on_floors == set()


def test_the_contracts_let_through_only_the_justified_imports():
    contracts = _contracts()
    assert {
        name: set(contract.get("ignore_imports", []))
        for name, contract in contracts.items()
        if contract.get("ignore_imports")
    } == JUSTIFIED
    assert contracts["floors"]["type"] == "layers" and "containers" not in contracts["floors"]
    assert "app.web | app.api" in contracts["floors"]["layers"]  # independent: neither imports the other
