"""pipeline: biomedical and pharmacology articles to structured, JSON-Schema-validated summary records.

Library API::

    from pipeline import convert_file
    record = convert_file("samples/ketamine-psychedelics-explainer.txt")

The CLI (``pipeline convert``, ``pipeline validate``, ``pipeline schema``) is a thin layer over
:mod:`pipeline.recipe`, :mod:`pipeline.batch` and :mod:`pipeline.validate`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .recipe import convert_bytes, convert_document, convert_file  # noqa: E402

__all__ = ["__version__", "convert_file", "convert_bytes", "convert_document"]
