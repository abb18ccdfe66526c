"""Property tests: whatever bytes arrive, `convert_bytes` gives a valid record or a coded input error.

Hypothesis generates inputs for every reader: text (odd Unicode, control characters, NULs, long
lines, BOMs, UTF-16 with lone surrogates), HTML fragments (malformed tags, huge attributes, nested
tables), JATS-like XML (odd structures, entities, DOCTYPEs) and PDFs mutated from a small
fpdf2-generated one (byte flips, truncations, spliced slices). The contract checked on each is the
one a batch relies on: either a record that passes schema and integrity validation and can be
serialised, or an :class:`~pipeline.errors.InputError` carrying its class's stable code. Anything
else (another exception, a defect error, a record that fails validation) is a bug. Hangs are caught
by Hypothesis's per-example ``deadline``.

Profiles: the default ("ci") keeps every test to a few dozen examples so the file runs in well
under a minute on a shared two-core machine. ``PIPELINE_FUZZ_PROFILE=long`` runs many more
examples (see docs/reliability.md for the recorded long run).
"""

from __future__ import annotations

import codecs
import inspect
import json
import os
import random
import re
from functools import lru_cache
from pathlib import Path

import pytest

pytest.importorskip("hypothesis", reason="hypothesis (the test extra) generates the inputs")
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pipeline import errors as errors_module  # noqa: E402
from pipeline.errors import DefectError, InputError, PipelineError, UnsafeXmlError  # noqa: E402
from pipeline.readers import read_bytes, sniff_format  # noqa: E402
from pipeline.record.integrity import integrity_errors  # noqa: E402
from pipeline.record.io import dumps_record  # noqa: E402
from pipeline.record.schema import schema_errors  # noqa: E402
from pipeline.recipe import convert_bytes  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=20,
    deadline=20_000,  # ms per example: generous for a loaded machine, far below a hang
    derandomize=True,  # same examples every run: CI failures reproduce
    database=None,  # no .hypothesis/ folder in the checkout; a failure prints its input
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("long", parent=settings.get_profile("ci"), max_examples=2_000, derandomize=False)
#: Applied to each property test (not loaded globally, so other test files keep their own settings).
FUZZ = settings.get_profile(os.environ.get("PIPELINE_FUZZ_PROFILE", "ci"))

#: Every stable code the package declares, by error class.
CODES = {cls: cls.code for _, cls in inspect.getmembers(errors_module, inspect.isclass) if issubclass(cls, PipelineError)}

SEED_TEXT = "Ketamine blocks NMDA receptors in the prefrontal cortex of rats (n = 12; p < 0.05).\n"
SEED_XML_TEXT = SEED_TEXT.replace("<", "&lt;")


@pytest.fixture(scope="module", autouse=True)
def _models_loaded() -> None:
    """Load the NER models once, so the first example's deadline does not pay for it."""
    convert_bytes(SEED_TEXT.encode(), "warm-up.txt")


def check_contract(data: bytes, name: str) -> str | None:
    """Convert ``data``; return None for a valid record or the input error's code. Anything else fails."""
    try:
        record = convert_bytes(data, name)
    except DefectError as exc:
        pytest.fail(f"defect error on generated input {name!r}: {exc}")
    except InputError as exc:
        assert exc.code == CODES[type(exc)] and re.fullmatch(r"P1\d\d", exc.code), f"{type(exc).__name__} has an unstable code {exc.code}"
        assert exc.message.strip(), "an input error must say what happened"
        _count(f"refused {exc.code}")
        return exc.code
    _count("record")
    assert schema_errors(record) == []
    assert integrity_errors(record) == []
    json.loads(dumps_record(record).encode("utf-8"))  # writable as UTF-8 JSON and readable back
    return None


