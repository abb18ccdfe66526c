"""Coverage-guided fuzzing of the whole convert path with atheris (libFuzzer for Python).

The property tests (tests/test_fuzz_inputs.py) generate inputs from grammars; this harness lets
libFuzzer mutate bytes guided by the branch coverage of the readers, which finds inputs no grammar
thought of. It checks the same contract: ``convert_bytes`` returns a record that passes schema and
integrity validation, or raises an input error (``P1xx``); any other exception, a defect error
included, is reported by libFuzzer as a crash with the input saved to ``crash-*``.

Not run in CI (atheris needs a clang-built wheel and runs until stopped). Usage::

    pip install 'atheris>=2.3,<3'
    python fuzz/fuzz_convert.py fuzz/corpus -max_total_time=600 -timeout=30 -rss_limit_mb=4096

The first byte of each input picks the file name (and so the extension the readers see); the rest
is the file's content. ``fuzz/corpus`` (created if missing) is seeded with one small input per
reader, written by :func:`seed_corpus`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["pipeline"]):
    from pipeline.errors import InputError
    from pipeline.recipe import convert_bytes
    from pipeline.record.integrity import integrity_errors
    from pipeline.record.io import dumps_record
    from pipeline.record.schema import schema_errors

NAMES = ("input.txt", "input.md", "input", "page.html", "article.xml", "article.nxml", "paper.pdf")

SEEDS = {
    "input.md": b"# Ketamine Notes\n\nKetamine blocks NMDA receptors in the prefrontal cortex.\n- one\n1. two\n",
    "page.html": b"<html><head><title>T</title><meta name='citation_doi' content='10.1/x'></head><body><article><h1>T</h1>"
    b"<p>Ketamine blocks NMDA receptors in the prefrontal cortex of rats.</p><table><tr><td>a</td></tr></table></article></body></html>",
    "article.xml": b"<article><front><article-meta><title-group><article-title>Ketamine</article-title></title-group></article-meta></front>"
    b"<body><sec><title>Results</title><p>Ketamine blocks NMDA receptors <xref ref-type='bibr' rid='r1'>1</xref>.</p></sec></body>"
    b"<back><ref-list><ref id='r1'><mixed-citation>Smith J. Title. Nature. 2004;1:2.</mixed-citation></ref></ref-list></back></article>",
}


def check(data: bytes) -> None:
    if not data:
        return
    name = NAMES[data[0] % len(NAMES)]
    try:
        record = convert_bytes(data[1:], name)
    except InputError:
        return
    problems = schema_errors(record) + integrity_errors(record)
    if problems:
        raise AssertionError(f"{name}: record fails validation: {problems[:3]}")
    dumps_record(record).encode("utf-8")


def seed_corpus(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in SEEDS.items():
        (folder / f"seed-{name}").write_bytes(bytes([NAMES.index(name)]) + content)
    try:
        import fpdf
    except ImportError:
        return
    pdf = fpdf.FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Ketamine blocks NMDA receptors in the prefrontal cortex of rats. " * 4)
    (folder / "seed-paper.pdf").write_bytes(bytes([NAMES.index("paper.pdf")]) + bytes(pdf.output()))


def main() -> None:
    corpus = next((Path(arg) for arg in sys.argv[1:] if not arg.startswith("-")), None)
    if corpus is not None:
        seed_corpus(corpus)
    check(b"\x01" + SEEDS["input.md"])  # load the models before fuzzing starts
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
