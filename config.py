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
    #: request bodies above this are refused with 413 before a view sees them
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    #: werkzeug's scrypt: a current memory-hard algorithm
    PASSWORD_HASH_METHOD = "scrypt"
    #: Flask-Limiter syntax; applies per client address and per user name
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
    RATELIMIT_HEADERS_ENABLED = True
    TIMEZONE = "Europe/Stockholm"
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
        if env.get("MAX_UPLOAD_MB"):
            try:
                values["MAX_CONTENT_LENGTH"] = int(env["MAX_UPLOAD_MB"]) * 1024 * 1024
            except ValueError as exc:
                raise ConfigError("MAX_UPLOAD_MB must be a whole number of megabytes") from exc
        values["LOG_LEVEL"] = env.get("LOG_LEVEL", "INFO").upper()
        #: how many reverse proxies in front set X-Forwarded-For/-Proto (0: none)
        values["TRUSTED_PROXIES"] = int(env.get("TRUSTED_PROXIES") or 0)
        values.update(self.mail_settings())
        values.update(self.seal_settings())
        values["STORAGE_BACKEND"] = env.get("STORAGE_BACKEND", "local")
        if values["STORAGE_BACKEND"] != "local":
            raise ConfigError(
                f"STORAGE_BACKEND={values['STORAGE_BACKEND']!r} is not supported; use 'local' "
                "(a directory, which may be a network share mounted on every machine)"
            )
        return values

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
    def celery_settings(broker_url: str, transport_options: dict | None = None) -> dict:
        return {
            "broker_url": broker_url,
            "broker_transport_options": transport_options or {},
            "broker_connection_retry_on_startup": True,
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
                "tasks.registry",
                "tasks.notifications",
                "tasks.rendering.tasks",
                "tasks.rendering.meeting_documents",
                "tasks.protocol_documents",
            ],
            # Celery beat (`worker -B` on one machine, or `celery beat` once): reminders for overdue
            # review steps, and messages a broker outage left in the outbox.
            "beat_schedule": {
                "remind-overdue": {"task": "tasks.notifications.remind_overdue", "schedule": crontab(minute=0)},
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
            values["CELERY"] = self.celery_settings(redis_url)
            values["RATELIMIT_STORAGE_URI"] = redis_url
        else:
            queue = inst / "celery" / "queue"
            values["CELERY"] = self.celery_settings(
                "filesystem://",
                {
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
        values["CELERY"] = self.celery_settings(env["REDIS_URL"])
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
