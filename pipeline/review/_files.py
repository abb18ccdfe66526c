"""The files of a review, side by side in an output folder, and the only code that writes them.

``<name>.json`` is the machine's draft (written by ``convert`` alone), ``<name>.review.json`` the
editor's decisions (written here alone, never by ``convert``), ``<name>.reviewed.json`` the two
combined (rebuilt from both, so it can always be thrown away). Saves are atomic and guarded by an
ETag over the draft and decisions bytes the editor loaded, so a save made against a draft that a
re-run has since replaced, or against decisions another editor has since saved, is refused
instead of silently undoing someone's work.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import secrets
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator

from ..errors import ApprovalRefusedError, DecisionsError, InputOutputError, ReviewConflictError
from ..record.io import dumps_record, write_text_atomic
from ..record.schema import json_pointer
from ._apply import LOW_CONFIDENCE, build_reviewed
from ._targets import item_value, iter_items

DECISIONS_VERSION = "1.0.0"
DECISIONS_SCHEMA_FILE = "decisions.v1.schema.json"
DECISIONS_SUFFIX = ".review.json"
REVIEWED_SUFFIX = ".reviewed.json"

_STATUS_ORDER = {"error": 0, "in_review": 1, "draft": 2, "approved": 3, "rejected": 4}
_save_lock = threading.Lock()


# -- names ------------------------------------------------------------------------------------------
def decisions_path(record_path: str | os.PathLike[str]) -> Path:
    """``x/name.json`` -> ``x/name.review.json``."""
    path = Path(record_path)
    return path.with_name(path.name[: -len(".json")] + DECISIONS_SUFFIX)


def reviewed_path(record_path: str | os.PathLike[str]) -> Path:
    """``x/name.json`` -> ``x/name.reviewed.json``."""
    path = Path(record_path)
    return path.with_name(path.name[: -len(".json")] + REVIEWED_SUFFIX)


def is_draft_record_path(path: str | os.PathLike[str]) -> bool:
    name = Path(path).name
    return name.endswith(".json") and not name.endswith(DECISIONS_SUFFIX) and not name.endswith(REVIEWED_SUFFIX) and not name.startswith(".")


def list_drafts(directory: str | os.PathLike[str]) -> list[Path]:
    """Draft record files directly in ``directory``, sorted by name."""
    return sorted(p for p in Path(directory).iterdir() if p.is_file() and is_draft_record_path(p))


# -- the decisions schema ---------------------------------------------------------------------------
def decisions_schema_text() -> str:
    return resources.files("pipeline").joinpath("schemas", DECISIONS_SCHEMA_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _decisions_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(decisions_schema_text()))


def decisions_errors(obj: Any) -> list[tuple[str, str]]:
    """Schema violations of a decisions file as sorted ``(json_pointer, message)`` pairs, plus duplicate IDs."""
    found = {(json_pointer(e.absolute_path), e.message[:300]) for e in _decisions_validator().iter_errors(obj)}
    if not found:
        seen: set[str] = set()
        for index, decision in enumerate(obj["decisions"]):
            if decision["id"] in seen:
                found.add((f"/decisions/{index}/id", f"duplicate decision id {decision['id']!r}"))
            seen.add(decision["id"])
    return sorted(found)


def check_decisions(obj: Any, *, path: str | None = None) -> dict:
    problems = decisions_errors(obj)
    if problems:
        listing = "; ".join(f"{p or '/'}: {m}" for p, m in problems[:5])
        raise DecisionsError(f"the decisions are not valid ({len(problems)} problem(s): {listing}); fix them or restore the file from version control", path=path)
    return obj


# -- loading ----------------------------------------------------------------------------------------
def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputOutputError(f"cannot read the file ({exc.strerror or exc}); check its permissions", path=str(path)) from None


def _parse_json(data: bytes, path: Path, error: type) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"not valid UTF-8 JSON ({exc}); restore it from version control or re-create it", path=str(path)) from None


def load_draft(record_path: str | os.PathLike[str]) -> dict:
    """The draft record at ``record_path``; InputOutputError if it is missing or not a record."""
    path = Path(record_path)
    data = _read_bytes(path)
    if data is None:
        raise InputOutputError("the record does not exist; run `pipeline convert` first", path=str(path))
    record = _parse_json(data, path, InputOutputError)
    if not isinstance(record, dict) or "schema_version" not in record or "id" not in record:
        raise InputOutputError("this JSON file is not a pipeline record; review works on the records `pipeline convert` writes", path=str(path))
    return record


def empty_decisions(draft: dict) -> dict:
    return {
        "decisions_version": DECISIONS_VERSION,
        "record_id": draft["id"],
        "source_path": (draft.get("source") or {}).get("path", ""),
        "decisions": [],
    }


def load_decisions(record_path: str | os.PathLike[str], draft: dict | None = None) -> dict:
    """The decisions on a record, or empty decisions when none were made; DecisionsError if invalid."""
    path = decisions_path(record_path)
    data = _read_bytes(path)
    if data is None:
        return empty_decisions(draft if draft is not None else load_draft(record_path))
    return check_decisions(_parse_json(data, path, DecisionsError), path=str(path))


def review_etag(record_path: str | os.PathLike[str]) -> str:
    """A fingerprint of the draft and decisions bytes, as a page or tool loaded them."""
    digest = hashlib.sha256()
    for path in (Path(record_path), decisions_path(record_path)):
        data = _read_bytes(path)
        digest.update(b"-" if data is None else hashlib.sha256(data).digest())
    return digest.hexdigest()


# -- writing ----------------------------------------------------------------------------------------
@contextmanager
def _locked(record_path: Path) -> Iterator[None]:
    """One writer at a time: a thread lock within the process, an advisory file lock across processes."""
    with _save_lock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        with open(record_path, "rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_reviewed(record_path: str | os.PathLike[str], draft: dict | None = None, decisions: dict | None = None) -> dict | None:
    """Rebuild ``<name>.reviewed.json`` from the files on disk; None (and no file) when there are no decisions."""
    path = Path(record_path)
    if decisions is None and not decisions_path(path).exists():
        target = reviewed_path(path)
        if target.exists():
            target.unlink()  # its decisions file was removed: the reviewed record would be stale
        return None
    draft = draft if draft is not None else load_draft(path)
    decisions = decisions if decisions is not None else load_decisions(path, draft)
    reviewed = build_reviewed(draft, decisions)
    content = dumps_record(reviewed)
    target = reviewed_path(path)
    if _read_bytes(target) != content.encode("utf-8"):
        write_text_atomic(target, content)
    return reviewed


def save_decisions(record_path: str | os.PathLike[str], decisions: Any, *, expected_etag: str | None = None) -> dict:
    """Validate and write the decisions, rebuild the reviewed record; returns ``{"etag", "reviewed"}``.

    Refused with ReviewConflictError when ``expected_etag`` is given and the draft or decisions
    on disk are no longer the ones it was computed from.
    """
    path = Path(record_path)
    check_decisions(decisions, path=str(decisions_path(path)))
    with _locked(path):
        draft = load_draft(path)
        if expected_etag is not None and review_etag(path) != expected_etag:
            raise ReviewConflictError(
                "the draft or its decisions changed on disk since you loaded them (a re-run of convert or another editor); reload the document and redo your last changes",
                path=str(path),
            )
        reviewed = build_reviewed(draft, decisions)
        write_text_atomic(decisions_path(path), json.dumps(decisions, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        write_text_atomic(reviewed_path(path), dumps_record(reviewed))
        return {"etag": review_etag(path), "reviewed": reviewed}


# -- making decisions ---------------------------------------------------------------------------------
def default_editor(explicit: str | None = None) -> str:
    """Who is deciding: the given name, else $PIPELINE_EDITOR, else the login name."""
    for candidate in (explicit, os.environ.get("PIPELINE_EDITOR")):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser() or "editor"
    except (KeyError, OSError):
        return "editor"


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_decision(action: str, kind: str, target_id: str, *, old: dict | None = None, new: dict | None = None, by: str, note: str | None = None, at: str | None = None) -> dict:
    decision = {
        "id": f"dec-{secrets.token_hex(6)}",
        "action": action,
        "target": {"kind": kind, "id": target_id},
        "old": old,
        "new": new,
        "by": by,
        "at": at or utc_now(),
    }
    if note:
        decision["note"] = note
    return decision


def approve(record_path: str | os.PathLike[str], *, by: str, note: str | None = None, accept_pending: bool = False, reject: bool = False) -> dict:
    """Approve (or reject) the record; ApprovalRefusedError, with nothing written, if approval would not hold.

    With ``accept_pending`` the pending low-confidence items are accepted first, each as its own
    decision, so the decisions file says exactly what the approval covered.
    """
    path = Path(record_path)
    draft = load_draft(path)
    decisions = load_decisions(path, draft)
    etag = review_etag(path)
    added: list[dict] = []
    if accept_pending and not reject:
        current = build_reviewed(draft, decisions)
        for kind, item, summary_list in iter_items(current):
            if kind in ("entity", "relation") and "review" not in item and float(item.get("score", 1)) < LOW_CONFIDENCE:
                added.append(new_decision("accept", kind, item["id"], old=item_value(kind, item, summary_list), by=by, note="accepted on approval"))
    final = new_decision("reject" if reject else "approve", "record", draft["id"], by=by, note=note)
    proposed = {**decisions, "decisions": [*decisions["decisions"], *added, final]}
    reviewed = build_reviewed(draft, proposed)
    if not reject and reviewed["review"]["status"] != "approved":
        counts = reviewed["review"]["counts"]
        blocking = [c for c in reviewed["review"]["conflicts"] if c["reason"] != "approval"]
        raise ApprovalRefusedError(
            f"cannot approve: {counts['pending']} low-confidence item(s) are pending and {len(blocking)} decision(s) are in conflict; "
            "decide them in `pipeline review serve`, or pass --accept-pending to accept the pending items",
            path=str(path),
        )
    return save_decisions(path, proposed, expected_etag=etag)


# -- the queue --------------------------------------------------------------------------------------
def scan(directory: str | os.PathLike[str]) -> list[dict]:
    """One row per draft in ``directory``, in the order an editor should take them."""
    rows = []
    for path in list_drafts(directory):
        try:
            draft = load_draft(path)
            decisions = load_decisions(path, draft)
            reviewed = build_reviewed(draft, decisions)
        except (InputOutputError, DecisionsError) as exc:
            rows.append({"name": path.name[: -len(".json")], "record": path.name, "status": "error", "error": str(exc), "counts": None, "min_score": None, "title": None, "decisions": 0})
            continue
        review = reviewed["review"]
        undecided = [
            float(item["score"])
            for kind, item, _ in iter_items(reviewed)
            if kind in ("entity", "relation") and "review" not in item and "score" in item
        ]
        counts = review.get("counts") or _draft_counts(reviewed)
        rows.append(
            {
                "name": path.name[: -len(".json")],
                "record": path.name,
                "status": review["status"],
                "counts": counts,
                "min_score": min(undecided) if undecided else None,
                "title": (reviewed.get("article") or {}).get("title"),
                "decisions": len(decisions["decisions"]),
            }
        )
    rows.sort(
        key=lambda r: (
            0 if (r["counts"] or {}).get("conflicts") else 1,
            _STATUS_ORDER.get(r["status"], 9),
            -((r["counts"] or {}).get("conflicts") or 0),
            r["min_score"] if r["min_score"] is not None else 2.0,
            r["name"],
        )
    )
    return rows


def _draft_counts(record: dict) -> dict:
    pending = sum(
        1 for kind, item, _ in iter_items(record) if kind in ("entity", "relation") and float(item.get("score", 1)) < LOW_CONFIDENCE
    )
    return {"accepted": 0, "rejected": 0, "edited": 0, "added": 0, "pending": pending, "conflicts": 0}
