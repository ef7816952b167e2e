"""The command line: parse arguments, call the library, render, exit.

Exit codes: 0 valid, 1 invalid data, 2 unusable input or usage error,
3 an internal error (a bug). Never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from unionstate import __version__
from unionstate.chunks import default_jobs
from unionstate.converter import structure, unstructure
from unionstate.dataset import data_dir
from unionstate.dates import is_valid as is_edtf
from unionstate.diff import add_arguments as add_diff_arguments
from unionstate.diff import cmd_diff
from unionstate.io import InputError, dump_document, dump_jsonl, read, write_atomic, write_dir
from unionstate.io.read import Limits
from unionstate.pipeline import MAX_FINDINGS, no_progress, validate_path
from unionstate.release import (
    add_release_arguments,
    add_verify_arguments,
    cmd_release,
    cmd_verify,
)
from unionstate.report import Report, Severity
from unionstate.schema import all_schemas, write_schemas
from unionstate.schema.generate import SCHEMA_VERSION
from unionstate.validate import validate_raw

EXIT_OK, EXIT_INVALID, EXIT_UNUSABLE, EXIT_BUG = 0, 1, 2, 3


def _size(text: str) -> int:
    """A byte size: 1000, 64K, 16M, 2G."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper().removesuffix("B")
    try:
        n = int(t[:-1]) * units[t[-1]] if t and t[-1] in units else int(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 16M") from None
    if n <= 0:
        raise argparse.ArgumentTypeError("a size must be positive")
    return n


def _limit_options(p: argparse.ArgumentParser) -> None:
    d = Limits()
    p.add_argument(
        "--max-record-bytes",
        type=_size,
        default=d.max_record_bytes,
        metavar="N",
        help="longest JSON Lines line read (default: 16M)",
    )
    p.add_argument(
        "--max-document-bytes",
        type=_size,
        default=d.max_document_bytes,
        metavar="N",
        help="largest JSON document read whole (default: 256M)",
    )
    p.add_argument(
        "--max-rules-bytes",
        type=_size,
        default=d.max_rules_bytes,
        metavar="N",
        help="largest input the consistency rules run on (default: 2G)",
    )
    p.add_argument(
        "--max-findings",
        type=int,
        default=MAX_FINDINGS,
        metavar="N",
        help=f"findings shown per code; the rest are counted (default: {MAX_FINDINGS})",
    )


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(
        max_record_bytes=args.max_record_bytes,
        max_document_bytes=args.max_document_bytes,
        max_rules_bytes=args.max_rules_bytes,
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="unionstate",
        description="Validate, convert and query datasets on Belarus-Russia integration "
        "within the Union State.",
    )
    p.add_argument(
        "--version", action="version", version=f"unionstate {__version__} (schema {SCHEMA_VERSION})"
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser(
        "validate",
        help="check a dataset against the schemas and references",
        description="Check a data directory, JSON document or JSON Lines file. "
        "Exit 0 valid, 1 invalid data, 2 unusable input.",
    )
    v.add_argument("path", nargs="?", help="dataset to check (default: the shipped data)")
    v.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (default: text)"
    )
    v.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    v.add_argument(
        "--standalone",
        action="store_true",
        help="check the dataset alone, not against the canonical data shipped in the package",
    )
    v.add_argument(
        "--no-rules",
        action="store_true",
        help="check schema and references only, not the consistency rules",
    )
    v.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="CODES",
        help="run only these rules (codes, code prefixes or names; comma-separated)",
    )
    v.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODES",
        help="do not run these rules (codes, code prefixes or names; comma-separated)",
    )
    v.add_argument(
        "--as-of", metavar="DAY", help="the day the data is judged at (default: its as_of)"
    )
    v.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="processes for a JSON Lines file: the per-record stages run on each, "
        "the rules once over all records (default: every core)",
    )
    _limit_options(v)

    c = sub.add_parser(
        "convert",
        help="convert between a data directory, JSON and JSON Lines",
        description="Convert a valid dataset to another form, canonically "
        "(records sorted by id, keys in canonical order).",
    )
    c.add_argument("path", help="dataset to convert")
    c.add_argument("--to", choices=("dir", "json", "jsonl"), required=True)
    c.add_argument("--out", help="output file or directory (default: stdout; required for dir)")

    s = sub.add_parser(
        "schema",
        help="write the JSON Schemas",
        description="Write the JSON Schemas generated from the model.",
    )
    s.add_argument("--out", default="schemas", help="folder (default: schemas)")
    s.add_argument(
        "--check", action="store_true", help="exit 1 when the files in --out differ from the model"
    )
    r = sub.add_parser(
        "release",
        help="build a versioned data release",
        description="Build DIR/unionstate-data-X.Y.Z/ and its .tar.gz from a valid dataset. "
        "Exit 0 built, 1 the dataset has errors, 2 refused (existing, bad or under-stated "
        "version; unusable input). See docs/releasing.md.",
    )
    add_release_arguments(r)
    vr = sub.add_parser(
        "verify",
        help="check a release's checksums, schemas and rules",
        description="Check a release folder or archive. Exit 0 intact and valid, "
        "1 tampered or invalid, 2 unusable input.",
    )
    add_verify_arguments(vr)
    d = sub.add_parser(
        "diff",
        help="compare two datasets or releases",
        description="Record-level differences of two datasets (directories, documents, "
        "JSON Lines, releases or archives) and the version they call for.",
    )
    add_diff_arguments(d)
    return p


