"""Editor review, the library and CLI side: decisions apply to drafts, survive re-extraction, or conflict.

The central test (``test_every_decision_survives_an_extractor_change``) is the issue's bar: an
editor decides on every kind of item, the extractor then changes (spans moved, removed, relabelled
and added) and ``pipeline convert`` runs again; every decision must be applied or listed as a
conflict, none silently lost.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import recipe
from pipeline import layers as L
from pipeline.cli import main
from pipeline.document import Span
from pipeline.errors import ApprovalRefusedError, DecisionsError, ReviewConflictError
from pipeline.review import (
    LOW_CONFIDENCE,
    approve,
    build_reviewed,
    decisions_errors,
    decisions_path,
    empty_decisions,
    load_decisions,
    load_draft,
    new_decision,
    review_changes,
    review_etag,
    reviewed_path,
    save_decisions,
    scan,
    target_value,
)

ARTICLE = """# Ketamine, glutamate and the mTOR pathway in depression

By Jane Doe and John Smith

## Introduction

Ketamine is an NMDA receptor antagonist that relieves treatment-resistant depression within hours.
It raises glutamate release in the prefrontal cortex and activates the mTOR pathway, which drives
synaptogenesis. Psilocybin, a serotonergic psychedelic, is a 5-HT2A receptor agonist.

## Mechanism

Ketamine blocks NMDA receptors on interneurons. BDNF signalling through TrkB supports synaptic
plasticity in the hippocampus. Rapamycin inhibits mTOR and blocks the antidepressant effect of
ketamine in rats. Lithium and esketamine are also discussed by the review.

## Limitations

