"""Train the two NER models committed under pipeline/data/models/ (``make models``).

``ner_cdr``  COMPOUND + CONDITION from BC5CDR train (Chemical, Disease) and NCBI-disease train (Disease);
``ner_gene`` PROTEIN from BC2GM train (GENE).

Only the TRAIN splits are learnt from; the dev splits choose the best checkpoint (spaCy keeps the
model with the best dev F1). Seeds are fixed, so a rebuild on the same data and library versions
gives the same scores. The SHA-256 of every data file, the settings and the dev scores are written
to pipeline/data/MODELS.md by this script, so each artefact says what made it.

CI never runs this: it needs ../shared/data/ner and several minutes of CPU.

Usage:  python scripts/train_ner.py [--only ner_cdr|ner_gene] [--epochs N] [--limit N] [--adopt DIR --note TEXT]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.stages import _ner_model as M  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "ner"
MODELS_MD = REPO / "pipeline" / "data" / "MODELS.md"

#: Epochs the committed models were trained with (time-boxed on a shared 2-core machine).
EPOCHS = {"ner_cdr": 8, "ner_gene": 4}
#: model name -> (train files, dev files, gold label -> our label)
RECIPES = {
    "ner_cdr": (
        ["bc5cdr/train.jsonl", "iob/NCBI-disease-IOB/train.jsonl"],
        ["bc5cdr/dev.jsonl"],
        {"Chemical": "COMPOUND", "Disease": "CONDITION"},
    ),
    "ner_gene": (
        ["iob/BC2GM-IOB/train.jsonl"],
        ["iob/BC2GM-IOB/devel.jsonl"],
        {"GENE": "PROTEIN"},
    ),
}

def make_config(epochs: int, width: int, depth: int):
    """spaCy's CPU "efficiency" NER config with our tokenizer, sizes, epochs and seed.

    Small and fast: the entity stage must stay above 15,000 words/s on one core.
    """
    from spacy.cli.init_config import init_config

    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency", gpu=False)
    config["nlp"]["tokenizer"] = {"@tokenizers": M.TOKENIZER_NAME}
    config["system"]["seed"] = 0
    config["components"]["tok2vec"]["model"]["encode"]["width"] = width
    config["components"]["tok2vec"]["model"]["encode"]["depth"] = depth
    config["training"]["max_epochs"] = epochs
    config["training"]["max_steps"] = 0
    config["training"]["patience"] = 0
    config["training"]["eval_frequency"] = 400
    # Batches of 400 -> 1,500 words: several times faster per epoch than spaCy's 100 -> 1,000 here.
    config["training"]["batcher"]["size"] = {"@schedules": "compounding.v1", "start": 400, "stop": 1500, "compound": 1.001, "t": 0.0}
    return config


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_docbin(nlp, files: list[str], mapping: dict[str, str], limit: int) -> tuple[object, dict]:
    """Tokenise the texts with the model's tokenizer and mark the gold spans; count what was lost."""
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    bin_, stats = DocBin(), {"docs": 0, "spans": 0, "expanded": 0, "overlapping": 0}
    for rel in files:
        with (DATA / rel).open(encoding="utf-8") as handle:
            for index, line in enumerate(handle):
                if limit and index >= limit:
                    break
                item = json.loads(line)
                doc = nlp.make_doc(item["text"])
                spans = []
                for entity in item["entities"]:
                    label = mapping.get(entity["label"])
                    if not label:
                        continue
                    span = doc.char_span(entity["start"], entity["end"], label=label)
                    if span is None:
                        span = doc.char_span(entity["start"], entity["end"], label=label, alignment_mode="expand")
                        stats["expanded"] += 1
                    if span is not None and len(span):
                        spans.append(span)
                kept = filter_spans(spans)
                stats["overlapping"] += len(spans) - len(kept)
                stats["spans"] += len(kept)
                doc.ents = kept
                bin_.add(doc)
                stats["docs"] += 1
    return bin_, stats


