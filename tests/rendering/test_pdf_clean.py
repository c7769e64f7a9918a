"""Active content in a PDF bilaga does not reach the meeting package (issue 13).

``hostile_pdf`` is a bilaga with everything a PDF can run or carry: JavaScript on opening the
document and a page, in the /JavaScript name tree, behind a bookmark and a form field; a link
that launches a program, links to javascript:, file: and another PDF, a form that submits
itself, an XFA form, an attached file (in the /EmbeddedFiles name tree and as an annotation).
It goes through the path a PDF bilaga takes (``attachment_pdf`` → ``checked_pdf``) into a package
put together as the package tests do; the package is read back walking every object.
"""

from __future__ import annotations

import io

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from tasks.rendering import intake
from tasks.rendering.intake import PDF, attachment_pdf
from tasks.rendering.package import assemble_package
from tasks.rendering.package_contents import PackageDocument, PackageItem
from tasks.rendering.pdf_clean import clean_pdf
from tests.rendering.meeting_sample import demo_snapshots
from tests.rendering.pdf_checks import blank_pdf, reader, text

WHERE = "Bilaga 1 ”Underlag” till punkt 4 (SN-2016/3342.181)"
VISIBLE = "Bilagans synliga text om verksamheten 2016"
SCRIPT = "app.alert('KANARIE-skript')"
ATTACHED = b"KANARIE-bifogad fil: hemliga personuppgifter"
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Rendition"}


def _script(pdf: pikepdf.Pdf) -> Dictionary:
    return pdf.make_indirect(Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(SCRIPT)))


def _attached_file(pdf: pikepdf.Pdf) -> Dictionary:
    stream = pdf.make_stream(ATTACHED)
    stream.Type = Name.EmbeddedFile
    return pdf.make_indirect(
        Dictionary(Type=Name.Filespec, F=String("hemligt.txt"), UF=String("hemligt.txt"), EF=Dictionary(F=stream))
    )


def _link(pdf: pikepdf.Pdf, y: int, action: Dictionary) -> Dictionary:
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, y, 300, y + 14]), Border=Array([0, 0, 0]), A=action
        )
    )


def hostile_pdf() -> bytes:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)
    )
    contents = pdf.make_stream(f"BT /F1 14 Tf 72 760 Td ({VISIBLE}) Tj ET".encode("latin-1"))
    page = pikepdf.Page(
        Dictionary(
            Type=Name.Page,
            MediaBox=Array([0, 0, 595, 842]),
            Contents=contents,
            Resources=Dictionary(Font=Dictionary(F1=font)),
        )
    )
    pdf.pages.append(page)
    page = pdf.pages[0].obj
    page.AA = Dictionary(O=_script(pdf), C=_script(pdf))  # on opening and closing the page
    field = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("namn"),
            Rect=Array([72, 500, 300, 520]),
            P=page,
            AA=Dictionary(K=_script(pdf), F=_script(pdf), C=_script(pdf)),
            A=Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("http://127.0.0.1:8080/in"))),
        )
    )
    page.Annots = pdf.make_indirect(
        Array(
            [
                _link(
                    pdf,
                    700,
                    Dictionary(
                        S=Name.Launch, F=String("cmd.exe"), Win=Dictionary(F=String("cmd.exe"), P=String("/c calc"))
                    ),
                ),
                _link(pdf, 680, Dictionary(S=Name.URI, URI=String("javascript:app.alert(1)"))),
                _link(pdf, 660, Dictionary(S=Name.URI, URI=String("file:///etc/passwd"))),
                _link(pdf, 640, Dictionary(S=Name.GoToR, F=String("//filserver/annan.pdf"), D=Array([0, Name.Fit]))),
                _link(pdf, 620, Dictionary(S=Name.ImportData, F=String("data.fdf"))),
                _link(
                    pdf, 600, Dictionary(S=Name.URI, URI=String("https://www.huddinge.se/"), Next=_script(pdf))
                ),  # a safe link followed by a script
                pdf.make_indirect(
                    Dictionary(
                        Type=Name.Annot,
                        Subtype=Name.FileAttachment,
                        Rect=Array([72, 560, 90, 578]),
                        FS=_attached_file(pdf),
                        Contents=String("Bifogad fil"),
                    )
                ),
                field,
            ]
        )
    )
    pdf.Root.OpenAction = _script(pdf)
    pdf.Root.AA = Dictionary(WC=_script(pdf), WP=_script(pdf))  # before closing, before printing
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("init"), _script(pdf)])),
        EmbeddedFiles=Dictionary(Names=Array([String("hemligt.txt"), _attached_file(pdf)])),
    )
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]), XFA=pdf.make_stream(b"<xdp:xdp/>"))
    outline = pdf.make_indirect(Dictionary(Title=String("Öppna"), A=_script(pdf)))
    pdf.Root.Outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, First=outline, Last=outline, Count=1))
    outline.Parent = pdf.Root.Outlines
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def everything(pdf: pikepdf.Pdf):
    """Every dictionary (a stream's too) reachable from the trailer, each once."""
    seen, stack = set(), [pdf.trailer]
    while stack:
        value = stack.pop()
        if isinstance(value, (Dictionary, Array, pikepdf.Stream)) and value.is_indirect:
            if value.objgen in seen:
                continue
            seen.add(value.objgen)
        if isinstance(value, pikepdf.Stream):
            yield value
            value = value.stream_dict
        if isinstance(value, Dictionary):
            yield value
            stack.extend(value[key] for key in value.keys())
        elif isinstance(value, Array):
            stack.extend(value)


