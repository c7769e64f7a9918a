"""The organisation's seal (tasks.rendering.seal): a tagged PDF sealed with a demo certificate verifies with
pyHanko's own validation, keeps its structure tree, and a byte changed or appended afterwards is found."""

from __future__ import annotations

import asyncio
import io
import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pikepdf
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pikepdf import Array, Dictionary, Name, String
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from tasks.rendering import pdf_fonts
from tasks.rendering.package_contents import PackageDocument, PackageItem, contents_pdf
from tasks.rendering.seal import (
    SEAL_FIELD,
    SealCredentials,
    SealError,
    credentials_from_settings,
    make_demo_credentials,
    seal_pdf,
    verify_seal,
)
from tests.rendering.meeting_sample import demo_snapshots
from tests.rendering.pdf_checks import reader, structure_problems
from tests.sample_files import make_pdf

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def tagged_pdf(text: str = "Protokoll", *, parent_tree_kids: bool = False) -> bytes:
    """A one-page tagged PDF (Document → P with its marked content), /Lang sv-SE, made with pikepdf.

    ``parent_tree_kids``: the parent tree as a root with /Kids (as larger files have it) rather than /Nums.
    """
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    page.Resources = Dictionary(Font=Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"/P <</MCID 0>> BDC BT /F1 12 Tf 72 770 Td (%s) Tj ET EMC" % text.encode())
    page.StructParents = 0
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))
    paragraph = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.P, P=document, Pg=page.obj, K=0))
    document.K = Array([paragraph])
    root.K = document
    leaf = Dictionary(Nums=Array([0, Array([paragraph])]))
    if parent_tree_kids:
        leaf.Limits = Array([0, 0])
        root.ParentTree = pdf.make_indirect(Dictionary(Kids=Array([pdf.make_indirect(leaf)])))
    else:
        root.ParentTree = pdf.make_indirect(leaf)
        root.ParentTreeNextKey = 1
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.Root.Lang = String("sv-SE")
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, deterministic_id=True)  # the same bytes each time it is made
    return out.getvalue()


@pytest.fixture(scope="module")
def credentials() -> SealCredentials:
    return make_demo_credentials("Huddinge kommun", now=NOW)


@pytest.fixture(scope="module")
def sealed(credentials) -> bytes:
    return seal_pdf(tagged_pdf(), credentials, location="Huddinge")


def test_a_sealed_pdf_verifies_with_pyhankos_validation(credentials, sealed):
    signature = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert [s.field_name for s in signature] == [SEAL_FIELD]
    context = ValidationContext(trust_roots=[credentials.certificate()], allow_fetching=False)
    # pyHanko's own validation, on a loop of its own (this process may run Playwright's loop)
    with ThreadPoolExecutor(max_workers=1) as pool:
        status = pool.submit(asyncio.run, async_validate_pdf_signature(signature[0], context)).result()
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["organization_name"] == "Huddinge kommun"
    # PAdES: the CAdES sub-filter, the signing certificate as a signed attribute
    dictionary = signature[0].sig_object
    assert dictionary["/SubFilter"] == "/ETSI.CAdES.detached"
    assert dictionary["/Location"] == "Huddinge" and "Justerat protokoll" in dictionary["/Reason"]
    signed_attributes = signature[0].signer_info["signed_attrs"].native
    assert any(attribute["type"] == "signing_certificate_v2" for attribute in signed_attributes)


def test_sealing_and_verifying_work_where_an_event_loop_already_runs(credentials):
    """A Playwright session in the same test process, or an asynchronous worker, runs a loop in the caller's
    thread: pyHanko's synchronous names (``asyncio.run``) would refuse there."""

    async def inside_a_loop() -> bool:
        sealed = seal_pdf(tagged_pdf("I en loop"), credentials)
        return verify_seal(sealed, credentials.certificate_pem).is_valid

    # a thread of its own, so that the loop is this test's even where Playwright's already runs in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result()


def test_verify_seal_says_so(credentials, sealed):
    check = verify_seal(sealed, credentials.certificate_pem)
    assert check.is_valid and check.problem == ""
    assert "Huddinge kommun" in check.signer


