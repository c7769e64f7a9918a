"""The tjänsteutlåtande pages: the report, the editor, the workflow buttons, versions, timeline,
the review queue, my cases and bilagor (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.auth.models import Role, User
from app.auth.operations import create_user, grant_role
from app.extensions import db
from app.notifications import OutboxMessage
from app.organisation.models import Committee
from app.registry import operations as registry_ops
from app.registry.models import Case, Direction
from tests.factories import csrf_token
from tests.page_structure import structure_problems
from workflows import operations as report_ops
from workflows.models import CaseReport, ReportAttachment, ReportConflict, ReportState, StoredFileRecord

S = ReportState
PROPOSAL = "Socialnämnden godkänner förvaltningens förslag till verksamhetsberättelse 2016."
DESCRIPTION = "<p>Socialnämnden redovisar ett <strong>negativt</strong> resultat på 19,1 miljoner kronor.</p>"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
BASED_ON = re.compile(r'<input id="based_on" name="based_on" type="hidden" value="(\d+)">')


def fresh():
    """Return a new session, so what the requests committed is read back from the database."""
    db.session.remove()
    return db.session


def user(key: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{key}@huddinge.example"))


def new_case(officer: str = "handlaggare", title: str = "Riktlinjer för hemtjänst 2017") -> int:
    """Register a case of Socialnämnden with ``officer`` responsible; return its id."""
    session = fresh()
    committee = session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
    case = registry_ops.register_case(
        committee=committee,
        user=user("registrator"),
        title=title,
        classification_code="181",
        case_officer=user(officer),
    )
    session.commit()
    return case.id


def report(case_id: int) -> CaseReport:
    return fresh().scalar(select(CaseReport).where(CaseReport.case_id == case_id))


def page(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def post(client, path: str, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **fields})


def open_new_editor(client, case_id: int) -> str:
    """Open the editor of the case's new report (Skriv tjänsteutlåtande): nothing is stored until the first save."""
    response = client.get(f"/arenden/{case_id}/utlatande/ny")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "<h1>Skriv tjänsteutlåtande</h1>" in html
    assert report(case_id) is None
    return html


