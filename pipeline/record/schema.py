"""Loading the record JSON Schema and checking instances against it.

The schema shipped in the package (``pipeline/schemas/``) is the one records are built against;
``schemas/`` at the top of the repository holds the published copy, and a test keeps the two
identical. Errors are returned as ``(json_pointer, message)`` pairs, sorted, so reports are stable.

Speed: each schema is compiled once per process, twice: a ``jsonschema`` validator, and a
``jsonschema-rs`` validator (Rust; about 0.1 ms per record against 5 ms for ``jsonschema``, which
cost 13% of a batch of abstracts). Every instance goes through ``jsonschema-rs``'s yes/no
``is_valid``; only one it finds invalid goes through ``jsonschema``, whose errors are the report, so
messages and pointers do not depend on the fast path. A "no" from the fast path that ``jsonschema``
does not confirm costs time, never a wrong report; ``tests/test_schema_check.py`` checks on thousands of
broken records that the fast path never says "yes" where ``jsonschema`` says "no". References are
never fetched (``offline``); a schema ``jsonschema-rs`` cannot build is validated by ``jsonschema`` alone.

Start-up: ``jsonschema`` is imported only when a record needs its error report, and the packaged
schema is not checked against the meta-schema at every start (0.1 s each process);
``tests/test_schema_check.py`` checks it once. A schema given by path (``--schema``) is always checked.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..errors import SchemaLoadError

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

RECORD_SCHEMA_FILE = "record.v1.schema.json"


def packaged_schema_text() -> str:
    return resources.files("pipeline").joinpath("schemas", RECORD_SCHEMA_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def load_schema(path: str | None = None) -> dict:
    """The record schema, from the package or from ``path``; raises SchemaLoadError if unusable."""
    where = path or f"pipeline/schemas/{RECORD_SCHEMA_FILE}"
    try:
        text = Path(path).read_text(encoding="utf-8") if path else packaged_schema_text()
        schema = json.loads(text)
    except OSError as exc:
        raise SchemaLoadError(f"cannot read the schema ({exc.strerror or exc}); check the --schema path", path=where) from None
    except json.JSONDecodeError as exc:
        raise SchemaLoadError(f"the schema is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); fix or replace it", path=where) from None
    if path is None:
        return schema  # the packaged schema: checked by the test suite, not at every start
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        pointer = "/" + "/".join(str(p) for p in exc.absolute_path)
        raise SchemaLoadError(f"the schema is not a valid JSON Schema (at {pointer}: {exc.message}); fix or replace it", path=where) from None
    return schema


@lru_cache(maxsize=None)
def _inlined_schema(path: str | None) -> dict:
    return _inline_local_refs(load_schema(path))


@lru_cache(maxsize=None)
def _validator(path: str | None) -> "Draft202012Validator":
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_inlined_schema(path))


@lru_cache(maxsize=None)
def _fast_check(path: str | None) -> Callable[[Any], bool] | None:
    """``jsonschema-rs``'s yes/no check of the schema, or None when it cannot build one."""
    try:
        import jsonschema_rs

        return jsonschema_rs.validator_for(load_schema(path), offline=True).is_valid
    except Exception:  # noqa: BLE001 -- any failure to build means: validate with jsonschema alone
        return None


def _inline_local_refs(schema: dict) -> dict:
    """Replace ``{"$ref": "#/$defs/x"}`` by the definition itself, for speed.

    Resolving a reference costs jsonschema more than checking the value; with the ``$defs``
    inlined, validating a record takes about 40% less time. Same meaning, since the record
    schema has no recursive definitions. Schemas with other kinds of references are left as they are.
    """
    defs = schema.get("$defs", {})

    def inline(node, depth=0):
        if depth > 50:
            raise RecursionError
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs:
                merged = dict(inline(defs[ref[8:]], depth + 1))
                merged.update({k: inline(v, depth + 1) for k, v in node.items() if k != "$ref"})
                return merged
            return {k: inline(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v, depth + 1) for v in node]
        return node

    try:
        return inline(schema)
    except RecursionError:
        return schema  # a recursive user schema: keep the references


def json_pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def schema_errors(instance: Any, schema_path: str | None = None) -> list[tuple[str, str]]:
    """Every schema violation in ``instance`` as ``(pointer, message)``, in a stable order."""
    check = _fast_check(schema_path)
    if check is not None and check(instance):
        return []
    found: list[tuple[str, str]] = []
    for error in _iter_leaf_errors(_validator(schema_path).iter_errors(instance)):
        message = error.message
        if len(message) > 300:
            message = message[:297] + "..."
        found.append((json_pointer(error.absolute_path), message))
    return sorted(set(found))


def _iter_leaf_errors(errors: Iterator) -> Iterator:
    """Report the most specific errors under oneOf/anyOf rather than the umbrella message."""
    for error in errors:
        if error.context and error.validator in ("oneOf", "anyOf"):
            # choose the branch whose errors go deepest: it is the one the data was aiming for
            best = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.message)))
            if len(best.absolute_path) > len(error.absolute_path):
                yield best
                continue
        yield error
