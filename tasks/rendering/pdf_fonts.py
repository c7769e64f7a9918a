"""TrueType fonts for pages drawn straight into PDF (the package's contents pages): found, measured, embedded.

The Word template's fonts are Times New Roman and Arial; LibreOffice renders them with Debian's
metric-compatible Liberation Serif and Liberation Sans (fonts-liberation2, installed with it by
`make system`). Pages this project draws itself use the same files, so they look and measure like
the converted ones.

A ``Face`` measures text with the font's own advance widths (fontTools) and encodes it as glyph ids
for an ``Identity-H`` Type 0 font, so any character the font has is shown, not only WinAnsi's. When a
PDF is written, each face used is embedded as a subset (keeping the glyph ids, so the text already
encoded stays valid), with a /ToUnicode map so the text can be searched, copied and read aloud.
Subsetting takes fontTools some 30 ms a face, so the subset is the same for every document: the
Latin letters and common punctuation (``REPERTOIRE``, about 30 kB a face), made once per process;
only a text with other characters gets a subset of its own. A character the font lacks is drawn as
"?" (Liberation has the Latin, Greek and Cyrillic alphabets, so this does not happen to Swedish or
its neighbours' names).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import subprocess
from functools import cache, lru_cache
from pathlib import Path

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name, String

from tasks.rendering.conversion_errors import ConverterUnavailable

# fontTools logs every table it prunes at INFO: noise in the worker's log
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

#: where Debian's fonts-liberation2 (and the older fonts-liberation) put the files; $NF_FONT_DIR first
FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation")
#: the faces drawn pages use: the template's Times New Roman and Arial, as Liberation
FACES = {
    "serif": "LiberationSerif-Regular.ttf",
    "serif-bold": "LiberationSerif-Bold.ttf",
    "sans": "LiberationSans-Regular.ttf",
    "sans-bold": "LiberationSans-Bold.ttf",
}


#: what every subset holds: Basic Latin, Latin-1, Latin Extended-A and the common punctuation
REPERTOIRE = "".join(map(chr, [*range(0x20, 0x7F), *range(0xA0, 0x180)])) + "–—‘’‚“”„•…‰‹›€™−"


class FontMissing(ConverterUnavailable):
    """A font the drawn pages need is not on this machine; the message says which, in Swedish."""


def font_dirs() -> list[Path]:
    dirs = [os.environ["NF_FONT_DIR"]] if os.environ.get("NF_FONT_DIR") else []
    return [Path(d) for d in [*dirs, *FONT_DIRS]]


def font_path(file_name: str) -> Path:
    """The font file, from the font directories or else as fontconfig knows it."""
    for directory in font_dirs():
        if (directory / file_name).is_file():
            return directory / file_name
    if shutil.which("fc-list"):
        try:
            listed = subprocess.run(
                ["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, timeout=10
            ).stdout.splitlines()
        except (OSError, subprocess.SubprocessError):
            listed = []
        for line in listed:
            if Path(line).name == file_name and Path(line).is_file():
                return Path(line)
    raise FontMissing(
        f"PDF kunde inte skapas: typsnittet {file_name.removesuffix('.ttf')} saknas på servern "
        "(Debian-paketet fonts-liberation2; `make system` installerar det)."
    )


def missing_fonts_reason() -> str | None:
    """Why drawn pages cannot be made here (in Swedish), or None when every face is there."""
    try:
        for name in FACES.values():
            font_path(name)
    except FontMissing as exc:
        return str(exc)
    return None


class Face:
    """One TrueType font: measures and encodes text, and embeds what was drawn with it."""

    def __init__(self, path: Path):
        self.path = path
        self.font = TTFont(path, lazy=True, recalcTimestamp=False)
        self.units: int = self.font["head"].unitsPerEm
        hhea = self.font["hhea"]
        #: ascent, descent (positive) and line gap, per point of size
        self.ascent: float = hhea.ascent / self.units
        self.descent: float = -hhea.descent / self.units
        self.line_gap: float = hhea.lineGap / self.units
        self.cmap: dict[int, str] = self.font.getBestCmap()  # code point → glyph name
        self.glyph_order: list[str] = self.font.getGlyphOrder()
        self.gid = {name: index for index, name in enumerate(self.glyph_order)}
        self.advance: dict[str, tuple[int, int]] = self.font["hmtx"].metrics  # glyph name → (advance, lsb)
        self.postscript_name = self.font["name"].getDebugName(6) or path.stem
        self.advances: dict[str, int] = {}  # character → advance width in font units
        head, os2 = self.font["head"], self.font["OS/2"]  # read now: the face is shared by threads afterwards
        self.bbox = [head.xMin, head.yMin, head.xMax, head.yMax]
        self.cap_height = getattr(os2, "sCapHeight", 0) / self.units or 0.7
        self.bold = os2.usWeightClass >= 600
        self.repertoire = frozenset(self.gid[self.cmap[ord(c)]] for c in REPERTOIRE if ord(c) in self.cmap)

    def glyph(self, char: str) -> int:
        name = self.cmap.get(ord(char))
        if name is None:
            name = self.cmap.get(ord("?"), ".notdef")
        return self.gid[name]

    def width(self, text: str, size: float) -> float:
        """The advance width of ``text`` in points at ``size``."""
        advances = self.advances
        total = 0
        for char in text:
            advance = advances.get(char)
            if advance is None:
                advance = advances[char] = self.advance[self.glyph_order[self.glyph(char)]][0]
            total += advance
        return total * size / self.units

    def line_height(self, size: float, proportion: float = 1.0) -> float:
        """The height of a line at ``size`` as LibreOffice sets it (ascent, descent and line gap, times the
        paragraph's proportional spacing)."""
        return (self.ascent + self.descent + self.line_gap) * size * proportion


@cache
def face(style: str) -> Face:
    """The face of a style in FACES (loaded once per process); FontMissing when its file is not here."""
    return Face(font_path(FACES[style]))


class FontUse:
    """The text one PDF shows with a face: encodes it and, at the end, embeds the face's subset."""

    def __init__(self, face_: Face, resource: str):
        self.face = face_
        self.resource = "/" + resource
        self.used: dict[int, str] = {}  # glyph id → the text it shows

    def encode(self, text: str) -> bytes:
        """``text`` as a hex string operand of Tj (two bytes per glyph id)."""
        gids = []
        for char in text:
            gid = self.face.glyph(char)
            self.used.setdefault(gid, char if self.face.cmap.get(ord(char)) else "?")
            gids.append(gid)
        return b"<" + "".join(f"{g:04X}" for g in gids).encode("ascii") + b">"

    def embed(self, pdf: pikepdf.Pdf) -> pikepdf.Object:
        """The Type 0 font dictionary, its descendant, descriptor, subset program and /ToUnicode, in ``pdf``."""
        face_, gids = self.face, sorted(self.used)
        glyphs = face_.repertoire if face_.repertoire.issuperset(gids) else face_.repertoire | set(gids)
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha1(repr(sorted(glyphs)).encode()).digest()[:6])
        base_font = Name("/" + f"{tag}+{face_.postscript_name}")
        scale = 1000 / face_.units
        descriptor = pdf.make_indirect(
            Dictionary(
                Type=Name.FontDescriptor,
                FontName=base_font,
                Flags=32 if "Sans" in face_.postscript_name else 34,
                FontBBox=Array([round(v * scale) for v in face_.bbox]),
                ItalicAngle=0,
                Ascent=round(face_.ascent * 1000),
                Descent=-round(face_.descent * 1000),
                CapHeight=round(face_.cap_height * 1000),
                StemV=140 if face_.bold else 80,
                FontFile2=pdf.make_stream(_subset_program(face_.path, frozenset(glyphs))),
            )
        )
        widths = Array()
        for gid in gids:
            widths.append(gid)
            widths.append(Array([round(face_.advance[face_.glyph_order[gid]][0] * scale)]))
        descendant = pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.CIDFontType2,
                BaseFont=base_font,
                CIDSystemInfo=Dictionary(Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0),
                FontDescriptor=descriptor,
                DW=1000,
                W=widths,
                CIDToGIDMap=Name.Identity,
            )
        )
        return pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type0,
                BaseFont=base_font,
                Encoding=Name("/Identity-H"),
                DescendantFonts=Array([descendant]),
                ToUnicode=pdf.make_stream(_to_unicode(self.used)),
            )
        )


@lru_cache(maxsize=16)
def _subset_program(path: Path, glyphs: frozenset[int]) -> bytes:
    """The font program of ``path`` holding only ``glyphs`` (and .notdef), at their own glyph ids."""
    options = subset.Options()
    options.retain_gids = True  # the glyph ids in the content streams stay valid
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = []
    options.glyph_names = False
    options.name_IDs = [1, 2, 4, 6]
    options.prune_unicode_ranges = False
    options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "kern", "DSIG", "gasp", "hdmx", "LTSH", "VDMX", "PCLT"]
    font = TTFont(path, recalcTimestamp=False, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=[0, *sorted(glyphs)])
    subsetter.subset(font)
    program = io.BytesIO()
    font.save(program)
    return program.getvalue()


def _to_unicode(used: dict[int, str]) -> bytes:
    """A /ToUnicode CMap from glyph ids to the characters they show."""
    entries = sorted(used.items())
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        for gid, char in chunk:
            utf16 = char.encode("utf-16-be").hex().upper()
            lines.append(f"<{gid:04X}> <{utf16}>")
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")
