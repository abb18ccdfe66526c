"""scripts/train_ner.py's training-only options: their defaults rebuild the committed ner_all config.

Why: --rows, --averages, --dropout and --seed exist to try settings that cost nothing at run time;
a plain rebuild (no options) must still make the model that is committed, setting for setting.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _train_ner():
    spec = importlib.util.spec_from_file_location("train_ner", REPO / "scripts" / "train_ner.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _without_paths(config_text: str) -> str:
    from thinc.api import Config

    config = Config().from_str(config_text, interpolate=False)
    config["paths"]["train"] = config["paths"]["dev"] = None
    return config.to_str()


def test_default_options_make_the_committed_combined_config():
    train_ner = _train_ner()
    train_ner.M._register_tokenizer()
    committed = (train_ner.M.MODELS_DIR / "ner_all" / "config.cfg").read_text(encoding="utf-8")
    rebuilt = train_ner.make_config(train_ner.EPOCHS["ner_all"], 64, 2, partial_dev=True).to_str()
    assert _without_paths(rebuilt) == _without_paths(committed)


def test_options_reach_the_config():
    train_ner = _train_ner()
    train_ner.M._register_tokenizer()
    config = train_ner.make_config(4, 64, 2, rows=(20000, 2000, 5000, 2500), averages=True, dropout=0.2, seed=3)
    assert config["components"]["tok2vec"]["model"]["embed"]["rows"] == [20000, 2000, 5000, 2500]
    assert config["training"]["optimizer"]["use_averages"] is True
    assert config["training"]["dropout"] == 0.2
    assert config["system"]["seed"] == 3


@pytest.mark.parametrize("text", ["20000,2000,5000", "a,b,c,d", "1,2,3,0"])
def test_rows_option_rejects_what_is_not_four_positive_sizes(text):
    with pytest.raises(argparse.ArgumentTypeError, match="four positive integers"):
        _train_ner()._parse_rows(text)


def test_init_tok2vec_reaches_the_config_and_points_spacy_at_the_whole_tok2vec(tmp_path):
    train_ner = _train_ner()
    train_ner.M._register_tokenizer()
    weights = tmp_path / "model-last.bin"
    config = train_ner.make_config(4, 64, 2, partial_dev=True, init_tok2vec=weights)
    assert config["paths"]["init_tok2vec"] == str(weights)
    assert config["pretraining"]["component"] == "tok2vec"
    assert config["pretraining"]["layer"] == ""
    assert not train_ner.make_config(4, 64, 2, partial_dev=True)["pretraining"]


def test_pretrain_config_has_the_trained_tok2vec_and_the_characters_objective(tmp_path):
    train_ner = _train_ner()
    train_ner.M._register_tokenizer()
    text = tmp_path / "text.jsonl"
    pretrain = train_ner.make_pretrain_config(text, 2, 64, 2, rows=(6000, 1000, 2500, 2500), n_characters=3)
    trained = train_ner.make_config(10, 64, 2, partial_dev=True, rows=(6000, 1000, 2500, 2500))
    assert pretrain["components"]["tok2vec"] == trained["components"]["tok2vec"]
    assert pretrain["pretraining"]["objective"]["@architectures"] == "spacy.PretrainCharacters.v1"
    assert pretrain["pretraining"]["objective"]["n_characters"] == 3
    assert pretrain["pretraining"]["max_epochs"] == 2
    assert pretrain["corpora"]["pretrain"]["path"] == str(text)


def test_pretrained_weights_load_into_the_model_trained_with_init_tok2vec(tmp_path):
    """The weights --pretrain saves (the whole tok2vec) fit the tok2vec --init-tok2vec builds."""
    import numpy
    from spacy import util
    from spacy.training.initialize import init_tok2vec

    train_ner = _train_ner()
    train_ner.M._register_tokenizer()
    source = util.load_model_from_config(train_ner.make_pretrain_config(tmp_path / "t.jsonl", 1, 64, 2), auto_fill=True)
    tok2vec = source.get_pipe("tok2vec").model
    tok2vec.initialize()
    weights = tmp_path / "model-last.bin"
    weights.write_bytes(tok2vec.to_bytes())
    config = train_ner.make_config(4, 64, 2, partial_dev=True, init_tok2vec=weights)
    target = util.load_model_from_config(config, auto_fill=True)
    assert init_tok2vec(target, config.interpolate()["pretraining"], config.interpolate()["initialize"])
    loaded = target.get_pipe("tok2vec").model
    embed = [n for n in loaded.walk() if n.has_param("E")][0]
    source_embed = [n for n in tok2vec.walk() if n.has_param("E")][0]
    assert numpy.array_equal(embed.get_param("E"), source_embed.get_param("E"))


def test_no_adopt_needs_a_directory_to_keep_the_model(monkeypatch, capsys):
    module = _train_ner()
    if not module.DATA.is_dir():
        pytest.skip(f"needs {module.DATA} (the shared NER data beside the repository)")
    monkeypatch.setattr("sys.argv", ["train_ner.py", "--only", "ner_cdr", "--no-adopt"])
    with pytest.raises(SystemExit, match="--no-adopt needs --keep"):
        module.main()


def test_no_adopt_leaves_the_committed_model_and_models_md_alone(tmp_path, monkeypatch):
    # an experiment trains into --keep and reports its scores; pipeline/data is not touched
    import json

    import spacy.cli.train

    module = _train_ner()
    if not module.DATA.is_dir():
        pytest.skip(f"needs {module.DATA} (the shared NER data beside the repository)")

    def fake_train(config_path, output_path, overrides):  # spaCy's training, standing in: a model-best with scores
        best = Path(output_path) / "model-best"
        best.mkdir(parents=True)
        (best / "meta.json").write_text(json.dumps({"performance": {"ents_f": 0.5}}), encoding="utf-8")

    monkeypatch.setattr(spacy.cli.train, "train", fake_train)
    monkeypatch.setattr(module, "adopt", lambda *a, **k: pytest.fail("adopted despite --no-adopt"))
    monkeypatch.setattr(module, "write_models_md", lambda *a, **k: pytest.fail("MODELS.md rewritten despite --no-adopt"))
    monkeypatch.setattr("sys.argv", ["train_ner.py", "--only", "ner_cdr", "--no-adopt", "--keep", str(tmp_path / "run"), "--limit", "3", "--dev-limit", "3"])
    module.main()
    assert (tmp_path / "run" / "out" / "model-best" / "meta.json").is_file()
    result = module.train_one("ner_cdr", 1, 3, 96, 4, 3, keep=tmp_path / "run2", adopt_best=False)
    assert result["performance"] == {"ents_f": 0.5} and result["path"].endswith("model-best")
