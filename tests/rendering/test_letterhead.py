"""A municipality's own Word template: refused on upload with what is missing named; used, it shows.

The documents made on it are read back (python-docx; PDF through LibreOffice with pypdf): its first page's
header and footer text, its Heading 1 (Georgia), the builders' own header and address block beside them, the
lists numbered from 1, and nothing of the template's sample text.
"""

from __future__ import annotations

import io

import docx
import pytest
from pypdf import PdfReader

from app.validation import ValidationError
from tasks.rendering.batch import convert_together
from tasks.rendering.kallelse_docx import build_kallelse_docx, kallelse_input_hash, kallelse_maker
from tasks.rendering.letterhead import check_template, prepare_template, uploaded_template
from tasks.rendering.report_docx import ProposalLine, SectionText, build_report_docx, report_maker
from tasks.rendering.word import default_template, template_sha256, using_template
from tests.rendering.meeting_sample import demo_snapshots
from tests.rendering.sample import demo_report
from tests.sample_files import (
    TEMPLATE_FOOTER_TEXT,
    TEMPLATE_HEADER_TEXT,
    TEMPLATE_HEADING_FONT,
    make_pdf,
    with_entries,
    word_template,
)


def refusal(data: bytes, filename: str = "mall.docx") -> str:
    with pytest.raises(ValidationError) as caught:
        check_template(data, filename)
    return caught.value.errors["file"]


def test_a_file_that_is_no_word_file_is_refused_by_its_content():
    assert "är inte en Word-fil" in refusal(make_pdf(), "mall.docx")
    assert "Word-fil" in refusal(b"hej", "mall.txt")
    assert "äldre format (.doc)" in refusal(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "mall.doc")


def test_a_template_with_macros_is_refused():
    assert "makron" in refusal(word_template(), "mall.docm")
    with_macros = with_entries(word_template(), [("word/vbaProject.bin", b"\0" * 64)])
    assert "makron" in refusal(with_macros, "mall.docx")


def test_a_template_lacking_styles_or_a_first_page_is_refused_naming_them():
    message = refusal(word_template(without_styles=("heading 2", "footer")))
    assert "Rubrik 2 (Heading 2)" in message and "Sidfot (Footer)" in message
    assert "Rubrik 1" not in message
    message = refusal(word_template(first_page=False))
    assert "Sidhuvud för första sidan saknas" in message and "Sidfot för första sidan saknas" in message


def test_a_valid_template_is_accepted_as_docx_and_as_dotx():
    assert check_template(word_template(), "Lerums mall.docx")
    assert check_template(word_template(dotx=True), "Lerums mall.dotx")


def _template():
    data = check_template(word_template(), "mall.docx")
    return uploaded_template(data, "f" * 64, "Mall rev. 2027-01-15 (version 1)")


def test_the_prepared_template_has_the_builders_style_ids_and_no_sample_text():
    prepared = docx.Document(io.BytesIO(prepare_template(word_template())))
    ids = {s.style_id: s.name for s in prepared.styles}
    assert ids["Heading1"].lower() == "heading 1" and ids["Header"].lower() == "header"
    assert "Sidhuvudtabell" in ids and "Rubrik1" not in ids
    assert not prepared.paragraphs or all(not p.text for p in prepared.paragraphs)


@pytest.mark.parametrize("has_its_own", [True, False])
def test_subheadings_are_written_in_the_templates_heading_3_or_the_projects(has_its_own):
    """A section's subheadings use the template's "heading 3" (Rubrik 3); a template without one gets the project's."""
    data = word_template(without_styles=() if has_its_own else ("heading 3",))
    template = uploaded_template(check_template(data, "mall.docx"), ("a" if has_its_own else "b") * 64, "Mall")
    report = demo_report(sections=[SectionText("Beskrivning av ärendet", "<h3>Bakgrund</h3><p>Text.</p>")])
    with using_template(template):
        document = docx.Document(io.BytesIO(build_report_docx(report)))
    heading = document.styles["Heading 3"]
    assert heading.style_id == "Heading3"
    assert [p.text for p in document.paragraphs if p.style.style_id == "Heading3"] == ["Bakgrund"]
    ours = docx.Document(io.BytesIO(default_template().data)).styles["Heading 3"]
    assert (heading.font.size == ours.font.size) is not has_its_own  # python-docx's own is 13 pt, ours 11 pt


def test_a_report_and_a_kallelse_on_the_template_carry_its_letterhead_and_styles():
    template = _template()
    # report_data reads the revision of the template in use into the report, as the kallelse's builder reads it
    report = demo_report(
        proposals=[ProposalLine("Först."), ProposalLine("Sedan.")], template_revision=template.revision
    )
    members, _public = demo_snapshots()
    with using_template(template):
        assert template_sha256() == template.sha256 != default_template().sha256
        made = {
            "report": docx.Document(io.BytesIO(build_report_docx(report))),
            "kallelse": docx.Document(io.BytesIO(build_kallelse_docx(members, public=False))),
        }
    for name, document in made.items():
        section = document.sections[0]
        header = section.first_page_header
        assert header.paragraphs[0].text == TEMPLATE_HEADER_TEXT, name  # the letterhead above the builder's table
        assert header.tables, name
        footer = section.first_page_footer
        assert footer.paragraphs[-1].text == TEMPLATE_FOOTER_TEXT, name  # below the builder's footer
        assert "Mall rev. 2027-01-15 (version 1)" in " ".join(p.text for p in footer.paragraphs)
        assert TEMPLATE_HEADER_TEXT not in " ".join(p.text for p in section.header.paragraphs)  # first page only
        heading = document.styles["Heading 1"]
        assert heading.style_id == "Heading1" and heading.font.name == TEMPLATE_HEADING_FONT
        texts = [p.text for p in document.paragraphs]
        assert not any("Exempeltext i mallen" in t for t in texts)
        assert any(p.style.name.lower() == "heading 1" for p in document.paragraphs), name
    proposals = [p for p in made["report"].paragraphs if p.text in ("Först.", "Sedan.")]
    assert [p._p.pPr.numPr.numId.val for p in proposals] == [1, 1]  # the builders' list, not the template's


def test_the_template_changes_the_input_hashes():
    members, _public = demo_snapshots()
    before = kallelse_input_hash(members, public=False), demo_report().input_hash()
    with using_template(_template()):
        after = kallelse_input_hash(members, public=False), demo_report().input_hash()
    assert before[0] != after[0] and before[1] != after[1]
    assert kallelse_input_hash(members, public=False) == before[0]  # outside the block: the project's own again


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.slow
def test_converted_alone_and_together_the_letterhead_is_on_the_first_page_only(converter):
    members, _public = demo_snapshots()
    with using_template(_template()):
        alone = converter.convert(build_report_docx(demo_report()))
        together = convert_together(
            [(report_maker(demo_report()), "Tjänsteutlåtande"), (kallelse_maker(members, public=False), "Kallelse")],
            converter.convert,
        )
    for pdf in (alone, *together):
        pages = pdf_text(pdf)
        assert TEMPLATE_HEADER_TEXT in pages[0] and TEMPLATE_FOOTER_TEXT in pages[0]
        assert all(TEMPLATE_HEADER_TEXT not in page for page in pages[1:])
        assert "Exempeltext" not in "".join(pages)
