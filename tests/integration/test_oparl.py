"""Open data in the shape of OParl 1.1 (/oparl/v1): every object type validates against OParl's own JSON schemas
(vendored in tests/data/oparl/), lists page with links.next, an incremental sync finds what changed and what was
withdrawn (deleted: true) since a time, answers are cached (ETag, Last-Modified, 304) and nothing confidential is
in them (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import jsonschema
from sqlalchemy import select

from agenda import operations as agenda_ops
from agenda.minutes.models import CommitteeSeat
from agenda.minutes.seats import update_seat
from agenda.models import Meeting
from app.demo import data
from app.extensions import db
from app.registry import operations as registry_ops
from app.registry.models import Case
from tests.canaries import complete
from tests.factories import add_case_item, create_case, create_report, fresh, person, publish
from workflows.models import ReportState

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "oparl"
OPARL = "https://schema.oparl.org/1.1/"
KINDS = ["organization", "person", "membership", "meeting", "agendaItem", "consultation", "file", "paper",
         "legislativeTerm", "location"]  # fmt: skip


def _schema(name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8")))


VALIDATORS = {p.stem: _schema(p.stem) for p in SCHEMAS.glob("*.json")}


def _get(client, url: str, status: int = 200):
    parts = urlsplit(url)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:500])
    return response.get_json()


def validate(obj, found: dict[str, list[dict]]) -> None:
    """Validate every OParl object in ``obj`` (embedded ones too) against its type's schema."""
    if isinstance(obj, dict):
        kind = obj.get("type", "")
        if isinstance(kind, str) and kind.startswith(OPARL):
            name = kind.removeprefix(OPARL)
            errors = sorted(VALIDATORS[name].iter_errors(obj), key=str)
            assert not errors, (obj.get("id"), [e.message for e in errors])
            found.setdefault(name, []).append(obj)
        for value in obj.values():
            validate(value, found)
    elif isinstance(obj, list):
        for value in obj:
            validate(value, found)


def _since(moment: datetime) -> str:
    return "?" + urlencode({"modified_since": moment.isoformat()})


def everything(client, kind: str, query: str = "") -> list[dict]:
    """Every object of a list, following links.next."""
    url, out = f"/oparl/v1/body/1/{kind}{query}", []
    while url:
        page = _get(client, url)
        out += page["data"]
        url = page["links"].get("next")
    return out


def test_every_object_type_validates_against_the_oparl_schemas(demo, client):
    found: dict[str, list[dict]] = {}
    system = _get(client, "/oparl/v1/system")
    validate(system, found)
    bodies = _get(client, system["body"])
    validate(bodies, found)
    body = _get(client, bodies["data"][0]["id"])
    validate(body, found)
    for kind in KINDS:
        objects = everything(client, kind)
        validate(objects, found)
        assert objects, kind
        validate(_get(client, objects[0]["id"]), found)  # each object at its own URL too
    assert set(found) == set(VALIDATORS), set(VALIDATORS) - set(found)
    # the Swedish fields, through the extension mechanism
    papers = {p["reference"]: p for p in found["Paper"] if not p.get("deleted")}
    assert papers["SN-2016/3342.181"]["namndflode:diarienummer"] == "SN-2016/3342.181"
    items = [i for i in found["AgendaItem"] if i.get("namndflode:paragraf")]
    assert {i["namndflode:paragraf"] for i in items} >= {"§ 12", "§ 18"}
    meeting = next(m for m in found["Meeting"] if m.get("namndflode:anslag"))
    assert meeting["namndflode:anslag"][0]["sistaDagForOverklagande"] >= "2017-03-02"


def test_nothing_confidential_and_secret_cases_are_withdrawn(demo, client):
    text = json.dumps([everything(client, kind) for kind in KINDS], ensure_ascii=False)
    for number, title, public_title, _day in data.CONFIDENTIAL_CASES:
        assert title not in text and number not in text
        assert public_title in text  # the sekretessärende's item, by its public title
    assert data.CONFIDENTIAL_ATTACHMENT[1] not in text and "Hemligsson" not in text
    secret = db.session.scalars(select(Case.id).where(Case.is_confidential.is_(True))).all()
    tombstones = {p["id"].rsplit("/", 1)[1]: p for p in everything(client, "paper") if p["deleted"]}
    assert {str(i) for i in secret} <= set(tombstones)
    assert set(tombstones[str(secret[0])]) == {"id", "type", "created", "modified", "deleted"}


