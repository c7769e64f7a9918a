"""The OpenAPI 3.1 description of the API, built as a dict and served at /api/v1/openapi.json."""

from __future__ import annotations

from flask import current_app, jsonify

from agenda.models import STANDING_KINDS
from app.api import bp
from app.auth.models import Role
from app.registry.models import CaseStatus, Direction
from tasks.models import JobState

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


def operation(op_id: str, tag: str, summary: str, responses: dict, *, description: str | None = None,
              parameters: list | None = None, body: dict | None = None, errors: tuple[str, ...] = ()) -> dict:
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
    "BadRequest": ("400", "Felaktig begäran: okänd parameter eller okänt fält, fel typ, ogiltig JSON "
                          "eller CSRF-token saknas."),
    "Unauthorized": ("401", "Inloggning krävs, eller API-nyckeln är ogiltig eller återkallad."),
    "Forbidden": ("403", "Du är med i nämnden men din roll tillåter inte åtgärden."),
    "NotFound": ("404", "Finns inte, eller så får du inte se det (svaret är detsamma i båda fallen)."),
    "Conflict": ("409", "Åtgärden går inte i det nuvarande läget; `message` säger varför."),
    "ContentTooLarge": ("413", "Filen är större än vad som tillåts."),
    "UnsupportedMediaType": ("415", "Innehållet måste skickas som application/json."),
    "UnsupportedUpload": ("415", "Filen måste skickas som multipart/form-data (fältet file)."),
    "Unprocessable": ("422", "Uppgifterna kunde inte godtas; `fields` säger vad som behöver rättas."),
}


# --- schemas ---------------------------------------------------------------------------------------


