"""Command-line tasks: ``flask setup``, ``flask demo load``, ``flask users …``, ``flask import …``."""

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
import_cli = AppGroup("import", help="Take over existing data: a diarium's cases, past meetings (all or nothing).")


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


@demo_cli.command("generate")
@click.option("--cases", type=click.IntRange(1, 1_000_000), required=True, help="How many cases to add.")
@click.option("--years", type=click.IntRange(1, 30), default=6, show_default=True, help="Over how many years.")
@click.option(
    "--reports", type=click.IntRange(0, 1_000_000), default=0, show_default=True,
    help="How many of the cases get a signed tjänsteutlåtande with a bilaga (its text extracted).",
)  # fmt: skip
def demo_generate(cases: int, years: int, reports: int) -> None:
    """Add years of Swedish-looking cases, documents, signed tjänsteutlåtanden with bilagor and meetings with
    agendas to the demo's committees, indexed for search."""
    import time

    from app.demo.generate import generate

    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("Generated data is not added in production.")
    started = time.perf_counter()
    try:
        made = generate(cases, years=years, reports=reports)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"{made['cases']} ärenden, {made['documents']} handlingar, {made['reports']} tjänsteutlåtanden med bilaga, "
        f"{made['meetings']} sammanträden, {made['items']} punkter och {made['entries']} sökposter på "
        f"{time.perf_counter() - started:.1f} s."
    )


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


@click.command("verify")
def verify() -> None:
    """Check every stored file's sha256, signed report, publication snapshot; list missing and orphan files."""
    from app.integrity import verify as check
    from app.storage import get_storage

    report = check(get_storage())
    checked = ", ".join(f"{n} {what}" for what, n in report.checked.items()) or "inget"
    click.echo(f"Kontrollerat: {checked}.")
    for problem in report.problems:
        click.echo(f"FEL: {problem}", err=True)
    if not report.ok:
        click.echo(f"{len(report.problems)} fel hittades.", err=True)
        raise SystemExit(1)
    click.echo("Allt stämmer: inga fel.")


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


def _municipality_named(name: str | None):
    from app.organisation.models import Municipality

    municipalities = list(db.session.scalars(select(Municipality).order_by(Municipality.id)))
    if name:
        municipalities = [m for m in municipalities if m.name.casefold() == name.casefold()]
    if len(municipalities) != 1:
        raise click.ClickException(
            f"No municipality named {name}." if name else "Several municipalities: name one with --municipality."
        )
    return municipalities[0]


def _report_refusal(exc) -> None:
    click.echo(exc.message, err=True)
    for problem in exc.problems:
        click.echo(f"  {problem}", err=True)
    if exc.total > len(exc.problems):
        click.echo(f"  … {exc.total - len(exc.problems)} more", err=True)
    raise click.ClickException("Nothing was imported.")


@import_cli.command("cases")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--diarium", "series", required=True, help="The diarium's series code, e.g. KS.")
@click.option("--municipality", default=None, help="The municipality's name, if the installation has several.")
@click.option("--check", is_flag=True, help="Check the file and say what would be imported; write nothing.")
def import_cases(path: str, series: str, municipality: str | None, check: bool) -> None:
    """Import a diarium's cases from a CSV file (columns: README, "Ta över ett befintligt diarium")."""
    from pathlib import Path

    from app.registry import importing
    from app.registry.import_files import MAX_BYTES, ImportRefused
    from app.registry.models import Diarium

    owner = _municipality_named(municipality)
    diarium = db.session.scalar(
        select(Diarium).where(Diarium.municipality_id == owner.id, Diarium.series == series.strip().upper())
    )
    if diarium is None:
        raise click.ClickException(f"{owner.name} has no diarium with the series code {series}.")
    file = Path(path)
    if file.stat().st_size > MAX_BYTES:
        raise click.ClickException(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        source = importing.read_case_csv(file.read_bytes())
        if check:
            plan = importing.check_cases(diarium, source)
            if not plan.ok:
                raise plan.refusal()
            click.echo(f"{len(plan.rows)} cases would be imported into {diarium.name} ({source.encoding}).")
            return
        result = importing.import_cases(diarium, source, user=None, source_name=file.name)
    except ImportRefused as exc:
        db.session.rollback()
        _report_refusal(exc)
        return
    db.session.commit()
    years = ", ".join(
        f"{year}: {count} (next serial {high + 1})" for year, (count, high) in sorted(result.years.items())
    )
    click.echo(f"Imported {result.count} cases into {diarium.name}: {years}.")


@import_cli.command("meetings")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--municipality", default=None, help="The municipality's name, if the installation has several.")
@click.option("--check", is_flag=True, help="Check the file and say what would be imported; write nothing.")
def import_meetings(path: str, municipality: str | None, check: bool) -> None:
    """Import past meetings with their agendas and outcomes from a CSV file, one row per agenda item."""
    from pathlib import Path

    from agenda import importing
    from app.registry.import_files import MAX_BYTES, ImportRefused

    owner = _municipality_named(municipality)
    file = Path(path)
    if file.stat().st_size > MAX_BYTES:
        raise click.ClickException(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        source = importing.read_meeting_csv(file.read_bytes())
        if check:
            plan = importing.check_meetings(owner, source)
            if not plan.ok:
                raise ImportRefused(plan.problems)
            click.echo(f"{len(plan.meetings)} meetings with {plan.item_count} items would be imported.")
            return
        result = importing.import_meetings(owner, source, user=None, source_name=file.name)
    except ImportRefused as exc:
        db.session.rollback()
        _report_refusal(exc)
        return
    db.session.commit()
    click.echo(f"Imported {result.meetings} meetings with {result.items} items.")


search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from the data (it is kept up to date by every change; this makes it anew)."""
    from app.search.indexing import reindex_all

    count = reindex_all()
    db.session.commit()
    click.echo(f"Indexed {count} texts.")


@search_cli.command("extract")
def search_extract() -> None:
    """Have the worker read the text of every bilaga whose text has not been read (e.g. those from before)."""
    from tasks.extraction import hand_over, missing_file_ids

    file_ids = missing_file_ids()
    for file_id in file_ids:
        hand_over(file_id)
    click.echo(f"Sent {len(file_ids)} files to the worker.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(search_cli)
    app.cli.add_command(setup)
    app.cli.add_command(verify)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(import_cli)
