"""HTML reader (not implemented yet: see the issue that adds it)."""

from __future__ import annotations

from ..document import Document
from ..errors import UnsupportedFormatError


def read_html_bytes(data: bytes, *, path: str) -> Document:
    raise UnsupportedFormatError("HTML input is not supported yet; convert it to plain text or Markdown first", path=path)
