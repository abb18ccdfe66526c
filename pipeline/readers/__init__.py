"""Readers turn the bytes of one input file into a :class:`~pipeline.document.Document`.

A reader decodes and normalises; it never guesses at meaning (sections, titles, entities are the
stages' business). :func:`read_document` picks the reader from the file's content first and its
extension second, so a misnamed file is still read correctly or refused clearly.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..document import Document
from ..errors import EmptyInputError, UnreadableInputError, UnsupportedFormatError
from .text import read_text_bytes

#: Extensions handled by the plain-text/Markdown reader and the media type each implies.
TEXT_MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
}

#: Extensions of the other readers; the content decides first (see :func:`sniff_format`).
FORMAT_EXTENSIONS = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "jats",
    ".nxml": "jats",
}

#: Content signatures of formats that have no reader; refusing them beats decoding garbage.
_UNSUPPORTED_SIGNATURES = (
    (b"PK\x03\x04", "ZIP/Office"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip-compressed"),
)

SUPPORTED_EXTENSIONS = tuple(TEXT_MEDIA_TYPES) + tuple(FORMAT_EXTENSIONS)

# A comment's body may not run past its "-->": with ".*?" there, comments could absorb each other
# in exponentially many ways, and 40 empty comments before non-HTML took hours to refuse.
_HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--(?:[^-]|-(?!->))*-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<meta|<title)", re.IGNORECASE | re.DOTALL)
_XML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:\?xml|!DOCTYPE|[A-Za-z])")
_JATS_HINT = re.compile(rb"<!DOCTYPE\s+(?:article|pmc-articleset)|<article[\s>]|JATS|NLM//DTD", re.IGNORECASE)


def sniff_format(data: bytes, suffix: str) -> str:
    """The reader for ``data``: "pdf", "html", "jats" or "text". Content first, extension second.

    A misnamed file (HTML saved as .txt, a PDF without .pdf) is still read by the right reader.
    """
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if _HTML_START.match(head):
        return "html"
    if _XML_START.match(head) and _JATS_HINT.search(head):
        return "jats"
    by_extension = FORMAT_EXTENSIONS.get(suffix)
    if by_extension == "pdf":
        return "text"  # named .pdf but no PDF header: read as text, which refuses binary data clearly
    if by_extension is not None:
        return by_extension
    return "text"


def read_document(path: str | os.PathLike[str], *, display_path: str | None = None) -> Document:
    """Read the file at ``path`` into a Document.

    ``display_path`` is what the record shows as ``source.path`` (default: ``path`` as given), so
    records never contain absolute paths the user did not type.
    """
    shown = display_path if display_path is not None else os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise UnreadableInputError("is a folder, not a file; pass the folder to `pipeline convert` instead", path=shown) from None
    except FileNotFoundError:
        raise UnreadableInputError("file not found; check the path", path=shown) from None
    except OSError as exc:
        raise UnreadableInputError(f"cannot read the file ({exc.strerror or exc}); check its permissions", path=shown) from None
    return read_bytes(data, shown)


def read_bytes(data: bytes, path: str) -> Document:
    """Read already-loaded bytes; ``path`` names the source in the record and in errors."""
    if not data:
        raise EmptyInputError("the file is empty (0 bytes); there is nothing to convert", path=path)
    suffix = Path(path).suffix.lower()
    kind = sniff_format(data, suffix)
    if kind == "pdf":
        from .pdf import read_pdf_bytes

        return read_pdf_bytes(data, path=path)
    if kind == "html":
        from .html import read_html_bytes

        return read_html_bytes(data, path=path)
    if kind == "jats":
        from .jats import read_jats_bytes

        return read_jats_bytes(data, path=path)
    for signature, name in _UNSUPPORTED_SIGNATURES:
        if data.startswith(signature):
            raise UnsupportedFormatError(
                f"this is a {name} file, which pipeline cannot read; supported inputs are {', '.join(SUPPORTED_EXTENSIONS)}",
                path=path,
            )
    media_type = TEXT_MEDIA_TYPES.get(suffix)
    if media_type is None:
        media_type = "text/markdown" if _looks_like_markdown(data) else "text/plain"
    return read_text_bytes(data, path=path, media_type=media_type)


def _looks_like_markdown(data: bytes) -> bool:
    head = data[:4096]
    return head.startswith(b"# ") or b"\n# " in head or b"\n## " in head
