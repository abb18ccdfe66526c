"""Import spaCy without importing its command-line interface.

Why: ``import spacy`` runs ``from .cli.info import info``, and ``spacy.cli`` pulls in typer, weasel,
requests, httpx, jinja2 and spaCy's project tooling: about 0.45 s of the 1.1 s import on this
machine, paid by every ``pipeline convert`` (and by the batch fork server before any worker can
start), although the pipeline never uses spaCy's CLI.

:func:`import_spacy` puts two small stand-in modules under ``spacy.cli`` and ``spacy.cli.info``
while ``spacy`` itself is imported, then takes them away again: afterwards ``import spacy.cli``
(by the program that imported us, or by ``scripts/train_ner.py``) loads the real CLI as usual,
and ``spacy.info`` (the one name ``spacy/__init__.py`` takes from the CLI) imports the real one
on its first call. If spaCy is already imported, nothing happens.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_STAND_INS = ("spacy.cli.info", "spacy.cli")


def import_spacy() -> Any:
    """The ``spacy`` module, imported (once per process) without ``spacy.cli``."""
    already = sys.modules.get("spacy")
    if already is not None:
        return already
    cli = types.ModuleType("spacy.cli", "stand-in while spacy is imported (pipeline._spacy)")
    cli.__path__ = []  # a package, as the real one is
    info_module = types.ModuleType("spacy.cli.info", "stand-in while spacy is imported (pipeline._spacy)")
    info_module.info = _real_info
    cli.info = info_module
    installed = {"spacy.cli": cli, "spacy.cli.info": info_module}
    for name, module in installed.items():
        sys.modules.setdefault(name, module)
    try:
        import spacy
    finally:
        for name in _STAND_INS:
            if sys.modules.get(name) is installed[name]:
                del sys.modules[name]
        spacy_module = sys.modules.get("spacy")
        if spacy_module is not None and getattr(spacy_module, "cli", None) is cli:
            delattr(spacy_module, "cli")
    _group_entry_points()
    return spacy


def _group_entry_points() -> None:
    """Index the installed packages' entry points by group, once, for spaCy's registries.

    Why: every registry lookup (``catalogue``, ~100 while the models load) filters the whole list
    of entry points of every installed package for its group (``EntryPoints.select``): ~0.05 s of
    each worker's warm-up. ``catalogue`` reads a plain dict of group -> entry points the same way
    (it is what older Pythons give it), so the lookups find the same entry points, at once.
    """
    import catalogue

    available = catalogue.AVAILABLE_ENTRY_POINTS
    if not hasattr(available, "select"):
        return  # already a dict
    grouped: dict[str, list] = {}
    for entry_point in available:
        grouped.setdefault(entry_point.group, []).append(entry_point)
    catalogue.AVAILABLE_ENTRY_POINTS = grouped


def _real_info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info`` as spaCy defines it, imported on first use."""
    return importlib.import_module("spacy.cli.info").info(*args, **kwargs)


def keep_lexeme_attributes(vocab: Any, keep: set[int]) -> None:
    """Compute only the lexeme attributes in ``keep`` for words ``vocab`` meets from now on.

    Why: spaCy computes every attribute its language defines (23 Python functions for English:
    shape, like_num, like_url, is_stop, ...) for each word the first time a vocabulary sees it,
    but the NER models read four of them and the pattern engine two plus its own flags. On the
    439 MEDLINE abstracts that first sight is most of the cost of building a document (0.33 vs
    0.16 CPU seconds for the model's 13,360 new words). Lexemes already in ``vocab`` keep all
    their attributes; the ones made later read 0 for the dropped ones, so only a vocabulary that
    nothing else reads may be trimmed, and only after its last ``add_flag`` (spaCy gives a new
    flag the first bit no getter uses, which could be a dropped attribute's bit).
    """
    vocab.lex_attr_getters = {attr: get for attr, get in vocab.lex_attr_getters.items() if attr in keep}


def attribute_ids(names: Any) -> set[int]:
    """spaCy's attribute IDs for ``names`` (IDs or names such as "NORM"); unknown names are skipped."""
    from spacy.attrs import IDS

    ids = set()
    for name in names:
        if isinstance(name, int):
            ids.add(name)
        elif isinstance(name, str) and name.upper() in IDS:
            ids.add(IDS[name.upper()])
    return ids
