"""The benchmark's Celery app: the project's, sending to and consuming the benchmark's own queue
(``NF_BENCH_QUEUE``), with the filesystem broker polled every 20 ms instead of every second so the
broker's polling does not pass for the round trip. ``celery -A tests.benchmarks.bench_worker worker``."""

from __future__ import annotations

import os

from app import create_app
from config import RENDER_TASKS


def bench_app():
    base = create_app().config["CELERY"]
    options = dict(base.get("broker_transport_options") or {})
    if base["broker_url"].startswith("filesystem"):
        options["polling_interval"] = 0.02
    queue = os.environ.get("NF_BENCH_QUEUE", "bench")
    celery = {
        **base,
        "broker_transport_options": options,
        "task_default_queue": queue,
        "task_routes": {name: {"queue": queue} for name in RENDER_TASKS},  # renders too: one queue to consume
    }
    return create_app({"CELERY": celery, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


if os.environ.get("NF_BENCH_QUEUE"):
    flask_app = bench_app()
    celery = flask_app.extensions["celery"]
