"""Build pipeline/data/mesh_mentions.tsv.gz: how annotators normalised chemical and disease mentions to MeSH.

Why: the packaged lexicon holds MeSH *descriptors* with the few synonyms the derived MeSH subset lists,
so "adriamycin" (an entry term of Doxorubicin in full MeSH), supplementary concepts ("quetiapine",
C069541) and common abbreviations ("MK-801") reach no MeSH ID, and the entity stage falls back to
DrugBank or ChEBI, or to no ID at all. The BC5CDR training split pairs 9,000+ mentions with the MeSH
IDs curators gave them; this script turns those pairs into a mention -> MeSH table that the entity
stage consults for compounds and conditions only when the lexicon has no MeSH concept
(pipeline/stages/_mesh_mentions.py). Only the training split is read; development data never.

Rows are kept only when the annotators agreed: one (label, ID) for at least ``MIN_AGREEMENT`` of a
key's uses. Keys are the lexicon's own term keys (pipeline/stages/_lexicon.py), so "5-HT" and "5 HT"
meet. Short upper-case forms ("DOX", "PAN") are document-specific abbreviations as often as not; they
are kept case-sensitively and only when they occur in at least ``MIN_DOCS_SHORT`` training abstracts
with the same meaning.

Names: the MeSH name from ../shared/data/lexicons (descriptors in the derived subsets) or from the
MEDLINE citations in ../shared/data/jats/medline (their chemical lists and MeSH headings name other
descriptors and supplementary concepts); failing both, the commonest mention. BC5CDR and
MEDLINE are US-government public domain (NLM terms).

The output is sorted and gzip'd with mtime 0 (same inputs, same bytes); its header records the
inputs' hashes. ``tests/test_mesh_mentions.py`` checks the committed file is what this produces.
Run ``python scripts/build_mesh_mentions.py`` (needs ../shared/data).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.stages._lexicon import term_key  # noqa: E402  (the same keys as the runtime)
from pipeline.stages._mesh_mentions import MESH_MENTIONS_PATH, is_short_form  # noqa: E402

DATA = REPO.parent / "shared" / "data"
TRAIN = DATA / "ner" / "bc5cdr" / "train.jsonl"
MEDLINE = DATA / "jats" / "medline" / "ground_truth.jsonl"
MESH_NAME_FILES = sorted((DATA / "lexicons" / "derived").glob("mesh_*.tsv"))
LABELS = {"Chemical": "COMPOUND", "Disease": "CONDITION"}
MIN_AGREEMENT = 0.9
MIN_DOCS_SHORT = 2


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mesh_names() -> dict[str, str]:
    """MeSH ID -> preferred name, from the derived MeSH subsets and the MEDLINE citations."""
    names: dict[str, str] = {}
    for path in MESH_NAME_FILES:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                names.setdefault(row["mesh_id"], row["name"])
    with MEDLINE.open(encoding="utf-8") as handle:
        for line in handle:
            citation = json.loads(line)
            for concept in (citation.get("chemicals") or []) + (citation.get("mesh_headings") or []):
                names.setdefault(concept["ui"], concept["name"])
    return names


def training_uses() -> tuple[dict[tuple[str, str], Counter], dict[tuple[str, str], set], Counter]:
    """(mode, key) -> Counter of (label, MeSH ID); (mode, key) -> documents; ID -> mention Counter."""
    uses: dict[tuple[str, str], Counter] = defaultdict(Counter)
    docs: dict[tuple[str, str], set] = defaultdict(set)
    surfaces: dict[str, Counter] = defaultdict(Counter)
    with TRAIN.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            for entity in item["entities"]:
                label, mesh = LABELS.get(entity["label"]), entity.get("norm")
                if not label or not mesh or "|" in mesh or mesh == "-1":
                    continue
                mention = entity["text"]
                mode = "exact" if is_short_form(mention) else "lower"
                key = " ".join(term_key(mention, mode))
                uses[(mode, key)][(label, mesh)] += 1
                docs[(mode, key)].add(item["id"])
                surfaces[mesh][mention] += 1
    return uses, docs, surfaces


def rows() -> list[tuple[str, str, str, str, str, int]]:
    """(mode, key, label, MeSH ID, name, uses) for every key the annotators agreed on."""
    uses, docs, surfaces = training_uses()
    names = mesh_names()
    out = []
    for (mode, key), counter in uses.items():
        (label, mesh), top = max(counter.items(), key=lambda item: (item[1], item[0]))
        if top / sum(counter.values()) < MIN_AGREEMENT:
            continue
        if mode == "exact" and len(docs[(mode, key)]) < MIN_DOCS_SHORT:
            continue
        name = names.get(mesh) or max(surfaces[mesh].items(), key=lambda item: (item[1], item[0]))[0]
        out.append((mode, key, label, mesh, name, top))
    return sorted(out)


def build() -> bytes:
    header = [
        "# pipeline MeSH mention table, built by scripts/build_mesh_mentions.py; do not edit.",
        "# From the BC5CDR training split (mentions and their MeSH IDs) and MeSH/MEDLINE names; public domain (NLM).",
        f"# min agreement {MIN_AGREEMENT}, short forms in at least {MIN_DOCS_SHORT} abstracts",
        *(f"# sha256 {_sha256(p)} {p.relative_to(DATA)}" for p in (TRAIN, MEDLINE, *MESH_NAME_FILES)),
        "# mode\tkey\tlabel\tmesh_id\tname\tuses",
    ]
    body = ["\t".join(map(str, row)) for row in rows()]
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
        handle.write(("\n".join(header + body) + "\n").encode("utf-8"))
    return buffer.getvalue()


def main() -> None:
    if not TRAIN.is_file():
        sys.exit(f"error: {TRAIN} not found; the table is built from ../shared/data beside the repository")
    data = build()
    MESH_MENTIONS_PATH.write_bytes(data)
    print(f"wrote {MESH_MENTIONS_PATH.relative_to(REPO)} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
