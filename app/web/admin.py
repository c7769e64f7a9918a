"""Administration pages: the municipality's classification plan, users and their roles.

Administering the municipality is a role held in the municipality (``MunicipalRole.admin``); a
committee's administrator keeps what concerns that committee alone (here: its review rule)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth import operations as auth_ops
from app.auth.models import CommitteeRole, MunicipalRole, Role, User
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.permissions import (
    Action,
    administered_municipalities,
    allowed_committees,
    can,
    committees_where,
    municipalities_where,
    require,
)
from app.registry import operations as ops
from app.registry.models import ClassificationCode
from app.registry.queries import classification_codes
from app.web.admin_forms import NewUserForm, PasswordResetForm, ReviewRulesForm, RoleForm, UserForm
from app.web.forms import EmptyForm
from app.web.registry_forms import ClassificationEditForm, ClassificationForm, submit
from workflows.review_rules import set_same_person_may_approve_and_sign

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _managed_municipality(action: Action = Action.manage_classification) -> Municipality:
    """Return the municipality the current user administers, or answer 403 unless they administer one."""
    municipalities = administered_municipalities(current_user, action)
    if not municipalities:
        abort(403)
    return municipalities[0]


@bp.route("/")
@login_required
def index():
    """The first administration page the current user may open."""
    if municipalities_where(current_user, Action.manage_classification):
        return redirect(url_for("admin.classification"))
    if municipalities_where(current_user, Action.manage_users):
        return redirect(url_for("admin.users"))
    if committees_where(current_user, Action.manage_review_rules):
        return redirect(url_for("admin.review_rules"))
    abort(403)


@bp.route("/klassificering", methods=["GET", "POST"])
@login_required
def classification():
    municipality = _managed_municipality()
    form = ClassificationForm()

    def operation():
        item = ops.add_classification(municipality, user=current_user, code=form.code.data, name=form.name.data)
        return f"Klassificeringen {item.code} – {item.name} har lagts till.", url_for("admin.classification")

    def render(status: int):
        return render_template(
            "admin/classification.html", municipality=municipality, codes=classification_codes(municipality), form=form
        ), status

    return submit(form, operation, render)


@bp.route("/klassificering/<int:code_id>/andra", methods=["GET", "POST"])
@login_required
def edit_classification(code_id: int):
    item = db.session.get(ClassificationCode, code_id)
    if item is None:
        abort(404)
    require(current_user, Action.manage_classification, item.municipality)
    form = ClassificationEditForm(obj=item)

    def operation():
        ops.update_classification(item, user=current_user, name=form.name.data, is_active=form.is_active.data)
        state = "används" if item.is_active else "är avvecklad och kan inte väljas för nya ärenden"
        return f"Klassificeringen {item.code} – {item.name} {state}.", url_for("admin.classification")

    return submit(
        form,
        operation,
        lambda status: (render_template("admin/edit_classification.html", item=item, form=form), status),
    )


# --- the committees' rules of the review chain ---


@bp.route("/granskning")
@login_required
def review_rules():
    committees = allowed_committees(current_user, Action.manage_review_rules)
    if not committees:
        abort(403)
    forms = {
        c.id: ReviewRulesForm(
            formdata=None, prefix=f"c{c.id}", same_person_may_approve_and_sign=c.same_person_may_approve_and_sign
        )
        for c in committees
    }
    return render_template("admin/review_rules.html", committees=committees, forms=forms)


@bp.route("/granskning/<int:committee_id>", methods=["POST"])
@login_required
def set_review_rules(committee_id: int):
    committee = db.session.get(Committee, committee_id)
    if committee is None or not can(current_user, Action.view_committee, committee):
        abort(404)
    require(current_user, Action.manage_review_rules, committee)
    form = ReviewRulesForm(prefix=f"c{committee.id}")
    if not form.validate_on_submit():
        abort(400, "Formuläret kunde inte läsas. Ladda om sidan och försök igen.")
    set_same_person_may_approve_and_sign(
        committee, user=current_user, allowed=bool(form.same_person_may_approve_and_sign.data)
    )
    db.session.commit()
    flash(f"Reglerna för granskning i {committee.name} är sparade.", "success")
    return redirect(url_for("admin.review_rules") + f"#namnd-{committee.id}")


# --- users and their roles ---


def _managed_committees() -> list[Committee]:
    """Return the committees of the municipalities whose users the current user administers (none yet in a
    new municipality); answer 403 unless they administer one."""
    if not municipalities_where(current_user, Action.manage_users):
        abort(403)
    return allowed_committees(current_user, Action.manage_users)


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _manageable(user: User, committees: list[Committee]) -> bool:
    """Answer whether every role of ``user`` is in one of ``committees`` or a municipality the current user
    administers (true for a user without roles)."""
    municipalities = municipalities_where(current_user, Action.manage_users)
    return user.committee_ids <= {c.id for c in committees} and all(
        r.municipality_id in municipalities for r in user.municipality_roles
    )


def _load_manageable_user(user_id: int) -> tuple[User, list[Committee]]:
    """Return the user and the current user's committees; 403 unless the current user administers all its roles."""
    committees = _managed_committees()
    user = _load_user(user_id)
    if not _manageable(user, committees):
        abort(403)
    return user, committees


