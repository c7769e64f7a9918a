"""Forms of the user administration pages; the operations in app.auth.operations decide what is acceptable."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired

from app.auth.models import Role
from app.auth.operations import PASSWORD_MIN
from app.organisation.models import Committee
from app.web.registry_forms import INVALID_CHOICE, Required, committee_options, id_select, options, text_field

PASSWORD_HINT = f"Minst {PASSWORD_MIN} tecken. Lämna lösenordet till användaren på ett säkert sätt."


def grant_choice(value: str) -> tuple[int, Role]:
    """Turn a submitted "committee id:role" into (committee id, Role)."""
    committee_id, _, role = value.partition(":")
    return int(committee_id), Role(role)


def password_field(label: str) -> PasswordField:
    """Make a password field an administrator types for someone else; it is never shown again."""
    return PasswordField(
        label,
        validators=[Required()],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password", "maxlength": 200},
    )


class UserForm(FlaskForm):
    name = text_field("Namn", 200, validators=[Required()])
    title = text_field("Titel", 200, description="Till exempel Socialdirektör; skrivs under namnet i underskrifter.")
    email = text_field("E-post", 200, validators=[Required()], description="Används för att logga in.")
    phone = text_field("Telefon", 50)


class NewUserForm(UserForm):
    password = password_field("Lösenord")
    # Rendered as checkboxes per committee; a committee the admin does not administer is refused by the view (403).
    roles = SelectMultipleField(
        "Roller", coerce=grant_choice, validate_choice=False, invalid_value_message=INVALID_CHOICE
    )


class RoleForm(FlaskForm):
    """Grant a role, or (with hidden fields) revoke one; the view checks the committee (403)."""

    committee = id_select("Nämnd", validate_choice=False, validators=[InputRequired("Välj nämnd.")])
    role = SelectField(
        "Roll",
        coerce=Role,
        choices=options((r.value, r.label) for r in Role),
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )

    def offer(self, committees: list[Committee]) -> None:
        """Offer the committees the current user administers."""
        several = len(committees) > 1
        self.committee.choices = options(committee_options(committees), "Välj nämnd" if several else None)


class PasswordResetForm(FlaskForm):
    password = password_field("Nytt lösenord")


class ReviewRulesForm(FlaskForm):
    same_person_may_approve_and_sign = BooleanField(
        "Samma person får både godkänna och underteckna ett tjänsteutlåtande",
        description="Normalt granskar en person och undertecknar en annan (fyra ögon). Kryssa bara i om "
        "nämnden har beslutat att samma person får göra båda.",
    )
