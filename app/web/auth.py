"""Log in, log out, the profile page with password and personal API tokens."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import operations as ops
from app.auth.models import ApiToken
from app.extensions import db, limiter
from app.validation import ValidationError
from app.web.auth_forms import LoginForm, NoticeSettingsForm, PasswordForm, TokenForm
from app.web.forms import EmptyForm, apply_errors

bp = Blueprint("auth", __name__)


def _is_same_site_path(target: str) -> bool:
    """Answer whether ``target`` is a path on this site however a browser reads it.

    Browsers drop tabs and line breaks, read a backslash as a slash and take ``//host`` as
    another host; so no control or separator character, no backslash, no scheme or host,
    and the same in the target's percent-decoded forms (a proxy or the next page may decode).
    """
    text, refused = target, ("C", "Z")  # a space is refused as written, allowed once decoded (%20)
    for _ in range(3):
        if (
            not text.startswith("/")
            or text.startswith("//")
            or "\\" in text
            or any(unicodedata.category(ch).startswith(refused) for ch in text)
        ):
            return False
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return False
        decoded = unquote(text)
        if decoded == text:
            return True
        text, refused = decoded, ("C", "Zl", "Zp")
    return False


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the start page."""
    if isinstance(target, str) and len(target) <= 2000 and _is_same_site_path(target):
        return target
    return url_for("main.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_name_key() -> str:
    return "login-name:" + (request.form.get("email") or "").strip().lower()[:200]


@bp.route("/logga-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda r: r.status_code != 302)
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_name_key, deduct_when=lambda r: r.status_code != 302)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = ops.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            ops.record_login(user)
            db.session.commit()
            return redirect(_safe_next(form.next.data))
        form.password.errors.append("Fel e-post eller lösenord.")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logga-ut", methods=["POST"])
@login_required
def logout():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    logout_user()
    ops.record_logout(user)
    db.session.commit()
    flash("Du är utloggad.", "info")
    return redirect(url_for("auth.login"))


def _profile(token_form=None, password_form=None, new_token=None, status=200):
    tokens = sorted(current_user.api_tokens, key=lambda t: t.created_dt, reverse=True)
    notice_form = NoticeSettingsForm(prefix="notices", formdata=None)
    notice_form.email_meeting_notices.data = current_user.email_meeting_notices
    return render_template(
        "auth/profile.html",
        notice_form=notice_form,
        token_form=token_form or TokenForm(prefix="token"),
        password_form=password_form or PasswordForm(prefix="pw"),
        revoke_form=EmptyForm(),
        tokens=tokens,
        new_token=new_token,
    ), status


@bp.route("/profil")
@login_required
def profile():
    return _profile()


@bp.route("/profil/meddelanden", methods=["POST"])
@login_required
def notice_settings():
    form = NoticeSettingsForm(prefix="notices")
    if not form.validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    ops.set_email_meeting_notices(user, form.email_meeting_notices.data, actor=user)
    db.session.commit()
    if user.email_meeting_notices:
        flash("Sparat: kallelser kommer till dig som e-post och visas under Utkorg.", "success")
    else:
        flash("Sparat: kallelser visas under Utkorg men kommer inte som e-post.", "success")
    return redirect(url_for("auth.profile", _anchor="meddelanden"))


@bp.route("/profil/api-nycklar", methods=["POST"])
@login_required
def create_token():
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        return _profile(token_form=form, status=400)
    try:
        _row, token = ops.create_token(current_user, form.name.data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _profile(token_form=form, status=400)
    db.session.commit()
    return _profile(new_token=token)


@bp.route("/profil/api-nycklar/<int:token_id>/aterkalla", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    ops.revoke_token(row, user=current_user)
    db.session.commit()
    flash(f"API-nyckeln ”{row.name}” är återkallad.", "success")
    return redirect(url_for("auth.profile"))


@bp.route("/profil/losenord", methods=["POST"])
@login_required
def change_password():
    form = PasswordForm(prefix="pw")
    if not form.validate_on_submit():
        return _profile(password_form=form, status=400)
    try:
        ops.change_password(
            current_user,
            current=form.current_password.data,
            new=form.new_password.data,
            repeat=form.repeat_password.data,
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _profile(password_form=form, status=400)
    db.session.commit()
    login_user(current_user._get_current_object())  # this browser stays logged in; every other session ends
    flash("Lösenordet är bytt. Du är utloggad på alla andra enheter.", "success")
    return redirect(url_for("auth.profile"))
