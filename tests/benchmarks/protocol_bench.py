"""The protokoll's figure for `make bench` (appended to run.FIGURES).

* protokoll-40: the protokoll of a meeting of 40 paragraphs with its 40 protokollsutdrag, end to end as the job
  makes them (tasks.rendering.protocol_renderer: each document's Word file, one combined conversion, split into a
  tagged PDF per document; nothing stored beforehand; a draft, so nothing sealed) against one warm conversion (no
  split options) of a single Word document holding exactly the same documents, each in a section of its own
  (tasks.rendering.batch's CombinedDocument fed by the same builders). The output prints both page counts, which
  agree. The public version, which the job makes too, is left out on both sides, as the issue's figure asks.
"""

from __future__ import annotations

import copy
import io

from tasks.rendering.package import MemoryCache
from tasks.rendering.protocol_json import ProtocolJSON

PARAGRAPHS = 40


def forty_paragraphs() -> ProtocolJSON:
    """The sample protokoll (tests/rendering/protocol_sample.py) with its nine kinds of § repeated to 40, numbered
    1–40: decisions, a vote with its list, a reservation, a postponement, jäv, a confidential §."""
    from tests.rendering.protocol_sample import demo_protocol

    protocol = demo_protocol()
    kinds = protocol["paragraphs"]
    paragraphs = []
    for n in range(1, PARAGRAPHS + 1):
        paragraph = copy.deepcopy(kinds[(n - 1) % len(kinds)])
        paragraph["number"], paragraph["item_number"] = n, n
        paragraphs.append(paragraph)
    protocol["paragraphs"] = paragraphs
    for signature in protocol["signatures"]:
        signature["paragraphs"] = list(range(1, PARAGRAPHS + 1))
    for other in protocol["others_present"]:
        other.pop("paragraphs", None)
    return protocol


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _protocol_figure():
    from tasks.rendering.batch import CombinedDocument
    from tasks.rendering.pdf import get_converter
    from tasks.rendering.protocol_renderer import ProtocolRenderer, plan_protocol

    converter = get_converter()
    converter.start()
    protocol = forty_paragraphs()
    plan = plan_protocol(protocol, public=False)

    def render() -> MemoryCache:
        cache = MemoryCache()
        ProtocolRenderer(plan, cache, convert=converter.convert).run()
        return cache

    combined = CombinedDocument()
    for document in plan:
        combined.add(document.make)
    single = combined.docx()
    made = render()
    pages = sum(_pages(made[f"{d.key}.pdf"]) for d in plan)
    print(
        f"  ({len(plan)} dokument, {pages} sidor som egna PDF-filer; "
        f"samma sidor som ett dokument: {_pages(converter.convert(single))})"
    )
    return render, (lambda: converter.convert(single))


def _pdf_unavailable() -> str | None:
    from tasks.rendering.pdf import unavailable_reason

    return unavailable_reason()


def figures():
    from tests.benchmarks.run import Figure

    return [
        Figure(
            "protokoll-40",
            "protokollet för ett sammanträde med 40 paragrafer och dess 40 protokollsutdrag, hela kedjan "
            "(DOCX + PDF per dokument)",
            "en konvertering av samma sidor som ett enda dokument",
            target=1.3,
            prepare=_protocol_figure,
            runs=5,
            unavailable=_pdf_unavailable,
        ),
    ]