def _schemas() -> dict:
    user_ref = obj({"id": ID, "name": STRING})
    committee_ref = obj({"id": ID, "name": STRING, "registry_prefix": STRING})
    classification = obj({"code": {**STRING, "examples": ["181"]}, "name": STRING})
    case_core = {
        "id": ID,
        "number": {**STRING, "description": "Diarienumret.", "examples": ["SN-2016/3342.181"]},
        "title": {**STRING, "description": "Ärendemeningen."},
        "public_title": {**STRING, "description": "Rubriken som får visas offentligt; bara för sekretessärenden."},
        "committee": ref("CommitteeRef"),
        "classification": ref("Classification"),
        "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
        "status_label": {**STRING, "examples": [CaseStatus.open.label]},
        "registered_on": DATE,
        "closed_on": nullable(DATE),
        "case_officer": nullable(obj({"id": ID, "name": STRING, "title": STRING})),
        "external_reference": nullable({**STRING, "description": "Annan organisations nummer, t.ex. KSL/12/0177-37."}),
    }
    case_links = obj({"self": URL, "html": {**URL, "description": "Ärendets sida i webbläsaren."}})
    filters = {name: schema for name, schema in _filter_schemas().items() if name != "committee_id"}
    return {
        "Error": obj({"error": obj({
            "status": INTEGER,
            "message": {**STRING, "description": "Vad som är fel, på svenska."},
            "fields": {"type": "object", "additionalProperties": STRING,
                       "description": "Felet per parameter eller fält, när det gäller ett visst."},
        }, optional=("fields",))}),
        "UserRef": user_ref,
        "CommitteeRef": committee_ref,
        "Classification": classification,
        "Committee": obj({
            "id": ID, "name": STRING, "registry_prefix": {**STRING, "examples": ["SN"]},
            "administration": obj({"id": ID, "name": STRING}),
            "municipality": obj({"id": ID, "name": STRING, "registration_number_format": {
                **STRING, "description": "Diarienummerformatet, t.ex. {prefix}-{year}/{serial}.{class}."}}),
            "roles": {"type": "array", "items": {"type": "string", "enum": [r.value for r in Role]},
                      "description": "Dina roller i nämnden."},
            "notice_days": {**INTEGER, "description": "Dagar före sammanträdet som kallelsen ska publiceras."},
            "standing_items": {"type": "array", "description": (
                "Nämndens mall: de stående punkter som läggs på varje nytt sammanträdes föredragningslista, "
                "i ordning (de avslutande sist)."), "items": obj({
                    "title": STRING,
                    "kind": {"type": "string", "enum": [kind.value for kind in STANDING_KINDS]},
                    "closes_agenda": {**BOOLEAN, "description": "Avslutar listan: nya punkter läggs före."}})},
            "links": obj({"self": URL}),
        }),
        "Document": obj({
            "number": {**INTEGER, "description": "Handlingens löpnummer i ärendet."},
            "direction": {"type": "string", "enum": [d.value for d in Direction]},
            "direction_label": {**STRING, "examples": [Direction.incoming.label]},
            "document_date": DATE,
            "counterparty": {**nullable(STRING), "description": (
                "Avsändare eller mottagare; tom för upprättade handlingar. null när handlingen är "
                "sekretessmarkerad och du inte får se sekretessuppgifter i ärendet.")},
            "description": STRING,
            "external_reference": nullable(STRING),
            "is_confidential": BOOLEAN,
        }),
        "CaseSummary": obj({**case_core, "is_confidential": BOOLEAN, "links": case_links},
                           optional=("public_title",), description="Ett ärende i en lista, utan handlingar."),
        "Case": obj({
            **case_core,
            "confidentiality": obj({
                "is_confidential": BOOLEAN,
                "provision": nullable({**STRING, "examples": ["26 kap. 1 § OSL"]}),
                "decided_on": nullable(DATE),
                "decided_by": nullable(ref("UserRef")),
            }),
            "documents": {"type": "array", "items": ref("Document")},
            "links": case_links,
        }, optional=("public_title",), description="Ett ärende med sekretessbeslut och registrerade handlingar."),
        "NewCase": obj({
            "committee_id": ID,
            "title": {**STRING, "maxLength": 500, "description": "Ärendemeningen."},
            "classification_code": {**STRING, "description": "En aktiv kod ur nämndens klassificeringsstruktur."},
            "case_officer_id": {**ID, "description": "Ansvarig handläggare; måste vara handläggare i nämnden."},
            "is_confidential": {**BOOLEAN, "default": False},
            "secrecy_provision": {**nullable(STRING), "description": "Krävs för sekretessärenden, t.ex. 26 kap. 1 § OSL."},
            "public_title": {**nullable(STRING), "description": "Offentlig rubrik för ett sekretessärende, utan namn."},
            "external_reference": nullable(STRING),
        }, optional=("is_confidential", "secrecy_provision", "public_title", "external_reference"),
            description="Ett nytt ärende; diarienumret tilldelas vid registreringen."),
        "Page": obj({
            "items": {"type": "array"},
            "page": {**INTEGER, "minimum": 1},
            "per_page": {**INTEGER, "minimum": 1},
            "total": {**INTEGER, "description": "Antal träffar av det du får se."},
            "pages": INTEGER,
            "next": nullable(URL),
            "prev": nullable(URL),
        }, description="En sida av en lista."),
        "CasePage": {"allOf": [ref("Page"), {"properties": {"items": {"items": ref("CaseSummary")}}}]},
        "CaseFilter": obj(filters, optional=tuple(filters), description="Samma filter som ärendelistan."),
        "Job": obj({
            "id": ID,
            "kind": {**STRING, "examples": ["registry_export"]},
            "state": {"type": "string", "enum": [s.value for s in JobState]},
            "state_label": {**STRING, "examples": [JobState.running.label]},
            "progress_done": INTEGER,
            "progress_total": INTEGER,
            "percent": {**INTEGER, "minimum": 0, "maximum": 100},
            "error": nullable({**STRING, "description": "Varför jobbet misslyckades."}),
            "has_result": BOOLEAN,
            "created_at": DATETIME,
            "finished_at": nullable(DATETIME),
            "download_url": nullable({**STRING, "description": "Var filen hämtas när jobbet är klart."}),
        }, description="Ett bakgrundsjobb, t.ex. ett diarieutdrag."),
    }


