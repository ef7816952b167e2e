"""Verifying a release: every checksum in ``SHA256SUMS``, every ``bytes``
and ``hash`` in ``datapackage.json``, files neither lists, the records against
the schemas and the consistency rules, and that the derived files match the
records. :func:`verify` names each file altered, added, missing or invalid.
"""

from __future__ import annotations

import enum
import json
import operator
import os
import re
import tempfile
import typing
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from unionstate.converter import structure, unstructure
from unionstate.export.registry import release_writers
from unionstate.io.read import InputError
from unionstate.pipeline import validate_path
from unionstate.report import Report
from unionstate.schema.generate import SCHEMA_VERSION

from .archive import _is_archive, _safe_name, open_release
from .layout import PACKAGE_FILE, RECORDS_FILE, SCHEMA_DIR, SUMS_FILE, schema_files, sha256


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
            digests[rel] = sha256(f.read_bytes())
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
        except (ValueError, RecursionError) as exc:
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            note(PACKAGE_FILE, Problem.INVALID, f"not a Data Package descriptor ({why})")
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
    want: dict[str, tuple[bytes, typing.Callable[[bytes, bytes], bool]]] = {}
    for w in release_writers():
        for rel, made in w.release_files(header, records).items():
            want[rel] = (made, w.same)
    if schema_version == SCHEMA_VERSION:
        want.update({rel: (made, operator.eq) for rel, made in schema_files().items()})
    for rel, (made, same) in sorted(want.items()):
        f = root.joinpath(*PurePosixPath(rel).parts)
        if f.is_file() and not same(f.read_bytes(), made):
            what = "the schemas of this version" if rel.startswith(SCHEMA_DIR) else RECORDS_FILE
            note(rel, Problem.INCONSISTENT, f"does not match {what}")


__all__ = ["Issue", "Problem", "Verification", "verify"]
