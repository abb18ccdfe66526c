"""Unit tests for the fast paths of the PDF character layer (pipeline/readers/_pdf_chars.py) and text quality.

Why: the reader takes the page text as one string and samples typography sparingly for speed; these
tests pin that the fast paths give what the per-character reading gave: one item per PDFium index
(surrogate pairs and lone surrogates included), PDFium's line breaks, and the median size of three
sampled characters. No PDFs needed: PDFium's text call is replaced by a fake that writes UTF-16.
"""

from __future__ import annotations

import ctypes
import re

import pypdfium2.raw as pdfium_c
import pytest

from pipeline.readers import _pdf_chars
from pipeline.readers._pdf_chars import HYPHEN_MARK, _breaks, _text_units, _trim
from pipeline.readers.pdf import text_quality


def _fake_get_text(code_units: list[int]):
    def get_text(raw, start, count, buffer):
        data = b"".join(unit.to_bytes(2, "little") for unit in code_units[:count]) + b"\0\0"
        ctypes.memmove(buffer, data, len(data))
        return min(count, len(code_units)) + 1

    return get_text


def _units(monkeypatch, code_units: list[int], count: int | None = None):
    monkeypatch.setattr(pdfium_c, "FPDFText_GetText", _fake_get_text(code_units))
    return _text_units(None, len(code_units) if count is None else count)


def test_pdf_chars_plain_text_is_one_string_with_one_character_per_index(monkeypatch):
    units = _units(monkeypatch, [ord(c) for c in "ab\r\ncd"])
    assert units == "ab\r\ncd"


def test_pdf_chars_surrogate_pair_keeps_its_two_indices(monkeypatch):
    mu = "\U0001d707"  # MATHEMATICAL ITALIC SMALL MU, two UTF-16 code units
    codes = [ord("3"), 0xD835, 0xDF07, ord("g")]
    units = _units(monkeypatch, codes)
    assert list(units) == ["3", mu, "", "g"]


def test_pdf_chars_lone_surrogate_becomes_replacement_character(monkeypatch):
    units = _units(monkeypatch, [ord("a"), 0xD835, ord("b")])
    assert list(units) == ["a", "\ufffd", "b"]


def test_pdf_chars_short_text_is_padded_to_the_character_count(monkeypatch):
    units = _units(monkeypatch, [ord("a"), ord("b")], count=4)
    assert len(units) == 4 and units[:2] == "ab" and not units[2:].strip()


def _segments(text: str, breaks) -> list[str]:
    """The non-blank text between consecutive breaks (what becomes lines)."""
    out, start = [], 0
    for index, after in breaks:
        out.append(text[start:index])
        start = after
    return [s for s in out + [text[start:]] if s.strip()]


def test_pdf_chars_breaks_are_the_same_for_string_and_list_text():
    text = f"one\r\ntwo{HYPHEN_MARK}\r\nthree\nfour\r"
    from_string = list(_breaks(text))
    from_list = list(_breaks(list(text)))
    assert [text[a:b] for a, b in from_string] == ["\r\n", HYPHEN_MARK, "\r\n", "\n", "\r"]
    assert [a for a, _ in from_list] == [i for i, c in enumerate(text) if c in "\r\n" + HYPHEN_MARK]
    assert _segments(text, from_string) == _segments(text, from_list) == ["one", "two", "three", "four"]


@pytest.mark.parametrize("units, kept", [("  ab c \t", (2, 6)), (list("  ab c \t"), (2, 6)), (["", " ", "a", "", "b", " "], (2, 5))])
def test_pdf_chars_trim_drops_surrounding_whitespace(units, kept):
    assert _trim(units, 0, len(units)) == kept


class _FakeSampler(_pdf_chars._Sampler):
    def __init__(self, sizes, bold):
        self.sizes, self.bolds, self.asked = sizes, bold, []

    def _size(self, index):
        self.asked.append(index)
        return self.sizes[index]

    def _bold(self, index):
        return self.bolds[index]


@pytest.mark.parametrize(
    "sizes, expected",
    [
        ([10.0, 10.0, 12.0], 10.0),
        ([10.0, 12.0, 12.0], 12.0),
        ([10.0, 12.0, 11.0], 11.0),
        ([12.0, 10.0, 10.0], 10.0),
    ],
)
def test_pdf_chars_typography_is_the_median_of_three_samples(sizes, expected):
    sampler = _FakeSampler(sizes, [False, False, False])
    assert sampler._typography("abc", 0, 3) == (expected, False)


def test_pdf_chars_typography_bold_needs_every_sample_bold():
    assert _FakeSampler([10.0, 10.0, 10.0], [True, True, True])._typography("abc", 0, 3) == (10.0, True)
    assert _FakeSampler([10.0, 10.0, 10.0], [True, True, False])._typography("abc", 0, 3) == (10.0, False)


def _text_quality_reference(text: str) -> float:
    """The per-token formula text_quality must equal (it judges each distinct token once)."""
    edge = "()[]{}\"'“”‘’.,;:!?*†‡§¶"
    tokens = [t.strip(edge) for t in re.findall(r"\S+", text)]
    tokens = [t for t in tokens if any(c.isalpha() for c in t)]
    wordlike = re.compile(r"^[A-Za-z\u00c0-\u024f\u0370-\u03ff0-9]+(?:[-'’/.][A-Za-z\u00c0-\u024f\u0370-\u03ff0-9]+)*$")
    vowel = re.compile(r"[aeiouyAEIOUYà-ÿα-ω]")
    good = sum(1 for t in tokens if wordlike.match(t) and (vowel.search(t) or len(t) <= 4 or any(c.isdigit() for c in t)))
    return round(max(0.0, good / len(tokens) - text.count("\ufffd") / len(text)), 3)


def test_pdf_text_quality_counts_repeated_tokens_each_time():
    text = "the the the cell cell (IL-6) xqzvbn xqzvbn xqzvbn \ufffd 12 α-helix TNF."
    assert text_quality(text) == _text_quality_reference(text)
    assert text_quality(text) != _text_quality_reference(" ".join(dict.fromkeys(text.split())))
