"""The meeting package's figures for `make bench` (appended to run.FIGURES).

* paket-demo / paket-200: the members' package of the demo meeting, and of a synthetic meeting of about
  200 pages, end to end (kallelse DOCX + PDF, each report DOCX + PDF, bilagor, contents, merge; nothing
  stored beforehand) against one warm conversion (no split options) of a single Word document holding
  exactly the package's documents in its order: the kallelse, the contents pages, then per item its report
  and bilagor, each in a section of its own with its own header and footer (tasks.rendering.batch's
  CombinedDocument fed by the Renderer's builders). The output prints both page counts, which agree.
* paket-200-om: the 200-page package again after one report changed (everything else stored) against
  the full render.
* celery: the "Skapa handlingar" job of the demo through a real worker process (Redis when it answers at
  REDIS_URL or 127.0.0.1:6379, else the embedded filesystem broker; the output says which) against the
  same task called in this process; both on the same SQLite database and storage, nothing stored before.
"""

from __future__ import annotations

import copy
import io
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from tasks.rendering.intake import TXT, attachment_input_hash
from tasks.rendering.package import MemoryCache
from tasks.rendering.package_contents import attachment_label, item_title

ROOT = Path(__file__).resolve().parents[2]
#: the report numbers of the demo, cycled for the synthetic meeting
DEMO_REPORTS = [
    "SN-2016/3342.181",
    "SN-2017/50.182",
    "SN-2017/71.280",
    "SN-2017/104.183",
    "SN-2016/3580.229",
    "SN-2016/3097.751",
]
BILAGA_TEXT = (
    "Bilagan redovisar underlaget till ärendet: verksamhetens mål, utfall och analys, "
    "med jämförelser mot föregående år och mot budget. "
) * 6


def _converter():
    from tasks.rendering.pdf import get_converter

    converter = get_converter()
    converter.start()
    return converter


def _plan(items_count: int, bilaga_paragraphs: int):
    """A members' plan like a real one: the demo's kallelse facts, cases with reports and TXT/PDF bilagor."""
    from tasks.rendering.meeting_plan import AttachmentPart, Plan, PlannedItem, ReportPart
    from tests.rendering.meeting_sample import demo_snapshots
    from tests.rendering.sample import demo_report

    members, _public = demo_snapshots()
    files: dict[str, tuple[bytes, str]] = {}
    if items_count > len(members["items"]):
        template = members["items"][4]
        for n in range(len(members["items"]) + 1, items_count + 1):
            members["items"].append(
                dict(
                    copy.deepcopy(template),
                    id=n,
                    number=n,
                    title=f"Ärende {n} om verksamheten",
                    case_number=f"SN-2017/{n}.100",
                    attachments=[],
                )
            )
    planned = []
    report_index = 0
    for item in members["items"]:
        entry = PlannedItem(item["number"], item_title(item))
        if item.get("report") or item["number"] > 21:
            document = demo_report(DEMO_REPORTS[report_index % len(DEMO_REPORTS)])
            document = replace(
                document,
                title=f"{document.title} ({item['number']})",
                registration_number=item["case_number"] or document.registration_number,
            )
            entry.report = ReportPart(document, document.input_hash())
            report_index += 1
            attachments = item["attachments"] or [
                {"number": 1, "title": f"Underlag till punkt {item['number']}", "content_type": TXT}
            ]
            for a in attachments:
                body = (f"{a['title']}\n\n" + "\n\n".join([BILAGA_TEXT] * bilaga_paragraphs)).encode()
                content_type = TXT  # the demo's bilagor are text files; a PDF would only be checked, not converted
                sha = f"{item['number']:04d}{a['number']:02d}".ljust(64, "0")
                files[sha] = (body, content_type)
                label = attachment_label(a)
                entry.attachments.append(
                    AttachmentPart(sha, content_type, label, label, attachment_input_hash(sha, content_type, label))
                )
        planned.append(entry)
    return Plan({"members": members}, {"members": planned}), files


