"""The record: assembled once from a document's layers, validated, written deterministically."""

from .assemble import SCHEMA_VERSION, assemble_record
from .io import dumps_record, write_record_atomic
from .schema import load_schema, schema_errors
from .integrity import integrity_errors

__all__ = [
    "SCHEMA_VERSION",
    "assemble_record",
    "dumps_record",
    "write_record_atomic",
    "load_schema",
    "schema_errors",
    "integrity_errors",
]
