"""The entity stage alone (issue 4's speed and size bars), beside spaCy baselines from the same run.

Measures, in CPU seconds of this process (robust on a shared machine), medians of --repeat runs
after a warm-up, on two inputs: the MEDLINE abstracts of ../shared/data/jats/medline (as
bench/bench_batch.py writes them) and the long text of bench/bench_convert.py (~1 MB of JATS
articles rendered as text):
* the entity stage (``extract_entities``: NER models, lexicon, patterns, abbreviations, MeSH IDs)
  on documents whose earlier stages have run, each document on its own (the library path);
* the same with the NER models run ahead over chunks of 16 documents (``prefetch_mentions``, as
  ``pipeline convert`` does), the time of that prefetch included;
* baselines: the NER models alone (``find_mentions``), and spaCy's blank English tokenizer.
Also: loading (a fresh process importing the stage and loading models, lexicon and patterns,
wall-clock, median of 3) and the size of the models and lexicons in ``pipeline/data``.

Bars (issue 4): entity stage >= 15,000 words/s on one core; loading <= 2 s; models and lexicons
<= 80 MB installed.

Usage:  python bench/bench_entities.py [--repeat 3] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from pipeline.batch import BatchOptions  # noqa: E402

BENCHMARKS_DOC = REPO / "docs" / "benchmarks.md"
COMMAND = ".venv/bin/python bench/bench_entities.py --repeat 3 --write"
MEDLINE = REPO.parent / "shared" / "data" / "jats" / "medline" / "ground_truth.jsonl"
PREFETCH_DOCS = BatchOptions.chunk_size  # as `pipeline convert` does


def abstracts() -> list[str]:
    texts = []
    for line in MEDLINE.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("format") == "medline" and item.get("abstract"):
            texts.append(f"{item['title']}\n\n{item['abstract']}\n")
    return texts


def load_seconds() -> float:
    code = (
        "import time; t = time.perf_counter()\n"
        "from pipeline.stages.entities import _engine; _engine()\n"
        "print(time.perf_counter() - t)"
    )
    runs = [float(subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout) for _ in range(3)]
    return statistics.median(runs)


def data_megabytes() -> float:
    data = REPO / "pipeline" / "data"
    return sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md (block entity-stage)")
    args = parser.parse_args(argv)
    from common import replace_block, require_shared_data

    require_shared_data()
    import spacy

    from bench_convert import long_text, median_seconds
    from pipeline.readers import read_bytes
    from pipeline.recipe import STAGES, run_stages
    from pipeline.stages import _ner_model as N
    from pipeline.stages.entities import extract_entities

    before = [(stage, layer) for stage, layer in STAGES[: [s for s, _ in STAGES].index(extract_entities)]]
    inputs = {
        "MEDLINE abstracts": [run_stages(read_bytes(t.encode("utf-8"), f"a{i}.txt"), before) for i, t in enumerate(abstracts())],
        "long text (JATS articles)": [run_stages(read_bytes(long_text()[0].encode("utf-8"), "long.txt"), before)],
    }
    blank = spacy.blank("en")
    load_before = os.getloadavg()[0]
    rows = []
    for name, docs in inputs.items():
        words = sum(len(d.text.split()) for d in docs)

        def alone(docs=docs):
            for d in docs:
                extract_entities(d)

        def prefetched(docs=docs):
            for i in range(0, len(docs), PREFETCH_DOCS):
                chunk = docs[i : i + PREFETCH_DOCS]
                N.prefetch_mentions([d.text for d in chunk])
                for d in chunk:
                    extract_entities(d)

        def models(docs=docs):
            for d in docs:
                N.find_mentions(d.text)

        def tokenizer(docs=docs):
            for d in docs:
                blank.make_doc(d.text)

        figures = {label: median_seconds(fn, args.repeat, clock=time.process_time) for label, fn in
                   (("stage", alone), ("prefetched", prefetched), ("models", models), ("tokenizer", tokenizer))}
        rows.append((name, f"{len(docs)} docs, {words:,} words", words, figures))
    load = load_seconds()
    size = data_megabytes()
    table = ["| input | measure | CPU s | words/s (one core) |", "|---|---|---|---|"]
    labels = {"stage": "entity stage, each document alone", "prefetched": f"entity stage, NER run ahead over {PREFETCH_DOCS} documents (as `convert`)",
              "models": "baseline: NER models alone", "tokenizer": "baseline: spaCy blank English tokenizer"}
    for name, what, words, figures in rows:
        for key, label in labels.items():
            table.append(f"| {name} ({what}) | {label} | {figures[key]:.2f} | {words / figures[key]:,.0f} |")
    body = (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}, spaCy {spacy.__version__}. "
        f"Command: `{COMMAND}`. CPU seconds of one process, medians of {args.repeat} runs after a warm-up; load average before: {load_before:.1f}.\n\n"
        + "\n".join(table)
        + f"\n\nBar: entity stage >= 15,000 words/s on one core. Loading (fresh process: import, models, lexicon, patterns; wall clock, median of 3): "
        f"{load:.2f} s (bar 2 s). Models and lexicons in `pipeline/data`: {size:.1f} MB (bar 80 MB)."
    )
    print(body)
    if args.write:
        replace_block("entity-stage", body, doc=BENCHMARKS_DOC)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
