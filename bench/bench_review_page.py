"""How fast the review page opens a large record, beside a small one in the same run.

Issue 7's bar: the page loads a 20,000-word record in under a second. Measured here, never asserted
in tests (machines are noisy). The large record is made by converting a text of at least 20,000
words built from the repository's own samples (each sample once per round, under numbered headings,
so the text has real sections, entities and relations); the baseline is the seed article's record.
For each record, median of --repeat runs in a fresh page of Debian's Chromium (Playwright):

* load: wall-clock seconds from navigating to ``#/doc/<name>`` until the page has rendered the
  document (it sets ``data-render-ms`` on <body>): request, JSON parsing and rendering together;
* render: the page's own measurement of building the text and field views (``data-render-ms``).

Usage:  python bench/bench_review_page.py [--repeat 5] [--words 20000] [--write]
``--write`` replaces the block "review-page" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval"))
BENCHMARKS_DOC = REPO / "docs" / "benchmarks.md"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
COMMAND = ".venv/bin/python bench/bench_review_page.py --write"


def long_article(min_words: int) -> str:
    """The samples, round after round under numbered headings, until the text has ``min_words`` words."""
    samples = sorted((REPO / "samples").glob("*"))
    texts = [p.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n") for p in samples]
    parts = ["Collected explainers on psychiatric drugs\n"]
    words, round_number = 0, 0
    while words < min_words:
        round_number += 1
        for index, text in enumerate(texts, start=1):
            parts.append(f"\n{round_number}.{index} Part {round_number}.{index}\n\n{text}\n")
            words += len(text.split())
    return "".join(parts)


def make_records(folder: Path, min_words: int) -> dict[str, int]:
    """Write the large and the small record into ``folder``; return their names with word counts."""
    from pipeline import convert_file
    from pipeline.record.io import write_record_atomic

    source = folder / "src"
    source.mkdir()
    (source / "large.txt").write_text(long_article(min_words), encoding="utf-8")
    (source / "seed.txt").write_bytes((REPO / "samples" / "ketamine-psychedelics-explainer.txt").read_bytes())
    sizes = {}
    for name in ("large", "seed"):
        record = convert_file(source / f"{name}.txt")
        write_record_atomic(folder / f"{name}.json", record)
        sizes[name] = len(record["text"].split())
        print(f"{name}: {sizes[name]:,} words, {len(record['entities']):,} entities, {len(record['relations']):,} relations", file=sys.stderr)
    return sizes


def start_server(folder: Path):
    from pipeline.review.server import serve

    ready = threading.Event()
    holder = {}

    def on_ready(server) -> None:
        holder["server"] = server
        ready.set()

    thread = threading.Thread(target=serve, args=(folder,), kwargs={"editor": "bench", "ready": on_ready}, daemon=True)
    thread.start()
    if not ready.wait(30):
        raise SystemExit("the review server did not start")
    return holder["server"]


def measure(browser, url: str, name: str, repeat: int) -> tuple[float, float]:
    loads, renders = [], []
    for _ in range(repeat + 1):  # the first run warms the browser's caches and is not counted
        page = browser.new_page()
        page.goto(url + "#/", wait_until="load")
        started = time.perf_counter()
        page.goto(f"{url}#/doc/{name}")
        page.locator("body[data-render-ms]").wait_for(state="attached", timeout=60_000)
        loads.append(time.perf_counter() - started)
        renders.append(float(page.locator("body").get_attribute("data-render-ms")) / 1000)
        page.close()
    return statistics.median(loads[1:]), statistics.median(renders[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("playwright is not installed: `make setup` installs the test extra") from None
    if not CHROMIUM.exists():
        raise SystemExit("no /usr/bin/chromium: `apt-get install chromium` (or `make browser` as root)")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sizes = make_records(folder, args.words)
        server = start_server(folder)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                version = browser.version
                results = {name: measure(browser, server.url.rstrip("/"), name, args.repeat) for name in ("seed", "large")}
                browser.close()
        finally:
            server.shutdown()

    rows = [
        "| record | words | load (s) | render (s) |",
        "|---|---|---|---|",
        *(f"| {name} | {sizes[name]:,} | {results[name][0]:.3f} | {results[name][1]:.3f} |" for name in ("seed", "large")),
    ]
    ratio = results["large"][0] / results["seed"][0] if results["seed"][0] else float("nan")
    body = (
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"Chromium {version}. Command: `{COMMAND}` (median of {args.repeat} runs after a warm-up, each in a fresh page).\n\n"
        + "\n".join(rows)
        + f"\n\nThe {sizes['large']:,}-word record loads in {results['large'][0]:.2f} s, {ratio:.1f}x the seed article's load "
        f"(bar: under 1 s).\n"
    )
    print(body)
    if args.write:
        from common import replace_block

        replace_block("review-page", body, doc=BENCHMARKS_DOC)


if __name__ == "__main__":
    main()
