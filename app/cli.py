"""Command-line tasks: ``flask setup``, ``flask demo load``, ``flask users …``."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db

demo_cli = AppGroup("demo", help="The demo municipality.")
users_cli = AppGroup("users", help="User accounts and roles.")


def _print_credentials(with_tokens: bool) -> None:
    from app.demo.loader import credentials

    click.echo("\nDemo users (log in at /logga-in):")
    for c in credentials():
        line = f"  {c['email']:<36} {c['password']:<22} {c['roles']}"
        click.echo(line)
        if with_tokens:
            click.echo(f"  {'':<36} API token: {c['token']}")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
def demo_load(if_empty: bool) -> None:
    """Load the demo municipality (Huddinge's Socialnämnd, fictional people)."""
    from app.demo.loader import is_empty, load

    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("The demo is not loaded in production (its passwords are public).")
    if not is_empty():
        if if_empty:
            click.echo("The database already has data; the demo is not loaded again.")
            _print_credentials(with_tokens=True)
            return
        raise click.ClickException("The database is not empty; the demo loads into an empty database only.")
    load(with_tokens=True)
    db.session.commit()
    click.echo("Demo municipality loaded.")
    _print_credentials(with_tokens=True)


@demo_cli.command("users")
def demo_users() -> None:
    """Print the demo users with their passwords and API tokens."""
    _print_credentials(with_tokens=current_app.config["APP_ENV"] != "production")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--title", default="")
@click.password_option()
def users_create(email: str, name: str, title: str, password: str) -> None:
    """Create a user account."""
    from app.auth.operations import create_user
    from app.validation import ValidationError

    try:
        user = create_user(email=email, name=name, title=title, password=password)
    except ValidationError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Created {user.email}.")


@users_cli.command("grant")
@click.argument("email")
@click.argument("committee_prefix")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def users_grant(email: str, committee_prefix: str, role: str) -> None:
    """Give a user a role in a committee (by its diarium prefix)."""
    from app.auth.operations import find_user_by_email, grant_role
    from app.organisation.models import Committee

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}.")
    committee = db.session.scalar(select(Committee).where(Committee.registry_prefix == committee_prefix.upper()))
    if committee is None:
        raise click.ClickException(f"No committee with prefix {committee_prefix}.")
    grant_role(user, committee, Role(role))
    db.session.commit()
    click.echo(f"{user.email} is now {role} in {committee.name}.")


#: where ``flask setup`` reads the first administrator's password when it is not typed at its prompt
SETUP_PASSWORD_VARIABLE = "NAMNDFLODE_ADMIN_PASSWORD"


@click.command("setup")
@click.option("--municipality", prompt="Municipality (e.g. Borås stad)", help="The municipality's name.")
@click.option(
    "--organisation-number",
    default="",
    help="The municipality's organisationsnummer, NNNNNN-NNNN (may be given later on Administration → Kommunen).",
)
@click.option("--admin-email", prompt="The first administrator's e-mail", help="Their log-in name.")
@click.option("--admin-name", prompt="The first administrator's name", help="E.g. Nils Nord.")
@click.option("--admin-title", default="", help="E.g. Systemförvaltare.")
def setup(municipality: str, organisation_number: str, admin_email: str, admin_name: str, admin_title: str) -> None:
    """Set up a new, empty installation: the municipality and its first administrator.

    The password is read from the environment variable NAMNDFLODE_ADMIN_PASSWORD if it is set, else typed
    at a prompt (twice, not shown); it is never an option, so it stays out of the shell's history. Refused
    once the installation has a user or a municipality.
    """
    from app.auth.models import MunicipalRole, User
    from app.auth.operations import create_user, grant_municipal_role
    from app.organisation.models import Municipality
    from app.organisation.operations import create_municipality
    from app.validation import ValidationError

    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    if count(User) or count(Municipality):
        raise click.ClickException(
            "This installation is already set up (it has users or a municipality); "
            "its administrators add more under Administration."
        )
    password = os.environ.get(SETUP_PASSWORD_VARIABLE) or click.prompt(
        "The first administrator's password", hide_input=True, confirmation_prompt=True
    )
    try:
        created = create_municipality(user=None, name=municipality, organisation_number=organisation_number)
        admin = create_user(email=admin_email, name=admin_name, title=admin_title, password=password)
        grant_municipal_role(admin, created, MunicipalRole.admin)
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"{created.name} is set up; {admin.email} administers it ({MunicipalRole.admin.label}).")
    click.echo(
        "Next: log in at /logga-in, then under Administration give the municipality's details (Kommunen), "
        "its förvaltningar and nämnder (Organisation), and its users and their roles (Användare)."
    )


def register_cli(app: Flask) -> None:
    app.cli.add_command(setup)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
