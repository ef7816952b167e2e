"""Release archives opened safely, and releases read back.

An archive is checked whole before anything is written: no ``..``, absolute
paths, links or devices, no duplicate entries, and a bounded number of
entries and total size (docs/security.md).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import tarfile
import tempfile
import threading
import zlib
from pathlib import Path, PurePosixPath

from unionstate.io.read import InputError, RawDataset, read

from .layout import PACKAGE_FILE, RECORDS_FILE

#: Archive extraction limits: never more than this many bytes in all...
MAX_EXTRACT_BYTES = 1 << 30
#: ...nor more than this many times the archive's size (with a floor, so a
#: small release whose repetitive schemas compress well still opens)...
MAX_EXTRACT_RATIO = 50
MIN_EXTRACT_LIMIT = 64 << 20
#: ...nor more than this many entries.
MAX_MEMBERS = 10_000
#: The largest long-name or pax (extended) header read: ``tarfile`` reads the
#: size such a header declares whole, before anything else can refuse it.
MAX_HEADER_BYTES = 1 << 16
#: The longest name of one folder or file extracted (most file systems' limit).
MAX_NAME_BYTES = 255

_META_TYPES = (
    tarfile.GNUTYPE_LONGNAME,
    tarfile.GNUTYPE_LONGLINK,
    tarfile.XHDTYPE,
    tarfile.XGLTYPE,
    tarfile.SOLARIS_XHDTYPE,
)


class _HeaderTooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


class _BoundedInfo(tarfile.TarInfo):
    """A tar header that refuses a long-name or pax header over
    :data:`MAX_HEADER_BYTES` before its content is read."""

    def _proc_member(self, tarfile: tarfile.TarFile) -> tarfile.TarInfo:
        if self.type in _META_TYPES and self.size > MAX_HEADER_BYTES:
            raise _HeaderTooLarge(self.size)
        return super()._proc_member(tarfile)  # type: ignore[misc, no-any-return]


def _open_tar(path: Path) -> tarfile.TarFile:
    return tarfile.open(path, mode="r:gz", tarinfo=_BoundedInfo)


class UnsafeArchiveError(InputError):
    """An archive with an entry that could escape or overwhelm the folder it
    is extracted into; nothing was written."""


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
    files: set[PurePosixPath] = set()
    folders: set[PurePosixPath] = set()
    total = 0
    try:
        with _open_tar(path) as tar:
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
                if any(
                    len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES
                    for part in safe.parts
                ):
                    raise UnsafeArchiveError(
                        f"{path}: entry {m.name!r} has a file or folder name longer than "
                        f"{MAX_NAME_BYTES} bytes, which cannot be extracted"
                    )
                (folders if m.isdir() else files).add(safe)
                folders.update(safe.parents)
                if files & folders:
                    raise UnsafeArchiveError(
                        f"{path}: {str(next(iter(files & folders)))!r} is both a file and a "
                        "folder in the archive"
                    )
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
    except _HeaderTooLarge as exc:
        raise UnsafeArchiveError(
            f"{path}: a long-name or extended (pax) header declares {exc.size:,} bytes, "
            f"over the limit of {MAX_HEADER_BYTES:,}; refused"
        ) from None
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
    with _open_tar(src) as tar:
        for m in tar:
            safe = _safe_name(m.name)
            if safe is None or str(safe) not in names:  # changed under our feet
                raise UnsafeArchiveError(f"{src}: the archive changed while being read")
            target = root.joinpath(*safe.parts)
            try:
                written = _write_entry(tar, m, target, written, limit, src)
            except OSError as exc:
                raise InputError(
                    f"{src}: entry {m.name!r} cannot be extracted ({exc.strerror or exc})"
                ) from None
    return sorted(root.iterdir())


def _write_entry(
    tar: tarfile.TarFile, m: tarfile.TarInfo, target: Path, written: int, limit: int, src: Path
) -> int:
    """Write one checked entry; returns the bytes written in all so far."""
    if m.isdir():
        target.mkdir(parents=True, exist_ok=True)
        return written
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
    return written


_EXTRACTED: list[Path] = []
#: The release folder of each archive opened into a temporary folder, by the
#: archive's path, size and time of change: each is extracted once.
_OPENED: dict[tuple[Path, int, int], Path] = {}


def _cleanup() -> None:
    for p in _EXTRACTED:
        shutil.rmtree(p, ignore_errors=True)
    _EXTRACTED.clear()
    _OPENED.clear()


atexit.register(_cleanup)


def _on_sigterm(signum: int, frame: object) -> None:
    """Remove the extracted copies, then end as SIGTERM would have."""
    _cleanup()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _clean_on_sigterm() -> None:
    """SIGTERM ends a process without running ``atexit``: remove the
    temporary folders first (only where nobody else handles SIGTERM, and
    from the main thread, which alone may set a handler)."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)


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
        if workdir is not None:
            extract_archive(p, workdir / "x")
            return _release_root(workdir / "x")
        st = p.stat()
        key = (p.resolve(), st.st_size, st.st_mtime_ns)
        if key not in _OPENED:
            check_archive(p)  # before any folder is made
            _clean_on_sigterm()
            workdir = Path(tempfile.mkdtemp(prefix="unionstate-release-"))
            _EXTRACTED.append(workdir)
            extract_archive(p, workdir / "x")
            _OPENED[key] = _release_root(workdir / "x")
        return _OPENED[key]
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


def read_release(path: str | os.PathLike[str]) -> RawDataset:
    """:func:`unionstate.io.read` of any dataset, a release folder or archive
    included (what ``read()`` does once it calls :func:`release_records`)."""
    rel = release_records(path)
    return read(rel if rel is not None else path)


__all__ = [
    "MAX_EXTRACT_BYTES",
    "MAX_EXTRACT_RATIO",
    "MAX_MEMBERS",
    "MIN_EXTRACT_LIMIT",
    "UnsafeArchiveError",
    "check_archive",
    "extract_archive",
    "open_release",
    "read_release",
    "release_records",
]
