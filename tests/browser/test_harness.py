"""The harness itself: axe-core is loaded and finds what it should, the focus check sees a missing outline."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.browser.ui import AXE, FAILING_IMPACTS, assert_accessible, axe_violations, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BAD_PAGE = """<!doctype html><html><head><title>x</title><style>.x:focus{outline:none}</style></head>
<body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><label>Namn</label><input id="a">
<p style="color:#999;background:#fff">Svag kontrast</p><button class="x">Knapp</button></main></body></html>"""


def test_axe_finds_serious_violations_and_names_them(page):
    page.set_content(BAD_PAGE)
    found = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert {"image-alt", "label", "color-contrast", "html-has-lang"} <= set(found), found
    assert {"critical", "serious"} & set(found.values()) <= FAILING_IMPACTS
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page, record=False)
    with pytest.raises(AssertionError, match="image-alt"):  # a failing page is checked again each time
        assert_accessible(page, record=False)


def test_a_focus_without_indicator_is_caught(page):
    page.set_content(
        '<html lang="sv"><style>.x:focus{outline:none}</style><a href="#a">Länk</a> '
        '<button class="x">Knapp</button></html>'
    )
    assert tab_to(page, lambda info: info["tag"] == "a")["name"] == "Länk"  # the browser's own ring is enough
    with pytest.raises(AssertionError, match="no visible focus indicator.*Knapp"):
        tab_to(page, lambda info: info["tag"] == "button")


def test_vendored_axe_is_the_pinned_copy():
    readme = (AXE.parent / "README.md").read_text(encoding="utf-8")
    version = re.search(r"axe-core (\d+\.\d+\.\d+)", readme).group(1)
    assert AXE.read_text(encoding="utf-8").startswith(f"/*! axe v{version}\n")
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() in readme
