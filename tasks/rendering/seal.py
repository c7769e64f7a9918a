"""The organisation's electronic seal on a justerat protokoll: sealing a PDF and checking a sealed one.

The seal is a PAdES baseline B-B signature (ETSI EN 319 142-1; CMS with the signing certificate as a signed
attribute, sub-filter ETSI.CAdES.detached) made with pyHanko under the organisation's certificate, not a
person's: it shows that the file comes from the municipality and has not changed since. It is added as an
incremental update, so every byte of the PDF as it was (its structure tree, language and bookmarks: the
PDF/UA tagging) stays as it is; the signature field is invisible. B-B needs no network: no time-stamp
authority and no revocation data are fetched (B-T would add a TSA's time-stamp).

``verify_seal`` says whether a sealed PDF is intact (the signed bytes hash to the signed digest and the
signature verifies), whether the signature covers the whole file (nothing appended after sealing) and
whether it was made with the expected certificate. ``make_demo_credentials`` makes a self-signed
organisation certificate for the demo and the tests; production reads a real one from the files that
``SEAL_CERTIFICATE_PATH`` and ``SEAL_KEY_PATH`` name (``SealCredentials.from_files``).
"""

from __future__ import annotations

import asyncio
import fcntl
import io
import os
from collections.abc import Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

T = TypeVar("T")

#: the signature field the seal goes into
SEAL_FIELD = "Sigill"
#: what the seal's signature dictionary says it is for
SEAL_REASON = "Justerat protokoll, förseglat med organisationens elektroniska sigill"


def _run(work: Coroutine[object, object, T]) -> T:
    """pyHanko's signing and validation are coroutines (its synchronous names call ``asyncio.run``): run one to
    its end on a loop of its own, in a thread of its own when the caller's thread already runs a loop (an
    asynchronous worker, or a Playwright session in the same test process)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


class SealError(RuntimeError):
    """The seal could not be made: the certificate or key is missing, unreadable or do not belong together."""


@dataclass(frozen=True)
class SealCredentials:
    """The organisation's certificate (PEM), its private key (PEM, maybe encrypted) and the chain up to its CA."""

    certificate_pem: bytes
    key_pem: bytes
    key_password: bytes | None = None
    #: the intermediate certificates (PEM) between the organisation's certificate and its CA, if any
    chain_pem: bytes = b""

    @classmethod
    def from_files(
        cls, certificate_path: str | Path, key_path: str | Path, key_password: str | None = None
    ) -> SealCredentials:
        """Read the credentials from files: the certificate file may carry its chain after it."""
        try:
            certificates = Path(certificate_path).read_bytes()
            key = Path(key_path).read_bytes()
        except OSError as exc:
            raise SealError(f"Could not read the seal's certificate or key: {exc}") from exc
        leaf, *chain = load_certs_from_pemder_data(certificates)
        return cls(
            certificate_pem=_pem(leaf),
            key_pem=key,
            key_password=key_password.encode("utf-8") if key_password else None,
            chain_pem=b"".join(_pem(certificate) for certificate in chain),
        )

    def certificate(self) -> asn1_x509.Certificate:
        """The organisation's certificate."""
        return _certificates(self.certificate_pem)[0]

    def signer(self) -> signers.SimpleSigner:
        """pyHanko's signer for these credentials, refusing a key that does not belong to the certificate."""
        try:
            key = serialization.load_pem_private_key(self.key_pem, password=self.key_password)
        except (TypeError, ValueError) as exc:
            raise SealError(f"The seal's private key cannot be read: {exc}") from exc
        certificate = self.certificate()
        spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        if key.public_key().public_bytes(*spki) != certificate.public_key.dump():
            raise SealError("The seal's private key does not belong to its certificate.")
        pkcs8 = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        registry = SimpleCertificateStore()
        for known in [certificate, *(_certificates(self.chain_pem) if self.chain_pem.strip() else [])]:
            registry.register(known)
        return signers.SimpleSigner(
            signing_cert=certificate,
            signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8),
            cert_registry=registry,
        )


def _certificates(pem: bytes) -> list[asn1_x509.Certificate]:
    try:
        found = list(load_certs_from_pemder_data(pem))
    except ValueError as exc:
        raise SealError(f"The seal's certificate cannot be read: {exc}") from exc
    if not found:
        raise SealError("The seal's certificate file holds no certificate.")
    return found


def _pem(certificate: asn1_x509.Certificate) -> bytes:
    loaded = x509.load_der_x509_certificate(certificate.dump())
    return loaded.public_bytes(serialization.Encoding.PEM)


