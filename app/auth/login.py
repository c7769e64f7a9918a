"""Flask-Login wiring: sessions for browsers, personal Bearer tokens for scripts."""

from __future__ import annotations

import re

from flask import Flask, flash, g, jsonify, redirect, request, url_for

from app.auth.models import User
from app.auth.operations import user_for_token
from app.errors import is_api_request
from app.extensions import db, login_manager

#: "user id:session version", as ``User.get_id`` writes it (ids fit the database's integers)
_SESSION_ID = re.compile(r"([0-9]{1,9}):([0-9]{1,9})")


def init(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """The session's user while the session's version is the user's (see ``User.get_id``)."""
        match = _SESSION_ID.fullmatch(session_id or "")
        if match is None:
            return None  # also a session made before versions existed
        user = db.session.get(User, int(match[1]))
        if user is None or user.session_version != int(match[2]):
            return None
        return user

    @login_manager.request_loader
    def load_from_token(req) -> User | None:
        if not req.path.startswith("/api/"):
            return None
        header = req.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        user = user_for_token(header[7:].strip())
        if user is not None:
            g.auth_via_token = True
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if is_api_request():
            return jsonify(
                error={
                    "status": 401,
                    "message": "Inloggning krävs: logga in eller skicka en API-nyckel (Authorization: Bearer …).",
                }
            ), 401
        flash("Logga in för att se sidan.", "info")
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
