"""Broken font encodings that text alone cannot show: letters patched in from a font with a wrong map.

Why: typesetters draw letters a text font lacks ("ę", "ł", "ń" in Polish names) from an extra
font. When that font's Unicode map is wrong, the letters come out as other ASCII letters:
"Zaręba" becomes "Zarwba", "Bogusław" "BogusBaw". Every character is a plausible letter, so
word-shape measures of the text (:func:`pipeline.readers.pdf.text_quality`) score the page as
clean. The fonts give it away: a correctly mapped "w" inside a word is drawn from the word's own
font, while the broken one is a single letter from another font between two letters of the word's
font. Such *patched letters* are counted; a page with one carries a warning. On the development
PDFs this finds four Hindawi bylines ("Zarwba", "HoBody", "MaNkowska", "KadiroLullarJ", "KürGat")
and nothing else.

Ligatures are not patched letters (two characters that share one glyph box are skipped), nor are
non-ASCII letters (a correctly mapped "ę" from an extra font is the point of that font) or letters
in another size (superscripts, small capitals).

Cost: two PDFium calls per character, so the check reads a bounded sample: the first
:data:`MAX_CHARS` characters of a page. The reader runs it on page 1, where the title and the
byline (the names with diacritics) are.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2.raw as pdfium_c

#: Characters sampled per page at most.
MAX_CHARS = 2000
#: This many patched letters on a page make a warning. On the 90 development PDFs every patched
#: letter found was a real mis-mapping ("KürGat" for "Kürşat"), so one is enough.
WARN_AT = 1


@dataclass(frozen=True)
class GlyphCheck:
    """Letters of a page drawn from another font inside a word (mis-mapped glyphs, probably)."""

    letters_checked: int
    patched: tuple[tuple[str, str], ...]  # (word as extracted, letter) for each patched letter

    @property
    def consistency(self) -> float:
        """1 - share of checked letters that are patched (1.0: every letter from its word's font)."""
        if not self.letters_checked:
            return 1.0
        return round(1 - len(self.patched) / self.letters_checked, 4)

    @property
    def suspicious(self) -> bool:
        return len(self.patched) >= WARN_AT


def check_page(raw) -> GlyphCheck:
    """Patched letters among the first :data:`MAX_CHARS` characters of a PDFium text page ``raw``."""
    count = min(pdfium_c.FPDFText_CountChars(raw), MAX_CHARS)
    name = ctypes.create_string_buffer(96)
    flags = ctypes.c_int()
    chars: list[tuple[str, bytes, float]] = []
    for index in range(count):
        char = chr(pdfium_c.FPDFText_GetUnicode(raw, index))
        if char.isalpha():
            length = pdfium_c.FPDFText_GetFontInfo(raw, index, name, len(name), ctypes.byref(flags))
            font = name.value if length else b""
            chars.append((char, font, round(pdfium_c.FPDFText_GetFontSize(raw, index), 1)))
        else:
            chars.append((char, b"", 0.0))
    return _verdict(chars)


def _verdict(chars: list[tuple[str, bytes, float]]) -> GlyphCheck:
    """Letters whose font differs from both neighbours, which are letters of one font and size."""
    patched = []
    letters = sum(1 for char, _, _ in chars if char.isalpha())
    for i in range(1, len(chars) - 1):
        (before, font_before, size_before), (char, font, size), (after, font_after, size_after) = chars[i - 1], chars[i], chars[i + 1]
        if not (char.isascii() and char.isalpha() and before.isalpha() and after.isalpha()):
            continue
        if font_before != font_after or font == font_before or not font_before or size_before != size_after or size != size_before:
            continue
        patched.append((_word_at(chars, i), char))
    return GlyphCheck(letters, tuple(patched))


def _word_at(chars: list[tuple[str, bytes, float]], index: int) -> str:
    start = index
    while start > 0 and chars[start - 1][0].isalpha():
        start -= 1
    end = index
    while end < len(chars) and chars[end][0].isalpha():
        end += 1
    return "".join(c for c, _, _ in chars[start:end])
