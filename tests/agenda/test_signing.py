"""Justering of a rendered protokoll (agenda.minutes.signing): the built-in approval with the password entered
again, and the e-ID boundary played through FakeEidProvider: the states, wrong and replayed callbacks, a
signed PDF of another document or by another person refused."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from agenda.minutes.fake_eid import FakeEidProvider
from agenda.minutes.signing import (
    ORDER_TRANSITIONS,
    Approval,
    ApprovalMethod,
    BuiltinApproval,
    OrderState,
    SigningRefused,
    complete_eid_order,
    pdf_sha256,
    receive_callback,
    reject,
    start_eid_order,
)
from tests.sample_files import make_pdf

NOW = datetime(2025, 3, 6, 14, 30, tzinfo=UTC)
PDF = make_pdf("Protokoll Socialnämnden 2025-03-06")
SEEN = hashlib.sha256(PDF).hexdigest()
PASSWORDS = {7: "demo-ordforande", 8: "demo-ledamot"}


def _verify(user_id: int, password: str) -> bool:
    return PASSWORDS.get(user_id) == password


# --- built-in approval ---------------------------------------------------------------------------------


def test_an_approval_records_the_user_the_time_and_the_hash_of_the_pdf_they_saw():
    approval = BuiltinApproval(_verify).approve(
        user_id=7, password="demo-ordforande", pdf=PDF, seen_sha256=SEEN, now=NOW
    )
    assert approval == Approval(user_id=7, approved_at=NOW, pdf_sha256=SEEN, method=ApprovalMethod.PASSWORD)
    assert pdf_sha256(PDF) == SEEN


@pytest.mark.parametrize("user_id, password", [(7, "fel"), (7, ""), (8, "demo-ordforande"), (9, "demo-ordforande")])
def test_a_wrong_password_is_refused(user_id, password):
    with pytest.raises(SigningRefused, match="Lösenordet stämmer inte"):
        BuiltinApproval(_verify).approve(user_id=user_id, password=password, pdf=PDF, seen_sha256=SEEN, now=NOW)


def test_a_pdf_changed_since_it_was_shown_is_not_approved():
    newer = make_pdf("Protokoll Socialnämnden 2025-03-06, rättad")
    with pytest.raises(SigningRefused, match="ändrats sedan du öppnade det"):
        BuiltinApproval(_verify).approve(user_id=7, password="demo-ordforande", pdf=newer, seen_sha256=SEEN, now=NOW)


def test_the_password_is_not_asked_when_the_pdf_changed():
    asked = []

    def verify(user_id: int, password: str) -> bool:
        asked.append(user_id)
        return True

    with pytest.raises(SigningRefused):
        BuiltinApproval(verify).approve(user_id=7, password="x", pdf=PDF, seen_sha256="0" * 64, now=NOW)
    assert asked == []


def test_a_naive_time_is_a_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        BuiltinApproval(_verify).approve(
            user_id=7, password="demo-ordforande", pdf=PDF, seen_sha256=SEEN, now=datetime(2025, 3, 6, 14, 30)
        )


def test_a_rejection_keeps_its_comment():
    rejection = BuiltinApproval(_verify).reject(
        user_id=8, pdf=PDF, seen_sha256=SEEN.upper(), comment="  § 12: fel namn på reservanten.\n", now=NOW
    )
    assert (rejection.user_id, rejection.rejected_at, rejection.pdf_sha256) == (8, NOW, SEEN)
    assert rejection.comment == "§ 12: fel namn på reservanten."


def test_a_rejection_needs_a_comment():
    with pytest.raises(SigningRefused, match="Skriv vad som behöver rättas"):
        reject(user_id=8, pdf=PDF, seen_sha256=SEEN, comment="   ", now=NOW)


# --- e-ID ------------------------------------------------------------------------------------------------


@pytest.fixture
def provider() -> FakeEidProvider:
    return FakeEidProvider("freja-fake")


def _start(provider: FakeEidProvider, pdf: bytes = PDF, seen: str = SEEN):
    tokens: list[str] = []

    def callback_url(token: str) -> str:
        tokens.append(token)
        return f"https://namndflode.example/justering/callback/{token}"

    started = start_eid_order(
        provider,
        order_id="order-1",
        user_id=7,
        signer_reference="19700101-1234",
        pdf=pdf,
        seen_sha256=seen,
        visible_text="Justering av Socialnämndens protokoll 2025-03-06, §§ 1–21",
        callback_url=callback_url,
        now=NOW,
    )
    return started, tokens[0]


def test_an_order_goes_from_pending_to_signed_to_completed(provider):
    started, token = _start(provider)
    order = started.order
    assert order.state is OrderState.PENDING and order.pdf_sha256 == SEEN and order.provider == "freja-fake"
    reference, signer, text, url = provider.created[0]
    assert reference == order.provider_reference and signer == "19700101-1234"
    assert url.endswith(token) and started.start_url.endswith(reference) and "§§ 1–21" in text
    assert token not in repr(order), "only the token's hash is kept"

    body = provider.sign(order.provider_reference, at=NOW + timedelta(minutes=1))
    order = receive_callback(order, provider, token=token, body=body)
    assert order.state is OrderState.SIGNED

    done = complete_eid_order(order, provider, now=NOW + timedelta(minutes=2))
    assert done.order.state is OrderState.COMPLETED
    assert done.signed_pdf is not None and done.signed_pdf.startswith(PDF) and done.signed_pdf != PDF
    assert done.approval == Approval(
        user_id=7,
        approved_at=NOW + timedelta(minutes=2),
        pdf_sha256=SEEN,
        method=ApprovalMethod.EID,
        provider="freja-fake",
        signer_reference="19700101-1234",
        signed_pdf_sha256=hashlib.sha256(done.signed_pdf).hexdigest(),
    )
    assert done.order.signed_pdf_sha256 == done.approval.signed_pdf_sha256


def test_an_order_for_a_pdf_changed_since_it_was_shown_is_not_made(provider):
    with pytest.raises(SigningRefused, match="ändrats"):
        _start(provider, pdf=make_pdf("en annan version"))
    assert provider.created == []


def test_a_cancelled_signing_fails_the_order(provider):
    started, token = _start(provider)
    order = receive_callback(
        started.order, provider, token=token, body=provider.cancel(started.order.provider_reference)
    )
    assert order.state is OrderState.FAILED and order.reason == "avbruten av användaren"
    with pytest.raises(SigningRefused, match="inte klar att hämta"):
        complete_eid_order(order, provider, now=NOW)


def test_a_callback_with_another_orders_token_is_refused(provider):
    started, _token = _start(provider)
    body = provider.sign(started.order.provider_reference, at=NOW)
    with pytest.raises(SigningRefused, match="hör inte till den här signeringen"):
        receive_callback(started.order, provider, token="gissad-token", body=body)


def test_a_callback_naming_another_order_is_refused(provider):
    first, token = _start(provider)
    second, _ = _start(provider)
    body = provider.sign(second.order.provider_reference, at=NOW)
    with pytest.raises(SigningRefused, match="gäller en annan signering"):
        receive_callback(first.order, provider, token=token, body=body)


def test_a_forged_callback_is_refused(provider):
    started, token = _start(provider)
    body = provider.cancel(started.order.provider_reference)
    forged = {**body, "outcome": "signed"}
    with pytest.raises(SigningRefused, match="kommer inte från e-legitimationstjänsten"):
        receive_callback(started.order, provider, token=token, body=forged)
    with pytest.raises(SigningRefused, match="går inte att läsa"):
        receive_callback(started.order, provider, token=token, body={"order": started.order.provider_reference})


def test_a_callback_from_another_provider_is_refused(provider):
    started, token = _start(provider)
    other = FakeEidProvider("bankid-fake")
    with pytest.raises(SigningRefused, match="annan e-legitimationstjänst"):
        receive_callback(started.order, other, token=token, body={})


def test_a_replayed_callback_is_refused(provider):
    started, token = _start(provider)
    body = provider.sign(started.order.provider_reference, at=NOW)
    signed = receive_callback(started.order, provider, token=token, body=body)
    with pytest.raises(SigningRefused, match="redan tagits emot"):
        receive_callback(signed, provider, token=token, body=body)
    # a new callback on an order no longer pending (e.g. a late "cancelled") is refused too
    with pytest.raises(SigningRefused, match="redan avslutad"):
        receive_callback(signed, provider, token=token, body=provider.cancel(started.order.provider_reference))
    done = complete_eid_order(signed, provider, now=NOW)
    with pytest.raises(SigningRefused, match="redan tagits emot"):
        receive_callback(done.order, provider, token=token, body=body)


def test_a_signed_pdf_of_another_document_is_refused(provider):
    started, token = _start(provider)
    other = make_pdf("Protokoll med en ändrad paragraf")
    body = provider.sign(started.order.provider_reference, at=NOW, document=other)
    order = receive_callback(started.order, provider, token=token, body=body)
    done = complete_eid_order(order, provider, now=NOW)
    assert done.approval is None and done.signed_pdf is None
    assert done.order.state is OrderState.REFUSED
    assert done.order.reason == "Det signerade dokumentet är inte det protokoll som skickades för signering."


def test_a_signed_pdf_changed_after_signing_is_refused(provider, monkeypatch):
    started, token = _start(provider)
    order = receive_callback(
        started.order, provider, token=token, body=provider.sign(started.order.provider_reference, at=NOW)
    )
    signed = provider.fetch_signed_pdf(order.provider_reference)
    tampered = signed.replace(b"Protokoll", b"Protokolt", 1)
    assert tampered != signed
    monkeypatch.setattr(provider, "fetch_signed_pdf", lambda reference: tampered)
    done = complete_eid_order(order, provider, now=NOW)
    assert done.order.state is OrderState.REFUSED and done.approval is None
    assert "inte giltig" in done.order.reason


def test_a_pdf_signed_by_someone_else_is_refused(provider):
    started, token = _start(provider)
    body = provider.sign(started.order.provider_reference, at=NOW, signer_reference="19800202-5678")
    order = receive_callback(started.order, provider, token=token, body=body)
    done = complete_eid_order(order, provider, now=NOW)
    assert done.order.state is OrderState.REFUSED and done.approval is None
    assert "någon annan" in done.order.reason


def test_the_state_table_ends_in_completed_failed_or_refused():
    ends = {state for state, onward in ORDER_TRANSITIONS.items() if not onward}
    assert ends == {OrderState.COMPLETED, OrderState.FAILED, OrderState.REFUSED}
    started, _ = _start(FakeEidProvider())
    with pytest.raises(SigningRefused):
        started.order.moved_to(OrderState.COMPLETED)
