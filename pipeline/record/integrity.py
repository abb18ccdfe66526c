"""Checks a record's own integrity, beyond what JSON Schema can say.

* every span lies inside ``text`` and has ``start <= end``;
* where a field holds the spanned text (entity ``text``, abbreviation ``short``/``long``,
  summary ``text``, table cell ``text``), it equals ``text[start:end]``;
* IDs are unique within their list;
* references to sections, entities and citations resolve.

Run on every record before it is written (an integrity error there is a defect) and by
``pipeline validate`` for records made elsewhere. Returns ``(json_pointer, message)`` pairs.
"""

from __future__ import annotations

from typing import Any

Problem = tuple[str, str]


def integrity_errors(record: Any) -> list[Problem]:
    """All integrity problems of ``record``; an empty list means it holds together."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return []  # the schema check reports a missing or non-string text
    text: str = record["text"]
    problems: list[Problem] = []

    def check_span(pointer: str, item: Any, start_key: str = "start", end_key: str = "end", text_key: str | None = None) -> None:
        if not isinstance(item, dict):
            return
        start, end = item.get(start_key), item.get(end_key)
        if start is None and end is None:
            return
        if not isinstance(start, int) or not isinstance(end, int):
            return  # schema errors cover types
        if not 0 <= start <= end <= len(text):
            problems.append((f"{pointer}/{start_key}", f"span [{start}, {end}) is outside the text (length {len(text)}) or reversed"))
            return
        if text_key is not None and isinstance(item.get(text_key), str) and item[text_key] != text[start:end]:
            problems.append((f"{pointer}/{text_key}", f"{item[text_key]!r} differs from text[{start}:{end}] = {text[start:end]!r}"))

    def items(key: str, container: Any = record) -> list:
        value = container.get(key) if isinstance(container, dict) else None
        return value if isinstance(value, list) else []

    def ids_of(key: str) -> set:
        seen: set = set()
        for index, item in enumerate(items(key)):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                if item["id"] in seen:
                    problems.append((f"/{key}/{index}/id", f"duplicate id {item['id']!r}"))
                seen.add(item["id"])
        return seen

    section_ids, entity_ids = ids_of("sections"), ids_of("entities")
    ids_of("citations"), ids_of("abbreviations"), ids_of("relations")

    def check_ref(pointer: str, value: Any, known: set, what: str) -> None:
        if value is None or not isinstance(value, str):
            return  # the schema check reports a reference of the wrong type
        if value not in known:
            problems.append((pointer, f"refers to {what} {value!r}, which is not in the record"))

    article = record.get("article") if isinstance(record.get("article"), dict) else {}
    if isinstance(article.get("abstract"), dict):
        check_span("/article/abstract", article["abstract"])
    for i, ev in enumerate(items("evidence", article)):
        check_span(f"/article/evidence/{i}", ev)
    for i, cit in enumerate(items("citations")):
        check_span(f"/citations/{i}", cit)
        for j, ev in enumerate(items("evidence", cit)):
            check_span(f"/citations/{i}/evidence/{j}", ev)
    for i, sec in enumerate(items("sections")):
        check_span(f"/sections/{i}", sec)
        check_span(f"/sections/{i}", sec, "heading_start", "heading_end")
        if isinstance(sec, dict):
            check_ref(f"/sections/{i}/parent", sec.get("parent"), section_ids, "section")
            if sec.get("parent") is not None and sec.get("parent") == sec.get("id"):
                problems.append((f"/sections/{i}/parent", "a section cannot be its own parent"))
    for i, ent in enumerate(items("entities")):
        check_span(f"/entities/{i}", ent, text_key="text")
        if isinstance(ent, dict):
            check_ref(f"/entities/{i}/section", ent.get("section"), section_ids, "section")
    for i, abbr in enumerate(items("abbreviations")):
        check_span(f"/abbreviations/{i}", abbr, text_key="short")
        check_span(f"/abbreviations/{i}", abbr, "long_start", "long_end", text_key="long")
    for i, rel in enumerate(items("relations")):
        check_span(f"/relations/{i}", rel)
        if isinstance(rel, dict):
            check_ref(f"/relations/{i}/subject", rel.get("subject"), entity_ids, "entity")
            check_ref(f"/relations/{i}/object", rel.get("object"), entity_ids, "entity")
    summary = record.get("summary") if isinstance(record.get("summary"), dict) else {}
    for kind in ("key_points", "limitations", "digest"):
        for i, item in enumerate(items(kind, summary)):
            check_span(f"/summary/{kind}/{i}", item, text_key="text")
            if isinstance(item, dict):
                check_ref(f"/summary/{kind}/{i}/section", item.get("section"), section_ids, "section")
    ids_of("tables")
    for i, table in enumerate(items("tables")):
        check_span(f"/tables/{i}", table)
        if isinstance(table, dict) and isinstance(table.get("caption"), dict):
            check_span(f"/tables/{i}/caption", table["caption"])
        for j, cell in enumerate(items("cells", table)):
            check_span(f"/tables/{i}/cells/{j}", cell, text_key="text")
    for i, warning in enumerate(items("warnings")):
        check_span(f"/warnings/{i}", warning)
    return problems