class _Progress:
    """A one-line progress display on stderr, redrawn at most 5 times a second."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, stage: str, done: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        sys.stderr.write(f"\r{stage}: {done:,} records ({rate:,.0f}/s) ")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _codes(values: list[str]) -> list[str]:
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def _validate(args: argparse.Namespace) -> int:
    if args.as_of is not None and not is_edtf(args.as_of):
        print(f"unionstate: --as-of {args.as_of!r} is not an EDTF date", file=sys.stderr)
        return EXIT_UNUSABLE
    bar = _Progress() if args.format == "text" and sys.stderr.isatty() else None
    try:
        raw, report = validate_path(
            args.path if args.path else data_dir(),
            rules=not args.no_rules,
            standalone=args.standalone,
            as_of=args.as_of,
            select=_codes(args.select),
            ignore=_codes(args.ignore),
            limits=_limits(args),
            max_findings=args.max_findings,
            progress=bar or no_progress,
            jobs=args.jobs if args.jobs > 0 else default_jobs(),
            keep_records=False,
        )
    except ValueError as exc:
        print(f"unionstate: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    finally:
        if bar is not None:
            bar.close()
    print(report.to_json() if args.format == "json" else report.to_text())
    if raw.unusable:
        return EXIT_UNUSABLE
    return EXIT_INVALID if report.fails(Severity(args.fail_on)) else EXIT_OK


def _own_input(src: Path, out: Path, to_dir: bool) -> str | None:
    """Why writing ``out`` would write into the input ``src``, or None."""
    s, o = src.resolve(), out.resolve()
    if o == s:
        return "is the input itself"
    if s.is_dir() and o.is_relative_to(s):
        return "lies inside the input folder"
    if to_dir and s.is_relative_to(o):
        return "is a folder that holds the input"
    return None


def _convert(args: argparse.Namespace) -> int:
    if args.out:
        why = _own_input(Path(args.path), Path(args.out), args.to == "dir")
        if why:
            print(
                f"unionstate: --out {args.out} {why}; write the output somewhere else "
                "(convert never writes into its own input)",
                file=sys.stderr,
            )
            return EXIT_UNUSABLE
    raw = read(args.path)
    report = Report.of(validate_raw(raw), records=len(raw.records), files=raw.files)
    if raw.unusable or not report.ok:
        print(report.to_text(), file=sys.stderr)
        print("unionstate: not converted: the input does not validate", file=sys.stderr)
        return EXIT_UNUSABLE if raw.unusable else EXIT_INVALID
    header = {k: v for k, v in (raw.header or {}).items() if k != "type"} or None
    records = [unstructure(structure(r.data)) for r in raw.records]
    if args.to == "dir" and not args.out:
        print("unionstate: convert --to dir needs --out DIR", file=sys.stderr)
        return EXIT_UNUSABLE
    text = ""
    if args.to != "dir":
        text = dump_jsonl(header, records) if args.to == "jsonl" else dump_document(header, records)
    try:
        if args.to == "dir":
            write_dir(args.out, header, records)
        elif args.out:
            write_atomic(args.out, text)
        else:
            sys.stdout.write(text)
    except OSError as exc:
        print(f"unionstate: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if args.check:
        import json

        stale = []
        for name, schema in all_schemas().items():
            path = out / f"{name}.schema.json"
            want = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
            if not path.is_file() or path.read_text(encoding="utf-8") != want:
                stale.append(str(path))
        for stale_path in stale:
            print(f"{stale_path}: differs from the model; run 'unionstate schema --out {out}'")
        return EXIT_INVALID if stale else EXIT_OK
    for path in write_schemas(out):
        print(path)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "convert":
            return _convert(args)
        if args.command == "release":
            return cmd_release(args)
        if args.command == "verify":
            return cmd_verify(args)
        if args.command == "diff":
            return cmd_diff(args)
        return _schema(args)
    except InputError as exc:
        print(f"unionstate: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("unionstate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        print(
            f"unionstate: internal error ({type(exc).__name__}: {exc}); please report it",
            file=sys.stderr,
        )
        return EXIT_BUG


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
