"""A fast yes/no check of an instance against the record schema, compiled once per process.

Every record is validated before it is written. ``jsonschema`` does that by walking the schema
for each value (building a validator object per sub-schema visited, yielding errors from
generators), which cost about 13% of a batch of abstracts. The record schema uses a small subset
of JSON Schema, so this module compiles that subset into nested Python closures that answer only
"valid or not" -- several times faster. :func:`pipeline.record.schema.schema_errors` asks it
first; when it says "invalid", ``jsonschema`` runs to produce the errors, so messages and
pointers are exactly ``jsonschema``'s.

Same answers as ``jsonschema``'s ``Draft202012Validator`` (no format checker) by construction:
each keyword below is a transcription of its ``jsonschema`` 4.x implementation (noted inline), and
a schema using anything else (``anyOf``, ``patternProperties``, ``prefixItems``, a ``$ref`` left
after inlining, an ``enum`` of numbers, ...) is not compiled at all: :func:`compile_check` returns
None and ``jsonschema`` alone validates. ``tests/test_schema_check.py`` compares both on
thousands of mutated records.
"""

from __future__ import annotations

import numbers
import re
from typing import Any, Callable

Check = Callable[[Any], bool]

#: Keywords that never affect validity (annotations) here: no format checker is used, and
#: ``$defs`` are reached only through the ``$ref``s that ``schema._inline_local_refs`` replaced.
_ANNOTATIONS = frozenset({
    "$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default", "examples",
    "deprecated", "readOnly", "writeOnly", "format", "contentMediaType", "contentEncoding",
})
_COMPILED = frozenset({
    "type", "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "required", "properties", "additionalProperties", "items", "minItems", "maxItems",
})


class NotCompilable(Exception):
    """The schema uses something this module does not transcribe: validate with jsonschema."""


def compile_check(schema: Any) -> Check | None:
    """A function ``instance -> bool`` equivalent to ``jsonschema``'s validity, or None."""
    try:
        return _compile(schema)
    except (NotCompilable, re.error, RecursionError):
        return None


# --- types: jsonschema._types, draft 2020-12 type checker --------------------------------------


def _is_integer(x: Any) -> bool:  # draft 6+: an integral float is an integer too
    return (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer())


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


_TYPE_CHECKS: dict[str, Check] = {
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "integer": _is_integer,
    "null": lambda x: x is None,
    "number": _is_number,
    "object": lambda x: isinstance(x, dict),
    "string": lambda x: isinstance(x, str),
}


# --- the compiler ------------------------------------------------------------------------------


def _compile(schema: Any) -> Check:
    if schema is True:
        return lambda _x: True
    if schema is False:
        return lambda _x: False
    if not isinstance(schema, dict):
        raise NotCompilable("a schema that is neither an object nor a boolean")
    unknown = set(schema) - _ANNOTATIONS - _COMPILED
    if unknown:
        raise NotCompilable(f"keywords {sorted(unknown)}")
    checks = [check for check in (
        _type(schema), _enum(schema), _const(schema), _string(schema), _bounds(schema), _object(schema), _array(schema),
    ) if check is not None]
    if not checks:
        return lambda _x: True
    if len(checks) == 1:
        return checks[0]
    return lambda x: all(check(x) for check in checks)


def _type(schema: dict) -> Check | None:  # _keywords.type: any of the listed types
    if "type" not in schema:
        return None
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if not names or not all(isinstance(n, str) and n in _TYPE_CHECKS for n in names):
        raise NotCompilable(f"type {schema['type']!r}")
    simple = {"array": list, "object": dict, "string": str}
    if all(n in simple for n in names):  # exact isinstance, no bool subtlety: the fast common case
        classes = tuple(simple[n] for n in names)
        return lambda x: isinstance(x, classes)
    if names == ["string", "null"] or names == ["null", "string"]:
        return lambda x: x is None or isinstance(x, str)
    checks = [_TYPE_CHECKS[n] for n in names]
    return lambda x: any(check(x) for check in checks)