def test_the_seal_is_an_incremental_update_that_keeps_the_tags(sealed):
    original = tagged_pdf()
    assert sealed.startswith(original), "the original bytes stay as they were"
    with pikepdf.open(io.BytesIO(original)) as before, pikepdf.open(io.BytesIO(sealed)) as after:
        assert after.Root.Lang == "sv-SE" and after.Root.MarkInfo.Marked
        assert after.Root.StructTreeRoot.objgen == before.Root.StructTreeRoot.objgen
        assert str(after.Root.StructTreeRoot.K.S) == "/Document"
        assert str(after.Root.StructTreeRoot.K.K[0].S) == "/P"
        assert after.pages[0].StructParents == 0
    assert structure_problems(reader(sealed)) == []


def _seal_widget_tagging(sealed: bytes) -> tuple[str, str, str]:
    """(the seal field's /TU, its element's type, its element's /Alt), checking the references on the way."""
    with pikepdf.open(io.BytesIO(sealed)) as pdf:
        (field,) = [f for f in pdf.Root.AcroForm.Fields if f.T == SEAL_FIELD]
        tree = pdf.Root.StructTreeRoot
        document = tree.K
        form = document.K[-1]
        assert form.K.Type == Name.OBJR and form.K.Obj.objgen == field.objgen
        assert form.P.objgen == document.objgen and form.Pg.objgen == field.P.objgen
        key = int(field.StructParent)
        assert int(tree.ParentTreeNextKey) == key + 1
        number_tree = pikepdf.NumberTree(tree.ParentTree)
        assert number_tree[key].objgen == form.objgen
        assert str(number_tree[0][0].S) == "/P", "the page's entry is kept"
        assert pdf.pages[0].Tabs == Name.S
        return str(field.TU), str(form.S), str(form.Alt)


@pytest.mark.parametrize("parent_tree_kids", [False, True])
def test_the_seals_widget_is_tagged_as_a_form_element(credentials, parent_tree_kids):
    sealed = seal_pdf(tagged_pdf(parent_tree_kids=parent_tree_kids), credentials)
    assert verify_seal(sealed, credentials.certificate_pem).is_valid
    description = "Elektroniskt sigill: Huddinge kommun"
    assert _seal_widget_tagging(sealed) == (description, "/Form", description)
    if not parent_tree_kids:  # structure_problems reads a parent tree of /Nums only
        assert structure_problems(reader(sealed)) == []


def test_an_untagged_pdf_is_sealed_and_stays_untagged(credentials):
    sealed = seal_pdf(make_pdf("Protokoll"), credentials)
    assert verify_seal(sealed, credentials.certificate_pem).is_valid
    with pikepdf.open(io.BytesIO(sealed)) as pdf:
        assert "/StructTreeRoot" not in pdf.Root


@pytest.mark.parametrize(
    "old, new",
    [
        (b"(Protokoll)", b"(Protokolt)"),  # the page's text, in the original bytes
        (b"(sv-SE)", b"(en-GB)"),  # the catalog's language, in the original bytes
        (b"Huddinge)", b"Hudding3)"),  # the seal's own /Location, in the update
    ],
)
def test_a_byte_changed_after_sealing_is_found(credentials, sealed, old, new):
    assert sealed.count(old) == 1
    check = verify_seal(sealed.replace(old, new), credentials.certificate_pem)
    assert not check.is_valid and not check.intact
    assert check.problem == "PDF-filen har ändrats efter att den förseglades."


def test_bytes_added_after_sealing_are_found(credentials, sealed):
    check = verify_seal(sealed + "\n% tillagt efteråt\n".encode(), credentials.certificate_pem)
    assert check.intact and not check.covers_whole_file and not check.is_valid
    assert check.problem == "Något har lagts till i PDF-filen efter att den förseglades."


def test_a_pdf_rewritten_after_sealing_is_found(credentials, sealed):
    with pikepdf.open(io.BytesIO(sealed)) as pdf:
        pdf.Root.Lang = String("en-GB")
        out = io.BytesIO()
        pdf.save(out, preserve_pdfa=False)
        rewritten = out.getvalue()
    assert not verify_seal(rewritten, credentials.certificate_pem).is_valid


def test_a_seal_by_another_certificate_does_not_match(credentials):
    stranger = make_demo_credentials("Annan kommun", now=NOW)
    check = verify_seal(seal_pdf(tagged_pdf(), stranger), credentials.certificate_pem)
    assert check.intact and check.covers_whole_file and not check.signer_matches and not check.is_valid
    assert check.problem == "Sigillet är inte gjort med organisationens certifikat."


