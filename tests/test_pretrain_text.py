"""scripts/build_pretrain_text.py: the raw text the ner_all tok2vec is pretrained on.

Why: dev scores are only honest if no development text reaches pretraining, even when the same
abstract sits in a training corpus or a MEDLINE file too; and ``make models`` must rebuild the same
corpus byte for byte. The tests build from a small fake ../shared/data tree.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_TEXT = "Naloxone reverses the antihypertensive effect of clonidine in unanesthetized spontaneously hypertensive rats."
TRAIN_TEXT = "Lithium carbonate toxicity in a newborn infant presented with tricuspid regurgitation and atrial flutter."


def _script(data: Path):
    spec = importlib.util.spec_from_file_location("build_pretrain_text", REPO / "scripts" / "build_pretrain_text.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.DATA = data
    return module


def _write_jsonl(path: Path, items: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")


def _fake_data(root: Path) -> Path:
    data = root / "data"
    _write_jsonl(data / "ner" / "bc5cdr" / "dev.jsonl", [{"id": "111", "text": DEV_TEXT, "entities": []}])
    # The dev abstract also sits in a training file (tokenised IOB-style) and in MEDLINE under its PMID.
    iob_copy = DEV_TEXT.replace("antihypertensive", "anti - hypertensive").replace(".", " .")
    _write_jsonl(data / "ner" / "bc5cdr" / "train.jsonl", [{"id": "222", "text": TRAIN_TEXT, "entities": []}])
    _write_jsonl(data / "ner" / "iob" / "X-IOB" / "train.jsonl", [{"text": iob_copy, "entities": []}, {"text": TRAIN_TEXT, "entities": []}])
    _write_jsonl(data / "jats" / "medline" / "ground_truth.jsonl", [
        {"pmid": "111", "title": "A title that only the dev document has here", "abstract": "Its abstract, five words or more."},
        {"pmid": "333", "title": "Ketamine in treatment-resistant depression: a trial", "abstract": None},
    ])
    xml = data / "jats" / "plos" / "xml"
    xml.mkdir(parents=True)
    (xml / "a.xml").write_text(
        "<article><front><article-meta><title-group><article-title>Psilocybin and the default mode network</article-title>"
        "</title-group><abstract><p>Psilocybin reduced activity in the default mode network of healthy volunteers.</p></abstract>"
        "</article-meta></front><body><sec><title>Introduction</title><p>Serotonin 2A receptors mediate the effects of psilocybin.</p>"
        "</sec></body><back><ref-list><ref><article-title>A cited article title that must not appear</article-title></ref></ref-list>"
        "</back></article>", encoding="utf-8")
    return data


def _texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_no_dev_text_reaches_the_corpus(tmp_path):
    script = _script(_fake_data(tmp_path))
    out = tmp_path / "text.jsonl"
    stats = script.build(out)
    texts = _texts(out)
    assert TRAIN_TEXT in texts
    assert "Ketamine in treatment-resistant depression: a trial" in texts
    assert not any("Naloxone" in t or "only the dev document" in t for t in texts)
    assert stats["dev_overlap"] == 1  # the tokenised copy in the IOB file
    assert stats["duplicates"] == 1  # TRAIN_TEXT twice


def test_jats_paragraphs_skip_the_reference_list(tmp_path):
    script = _script(_fake_data(tmp_path))
    script.build(tmp_path / "t.jsonl")
    texts = _texts(tmp_path / "t.jsonl")
    assert "Serotonin 2A receptors mediate the effects of psilocybin." in texts
    assert "Psilocybin and the default mode network" in texts
    assert not any("cited article" in t for t in texts)


def test_the_same_inputs_give_the_same_bytes(tmp_path):
    script = _script(_fake_data(tmp_path))
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    script.build(first)
    script.build(second)
    assert first.read_bytes() == second.read_bytes()


def test_long_paragraphs_are_cut_at_sentence_ends(tmp_path):
    script = _script(tmp_path)
    sentence = "The " + "receptor " * 48 + "binds."  # 50 words
    pieces = list(script.units(" ".join([sentence] * 9)))
    assert [len(p.split()) for p in pieces] == [200, 200, 50]
    assert all(p.endswith("binds.") for p in pieces)
    assert list(script.units("word " * 450)) and max(len(p.split()) for p in script.units("word " * 450)) == script.MAX_WORDS


def test_tei_line_end_hyphens_are_joined(tmp_path):
    script = _script(tmp_path)
    tei = tmp_path / "a.tei.xml"
    tei.write_text('<tei><teiHeader/><text><p>Capturing clinical knowl-<lb/>edge matters for<lb/> every patient.</p></text></tei>', encoding="utf-8")
    assert script.tei_paragraphs(tei) == ["Capturing clinical knowledge matters for every patient."]
