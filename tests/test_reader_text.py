"""The plain-text/Markdown reader: decoding, line-ending normalisation, coded input errors, lines layer.

The reader's promise is that the record's ``text`` is the input decoded with line endings turned
into ``\\n`` and nothing else changed, so these tests compare whole texts, not fragments.
"""

from __future__ import annotations

import codecs
import hashlib
import random

import pytest

from pipeline.errors import BinaryInputError, EmptyInputError, InputError, UndecodableInputError, UnreadableInputError, UnsupportedFormatError
from pipeline.layers import LINES, WARNINGS
from pipeline.readers import read_bytes, read_document

ARTICLE = "Ketamine and the Brain\n\nKetamine blocks NMDA receptors — quickly.\n\tIndented line with trailing spaces   \n\n\nCafé naïve “quotes” 5‑HT2A µg\n"


def _warning_codes(doc) -> list[str]:
    return [span.label for span in doc.layer(WARNINGS)]


def _markup(doc) -> list:
    return [span.get("markup") for span in doc.layer(LINES)]


# --- decoding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, encoding",
    [
        (ARTICLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ARTICLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + ARTICLE.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + ARTICLE.encode("utf-32-le"), "utf-32"),
        (codecs.BOM_UTF32_BE + ARTICLE.encode("utf-32-be"), "utf-32"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf32le-bom", "utf32be-bom"],
)
def test_reader_decodes_unicode_with_and_without_bom(data: bytes, encoding: str) -> None:
    doc = read_bytes(data, "article.txt")
    assert doc.text == ARTICLE  # the BOM is not part of the text; nothing else differs
    assert doc.source.encoding == encoding
    assert doc.source.bytes == len(data)
    assert doc.source.sha256 == hashlib.sha256(data).hexdigest()  # of the raw bytes, BOM included
    assert _warning_codes(doc) == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("a\r\nb\r\n", "a\nb\n"),
        ("a\rb\r", "a\nb\n"),
        ("a\r\nb\rc\nd", "a\nb\nc\nd"),
        ("a\r\r\nb", "a\n\nb"),  # a lone CR before CRLF is a line end of its own
        ("a\n\r\nb", "a\n\nb"),
        ("\r\n\r\ntitle\r\n", "\n\ntitle\n"),
    ],
    ids=["crlf", "cr", "mixed", "cr-then-crlf", "lf-then-crlf", "leading-blank-lines"],
)
def test_reader_normalises_line_endings(raw: str, expected: str) -> None:
    assert read_bytes(raw.encode("utf-8"), "x.txt").text == expected


def test_reader_changes_nothing_but_line_endings() -> None:
    # tabs, trailing spaces, runs of blank lines, NBSP, zero-width space, U+2028, unnormalised
    # combining accents and a missing final newline must all survive untouched
    body = "Title\t \n\n\n  indented\u00a0nbsp\u200bzwsp\u2028ls\ncafe\u0301 \u00e9\n\f\nlast line"
    doc = read_bytes(body.replace("\n", "\r\n").encode("utf-8"), "x.txt")
    assert doc.text == body


def test_reader_guesses_latin1_with_warning() -> None:
    text = "Le médecin a prescrit de la kétamine à un patient naïf à Zürich; les effets secondaires étaient légers.\n"
    doc = read_bytes(text.encode("latin-1"), "note.txt")
    assert doc.text == text
    assert doc.source.encoding not in ("utf-8", None)
    warnings = doc.layer(WARNINGS)
    assert [w.label for w in warnings] == ["encoding-guessed"]
    assert warnings[0].get("located") is False
    assert doc.source.encoding in warnings[0].get("message")


@pytest.mark.parametrize(
    "text",
    [
        "He said “it works” – and the trial’s results agreed, twice.\n",
        "The patient, a naïve café owner from Zürich, received 0.5 mg/kg ketamine over 40 minutes.\n",
        "Die Nebenwirkungen, etwa Schwindel und Übelkeit, klingen meist nach zwei Stunden ab. Größere Studien folgen.\n",
    ],
    ids=["curly-quotes", "english-accents", "german"],
)
def test_reader_prefers_windows_1252_among_equally_clean_guesses(text: str) -> None:
    # charset-normalizer alone names cp1250 or cp775 for these, and cp775 garbles the accents
    doc = read_bytes(text.encode("cp1252"), "note.txt")
    assert doc.source.encoding == "cp1252"
    assert doc.text == text


def test_reader_keeps_central_european_guess() -> None:
    text = (
        "Léčba deprese ketaminem je v posledních letech předmětem intenzivního výzkumu. Pacienti, u kterých "
        "selhala běžná antidepresiva, často reagují během několika hodin. Účinek však obvykle odezní za několik dní.\n"
    )
    doc = read_bytes(text.encode("cp1250"), "note.txt")
    assert doc.source.encoding == "cp1250"
    assert doc.text == text


