"""Record serialisation: orjson writes the bytes json.dumps(sort_keys, ensure_ascii=False, indent=2) wrote."""

from __future__ import annotations

import json

import pytest

from pipeline.record.io import dumps_record


def _standard(record: dict, indent: int | None) -> str:
    separators = (",", ": ") if indent is not None else (",", ":")
    return json.dumps(record, sort_keys=True, ensure_ascii=False, indent=indent, separators=separators) + "\n"


TRICKY = {
    "text": "Ketamine\u2028 \u00e9 \u03b2-catenin \U0001d6fc \x7f \x00 tab\t \"quoted\" back\\slash \n",
    "numbers": [0, -1, 2**62, 0.95, 0.001, 0.0001, 72.02, 595.28, -0.0, 1e16, 123456789.125],
    "nested": {"b": [], "a": {}, "Z": None, "é": True, "ä": False},
    "spans": [{"start": 0, "end": 8, "label": "COMPOUND", "score": 0.85}],
}


@pytest.mark.parametrize("indent", [2, None])
def test_same_bytes_as_the_standard_encoder(indent):
    assert dumps_record(TRICKY, indent=indent) == _standard(TRICKY, indent)


def test_committed_golden_records_round_trip_to_their_own_bytes():
    from pathlib import Path

    outputs = Path(__file__).resolve().parents[1] / "outputs"
    records = sorted(outputs.glob("*.json"))
    assert records
    for path in records:
        text = path.read_text(encoding="utf-8")
        assert dumps_record(json.loads(text)) == text, path.name


def test_what_orjson_cannot_hold_falls_back_to_the_standard_encoder():
    record = {"big": 2**70, "a": 1}
    assert dumps_record(record) == _standard(record, 2)


def test_only_pretty_or_compact():
    with pytest.raises(ValueError):
        dumps_record({}, indent=4)
