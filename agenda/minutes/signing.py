"""Approving (justering) a rendered protokoll: the built-in approval and the boundary for an e-ID signing service.

An approval binds a person to the exact PDF they saw: it records the user, the time and the sha256 of the
PDF's bytes. The page shows the PDF and posts back the sha256 of what it showed; an approval whose PDF has
changed since then is refused, so nobody approves a version they did not see.

Two ways to approve, both ending in the same ``Approval`` record:

* **The built-in approval** (``BuiltinApproval``): the chair or justerare enters their password again; a
  verifier callable (user id, password → bool) says whether it is theirs. Rejecting needs a comment
  (the secretary corrects and a new version goes round) but no password: it approves nothing.
* **An e-ID signing service** (BankID, Freja eID through a signing service), in four steps:

  1. ``start_eid_order``: the provider gets the PDF and a callback address carrying a one-time token;
     the order remembers the PDF's sha256 and whom the provider must report as signer. The signer signs
     in their e-ID app.
  2. ``receive_callback``: the provider calls back. The token must be the order's (compared in constant
     time, only its hash kept), the provider must vouch for the message (``read_callback``), it must name
     this order, and each callback is taken once: a replayed or late one is refused.
  3. and 4. ``complete_eid_order``: the signed PDF is fetched and verified by the provider's adapter
     (signature valid, who signed, the sha256 of the document as it was before the signature was added);
     a signature by someone else or over another document than the order's is refused and the order
     ends as ``REFUSED``.

  An adapter for a real service implements ``EidSigningProvider``; the service's own protocol (its API,
  client certificate, callback signature, polling where it has no callback) stays inside the adapter.
  ``FakeEidProvider`` plays one in tests and the demo.

Pure: dataclasses, a state table and callables; no Flask, no database. The caller stores what these
return (the order as a row, the approval as an audit-logged record) and decides beforehand who may
approve (the chair and the justerare of that meeting).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

#: (user id, password as typed) → whether it is that user's password
PasswordVerifier = Callable[[int, str], bool]


class SigningRefused(ValueError):
    """An approval, rejection or signing step refused; the message is Swedish, for the user."""


def pdf_sha256(pdf: bytes) -> str:
    """The hex sha256 of a PDF's exact bytes: what an approval records."""
    return hashlib.sha256(pdf).hexdigest()


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("an approval's time must be timezone-aware")


def _require_seen(pdf: bytes, seen_sha256: str) -> str:
    actual = pdf_sha256(pdf)
    if not hmac.compare_digest(actual, seen_sha256.strip().lower()):
        raise SigningRefused(
            "Protokollet har ändrats sedan du öppnade det. Läs den nya versionen och justera den i stället."
        )
    return actual


class ApprovalMethod(enum.Enum):
    """How the approver showed it was them."""

    PASSWORD = "password"
    EID = "eid"


@dataclass(frozen=True)
class Approval:
    """One person's justering of one rendering of the protokoll."""

    user_id: int
    approved_at: datetime
    #: the sha256 of the exact PDF bytes the approver saw
    pdf_sha256: str
    method: ApprovalMethod
    #: the e-ID provider's name (``None`` for the built-in approval)
    provider: str | None = None
    #: the person the e-ID provider reported as signer (e.g. a personnummer), as the order expected
    signer_reference: str | None = None
    #: the sha256 of the signed PDF the e-ID service returned (keep that file beside the approval)
    signed_pdf_sha256: str | None = None


@dataclass(frozen=True)
class Rejection:
    """One person's refusal to approve a rendering, with what is wrong."""

    user_id: int
    rejected_at: datetime
    pdf_sha256: str
    comment: str


def reject(*, user_id: int, pdf: bytes, seen_sha256: str, comment: str, now: datetime) -> Rejection:
    """Refuse to approve the PDF the user saw; the comment says what the secretary must correct."""
    _require_aware(now)
    text = comment.strip()
    if not text:
        raise SigningRefused("Skriv vad som behöver rättas när du inte godkänner protokollet.")
    return Rejection(user_id=user_id, rejected_at=now, pdf_sha256=_require_seen(pdf, seen_sha256), comment=text)


