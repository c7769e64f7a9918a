"""Several documents in one LibreOffice conversion, split again (tasks.rendering.batch), and the render that uses it:
each part reads back as if converted alone (pages, text with its own "SIDA n (N)", numbering, tags); a full render
needs a handful of conversions, a render after one change converts that document only; a PDF bilaga goes into the
package unchanged. Runs on the session's warm LibreOffice."""

from __future__ import annotations

import copy
import io
from dataclasses import replace

import pikepdf
import pytest

from tasks.rendering.batch import SPLIT_OPTIONS, CombinedDocument, SplitFailed, convert_together, split
from tasks.rendering.intake import PNG, TXT, laid_out_builder
from tasks.rendering.package import MemoryCache, merge_package
from tasks.rendering.package_contents import PackageDocument, PackageItem
from tasks.rendering.report_docx import ProposalLine, report_maker
from tests.benchmarks.package_bench import _plan, _render
from tests.rendering.pdf_checks import blank_pdf, outline, png, reader, structure_problems, text
from tests.rendering.sample import SPECIAL, demo_report

WHERE = "Bilaga 1 ”Underlag” till punkt 4"


class Counting:
    """The converter, counting its calls and the export options of each."""

    def __init__(self, converter):
        self.converter, self.calls = converter, []

    def __call__(self, data: bytes, export_filter: str = "writer_pdf_Export", options=()) -> bytes:
        self.calls.append(tuple(options))
        return self.converter.convert(data, export_filter, options)


def _documents():
    first = demo_report("SN-2016/3342.181")
    second = replace(
        demo_report("SN-2017/50.182"),
        title=f"Andra rapporten {SPECIAL}",
        proposals=[ProposalLine("Första förslaget"), ProposalLine("Andra förslaget")],
    )
    text_bilaga = laid_out_builder("Bilaga 1 Text", "Bilagans text: Å ä ö § –\n\nAndra stycket.".encode(), TXT, WHERE)
    picture = laid_out_builder("Bilaga 2 Karta", png(), PNG, WHERE)
    return [
        (report_maker(first), "Tjänsteutlåtande"),
        (report_maker(second), "Tjänsteutlåtande"),
        (text_bilaga, "Bilaga 1 Text"),
        (picture, "Bilaga 2 Karta"),
        (report_maker(first), "Tjänsteutlåtande"),
    ]


def test_documents_converted_together_read_back_as_if_converted_alone(converter):
    documents = _documents()
    convert = Counting(converter)
    parts = convert_together(documents, convert)
    assert convert.calls == [SPLIT_OPTIONS] and len(parts) == len(documents)
    for (make, _title), pdf in zip(documents, parts):
        alone = reader(converter.convert(make().build()))
        part = reader(pdf)
        # same pages, same text: each header's "SIDA n (N)" counts the document's own pages, lists start at 1
        assert [p.extract_text() for p in part.pages] == [p.extract_text() for p in alone.pages]
        assert outline(part) == outline(alone) != []  # its bookmarks (the headings), nested as they were
        assert structure_problems(part) == []
        catalog = part.trailer["/Root"]
        assert catalog["/Lang"] == "sv-SE" and bool(catalog["/MarkInfo"]["/Marked"])
        # the headers' page-count references are not left behind as untagged links
        assert not [a for p in part.pages for a in (p.get("/Annots") or []) if "/StructParent" not in a.get_object()]
    first = reader(parts[0])
    pages = len(first.pages)
    assert pages > 1 and all(f"{n} ({pages})" in first.pages[n - 1].extract_text() for n in range(1, pages + 1))
    second = text(reader(parts[1]))
    assert "Andra rapporten Å ä ö § – “citat”" in second and "1. Första förslaget" in second.replace("1.\t", "1. ")
    with pikepdf.open(io.BytesIO(parts[3])) as picture:
        elements = [e for e in _elements(picture.Root.StructTreeRoot) if e.get("/S") == "/Figure"]
        assert elements and str(elements[0].get("/Alt")) == "Bilaga 2 Karta"


def test_a_split_without_its_marks_is_refused(converter):
    combined = CombinedDocument()
    for make, _title in _documents()[:2]:
        combined.add(make)
    pdf = converter.convert(combined.docx())  # converted without the marks as named destinations
    with pytest.raises(SplitFailed):
        split(pdf, ["Tjänsteutlåtande", "Tjänsteutlåtande"])


def test_a_render_converts_in_few_calls_and_again_only_what_changed(converter):
    plan, files = _plan(24, 1)
    convert = Counting(converter)
    cache, package = _render(plan, files, convert)
    # the kallelse, every report and every bilaga together; the contents pages are drawn, not converted
    assert convert.calls == [SPLIT_OPTIONS]
    full = reader(package)
    assert structure_problems(full) == [] and full.page_labels[-1] == str(len(full.pages))
    changed = copy.deepcopy(plan)
    item = next(i for i in changed.items["members"] if i.report)
    item.report.document.title = "Reviderat tjänsteutlåtande"
    item.report.key = item.report.document.input_hash()
    convert.calls.clear()
    _cache, again = _render(changed, files, convert, MemoryCache(cache))
    assert convert.calls == [()]  # that report alone; the rest and the contents pages from the cache
    again = reader(again)
    assert "Reviderat tjänsteutlåtande" in text(again) and "Reviderat tjänsteutlåtande" not in text(full)
    assert [e[0] for e in outline(again)] == [e[0] for e in outline(full)]
    assert structure_problems(again) == []


def _scanned_pdf(pages: int) -> bytes:
    """An untagged PDF whose pages draw a rectangle each (as a scanned bilaga might)."""
    pdf = pikepdf.open(io.BytesIO(blank_pdf(pages)))
    for n, page in enumerate(pdf.pages):
        page.obj.Contents = pdf.make_stream(f"0.5 g {50 + n} 50 200 300 re f".encode())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_pdf_bilaga_is_merged_as_it_is(converter):
    bilaga = _scanned_pdf(2)
    with pikepdf.open(io.BytesIO(bilaga)) as original:
        original_contents = [page.obj.Contents.read_raw_bytes() for page in original.pages]
    (report,) = convert_together(_documents()[:1], converter.convert)
    kallelse = converter.convert(_documents()[0][0]().build())
    items = [
        PackageItem(
            4,
            "4 Ärende – SN-2016/3342.181",
            [PackageDocument("Tjänsteutlåtande", report), PackageDocument("Bilaga 1 Skannad", bilaga)],
        )
    ]
    package = merge_package(kallelse, None, items, title="Möteshandlingar")
    r = reader(package)
    first = outline(r)[1][2][1][1] - 1
    with pikepdf.open(io.BytesIO(package)) as merged:
        for offset, content in enumerate(original_contents):
            streams = merged.pages[first + offset].obj.Contents
            # the page's own content, between the package's "q" and its "Sida n (N)" artifact
            assert [s.read_raw_bytes() for s in streams][1:-1] == [content]
    assert "/StructParents" not in r.pages[first] and structure_problems(r) == []


def _elements(node):
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") is not None:
            yield kid
            yield from _elements(kid)
