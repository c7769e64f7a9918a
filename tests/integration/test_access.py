"""Pages and API answer the same question with the same status (app/registry/access.py, workflows/access.py).

For each page and its API twin — the case, the report, its versions compared, its timeline, a bilaga's
file, a confidential bilaga's file, Förhandsgranska — each kind of user asks about a normal case and
a confidential one, and the page and the API must both give the status in the table:

- 404 where the user may not know the case exists (another committee's case, a confidential case they
  may not see), as for an unknown id;
- 403 where they see the case but may not do this (a member reads the diarium, not the reports; a case
  officer who is not the report's editor does not fetch its confidential bilagor);
- success otherwise (200; Förhandsgranska starts a job: the page redirects 303, the API answers 202).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.registry.models import Case
from workflows import attachments as files
from workflows import operations as report_ops
from workflows.models import CaseReport

#: a case with a signed report (its officer: controller), bilagor and one confidential bilaga
NORMAL_NUMBER = "SN-2016/3342.181"
#: a confidential case (its officer: handlaggare); the test writes its report and bilagor
CONFIDENTIAL_NUMBER = "SN-2017/12.754"
NORMAL, CONFIDENTIAL = "normal", "confidential"

#: who asks, by kind: the demo user's key for the normal case and for the confidential case
ASKERS = {
    "outsider": ("ks-handlaggare", "ks-handlaggare"),  # case officer of another committee (KS)
    "member": ("ledamot", "ledamot"),  # ledamot of the case's committee
    "officer": ("handlaggare", "controller"),  # a case officer of the committee, not this case's, no secrecy right
    "registrar": ("registrator", "registrator"),
    "own officer": ("controller", "handlaggare"),  # the case's responsible case officer
}
KINDS = tuple(ASKERS)
OK = "ok"

#: (page, API twin) → expected answer per kind of user (in the order of KINDS), on each case
EXPECTED = {
    #                           outsider member officer registrar own officer
    ("case", NORMAL): (404, OK, OK, OK, OK),
    ("case", CONFIDENTIAL): (404, 404, 404, OK, OK),
    ("report", NORMAL): (404, 403, OK, OK, OK),
    ("report", CONFIDENTIAL): (404, 404, 404, OK, OK),
    ("versions", NORMAL): (404, 403, OK, OK, OK),
    ("versions", CONFIDENTIAL): (404, 404, 404, OK, OK),
    ("history", NORMAL): (404, 403, OK, OK, OK),
    ("history", CONFIDENTIAL): (404, 404, 404, OK, OK),
    ("bilaga", NORMAL): (404, 403, OK, OK, OK),
    ("bilaga", CONFIDENTIAL): (404, 404, 404, OK, OK),
    ("secret bilaga", NORMAL): (404, 403, 403, OK, OK),
    ("secret bilaga", CONFIDENTIAL): (404, 404, 404, OK, OK),
    ("documents", NORMAL): (404, 403, OK, OK, OK),
    ("documents", CONFIDENTIAL): (404, 404, 404, OK, OK),
}


@dataclass(frozen=True)
class Pair:
    """A page and its API twin: (method, address) each, with ``{case}`` and ``{bilaga}``/``{secret}`` to fill in."""

    page: tuple[str, str]
    api: tuple[str, str]
    #: what each answers when it grants the request
    ok: tuple[int, int] = (200, 200)


PAIRS = {
    "case": Pair(("get", "/arenden/{case}"), ("get", "/api/v1/cases/{case}")),
    "report": Pair(("get", "/arenden/{case}/utlatande"), ("get", "/api/v1/cases/{case}/report")),
    "versions": Pair(  # the demo's reports were written in one save: version 1 is all they have
        ("get", "/arenden/{case}/utlatande/versioner?a=1&b=1"),
        ("get", "/api/v1/cases/{case}/report/revisions/compare?a=1&b=1"),
    ),
    "history": Pair(("get", "/arenden/{case}/utlatande/tidslinje"), ("get", "/api/v1/cases/{case}/report/timeline")),
    "bilaga": Pair(
        ("get", "/arenden/{case}/utlatande/bilagor/{bilaga}/fil"),
        ("get", "/api/v1/cases/{case}/report/attachments/{bilaga}/file"),
    ),
    "secret bilaga": Pair(
        ("get", "/arenden/{case}/utlatande/bilagor/{secret}/fil"),
        ("get", "/api/v1/cases/{case}/report/attachments/{secret}/file"),
    ),
    "documents": Pair(
        ("post", "/arenden/{case}/utlatande/forhandsgranska"),
        ("post", "/api/v1/cases/{case}/report/preview"),
        ok=(303, 202),
    ),
}


def test_the_table_covers_every_pair_on_both_cases():
    assert set(EXPECTED) == {(pair, case) for pair in PAIRS for case in (NORMAL, CONFIDENTIAL)}
    assert all(len(row) == len(KINDS) for row in EXPECTED.values())


def _user(key: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{key}@huddinge.example"))


def _case(number: str) -> Case:
    return db.session.scalar(select(Case).where(Case.number == number))


def _bilagor(report: CaseReport) -> tuple[int, int]:
    """The ids of a current bilaga with a file of its own, and of a confidential one."""
    current = [a for a in report.current_attachments if a.file is not None]
    return (next(a.id for a in current if not a.is_confidential), next(a.id for a in current if a.is_confidential))


@pytest.fixture
def targets(demo) -> dict[str, dict]:
    """The normal and the confidential case: their ids and their bilagor's, to fill in the addresses."""
    normal = _case(NORMAL_NUMBER)
    normal_report = report_ops.report_for(normal)
    confidential = _case(CONFIDENTIAL_NUMBER)
    officer = _user("handlaggare")
    report = report_ops.create_report(confidential, user=officer)
    report_ops.save_revision(
        report,
        user=officer,
        based_on=1,
        raw={
            "title": "Yttrande till tingsrätten",
            "report_date": "2017-02-01",
            "sections": {"description": "<p>Socialnämnden yttrar sig.</p>"},
            "proposals": [
                {"text": "Socialnämnden avger yttrande enligt förvaltningens förslag.", "immediately_adjusted": False}
            ],
        },
    )
    files.upload_attachment(report, user=officer, data=b"Utredning.\n", filename="Utredning.txt", title="Utredning")
    files.upload_attachment(
        report,
        user=officer,
        data=b"Sekretess.\n",
        filename="Sekretess.txt",
        title="Yttrande om barnet",
        is_confidential=True,
    )
    db.session.commit()
    found = {}
    for name, case, case_report in ((NORMAL, normal, normal_report), (CONFIDENTIAL, confidential, report)):
        bilaga, secret = _bilagor(case_report)
        found[name] = {"case": case.id, "bilaga": bilaga, "secret": secret}
    db.session.rollback()
    return found


