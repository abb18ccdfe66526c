"""Editor review: decisions kept apart from the machine's drafts, applied on every re-run.

The workflow (docs/review.md): ``pipeline convert`` writes drafts; editors decide on items in
``pipeline review serve`` (or with the CLI); decisions go to ``<name>.review.json`` beside the
draft, keyed by stable item IDs; the reviewed record ``<name>.reviewed.json`` is rebuilt from
draft + decisions whenever either changes, with any decision that no longer fits shown as a
conflict. This package is the library behind both the CLI and the review page.
"""

from __future__ import annotations

from ._apply import LOW_CONFIDENCE, build_reviewed
from ._diff import format_change, review_changes
from ._files import (
    DECISIONS_VERSION,
    approve,
    check_decisions,
    decisions_errors,
    decisions_path,
    decisions_schema_text,
    default_editor,
    empty_decisions,
    is_draft_record_path,
    list_drafts,
    load_decisions,
    load_draft,
    new_decision,
    review_etag,
    reviewed_path,
    save_decisions,
    scan,
    utc_now,
    write_reviewed,
)
from ._targets import ALL_KINDS, EDITABLE_KEYS, all_targets, target_value

__all__ = [
    "ALL_KINDS", "DECISIONS_VERSION", "all_targets", "EDITABLE_KEYS", "LOW_CONFIDENCE", "approve", "build_reviewed",
    "check_decisions", "decisions_errors", "decisions_path", "decisions_schema_text", "default_editor",
    "empty_decisions", "format_change", "is_draft_record_path", "list_drafts", "load_decisions", "load_draft",
    "new_decision", "review_changes", "review_etag", "reviewed_path", "save_decisions", "scan", "target_value",
    "utc_now", "write_reviewed",
]  # fmt: skip
