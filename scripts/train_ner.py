"""Train the NER models committed under pipeline/data/models/ (``make models``).

``ner_cdr``  COMPOUND + CONDITION from BC5CDR train (Chemical, Disease) and NCBI-disease train (Disease);
``ner_gene`` PROTEIN from BC2GM train (GENE);
``ner_all``  (``--only ner_all``) all three labels in one smaller model, so the entity stage makes one
             pass instead of two. No corpus annotates all three labels, and a corpus's unmarked
             chemicals would teach the model that chemicals are not entities, so the labels a corpus
             does not annotate are filled in by the committed ``ner_cdr``/``ner_gene`` models
             (pseudo-labels: genes in BC5CDR and NCBI-disease, chemicals in NCBI-disease, chemicals
             and diseases in BC2GM); a gold span always wins over a pseudo-label it overlaps. Those
             two models must therefore be present; their weights' hashes go into MODELS.md.
             Checkpoints are scored on BC5CDR dev (COMPOUND, CONDITION), BC2GM dev (PROTEIN) and
             NCBI-disease dev (CONDITION), each only on the labels it annotates.

Only the TRAIN splits are learnt from; the dev splits choose the best checkpoint (spaCy keeps the
model with the best dev F1). Seeds are fixed, so a rebuild on the same data and library versions
gives the same scores. The SHA-256 of every data file, the settings and the dev scores are written
to pipeline/data/MODELS.md by this script, so each artefact says what made it.

CI never runs this: it needs ../shared/data/ner and several minutes of CPU.

Usage:  python scripts/train_ner.py [--only ner_cdr|ner_gene|ner_all] [--epochs N] [--max-steps N]
                                    [--width N --depth N] [--rows N,N,N,N] [--averages] [--dropout F] [--seed N]
                                    [--init-tok2vec WEIGHTS] [--limit N] [--keep DIR [--no-adopt]] [--adopt DIR --note TEXT]
        python scripts/train_ner.py --pretrain TEXT_JSONL [--pretrain-out DIR] [--pretrain-epochs N] [--n-characters N]
``--rows`` (hash-embedding table sizes for NORM, PREFIX, SUFFIX, SHAPE), ``--averages`` (keep the
parameter averages and save them) and ``--dropout`` change training only: a lookup in a bigger table
and an averaged weight cost the same at run time as the defaults (spaCy's, which made the committed
models) do. So does ``--init-tok2vec``: the tok2vec starts from weights that ``--pretrain`` learnt
(``spacy pretrain``, characters objective) on the raw text scripts/build_pretrain_text.py writes,
with ner_all's architecture (or ``--width/--depth/--rows``); the weights' and text's hashes go into
MODELS.md with the settings.
``make models`` trains ner_cdr and ner_gene (the default set); ner_all is trained on request.
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
EPOCHS = {"ner_cdr": 8, "ner_gene": 4, "ner_all": 10}
#: Models ``make models`` (no --only) trains.
DEFAULT_SET = ("ner_cdr", "ner_gene")
#: spaCy's "efficiency" defaults, with which the committed models were trained.
DEFAULT_ROWS = (5000, 1000, 2500, 2500)
DEFAULT_DROPOUT = 0.1
#: spaCy's pretraining default: predict each word's first and last 4 characters from its context.
PRETRAIN_CHARACTERS = 4
#: Default epochs of ``--pretrain`` (each ~10 min of CPU on the 2.8M-word text here; see MODELS.md).
PRETRAIN_EPOCHS = 3
#: What ``--pretrain`` writes next to the weights: the text's hash and the settings, for MODELS.md.
PRETRAIN_RECORD = "pretrain.json"
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

COMBINED = "ner_all"
#: The combined model's training data: file, gold label -> our label, teacher model -> labels it fills in.
COMBINED_TRAIN = [
    ("bc5cdr/train.jsonl", {"Chemical": "COMPOUND", "Disease": "CONDITION"}, {"ner_gene": ("PROTEIN",)}),
    ("iob/NCBI-disease-IOB/train.jsonl", {"Disease": "CONDITION"}, {"ner_cdr": ("COMPOUND",), "ner_gene": ("PROTEIN",)}),
    ("iob/BC2GM-IOB/train.jsonl", {"GENE": "PROTEIN"}, {"ner_cdr": ("COMPOUND", "CONDITION")}),
]
#: Its dev data: file, gold label -> our label, items used. BC2GM and NCBI items are single sentences,
#: so more of them give about as many gold spans (~1,900 genes) as the 150 BC5CDR abstracts (~2,900).
COMBINED_DEV = [
    ("bc5cdr/dev.jsonl", {"Chemical": "COMPOUND", "Disease": "CONDITION"}, 150),
    ("iob/BC2GM-IOB/devel.jsonl", {"GENE": "PROTEIN"}, 1500),
    ("iob/NCBI-disease-IOB/devel.jsonl", {"Disease": "CONDITION"}, 400),
]
RECIPES[COMBINED] = ([f for f, _m, _t in COMBINED_TRAIN], [f for f, _m, _n in COMBINED_DEV], {})

def make_config(epochs: int, width: int, depth: int, max_steps: int = 0, partial_dev: bool = False,
                rows: tuple[int, ...] = DEFAULT_ROWS, averages: bool = False, dropout: float = DEFAULT_DROPOUT, seed: int = 0,
                init_tok2vec: Path | None = None):
    """spaCy's CPU "efficiency" NER config with our tokenizer, sizes, epochs and seed.

    Small and fast: the entity stage must stay above 15,000 words/s on one core. ``partial_dev``
    scores each dev document only on the labels its corpus annotates (the combined model). ``rows``,
    ``averages``, ``dropout`` and ``init_tok2vec`` (weights from ``--pretrain``) are free at run time
    (see the module docstring).
    """
    from spacy.cli.init_config import init_config

    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency", gpu=False)
    config["nlp"]["tokenizer"] = {"@tokenizers": M.TOKENIZER_NAME}
    config["system"]["seed"] = seed
    config["components"]["tok2vec"]["model"]["encode"]["width"] = width
    config["components"]["tok2vec"]["model"]["encode"]["depth"] = depth
    config["components"]["tok2vec"]["model"]["embed"]["rows"] = list(rows)
    config["training"]["optimizer"]["use_averages"] = averages
    config["training"]["dropout"] = dropout
    config["training"]["max_epochs"] = epochs
    config["training"]["max_steps"] = max_steps
    config["training"]["patience"] = 0
    if partial_dev:
        config["components"]["ner"]["scorer"] = {"@scorers": M.PARTIAL_SCORER_NAME}
    config["training"]["eval_frequency"] = 400
    # Batches of 400 -> 1,500 words: several times faster per epoch than spaCy's 100 -> 1,000 here.
    config["training"]["batcher"]["size"] = {"@schedules": "compounding.v1", "start": 400, "stop": 1500, "compound": 1.001, "t": 0.0}
    if init_tok2vec is not None:
        # spaCy loads the weights into [pretraining]'s component and layer: the whole tok2vec.
        config["paths"]["init_tok2vec"] = str(init_tok2vec)
        config["pretraining"] = _pretraining_block(epochs=0)
    return config


def _spacy_pretrain_defaults():
    """spaCy's default pretraining config (the [pretraining] block and the raw-text corpus)."""
    from spacy import util
    from spacy.cli.init_config import DEFAULT_CONFIG_PRETRAIN_PATH

    return util.load_config(DEFAULT_CONFIG_PRETRAIN_PATH, interpolate=False)


