"""Write the raw biomedical text that ``spacy pretrain`` learns ner_all's tok2vec from (``make models``).

Why: the NER models learn their token representations from ~18k annotated sentences only. Pretraining
the same tok2vec on more in-domain raw text (spaCy's "characters" objective: predict each word's first
and last characters from its context) costs nothing at run time, since the architecture and size
do not change; scripts/train_ner.py ``--init-tok2vec`` starts from the pretrained weights.

Sources, all in ../shared/data (text only, no annotation is read):
- JATS articles: jats/{plos,elife,pmc}/xml/* and pdf/{hindawi,multipub}/*/fulltext.xml (title,
  abstract and body paragraphs; reference lists skipped);
- MEDLINE titles and abstracts (jats/medline/ground_truth.jsonl);
- GROBID's hand-labelled TEI (grobid_tei/*): paragraphs, titles and abstracts, line-end hyphens joined;
- the TRAIN splits of the NER corpora: ner/bc5cdr/train.jsonl, ner/iob/*/train.jsonl and
  ner/chemprot/train.jsonl (its entity markers removed).

Every development split is kept out so dev scores stay honest: no dev file is a source, a MEDLINE
record whose PMID is a BC5CDR dev document is dropped, and so is any unit of text sharing a run of
``SHINGLE`` words with any dev text (BC5CDR dev, every ner/iob/*/devel.jsonl, ChemProt dev) — the
same abstract can sit in two corpora.

A unit is one paragraph (abstract, sentence), cut at sentence ends into pieces of at most
``MAX_WORDS`` words (spaCy's pretraining skips documents of 500 tokens or more). Units are
whitespace-normalised, deduplicated (first occurrence kept) and shuffled with a fixed seed (spaCy's
pretraining reads the file in order, and one source after another would make its batches lopsided),
one ``{"text": ...}`` per line, so the same inputs give the same bytes.

Usage:  python scripts/build_pretrain_text.py [--out build/pretrain/text.jsonl]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable, Iterator

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "build" / "pretrain" / "text.jsonl"

#: Longest unit in words (spaCy's pretraining corpus skips documents of 500 tokens or more, and our
#: tokenizer makes ~1.4 tokens per word).
MAX_WORDS = 200
#: Units shorter than this (in words) carry too little context to learn from.
MIN_WORDS = 5
#: A unit sharing a run of this many words with a dev text is dropped.
SHINGLE = 8
#: Seed of the shuffle.
SEED = 0

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")
_CHEMPROT_MARKERS = re.compile(r"<< | >>|\[\[ | \]\]")
_SKIPPED_JATS = {"ref-list", "ref", "back", "table-wrap-foot", "bibl", "refgrp", "license", "copyright-statement"}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _outer_paragraphs(element: ET.Element, skipped: set[str], wanted: set[str]) -> Iterator[str]:
    """The text of each outermost ``wanted`` element under ``element`` (none under a ``skipped`` one)."""
    for child in element:
        name = _local(child.tag)
        if name in skipped:
            continue
        if name in wanted:
            text = _normalise("".join(child.itertext()))
            if text:
                yield text
        else:
            yield from _outer_paragraphs(child, skipped, wanted)


def jats_paragraphs(path: Path) -> list[str]:
    """Titles, abstract and body paragraphs of a JATS (or BMC) article, in document order."""
    root = ET.parse(path).getroot()
    return list(_outer_paragraphs(root, _SKIPPED_JATS, {"p", "article-title", "title"}))


def tei_paragraphs(path: Path) -> list[str]:
    """Paragraphs, titles and abstracts of a GROBID training TEI file (line ends joined)."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"(?<=[a-z])-<lb/>\s*(?=[a-z])", "", raw).replace("<lb/>", " ")
    root = ET.fromstring(raw.encode("utf-8"))
    return list(_outer_paragraphs(root, {"teiHeader", "listBibl", "bibl", "reference"}, {"p", "titlePart", "div", "head", "item"}))


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def dev_files() -> list[Path]:
    ner = DATA / "ner"
    return _existing([ner / "bc5cdr" / "dev.jsonl", *sorted(ner.glob("iob/*/devel.jsonl")), ner / "chemprot" / "dev.jsonl"])


def _existing(paths: list[Path]) -> list[Path]:
    return [path for path in paths if path.is_file()]


