"""The OpenAPI description of the case report (tjänsteutlåtande) endpoints: schemas, parameters, paths."""

from __future__ import annotations

from app.api.openapi import (
    API,
    BOOLEAN,
    DATE,
    DATETIME,
    ID,
    INTEGER,
    STRING,
    URL,
    nullable,
    obj,
    operation,
    ref,
    reply,
)
from app.api.report_schemas import MANUAL_TRANSITIONS
from app.api.reports import CONTENT_FIELDS
from workflows.models import ReportState

TAG = "Tjänsteutlåtanden"
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
STATE = {"type": "string", "enum": [s.value for s in ReportState]}
DESCRIPTION = (
    "Ett ärendes tjänsteutlåtande: innehåll i versioner, arbetsflöde (utkast → granskning → godkänt → "
    "undertecknat), tidslinje och bilagor. Läses av tjänstepersoner i nämnden; ledamöter får 404."
)


def _content_schemas() -> dict:
    sections = {
        "type": "object",
        "additionalProperties": STRING,
        "description": "Avsnitt per nyckel (t.ex. summary, description, administration_views och kommunens "
        "egna): rensad HTML med bara p, br, strong, b, em, i, ul, ol, li och a.",
    }
    proposal = {
        "text": {**STRING, "maxLength": 2000, "description": "Beslutspunkten som ren text."},
        "immediately_adjusted": {**BOOLEAN, "description": "Paragrafen förklaras omedelbart justerad."},
    }
    signatory = {"user_id": nullable(ID), "name": STRING, "title": STRING}
    return {
        "Proposal": obj(proposal, description="En numrerad punkt i Förslag till beslut."),
        "Signatory": obj(signatory, description="En undertecknare med titel."),
        "ReportContent": obj(
            {
                "title": STRING,
                "report_date": nullable(DATE),
                "sections": sections,
                "proposals": {"type": "array", "items": ref("Proposal")},
                "recipients": {"type": "array", "items": STRING, "description": "Beslutet delges."},
                "signatories": {"type": "array", "items": ref("Signatory")},
            },
            description="Vad en version av utlåtandet säger.",
        ),
        "ReportContentInput": obj(
            {
                "title": {**STRING, "maxLength": 500},
                "report_date": {**nullable(STRING), "description": "ÅÅÅÅ-MM-DD."},
                "sections": sections,
                "proposals": {
                    "type": "array",
                    "maxItems": 30,
                    "items": {"anyOf": [obj(proposal, optional=("immediately_adjusted",)), STRING]},
                },
                "recipients": {"anyOf": [{"type": "array", "maxItems": 50, "items": STRING}, STRING]},
                "signatories": {"type": "array", "maxItems": 6, "items": obj(signatory, optional=("user_id", "title"))},
            },
            optional=CONTENT_FIELDS,
            description="Innehåll att spara; HTML rensas och tomma beslutspunkter tas bort.",
        ),
    }


def _report_schemas() -> dict:
    attachment = {
        "id": ID,
        "position": {**INTEGER, "minimum": 1},
        "label": {**STRING, "examples": ["Bilaga 1 Delårsrapport"]},
        "title": {
            **nullable(STRING),
            "description": "null, liksom filnamn och sha256, för en sekretessmarkerad bilaga du inte får läsa.",
        },
        "filename": nullable(STRING),
        "is_confidential": BOOLEAN,
        "content_type": {**nullable(STRING), "description": "Typen enligt filens innehåll; null för en handling."},
        "size": nullable(INTEGER),
        "sha256": nullable(SHA256),
        "download_url": {
            **nullable(URL),
            "description": "null för en handling utan fil, eller en sekretessmarkerad bilaga du inte får hämta.",
        },
        "registered_document_number": {**nullable(INTEGER), "description": "Löpnummer för en länkad handling."},
        "added_by": nullable(ref("UserRef")),
        "added_at": DATETIME,
    }
    links = ("self", "html", "case", "content", "revisions", "timeline", "transitions", "attachments")
    return {
        **_content_schemas(),
        "Attachment": obj(attachment, description="En bilaga: uppladdad fil eller länkad registrerad handling."),
        "Report": obj(
            {
                "case_id": ID,
                "case_number": STRING,
                "state": STATE,
                "state_label": STRING,
                "current_revision": {**INTEGER, "description": "Versionen en ändring ska bygga på (based_on)."},
                "due_on": {**nullable(DATE), "description": "Sista dag för granskning eller underskrift."},
                "editors": {
                    "type": "array",
                    "items": ref("UserRef"),
                    "description": "Handläggaren och medförfattarna.",
                },
                "signature": nullable(
                    obj(
                        {
                            "revision": INTEGER,
                            "hash": SHA256,
                            "signed_at": DATETIME,
                            "signed_by": nullable(ref("UserRef")),
                        },
                        description="sha256 av den undertecknade versionens innehåll och bilagor.",
                    )
                ),
                "content": ref("ReportContent"),
                "attachments": {"type": "array", "items": ref("Attachment")},
                "allowed_transitions": {
                    "type": "array",
                    "items": {"type": "string", "enum": MANUAL_TRANSITIONS},
                    "description": "Åtgärder din roll kan göra i detta läge (villkoren prövas ändå).",
                },
                "links": obj({name: URL for name in links}),
            },
            description="Ett tjänsteutlåtande med senaste versionens innehåll.",
        ),
        "AttachmentUpload": obj(
            {
                "file": {"type": "string", "contentMediaType": "application/octet-stream"},
                "title": STRING,
                "is_confidential": {"type": "string", "enum": ["true", "false"]},
            },
            optional=("title", "is_confidential"),
        ),
    }


def _report_parameters() -> dict:
    def path(name: str, description: str) -> dict:
        return {"name": name, "in": "path", "required": True, "schema": ID, "description": description}

    return {"attachment_id": path("attachment_id", "Bilagans id.")}


def _multipart(op: dict, schema: str) -> dict:
    op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": ref(schema)}}}
    return op


def _report_paths() -> dict:
    case_id, attachment_id = ref("case_id", "parameters"), ref("attachment_id", "parameters")
    base = f"{API}/cases/{{case_id}}/report"
    with_attachment = obj({"attachment": ref("Attachment"), "report": ref("Report")})
    upload = (
        "BadRequest",
        "Forbidden",
        "NotFound",
        "Conflict",
        "ContentTooLarge",
        "UnsupportedUpload",
        "Unprocessable",
    )
    location = {"Location": {"schema": URL, "description": "Adressen i API:t."}}
    return {
        f"{base}/attachments": {
            "parameters": [case_id],
            "post": _multipart(
                operation(
                    "uploadReportAttachment",
                    TAG,
                    "Ladda upp en bilaga",
                    {"201": reply("Bilagan, sist i ordningen.", with_attachment, headers=location)},
                    description="Tillåtna typer (efter innehåll): PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG, TXT.",
                    errors=upload,
                ),
                "AttachmentUpload",
            ),
        },
        f"{base}/attachments/{{attachment_id}}": {
            "parameters": [case_id, attachment_id],
            "put": _multipart(
                operation(
                    "replaceReportAttachment",
                    TAG,
                    "Ersätt bilagans fil",
                    {"200": reply("Den nya versionen på samma plats; den gamla finns kvar.", with_attachment)},
                    errors=upload,
                ),
                "AttachmentUpload",
            ),
        },
    }


def report_openapi() -> tuple[dict, dict, dict]:
    """Return the report endpoints' schemas, parameters and paths."""
    return _report_schemas(), _report_parameters(), _report_paths()
