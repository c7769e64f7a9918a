"""What the journeys do with a page: log in, check it (language, one h1, axe), photograph it, use the keyboard.

Journeys call ``check_page(page, "name")`` on every page they reach. It asserts ``<html lang="sv">``,
exactly one ``<h1>`` and no serious or critical axe-core violations (WCAG 2.0/2.1 A and AA plus
axe's best practices); with ``screenshot=True`` it also saves the page at phone and desktop width
under ``tests/artifacts/screenshots/`` and checks that it reflows at the phone width.
"""

from __future__ import annotations

import io
import json
import os
import re
import zlib
from functools import cache
from pathlib import Path

from app.demo.loader import credentials

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
#: axe-core, vendored from the npm registry (`npm pack axe-core@4.14.1`), MPL-2.0: see vendor/axe-core.LICENSE
AXE = HERE / "vendor" / "axe.min.js"
#: where the test server offers it to the pages (not a route of the app itself)
AXE_URL = "/_tests/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@cache
def findings_file() -> Path:
    """This process's file of lesser axe findings (one per pytest-xdist worker, so none wipes another's)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return ARTIFACTS / (f"axe-findings-{worker}.txt" if worker else "axe-findings.txt")


def users() -> dict[str, dict]:
    """The demo users by the part of their e-mail before the @ (``handlaggare``, ``enhetschef`` …)."""
    return {c["email"].split("@")[0]: c for c in credentials()}


def log_in(page, user: str) -> None:
    """Log in through the log-in page as the demo user ``user`` and land on the start page."""
    person = users()[user]
    page.goto("/logga-in")
    page.get_by_label("E-post").fill(person["email"])
    page.get_by_label("Lösenord").fill(person["password"])
    follow(page.get_by_role("button", name="Logga in"))
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Logga ut").is_visible(), f"log-in as {user} failed: {page.url}"


# --- checks on every page ----------------------------------------------------------------------


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now and return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        if page.url.startswith("http"):
            page.add_script_tag(url=AXE_URL)  # served by the test server (conftest.py), cached by the browser
        else:
            page.evaluate("() => { " + _axe_source() + "\n}")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    """Return the violations as text a person can act on: rule, impact, help, and the elements."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


#: fingerprints of the pages axe has checked in this session (see ``structure``)
_checked: set[str] = set()

_STRUCTURE = r"""() => {
  const parts = [location.pathname.replace(/\d+/g, '#')];
  for (const el of document.body.querySelectorAll('*')) {
    parts.push(el.tagName + '.' + el.className + '[' + (el.getAttribute('role') || el.getAttribute('type') || '') + ']'
               + (el.hidden ? 'h' : ''));
  }
  return parts.join(' ');
}"""


def structure(page) -> str:
    """The page's address (numbers left out) and element structure (tags, classes, roles), without its text."""
    return page.evaluate(_STRUCTURE)


def assert_accessible(page, *, record: bool = True, again: bool = False) -> None:
    """Assert that axe finds no serious or critical violation on the page.

    A page with the same address pattern and element structure as one already checked in this
    session is not checked again (set NF_AXE_EVERY_TIME=1, or ``again=True``, to check it anyway):
    the same markup with other text gives the same result. Minor and moderate findings do not fail
    the test; they are appended to ``tests/artifacts/axe-findings*.txt`` for a person to read.
    """
    fingerprint = structure(page)
    if fingerprint in _checked and not again and not os.environ.get("NF_AXE_EVERY_TIME"):
        return
    violations = axe_violations(page)
    lesser = [v for v in violations if v["impact"] not in FAILING_IMPACTS]
    if lesser and record:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with findings_file().open("a", encoding="utf-8") as out:
            out.write(f"{page.url}\n{describe_violations(lesser)}\n\n")
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe-core found serious/critical violations on {page.url}:\n{describe_violations(failing)}"
    _checked.add(fingerprint)


