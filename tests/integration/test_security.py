"""Authentication, CSRF, rate limiting, cookies, headers and API tokens."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.auth.models import ApiToken, User
from app.extensions import db
from tests.factories import body_of, csrf_token, login

#: endpoints anyone may open without logging in
PUBLIC = {
    "static",
    "main.index",
    "main.accessibility",
    "auth.login",
    "api.openapi",
    # the public version of published kallelser and the feeds (app/web/public.py, app/api/public.py)
    "public.index",
    "public.meeting",
    "public.item",
    "public.attachment",
    "public.calendar",
    "public.feed",
    "api.list_public_meetings",
    "api.get_public_kallelse",
    # the public files of a published kallelse: kallelse and meeting package (app/web/meeting_documents.py)
    "meeting_documents.public_file",
    # the public version of a justerat protokoll, sealed (app/web/minutes_documents.py): 404 for a draft
    "minutes_documents.public_file",
    # the anslagstavla: the announcements of justerade protokoll (app/web/public_announcements.py, app/api/adjustment.py)
    "public.announcements",
    "public.announcement_archive",
    "public.announcement",
    "public.announcement_feed",
    "api.list_public_announcements",
    "api.get_public_announcement",
    # the public diarium, secrets masked (app/web/public_diarium.py)
    "public.diarium",
    "public.diarium_case",
    # the public search over the public versions only (app/web/search.py)
    "public.public_search",
    # for load balancers: alive and ready, nothing secret in them (app/web/health.py)
    "health.healthz",
    "health.readyz",
    # open data in the shape of OParl 1.1, public data only (app/api/oparl.py)
    "oparl.system",
    "oparl.bodies",
    "oparl.body",
    "oparl.listing",
    "oparl.one",
}


def _url_for_rule(rule) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", "1", url)
    return url


def test_every_endpoint_needs_a_logged_in_user(app, demo, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            checked += 1
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url, response.status_code)
                assert response.get_json()["error"]["message"].startswith("Inloggning krävs")
            elif method == "GET":
                assert response.status_code == 302, (method, url, response.status_code)
                assert "/logga-in" in response.headers["Location"], (method, url)
            else:
                # Unsafe methods without a session: refused before anything happens.
                assert response.status_code in (302, 400), (method, url, response.status_code)
    assert checked > 10


def test_public_pages_answer_without_login(client, demo):
    assert client.get("/").status_code == 200
    assert client.get("/logga-in").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_login_sets_a_httponly_samesite_session_cookie(client, demo):
    response = login(client, demo["registrator"]["email"], demo["registrator"]["password"])
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("namndflode_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_is_refused_in_swedish(client, demo):
    response = login(client, demo["registrator"]["email"], "fel-lösenord")
    assert response.status_code == 401
    assert "Fel e-post eller lösenord." in response.get_data(as_text=True)
    assert client.get("/profil").status_code == 302


def test_login_without_or_with_forged_csrf_token_is_refused(client, demo):
    creds = {"email": demo["registrator"]["email"], "password": demo["registrator"]["password"]}
    assert client.post("/logga-in", data=creds).status_code == 400
    response = client.post("/logga-in", data={**creds, "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/profil").status_code == 302  # still not logged in


def test_forged_csrf_token_changes_nothing(login_as, app):
    client = login_as("handlaggare")
    before = db.session.scalar(select(func.count()).select_from(ApiToken))
    response = client.post("/profil/api-nycklar", data={"token-name": "Skript", "csrf_token": "forged"})
    assert response.status_code == 400
    assert "säkerhetstoken" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == before


def test_login_attempts_are_rate_limited(client, demo):
    email = demo["ledamot"]["email"]
    token = csrf_token(client)
    statuses = [
        client.post("/logga-in", data={"email": email, "password": "gissning", "csrf_token": token}).status_code
        for _ in range(10)
    ]
    assert statuses == [401] * 10
    blocked = client.post(
        "/logga-in", data={"email": email, "password": demo["ledamot"]["password"], "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert "För många försök" in blocked.get_data(as_text=True)


def test_pages_carry_security_headers(client, demo):
    response = client.get("/logga-in")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="sv">' in response.get_data(as_text=True)


def _login_with_next(client, demo, target: str):
    return client.post(
        "/logga-in",
        data={
            "email": demo["registrator"]["email"],
            "password": demo["registrator"]["password"],
            "csrf_token": csrf_token(client),
            "next": target,
        },
    )


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "//evil.example",
        "/\t/evil.example/",  # what ?next=/%09/evil.example/ gives: browsers drop the tab
        "/%09/evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example",
        "HTTPS://evil.example/",
        "/%2F%2Fevil.example",
        "/%252F%252Fevil.example",
        "/%5Cevil.example",
        "/sammantraden\r\nSet-Cookie: stulen=1",
        "/sammantraden\nLocation: https://evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "/\u2028/evil.example",
        "///evil.example",
    ],
)
def test_open_redirect_after_login_is_refused(client, demo, target):
    response = _login_with_next(client, demo, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_open_redirect_through_the_login_pages_query_is_refused(client, demo):
    page = client.get("/logga-in?next=/%09/evil.example/").get_data(as_text=True)
    target = re.search(r'name="next" type="hidden" value="([^"]*)"', page).group(1)
    response = _login_with_next(client, demo, target.replace("&#9;", "\t"))
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target", ["/sammantraden?ar=2026", "/diarium?q=b%C3%A5rhus%20ny&page=2", "/arenden/3#historik"]
)
def test_a_same_site_path_after_login_is_kept(client, demo, target):
    response = _login_with_next(client, demo, target)
    assert response.headers["Location"] == target


def test_passwords_are_hashed_with_scrypt_by_default(app):
    from app.auth.operations import create_user

    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    user = create_user(email="Ny.Person@Huddinge.example", name="Ny Person", password="ett långt lösenord")
    db.session.commit()
    assert user.password_hash.startswith("scrypt:")
    assert "ett långt lösenord" not in user.password_hash
    assert user.email == "ny.person@huddinge.example"
    assert user.check_password("ett långt lösenord") and not user.check_password("fel")


def test_personal_api_token_is_shown_once_works_and_can_be_revoked(login_as, app):
    client = login_as("sekreterare")
    page = client.post(
        "/profil/api-nycklar", data={"token-name": "Mitt skript", "csrf_token": csrf_token(client, "/profil")}
    )
    assert page.status_code == 200
    token = re.search(r'<code class="token" id="new-token">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    assert token.startswith("nf_")
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "Mitt skript"))
    assert row.token_hash != token and token not in row.display_prefix + row.token_hash
    assert token not in body_of(client.get("/profil"))  # shown only once

    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/committees", headers=headers).status_code == 200

    response = client.post(
        f"/profil/api-nycklar/{row.id}/aterkalla", data={"csrf_token": csrf_token(client, "/profil")}
    )
    assert response.status_code == 302
    refused = api.get("/api/v1/committees", headers=headers)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["message"] == "Ogiltig eller återkallad API-nyckel."


def test_a_user_cannot_revoke_another_users_token(login_as, demo):
    client = login_as("ledamot")
    other = db.session.scalar(select(ApiToken).join(User).where(User.email == demo["registrator"]["email"]))
    response = client.post(
        f"/profil/api-nycklar/{other.id}/aterkalla", data={"csrf_token": csrf_token(client, "/profil")}
    )
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.revoked_dt is None


def test_logout_needs_post_with_csrf_and_ends_the_session(login_as):
    client = login_as("ledamot")
    assert client.post("/logga-ut", data={}).status_code == 400
    assert client.get("/profil").status_code == 200
    assert client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/profil")}).status_code == 302
    assert client.get("/profil").status_code == 302


@pytest.mark.parametrize("password, message", [("kort", "minst 10 tecken"), ("x" * 201, "högst 200")])
def test_change_password_validates(login_as, demo, password, message):
    client = login_as("ledamot")
    response = client.post(
        "/profil/losenord",
        data={
            "pw-current_password": demo["ledamot"]["password"],
            "pw-new_password": password,
            "pw-repeat_password": password,
            "csrf_token": csrf_token(client, "/profil"),
        },
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_using_a_token_records_when_it_was_last_used(app, api_as, demo):
    client, headers = api_as("registrator")
    row = db.session.scalar(select(ApiToken).join(User).where(User.email == demo["registrator"]["email"]))
    assert row.last_used_dt is None
    assert client.get("/api/v1/committees", headers=headers).status_code == 200
    db.session.refresh(row)
    assert row.last_used_dt is not None


@pytest.mark.parametrize(
    "path",
    [
        "/arenden/99999999999999999999",
        "/jobb/4294967296",
        "/admin/anvandare/2147483648",
        "/api/v1/jobs/99999999999999999999",
        "/api/v1/cases/2147483648",
    ],
)
def test_ids_too_large_for_the_database_are_not_found(login_as, path):
    response = login_as("admin").get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/diarium?q=a%00b", "/diarium?number=SN%00", "/api/v1/cases?q=a%00b"])
def test_nul_bytes_in_the_query_are_refused(login_as, path):
    response = login_as("registrator").get(path)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "otillåtet tecken" in text or "otillåtna tecken" in text


def test_nul_bytes_in_a_form_are_refused_and_nothing_is_stored(login_as, app):
    from app.registry.models import Case

    client = login_as("registrator")
    before = db.session.scalar(select(func.count()).select_from(Case))
    response = client.post(
        "/diarium/registrera",
        data={
            "csrf_token": csrf_token(client, "/diarium/registrera"),
            "committee": "1",
            "title": "Ärende\x00med NUL",
            "classification_code": "181",
            "case_officer_id": "3",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Case)) == before


def _report_with_secret_bilagor(demo):
    """The controller's report with a confidential bilaga "HEMLIG-kanari.pdf" (then replaced), and a bilaga
    uploaded openly and marked confidential afterwards; plus an audit row as written before issue 13."""
    from app import audit
    from app.registry.models import Case
    from tests.factories import CASE_NUMBER, COMPLETE
    from tests.sample_files import make_pdf, make_txt
    from workflows import attachments as att
    from workflows import operations as report_ops

    controller = db.session.scalar(select(User).where(User.email == demo["controller"]["email"]))
    case = db.session.scalar(select(Case).where(Case.number == CASE_NUMBER))
    report = report_ops.create_report(case, user=controller)
    report_ops.save_revision(report, user=controller, raw=COMPLETE, based_on=1)
    secret = att.upload_attachment(
        report, user=controller, data=make_pdf("Hemlig"), filename="HEMLIG-kanari.pdf", is_confidential=True
    )
    att.replace_attachment(secret, user=controller, data=make_pdf("Hemlig 2"), filename="HEMLIG-kanari-2.pdf")
    later = att.upload_attachment(report, user=controller, data=make_txt(), filename="kanari-protokoll.txt")
    att.set_attachment_confidential(later, user=controller, is_confidential=True)
    audit.record(
        "report.attachment_added",
        report,
        "Bilaga 1 (HEMLIG-kanari.pdf) bifogad i tjänsteutlåtandet.",
        user=controller,
        committee_id=case.committee_id,
        case_id=case.id,
        after={"attachment_id": secret.id, "position": 1, "is_current": True},
    )
    db.session.commit()
    return case.id, secret.id


def test_a_confidential_bilagas_name_is_in_no_history_shown_to_staff_who_may_not_read_it(login_as, api_as, demo):
    case_id, secret_id = _report_with_secret_bilagor(demo)
    client = login_as("handlaggare")  # a case officer of the committee: neither editor nor with view_confidential
    page = client.get(f"/arenden/{case_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Händelser" in html and "Bilaga 1 (sekretessmarkerad) bifogad" in html
    assert "Bilaga 2 (sekretessmarkerad) bifogad" in html  # marked confidential after its upload row was written
    pages = [
        f"/arenden/{case_id}/utlatande",
        f"/arenden/{case_id}/utlatande/versioner",
        f"/arenden/{case_id}/utlatande/tidslinje",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html += response.get_data(as_text=True)
    assert "kanari" not in html.lower()

    api, headers = api_as("handlaggare")
    paths = [
        f"/api/v1/cases/{case_id}",
        f"/api/v1/cases/{case_id}/report",
        f"/api/v1/cases/{case_id}/report/timeline",
        f"/api/v1/cases/{case_id}/report/revisions",
        f"/api/v1/cases/{case_id}/report/revisions/1",
        f"/api/v1/cases/{case_id}/report/attachments/{secret_id}",
    ]
    for path in paths:
        response = api.get(path, headers=headers)
        assert response.status_code == 200, path
        assert "kanari" not in response.get_data(as_text=True).lower(), path


@pytest.mark.parametrize("key", ["registrator", "controller"])
def test_who_may_read_confidential_bilagor_sees_their_history_as_written(login_as, demo, key):
    case_id, _secret_id = _report_with_secret_bilagor(demo)
    html = login_as(key).get(f"/arenden/{case_id}").get_data(as_text=True)
    assert "(kanari-protokoll.txt) bifogad" in html  # written while the bilaga was not yet confidential
    assert "Bilaga 1 (HEMLIG-kanari.pdf) bifogad" in html  # the row from before issue 13, as it stands
    assert "Bilaga 1 (sekretessmarkerad) ersatt med en ny fil" in html  # new rows never name a secret file


def _no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_every_answer_to_a_logged_in_user_is_kept_by_no_cache(app, login_as, api_as, demo):
    from tests.factories import request_export, run_export

    client = login_as("registrator")
    for path in ("/", "/diarium", "/profil", "/arenden/1"):
        response = client.get(path)
        assert response.status_code == 200 and _no_store(response), path
    assert _no_store(client.get("/api/v1/committees"))  # the API through the browser's session
    api, headers = api_as("registrator")
    answer = api.get("/api/v1/cases", headers=headers)
    assert answer.status_code == 200 and answer.mimetype == "application/json" and _no_store(answer)
    job_id = request_export(client)
    run_export(job_id)
    download = client.get(f"/jobb/{job_id}/fil")  # the diarium extract: every case title of the committee
    assert download.status_code == 200 and download.mimetype == "text/csv" and _no_store(download)


def test_public_files_and_static_files_keep_their_caching_for_a_logged_in_user(login_as, demo):
    from agenda.models import Publication

    client = login_as("ledamot")
    assert not _no_store(client.get("/static/js/forms.js"))
    publication = db.session.scalars(select(Publication).order_by(Publication.id)).first()
    assert publication is not None, "the demo publishes its kallelse of 2017-02-23"
    public = next(
        a["id"]
        for item in publication.public_snapshot["items"]
        for a in item.get("attachments") or []
        if not a.get("is_confidential")
    )
    response = client.get(f"/offentligt/sammantraden/{publication.meeting_id}/bilaga/{public}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=300"


# --- no 500 on any input (issue 13) ------------------------------------------------------------

LONE_SURROGATE = "\\ud800"  # as a JSON escape: valid JSON, yet no database can store the text


def _case_id(number: str) -> int:
    from app.registry.models import Case

    return db.session.scalar(select(Case.id).where(Case.number == number))


def _new_case_json(title: str) -> str:
    from app.organisation.models import Committee

    committee = db.session.scalar(select(Committee.id).where(Committee.registry_prefix == "SN"))
    return f'{{"committee_id": {committee}, "title": "{title}", "classification_code": "181"}}'


def _json_refusal(response, status: int = 400) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == status
    return error["message"]


def test_a_lone_surrogate_in_the_api_is_refused_in_swedish(api_as):
    from app.registry.models import Case

    client, headers = api_as("registrator")
    before = db.session.scalar(select(func.count()).select_from(Case))
    for title in (f"Ärende {LONE_SURROGATE}", f"{LONE_SURROGATE}x", "\\udfff"):
        response = client.post(
            "/api/v1/cases", data=_new_case_json(title), content_type="application/json", headers=headers
        )
        message = _json_refusal(response)
        assert "ogiltigt tecken" in message and response.get_json()["error"]["fields"]["title"]
    body = '{"' + LONE_SURROGATE + '": 1}'  # in a field's name too
    _json_refusal(client.post("/api/v1/cases", data=body, content_type="application/json", headers=headers))
    assert db.session.scalar(select(func.count()).select_from(Case)) == before


def test_a_lone_surrogate_in_a_reports_content_is_refused(api_as):
    from tests.factories import CASE_NUMBER

    client, headers = api_as("controller")
    case_id = _case_id(CASE_NUMBER)
    assert client.post(f"/api/v1/cases/{case_id}/report", headers=headers).status_code == 201
    body = (
        '{"based_on": 1, "content": {"title": "Verksamhetsberättelse", "sections": {"summary": "<p>'
        + LONE_SURROGATE
        + '</p>"}, "proposals": [{"text": "Nämnden '
        + LONE_SURROGATE
        + '"}]}}'
    )
    response = client.put(
        f"/api/v1/cases/{case_id}/report/content", data=body, content_type="application/json", headers=headers
    )
    assert "ogiltigt tecken" in _json_refusal(response)
    assert "content" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("depth", [33, 1000, 5000, 100_000])
def test_deeply_nested_json_is_refused_in_swedish(api_as, depth):
    client, headers = api_as("registrator")
    body = '{"title": ' + "[" * depth + "]" * depth + "}"
    message = _json_refusal(client.post("/api/v1/cases", data=body, content_type="application/json", headers=headers))
    assert "för djupt" in message


def test_json_nested_up_to_the_limit_reaches_the_fields_checks(api_as):
    client, headers = api_as("registrator")
    body = '{"title": ' + "[" * 31 + "]" * 31 + "}"  # 32 levels with the object
    response = client.post("/api/v1/cases", data=body, content_type="application/json", headers=headers)
    assert _json_refusal(response) == "Ärendemening måste vara text."


@pytest.mark.parametrize(
    "data",
    [
        b"title=%ED%A0%80",  # a surrogate's UTF-8 bytes, percent-encoded
        b"title=\xed\xa0\x80",  # the bytes themselves: not UTF-8
        b"title=%F4%90%80%80",  # beyond U+10FFFF
    ],
)
def test_a_lone_surrogate_in_a_form_is_no_server_error(login_as, data):
    client = login_as("registrator")
    token = csrf_token(client, "/diarium/registrera").encode()
    response = client.post(
        "/diarium/registrera",
        content_type="application/x-www-form-urlencoded",
        data=data + b"&committee=1&classification_code=181&csrf_token=" + token,
    )
    assert response.status_code in (400, 422), response.status_code  # the form again, with its errors
    assert '<html lang="sv">' in response.get_data(as_text=True)


def test_the_shared_text_cleaning_refuses_lone_surrogates():
    from app.validation import ValidationError, clean_text

    with pytest.raises(ValidationError) as refused:
        clean_text("Ärende \ud800", field="title", label="Ärendemening", max_length=100)
    assert refused.value.errors == {"title": "Ärendemening innehåller ett ogiltigt tecken som inte kan sparas."}


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/diarium\r", "/diarium\n"])
def test_line_breaks_in_next_are_no_server_error(client, demo, target):
    page = client.get("/logga-in", query_string={"next": target})
    assert page.status_code == 200
    response = _login_with_next(client, demo, target)
    assert response.status_code == 302 and response.headers["Location"] == "/"