def test_reader_keeps_utf8_around_stray_windows_1252_bytes() -> None:
    # UTF-8 text with two bytes pasted in from a word processor: only those bytes are guessed
    data = "Ketamine’s effect — a naïve view.\r\n".encode() * 3 + b"Then it\x92s \x93quoted\x94.\r\n"
    doc = read_bytes(data, "x.txt")
    assert doc.text == "Ketamine’s effect — a naïve view.\n" * 3 + "Then it’s “quoted”.\n"
    assert doc.source.encoding == "utf-8"
    warnings = doc.layer(WARNINGS)
    assert [w.label for w in warnings] == ["encoding-mixed"] * 3
    assert [w.text_in(doc.text) for w in warnings] == ["’", "“", "”"]  # offsets point at them after CRLF normalisation
    assert all(w.get("located") for w in warnings)


def test_reader_many_stray_bytes_fall_back_to_detection() -> None:
    # more invalid bytes than valid UTF-8 sequences: the file is legacy-encoded throughout
    text = "Café, naïve, “quoted” – résumé. " * 5
    doc = read_bytes(text.encode("cp1252"), "x.txt")
    assert doc.source.encoding == "cp1252"
    assert [w.label for w in doc.layer(WARNINGS)] == ["encoding-guessed"]


@pytest.mark.parametrize(
    "data",
    [codecs.BOM_UTF16_LE + b"a\x00b", codecs.BOM_UTF8 + b"caf\xe9 au lait"],
    ids=["utf16-odd-length", "utf8-bom-invalid-body"],
)
def test_reader_rejects_bom_with_invalid_body(data: bytes) -> None:
    with pytest.raises(UndecodableInputError) as caught:
        read_bytes(data, "x.txt")
    assert caught.value.code == "P103"


# --- coded input errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b" \n\t\r\n\r  \n", "\u00a0\u2003\n".encode("utf-8"), codecs.BOM_UTF8, codecs.BOM_UTF16_LE + " \r\n".encode("utf-16-le")],
    ids=["empty", "spaces", "mixed-whitespace", "unicode-spaces", "bom-only", "utf16-whitespace"],
)
def test_reader_refuses_empty_input(data: bytes) -> None:
    with pytest.raises(EmptyInputError) as caught:
        read_bytes(data, "blank.txt")
    error = caught.value
    assert error.code == "P101"
    assert error.kind == "input"
    assert str(error).startswith("[P101] blank.txt: ")


@pytest.mark.parametrize(
    "data",
    [
        random.Random(7).randbytes(4096),
        bytes(range(256)) * 8,
        b"\x00" * 2048 + b"text",
        "Ketamine blocks NMDA receptors.".encode("utf-16-le"),  # UTF-16 without a BOM is NUL-heavy
        b"valid utf-8 but " + b"\x00\x01\x02\x03" * 50,
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100,
    ],
    ids=["random-noise", "all-bytes", "nul-run", "utf16-no-bom", "utf8-with-controls", "elf-header"],
)
def test_reader_refuses_binary_input(data: bytes) -> None:
    with pytest.raises(BinaryInputError) as caught:
        read_bytes(data, "noise.txt")
    assert caught.value.code == "P102"
    assert caught.value.path == "noise.txt"


def test_reader_keeps_rare_control_character_with_warning() -> None:
    text = "A long enough line of ordinary article text " * 10 + "\x00 stray NUL\n"
    doc = read_bytes(text.encode("utf-8"), "x.txt")
    assert doc.text == text  # kept, so offsets stay true to the source
    assert _warning_codes(doc) == ["control-characters"]


@pytest.mark.parametrize(
    "data, name",
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "article.txt"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "figure.txt"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "photo.md"),
        (b"GIF89a\x01\x00", "anim.txt"),
    ],
    ids=["zip", "png", "jpeg", "gif"],  # PDFs go to the PDF reader (tests/test_reader_pdf.py)
)
def test_reader_refuses_known_binary_formats_by_signature(data: bytes, name: str) -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        read_bytes(data, name)
    assert caught.value.code == "P105"
    assert isinstance(caught.value, InputError)


def test_reader_read_document_keeps_display_path(tmp_path) -> None:
    source = tmp_path / "note.md"
    source.write_bytes(b"# Title\n\nBody.\n")
    doc = read_document(source, display_path="samples/note.md")
    assert doc.source.path == "samples/note.md"
    assert doc.source.media_type == "text/markdown"


@pytest.mark.parametrize("make", [lambda d: d / "missing.txt", lambda d: d], ids=["missing", "folder"])
def test_reader_read_document_unreadable_path(tmp_path, make) -> None:
    with pytest.raises(UnreadableInputError) as caught:
        read_document(make(tmp_path), display_path="shown.txt")
    assert caught.value.code == "P104"
    assert caught.value.path == "shown.txt"


