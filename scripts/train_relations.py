"""Train the relation classifier (pipeline/data/relations/model.json.gz) on ChemProt train.

Every (chemical, protein) pair of marked mentions in a ChemProt train sentence is one example: its
class is the action the gold line gives (INHIBITOR -> inhibitor, INDIRECT-DOWNREGULATOR ->
downregulator, ..., PRODUCT-OF -> product, which the stage never emits: the schema has no action
for it), or "none" when no evaluated relation joins the pair. Compounds and proteins our own entity
stage finds besides the marked mentions join as well, always as "none": without them every
ChemProt sentence states a relation, and a model trained on that alone relates nearly any
compound to any protein of real text. Features come from
pipeline/stages/_relation_features.py; the model is a multinomial logistic regression trained with
numpy (full batch, Adam, L2), deterministic. Settings (L2 strength, decision threshold) are chosen
on a fixed fifth of the TRAIN sentences held out by hash, then the model is refitted on all of
train; ChemProt dev is never read here (eval/score_entities.py measures on it).

Usage:  python scripts/train_relations.py [--out pipeline/data/relations]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))

from chemprot import read_chemprot  # noqa: E402

from pipeline.stages._relation_features import head_word, pair_features, tokenize  # noqa: E402

TRAIN = REPO.parent / "shared" / "data" / "ner" / "chemprot" / "train.jsonl"
CLASSES = ("none", "activator", "upregulator", "inhibitor", "downregulator", "agonist", "antagonist", "substrate", "product")
LABEL_CLASS = {
    "ACTIVATOR": "activator", "UPREGULATOR": "upregulator", "INDIRECT-UPREGULATOR": "upregulator",
    "INHIBITOR": "inhibitor", "DOWNREGULATOR": "downregulator", "INDIRECT-DOWNREGULATOR": "downregulator",
    "AGONIST": "agonist", "AGONIST-ACTIVATOR": "agonist", "AGONIST-INHIBITOR": "agonist",
    "ANTAGONIST": "antagonist", "SUBSTRATE": "substrate", "SUBSTRATE_PRODUCT-OF": "substrate", "PRODUCT-OF": "product",
}
MIN_COUNT = 2
L2_GRID = (0.3, 1.0, 3.0)
THRESHOLD_GRID = (0.3, 0.4, 0.5, 0.6, 0.7)
EPOCHS = 300


def examples(sentences) -> list[tuple[list[str], int, bool]]:
    """(features, class index, held out) for every chemical-protein pair of every sentence."""
    out = []
    for sentence in sentences:
        mentions = sorted([(s, e, "C") for s, e in sentence.chemicals] + [(s, e, "T") for s, e in sentence.proteins]
                          + [(s, e, "C" if label == "COMPOUND" else "T") for s, e, label in sentence.extra])
        tokens = tokenize(sentence.text, 0, len(sentence.text), mentions)
        held_out = hashlib.sha256(sentence.text.encode("utf-8")).digest()[0] % 5 == 0
        for i, (cs, ce, ck) in enumerate(mentions):
            if ck != "C":
                continue
            for j, (ts, te, tk) in enumerate(mentions):
                if tk != "T":
                    continue
                label = sentence.labels.get(((cs, ce), (ts, te)))
                klass = CLASSES.index(LABEL_CLASS.get(label, "none")) if label else 0
                features = pair_features(tokens, i, j, head_word(sentence.text[ts:te]))
                out.append((features, klass, held_out))
    return out


def fit(rows: list[list[int]], y: np.ndarray, n_features: int, l2: float) -> np.ndarray:
    """Multinomial logistic regression over sparse binary rows; returns weights (features x classes)."""
    flat = np.concatenate([np.asarray(r, dtype=np.int64) for r in rows])
    row_of = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    starts = np.cumsum([0] + [len(r) for r in rows[:-1]])
    onehot = np.zeros((len(rows), len(CLASSES)))
    onehot[np.arange(len(rows)), y] = 1.0
    weights = np.zeros((n_features, len(CLASSES)))
    m, v = np.zeros_like(weights), np.zeros_like(weights)
    rate, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, EPOCHS + 1):
        logits = np.add.reduceat(weights[flat], starts, axis=0)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        error = (probs - onehot) / len(rows)
        grad = np.zeros_like(weights)
        np.add.at(grad, flat, error[row_of])
        grad += l2 * weights / len(rows)
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        weights -= rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
    return weights


def predict(weights: np.ndarray, rows: list[list[int]]) -> np.ndarray:
    logits = np.stack([weights[r].sum(axis=0) for r in rows])
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    return probs / probs.sum(axis=1, keepdims=True)


GROUP = {"activator": 3, "upregulator": 3, "inhibitor": 4, "downregulator": 4, "agonist": 5, "antagonist": 6, "substrate": 9, "product": 9}


def group_f1(probs: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 by ChemProt group, as eval/score_entities.py counts them
    (a predicted "product" is not emitted; a gold product is a miss)."""
    tp = fp = fn = 0
    for p, gold in zip(probs, y):
        best = int(p.argmax())
        emitted = best != 0 and CLASSES[best] != "product" and p[best] >= threshold
        gold_group = GROUP.get(CLASSES[gold]) if gold else None
        if emitted and gold_group == GROUP[CLASSES[best]]:
            tp += 1
        else:
            fp += emitted
            fn += gold_group is not None
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "pipeline" / "data" / "relations")
    args = parser.parse_args()
    if not TRAIN.exists():
        sys.exit(f"ChemProt train not found at {TRAIN}; this script needs ../shared/data")
    data = examples(read_chemprot(TRAIN))
    counts = Counter(f for features, _, _ in data for f in set(features))
    vocabulary = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    index = {f: i for i, f in enumerate(vocabulary)}
    rows = [[index[f] for f in dict.fromkeys(features) if f in index] for features, _, _ in data]
    y = np.array([klass for _, klass, _ in data])
    held = np.array([h for _, _, h in data])
    fit_rows = [r for r, h in zip(rows, held) if not h]
    held_rows = [r for r, h in zip(rows, held) if h]
    best = None
    tuning = []
    for l2 in L2_GRID:
        weights = fit(fit_rows, y[~held], len(vocabulary), l2)
        probs = predict(weights, held_rows)
        for threshold in THRESHOLD_GRID:
            precision, recall, f1 = group_f1(probs, y[held], threshold)
            tuning.append({"l2": l2, "threshold": threshold, "P": round(precision, 3), "R": round(recall, 3), "F1": round(f1, 3)})
            print(f"l2 {l2} threshold {threshold}: held-out P {precision:.3f} R {recall:.3f} F1 {f1:.3f}", flush=True)
            # precision first (the issue wants P >= 0.7 with real-text negatives): among the
            # settings that reach it on the held-out fifth, the best F1
            key = (precision >= 0.7, f1)
            if best is None or key > best[0]:
                best = (key, l2, threshold)
    _, l2, threshold = best
    weights = fit(rows, y, len(vocabulary), l2)
    model = {
        "classes": list(CLASSES),
        "threshold": threshold,
        "weights": {f: [round(float(w), 4) for w in weights[i]] for f, i in index.items() if np.abs(weights[i]).max() >= 1e-3},
    }
    meta = {
        "trained_on": {"path": "ner/chemprot/train.jsonl", "sha256": hashlib.sha256(TRAIN.read_bytes()).hexdigest(), "pairs": len(data)},
        "features": len(model["weights"]),
        "l2": l2,
        "threshold": threshold,
        "epochs": EPOCHS,
        "held_out_tuning": tuning,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(model, sort_keys=True, separators=(",", ":")).encode("utf-8")
    (args.out / "model.json.gz").write_bytes(gzip.compress(payload, mtime=0))
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'model.json.gz'}: {len(model['weights'])} features, l2 {l2}, threshold {threshold}")


if __name__ == "__main__":
    main()
