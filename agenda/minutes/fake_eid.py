"""A stand-in e-ID signing service for the tests and the demo: it signs without an app and without network.

It keeps orders in memory and plays the signer's part on request (``sign``, ``cancel``), answering as a real
service would through ``agenda.minutes.signing.EidSigningProvider``: a callback body that carries an HMAC
under the fake service's own key, and a signed PDF that is the original bytes with a signature block
appended after them, as an incremental update is. Never configure it in production: its key is in memory
and its signer is whoever the test says.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from agenda.minutes.signing import (
    CallbackOutcome,
    ProviderCallback,
    ProviderOrder,
    SignatureReport,
    SigningRefused,
)

_MARKER = b"\n%FakeEid-Signature "


@dataclass
class _FakeOrder:
    pdf: bytes
    signer_reference: str
    callback_url: str
    signed_pdf: bytes | None = None


class FakeEidProvider:
    """An in-memory e-ID signing service with a test's hand on the signer."""

    def __init__(self, name: str = "fake-eid") -> None:
        self.name = name
        self._key = secrets.token_bytes(32)
        self._orders: dict[str, _FakeOrder] = {}
        #: every order the service was given, in order: (reference, signer, visible text, callback address)
        self.created: list[tuple[str, str, str, str]] = []

    # --- the service's side of EidSigningProvider ---

    def create_order(self, *, pdf: bytes, signer_reference: str, visible_text: str, callback_url: str) -> ProviderOrder:
        reference = f"fake-{secrets.token_hex(8)}"
        self._orders[reference] = _FakeOrder(pdf=pdf, signer_reference=signer_reference, callback_url=callback_url)
        self.created.append((reference, signer_reference, visible_text, callback_url))
        return ProviderOrder(reference=reference, start_url=f"https://eid.example/sign/{reference}")

    def read_callback(self, body: Mapping[str, str]) -> ProviderCallback:
        try:
            fields = {name: body[name] for name in ("order", "callback", "outcome", "detail")}
            mac = body["mac"]
            outcome = CallbackOutcome(fields["outcome"])
        except (KeyError, ValueError) as exc:
            raise SigningRefused("Svaret från e-legitimationstjänsten går inte att läsa.") from exc
        if not hmac.compare_digest(mac, self._mac(fields)):
            raise SigningRefused("Svaret kommer inte från e-legitimationstjänsten.")
        return ProviderCallback(
            order_reference=fields["order"], callback_id=fields["callback"], outcome=outcome, detail=fields["detail"]
        )

    def fetch_signed_pdf(self, reference: str) -> bytes:
        order = self._orders.get(reference)
        if order is None or order.signed_pdf is None:
            raise SigningRefused("E-legitimationstjänsten har inget signerat protokoll för beställningen.")
        return order.signed_pdf

    def verify_signed_pdf(self, signed_pdf: bytes) -> SignatureReport:
        document, marker, block = signed_pdf.rpartition(_MARKER)
        if not marker:
            raise SigningRefused("Protokollet saknar underskrift.")
        try:
            claims = json.loads(block)
            mac = claims.pop("mac")
        except (ValueError, KeyError, TypeError) as exc:
            raise SigningRefused("Underskriften går inte att läsa.") from exc
        digest = hashlib.sha256(document).hexdigest()
        valid = hmac.compare_digest(mac, self._mac(claims)) and claims.get("document") == digest
        return SignatureReport(
            is_valid=valid,
            signer_reference=str(claims.get("signer", "")),
            signed_at=datetime.fromisoformat(str(claims.get("signed_at"))),
            signed_document_sha256=digest,
        )

    # --- the test's hand: what the signer and the service do ---

    def sign(
        self,
        reference: str,
        *,
        at: datetime,
        signer_reference: str | None = None,
        document: bytes | None = None,
    ) -> dict[str, str]:
        """The signer signs: make the signed PDF and return the callback body the service would send.

        ``signer_reference`` and ``document`` let a test have someone else sign, or sign another document.
        """
        order = self._orders[reference]
        signed = order.pdf if document is None else document
        claims = {
            "signer": order.signer_reference if signer_reference is None else signer_reference,
            "signed_at": at.isoformat(),
            "document": hashlib.sha256(signed).hexdigest(),
        }
        block = json.dumps({**claims, "mac": self._mac(claims)}, sort_keys=True).encode("ascii")
        order.signed_pdf = signed + _MARKER + block + b"\n"
        return self._callback(reference, CallbackOutcome.SIGNED)

    def cancel(self, reference: str, detail: str = "avbruten av användaren") -> dict[str, str]:
        """The signer cancels in their app: the callback body the service would send."""
        return self._callback(reference, CallbackOutcome.FAILED, detail)

    def _callback(self, reference: str, outcome: CallbackOutcome, detail: str = "") -> dict[str, str]:
        fields = {"order": reference, "callback": secrets.token_hex(8), "outcome": outcome.value, "detail": detail}
        return {**fields, "mac": self._mac(fields)}

    def _mac(self, fields: Mapping[str, str]) -> str:
        text = json.dumps(dict(fields), sort_keys=True).encode("utf-8")
        return hmac.new(self._key, text, hashlib.sha256).hexdigest()
