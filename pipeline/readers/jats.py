"""JATS XML reader (not implemented yet: see the issue that adds it)."""

from __future__ import annotations

from ..document import Document
from ..errors import UnsupportedFormatError


def read_jats_bytes(data: bytes, *, path: str) -> Document:
    raise UnsupportedFormatError("JATS XML input is not supported yet; convert it to plain text or Markdown first", path=path)
