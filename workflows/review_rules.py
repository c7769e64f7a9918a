"""A committee's rules of the review chain, set by its administrator.

Today one rule: whether the person who approved a report (granskare) may also sign it
(undertecknare). Off by default: four eyes. The guard that applies it is
``workflows.states.not_own_approval``. Validates, audits and flushes; the caller commits.
"""

from __future__ import annotations

from app import audit
from app.auth.models import User
from app.extensions import db
from app.organisation.models import Committee
from app.validation import ValidationError


def set_same_person_may_approve_and_sign(committee: Committee, *, user: User, allowed: object) -> Committee:
    """Allow or forbid one person to both approve and sign a report of ``committee``."""
    if not isinstance(allowed, bool):
        raise ValidationError({"same_person_may_approve_and_sign": "Ange ja eller nej."})
    before = committee.same_person_may_approve_and_sign
    if before == allowed:
        return committee
    committee.same_person_may_approve_and_sign = allowed
    db.session.flush()
    rule = (
        "samma person får både godkänna och underteckna ett tjänsteutlåtande"
        if allowed
        else "den som godkänt ett tjänsteutlåtande får inte också underteckna det"
    )
    audit.record(
        "committee.review_rules_changed",
        committee,
        f"{committee.name}: {rule}.",
        user=user,
        committee_id=committee.id,
        before={"same_person_may_approve_and_sign": before},
        after={"same_person_may_approve_and_sign": allowed},
    )
    return committee