def make_demo_credentials(organisation: str, *, now: datetime, days: int = 3650) -> SealCredentials:
    """A self-signed seal certificate and key for ``organisation`` (the demo's and the tests'; no CA vouches)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} elektroniskt sigill (demo)"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return SealCredentials(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def credentials_from_settings(
    settings: Mapping[str, object], *, instance_path: Path, organisation: str, now: datetime
) -> SealCredentials:
    """The seal's credentials the configuration names, or the embedded default's demo certificate.

    ``SEAL_CERTIFICATE_PATH`` and ``SEAL_KEY_PATH`` (with ``SEAL_KEY_PASSWORD``) name the organisation's own;
    without them production refuses, and the embedded default makes a self-signed one for ``organisation``
    once and keeps it in ``instance/seal/``.
    """
    certificate, key = settings.get("SEAL_CERTIFICATE_PATH"), settings.get("SEAL_KEY_PATH")
    if certificate and key:
        password = settings.get("SEAL_KEY_PASSWORD")
        return SealCredentials.from_files(str(certificate), str(key), str(password) if password else None)
    if settings.get("APP_ENV") == "production":
        raise SealError("No seal certificate: set SEAL_CERTIFICATE_PATH and SEAL_KEY_PATH.")
    return kept_demo_credentials(Path(instance_path) / "seal", organisation, now=now)


def kept_demo_credentials(directory: Path, organisation: str, *, now: datetime) -> SealCredentials:
    """The demo certificate kept in ``directory`` (``demo-sigill.crt``, ``demo-sigill.key``), made on first use."""
    certificate_path, key_path = directory / "demo-sigill.crt", directory / "demo-sigill.key"
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two workers starting at once make one certificate
        if certificate_path.exists() and key_path.exists():
            return SealCredentials.from_files(certificate_path, key_path)
        made = make_demo_credentials(organisation, now=now)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(made.key_pem)
        certificate_path.write_bytes(made.certificate_pem)
        return made


def seal_pdf(pdf: bytes, credentials: SealCredentials, *, location: str | None = None) -> bytes:
    """``pdf`` with the organisation's seal added as an incremental update (PAdES B-B)."""
    signer = credentials.signer()
    organisation = credentials.certificate().subject.native.get("organization_name")
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=SEAL_REASON,
        location=location,
        name=str(organisation) if organisation else None,
    )
    description = f"Elektroniskt sigill: {organisation}" if organisation else "Elektroniskt sigill"
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        fields.append_signature_field(
            writer, fields.SigFieldSpec(sig_field_name=SEAL_FIELD, readable_field_name=description)
        )
        _tag_seal_field(writer, description)
        out = _run(signers.async_sign_pdf(writer, metadata, signer=signer))
    except PdfError as exc:
        raise SealError(f"The PDF cannot be sealed: {exc}") from exc
    sealed: bytes = out.getvalue()
    return sealed


