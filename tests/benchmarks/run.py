"""`make bench`: the document stack's figures, each beside a yardstick measured in the same run.

    .venv/bin/python -m tests.benchmarks.run [--runs N] [--only NAME …]

Every figure times its subject and its yardstick alternately, run by run (so a busy machine
slows both), and prints both as median and min–max, and the ratio of the medians against the
target. Add a figure by appending a ``Figure`` to ``FIGURES`` (the meeting package's figures
come with the package). The file is not named test_*, so pytest does not collect it.
"""

from __future__ import annotations

import argparse
import atexit
import io
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docx


@dataclass
class Result:
    subject: list[float]
    yardstick: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.subject) / statistics.median(self.yardstick)


@dataclass
class Figure:
    """One figure: ``prepare`` returns (subject, yardstick) callables; the ratio is held against ``target``."""

    name: str
    subject: str
    yardstick: str
    target: float
    prepare: Callable[[], tuple[Callable[[], object], Callable[[], object]]]
    runs: int = 7
    warmup: int = 1
    #: why the figure cannot be measured here (None: it can)
    unavailable: Callable[[], str | None] = field(default=lambda: None)
    #: the times are printed divided by this (e.g. 50 for "per 1,000 rows" of 50,000); the ratio is the same
    per: float = 1.0

    def runs_label(self, runs: int) -> str:
        """What the printed times are (a figure measuring otherwise says so)."""
        return f"{runs} körningar"

    def measure(self, runs: int) -> Result:
        subject, yardstick = self.prepare()
        for _ in range(self.warmup):
            subject()
            yardstick()
        result = Result([], [])
        for _ in range(runs):
            for fn, times in ((subject, result.subject), (yardstick, result.yardstick)):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
        return result


# --- the figures ------------------------------------------------------------------------------


def _report():
    from tests.rendering.sample import demo_report

    return demo_report("SN-2016/3580.229")  # the longest of the demo's reports (5 pages in the original)


def _docx_figure():
    from tasks.rendering.report_docx import build_report_docx
    from tests.benchmarks.minimal_docx import minimal_report_docx

    report = _report()

    def paragraphs(data: bytes) -> list[tuple[str, str]]:
        d = docx.Document(io.BytesIO(data))
        header = [c.text for row in d.sections[0].header.tables[0].rows for c in row.cells]
        return [(p.style.name, p.text) for p in d.paragraphs] + [("header", " ".join(header))]

    built, minimal = build_report_docx(report), minimal_report_docx(report)
    if paragraphs(built) != paragraphs(minimal):
        raise SystemExit("Måttstocken skriver inte samma dokument som byggaren; jämförelsen vore orättvis.")
    return (lambda: build_report_docx(report)), (lambda: minimal_report_docx(report))


def _pdf_figure():
    from tasks.rendering.pdf import cold_convert, get_converter
    from tasks.rendering.report_docx import build_report_docx

    data = build_report_docx(_report())
    converter = get_converter()
    converter.start()  # the worker's start-up is not part of a conversion
    # The cold runs share one LibreOffice profile, made in the warm-up run: a process start per
    # document, as `soffice --convert-to` on a desktop, not the extra seconds of a new profile.
    profile = tempfile.mkdtemp(prefix="namndflode-bench-lo-")
    atexit.register(shutil.rmtree, profile, ignore_errors=True)
    return (lambda: converter.convert(data)), (lambda: cold_convert(data, profile=Path(profile) / "user"))


def _pdf_unavailable() -> str | None:
    from tasks.rendering.pdf import unavailable_reason

    return unavailable_reason()


def _import_figure():
    from tests.benchmarks.import_bench import prepare

    return prepare()


FIGURES = [
    Figure(
        "tu-docx",
        "TU DOCX, python-docx på kommunmallen",
        "minimal skrivare (zip + strängar), samma mall och XML",
        target=5.0,
        prepare=_docx_figure,
        runs=30,
        warmup=3,
    ),
    Figure(
        "tu-pdf",
        "TU PDF, varm LibreOffice (unoserver)",
        "kall `soffice --convert-to pdf` av samma DOCX",
        target=0.2,
        prepare=_pdf_figure,
        runs=5,
        unavailable=_pdf_unavailable,
    ),
    Figure(
        "import",
        "import av 50 000 ärenden ur en CSV-fil (läsa, kontrollera, räknare, INSERT, revision), per 1 000 rader",
        "en INSERT (executemany) av samma rader, per 1 000 rader",
        target=3.0,
        prepare=_import_figure,
        runs=5,
        per=50.0,
    ),
]


def _package_figures() -> list[Figure]:
    from tests.benchmarks.package_bench import figures

    return figures()


def _protocol_figures() -> list[Figure]:
    from tests.benchmarks.protocol_bench import figures

    return figures()


def _scale_figures() -> list[Figure]:
    from tests.benchmarks.scale_bench import figures

    return figures()


def _publishing_figures() -> list[Figure]:
    from tests.benchmarks.publishing_bench import figures

    return figures()


def _queue_figures() -> list[Figure]:
    from tests.benchmarks.queue_bench import figures

    return figures()


def _bigpkg_figures() -> list[Figure]:
    from tests.benchmarks.bigpkg_bench import figures

    return figures()


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"


def _spread(times: list[float]) -> str:
    return f"{_ms(statistics.median(times))} ({_ms(min(times))}–{_ms(max(times))})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="körningar per figur (minst 5)")
    parser.add_argument(
        "--only", nargs="*", default=None, help="bara dessa figurer: " + ", ".join(f.name for f in FIGURES)
    )
    args = parser.parse_args(argv)
    FIGURES.extend(
        f
        for f in _package_figures()
        + _protocol_figures()
        + _scale_figures()
        + _publishing_figures()
        + _queue_figures()
        + _bigpkg_figures()
        if f.name not in {g.name for g in FIGURES}
    )
    print("Mätningar: median (min–max) per körning; kvoten är median mot median, uppmätt i samma körning.\n")
    missed = 0
    try:
        for figure in FIGURES:
            if args.only and figure.name not in args.only:
                continue
            runs = max(args.runs or figure.runs, 5)
            reason = figure.unavailable()
            print(f"{figure.name}: {figure.subject}")
            if reason:
                print(f"  hoppas över: {reason}\n")
                continue
            result = figure.measure(runs)  # (prepare may print a line about what it measures)
            met = result.ratio <= figure.target
            missed += not met
            print(f"  {_spread([t / figure.per for t in result.subject])}   ({figure.runs_label(runs)})")
            print(f"  måttstock: {figure.yardstick}")
            print(f"  {_spread([t / figure.per for t in result.yardstick])}")
            print(f"  kvot {result.ratio:.2f}, mål ≤ {figure.target:g}: {'uppfyllt' if met else 'EJ UPPFYLLT'}\n")
    finally:
        from tasks.rendering.pdf import stop_converter

        stop_converter()
    if missed:
        print(f"{missed} figur(er) når inte sitt mål.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