def _pretraining_block(epochs: int, n_characters: int = PRETRAIN_CHARACTERS, defaults=None) -> dict:
    """spaCy's default [pretraining] block (characters objective) for the whole tok2vec component."""
    block = (defaults or _spacy_pretrain_defaults())["pretraining"].copy()
    block["max_epochs"] = epochs
    block["objective"] = {**block["objective"], "n_characters": n_characters}
    return block


def make_pretrain_config(text: Path, epochs: int, width: int, depth: int, rows: tuple[int, ...] = DEFAULT_ROWS,
                         n_characters: int = PRETRAIN_CHARACTERS, seed: int = 0):
    """The ner_all training config plus spaCy's pretraining block and a raw-text corpus: the tok2vec
    it pretrains has the very architecture ``--init-tok2vec`` loads the weights into."""
    defaults = _spacy_pretrain_defaults()
    config = make_config(epochs, width, depth, partial_dev=True, rows=rows, seed=seed)
    config["pretraining"] = _pretraining_block(epochs, n_characters, defaults)
    config["corpora"]["pretrain"] = defaults["corpora"]["pretrain"].copy()
    config["corpora"]["pretrain"]["path"] = str(text)
    config["paths"]["raw_text"] = str(text)
    return config


def pretrain_tok2vec(text: Path, out: Path, epochs: int, width: int, depth: int, rows: tuple[int, ...],
                     n_characters: int, seed: int) -> dict:
    """Pretrain the tok2vec on ``text`` (build_pretrain_text.py's JSONL); weights go to ``out``/model<epoch>.bin."""
    from spacy.training.pretrain import pretrain

    if not text.is_file():
        sys.exit(f"{text} not found: run scripts/build_pretrain_text.py first")
    if out.exists() and any(out.iterdir()):
        sys.exit(f"{out} is not empty: pretraining writes model<epoch>.bin there; remove it or pick another --pretrain-out")
    out.mkdir(parents=True, exist_ok=True)
    config = make_pretrain_config(text, epochs, width, depth, rows, n_characters, seed)
    config.to_disk(out / "config.cfg")
    started = time.time()
    pretrain(config.interpolate(), out, silent=False)
    last = out / "model-last.bin"
    with text.open(encoding="utf-8") as handle:
        words = sum(len(json.loads(line)["text"].split()) for line in handle)
    record = {"text": str(text), "text_sha256": sha256(text), "text_words": words, "weights": str(last),
              "weights_sha256": sha256(last), "epochs": epochs, "n_characters": n_characters,
              "width": width, "depth": depth, "rows": list(rows), "seed": seed, "seconds": round(time.time() - started)}
    (out / PRETRAIN_RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _gold_spans(doc, item: dict, mapping: dict[str, str], stats: dict) -> list:
    """The gold spans of ``item`` on ``doc``'s tokens (expanded to token edges where needed)."""
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
    return spans


def _items(rel: str, limit: int):
    with (DATA / rel).open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if limit and index >= limit:
                break
            yield json.loads(line)


def combined_train_docbin(nlp, teachers: dict, limit: int) -> tuple[object, dict]:
    """The combined training set: gold spans, plus the teachers' spans for the labels a corpus does
    not annotate where they overlap no gold span (pseudo-labels between teachers: longest wins)."""
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    bin_ = DocBin()
    stats = {"docs": 0, "spans": 0, "pseudo": 0, "pseudo_dropped_by_gold": 0, "expanded": 0, "overlapping": 0}
    for rel, mapping, fills in COMBINED_TRAIN:
        items = list(_items(rel, limit))
        docs = [nlp.make_doc(item["text"]) for item in items]
        pseudo: list[list] = [[] for _ in docs]
        for teacher, labels in sorted(fills.items()):
            taught = teachers[teacher].pipe((teachers[teacher].make_doc(item["text"]) for item in items), batch_size=64)
            for i, (doc, tdoc) in enumerate(zip(docs, taught)):
                pseudo[i] += [s for e in tdoc.ents if e.label_ in labels
                              and (s := doc.char_span(e.start_char, e.end_char, label=e.label_)) is not None]
        for item, doc, guessed in zip(items, docs, pseudo):
            gold = _gold_spans(doc, item, mapping, stats)
            kept_gold = filter_spans(gold)
            stats["overlapping"] += len(gold) - len(kept_gold)
            taken = {i for s in kept_gold for i in range(s.start, s.end)}
            free = [s for s in guessed if not taken.intersection(range(s.start, s.end))]
            stats["pseudo_dropped_by_gold"] += len(guessed) - len(free)
            free = filter_spans(free)
            doc.ents = sorted(kept_gold + free, key=lambda s: s.start)
            stats["spans"] += len(kept_gold)
            stats["pseudo"] += len(free)
            stats["docs"] += 1
            bin_.add(doc)
    return bin_, stats


def combined_dev_docbin(nlp) -> tuple[object, dict]:
    """The combined dev set; each document remembers which labels its corpus annotates."""
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    bin_ = DocBin(store_user_data=True)
    stats = {"docs": 0, "spans": 0, "expanded": 0, "overlapping": 0}
    for rel, mapping, limit in COMBINED_DEV:
        for item in _items(rel, limit):
            doc = nlp.make_doc(item["text"])
            spans = _gold_spans(doc, item, mapping, stats)
            kept = filter_spans(spans)
            stats["overlapping"] += len(spans) - len(kept)
            stats["spans"] += len(kept)
            doc.ents = kept
            doc.user_data[M.ANNOTATED_LABELS_KEY] = sorted(set(mapping.values()))
            bin_.add(doc)
            stats["docs"] += 1
    return bin_, stats


def teacher_hashes() -> dict[str, str]:
    """SHA-256 over each teacher model's weight files, so MODELS.md says which models made the pseudo-labels."""
    out = {}
    for name in DEFAULT_SET:
        digest = hashlib.sha256()
        for part in sorted((M.MODELS_DIR / name).rglob("model")):
            digest.update(part.read_bytes())
        out[name] = digest.hexdigest()
    return out


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
                spans = _gold_spans(doc, item, mapping, stats)
                kept = filter_spans(spans)
                stats["overlapping"] += len(spans) - len(kept)
                stats["spans"] += len(kept)
                doc.ents = kept
                bin_.add(doc)
                stats["docs"] += 1
    return bin_, stats


def train_one(name: str, epochs: int, limit: int, width: int, depth: int, dev_limit: int,
              max_steps: int = 0, keep: Path | None = None, extra: dict | None = None, adopt_best: bool = True) -> dict:
    """Train ``name`` and adopt its best checkpoint; ``extra`` holds rows/averages/dropout (see make_config).

    With ``adopt_best`` false (``--no-adopt``, an experiment) the best checkpoint stays in ``keep``
    and only its dev scores are returned: the committed model and MODELS.md are left alone.
    """
    from spacy.cli.train import train

    work = keep or Path(tempfile.mkdtemp(prefix=f"train_{name}_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if name == COMBINED:
            teachers = load_teachers()
            train_bin, train_stats = combined_train_docbin(_blank(), teachers, limit)
            del teachers
            dev_bin, dev_stats = combined_dev_docbin(_blank())
            dev_limit = {rel: n for rel, _m, n in COMBINED_DEV}
        else:
            train_files, dev_files, mapping = RECIPES[name]
            train_bin, train_stats = to_docbin(_blank(), train_files, mapping, limit)
            dev_bin, dev_stats = to_docbin(_blank(), dev_files, mapping, dev_limit)
        train_bin.to_disk(work / "train.spacy")
        dev_bin.to_disk(work / "dev.spacy")
        extra = extra or {}
        make_config(epochs, width, depth, max_steps, partial_dev=name == COMBINED, **extra).to_disk(work / "config.cfg")
        started = time.time()
        train(work / "config.cfg", work / "out", overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")})
        settings = {"epochs": epochs, "max_steps": max_steps, "width": width, "depth": depth, **_extra_settings(extra),
                    "limit": limit, "dev_limit": dev_limit}
        if not adopt_best:
            best = work / "out" / "model-best"
            return {"name": name, "path": str(best), "performance": _dev_scores(best), "settings": settings}
        return adopt(name, work / "out" / "model-best", settings, round(time.time() - started), train_stats, dev_stats)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _extra_settings(extra: dict) -> dict:
    """The training-only settings as MODELS.md records them (defaults spelt out; pretrained weights by
    their hash and, when ``--pretrain`` made them, the text's hash and the pretraining settings)."""
    settings = {"rows": list(extra.get("rows", DEFAULT_ROWS)), "averages": bool(extra.get("averages", False)),
                "dropout": extra.get("dropout", DEFAULT_DROPOUT), "seed": extra.get("seed", 0)}
    weights = extra.get("init_tok2vec")
    if weights is not None:
        settings["init_tok2vec"] = {"weights_sha256": sha256(weights)}
        made_by = weights.parent / PRETRAIN_RECORD
        if made_by.is_file():
            record = json.loads(made_by.read_text(encoding="utf-8"))
            settings["init_tok2vec"].update({k: record[k] for k in ("text_sha256", "text_words", "epochs", "n_characters") if k in record})
    return settings


def _parse_rows(text: str) -> tuple[int, ...]:
    """``"20000,2000,5000,2500"`` -> four positive table sizes (NORM, PREFIX, SUFFIX, SHAPE)."""
    try:
        rows = tuple(int(part) for part in text.split(","))
    except ValueError:
        rows = ()
    if len(rows) != 4 or min(rows) <= 0:
        raise argparse.ArgumentTypeError(f"--rows wants four positive integers like 20000,2000,5000,2500, got {text!r}")
    return rows


def load_teachers() -> dict:
    """The committed separate models, which fill in the labels a corpus does not annotate."""
    import spacy

    missing = [n for n in DEFAULT_SET if not (M.MODELS_DIR / n / "config.cfg").is_file()]
    if missing:
        sys.exit(f"ner_all needs the separate models {', '.join(missing)} for its pseudo-labels: train them first")
    return {n: spacy.load(M.MODELS_DIR / n) for n in DEFAULT_SET}


def _blank():
    import spacy

    nlp = spacy.blank("en")
    nlp.tokenizer = M.FineTokenizer(nlp.vocab)
    return nlp


def adopt(name: str, best: Path, settings: dict, seconds: int | None, train_stats: dict | None = None, dev_stats: dict | None = None) -> dict:
    """Copy a trained pipeline into pipeline/data/models/<name> and describe it for MODELS.md."""
    import spacy

    train_files, dev_files, mapping = RECIPES[name]
    if train_stats is None and name == COMBINED:
        train_stats = dev_stats = {"note": "not recomputed on --adopt"}
    elif train_stats is None:
        train_stats = to_docbin(_blank(), train_files, mapping, settings.get("limit", 0))[1]
        dev_stats = to_docbin(_blank(), dev_files, mapping, settings.get("dev_limit", 0))[1]
    target = M.MODELS_DIR / name
    if target.resolve() != best.resolve():
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(best, target)
    prune_strings(target)
    result = {
        "name": name,
        "train": {rel: sha256(DATA / rel) for rel in train_files},
        "dev": {rel: sha256(DATA / rel) for rel in dev_files},
        "train_stats": train_stats,
        "dev_stats": dev_stats,
        "performance": _dev_scores(best),
        "seconds": seconds,
        "settings": settings,
        "versions": {"spacy": spacy.__version__},
    }
    if name == COMBINED:
        result["teachers"] = teacher_hashes()
    return result


def prune_strings(model_dir: Path) -> None:
    """Empty the saved pipeline's string store (``vocab/strings.json``).

    spaCy saves every string it met in training (57,000 words for ner_all, 0.7 MB), and loading
    them was half the time of ``spacy.load`` (0.1 of 0.2 s, in every batch's warm-up). The model
    never needs them: its features are hashes computed from each word, and the labels' strings come
    back from the entity recogniser's own files. Mentions and records were the same without them
    (tests/test_ner_model.py checks that the store's content does not change a mention).
    """
    (model_dir / "vocab" / "strings.json").write_text("[]\n", encoding="utf-8")


def _dev_scores(best: Path) -> dict:
    """The dev scores spaCy wrote into a saved checkpoint's meta.json."""
    return json.loads((best / "meta.json").read_text(encoding="utf-8")).get("performance", {})


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
        for teacher, digest in r.get("teachers", {}).items():
            lines.append(f"- pseudo-labels from `{teacher}` (weights sha256 `{digest}`)")
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
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many updates (0 = epochs decide)")
    parser.add_argument("--width", type=int, default=None, help="tok2vec width (default 96; ner_all 64)")
    parser.add_argument("--depth", type=int, default=None, help="tok2vec depth (default 4; ner_all 2)")
    parser.add_argument("--rows", type=_parse_rows, default=DEFAULT_ROWS,
                        help="hash-embedding rows for NORM,PREFIX,SUFFIX,SHAPE (default 5000,1000,2500,2500)")
    parser.add_argument("--averages", action="store_true", help="train with parameter averaging (saved weights are the averages)")
    parser.add_argument("--dropout", type=float, default=DEFAULT_DROPOUT, help=f"training dropout (default {DEFAULT_DROPOUT})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0; another seed shows the run-to-run spread)")
    parser.add_argument("--init-tok2vec", type=Path, default=None,
                        help="start the tok2vec from these pretrained weights (from --pretrain; same width, depth and rows)")
    parser.add_argument("--pretrain", type=Path, metavar="TEXT_JSONL",
                        help="instead of training: pretrain the ner_all tok2vec on this raw text (scripts/build_pretrain_text.py)")
    parser.add_argument("--pretrain-out", type=Path, default=REPO / "build" / "pretrain" / "tok2vec",
                        help="with --pretrain: directory for the weights (model-last.bin) and pretrain.json")
    parser.add_argument("--pretrain-epochs", type=int, default=PRETRAIN_EPOCHS, help=f"with --pretrain (default {PRETRAIN_EPOCHS})")
    parser.add_argument("--n-characters", type=int, default=PRETRAIN_CHARACTERS,
                        help=f"with --pretrain: characters predicted at each end of a word (default {PRETRAIN_CHARACTERS})")
    parser.add_argument("--keep", type=Path, help="train in this directory and keep it (checkpoints survive an interrupted run)")
    parser.add_argument("--no-adopt", action="store_true",
                        help="an experiment: leave the best checkpoint in --keep and pipeline/data (models, MODELS.md) untouched")
    parser.add_argument("--limit", type=int, default=0, help="items per file (0 = all; for a quick smoke run)")
    parser.add_argument("--adopt", type=Path, help="record an existing model-best directory for --only instead of training")
    parser.add_argument("--note", default="", help="with --adopt: why, e.g. 'stopped after 3 of 5 epochs for time'")
    parser.add_argument("--dev-limit", type=int, default=150, help="dev items used to pick the checkpoint (0 = all)")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} not found: training needs the shared NER data next to the repository")
    M._register_tokenizer()
    names = [args.only] if args.only else list(DEFAULT_SET)
    small = args.only == COMBINED or args.pretrain is not None  # the pretrained tok2vec is ner_all's
    args.width = args.width or (64 if small else 96)
    args.depth = args.depth or (2 if small else 4)
    extra = {"rows": args.rows, "averages": args.averages, "dropout": args.dropout, "seed": args.seed}
    if args.pretrain:
        record = pretrain_tok2vec(args.pretrain, args.pretrain_out, args.pretrain_epochs, args.width, args.depth, args.rows, args.n_characters, args.seed)
        print(json.dumps(record, indent=1))
        return
    if args.init_tok2vec is not None:
        if not args.init_tok2vec.is_file():
            sys.exit(f"--init-tok2vec {args.init_tok2vec} not found: make it with --pretrain first")
        extra["init_tok2vec"] = args.init_tok2vec.resolve()
    if args.adopt:
        if not args.only:
            sys.exit("--adopt needs --only")
        dev_limit = {rel: n for rel, _m, n in COMBINED_DEV} if small else args.dev_limit
        settings = {"epochs": args.epochs or EPOCHS[args.only], "max_steps": args.max_steps, "width": args.width, "depth": args.depth,
                    **_extra_settings(extra), "limit": args.limit, "dev_limit": dev_limit, "note": args.note}
        results = [adopt(args.only, args.adopt, settings, None)]
    else:
        if args.no_adopt and args.keep is None:
            sys.exit("--no-adopt needs --keep DIR: the trained model stays there")
        results = [train_one(name, args.epochs or EPOCHS[name], args.limit, args.width, args.depth, args.dev_limit, args.max_steps, args.keep, extra,
                             adopt_best=not args.no_adopt)
                   for name in names]
    if args.no_adopt:
        for r in results:
            print(f"{r['name']}: not adopted; the model is in {r['path']}")
    else:
        write_models_md(results)
    for r in results:
        print(r["name"], json.dumps(r["performance"].get("ents_per_type", {})))


if __name__ == "__main__":
    main()
