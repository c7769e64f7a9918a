"""Helpers shared by the page forms."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.validation import ValidationError


def apply_errors(form: FlaskForm, exc: ValidationError) -> None:
    """Attach an operation's field errors to the form's fields (unknown fields go to the form)."""
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)


class EmptyForm(FlaskForm):
    """A form with nothing but the CSRF token, for buttons that change something."""
