"""The big package's figure for `make bench` (appended to run.FIGURES; issue 19, item 6).

* paket-150mb: the "Skapa handlingar" job of the demo meeting whose item 4 has ten 15 MB scans as bilagor
  (150 MB, made on the spot by tests/scans.py), through a real worker (the solo pool: the job runs in the worker's
  own process) on the embedded default, nothing stored beforehand; against one LibreOffice pass of the same Word
  pages (the two kallelser, the reports, the text bilagor, as one document: tasks.rendering.batch's
  CombinedDocument fed by the builders the renderer uses) plus copying the scans' bytes once per package made (the
  members' and the public one: 2 × 150 MB). Beside the ratio the worker's peak resident memory during the job
  (VmHWM, reset before each run), whose target is 400 MB (tests/rendering/test_big_package.py holds the same
  bound with three scans).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from tests.scans import MB, peak_rss, publish_scans, write_scan

SCANS, SCAN_MB = 10, 15
#: the worker's peak memory while making the package (issue 19: ≤ 400 MB)
PEAK_BOUND = 400 * MB


def _reset_peak(pid: int) -> None:
    """Start the process's VmHWM afresh from its current resident memory (Linux: clear_refs 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class BigPackageBench:
    def __init__(self):
        from app.extensions import db
        from tests.benchmarks.queue_bench import demo_instance, start_worker

        self.tmp, env, self.app = demo_instance("namndflode-bench-bigpkg-")
        self.log = self.tmp / "worker.log"
        self.scans = [self.tmp / f"skanning-{n}.pdf" for n in range(1, SCANS + 1)]
        for n, path in enumerate(self.scans, start=1):
            write_scan(path, SCAN_MB, seed=n)
        self.scans_bytes = sum(path.stat().st_size for path in self.scans)
        self.meeting_id = publish_scans(self.scans)
        db.session.remove()
        self.worker = start_worker(env, self.log, "--pool=solo")
        self.peaks: list[int] = []
        self.resting: list[int] = []  # its resident memory when each job is sent
        self.copies = self.tmp / "copies"
        self.copies.mkdir()

    def _job_state(self, job_id: int):
        from app.extensions import db, sqlite_read_only
        from tasks.models import Job

        db.session.remove()
        with sqlite_read_only():
            job = db.session.get(Job, job_id)
            values = (job.state, job.error)
            db.session.rollback()
        return values

    def render(self) -> None:
        """The job through the worker, every part made anew; its peak memory kept in ``peaks``."""
        from agenda.models import Meeting
        from app.auth.models import User
        from app.extensions import db
        from tasks import jobs
        from tasks.models import JobState, RenderedPart
        from tasks.rendering.meeting_documents import render_meeting_documents
        from tasks.rendering.meeting_jobs import start_meeting_documents

        db.session.execute(db.delete(RenderedPart))  # nothing stored to reuse: every run renders everything
        user = db.session.scalar(db.select(User).where(User.email == "sekreterare@huddinge.example"))
        job_id = start_meeting_documents(user, db.session.get(Meeting, self.meeting_id)).id
        db.session.commit()
        _reset_peak(self.worker.pid)
        self.resting.append(peak_rss(self.worker.pid))
        jobs.enqueue(render_meeting_documents, job_id)
        deadline = time.monotonic() + 900
        while (state := self._job_state(job_id))[0] not in (JobState.done, JobState.failed):
            if time.monotonic() > deadline or self.worker.poll() is not None:
                raise SystemExit(f"Arbetaren blev inte klar; se {self.log}")
            time.sleep(0.05)
        if state[0] is not JobState.done:
            raise SystemExit(f"Jobbet misslyckades: {state[1]}")
        self.peaks.append(peak_rss(self.worker.pid))

    def single_document(self) -> bytes:
        """The Word pages the job converts, as one document: both kallelser, each distinct report, each bilaga
        that is not a PDF (the demo's text bilagor)."""
        from agenda.models import Meeting
        from app.extensions import db
        from tasks.rendering.batch import CombinedDocument
        from tasks.rendering.intake import laid_out_builder
        from tasks.rendering.kallelse_docx import kallelse_maker
        from tasks.rendering.meeting_plan import plan_documents, read_attachment
        from tasks.rendering.report_docx import report_maker
        from workflows.sniffing import PDF

        plan = plan_documents(db.session.get(Meeting, self.meeting_id).latest_publication)
        combined = CombinedDocument()
        for variant, snapshot in plan.snapshots.items():
            combined.add(kallelse_maker(snapshot, public=variant == "public"))
        for report in plan.reports().values():
            combined.add(report_maker(report.document))
        for part in plan.attachments().values():
            if part.content_type != PDF:
                combined.add(laid_out_builder(part.title, read_attachment(part), part.content_type, part.where))
        db.session.remove()
        return combined.docx()

    def copy_scans(self) -> None:
        for package in ("members", "public"):
            for scan in self.scans:
                shutil.copyfile(scan, self.copies / f"{package}-{scan.name}")


def _prepare():
    from tasks.rendering.pdf import get_converter

    bench = BigPackageBench()
    converter = get_converter()
    converter.start()
    single = bench.single_document()
    print(f"  ({SCANS} skanningar, {bench.scans_bytes / MB:.0f} MB, som bilagor till punkt 4; arbetaren i {bench.tmp})")

    def yardstick():
        converter.convert(single)
        bench.copy_scans()

    return bench, bench.render, yardstick


def figures():
    from tests.benchmarks.run import Figure, Result

    class PeakFigure(Figure):
        """The time as any figure's, and the worker's peak memory printed beside it."""

        def measure(self, runs: int) -> Result:
            bench, subject, yardstick = _prepare()
            self.prepare = lambda: (subject, yardstick)
            result = super().measure(runs)
            peaks, resting = bench.peaks[self.warmup :], bench.resting[self.warmup :]
            worst = max(peaks)
            print(
                f"  arbetarens högsta minne (VmHWM) under jobbet: {min(peaks) / MB:.0f}–{worst / MB:.0f} MB "
                f"(i vila före jobbet {min(resting) / MB:.0f}–{max(resting) / MB:.0f} MB), "
                f"mål ≤ {PEAK_BOUND / MB:.0f} MB: {'uppfyllt' if worst <= PEAK_BOUND else 'EJ UPPFYLLT'}"
            )
            return result

    return [
        PeakFigure(
            "paket-150mb",
            f"Skapa handlingar för ett sammanträde med {SCANS} inskannade bilagor à {SCAN_MB} MB, genom en riktig "
            "arbetare (inget lagrat i förväg)",
            "en LibreOffice-konvertering av samma Word-sidor som ett dokument + kopiering av skanningarnas byte "
            "(en gång per paket)",
            target=3.0,
            prepare=lambda: (lambda: None, lambda: None),
            runs=5,
            unavailable=_pdf_unavailable,
        )
    ]


def _pdf_unavailable() -> str | None:
    from tasks.rendering.pdf import unavailable_reason

    return unavailable_reason()