def _status(client, method: str, address: str, **kwargs) -> int:
    return getattr(client, method)(address, **kwargs).status_code


@pytest.mark.parametrize("pair", list(PAIRS))
def test_page_and_api_answer_each_user_the_same(pair, targets, askers):
    spec = PAIRS[pair]
    answers, wanted = {}, {}
    for case_kind in (NORMAL, CONFIDENTIAL):
        for kind, expected in zip(KINDS, EXPECTED[(pair, case_kind)]):
            key = ASKERS[kind][0 if case_kind == NORMAL else 1]
            page, token, api, headers = askers(key)
            (page_method, page_address), (api_method, api_address) = spec.page, spec.api
            values = targets[case_kind]
            form = {"data": {"csrf_token": token}} if page_method == "post" else {}
            answers[(case_kind, kind)] = (
                _status(page, page_method, page_address.format(**values), **form),
                _status(api, api_method, api_address.format(**values), headers=headers),
            )
            wanted[(case_kind, kind)] = spec.ok if expected == OK else (expected, expected)
    assert answers == wanted


@pytest.mark.parametrize("pair", list(PAIRS))
def test_an_unknown_case_or_bilaga_is_404_on_both(pair, targets, askers):
    spec = PAIRS[pair]
    page, token, api, headers = askers("registrator")
    form = {"data": {"csrf_token": token}} if spec.page[0] == "post" else {}
    for case_id in (999_999, 2**40):  # the second too large for any row: unknown too, on every database
        unknown_case = {**targets[NORMAL], "case": case_id}
        assert (
            _status(page, spec.page[0], spec.page[1].format(**unknown_case), **form),
            _status(api, spec.api[0], spec.api[1].format(**unknown_case), headers=headers),
        ) == (404, 404)
    if "{bilaga}" in spec.page[1] or "{secret}" in spec.page[1]:
        # a bilaga of another case's report is no bilaga of this one
        elsewhere = {
            **targets[NORMAL],
            "bilaga": targets[CONFIDENTIAL]["bilaga"],
            "secret": targets[CONFIDENTIAL]["secret"],
        }
        assert (
            _status(page, spec.page[0], spec.page[1].format(**elsewhere)),
            _status(api, spec.api[0], spec.api[1].format(**elsewhere), headers=headers),
        ) == (404, 404)