def check_page(page, name: str | None = None, *, screenshot: bool = False) -> None:
    """Check the page a journey reached: language sv, exactly one h1, no serious/critical axe violations.

    With ``screenshot`` the page is also saved at phone and desktop width as
    ``tests/artifacts/screenshots/<name>-phone.png`` and ``-desktop.png``.
    """
    page.wait_for_load_state()
    assert page.evaluate("() => document.documentElement.lang") == "sv", f"{page.url}: <html lang> is not sv"
    h1 = page.locator("h1")
    assert h1.count() == 1, f"{page.url}: expected one h1, found {h1.count()}: {h1.all_inner_texts()}"
    assert page.title().endswith("– Nämndflöde"), f"{page.url}: title {page.title()!r}"
    assert_accessible(page)
    if screenshot:
        assert name, "a screenshot needs a name"
        take_screenshots(page, name)


def take_screenshots(page, name: str) -> list[Path]:
    """Save the whole page at phone and desktop width; assert it reflows at the phone width (WCAG 1.4.10)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    original = page.viewport_size or DESKTOP
    try:
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            if label == "phone":
                overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{page.url}: at {size['width']} px the page is {overflow} px too wide to reflow"
            path = SCREENSHOTS / f"{name}-{label}.png"
            page.screenshot(path=path, full_page=True)
            paths.append(path)
    finally:
        page.set_viewport_size(original)
    return paths


# --- the keyboard ------------------------------------------------------------------------------

_FOCUS_INFO = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  return {
    // false when the focus is inside a control the browser draws itself (the date field's calendar button)
    hostFocused: el.matches(':focus'),
    tag: el.tagName.toLowerCase(),
    name: (el.getAttribute('aria-label') || el.innerText || el.value || el.getAttribute('name') || '').replace(/\s+/g, ' ').trim().slice(0, 80),
    id: el.id,
    label: (el.labels && el.labels.length ? el.labels[0].innerText : (el.getAttribute('aria-labelledby') ? (document.getElementById(el.getAttribute('aria-labelledby').split(' ')[0]) || {}).innerText || '' : '')).replace(/\s+/g, ' ').trim(),
    group: (() => { const g = el.closest('[role=toolbar], fieldset');
      return !g ? '' : (g.getAttribute('aria-label') || (g.querySelector('legend') || {}).innerText || '').trim(); })(),
    focusVisible: el.matches(':focus-visible'),
    outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0, boxShadow: s.boxShadow,
  };
}"""


def focused(page) -> dict | None:
    """Describe the focused element and how its focus is drawn."""
    return page.evaluate(_FOCUS_INFO)


def assert_focus_visible(page) -> dict:
    """Assert that the focused element shows a focus indicator: the browser's ring, an outline of 2 px or more, or a shadow."""
    info = focused(page)
    assert info is not None, f"{page.url}: nothing has the focus"
    if not info["hostFocused"]:
        return info  # the browser's own control inside the element has the focus and draws its own ring
    drawn = (
        info["outlineStyle"] == "auto"  # the browser's own focus ring
        or (info["outlineStyle"] != "none" and info["outlineWidth"] >= 2)
        or info["boxShadow"] not in ("none", "")
    )
    assert drawn, f"{page.url}: no visible focus indicator on {info}"
    return info


def tab_to(page, matches, *, max_steps: int = 120, backwards: bool = False) -> dict:
    """Press Tab until ``matches(focused element info)`` is true; every stop must show its focus.

    ``matches`` may be a compiled regular expression tried on the element's accessible text (its
    label, aria-label or text).
    """
    if isinstance(matches, re.Pattern):
        pattern = matches
        matches = lambda info: bool(pattern.search(f"{info['label']} {info['name']}"))  # noqa: E731
    seen = []
    for _ in range(max_steps):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = focused(page)
        if info is None:
            continue
        assert_focus_visible(page)
        seen.append(f"{info['tag']}:{info['label'] or info['name']}")
        if matches(info):
            return info
    raise AssertionError(f"{page.url}: Tab never reached the element; stops were: {seen}")


