"""Read ChemProt (SciBERT format) into sentences with typed mentions and gold relation pairs.

SciBERT's ChemProt lines mark the two arguments of one relation as ``<< first >>`` and
``[[ second ]]`` in TEXT ORDER, not by type (in all 4,169 train lines "<<" comes first), so a
line does not say which argument is the chemical. ChemProt relations always join one chemical to
one gene/protein, so within a sentence the gold pairs form a two-sided graph; each connected part
of it has exactly two possible typings. We choose, per part, the typing our own entity stage agrees
with most (a mention overlapping a COMPOUND prediction votes chemical, PROTEIN votes protein),
with surface cues ("receptor", "-ase", gene-symbol shapes) breaking ties. Both the scorer
(eval/score_entities.py) and the trigger-mining script (scripts/build_relation_triggers.py) use
this reader, so the typing is the same for learning (train) and measuring (dev).

Only the five evaluated groups are in the files (no negative lines); a pair of marked mentions
of one sentence with no gold line is taken as "no evaluated relation".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

#: ChemProt gold label -> evaluated group.
CHEMPROT_GROUPS = {
    "ACTIVATOR": "CPR:3", "UPREGULATOR": "CPR:3", "INDIRECT-UPREGULATOR": "CPR:3",
    "INHIBITOR": "CPR:4", "DOWNREGULATOR": "CPR:4", "INDIRECT-DOWNREGULATOR": "CPR:4",
    "AGONIST": "CPR:5", "AGONIST-ACTIVATOR": "CPR:5", "AGONIST-INHIBITOR": "CPR:5",
    "ANTAGONIST": "CPR:6", "SUBSTRATE": "CPR:9", "PRODUCT-OF": "CPR:9", "SUBSTRATE_PRODUCT-OF": "CPR:9",
}
#: Our action -> evaluated group (binder and modulator have none).
ACTION_GROUPS = {
    "activator": "CPR:3", "upregulator": "CPR:3", "inhibitor": "CPR:4", "downregulator": "CPR:4",
    "blocker": "CPR:4", "agonist": "CPR:5", "partial_agonist": "CPR:5", "antagonist": "CPR:6",
    "inverse_agonist": "CPR:6", "substrate": "CPR:9",
}

_MARKER = re.compile(r"<< (.+?) >>|\[\[ (.+?) \]\]")
_PROTEIN_CUE = re.compile(
    r"(?:receptor|kinase|ase\b|ases\b|channel|transporter|protein|enzyme|factor|synthase|subunit|"
    r"cytochrome|CYP\d|\bP450|isoform|isozyme|antigen|hormone|insulin|globulin|peptide)",
    re.IGNORECASE,
)


@dataclass
class Sentence:
    text: str
    chemicals: set[tuple[int, int]] = field(default_factory=set)
    proteins: set[tuple[int, int]] = field(default_factory=set)
    gold: dict[tuple[tuple[int, int], tuple[int, int]], str] = field(default_factory=dict)  # (chem, prot) -> group
    labels: dict[tuple[tuple[int, int], tuple[int, int]], str] = field(default_factory=dict)  # (chem, prot) -> label
    #: COMPOUND/PROTEIN mentions our entity stage finds that overlap no marked mention: pairs with
    #: them are (nearly always) unrelated, as most pairs are in real text.
    extra: set[tuple[int, int, str]] = field(default_factory=set)


def _unmark(marked: str) -> tuple[str, tuple[int, int], tuple[int, int]]:
    """Sentence without markers and the two argument offsets, in text order."""
    out, spans, position, length = [], [], 0, 0
    for m in _MARKER.finditer(marked):
        out.append(marked[position : m.start()])
        length += m.start() - position
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        spans.append((length, length + len(inner)))
        out.append(inner)
        length += len(inner)
        position = m.end()
    out.append(marked[position:])
    return "".join(out), spans[0], spans[1]


def read_chemprot(path: Path, limit: int = 0) -> list[Sentence]:
    """Sentences of a ChemProt split with typed mentions and gold (chemical, protein) groups."""
    raw: dict[str, list[tuple[tuple[int, int], tuple[int, int], str]]] = {}
    with path.open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if limit and index >= limit:
                break
            item = json.loads(line)
            text, first, second = _unmark(item["text"])
            raw.setdefault(text, []).append((first, second, item["label"]))
    votes, predicted = _entity_votes(raw)
    sentences = []
    for text, pairs in raw.items():
        chemical_side = _type_sides(text, pairs, votes[text])
        sentence = Sentence(text)
        marked = {m for a, b, _ in pairs for m in (a, b)}
        sentence.extra = {
            (s, e, label) for s, e, label in predicted[text] if not any(s < me and ms < e for ms, me in marked)
        }
        for a, b, label in pairs:
            chem, prot = (a, b) if a in chemical_side else (b, a)
            sentence.chemicals.add(chem)
            sentence.proteins.add(prot)
            sentence.labels[(chem, prot)] = label
            group = CHEMPROT_GROUPS.get(label)
            if group:
                sentence.gold[(chem, prot)] = group
        sentences.append(sentence)
    return sentences


def _entity_votes(raw: dict[str, list]) -> tuple[dict, dict]:
    """Per sentence and marked mention: +1 per overlapping COMPOUND prediction, -1 per PROTEIN;
    and per sentence the predicted (start, end, label) COMPOUND and PROTEIN mentions."""
    from pipeline import layers as L
    from pipeline.readers import read_bytes
    from pipeline.stages.entities import extract_entities

    votes: dict[str, dict[tuple[int, int], int]] = {}
    found: dict[str, list[tuple[int, int, str]]] = {}
    for text, pairs in raw.items():
        doc = read_bytes(text.encode("utf-8"), "chemprot.txt")
        predicted = [s for s in extract_entities(doc)[L.ENTITIES] if s.label in ("COMPOUND", "PROTEIN")]
        mentions = {m for a, b, _ in pairs for m in (a, b)}
        sentence_votes = {}
        for start, end in mentions:
            score = 0
            for span in predicted:
                if span.start < end and start < span.end:
                    score += 1 if span.label == "COMPOUND" else -1
            if _PROTEIN_CUE.search(text[start:end]):
                score -= 0.5
            sentence_votes[(start, end)] = score
        votes[text] = sentence_votes
        found[text] = [(span.start, span.end, span.label) for span in predicted]
    return votes, found


def _type_sides(text: str, pairs: list, votes: dict[tuple[int, int], int]) -> set[tuple[int, int]]:
    """The mentions typed chemical: per connected part, the two-colouring the votes prefer."""
    neighbours: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for a, b, _ in pairs:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    colour: dict[tuple[int, int], int] = {}
    chemical: set[tuple[int, int]] = set()
    for root in sorted(neighbours):
        if root in colour:
            continue
        part, stack = [], [root]
        colour[root] = 0
        while stack:
            node = stack.pop()
            part.append(node)
            for other in sorted(neighbours[node]):
                if other not in colour:
                    colour[other] = 1 - colour[node]
                    stack.append(other)
        balance = sum(votes.get(m, 0) * (1 if colour[m] == 0 else -1) for m in part)
        if balance == 0:  # no evidence: the first mention in text is the chemical more often
            balance = 1 if colour[min(part)] == 0 else -1
        chemical |= {m for m in part if (colour[m] == 0) == (balance > 0)}
    return chemical
