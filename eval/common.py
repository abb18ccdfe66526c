"""Shared helpers for the scorers: locating ../shared/data, normalising strings, F1, doc updates."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EVALUATION_DOC = REPO / "docs" / "evaluation.md"


def require_shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        sys.exit(f"error: {SHARED_DATA} not found; the scorers need ../shared/data beside the checkout")
    return SHARED_DATA


def norm(text: str | None) -> str:
    """Case-, accent-, punctuation- and space-insensitive form for 'normalised exact' matching."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def f1(predicted: list[str], gold: list[str]) -> tuple[float, float, float]:
    """Precision, recall, F1 of two multisets of strings (both empty: perfect)."""
    if not predicted and not gold:
        return 1.0, 1.0, 1.0
    remaining = list(gold)
    hits = 0
    for item in predicted:
        if item in remaining:
            remaining.remove(item)
            hits += 1
    p = hits / len(predicted) if predicted else 0.0
    r = hits / len(gold) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def replace_block(name: str, content: str, doc: Path = EVALUATION_DOC) -> None:
    """Replace the text between <!-- name:start --> and <!-- name:end --> markers in ``doc``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    block = f"{start}\n{content.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")