@pytest.mark.parametrize(
    "name, media_type",
    [("a.txt", "text/plain"), ("a.TXT", "text/plain"), ("a.text", "text/plain"), ("a.md", "text/markdown"), ("a.markdown", "text/markdown")],
)
def test_reader_media_type_follows_extension(name: str, media_type: str) -> None:
    assert read_bytes(b"# Title\n\nBody.\n", name).source.media_type == media_type


# --- the lines layer ------------------------------------------------------------------------------


def test_reader_lines_cover_every_line_exactly() -> None:
    text = "first\n\nthird line\n  \nlast"
    doc = read_bytes(text.encode(), "x.txt")
    lines = doc.layer(LINES)
    assert [span.text_in(doc.text) for span in lines] == text.split("\n")
    assert all(span.label == "line" for span in lines)
    assert _markup(doc) == [None, "blank", None, "blank", None]


def test_reader_lines_final_newline_gives_empty_last_line() -> None:
    doc = read_bytes(b"one\ntwo\n", "x.txt")
    assert [(s.start, s.end) for s in doc.layer(LINES)] == [(0, 3), (4, 7), (8, 8)]


@pytest.mark.parametrize(
    "line, level, marker",
    [("# Title", 1, "# "), ("## Methods", 2, "## "), ("### Sub", 3, "### "), ("###### Deep", 6, "###### "), ("   ## Indented", 2, "   ## "), ("##\tTabbed", 2, "##\t")],
)
def test_reader_lines_mark_markdown_headings(line: str, level: int, marker: str) -> None:
    doc = read_bytes(f"{line}\n\nBody text.\n".encode(), "x.md")
    first = doc.layer(LINES)[0]
    assert first.get("markup") == "heading"
    assert first.get("heading_level") == level
    assert first.get("marker_end") == len(marker)


@pytest.mark.parametrize("line", ["#hashtag not a heading", "####### seven hashes", "    # indented code", "Ketamine #1 choice"])
def test_reader_lines_hash_that_is_not_a_heading(line: str) -> None:
    doc = read_bytes(f"{line}\n".encode(), "x.md")
    assert doc.layer(LINES)[0].get("markup") != "heading"


def test_reader_lines_markdown_headings_only_in_markdown() -> None:
    doc = read_bytes(b"# Looks like a heading\n\nBody.\n", "x.txt")
    assert doc.layer(LINES)[0].get("markup") is None


def test_reader_lines_setext_headings() -> None:
    doc = read_bytes(b"Big Title\n=========\n\nSmaller\n-------\n\nBody.\n", "x.md")
    lines = doc.layer(LINES)
    assert [(s.get("markup"), s.get("heading_level")) for s in lines[:5]] == [
        ("heading", 1),
        ("heading_underline", None),
        ("blank", None),
        ("heading", 2),
        ("heading_underline", None),
    ]


@pytest.mark.parametrize(
    "line, markup, marker",
    [
        ("- dash item", "list_item", "- "),
        ("* star item", "list_item", "* "),
        ("+ plus item", "list_item", "+ "),
        ("• bullet item", "list_item", "• "),
        ("  - nested item", "list_item", "  - "),
        ("1. first", "ordered_item", "1. "),
        ("12) twelfth", "ordered_item", "12) "),
        ("a. lettered", "ordered_item", "a. "),
        ("A. Introduction", "ordered_item", "A. "),
        ("E. coli grew overnight", None, None),
        ("V. destructor is a mite", None, None),
        ("2.1 Participants", None, None),  # a numbered heading, not a list marker
        ("-5 degrees", None, None),
        ("*emphasis* only", None, None),
    ],
)
@pytest.mark.parametrize("name", ["x.md", "x.txt"])
def test_reader_lines_mark_list_items(line: str, markup, marker, name: str) -> None:
    doc = read_bytes(f"{line}\n".encode(), name)
    first = doc.layer(LINES)[0]
    assert first.get("markup") == markup
    assert first.get("marker_end") == (len(marker) if marker else None)


def test_reader_lines_code_fences_hide_markup() -> None:
    text = "Intro\n\n```python\n# not a heading\n- not a list\n```\n\n## After\n"
    doc = read_bytes(text.encode(), "x.md")
    assert _markup(doc) == [None, "blank", "fence", "code", "code", "fence", "blank", "heading", "blank"]


def test_reader_lines_tilde_fence_and_blank_inside() -> None:
    doc = read_bytes(b"~~~\ncode\n\n# still code\n~~~\n# Heading\n", "x.md")
    assert _markup(doc) == ["fence", "code", "blank", "code", "fence", "heading", "blank"]
