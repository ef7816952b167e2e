"""Load benchmarks/generate.py (not a package) for the tests that use it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_generator() -> ModuleType:
    """The benchmark generator module, loaded once."""
    name = "us_benchmarks_generate"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # NamedTuple and friends look their module up
    spec.loader.exec_module(mod)
    return mod
