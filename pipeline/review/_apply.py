"""Reviewed record = draft + an editor's decisions, with every decision applied or shown as a conflict.

Rebuilt from scratch on every ``convert`` and every save, so it never drifts from either input.
The rules, in the words an editor would use:

* the last decision on a target is the one that counts (the file keeps the whole history);
* a decision applies only if its target still exists *and* still has the value the editor saw;
  otherwise it becomes a conflict (``vanished`` / ``changed``) and the machine's item stays as it
  is, so nothing is silently dropped and nothing stale silently overrides a better extraction;
* rejected items leave the reviewed record (relations on a rejected entity go with it; items in a
  rejected section move to its parent); rejected article fields are cleared;
* a record is ``approved`` only when the editor's last record decision is approve and nothing is
  pending (low-confidence, undecided) or in conflict.

Every edit is checked against the record schema item by item, so a bad edit is a conflict
(``invalid``) rather than an invalid record.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from ..errors import InvalidRecordError
from ..record.assemble import content_id
from ..record.integrity import integrity_errors
from ..record.schema import _inline_local_refs, load_schema, schema_errors
from ._targets import (
    ADDABLE_KINDS,
    EDITABLE_KEYS,
    ITEM_LISTS,
    SUMMARY_LABELS,
    SUMMARY_LISTS,
    article_field,
    article_value,
    item_value,
    iter_items,
    same_value,
)

LOW_CONFIDENCE = 0.7
"""Entities and relations scored below this need an editor's decision before approval.