def _tag_seal_field(writer: IncrementalPdfFileWriter, description: str) -> None:
    """Give the seal's widget its /Form element in the structure tree, as PDF/UA asks of every widget.

    The element goes under the tree's top element (/Document) with an object reference to the widget, the
    widget's /StructParent names it in the parent tree, and its page gets /Tabs /S. An untagged PDF stays
    untagged.
    """
    catalog = writer.root
    if "/StructTreeRoot" not in catalog:
        return
    tree_ref = catalog.raw_get("/StructTreeRoot")
    tree = catalog["/StructTreeRoot"]
    field_ref = next(
        ref for ref in catalog["/AcroForm"]["/Fields"].iterate() if ref.get_object().get("/T") == SEAL_FIELD
    )
    widget = field_ref.get_object()
    page_ref = widget.raw_get("/P")
    # PDF/UA: a page with annotations takes them in the order of the structure tree
    page_ref.get_object()["/Tabs"] = generic.NameObject("/S")
    writer.mark_update(page_ref)
    if "/ParentTree" not in tree:
        tree["/ParentTree"] = writer.add_object(generic.DictionaryObject({"/Nums": generic.ArrayObject()}))

    parent_ref, parent = tree_ref, tree
    top = tree.raw_get("/K") if "/K" in tree else None
    if isinstance(top, generic.ArrayObject) and len(top) == 1:
        top = top.raw_get(0)
    if isinstance(top, generic.IndirectObject):
        parent_ref, parent = top, top.get_object()

    key = max(_parent_tree_keys(tree["/ParentTree"]) + [int(tree.get("/ParentTreeNextKey", 0)) - 1]) + 1
    form_ref = writer.add_object(
        generic.DictionaryObject(
            {
                "/Type": generic.NameObject("/StructElem"),
                "/S": generic.NameObject("/Form"),
                "/P": parent_ref,
                "/Pg": page_ref,
                "/Alt": generic.TextStringObject(description),
                "/K": generic.DictionaryObject(
                    {"/Type": generic.NameObject("/OBJR"), "/Obj": field_ref, "/Pg": page_ref}
                ),
            }
        )
    )
    kids = parent.raw_get("/K") if "/K" in parent else generic.ArrayObject()
    if isinstance(kids, generic.IndirectObject):
        kids = kids.get_object() if isinstance(kids.get_object(), generic.ArrayObject) else generic.ArrayObject([kids])
    elif not isinstance(kids, generic.ArrayObject):
        kids = generic.ArrayObject([kids])
    kids.append(form_ref)
    parent["/K"] = kids
    writer.mark_update(parent_ref)

    widget["/StructParent"] = generic.NumberObject(key)
    writer.mark_update(field_ref)
    parent_tree = tree["/ParentTree"]
    if "/Nums" in parent_tree:
        nums = parent_tree["/Nums"]
        nums.extend([generic.NumberObject(key), form_ref])
        writer.update_container(nums)
    else:
        parent_tree["/Kids"].append(
            writer.add_object(
                generic.DictionaryObject(
                    {
                        "/Nums": generic.ArrayObject([generic.NumberObject(key), form_ref]),
                        "/Limits": generic.ArrayObject([generic.NumberObject(key), generic.NumberObject(key)]),
                    }
                )
            )
        )
        writer.update_container(parent_tree["/Kids"])
    tree["/ParentTreeNextKey"] = generic.NumberObject(key + 1)
    writer.mark_update(tree_ref)


def _parent_tree_keys(node: generic.DictionaryObject) -> list[int]:
    """Every key of a number tree (the structure tree's parent tree)."""
    keys = [int(node["/Nums"][i]) for i in range(0, len(node["/Nums"]), 2)] if "/Nums" in node else []
    for kid in node.get("/Kids", []):
        keys += _parent_tree_keys(kid.get_object())
    return keys


@dataclass(frozen=True)
class SealCheck:
    """What ``verify_seal`` found."""

    #: the PDF carries a signature at all
    is_sealed: bool
    #: the signed bytes are as they were signed and the signature verifies
    intact: bool
    #: the signature covers the whole file: nothing was added after sealing
    covers_whole_file: bool
    #: the signer's certificate is the one expected
    signer_matches: bool
    #: the signer's certificate subject, as text ("" when none)
    signer: str = ""
    #: what is wrong, in Swedish, for the user ("" when valid)
    problem: str = ""

    @property
    def is_valid(self) -> bool:
        return self.is_sealed and self.intact and self.covers_whole_file and self.signer_matches


def verify_seal(pdf: bytes, certificate_pem: bytes) -> SealCheck:
    """Check the last signature of ``pdf`` against the organisation's certificate ``certificate_pem``."""
    expected = _certificates(certificate_pem)[0]
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError):
        return SealCheck(False, False, False, False, problem="Filen går inte att läsa som PDF.")
    if not signatures:
        return SealCheck(False, False, False, False, problem="PDF-filen saknar sigill.")
    context = ValidationContext(trust_roots=[expected], allow_fetching=False, revocation_mode="soft-fail")
    try:
        status: PdfSignatureStatus = _run(async_validate_pdf_signature(signatures[-1], context))
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError):
        return SealCheck(True, False, False, False, problem="Sigillet går inte att kontrollera: filen är skadad.")
    certificate = status.signing_cert
    signer_matches = certificate.dump() == expected.dump()
    covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    intact = bool(status.intact and status.valid)
    if not intact:
        problem = "PDF-filen har ändrats efter att den förseglades."
    elif not covers_whole_file:
        problem = "Något har lagts till i PDF-filen efter att den förseglades."
    elif not signer_matches:
        problem = "Sigillet är inte gjort med organisationens certifikat."
    else:
        problem = ""
    return SealCheck(
        is_sealed=True,
        intact=intact,
        covers_whole_file=covers_whole_file,
        signer_matches=signer_matches,
        signer=certificate.subject.human_friendly,
        problem=problem,
    )
