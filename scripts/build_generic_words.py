"""Build pipeline/data/generic_words.txt.gz: general-English words that are not biomedical terms.

The entity stage drops a statistical-model mention that no vocabulary knows when it is one of these
words ("tolerate" tagged as a compound, "openness" as a condition): see
pipeline/stages/_entity_filter.py. A word is *generic* when all three hold:

1. it is general English: lower-case letters only, used at least ``GENERAL_MIN_PER_MILLION`` times
   per million words in pyspellchecker's English frequency list (built from OpenSubtitles 2018;
   pyspellchecker is MIT-licensed and used here at build time only);
2. it is not domain vocabulary: its frequency in biomedical text (the training splits of the NER
   corpora and the JATS full texts and MEDLINE abstracts in ../shared/data) is less than
   ``10 ** MAX_DOMAIN_KEYNESS`` times its general frequency (add-one smoothed), so "toxicity" and
   "pain" are domain words and "openness" is not;
3. no training annotation uses it as a whole entity mention, of any type (BC5CDR train and the
   IOB corpora's train splits): "cough" or "heroin" stay possible entities whatever their
   frequencies.

No development split is read. The output is sorted and gzip'd with mtime 0, so the same inputs give
the same bytes; its header records the inputs' hashes and the parameters.
``tests/test_entity_filter.py`` checks that the committed file is what this script produces.

Run ``python scripts/build_generic_words.py`` (needs ../shared/data and ``pip install pyspellchecker``).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
OUT = REPO / "pipeline" / "data" / "generic_words.txt.gz"

GENERAL_MIN_PER_MILLION = 0.1
MAX_DOMAIN_KEYNESS = 1.0  # log10 of (biomedical frequency / general frequency)
_WORD = re.compile(r"[a-z]+")
_TAG = re.compile(r"<[^>]+>")


def training_files() -> list[Path]:
    """NER training splits: their text counts as biomedical text, their mentions as entity words."""
    ner = DATA / "ner"
    return [ner / "bc5cdr" / "train.jsonl", *sorted(ner.glob("iob/*/train.jsonl"))]


def article_files() -> list[Path]:
    """Full texts and abstracts (XML), counted as biomedical text."""
    jats = DATA / "jats"
    return sorted(jats.glob("*/xml/*")) + [jats / "medline" / "medline16n0902_subset.xml"]


def biomedical_counts() -> tuple[Counter, int]:
    counts: Counter[str] = Counter()
    for path in training_files():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                counts.update(_WORD.findall(json.loads(line)["text"].lower()))
    for path in article_files():
        counts.update(_WORD.findall(_TAG.sub(" ", path.read_text(encoding="utf-8", errors="replace")).lower()))
    return counts, sum(counts.values())


def entity_words() -> set[str]:
    """Lower-cased texts of every annotated mention in the training splits."""
    words = set()
    for path in training_files():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                words.update(e["text"].lower() for e in json.loads(line)["entities"])
    return words


def general_frequencies() -> tuple[dict[str, int], Path]:
    try:
        import spellchecker
    except ImportError:
        raise SystemExit("pyspellchecker is needed to build the generic word list: pip install pyspellchecker") from None
    path = Path(spellchecker.__file__).parent / "resources" / "en.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle), path


def generic_words() -> tuple[list[str], list[str]]:
    """(sorted generic words, header lines describing the inputs)."""
    general, general_path = general_frequencies()
    general_total = sum(general.values())
    bio, bio_total = biomedical_counts()
    entities = entity_words()

    def keyness(word: str) -> float:
        return math.log10((bio[word] + 1) / bio_total) - math.log10((general.get(word, 0) + 1) / general_total)

    minimum = GENERAL_MIN_PER_MILLION * general_total / 1e6
    words = sorted(w for w, n in general.items()
                   if n >= minimum and _WORD.fullmatch(w) and w not in entities and keyness(w) < MAX_DOMAIN_KEYNESS)
    header = [
        "# pipeline generic words: general English that is not biomedical vocabulary (scripts/build_generic_words.py)",
        f"# parameters general_min_per_million={GENERAL_MIN_PER_MILLION} max_domain_keyness={MAX_DOMAIN_KEYNESS}",
        f"# general English: pyspellchecker {_version()} resources/en.json.gz sha256 {_sha256(general_path)} (MIT; OpenSubtitles 2018 frequencies)",
        f"# biomedical text: {bio_total} words",
    ]
    header += [f"# input {p.relative_to(DATA).as_posix()} sha256 {_sha256(p)}" for p in training_files() + article_files()]
    return words, header


def render(words: list[str], header: list[str]) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
        handle.write(("\n".join(header + words) + "\n").encode("utf-8"))
    return buffer.getvalue()


def build() -> bytes:
    if not (DATA / "ner").is_dir():
        raise SystemExit(f"sources not found at {DATA}; ../shared/data must sit beside the repository")
    return render(*generic_words())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _version() -> str:
    from importlib.metadata import version

    return version("pyspellchecker")


def main() -> None:
    data = build()
    OUT.write_bytes(data)
    print(f"wrote {OUT.relative_to(REPO)} ({len(data):,} bytes)")


if __name__ == "__main__":
    sys.exit(main())
