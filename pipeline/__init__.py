"""pipeline: biomedical and pharmacology articles to structured, JSON-Schema-validated summary records.

Library API::

    from pipeline import convert_file
    record = convert_file("samples/ketamine-psychedelics-explainer.txt")

The CLI (``pipeline convert``, ``pipeline validate``, ``pipeline schema``) is a thin layer over
:mod:`pipeline.recipe`, :mod:`pipeline.batch` and :mod:`pipeline.validate`. The conversion
functions are imported on first use, so ``pipeline --help`` does not pay for loading spaCy.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "convert_file", "convert_bytes", "convert_document"]


def __getattr__(name: str):
    if name in ("convert_file", "convert_bytes", "convert_document"):
        from . import recipe

        return getattr(recipe, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
