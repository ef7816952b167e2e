"""Versioned data releases: build, verify, and read them back.

A release of version ``X.Y.Z`` is a folder ``unionstate-data-X.Y.Z/`` and its
archive ``unionstate-data-X.Y.Z.tar.gz`` beside it (layout, CSV flattening and
guarantees in ``docs/releasing.md``):

* **deterministic**: the same data, version and creation time give
  byte-identical files and archives (sorted entries, fixed mtimes, uid/gid 0,
  no user names, gzip without file name or time);
* **immutable**: an existing version is never overwritten;
* **atomic**: the release is built in a hidden temporary folder inside the
  output folder and renamed into place at the end, so an interrupted build
  leaves nothing that looks like a release;
* **verifiable**: ``SHA256SUMS`` and ``datapackage.json`` carry the size and
  SHA-256 of every file, and :func:`verify` names each file altered, added or
  missing.

:func:`release_records` lets the readers open a release folder or archive
(archives are extracted safely: no ``..``, absolute paths, links or devices,
and a bounded total size, all checked before anything is written).
"""

from __future__ import annotations

import argparse
import atexit
import csv
import datetime
import enum
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import typing
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from unionstate import __version__
from unionstate.converter import structure, unstructure
from unionstate.diff import (
    Diff,
    Side,
    diff_sides,
    parse_version,
    read_side,
    understates,
)
from unionstate.io.read import InputError, RawDataset, read
from unionstate.io.write import dump_document, dump_jsonl
from unionstate.model import EXTENSION_PREFIX, RECORD_TYPES, DatasetInfo
from unionstate.pipeline import validate_path
from unionstate.report import Report
from unionstate.schema import all_schemas
from unionstate.schema.generate import SCHEMA_VERSION, _strip_optional, field_order, hints

#: Folder and archive names: ``unionstate-data-X.Y.Z`` and ``.tar.gz``.
RELEASE_PREFIX = "unionstate-data-"
ARCHIVE_SUFFIX = ".tar.gz"
SUMS_FILE = "SHA256SUMS"
PACKAGE_FILE = "datapackage.json"
RECORDS_FILE = "records.jsonl"
DOCUMENT_FILE = "dataset.json"
CHANGES_FILE = "CHANGES.md"
CSV_DIR = "csv"
SCHEMA_DIR = "schemas"

#: Archive extraction limits: never more than this many bytes in all...
MAX_EXTRACT_BYTES = 1 << 30
#: ...nor more than this many times the archive's size (with a floor, so a
#: small release whose repetitive schemas compress well still opens)...
MAX_EXTRACT_RATIO = 50
MIN_EXTRACT_LIMIT = 64 << 20
#: ...nor more than this many entries.
MAX_MEMBERS = 10_000

#: Separator of the ids in a CSV cell of an id list (ids have no spaces).
ID_SEPARATOR = " | "

EXIT_OK, EXIT_INVALID, EXIT_UNUSABLE = 0, 1, 2

_LICENSES = {
    "CC-BY-4.0": (
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0 International",
    ),
    "CC0-1.0": (
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "Creative Commons Zero v1.0 Universal",
    ),
    "ODbL-1.0": ("https://opendatacommons.org/licenses/odbl/1-0/", "Open Database License 1.0"),
}


class ReleaseError(Exception):
    """A release that is refused: invalid data (exit 1, with ``report``) or a
    usage problem such as an existing or under-stated version (exit 2)."""

    def __init__(self, message: str, exit_code: int = EXIT_UNUSABLE, report: Report | None = None):
        super().__init__(message)
        self.exit_code = exit_code
        self.report = report


class UnsafeArchiveError(InputError):
    """An archive with an entry that could escape or overwhelm the folder it
    is extracted into; nothing was written."""


# -- archives -------------------------------------------------------------------


