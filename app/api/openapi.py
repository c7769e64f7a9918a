"""The OpenAPI 3.1 description of the API, served at /api/v1/openapi.json.

The endpoints declared with ``@described`` (app/api/spec.py) are generated from their schemas; the
meetings' and most of the reports' endpoints are still written here and in openapi_meetings.py and
openapi_reports.py as dicts, and the two are merged into one document.
"""

from __future__ import annotations

from flask import current_app, jsonify
from pydantic import RootModel

from app.api import bp
from app.api.spec import described, generated_openapi

API = "/api/v1"
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


# --- small builders -----------------------------------------------------------------------------


def ref(name: str, kind: str = "schemas") -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def nullable(schema: dict) -> dict:
    """Allow null besides ``schema``."""
    if "type" in schema and isinstance(schema["type"], str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict, *, optional: tuple[str, ...] = (), description: str | None = None) -> dict:
    """Return a closed object schema; every property is required except those in ``optional``."""
    schema = {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def json_content(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def reply(description: str, schema: dict, **extra) -> dict:
    return {"description": description, **json_content(schema), **extra}


def operation(
    op_id: str,
    tag: str,
    summary: str,
    responses: dict,
    *,
    description: str | None = None,
    parameters: list | None = None,
    body: dict | None = None,
    errors: tuple[str, ...] = (),
) -> dict:
    """Return one operation; ``errors`` names the shared error responses (e.g. "NotFound") it can give."""
    out = {"operationId": op_id, "tags": [tag], "summary": summary}
    if description:
        out["description"] = description
    if parameters:
        out["parameters"] = parameters
    if body:
        out["requestBody"] = {"required": True, **json_content(body)}
    out["responses"] = {**responses, "401": ref("Unauthorized", "responses")}
    for name in errors:
        out["responses"][ERROR_RESPONSES[name][0]] = ref(name, "responses")
    return out


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
URL = {"type": "string", "format": "uri"}

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
    "ContentTooLarge": ("413", "Filen är större än vad som tillåts."),
    "UnsupportedMediaType": ("415", "Innehållet måste skickas som application/json."),
    "UnsupportedUpload": ("415", "Filen måste skickas som multipart/form-data (fältet file)."),
    "Unprocessable": ("422", "Uppgifterna kunde inte godtas; `fields` säger vad som behöver rättas."),
}


# --- the parameters the written parts share ------------------------------------------------------


def _parameters(max_per_page: int, default_per_page: int) -> dict:
    def query(name: str, schema: dict) -> dict:
        return {"name": name, "in": "query", "required": False, "schema": schema}

    def path(name: str, schema: dict, description: str) -> dict:
        return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}

    return {
        "page": query("page", {**INTEGER, "minimum": 1, "default": 1}),
        "per_page": query("per_page", {**INTEGER, "minimum": 1, "maximum": max_per_page, "default": default_per_page}),
        "committee_id": path("committee_id", ID, "Nämndens id."),
        "case_id": path("case_id", ID, "Ärendets id."),
        "job_id": path("job_id", ID, "Jobbets id."),
    }


def _merge_paths(written: dict, generated: dict) -> dict:
    """Put the generated operations beside the hand-written ones (a path may have both, by method)."""
    merged = dict(written)
    for path, item in generated.items():
        merged[path] = {**merged.get(path, {}), **item}
    return merged


def build_openapi(*, cookie_name: str = "session", max_per_page: int = 200, default_per_page: int = 25) -> dict:
    """Build the OpenAPI 3.1 document of the API."""
    from app.api.openapi_reports import report_openapi

    report_schemas, report_parameters, report_paths = report_openapi()
    generated_paths, generated_schemas = generated_openapi(ERROR_RESPONSES)
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
        "paths": _merge_paths(report_paths, generated_paths),
        "components": {
            "schemas": {**report_schemas, **generated_schemas},
            "parameters": {**_parameters(max_per_page, default_per_page), **report_parameters},
            "responses": {name: reply(text, ref("Error")) for name, (_status, text) in ERROR_RESPONSES.items()},
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
    config = current_app.config
    return jsonify(
        build_openapi(
            cookie_name=config["SESSION_COOKIE_NAME"],
            max_per_page=config["API_MAX_PER_PAGE"],
            default_per_page=config["ITEMS_PER_PAGE"],
        )
    )
