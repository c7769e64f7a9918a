"""The signed tjänsteutlåtande and its bilagor registered in the case's diarium, in the signing's transaction.

The report is registered with the sha256 its signature froze (its signed text and bilagor,
``workflows.operations.signature_hash``): the document is that signed version, and its Word and PDF are made
from it whenever asked. A bilaga is registered with its stored file's sha256 and key; one linked from the case's
registered documents is in the diarium already and is not registered again. Signing the same text and bilagor
again registers nothing new; a bilaga marked confidential is registered as confidential, by its number only.

The report's handling gets its file afterwards: what the factory names here (``init_app``) is called in the
signing's transaction for a handling without one (tasks.rendering.signed_report adds the job that renders the
signed revision as PDF, sent to the worker after the commit); until then the handling links to the report page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, has_app_context

from app.auth.models import User
from app.clock import local_today, to_local
from app.registry import automatic
from app.registry.models import RegisteredDocument
from workflows.models import CaseReport

#: app.extensions' key of what follows the registration of a signed report without its file (``init_app``)
SIGNED_HOOK = "report.on_signed_registered"


def report_source(report: CaseReport) -> str:
    """The source of the handling a signature registers: the report and the sha256 it froze."""
    return f"report:{report.id}:{report.signed_hash}"


def register_signed(report: CaseReport, *, user: User) -> list[RegisteredDocument]:
    """Register the signed report and each of its current bilagor on the report's case (once each)."""
    assert report.signed_hash is not None and report.signed_revision is not None
    case = report.case
    day = to_local(report.signed_dt).date() if report.signed_dt else local_today()
    registered = []
    document = automatic.register_once(
        case,
        user=user,
        source=report_source(report),
        description=f"Tjänsteutlåtande, undertecknat (version {report.signed_revision})",
        document_date=day,
        sha256=report.signed_hash,
    )
    if document is not None:
        registered.append(document)
        hook = current_app.extensions.get(SIGNED_HOOK) if has_app_context() else None
        if hook is not None and document.storage_key is None:
            hook(report, document, user)
    for attachment in sorted(report.current_attachments, key=lambda a: a.position):
        if attachment.registered_document_id is not None or attachment.file is None:
            continue  # a handling of the case already
        description = f"Bilaga {attachment.position} till tjänsteutlåtandet"
        if not attachment.is_confidential:
            description += f": {attachment.title}"
        document = automatic.register_once(
            case,
            user=user,
            source=f"attachment:{attachment.id}",
            description=description,
            document_date=day,
            sha256=attachment.file.sha256,
            storage_key=attachment.file.storage_key,
            is_confidential=attachment.is_confidential,
        )
        if document is not None:
            registered.append(document)
    return registered


def init_app(app: Flask, *, on_signed: Callable[[CaseReport, RegisteredDocument, User], object]) -> None:
    """Name what follows the registration of a signed report, in the signing's transaction: the factory passes the
    start of the render of its PDF (tasks.rendering.signed_report.start_signed_pdf, sent after the commit)."""
    app.extensions[SIGNED_HOOK] = on_signed