The trials were small, and the effects of psilocybin may fade after a few weeks.
"""


def _convert(tmp_path: Path, out: Path, *extra: str) -> None:
    result = CliRunner().invoke(main, ["convert", str(tmp_path / "in"), "-o", str(out), "-j", "1", "-q", *extra])
    assert result.exit_code == 0, result.output


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "article.md").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    _convert(tmp_path, out)
    return out


def _decide(record: dict, action: str, kind: str, target_id: str, new: dict | None = None) -> dict:
    return new_decision(action, kind, target_id, old=target_value(record, kind, target_id), new=new, by="ana")


def _save(path: Path, decisions: list[dict]) -> dict:
    draft = load_draft(path)
    file = load_decisions(path, draft)
    file["decisions"] = [*file["decisions"], *decisions]
    return save_decisions(path, file, expected_etag=review_etag(path))


def test_draft_without_decisions_is_a_draft_and_has_no_reviewed_file(outdir: Path):
    path = outdir / "article.json"
    assert load_draft(path)["review"] == {"status": "draft"}
    assert not decisions_path(path).exists() and not reviewed_path(path).exists()
    assert build_reviewed(load_draft(path), load_decisions(path))["review"] == {"status": "draft"}


def test_accept_reject_edit_add_apply_to_the_reviewed_record(outdir: Path):
    path = outdir / "article.json"
    draft = load_draft(path)
    by_text = {e["text"]: e for e in draft["entities"]}
    ketamine, glutamate, psilocybin = by_text["Ketamine"], by_text["glutamate"], by_text["Psilocybin"]
    start = draft["text"].index("review.")
    assert not any(e["start"] <= start < e["end"] for e in draft["entities"])
    result = _save(
        path,
        [
            _decide(draft, "accept", "entity", ketamine["id"]),
            _decide(draft, "reject", "entity", glutamate["id"]),
            _decide(draft, "edit", "entity", psilocybin["id"], {"label": "PROCESS"}),
            new_decision("add", "entity", "new-1", new={"start": start, "end": start + len("review"), "label": "PROCESS"}, by="ana"),
            _decide(draft, "edit", "article", "article.title", {"value": "Ketamine and mTOR"}),
        ],
    )
    reviewed = result["reviewed"]
    entities = {e["id"]: e for e in reviewed["entities"]}
    assert entities[ketamine["id"]]["review"]["decision"] == "accepted"
    assert entities[ketamine["id"]]["score"] == ketamine["score"]  # machine confidence stays visible
    assert glutamate["id"] not in entities
    assert entities[psilocybin["id"]]["label"] == "PROCESS"
    assert entities[psilocybin["id"]]["review"]["machine"] == {"label": psilocybin["label"]}
    added = [e for e in reviewed["entities"] if e.get("review", {}).get("decision") == "added"]
    assert [(e["text"], e["label"], e["method"]) for e in added] == [("review", "PROCESS", "editor")]
    assert reviewed["article"]["title"] == "Ketamine and mTOR"
    assert reviewed["review"]["status"] == "in_review"
    assert reviewed["review"]["counts"] == {**reviewed["review"]["counts"], "accepted": 1, "rejected": 1, "edited": 2, "added": 1, "conflicts": 0}
    # the draft itself is untouched; the reviewed record is on disk and equals the returned one
    assert load_draft(path) == draft
    assert json.loads(reviewed_path(path).read_text(encoding="utf-8")) == reviewed


def test_the_last_decision_on_a_target_counts(outdir: Path):
    path = outdir / "article.json"
    draft = load_draft(path)
    entity = draft["entities"][0]
    reviewed = _save(path, [_decide(draft, "reject", "entity", entity["id"]), _decide(draft, "accept", "entity", entity["id"])])["reviewed"]
    assert any(e["id"] == entity["id"] and e["review"]["decision"] == "accepted" for e in reviewed["entities"])


def test_rejecting_an_entity_removes_its_relations(outdir: Path):
    path = outdir / "article.json"
    draft = load_draft(path)
    assert draft["relations"], "the article states mechanisms; the relations stage should find one"
    relation = draft["relations"][0]
    reviewed = _save(path, [_decide(draft, "reject", "entity", relation["subject"])])["reviewed"]
    assert relation["id"] not in {r["id"] for r in reviewed["relations"]}


def test_bad_edit_is_a_conflict_not_an_invalid_record(outdir: Path):
    path = outdir / "article.json"
    draft = load_draft(path)
    first, second = draft["entities"][:2]
    reviewed = _save(
        path,
        [
            _decide(draft, "edit", "entity", first["id"], {"label": "NOT_A_LABEL"}),  # not a label
            _decide(draft, "edit", "entity", second["id"], {"start": 0}),  # offsets are not editable
        ],
    )["reviewed"]
    reasons = sorted(c["reason"] for c in reviewed["review"]["conflicts"])
    assert reasons == ["invalid", "invalid"]


def test_save_is_refused_when_the_draft_changed_since_loading(outdir: Path, tmp_path: Path):
    path = outdir / "article.json"
    etag = review_etag(path)
    (tmp_path / "in" / "article.md").write_text(ARTICLE.replace("small", "tiny"), encoding="utf-8")
    _convert(tmp_path, outdir)
    draft = load_draft(path)
    file = empty_decisions(draft)
    file["decisions"] = [_decide(draft, "accept", "entity", draft["entities"][0]["id"])]
    with pytest.raises(ReviewConflictError) as caught:
        save_decisions(path, file, expected_etag=etag)
    assert caught.value.code == "P210" and "reload" in caught.value.message
    assert not decisions_path(path).exists()


def test_invalid_decisions_are_refused_with_pointers(outdir: Path):
    path = outdir / "article.json"
    bad = empty_decisions(load_draft(path))
    bad["decisions"] = [{"id": "dec-123456", "action": "explode", "target": {"kind": "entity", "id": "x"}, "old": None, "new": None, "by": "a", "at": "now"}]
    problems = decisions_errors(bad)
    assert ("/decisions/0/action", problems[0][1]) in problems and any(p == "/decisions/0/at" for p, _ in problems)
    with pytest.raises(DecisionsError):
        save_decisions(path, bad)
    assert not decisions_path(path).exists()


def test_approval_needs_nothing_pending_and_no_conflicts(outdir: Path):
    path = outdir / "article.json"
    draft = load_draft(path)
    pending = [e for e in draft["entities"] if e["score"] < LOW_CONFIDENCE]
    _save(path, [new_decision("accept", "entity", "ent-0000000000", old={"text": "gone"}, by="ana")])  # a conflict
    with pytest.raises(ApprovalRefusedError):
        approve(path, by="ana", accept_pending=True)
    before = decisions_path(path).read_bytes()
    assert decisions_path(path).read_bytes() == before  # refused: nothing written
    # drop the conflicting decision, then approve with the pending items accepted
    file = load_decisions(path)
    file["decisions"] = []
    save_decisions(path, file)
    if pending:
        with pytest.raises(ApprovalRefusedError):
            approve(path, by="ana")
    reviewed = approve(path, by="ana", accept_pending=True)["reviewed"]
    assert reviewed["review"]["status"] == "approved"
    assert reviewed["review"]["approved"]["by"] == "ana"
    assert reviewed["review"]["counts"]["accepted"] == len(pending)


def test_an_approval_that_no_longer_holds_becomes_a_conflict(outdir: Path, tmp_path: Path):
    path = outdir / "article.json"
    approve(path, by="ana", accept_pending=True)
    # the source changes: an accepted low-confidence item may vanish, the approval must not silently hold
    (tmp_path / "in" / "article.md").write_text(ARTICLE + "\nSerotonin syndrome and MDMA toxicity are rare.\n", encoding="utf-8")
    _convert(tmp_path, outdir)
    reviewed = json.loads(reviewed_path(path).read_text(encoding="utf-8"))
    reasons = {c["reason"] for c in reviewed["review"]["conflicts"]}
    assert "source_changed" in reasons
    assert reviewed["review"]["status"] != "approved" or not reviewed["review"]["conflicts"]


def test_decisions_for_another_document_are_all_conflicts(outdir: Path):
    path = outdir / "article.json"
    draft = load_draft(path)
    file = empty_decisions(draft)
    file["record_id"] = "sha256:" + "0" * 64
    file["source_path"] = "somewhere/else.txt"
    file["decisions"] = [_decide(draft, "accept", "entity", e["id"]) for e in draft["entities"][:3]]
    reviewed = build_reviewed(draft, file)
    assert [c["reason"] for c in reviewed["review"]["conflicts"]] == ["other_document"] * 3
    assert not any("review" in e for e in reviewed["entities"])


def _changed_extractor(original_stage):
    """The entity stage of a 'new release': some spans removed, some moved, some relabelled, some added."""

    def changed(doc):
        layers = dict(original_stage(doc))
        spans = sorted(layers[L.ENTITIES], key=lambda s: (s.start, s.end))
        out = []
        for index, span in enumerate(spans):
            if index % 5 == 0:
                continue  # removed
            if index % 5 == 1 and span.end - span.start > 3:
                out.append(Span(span.start + 1, span.end, span.label, span.attrs))  # moved (start shifts)
            elif index % 5 == 2:
                out.append(Span(span.start, span.end, "PROCESS" if span.label != "PROCESS" else "ANATOMY", span.attrs))  # relabelled
            else:
                out.append(span)
        taken = [(s.start, s.end) for s in out]
        text = doc.text
        position = 0
        added = 0
        while added < 3:
            position = text.find("effect", position + 1)
            if position < 0:
                break
            if not any(a < position + 6 and position < b for a, b in taken):
                out.append(Span(position, position + 6, "PROCESS", {"norm": None, "method": "model", "score": 0.6}))
                added += 1
        layers[L.ENTITIES] = sorted(out, key=lambda s: (s.start, s.end))
        return layers

    return changed


def test_every_decision_survives_an_extractor_change(outdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = outdir / "article.json"
    draft = load_draft(path)
    decisions = []
    for index, entity in enumerate(draft["entities"]):  # a decision on every entity, of every kind
        action = ("accept", "reject", "edit")[index % 3]
        decisions.append(_decide(draft, action, "entity", entity["id"], {"label": "ANATOMY"} if action == "edit" else None))
    for relation in draft["relations"]:
        decisions.append(_decide(draft, "accept", "relation", relation["id"]))
    for section in draft["sections"][:2]:
        decisions.append(_decide(draft, "edit", "section", section["id"], {"heading": section["heading"].upper()}))
    for item in draft["summary"]["key_points"][:1] + draft["summary"]["limitations"][:1]:
        decisions.append(_decide(draft, "reject", "summary", item["id"]))
    decisions.append(_decide(draft, "edit", "article", "article.title", {"value": "Edited title"}))
    start = draft["text"].index("interneurons")
    decisions.append(new_decision("add", "entity", "new-1", new={"start": start, "end": start + 12, "label": "ANATOMY"}, by="ana"))
    _save(path, decisions)
    decisions_before = decisions_path(path).read_bytes()

    stages = tuple((_changed_extractor(stage), layer) if layer == L.ENTITIES else (stage, layer) for stage, layer in recipe.STAGES)
    monkeypatch.setattr(recipe.run_stages, "__defaults__", (stages,))
    _convert(tmp_path, outdir, "--force")

    new_draft = load_draft(path)
    assert new_draft["entities"] != draft["entities"], "the changed extractor must change the entities"
    assert decisions_path(path).read_bytes() == decisions_before, "convert must never touch the decisions file"
    reviewed = json.loads(reviewed_path(path).read_text(encoding="utf-8"))
    applied = {item["review"]["decision_id"] for key in ("entities", "relations", "citations", "sections", "abbreviations") for item in reviewed[key] if "review" in item}
    applied |= {item["review"]["decision_id"] for items in reviewed["summary"].values() for item in items if "review" in item}
    applied |= {mark["decision_id"] for mark in reviewed["review"]["article"].values()}
    conflicted = {c["decision"] for c in reviewed["review"]["conflicts"]}
    for decision in decisions:  # each decision is applied or a conflict: exactly one of the two
        kind, target_id = decision["target"]["kind"], decision["target"]["id"]
        if decision["action"] == "reject":
            unchanged = target_value(new_draft, kind, target_id) == decision["old"]
            assert unchanged != (decision["id"] in conflicted), decision
            if unchanged:
                assert target_value(reviewed, kind, target_id) is None, decision
        else:
            assert (decision["id"] in applied) != (decision["id"] in conflicted), (decision, [c for c in reviewed["review"]["conflicts"] if c["decision"] == decision["id"]])
    # and the conflicts are the right ones: moved or removed targets vanished, relabelled ones changed
    reasons = {c["reason"] for c in reviewed["review"]["conflicts"]}
    assert {"vanished", "changed"} <= reasons
    counts = reviewed["review"]["counts"]
    assert counts["accepted"] + counts["rejected"] + counts["edited"] + counts["added"] + counts["conflicts"] == len(decisions)
    for conflict in reviewed["review"]["conflicts"]:
        if conflict["reason"] == "changed":
            assert conflict["current"] is not None and conflict["old"] != conflict["current"]


def test_convert_rebuilds_the_reviewed_record_and_never_writes_decisions(outdir: Path, tmp_path: Path):
    path = outdir / "article.json"
    draft = load_draft(path)
    _save(path, [_decide(draft, "accept", "entity", draft["entities"][0]["id"])])
    reviewed_path(path).unlink()
    _convert(tmp_path, outdir)  # up to date: skipped, but the reviewed record comes back
    assert reviewed_path(path).exists()
    decisions_path(path).unlink()
    _convert(tmp_path, outdir)
    assert not reviewed_path(path).exists(), "a reviewed record without decisions would be stale"


def test_convert_rebuilds_reviewed_records_in_subfolders_only_where_decisions_are(tmp_path: Path):
    # the batch finds decisions files with one listing per output folder: a record in a subfolder,
    # beside a same-named one at the top, must be matched by its own path
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "article.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "in" / "sub" / "article.md").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    _convert(tmp_path, out)
    nested = out / "sub" / "article.json"
    draft = load_draft(nested)
    _save(nested, [_decide(draft, "accept", "entity", draft["entities"][0]["id"])])
    reviewed_path(nested).unlink()
    _convert(tmp_path, out)
    assert reviewed_path(nested).exists()
    assert not reviewed_path(out / "article.json").exists()


def test_convert_reports_a_broken_decisions_file_and_goes_on(outdir: Path, tmp_path: Path):
    path = outdir / "article.json"
    decisions_path(path).write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(tmp_path / "in"), "-o", str(outdir), "-j", "1", "-q"])
    assert result.exit_code == 0
    assert "reviewed record not rebuilt" in result.output and "P140" in result.output
    assert decisions_path(path).read_text(encoding="utf-8") == "{not json"  # the editor's file is left alone


def test_scan_orders_conflicts_first(outdir: Path, tmp_path: Path):
    (tmp_path / "in" / "second.txt").write_text("Aspirin inhibits COX-1 and COX-2.\n\nIt treats headache.\n", encoding="utf-8")
    _convert(tmp_path, outdir)
    second = outdir / "second.json"
    _save(second, [new_decision("reject", "entity", "ent-0000000000", old={"text": "x"}, by="ana")])
    rows = scan(outdir)
    assert [r["name"] for r in rows] == ["second", "article"]
    assert rows[0]["counts"]["conflicts"] == 1 and rows[1]["status"] == "draft"


def test_cli_status_diff_approve(outdir: Path):
    runner = CliRunner()
    path = outdir / "article.json"
    draft = load_draft(path)
    _save(path, [_decide(draft, "reject", "entity", draft["entities"][0]["id"])])
    status = runner.invoke(main, ["review", "status", str(outdir)])
    assert status.exit_code == 0 and "in_review  article.json: 0 conflict(s)" in status.output
    diff = runner.invoke(main, ["review", "diff", str(decisions_path(path))])
    assert diff.exit_code == 0 and diff.output.startswith(f"- entity {draft['entities'][0]['id']}: rejected")
    as_json = json.loads(runner.invoke(main, ["review", "diff", str(path), "--format", "json"]).output)
    assert [c["change"] for c in as_json] == ["rejected"]
    approved = runner.invoke(main, ["review", "approve", str(path), "--editor", "bo", "--accept-pending"])
    assert approved.exit_code == 0, approved.output
    assert "approved" in approved.output
    assert load_decisions(path)["decisions"][-1]["by"] == "bo"
    validate = runner.invoke(main, ["validate", str(outdir)])
    assert validate.exit_code == 0, validate.output  # drafts, reviewed records and decisions all valid
    # the summary counts the decisions file as what it is, not as a record
    assert validate.output == "ok: 2 records and 1 decisions file in 3 files\n"


def test_cli_validate_checks_decisions_files_against_their_schema(outdir: Path):
    path = outdir / "article.json"
    decisions_path(path).write_text(json.dumps({"decisions_version": "1.0.0", "decisions": []}), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(outdir)])
    assert result.exit_code == 1
    assert "article.review.json: /: 'record_id' is a required property" in result.output


def test_cli_approve_refusal_exits_nonzero(outdir: Path):
    path = outdir / "article.json"
    if not any(e["score"] < LOW_CONFIDENCE for e in load_draft(path)["entities"]):
        pytest.skip("no low-confidence entity in this article")
    result = CliRunner().invoke(main, ["review", "approve", str(path), "--editor", "bo"])
    assert result.exit_code == 1 and "P211" in result.output and "--accept-pending" in result.output
    assert not decisions_path(path).exists()


def test_review_changes_lists_conflicts_first(outdir: Path):
    path = outdir / "article.json"
    draft = load_draft(path)
    file = empty_decisions(draft)
    file["decisions"] = [_decide(draft, "accept", "entity", draft["entities"][0]["id"]), new_decision("accept", "entity", "ent-0000000000", old={"text": "x"}, by="ana")]
    changes = review_changes(build_reviewed(draft, file), file)
    assert [c["change"] for c in changes] == ["conflict", "accepted"]


def test_outputs_folder_copy_reviews_cleanly(tmp_path: Path, repo_root: Path):
    """The golden records are valid drafts for review: every sample can be approved after accepting pending items."""
    for golden in sorted((repo_root / "outputs").glob("*.json")):
        shutil.copy(golden, tmp_path / golden.name)
    for path in sorted(tmp_path.glob("*.json")):
        assert approve(path, by="ci", accept_pending=True)["reviewed"]["review"]["status"] == "approved"


def test_rejecting_an_article_field_clears_it(outdir: Path):
    path = outdir / "article.json"
    draft = load_draft(path)
    assert draft["article"]["authors"], "the byline names two authors"
    reviewed = _save(path, [_decide(draft, "reject", "article", "article.authors"), _decide(draft, "reject", "article", "article.title")])["reviewed"]
    assert reviewed["article"]["authors"] == [] and reviewed["article"]["title"] is None
    assert reviewed["review"]["article"]["title"]["decision"] == "rejected"
    assert reviewed["review"]["counts"]["rejected"] == 2


def test_cli_review_serve_as_a_subprocess_prints_its_url_and_stops_on_ctrl_c(outdir: Path):
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "review", "serve", str(outdir), "--editor", "ana"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # a test run started in the background (`make test &`) ignores SIGINT, and a child inherits
        # that: give the server the default Ctrl-C a user's terminal gives it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line, line
        url = line[line.index("http://") :].split()[0]
        with urllib.request.urlopen(url + "api/queue", timeout=30) as response:
            queue = json.load(response)
        assert queue["editor"] == "ana" and [row["name"] for row in queue["rows"]] == ["article"]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert process.returncode == 0, process.stderr.read()


def test_the_batch_looks_for_decisions_under_the_review_packages_file_names() -> None:
    # batch.py checks for decisions files without importing the review package (start-up time)
    from pipeline import batch
    from pipeline.review import _files

    assert batch.REVIEW_SUFFIX == _files.DECISIONS_SUFFIX
    assert batch.REVIEWED_SUFFIX == _files.REVIEWED_SUFFIX
