"""``/healthz`` (the process answers) and ``/readyz`` (it can do its work) for load balancers and monitoring.

Both are open to anyone, set no cookie, are never cached and say nothing secret (tasks.health).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from app.extensions import limiter
from tasks.health import readiness

bp = Blueprint("health", __name__)


def _uncached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """Alive: answers without the database or any other server."""
    return _uncached(jsonify(status="ok"))


@bp.route("/readyz")
@limiter.exempt
def readyz():
    """Ready: the database, the broker, the file storage (writable) and the PDF converter; 503 if one fails."""
    ready, checks = readiness()
    response = jsonify(status="ok" if ready else "fel", checks=checks)
    response.status_code = 200 if ready else 503
    return _uncached(response)
