"""The writer registry: every output format by name, serving ``unionstate
convert``, ``unionstate export`` and ``unionstate release`` alike.

A writer turns the canonical header and records into files: a pure function
whose bytes depend only on its input (and, for binary formats, on the version
of the library that writes them), so every export is reproducible. A new
format is one module with a render function and one :class:`Writer` entry in
:data:`WRITERS`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

#: The canonical header (``None`` when the dataset has none).
Header = Mapping[str, Any] | None
#: Canonical records (as :func:`unionstate.converter.unstructure` gives them).
Records = Sequence[Mapping[str, Any]]
#: Files by path relative to the output: one entry for a single-file format.
Files = dict[str, bytes]
Render = Callable[[Header, Records], Files]


@attrs.frozen(slots=True)
class Writer:
    """One output format.

    ``path`` is the file name of a single-file format, or the folder name of
    a folder format (``folder``); it is also where a release holds the
    output when ``in_release``. ``requires`` names the module of an optional
    extra (``extra``) without which the format is unavailable.
    """

    name: str
    description: str
    render: Render
    path: str
    mediatype: str
    file_format: str
    folder: bool = False
    in_release: bool = True
    #: Bytes that depend on the writing library's version (checked in a
    #: release by content, not by bytes).
    binary: bool = False
    requires: str | None = None
    extra: str | None = None
    #: The Data Package resource name of a single-file format.
    resource_name: str = ""
    #: For a binary format: its content in a form that does not depend on
    #: the writing library's version (how a release's copy is checked).
    canonical: Callable[[bytes], bytes] | None = None
    #: What a release's ``datapackage.json`` says of one of its files (by
    #: name inside ``path``), over the defaults: name, type, description,
    #: and for tables their dialect and Table Schema.
    describe: Callable[[str], dict[str, Any]] | None = None

    def available(self) -> bool:
        """Whether the module this format needs is installed."""
        return self.requires is None or importlib.util.find_spec(self.requires) is not None

    def missing(self) -> str | None:
        """Why the format cannot be written here, or ``None``."""
        if self.available():
            return None
        return (
            f"--to {self.name} needs the {self.requires!r} package: "
            f"pip install 'unionstate[{self.extra}]'"
        )

    def same(self, a: bytes, b: bytes) -> bool:
        """Whether two outputs of this format hold the same content."""
        if self.canonical is None:
            return a == b
        return self.canonical(a) == self.canonical(b)

    def release_files(self, header: Header, records: Records) -> Files:
        """The files as a release holds them (folder formats under ``path``)."""
        files = self.render(header, records)
        if not self.folder:
            return files
        return {f"{self.path}/{rel}": data for rel, data in files.items()}


def _writers() -> dict[str, Writer]:
    from . import ftm, native, parquet, popolo, sqlite, tables

    entries = [
        Writer(
            "jsonl",
            "JSON Lines: the header line first, then one record a line, sorted by id.",
            native.render_jsonl,
            path="records.jsonl",
            mediatype="application/jsonl",
            file_format="jsonl",
            resource_name="records",
        ),
        Writer(
            "json",
            "The whole dataset as one JSON document.",
            native.render_document,
            path="dataset.json",
            mediatype="application/json",
            file_format="json",
            resource_name="dataset",
        ),
        Writer(
            "dir",
            "A data directory: dataset.json and one JSON array per record type.",
            native.render_dir,
            path="data",
            mediatype="application/json",
            file_format="json",
            folder=True,
            in_release=False,
        ),
        Writer(
            "csv",
            "One CSV table per record type (RFC 4180, UTF-8), formulas neutralised.",
            lambda header, records: tables.render_tables(records),
            path="csv",
            mediatype="text/csv",
            file_format="csv",
            folder=True,
            describe=tables.resource,
        ),
        Writer(
            "popolo",
            "Popolo 1.0.1 JSON: persons, organizations, posts, memberships, events, areas.",
            popolo.render,
            path="popolo.json",
            mediatype="application/json",
            file_format="json",
            resource_name="popolo",
        ),
        Writer(
            "ftm",
            "FollowTheMoney entities as JSON Lines (Aleph, OpenSanctions tooling).",
            ftm.render,
            path="followthemoney.jsonl",
            mediatype="application/jsonl",
            file_format="jsonl",
            resource_name="followthemoney",
        ),
        Writer(
            "sqlite",
            "An SQLite database: a table per record type, nested tables, views, full-text search.",
            sqlite.render,
            path="unionstate.sqlite",
            mediatype="application/vnd.sqlite3",
            file_format="sqlite",
            binary=True,
            resource_name="sqlite",
            canonical=sqlite.dump,
        ),
        Writer(
            "parquet",
            "One Parquet file per table of the SQLite export.",
            parquet.render,
            path="parquet",
            mediatype="application/vnd.apache.parquet",
            file_format="parquet",
            folder=True,
            binary=True,
            canonical=parquet.content,
        ),
    ]
    return {w.name: w for w in entries}


#: Every format by name, in the order the help lists them.
WRITERS: dict[str, Writer] = _writers()


def writer(name: str) -> Writer:
    """The writer of format ``name``; raises ``KeyError`` for an unknown one."""
    return WRITERS[name]


def release_writers() -> list[Writer]:
    """The formats every release holds, in release order."""
    return [w for w in WRITERS.values() if w.in_release]


__all__ = ["WRITERS", "Files", "Header", "Records", "Render", "Writer", "release_writers", "writer"]