def _render(plan, files, convert, cache=None):
    from tasks.rendering.meeting_renderer import Renderer

    cache = MemoryCache() if cache is None else cache
    renderer = Renderer(
        plan, cache, convert=convert, read_attachment=lambda part: files[part.sha256][0], variants=("members",)
    )
    renderer.run()
    return cache, cache[[k for k in cache if k.startswith("paket/")][-1]]  # the one this render stored (or found)


def _single_document(plan, files, cache) -> bytes:
    """The package's documents as one Word document, in the package's order, each in its own section with its own
    header and footer (tasks.rendering.batch.CombinedDocument, the builders the Renderer uses): the kallelse, the
    contents pages (as Word: tests/benchmarks/contents_docx.py, with the package's lines and page numbers, from
    the parts a render stored in ``cache``), then per item its report and bilagor."""
    from tasks.rendering.batch import CombinedDocument
    from tasks.rendering.intake import laid_out_builder
    from tasks.rendering.kallelse_docx import kallelse_input_hash, kallelse_maker
    from tasks.rendering.meeting_renderer import REPORT_TITLE
    from tasks.rendering.package_contents import (
        PackageDocument,
        PackageItem,
        contents_layout,
        contents_lines,
    )
    from tasks.rendering.pdf_files import page_count
    from tasks.rendering.report_docx import report_maker
    from tests.benchmarks.contents_docx import contents_maker

    snapshot = plan.snapshots["members"]
    kallelse_pdf = cache[kallelse_input_hash(snapshot, public=False) + ".pdf"]
    makers, items = [], []
    for planned in plan.items["members"]:
        documents = []
        if planned.report:
            makers.append(report_maker(planned.report.document))
            documents.append(PackageDocument(REPORT_TITLE, b"", page_count(cache[planned.report.key + ".pdf"])))
        for a in planned.attachments:
            makers.append(laid_out_builder(a.title, files[a.sha256][0], a.content_type, a.where))
            documents.append(PackageDocument(a.title, b"", page_count(cache[a.key + ".pdf"])))
        items.append(PackageItem(planned.number, planned.title, documents, planned.notes))
    contents_pages = contents_layout(snapshot["meeting"], items, public=False).page_count()
    lines = contents_lines(items, page_count(kallelse_pdf) + contents_pages + 1)
    combined = CombinedDocument()
    for make in [kallelse_maker(snapshot), contents_maker(snapshot["meeting"], lines, False), *makers]:
        combined.add(make)
    return combined.docx()


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _package_figure(items_count: int, bilaga_paragraphs: int):
    def prepare():
        converter = _converter()
        plan, files = _plan(items_count, bilaga_paragraphs)
        cache, package = _render(plan, files, converter.convert)
        single = _single_document(plan, files, cache)
        print(f"  (paketet {_pages(package)} sidor; samma sidor som ett dokument: {_pages(converter.convert(single))})")
        return (lambda: _render(plan, files, converter.convert)), (lambda: converter.convert(single))

    return prepare


def _rerender_figure():
    converter = _converter()
    plan, files = _plan(75, 4)
    full_cache, package = _render(plan, files, converter.convert)
    counter = iter(range(10**6))

    def one_changed():
        changed = copy.deepcopy(plan)
        item = next(i for i in changed.items["members"] if i.report)
        item.report.document.title = f"Reviderat tjänsteutlåtande nr {next(counter)}"
        item.report.key = item.report.document.input_hash()
        _render(changed, files, converter.convert, MemoryCache(full_cache))

    print(f"  (paketet {_pages(package)} sidor)")
    return one_changed, (lambda: _render(plan, files, converter.convert))


def _pdf_unavailable() -> str | None:
    from tasks.rendering.pdf import unavailable_reason

    return unavailable_reason()


# --- Celery round trip --------------------------------------------------------------------------


def _redis_url() -> str | None:
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except Exception:  # noqa: BLE001 - no Redis: the filesystem broker
        return None
    return url