def rarely(one_in: int):
    """True about once in ``one_in + 1`` draws, shrinking to False.

    ``st.integers(0, n) == 0`` would not do: Hypothesis favours boundary values, so the "rare"
    branch (an illegal character, a truncation) would be taken far more often than meant and
    most generated documents would be refused before reaching the stages.
    """
    return st.sampled_from([False] * one_in + [True])


def _count(outcome: str) -> None:
    """Tally outcomes for ``--hypothesis-show-statistics``, so a generator that only ever
    produces refusals (and never reaches the stages) shows up."""
    if currently_in_test_context():
        event(outcome)


def test_contract_code_table_has_unique_codes() -> None:
    by_code: dict[str, list[str]] = {}
    for cls, code in CODES.items():
        by_code.setdefault(code, []).append(cls.__name__)
    assert {code: names for code, names in by_code.items() if len(names) > 1} == {}


# --------------------------------------------------------------------------- text and Markdown

_ODD_CHARS = st.sampled_from(
    ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u00a0", "\u200b", "\u200d", "\u2028", "\u2029", "\ufeff",
     "\ufffd", "\ufffe", "\uffff", "\U0001f600", "\U0010ffff", "e\u0301", "\u202e", "\r", "\r\n", "\n", "\t", "#", "# ", "- ", "1. ", "```", "==="]
)
_UNICODE_TEXT = st.lists(st.one_of(st.text(max_size=40), _ODD_CHARS, st.just(SEED_TEXT)), max_size=30).map("".join)
_LEADING_COMMENTS = st.builds(lambda comment, count: comment * count, st.sampled_from([b"<!---->", b"<!-- a -->", b"<!-- -- -->\n", b"<!--->"]), st.integers(1, 300))
_TEXT_NAMES = st.sampled_from(["a.txt", "a.md", "a.text", "a.markdown", "noext"])


