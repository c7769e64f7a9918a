"""The OpenAPI description of the meeting, agenda, publication and public kallelse endpoints."""

from __future__ import annotations

from agenda.models import ItemKind, ItemOutcome, MeetingStatus
from agenda.operations import MAX_ITEMS, MAX_PARTS
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

TAG = "Sammanträden"
PUBLIC_TAG = "Offentligt"
TAGS = [
    {
        "name": TAG,
        "description": "Sammanträden, föredragningslistan och publicerade kallelser (ledamöternas "
        "version), samt anmälda delegationsbeslut.",
    },
    {"name": PUBLIC_TAG, "description": "Publicerade kallelser i den offentliga versionen; ingen inloggning."},
]
KINDS = [k.value for k in ItemKind]
KIND_TEXT = "; ".join(f"`{k.value}`: {k.label}" for k in ItemKind)
OUTCOMES = [o.value for o in ItemOutcome]
LOCAL_TIME = {
    **STRING,
    "description": "Svensk tid med tidszon, t.ex. 2027-02-23T18:00:00+01:00.",
    "examples": ["2027-02-23T18:00:00+01:00"],
}
TIME_INPUT = {
    **STRING,
    "maxLength": 40,
    "examples": ["2027-02-23T18:00"],
    "description": "ÅÅÅÅ-MM-DDTTT:MM i svensk tid (eller med tidszon). Måste ligga i framtiden och högst fem år fram.",
}
VERSION_INPUT = {
    **ID,
    "description": "Föredragningslistans version (`agenda_version`) som ändringen utgår från; "
    "har listan ändrats sedan dess svarar API:t 409 och inget ändras.",
}
DESCRIPTION = """\
Sekreteraren planerar nämndens sammanträden, bygger föredragningslistan och publicerar kallelsen.
Ledamöter och tjänstepersoner i nämnden läser sammanträdena; bara nämndsekreteraren ändrar och publicerar
(andra får 403, den som inte är med i nämnden 404).

**Versioner.** Varje ändring av föredragningslistan höjer `agenda_version`. Skicka den version du utgick från
(`version`) så avvisas ändringen med 409 om någon annan hunnit ändra; ny ordning (`PUT …/order`) kräver den.
Punkternas nummer är alltid 1, 2, … n i ordningen.

**Sekretessärenden** visas för den som inte får se ärendets sekretessuppgifter bara med sin offentliga rubrik
(`withheld: true`, utan diarienummer).
"""