The entity stage scores mentions it flags for review (a model mention with no lexicon ID, a
lexicon hit no model confirms) 0.6, and everything it is surer of 0.75 or more.
"""

# Decisions on earlier kinds are applied first: relations refer to entities, everything to sections.
_KIND_ORDER = {"article": 0, "section": 1, "entity": 2, "abbreviation": 3, "citation": 4, "summary": 5, "relation": 6}


def build_reviewed(draft: dict, decisions: dict | None) -> dict:
    """The reviewed record for ``draft`` under ``decisions`` (a valid decisions file, or None)."""
    reviewed = copy.deepcopy(draft)
    history = (decisions or {}).get("decisions") or []
    if not history:
        reviewed["review"] = {"status": "draft"}
        return reviewed
    state = _Review(reviewed)
    effective = _effective(history)
    record_decision = None
    for key in [k for k in effective if k[0] == "record"]:
        record_decision = effective.pop(key)

    if decisions.get("record_id") != draft.get("id"):
        newest = history[-1]
        if decisions.get("source_path") != (draft.get("source") or {}).get("path"):
            for decision in effective.values():
                state.conflict(decision, "other_document", "these decisions were made on another document (different source and path); move the decisions file to that document's record or delete it", None)
            if record_decision is not None:
                state.conflict(record_decision, "other_document", "this record decision was made on another document", None)
            return state.finish(None)
        state.conflict(
            newest,
            "source_changed",
            "the source file changed since these decisions were made; decisions on items that are unchanged still apply, the others are listed as conflicts",
            None,
            target={"kind": "record", "id": str(draft.get("id"))},
        )

    for decision in sorted(effective.values(), key=lambda d: _KIND_ORDER.get(d["target"]["kind"], 9)):
        state.apply(decision)
    state.cascade()
    return state.finish(record_decision)


def _effective(history: list[dict]) -> dict[tuple[str, str], dict]:
    """The last decision per target, ordered by when that last decision was made."""
    effective: dict[tuple[str, str], dict] = {}
    for decision in history:
        key = (decision["target"]["kind"], decision["target"]["id"])
        effective.pop(key, None)
        effective[key] = decision
    return effective


def _mark(decision: dict, verdict: str, machine: dict | None = None) -> dict:
    mark = {"decision": verdict, "by": decision["by"], "at": decision["at"], "decision_id": decision["id"]}
    if machine is not None:
        mark["machine"] = machine
    return mark


class _Review:
    """The reviewed record being built, with its counts and conflicts."""

    def __init__(self, record: dict) -> None:
        self.record = record
        self.conflicts: list[dict] = []
        self.counts = {"accepted": 0, "rejected": 0, "edited": 0, "added": 0}
        self.article_marks: dict[str, dict] = {}
        self.removed: dict[str, set[str]] = {kind: set() for kind in (*ITEM_LISTS, "summary")}
        # parents as extracted, so items of a rejected nested section climb past every rejected level
        self.section_parents = {s["id"]: s.get("parent") for s in record.get("sections") or ()}
        self.seen: dict[str, dict] = {}  # decision ID -> decision, for those applied so far
        self.index: dict[tuple[str, str], tuple[dict, str | None]] = {
            (kind, item["id"]): (item, summary_list) for kind, item, summary_list in iter_items(record) if "id" in item
        }

    # -- conflicts ---------------------------------------------------------------------------
    def conflict(self, decision: dict, reason: str, message: str, current: Any, *, target: dict | None = None) -> None:
        self.conflicts.append(
            {
                "decision": decision["id"],
                "target": dict(target or decision["target"]),
                "reason": reason,
                "message": message,
                "old": decision.get("old"),
                "current": current,
            }
        )

    # -- applying ----------------------------------------------------------------------------
    def apply(self, decision: dict) -> None:
        self.seen[decision["id"]] = decision
        kind, target_id, action = decision["target"]["kind"], decision["target"]["id"], decision["action"]
        if kind == "article":
            self._apply_article(decision)
            return
        if action == "add":
            self._add(decision)
            return
        found = self.index.get((kind, target_id))
        if found is None:
            why = "was removed with the entity or section it depended on" if target_id in self.removed.get(kind, ()) else "is no longer extracted"
            self.conflict(decision, "vanished", f"the {kind} {target_id} {why}; re-decide on the current extraction or drop this decision", None)
            return
        item, summary_list = found
        current = item_value(kind, item, summary_list)
        if decision.get("old") is not None and not same_value(decision["old"], current):
            self.conflict(decision, "changed", f"the extracted {kind} changed since the editor decided; compare old and current and decide again", current)
            return
        if action == "accept":
            item["review"] = _mark(decision, "accepted")
            self.counts["accepted"] += 1
        elif action == "reject":
            self._remove(kind, item, summary_list)
            self.counts["rejected"] += 1
        elif action == "edit":
            self._edit(decision, kind, item, current)
        else:
            self.conflict(decision, "invalid", f"action {action!r} does not apply to a {kind}", current)

    def _apply_article(self, decision: dict) -> None:
        field = article_field(decision["target"]["id"])
        if field is None:
            self.conflict(decision, "invalid", f"{decision['target']['id']!r} is not a reviewable article field", None)
            return
        current = article_value(self.record, field)
        if decision.get("old") is not None and not same_value(decision["old"], current):
            self.conflict(decision, "changed", f"the extracted {field} changed since the editor decided; compare old and current and decide again", current)
            return
        action = decision["action"]
        if action == "accept":
            self.article_marks[field] = _mark(decision, "accepted")
            self.counts["accepted"] += 1
        elif action in ("edit", "reject"):
            new_value = (decision.get("new") or {}).get("value") if action == "edit" else ([] if field in ("authors", "keywords") else None)
            if action == "edit" and set(decision.get("new") or {}) != {"value"}:
                self.conflict(decision, "invalid", "an article edit gives exactly one key, value", current)
                return
            trial = copy.deepcopy(self.record["article"])
            trial[field] = new_value
            problems = _item_errors("article", trial)
            if problems:
                self.conflict(decision, "invalid", f"the new {field} is not valid: {problems[0]}", current)
                return
            self.record["article"][field] = new_value
            self.article_marks[field] = _mark(decision, "rejected" if action == "reject" else "edited", machine=current)
            self.counts["rejected" if action == "reject" else "edited"] += 1
        else:
            self.conflict(decision, "invalid", f"action {action!r} does not apply to an article field", current)

    def _edit(self, decision: dict, kind: str, item: dict, current: dict) -> None:
        new = decision.get("new") or {}
        not_editable = sorted(set(new) - EDITABLE_KEYS[kind])
        if not_editable:
            self.conflict(decision, "invalid", f"{', '.join(not_editable)} of a {kind} cannot be edited (editable: {', '.join(sorted(EDITABLE_KEYS[kind])) or 'nothing'})", current)
            return
        trial = {**item, **copy.deepcopy(new)}
        trial.pop("review", None)
        problems = _item_errors(kind, trial)
        if problems:
            self.conflict(decision, "invalid", f"the edited {kind} is not valid: {problems[0]}", current)
            return
        machine = {key: item.get(key) for key in new}
        item.update(copy.deepcopy(new))
        item["review"] = _mark(decision, "edited", machine=machine)
        self.counts["edited"] += 1

    def _add(self, decision: dict) -> None:
        kind = decision["target"]["kind"]
        if kind not in ADDABLE_KINDS:
            self.conflict(decision, "invalid", f"a {kind} cannot be added; edit or reject the extracted ones instead", None)
            return
        try:
            item, summary_list = _new_item(kind, decision.get("new") or {}, self.record, self._section_at)
        except ValueError as exc:
            self.conflict(decision, "invalid", f"the added {kind} cannot be applied to this text: {exc}", None)
            return
        existing = self.index.get((kind, item["id"]))
        if existing is not None:  # the extractor now finds it too: keep the machine's item, credit the editor
            existing[0]["review"] = _mark(decision, "added")
            self.index[(kind, decision["target"]["id"])] = existing
            self.counts["added"] += 1
            return
        problems = _item_errors(kind, item)
        if problems:
            self.conflict(decision, "invalid", f"the added {kind} is not valid: {problems[0]}", None)
            return
        item["review"] = _mark(decision, "added")
        container = self.record["summary"][summary_list] if kind == "summary" else self.record[ITEM_LISTS[kind]]
        container.append(item)
        container.sort(key=lambda i: (i.get("start", 0), i.get("end", 0), i["id"]) if kind != "section" else (i["heading_start"],))
        self.index[(kind, item["id"])] = (item, summary_list)
        self.index[(kind, decision["target"]["id"])] = (item, summary_list)
        self.counts["added"] += 1

    def _remove(self, kind: str, item: dict, summary_list: str | None) -> None:
        container = self.record["summary"][summary_list] if kind == "summary" else self.record[ITEM_LISTS[kind]]
        container[:] = [other for other in container if other is not item]
        self.removed[kind].add(item["id"])
        for key in [k for k, (i, _) in self.index.items() if i is item]:
            del self.index[key]

    def _section_at(self, offset: int) -> str | None:
        best = None
        for section in self.record.get("sections") or ():
            if section["heading_start"] <= offset < section["end"] and (best is None or section["level"] > best["level"]):
                best = section
        return best["id"] if best else None

    # -- consequences of rejections ------------------------------------------------------------
    def cascade(self) -> None:
        """Relations on rejected entities go; items in rejected sections move to the parent section."""
        gone_entities = self.removed["entity"]
        if gone_entities:
            for relation in list(self.record["relations"]):
                if relation["subject"] in gone_entities or relation["object"] in gone_entities:
                    mark = relation.get("review")
                    if mark is not None:  # the editor kept this relation but rejected one of its entities
                        self.counts[{"accepted": "accepted", "edited": "edited", "added": "added"}[mark["decision"]]] -= 1
                        self.conflict(
                            self.seen[mark["decision_id"]],
                            "invalid",
                            "this relation was kept, but its subject or object entity was rejected; accept the entity or reject the relation",
                            {k: relation.get(k) for k in ("subject", "action", "object", "start", "end")},
                        )
                    self._remove("relation", relation, None)
        gone_sections = self.removed["section"]
        if gone_sections:
            parent_of = self.section_parents

            def surviving(section_id: str | None) -> str | None:
                while section_id in gone_sections:
                    section_id = parent_of.get(section_id)
                return section_id

            for section in self.record["sections"]:
                section["parent"] = surviving(section["parent"])
            for _, item, _ in iter_items(self.record):
                if "section" in item:
                    item["section"] = surviving(item["section"])

    # -- the review block ------------------------------------------------------------------------
    def finish(self, record_decision: dict | None) -> dict:
        pending = sum(
            1
            for kind, item, _ in iter_items(self.record)
            if kind in ("entity", "relation") and "review" not in item and float(item.get("score", 1)) < LOW_CONFIDENCE
        )
        status, approved = "in_review", None
        if record_decision is not None and not any(c["decision"] == record_decision["id"] for c in self.conflicts):
            if record_decision["action"] == "reject":
                status = "rejected"
            elif record_decision["action"] == "approve":
                if pending == 0 and not self.conflicts:
                    status, approved = "approved", {"by": record_decision["by"], "at": record_decision["at"]}
                else:
                    self.conflict(
                        record_decision,
                        "approval",
                        f"approved by {record_decision['by']} at {record_decision['at']}, but {pending} item(s) are pending and {len(self.conflicts)} decision(s) are in conflict now; resolve them and approve again",
                        None,
                    )
        review = {
            "status": status,
            "counts": {**self.counts, "pending": pending, "conflicts": len(self.conflicts)},
            "conflicts": self.conflicts,
            "article": dict(sorted(self.article_marks.items())),
            "approved": approved,
        }
        self.record["review"] = review
        problems = schema_errors(self.record) + integrity_errors(self.record)
        if problems:
            listing = "; ".join(f"{p or '/'}: {m}" for p, m in problems[:5])
            raise InvalidRecordError(f"the reviewed record is invalid ({listing}); this is a bug in pipeline's review code, please report it with the record and its decisions file")
        return self.record


def _new_item(kind: str, new: dict, record: dict, section_at) -> tuple[dict, str | None]:
    """Build the record item an ``add`` decision describes; ValueError if it does not fit the text."""
    text = record["text"]
    start, end = new.get("start"), new.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
        raise ValueError(f"span [{start}, {end}) is not inside the text (length {len(text)})")
    spanned = text[start:end]
    if kind == "entity":
        if new.get("text") is not None and new["text"] != spanned:
            raise ValueError(f"the text at [{start}, {end}) is now {spanned!r}, not {new['text']!r}")
        item = {
            "id": content_id("ent", start, end, spanned),
            "text": spanned,
            "label": new.get("label"),
            "start": start,
            "end": end,
            "section": section_at(start),
            "norm": new.get("norm"),
            "method": "editor",
            "score": 1.0,
        }
        return item, None
    if kind == "relation":
        entity_ids = {e["id"] for e in record["entities"]}
        for role in ("subject", "object"):
            if new.get(role) not in entity_ids:
                raise ValueError(f"its {role} {new.get(role)!r} is not an entity of this record")
        item = {
            "id": content_id("rel", new["subject"], new.get("action"), new["object"], start),
            "subject": new["subject"],
            "action": new.get("action"),
            "object": new["object"],
            "start": start,
            "end": end,
            "method": "editor",
            "score": 1.0,
        }
        return item, None
    if kind == "citation":
        item = {
            "id": content_id("cit", new.get("role", "reference"), None, start, new.get("title")),
            "role": new.get("role", "reference"),
            "title": new.get("title"),
            "authors": new.get("authors") or [],
            "journal": new.get("journal"),
            "year": new.get("year"),
            "volume": new.get("volume"),
            "issue": new.get("issue"),
            "pages": new.get("pages"),
            "doi": new.get("doi"),
            "pmid": new.get("pmid"),
            "url": new.get("url"),
            "raw": spanned,
            "start": start,
            "end": end,
            "evidence": [],
        }
        return item, None
    summary_list = new.get("list")
    if summary_list not in SUMMARY_LISTS:
        raise ValueError(f"list must be one of {', '.join(SUMMARY_LISTS)}")
    item = {
        "id": content_id("sum", SUMMARY_LABELS[summary_list], start, end, spanned),
        "text": spanned,
        "start": start,
        "end": end,
        "section": section_at(start),
    }
    return item, summary_list


@lru_cache(maxsize=None)
def _item_validators() -> dict[str, Draft202012Validator]:
    properties = _inline_local_refs(load_schema())["properties"]
    validators = {kind: Draft202012Validator(properties[key]["items"]) for kind, key in ITEM_LISTS.items()}
    validators["summary"] = Draft202012Validator(properties["summary"]["properties"]["key_points"]["items"])
    validators["article"] = Draft202012Validator(properties["article"])
    return validators


def _item_errors(kind: str, item: dict) -> list[str]:
    errors = sorted(_item_validators()[kind].iter_errors(item), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or kind}: {e.message}" for e in errors]