def bc5cdr_dev_ids() -> set[str]:
    path = DATA / "ner" / "bc5cdr" / "dev.jsonl"
    return {item["id"] for item in _jsonl(path)} if path.is_file() else set()


def shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def dev_shingles() -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for path in dev_files():
        for item in _jsonl(path):
            out |= shingles(_CHEMPROT_MARKERS.sub(" ", item["text"]))
    return out


def sources() -> Iterator[tuple[str, list[Path], callable]]:
    """(name, files, function file -> paragraphs) in the fixed order the output follows."""
    jats = sorted(p for folder in ("plos", "elife", "pmc") for p in (DATA / "jats" / folder / "xml").glob("*") if p.suffix in (".xml", ".nxml"))
    pdf_xml = sorted((DATA / "pdf").glob("*/*/fulltext.xml"))
    tei = sorted((DATA / "grobid_tei").glob("*/*.tei.xml"))
    yield "jats", jats, jats_paragraphs
    yield "pdf-xml", pdf_xml, jats_paragraphs
    yield "medline", _existing([DATA / "jats" / "medline" / "ground_truth.jsonl"]), medline_paragraphs
    yield "grobid-tei", tei, tei_paragraphs
    ner_train = [DATA / "ner" / "bc5cdr" / "train.jsonl", *sorted((DATA / "ner").glob("iob/*/train.jsonl")), DATA / "ner" / "chemprot" / "train.jsonl"]
    yield "ner-train", _existing(ner_train), ner_texts


def medline_paragraphs(path: Path) -> list[str]:
    """Title and abstract of each MEDLINE record, except BC5CDR dev documents (by PMID)."""
    dev_ids = bc5cdr_dev_ids()
    out = []
    for record in _jsonl(path):
        if record.get("pmid") in dev_ids:
            continue
        out += [_normalise(record.get(field) or "") for field in ("title", "abstract")]
    return [text for text in out if text]


def ner_texts(path: Path) -> list[str]:
    return [_normalise(_CHEMPROT_MARKERS.sub(" ", item["text"])) for item in _jsonl(path)]


def units(paragraph: str) -> Iterator[str]:
    """``paragraph`` cut at sentence ends into pieces of at most MAX_WORDS words (a longer sentence is cut at words)."""
    piece: list[str] = []
    for sentence in _SENTENCE_END.split(paragraph):
        words = sentence.split(" ")
        if piece and len(piece) + len(words) > MAX_WORDS:
            yield " ".join(piece)
            piece = []
        piece += words
        while len(piece) > MAX_WORDS:
            yield " ".join(piece[:MAX_WORDS])
            piece = piece[MAX_WORDS:]
    if piece:
        yield " ".join(piece)


def build(out: Path) -> dict:
    """Write the corpus to ``out``; return what went in and what was left out."""
    if not (DATA / "ner").is_dir():
        raise SystemExit(f"sources not found at {DATA}; ../shared/data must sit beside the repository")
    banned = dev_shingles()
    seen: set[str] = set()
    stats: dict = {"units": 0, "words": 0, "duplicates": 0, "short": 0, "dev_overlap": 0, "dev_overlap_words": 0, "sources": {}}
    kept: list[str] = []
    for name, files, read in sources():
        count = stats["sources"].setdefault(name, {"files": 0, "units": 0, "words": 0})
        for path in files:
            count["files"] += 1
            for text in _units_of(read(path)):
                n_words = len(text.split(" "))
                if n_words < MIN_WORDS:
                    stats["short"] += 1
                elif text in seen:
                    stats["duplicates"] += 1
                elif shingles(text) & banned:
                    stats["dev_overlap"] += 1
                    stats["dev_overlap_words"] += n_words
                else:
                    seen.add(text)
                    kept.append(text)
                    count["units"] += 1
                    count["words"] += n_words
                    stats["units"] += 1
                    stats["words"] += n_words
    random.Random(SEED).shuffle(kept)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(json.dumps({"text": text}, ensure_ascii=False) + "\n" for text in kept)
    stats["sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()
    return stats


def _units_of(paragraphs: Iterable[str]) -> Iterator[str]:
    for paragraph in paragraphs:
        yield from units(paragraph)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output JSONL (default {DEFAULT_OUT.relative_to(REPO)})")
    args = parser.parse_args()
    stats = build(args.out)
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    sys.exit(main())