def start(client, case_id: int) -> None:
    """Open the new report's editor and save it as it is offered (the case's title, today, the writer signing)."""
    html = open_new_editor(client, case_id)
    title = re.search(r'<textarea[^>]*name="title"[^>]*>\s*([^<]*)</textarea>', html).group(1).strip()
    day = re.search(r'name="report_date"[^>]*value="([^"]+)"', html).group(1)
    signing = re.findall(r'<input checked[^>]*name="signatories"[^>]*value="([^"]+)"', html)
    response = post(
        client, f"/arenden/{case_id}/utlatande/ny", based_on=0, title=title, report_date=day, signatories=signing
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/arenden/{case_id}/utlatande"
    assert report(case_id).current_revision == 1


def editor_path(case_id: int) -> str:
    """The editor's address: of the report, or of the report not yet written."""
    exists = db.session.scalar(select(CaseReport.id).where(CaseReport.case_id == case_id))  # the session kept
    return f"/arenden/{case_id}/utlatande/{'redigera' if exists else 'ny'}"


def editor_based_on(client, case_id: int) -> int:
    html = page(client, editor_path(case_id))
    match = BASED_ON.search(html)
    assert match, html
    return int(match.group(1))


def content(**overrides) -> dict:
    """The editor's form fields for a complete report; a proposal is given as text or (text, adjusted)."""
    proposals = overrides.pop("proposals", [PROPOSAL])
    fields = {
        "title": "Verksamhetsberättelse 2016 för Socialnämnden",
        "report_date": "2017-02-01",
        "section_summary": "<p>Verksamhetsberättelsen redovisar 2016 års resultat.</p>",
        "section_description": DESCRIPTION,
        "section_administration_views": "",
        "recipients": "Kommunstyrelsen",
    }
    for i, item in enumerate(proposals, start=1):
        text, adjusted = (item, False) if isinstance(item, str) else item
        fields[f"proposal_{i}"] = text
        if adjusted:
            fields[f"adjusted_{i}"] = "y"
    fields.update(overrides)
    return fields


def save(client, case_id: int, based_on: int | None = None, **overrides):
    """Post the editor (based on the revision it shows unless given)."""
    path = editor_path(case_id)
    based_on = editor_based_on(client, case_id) if based_on is None else based_on
    return post(client, path, based_on=based_on, **content(**overrides))


def act(client, case_id: int, name: str, comment: str = "", **fields):
    """Press a workflow button; a withdrawal is confirmed with its box unless ``confirm`` says otherwise."""
    if name == "withdraw":
        fields.setdefault("confirm", "y")
    return post(client, f"/arenden/{case_id}/utlatande/atgard/{name}", comment=comment, **fields)


#: the steps through the pages that bring a new, complete report to each state: (transition, user key)
PATHS = {
    S.draft: [],
    S.in_review: [("submit", "handlaggare")],
    S.returned: [("submit", "handlaggare"), ("return_review", "enhetschef")],
    S.approved: [("submit", "handlaggare"), ("approve", "enhetschef")],
    S.signed: [("submit", "handlaggare"), ("approve", "enhetschef"), ("sign", "direktor")],
    S.withdrawn: [("withdraw", "handlaggare")],
}


@pytest.fixture
def report_in(login_as):
    """Return the id of a new case whose report was written and brought to ``state`` through the pages."""

    def _report_in(state: ReportState) -> int:
        case_id = new_case()
        officer = login_as("handlaggare")
        start(officer, case_id)
        assert save(officer, case_id).status_code == 302
        clients = {"handlaggare": officer}
        for name, key in PATHS[state]:
            client = clients.setdefault(key, login_as(key))
            response = act(client, case_id, name, comment="Se kommentarerna i marginalen.")
            assert response.status_code == 302, response.get_data(as_text=True)
        assert report(case_id).state is state
        return case_id

    return _report_in


# --- starting and showing a report ------------------------------------------------------------


def test_officer_starts_a_report_from_the_case_page_and_the_first_save_is_version_1(login_as):
    case_id = new_case()
    officer = login_as("handlaggare")
    case_page = page(officer, f"/arenden/{case_id}")
    assert f'<a class="button" href="/arenden/{case_id}/utlatande/ny">Skriv tjänsteutlåtande</a>' in case_page

    # Skriv tjänsteutlåtande opens the editor with the case's title and today's date: nothing is stored yet.
    html = open_new_editor(officer, case_id)
    assert "Riktlinjer för hemtjänst 2017" in html and 'value="0"' in html
    assert not fresh().scalar(
        select(AuditEntry.action).where(AuditEntry.case_id == case_id, AuditEntry.action.like("report.%"))
    )

    # A save the rules refuse stores nothing either.
    response = post(officer, f"/arenden/{case_id}/utlatande/ny", based_on=0, **content(title=""))
    assert response.status_code == 422 and "Rubrik måste fyllas i" in response.get_data(as_text=True)
    assert report(case_id) is None

    # The first real save is version 1, with the text written.
    response = post(officer, f"/arenden/{case_id}/utlatande/ny", based_on=0, **content())
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Tjänsteutlåtandet är påbörjat och sparat som version 1." in page(officer, response.headers["Location"])
    created = report(case_id)
    report_id = created.id
    assert created.state is S.draft and created.current_revision == 1 and len(created.revisions) == 1
    assert created.revision().content["proposals"][0]["text"] == PROPOSAL
    assert created.revision().content["sections"]["description"] == DESCRIPTION
    assert editor_based_on(officer, case_id) == 1
    assert "Öppna tjänsteutlåtandet" in page(officer, f"/arenden/{case_id}")
    assert fresh().scalars(
        select(AuditEntry.action).where(AuditEntry.case_id == case_id, AuditEntry.action.like("report.%"))
    ).all() == ["report.created"]
    assert "Version 1" in page(officer, f"/arenden/{case_id}/utlatande/versioner")

    # The editor of a new report now leads to the report's editor; a second first save (another window, a
    # colleague who started at the same time) is refused as a conflict and its text kept beside.
    assert (
        officer.get(f"/arenden/{case_id}/utlatande/ny").headers["Location"] == f"/arenden/{case_id}/utlatande/redigera"
    )
    response = post(officer, f"/arenden/{case_id}/utlatande/ny", based_on=0, **content(title="Min egen rubrik"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "påbörjats av Johan Ek (version 1) medan du skrev" in html and "Min egen rubrik" in html
    assert report(case_id).current_revision == 1
    kept = fresh().scalar(select(ReportConflict).where(ReportConflict.report_id == report_id))
    assert kept.based_on == 0 and kept.content["title"] == "Min egen rubrik"


def test_report_page_without_report_offers_to_start_one_only_to_officers(login_as):
    case_id = new_case()
    assert "Skriv tjänsteutlåtande" in page(login_as("handlaggare"), f"/arenden/{case_id}/utlatande")
    reviewer = login_as("enhetschef")
    html = page(reviewer, f"/arenden/{case_id}/utlatande")
    assert "Ärendet har inget tjänsteutlåtande ännu." in html and "Skriv tjänsteutlåtande" not in html
    response = post(reviewer, f"/arenden/{case_id}/utlatande/ny")
    assert response.status_code == 403
    assert report(case_id) is None


def test_report_page_lays_out_the_document(login_as):
    case_id = new_case()
    officer = login_as("handlaggare")
    start(officer, case_id)
    response = save(
        officer,
        case_id,
        proposals=[PROPOSAL, ("Socialnämnden begär överföring av 2,9 miljoner kronor.", True)],
        recipients="Kommunstyrelsen\nEkonomiavdelningen",
        signatories=[f"u{user('direktor').id}", f"u{user('handlaggare').id}"],
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/arenden/{case_id}/utlatande"

    html = page(officer, f"/arenden/{case_id}/utlatande")
    assert "Utlåtandet har sparats som version 2." in html
    assert "<h1>Verksamhetsberättelse 2016 för Socialnämnden</h1>" in html
    assert "SOCIAL- OCH ÄLDREOMSORGSFÖRVALTNINGEN" in html
    assert re.search(
        r'<ol class="proposals">\s*<li>' + re.escape(PROPOSAL) + r"</li>\s*<li>Socialnämnden begär "
        r"överföring av 2,9 miljoner kronor\.<p class=\"proposals__adjusted\">Paragrafen förklaras "
        r"omedelbart justerad\.</p></li>\s*</ol>",
        html,
    )
    # The sections in the municipality's order, with their headings; the rich text kept.
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", html)
    doc = headings[headings.index("Förslag till beslut") :]
    assert doc == [
        "Förslag till beslut",
        "Sammanfattning",
        "Beskrivning av ärendet",
        "Undertecknare",
        "Beslutsunderlag",
        "Bilagor",
        "Beslutet delges",
    ]
    assert "<strong>negativt</strong>" in html
    assert '<li>Tjänsteutlåtande <span class="nowrap">2017-02-01</span></li>' in html
    assert "<li>Kommunstyrelsen</li><li>Ekonomiavdelningen</li>" in html
    assert re.search(r"Eva Strand</span> <span class=\"signatories__title\">Socialdirektör", html)
    # The signatories' names and titles were taken from the users, in the document's order.
    stored = report(case_id).revision().content
    assert [(s["name"], s["title"]) for s in stored["signatories"]] == [
        ("Eva Strand", "Socialdirektör"),
        ("Johan Ek", "Utredare"),
    ]
    assert stored["proposals"][1] == {
        "text": "Socialnämnden begär överföring av 2,9 miljoner kronor.",
        "immediately_adjusted": True,
    }
    assert f'href="/arenden/{case_id}/utlatande/versioner"' in html
    assert f'href="/arenden/{case_id}/utlatande/tidslinje"' in html
    assert "Redigera utlåtandet" in html


def test_editor_offers_empty_rows_and_ignores_the_empty_ones(login_as):
    case_id = new_case()
    officer = login_as("handlaggare")
    start(officer, case_id)
    html = page(officer, f"/arenden/{case_id}/utlatande/redigera")
    # No proposals yet: three empty rows, each with its label and "Omedelbart justerad".
    assert re.findall(r'<label class="field__label" for="(proposal_\d+)">', html) == [
        "proposal_1",
        "proposal_2",
        "proposal_3",
    ]
    assert html.count("Omedelbart justerad<span") == 3
    assert "Utan JavaScript skriver du texten som enkel HTML" in html
    assert 'data-rich-text="true"' in html and "js/report-editor.js" in html

    response = save(officer, case_id, proposals=["", "Första punkten.", "", ("Andra punkten.", True)])
    assert response.status_code == 302
    stored = report(case_id).revision().content["proposals"]
    assert stored == [
        {"text": "Första punkten.", "immediately_adjusted": False},
        {"text": "Andra punkten.", "immediately_adjusted": True},
    ]
    html = page(officer, f"/arenden/{case_id}/utlatande/redigera")
    assert len(re.findall(r'for="proposal_\d+"', html)) == 5  # two points and three empty rows
    assert 'id="adjusted_2" name="adjusted_2" type="checkbox" value="y"' in html.replace("checked ", "")
    assert re.search(r'<input checked id="adjusted_2"', html)


@pytest.mark.parametrize(
    "fields, field_id, message",
    [
        ({"title": "  "}, "title", "Rubrik måste fyllas i."),
        ({"report_date": "23/2"}, "report_date", "Ange datumet som ÅÅÅÅ-MM-DD"),
        ({"proposal_1": "x" * 2001}, "proposal_1", "Beslutspunkt 1 får vara högst 2000 tecken"),
        ({"section_summary": "x" * 100_001}, "section_summary", "Sammanfattning får vara högst"),
    ],
    ids=["no-title", "bad-date", "long-proposal", "long-section"],
)
def test_bad_editor_input_is_tied_to_its_field_and_nothing_saved(login_as, fields, field_id, message):
    case_id = new_case()
    officer = login_as("handlaggare")
    start(officer, case_id)
    response = save(officer, case_id, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Formuläret innehåller fel" in html
    assert re.search(rf'<p class="field__error" id="{field_id}-error">[^<]*{re.escape(message)}', html), html
    assert report(case_id).current_revision == 1


# --- the workflow through the pages --------------------------------------------------------------

#: (transition, state it starts from, the user allowed, the state it ends in)
ALLOWED = [
    ("submit", S.draft, "handlaggare", S.in_review),
    ("return_review", S.in_review, "enhetschef", S.returned),
    ("approve", S.in_review, "enhetschef", S.approved),
    ("return_approval", S.approved, "direktor", S.returned),
    ("sign", S.approved, "direktor", S.signed),
    ("withdraw", S.draft, "handlaggare", S.withdrawn),
    ("withdraw", S.signed, "sekreterare", S.withdrawn),
]


#: who hears about each transition (workflows.notify), besides the one who made it
EXPECTED_RECIPIENTS = {
    "submit": {"enhetschef"},
    "return_review": {"handlaggare"},
    "approve": {"direktor"},
    "return_approval": {"handlaggare"},
    "sign": {"handlaggare", "sekreterare"},
    "withdraw": {"handlaggare", "sekreterare"},
}


@pytest.mark.parametrize("name, source, key, target", ALLOWED, ids=[f"{a[0]}-{a[2]}" for a in ALLOWED])
def test_transition_allowed_for_the_right_role_in_the_right_state(login_as, report_in, name, source, key, target):
    case_id = report_in(source)
    client = login_as(key)
    html = page(client, f"/arenden/{case_id}/utlatande")
    assert f'data-transition="{name}"' in html  # the button is offered

    response = act(client, case_id, name, comment="Kommentar från sidan")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/arenden/{case_id}/utlatande"

    after = report(case_id)
    assert after.state is target
    row = after.transitions[-1]
    assert (row.name, row.from_state, row.to_state, row.user.email, row.comment) == (
        name,
        source,
        target,
        f"{key}@huddinge.example",
        "Kommentar från sidan",
    )
    audit = fresh().scalar(
        select(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.action == f"report.{name}")
    )
    assert audit.user_id == user(key).id and audit.data["after"]["state"] == target.value
    html = page(client, f"/arenden/{case_id}/utlatande")
    assert f'data-state="{target.value}">{target.label}</span>' in html
    timeline = page(client, f"/arenden/{case_id}/utlatande/tidslinje")
    assert f'<tr data-transition="{name}">' in timeline
    assert f"{source.label} → {target.label}" in timeline and "Kommentar från sidan" in timeline
    told = {
        m.recipient.email.split("@")[0]
        for m in fresh().scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case_id, OutboxMessage.created_dt >= row.created_dt)
        )
    }
    assert told == EXPECTED_RECIPIENTS[name] - {key}
    if target is S.signed:
        assert "Undertecknat av Eva Strand" in html and after.signed_hash in html


#: (transition, state, user key, status, message) for refusals
REFUSED = [
    ("approve", S.in_review, "handlaggare", 403, "Du har inte den roll som krävs för ”Godkänn”."),
    ("sign", S.approved, "enhetschef", 403, "Du har inte den roll som krävs för ”Underteckna”."),
    ("submit", S.draft, "enhetschef", 403, "Du har inte den roll som krävs för ”Skicka på granskning”."),
    ("return_approval", S.approved, "enhetschef", 403, "Du har inte den roll som krävs för"),
    ("withdraw", S.draft, "controller", 403, "Bara ärendets handläggare eller nämndsekreteraren kan återkalla"),
    ("submit", S.draft, "controller", 403, "Bara ärendets handläggare och utsedda medförfattare"),
    ("approve", S.draft, "enhetschef", 409, "Utlåtandets status är ”Utkast”; ”Godkänn” går inte nu."),
    ("sign", S.in_review, "direktor", 409, "Utlåtandets status är ”Under granskning”; ”Underteckna” går inte nu."),
    (
        "submit",
        S.signed,
        "handlaggare",
        409,
        "Utlåtandets status är ”Undertecknad”; ”Skicka på granskning” går inte nu.",
    ),
    ("approve", S.withdrawn, "enhetschef", 409, "”Godkänn” går inte nu."),
    ("return_review", S.in_review, "enhetschef", 422, "Skriv en kommentar som säger varför."),
    ("withdraw", S.draft, "handlaggare", 422, "Skriv en kommentar som säger varför."),
    ("reopen", S.signed, "handlaggare", 409, "”Öppna för ändring” görs inte med en knapp"),
]


@pytest.mark.parametrize(
    "name, state, key, status, message", REFUSED, ids=[f"{r[0]}-{r[1].value}-{r[2]}" for r in REFUSED]
)
def test_transition_refused_with_the_reason_on_the_page(login_as, report_in, name, state, key, status, message):
    case_id = report_in(state)
    before = len(report(case_id).transitions)

    response = act(login_as(key), case_id, name, comment="")

    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    after = report(case_id)
    assert after.state is state and len(after.transitions) == before


def test_nobody_approves_their_own_report(app, login_as, report_in):
    case_id = report_in(S.in_review)
    committee = fresh().get(Case, case_id).committee
    grant_role(user("handlaggare"), committee, Role.reviewer)
    db.session.commit()
    officer = login_as("handlaggare")
    assert 'data-transition="approve"' in page(officer, f"/arenden/{case_id}/utlatande")

    response = act(officer, case_id, "approve")

    assert response.status_code == 403
    assert (
        "Du har skrivit i utlåtandet och kan därför inte granska, godkänna eller underteckna det."
        in response.get_data(as_text=True)
    )
    assert report(case_id).state is S.in_review
    # The review queue lists it apart for them.
    queue = page(officer, "/granskning")
    own = queue[queue.index("Egna (kan inte granskas av dig)") :]
    assert fresh().get(Case, case_id).number in own


def test_submit_without_proposals_lists_what_is_missing(login_as):
    case_id = new_case()
    officer = login_as("handlaggare")
    start(officer, case_id)
    assert save(officer, case_id, proposals=[], section_description="").status_code == 302

    response = act(officer, case_id, "submit")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Utlåtandet kan inte skickas på granskning. Det saknas: Förslag till beslut, Beskrivning av ärendet." in html
    assert report(case_id).state is S.draft
    assert "Inga förslag till beslut ännu." in html


def test_member_gets_no_report_pages(login_as, report_in):
    case_id = report_in(S.in_review)
    member = login_as("ledamot")
    for suffix in ("", "/redigera", "/versioner", "/tidslinje", "/bilagor"):
        # the case is in the diarium the member reads, its report is not for them: 403, as in the API
        assert member.get(f"/arenden/{case_id}/utlatande{suffix}").status_code == 403, suffix
    assert act(member, case_id, "approve").status_code == 403
    assert save(member, case_id, based_on=2).status_code == 403
    assert report(case_id).state is S.in_review and report(case_id).current_revision == 2
    case_page = page(member, f"/arenden/{case_id}")
    assert "Tjänsteutlåtande" not in case_page
    assert member.get("/granskning").status_code == 403
    assert "Granskning</a>" not in page(member, "/")


def test_another_officer_may_read_but_not_edit(login_as, report_in):
    case_id = report_in(S.draft)
    other = login_as("controller")
    html = page(other, f"/arenden/{case_id}/utlatande")
    assert "Verksamhetsberättelse 2016" in html and "Redigera utlåtandet" not in html
    response = other.get(f"/arenden/{case_id}/utlatande/redigera")
    assert response.status_code == 403
    assert "Bara ärendets handläggare och utsedda medförfattare" in response.get_data(as_text=True)
    response = save(other, case_id, based_on=2, title="Kapad rubrik")
    assert response.status_code == 403
    assert report(case_id).current_revision == 2


# --- the review queue and my cases ---------------------------------------------------------------


def test_review_queue_lists_the_submitted_report_for_the_reviewer(login_as, report_in):
    waiting = report_in(S.in_review)
    signing = report_in(S.approved)
    numbers = {cid: fresh().get(Case, cid).number for cid in (waiting, signing)}

    reviewer = page(login_as("enhetschef"), "/granskning")
    assert f'<tr data-case="{numbers[waiting]}"' in reviewer
    assert f'<tr data-case="{numbers[signing]}"' not in reviewer  # waits for the approver, not the reviewer
    assert "Egna (kan inte granskas av dig)" not in reviewer
    approver = page(login_as("direktor"), "/granskning")
    assert f'<tr data-case="{numbers[signing]}"' in approver and numbers[waiting] not in approver
    due = report(waiting).due_on
    assert due.isoformat() in reviewer

    assert login_as("ledamot").get("/granskning").status_code == 403
    assert login_as("handlaggare").get("/granskning").status_code == 403
    assert 'href="/granskning"' in page(login_as("enhetschef"), "/")


def test_review_queue_marks_overdue_reports(app, login_as, report_in):
    from datetime import timedelta

    from app.clock import local_today

    case_id = report_in(S.in_review)
    row = fresh().scalar(select(CaseReport).where(CaseReport.case_id == case_id))
    row.due_on = local_today() - timedelta(days=2)
    db.session.commit()
    html = page(login_as("enhetschef"), "/granskning")
    assert re.search(rf'<tr data-case="{re.escape(row.case.number)}" class="is-overdue">', html)
    assert "Försenad" in html


def test_my_cases_lists_open_cases_with_report_states(login_as, report_in):
    drafted = report_in(S.draft)
    submitted = report_in(S.in_review)
    untouched = new_case()
    session = fresh()
    co_written = new_case(officer="controller", title="Uppföljning av familjerådgivningen")
    case = session.get(Case, co_written)
    created = report_ops.create_report(case, user=user("controller"))
    report_ops.add_editor(created, user("handlaggare"), user=user("controller"))
    db.session.commit()

    html = page(login_as("handlaggare"), "/mina-arenden")
    numbers = {cid: fresh().get(Case, cid).number for cid in (drafted, submitted, untouched, co_written)}
    for cid, label in ((drafted, "Utkast"), (submitted, "Under granskning"), (co_written, "Utkast")):
        assert re.search(rf'<tr data-case="{re.escape(numbers[cid])}">.*?>{label}</span>', html, re.DOTALL), label
    row = re.search(rf'<tr data-case="{re.escape(numbers[untouched])}">.*?</tr>', html, re.DOTALL).group(0)
    assert "Inget utlåtande" in row and "Skriv tjänsteutlåtande" in row
    assert "(medförfattare)" in html
    counts = {
        label: int(n) for n, label in re.findall(r'<li><span class="counts__number">(\d+)</span> ([^<]+)</li>', html)
    }
    assert counts["Utkast"] >= 2 and counts["Under granskning"] == 1 and counts["Inget utlåtande"] >= 1
    assert report(submitted).due_on.isoformat() in html
    assert 'href="/mina-arenden"' in html
    assert "Mina ärenden</a>" not in page(login_as("ledamot"), "/")


def test_subheadings_are_kept_and_shown_under_their_section(login_as):
    case_id = new_case()
    officer = login_as("handlaggare")
    start(officer, case_id)
    editor = page(officer, f"/arenden/{case_id}/utlatande/redigera")
    assert "&lt;h3&gt;underrubrik&lt;/h3&gt;" in editor  # the hint without JavaScript names it
    description = (
        '<h2 onclick="x()">Bakgrund</h2><p>Text.</p><h3 style="color:red">Ekonomi <script>x</script></h3><p>Mer.</p>'
    )
    assert save(officer, case_id, section_description=description).status_code == 302
    stored = report(case_id).revision().content["sections"]["description"]
    assert stored == "<h3>Bakgrund</h3><p>Text.</p><h3>Ekonomi </h3><p>Mer.</p>"
    html = page(officer, f"/arenden/{case_id}/utlatande")
    section = re.search(
        r'<section class="report-doc__section" data-section="description".*?</section>', html, re.DOTALL
    )
    assert '<h2 id="avsnitt-description">Beskrivning av ärendet</h2>' in section.group(0)
    assert "<h3>Bakgrund</h3><p>Text.</p><h3>Ekonomi </h3>" in section.group(0)
    assert structure_problems(html) == []


def test_the_demo_reports_subheadings_are_restored(login_as):
    """SN-2016/3342's description has the three subheadings of the original, no longer run into its text."""
    number = "SN-2016/3342.181"
    case_id = fresh().scalar(select(Case.id).where(Case.number == number))
    html = page(login_as("controller"), f"/arenden/{case_id}/utlatande")
    subheadings = re.findall(r"<h3>([^<]+)</h3>", html)
    assert subheadings == [
        "Socialnämndens verksamhetsberättelse 2016",
        "Socialnämndens ekonomiska bokslut 2016",
        "Resultatöverföring och överföring av investeringsmedel",
    ]
    assert "<h3>Socialnämndens ekonomiska bokslut 2016</h3><p>Måluppfyllelsen för målet" in html
    assert "2016 Under 2016" not in html and "investeringsmedel Enligt" not in html
    # On the kallelse's item page the sections are h3, so the subheadings there are h4.
    from agenda.models import Meeting, Publication

    meeting = fresh().scalar(select(Meeting).join(Publication).order_by(Meeting.start_dt).limit(1))
    item = page(login_as("ledamot"), f"/sammantraden/{meeting.id}/kallelse/punkt/4")
    assert "<h4>Socialnämndens ekonomiska bokslut 2016</h4>" in item and "<h3>Socialnämndens ekonomiska" not in item
    assert structure_problems(item) == []


def test_withdrawing_is_set_apart_and_needs_its_confirmation(login_as):
    case_id = new_case()
    officer = login_as("handlaggare")
    start(officer, case_id)
    html = page(officer, f"/arenden/{case_id}/utlatande")
    overview = re.search(r'<section class="report-state" aria-labelledby="oversikt">.*?</section>', html, re.DOTALL)
    assert '<h2 id="oversikt">Översikt</h2>' in overview.group(0) and "<dt>Läge</dt>" in overview.group(0)
    assert "Förhandsgranska</button>" in overview.group(0)  # inside the panel, among its buttons
    actions = re.search(
        r'<section class="report-actions" aria-labelledby="atgarder">.*?</section>', html, re.DOTALL
    ).group(0)
    assert "Skicka på granskning</button>" in actions and "Återkalla" not in actions
    zone = re.search(r'<details class="danger-zone">.*?</details>', html, re.DOTALL).group(0)
    assert "<summary>Återkalla utlåtandet</summary>" in zone
    assert 'data-confirm="Återkalla tjänsteutlåtandet i ärende' in zone
    assert 'type="checkbox"' in zone and "Ja, återkalla utlåtandet" in zone
    assert 'class="button button--danger button--small"' in zone

    # Without the box ticked nothing happens: 422, the box says why, the zone stays open.
    response = act(officer, case_id, "withdraw", comment="Ärendet har återtagits.", confirm="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<details class="danger-zone" open>' in html
    assert "Kryssa i rutan för att bekräfta att utlåtandet ska återkallas." in html
    assert report(case_id).state is S.draft
    assert not fresh().scalar(
        select(AuditEntry.action).where(AuditEntry.case_id == case_id, AuditEntry.action == "report.withdraw")
    )

    response = act(officer, case_id, "withdraw", comment="Ärendet har återtagits.")
    assert response.status_code == 302
    assert report(case_id).state is S.withdrawn


def test_my_cases_puts_the_returned_report_first_then_the_nearest_due_date(login_as, report_in):
    """With the demo's cases (signed reports, cases without one): what the officer must act on comes first."""
    waiting = report_in(S.in_review)  # due in some days: the reviewer's step, next after the returned one
    returned = report_in(S.returned)  # registered last, no due date: it sorted last before
    html = page(login_as("handlaggare"), "/mina-arenden")
    rows = re.findall(r'<tr data-case="([^"]+)"( class="is-returned")?>', html)
    numbers = {cid: fresh().get(Case, cid).number for cid in (waiting, returned)}
    assert len(rows) > 10  # the demo's cases of the officer are all there
    assert rows[0] == (numbers[returned], ' class="is-returned"')
    assert rows[1][0] == numbers[waiting]
    assert [r for r in rows[1:] if r[1]] == []
    assert "Returnerade utlåtanden står först" in html


# --- two editors -------------------------------------------------------------------------------


def test_two_editors_saving_the_same_revision_keep_both_texts(login_as):
    case_id = new_case()
    officer = login_as("handlaggare")
    start(officer, case_id)
    report_ops.add_editor(
        fresh().scalar(select(CaseReport).where(CaseReport.case_id == case_id)),
        user("controller"),
        user=user("handlaggare"),
    )
    db.session.commit()
    co_editor = login_as("controller")
    assert editor_based_on(officer, case_id) == editor_based_on(co_editor, case_id) == 1

    first = save(officer, case_id, based_on=1, section_summary="<p>Resultatet är ett underskott.</p>")
    assert first.status_code == 302
    second = save(co_editor, case_id, based_on=1, section_summary="<p>Resultatet är ett överskott.</p>")

    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Utlåtandet har sparats av Johan Ek (version 2) sedan du började (version 1)." in html
    diff = re.search(r'<tr data-field="sections.summary">.*?</tr>', html, re.DOTALL).group(0)
    assert "<del>underskott.</del>" in diff and "<ins>överskott.</ins>" in diff
    # The form holds the co-editor's text and is now based on the current revision.
    assert BASED_ON.search(html).group(1) == "2"
    assert "&lt;p&gt;Resultatet är ett överskott.&lt;/p&gt;" in html
    # Both texts are in the database: the revision and the refused save.
    stored = report(case_id)
    assert stored.current_revision == 2
    assert stored.revision().content["sections"]["summary"] == "<p>Resultatet är ett underskott.</p>"
    conflict = fresh().scalar(select(ReportConflict).where(ReportConflict.report_id == stored.id))
    assert (conflict.based_on, conflict.current_at_refusal) == (1, 2)
    assert conflict.content["sections"]["summary"] == "<p>Resultatet är ett överskott.</p>"
    assert conflict.author.email == "controller@huddinge.example"

    assert structure_problems(html) == []

    merged = save(
        co_editor, case_id, based_on=2, section_summary="<p>Resultatet är ett underskott, inte ett överskott.</p>"
    )
    assert merged.status_code == 302
    assert report(case_id).current_revision == 3


# --- script and HTML ---------------------------------------------------------------------------


class Markup(HTMLParser):
    """Collect what a browser could run in a page: inline scripts, event attributes, images, javascript: links."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.in_script = tag == "script"
        if tag == "script" and not (a.get("src") or "").startswith("/static/"):
            self.problems.append(f"script {a}")
        if tag in ("img", "iframe", "object", "embed", "svg"):
            self.problems.append(tag)
        self.problems += [f"{tag} {k}" for k in a if k.startswith("on")]
        self.problems += [f"{tag} {k}={v}" for k, v in a.items() if (v or "").strip().lower().startswith("javascript:")]

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"inline script {data[:40]}")

    def handle_endtag(self, tag):
        self.in_script = False


def executable(html: str) -> list[str]:
    parser = Markup()
    parser.feed(html)
    return parser.problems


def test_script_and_html_come_back_escaped_or_removed(login_as):
    case_id = new_case()
    # An approver whose name and title carry markup: the editor offers them as a signatory.
    committee = fresh().get(Case, case_id).committee
    signer = create_user(
        email="skadlig@huddinge.example",
        name=f"Skadlig {SCRIPT}",
        title=f"Titel {IMG}",
        password="ett-långt-lösenord-1",
    )
    grant_role(signer, committee, Role.approver)
    db.session.commit()
    signer_id = signer.id
    officer = login_as("handlaggare")
    start(officer, case_id)
    evil = f"Rubrik {SCRIPT} {IMG} slut"
    fields = {
        "title": evil,
        "recipients": f"Kommunstyrelsen {SCRIPT}\n{IMG} Revisorerna",
        "proposals": [f"Bevilja {SCRIPT} medel {IMG}", (f"{IMG}Andra punkten", True)],
        "signatories": [f"u{signer_id}"],
    }
    for key in ("summary", "description", "administration_views"):
        fields[f"section_{key}"] = (
            f'<p onclick="alert(1)">Text {SCRIPT} {IMG} <a href="javascript:alert(1)">länk</a></p>'
        )
    assert save(officer, case_id, **fields).status_code == 302
    stored = report(case_id).revision().content
    assert all(
        "<script" not in html and "<img" not in html and "onclick" not in html and "javascript:" not in html
        for html in stored["sections"].values()
    )
    assert upload(officer, case_id, PDF, f"{IMG}.pdf", title=f"Bilaga {SCRIPT} {IMG}").status_code == 302
    assert act(officer, case_id, "withdraw", comment=f"Återkallat {SCRIPT} {IMG}").status_code == 302

    reviewer = login_as("enhetschef")
    pages = {
        "report": page(officer, f"/arenden/{case_id}/utlatande"),
        "versions": page(officer, f"/arenden/{case_id}/utlatande/versioner?a=1&b=2"),
        "timeline": page(officer, f"/arenden/{case_id}/utlatande/tidslinje"),
        "my cases": page(officer, "/mina-arenden"),
        "bilagor": page(officer, f"/arenden/{case_id}/utlatande/bilagor"),
        "reviewer's view": page(reviewer, f"/arenden/{case_id}/utlatande"),
    }
    for name, html in pages.items():
        assert executable(html) == [], name
        assert "<script>alert" not in html and "<img" not in html and "javascript:" not in html, name
    # Plain-text fields lose their markup; the rest of their text stays.
    assert (stored["title"], stored["recipients"]) == ("Rubrik slut", ["Kommunstyrelsen", "Revisorerna"])
    assert [p["text"] for p in stored["proposals"]] == ["Bevilja medel", "Andra punkten"]
    assert "<h1>Rubrik slut</h1>" in pages["report"]
    assert [(s["name"], s["title"]) for s in stored["signatories"]] == [("Skadlig", "Titel")]
    assert "Bilaga 1 Bilaga &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;" in pages["report"]
    assert "_img src=x onerror=alert(1)_.pdf" in pages["bilagor"]  # the file name lost its < and >
    # A comment is kept as written and shown escaped.
    assert "Återkallat &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;" in pages["timeline"]

    # In the editor the rich text is data inside a textarea: escaped, never markup of the page.
    other = new_case()
    start(officer, other)
    assert save(officer, other, **fields).status_code == 302
    editor = page(officer, f"/arenden/{other}/utlatande/redigera")
    assert executable(editor) == [] and "<script>alert" not in editor and "<img" not in editor
    assert "&lt;p&gt;Text" in editor
    # Refused input is shown back escaped too.
    refused = save(officer, other, **{**fields, "report_date": "fel"}).get_data(as_text=True)
    assert executable(refused) == [] and "<img" not in refused and "&lt;script&gt;" in refused


def test_every_page_sends_a_strict_content_security_policy(login_as, report_in):
    case_id = report_in(S.in_review)
    client = login_as("handlaggare")
    for suffix in ("", "/versioner", "/tidslinje"):
        response = client.get(f"/arenden/{case_id}/utlatande{suffix}")
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "<script>" not in response.get_data(as_text=True) and " style=" not in response.get_data(as_text=True)


# --- signed reports, versions, timeline -----------------------------------------------------------


def test_editing_a_signed_report_opens_a_new_draft(login_as, report_in):
    case_id = report_in(S.signed)
    signed = report(case_id)
    assert signed.signed_hash and signed.signed_revision == 2
    officer = login_as("handlaggare")
    editor = page(officer, f"/arenden/{case_id}/utlatande/redigera")
    assert "Utlåtandet är undertecknat. Sparar du en ändring blir det ett nytt utkast" in editor

    response = save(officer, case_id, based_on=2, section_summary="<p>Ändrad efter underskriften.</p>")

    assert response.status_code == 302
    after = report(case_id)
    assert after.state is S.draft and after.current_revision == 3
    assert (after.signed_hash, after.signed_revision, after.signed_dt, after.signed_by_id) == (None, None, None, None)
    assert after.revision(2).content != after.revision(3).content  # the signed revision is kept as it was
    assert [t.name for t in after.transitions][-1] == "reopen"
    assert fresh().scalar(select(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.action == "report.reopen"))
    timeline = page(officer, f"/arenden/{case_id}/utlatande/tidslinje")
    assert '<tr data-transition="reopen">' in timeline
    assert "Öppna för ändring</strong>: Undertecknad → Utkast" in timeline
    assert "Ändrat efter underskrift" in timeline
    assert (
        timeline.index('data-transition="sign"')
        < timeline.index('data-transition="reopen"')
        < timeline.index('data-revision="3"')
    )
    assert "Inte undertecknat." in page(officer, f"/arenden/{case_id}/utlatande")


def test_reports_in_review_cannot_be_edited(login_as, report_in):
    case_id = report_in(S.in_review)
    officer = login_as("handlaggare")
    response = officer.get(f"/arenden/{case_id}/utlatande/redigera")
    assert response.status_code == 302
    assert "kan inte ändras nu (läge: Under granskning)" in page(officer, response.headers["Location"])
    response = save(officer, case_id, based_on=2, title="Ändrad under granskning")
    assert response.status_code == 409
    assert "Utlåtandets status är ”Under granskning”; det kan inte ändras nu." in response.get_data(as_text=True)
    assert report(case_id).current_revision == 2


def test_version_comparison_shows_the_changed_words(login_as):
    case_id = new_case()
    officer = login_as("handlaggare")
    start(officer, case_id)
    save(officer, case_id, proposals=["Socialnämnden godkänner budgeten för 2017."])
    save(
        officer, case_id, proposals=["Socialnämnden avslår budgeten för 2017."], title="Budget 2017 < 2016 & <b>mer</b>"
    )

    html = page(officer, f"/arenden/{case_id}/utlatande/versioner?a=2&b=3")

    row = re.search(r'<tr data-field="proposals">.*?</tr>', html, re.DOTALL).group(0)
    assert "<del>godkänner</del>" in row and "<ins>avslår</ins>" in row
    assert "budgeten för 2017." in row
    title = re.search(r'<tr data-field="title">.*?</tr>', html, re.DOTALL).group(0)
    assert "&lt;" in title and "&amp;" in title and "<b>" not in title and "<ins>mer</ins>" in title
    assert 'data-field="sections.summary"' not in html  # unchanged fields are left out
    listing = re.search(r'<tr data-revision="3">.*?</tr>', html, re.DOTALL).group(0)
    assert "Rubrik, Förslag till beslut" in listing and "Johan Ek" in listing
    assert re.search(r'<tr data-revision="1">.*?Första versionen', html, re.DOTALL)
    # Without a choice: the newest against the one before.
    assert "<del>godkänner</del>" in page(officer, f"/arenden/{case_id}/utlatande/versioner")
    bad = officer.get(f"/arenden/{case_id}/utlatande/versioner?a=2&b=99")
    assert bad.status_code == 400 and "Välj ett av alternativen i listan." in bad.get_data(as_text=True)


def test_report_pages_have_one_h1_ordered_headings_labels_and_captions(login_as, report_in):
    case_id = report_in(S.in_review)
    officer, reviewer = login_as("handlaggare"), login_as("enhetschef")
    start(officer, other := new_case())
    paths = [
        (reviewer, f"/arenden/{case_id}/utlatande"),
        (reviewer, f"/arenden/{case_id}/utlatande/versioner"),
        (reviewer, f"/arenden/{case_id}/utlatande/versioner?a=1&b=2"),
        (reviewer, f"/arenden/{case_id}/utlatande/tidslinje"),
        (reviewer, "/granskning"),
        (officer, "/mina-arenden"),
        (officer, f"/arenden/{other}/utlatande/redigera"),
        (officer, f"/arenden/{other}/utlatande/bilagor"),
        (officer, f"/arenden/{case_id}"),
    ]
    pages = {path: page(client, path) for client, path in paths}
    pages["refused submit"] = act(officer, other, "submit").get_data(as_text=True)
    pages["refused save"] = save(officer, other, title="").get_data(as_text=True)
    upload(officer, other, PDF, "Budget.pdf")
    upload(officer, other, PDF + b"2", "Uppföljning.pdf")
    pages["bilagor"] = page(officer, f"/arenden/{other}/utlatande/bilagor")
    pages["refused upload"] = upload(officer, other, EXE, "Program.pdf").get_data(as_text=True)
    for name, html in pages.items():
        assert structure_problems(html) == [], name
        assert "data-label" in html or "<table" not in html, name


# --- bilagor -----------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"


def upload(client, case_id: int, data: bytes, filename: str, **fields):
    return client.post(
        f"/arenden/{case_id}/utlatande/bilagor",
        content_type="multipart/form-data",
        data={"csrf_token": csrf_token(client, "/"), "file": (BytesIO(data), filename), **fields},
    )


def attachments(case_id: int) -> list[ReportAttachment]:
    """The report's current bilagor in order, read back from the database."""
    return sorted(report(case_id).current_attachments, key=lambda a: a.position)


def stored_files(app) -> list[Path]:
    return [p for p in Path(app.config["STORAGE_PATH"]).rglob("*") if p.is_file()]


def test_upload_a_pdf_and_download_it_back(login_as, report_in):
    case_id = report_in(S.draft)
    officer = login_as("handlaggare")

    response = upload(officer, case_id, PDF, "Verksamhetsberättelse 2016.pdf", title="Verksamhetsberättelse 2016")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/arenden/{case_id}/utlatande/bilagor"
    assert "Bilaga 1 Verksamhetsberättelse 2016 har lagts till." in page(officer, response.headers["Location"])
    [added] = attachments(case_id)
    assert (added.position, added.filename, added.file.content_type) == (
        1,
        "Verksamhetsberättelse 2016.pdf",
        "application/pdf",
    )
    html = page(officer, f"/arenden/{case_id}/utlatande")
    link = f"/arenden/{case_id}/utlatande/bilagor/{added.id}/fil"
    assert f'<a href="{link}" download>Bilaga 1 Verksamhetsberättelse 2016</a>' in html
    underlag = html[html.index('id="beslutsunderlag"') : html.index('id="bilagor"')]
    assert (
        '<li>Tjänsteutlåtande <span class="nowrap">2017-02-01</span></li>' in underlag
        and "Bilaga 1 Verksamhetsberättelse 2016" in underlag
    )

    for key in ("handlaggare", "enhetschef", "controller"):
        download = login_as(key).get(link)
        assert download.status_code == 200, key
        assert download.data == PDF
        assert download.mimetype == "application/pdf"
        assert download.headers["Content-Disposition"].startswith("inline;")  # a PDF: the browser shows it
        assert "filename*=UTF-8''Verksamhetsber%C3%A4ttelse%202016.pdf" in download.headers["Content-Disposition"]
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert login_as("ledamot").get(link).status_code == 403


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (
            EXE,
            "Verksamhetsberättelse.pdf",
            "Filen ”Verksamhetsberättelse.pdf” är ett program, inte en PDF. Program kan inte laddas upp.",
        ),
        (b"", "Tom.pdf", "Filen ”Tom.pdf” är tom."),
        (PDF, "rapport.exe", "Filtypen .exe är inte tillåten."),
    ],
    ids=["executable-renamed-pdf", "empty", "exe-name"],
)
def test_bad_upload_is_refused_with_the_message_and_nothing_stored(app, login_as, report_in, data, filename, message):
    case_id = report_in(S.draft)
    officer = login_as("handlaggare")
    records_before = fresh().scalar(select(func.count()).select_from(StoredFileRecord))
    files_before = stored_files(app)  # the demo's bilagor

    response = upload(officer, case_id, data, filename, title="Bilaga")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<p class="field__error" id="file-error">' + re.escape(message), html), html
    assert attachments(case_id) == []
    assert fresh().scalar(select(func.count()).select_from(StoredFileRecord)) == records_before
    assert stored_files(app) == files_before
    assert report(case_id).current_revision == 2


def test_upload_without_a_file_is_refused(login_as, report_in):
    case_id = report_in(S.draft)
    officer = login_as("handlaggare")
    response = officer.post(
        f"/arenden/{case_id}/utlatande/bilagor",
        content_type="multipart/form-data",
        data={"csrf_token": csrf_token(officer, "/"), "title": "Bilaga"},
    )
    assert response.status_code == 422
    assert "Välj en fil att ladda upp." in response.get_data(as_text=True)
    assert attachments(case_id) == []


def test_bilagor_are_moved_replaced_marked_linked_and_removed(app, login_as, report_in):
    case_id = report_in(S.draft)
    officer = login_as("handlaggare")
    for title in ("Budget", "Uppföljning"):
        assert upload(officer, case_id, PDF + title.encode(), f"{title}.pdf", title=title).status_code == 302
    budget, follow_up = (a.id for a in attachments(case_id))
    base = f"/arenden/{case_id}/utlatande/bilagor"
    html = page(officer, base)
    assert html.count("Flytta upp<span") == 1 and html.count("Flytta ned<span") == 1

    assert post(officer, f"{base}/{follow_up}/flytta", position="1").status_code == 302
    assert [a.title for a in attachments(case_id)] == ["Uppföljning", "Budget"]

    replaced = officer.post(
        f"{base}/{budget}/ersatt",
        content_type="multipart/form-data",
        data={"csrf_token": csrf_token(officer, "/"), "file": (BytesIO(PDF + b"ny"), "Budget rev.pdf")},
    )
    assert replaced.status_code == 302
    assert [(a.position, a.title, a.filename) for a in attachments(case_id)] == [
        (1, "Uppföljning", "Uppföljning.pdf"),
        (2, "Budget", "Budget rev.pdf"),
    ]
    now = [a.id for a in attachments(case_id)]
    assert fresh().get(ReportAttachment, budget).is_current is False  # the old one is kept
    assert officer.get(f"{base}/{now[1]}/fil").data == PDF + b"ny"
    assert officer.get(f"{base}/{budget}/fil").data == PDF + b"Budget"

    assert post(officer, f"{base}/{now[0]}/sekretess", is_confidential="y").status_code == 302
    assert attachments(case_id)[0].is_confidential is True
    # Another officer of the committee reads the report but not the confidential bilaga.
    other = login_as("controller")
    html = page(other, f"/arenden/{case_id}/utlatande")
    assert "Uppföljning" not in html and 'Bilaga 1 <span class="badge badge--confidential">Sekretess</span>' in html
    assert other.get(f"{base}/{now[0]}/fil").status_code == 403
    assert "Sekretess</span>" in page(officer, f"/arenden/{case_id}/utlatande")

    session = fresh()
    document = registry_ops.register_document(
        session.get(Case, case_id),
        user=user("registrator"),
        direction=Direction.incoming,
        document_date=date(2017, 1, 20),
        counterparty="Revisorerna",
        description="Revisionsrapport",
    )
    session.commit()
    document_id = document.id
    assert "Revisionsrapport" in page(officer, base)
    assert post(officer, f"{base}/handling", document=str(document_id), title="").status_code == 302
    linked = attachments(case_id)[2]
    assert (linked.position, linked.title, linked.registered_document_id) == (3, "Revisionsrapport", document_id)

    refused = post(officer, f"{base}/{now[1]}/flytta", position="7")
    assert refused.status_code == 422 and "Ange en plats mellan 1 och 3." in refused.get_data(as_text=True)

    assert post(officer, f"{base}/{now[0]}/ta-bort").status_code == 302
    assert [(a.position, a.title) for a in attachments(case_id)] == [(1, "Budget"), (2, "Revisionsrapport")]

    secret = registry_ops.register_document(
        fresh().get(Case, case_id),
        user=user("registrator"),
        direction=Direction.incoming,
        document_date=date(2017, 1, 21),
        counterparty="Familjerätten",
        description="Utredning",
        is_confidential=True,
        secrecy_provision="26 kap. 1 § OSL",
    )
    db.session.commit()
    secret_id = secret.id
    assert post(officer, f"{base}/handling", document=str(secret_id)).status_code == 302
    linked_secret = attachments(case_id)[2]
    assert (linked_secret.registered_document_id, linked_secret.is_confidential) == (secret_id, True)
    refused = post(officer, f"{base}/{linked_secret.id}/sekretess", is_confidential="")
    assert refused.status_code == 422
    assert "Handlingen är sekretessmarkerad i diariet; bilagan måste vara det också." in refused.get_data(as_text=True)
    assert attachments(case_id)[2].is_confidential is True
    audit = set(fresh().scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)))
    assert {
        "report.attachment_added",
        "report.attachment_moved",
        "report.attachment_replaced",
        "report.attachment_confidential",
        "report.attachment_linked",
        "report.attachment_removed",
    } <= audit