def _filter_schemas() -> dict:
    """Return the case filters as schemas (shared by the list's query parameters and the export body)."""
    return {
        "committee_id": {**ID, "description": "Bara ärenden i denna nämnd."},
        "q": {**STRING, "maxLength": 200,
              "description": "Ord som alla ska finnas i diarienummer, rubrik eller extern referens "
                             "(skiftläge spelar ingen roll)."},
        "number": {**STRING, "maxLength": 200, "description": "Diarienummer, helt eller delvis (t.ex. 3342)."},
        "case_officer_id": {**ID, "description": "Ansvarig handläggare."},
        "registered_from": {**DATE, "description": "Registrerat från och med (ÅÅÅÅ-MM-DD)."},
        "registered_to": {**DATE, "description": "Registrerat till och med (ÅÅÅÅ-MM-DD)."},
        "status": {"type": "string", "enum": [s.value for s in CaseStatus]},
        "classification": {**STRING, "maxLength": 30, "description": "Klassificeringskod, t.ex. 181."},
    }


def _parameters(max_per_page: int, default_per_page: int) -> dict:
    def query(name: str, schema: dict) -> dict:
        return {"name": name, "in": "query", "required": False, "schema": schema}

    def path(name: str, schema: dict, description: str) -> dict:
        return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}

    params = {f"filter_{name}": query(name, schema) for name, schema in _filter_schemas().items()}
    params.update({
        "page": query("page", {**INTEGER, "minimum": 1, "default": 1}),
        "per_page": query("per_page", {**INTEGER, "minimum": 1, "maximum": max_per_page, "default": default_per_page}),
        "committee_id": path("committee_id", ID, "Nämndens id."),
        "case_id": path("case_id", ID, "Ärendets id."),
        "job_id": path("job_id", ID, "Jobbets id."),
        "number": path("number", {**STRING, "examples": ["SN-2016%2F3342.181"]},
                       "Diarienumret, URL-kodat (snedstreck som %2F)."),
    })
    return params


# --- paths -----------------------------------------------------------------------------------------


def _paths() -> dict:
    committee_id, case_id, job_id = (ref(name, "parameters") for name in ("committee_id", "case_id", "job_id"))
    job_reply = obj({"job": ref("Job")})
    return {
        f"{API}/openapi.json": {"get": {
            "operationId": "getOpenApi", "tags": ["API"], "summary": "Den här beskrivningen (OpenAPI 3.1)",
            "security": [], "responses": {"200": reply("OpenAPI-dokumentet.", {"type": "object"})},
        }},
        f"{API}/committees": {"get": operation(
            "listCommittees", "Nämnder", "Dina nämnder",
            {"200": reply("Nämnderna där du har en roll.", obj({"items": {"type": "array", "items": ref("Committee")}}))},
        )},
        f"{API}/committees/{{committee_id}}": {"parameters": [committee_id], "get": operation(
            "getCommittee", "Nämnder", "En nämnd",
            {"200": reply("Nämnden.", obj({"committee": ref("Committee")}))}, errors=("NotFound",),
        )},
        f"{API}/committees/{{committee_id}}/classification-codes": {"parameters": [committee_id], "get": operation(
            "listClassificationCodes", "Nämnder", "Klassificeringsstrukturens aktiva koder",
            {"200": reply("Koderna som kan väljas för nya ärenden.",
                          obj({"items": {"type": "array", "items": ref("Classification")}}))},
            errors=("NotFound",),
        )},
        f"{API}/committees/{{committee_id}}/registry-exports": {"parameters": [committee_id], "post": operation(
            "createRegistryExport", "Jobb", "Beställ ett diarieutdrag (CSV)",
            {"202": reply("Jobbet är köat; följ det via Location eller jobbets id.", job_reply,
                          headers={"Location": {"schema": URL, "description": "Jobbets adress i API:t."}})},
            description="Utdraget görs i bakgrunden med samma filter som ärendelistan. Kräver rollen "
                        "registrator, nämndsekreterare eller administratör i nämnden.",
            body=ref("CaseFilter"), errors=("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable"),
        )},
        f"{API}/cases": {
            "get": operation(
                "listCases", "Ärenden", "Sök i diariet",
                {"200": reply("En sida med ärenden, nyast först.", ref("CasePage"))},
                description="Filtren kombineras (alla ska stämma). Sekretessärenden ingår bara om du får se dem.",
                parameters=[ref(f"filter_{name}", "parameters") for name in _filter_schemas()]
                + [ref("page", "parameters"), ref("per_page", "parameters")],
                errors=("BadRequest",),
            ),
            "post": operation(
                "registerCase", "Ärenden", "Registrera ett ärende",
                {"201": reply("Ärendet med sitt nya diarienummer.", obj({"case": ref("Case")}),
                              headers={"Location": {"schema": URL, "description": "Ärendets adress i API:t."}})},
                description="Kräver rollen registrator, handläggare, nämndsekreterare eller administratör i nämnden. "
                            "Diarienumret tilldelas i nämndens serie för innevarande år.",
                body=ref("NewCase"), errors=("BadRequest", "Forbidden", "UnsupportedMediaType", "Unprocessable"),
            ),
        },
        f"{API}/cases/{{case_id}}": {"parameters": [case_id], "get": operation(
            "getCase", "Ärenden", "Ett ärende med handlingar",
            {"200": reply("Ärendet.", obj({"case": ref("Case")}))}, errors=("NotFound",),
        )},
        f"{API}/cases/by-number/{{number}}": {"parameters": [ref("number", "parameters")], "get": operation(
            "getCaseByNumber", "Ärenden", "Slå upp ett ärende på diarienummer",
            {"200": reply("Ärendet.", obj({"case": ref("Case")}))},
            description="Numret tolkas enligt kommunens diarienummerformat. Nummer från andra organisationer "
                        "(t.ex. KSL/12/0177-37) är externa referenser och ger 400; sök dem med `q` i ärendelistan.",
            errors=("BadRequest", "NotFound"),
        )},
        f"{API}/jobs/{{job_id}}": {"parameters": [job_id], "get": operation(
            "getJob", "Jobb", "Ett jobbs läge",
            {"200": reply("Jobbet.", job_reply)},
            description="Bara den som beställde jobbet kan följa det.", errors=("NotFound",),
        )},
        f"{API}/jobs/{{job_id}}/result": {"parameters": [job_id], "get": operation(
            "getJobResult", "Jobb", "Hämta ett klart jobbs fil",
            {"200": {"description": "Filen (diarieutdrag som CSV).",
                     "content": {"text/csv": {"schema": STRING}}}},
            description="Finns när jobbet är klart (`has_result`).", errors=("NotFound",),
        )},
    }


