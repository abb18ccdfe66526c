"""Regenerate the parts of README.md that are derived from the code and the golden records.

* ``<!-- cli-reference:... -->``: the ``--help`` output of every command;
* ``<!-- seed-walkthrough:... -->``: an abridged excerpt of the seed's golden record in outputs/.

tests/test_readme.py fails when either is out of date; run ``python scripts/update_readme.py``
(or ``make readme``) to refresh them, after ``make goldens`` if the records changed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SEED_RECORD = REPO / "outputs" / "ketamine-psychedelics-explainer.json"


def cli_reference() -> str:
    from pipeline.cli import main

    runner = CliRunner()
    parts = []
    commands = [[]] + [[name] for name in sorted(main.commands)]
    for args in commands:
        result = runner.invoke(main, [*args, "--help"], prog_name="pipeline", terminal_width=100)
        title = " ".join(["pipeline", *args])
        parts.append(f"### `{title}`\n\n```text\n{result.output.rstrip()}\n```")
    return "\n\n".join(parts)


def seed_walkthrough() -> str:
    """An abridged view of the seed's record: what each part of the article became."""
    record = json.loads(SEED_RECORD.read_text(encoding="utf-8"))
    text = record["text"]
    article = {k: record["article"][k] for k in ("title", "published", "publisher", "authors")}
    subject = next(c for c in record["citations"] if c["role"] == "subject")
    subject_view = {k: subject[k] for k in ("role", "title", "journal", "year", "raw")}
    subject_view["authors"] = [{k: a[k] for k in ("name", "given", "family")} for a in subject["authors"]]
    subject_view["evidence"] = f"{len(subject['evidence'])} spans, e.g. " + ", ".join(
        repr(text[e["start"] : e["end"]][:40]) for e in subject["evidence"][:3]
    )
    by_id = {s["id"]: s for s in record["sections"]}
    outline = "\n".join(
        f"{'  ' * (s['level'] - 1)}- {s['number'] + '. ' if s['number'] else ''}{s['heading']}  ({s['kind']})"
        for s in record["sections"]
    )
    entities: dict[str, list[str]] = {}
    for entity in record["entities"]:
        names = entities.setdefault(entity["label"], [])
        if entity["text"].lower() not in (n.lower() for n in names):
            names.append(entity["text"])
    entity_lines = "\n".join(f"| {label} | {', '.join(names)} |" for label, names in sorted(entities.items()))
    ents = {e["id"]: e for e in record["entities"]}
    relations = "\n".join(
        f"- {ents[r['subject']]['text']} — {r['action']} → {ents[r['object']]['text']}  (\"{text[r['start']:r['end']][:80]}…\")"
        for r in record["relations"]
    )
    warnings = "\n".join(f"- `{w['code']}`: {w['message']}" for w in record["warnings"])
    digest = " ".join(item["text"] for item in record["summary"]["digest"])
    first_entity = record["entities"][0]
    return f"""The seed, `samples/ketamine-psychedelics-explainer.txt`, is a clinic's blog post explaining a
*Nature Reviews Drug Discovery* review. `pipeline convert samples/ -o outputs/` turns it into
`outputs/ketamine-psychedelics-explainer.json`. Abridged, generated from that golden record:

The article's own metadata (the study block at the top describes the *review*, not the post):

```json
{json.dumps(article, indent=2, ensure_ascii=False)}
```

The study the post is about, merged from every mention:

```json
{json.dumps(subject_view, indent=2, ensure_ascii=False)}
```

Sections, with hierarchy and kind:

{outline}

Entities ({len(record["entities"])} mentions; each has a span, section, normalised ID, method and score, e.g.
`{json.dumps({k: first_entity[k] for k in ("text", "label", "start", "end", "norm", "method")}, ensure_ascii=False)}`):

| label | mentions |
|---|---|
{entity_lines}

Relations:

{relations}

Warnings (the post lists the review's authors in two different orders):

{warnings}

Digest: {digest}
"""


def _replace(text: str, name: str, content: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content.rstrip()}\n{end}{tail}"


def rendered_readme() -> str:
    text = README.read_text(encoding="utf-8")
    text = _replace(text, "cli-reference", cli_reference())
    return _replace(text, "seed-walkthrough", seed_walkthrough())


if __name__ == "__main__":
    new = rendered_readme()
    if README.read_text(encoding="utf-8") != new:
        README.write_text(new, encoding="utf-8")
        print("README.md: CLI reference updated")
    else:
        print("README.md: CLI reference already up to date")
    sys.exit(0)
