"""Load the repository's scripts and scorers (``scripts/``, ``eval/``) as modules, for the tests that check them.

They are not a package, so each is loaded from its file; it is registered in ``sys.modules`` under its
file name first, because dataclasses look their module up while the script loads.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def load_repo_module(relative_path: str) -> ModuleType:
    """The module in ``REPO / relative_path`` (e.g. ``"scripts/build_lexicon.py"``), freshly executed."""
    path = REPO / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