@dataclass(frozen=True)
class BuiltinApproval:
    """Justering in the product: the user enters their password again."""

    verify_password: PasswordVerifier

    def approve(self, *, user_id: int, password: str, pdf: bytes, seen_sha256: str, now: datetime) -> Approval:
        """Approve the PDF the user saw, or refuse with a Swedish message (wrong password, a changed PDF)."""
        _require_aware(now)
        digest = _require_seen(pdf, seen_sha256)
        if not password or not self.verify_password(user_id, password):
            raise SigningRefused("Lösenordet stämmer inte. Protokollet är inte justerat.")
        return Approval(user_id=user_id, approved_at=now, pdf_sha256=digest, method=ApprovalMethod.PASSWORD)

    def reject(self, *, user_id: int, pdf: bytes, seen_sha256: str, comment: str, now: datetime) -> Rejection:
        """Refuse to approve, with a comment; see ``reject``."""
        return reject(user_id=user_id, pdf=pdf, seen_sha256=seen_sha256, comment=comment, now=now)


# --- The e-ID signing service's boundary -------------------------------------------------------------------


class OrderState(enum.Enum):
    """Where a signing order stands."""

    #: created at the provider; the signer has not signed yet
    PENDING = "pending"
    #: the provider called back: signed; the signed PDF is still to be fetched and verified
    SIGNED = "signed"
    #: the signed PDF verified: the approval is made
    COMPLETED = "completed"
    #: the provider called back: cancelled by the signer, expired or failed at the provider
    FAILED = "failed"
    #: the signed PDF did not verify (another document, another signer, a broken signature)
    REFUSED = "refused"


#: the signing order's state machine: each state and the states it may move to
ORDER_TRANSITIONS: Mapping[OrderState, frozenset[OrderState]] = {
    OrderState.PENDING: frozenset({OrderState.SIGNED, OrderState.FAILED}),
    OrderState.SIGNED: frozenset({OrderState.COMPLETED, OrderState.REFUSED}),
    OrderState.COMPLETED: frozenset(),
    OrderState.FAILED: frozenset(),
    OrderState.REFUSED: frozenset(),
}


class CallbackOutcome(enum.Enum):
    SIGNED = "signed"
    FAILED = "failed"


@dataclass(frozen=True)
class ProviderOrder:
    """What the provider answers to a new order."""

    #: the provider's reference to the order, which its callbacks and the fetch name
    reference: str
    #: where the signer goes (or what their e-ID app opens) to sign
    start_url: str


@dataclass(frozen=True)
class ProviderCallback:
    """A callback as the provider's adapter read it, after checking that the provider sent it."""

    order_reference: str
    #: unique per callback: the same id twice is a replay
    callback_id: str
    outcome: CallbackOutcome
    #: the provider's reason for a failure, for the log
    detail: str = ""


@dataclass(frozen=True)
class SignatureReport:
    """What the provider's adapter found in a signed PDF."""

    is_valid: bool
    #: who signed, as the provider identifies people (the reference the order was made for)
    signer_reference: str
    signed_at: datetime
    #: the sha256 of the document as it was before this signature was added to it
    signed_document_sha256: str


class EidSigningProvider(Protocol):
    """An e-ID signing service (BankID, Freja eID …) behind an adapter."""

    #: a short name stored with each order and approval ("bankid", "freja")
    name: str

    def create_order(self, *, pdf: bytes, signer_reference: str, visible_text: str, callback_url: str) -> ProviderOrder:
        """Ask the service to have ``signer_reference`` sign ``pdf``; it calls ``callback_url`` when done."""
        ...

    def read_callback(self, body: Mapping[str, str]) -> ProviderCallback:
        """Read a callback's body, raising ``SigningRefused`` unless the service demonstrably sent it."""
        ...

    def fetch_signed_pdf(self, reference: str) -> bytes:
        """The signed PDF of a signed order."""
        ...

    def verify_signed_pdf(self, signed_pdf: bytes) -> SignatureReport:
        """Check the signature in a signed PDF and say who signed what."""
        ...


@dataclass(frozen=True)
class SigningOrder:
    """One person's e-ID signing of one rendering of the protokoll, as the product keeps it."""

    order_id: str
    provider: str
    provider_reference: str
    user_id: int
    #: whom the provider must report as signer
    signer_reference: str
    #: the sha256 of the PDF given to the provider: the document the signature must cover
    pdf_sha256: str
    #: the sha256 of the one-time token in the callback address (the token itself is not kept)
    callback_token_sha256: str
    created_at: datetime
    state: OrderState = OrderState.PENDING
    #: the callbacks taken, so none is taken twice
    callback_ids: frozenset[str] = field(default_factory=frozenset)
    signed_pdf_sha256: str | None = None
    #: why the order failed or was refused
    reason: str = ""

    def moved_to(
        self,
        state: OrderState,
        *,
        callback_ids: frozenset[str] | None = None,
        signed_pdf_sha256: str | None = None,
        reason: str = "",
    ) -> SigningOrder:
        """The order in ``state``, refused unless the state table allows the move."""
        if state not in ORDER_TRANSITIONS[self.state]:
            raise SigningRefused(f"Signeringen kan inte gå från {self.state.value} till {state.value}.")
        return replace(
            self,
            state=state,
            callback_ids=self.callback_ids if callback_ids is None else callback_ids,
            signed_pdf_sha256=signed_pdf_sha256 or self.signed_pdf_sha256,
            reason=reason or self.reason,
        )


