"""Configuration: the embedded default and production from the environment."""

import stat

import pytest

from app import create_app
from config import ConfigError, load_config


def test_embedded_default_uses_sqlite_local_files_and_a_serverless_broker(tmp_path):
    values = load_config({}, tmp_path)
    assert values["APP_ENV"] == "embedded"
    assert values["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'namndflode.sqlite'}"
    assert values["STORAGE_PATH"] == str(tmp_path / "files")
    assert values["CELERY"]["broker_url"] == "filesystem://"
    assert values["CELERY"]["task_serializer"] == "json" and values["CELERY"]["accept_content"] == ["json"]
    assert values["CELERY"]["task_acks_late"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True and values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["PASSWORD_HASH_METHOD"] == "scrypt"


def test_embedded_secret_key_is_made_once_and_kept(tmp_path):
    first = load_config({}, tmp_path)["SECRET_KEY"]
    second = load_config({}, tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 40
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_config({"SECRET_KEY": "from-the-environment"}, tmp_path)["SECRET_KEY"] == "from-the-environment"


def test_embedded_with_redis_url_uses_redis(tmp_path):
    values = load_config({"REDIS_URL": "redis://127.0.0.1:6379/3"}, tmp_path)
    assert values["CELERY"]["broker_url"] == "redis://127.0.0.1:6379/3"
    assert values["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "x" * 48,
    "DATABASE_URL": "postgresql://app@db.internal/namndflode",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "STORAGE_PATH": "/srv/namndflode/files",
}


def test_production_reads_everything_from_the_environment(tmp_path):
    values = load_config(PRODUCTION, tmp_path)
    assert values["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db.internal/namndflode"
    assert values["CELERY"]["broker_url"] == PRODUCTION["REDIS_URL"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "STORAGE_PATH"])
def test_production_refuses_to_start_without_its_settings(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError) as info:
        load_config(env, tmp_path)
    assert missing in str(info.value)
    with pytest.raises(SystemExit) as exit_info:
        create_app(environ={**env, "INSTANCE_PATH": str(tmp_path)})
    assert missing in str(exit_info.value)


def test_production_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="too short"):
        load_config({**PRODUCTION, "SECRET_KEY": "short"}, tmp_path)


def test_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="APP_ENV"):
        load_config({"APP_ENV": "staging"}, tmp_path)


def test_mail_is_off_by_default_and_read_from_the_environment(tmp_path):
    values = load_config({}, tmp_path)
    assert values["MAIL_SERVER"] is None and values["MAIL_PORT"] == 25 and values["MAIL_USE_TLS"] is False
    values = load_config(
        {
            "MAIL_SERVER": "smtp.kommun.se",
            "MAIL_USE_TLS": "true",
            "MAIL_USERNAME": "nf",
            "MAIL_PASSWORD": "hemligt",
            "MAIL_FROM": "Nämndflöde <nf@kommun.se>",
            "PUBLIC_BASE_URL": "https://namndflode.kommun.se/",
        },
        tmp_path,
    )
    assert values["MAIL_SERVER"] == "smtp.kommun.se" and values["MAIL_PORT"] == 587 and values["MAIL_USE_TLS"]
    assert values["MAIL_USERNAME"] == "nf" and values["MAIL_PASSWORD"] == "hemligt"
    assert values["PUBLIC_BASE_URL"] == "https://namndflode.kommun.se"
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        load_config({"MAIL_PORT": "smtp"}, tmp_path)


def test_production_with_mail_needs_the_sites_address_and_a_sender(tmp_path):
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        load_config({**PRODUCTION, "MAIL_SERVER": "smtp.kommun.se"}, tmp_path)
    values = load_config(
        {
            **PRODUCTION,
            "MAIL_SERVER": "smtp.kommun.se",
            "MAIL_FROM": "nf@kommun.se",
            "PUBLIC_BASE_URL": "https://namndflode.kommun.se",
        },
        tmp_path,
    )
    assert values["MAIL_SERVER"] == "smtp.kommun.se"


def test_the_beat_runs_the_reminder_sweep_every_hour(tmp_path):
    app = create_app(environ={"INSTANCE_PATH": str(tmp_path)})
    schedule = app.extensions["celery"].conf.beat_schedule["remind-overdue"]
    assert schedule["task"] == "tasks.notifications.remind_overdue"
    assert "tasks.notifications" in app.extensions["celery"].conf.imports  # so every worker knows it
    assert str(schedule["schedule"].minute) == "{0}" and len(schedule["schedule"].hour) == 24


def test_the_seal_certificate_is_read_from_the_environment(tmp_path):
    assert load_config({}, tmp_path)["SEAL_CERTIFICATE_PATH"] is None
    values = load_config(
        {
            "SEAL_CERTIFICATE_PATH": "/etc/nf/sigill.crt",
            "SEAL_KEY_PATH": "/etc/nf/sigill.key",
            "SEAL_KEY_PASSWORD": "p",
        },
        tmp_path,
    )
    assert (values["SEAL_CERTIFICATE_PATH"], values["SEAL_KEY_PATH"], values["SEAL_KEY_PASSWORD"]) == (
        "/etc/nf/sigill.crt",
        "/etc/nf/sigill.key",
        "p",
    )
    with pytest.raises(ConfigError, match="SEAL_CERTIFICATE_PATH and SEAL_KEY_PATH"):
        load_config({"SEAL_CERTIFICATE_PATH": "/etc/nf/sigill.crt"}, tmp_path)


def test_redis_messages_of_a_dead_worker_come_back_after_the_longest_job_not_an_hour(tmp_path):
    celery = load_config(PRODUCTION, tmp_path)["CELERY"]
    options = celery["broker_transport_options"]
    assert options["visibility_timeout"] == 35 * 60  # JOB_TIME_LIMIT (30 min) and five minutes' room
    assert celery["task_time_limit"] == 30 * 60 and celery["task_acks_late"] is True
    assert options["unacked_restore_throttle"] == 1  # looked for every unacked_restore_interval (10 s)
    shorter = load_config({**PRODUCTION, "JOB_TIME_LIMIT": "600", "BROKER_VISIBILITY_TIMEOUT": "700"}, tmp_path)
    assert shorter["CELERY"]["broker_transport_options"]["visibility_timeout"] == 700
    assert shorter["CELERY"]["task_time_limit"] == 600


def test_renders_have_a_queue_of_their_own(tmp_path):
    celery = load_config({}, tmp_path)["CELERY"]
    assert celery["task_default_queue"] == "celery"
    assert celery["task_routes"]["tasks.rendering.render_meeting_documents"] == {"queue": "rendering"}
    assert celery["task_routes"]["tasks.protocol_documents.render_protocol_documents"] == {"queue": "rendering"}
    assert "tasks.notifications.send_message" not in celery["task_routes"]
    assert celery["broker_transport_options"]["polling_interval"] == 0.1


@pytest.mark.parametrize(
    "env", [{"CONVERSION_TIMEOUT": "1800"}, {"JOB_TIME_LIMIT": "0"}, {"CONVERSION_TIMEOUT": "snart"}]
)
def test_a_conversion_must_fit_in_a_job(tmp_path, env):
    with pytest.raises(ConfigError):
        load_config(env, tmp_path)
