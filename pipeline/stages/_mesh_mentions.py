"""MeSH IDs for compound and condition mentions the lexicon can only name from another vocabulary.

Editors and downstream tools (PubTator, MEDLINE indexing) expect MeSH for chemicals and diseases. The
lexicon (pipeline/stages/_lexicon.py) holds one concept per term; for "gentamicin" that is DrugBank's
Gentamicin, because MeSH lists only the plural descriptor "Gentamicins", and for "adriamycin" or
"quetiapine" MeSH gives no term at all (an entry term missing from the derived subset; a
supplementary concept). ``mesh_concept`` tries, in order:

1. the mention's singular/plural under the lexicon, when that is a MeSH concept of the same label
   (gentamicin -> Gentamicins, benzodiazepine -> Benzodiazepines);
2. the mention table built by ``scripts/build_mesh_mentions.py`` from the IDs BC5CDR's curators gave
   the same mention in the training split (adriamycin -> D004317 Doxorubicin).

A concept that already comes from MeSH is kept: the lexicon's MeSH is newer than the training
corpus's, and where a supplementary concept became a descriptor the newer ID is the right one.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from ._lexicon import Concept, Lexicon, term_key

MESH_MENTIONS_PATH = Path(__file__).resolve().parents[1] / "data" / "mesh_mentions.tsv.gz"
MESH_LABELS = frozenset({"COMPOUND", "CONDITION"})
#: Upper-case short forms ("DOX", "MK-801") are looked up case-sensitively: "PAN" is not "pan".
_SHORT_FORM = re.compile(r"[^a-z]{1,6}")


def is_short_form(mention: str) -> bool:
    """Whether a mention is a short form without lower-case letters (looked up as written)."""
    return bool(_SHORT_FORM.fullmatch(mention)) and any(c.isalpha() for c in mention)


@lru_cache(maxsize=1)
def load_mesh_mentions(path: Path = MESH_MENTIONS_PATH) -> dict[tuple[str, str], Concept]:
    """(mode, key) -> MeSH concept, loaded once per process."""
    table: dict[tuple[str, str], Concept] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            mode, key, label, mesh_id, name, _uses = line.rstrip("\n").split("\t")
            table[(mode, key)] = Concept(label, "MESH", mesh_id, name)
    return table


def mesh_concept(lexicon: Lexicon, mention: str, label: str, current: Concept | None) -> Concept | None:
    """The MeSH concept for a compound or condition mention, or ``current`` when there is none."""
    if label not in MESH_LABELS or (current is not None and current.db == "MESH"):
        return current
    for variant in _number_variants(mention):
        concept = lexicon.lookup(variant, "lower")
        if concept is not None and concept.db == "MESH" and concept.label == label:
            return concept
    mode = "exact" if is_short_form(mention) else "lower"
    found = load_mesh_mentions().get((mode, " ".join(term_key(mention, mode))))
    if found is not None and found.label == label:
        return found
    return current


def _number_variants(mention: str) -> list[str]:
    if len(mention) < 5 or not mention[-1].isalpha():
        return []
    if mention.endswith("s") and not mention.endswith(("ss", "us", "is")):
        return [mention[:-1]]
    return [mention + "s"]
