"""Forms of the justering page: approve (the password again), reject with a comment, start a rättelse.

The forms only carry text; agenda.minutes.adjustment decides what is acceptable and words the refusals.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, TextAreaField

from app.web.registry_forms import date_field


class ApproveForm(FlaskForm):
    kind = HiddenField()
    pdf_sha256 = HiddenField()
    password = PasswordField(
        "Ditt lösenord",
        description="Ange ditt lösenord igen för att justera protokollet som du har läst.",
        render_kw={"autocomplete": "current-password"},
    )


class RejectForm(FlaskForm):
    kind = HiddenField()
    pdf_sha256 = HiddenField()
    comment = TextAreaField("Vad behöver rättas?", render_kw={"rows": 4, "maxlength": 4000})


class CorrectionForm(FlaskForm):
    description = TextAreaField(
        "Vad rättas och varför?",
        description="Rättelsen syns i protokollet och på anslaget; den justeras på nytt av ordföranden och justerarna.",
        render_kw={"rows": 3, "maxlength": 4000},
    )


class PutUpForm(FlaskForm):
    put_up_on = date_field(
        "Datum då anslaget sätts upp",
        description="Senast andra dagen efter justeringen; dagen då tiden för överklagande börjar.",
    )