def test_an_unsealed_pdf_and_a_non_pdf(credentials):
    assert verify_seal(tagged_pdf(), credentials.certificate_pem).problem == "PDF-filen saknar sigill."
    assert not verify_seal(b"inte en pdf", credentials.certificate_pem).is_valid


def test_credentials_from_files_with_an_encrypted_key(tmp_path, credentials):
    key = serialization.load_pem_private_key(credentials.key_pem, password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"hemligt-l\xc3\xb6senord"),
    )
    (tmp_path / "sigill.crt").write_bytes(credentials.certificate_pem)
    (tmp_path / "sigill.key").write_bytes(encrypted)
    loaded = SealCredentials.from_files(tmp_path / "sigill.crt", tmp_path / "sigill.key", "hemligt-lösenord")
    assert verify_seal(seal_pdf(tagged_pdf(), loaded), credentials.certificate_pem).is_valid
    wrong = SealCredentials.from_files(tmp_path / "sigill.crt", tmp_path / "sigill.key", "fel")
    with pytest.raises(SealError, match="cannot be read"):
        seal_pdf(tagged_pdf(), wrong)
    with pytest.raises(SealError, match="Could not read"):
        SealCredentials.from_files(tmp_path / "saknas.crt", tmp_path / "sigill.key")


def test_a_key_that_is_not_the_certificates_is_refused(credentials):
    other_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    mismatched = SealCredentials(certificate_pem=credentials.certificate_pem, key_pem=other_key)
    with pytest.raises(SealError, match="does not belong"):
        seal_pdf(tagged_pdf(), mismatched)


@pytest.mark.skipif(pdf_fonts.missing_fonts_reason() is not None, reason=str(pdf_fonts.missing_fonts_reason()))
def test_a_rendered_tagged_pdf_keeps_its_structure_when_sealed(credentials):
    meeting = demo_snapshots()[0]["meeting"]
    items = [PackageItem(1, "1 Val av justerare", [PackageDocument("Tjänsteutlåtande", b"", 2)])]
    rendered = contents_pdf(meeting, 2, items, public=False)
    sealed = seal_pdf(rendered, credentials)
    assert verify_seal(sealed, credentials.certificate_pem).is_valid
    before, after = reader(rendered), reader(sealed)
    assert structure_problems(after) == [] == structure_problems(before)
    assert after.trailer["/Root"]["/Lang"] == "sv-SE" and after.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert after.metadata.title == before.metadata.title
    assert len(after.pages) == len(before.pages)
    with pikepdf.open(io.BytesIO(sealed)) as pdf:
        (document,) = pdf.Root.StructTreeRoot.K
        assert str(document.S) == "/Document"
        form = document.K[-1]
        assert str(form.S) == "/Form" and form.K.Obj.T == SEAL_FIELD


def test_the_settings_name_the_certificate_or_the_demo_makes_one_once(tmp_path, credentials):
    (tmp_path / "org.crt").write_bytes(credentials.certificate_pem)
    (tmp_path / "org.key").write_bytes(credentials.key_pem)
    named = {
        "APP_ENV": "production",
        "SEAL_CERTIFICATE_PATH": str(tmp_path / "org.crt"),
        "SEAL_KEY_PATH": str(tmp_path / "org.key"),
    }
    assert credentials_from_settings(named, instance_path=tmp_path, organisation="X", now=NOW) == credentials

    with pytest.raises(SealError, match="SEAL_CERTIFICATE_PATH"):
        credentials_from_settings({"APP_ENV": "production"}, instance_path=tmp_path, organisation="X", now=NOW)

    embedded = {"APP_ENV": "embedded", "SEAL_CERTIFICATE_PATH": None, "SEAL_KEY_PATH": None}
    first = credentials_from_settings(embedded, instance_path=tmp_path, organisation="Huddinge kommun", now=NOW)
    again = credentials_from_settings(embedded, instance_path=tmp_path, organisation="Huddinge kommun", now=NOW)
    assert first == again != credentials
    assert stat.S_IMODE((tmp_path / "seal" / "demo-sigill.key").stat().st_mode) == 0o600
    assert verify_seal(seal_pdf(tagged_pdf(), again), first.certificate_pem).is_valid
