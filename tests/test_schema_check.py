"""The fast schema check (jsonschema-rs) never says "valid" where jsonschema says "invalid".

``schema_errors`` trusts a "valid" from ``jsonschema-rs`` and skips ``jsonschema``; an "invalid" sends
the record to ``jsonschema`` for the errors. So the one thing that must never happen is the fast check
accepting what jsonschema rejects (the other way round costs only time). Tested on thousands of
records broken at random (fixed seed: deterministic) from the golden sample records, each break at
a random place (a wrong type, a number past a bound, a string off its pattern or enum, a key
removed or added, an item appended), and on small schemas for keywords the record schema may use.
"""

from __future__ import annotations

import copy
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pipeline.errors import SchemaLoadError
from pipeline.record import schema as S

OUTPUTS = Path(__file__).resolve().parents[1] / "outputs"
MUTATIONS_PER_RECORD = 600

#: Values a break may put anywhere: every JSON type, bool-vs-int and float-vs-int edge cases.
ODD_VALUES = [None, True, False, 0, 1, -1, 1.0, 1.5, -0.5, math.nan, 10**12, "", "x", "sha256:" + "0" * 64,
              "sec-0123456789", "SEC-0123456789", "10.1000/x", "2020-13", "1.2.0", "model", "Model", [], [1], {}, {"a": 1}]


def _records() -> list[dict]:
    """The golden records with every list cut to its first three items: every shape, less to check."""
    files = sorted(OUTPUTS.glob("*.json"))
    if not files:
        pytest.skip("needs the golden records in outputs/")
    return [_trimmed(json.loads(p.read_text(encoding="utf-8"))) for p in files]


def _trimmed(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _trimmed(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_trimmed(value) for value in node[:3]]
    return node


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _near(value: Any, rng: random.Random) -> Any:
    """A value like ``value`` but possibly just invalid: a bound crossed, a character changed."""
    if isinstance(value, bool):
        return rng.choice([0, 1, None, not value])
    if isinstance(value, (int, float)):
        return rng.choice([value - 1, -value, float(value), value + 0.5, -1, -0.001, 1.0001, str(value)])
    if isinstance(value, str):
        if not value:
            return rng.choice([" ", None])
        i = rng.randrange(len(value))
        return rng.choice([value[:i] + rng.choice("X-_ 9z.") + value[i + 1 :], value.upper(), value + "\n", value[1:], value + value])
    return rng.choice(ODD_VALUES)


def _mutate(record: dict, rng: random.Random) -> dict:
    broken = copy.deepcopy(record)
    path = rng.choice(_paths(broken)[1:])
    parent = broken
    for step in path[:-1]:
        parent = parent[step]
    key, value = path[-1], parent[path[-1]]
    action = rng.random()
    if action < 0.35:
        parent[key] = _near(value, rng)
    elif action < 0.6:
        parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif action < 0.75 and isinstance(parent, dict):
        del parent[key]
    elif action < 0.85 and isinstance(value, dict):
        value[rng.choice(["extra", "id", "start", "norm", "label", "text"])] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif isinstance(value, list):
        value.append(copy.deepcopy(rng.choice([*ODD_VALUES, *(value[:1] and [_near(value[0], rng)])])))
    else:
        parent[key] = _near(value, rng)
    return broken


def _fast(schema):
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema, offline=True).is_valid


def test_the_packaged_schemas_are_valid_json_schemas() -> None:
    # load_schema() trusts the packaged schema (it skips the meta-schema check at start-up): this is that check
    from jsonschema.exceptions import SchemaError

    Draft202012Validator.check_schema(S.load_schema(None))
    broken = json.loads(S.packaged_schema_text())
    broken["properties"]["id"] = {"type": "no-such-type"}
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema(broken)


def test_a_schema_given_by_path_is_checked_against_the_meta_schema(tmp_path) -> None:
    schema = json.loads(S.packaged_schema_text())
    schema["properties"]["id"] = {"type": "no-such-type"}
    path = tmp_path / "broken.schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(SchemaLoadError, match="not a valid JSON Schema"):
        S.load_schema(str(path))


