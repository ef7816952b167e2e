"""The dataset's own forms as writers: JSON Lines, one JSON document, a data
directory (the canonical writers of :mod:`unionstate.io.write`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from unionstate.io.write import dump_document, dump_jsonl, render_dir

__all__ = ["render_dir", "render_document", "render_jsonl"]


def render_jsonl(
    header: Mapping[str, Any] | None, records: Sequence[Mapping[str, Any]]
) -> dict[str, bytes]:
    """``records.jsonl``: the header line, then one record a line."""
    return {"records.jsonl": dump_jsonl(header, records).encode("utf-8")}


def render_document(
    header: Mapping[str, Any] | None, records: Sequence[Mapping[str, Any]]
) -> dict[str, bytes]:
    """``dataset.json``: the whole dataset as one JSON document."""
    return {"dataset.json": dump_document(header, records).encode("utf-8")}