def _limit(archive: Path, max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    size = archive.stat().st_size
    return min(MAX_EXTRACT_BYTES, max(MAX_EXTRACT_RATIO * size, MIN_EXTRACT_LIMIT))


def _safe_name(name: str) -> PurePosixPath | None:
    """The entry's path when it stays inside the folder, else ``None``."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return None
    p = PurePosixPath(name)
    if p.is_absolute() or re.match(r"^[A-Za-z]:", name):
        return None
    parts = [x for x in p.parts if x != "."]
    if not parts or any(x == ".." for x in parts):
        return None
    return PurePosixPath(*parts)


def check_archive(archive: str | os.PathLike[str], *, max_bytes: int | None = None) -> list[str]:
    """Check every entry of a ``.tar.gz`` without extracting anything: only
    regular files and folders, relative paths without ``..``, no duplicates,
    at most :data:`MAX_MEMBERS` entries and ``max_bytes`` in all (default:
    50 × the archive's size, at least 64 MiB, at most 1 GiB).

    Returns the entry paths; raises :class:`UnsafeArchiveError` or
    :class:`InputError` (not a gzip'd tar).
    """
    path = Path(archive)
    limit = _limit(path, max_bytes)
    names: list[str] = []
    seen: set[PurePosixPath] = set()
    total = 0
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for m in tar:  # lazily: refuse before reading past a bad header
                safe = _safe_name(m.name)
                if safe is None:
                    raise UnsafeArchiveError(f"{path}: unsafe entry path {m.name!r}")
                if not (m.isfile() or m.isdir()):
                    kind = "a link" if (m.issym() or m.islnk()) else "a device or special file"
                    raise UnsafeArchiveError(f"{path}: entry {m.name!r} is {kind}")
                if safe in seen:
                    raise UnsafeArchiveError(f"{path}: entry {m.name!r} appears twice")
                seen.add(safe)
                total += m.size
                if total > limit:
                    raise UnsafeArchiveError(
                        f"{path}: entries declare more than {limit} bytes in all "
                        f"(at {m.name!r}); refused"
                    )
                if len(seen) > MAX_MEMBERS:
                    raise UnsafeArchiveError(f"{path}: more than {MAX_MEMBERS} entries")
                names.append(str(safe))
    except UnsafeArchiveError:
        raise
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: not a readable .tar.gz archive ({exc})") from None
    return names


def extract_archive(
    archive: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    max_bytes: int | None = None,
) -> list[Path]:
    """Extract a release archive into ``dest`` (created; must not exist)
    after :func:`check_archive` passed. Files get mode 0644, folders 0755;
    nothing of the archive's owners, modes or links is kept. Returns the
    top-level entries."""
    src = Path(archive)
    names = set(check_archive(src, max_bytes=max_bytes))
    root = Path(dest)
    root.mkdir(parents=True, exist_ok=False)
    limit = _limit(src, max_bytes)
    written = 0
    with tarfile.open(src, mode="r:gz") as tar:
        for m in tar:
            safe = _safe_name(m.name)
            if safe is None or str(safe) not in names:  # changed under our feet
                raise UnsafeArchiveError(f"{src}: the archive changed while being read")
            target = root.joinpath(*safe.parts)
            if m.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fh = tar.extractfile(m)
            if fh is None:
                raise UnsafeArchiveError(f"{src}: entry {m.name!r} has no data")
            with fh, open(target, "xb") as out:
                while chunk := fh.read(1 << 16):
                    written += len(chunk)
                    if written > limit:
                        raise UnsafeArchiveError(f"{src}: more than {limit} bytes; refused")
                    out.write(chunk)
            os.chmod(target, 0o644)
    return sorted(root.iterdir())


_EXTRACTED: list[Path] = []


def _cleanup() -> None:  # pragma: no cover - runs at exit
    for p in _EXTRACTED:
        shutil.rmtree(p, ignore_errors=True)


atexit.register(_cleanup)


def _is_archive(p: Path) -> bool:
    return p.name.endswith((".tar.gz", ".tgz"))


def _release_root(folder: Path) -> Path:
    """The release folder inside an extracted archive: its only entry."""
    entries = list(folder.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    if (folder / PACKAGE_FILE).is_file():
        return folder
    raise InputError(f"{folder}: not a release archive (expected one folder with {PACKAGE_FILE})")


def open_release(path: str | os.PathLike[str], workdir: Path | None = None) -> Path | None:
    """The release folder of ``path``: itself when it is a folder with
    ``datapackage.json``, or for an archive the folder it extracts to (in
    ``workdir``, or a temporary folder removed at exit). ``None`` when
    ``path`` is neither."""
    p = Path(path)
    if p.is_dir():
        return p if (p / PACKAGE_FILE).is_file() else None
    if p.is_file() and _is_archive(p):
        check_archive(p)  # before any folder is made
        if workdir is None:
            workdir = Path(tempfile.mkdtemp(prefix="unionstate-release-"))
            _EXTRACTED.append(workdir)
        target = workdir / "x"
        extract_archive(p, target)
        return _release_root(target)
    return None


def release_records(path: str | os.PathLike[str]) -> Path | None:
    """The ``records.jsonl`` of a release folder (one with
    ``datapackage.json``) or of a release archive (``.tar.gz``, extracted
    safely into a temporary folder removed at exit); ``None`` for any other
    path, which the readers then read as usual.

    Raises :class:`UnsafeArchiveError` for an unsafe archive and
    :class:`InputError` for an archive that is not a release.
    """
    root = open_release(path)
    if root is None:
        return None
    records = root / RECORDS_FILE
    if not records.is_file():
        raise InputError(f"{path}: a release without {RECORDS_FILE}")
    return records


# -- CSV tables -----------------------------------------------------------------


class Cell(enum.StrEnum):
    """How a field is written in a CSV cell."""

    TEXT = "text"  # the string as is (also enums, dates, URLs, single ids)
    INTEGER = "integer"  # decimal digits
    BOOLEAN = "boolean"  # true / false
    IDS = "ids"  # a list of record ids joined by " | "
    JSON = "json"  # compact JSON (objects, lists of objects, free-text lists)


_TABLE_TYPE = {
    Cell.TEXT: "string",
    Cell.INTEGER: "integer",
    Cell.BOOLEAN: "boolean",
    Cell.IDS: "string",
    Cell.JSON: "string",
}
_CELL_NOTE = {
    Cell.TEXT: "",
    Cell.INTEGER: "",
    Cell.BOOLEAN: "",
    Cell.IDS: " Record ids joined by ' | '; empty when none.",
    Cell.JSON: " Compact JSON; empty when absent or empty.",
}


@attrs.frozen(slots=True)
class Column:
    """One CSV column of a record type."""

    name: str
    cell: Cell
    description: str
    required: bool = False
    default: bool | int | None = None
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    ref: tuple[str, ...] = ()

    def render(self, record: Mapping[str, Any]) -> str:
        if self.name == "extensions":
            ext = {k: record[k] for k in sorted(record) if k.startswith(EXTENSION_PREFIX)}
            return _compact(ext) if ext else ""
        value = record.get(self.name, self.default)
        if value is None:
            return ""
        if self.cell is Cell.BOOLEAN:
            return "true" if value else "false"
        if self.cell is Cell.INTEGER:
            return str(int(value))
        if self.cell is Cell.IDS:
            return ID_SEPARATOR.join(value)
        if self.cell is Cell.JSON:
            return _compact(value) if value not in ([], {}, ()) else ""
        return str(value)

    def descriptor(self) -> dict[str, Any]:
        """The Table Schema field."""
        out: dict[str, Any] = {
            "name": self.name,
            "type": _TABLE_TYPE[self.cell],
            "description": (self.description + _CELL_NOTE[self.cell]).strip(),
            "unionstate:cell": self.cell.value,
        }
        if self.cell is Cell.BOOLEAN:
            out["trueValues"] = ["true"]
            out["falseValues"] = ["false"]
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.name == "id":
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if constraints:
            out["constraints"] = constraints
        return out


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def columns(type_name: str) -> list[Column]:
    """The CSV columns of a record type: its fields in canonical order, then
    ``extensions`` (every ``x_`` key, as one JSON object)."""
    cls = RECORD_TYPES[type_name]
    th = hints(cls)
    fields = {f.name: f for f in attrs.fields(cls)}
    schema = all_schemas()[type_name]
    required = set(schema.get("required", []))
    out = []
    for name in field_order(cls):
        f = fields[name]
        meta = f.metadata
        tp, _ = _strip_optional(th[name])
        default: bool | int | None = None
        values: tuple[str, ...] = ()
        if typing.get_origin(tp) is tuple:
            item = typing.get_args(tp)[0]
            cell = Cell.IDS if item is str and "ref" in meta else Cell.JSON
        elif tp is bool:
            cell = Cell.BOOLEAN
            default = f.default if isinstance(f.default, bool) else None
        elif tp is int:
            cell = Cell.INTEGER
            default = f.default if isinstance(f.default, int) else None
        elif isinstance(tp, type) and issubclass(tp, enum.Enum):
            cell = Cell.TEXT
            values = tuple(str(m.value) for m in tp)
        elif tp is str:
            cell = Cell.TEXT
        else:
            cell = Cell.JSON
        out.append(
            Column(
                name=name,
                cell=cell,
                description=str(meta.get("description", "")),
                required=name in required,
                default=default,
                enum=values,
                minimum=meta.get("minimum"),
                ref=tuple(meta.get("ref", ())),
            )
        )
    out.append(
        Column(
            "extensions",
            Cell.JSON,
            "Third-party fields (keys starting with 'x_') as one JSON object.",
        )
    )
    return out


def table_name(type_name: str) -> str:
    """The CSV resource name of a record type: ``person`` → ``persons``."""
    return f"{type_name}s"


def render_csv(type_name: str, records: Iterable[Mapping[str, Any]]) -> bytes:
    """One CSV table (RFC 4180: comma, ``"`` quoting where needed, CRLF,
    UTF-8 without BOM, a header row) of canonical records of one type, by id."""
    cols = columns(type_name)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow([c.name for c in cols])
    for r in sorted(records, key=lambda r: str(r.get("id", ""))):
        w.writerow([c.render(r) for c in cols])
    return buf.getvalue().encode("utf-8")


def table_schema(type_name: str) -> dict[str, Any]:
    """The Table Schema of a record type's CSV."""
    cols = columns(type_name)
    out: dict[str, Any] = {
        "fields": [c.descriptor() for c in cols],
        "missingValues": [""],
        "primaryKey": ["id"],
    }
    fks = [
        {"fields": [c.name], "reference": {"resource": table_name(c.ref[0]), "fields": ["id"]}}
        for c in cols
        if c.cell is Cell.TEXT and len(c.ref) == 1
    ]
    if fks:
        out["foreignKeys"] = fks
    return out


# -- building -------------------------------------------------------------------


def release_name(version: str) -> str:
    return f"{RELEASE_PREFIX}{version}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def resolve_created(
    option: str | None,
    as_of: str | None,
    environ: Mapping[str, str] | None = None,
) -> datetime.datetime:
    """The release's creation time, deterministic by construction: ``option``
    (``--created``: a day ``YYYY-MM-DD`` or an ISO 8601 time with an offset)
    first, then ``SOURCE_DATE_EPOCH``, then the dataset's ``as_of`` day at
    00:00 UTC. Raises :class:`ReleaseError` when none is usable."""
    env = os.environ if environ is None else environ
    if option:
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", option):
                d = datetime.date.fromisoformat(option)
                return datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.UTC)
            t = datetime.datetime.fromisoformat(option.replace("Z", "+00:00"))
        except ValueError:
            raise ReleaseError(f"--created {option!r} is not an ISO 8601 day or time") from None
        if t.tzinfo is None:
            raise ReleaseError(f"--created {option!r} needs a UTC offset, e.g. 'Z'")
        return t.astimezone(datetime.UTC).replace(microsecond=0)
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
        except (ValueError, OverflowError, OSError):
            raise ReleaseError(f"SOURCE_DATE_EPOCH {epoch!r} is not a Unix time") from None
    if as_of and re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of):
        d = datetime.date.fromisoformat(as_of)
        return datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.UTC)
    raise ReleaseError(
        "no creation time: the dataset has no 'as_of' day; pass --created or set SOURCE_DATE_EPOCH"
    )


