"""The OpenAPI 3.1 description of the API, served at /api/v1/openapi.json.

Every endpoint is declared with ``@described`` (app/api/spec.py) and generated from its schemas; only the
document's top is written here: what the API is, its tags, the shared error answers and how to log in.
"""

from __future__ import annotations

from flask import current_app, jsonify
from pydantic import RootModel

from app.api import bp
from app.api.spec import described, generated_openapi

DESCRIPTION = """\
Nämndflödes API för nämnder, diarium (ärenden och registrerade handlingar) och tjänsteutlåtanden.

**Inloggning.** Skript skickar en personlig API-nyckel som `Authorization: Bearer <nyckel>`; nyckeln
skapas på sidan Profil. I webbläsaren räcker inloggningen (sessionskakan), men ändringar (POST, PUT, PATCH,
DELETE) måste då även skicka CSRF-token i huvudet `X-CSRFToken`.

**Behörighet.** Svaren visar bara det du får se: nämnder där du har en roll och ärenden i dem.
Sekretessärenden syns bara för registrator, sekreterare, granskare, beslutsfattare, administratör
och ansvarig handläggare. Ett ärende eller en nämnd du inte får se besvaras med 404, precis som om
det inte fanns.

**Fel.** Alla fel har formen `{"error": {"status", "message", "fields"}}` med meddelanden på svenska;
`fields` pekar ut vilken parameter eller vilket fält som är fel. Okända parametrar och fält avvisas
med 400, så att stavfel upptäcks.

**Tjänsteutlåtanden.** Varje sparning blir en ny version och måste bygga på den senaste
(`based_on` = utlåtandets `current_revision`); annars svarar API:t 409 med både din och den senaste
texten, och din text sparas vid sidan av så att inget går förlorat. Åtgärder i arbetsflödet
(skicka på granskning, godkänn, returnera, underteckna, återkalla) görs med `POST …/report/transitions`:
403 betyder att din roll inte räcker eller att du själv skrivit i utlåtandet, 409 att åtgärden inte går
i utlåtandets läge och 422 att något saknas. Ett undertecknat utlåtande är låst med en sha256; den som
ändrar det gör ett nytt utkast som måste granskas och undertecknas igen.
"""


#: shared error responses: name → (status, Swedish description)
ERROR_RESPONSES = {
    "BadRequest": (
        "400",
        "Felaktig begäran: okänd parameter eller okänt fält, fel typ, ogiltig JSON eller CSRF-token saknas.",
    ),
    "Unauthorized": ("401", "Inloggning krävs, eller API-nyckeln är ogiltig eller återkallad."),
    "Forbidden": ("403", "Du är med i nämnden men din roll tillåter inte åtgärden."),
    "NotFound": ("404", "Finns inte, eller så får du inte se det (svaret är detsamma i båda fallen)."),
    "Conflict": ("409", "Åtgärden går inte i det nuvarande läget; `message` säger varför."),
    "Gone": ("410", "Finns inte längre (t.ex. ett utkast som ett nyare har ersatt); `message` säger varför."),
    "ContentTooLarge": ("413", "Filen är större än vad som tillåts."),
    "UnsupportedMediaType": ("415", "Innehållet måste skickas som application/json."),
    "UnsupportedUpload": ("415", "Filen måste skickas som multipart/form-data (fältet file)."),
    "Unprocessable": ("422", "Uppgifterna kunde inte godtas; `fields` säger vad som behöver rättas."),
}


def build_openapi(*, cookie_name: str = "session") -> dict:
    """Build the OpenAPI 3.1 document of the API."""
    paths, schemas = generated_openapi(ERROR_RESPONSES)
    error = {"schema": {"$ref": "#/components/schemas/Error"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Nämndflöde API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        "tags": [
            {"name": "Nämnder", "description": "Nämnderna du har en roll i."},
            {
                "name": "Organisation",
                "description": "Kommunen, dess förvaltningar och nämnder; ändras av kommunadministratören.",
            },
            {"name": "Ärenden", "description": "Diariet: ärenden och registrerade handlingar."},
            {"name": "Jobb", "description": "Arbete som görs i bakgrunden, t.ex. diarieutdrag."},
            {
                "name": "Tjänsteutlåtanden",
                "description": "Ärendenas tjänsteutlåtanden: versioner, granskning, underskrift och bilagor.",
            },
            {
                "name": "Sammanträden",
                "description": "Sammanträden, föredragningslistan och publicerade kallelser (ledamöternas "
                "version), samt anmälda delegationsbeslut.",
            },
            {
                "name": "Offentligt",
                "description": "Publicerade kallelser i den offentliga versionen; ingen inloggning.",
            },
            {"name": "API", "description": "Om API:t självt."},
        ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                name: {"description": text, "content": {"application/json": error}}
                for name, (_status, text) in ERROR_RESPONSES.items()
            },
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Personlig API-nyckel från sidan Profil.",
                },
                "cookieAuth": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": cookie_name,
                    "description": "Inloggning i webbläsaren; ändringar kräver även X-CSRFToken.",
                },
            },
        },
    }


class OpenApiDocument(RootModel[dict]):
    """OpenAPI-dokumentet."""


@bp.route("/openapi.json")
@described(
    operation_id="getOpenApi",
    tag="API",
    summary="Den här beskrivningen (OpenAPI 3.1)",
    responses={200: (OpenApiDocument, "OpenAPI-dokumentet.")},
    is_public=True,
)
def openapi():
    return jsonify(build_openapi(cookie_name=current_app.config["SESSION_COOKIE_NAME"]))