def _schemas() -> dict:
    part = obj(
        {"title": {**STRING, "maxLength": 300}, "presenter": {**nullable(STRING), "maxLength": 300}},
        optional=("presenter",),
        description="En del av en informationspunkt med föredragande.",
    )
    item = {
        "id": ID,
        "number": {**INTEGER, "minimum": 1, "description": "Punktens nummer på listan (= platsen i ordningen)."},
        "kind": {"type": "string", "enum": KINDS},
        "kind_label": STRING,
        "section": {**nullable(STRING), "description": "Avsnitt, t.ex. Sekretessärenden."},
        "title": STRING,
        "case_id": nullable(ID),
        "case_number": {**nullable(STRING), "examples": ["SN-2016/3342.181"]},
        "public_title": {**nullable(STRING), "description": "Sekretessärendets offentliga rubrik."},
        "note": {
            **nullable(STRING),
            "examples": ["Remisshandlingar: http://www.huddinge.se/generatorn2 (hämtad 2017-01-24)"],
        },
        "external_reference": {**nullable(STRING), "examples": ["KSL/12/0177-37"]},
        "parts": {"type": "array", "items": ref("AgendaPart")},
        "is_handling_later": {**BOOLEAN, "description": "Handling kommer senare."},
        "report_state": {**nullable(STRING), "description": "Tjänsteutlåtandets status (för den som får läsa det)."},
        "outcome": {"anyOf": [{"type": "string", "enum": OUTCOMES}, {"type": "null"}]},
        "outcome_label": nullable(STRING),
        "withheld": {**BOOLEAN, "description": "Sekretessärende du inte får läsa: bara den offentliga rubriken."},
        "links": obj({"self": URL}),
    }
    meeting = {
        "id": ID,
        "committee": ref("CommitteeRef"),
        "start": LOCAL_TIME,
        "place": {**STRING, "examples": ["Plenum, Gymnasietorget 1"]},
        "is_public": {**BOOLEAN, "description": "Sammanträdet är öppet för allmänheten."},
        "status": {"type": "string", "enum": [s.value for s in MeetingStatus]},
        "status_label": STRING,
        "notice_deadline": {**DATE, "description": "Sista dag att publicera kallelsen utan särskilt skäl."},
        "notice_place": nullable(STRING),
        "notice_date": nullable(DATE),
        "chair_name": nullable(STRING),
        "secretary_name": nullable(STRING),
        "agenda_version": {**INTEGER, "minimum": 1},
        "latest_publication": nullable(obj({"version": INTEGER, "published_at": DATETIME})),
        "links": obj({name: URL for name in ("self", "items", "order", "publication_check", "publications")}),
    }
    snapshot_meeting = {
        "type": "object",
        "description": "Kallelsens huvud och avslutning som de publicerades.",
        "properties": {
            "committee": STRING,
            "title": STRING,
            "start": LOCAL_TIME,
            "place": STRING,
            "is_public": BOOLEAN,
            "notice_place": nullable(STRING),
            "notice_date": nullable(DATE),
            "chair_name": nullable(STRING),
            "secretary_name": nullable(STRING),
        },
    }
    snapshot_item = {
        "type": "object",
        "description": "En punkt som den publicerades.",
        "required": ["number", "kind", "title"],
        "properties": {
            "number": INTEGER,
            "kind": {"type": "string", "enum": KINDS},
            "section": nullable(STRING),
            "title": STRING,
            "case_number": nullable(STRING),
            "note": nullable(STRING),
            "external_reference": nullable(STRING),
            "parts": {"type": "array", "items": ref("AgendaPart")},
            "is_handling_later": BOOLEAN,
            "report": nullable({"type": "object"}),
            "attachments": {"type": "array", "items": {"type": "object"}},
            "delegation_decisions": {"type": "array", "items": {"type": "object"}},
            "withheld": BOOLEAN,
        },
    }
    summary = {
        "version": {**INTEGER, "minimum": 1},
        "published_at": DATETIME,
        "published_by": nullable(ref("UserRef")),
        "changes": {"type": "array", "items": STRING, "description": "Vad som ändrats sedan förra versionen."},
        "late_reason": {**nullable(STRING), "description": "Skälet när kallelsen publicerades efter sista dag."},
        "links": obj({"self": URL}),
    }
    decision = {
        "id": ID,
        "decided_on": DATE,
        "decision_maker": STRING,
        "delegation_point": {**STRING, "examples": ["3.1.2"]},
        "case_id": nullable(ID),
        "case_number": nullable(STRING),
        "summary": {
            **STRING,
            "description": "Beslutet i korthet; i ett sekretessärende du inte får läsa bara "
            "ärendets offentliga rubrik.",
        },
        "is_confidential": BOOLEAN,
        "withheld": BOOLEAN,
        "registered_at": DATETIME,
        "registered_by": nullable(ref("UserRef")),
    }
    return {
        "AgendaPart": part,
        "AgendaItem": obj(item, description="En punkt på föredragningslistan."),
        "Agenda": obj({"items": {"type": "array", "items": ref("AgendaItem")}, "agenda_version": INTEGER}),
        "AgendaItemReply": obj(
            {
                "item": ref("AgendaItem"),
                "agenda_version": INTEGER,
                "meeting_status": {"type": "string", "enum": [s.value for s in MeetingStatus]},
            }
        ),
        "MeetingSummary": obj(meeting, description="Ett sammanträde utan föredragningslistan."),
        "Meeting": obj(
            {**meeting, "items": {"type": "array", "items": ref("AgendaItem")}},
            description="Ett sammanträde med föredragningslistan som du får se den.",
        ),
        "MeetingPage": {"allOf": [ref("Page"), {"properties": {"items": {"items": ref("MeetingSummary")}}}]},
        "NewMeeting": obj(
            {
                "committee_id": ID,
                "start": TIME_INPUT,
                "place": {**STRING, "maxLength": 200},
                "is_public": {**BOOLEAN, "default": False},
                "standing_items": {
                    **BOOLEAN,
                    "default": True,
                    "description": (
                        "Lägg in nämndens stående punkter: Val av justerare, Godkännande av föredragningslistan, "
                        "Övriga frågor, Delgivningar och anmälda delegationsbeslut."
                    ),
                },
            },
            optional=("is_public", "standing_items"),
        ),
        "MeetingChange": obj(
            {
                "start": TIME_INPUT,
                "place": {**STRING, "maxLength": 200},
                "is_public": BOOLEAN,
                "notice_place": {**nullable(STRING), "maxLength": 100, "examples": ["Huddinge"]},
                "notice_date": {**nullable(DATE), "description": "Kallelsens datum (ÅÅÅÅ-MM-DD)."},
                "chair_name": {**nullable(STRING), "maxLength": 200},
                "secretary_name": {**nullable(STRING), "maxLength": 200},
            },
            optional=("start", "place", "is_public", "notice_place", "notice_date", "chair_name", "secretary_name"),
            description="Fälten som ska ändras; null tömmer ett fält i kallelsens avslutning.",
        ),
        "NewAgendaItem": obj(
            {
                "kind": {"type": "string", "enum": KINDS, "description": KIND_TEXT},
                "case_id": {**ID, "description": "Ärendet (för ärendepunkter och delgivningar); eller case_number."},
                "case_number": {**STRING, "maxLength": 60, "examples": ["SN-2016/3342.181"]},
                "title": {**STRING, "maxLength": 1000, "description": "Utelämnas för ärenden: ärendemeningen används."},
                "note": {**nullable(STRING), "maxLength": 2000},
                "external_reference": {**nullable(STRING), "maxLength": 100},
                "parts": {"type": "array", "maxItems": MAX_PARTS, "items": part},
                "is_handling_later": {
                    **BOOLEAN,
                    "description": "Handling kommer senare: krävs för ett ärende vars "
                    "tjänsteutlåtande inte är undertecknat.",
                },
                "position": {
                    **INTEGER,
                    "minimum": 1,
                    "maximum": MAX_ITEMS + 1,
                    "description": "Platsen; utelämnad: före Övriga frågor (sekretessärenden efter).",
                },
                "version": VERSION_INPUT,
            },
            optional=(
                "case_id",
                "case_number",
                "title",
                "note",
                "external_reference",
                "parts",
                "is_handling_later",
                "position",
                "version",
            ),
        ),
        "AgendaItemChange": obj(
            {
                "title": {**STRING, "maxLength": 1000},
                "note": {**nullable(STRING), "maxLength": 2000},
                "external_reference": {**nullable(STRING), "maxLength": 100},
                "parts": {"type": "array", "maxItems": MAX_PARTS, "items": part},
                "is_handling_later": BOOLEAN,
                "position": {**INTEGER, "minimum": 1, "maximum": MAX_ITEMS, "description": "Flytta punkten hit."},
                "version": VERSION_INPUT,
            },
            optional=("title", "note", "external_reference", "parts", "is_handling_later", "position", "version"),
        ),
        "AgendaOrder": obj(
            {
                "order": {
                    "type": "array",
                    "items": ID,
                    "description": "Varje punkts id exakt en gång, i den nya ordningen.",
                },
                "version": VERSION_INPUT,
            }
        ),
        "VersionOnly": obj({"version": VERSION_INPUT}, optional=("version",)),
        "Outcome": obj(
            {
                "outcome": {
                    "type": "string",
                    "enum": OUTCOMES,
                    "description": "decided: beslutat; postponed: bordlagt; sent_back: återremitterat.",
                }
            }
        ),
        "PublicationCheck": obj(
            {
                "problems": {
                    "type": "array",
                    "items": STRING,
                    "description": "Varför kallelsen inte kan publiceras nu (tom när den kan).",
                },
                "deadline": {**DATE, "description": "Sista dag att publicera utan skäl."},
                "is_late": {**BOOLEAN, "description": "Sista dag har passerat: publicering kräver `late_reason`."},
            }
        ),
        "PublicationRequest": obj(
            {
                "late_reason": {
                    **nullable(STRING),
                    "maxLength": 1000,
                    "description": "Krävs efter sista dag; sparas i loggen.",
                }
            },
            optional=("late_reason",),
        ),
        "PublicationRefused": obj(
            {
                "error": obj(
                    {
                        "status": {"const": 409},
                        "message": STRING,
                        "problems": {"type": "array", "items": STRING, "description": "Var problemen finns."},
                    }
                )
            },
            description="Publiceringen avvisades; `problems` säger var.",
        ),
        "PublicationSummary": obj(summary, description="En publicerad version av kallelsen."),
        "Publication": obj(
            {**summary, "meeting": snapshot_meeting, "items": {"type": "array", "items": snapshot_item}},
            description="Ledamöternas version som du får läsa den: sekretessärenden, sekretessbilagor "
            "och delegationsbeslut i sekretessärenden du inte får se är undanhållna "
            "(`withheld`).",
        ),
        "DelegationDecision": obj(decision, description="Ett beslut fattat på delegation, anmält till nämnden."),
        "DelegationDecisionPage": {
            "allOf": [ref("Page"), {"properties": {"items": {"items": ref("DelegationDecision")}}}]
        },
        "NewDelegationDecision": obj(
            {
                "decided_on": {**DATE, "description": "Beslutsdatum; inte i framtiden."},
                "decision_maker": {**STRING, "maxLength": 200, "examples": ["Eva Strand, socialdirektör"]},
                "delegation_point": {**STRING, "maxLength": 50, "examples": ["3.1.2"]},
                "summary": {**STRING, "maxLength": 1000},
                "case_id": ID,
                "case_number": {**STRING, "maxLength": 60},
            },
            optional=("case_id", "case_number"),
        ),
        "PublicMeeting": obj(
            {
                "id": ID,
                "committee": STRING,
                "municipality": nullable(STRING),
                "start": LOCAL_TIME,
                "place": STRING,
                "is_public": BOOLEAN,
                "latest_version": {**INTEGER, "minimum": 1},
                "published_at": DATETIME,
                "links": obj({"kallelse": URL}),
            },
            description="Ett sammanträde med publicerad kallelse, enligt den senaste offentliga versionen.",
        ),
        "PublicKallelse": obj(
            {
                "meeting_id": ID,
                "version": {**INTEGER, "minimum": 1},
                "published_at": DATETIME,
                "changes": {"type": "array", "items": STRING},
                "meeting": snapshot_meeting,
                "items": {"type": "array", "items": snapshot_item},
                "versions": {"type": "array", "items": obj({"version": INTEGER, "published_at": DATETIME, "url": URL})},
            },
            description="Den offentliga versionen: sekretessärenden bara med offentlig rubrik, utan diarienummer "
            "och handlingar; sekretessbilagor aldrig.",
        ),
    }


