"""Diarienummer formats: format, parse, refuse."""

import pytest

from app.registry.numbering import NumberFormat, RegistrationNumber
from app.validation import ValidationError

HUDDINGE = "{prefix}-{year}/{serial}.{class}"
SHORT = "{prefix} {yy}/{serial:04}"
PLAIN = "{prefix} {year}/{serial}"


@pytest.mark.parametrize(
    "pattern, number, text",
    [
        (HUDDINGE, RegistrationNumber("SN", 2016, 3342, "181"), "SN-2016/3342.181"),
        (SHORT, RegistrationNumber("SN", 2018, 98), "SN 18/0098"),
        (PLAIN, RegistrationNumber("KS", 2018, 124), "KS 2018/124"),
        (SHORT, RegistrationNumber("SN", 2018, 12345), "SN 18/12345"),
    ],
)
def test_format_and_parse_round_trip(pattern, number, text):
    fmt = NumberFormat(pattern)
    assert fmt.format(number) == text
    assert fmt.parse(text) == number


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("sn-2016/3342.181", RegistrationNumber("SN", 2016, 3342, "181")),
        ("  Dnr SN-2016/3342.181 ", RegistrationNumber("SN", 2016, 3342, "181")),
        ("SN-2017/50.182", RegistrationNumber("SN", 2017, 50, "182")),
        ("ÄN-2020/7.2.3.1", RegistrationNumber("ÄN", 2020, 7, "2.3.1")),
    ],
)
def test_parse_is_lenient_about_case_spaces_and_dnr(typed, expected):
    assert NumberFormat(HUDDINGE).parse(typed) == expected


def test_short_format_accepts_unpadded_serials_and_spacing():
    fmt = NumberFormat(SHORT)
    assert fmt.parse("sn 18/98") == RegistrationNumber("SN", 2018, 98)
    assert fmt.parse("SN18/0098") == RegistrationNumber("SN", 2018, 98)


@pytest.mark.parametrize(
    "typed",
    [
        "KSL/12/0177-37",  # another organisation's number: an external reference
        "SN-2016/3342",  # class missing
        "SN-16/3342.181",
        "SN-2016/0.181",
        "SN-2016/abc.181",
        "",
        "SN-2016/3342.181; DROP TABLE cases",
    ],
)
def test_malformed_numbers_give_a_clear_swedish_error(typed):
    with pytest.raises(ValidationError) as info:
        NumberFormat(HUDDINGE).parse(typed)
    message = info.value.errors["diarienummer"]
    if typed:
        assert "inte ett diarienummer i kommunens format" in message or "Löpnumret" in message
    if typed.startswith("KSL"):
        assert "extern referens" in message
        assert "SN-2016/3342.181" in message  # an example in the municipality's own format


@pytest.mark.parametrize(
    "pattern, complaint",
    [
        ("{prefix}-{year}", "{serial}"),
        ("{prefix}-{serial}", "{serial}"),
        ("{prefix}-{year}/{serial}.{klass}", "Okänt fält"),
        ("{prefix}-{year}/{yy}/{serial}", "både"),
        ("{prefix}-{year}/{serial:x}", "nollor"),
        ("{prefix}-{year}/{serial}/{serial}", "två gånger"),
        ("{prefix-{year}", "tolka"),
    ],
)
def test_bad_formats_are_refused(pattern, complaint):
    with pytest.raises(ValidationError) as info:
        NumberFormat(pattern)
    assert complaint in info.value.message
