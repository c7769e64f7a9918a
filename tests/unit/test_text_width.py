"""The footer's columns fitted to what they hold: the usual widths while every line fits, a column widened for a
line that would break, with room the others spare, the total width always the same."""

from __future__ import annotations

import pytest

from tasks.rendering.blocks import FOOTER_GAP, FOOTER_LABELS, FOOTER_WIDTHS, AddressBlock, address_lines
from tasks.rendering.text_width import fitted_widths, text_width


def columns(address: AddressBlock) -> list[list[tuple[str, float]]]:
    return [[(label, 6), *((t, 8) for t in lines)] for label, lines in zip(FOOTER_LABELS, address_lines(address))]


def room(width: int) -> float:
    """The points a column of ``width`` twips has for its text."""
    return (width - FOOTER_GAP) / 20


def test_arial_widths():
    assert text_width("", 8) == 0
    assert text_width("0123456789", 10) == pytest.approx(55.6)
    assert text_width("Åäö", 1) == pytest.approx((666 + 556 + 556) / 1000)
    assert text_width("✓", 1) == pytest.approx(0.556)  # not in the table: a digit's width


def test_the_usual_widths_while_everything_fits():
    demo = AddressBlock(
        "Social- och äldreomsorgsförvaltningen, 141 85 Huddinge",
        "Gymnasietorget 1",
        "08-535 300 00",
        "huddinge@huddinge.se",
        "www.huddinge.se",
    )
    assert fitted_widths(columns(demo), FOOTER_WIDTHS, gap=FOOTER_GAP) == FOOTER_WIDTHS
    assert fitted_widths(columns(AddressBlock()), FOOTER_WIDTHS, gap=FOOTER_GAP) == FOOTER_WIDTHS


@pytest.mark.parametrize(
    "email",
    ["kommunen@ekby.example", "samhallsbyggnad@lerum.example", "stadsbyggnadsforvaltningen@boras.example"],
)
def test_a_long_e_mail_address_gets_the_room_it_needs_from_the_others(email):
    address = AddressBlock("Kommunledningsförvaltningen, 199 81 Ekby", "Stortorget 3, Ekby", "0123-45 68 00", email)
    widths = fitted_widths(columns(address), FOOTER_WIDTHS, gap=FOOTER_GAP)
    assert sum(widths) == sum(FOOTER_WIDTHS)
    assert widths[3] > FOOTER_WIDTHS[3] and room(widths[3]) >= text_width(email, 8) * 1.05
    for width, lines in zip(widths, columns(address)):  # nothing else is made to break
        assert room(width) >= max(text_width(t, s) for t, s in lines)


def test_when_the_spare_room_is_not_enough_each_keeps_what_it_needs_and_the_rest_is_shared():
    address = AddressBlock("Förvaltningen, 1", "Gatan 1", "1", "x" * 80, "y" * 80)
    widths = fitted_widths(columns(address), FOOTER_WIDTHS, gap=FOOTER_GAP)
    assert sum(widths) == sum(FOOTER_WIDTHS)
    assert widths[3] > FOOTER_WIDTHS[3]
    for width, lines in zip(widths[:3], columns(address)[:3]):
        assert room(width) >= max(text_width(t, s) for t, s in lines)
