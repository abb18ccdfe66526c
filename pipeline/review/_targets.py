"""What an editor can decide on: the reviewable items of a record, their stable IDs and values.

A decision names its target by kind and stable ID (``ent-…``, ``sec-…``, ``article.title``), never
by list position, and stores the target's *value* as the editor saw it. The value is the part of
an item that an extractor change can alter and an editor judges (an entity's span, text, label
and norm; not its score), so comparing the stored value with the value in a new extraction tells
"unchanged, apply" from "changed under the decision, show a conflict".
"""

from __future__ import annotations

from typing import Any, Iterator

# kind -> the record list holding items of that kind
ITEM_LISTS = {
    "entity": "entities",
    "relation": "relations",
    "citation": "citations",
    "section": "sections",
    "abbreviation": "abbreviations",
}
SUMMARY_LISTS = ("key_points", "limitations", "digest")
SUMMARY_LABELS = {"key_points": "key_point", "limitations": "limitation", "digest": "digest"}

# kind -> the keys of an item that make up its reviewable value
VALUE_KEYS = {
    "entity": ("text", "label", "start", "end", "norm"),
    "relation": ("subject", "action", "object", "start", "end"),
    "citation": ("role", "title", "authors", "journal", "year", "volume", "issue", "pages", "doi", "pmid", "url"),
    "section": ("heading", "level", "kind", "number"),
    "abbreviation": ("short", "long"),
    "summary": ("list", "start", "end", "text"),
}

# kind -> the keys an ``edit`` decision may change
EDITABLE_KEYS = {
    "entity": frozenset({"label", "norm"}),
    "relation": frozenset({"action"}),
    "citation": frozenset(VALUE_KEYS["citation"]),
    "section": frozenset({"heading", "level", "kind", "number"}),
    "abbreviation": frozenset(),
    "summary": frozenset(),
    "article": frozenset({"value"}),
}

# kinds an ``add`` decision may create
ADDABLE_KINDS = frozenset({"entity", "relation", "citation", "summary"})

ARTICLE_FIELDS = (
    "title", "authors", "published", "journal", "publisher", "volume", "issue", "pages",
    "doi", "pmid", "pmcid", "url", "keywords",
)  # fmt: skip
ITEM_KINDS = (*ITEM_LISTS, "summary")
ALL_KINDS = (*ITEM_KINDS, "article", "record")


def iter_items(record: dict) -> Iterator[tuple[str, dict, str | None]]:
    """Every reviewable list item as ``(kind, item, summary list name or None)``, in record order."""
    for kind, key in ITEM_LISTS.items():
        for item in record.get(key) or ():
            yield kind, item, None
    summary = record.get("summary") or {}
    for name in SUMMARY_LISTS:
        for item in summary.get(name) or ():
            yield "summary", item, name


def item_value(kind: str, item: dict, summary_list: str | None = None) -> dict:
    """The reviewable value of one list item (see VALUE_KEYS)."""
    if kind == "summary":
        return {"list": summary_list, "start": item.get("start"), "end": item.get("end"), "text": item.get("text")}
    return {key: item.get(key) for key in VALUE_KEYS[kind]}


def article_value(record: dict, field: str) -> dict:
    return {"value": (record.get("article") or {}).get(field)}


def target_value(record: dict, kind: str, target_id: str) -> dict | None:
    """The current value of a target, or None when the record has no such target."""
    if kind == "article":
        field = article_field(target_id)
        return article_value(record, field) if field else None
    if kind == "record":
        return None
    for item_kind, item, summary_list in iter_items(record):
        if item_kind == kind and item.get("id") == target_id:
            return item_value(kind, item, summary_list)
    return None


def all_targets(record: dict) -> list[dict]:
    """Every target an editor may decide on, ``{kind, id, value}``, in one pass over the record.

    ``value`` is what a decision's ``old`` holds (None for the record itself); the review page takes
    it from here rather than recomputing it, so page and core can never disagree about it.
    """
    targets = [{"kind": "record", "id": record["id"], "value": None}]
    targets += [{"kind": "article", "id": f"article.{field}", "value": article_value(record, field)} for field in ARTICLE_FIELDS]
    for kind, item, summary_list in iter_items(record):
        if item.get("id"):
            targets.append({"kind": kind, "id": item["id"], "value": item_value(kind, item, summary_list)})
    return targets


def article_field(target_id: str) -> str | None:
    """``article.title`` -> ``title``; None for anything that is not a reviewable article field."""
    prefix, _, field = target_id.partition(".")
    return field if prefix == "article" and field in ARTICLE_FIELDS else None


def same_value(old: Any, current: Any) -> bool:
    """Values compare as JSON does (so 1 == 1.0, but key order never matters)."""
    return old == current