def test_lists_page_with_links_next(demo, client):
    officer = person("handlaggare")
    for i in range(90):
        create_case(f"Medborgarförslag om belysning vid gångväg {i}", officer=officer)
    fresh()
    first = _get(client, "/oparl/v1/body/1/paper")
    assert len(first["data"]) == 100 and first["pagination"]["totalPages"] == 2
    second = _get(client, first["links"]["next"])
    assert second["links"]["prev"] == first["links"]["self"] and "next" not in second["links"]
    ids = [p["id"] for p in first["data"] + second["data"]]
    assert len(ids) == len(set(ids)) == first["pagination"]["totalElements"]


def test_incremental_sync_finds_what_changed_and_what_was_withdrawn(demo, client, meeting):
    registrar = person("registrator")
    assert everything(client, "paper", _since(datetime.now(UTC) + timedelta(days=1))) == []
    officer = person("handlaggare")
    renamed, hidden = (
        create_case("Riktlinjer för färdtjänst", officer=officer),
        create_case("Placering enligt LVU i Provby", officer=officer),
    )
    db.session.commit()
    # a later time: what changed after it
    later = datetime.now(UTC)
    registry_ops.update_case(renamed, user=registrar, title="Riktlinjer för färdtjänst 2027", case_officer=officer)
    registry_ops.set_confidentiality(
        hidden, user=registrar, is_confidential=True, secrecy_provision="26 kap. 1 § OSL", public_title="Ansökan"
    )
    voided = db.session.scalar(select(Case).where(Case.number == "SN-2016/3342.181"))
    registry_ops.void_case(voided, user=registrar, reason="Felregistrerat")
    seat = db.session.scalars(select(CommitteeSeat).order_by(CommitteeSeat.id)).first()
    update_seat(seat, user=person("sekreterare"), values={"is_active": False})
    db.session.commit()
    changed = everything(client, "paper", _since(later))
    by_id = {p["id"].rsplit("/", 1)[1]: p for p in changed}
    assert by_id[str(renamed.id)]["name"] == "Riktlinjer för färdtjänst 2027" and not by_id[str(renamed.id)]["deleted"]
    assert by_id[str(hidden.id)]["deleted"] is True and "name" not in by_id[str(hidden.id)]
    assert by_id[str(voided.id)]["deleted"] is True
    assert len(by_id) == 3
    people = everything(client, "membership", _since(later))
    assert [(p["id"].rsplit("/", 1)[1], p["deleted"]) for p in people] == [(str(seat.id), True)]

    # an item on a published kallelse, removed in the next version: deleted since then
    case = create_case("Yttrande över remiss om kollektivtrafik", officer=person("handlaggare"))
    create_report(case, ReportState.signed, author=person("handlaggare"), notify=False)
    item = add_case_item(meeting, case)
    complete(meeting)
    publish(meeting)
    db.session.commit()
    item_url = f"/oparl/v1/agendaItem/{item.id}"
    assert _get(client, item_url)["deleted"] is False
    consultation = _get(client, f"/oparl/v1/consultation/{item.id}")
    assert consultation["paper"].endswith(f"/paper/{case.id}")
    republished = datetime.now(UTC)
    fresh_meeting = db.session.get(Meeting, meeting.id)
    agenda_ops.remove_item(db.session.get(type(item), item.id), user=person("sekreterare"))
    publish(fresh_meeting)
    db.session.commit()
    gone = everything(client, "agendaItem", _since(republished))
    assert {"id": f"http://localhost{item_url}", "deleted": True}.items() <= next(
        i for i in gone if i["id"].endswith(item_url)
    ).items()
    assert _get(client, f"/oparl/v1/consultation/{item.id}")["deleted"] is True


def test_answers_are_cached_publicly_and_conditional_requests_answer_304(demo, client):
    response = client.get("/oparl/v1/body/1/meeting")
    assert response.status_code == 200 and response.headers["ETag"] and response.headers["Last-Modified"]
    assert "public" in response.headers["Cache-Control"]
    again = client.get("/oparl/v1/body/1/meeting", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/oparl/v1/body/1/meeting", headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304


def test_bad_requests_are_answered_in_swedish_json(demo, client):
    error = _get(client, "/oparl/v1/body/1/paper?modified_since=igår", 400)["error"]
    assert "ISO 8601" in error["message"]
    assert (
        "tidszon" in _get(client, "/oparl/v1/body/1/paper?modified_since=2017-01-01T00:00:00", 400)["error"]["message"]
    )
    assert "Okänd parameter" in _get(client, "/oparl/v1/body/1/paper?sida=2", 400)["error"]["message"]
    assert _get(client, "/oparl/v1/body/1/rubbish", 404)["error"]["status"] == 404
    assert _get(client, "/oparl/v1/paper/99999999", 404)["error"]["status"] == 404
    assert _get(client, "/oparl/v1/body/99", 404)["error"]["status"] == 404
