"""The case reports API: the review chain with tokens, each transition's refusals, conflicts, sanitising, history."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth import operations as auth_ops
from app.auth.models import Role, User
from app.extensions import db
from app.notifications import OutboxMessage
from app.organisation.models import Committee
from app.registry.models import Case
from tests.api_helpers import (
    CASE_NUMBER,
    CASE_TITLE,
    COMPLETE,
    FORBIDDEN,
    NOT_FOUND,
    SPEC_URL,
    conforms,
    scalar,
    snapshot,
    stored_report,
    transition,
    url,
)
from tests.factories import create_report, csrf_token, fresh_session
from workflows import operations as ops
from workflows.models import CaseReport, ReportConflict, ReportState

S = ReportState


def user(key: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{key}@huddinge.example"))


def count(model) -> int:
    return scalar(select(func.count()).select_from(model))


# --- the whole chain ---------------------------------------------------------------------------------


def test_the_review_chain_through_the_api(api_as, case_id):
    officer, officer_h = api_as("controller")
    created = officer.post(url(case_id), headers=officer_h)
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"] == f"http://localhost{url(case_id)}"
    report = created.get_json()["report"]
    assert (report["case_number"], report["state"], report["current_revision"]) == (CASE_NUMBER, "draft", 1)
    assert report["content"]["title"] == CASE_TITLE
    assert report["content"]["signatories"][0]["name"] == "Maria Holm"
    assert report["allowed_transitions"] == ["submit", "withdraw"]
    assert report["signature"] is None and report["attachments"] == []
    assert [e["name"] for e in report["editors"]] == ["Maria Holm"]

    saved = officer.put(
        url(case_id, "/content"), json={"based_on": 1, "content": {**COMPLETE, "proposals": []}}, headers=officer_h
    )
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["revision"]["number"] == 2
    before = snapshot(case_id)
    refused = transition(officer, officer_h, case_id, "submit")
    assert refused.status_code == 422, refused.get_json()
    assert "Förslag till beslut" in refused.get_json()["error"]["message"]
    assert snapshot(case_id) == before

    saved = officer.put(url(case_id, "/content"), json={"based_on": 2, "content": COMPLETE}, headers=officer_h)
    assert saved.get_json()["revision"]["changed_fields"] == ["proposals"]
    assert saved.get_json()["report"]["current_revision"] == 3
    submitted = transition(officer, officer_h, case_id, "submit", "Klar för granskning")
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["report"]["state"] == "in_review"
    assert submitted.get_json()["report"]["due_on"]

    reviewer, reviewer_h = api_as("enhetschef")
    queue = reviewer.get("/api/v1/review-queue", headers=reviewer_h).get_json()
    assert [item["case_number"] for item in queue["items"]] == [CASE_NUMBER] and queue["own"] == []
    assert reviewer.get(url(case_id), headers=reviewer_h).get_json()["report"]["allowed_transitions"] == [
        "return_review",
        "approve",
    ]
    approved = transition(reviewer, reviewer_h, case_id, "approve")
    assert approved.status_code == 200 and approved.get_json()["report"]["state"] == "approved"

    approver, approver_h = api_as("direktor")
    queue = approver.get("/api/v1/review-queue", headers=approver_h).get_json()
    assert [item["case_number"] for item in queue["items"]] == [CASE_NUMBER]
    signed = transition(approver, approver_h, case_id, "sign")
    assert signed.status_code == 200, signed.get_json()
    body = signed.get_json()["report"]
    assert body["state"] == "signed" and body["allowed_transitions"] == []
    signature = body["signature"]
    assert (signature["revision"], signature["signed_by"]["name"]) == (3, "Eva Strand")
    assert len(signature["hash"]) == 64

    with fresh_session() as session:
        stored = stored_report(session, case_id)
        assert stored.state is S.signed and stored.signed_revision == 3
        assert stored.signed_hash == signature["hash"] == ops.signature_hash(stored)
        assert stored.transitions[-1].content_hash == signature["hash"]
        assert [t.name for t in stored.transitions] == ["create", "submit", "approve", "sign"]
        mail = {
            (m.recipient.email.split("@")[0], m.subject.split(":")[0])
            for m in session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id))
        }
    assert {
        ("enhetschef", "Att granska"),
        ("direktor", "Att underteckna"),
        ("controller", "Undertecknat och klart för nämnden"),
    } <= mail

    timeline = officer.get(url(case_id, "/timeline"), headers=officer_h).get_json()["items"]
    assert [(t["name"], t["from_state"], t["to_state"]) for t in timeline] == [
        ("create", None, "draft"),
        ("submit", "draft", "in_review"),
        ("approve", "in_review", "approved"),
        ("sign", "approved", "signed"),
    ]
    assert timeline[1]["comment"] == "Klar för granskning" and timeline[1]["user"]["name"] == "Maria Holm"
    assert timeline[3]["content_hash"] == signature["hash"] and timeline[3]["to_state_label"] == "Undertecknad"


# --- each transition: the right role in the right state, else 403 or 409 -----------------------------

#: (transition, a state it starts from, who may, a user without the role, a state it does not start from, target)
TRANSITION_RULES = [
    ("submit", S.draft, "controller", "enhetschef", S.in_review, S.in_review),
    ("return_review", S.in_review, "enhetschef", "direktor", S.approved, S.returned),
    ("approve", S.in_review, "enhetschef", "direktor", S.approved, S.approved),
    ("return_approval", S.approved, "direktor", "enhetschef", S.in_review, S.returned),
    ("sign", S.approved, "direktor", "enhetschef", S.in_review, S.signed),
    ("withdraw", S.draft, "controller", "enhetschef", S.withdrawn, S.withdrawn),
]


@pytest.mark.parametrize(
    "name, start, allowed, wrong_role, _wrong_state, target", TRANSITION_RULES, ids=[r[0] for r in TRANSITION_RULES]
)
def test_transition_refused_for_the_wrong_role_then_allowed_for_the_right_one(
    api_as, report_in, name, start, allowed, wrong_role, _wrong_state, target
):
    case_id = report_in(start)
    before = snapshot(case_id)
    client, headers = api_as(wrong_role)
    refused = transition(client, headers, case_id, name, "Motivering")
    assert refused.status_code == 403, refused.get_json()
    assert refused.get_json()["error"]["message"].startswith("Du har inte den roll som krävs")
    assert snapshot(case_id) == before

    client, headers = api_as(allowed)
    done = transition(client, headers, case_id, name, "Motivering")
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["report"]["state"] == target.value
    with fresh_session() as session:
        stored = stored_report(session, case_id)
        assert stored.state is target
        assert (stored.transitions[-1].name, stored.transitions[-1].comment) == (name, "Motivering")


@pytest.mark.parametrize(
    "name, _start, allowed, _wrong_role, wrong_state, _target", TRANSITION_RULES, ids=[r[0] for r in TRANSITION_RULES]
)
def test_transition_refused_in_the_wrong_state(
    api_as, report_in, name, _start, allowed, _wrong_role, wrong_state, _target
):
    case_id = report_in(wrong_state)
    before = snapshot(case_id)
    client, headers = api_as(allowed)
    refused = transition(client, headers, case_id, name, "Motivering")
    assert refused.status_code == 409, refused.get_json()
    assert refused.get_json()["error"]["message"].startswith(f"Utlåtandets status är ”{wrong_state.label}”")
    assert snapshot(case_id) == before


def test_nobody_reviews_their_own_report(api_as, report_in):
    case_id = report_in(S.in_review)
    sn = db.session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
    auth_ops.grant_role(user("controller"), sn, Role.reviewer)
    db.session.commit()
    before = snapshot(case_id)
    client, headers = api_as("controller")
    assert "approve" in client.get(url(case_id), headers=headers).get_json()["report"]["allowed_transitions"]
    for name in ("approve", "return_review"):
        refused = transition(client, headers, case_id, name, "Ser bra ut")
        assert refused.status_code == 403, refused.get_json()
        assert "skrivit i utlåtandet" in refused.get_json()["error"]["message"]
    assert snapshot(case_id) == before
    queue = client.get("/api/v1/review-queue", headers=headers).get_json()
    assert queue["items"] == [] and [item["case_id"] for item in queue["own"]] == [case_id]


@pytest.mark.parametrize("allowed", [False, True])
def test_approving_and_signing_by_one_person_follows_the_committees_setting(api_as, report_in, allowed):
    case_id = report_in(S.in_review)
    sn = db.session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
    auth_ops.grant_role(user("enhetschef"), sn, Role.approver)
    sn.same_person_may_approve_and_sign = allowed
    db.session.commit()
    client, headers = api_as("enhetschef")
    assert transition(client, headers, case_id, "approve").status_code == 200
    before = snapshot(case_id)
    signed = transition(client, headers, case_id, "sign")
    if allowed:
        assert signed.status_code == 200 and signed.get_json()["report"]["state"] == "signed"
    else:
        assert signed.status_code == 403
        assert signed.get_json()["error"]["message"] == (
            "Samma person kan inte både godkänna och underteckna tjänsteutlåtandet."
        )
        assert snapshot(case_id) == before


def test_a_return_needs_a_comment(api_as, report_in):
    case_id = report_in(S.in_review)
    before = snapshot(case_id)
    client, headers = api_as("enhetschef")
    refused = transition(client, headers, case_id, "return_review", "   ")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"comment": "Skriv en kommentar som säger varför."}
    assert snapshot(case_id) == before


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"name": "fly"}, 400, "name"),
        ({"name": 5}, 400, "name"),
        ({"name": "submit", "kommentar": "x"}, 400, "kommentar"),
        ({"name": "submit", "comment": ["x"]}, 400, "comment"),
        ({"name": "submit", "comment": "x" * 4001}, 400, "comment"),
        ({}, 422, "name"),
        ({"name": "reopen"}, 409, "name"),
        ({"name": "resume"}, 409, "name"),
        ({"name": "place_on_agenda"}, 409, "name"),
    ],
)
def test_bad_transition_requests_are_refused(api_as, report_in, body, status, field):
    case_id = report_in(S.draft)
    before = snapshot(case_id)
    client, headers = api_as("controller")
    response = client.post(url(case_id, "/transitions"), json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["status"] == status and field in error["fields"] and error["message"]
    assert snapshot(case_id) == before


# --- who sees a report ------------------------------------------------------------------------------


REPORT_REQUESTS = [
    ("get", "", None),
    ("post", "", None),
    ("get", "/revisions", None),
    ("get", "/revisions/1", None),
    ("get", "/revisions/compare?a=1&b=2", None),
    ("get", "/timeline", None),
    ("put", "/content", {"based_on": 2, "content": COMPLETE}),
    ("post", "/transitions", {"name": "approve"}),
]


@pytest.mark.parametrize("method, tail, body", REPORT_REQUESTS)
def test_another_committees_case_officer_gets_the_same_404_as_for_no_case(api_as, report_in, method, tail, body):
    case_id = report_in(S.in_review)
    before = snapshot(case_id)
    client, headers = api_as("ks-handlaggare")
    for target in (case_id, 999_999):
        response = getattr(client, method)(url(target, tail), json=body, headers=headers)
        assert (response.status_code, response.get_json()) == (404, NOT_FOUND)
    assert snapshot(case_id) == before


@pytest.mark.parametrize("method, tail, body", REPORT_REQUESTS)
def test_a_member_sees_the_case_but_may_not_read_its_report_403(api_as, report_in, method, tail, body):
    """A member reads the case in the diarium (it exists for them), not its report: 403, as on the pages."""
    case_id = report_in(S.in_review)
    before = snapshot(case_id)
    client, headers = api_as("ledamot")
    assert client.get(f"/api/v1/cases/{case_id}", headers=headers).status_code == 200
    response = getattr(client, method)(url(case_id, tail), json=body, headers=headers)
    assert (response.status_code, response.get_json()) == (403, FORBIDDEN)
    unknown = getattr(client, method)(url(999_999, tail), json=body, headers=headers)
    assert (unknown.status_code, unknown.get_json()) == (404, NOT_FOUND)
    assert snapshot(case_id) == before


def test_a_confidential_case_out_of_reach_is_404_like_no_case(api_as, demo):
    confidential = scalar(select(Case.id).where(Case.number == "SN-2017/12.754"))
    client, headers = api_as("controller")
    for tail in ("", "/timeline"):
        assert client.get(url(confidential, tail), headers=headers).get_json() == NOT_FOUND
    assert client.post(url(confidential), headers=headers).get_json() == NOT_FOUND


def test_a_case_without_a_report(api_as, case_id):
    client, headers = api_as("enhetschef")
    response = client.get(url(case_id), headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "Ärendet har inget tjänsteutlåtande ännu."


def test_only_case_officers_start_a_report_and_only_one(api_as, case_id):
    before = snapshot(case_id)
    reviewer, reviewer_h = api_as("enhetschef")
    assert reviewer.post(url(case_id), headers=reviewer_h).status_code == 403
    assert snapshot(case_id) == before
    officer, officer_h = api_as("controller")
    assert officer.post(url(case_id), json={"titel": "x"}, headers=officer_h).status_code == 400
    assert snapshot(case_id) == before
    assert officer.post(url(case_id), headers=officer_h).status_code == 201
    again = officer.post(url(case_id), headers=officer_h)
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == f"Ärende {CASE_NUMBER} har redan ett tjänsteutlåtande."
    assert count(CaseReport) == 7  # the demo's six and this one


def test_a_report_started_with_its_content_has_that_as_version_1(api_as, case_id):
    officer, officer_h = api_as("controller")
    before = snapshot(case_id)
    for body, status, field in (
        ({"content": {**COMPLETE, "report_date": "1 februari"}}, 422, "report_date"),
        ({"content": {**COMPLETE, "rubrik": "x"}}, 400, "content.rubrik"),
    ):
        refused = officer.post(url(case_id), json=body, headers=officer_h)
        assert refused.status_code == status, refused.get_json()
        assert field in refused.get_json()["error"]["fields"]
        assert snapshot(case_id) == before
    created = officer.post(url(case_id), json={"content": COMPLETE}, headers=officer_h)
    assert created.status_code == 201, created.get_json()
    report = created.get_json()["report"]
    assert report["current_revision"] == 1
    assert report["content"]["title"] == COMPLETE["title"]
    assert report["content"]["proposals"] == COMPLETE["proposals"]
    assert report["allowed_transitions"] == ["submit", "withdraw"]
    assert transition(officer, officer_h, case_id, "submit").status_code == 200  # complete as written
    assert [r["number"] for r in officer.get(url(case_id, "/revisions"), headers=officer_h).get_json()["items"]] == [1]


# --- saving -----------------------------------------------------------------------------------------


def test_a_stale_save_is_refused_with_both_texts_and_the_refused_text_is_kept(api_as, report_in, client):
    case_id = report_in(S.draft)
    report = db.session.scalar(select(CaseReport).where(CaseReport.case_id == case_id))
    ops.add_editor(report, user("handlaggare"), user=user("controller"))
    db.session.commit()
    first, first_h = api_as("controller")
    second, second_h = api_as("handlaggare")
    mine = {**COMPLETE, "sections": {**COMPLETE["sections"], "description": "<p>Maria skrev först.</p>"}}
    theirs = {**COMPLETE, "sections": {**COMPLETE["sections"], "description": "<p>Johan skrev sedan.</p>"}}
    assert (
        first.put(url(case_id, "/content"), json={"based_on": 2, "content": mine}, headers=first_h).status_code == 200
    )
    refused = second.put(url(case_id, "/content"), json={"based_on": 2, "content": theirs}, headers=second_h)
    assert refused.status_code == 409, refused.get_json()
    error = refused.get_json()["error"]
    assert "Maria Holm" in error["message"] and "version 3" in error["message"]
    conflict = error["conflict"]
    assert (conflict["based_on"], conflict["current_revision"]) == (2, 3)
    assert conflict["current_content"]["sections"]["description"] == "<p>Maria skrev först.</p>"
    assert conflict["your_content"]["sections"]["description"] == "<p>Johan skrev sedan.</p>"
    conforms(client.get(SPEC_URL).get_json(), "SaveConflict", refused.get_json())
    with fresh_session() as session:
        stored = stored_report(session, case_id)
        assert stored.current_revision == 3 and stored.revision().content["sections"]["description"] == (
            "<p>Maria skrev först.</p>"
        )
        kept = session.get(ReportConflict, conflict["id"])
        assert (kept.report_id, kept.author.name, kept.based_on, kept.current_at_refusal) == (
            stored.id,
            "Johan Ek",
            2,
            3,
        )
        assert kept.content["sections"]["description"] == "<p>Johan skrev sedan.</p>"


def test_saving_a_signed_report_reopens_it_as_a_new_draft(api_as, report_in):
    case_id = report_in(S.signed)
    client, headers = api_as("controller")
    signed = client.get(url(case_id), headers=headers).get_json()["report"]
    assert signed["signature"]["revision"] == 2
    changed = {**COMPLETE, "recipients": ["Kommunens revisorer", "Kommunstyrelsen"]}
    saved = client.put(url(case_id, "/content"), json={"based_on": 2, "content": changed}, headers=headers)
    assert saved.status_code == 200, saved.get_json()
    report = saved.get_json()["report"]
    assert (report["state"], report["current_revision"], report["signature"]) == ("draft", 3, None)
    assert saved.get_json()["revision"]["changed_fields"] == ["recipients"]
    with fresh_session() as session:
        stored = stored_report(session, case_id)
        assert stored.state is S.draft and stored.current_revision == 3
        assert (stored.signed_revision, stored.signed_hash, stored.signed_by_id) == (None, None, None)
        assert stored.revision(2).content["recipients"] == ["Kommunens revisorer"]  # the signed text is kept
        last = stored.transitions[-1]
        assert (last.name, last.from_state, last.to_state, last.comment) == (
            "reopen",
            S.signed,
            S.draft,
            "Ändrat efter underskrift",
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "report.reopen", AuditEntry.case_id == case_id)
            )
            == 1
        )


def test_a_report_in_review_cannot_be_saved(api_as, report_in):
    case_id = report_in(S.in_review)
    before = snapshot(case_id)
    client, headers = api_as("controller")
    refused = client.put(url(case_id, "/content"), json={"based_on": 2, "content": COMPLETE}, headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["message"].startswith("Utlåtandets status är ”Under granskning”")
    assert snapshot(case_id) == before


@pytest.mark.parametrize("key, status", [("enhetschef", 403), ("handlaggare", 403)])
def test_only_editors_save(api_as, report_in, key, status):
    case_id = report_in(S.draft)
    before = snapshot(case_id)
    client, headers = api_as(key)
    response = client.put(url(case_id, "/content"), json={"based_on": 2, "content": COMPLETE}, headers=headers)
    assert response.status_code == status
    assert snapshot(case_id) == before


EVIL = (
    '<script>alert(1)</script><img src=x onerror="alert(2)"><p onclick="steal()">Text '
    '<a href="javascript:alert(3)">länk</a> <iframe src="//evil"></iframe><style>p{}</style></p>'
)


def test_script_in_the_content_comes_back_sanitised(api_as, report_in):
    case_id = report_in(S.draft)
    client, headers = api_as("controller")
    content = {
        "title": "Rubrik " + EVIL,
        "report_date": "2017-02-01",
        "sections": {"summary": EVIL, "description": EVIL, "administration_views": EVIL},
        "proposals": [{"text": EVIL, "immediately_adjusted": True}, EVIL],
        "recipients": [EVIL],
    }
    saved = client.put(url(case_id, "/content"), json={"based_on": 2, "content": content}, headers=headers)
    assert saved.status_code == 200, saved.get_json()
    for body in (
        saved.get_json(),
        client.get(url(case_id), headers=headers).get_json(),
        client.get(url(case_id, "/revisions/3"), headers=headers).get_json(),
    ):
        text = json.dumps(body, ensure_ascii=False).lower()
        for bad in ("<script", "alert(", "onerror", "onclick", "javascript:", "<iframe", "<style", "<img"):
            assert bad not in text, bad
    back = saved.get_json()["revision"]["content"]
    assert back["sections"]["summary"].startswith("<p>Text <a")
    assert back["proposals"] == [
        {"text": "Text länk", "immediately_adjusted": True},
        {"text": "Text länk", "immediately_adjusted": False},
    ]
    with fresh_session() as session:
        assert "<script" not in json.dumps(stored_report(session, case_id).revision().content)


def test_script_in_signatories_comes_back_sanitised(api_as, report_in):
    case_id = report_in(S.draft)
    client, headers = api_as("controller")
    content = {**COMPLETE, "signatories": [{"user_id": None, "name": "Eva " + EVIL, "title": EVIL}]}
    saved = client.put(url(case_id, "/content"), json={"based_on": 2, "content": content}, headers=headers)
    assert saved.status_code == 200
    signatories = saved.get_json()["revision"]["content"]["signatories"]
    assert "<script" not in json.dumps(signatories)
    assert signatories[0]["name"].startswith("Eva")


def test_swedish_text_round_trips(api_as, report_in):
    case_id = report_in(S.draft)
    client, headers = api_as("controller")
    content = {
        "title": "Överenskommelse om äldreomsorg enligt 5 kap. 4 § SoL – Åsa Öberg",
        "report_date": "2017-02-23",
        "sections": {
            "summary": "<p>Förvaltningen föreslår att nämnden godkänner avtalet (§ 12).</p>",
            "description": "<ul><li>Ärendet gäller ÅÄÖ åäö é ü</li></ul>",
        },
        "proposals": [{"text": "Socialnämnden godkänner överenskommelsen enligt § 3.", "immediately_adjusted": True}],
        "recipients": ["Äldreomsorgsförvaltningen", "Kommunstyrelsens förvaltning"],
        "signatories": [{"user_id": None, "name": "Åke Östlund", "title": "Förvaltningschef"}],
    }
    saved = client.put(url(case_id, "/content"), json={"based_on": 2, "content": content}, headers=headers)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["revision"]["content"] == content
    assert client.get(url(case_id), headers=headers).get_json()["report"]["content"] == content
    with fresh_session() as session:
        assert stored_report(session, case_id).revision().content == content


def bad(id_: str, status: int, field: str, body):
    return pytest.param(body, status, field, id=id_)


@pytest.mark.parametrize(
    "body, status, field",
    [
        bad("unknown key", 400, "extra", {"based_on": 2, "content": COMPLETE, "extra": 1}),
        bad("based_on text", 400, "based_on", {"based_on": "2", "content": COMPLETE}),
        bad("based_on boolean", 400, "based_on", {"based_on": True, "content": COMPLETE}),
        bad("based_on zero", 400, "based_on", {"based_on": 0, "content": COMPLETE}),
        bad("no based_on", 422, "based_on", {"content": COMPLETE}),
        bad("no content", 422, "content", {"based_on": 2}),
        bad("content list", 400, "content", {"based_on": 2, "content": [COMPLETE]}),
        bad("unknown content key", 400, "content.titel", {"based_on": 2, "content": {**COMPLETE, "titel": "x"}}),
        bad("sections list", 422, "sections", {"based_on": 2, "content": {**COMPLETE, "sections": ["x"]}}),
        bad(
            "unknown section",
            422,
            "sections.secret",
            {"based_on": 2, "content": {**COMPLETE, "sections": {"secret": "x"}}},
        ),
        bad(
            "section number",
            422,
            "sections.summary",
            {"based_on": 2, "content": {**COMPLETE, "sections": {"summary": 5}}},
        ),
        bad("proposals text", 422, "proposals", {"based_on": 2, "content": {**COMPLETE, "proposals": {"a": 1}}}),
        bad("bad date", 422, "report_date", {"based_on": 2, "content": {**COMPLETE, "report_date": "2017-13-01"}}),
        bad("empty title", 422, "title", {"based_on": 2, "content": {**COMPLETE, "title": " "}}),
        bad("NUL in title", 422, "title", {"based_on": 2, "content": {**COMPLETE, "title": "a\x00b"}}),
    ],
)
def test_bad_saves_are_refused_and_nothing_is_stored(api_as, report_in, body, status, field):
    case_id = report_in(S.draft)
    before = snapshot(case_id)
    client, headers = api_as("controller")
    response = client.put(url(case_id, "/content"), json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["status"] == status and field in error["fields"] and error["message"]
    assert snapshot(case_id) == before


@pytest.mark.parametrize(
    "data, content_type, status",
    [
        ('{"based_on": ', "application/json", 400),
        ("[1]", "application/json", 400),
        ("based_on=2", "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_save_bodies_are_refused(api_as, report_in, data, content_type, status):
    case_id = report_in(S.draft)
    before = snapshot(case_id)
    client, headers = api_as("controller")
    response = client.put(url(case_id, "/content"), data=data, content_type=content_type, headers=headers)
    assert response.status_code == status and response.get_json()["error"]["status"] == status
    assert snapshot(case_id) == before


def test_a_browser_session_needs_the_csrf_token_to_save(login_as, report_in):
    case_id = report_in(S.draft)
    client = login_as("controller")
    before = snapshot(case_id)
    refused = client.put(url(case_id, "/content"), json={"based_on": 2, "content": {**COMPLETE, "title": "Ny"}})
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["error"]["message"]
    assert snapshot(case_id) == before
    accepted = client.put(
        url(case_id, "/content"),
        json={"based_on": 2, "content": {**COMPLETE, "title": "Ny"}},
        headers={"X-CSRFToken": csrf_token(client, "/profil")},
    )
    assert accepted.status_code == 200, accepted.get_json()


# --- history ------------------------------------------------------------------------------------------


def test_revisions_and_their_comparison(api_as, report_in):
    case_id = report_in(S.draft)
    client, headers = api_as("controller")
    changed = {
        **COMPLETE,
        "sections": {**COMPLETE["sections"], "summary": "<p>Ny <em>sammanfattning</em>.</p>"},
        "proposals": [*COMPLETE["proposals"], {"text": "Paragrafen justeras.", "immediately_adjusted": True}],
    }
    assert (
        client.put(url(case_id, "/content"), json={"based_on": 2, "content": changed}, headers=headers).status_code
        == 200
    )
    revisions = client.get(url(case_id, "/revisions"), headers=headers).get_json()["items"]
    assert [(r["number"], r["based_on"], r["author"]["name"]) for r in revisions] == [
        (1, None, "Maria Holm"),
        (2, 1, "Maria Holm"),
        (3, 2, "Maria Holm"),
    ]
    assert revisions[2]["changed_fields"] == ["proposals", "sections.summary"]
    one = client.get(url(case_id, "/revisions/2"), headers=headers).get_json()["revision"]
    assert one["content"]["sections"] == COMPLETE["sections"] and one["content_hash"] == revisions[1]["content_hash"]
    assert client.get(url(case_id, "/revisions/9"), headers=headers).get_json()["error"]["message"] == (
        "Version 9 finns inte."
    )

    compared = client.get(url(case_id, "/revisions/compare?a=2&b=3"), headers=headers)
    assert compared.status_code == 200
    assert compared.get_json() == {
        "a": 2,
        "b": 3,
        "changes": [
            {
                "field": "proposals",
                "label": "Förslag till beslut",
                "a": "1. Socialnämnden godkänner förvaltningens svar.",
                "b": "1. Socialnämnden godkänner förvaltningens svar.\n"
                "2. Paragrafen justeras. Paragrafen förklaras omedelbart justerad.",
            },
            {
                "field": "sections.summary",
                "label": "Sammanfattning",
                "a": "Revisorerna har granskat verkställigheten.",
                "b": "Ny sammanfattning.",
            },
        ],
    }
    assert client.get(url(case_id, "/revisions/compare?a=3&b=3"), headers=headers).get_json()["changes"] == []
    for query, status, field in (
        ("a=2", 400, "b"),
        ("a=2&b=x", 400, "b"),
        ("a=2&b=9", 422, "b"),
        ("a=2&b=3&c=1", 400, "c"),
    ):
        response = client.get(url(case_id, f"/revisions/compare?{query}"), headers=headers)
        assert response.status_code == status and field in response.get_json()["error"]["fields"], query


# --- the review queue -------------------------------------------------------------------------------


def test_the_review_queue_shows_each_role_its_step(api_as, report_in, case_id):
    report_in(S.approved)
    other = scalar(select(Case.id).where(Case.number == "SN-2017/90.728"))
    create_report(db.session.get(Case, other), S.in_review, author=user("controller"), raw=COMPLETE)
    db.session.commit()
    reviewer, reviewer_h = api_as("enhetschef")
    assert [i["case_id"] for i in reviewer.get("/api/v1/review-queue", headers=reviewer_h).get_json()["items"]] == [
        other
    ]
    approver, approver_h = api_as("direktor")
    queue = approver.get("/api/v1/review-queue", headers=approver_h).get_json()
    assert [(i["case_id"], i["state"], i["is_overdue"]) for i in queue["items"]] == [(case_id, "approved", False)]
    assert queue["items"][0]["links"]["self"] == f"http://localhost{url(case_id)}"
    for key in ("controller", "ledamot", "sekreterare"):
        client, headers = api_as(key)
        assert client.get("/api/v1/review-queue", headers=headers).status_code == 403
    assert reviewer.get("/api/v1/review-queue?page=2", headers=reviewer_h).status_code == 400


# --- the OpenAPI description -------------------------------------------------------------------------


def test_responses_conform_to_the_described_schemas(api_as, report_in, client):
    spec = client.get(SPEC_URL).get_json()
    case_id = report_in(S.approved)
    api, headers = api_as("direktor")
    conforms(spec, "Report", api.get(url(case_id), headers=headers).get_json()["report"])
    signed = transition(api, headers, case_id, "sign")
    conforms(spec, "Report", signed.get_json()["report"])
    for item in api.get(url(case_id, "/revisions"), headers=headers).get_json()["items"]:
        conforms(spec, "Revision", item)
    conforms(spec, "RevisionWithContent", api.get(url(case_id, "/revisions/2"), headers=headers).get_json()["revision"])
    conforms(spec, "Comparison", api.get(url(case_id, "/revisions/compare?a=1&b=2"), headers=headers).get_json())
    for item in api.get(url(case_id, "/timeline"), headers=headers).get_json()["items"]:
        conforms(spec, "TimelineEntry", item)
    conforms(spec, "Error", transition(api, headers, case_id, "sign").get_json())
    officer, officer_h = api_as("controller")
    saved = officer.put(
        url(case_id, "/content"), json={"based_on": 2, "content": COMPLETE | {"title": "Ny"}}, headers=officer_h
    ).get_json()
    conforms(spec, "Report", saved["report"])
    conforms(spec, "RevisionWithContent", saved["revision"])
    demo_signed = scalar(select(Case.id).where(Case.number == "SN-2016/3342.181"))
    conforms(spec, "Report", api.get(url(demo_signed), headers=headers).get_json()["report"])
    submitted = transition(officer, officer_h, case_id, "submit").get_json()
    conforms(spec, "Report", submitted["report"])
    reviewer, reviewer_h = api_as("enhetschef")
    for item in reviewer.get("/api/v1/review-queue", headers=reviewer_h).get_json()["items"]:
        conforms(spec, "QueueItem", item)
    assert {"getReport", "saveReportContent", "transitionReport", "getReviewQueue"} <= {
        op["operationId"]
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