def train_one(name: str, epochs: int, limit: int, width: int, depth: int, dev_limit: int) -> dict:
    import spacy
    from spacy.cli.train import train

    train_files, dev_files, mapping = RECIPES[name]
    work = Path(tempfile.mkdtemp(prefix=f"train_{name}_"))
    try:
        train_bin, train_stats = to_docbin(_blank(), train_files, mapping, limit)
        dev_bin, dev_stats = to_docbin(_blank(), dev_files, mapping, dev_limit)
        train_bin.to_disk(work / "train.spacy")
        dev_bin.to_disk(work / "dev.spacy")
        make_config(epochs, width, depth).to_disk(work / "config.cfg")
        started = time.time()
        train(work / "config.cfg", work / "out", overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")})
        settings = {"epochs": epochs, "width": width, "depth": depth, "seed": 0, "limit": limit, "dev_limit": dev_limit}
        return adopt(name, work / "out" / "model-best", settings, round(time.time() - started), train_stats, dev_stats)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _blank():
    import spacy

    nlp = spacy.blank("en")
    nlp.tokenizer = M.FineTokenizer(nlp.vocab)
    return nlp


def adopt(name: str, best: Path, settings: dict, seconds: int | None, train_stats: dict | None = None, dev_stats: dict | None = None) -> dict:
    """Copy a trained pipeline into pipeline/data/models/<name> and describe it for MODELS.md."""
    import spacy

    train_files, dev_files, mapping = RECIPES[name]
    if train_stats is None:
        train_stats = to_docbin(_blank(), train_files, mapping, settings.get("limit", 0))[1]
        dev_stats = to_docbin(_blank(), dev_files, mapping, settings.get("dev_limit", 0))[1]
    meta = json.loads((best / "meta.json").read_text(encoding="utf-8"))
    target = M.MODELS_DIR / name
    if target.resolve() != best.resolve():
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(best, target)
    return {
        "name": name,
        "train": {rel: sha256(DATA / rel) for rel in train_files},
        "dev": {rel: sha256(DATA / rel) for rel in dev_files},
        "train_stats": train_stats,
        "dev_stats": dev_stats,
        "performance": meta.get("performance", {}),
        "seconds": seconds,
        "settings": settings,
        "versions": {"spacy": spacy.__version__},
    }


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def write_models_md(results: list[dict]) -> None:
    """Rewrite the per-model sections of MODELS.md (models not retrained keep theirs)."""
    import re

    text = MODELS_MD.read_text(encoding="utf-8") if MODELS_MD.exists() else (
        "# NER models\n\nBuilt by `scripts/train_ner.py` (`make models`); loaded by `pipeline/stages/_ner_model.py`.\n"
        "Dev scores below are spaCy's token-based strict entity scores on the dev split used to pick the checkpoint;\n"
        "the pipeline's own character-offset scores are in docs/evaluation.md (block `entities`).\n"
    )
    for r in results:
        perf = r["performance"]
        per_type = perf.get("ents_per_type", {})
        lines = [f"<!-- model:{r['name']} -->", f"## {r['name']}", ""]
        took = f"trained in {r['seconds']} s" if r["seconds"] is not None else "checkpoint adopted from a run stopped early (see settings.note)"
        lines.append(f"- settings: {json.dumps(r['settings'])}; {json.dumps(r['versions'])}; {took}")
        lines.append(f"- size: {size_mb(M.MODELS_DIR / r['name']):.1f} MB")
        for split in ("train", "dev"):
            for rel, digest in r[split].items():
                lines.append(f"- {split} `ner/{rel}` sha256 `{digest}`")
        lines.append(f"- train: {json.dumps(r['train_stats'])}; dev: {json.dumps(r['dev_stats'])}")
        lines.append(f"- dev P {perf.get('ents_p', 0):.3f} R {perf.get('ents_r', 0):.3f} F1 {perf.get('ents_f', 0):.3f}")
        for label, s in sorted(per_type.items()):
            lines.append(f"  - {label}: P {s['p']:.3f} R {s['r']:.3f} F1 {s['f']:.3f}")
        lines.append(f"<!-- /model:{r['name']} -->")
        block = "\n".join(lines)
        pattern = re.compile(rf"<!-- model:{r['name']} -->.*?<!-- /model:{r['name']} -->", re.S)
        text = pattern.sub(lambda _m: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block + "\n"
    MODELS_MD.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(RECIPES), help="train one model")
    parser.add_argument("--epochs", type=int, default=None, help="default: the epochs the committed model was trained with")
    parser.add_argument("--width", type=int, default=96)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--limit", type=int, default=0, help="items per file (0 = all; for a quick smoke run)")
    parser.add_argument("--adopt", type=Path, help="record an existing model-best directory for --only instead of training")
    parser.add_argument("--note", default="", help="with --adopt: why, e.g. 'stopped after 3 of 5 epochs for time'")
    parser.add_argument("--dev-limit", type=int, default=150, help="dev items used to pick the checkpoint (0 = all)")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} not found: training needs the shared NER data next to the repository")
    M._register_tokenizer()
    names = [args.only] if args.only else list(RECIPES)
    if args.adopt:
        if not args.only:
            sys.exit("--adopt needs --only")
        settings = {"epochs": args.epochs or EPOCHS[args.only], "width": args.width, "depth": args.depth, "seed": 0, "limit": args.limit, "dev_limit": args.dev_limit, "note": args.note}
        results = [adopt(args.only, args.adopt, settings, None)]
    else:
        results = [train_one(name, args.epochs or EPOCHS[name], args.limit, args.width, args.depth, args.dev_limit) for name in names]
    write_models_md(results)
    for r in results:
        print(r["name"], json.dumps(r["performance"].get("ents_per_type", {})))


if __name__ == "__main__":
    main()