def test_the_record_schema_has_a_fast_check() -> None:
    # if this fails, every record pays jsonschema's price (about 5 ms instead of 0.1 ms)
    assert S._fast_check(None) is not None


def test_fast_check_never_accepts_what_jsonschema_rejects() -> None:
    check, validator = S._fast_check(None), S._validator(None)
    rng = random.Random(20260611)
    accepted_wrongly, rejected_wrongly, invalid = [], [], 0
    for record in _records():
        assert check(record) and not list(validator.iter_errors(record))
        for _ in range(MUTATIONS_PER_RECORD):
            broken = _mutate(record, rng)
            expected = not list(validator.iter_errors(broken))
            invalid += not expected
            if check(broken) and not expected:
                accepted_wrongly.append(broken)
            if expected and not check(broken):
                rejected_wrongly.append(broken)
    assert not accepted_wrongly, f"{len(accepted_wrongly)} accepted wrongly, e.g. {json.dumps(accepted_wrongly[0])[:2000]}"
    assert invalid > MUTATIONS_PER_RECORD  # the breaks do break records (else the test proves little)
    # The other way round costs only time, and happens only where the two differ on purpose: Python's
    # "$" also matches before a final newline, ECMA's (jsonschema-rs) does not ("sum-0123456789\n");
    # jsonschema-rs reads NaN (not JSON; a record never holds it) as null.
    unexplained = [b for b in rejected_wrongly if not _only_dialect_differences(b)]
    assert not unexplained, json.dumps(unexplained[0])[:2000]


def _only_dialect_differences(record) -> bool:
    import jsonschema_rs

    errors = list(jsonschema_rs.validator_for(S.load_schema(None), offline=True).iter_errors(record))
    return bool(errors) and all(_trailing_newline(e) or _nan(record, e) for e in errors)


def _trailing_newline(error) -> bool:
    return isinstance(error.instance, str) and error.instance.endswith("\n") and "does not match" in error.message


def _nan(record, error) -> bool:
    value = record
    for step in error.instance_path:
        value = value[step]
    return isinstance(value, float) and math.isnan(value)


def test_schema_errors_reports_jsonschema_errors_when_the_fast_check_fails() -> None:
    record = _records()[0]
    record["entities"][0]["start"] = -1
    record["schema_version"] = "2.0.0"
    pointers = [pointer for pointer, _ in S.schema_errors(record)]
    assert pointers == ["/entities/0/start", "/schema_version"]


SMALL_SCHEMAS = [
    {"const": "a"},
    {"const": None},
    {"enum": ["a", None]},
    {"type": "integer"},
    {"type": ["integer", "null"]},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    {"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^a"},
    {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
    {"type": "object", "properties": {"a": True, "b": False}, "additionalProperties": False, "required": ["a"]},
    {"type": "array", "items": False},
    {"type": "array", "items": {"type": "boolean"}, "minItems": 1, "maxItems": 2},
    {"enum": []},
    True,
    False,
]
SMALL_VALUES = [None, True, False, 0, 1, 2, 0.0, 0.5, 1.0, -1, "", "a", "ab", "abcd", "ba", [], [True], [True, 1], [1, 2, 3],
                {}, {"a": "x"}, {"a": 1}, {"a": "x", "c": 1}, {"a": "x", "c": "y"}, {"b": 1}, {"a": "x", "b": None}]


@pytest.mark.parametrize("schema", SMALL_SCHEMAS, ids=lambda s: json.dumps(s)[:60])
def test_fast_check_agrees_on_each_keyword(schema) -> None:
    check, validator = _fast(schema), Draft202012Validator(schema)
    assert [check(v) for v in SMALL_VALUES] == [validator.is_valid(v) for v in SMALL_VALUES]


def test_remote_references_are_never_fetched(tmp_path: Path) -> None:
    schema_file = tmp_path / "remote.schema.json"
    schema_file.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "https://example.invalid/x.json"}))
    assert S._fast_check(str(schema_file)) is None  # offline: jsonschema-rs refuses, jsonschema alone decides
