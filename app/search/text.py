"""The pure parts of the search: Swedish words and their stems, a query's terms, snippets. No database.

The stems are Snowball's Swedish ones, the algorithm PostgreSQL's built-in ``swedish`` configuration uses, so the
embedded SQLite default finds "riktlinjerna" for "riktlinje" as PostgreSQL does. Å, ä and ö stay letters of their
own ("bistand" is not "bistånd"; ``without_diacritics`` lets the query offer it as a suggestion instead).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer
from markupsafe import Markup, escape

#: a query longer than this is refused, and one with more terms than MAX_TERMS is cut
MAX_QUERY = 200
MAX_TERMS = 10

_WORD = re.compile(r"\w+")
#: "§ 12", "§12", "§§ 12" all read as the paragraph "§ 12"
_PARAGRAPH = re.compile(r"§+\s*(\d+)")
_TOKEN = re.compile(r'"([^"]*)"|(§+\s*\d+)|(\S+)')
#: punctuation around a word that is not part of it ("riksnormen," or "(bistånd)"); inside a number it stays
_EDGE = re.compile(r"^[^\w§]+|[^\w]+$")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("swedish")


def fold(text: str) -> str:
    """The text as it is searched: case folded, "§12" written "§ 12", white space collapsed."""
    return " ".join(_PARAGRAPH.sub(r"§ \1", unicodedata.normalize("NFC", text).casefold()).split())


def words(text: str) -> list[str]:
    """The words of ``text``, case folded."""
    return _WORD.findall(text.casefold())


def stem(word: str) -> str:
    return str(_stemmer().stemWord(word.casefold()))


def stems(text: str) -> str:
    """The stems of the words of ``text``, space separated (what SQLite's stem index holds)."""
    return " ".join(stem(w) for w in words(text))


_DIACRITICS = str.maketrans("åäöéèüáà", "aaoeeuaa")


def without_diacritics(text: str) -> str:
    """The text with å, ä, ö (and é, ü …) read as a, a, o: how "bistand" is typed on a keyboard without them."""
    return text.translate(_DIACRITICS)


@dataclass(frozen=True)
class Term:
    """One thing every hit must contain: a word, a number or a part of one, a paragraph, or a quoted phrase."""

    #: as it is matched as a substring of the folded text
    text: str
    #: the stems of its words (one for a word, several for a phrase); empty for a number or paragraph
    stems: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.stems) > 1


def parse_query(query: str) -> list[Term]:
    """The terms of a query: quoted phrases, paragraphs ("§ 12") and the other words, each folded."""
    terms: list[Term] = []
    for phrase, paragraph, word in _TOKEN.findall(query):
        if paragraph:
            text = fold(paragraph)
        else:
            text = fold(phrase) if phrase else _EDGE.sub("", fold(word))
        if not text or text in (t.text for t in terms):
            continue
        found = words(text)
        has_digits = any(ch.isdigit() for ch in text)
        term_stems = () if has_digits or text.startswith("§") else tuple(stem(w) for w in found)
        terms.append(Term(text=text, stems=term_stems))
    return terms[:MAX_TERMS]


def _highlight_pattern(terms: list[Term]) -> re.Pattern[str] | None:
    parts = {re.escape(t.text).replace(r"\ ", r"\s+") for t in terms}
    # a word's other forms: its stem and whatever ending follows ("riktlinj" marks "riktlinjerna")
    parts |= {rf"\b{re.escape(t.stems[0])}\w*" for t in terms if len(t.stems) == 1 and len(t.stems[0]) >= 3}
    if not parts:
        return None
    return re.compile("|".join(sorted(parts, key=len, reverse=True)), re.IGNORECASE)


def snippet(text: str, terms: list[Term], *, width: int = 220) -> Markup:
    """A piece of ``text`` around its first match, HTML-escaped, with every match marked by <mark>.

    Escaping comes first, piece by piece, so nothing of the text itself can become markup.
    """
    text = " ".join(text.split())
    pattern = _highlight_pattern(terms)
    first = pattern.search(text) if pattern else None
    start = 0 if first is None else max(0, first.start() - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start  # type: ignore[union-attr]
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = text[start:end]
    out = Markup("…") if start else Markup("")
    last = 0
    for match in pattern.finditer(piece) if pattern else ():
        out += escape(piece[last : match.start()]) + Markup("<mark>") + escape(match.group()) + Markup("</mark>")
        last = match.end()
    out += escape(piece[last:])
    return out + Markup("…") if end < len(text) else out


def suggestion_pattern(term: Term) -> str | None:
    """A LIKE pattern finding words that are ``term`` with å, ä or ö where it has a or o ("bistand" → "bist_nd"),
    or None when the term has no such letter or is not a plain word."""
    if len(term.stems) != 1 or not re.fullmatch(r"\w+", term.text):
        return None
    if not re.search("[ao]", term.text):
        return None
    return re.sub("[ao]", "_", term.text)


def suggested_word(text: str, term: Term) -> str | None:
    """The word of ``text`` that ``term`` spells without its å, ä or ö, if there is one."""
    wanted = without_diacritics(term.text)
    for word in words(text):
        if word != term.text and without_diacritics(word) == wanted:
            return word
    # a longer word beginning with it ("bistandet" → "biståndet"): offer the part the term spells
    for word in words(text):
        if without_diacritics(word).startswith(wanted) and word[: len(wanted)] != term.text:
            return word[: len(wanted)]
    return None
