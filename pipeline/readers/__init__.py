"""Readers turn the bytes of one input file into a :class:`~pipeline.document.Document`.

A reader decodes and normalises; it never guesses at meaning (sections, titles, entities are the
stages' business). :func:`read_document` picks the reader from the file's content first and its
extension second, so a misnamed file is still read correctly or refused clearly.
"""

from __future__ import annotations

import os
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

#: Content signatures of formats that have no reader yet; refusing them beats decoding garbage.
_UNSUPPORTED_SIGNATURES = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP/Office"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
)

SUPPORTED_EXTENSIONS = tuple(TEXT_MEDIA_TYPES)


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
    for signature, name in _UNSUPPORTED_SIGNATURES:
        if data.startswith(signature):
            raise UnsupportedFormatError(
                f"this is a {name} file, which this version cannot read yet; supported inputs are plain text and Markdown ({', '.join(SUPPORTED_EXTENSIONS)})",
                path=path,
            )
    suffix = Path(path).suffix.lower()
    media_type = TEXT_MEDIA_TYPES.get(suffix)
    if media_type is None:
        media_type = "text/markdown" if _looks_like_markdown(data) else "text/plain"
    return read_text_bytes(data, path=path, media_type=media_type)


def _looks_like_markdown(data: bytes) -> bool:
    head = data[:4096]
    return head.startswith(b"# ") or b"\n# " in head or b"\n## " in head