@dataclass(frozen=True)
class StartedOrder:
    """A new order, and where to send the signer."""

    order: SigningOrder
    start_url: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_eid_order(
    provider: EidSigningProvider,
    *,
    order_id: str,
    user_id: int,
    signer_reference: str,
    pdf: bytes,
    seen_sha256: str,
    visible_text: str,
    callback_url: Callable[[str], str],
    now: datetime,
) -> StartedOrder:
    """Create a signing order for the PDF the user saw; ``callback_url`` makes the address from a one-time token."""
    _require_aware(now)
    digest = _require_seen(pdf, seen_sha256)
    token = secrets.token_urlsafe(32)
    answer = provider.create_order(
        pdf=pdf, signer_reference=signer_reference, visible_text=visible_text, callback_url=callback_url(token)
    )
    order = SigningOrder(
        order_id=order_id,
        provider=provider.name,
        provider_reference=answer.reference,
        user_id=user_id,
        signer_reference=signer_reference,
        pdf_sha256=digest,
        callback_token_sha256=_token_hash(token),
        created_at=now,
    )
    return StartedOrder(order=order, start_url=answer.start_url)


def receive_callback(
    order: SigningOrder, provider: EidSigningProvider, *, token: str, body: Mapping[str, str]
) -> SigningOrder:
    """The order after the provider's callback: signed or failed. A wrong, forged or replayed one is refused."""
    if provider.name != order.provider:
        raise SigningRefused("Svaret kommer från en annan e-legitimationstjänst än beställningen.")
    if not hmac.compare_digest(_token_hash(token), order.callback_token_sha256):
        raise SigningRefused("Svaret hör inte till den här signeringen.")
    callback = provider.read_callback(body)
    if callback.order_reference != order.provider_reference:
        raise SigningRefused("Svaret gäller en annan signering.")
    if callback.callback_id in order.callback_ids:
        raise SigningRefused("Svaret har redan tagits emot.")
    if order.state is not OrderState.PENDING:
        raise SigningRefused("Signeringen är redan avslutad.")
    seen = order.callback_ids | {callback.callback_id}
    if callback.outcome is CallbackOutcome.SIGNED:
        return order.moved_to(OrderState.SIGNED, callback_ids=seen)
    return order.moved_to(OrderState.FAILED, callback_ids=seen, reason=callback.detail or "avbruten")


@dataclass(frozen=True)
class EidCompletion:
    """The end of an order: completed with its approval and the signed PDF, or refused with the reason."""

    order: SigningOrder
    approval: Approval | None
    signed_pdf: bytes | None


def complete_eid_order(order: SigningOrder, provider: EidSigningProvider, *, now: datetime) -> EidCompletion:
    """Fetch the signed PDF of a signed order and verify it: the approval, or the order refused with why."""
    _require_aware(now)
    if order.state is not OrderState.SIGNED:
        raise SigningRefused("Signeringen är inte klar att hämta.")
    if provider.name != order.provider:
        raise SigningRefused("Signeringen gjordes hos en annan e-legitimationstjänst.")
    signed_pdf = provider.fetch_signed_pdf(order.provider_reference)
    report = provider.verify_signed_pdf(signed_pdf)
    problem = ""
    if not report.is_valid:
        problem = "Underskriften i det signerade protokollet är inte giltig."
    elif not hmac.compare_digest(report.signed_document_sha256, order.pdf_sha256):
        problem = "Det signerade dokumentet är inte det protokoll som skickades för signering."
    elif report.signer_reference != order.signer_reference:
        problem = "Protokollet är signerat av någon annan än den som skulle justera."
    if problem:
        return EidCompletion(order=order.moved_to(OrderState.REFUSED, reason=problem), approval=None, signed_pdf=None)
    signed_digest = pdf_sha256(signed_pdf)
    approval = Approval(
        user_id=order.user_id,
        approved_at=now,
        pdf_sha256=order.pdf_sha256,
        method=ApprovalMethod.EID,
        provider=order.provider,
        signer_reference=report.signer_reference,
        signed_pdf_sha256=signed_digest,
    )
    return EidCompletion(
        order=order.moved_to(OrderState.COMPLETED, signed_pdf_sha256=signed_digest),
        approval=approval,
        signed_pdf=signed_pdf,
    )
