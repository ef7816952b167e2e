"""Peak memory of ``unionstate validate`` on pathological inputs (issue 21).

    python benchmarks/bench_memory.py [--only NAME ...] [--keep DIR]

Writes each input into a temporary folder (about 2.2 GB of disk in all) and
runs ``unionstate validate INPUT --jobs 1`` and ``--jobs 2`` (and with
``--no-rules`` where the rules could run), each in a fresh process. Memory is
the **peak of the summed resident size (RSS) of the process and all its
descendants**, sampled from ``/proc`` every 20 ms; the largest single
process's peak RSS as the kernel counted it (``wait4``'s ``ru_maxrss``: the
command's process, or a worker of it if larger; a lower bound of the tree's
peak that no sampling can miss) is printed beside it.
Prints a Markdown table for docs/performance.md; the goal is 300 MB (286 MiB)
for every row.

The inputs:

* ``empty-lines``: ten million lines ``{}`` (30 MB);
* ``long-line``: one line of 2 GB (a record with one huge string);
* ``document``: a JSON document of about 99 MB (generated records), over the
  default ``--max-document-bytes``, so also run with the limit raised;
* ``tar-longname`` / ``tar-pax``: a ``.tar.gz`` of a few MB whose GNU
  long-name or pax header declares 1.5 GB (of zeros);
* ``findings``: a million lines ``[]``, each a finding (US004), and a million
  records ``{"type": "nope"}``, each another.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_pipeline import _tree  # noqa: E402  (the process and its descendants)

_MB = 10**6
_BLOCK = 512


def _empty_lines(path: Path) -> Path:
    path = path / "empty-lines.jsonl"
    with path.open("wb") as f:
        for _ in range(100):
            f.write(b"{}\n" * 100_000)
    return path


def _long_line(path: Path) -> Path:
    path = path / "long-line.jsonl"
    piece = b"a" * (1 << 20)
    with path.open("wb") as f:
        f.write(b'{"type": "person", "notes": "')
        for _ in range(2000 * _MB // len(piece)):
            f.write(piece)
        f.write(b'"}\n')
    return path


def _document(path: Path) -> Path:
    from generate import generate, header

    records, _ = generate(172_000, seed=1, error_rate=0.0, kinds=())
    path = path / "document.json"
    with path.open("w", encoding="utf-8") as f:
        head = {k: v for k, v in header().items() if k != "type"}
        f.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [\n')
        for k, r in enumerate(records):
            f.write(("," if k else "") + json.dumps(r, ensure_ascii=False) + "\n")
        f.write("]}\n")
    return path


def _tar_header(name: bytes, size: int, kind: bytes) -> bytes:
    """One ustar header block."""
    h = bytearray(_BLOCK)
    h[0 : len(name)] = name
    h[100:108] = b"0000644\x00"
    h[108:116] = h[116:124] = b"0000000\x00"
    h[124:136] = b"%011o\x00" % size
    h[136:148] = b"%011o\x00" % 0
    h[156:157] = kind
    h[257:265] = b"ustar  \x00"
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\x00 " % sum(h)
    return bytes(h)


def _tar(path: Path, kind: bytes, name: str) -> Path:
    """A gzip'd tar whose first header (GNU long name ``L`` or pax ``x``)
    declares 1.5 GB, followed by that many zero bytes (they compress to a few MB)."""
    size = 1500 * _MB
    path = path / f"{name}.tar.gz"
    zeros = bytes(1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(_tar_header(b"././@LongLink", size, kind))
        left = size + (-size % _BLOCK)
        while left:
            n = min(left, len(zeros))
            f.write(zeros[:n])
            left -= n
        f.write(bytes(2 * _BLOCK))
    return path


def _findings(path: Path) -> Path:
    path = path / "findings.jsonl"
    with path.open("wb") as f:
        for _ in range(10):
            f.write(b"[]\n" * 100_000)
        for _ in range(10):
            f.write(b'{"type": "nope"}\n' * 100_000)
    return path


#: name: (writer, runs with --no-rules too, more runs' options)
INPUTS: dict[str, tuple[Callable[[Path], Path], bool, list[list[str]]]] = {
    "empty-lines": (_empty_lines, True, []),
    "long-line": (_long_line, True, []),
    # over the default --max-document-bytes (48M, D52): also read with the limit raised
    "document": (_document, True, [["--jobs", "1", "--no-rules", "--max-document-bytes", "128M"]]),
    "tar-longname": (lambda p: _tar(p, b"L", "tar-longname"), False, []),
    "tar-pax": (lambda p: _tar(p, b"x", "tar-pax"), False, []),
    "findings": (_findings, True, []),
}


_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def write(name: str, folder: Path) -> Path:
    """Write an input in a process of its own: the runs are started from this
    process, and a child's peak RSS as the kernel counts it starts at its
    parent's (generating the document takes about 400 MB)."""
    out = subprocess.run(
        [sys.executable, __file__, "--write", name, str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


def run(path: Path, options: list[str]) -> dict[str, object]:
    """One ``unionstate validate`` run in a fresh process: seconds, exit
    code, peak tree RSS (sampled) and the largest process's peak RSS."""
    exe = Path(sys.executable).with_name("unionstate")
    args = [str(exe), "validate", str(path), *options]
    with tempfile.TemporaryFile("w+") as report:  # a pipe would fill up and block
        t = time.perf_counter()
        proc = subprocess.Popen(args, stdout=report, stderr=subprocess.STDOUT)
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            peak = max(peak, sum(_rss(p) for p in _tree(proc.pid)))
            time.sleep(0.02)
        seconds = time.perf_counter() - t
        report.seek(0)
        lines = report.read().strip().splitlines()
    return {
        "seconds": seconds,
        "exit": proc.returncode,
        "tree": peak,
        "largest": usage.ru_maxrss * 1024,
        "last": lines[-1] if lines else "",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", choices=sorted(INPUTS), help="these inputs only")
    ap.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    ap.add_argument("--write", nargs=2, metavar=("NAME", "FOLDER"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.write:  # in a process of its own (see write)
        print(INPUTS[a.write[0]][0](Path(a.write[1])))
        return 0
    names = a.only or list(INPUTS)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        folder = a.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for name in names:
            _, no_rules, more = INPUTS[name]
            path = write(name, folder)
            size = path.stat().st_size
            variants = [["--jobs", "1"], ["--jobs", "2"]]
            if no_rules:
                variants += [["--jobs", "1", "--no-rules"], ["--jobs", "2", "--no-rules"]]
            variants += more
            for options in variants:
                r = run(path, options)
                rows.append(
                    f"| {name} | {size / _MB:,.0f} MB | `{' '.join(options)}` | {r['exit']} "
                    f"| {r['seconds']:.1f} | {int(r['tree']) / 2**20:,.0f} "  # type: ignore[call-overload]
                    f"| {int(r['largest']) / 2**20:,.0f} |"  # type: ignore[call-overload]
                )
                print(rows[-1], "  ", str(r["last"])[:100], flush=True)
            if a.keep is None:
                path.unlink()
    print()
    print("| input | size | options | exit | seconds | peak MiB, tree RSS | largest process |")
    print("|---|---:|---|---:|---:|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
