"""The converter reaches nothing (issue 13): bilagor with linked pictures, templates, INCLUDETEXT or
INCLUDEPICTURE fields and linked sections are converted by the real LibreOffice while a local HTTP
listener counts every connection: there must be none. Links to a local file (a canary picture and a
canary text) must not bring its content into the PDF. The upload check refuses these files first
(tests/unit/test_sniffing.py); here they are given to the converter directly, as if one got through.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pikepdf
import pytest

from tasks.rendering import pdf
from tests.rendering.pdf_checks import png, reader, text
from tests.sample_files import (
    REL,
    field_docx,
    linked_picture_docx,
    make_docx,
    make_opendocument,
    odt_picture,
    odt_section,
    with_changed,
    with_relationship,
)

CANARY_TEXT = "KANARIEFÅGEL-7f3a hemlig rad ur serverns filsystem"
CANARY_SIZE = (37, 23)  # a picture of this size in the PDF is the canary


class _Listener(ThreadingHTTPServer):
    """Counts every connection and request; answers each with the canary picture (so a fetch would show)."""

    daemon_threads = True

    def __init__(self):
        self.connections = 0
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _Answer)

    def verify_request(self, request, client_address) -> bool:
        self.connections += 1
        return True

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Answer(BaseHTTPRequestHandler):
    def parse_request(self) -> bool:
        ok = super().parse_request()
        self.server.requests.append(self.requestline)
        return ok

    def __getattr__(self, name: str):
        if name.startswith("do_"):  # GET, HEAD, OPTIONS, PROPFIND …: all answered alike
            return self._answer
        raise AttributeError(name)

    def _answer(self) -> None:
        body = png(*CANARY_SIZE) if self.path.endswith(".png") else CANARY_TEXT.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def listener():
    server = _Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def canaries(tmp_path):
    """A local picture and a local text file that must not reach a PDF."""
    (tmp_path / "karta.png").write_bytes(png(*CANARY_SIZE))
    (tmp_path / "hemligt.txt").write_text(CANARY_TEXT + "\n", encoding="utf-8")
    return tmp_path


def attached_template_docx(target: str) -> bytes:
    """A DOCX made from a template that lies at ``target`` (Word writes this for a document from a company template)."""
    attached = with_changed(
        make_docx(),
        {
            "word/settings.xml": lambda data: data.replace(
                b"<w:zoom ", b'<w:attachedTemplate r:id="rIdAttack"/><w:zoom ', 1
            )
        },
    )
    return with_relationship(attached, "word/_rels/settings.xml.rels", f"{REL}/attachedTemplate", target)


def odt_template(target: str) -> bytes:
    return make_opendocument(
        meta=f'<meta:template xlink:type="simple" xlink:actuate="onRequest" xlink:title="Mall" xlink:href="{target}"/>'
    )


HTTP_ATTACKS = {
    "docx-linked-picture": lambda base: linked_picture_docx(f"{base}/karta.png"),
    "docx-includepicture": lambda base: field_docx(f'INCLUDEPICTURE "{base}/karta.png" \\d'),
    "docx-includetext": lambda base: field_docx(f'INCLUDETEXT "{base}/hemligt.txt"'),
    "docx-attached-template": lambda base: attached_template_docx(f"{base}/mall.dotx"),
    "odt-linked-picture": lambda base: odt_picture(f"{base}/karta.png"),
    "odt-linked-section": lambda base: odt_section(f"{base}/hemligt.txt"),
    "odt-template": lambda base: odt_template(f"{base}/mall.ott"),
}

FILE_ATTACKS = {
    "docx-linked-picture": lambda folder: linked_picture_docx((folder / "karta.png").as_uri()),
    "docx-includepicture": lambda folder: field_docx(f'INCLUDEPICTURE "{folder / "karta.png"}" \\d'),
    "docx-includetext": lambda folder: field_docx(f'INCLUDETEXT "{folder / "hemligt.txt"}"'),
    "odt-linked-picture": lambda folder: odt_picture((folder / "karta.png").as_uri()),
    "odt-linked-section": lambda folder: odt_section((folder / "hemligt.txt").as_uri()),
}


def canary_pictures(data: bytes) -> list[tuple[int, int]]:
    """The canary-sized pictures anywhere in a PDF."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == pikepdf.Name.Image:
                size = (int(obj.get("/Width", 0)), int(obj.get("/Height", 0)))
                if size == CANARY_SIZE:
                    found.append(size)
    return found


@pytest.mark.parametrize("attack", HTTP_ATTACKS.values(), ids=HTTP_ATTACKS.keys())
def test_the_warm_converter_fetches_nothing_a_bilaga_links(converter, listener, attack):
    result = converter.convert(attack(listener.base))
    assert reader(result).pages  # converted all the same, without what it links
    assert listener.requests == [] and listener.connections == 0
    assert canary_pictures(result) == [] and CANARY_TEXT not in text(reader(result))


@pytest.mark.parametrize("attack", FILE_ATTACKS.values(), ids=FILE_ATTACKS.keys())
def test_a_linked_local_file_does_not_reach_the_pdf(converter, canaries, attack):
    result = converter.convert(attack(canaries))
    assert canary_pictures(result) == []
    assert CANARY_TEXT not in text(reader(result)) and b"KANARIEF" not in result


def test_the_cold_converter_is_locked_down_too(converter, listener, canaries, tmp_path):
    """``cold_convert`` (the benchmark's `soffice --convert-to`) in a profile of its own and in a reused one."""
    profile = tmp_path / "profil"
    for _run in (1, 2):  # the second run: the profile LibreOffice has written back
        for attack in (
            linked_picture_docx(f"{listener.base}/karta.png"),
            linked_picture_docx((canaries / "karta.png").as_uri()),
        ):
            result = pdf.cold_convert(attack, profile=profile)
            assert canary_pictures(result) == []
    assert listener.requests == [] and listener.connections == 0
    assert canary_pictures(pdf.cold_convert(linked_picture_docx((canaries / "karta.png").as_uri()))) == []


def test_lock_down_profile_replaces_its_own_settings_and_keeps_the_rest(tmp_path):
    settings = tmp_path / "user" / "registrymodifications.xcu"
    settings.parent.mkdir(parents=True)
    settings.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry">\n'
        '<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" '
        'oor:op="fuse"><value>false</value></prop></item>\n'
        '<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse">'
        "<value>false</value></prop></item>\n</oor:items>\n",
        encoding="utf-8",
    )
    pdf.lock_down_profile(tmp_path)
    pdf.lock_down_profile(tmp_path)
    written = settings.read_text(encoding="utf-8")
    assert written.count('oor:name="BlockUntrustedRefererLinks"') == 1
    assert 'oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value>' in written
    assert 'oor:name="FirstRun"' in written
    assert written.count("<item ") == len(pdf.LOCKED_DOWN) + 1
    fresh = tmp_path / "neu"
    pdf.lock_down_profile(fresh)
    assert (fresh / "user" / "registrymodifications.xcu").read_text(encoding="utf-8").count("<item ") == len(
        pdf.LOCKED_DOWN
    )