def _one_of_values(members: list) -> Check:
    """Membership by ``_utils.equal`` for string and null members: equal(str, y) is ``str == y``;
    equal(None, y) is ``y is None`` (unbool(None) == unbool(y) only for None)."""
    if not all(m is None or isinstance(m, str) for m in members):
        raise NotCompilable("an enum or const with members other than strings and null")
    strings = frozenset(m for m in members if m is not None)
    allows_null = any(m is None for m in members)
    return lambda x: (isinstance(x, str) and x in strings) or (allows_null and x is None)


def _enum(schema: dict) -> Check | None:  # _keywords.enum
    if "enum" not in schema:
        return None
    if not isinstance(schema["enum"], list):
        raise NotCompilable("an enum that is not a list")
    return _one_of_values(schema["enum"])


def _const(schema: dict) -> Check | None:  # _keywords.const
    return _one_of_values([schema["const"]]) if "const" in schema else None


def _string(schema: dict) -> Check | None:  # _keywords.pattern (re.search) / minLength / maxLength
    pattern, low, high = schema.get("pattern"), schema.get("minLength"), schema.get("maxLength")
    if pattern is None and low is None and high is None:
        return None
    if pattern is not None and not isinstance(pattern, str):
        raise NotCompilable("a pattern that is not a string")
    for bound in (low, high):
        if bound is not None and not _is_integer(bound):
            raise NotCompilable("minLength/maxLength that are not integers")
    search = re.compile(pattern).search if pattern is not None else None

    def check(x: Any) -> bool:
        if not isinstance(x, str):
            return True
        if (low is not None and len(x) < low) or (high is not None and len(x) > high):
            return False
        return search is None or search(x) is not None

    return check


def _bounds(schema: dict) -> Check | None:  # _keywords.minimum / maximum / exclusive*: numbers only
    bounds = [schema.get(k) for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")]
    if all(b is None for b in bounds):
        return None
    if not all(b is None or _is_number(b) for b in bounds):
        raise NotCompilable("a bound that is not a number")
    low, high, above, below = bounds

    def check(x: Any) -> bool:
        if not _is_number(x):
            return True
        return ((low is None or not x < low) and (high is None or not x > high)
                and (above is None or not x <= above) and (below is None or not x >= below))

    return check


def _object(schema: dict) -> Check | None:  # _keywords.required / properties / additionalProperties
    required = schema.get("required", [])
    properties = schema.get("properties", {})
    additional = schema.get("additionalProperties", True)
    if not isinstance(required, list) or not isinstance(properties, dict):
        raise NotCompilable("required or properties of an unexpected shape")
    if not required and not properties and additional is True:
        return None
    compiled = {name: _compile(sub) for name, sub in properties.items()}
    items = tuple(compiled.items())
    if additional is not True and additional is not False and not isinstance(additional, dict):
        raise NotCompilable("additionalProperties of an unexpected kind")
    closed = additional is False  # any extra property is an error
    extra = _compile(additional) if isinstance(additional, dict) else None  # is_type(aP, "object")

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        for name in required:
            if name not in x:
                return False
        for name, sub in items:
            if name in x and not sub(x[name]):
                return False
        if closed:
            return all(key in compiled for key in x)
        if extra is not None:
            return all(extra(value) for key, value in x.items() if key not in compiled)
        return True

    return check


def _array(schema: dict) -> Check | None:  # _keywords.items (no prefixItems) / minItems / maxItems
    if "items" not in schema and "minItems" not in schema and "maxItems" not in schema:
        return None
    item = _compile(schema["items"]) if "items" in schema else None
    low, high = schema.get("minItems"), schema.get("maxItems")
    for bound in (low, high):
        if bound is not None and not _is_integer(bound):
            raise NotCompilable("minItems/maxItems that are not integers")

    def check(x: Any) -> bool:
        if not isinstance(x, list):
            return True
        if low is not None and len(x) < low:
            return False
        if high is not None and len(x) > high:
            return False
        return item is None or all(item(value) for value in x)

    return check
