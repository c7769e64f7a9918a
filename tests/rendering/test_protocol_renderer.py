"""A protokoll revision's documents made in one LibreOffice call and split: the full protokoll, the public version
and an extract per §, read back from their PDFs; a render of the same input converts nothing; a justerat
protokoll's PDFs are sealed and verify, and sealing what was converted before does not convert again."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
import pytest

from tasks.rendering.package import MemoryCache
from tasks.rendering.protocol_renderer import ProtocolRenderer, Sealing, plan_protocol
from tasks.rendering.seal import make_demo_credentials, seal_pdf, verify_seal
from tests.rendering.pdf_checks import reader, structure_problems, text
from tests.rendering.protocol_sample import SECRET_TITLE, SECRETS, demo_protocol


class CountingConverter:
    def __init__(self, converter) -> None:
        self.converter, self.calls = converter, 0

    def __call__(self, data: bytes, *args, **kwargs) -> bytes:
        self.calls += 1
        return self.converter.convert(data, *args, **kwargs)


@pytest.fixture(scope="module")
def rendered(converter):
    protocol = demo_protocol()
    cache = MemoryCache()
    convert = CountingConverter(converter)
    progress: list[tuple[int, int]] = []
    documents = ProtocolRenderer(
        plan_protocol(protocol), cache, convert=convert, progress=lambda d, t: progress.append((d, t))
    ).run()
    return protocol, cache, documents, convert, progress


def _pdf_text(cache, document) -> str:
    return " ".join(text(reader(cache[f"{document.planned.key}.pdf"])).split())  # lines joined


def test_every_document_is_made_in_one_conversion_and_read_back(rendered):
    protocol, cache, documents, convert, progress = rendered
    numbers = [p["number"] for p in protocol["paragraphs"]]
    assert [(d.planned.kind, d.planned.paragraph) for d in documents] == [("full", None), ("public", None)] + [
        ("extract", n) for n in numbers
    ]
    assert convert.calls == 1 and progress[-1] == (len(documents), len(documents))
    full, public, *extracts = documents
    full_text = _pdf_text(cache, full)
    assert all(f"§ {n}" in full_text for n in numbers) and SECRET_TITLE in full_text
    public_text = _pdf_text(cache, public)
    assert "Offentlig version" in public_text or "OFFENTLIG VERSION" in public_text
    assert not [s for s in (*SECRETS, SECRET_TITLE) if s in public_text]
    for extract in extracts:
        extract_text = _pdf_text(cache, extract)
        assert "Rätt utdraget intygar" in extract_text and f"§ {extract.planned.paragraph}" in extract_text
        pdf = reader(cache[f"{extract.planned.key}.pdf"])
        assert pdf.trailer["/Root"]["/Lang"] == "sv-SE" and structure_problems(pdf) == []
    word = docx.Document(io.BytesIO(cache[f"{extracts[0].planned.key}.docx"]))
    assert "Rätt utdraget intygar" in [p.text for p in word.paragraphs]


def test_the_same_input_again_converts_and_builds_nothing(rendered):
    protocol, cache, _documents, _convert, _progress = rendered
    convert = CountingConverter(None)
    again = ProtocolRenderer(plan_protocol(protocol), MemoryCache(cache), convert=convert).run()
    assert convert.calls == 0 and all(d.reused for d in again)


def test_a_justerat_protokolls_pdfs_are_sealed_without_converting_again(rendered):
    protocol, cache, _documents, _convert, _progress = rendered
    credentials = make_demo_credentials("Huddinge kommun", now=datetime(2026, 12, 1, tzinfo=UTC))
    sealing = Sealing(lambda pdf: seal_pdf(pdf, credentials, location="Huddinge"), "demo")
    plan = plan_protocol(protocol)[:3]
    kept = MemoryCache(cache)
    convert = CountingConverter(None)
    ProtocolRenderer(plan, kept, convert=convert, sealing=sealing).run()
    assert convert.calls == 0
    for document in plan:
        check = verify_seal(kept[f"{document.key}.sigill-demo.pdf"], credentials.certificate_pem)
        assert check.is_valid, check.problem
