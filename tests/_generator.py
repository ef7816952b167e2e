"""Load benchmarks/generate.py and the other benchmark scripts (not a package) for
the tests that use them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_generator() -> ModuleType:
    """The benchmark generator module, loaded once."""
    return load_benchmark("generate")


def load_benchmark(stem: str) -> ModuleType:
    """The module ``benchmarks/<stem>.py``, loaded once."""
    name = f"us_benchmarks_{stem}"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).resolve().parent.parent / "benchmarks" / f"{stem}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # NamedTuple and friends look their module up
    spec.loader.exec_module(mod)
    return mod
