"""Writers for the three forms, all canonical: records sorted by id, keys in
canonical order, UTF-8 without escapes, a trailing newline.

Every file is written whole or not at all: the text is encoded first, written
to a temporary file beside the target and moved over it in one step, so a
failure never leaves a truncated or emptied file behind."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from unionstate.model import RECORD_TYPES

from .read import HEADER_FILE, HEADER_TYPE

#: File name of each record type in a data directory.
DIR_FILES: dict[str, str] = {t: f"{t}s.json" for t in RECORD_TYPES}


def _sorted(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(records, key=lambda r: str(r.get("id", "")))


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _header(header: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (header or {}).items() if k != "type"}


def dump_jsonl(header: Mapping[str, Any] | None, records: Iterable[Mapping[str, Any]]) -> str:
    """JSON Lines: the header line (``type: dataset``) first, then one record a line."""
    lines = []
    if header:
        lines.append(_compact({"type": HEADER_TYPE, **_header(header)}))
    lines.extend(_compact(r) for r in _sorted(records))
    return "".join(line + "\n" for line in lines)


def dump_document(header: Mapping[str, Any] | None, records: Iterable[Mapping[str, Any]]) -> str:
    """One JSON document: the header's fields, then ``records``; without a header, the
    bare array of records (a document of only ``records`` would be a header missing its
    required ``name``)."""
    if not _header(header):
        return _pretty(_sorted(records))
    return _pretty({**_header(header), "records": _sorted(records)})


def _mode_for(target: Path) -> int:
    """The permissions the file would have if written in place: the old file's, else
    those the umask allows (a temporary file starts private)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path``, replacing any file there only
    once the new content is complete on disk."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def render_dir(
    header: Mapping[str, Any] | None, records: Iterable[Mapping[str, Any]]
) -> dict[str, bytes]:
    """The files of the canonical data directory by name: ``dataset.json``
    and one file per record type (``persons.json``, ...), each a JSON array
    sorted by id. Types with no records have no file."""
    by_type: dict[str, list[Mapping[str, Any]]] = {t: [] for t in RECORD_TYPES}
    for r in records:
        by_type[str(r["type"])].append(r)
    files: dict[str, bytes] = {}
    if header:
        files[HEADER_FILE] = _pretty(_header(header)).encode("utf-8")
    for type_name, recs in by_type.items():
        if recs:
            files[DIR_FILES[type_name]] = _pretty(_sorted(recs)).encode("utf-8")
    return files


def write_files(folder: str | os.PathLike[str], files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (relative POSIX paths) into ``folder`` (created), each
    atomically; every file is encoded before any is written."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for rel in files:
        target = root.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, files[rel])
        written.append(target)
    return written


def write_dir(
    folder: str | os.PathLike[str],
    header: Mapping[str, Any] | None,
    records: Iterable[Mapping[str, Any]],
) -> list[Path]:
    """Write the canonical data directory (:func:`render_dir`)."""
    return write_files(folder, render_dir(header, records))