def test_bilagor_of_a_signed_report_change_only_through_a_new_draft(login_as, report_in):
    case_id = report_in(S.signed)
    officer = login_as("handlaggare")
    assert "En ändring av bilagorna gör det till ett nytt utkast" in page(
        officer, f"/arenden/{case_id}/utlatande/bilagor"
    )
    assert upload(officer, case_id, PDF, "Bilaga.pdf").status_code == 302
    after = report(case_id)
    assert after.state is S.draft and after.signed_hash is None
    assert after.transitions[-1].name == "reopen"

    in_review = report_in(S.in_review)
    response = upload(officer, in_review, PDF, "Bilaga.pdf")
    assert response.status_code == 409
    assert "bilagorna kan inte ändras nu" in response.get_data(as_text=True)
    assert attachments(in_review) == []
    assert login_as("enhetschef").get(f"/arenden/{in_review}/utlatande/bilagor").status_code == 403


# --- co-editors and retired sections ----------------------------------------------------------


def test_officer_adds_and_removes_a_co_editor_who_may_then_write(login_as):
    case_id = new_case()
    officer = login_as("handlaggare")
    start(officer, case_id)
    colleague = login_as("controller")
    assert colleague.get(f"/arenden/{case_id}/utlatande/redigera").status_code == 403
    report_page = page(officer, f"/arenden/{case_id}/utlatande")
    assert "Lägg till medförfattare" in report_page and "Maria Holm" in report_page
    controller_id = user("controller").id

    added = post(officer, f"/arenden/{case_id}/utlatande/medforfattare", user=controller_id)
    assert added.status_code == 302
    assert [u.name for u in report(case_id).editors] == ["Maria Holm"]
    assert save(colleague, case_id).status_code == 302  # the co-editor writes now
    assert report(case_id).revision().author.name == "Maria Holm"

    # Someone who is not a case officer of the committee is refused, and nothing changes.
    refused = post(officer, f"/arenden/{case_id}/utlatande/medforfattare", user=user("ledamot").id)
    assert refused.status_code == 400 and "Välj ett av alternativen" in refused.get_data(as_text=True)
    # A member who does not write in the report cannot add anybody.
    assert (
        post(login_as("enhetschef"), f"/arenden/{case_id}/utlatande/medforfattare", user=controller_id).status_code
        == 403
    )

    removed = post(officer, f"/arenden/{case_id}/utlatande/medforfattare/{controller_id}/ta-bort")
    assert removed.status_code == 302 and report(case_id).editors == []
    assert colleague.get(f"/arenden/{case_id}/utlatande/redigera").status_code == 403
    actions = fresh().scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)).all()
    assert "report.editor_added" in actions and "report.editor_removed" in actions