def _chosen_committee(committee_id: int | None) -> Committee:
    """Return the committee to grant or revoke a role in; 403 unless the current user may manage users there."""
    committee = db.session.get(Committee, committee_id) if committee_id is not None else None
    if committee is None or not can(current_user, Action.manage_users, committee):
        abort(403)
    return committee


def _user_url(user: User) -> str:
    return url_for("admin.user_detail", user_id=user.id)


def _user_page(
    user: User, committees: list[Committee], status: int = 200, *, details_form=None, role_form=None, password_form=None
):
    """Render one user's page, with the submitted form of the action that failed in place of its empty one."""
    role_form = role_form or RoleForm(formdata=None)
    role_form.offer(committees)
    return render_template(
        "admin/user.html",
        user=user,
        managed_ids={c.id for c in committees},
        manageable=_manageable(user, committees),
        details_form=details_form or UserForm(formdata=None, obj=user),
        password_form=password_form or PasswordResetForm(formdata=None),
        role_form=role_form,
        button_form=EmptyForm(formdata=None),
        grants=sorted(user.roles, key=lambda r: (r.committee.name, r.role.label)),
        committees_offered=bool(committees),
        municipalities=administered_municipalities(current_user, Action.manage_users),
        municipal_grants={r.municipality_id for r in user.municipality_roles if r.role is MunicipalRole.admin},
    ), status


@bp.route("/anvandare")
@login_required
def users():
    _managed_committees()
    people = db.session.scalars(
        select(User)
        .order_by(User.name, User.id)
        .options(selectinload(User.roles).selectinload(CommitteeRole.committee))
    ).all()
    return render_template("admin/users.html", users=people)


@bp.route("/anvandare/ny", methods=["GET", "POST"])
@login_required
def new_user():
    committees = _managed_committees()
    form = NewUserForm()

    def operation():
        grants = [(_chosen_committee(committee_id), role) for committee_id, role in form.roles.data or []]
        user = auth_ops.create_user(
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            title=form.title.data,
            phone=form.phone.data,
            actor=current_user,
        )
        for committee, role in grants:
            auth_ops.grant_role(user, committee, role, actor=current_user)
        return f"Användaren {user.name} ({user.email}) har skapats.", _user_url(user)

    def render(status: int):
        return render_template(
            "admin/new_user.html", form=form, committees=committees, roles=list(Role), chosen=set(form.roles.data or [])
        ), status

    return submit(form, operation, render)


