"""The pages' one way of keeping a diarienummer or a date on one line: the ``nowrap`` filters put it in ``.nowrap``."""

from __future__ import annotations

import pytest

from app.web import nowrap, nowrap_numbers


def test_a_value_is_put_in_the_class_escaped_and_nothing_is_left_empty():
    assert nowrap("SN-2016/3342.181") == '<span class="nowrap">SN-2016/3342.181</span>'
    assert nowrap("<b>2017-02-23</b>") == '<span class="nowrap">&lt;b&gt;2017-02-23&lt;/b&gt;</span>'
    assert nowrap(None) == "" and nowrap("") == ""


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("Ärende SN-2016/3342.181 registrerat.", ["SN-2016/3342.181"]),
        ("Publicerad 2017-02-23 18:00, version 2", ["2017-02-23 18:00"]),
        ("Beslut 2017-02-23; ref. KSL/12/0177-37 och KSN-2019-0123", ["2017-02-23", "KSL/12/0177-37", "KSN-2019-0123"]),
        ("Dnr SN13/82-700", ["SN13/82-700"]),
        ("hälso- och sjukvården, Nord-Syd", []),  # words with a hyphen but no number break as words do
        ("Ärende 12 på 3 sidor", []),
    ],
)
def test_in_running_text_each_number_and_date_is_kept_whole(text, whole):
    html = str(nowrap_numbers(text))
    assert html.count('<span class="nowrap">') == len(whole)
    for part in whole:
        assert f'<span class="nowrap">{part}</span>' in html
    assert html.replace('<span class="nowrap">', "").replace("</span>", "") == text


def test_running_text_is_escaped():
    assert (
        str(nowrap_numbers("<script>SN-2016/1</script>"))
        == '&lt;script&gt;<span class="nowrap">SN-2016/1</span>&lt;/script&gt;'
    )
    assert nowrap_numbers(None) == ""