def test_text_in_a_retired_section_survives_the_next_save(login_as):
    from workflows.models import ReportSectionDefinition

    case_id = new_case()
    officer = login_as("handlaggare")
    start(officer, case_id)
    session = fresh()
    definition = session.scalar(
        select(ReportSectionDefinition).where(ReportSectionDefinition.title == "Barnrättsperspektiv")
    )
    key = definition.key
    assert save(officer, case_id, **{f"section_{key}": "<p>Barnens bästa är beaktat.</p>"}).status_code == 302
    definition.is_active = False
    session.commit()

    editor = page(officer, f"/arenden/{case_id}/utlatande/redigera")
    assert "Barnrättsperspektiv" in editor and "Barnens bästa är beaktat." in editor
    assert (
        save(officer, case_id, title="Ny rubrik", **{f"section_{key}": "<p>Barnens bästa är beaktat.</p>"}).status_code
        == 302
    )
    stored = report(case_id).revision().content
    assert stored["title"] == "Ny rubrik" and stored["sections"][key] == "<p>Barnens bästa är beaktat.</p>"
    assert "Barnrättsperspektiv" in page(officer, f"/arenden/{case_id}/utlatande")
    # A report that never had text there is not offered the retired section.
    other = new_case(title="Annat ärende")
    start(officer, other)
    assert "Barnrättsperspektiv" not in page(officer, f"/arenden/{other}/utlatande/redigera")