def _parameters() -> dict:
    def path(name: str, description: str) -> dict:
        return {"name": name, "in": "path", "required": True, "schema": ID, "description": description}

    def query(name: str, schema: dict, description: str) -> dict:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    return {
        "meeting_id": path("meeting_id", "Sammanträdets id."),
        "item_id": path("item_id", "Punktens id."),
        "publication_version": path("version", "Kallelsens version (1 är den första publiceringen)."),
        "meeting_committee_id": query("committee_id", ID, "Bara sammanträden i denna nämnd."),
        "meeting_year": query("year", {**INTEGER, "minimum": 1, "maximum": 9998}, "Bara sammanträden detta år."),
        "item_version": query("version", ID, "Föredragningslistans version som borttagningen utgår från."),
        "decided_from": query("decided_from", DATE, "Beslutat från och med (ÅÅÅÅ-MM-DD)."),
        "decided_to": query("decided_to", DATE, "Beslutat till och med (ÅÅÅÅ-MM-DD)."),
    }


def _paths() -> dict:
    def p(name: str) -> dict:
        return ref(name, "parameters")

    meeting_id, item_id = p("meeting_id"), p("item_id")
    base = f"{API}/meetings/{{meeting_id}}"
    item_base = f"{base}/items/{{item_id}}"
    location = {"Location": {"schema": URL, "description": "Adressen i API:t."}}
    read = ("BadRequest", "NotFound")
    write = ("BadRequest", "Forbidden", "NotFound", "Conflict", "UnsupportedMediaType", "Unprocessable")
    meeting_reply = obj({"meeting": ref("Meeting")})
    item_reply = ref("AgendaItemReply")
    pages = [p("page"), p("per_page")]
    return {
        f"{API}/meetings": {
            "get": operation(
                "listMeetings",
                TAG,
                "Sammanträden i dina nämnder",
                {"200": reply("En sida med sammanträden, senaste först.", ref("MeetingPage"))},
                parameters=[p("meeting_committee_id"), p("meeting_year"), *pages],
                errors=("BadRequest",),
            ),
            "post": operation(
                "planMeeting",
                TAG,
                "Planera ett sammanträde",
                {"201": reply("Sammanträdet med de stående punkterna.", meeting_reply, headers=location)},
                description="Kräver rollen nämndsekreterare i nämnden. Ett sammanträde kan inte läggas i det "
                "förflutna.",
                body=ref("NewMeeting"),
                errors=("BadRequest", "Forbidden", "UnsupportedMediaType", "Unprocessable"),
            ),
        },
        base: {
            "parameters": [meeting_id],
            "get": operation(
                "getMeeting",
                TAG,
                "Ett sammanträde med föredragningslistan",
                {"200": reply("Sammanträdet.", meeting_reply)},
                description=DESCRIPTION,
                errors=read,
            ),
            "patch": operation(
                "updateMeeting",
                TAG,
                "Ändra tid, plats eller kallelsens avslutning",
                {"200": reply("Sammanträdet.", meeting_reply)},
                description="Ort, datum, ordförande och sekreterare fullbordar kallelsen och krävs för att publicera. "
                "409 när sammanträdet är genomfört.",
                body=ref("MeetingChange"),
                errors=write,
            ),
        },
        f"{base}/items": {
            "parameters": [meeting_id],
            "get": operation(
                "listMeetingItems",
                TAG,
                "Föredragningslistan",
                {"200": reply("Punkterna i ordning.", ref("Agenda"))},
                errors=read,
            ),
            "post": operation(
                "addMeetingItem",
                TAG,
                "Lägg till en punkt",
                {"201": reply("Punkten och listans nya version.", item_reply, headers=location)},
                description="En ärendepunkt flyttar ärendets undertecknade tjänsteutlåtande till ”på föredragningslista”; "
                "utan undertecknat utlåtande krävs `is_handling_later`. Ett sekretessärende hamnar under "
                "Sekretessärenden. 409: ärendet hör till en annan nämnd, står redan på en kommande lista, "
                "utlåtandet är inte undertecknat, eller listan har ändrats sedan `version`.",
                body=ref("NewAgendaItem"),
                errors=write,
            ),
        },
        item_base: {
            "parameters": [meeting_id, item_id],
            "get": operation(
                "getMeetingItem",
                TAG,
                "En punkt",
                {"200": reply("Punkten.", item_reply)},
                errors=read,
            ),
            "patch": operation(
                "updateMeetingItem",
                TAG,
                "Ändra eller flytta en punkt",
                {"200": reply("Punkten.", item_reply)},
                description="`position` flyttar punkten (tangentbordsalternativet till att dra och släppa); de andra "
                "numreras om.",
                body=ref("AgendaItemChange"),
                errors=write,
            ),
            "delete": operation(
                "removeMeetingItem",
                TAG,
                "Ta bort en punkt",
                {"200": reply("Listan efter borttagningen, omnumrerad.", ref("Agenda"))},
                description='Versionen kan anges i adressen (`?version=7`) eller som kropp `{"version": 7}`. '
                "Ärendets utlåtande går tillbaka till ”undertecknat”.",
                parameters=[p("item_version")],
                errors=write,
            ),
        },
        f"{item_base}/attach-handling": {
            "parameters": [meeting_id, item_id],
            "post": operation(
                "attachItemHandling",
                TAG,
                "Handlingen har kommit",
                {"200": reply("Punkten, nu med sitt undertecknade utlåtande.", item_reply)},
                description="För en punkt med ”Handling kommer senare” när utlåtandet har undertecknats. Ingen kropp.",
                errors=write,
            ),
        },
        f"{item_base}/outcome": {
            "parameters": [meeting_id, item_id],
            "post": operation(
                "recordItemOutcome",
                TAG,
                "Registrera vad sammanträdet gjorde med punkten",
                {"200": reply("Punkten med sitt utfall.", item_reply)},
                description="Först när sammanträdet har börjat. Bordlagda och återremitterade ärenden erbjuds till "
                "nästa sammanträde.",
                body=ref("Outcome"),
                errors=write,
            ),
        },
        f"{base}/order": {
            "parameters": [meeting_id],
            "put": operation(
                "reorderMeetingItems",
                TAG,
                "Ny ordning på föredragningslistan",
                {
                    "200": reply(
                        "Punkterna i den nya ordningen, numrerade 1 … n, och listans nya version.", ref("Agenda")
                    )
                },
                description="409 om listan har ändrats sedan `version` (t.ex. av en annan sekreterare samtidigt); "
                "då ändras ingenting.",
                body=ref("AgendaOrder"),
                errors=write,
            ),
        },
        f"{base}/publication-check": {
            "parameters": [meeting_id],
            "get": operation(
                "checkMeetingPublication",
                TAG,
                "Kan kallelsen publiceras?",
                {"200": reply("Problemen som hindrar publicering och sista dag.", ref("PublicationCheck"))},
                description="Personnummer och samordningsnummer (med kontrollsiffra) eller ett sekretessärendes rubrik "
                "i den offentliga versionen hindrar publicering. Kräver rollen nämndsekreterare.",
                errors=("BadRequest", "Forbidden", "NotFound"),
            ),
        },
        f"{base}/publications": {
            "parameters": [meeting_id],
            "get": operation(
                "listMeetingPublications",
                TAG,
                "Publicerade versioner",
                {
                    "200": reply(
                        "Versionerna, äldst först.",
                        obj({"items": {"type": "array", "items": ref("PublicationSummary")}}),
                    )
                },
                errors=read,
            ),
            "post": operation(
                "publishMeeting",
                TAG,
                "Publicera kallelsen",
                {
                    "201": reply(
                        "Den nya versionen (ledamöternas version).",
                        obj({"publication": ref("Publication")}),
                        headers=location,
                    ),
                    "409": reply(
                        "Publiceringen avvisades (`problems` säger var), listan är tom, eller inget har ändrats "
                        "sedan förra versionen.",
                        {"anyOf": [ref("PublicationRefused"), ref("Error")]},
                    ),
                },
                description="Gör en oföränderlig, numrerad ögonblicksbild: ledamöternas och den offentliga versionen. "
                "En ny publicering gör en ny version och säger vad som ändrats. Efter sista dag krävs "
                "`late_reason` (422 utan). Kräver rollen nämndsekreterare.",
                body=ref("PublicationRequest"),
                errors=("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable"),
            ),
        },
        f"{base}/publications/{{version}}": {
            "parameters": [meeting_id, p("publication_version")],
            "get": operation(
                "getMeetingPublication",
                TAG,
                "En publicerad kallelse (ledamöternas version)",
                {
                    "200": reply(
                        "Kallelsen som den publicerades, som du får läsa den.", obj({"publication": ref("Publication")})
                    )
                },
                errors=read,
            ),
        },
        f"{API}/committees/{{committee_id}}/delegation-decisions": {
            "parameters": [p("committee_id")],
            "get": operation(
                "listDelegationDecisions",
                TAG,
                "Anmälda delegationsbeslut",
                {"200": reply("En sida med beslut, senast beslutade först.", ref("DelegationDecisionPage"))},
                parameters=[p("decided_from"), p("decided_to"), *pages],
                errors=read,
            ),
            "post": operation(
                "registerDelegationDecision",
                TAG,
                "Registrera ett delegationsbeslut",
                {
                    "201": reply(
                        "Beslutet; det anmäls på nämndens nästa sammanträde.",
                        obj({"decision": ref("DelegationDecision")}),
                    )
                },
                description="Kräver rollen nämndsekreterare i nämnden.",
                body=ref("NewDelegationDecision"),
                errors=("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable"),
            ),
        },
    }


def meeting_openapi() -> tuple[list, dict, dict, dict]:
    """Return the meeting endpoints' tags, schemas, parameters and paths."""
    return TAGS, _schemas(), _parameters(), _paths()
