"""Configuration: the embedded default and production, both read from the environment.

Nothing is read at import time: ``load_config()`` looks at the environment when the
application is created, so tests and workers can each build the configuration they need.

* ``APP_ENV=embedded`` (the default): SQLite in ``instance/``, files on local disk, Celery
  on a filesystem broker in ``instance/`` (no server to install, yet a separate worker
  process does the work), a secret key generated once and kept in ``instance/``.
* ``APP_ENV=production``: ``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` (Celery broker and
  rate-limit storage) and ``SECRET_KEY`` must all be set, or the application refuses to start.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

ROOT = Path(__file__).resolve().parent
DEFAULT_INSTANCE_PATH = ROOT / "instance"

#: seconds a job may run before its worker child is ended (JOB_TIME_LIMIT): the longest render, with room
JOB_TIME_LIMIT = 30 * 60
#: seconds one LibreOffice conversion may take before the converter is judged hung (CONVERSION_TIMEOUT)
CONVERSION_TIMEOUT = 90
#: a running job's worker marks it alive this often; after four missed beats it has no live worker
JOB_HEARTBEAT_SECONDS = 15
#: a job still queued after this many seconds is sent to the broker again (the first sending was lost)
JOB_QUEUED_BOUND = 10 * 60
#: how often beat sends the task outbox's kept tasks and looks for stuck jobs
OUTBOX_SWEEP_SECONDS = 10.0
WATCH_SECONDS = 30.0
#: megabytes a bilaga may have (MAX_ATTACHMENT_MB): a scanned handling of a few hundred pages is 15–80 MB (Borås's
#: Kommunstyrelse published PDFs of 67 and 79 MB for one meeting), so 100 lets the largest real ones in; uploads
#: are streamed to disk and the package made from files, so the bound is not memory
MAX_ATTACHMENT_MB = 100
#: the tasks that render documents: on the render queue
RENDER_TASKS = (
    "tasks.rendering.render_report_preview",
    "tasks.rendering.render_meeting_documents",
    "tasks.rendering.render_signed_report",
    "tasks.protocol_documents.render_protocol_documents",
)


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the application can start with."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class BaseConfig:
    """Settings shared by every mode; subclasses fill in what comes from the environment."""

    #: the mode name shown in logs and used by ``flask demo`` to decide on demo tokens
    APP_ENV = "base"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "namndflode_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    #: request bodies above this are refused with 413 before a view sees them (upload_limits: from the environment)
    MAX_CONTENT_LENGTH = (MAX_ATTACHMENT_MB + 1) * 1024 * 1024
    #: werkzeug's scrypt: a current memory-hard algorithm
    PASSWORD_HASH_METHOD = "scrypt"
    #: Flask-Limiter syntax; applies per client address and per user name
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
    RATELIMIT_HEADERS_ENABLED = True
    #: Redis down: the limits are counted in this process's memory meanwhile (Flask-Limiter logs "falling back
    #: to in-memory storage", and "recovered" when Redis answers again), so log-in keeps working
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    #: a Redis that does not answer is given up on within a second (for memory://, ignored)
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    TIMEZONE = "Europe/Stockholm"
    #: the pool checks a connection before lending it out and replaces it after half an hour, so a database
    #: restart or a connection terminated while idle costs a reconnect, not an error
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_recycle": 1800}
    #: days an API client's Idempotency-Key is remembered (app/idempotency.py)
    IDEMPOTENCY_KEY_DAYS = 7
    ITEMS_PER_PAGE = 25
    API_MAX_PER_PAGE = 200
    #: days a reviewer and an approver have for their step before reminders start
    REVIEW_DAYS = 5
    APPROVAL_DAYS = 3

    def __init__(self, environ: Mapping[str, str], instance_path: Path):
        self.environ = environ
        self.instance_path = Path(instance_path)

    def values(self) -> dict:
        """Return the configuration as a mapping for ``app.config``."""
        out = {k: getattr(self, k) for k in dir(self) if k.isupper()}
        out.update(self.from_environment())
        return out

    def from_environment(self) -> dict:
        env = self.environ
        values: dict = {}
        if env.get("LOGIN_RATE_LIMIT"):
            values["LOGIN_RATE_LIMIT"] = env["LOGIN_RATE_LIMIT"]
        values.update(self.upload_limits())
        values["LOG_LEVEL"] = env.get("LOG_LEVEL", "INFO").upper()
        #: "text" (key=value after the message) or "json" (one object per line), app.logs
        values["LOG_FORMAT"] = (env.get("LOG_FORMAT") or "text").strip().lower()
        if values["LOG_FORMAT"] not in ("text", "json"):
            raise ConfigError("LOG_FORMAT must be text or json")
        #: how many reverse proxies in front set X-Forwarded-For/-Proto (0: none)
        values["TRUSTED_PROXIES"] = int(env.get("TRUSTED_PROXIES") or 0)
        values.update(self.mail_settings())
        values.update(self.seal_settings())
        values.update(self.job_settings())
        #: the limits of the child process that reads a bilaga's text for the search (tasks/text_extraction.py)
        values["EXTRACTION_SECONDS"] = self._seconds("EXTRACTION_SECONDS", 30)
        values["EXTRACTION_MEMORY_MB"] = self._whole("EXTRACTION_MEMORY_MB", 512)
        values["STORAGE_BACKEND"] = env.get("STORAGE_BACKEND", "local")
        if values["STORAGE_BACKEND"] != "local":
            raise ConfigError(
                f"STORAGE_BACKEND={values['STORAGE_BACKEND']!r} is not supported; use 'local' "
                "(a directory, which may be a network share mounted on every machine)"
            )
        return values

    def upload_limits(self) -> dict:
        """The largest bilaga (MAX_ATTACHMENT_MB) and the largest request body (MAX_UPLOAD_MB, by default a bilaga's
        limit and a megabyte for the rest of the form). A bilaga is stored as it streams in (werkzeug keeps an
        upload above 500 KB in a temporary file, storage copies it a megabyte at a time), so the limit is one of
        disk and patience, not of the web process's memory."""
        attachment = self._whole("MAX_ATTACHMENT_MB", MAX_ATTACHMENT_MB)
        request_mb = self._whole("MAX_UPLOAD_MB", attachment + 1)
        if request_mb < attachment:
            raise ConfigError("MAX_UPLOAD_MB (a request) must be at least MAX_ATTACHMENT_MB (one bilaga in it)")
        return {"MAX_ATTACHMENT_BYTES": attachment * 1024 * 1024, "MAX_CONTENT_LENGTH": request_mb * 1024 * 1024}

    def _seconds(self, name: str, default: int) -> int:
        value = self.environ.get(name)
        if not value:
            return default
        try:
            seconds = int(value)
        except ValueError:
            seconds = 0
        if seconds <= 0:
            raise ConfigError(f"{name} must be a whole number of seconds, above 0")
        return seconds

    def _whole(self, name: str, default: int) -> int:
        value = self.environ.get(name)
        if not value:
            return default
        if not value.isdigit() or int(value) <= 0:
            raise ConfigError(f"{name} must be a whole number above 0")
        return int(value)

    def job_settings(self) -> dict:
        """How long a job may take, how long one conversion may take, and when a job is judged stuck."""
        job_limit = self._seconds("JOB_TIME_LIMIT", JOB_TIME_LIMIT)
        conversion = self._seconds("CONVERSION_TIMEOUT", CONVERSION_TIMEOUT)
        if conversion >= job_limit:
            raise ConfigError("CONVERSION_TIMEOUT must be shorter than JOB_TIME_LIMIT (one conversion within a job)")
        return {
            "JOB_TIME_LIMIT": job_limit,
            "CONVERSION_TIMEOUT": conversion,
            "BROKER_VISIBILITY_TIMEOUT": self._seconds("BROKER_VISIBILITY_TIMEOUT", job_limit + 300),
            "JOB_HEARTBEAT_SECONDS": self._seconds("JOB_HEARTBEAT_SECONDS", JOB_HEARTBEAT_SECONDS),
            "JOB_QUEUED_BOUND": self._seconds("JOB_QUEUED_BOUND", JOB_QUEUED_BOUND),
        }

    def celery(self, broker_url: str, transport_options: dict | None = None) -> dict:
        """Celery's settings from the environment: queue names, the task time limit and, on Redis, a visibility
        timeout that fits the longest job."""
        env = self.environ
        jobs = self.job_settings()
        options = dict(transport_options or {})
        if broker_url.startswith(("redis://", "rediss://")):
            options.update(
                # a message taken by a worker that died comes back after this; a job runs at most JOB_TIME_LIMIT
                visibility_timeout=jobs["BROKER_VISIBILITY_TIMEOUT"],
                # look for such messages every 10 s (kombu's default looks every 100 s)
                unacked_restore_interval=10,
                unacked_restore_throttle=1,
                # a Redis that is down is noticed in seconds (the task is then kept in the task outbox)
                socket_connect_timeout=3,
                socket_timeout=10,
            )
        return self.celery_settings(
            broker_url,
            options,
            queue=env.get("CELERY_QUEUE") or "celery",
            render_queue=env.get("CELERY_RENDER_QUEUE") or "rendering",
            time_limit=jobs["JOB_TIME_LIMIT"],
        )

    def mail_settings(self) -> dict:
        """SMTP for the outbox's messages; without ``MAIL_SERVER`` they are only kept in the outbox."""
        env = self.environ
        use_tls = _bool(env.get("MAIL_USE_TLS"), False)
        try:
            port = int(env.get("MAIL_PORT") or (587 if use_tls else 25))
        except ValueError as exc:
            raise ConfigError("MAIL_PORT must be a port number") from exc
        return {
            "MAIL_SERVER": env.get("MAIL_SERVER") or None,
            "MAIL_PORT": port,
            "MAIL_USE_TLS": use_tls,
            "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
            "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
            "MAIL_FROM": env.get("MAIL_FROM") or "Nämndflöde <noreply@localhost>",
            #: the site's address as people reach it, for the links in e-mail
            "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        }

    def seal_settings(self) -> dict:
        """The organisation's seal: its certificate and private key as PEM files, and the key's password.

        Unset, the embedded default seals with a self-signed demo certificate it makes once in
        ``instance/seal/`` (``tasks.rendering.seal.credentials_from_settings``); production refuses to seal.
        """
        env = self.environ
        certificate = env.get("SEAL_CERTIFICATE_PATH") or None
        key = env.get("SEAL_KEY_PATH") or None
        if bool(certificate) != bool(key):
            raise ConfigError(
                "Set both SEAL_CERTIFICATE_PATH and SEAL_KEY_PATH (the organisation's seal certificate and its "
                "private key, PEM files), or neither."
            )
        return {
            "SEAL_CERTIFICATE_PATH": certificate,
            "SEAL_KEY_PATH": key,
            "SEAL_KEY_PASSWORD": env.get("SEAL_KEY_PASSWORD") or None,
        }

    @staticmethod
    def celery_settings(
        broker_url: str,
        transport_options: dict | None = None,
        *,
        queue: str = "celery",
        render_queue: str = "rendering",
        time_limit: int = JOB_TIME_LIMIT,
    ) -> dict:
        return {
            "broker_url": broker_url,
            "broker_transport_options": transport_options or {},
            "broker_connection_retry_on_startup": True,
            # A broker that is down: a task sent is kept in the task outbox at once (tasks.outbox), not retried
            # here while the request waits.
            "task_publish_retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
            # Renders have a queue of their own, so the notifications queued by a review chain never delay
            # one; a worker consumes both (`-Q celery,rendering`; `make run` does).
            "task_default_queue": queue,
            "task_routes": {name: {"queue": render_queue} for name in RENDER_TASKS},
            # No job runs longer: the worker's child is ended, the job is retried or failed (tasks.jobs).
            "task_time_limit": time_limit,
            "task_serializer": "json",
            "accept_content": ["json"],
            "result_serializer": "json",
            # Job state lives in the database (tasks.models.Job); Celery results are not needed.
            "task_ignore_result": True,
            "result_backend": None,
            # A worker killed mid-task gives the message back, so the job is done again.
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "timezone": "Europe/Stockholm",
            # The modules a worker imports at start, so it knows every task by name.
            "imports": [
                "tasks.jobs",
                "tasks.lifecycle",
                "tasks.outbox",
                "tasks.registry",
                "tasks.notifications",
                "tasks.rendering.tasks",
                "tasks.rendering.meeting_documents",
                "tasks.rendering.draft_kallelse",
                "tasks.rendering.signed_report",
                "tasks.protocol_documents",
            ],
            # Celery beat (`worker -B` on one machine, or `celery beat` once): reminders for overdue
            # review steps, and messages a broker outage left in the outbox.
            "beat_schedule": {
                "remind-overdue": {"task": "tasks.notifications.remind_overdue", "schedule": crontab(minute=0)},
                # tasks kept while the broker was down, sent as soon as it answers again
                "send-task-outbox": {"task": "tasks.outbox.sweep", "schedule": OUTBOX_SWEEP_SECONDS},
                # jobs queued or running with no worker holding them: sent again, or failed with the reason
                "watch-jobs": {"task": "tasks.jobs.watch", "schedule": WATCH_SECONDS},
            },
        }


class EmbeddedConfig(BaseConfig):
    """One machine, no servers: SQLite, local files, a filesystem Celery broker."""

    APP_ENV = "embedded"

    def from_environment(self) -> dict:
        values = super().from_environment()
        env = self.environ
        inst = self.instance_path
        values["SECRET_KEY"] = env.get("SECRET_KEY") or self._kept_secret_key()
        values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
            env.get("DATABASE_URL") or f"sqlite:///{inst / 'namndflode.sqlite'}"
        )
        values["STORAGE_PATH"] = env.get("STORAGE_PATH") or str(inst / "files")
        values["SESSION_COOKIE_SECURE"] = _bool(env.get("SESSION_COOKIE_SECURE"), False)
        values["REMEMBER_COOKIE_SECURE"] = values["SESSION_COOKIE_SECURE"]
        redis_url = env.get("REDIS_URL")
        if redis_url:
            values["CELERY"] = self.celery(redis_url)
            values["RATELIMIT_STORAGE_URI"] = redis_url
        else:
            queue = inst / "celery" / "queue"
            values["CELERY"] = self.celery(
                "filesystem://",
                {
                    # a message is seen within 0.1 s (kombu's default polls every second)
                    "polling_interval": 0.1,
                    "data_folder_in": str(queue),
                    "data_folder_out": str(queue),
                    "processed_folder": str(inst / "celery" / "processed"),
                    "control_folder": str(inst / "celery" / "control"),
                    "store_processed": False,
                },
            )
            values["RATELIMIT_STORAGE_URI"] = "memory://"
        return values

    def _kept_secret_key(self) -> str:
        """Make a secret key once and keep it in instance/ (readable by the owner only)."""
        path = self.instance_path / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.instance_path.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key)
        return key


