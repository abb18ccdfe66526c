"""Patched letters: a letter drawn from another font inside a word, the trace of a broken font map.

The verdict is tested on hand-built character lists; a data test runs the PDFium check on the
development paper whose byline font maps "ę" to "w" (skips without ../shared).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.readers._pdf_glyphs import _verdict, check_page

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pdf"


def _chars(text, fonts, size=10.0):
    return [(c, f.encode() if c.isalpha() else b"", size if c.isalpha() else 0.0) for c, f in zip(text, fonts)]


def test_a_letter_from_another_font_inside_a_word_is_patched():
    text = "Konrad Zarwba"
    fonts = ["Minion"] * len(text)
    fonts[text.index("w")] = "MinionExtra"
    check = _verdict(_chars(text, fonts))
    assert check.patched == (("Zarwba", "w"),)
    assert check.suspicious and check.consistency < 1.0


def test_clean_words_and_font_changes_between_words_are_not_patched():
    text = "Konrad Zareba in italics"
    fonts = ["Minion"] * 14 + ["Minion-Italic"] * 10
    check = _verdict(_chars(text, fonts))
    assert check.patched == () and not check.suspicious and check.consistency == 1.0


def test_a_correctly_mapped_accented_letter_from_an_extra_font_is_fine():
    text = "Zaręba"
    fonts = ["Minion"] * len(text)
    fonts[text.index("ę")] = "MinionExtra"
    assert _verdict(_chars(text, fonts)).patched == ()


def test_a_letter_in_another_size_is_not_patched():
    chars = _chars("Smitha", ["Minion"] * 5 + ["MinionSup"])
    chars[4] = ("h", b"MinionSup", 6.0)
    assert _verdict(chars).patched == ()


def test_the_development_paper_with_a_broken_byline_font():
    pdf = DATA / "hindawi" / "PMC4709662" / "fulltext.pdf"
    if not pdf.exists():
        pytest.skip("needs ../shared/data/pdf/hindawi (the development PDFs)")
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    textpage = document[0].get_textpage()
    check = check_page(textpage.raw)
    assert ("Zarwba", "w") in check.patched and ("HoBody", "B") in check.patched
    clean = DATA / "multipub" / "plosone_0115884" / "fulltext.pdf"
    assert check_page(pdfium.PdfDocument(clean)[0].get_textpage().raw).patched == ()