def active_content(data: bytes) -> list[str]:
    """What of the active content is left in a PDF, named (empty: nothing)."""
    left = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for value in everything(pdf):
            if isinstance(value, pikepdf.Stream):
                raw = value.read_bytes()
                if b"KANARIE" in raw:
                    left.append(f"a stream holding {raw[:40]!r}")
                if value.get("/Type") == Name.EmbeddedFile:
                    left.append("an embedded file")
                continue
            for key in ("/JS", "/AA", "/OpenAction", "/EF", "/XFA", "/JavaScript", "/EmbeddedFiles"):
                if key in value:
                    left.append(key)
            if str(value.get("/S", "")) in ACTIVE_ACTIONS:
                left.append(str(value.S))
            uri = str(value.get("/URI", "")) if isinstance(value.get("/URI"), String) else ""
            if uri and not uri.startswith(("http://", "https://", "mailto:")):
                left.append(f"a link to {uri}")
            if value.get("/Subtype") == Name.FileAttachment and "/FS" in value:
                left.append("a file attachment")
            if any(b"KANARIE" in bytes(v) for v in value.values() if isinstance(v, String)):
                left.append("a string holding the script")
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots") or ():
                if annotation.get("/Subtype") == Name.FileAttachment:
                    left.append("a file attachment on a page")
    return left


def test_the_hostile_pdf_is_hostile():
    left = active_content(hostile_pdf())
    for expected in (
        "/JS",
        "/AA",
        "/OpenAction",
        "/EF",
        "/XFA",
        "/JavaScript",
        "/EmbeddedFiles",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "a link to javascript:app.alert(1)",
        "a link to file:///etc/passwd",
        "a file attachment on a page",
    ):
        assert expected in left
    assert VISIBLE in text(reader(hostile_pdf()))


def test_no_active_content_of_a_pdf_bilaga_reaches_the_package():
    members, _public = demo_snapshots()
    bilaga = attachment_pdf(hostile_pdf(), PDF, "Bilaga 1 Underlag", WHERE, convert=None)
    items = [
        PackageItem(
            4,
            "4 Verksamhetsberättelse 2016 – SN-2016/3342.181",
            [PackageDocument("Tjänsteutlåtande", blank_pdf(1)), PackageDocument("Bilaga 1 Underlag", bilaga)],
        )
    ]
    result = assemble_package(members["meeting"], blank_pdf(1), items, public=False)
    assert active_content(result) == []
    assert VISIBLE in text(reader(result))
    with pikepdf.open(io.BytesIO(result)) as pdf:  # the ordinary web link stays, without what followed it
        uris = [str(v.URI) for v in everything(pdf) if isinstance(v, Dictionary) and "/URI" in v]
        assert uris == ["https://www.huddinge.se/"]


def test_the_cleaned_bilaga_keeps_its_page_text_and_web_link():
    cleaned = clean_pdf(hostile_pdf())
    assert active_content(cleaned) == []
    r = reader(cleaned)
    assert len(r.pages) == 1 and VISIBLE in text(r)
    annotations = [a.get_object() for a in r.pages[0]["/Annots"]]
    assert [a["/Subtype"] for a in annotations] == ["/Link", "/Widget"]
    assert annotations[0]["/A"]["/URI"] == "https://www.huddinge.se/" and "/Next" not in annotations[0]["/A"]


def test_a_pdf_without_active_content_comes_back_unchanged():
    plain = blank_pdf(2)
    assert clean_pdf(plain) is plain
    assert attachment_pdf(plain, PDF, "Bilaga 1 Underlag", WHERE, convert=None) == plain


def test_parts_cleaned_under_another_version_are_not_reused(monkeypatch):
    before = intake.attachment_input_hash("a" * 64, PDF, "Bilaga 1 Underlag")
    monkeypatch.setattr(intake, "CLEAN_VERSION", "0")
    assert intake.attachment_input_hash("a" * 64, PDF, "Bilaga 1 Underlag") != before


@pytest.mark.parametrize(
    "uri, kept",
    [
        ("https://www.huddinge.se/", True),
        ("HTTP://example.se", True),
        ("mailto:registrator@huddinge.example", True),
        ("javascript:alert(1)", False),
        (" file:///etc/passwd", False),
        ("smb://filserver/a", False),
        ("\x01javascript:alert(1)", False),
    ],
)
def test_only_web_and_mail_links_stay(uri, kept):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Annots = Array([_link(pdf, 700, Dictionary(S=Name.URI, URI=String(uri)))])
    out = io.BytesIO()
    pdf.save(out)
    with pikepdf.open(io.BytesIO(clean_pdf(out.getvalue()))) as cleaned:
        assert len(cleaned.pages[0].obj.get("/Annots") or ()) == (1 if kept else 0)