def _celery_figure():
    from flask_migrate import upgrade

    from app.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="namndflode-bench-celery-"))
    queue = f"bench-{os.getpid()}"
    env = {
        "APP_ENV": "embedded",
        "INSTANCE_PATH": str(tmp / "instance"),
        "STORAGE_PATH": str(tmp / "files"),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}",
        "SECRET_KEY": "bench-" + "x" * 40,
        "NF_BENCH_QUEUE": queue,
    }
    redis_url = _redis_url()
    if redis_url:
        env["REDIS_URL"] = redis_url
    print(f"  (broker: {'Redis ' + redis_url if redis_url else 'filsystem (Redis svarar inte)'})")
    os.environ.update(env)
    from tests.benchmarks.bench_worker import bench_app

    app = bench_app()
    with app.app_context():
        upgrade()
        from app.demo.loader import load

        load(with_tokens=False, password_method="pbkdf2:sha256:1000")
        db.session.commit()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.benchmarks.bench_worker",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=open(tmp / "worker.log", "w"),  # noqa: SIM115 - open while it runs
        stderr=subprocess.STDOUT,
    )

    import atexit

    def stop():
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()

    atexit.register(stop)
    context = app.app_context()
    context.push()
    from agenda.models import Publication
    from app.auth.models import User
    from tasks.models import Job, JobState, RenderedPart
    from tasks.rendering.meeting_documents import render_meeting_documents
    from tasks.rendering.meeting_jobs import start_meeting_documents

    def new_job() -> int:
        # Nothing stored to reuse: the rendered parts are forgotten, so every run renders everything.
        db.session.execute(db.delete(RenderedPart))
        publication = db.session.scalar(db.select(Publication))
        user = db.session.scalar(db.select(User).where(User.email == "sekreterare@huddinge.example"))
        job_id = start_meeting_documents(user, publication.meeting, publication).id
        db.session.commit()
        return job_id

    def state(job_id: int):
        db.session.expire_all()
        value = db.session.get(Job, job_id).state
        db.session.commit()
        return value

    def through_worker():
        job_id = new_job()
        render_meeting_documents.delay(job_id)
        deadline = time.monotonic() + 300
        while state(job_id) not in (JobState.done, JobState.failed):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit("Arbetaren blev inte klar; se " + str(tmp / "worker.log"))
            time.sleep(0.01)
        if state(job_id) is not JobState.done:
            raise SystemExit(f"Jobbet misslyckades: {db.session.get(Job, job_id).error}")

    def in_process():
        job_id = new_job()
        render_meeting_documents.apply(args=[job_id])
        if state(job_id) is not JobState.done:
            raise SystemExit(f"Jobbet misslyckades: {db.session.get(Job, job_id).error}")

    _converter()
    return through_worker, in_process


def figures():
    from tests.benchmarks.run import Figure

    return [
        Figure(
            "paket-demo",
            "mötespaketet för demosammanträdet, hela kedjan (DOCX + PDF + sammanfogning)",
            "en konvertering av samma sidor som ett enda dokument",
            target=1.3,
            prepare=_package_figure(21, 1),
            runs=5,
            unavailable=_pdf_unavailable,
        ),
        Figure(
            "paket-200",
            "mötespaketet för ett sammanträde på cirka 200 sidor, hela kedjan",
            "en konvertering av samma sidor som ett enda dokument",
            target=1.3,
            prepare=_package_figure(75, 4),
            runs=5,
            unavailable=_pdf_unavailable,
        ),
        Figure(
            "paket-200-om",
            "samma paket igen efter att ett tjänsteutlåtande ändrats",
            "hela paketet från början",
            target=0.15,
            prepare=_rerender_figure,
            runs=5,
            unavailable=_pdf_unavailable,
        ),
        Figure(
            "celery",
            "jobbet Skapa handlingar (demo) genom en riktig Celery-arbetare",
            "samma uppgift anropad i processen",
            target=1.15,
            prepare=_celery_figure,
            runs=5,
            unavailable=_pdf_unavailable,
        ),
    ]
