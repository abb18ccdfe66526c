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