def build_openapi(*, cookie_name: str = "session", max_per_page: int = 200, default_per_page: int = 25) -> dict:
    """Build the OpenAPI 3.1 document of the API."""
    from app.api.openapi_reports import report_openapi
    from app.api.report_documents import with_report_documents  # Förhandsgranska (Word and PDF)

    report_schemas, report_parameters, report_paths = with_report_documents(*report_openapi())
    from app.api.openapi_meetings import meeting_openapi

    from app.api.meeting_documents import with_meeting_documents  # Skapa handlingar (kallelse, mötespaket)

    meeting_tags, meeting_schemas, meeting_parameters, meeting_paths = with_meeting_documents(*meeting_openapi())
    return {
        "openapi": "3.1.0",
        "info": {"title": "Nämndflöde API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        "tags": [
            {"name": "Nämnder", "description": "Nämnderna du har en roll i."},
            {"name": "Ärenden", "description": "Diariet: ärenden och registrerade handlingar."},
            {"name": "Jobb", "description": "Arbete som görs i bakgrunden, t.ex. diarieutdrag."},
            {"name": "Tjänsteutlåtanden", "description": "Ärendenas tjänsteutlåtanden: versioner, granskning, "
                                                         "underskrift och bilagor."},
            *meeting_tags,
            {"name": "API", "description": "Om API:t självt."},
        ],
        "paths": {**_paths(), **report_paths, **meeting_paths},
        "components": {
            "schemas": {**_schemas(), **report_schemas, **meeting_schemas},
            "parameters": {**_parameters(max_per_page, default_per_page), **report_parameters, **meeting_parameters},
            "responses": {
                name: reply(text, ref("Error")) for name, (_status, text) in ERROR_RESPONSES.items()
            },
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "Personlig API-nyckel från sidan Profil."},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": cookie_name,
                               "description": "Inloggning i webbläsaren; ändringar kräver även X-CSRFToken."},
            },
        },
    }


@bp.route("/openapi.json")
def openapi():
    config = current_app.config
    return jsonify(build_openapi(
        cookie_name=config["SESSION_COOKIE_NAME"],
        max_per_page=config["API_MAX_PER_PAGE"],
        default_per_page=config["ITEMS_PER_PAGE"],
    ))
