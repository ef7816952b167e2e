"""An atheris harness over the reader and validator (optional; not run in CI).

    pip install atheris
    python fuzz/fuzz_validate.py -max_total_time=600 -max_len=4096 fuzz/corpus

The entry points are the ones `unionstate validate` uses; the only outcomes
allowed are a report or InputError (exit 2). Any other exception is a bug and
atheris stops with the input that caused it.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

import atheris  # type: ignore[import-not-found]

with atheris.instrument_imports():
    from unionstate.io import InputError
    from unionstate.pipeline import validate_path

_DIR = Path(tempfile.mkdtemp(prefix="unionstate-fuzz-"))


def one_input(data: bytes) -> None:
    if not data:
        return
    # the first byte chooses: bit 0 JSON Lines, bit 1 the rules, bit 2 CSV
    suffix = ".csv" if data[0] & 4 else ".jsonl" if data[0] & 1 else ".json"
    path = _DIR / f"input{suffix}"
    path.write_bytes(data[1:])
    with contextlib.suppress(InputError):
        validate_path(path, rules=bool(data[0] & 2))


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
