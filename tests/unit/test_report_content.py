"""Report content: sanitised rich text, validation, what is missing, hashes."""

import pytest

from app.validation import ValidationError
from workflows.content import (
    ReportContent,
    clean_content,
    html_to_text,
    missing_for_submission,
    sanitize_html,
)

SECTIONS = {"summary": "Sammanfattning", "description": "Beskrivning av ärendet", "child_rights": "Barnrättsperspektiv"}


@pytest.mark.parametrize(
    "dirty, clean",
    [
        ("<p>Hej <script>alert(1)</script>världen</p>", "<p>Hej världen</p>"),
        ('<p onclick="x()">Text</p>', "<p>Text</p>"),
        ('<img src=x onerror="alert(1)">', ""),
        ('<a href="javascript:alert(1)">länk</a>', '<a rel="noopener noreferrer">länk</a>'),
        ('<a href="https://huddinge.se">länk</a>', '<a href="https://huddinge.se" rel="noopener noreferrer">länk</a>'),
        ("<p><b>Fet</b> <i>kursiv</i> <u>understruken</u></p>", "<p><b>Fet</b> <i>kursiv</i> understruken</p>"),
        ("<ul><li>ett</li><li>två</li></ul>", "<ul><li>ett</li><li>två</li></ul>"),
        ("<table><tr><td>cell</td></tr></table>", "cell"),
        ('<p style="color:red">§ 5 åäö</p>', "<p>§ 5 åäö</p>"),
        # subheadings: h3 kept bare; another level becomes one; an empty one goes
        ('<h3 id="x" style="color:red" onclick="x()">Bakgrund</h3><p>Text</p>', "<h3>Bakgrund</h3><p>Text</p>"),
        ("<h1>Titel</h1><h2>Rubrik</h2><H4>Liten</H4>", "<h3>Titel</h3><h3>Rubrik</h3><h3>Liten</h3>"),
        ("<h3><script>alert(1)</script><strong>Ekonomi</strong> 2016</h3>", "<h3><strong>Ekonomi</strong> 2016</h3>"),
        ("<h3> </h3><h3></h3><p>Text</p>", "<p>Text</p>"),
        ("<h10>inte en rubrik</h10>", "inte en rubrik"),
    ],
)
def test_rich_text_keeps_only_what_word_carries(dirty, clean):
    assert sanitize_html(dirty, field="f", label="Fält") == clean


def test_plain_text_of_rich_text():
    assert (
        html_to_text("<p>Första &amp; <b>andra</b></p><ul><li>ett</li><li>två</li></ul>") == "Första & andra\nett\ntvå"
    )
    assert html_to_text("<h3>Bakgrund</h3><p>Text</p>") == "Bakgrund\nText"


def test_clean_content_sanitises_every_field_and_drops_empty_points():
    content = clean_content(
        {
            "title": "Rubrik <script>x</script>",
            "report_date": "2017-02-01",
            "sections": {"summary": "<p>Kort</p><script>evil()</script>", "description": ""},
            "proposals": [
                {"text": "Socialnämnden <b>godkänner</b>", "immediately_adjusted": True},
                {"text": "  "},
                "Punkt två",
            ],
            "recipients": "Kommunstyrelsen\n\n<i>Revisorerna</i>",
            "signatories": [{"user_id": 6, "name": "Eva Strand", "title": "Socialdirektör"}],
        },
        SECTIONS,
    )
    assert content.sections == {"summary": "<p>Kort</p>"}
    assert [p.text for p in content.proposals] == ["Socialnämnden godkänner", "Punkt två"]
    assert content.proposals[0].immediately_adjusted and not content.proposals[1].immediately_adjusted
    assert content.recipients == ["Kommunstyrelsen", "Revisorerna"]
    assert "<script>" not in content.title  # the title is text; pages escape it


@pytest.mark.parametrize(
    "raw, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"title": "T", "report_date": "1/2/2017"}, "report_date"),
        ({"title": "T", "sections": {"unknown": "x"}}, "sections.unknown"),
        ({"title": "T", "proposals": "inte en lista"}, "proposals"),
        ({"title": "T", "proposals": [{"text": "x", "immediately_adjusted": "ja"}]}, "proposals.1"),
        ({"title": "T", "proposals": [{"text": "x", "colour": "red"}]}, "proposals.1"),
        ({"title": "T", "signatories": [{"name": ""}]}, "signatories"),
        ({"title": "T", "sections": {"summary": "x" * 100_001}}, "sections.summary"),
    ],
)
def test_bad_content_is_refused_naming_the_field(raw, field):
    with pytest.raises(ValidationError) as info:
        clean_content(raw, SECTIONS)
    assert field in info.value.errors


def test_missing_for_submission_names_proposals_and_required_sections():
    content = ReportContent(title="T", sections={"summary": "<p> </p>"})
    assert missing_for_submission(content, {"summary": "Sammanfattning", "child_rights": "Barnrättsperspektiv"}) == [
        "Förslag till beslut",
        "Sammanfattning",
        "Barnrättsperspektiv",
    ]


def test_content_hash_and_changed_fields():
    a = clean_content({"title": "T", "sections": {"summary": "<p>Ett</p>"}, "proposals": ["P"]}, SECTIONS)
    b = clean_content({"title": "T", "sections": {"summary": "<p>Två</p>"}, "proposals": ["P"]}, SECTIONS)
    assert a.content_hash() != b.content_hash()
    assert a.content_hash() == ReportContent.from_json(a.to_json()).content_hash()
    assert b.changed_fields(a) == ["sections.summary"]
    assert {"title", "proposals", "sections.summary"} <= set(a.changed_fields(None))