def type_date(page, iso: str) -> None:
    """Type ``iso`` (ÅÅÅÅ-MM-DD) into the focused ``<input type=date>`` with the keyboard alone.

    The browser shows the day, month and year in the order of its own locale (Chromium here: often
    MM/DD/ÅÅÅÅ, whatever the page's language), so first find the order by typing a probe date, then
    go back to the first part with the left arrow and type the date in that order.
    """
    year, month, day = iso.split("-")
    page.keyboard.type("01022003")
    probe = page.evaluate("() => document.activeElement.value")
    parts = {"2003-01-02": (month, day, year), "2003-02-01": (day, month, year)}.get(probe, (year, month, day))
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.type("".join(parts))
    value = page.evaluate("() => document.activeElement.value")
    assert value == iso, f"typed {iso} into the date field, it holds {value!r} (probe {probe!r})"


def progressbars(page) -> list[dict]:
    """The page's progress bars as assistive technology gets them from Chromium's accessibility tree:
    name and the ARIA values (valuemin, valuemax, valuenow)."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    found = []
    for node in nodes:
        if (node.get("role") or {}).get("value") != "progressbar" or node.get("ignored"):
            continue
        values = {
            p["name"]: p["value"].get("value")
            for p in node.get("properties", [])
            if p["name"] in ("valuemin", "valuemax")
        }
        found.append(
            {
                "name": (node.get("name") or {}).get("value"),
                **values,
                "valuenow": (node.get("value") or {}).get("value"),
            }
        )
    return found


def follow(locator) -> None:
    """Click a link or button that leads to another page, and wait for that page."""
    with locator.page.expect_navigation():
        locator.click()


def press_and_load(page, key: str) -> None:
    """Press ``key`` on the focused element and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


# --- files -------------------------------------------------------------------------------------


def make_pdf(text: str) -> bytes:
    """Return a small, valid one-page PDF showing ``text`` (ASCII), with a correct cross-reference table."""
    stream = zlib.compress(f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode("ascii"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Lang (sv-SE) >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def download(page, locator) -> bytes:
    """Click a download link and return the file's bytes."""
    with page.expect_download() as info:
        locator.click()
    return info.value.path().read_bytes()


def docx_paragraphs(data: bytes) -> list[str]:
    """The text of a Word file's paragraphs in the order of the document, those in its tables included."""
    from docx import Document
    from docx.oxml.ns import qn

    body = Document(io.BytesIO(data)).element.body
    shown = {qn("w:t"), qn("w:noBreakHyphen")}  # a non-breaking hyphen (in dates, diarienummer) reads "-"
    return [
        "".join((t.text or "") if t.tag == qn("w:t") else "-" for t in p.iter(*shown)) for p in body.iter(qn("w:p"))
    ]


def docx_text(data: bytes) -> str:
    """All the text of a Word file, its page headers and footers included, a line per paragraph."""
    import zipfile
    from xml.etree import ElementTree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    shown = (f"{w}t", f"{w}noBreakHyphen")  # a non-breaking hyphen (in dates, diarienummer) reads "-"
    lines = []
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        for name in sorted(docx.namelist()):
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                root = ElementTree.fromstring(docx.read(name))
                lines += [
                    "".join((t.text or "") if t.tag == f"{w}t" else "-" for t in p.iter() if t.tag in shown)
                    for p in root.iter(f"{w}p")
                ]
    return "\n".join(lines)


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, with all white space (line breaks in wrapped lines) as one space."""
    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def pdf_outline(data: bytes) -> list[tuple[int, str]]:
    """A PDF's bookmarks in order, as (depth, title): 0 for the top level, 1 for their children."""
    from pypdf import PdfReader

    found = []

    def walk(entries, depth):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
            else:
                found.append((depth, entry.title))

    walk(PdfReader(io.BytesIO(data)).outline, 0)
    return found


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
