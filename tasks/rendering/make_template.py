"""Generate the municipal document template templates/documents/kommunmall.docx from python-docx's default.

The template is lean on purpose: python-docx's default carries 164 styles, their latent
definitions, stylesWithEffects.xml, a thumbnail and custom XML, and looking styles up in all
that is most of a build's time (RENDERING-NOTES.md). This keeps a dozen styles, declares
Swedish (sv-SE) as the language of every style and of the document settings (else every PDF
says /Lang en-US), uses fonts that Debian's fonts-liberation2 matches metrically (Arial,
Times New Roman), A4 pages, an empty header and footer for the builders to fill, and three
list definitions: the decision proposals, bullets and numbered lists of the text.

Regenerate after a change here with::

    .venv/bin/python -m tasks.rendering.make_template
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.shared import Mm

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "templates" / "documents" / "kommunmall.docx"
#: printed small in the footer of every document made from this template
TEMPLATE_REVISION = "Mall rev. 2026-11-29"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LANG = '<w:lang w:val="sv-SE" w:eastAsia="sv-SE" w:bidi="ar-SA"/>'
SANS = '<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial" w:eastAsia="Arial"/>'
SERIF = (
    '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" '
    'w:eastAsia="Times New Roman"/>'
)

#: numbering ids the builders refer to (numbering.xml below)
NUM_PROPOSALS = 1
NUM_BULLETS = 2
ABSTRACT_ORDERED = 3


def _style(
    kind: str,
    style_id: str,
    name: str,
    body: str,
    *,
    default: bool = False,
    based_on: str | None = None,
    next_id: str | None = None,
    ui_priority: int | None = None,
) -> str:
    attrs = f' w:type="{kind}" w:styleId="{style_id}"' + (' w:default="1"' if default else "")
    parts = [f'<w:name w:val="{name}"/>']
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_id:
        parts.append(f'<w:next w:val="{next_id}"/>')
    if ui_priority is not None:
        parts.append(f'<w:uiPriority w:val="{ui_priority}"/>')
    parts.append("<w:qFormat/>" if kind == "paragraph" else "")
    return f"<w:style{attrs}>{''.join(parts)}{body}</w:style>"


def styles_xml() -> str:
    """The template's styles: Word's built-in names, so Word and LibreOffice map them to their own."""
    styles = [
        _style(
            "paragraph",
            "Normal",
            "Normal",
            '<w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr>',
            default=True,
        ),
        _style(
            "paragraph",
            "Heading1",
            "heading 1",
            '<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="160"/><w:outlineLvl w:val="0"/></w:pPr>'
            f'<w:rPr>{SANS}<w:b/><w:bCs/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr>',
            based_on="Normal",
            next_id="Normal",
            ui_priority=9,
        ),
        _style(
            "paragraph",
            "Heading2",
            "heading 2",
            '<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="280" w:after="80"/><w:outlineLvl w:val="1"/></w:pPr>'
            f'<w:rPr>{SANS}<w:b/><w:bCs/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr>',
            based_on="Normal",
            next_id="Normal",
            ui_priority=9,
        ),
        _style(
            "paragraph",
            "Heading3",
            "heading 3",
            '<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="60"/><w:outlineLvl w:val="2"/></w:pPr>'
            f'<w:rPr>{SANS}<w:b/><w:bCs/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr>',
            based_on="Normal",
            next_id="Normal",
            ui_priority=9,
        ),
        _style(
            "paragraph",
            "ListNumber",
            "List Number",
            f'<w:pPr><w:numPr><w:numId w:val="{NUM_PROPOSALS}"/></w:numPr><w:spacing w:after="80"/></w:pPr>',
            based_on="Normal",
        ),
        _style(
            "paragraph",
            "ListBullet",
            "List Bullet",
            f'<w:pPr><w:numPr><w:numId w:val="{NUM_BULLETS}"/></w:numPr><w:spacing w:after="60"/></w:pPr>',
            based_on="Normal",
        ),
        _style(
            "paragraph",
            "Header",
            "header",
            '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            f'<w:rPr>{SANS}<w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>',
            based_on="Normal",
        ),
        _style(
            "paragraph",
            "Footer",
            "footer",
            '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            f'<w:rPr>{SANS}<w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>',
            based_on="Normal",
        ),
        _style("character", "DefaultParagraphFont", "Default Paragraph Font", "", default=True, ui_priority=1),
        _style(
            "character",
            "Hyperlink",
            "Hyperlink",
            '<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr>',
            based_on="DefaultParagraphFont",
        ),
        _style(
            "table",
            "TableNormal",
            "Normal Table",
            '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
            '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
            "</w:tblCellMar></w:tblPr>",
            default=True,
        ),
        # The page header and footer tables: no borders but a rule under the header and over the footer.
        _style(
            "table",
            "Sidhuvudtabell",
            "Sidhuvudtabell",
            '<w:pPr><w:spacing w:after="0"/></w:pPr><w:tblPr><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
            '<w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr>',
            based_on="TableNormal",
        ),
        _style("numbering", "NoList", "No List", "", default=True),
    ]
    return (
        f'<w:styles xmlns:w="{W_NS}">'
        f'<w:docDefaults><w:rPrDefault><w:rPr>{SERIF}<w:sz w:val="24"/><w:szCs w:val="24"/>{LANG}</w:rPr>'
        '</w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>" + "".join(styles) + "</w:styles>"
    )


def _level(ilvl: int, fmt: str, text: str, indent: int, font: str = "") -> str:
    rpr = f"<w:rPr>{font}</w:rPr>" if font else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{indent}" w:hanging="360"/></w:pPr>{rpr}</w:lvl>'
    )


def numbering_xml() -> str:
    """Proposals "1.", bullets, and numbered lists of the text ("1.", "a)", "i.")."""
    sans = SANS
    proposals = _level(0, "decimal", "%1.", 360)
    bullets = "".join(_level(i, "bullet", "•", 360 * (i + 1), sans) for i in range(3))
    ordered = (
        _level(0, "decimal", "%1.", 360) + _level(1, "lowerLetter", "%2)", 720) + _level(2, "lowerRoman", "%3.", 1080)
    )
    return (
        f'<w:numbering xmlns:w="{W_NS}">'
        f'<w:abstractNum w:abstractNumId="{NUM_PROPOSALS}"><w:multiLevelType w:val="singleLevel"/>{proposals}</w:abstractNum>'
        f'<w:abstractNum w:abstractNumId="{NUM_BULLETS}"><w:multiLevelType w:val="hybridMultilevel"/>{bullets}</w:abstractNum>'
        f'<w:abstractNum w:abstractNumId="{ABSTRACT_ORDERED}"><w:multiLevelType w:val="hybridMultilevel"/>{ordered}</w:abstractNum>'
        f'<w:num w:numId="{NUM_PROPOSALS}"><w:abstractNumId w:val="{NUM_PROPOSALS}"/></w:num>'
        f'<w:num w:numId="{NUM_BULLETS}"><w:abstractNumId w:val="{NUM_BULLETS}"/></w:num>'
        f'<w:num w:numId="{ABSTRACT_ORDERED}"><w:abstractNumId w:val="{ABSTRACT_ORDERED}"/></w:num>'
        "</w:numbering>"
    )


def settings_xml() -> str:
    return (
        f'<w:settings xmlns:w="{W_NS}"><w:defaultTabStop w:val="1304"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" '
        'w:val="15"/></w:compat>'
        '<w:themeFontLang w:val="sv-SE"/><w:decimalSymbol w:val=","/><w:listSeparator w:val=";"/></w:settings>'
    )


def _replace_part_xml(part: XmlPart, xml: str) -> None:
    part._element = parse_xml(xml)


def build_template() -> Document:
    document = docx.Document()
    main = document.part
    # Drop what only makes the template big or slow: stylesWithEffects, web settings, custom XML, thumbnail.
    for r_id, rel in list(main.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects") or rel.reltype in (RT.WEB_SETTINGS, RT.CUSTOM_XML):
            main.drop_rel(r_id)
    package_rels = main.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(r_id)

    _replace_part_xml(main._styles_part, styles_xml())
    _replace_part_xml(main.numbering_part, numbering_xml())
    _replace_part_xml(main._settings_part, settings_xml())

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(40), Mm(30)
    section.left_margin, section.right_margin = Mm(25), Mm(25)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    # An (empty) header and footer of the template's own, so a build only fills them.
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False

    props = document.core_properties
    props.author = "Nämndflöde"
    props.title = ""
    props.subject = ""
    props.comments = ""
    props.language = "sv-SE"
    props.revision = 1
    props.created = props.modified = datetime(2026, 11, 29, tzinfo=UTC).replace(tzinfo=None)
    props.last_modified_by = "Nämndflöde"
    return document


def main() -> int:
    TEMPLATE_PATH.parent.mkdir(parents=True, exist_ok=True)
    build_template().save(str(TEMPLATE_PATH))
    print(f"Skrev {TEMPLATE_PATH.relative_to(ROOT)} ({TEMPLATE_PATH.stat().st_size} byte)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