def _encode(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding``; surrogates pass through (they are what a broken UTF-16 file holds)."""
    if encoding == "utf-16-bom":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le", "surrogatepass")
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be", "surrogatepass")
    if encoding == "utf-32-bom":
        return codecs.BOM_UTF32_LE + text.encode("utf-32-le", "surrogatepass")
    if encoding == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8", "surrogatepass")
    return text.encode(encoding, "replace" if encoding in ("latin-1", "cp1252") else "surrogatepass")


@st.composite
def text_inputs(draw) -> bytes:
    text = draw(_UNICODE_TEXT)
    if draw(st.booleans()):
        text += draw(st.sampled_from(["\ud800", "\udfff", "\udc00x", "a\ud83d"]))  # lone surrogates
    if draw(rarely(4)):
        text += draw(st.sampled_from(["a", "Ketamine ", "x" * 97 + " "])) * draw(st.integers(200, 5_000))  # a very long line
    encoding = draw(st.sampled_from(["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-be-bom", "utf-32-bom", "latin-1", "cp1252"]))
    data = _encode(text, encoding)
    if draw(rarely(3)):
        data = draw(st.binary(max_size=64)) + data  # stray bytes before (or instead of) a BOM
    if draw(rarely(5)):
        data = draw(_LEADING_COMMENTS) + data  # what format sniffing looks at first
    return data


@FUZZ
@given(data=text_inputs(), name=_TEXT_NAMES)
def test_fuzz_text_reader_keeps_the_contract(data: bytes, name: str) -> None:
    check_contract(data, name)


@FUZZ
@given(data=st.binary(max_size=2_000), name=_TEXT_NAMES)
def test_fuzz_arbitrary_bytes_keep_the_contract(data: bytes, name: str) -> None:
    check_contract(data, name)


# --------------------------------------------------------------------------- HTML

_HTML_TAGS = ["p", "div", "span", "a", "b", "i", "h1", "h2", "h3", "ul", "ol", "li", "table", "tr", "td", "th", "pre", "code",
              "blockquote", "article", "main", "nav", "script", "style", "br", "img", "meta", "title", "head", "body", "sup", "em"]
_ATTRIBUTES = st.one_of(
    st.just(""),
    st.builds(lambda v: f' href="{v}"', st.sampled_from(["https://doi.org/10.1/x", "javascript:alert(1)", "//x", "#", "http://[::1", ""])),
    st.builds(lambda n: f' class="{"x" * n}"', st.integers(0, 200_000)),  # huge attribute values
    st.builds(lambda v: f' name="citation_{v[0]}" content="{v[1]}"', st.tuples(st.sampled_from(["title", "author", "doi", "date", "journal_title"]), st.text(max_size=30))),
    st.just(' charset="utf-16"'),
    st.just(' property="og:title" content="T"'),
)
_HTML_TEXT = st.one_of(st.text(max_size=60), st.just(SEED_TEXT), _ODD_CHARS, st.sampled_from(["&amp;", "&nbsp;", "&#0;", "&#xD800;", "&#99999999;", "&bogus;", "<!--", "-->", "<![CDATA[x]]>"]))


@st.composite
def html_fragments(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6 if depth < 3 else 2))):
        choice = draw(st.integers(0, 9))
        if choice < 4 or depth >= 4:
            parts.append(draw(_HTML_TEXT))
        elif choice < 8:
            tag = draw(st.sampled_from(_HTML_TAGS))
            close = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", "", f"</{tag}", "</>"]))  # sometimes unclosed or malformed
            parts.append(f"<{tag}{draw(_ATTRIBUTES)}>{draw(html_fragments(depth + 1))}{close}")
        else:
            parts.append(draw(st.sampled_from(["<", ">", "<p<p>", "<a href='x>", "<!DOCTYPE html>", "<?xml?>", "</html>", "<table><tr><td>"])))
    return "".join(parts)


def _nested_tables(depth: int, cell: str) -> str:
    return "<table><tr><td>" * depth + cell + "</td></tr></table>" * depth


@st.composite
def html_inputs(draw) -> bytes:
    body = draw(html_fragments())
    if draw(rarely(4)):
        body += _nested_tables(draw(st.integers(1, 300)), SEED_TEXT)
    head = draw(st.sampled_from(["", "<html>", "<!DOCTYPE html><html><head><title>T</title></head><body>", "<html><body>"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-bom", "utf-16-bom", "cp1252"]))
    comments = draw(_LEADING_COMMENTS) if encoding in ("utf-8", "cp1252") and draw(rarely(4)) else b""
    return comments + _encode(head + body, encoding)


@FUZZ
@given(data=html_inputs(), name=st.sampled_from(["page.html", "page.htm", "page.xhtml"]))
def test_fuzz_html_reader_keeps_the_contract(data: bytes, name: str) -> None:
    check_contract(data, name)


# --------------------------------------------------------------------------- JATS XML

_JATS_TAGS = ["sec", "title", "p", "xref", "ref-list", "ref", "mixed-citation", "element-citation", "fig", "caption", "label", "table-wrap",
              "table", "tr", "td", "list", "list-item", "bold", "italic", "sup", "fn", "app", "ack", "abstract", "body", "back", "front",
              "article-meta", "title-group", "article-title", "contrib-group", "contrib", "name", "surname", "given-names", "aff",
              "pub-date", "year", "month", "day", "article-id", "journal-title", "kwd-group", "kwd", "person-group", "source", "article"]
_XML_ATTRIBUTES = st.sampled_from(['', ' ref-type="bibr" rid="r1"', ' rid="r1 r2 missing"', ' id="r1"', ' id="r1"', ' sec-type="methods"',
                                   ' pub-id-type="doi"', ' pub-id-type="pmid"', ' date-type="pub"', ' pub-type="epub"', ' list-type="order"',
                                   ' contrib-type="author"', ' abstract-type="summary"', ' xmlns="http://example.org/ns"', ' xml:lang="en"'])
#: Characters XML 1.0 allows in text, less the two that start markup.
_XML_CHARS = st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="<&\ufffe\uffff") | st.sampled_from("\t\n\r")
_XML_TEXT = st.one_of(
    st.text(alphabet=_XML_CHARS, max_size=50),
    st.just(SEED_XML_TEXT),
    st.sampled_from(["&ndash;", "&alpha;", "&amp;", "&lt;", "&#x3b1;", "&#8212;", "&nbsp;", "<![CDATA[a < b]]>", "<!-- note -->", "<?pi data?>",
                     "2004", "10.1371/journal.x", "\x85", "\u2028"]),
)
#: Text no well-formed XML may hold; drawn rarely, so most documents still parse and reach the stages.
_XML_ILLEGAL = st.sampled_from(["&#x0;", "&#xD800;", "&#1114112;", "&undefinedname;", "]]>", "\x00", "\x1b", "<", "&", "</p>", "<p"])


@st.composite
def jats_elements(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 5 if depth < 4 else 1))):
        if depth >= 6 or draw(st.integers(0, 2)) == 0:
            parts.append(draw(_XML_ILLEGAL if draw(rarely(150)) else _XML_TEXT))
        else:
            tag = draw(st.sampled_from(_JATS_TAGS))
            parts.append(f"<{tag}{draw(_XML_ATTRIBUTES)}>{draw(jats_elements(depth + 1))}</{tag}>")
    return "".join(parts)


_DOCTYPES = st.sampled_from([
    "",
    '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN" "JATS-journalpublishing1.dtd">',
    '<!DOCTYPE article SYSTEM "http://127.0.0.1:9/jats.dtd">',
    "<!DOCTYPE article [<!ELEMENT article ANY>]>",
])


@st.composite
def jats_inputs(draw) -> bytes:
    declaration = draw(st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.1"?>']))
    root = draw(st.sampled_from(["article", "article", "pmc-articleset><article", "notjats"]))
    close = "</article></pmc-articleset>" if root.startswith("pmc") else f"</{root}>"
    front = "<front><article-meta><title-group><article-title>" + draw(_XML_TEXT) + "</article-title></title-group></article-meta></front>"
    elements = draw(jats_elements())
    body = elements if draw(rarely(3)) else f"<body>{elements}</body>"  # loose elements have nothing JATS renders
    back = "" if draw(st.booleans()) else f"<back><ref-list><ref id=\"r1\"><mixed-citation>{draw(_XML_TEXT)}</mixed-citation></ref></ref-list></back>"
    inner = (front if draw(st.booleans()) else "") + body + back
    xml = f"{declaration}{draw(_DOCTYPES)}<{root}>{inner}{close}"
    data = xml.encode("latin-1", "replace") if "ISO-8859-1" in declaration else xml.encode("utf-8", "surrogatepass")
    if draw(rarely(7)):
        data = data[: draw(st.integers(0, len(data)))]  # truncated download
    return data


@FUZZ
@given(data=jats_inputs(), name=st.sampled_from(["article.xml", "article.nxml"]))
def test_fuzz_jats_reader_keeps_the_contract(data: bytes, name: str) -> None:
    check_contract(data, name)


_ENTITY_ATTACKS = st.sampled_from([
    '<!DOCTYPE article [<!ENTITY a "{payload}">]><article><body><p>&a;</p></body></article>',
    '<!DOCTYPE article [<!ENTITY a "{payload}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]><article><body><p>&e;&e;&e;&e;</p></body></article>',
    '<!DOCTYPE article [<!ENTITY a SYSTEM "file://{dtd}">]><article><body><p>{payload} &a;</p></body></article>',
    '<!DOCTYPE article [<!ENTITY % p SYSTEM "file://{dtd}"> %p;]><article><body><p>{payload} &secret;</p></body></article>',
    '<!DOCTYPE article [<!ENTITY img SYSTEM "x.png" NDATA png><!NOTATION png SYSTEM "image/png">]><article><body><p>{payload}</p></body></article>',
])


@FUZZ
@given(template=_ENTITY_ATTACKS, payload=st.text(alphabet="abcdefghij KETAMINE", min_size=1, max_size=30), prolog=st.sampled_from(["", '<?xml version="1.0"?>']))
def test_fuzz_jats_entity_declarations_are_refused_never_expanded(template: str, payload: str, prolog: str, tmp_path_factory) -> None:
    dtd = tmp_path_factory.getbasetemp() / "secret.dtd"
    dtd.write_text('<!ENTITY secret "EXPANDED-SECRET">')
    data = (prolog + template.format(payload=payload, dtd=dtd)).encode()
    with pytest.raises(UnsafeXmlError) as caught:
        convert_bytes(data, "attack.xml")
    assert caught.value.code == "P108" and "EXPANDED-SECRET" not in str(caught.value)


# --------------------------------------------------------------------------- PDF


@lru_cache(maxsize=None)
def seed_pdf(compressed: bool) -> bytes:
    """A small two-page article PDF written with fpdf2; mutations of it are the PDF inputs."""
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (the test extra) writes the seed PDF")
    pdf = fpdf.FPDF(unit="pt", format=(600, 800))
    pdf.set_compression(compressed)
    pdf.set_title("Ketamine and NMDA receptors")
    for page in range(2):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 24, f"{page + 1}. Ketamine and NMDA receptors", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 12, SEED_TEXT * 6)
    return bytes(pdf.output())


@st.composite
def pdf_inputs(draw) -> bytes:
    data = bytearray(seed_pdf(draw(st.booleans())))
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["flip", "flip", "truncate", "splice", "delete"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if operation == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif operation == "truncate":
            del data[max(at, 8):]
        elif operation == "splice":
            source = draw(st.integers(0, len(data) - 1))
            data[at:at] = data[source : source + draw(st.integers(1, 200))]
        else:
            del data[at : at + draw(st.integers(1, 200))]
    return bytes(data)


@FUZZ
@given(data=pdf_inputs())
def test_fuzz_pdf_reader_keeps_the_contract(data: bytes) -> None:
    check_contract(data, "paper.pdf")


def test_fuzz_seed_pdf_converts() -> None:
    """The unmutated seeds must give records, or the PDF test would only ever see errors."""
    for compressed in (True, False):
        assert check_contract(seed_pdf(compressed), "paper.pdf") is None


# --------------------------------------------------------------------------- a whole batch

GOOD_INPUTS = {
    "good-notes.md": b"# Ketamine Notes\n\n" + SEED_TEXT.encode(),
    "good-plain.txt": b"Psilocybin Trials\n\nPsilocybin activates 5-HT2A receptors and promotes neuroplasticity.\n",
    "good-jats.xml": b"<article><front><article-meta><title-group><article-title>Ketamine</article-title></title-group></article-meta></front>"
    b"<body><sec><title>Results</title><p>" + SEED_XML_TEXT.encode() + b"</p></sec></body></article>",
}


def _bad_inputs(rng) -> dict[str, tuple[bytes, str]]:
    """Inputs generated to be refused, each with the code it must get."""
    nul_heavy = bytes(byte if index % 4 else 0 for index, byte in enumerate(rng.randbytes(2_000)))  # a NUL every 4th byte
    script = "".join(rng.choice("abc(){};=+ \n") for _ in range(500))
    entity = "".join(rng.choice("abcdef") for _ in range(12))
    return {
        "bad-empty.txt": (b"", "P101"),
        "bad-whitespace.md": (" \n\t\r\n".encode() * rng.randint(1, 50), "P101"),
        "bad-nul-heavy.txt": (nul_heavy, "P102"),
        "bad-entity.xml": (f'<!DOCTYPE article [<!ENTITY {entity} "x">]><article><body><p>&{entity};</p></body></article>'.encode(), "P108"),
        "bad-scripts-only.html": (f"<html><body><script>{script}</script></body></html>".encode(), "P130"),
        "bad-pdf-header-only.pdf": (b"%PDF-1.4\n" + rng.randbytes(300).replace(b"obj", b"xxx"), "P111"),
    }


def _mutated_pdfs(rng, count: int) -> dict[str, bytes]:
    """Seed PDFs with random byte flips or a truncation: each may convert or be refused."""
    out = {}
    for index in range(count):
        data = bytearray(seed_pdf(index % 2 == 0))
        if index % 3 == 2:
            del data[rng.randint(16, len(data) - 1):]
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        out[f"mutated-{index}.pdf"] = bytes(data)
    return out


def test_fuzz_batch_writes_every_good_record_and_reports_every_bad_input(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.batch import ERRORS_FILE
    from pipeline.cli import main

    rng = random.Random(6)
    good = {**GOOD_INPUTS, "good-paper.pdf": seed_pdf(False)}
    bad = _bad_inputs(rng)
    mutated = _mutated_pdfs(rng, 6)
    alone = {name: check_contract(data, name) for name, data in mutated.items()}  # None: a record
    inputs = {**good, **{name: data for name, (data, _) in bad.items()}, **mutated}
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for name, data in inputs.items():
        (src / name).write_bytes(data)

    result = CliRunner().invoke(main, ["convert", str(src), "-o", str(out), "-j", "2"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    lines = (out / ERRORS_FILE).read_text(encoding="utf-8").splitlines()
    failed = {Path(entry["path"]).name: entry["code"] for entry in map(json.loads, lines)}
    written = {path.name for path in out.glob("*.json")}
    assert written == {Path(name).stem + ".json" for name in [*good, *(name for name, code in alone.items() if code is None)]}
    assert failed == {name: code for name, (_, code) in bad.items()} | {name: code for name, code in alone.items() if code is not None}
    for name in written:
        record = json.loads((out / name).read_text(encoding="utf-8"))
        assert schema_errors(record) == [] and integrity_errors(record) == []


# --------------------------------------------------------------------------- regressions found by fuzzing


def test_regression_html_sniffing_backtracked_exponentially_on_leading_comments() -> None:
    """Format sniffing let an HTML comment run past its "-->", so N leading comments could be
    split in 2^N ways: 40 empty comments before non-HTML text took hours to refuse."""
    assert sniff_format(b"<!---->" * 300 + b"not html", ".txt") == "text"
    assert sniff_format(b"<!-- a --> b --><html>", ".txt") == "text"  # a comment ends at its first "-->"
    assert sniff_format(b"<!-- a -- b ---><!----><html>", ".txt") == "html"


def test_regression_jats_named_entities_failed_without_a_doctype() -> None:
    """JATS without a DOCTYPE (publishers' exports) using &ndash; or &alpha; was refused as
    not well-formed (P107): expat resolves undeclared entities only for documents with an
    external DTD, so the HTML/ISO entity table was never consulted."""
    article = (
        "<article><front><article-meta><title-group><article-title>Ketamine &ndash; a review</article-title></title-group>"
        "</article-meta></front><body><p>&alpha;-amino acids <![CDATA[&ndash; stays literal]]> &amp; more</p></body></article>"
    )
    for prolog in ("", '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" standalone="yes"?>', "<!DOCTYPE article>"):
        text = read_bytes((prolog + article).encode(), "a.xml").text
        assert "Ketamine – a review" in text and "α-amino acids &ndash; stays literal & more" in text


def test_regression_jats_undefined_entity_is_named_as_such() -> None:
    with pytest.raises(InputError) as caught:
        read_bytes(b"<article><body><p>&notanentity;</p></body></article>", "a.xml")
    assert caught.value.code == "P107" and "neither an XML nor an HTML/ISO character entity" in caught.value.message
