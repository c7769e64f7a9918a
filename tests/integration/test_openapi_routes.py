"""The description and the routes agree both ways, and its generated part validates as it describes."""

from __future__ import annotations

import re

SPEC_URL = "/api/v1/openapi.json"


def _described_path(rule: str) -> str:
    """Turn a Flask rule such as /cases/<int:case_id> into an OpenAPI path /cases/{case_id}."""
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule)


def test_the_description_has_exactly_the_api_routes_and_methods(app, client):
    spec = client.get(SPEC_URL).get_json()
    routes = {
        (_described_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = {(path, method) for path, item in spec["paths"].items() for method in item if method != "parameters"}
    assert described == routes
    operation_ids = [
        op["operationId"] for item in spec["paths"].values() for method, op in item.items() if method != "parameters"
    ]
    assert len(operation_ids) == len(set(operation_ids))


def test_generated_operations_say_what_the_written_ones_said(app, client):
    """An operation generated from its schemas has its Swedish summary, its errors and its parameters' limits."""
    spec = client.get(SPEC_URL).get_json()
    listing = spec["paths"]["/api/v1/cases"]["get"]
    assert listing["summary"] == "Sök i diariet"
    assert set(listing["responses"]) == {"200", "400", "401"}
    params = {p["name"]: p for p in listing["parameters"]}
    assert list(params)[:1] == ["committee_id"] and list(params)[-2:] == ["page", "per_page"]
    assert params["per_page"]["schema"]["maximum"] == app.config["API_MAX_PER_PAGE"]
    assert params["status"]["in"] == "query" and not params["status"]["required"]
    register = spec["paths"]["/api/v1/cases"]["post"]
    body = spec["components"]["schemas"][
        register["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    ]
    assert body["additionalProperties"] is False and "title" in body["properties"]
    assert "Location" in register["responses"]["201"]["headers"]
    case_id = spec["paths"]["/api/v1/cases/{case_id}"]["get"]["parameters"][0]
    assert (case_id["in"], case_id["schema"]["minimum"], case_id["schema"]["maximum"]) == ("path", 1, 2**31 - 1)
    assert "text/csv" in spec["paths"]["/api/v1/jobs/{job_id}/result"]["get"]["responses"]["200"]["content"]


def test_an_unknown_parameter_and_a_bad_value_are_answered_in_swedish(api_as):
    client, headers = api_as("registrator")
    error = client.get("/api/v1/cases?stauts=open&per_page=x", headers=headers).get_json()["error"]
    assert error["status"] == 400
    assert error["fields"] == {
        "stauts": "Okänd parameter ”stauts”; tillåtna: committee_id, q, number, case_officer_id, registered_from, "
        "registered_to, status, classification, page, per_page.",
        "per_page": "Antal per sida måste vara ett heltal.",
    }
    body = client.post("/api/v1/cases", json={"committee_id": "1", "titel": "x"}, headers=headers).get_json()["error"]
    assert body["fields"] == {
        "committee_id": "Nämnd måste vara ett heltal.",
        "titel": "Okänt fält ”titel”; tillåtna: committee_id, title, classification_code, case_officer_id, "
        "is_confidential, secrecy_provision, public_title, external_reference.",
    }