class ProductionConfig(BaseConfig):
    """Several machines: PostgreSQL, Redis and shared file storage, all named by the environment."""

    APP_ENV = "production"

    def from_environment(self) -> dict:
        values = super().from_environment()
        env = self.environ
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL") if not env.get(name)]
        if missing:
            raise ConfigError(
                "APP_ENV=production needs these environment variables: "
                + ", ".join(missing)
                + ". SECRET_KEY must be a long random string shared by every web process "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
            )
        if len(env["SECRET_KEY"]) < 32:
            raise ConfigError("SECRET_KEY is too short: use at least 32 random characters.")
        if not env.get("STORAGE_PATH"):
            raise ConfigError(
                "APP_ENV=production needs STORAGE_PATH: a directory every web and worker "
                "machine mounts (e.g. an NFS share)."
            )
        values["SECRET_KEY"] = env["SECRET_KEY"]
        values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(env["DATABASE_URL"])
        if env.get("MAIL_SERVER") and not (env.get("PUBLIC_BASE_URL") and env.get("MAIL_FROM")):
            raise ConfigError(
                "MAIL_SERVER is set: also set PUBLIC_BASE_URL (the site's https address, for the links "
                "in e-mail) and MAIL_FROM (the sender, e.g. 'Nämndflöde <noreply@kommun.se>')."
            )
        values["STORAGE_PATH"] = env["STORAGE_PATH"]
        values["CELERY"] = self.celery(env["REDIS_URL"])
        values["RATELIMIT_STORAGE_URI"] = env["REDIS_URL"]
        values["SESSION_COOKIE_SECURE"] = _bool(env.get("SESSION_COOKIE_SECURE"), True)
        values["REMEMBER_COOKIE_SECURE"] = values["SESSION_COOKIE_SECURE"]
        values["PREFERRED_URL_SCHEME"] = "https"
        return values


MODES = {"embedded": EmbeddedConfig, "production": ProductionConfig}


def load_config(environ: Mapping[str, str] | None = None, instance_path: Path | None = None) -> dict:
    """Build the configuration for the mode that ``APP_ENV`` names."""
    env = os.environ if environ is None else environ
    mode = env.get("APP_ENV", "embedded")
    try:
        cls = MODES[mode]
    except KeyError:
        raise ConfigError(f"APP_ENV={mode!r} is unknown; use 'embedded' or 'production'.") from None
    return cls(env, instance_path or Path(env.get("INSTANCE_PATH") or DEFAULT_INSTANCE_PATH)).values()