def _iso(t: datetime.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _header(raw_header: Mapping[str, Any] | None, version: str) -> dict[str, Any]:
    src = {k: v for k, v in (raw_header or {}).items() if k != "type"}
    src["version"] = version
    src.setdefault("name", "unionstate")
    order = [f.name for f in attrs.fields(DatasetInfo)]
    out = {k: src[k] for k in order if k in src}
    out.update({k: v for k, v in src.items() if k not in out})
    return out


def _schema_files() -> dict[str, bytes]:
    return {
        f"{SCHEMA_DIR}/{name}.schema.json": (
            json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        ).encode("utf-8")
        for name, schema in all_schemas().items()
    }


def current_schemas() -> dict[str, Any]:
    """The schemas a release built now carries, as parsed JSON (name → schema)."""
    return {
        path.removeprefix(f"{SCHEMA_DIR}/").removesuffix(".schema.json"): json.loads(data)
        for path, data in _schema_files().items()
    }


def first_release_changes(version: str, records: Sequence[Mapping[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for r in records:
        counts[str(r.get("type"))] = counts.get(str(r.get("type")), 0) + 1
    lines = [
        f"# Changes in {version}",
        "",
        "This is the first release: there is no previous release to compare with.",
        "",
        f"It holds {len(records)} records:",
        "",
    ]
    lines += [f"- {t}: {counts.get(t, 0)}" for t in RECORD_TYPES]
    return "\n".join(lines) + "\n"


_RESOURCE_KINDS = {
    ".jsonl": ("file", "jsonl", "application/jsonl"),
    ".json": ("json", "json", "application/json"),
    ".csv": ("table", "csv", "text/csv"),
    ".md": ("text", "md", "text/markdown"),
}


def _resource(path: str, data: bytes) -> dict[str, Any]:
    suffix = PurePosixPath(path).suffix
    kind, fmt, mediatype = _RESOURCE_KINDS[suffix]
    stem = PurePosixPath(path).name.split(".")[0]
    if path.startswith(f"{SCHEMA_DIR}/"):
        name, description = f"schema-{stem}", f"JSON Schema '{stem}' the data conforms to."
    elif path.startswith(f"{CSV_DIR}/"):
        name, description = stem, f"One row per {stem.removesuffix('s')} record, flattened."
    elif path == RECORDS_FILE:
        name, description = "records", "Every record, one a line, sorted by id; header first."
    elif path == DOCUMENT_FILE:
        name, description = "dataset", "The whole dataset as one JSON document."
    else:
        name, description = "changes", "What changed since the previous release."
    out: dict[str, Any] = {
        "name": name,
        "type": kind,
        "path": path,
        "format": fmt,
        "mediatype": mediatype,
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": f"sha256:{_sha256(data)}",
        "description": description,
    }
    if kind == "table":
        out["dialect"] = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True}
        out["schema"] = table_schema(stem.removesuffix("s"))
    return out


def datapackage(
    header: Mapping[str, Any],
    files: Mapping[str, bytes],
    records: Sequence[Mapping[str, Any]],
    created: str,
    previous: str | None,
) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of a release."""
    counts = dict.fromkeys(RECORD_TYPES, 0)
    for r in records:
        counts[str(r.get("type"))] = counts.get(str(r.get("type")), 0) + 1
    pkg: dict[str, Any] = {
        "name": re.sub(r"[^a-z0-9._-]+", "-", str(header.get("name", "unionstate")).lower()),
        "title": header.get("title"),
        "description": header.get("description"),
        "version": header["version"],
        "created": created,
        "keywords": ["belarus", "russia", "union state"],
    }
    pkg = {k: v for k, v in pkg.items() if v is not None}
    lic = header.get("license")
    if isinstance(lic, str):
        url, title = _LICENSES.get(lic, (None, None))
        entry = {"name": lic, "path": url, "title": title}
        pkg["licenses"] = [{k: v for k, v in entry.items() if v is not None}]
    pkg["sources"] = [
        {"title": f"{r.get('publisher')}: {r.get('title')}", "path": r.get("url")}
        for r in sorted(records, key=lambda r: str(r.get("id")))
        if r.get("type") == "source"
    ]
    pkg["unionstate:as_of"] = header.get("as_of")
    pkg["unionstate:schema_version"] = SCHEMA_VERSION
    pkg["unionstate:built_with"] = f"unionstate {__version__}"
    pkg["unionstate:previous_version"] = previous
    pkg["unionstate:records"] = counts
    pkg["resources"] = [_resource(p, files[p]) for p in _resource_order(files)]
    return pkg


def _resource_order(files: Iterable[str]) -> list[str]:
    first = [RECORDS_FILE, DOCUMENT_FILE]
    rest = sorted(p for p in files if p not in first and p not in (PACKAGE_FILE, SUMS_FILE))
    return [p for p in first if p in files] + rest


def sums(files: Mapping[str, bytes]) -> bytes:
    """``SHA256SUMS`` (the ``sha256sum`` format) of every file but itself."""
    lines = [f"{_sha256(files[p])}  {p}\n" for p in sorted(files) if p != SUMS_FILE]
    return "".join(lines).encode("utf-8")


def render_release(
    raw_header: Mapping[str, Any] | None,
    records: Sequence[Mapping[str, Any]],
    version: str,
    created: datetime.datetime,
    changes: str,
    previous: str | None = None,
) -> dict[str, bytes]:
    """Every file of a release, by relative path: a pure function of its arguments."""
    header = _header(raw_header, version)
    files: dict[str, bytes] = {
        RECORDS_FILE: dump_jsonl(header, records).encode("utf-8"),
        DOCUMENT_FILE: dump_document(header, records).encode("utf-8"),
        CHANGES_FILE: changes.encode("utf-8"),
    }
    by_type: dict[str, list[Mapping[str, Any]]] = {t: [] for t in RECORD_TYPES}
    for r in records:
        by_type.setdefault(str(r.get("type")), []).append(r)
    for t in RECORD_TYPES:
        files[f"{CSV_DIR}/{table_name(t)}.csv"] = render_csv(t, by_type[t])
    files.update(_schema_files())
    pkg = datapackage(header, files, records, _iso(created), previous)
    files[PACKAGE_FILE] = (json.dumps(pkg, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    files[SUMS_FILE] = sums(files)
    return files


def _write_files(stage: Path, files: Mapping[str, bytes]) -> None:
    for rel in sorted(files):
        target = stage.joinpath(*PurePosixPath(rel).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as fh:
            fh.write(files[rel])
        os.chmod(target, 0o644)


def _entries(files: Iterable[str], top: str) -> list[tuple[str, bool]]:
    """(archive path, is a folder) of every entry, folders before their contents."""
    dirs = {top}
    for rel in files:
        parts = PurePosixPath(rel).parts
        for i in range(1, len(parts)):
            dirs.add("/".join((top, *parts[:i])))
    entries = [(d, True) for d in dirs] + [(f"{top}/{rel}", False) for rel in files]
    return sorted(entries, key=lambda e: PurePosixPath(e[0]).parts)


def render_archive(top: str, files: Mapping[str, bytes], mtime: int) -> bytes:
    """A deterministic ``.tar.gz`` of ``files`` under folder ``top``: sorted
    entries, one ``mtime``, uid/gid 0, no user or group names, modes 0644 and
    0755, POSIX pax format, gzip level 9 with no file name and mtime 0."""
    tar_buf = io.BytesIO()
    with tarfile.open(fileobj=tar_buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, is_dir in _entries(files, top):
            ti = tarfile.TarInfo(name)
            ti.mtime = mtime
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            if is_dir:
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                tar.addfile(ti)
            else:
                data = files[name.removeprefix(f"{top}/")]
                ti.mode = 0o644
                ti.size = len(data)
                tar.addfile(ti, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(tar_buf.getvalue())
    return out.getvalue()


def _write_archive(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _set_mtimes(stage: Path, mtime: int) -> None:
    for dirpath, _, filenames in os.walk(stage, topdown=False):
        for name in filenames:
            os.utime(Path(dirpath) / name, (mtime, mtime))
        os.utime(dirpath, (mtime, mtime))


def _exists_error(path: Path) -> ReleaseError:
    return ReleaseError(f"{path} already exists; a release is never overwritten")


def _publish(stage: Path, archive: Path, final_dir: Path, final_archive: Path) -> None:
    """Move a finished build into place: the archive by a hard link (which
    refuses to overwrite), then the folder by a rename; undo the archive if
    the folder cannot follow."""
    for p in (final_dir, final_archive):
        if os.path.lexists(p):
            raise _exists_error(p)
    try:
        os.link(archive, final_archive)
    except FileExistsError:
        raise _exists_error(final_archive) from None
    except OSError:  # no hard links here: check-then-rename
        if os.path.lexists(final_archive):
            raise _exists_error(final_archive) from None
        os.rename(archive, final_archive)
    try:
        if os.path.lexists(final_dir):
            raise _exists_error(final_dir)
        os.rename(stage, final_dir)
    except BaseException:
        final_archive.unlink(missing_ok=True)
        raise


@attrs.frozen(slots=True)
class Built:
    """A release that was built."""

    folder: Path
    archive: Path
    version: str
    created: str
    diff: Diff | None
    warnings: tuple[str, ...] = ()


def build_release(
    dataset: str | os.PathLike[str],
    version: str,
    out: str | os.PathLike[str],
    *,
    previous: str | os.PathLike[str] | None = None,
    created: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Built:
    """Build release ``version`` of ``dataset`` into ``out``.

    Refuses (:class:`ReleaseError`) a version that is not ``X.Y.Z``, that
    exists already, or that under-states the change since ``previous``, and a
    dataset with schema, reference or consistency errors. The dataset is
    checked standalone: a release holds every record its references need.
    """
    try:
        parse_version(version)
    except ValueError as exc:
        raise ReleaseError(str(exc)) from None
    out_dir = Path(out)
    name = release_name(version)
    final_dir, final_archive = out_dir / name, out_dir / f"{name}{ARCHIVE_SUFFIX}"
    for p in (final_dir, final_archive):
        if os.path.lexists(p):
            raise _exists_error(p)

    raw, report = validate_path(dataset, rules=True, standalone=True)
    if raw.unusable:
        raise ReleaseError(f"{dataset}: cannot be read", EXIT_UNUSABLE, report)
    if not report.ok:
        raise ReleaseError(
            f"{dataset}: not released: {report.counts()['error']} validation or consistency "
            "error(s)",
            EXIT_INVALID,
            report,
        )
    header = {k: v for k, v in (raw.header or {}).items() if k != "type"}
    records = [unstructure(structure(r.data)) for r in raw.records]
    when = resolve_created(created, header.get("as_of"), environ)
    warnings: list[str] = []
    if header.get("version") not in (None, version):
        warnings.append(
            f"the dataset header says version {header.get('version')}; the release says {version}"
        )

    d: Diff | None = None
    prev_version: str | None = None
    if previous is not None:
        before = read_side(previous)
        now = Side(_header(header, version), records, current_schemas())
        d = diff_sides(before, now)
        prev_version = before.version
        if prev_version is None:
            warnings.append(f"{previous} has no version; the version number was not checked")
        else:
            try:
                why = understates(version, prev_version, d.level)
            except ValueError as exc:
                raise ReleaseError(f"{previous}: {exc}") from None
            if why is not None:
                suggestion = d.suggest(prev_version)
                raise ReleaseError(
                    f"{why} ({d.summary()}; level {d.level.label.upper()}); "
                    f"suggested version: {suggestion}"
                )
        changes = d.to_markdown(version)
    else:
        changes = first_release_changes(version, records)

    files = render_release(header, records, version, when, changes, prev_version)
    mtime = max(0, int(when.timestamp()))
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=out_dir))
    try:
        stage = tmp / name
        stage.mkdir()
        _write_files(stage, files)
        _set_mtimes(stage, mtime)
        tmp_archive = tmp / f"{name}{ARCHIVE_SUFFIX}"
        _write_archive(tmp_archive, render_archive(name, files, mtime))
        _publish(stage, tmp_archive, final_dir, final_archive)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Built(final_dir, final_archive, version, _iso(when), d, tuple(warnings))


# -- verifying ------------------------------------------------------------------


class Problem(enum.StrEnum):
    ALTERED = "altered"
    MISSING = "missing"
    ADDED = "added"
    INVALID = "invalid"
    INCONSISTENT = "inconsistent"


@attrs.frozen(slots=True)
class Issue:
    """One thing wrong with a release file."""

    file: str
    problem: Problem
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "problem": self.problem.value, "message": self.message}


@attrs.frozen(slots=True)
class Verification:
    """The result of :func:`verify`."""

    release: str
    version: str | None
    issues: tuple[Issue, ...]
    report: Report | None = None

    @property
    def ok(self) -> bool:
        return not self.issues

    def to_text(self) -> str:
        head = f"{self.release}: " + ("ok" if self.ok else f"{len(self.issues)} problem(s)")
        lines = [head]
        lines += [f"  {i.problem.value}: {i.file}: {i.message}" for i in self.issues]
        if self.report is not None and not self.report.ok:
            lines.append("")
            lines.append(self.report.to_text())
        return "\n".join(lines)

    def to_json(self) -> str:
        doc: dict[str, Any] = {
            "ok": self.ok,
            "release": self.release,
            "version": self.version,
            "issues": [i.to_dict() for i in self.issues],
        }
        if self.report is not None:
            doc["report"] = json.loads(self.report.to_json())
        return json.dumps(doc, ensure_ascii=False, indent=2)


def _files_on_disk(root: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            p = Path(dirpath) / name
            out[p.relative_to(root).as_posix()] = p
        for name in dirnames:
            p = Path(dirpath) / name
            if p.is_symlink():
                out[p.relative_to(root).as_posix()] = p
    return out


_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def verify(path: str | os.PathLike[str]) -> Verification:
    """Check a release folder or archive: every checksum in ``SHA256SUMS``,
    every ``bytes`` and ``hash`` in ``datapackage.json``, files neither lists,
    the records against the schemas and the consistency rules, and (when the
    checksums hold) that the derived files match ``records.jsonl``.

    Raises :class:`InputError` when ``path`` is not a release at all.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file or directory")
    with tempfile.TemporaryDirectory(prefix="unionstate-verify-") as work:
        root = open_release(p, Path(work)) if _is_archive(p) else p
        if root is None or not root.is_dir():
            raise InputError(f"{p}: not a release folder or archive")
        if not (root / PACKAGE_FILE).exists() and not (root / SUMS_FILE).exists():
            raise InputError(f"{p}: not a release (no {PACKAGE_FILE} and no {SUMS_FILE})")
        return _verify_root(root, p.name)


def _verify_root(root: Path, label: str) -> Verification:
    issues: dict[tuple[str, Problem], Issue] = {}

    def note(file: str, problem: Problem, message: str) -> None:
        issues.setdefault((file, problem), Issue(file, problem, message))

    disk = _files_on_disk(root)
    digests: dict[str, str] = {}

    def digest(rel: str) -> str | None:
        if rel not in digests:
            f = disk.get(rel)
            if f is None or f.is_symlink() or not f.is_file():
                return None
            digests[rel] = _sha256(f.read_bytes())
        return digests[rel]

    for rel, f in disk.items():
        if f.is_symlink():
            note(rel, Problem.ADDED, "a symbolic link; releases hold none")

    listed: set[str] = set()
    sums_path = root / SUMS_FILE
    if not sums_path.is_file():
        note(SUMS_FILE, Problem.MISSING, "the checksum list is missing")
    else:
        for n, line in enumerate(
            sums_path.read_text(encoding="utf-8", errors="replace").split("\n"), 1
        ):
            if not line:
                continue
            m = _SUM_LINE.fullmatch(line)
            if m is None:
                note(SUMS_FILE, Problem.INVALID, f"line {n} is not '<sha256>  <file>'")
                continue
            want, rel = m[1], m[2]
            listed.add(rel)
            got = digest(rel)
            if rel not in disk:
                note(rel, Problem.MISSING, f"listed in {SUMS_FILE} but not in the release")
            elif got is None:
                note(rel, Problem.INVALID, "not a regular file")
            elif got != want:
                note(rel, Problem.ALTERED, f"its SHA-256 differs from {SUMS_FILE}")

    version: str | None = None
    schema_version: str | None = None
    resources: set[str] = set()
    pkg_path = root / PACKAGE_FILE
    if not pkg_path.is_file():
        note(PACKAGE_FILE, Problem.MISSING, "the Data Package descriptor is missing")
    else:
        try:
            pkg = json.loads(pkg_path.read_text(encoding="utf-8"))
            if not isinstance(pkg, dict) or not isinstance(pkg.get("resources"), list):
                raise ValueError("no resources")
        except ValueError as exc:
            note(PACKAGE_FILE, Problem.INVALID, f"not a Data Package descriptor ({exc})")
            pkg = {"resources": []}
        version = pkg.get("version") if isinstance(pkg.get("version"), str) else None
        sv = pkg.get("unionstate:schema_version")
        schema_version = sv if isinstance(sv, str) else None
        for res in pkg["resources"]:
            path_ = res.get("path") if isinstance(res, dict) else None
            if not isinstance(path_, str) or _safe_name(path_) is None:
                note(PACKAGE_FILE, Problem.INVALID, f"a resource with a bad path: {path_!r}")
                continue
            rel = path_
            resources.add(rel)
            if rel not in disk:
                note(rel, Problem.MISSING, f"a resource of {PACKAGE_FILE} not in the release")
                continue
            f = disk[rel]
            size = f.stat().st_size if f.is_file() else None
            if res.get("bytes") != size:
                note(
                    rel,
                    Problem.ALTERED,
                    f"{size} bytes; {PACKAGE_FILE} says {res.get('bytes')}",
                )
            if res.get("hash") != f"sha256:{digest(rel)}":
                note(rel, Problem.ALTERED, f"its hash differs from {PACKAGE_FILE}")

    known = listed | resources | {SUMS_FILE, PACKAGE_FILE}
    for rel in disk:
        if rel not in known:
            note(rel, Problem.ADDED, f"not listed in {SUMS_FILE} nor in {PACKAGE_FILE}")
        elif rel not in listed and rel != SUMS_FILE:
            note(rel, Problem.ADDED, f"not listed in {SUMS_FILE}")

    report: Report | None = None
    records_path = root / RECORDS_FILE
    if records_path.is_file() and not records_path.is_symlink():
        raw, report = validate_path(records_path, rules=True, standalone=True)
        if raw.unusable or not report.ok:
            n = report.counts()["error"]
            note(RECORDS_FILE, Problem.INVALID, f"{n} schema or consistency error(s)")
        elif not issues:
            _check_derived(root, raw.header, [r.data for r in raw.records], schema_version, note)
    elif (RECORDS_FILE, Problem.MISSING) not in issues:
        note(RECORDS_FILE, Problem.MISSING, "the records are missing")
    ordered = sorted(issues.values(), key=lambda i: (i.file, i.problem.value))
    return Verification(label, version, tuple(ordered), report)


def _check_derived(
    root: Path,
    raw_header: Mapping[str, Any] | None,
    data: list[dict[str, Any]],
    schema_version: str | None,
    note: typing.Callable[[str, Problem, str], None],
) -> None:
    """The files made from the records must match them (a tampering that
    also rewrote the checksums shows here)."""
    header = {k: v for k, v in (raw_header or {}).items() if k != "type"}
    records = [unstructure(structure(d)) for d in data]
    want: dict[str, bytes] = {
        RECORDS_FILE: dump_jsonl(header, records).encode("utf-8"),
        DOCUMENT_FILE: dump_document(header, records).encode("utf-8"),
    }
    by_type: dict[str, list[Mapping[str, Any]]] = {t: [] for t in RECORD_TYPES}
    for r in records:
        by_type[str(r["type"])].append(r)
    for t in RECORD_TYPES:
        want[f"{CSV_DIR}/{table_name(t)}.csv"] = render_csv(t, by_type[t])
    if schema_version == SCHEMA_VERSION:
        want.update(_schema_files())
    for rel, data_bytes in sorted(want.items()):
        f = root.joinpath(*PurePosixPath(rel).parts)
        if f.is_file() and f.read_bytes() != data_bytes:
            what = "the schemas of this version" if rel.startswith(SCHEMA_DIR) else RECORDS_FILE
            note(rel, Problem.INCONSISTENT, f"does not match {what}")


# -- command line ---------------------------------------------------------------


def add_release_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``unionstate release``."""
    p.add_argument("path", nargs="?", help="dataset to release (default: the shipped data)")
    p.add_argument(
        "--version",
        required=True,
        metavar="X.Y.Z",
        dest="release_version",
        help="the version of this release",
    )
    p.add_argument("--out", default="dist", metavar="DIR", help="output folder (default: dist)")
    p.add_argument(
        "--previous",
        metavar="PATH",
        help="the previous release (folder or archive) or any dataset, for CHANGES.md "
        "and the version check",
    )
    p.add_argument(
        "--created",
        metavar="TIME",
        help="creation time (ISO 8601 day or UTC time; default: SOURCE_DATE_EPOCH, "
        "else the dataset's as_of day)",
    )


def add_verify_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``unionstate verify``."""
    p.add_argument("release", help="a release folder or archive")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="output (default: text)"
    )


def cmd_release(args: argparse.Namespace) -> int:
    """``unionstate release``: 0 built, 1 the dataset has errors, 2 refused
    (bad, existing or under-stated version; unusable input)."""
    from unionstate.dataset import data_dir

    try:
        built = build_release(
            args.path if args.path else data_dir(),
            args.release_version,
            args.out,
            previous=args.previous,
            created=args.created,
        )
    except ReleaseError as exc:
        if exc.report is not None and not exc.report.ok:
            print(exc.report.to_text(), file=sys.stderr)
        print(f"unionstate: {exc}", file=sys.stderr)
        return exc.exit_code
    except InputError as exc:
        print(f"unionstate: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    for w in built.warnings:
        print(f"unionstate: warning: {w}", file=sys.stderr)
    if built.diff is not None:
        print(
            f"changes since {built.diff.old_version or 'the previous dataset'}: "
            f"{built.diff.summary()} ({built.diff.level.label.upper()})"
        )
    print(built.folder)
    print(built.archive)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    """``unionstate verify``: 0 intact and valid, 1 tampered or invalid, 2 unusable input."""
    try:
        result = verify(args.release)
    except InputError as exc:
        print(f"unionstate: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(result.to_json() if getattr(args, "format", "text") == "json" else result.to_text())
    return EXIT_OK if result.ok else EXIT_INVALID


def read_release(path: str | os.PathLike[str]) -> RawDataset:
    """:func:`unionstate.io.read` of any dataset, a release folder or archive
    included (what ``read()`` does once it calls :func:`release_records`)."""
    rel = release_records(path)
    return read(rel if rel is not None else path)


__all__ = [
    "Built",
    "Cell",
    "Column",
    "Issue",
    "Problem",
    "ReleaseError",
    "UnsafeArchiveError",
    "Verification",
    "add_release_arguments",
    "add_verify_arguments",
    "build_release",
    "check_archive",
    "cmd_release",
    "cmd_verify",
    "columns",
    "extract_archive",
    "read_release",
    "release_records",
    "render_archive",
    "render_csv",
    "table_schema",
    "verify",
]
