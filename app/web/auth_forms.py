"""The log-in, API key and password forms (Flask-WTF: every form carries a CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

REQUIRED = "Fältet måste fyllas i."


class LoginForm(FlaskForm):
    email = StringField(
        "E-post",
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )
    password = PasswordField(
        "Lösenord", validators=[DataRequired(REQUIRED), Length(max=200)], render_kw={"autocomplete": "current-password"}
    )
    next = HiddenField()


class TokenForm(FlaskForm):
    name = StringField(
        "Namn på nyckeln",
        validators=[DataRequired(REQUIRED), Length(max=100, message="Högst 100 tecken.")],
        description="Till exempel ”Skript för diarieutdrag”.",
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Nuvarande lösenord", validators=[DataRequired(REQUIRED)], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        "Nytt lösenord",
        validators=[DataRequired(REQUIRED)],
        description="Minst 10 tecken.",
        render_kw={"autocomplete": "new-password"},
    )
    repeat_password = PasswordField(
        "Upprepa nytt lösenord", validators=[DataRequired(REQUIRED)], render_kw={"autocomplete": "new-password"}
    )


class NoticeSettingsForm(FlaskForm):
    email_meeting_notices = BooleanField(
        "Skicka kallelser till mig som e-post",
        description="När en kallelse till en nämnd där du är ledamot eller ersättare publiceras eller rättas får du "
        "ett meddelande med länken, vad som ändrats och en kalenderinbjudan. Det visas alltid under Utkorg; "
        "med rutan ikryssad kommer det också som e-post.",
    )
