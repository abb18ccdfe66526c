"""Errors with stable codes, so users, batch reports and CI can tell problems apart.

Two branches under one base class:

* :class:`InputError` — the *input* is at fault (empty, binary, undecodable, unreadable). The user
  fixes the file; a batch records the error and moves on.
* :class:`DefectError` — *our* code is at fault (an invalid record, a span outside the text). These
  must never be hidden: they fail loudly so that a bug report can be written.

Codes are stable strings (``P1xx`` input, ``P2xx`` usage/configuration, ``P9xx`` defect); tests and
downstream tools match on the code, never on the wording. Every message says what happened and
what to do about it.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class of every error this package raises on purpose."""

    code = "P000"

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"[{self.code}] {where}{self.message}"

    def to_dict(self) -> dict:
        """A JSON-friendly form for error reports (``errors.jsonl``)."""
        return {"code": self.code, "message": self.message, "path": self.path, "kind": self.kind}

    @property
    def kind(self) -> str:
        return "input" if isinstance(self, InputError) else "usage" if isinstance(self, UsageError) else "defect"


class InputError(PipelineError):
    """The input cannot be converted; the fix is in the input file."""

    code = "P100"


class EmptyInputError(InputError):
    code = "P101"


class BinaryInputError(InputError):
    code = "P102"


class UndecodableInputError(InputError):
    code = "P103"


class UnreadableInputError(InputError):
    code = "P104"


class UnsupportedFormatError(InputError):
    code = "P105"


class InputOutputError(InputError):
    """The operating system refused to read an input or write its record (permissions, disk full)."""

    code = "P106"


class InvalidXmlError(InputError):
    """An XML input (JATS) that is not well-formed, or has no article content to read."""

    code = "P107"


class UnsafeXmlError(InputError):
    """An XML input that declares entities or external references (entity bombs, external entities)."""

    code = "P108"


class EncryptedPdfError(InputError):
    """The PDF needs a password to open; pipeline never guesses passwords."""

    code = "P110"


class DamagedPdfError(InputError):
    """The PDF cannot be parsed (truncated download, corrupted bytes)."""

    code = "P111"


class EmptyPdfError(InputError):
    """The PDF opens but has no pages."""

    code = "P112"


class NoTextLayerError(InputError):
    """The PDF's pages carry no text (a scan or images only); it needs OCR first."""

    code = "P113"


class DocumentTimeoutError(InputError):
    """Converting one input took longer than the batch's ``--timeout``; the batch went on."""

    code = "P120"


class WorkerCrashError(InputError):
    """The worker process converting an input died (native crash, out of memory); the batch went on."""

    code = "P121"


class NoMainTextError(InputError):
    """A web page with no main text to extract (only scripts, navigation, or an empty body)."""

    code = "P130"


class InputTooLargeError(InputError):
    """An input larger than a reader can process safely (e.g. an HTML page over 20 MB)."""

    code = "P131"


class UsageError(PipelineError):
    """The command was called wrongly (bad option, missing output folder, broken schema file)."""

    code = "P200"


class SchemaLoadError(UsageError):
    code = "P201"


class DefectError(PipelineError):
    """A bug in this package. Please report it with the input that triggered it."""

    code = "P900"


class SpanError(DefectError):
    code = "P901"


class ModelMissingError(DefectError):
    """A packaged model or data file is missing: the installation is incomplete."""

    code = "P903"


class InvalidRecordError(DefectError):
    """An assembled record failed schema or integrity validation: never written."""

    code = "P902"

    def __init__(self, message: str, *, path: str | None = None, problems: list[str] | None = None) -> None:
        super().__init__(message, path=path)
        self.problems = list(problems or [])


class DecisionsError(InputError):
    """A decisions file (``<name>.review.json``) is not valid JSON or breaks the decisions schema."""

    code = "P140"


class ReviewConflictError(UsageError):
    """A save was refused because the draft or its decisions changed since the editor loaded them."""

    code = "P210"


class ApprovalRefusedError(UsageError):
    """A record cannot be approved while items are pending or decisions are in conflict."""

    code = "P211"
