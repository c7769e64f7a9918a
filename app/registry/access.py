"""Who reaches which case: load a case for a user and decide once; then its registered documents, its secrets.

Pages and API both load through here, so they answer the same question with the same status:

- **404** when the user may not know the case exists: another committee's case, or a confidential
  case whose secrets they may not read (README, "Roles"). An unknown id looks the same.
- **403** when they see the case but may not do the action asked for (a member of the committee
  reads the public diarium, but not its tjänsteutlåtanden; a case officer does not void cases).

The table of who may do what stays in ``app.permissions``; this module only asks it.
"""

from __future__ import annotations

from typing import TypeVar

from flask import abort

from app.auth.models import User
from app.extensions import Model, db
from app.permissions import Action, can, decide
from app.registry.models import Case, RegisteredDocument

#: the largest id a row can have (a 32-bit integer column): a larger one is unknown, not an error
INT_MAX = 2**31 - 1


_M = TypeVar("_M", bound=Model)


def get_by_id(model: type[_M], ident: int) -> _M | None:
    """Return the row of ``model`` with this id, or None (also for ids no row can have)."""
    return db.session.get(model, ident) if 0 < ident <= INT_MAX else None


def may_know(user: User | None, case: Case) -> bool:
    """Whether ``user`` may know that ``case`` exists (and read what its diarium page shows)."""
    return can(user, Action.view_case, case)


def check_case(user: User | None, case: Case, action: Action = Action.view_case) -> Case:
    """Return ``case`` if ``user`` may do ``action`` on it; else 401, 404 or 403 as the module says."""
    return decide(user, case, known_by=Action.view_case, action=action)


def load_case(user: User | None, case_id: int, action: Action = Action.view_case) -> Case:
    """Return the case with this id if ``user`` may do ``action`` on it; 404 when unknown or hidden, else 403."""
    case = get_by_id(Case, case_id)
    if case is None:
        abort(404)
    return check_case(user, case, action)


def document_of(case: Case, document_id: int | None) -> RegisteredDocument | None:
    """Return the registered document with this id if it belongs to ``case`` (loaded for the user first), else None."""
    document = get_by_id(RegisteredDocument, document_id) if document_id is not None else None
    return document if document is not None and document.case_id == case.id else None


def may_read_secrets(user: User | None, case: Case) -> bool:
    """Whether ``user`` may read the case's secrets: its confidential title, and the party (sender or recipient)
    of each of its confidential documents, which anyone else sees masked.

    The registrar, secretary, reviewer, approver and admin of the committee, and the case's own officer.
    """
    return can(user, Action.view_confidential, case)