@bp.route("/anvandare/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_detail(user_id: int):
    committees = _managed_committees()
    user = _load_user(user_id)
    if request.method == "POST" and not _manageable(user, committees):
        abort(403)
    form = UserForm(obj=user)

    def operation():
        auth_ops.update_user(
            user,
            email=form.email.data,
            name=form.name.data,
            title=form.title.data,
            phone=form.phone.data,
            actor=current_user,
        )
        return f"Uppgifterna för {user.name} har sparats.", _user_url(user)

    return submit(form, operation, lambda status: _user_page(user, committees, status, details_form=form))


def _role_change(user_id: int, *, grant: bool):
    """Grant or revoke the role the form names; a role already held (or not held) changes nothing."""
    committees = _managed_committees()
    user = _load_user(user_id)
    form = RoleForm()
    form.offer(committees)

    def operation():
        committee, role = _chosen_committee(form.committee.data), form.role.data
        if grant:
            auth_ops.grant_role(user, committee, role, actor=current_user)
            return f"{user.name} har fått rollen {role.label} i {committee.name}.", _user_url(user)
        auth_ops.revoke_role(user, committee, role, actor=current_user)
        return f"Rollen {role.label} i {committee.name} har tagits bort från {user.name}.", _user_url(user)

    if form.validate_on_submit():
        committee, role = _chosen_committee(form.committee.data), form.role.data
        if (role in user.roles_in(committee.id)) is grant:
            held = "har redan" if grant else "har inte"
            flash(f"{user.name} {held} rollen {role.label} i {committee.name}; inget har ändrats.", "info")
            return redirect(_user_url(user))
    return submit(form, operation, lambda status: _user_page(user, committees, status, role_form=form))


@bp.route("/anvandare/<int:user_id>/roller", methods=["POST"])
@login_required
def grant_role(user_id: int):
    return _role_change(user_id, grant=True)


@bp.route("/anvandare/<int:user_id>/roller/ta-bort", methods=["POST"])
@login_required
def revoke_role(user_id: int):
    return _role_change(user_id, grant=False)


def _municipal_role_change(user_id: int, *, grant: bool):
    """Make the user an administrator of the current user's municipality, or no longer one."""
    committees = _managed_committees()
    municipality = _managed_municipality(Action.manage_users)
    user = _load_user(user_id)
    if not _manageable(user, committees):
        abort(403)
    label = MunicipalRole.admin.label.lower()

    def operation():
        if grant:
            auth_ops.grant_municipal_role(user, municipality, MunicipalRole.admin, actor=current_user)
            return f"{user.name} är {label} i {municipality.name}.", _user_url(user) + "#kommunen"
        auth_ops.revoke_municipal_role(user, municipality, MunicipalRole.admin, actor=current_user)
        return f"{user.name} är inte längre {label} i {municipality.name}.", _user_url(user) + "#kommunen"

    return submit(EmptyForm(), operation, lambda status: _user_page(user, committees, status))


@bp.route("/anvandare/<int:user_id>/kommunadministrator", methods=["POST"])
@login_required
def grant_municipal_admin(user_id: int):
    return _municipal_role_change(user_id, grant=True)


@bp.route("/anvandare/<int:user_id>/kommunadministrator/ta-bort", methods=["POST"])
@login_required
def revoke_municipal_admin(user_id: int):
    return _municipal_role_change(user_id, grant=False)


@bp.route("/anvandare/<int:user_id>/losenord", methods=["POST"])
@login_required
def reset_password(user_id: int):
    user, committees = _load_manageable_user(user_id)
    form = PasswordResetForm()

    def operation():
        auth_ops.set_password_by_admin(user, form.password.data, actor=current_user)
        return f"{user.name} har fått ett nytt lösenord. Lämna det till hen på ett säkert sätt.", _user_url(user)

    return submit(form, operation, lambda status: _user_page(user, committees, status, password_form=form))


def _enable(user_id: int, enabled: bool):
    """Enable or disable the account and go back to the user's page."""
    user, committees = _load_manageable_user(user_id)

    def operation():
        auth_ops.set_enabled(user, enabled, actor=current_user)
        state = "aktiverat" if enabled else "inaktiverat: hen kan inte logga in eller använda API-nycklar"
        return f"Kontot för {user.name} är {state}.", _user_url(user)

    return submit(EmptyForm(), operation, lambda status: _user_page(user, committees, status))


@bp.route("/anvandare/<int:user_id>/inaktivera", methods=["POST"])
@login_required
def disable_user(user_id: int):
    return _enable(user_id, False)


@bp.route("/anvandare/<int:user_id>/aktivera", methods=["POST"])
@login_required
def enable_user(user_id: int):
    return _enable(user_id, True)


@bp.route("/anvandare/<int:user_id>/logga-ut", methods=["POST"])
@login_required
def end_sessions(user_id: int):
    """Log the user out on every device (e.g. a lost laptop)."""
    user, committees = _load_manageable_user(user_id)

    def operation():
        auth_ops.end_sessions(user, actor=current_user)
        if user.id == current_user.id:
            return "Du är utloggad på alla andra enheter.", _user_url(user)
        return f"{user.name} är utloggad från alla enheter.", _user_url(user)

    response = submit(EmptyForm(), operation, lambda status: _user_page(user, committees, status))
    if user.id == current_user.id:
        login_user(user)  # the admin's own browser stays logged in, with the new version
    return response
