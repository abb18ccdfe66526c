"""Machine -> human: what an editor's decisions changed in a record, for ``pipeline review diff``.

Reads the reviewed record (which already knows which decisions applied and which conflict), so
the diff and the review page can never disagree about what the decisions did.
"""

from __future__ import annotations

import json
from typing import Any

from ._targets import iter_items


def review_changes(reviewed: dict, decisions: dict) -> list[dict]:
    """One entry per effective decision: applied (``accepted``/``edited``/``added``/``rejected``) or ``conflict``."""
    by_id = {d["id"]: d for d in decisions.get("decisions") or ()}
    changes: list[dict] = []
    applied: set[str] = set()
    for kind, item, _ in iter_items(reviewed):
        mark = item.get("review")
        if mark:
            applied.add(mark["decision_id"])
            decision = by_id.get(mark["decision_id"], {})
            changes.append(_change(mark["decision"], kind, item["id"], decision, old=mark.get("machine"), new=_shown(kind, item, mark)))
    for field, mark in (reviewed["review"].get("article") or {}).items():
        applied.add(mark["decision_id"])
        decision = by_id.get(mark["decision_id"], {})
        changes.append(_change(mark["decision"], "article", f"article.{field}", decision, old=mark.get("machine"), new={"value": reviewed["article"][field]}))
    conflicted = {c["decision"] for c in reviewed["review"].get("conflicts") or ()}
    for decision in by_id.values():
        if decision["action"] == "reject" and decision["target"]["kind"] != "record" and decision["id"] not in conflicted and decision["id"] not in applied and _is_effective(decision, decisions):
            if decision["target"]["kind"] != "article":
                changes.append(_change("rejected", decision["target"]["kind"], decision["target"]["id"], decision, old=decision.get("old"), new=None))
    for conflict in reviewed["review"].get("conflicts") or ():
        decision = by_id.get(conflict["decision"], {})
        changes.append(
            {
                "change": "conflict",
                "kind": conflict["target"]["kind"],
                "id": conflict["target"]["id"],
                "reason": conflict["reason"],
                "message": conflict["message"],
                "old": conflict["old"],
                "current": conflict["current"],
                "by": decision.get("by"),
                "at": decision.get("at"),
                "decision": conflict["decision"],
            }
        )
    order = {"conflict": 0, "rejected": 1, "edited": 2, "added": 3, "accepted": 4}
    changes.sort(key=lambda c: (order.get(c["change"], 9), c["kind"], c["id"]))
    return changes


def _is_effective(decision: dict, decisions: dict) -> bool:
    target = decision["target"]
    last = [d for d in decisions["decisions"] if d["target"] == target]
    return bool(last) and last[-1]["id"] == decision["id"]


def _shown(kind: str, item: dict, mark: dict) -> dict:
    if mark["decision"] == "edited" and mark.get("machine"):
        return {key: item.get(key) for key in mark["machine"]}
    keys = {"entity": ("text", "label", "norm"), "relation": ("subject", "action", "object"), "summary": ("text",)}.get(kind)
    return {key: item.get(key) for key in keys} if keys else {k: v for k, v in item.items() if k in ("heading", "title", "short", "long")}


def _change(change: str, kind: str, target_id: str, decision: dict, *, old: Any, new: Any) -> dict:
    return {
        "change": change,
        "kind": kind,
        "id": target_id,
        "old": old,
        "new": new,
        "by": decision.get("by"),
        "at": decision.get("at"),
        "decision": decision.get("id"),
    }


def format_change(change: dict) -> str:
    """One line of ``pipeline review diff``: a sign, the target, old -> new, who and when."""
    sign = {"conflict": "!", "rejected": "-", "edited": "~", "added": "+", "accepted": "="}[change["change"]]
    who = f" ({change['by']}, {change['at']})" if change.get("by") else ""
    target = f"{change['kind']} {change['id']}"
    if change["change"] == "conflict":
        return f"{sign} {target}: {change['reason']}: {change['message']}{who}"
    if change["change"] == "edited":
        return f"{sign} {target}: {_compact(change['old'])} -> {_compact(change['new'])}{who}"
    if change["change"] == "rejected":
        return f"{sign} {target}: rejected {_compact(change['old'])}{who}"
    return f"{sign} {target}: {change['change']} {_compact(change['new'])}{who}"


def _compact(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."
