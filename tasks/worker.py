"""Entry point for Celery workers: ``celery -A tasks.worker worker``."""

from app import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
