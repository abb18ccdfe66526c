"""Score entity recognition against the NER development splits in ../shared/data/ner.

Strict span matching (same start, end and label) per label:
BC5CDR dev (Chemical -> COMPOUND, Disease -> CONDITION), BC2GM devel (GENE -> PROTEIN),
NCBI-disease devel (Disease -> CONDITION). Also MeSH normalisation accuracy on BC5CDR dev: of the
gold mentions we found with the right span and label, how many carry the gold MeSH ID, per label
(the bar is on chemicals). ChemProt dev relations: the relations stage runs on each sentence with
the gold chemical and protein mentions as its entity layer (so only relation extraction is scored;
which marked mention is the chemical is inferred as eval/chemprot.py explains, since SciBERT's
markers give text order, not type),
and each predicted (compound, target, action) is compared with the gold pairs, by ChemProt's
evaluated groups (CPR:3 up/activator, CPR:4 down/inhibitor, CPR:5 agonist, CPR:6 antagonist,
CPR:9 substrate/product) and by pair alone. The seed's entity list (the bar in tests/test_entities.py)
is checked on samples/. Only development splits are read (the test splits are deliberately not available).

Each text goes through the whole pipeline (reader and every stage), as a user's input would.

Usage:  python eval/score_entities.py [--write] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import replace_block, require_shared_data  # noqa: E402
from chemprot import ACTION_GROUPS, CHEMPROT_GROUPS, Sentence, read_chemprot  # noqa: E402

from pipeline.readers import read_bytes  # noqa: E402
from pipeline.recipe import run_stages  # noqa: E402
from pipeline import layers as L  # noqa: E402
from pipeline.document import Span  # noqa: E402
from pipeline.stages.relations import extract_relations  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

CORPORA = (
    # name, path under ner/, gold label -> our label
    ("BC5CDR dev", "bc5cdr/dev.jsonl", {"Chemical": "COMPOUND", "Disease": "CONDITION"}),
    ("BC2GM devel", "iob/BC2GM-IOB/devel.jsonl", {"GENE": "PROTEIN"}),
    ("NCBI-disease devel", "iob/NCBI-disease-IOB/devel.jsonl", {"Disease": "CONDITION"}),
)


def score_corpus(path: Path, mapping: dict[str, str], limit: int) -> tuple[dict, dict, int, float]:
    counts: dict[str, Counter] = {label: Counter() for label in sorted(set(mapping.values()))}
    norm_counts: dict[str, Counter] = {}
    words = 0
    started = time.perf_counter()
    with path.open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if limit and index >= limit:
                break
            item = json.loads(line)
            text = item["text"]
            words += len(text.split())
            doc = run_stages(read_bytes(text.encode("utf-8"), "eval.txt"))
            predicted = {(s.start, s.end, s.label): s for s in doc.layer(L.ENTITIES) if s.label in counts}
            gold = {}
            for entity in item["entities"]:
                label = mapping.get(entity["label"])
                if label:
                    gold[(entity["start"], entity["end"], label)] = entity.get("norm")
            for label in counts:
                p = {k for k in predicted if k[2] == label}
                g = {k for k in gold if k[2] == label}
                counts[label]["tp"] += len(p & g)
                counts[label]["fp"] += len(p - g)
                counts[label]["fn"] += len(g - p)
            for key, mesh in gold.items():
                if mesh and "|" not in mesh and mesh != "-1" and key in predicted:
                    norm = predicted[key].get("norm")
                    counter = norm_counts.setdefault(key[2], Counter())
                    counter["matched"] += 1
                    counter["correct"] += bool(norm and norm.get("db") == "MESH" and norm.get("id") == mesh)
    return counts, norm_counts, words, time.perf_counter() - started


def score_chemprot(path: Path, limit: int) -> tuple[str, list[str]]:
    """Relation P/R/F1 on ChemProt dev with gold mentions (see the module docstring): the summary
    line and a per-group table."""
    grouped, pairs = Counter(), Counter()
    per_group: dict[str, Counter] = {group: Counter() for group in sorted(set(CHEMPROT_GROUPS.values()))}
    sentences = read_chemprot(path, limit)
    for sentence in sentences:
        gold = {(chem, prot, group) for (chem, prot), group in sentence.gold.items()}
        predicted = predict_chemprot(sentence)
        grouped["tp"] += len(predicted & gold)
        grouped["fp"] += len(predicted - gold)
        grouped["fn"] += len(gold - predicted)
        for group, counter in per_group.items():
            p = {x for x in predicted if x[2] == group}
            g = {x for x in gold if x[2] == group}
            counter["tp"] += len(p & g)
            counter["fp"] += len(p - g)
            counter["fn"] += len(g - p)
        p_pairs, g_pairs = {x[:2] for x in predicted}, {x[:2] for x in gold}
        pairs["tp"] += len(p_pairs & g_pairs)
        pairs["fp"] += len(p_pairs - g_pairs)
        pairs["fn"] += len(g_pairs - p_pairs)
    gp, gr, gf = prf(grouped)
    pp, pr, pf = prf(pairs)
    crowded = Counter()
    for sentence in sentences:
        gold = {(chem, prot, group) for (chem, prot), group in sentence.gold.items()}
        predicted = predict_chemprot(sentence, with_extra=True)
        crowded["tp"] += len(predicted & gold)
        crowded["fp"] += len(predicted - gold)
        crowded["fn"] += len(gold - predicted)
    cp, cr, cf = prf(crowded)
    table = ["| ChemProt dev group | P | R | F1 | gold pairs |", "|---|---|---|---|---|"]
    for group, counter in per_group.items():
        p, r, f = prf(counter)
        table.append(f"| {group} | {p:.3f} | {r:.3f} | {f:.3f} | {counter['tp'] + counter['fn']} |")
    line = (f"- ChemProt dev relations (gold mentions, {len(sentences)} sentences, {grouped['tp'] + grouped['fn']} gold pairs in CPR:3/4/5/6/9): "
            f"with group P {gp:.3f} R {gr:.3f} F1 {gf:.3f}; pair only P {pp:.3f} R {pr:.3f} F1 {pf:.3f}. "
            f"With our entity stage's other compounds and proteins added to the gold mentions (pairs with them count as "
            f"false when predicted; nearer to real text, where most pairs are unrelated): with group P {cp:.3f} R {cr:.3f} F1 {cf:.3f}.")
    return line, table


def predict_chemprot(sentence: Sentence, with_extra: bool = False) -> set[tuple[tuple[int, int], tuple[int, int], str]]:
    """(chemical, protein, group) the relations stage finds in one ChemProt sentence, given the
    gold mentions (and, ``with_extra``, the other compounds and proteins our entity stage finds)."""
    mentions = [Span(s, e, "COMPOUND", {"norm": None, "method": "lexicon", "score": 1.0}) for s, e in sentence.chemicals]
    mentions += [Span(s, e, "PROTEIN", {"norm": None, "method": "lexicon", "score": 1.0}) for s, e in sentence.proteins]
    if with_extra:
        mentions += [Span(s, e, label, {"norm": None, "method": "model", "score": 1.0}) for s, e, label in sentence.extra]
    mentions.sort(key=lambda m: (m.start, m.end, m.label))
    doc = read_bytes(sentence.text.encode("utf-8"), "chemprot.txt").with_layers({L.ENTITIES: mentions})
    return {
        (tuple(r.get("subject")), tuple(r.get("object")), ACTION_GROUPS.get(r.label, r.label))
        for r in extract_relations(doc)[L.RELATIONS]
    }


def seed_check() -> str:
    """The seed article's entity list: how many of the bar's (text, label) pairs the record has."""
    sys.path.insert(0, str(REPO / "tests"))
    from test_entities import SEED, SEED_BAR  # noqa: E402 - the bar lives with its test

    from pipeline import convert_file

    found = {(e["text"], e["label"]) for e in convert_file(SEED)["entities"]}
    missing = [pair for pair in SEED_BAR if pair not in found]
    return f"- Seed entity list ({SEED.name}): {len(SEED_BAR) - len(missing)}/{len(SEED_BAR)} found" + (f"; missing {missing}" if missing else ".")


def prf(c: Counter) -> tuple[float, float, float]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/evaluation.md")
    parser.add_argument("--limit", type=int, default=0, help="documents/sentences per corpus (0 = all)")
    args = parser.parse_args()
    data = require_shared_data() / "ner"
    lines = ["| corpus | label | P | R | F1 | gold mentions |", "|---|---|---|---|---|---|"]
    notes = []
    for name, rel, mapping in CORPORA:
        counts, norm_counts, words, seconds = score_corpus(data / rel, mapping, args.limit)
        for label, c in counts.items():
            p, r, f = prf(c)
            lines.append(f"| {name} | {label} | {p:.3f} | {r:.3f} | {f:.3f} | {c['tp'] + c['fn']} |")
        for label, nc in sorted(norm_counts.items()):
            notes.append(f"- {name} {label}: MeSH ID correct for {nc['correct']}/{nc['matched']} = {nc['correct'] / nc['matched']:.3f} of correctly found single-ID mentions.")
        notes.append(f"- {name}: {words} words through the whole pipeline in {seconds:.1f} s (not a benchmark; see docs/benchmarks.md).")
    chemprot_line, chemprot_table = score_chemprot(data / "chemprot" / "dev.jsonl", args.limit)
    notes.append(chemprot_line)
    notes.append(seed_check())
    report = "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n\n" + "\n".join(chemprot_table)
    print(report)
    if args.write:
        replace_block("entities", "Command: `.venv/bin/python eval/score_entities.py --write`\n\n" + report)


if __name__ == "__main__":
    main()
