"""Building a release: the files (records, derived exports, schemas,
changes, Data Package descriptor, checksums), the deterministic archive, and
their atomic publication.

* **deterministic**: the same data, version and creation time give
  byte-identical files and archives (sorted entries, fixed mtimes, uid/gid 0,
  no user names, gzip without file name or time);
* **immutable**: an existing version is never overwritten;
* **atomic**: the release is built in a hidden temporary folder inside the
  output folder and renamed into place at the end, so an interrupted build
  leaves nothing that looks like a release.
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from unionstate import __version__
from unionstate.converter import structure, unstructure
from unionstate.diff import Diff, Side, diff_sides, parse_version, read_side, understates
from unionstate.export.registry import Writer, release_writers
from unionstate.model import RECORD_TYPES, DatasetInfo
from unionstate.pipeline import validate_path
from unionstate.report import Report
from unionstate.schema.generate import SCHEMA_VERSION

from .layout import (
    ARCHIVE_SUFFIX,
    CHANGES_FILE,
    DOCUMENT_FILE,
    PACKAGE_FILE,
    RECORDS_FILE,
    SCHEMA_DIR,
    SUMS_FILE,
    current_schemas,
    release_name,
    schema_files,
    sha256,
)

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


def _describe(path: str, writers: Sequence[Writer]) -> dict[str, Any]:
    """Name, type, format, media type and description of a release file."""
    stem = PurePosixPath(path).name.split(".")[0]
    if path.startswith(f"{SCHEMA_DIR}/"):
        return {
            "name": f"schema-{stem}",
            "type": "json",
            "format": "json",
            "mediatype": "application/json",
            "description": f"JSON Schema '{stem}' the data conforms to.",
        }
    if path == CHANGES_FILE:
        return {
            "name": "changes",
            "type": "text",
            "format": "md",
            "mediatype": "text/markdown",
            "description": "What changed since the previous release.",
        }
    for w in writers:
        if w.folder and path.startswith(f"{w.path}/"):
            out: dict[str, Any] = {"name": f"{w.name}-{stem}"}
        elif not w.folder and path == w.path:
            out = {"name": w.resource_name or w.name}
        else:
            continue
        out["type"] = "json" if w.file_format == "json" else "file"
        out["description"] = w.description
        out["format"] = w.file_format
        out["mediatype"] = w.mediatype
        out["binary"] = w.binary
        if w.describe is not None:
            out.update(w.describe(path.removeprefix(f"{w.path}/")))
        return out
    raise ValueError(f"{path}: no writer makes this release file")


def _resource(path: str, data: bytes, writers: Sequence[Writer]) -> dict[str, Any]:
    d = _describe(path, writers)
    out: dict[str, Any] = {
        "name": d["name"],
        "type": d["type"],
        "path": path,
        "format": d["format"],
        "mediatype": d["mediatype"],
    }
    if not d.get("binary"):
        out["encoding"] = "utf-8"
    out["bytes"] = len(data)
    out["hash"] = f"sha256:{sha256(data)}"
    out["description"] = d["description"]
    out.update({k: d[k] for k in ("dialect", "schema") if k in d})
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
    writers = release_writers()
    pkg["resources"] = [_resource(p, files[p], writers) for p in _resource_order(files)]
    return pkg


def _resource_order(files: Iterable[str]) -> list[str]:
    first = [RECORDS_FILE, DOCUMENT_FILE]
    rest = sorted(p for p in files if p not in first and p not in (PACKAGE_FILE, SUMS_FILE))
    return [p for p in first if p in files] + rest


def sums(files: Mapping[str, bytes]) -> bytes:
    """``SHA256SUMS`` (the ``sha256sum`` format) of every file but itself."""
    lines = [f"{sha256(files[p])}  {p}\n" for p in sorted(files) if p != SUMS_FILE]
    return "".join(lines).encode("utf-8")


def derived_files(
    header: Mapping[str, Any], records: Sequence[Mapping[str, Any]]
) -> dict[str, bytes]:
    """The files every release makes from its records: one per format of the
    writer registry that releases hold (:func:`release_writers`)."""
    files: dict[str, bytes] = {}
    for w in release_writers():
        files.update(w.release_files(header, records))
    return files


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
    files = derived_files(header, records)
    files[CHANGES_FILE] = changes.encode("utf-8")
    files.update(schema_files())
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


__all__ = [
    "Built",
    "ReleaseError",
    "build_release",
    "datapackage",
    "derived_files",
    "first_release_changes",
    "render_archive",
    "render_release",
    "resolve_created",
    "sums",
]
