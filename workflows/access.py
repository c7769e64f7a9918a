"""Who reaches which tjänsteutlåtande: load a report (or a bilaga) for a user, and decide once.

Pages and API both load through here, so they answer the same question with the same status. A
report is reached through its case (``app.registry.access``):

- **404** when the user may not know the case exists (another committee's case, a confidential case
  they may not see), when the case has no report, or the report no such bilaga;
- **403** when they see the case but may not read its report (a member of the committee: members
  read reports in the published kallelse) or may not do the action asked for.

Here too: who may read a report's confidential bilagor, which workflow steps to offer a user, and
the logged-in user as operations want it.
"""

from __future__ import annotations

from typing import cast

from flask import abort
from flask_login import current_user

from app.auth.models import User
from app.permissions import Action
from app.registry import access as registry_access
from app.registry.models import Case
from workflows.models import CaseReport, ReportAttachment
from workflows.operations import report_for
from workflows.states import TRANSITIONS, Transition, is_editor

NO_REPORT = "Ärendet har inget tjänsteutlåtande ännu."
NO_OWN_FILE = "Bilagan är en registrerad handling utan egen fil; den finns i ärendets diarium."
CONFIDENTIAL_BILAGA = (
    "Bilagan är sekretessmarkerad; bara handläggarna och de som får se sekretessuppgifter i ärendet kan hämta den."
)


def acting_user() -> User:
    """Return the logged-in user itself (operations store it in relationships, so not Flask-Login's proxy)."""
    # Flask-Login is untyped; its user loader (app.auth) gives a User, and the views that act are login_required
    return cast(User, current_user._get_current_object())


def load_case(user: User | None, case_id: int, action: Action = Action.view_report) -> Case:
    """Return the case if ``user`` may read its report and do ``action``: 404 if they may not know the case, else 403."""
    case = registry_access.load_case(user, case_id, Action.view_report)
    return registry_access.check_case(user, case, action)


def load_report(user: User | None, case_id: int, action: Action = Action.view_report) -> CaseReport:
    """Return the case's report, checked as ``load_case``; 404 when the case has none."""
    report = report_for(load_case(user, case_id, action))
    if report is None:
        abort(404, NO_REPORT)
    return report


def load_attachment(report: CaseReport, attachment_id: int) -> ReportAttachment:
    """Return a bilaga of this report (a replaced one too), else 404."""
    attachment = registry_access.get_by_id(ReportAttachment, attachment_id)
    if attachment is None or attachment.report_id != report.id:
        abort(404)
    return attachment


def may_read_confidential_bilagor(report: CaseReport, user: User | None) -> bool:
    """Whether ``user`` may see the titles, file names and files of the report's confidential bilagor.

    Whoever may read the case's secrets, and the report's editors (its officer and co-editors).
    """
    return registry_access.may_read_secrets(user, report.case) or (user is not None and is_editor(report, user))


def check_attachment_file(user: User | None, attachment: ReportAttachment) -> ReportAttachment:
    """Return the bilaga if ``user`` may fetch its file: 404 when it has no file of its own, 403 when it is
    confidential and they may not read its report's confidential bilagor."""
    if attachment.file is None:
        abort(404, NO_OWN_FILE)
    if attachment.is_confidential and not may_read_confidential_bilagor(attachment.report, user):
        abort(403, CONFIDENTIAL_BILAGA)
    return attachment


def offered_transitions(report: CaseReport, user: User) -> list[Transition]:
    """The workflow steps to offer ``user`` now: manual ones from the report's state, for a role they hold.

    In the order of the workflow table. A guard may still refuse one when it is asked for.
    """
    roles = user.roles_in(report.case.committee_id)
    return [t for t in TRANSITIONS.values() if t.is_manual and report.state in t.sources and t.roles & roles]
