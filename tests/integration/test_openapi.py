"""The OpenAPI document: valid 3.1, public, and describing every API route the app has."""

from __future__ import annotations

import re

import pytest
from jsonschema.exceptions import ValidationError
from openapi_spec_validator import validate

from tests.api_helpers import SPEC_URL, conforms


def openapi_path(rule: str) -> str:
    """Turn a Flask rule such as /cases/<int:case_id> into an OpenAPI path /cases/{case_id}."""
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule)


def test_document_is_valid_openapi_31_and_served_without_login(client):
    response = client.get(SPEC_URL)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert spec["servers"] == [{"url": "/"}]


def test_every_api_route_is_described_with_its_methods(app, client):
    spec = client.get(SPEC_URL).get_json()
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")]
    assert len(rules) >= 8
    for rule in rules:
        path = openapi_path(rule.rule)
        assert path in spec["paths"], f"{rule.rule} ({rule.endpoint}) is not described"
        described = set(spec["paths"][path]) - {"parameters"}
        assert {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}} <= described, rule.rule
    for path, item in spec["paths"].items():
        for name in re.findall(r"{(\w+)}", path):
            params = item.get("parameters", []) + [
                p for op in item.values() if isinstance(op, dict) for p in op.get("parameters", [])
            ]
            resolved = [
                spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in params
            ]
            assert any(p["in"] == "path" and p["name"] == name for p in resolved), (path, name)


def test_components_security_and_the_documented_shapes(app, client):
    spec = client.get(SPEC_URL).get_json()
    schemas = spec["components"]["schemas"]
    assert {"Case", "CaseSummary", "Committee", "Document", "Error", "Job", "Page"} <= set(schemas)
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        **spec["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    cookie = spec["components"]["securitySchemes"]["cookieAuth"]
    assert (cookie["type"], cookie["in"], cookie["name"]) == ("apiKey", "cookie", app.config["SESSION_COOKIE_NAME"])
    assert spec["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    assert set(schemas["Job"]["properties"]) == {
        "id",
        "kind",
        "state",
        "state_label",
        "progress_done",
        "progress_total",
        "percent",
        "error",
        "has_result",
        "stuck",
        "created_at",
        "finished_at",
        "download_url",
    }
    assert schemas["Job"]["properties"]["state"]["enum"] == ["queued", "running", "done", "failed"]
    export = spec["paths"]["/api/v1/committees/{committee_id}/registry-exports"]["post"]
    assert "202" in export["responses"]
    meetings = {p["name"]: p for p in spec["paths"]["/api/v1/meetings"]["get"]["parameters"]}
    assert meetings["per_page"]["schema"]["maximum"] == app.config["API_MAX_PER_PAGE"]
    assert "Sekretessärenden" in spec["info"]["description"]  # user documentation in Swedish


def test_responses_conform_to_the_described_schemas(api_as, client, demo):
    spec = client.get(SPEC_URL).get_json()
    api, headers = api_as("registrator")
    page = api.get("/api/v1/cases?per_page=5", headers=headers).get_json()
    conforms(spec, "CasePage", page)
    assert page["next"]
    for number in ("SN-2017%2F12.754", "SN-2016%2F3693.103", "KS-2017%2F37.182"):
        conforms(spec, "Case", api.get(f"/api/v1/cases/by-number/{number}", headers=headers).get_json()["case"])
    for committee in api.get("/api/v1/committees", headers=headers).get_json()["items"]:
        conforms(spec, "Committee", committee)
    error = api.get("/api/v1/cases?per_page=0", headers=headers).get_json()
    conforms(spec, "Error", error)
    with pytest.raises(ValidationError):
        conforms(spec, "Case", {**page["items"][0], "unexpected": 1})


def test_job_responses_conform_to_the_described_job(api_as, client, demo):
    """The jobs endpoints (app/api/jobs.py) answer as the document describes."""
    spec = client.get(SPEC_URL).get_json()
    api, headers = api_as("registrator")
    sn = api.get("/api/v1/committees", headers=headers).get_json()["items"]
    sn_id = next(c["id"] for c in sn if c["registry_prefix"] == "SN")
    created = api.post(f"/api/v1/committees/{sn_id}/registry-exports", json={"status": "open"}, headers=headers)
    assert created.status_code == 202, created.get_json()
    conforms(spec, "Job", created.get_json()["job"])
    job = api.get(created.headers["Location"], headers=headers)
    assert job.status_code == 200
    conforms(spec, "Job", job.get_json()["job"])
