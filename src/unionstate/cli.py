"""The command line: parse arguments, call the library, render, exit.

Exit codes: 0 valid, 1 invalid data, 2 unusable input or usage error,
3 an internal error (a bug). Never a traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from unionstate import __version__
from unionstate.chunks import default_jobs
from unionstate.converter import structure, unstructure
from unionstate.dataset import Dataset, data_dir
from unionstate.dates import EDTFError, parse
from unionstate.dates import is_valid as is_edtf
from unionstate.diff import add_arguments as add_diff_arguments
from unionstate.diff import cmd_diff
from unionstate.export import WRITERS, writer
from unionstate.io import InputError, write_atomic
from unionstate.io.read import Limits
from unionstate.io.write import write_files
from unionstate.model import RECORD_TYPES, AgreementKind, Stage
from unionstate.pipeline import MAX_FINDINGS, no_progress, validate_path
from unionstate.release import ReleaseError, build_release, verify
from unionstate.report import CODES, Severity, shown
from unionstate.schema import all_schemas, write_schemas
from unionstate.schema.generate import SCHEMA_VERSION

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
        help="largest JSON document read whole (default: 48M)",
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
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="report format: text, json, or github (GitHub Actions annotations) (default: text)",
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
        help="run only these rules, and of the other codes report only these (codes, code "
        "prefixes or names; comma-separated)",
    )
    v.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODES",
        help="do not run these rules, and leave out findings of these other codes, e.g. "
        "US030 (codes, code prefixes or names; comma-separated)",
    )
    v.add_argument(
        "--show",
        choices=("error", "warning", "info"),
        help="lowest severity shown in the text report (default: warning; JSON has all); "
        "every finding is still counted in the summary",
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
        "(records sorted by id, keys in canonical order). Names written where "
        'ids belong ("Putin", "Лукашэнка") are written as the ids they '
        "resolve to, against the canonical data unless --standalone. Refused "
        "(exit 1) only for the errors validate reports before the rules: "
        "reading, names, schema, references.",
    )
    c.add_argument("path", help="dataset to convert")
    c.add_argument("--to", choices=tuple(WRITERS), required=True, metavar="FORMAT")
    c.add_argument(
        "--out",
        help="output file or directory (default: stdout; required for folder and binary formats)",
    )
    c.add_argument(
        "--standalone",
        action="store_true",
        help="resolve names within the input only, not against the canonical data",
    )

    e = sub.add_parser(
        "export",
        help="write a dataset in another format (CSV, Popolo, FollowTheMoney, SQLite, ...)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Write a valid dataset (default: the shipped data) in FORMAT:\n\n"
        + "".join(f"  {w.name:<8} {w.description}\n" for w in WRITERS.values())
        + "\nExit 0 written, 1 invalid data, 2 unusable input or a missing optional "
        "package.\nSee docs/cli.md.",
    )
    e.add_argument("path", nargs="?", help="dataset to export (default: the shipped data)")
    e.add_argument("--to", choices=tuple(WRITERS), required=True, metavar="FORMAT")
    e.add_argument("--out", required=True, metavar="PATH", help="output file or folder")
    e.add_argument(
        "--standalone",
        action="store_true",
        help="resolve names within the input only, not against the canonical data",
    )

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
    q = sub.add_parser(
        "query",
        help="ask the data: who held an office, a person's offices, events, statements, "
        "forecasts, agreements",
        description="Answer a question from the canonical data (or --data PATH). Names, "
        "titles and ids are all accepted. Exit 0 answered, 1 no answer, 2 a name that "
        "names nothing or several things.",
    )
    qs = q.add_subparsers(dest="question", required=True, metavar="QUESTION")
    qh = qs.add_parser("holder", help="who held an office on a day (or in a period)")
    qh.add_argument("office", help="an office id or title, e.g. 'Russian PM'")
    when = qh.add_mutually_exclusive_group(required=True)
    when.add_argument("--on", help="a day (EDTF), e.g. 2021-04-16")
    when.add_argument("--between", nargs=2, metavar=("FROM", "TO"), help="a period")
    qo = qs.add_parser("offices", help="the offices a person held on a day")
    qo.add_argument("person", help="a person id or name")
    qo.add_argument("--on", required=True, help="a day (EDTF)")
    qe = qs.add_parser("events", help="events in a period involving given actors (all of them)")
    qe.add_argument("--between", nargs=2, metavar=("FROM", "TO"), help="a period")
    qe.add_argument("--involving", action="append", default=[], help="an actor (repeatable)")
    qe.add_argument("--kind", action="append", default=[], help="an event kind (repeatable)")
    qe.add_argument("--in-person", action="store_true", help="only where all were present")
    qst = qs.add_parser(
        "statements", help="statements by a speaker, about a record or a topic, in a period"
    )
    qst.add_argument("--speaker", help="a person or organisation (id or name)")
    qst.add_argument("--about", help="a record id the statements are about")
    qst.add_argument("--topic", help="words of the summary or quote")
    qst.add_argument("--between", nargs=2, metavar=("FROM", "TO"), help="a period")
    qn = qs.add_parser("find", help="the records a name names (persons, bodies, places, offices)")
    qn.add_argument("name", help="a name, an office's title or an id, e.g. 'Lukashenko'")
    qn.add_argument("--type", choices=sorted(RECORD_TYPES), help="only records of this type")
    qso = qs.add_parser("sources", help="the sources behind a record, with their quotes")
    qso.add_argument("record", help="a record id, or a name that names one record")
    qf = qs.add_parser(
        "forecasts", help="promises with a deadline and what became of them (met, missed, open)"
    )
    qf.add_argument("--state", choices=("met", "missed", "open"), help="only this outcome")
    qf.add_argument("--speaker", help="a person or organisation (id or name)")
    qf.add_argument("--about", help="a record id the forecasts are about")
    qf.add_argument(
        "--due", nargs=2, metavar=("FROM", "TO"), help="deadlines that may fall in a period"
    )
    qa = qs.add_parser(
        "agreements", help="agreements by period, kind and the lifecycle stages they reached"
    )
    qa.add_argument("--between", nargs=2, metavar=("FROM", "TO"), help="a step in a period")
    qa.add_argument(
        "--kind",
        action="append",
        choices=[k.value for k in AgreementKind],
        metavar="KIND",
        help=f"repeatable: {', '.join(AgreementKind)}",
    )
    for flag, what in (("--reached", "reached"), ("--not-reached", "never reached")):
        qa.add_argument(
            flag,
            action="append",
            default=[],
            choices=[s.value for s in Stage],
            metavar="STAGE",
            help=f"a stage {what} (repeatable): {', '.join(Stage)}",
        )
    t = sub.add_parser(
        "timeline",
        help="draw office-holders, meetings and forecasts of a period (SVG, PNG, HTML)",
        description="A picture of a period: offices as rows of tenure bars, the meetings "
        "and calls of the actors as markers coloured by status, forecasts with deadline and "
        "outcome. The format follows --out's suffix. Needs matplotlib "
        "(pip install 'unionstate[plot]').",
    )
    t.add_argument("--out", required=True, help="the picture: .svg, .png or .html")
    t.add_argument("--from", dest="start", default="2019", help="first day (EDTF; default 2019)")
    t.add_argument("--to", dest="end", help="last day (EDTF; default the data's as-of day)")
    t.add_argument(
        "--involving",
        action="append",
        default=[],
        help="an actor (repeatable; default the two presidents)",
    )
    t.add_argument("--data", help="dataset to draw (default: the shipped data)")
    for x in (qh, qo, qe, qst, qf, qa, qn, qso):
        x.add_argument("--data", help="dataset to ask (default: the shipped data)")
        x.add_argument("--format", choices=("text", "json"), default="text")
    for x in (qh, qo, qe):
        x.add_argument("--possibly", action="store_true", help="include coarse-date matches")
    return p


def _load(path: str | None) -> Dataset | int:
    """The dataset at ``path`` (the canonical data when ``None``), or the exit
    code after its findings are shown: data that does not validate is not
    queried or drawn (1; 2 when the shipped canonical data is what fails)."""
    from unionstate.dataset import DatasetError, load

    try:
        return load(path)
    except DatasetError as exc:
        print(exc.report.to_text(), file=sys.stderr)
        print(f"unionstate: {path or 'the canonical data'} does not validate", file=sys.stderr)
        return EXIT_UNUSABLE if exc.unusable or path is None else EXIT_INVALID


def _bad_date(*given: str | list[str] | None) -> str | None:
    """Why the first of the dates a command was given is not EDTF, if one is not:
    told before any data is loaded."""
    for value in given:
        for text in [value] if isinstance(value, str) else value or []:
            try:
                parse(text)
            except EDTFError as exc:
                return str(exc)
    return None


def _timeline(args: argparse.Namespace) -> int:
    from unionstate.timeline import FORMATS, render

    fmt = Path(args.out).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        print("unionstate: --out must end in .svg, .png or .html", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        import matplotlib  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the extra
        print(
            "unionstate: timeline needs matplotlib: pip install 'unionstate[plot]'", file=sys.stderr
        )
        return EXIT_UNUSABLE
    if (why := _bad_date(args.start, args.end)) is not None:
        print(f"unionstate: {shown(why)}", file=sys.stderr)
        return EXIT_UNUSABLE
    ds = _load(args.data)
    if isinstance(ds, int):
        return ds
    actors = args.involving or ["person/lukashenka", "person/putin"]
    try:
        period = (args.start, args.end or ds.info.as_of or args.start)
        write_atomic(args.out, render(ds, between=period, fmt=FORMATS[fmt], actors=actors))
    except (KeyError, ValueError) as exc:
        print(f"unionstate: {shown(str(exc))}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:
        print(f"unionstate: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_OK


def _query(args: argparse.Namespace) -> int:
    given = (getattr(args, name, None) for name in ("on", "between", "due"))
    if (why := _bad_date(*given)) is not None:
        print(f"unionstate: {shown(why)}", file=sys.stderr)
        return EXIT_UNUSABLE
    ds = _load(args.data)
    if isinstance(ds, int):
        return ds
    rows: list[dict[str, Any]]
    try:
        if args.question == "holder":
            if args.on:
                people = ds.holder_of(args.office, on=args.on, possibly=args.possibly)
                rows = [{"id": p.id, "label": ds.label(p.id)} for p in people]
            else:
                tenures = ds.holders(
                    args.office, between=tuple(args.between), possibly=args.possibly
                )
                rows = [
                    {
                        "id": t.person,
                        "label": ds.label(t.person),
                        "tenure": t.id,
                        "start": t.start,
                        "end": t.end,
                    }
                    for t in tenures
                ]
        elif args.question == "offices":
            offices = ds.offices_of(args.person, on=args.on, possibly=args.possibly)
            rows = [{"id": o.id, "label": ds.label(o.id)} for o in offices]
        elif args.question == "find":
            cls = RECORD_TYPES[args.type] if args.type else None
            rows = [
                {"id": r.id, "type": r.TYPE, "label": ds.label(r.id)}
                for r in ([ds.get(args.name)] if args.name in ds else ds.find(args.name, cls))
                if cls is None or isinstance(r, cls)
            ]
        elif args.question == "sources":
            rid = ds.resolve(args.record)
            rows = [
                {
                    "id": s.id,
                    "published": s.published,
                    "url": s.url,
                    "title": s.title,
                    "weak": s.weak,
                    "quote": s.quote,
                }
                for s in ds.sources_of(rid)
            ]
        elif args.question == "statements":
            statements = ds.statements(
                speaker=args.speaker,
                about=args.about,
                topic=args.topic,
                between=_period(args.between),
            )
            rows = [
                {
                    "id": s.id,
                    "date": s.date,
                    "speaker": ds.label(s.speaker),
                    "summary": s.summary,
                    "quote": s.quote,
                }
                for s in statements
            ]
        elif args.question == "forecasts":
            views = ds.forecasts(
                state=args.state,
                about=args.about,
                speaker=args.speaker,
                due=_period(args.due),
            )
            rows = [
                {
                    "statement": v.statement.id,
                    "deadline": v.deadline,
                    "state": v.state,
                    "delay_days": v.delay_days,
                    "speaker": ds.label(v.statement.speaker),
                    "claim": v.claim,
                }
                for v in views
            ]
        elif args.question == "agreements":
            agreements = ds.agreements(
                between=_period(args.between),
                kind=args.kind,
                reached=args.reached,
                not_reached=args.not_reached,
            )
            rows = [
                {
                    "id": a.id,
                    "kind": a.kind,
                    "lifecycle": [{"stage": s.stage, "date": s.date} for s in a.lifecycle],
                    "title": a.title,
                }
                for a in agreements
            ]
        else:
            events = ds.meetings(
                *args.involving,
                between=_period(args.between),
                kind=args.kind or None,
                in_person=True if args.in_person else None,
            )
            rows = [
                {
                    "id": e.id,
                    "date": e.date,
                    "kind": e.kind,
                    "title": e.title,
                    "place": ds.label(e.place) if e.place else None,
                    "status": e.statuses[-1].status,
                }
                for e in events
            ]
    except (KeyError, IndexError, EDTFError) as exc:  # a name or a date that says nothing
        said = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"unionstate: {shown(str(said))}", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.format == "json":
        _emit(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        # a line per answer, without quotes (JSON has them) and unset fields; a weak source
        # says so; a lifecycle as its stages and dates ("signed 2022-09-29, ratified ?")
        def cell(v: Any) -> str:
            if isinstance(v, list):
                return ", ".join(" ".join(str(x or "?") for x in item.values()) for item in v)
            return "weak" if v is True else str(v)

        _emit(
            "\n".join(
                shown(
                    "  ".join(
                        cell(v)
                        for k, v in r.items()
                        if v is not None and v is not False and v != [] and k != "quote"
                    )
                )
                for r in rows
            )
        )
    return EXIT_OK if rows else EXIT_INVALID


def _period(days: list[str] | None) -> tuple[str, str] | None:
    """``--between FROM TO`` (or ``--due``) as a period, if given."""
    return (days[0], days[1]) if days else None


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
    try:
        rule_select, code_select = _split_codes(_codes(args.select))
        rule_ignore, code_ignore = _split_codes(_codes(args.ignore))
    except ValueError as exc:
        print(f"unionstate: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    bar = _Progress() if args.format == "text" and sys.stderr.isatty() else None
    try:
        raw, report = validate_path(
            args.path if args.path else data_dir(),
            rules=not args.no_rules,
            standalone=args.standalone,
            as_of=args.as_of,
            select=rule_select,
            ignore=rule_ignore,
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
    from unionstate.checks import RULES

    left_out = set(code_ignore)
    if code_select:
        left_out |= {c for c in CODES if c not in code_select and c not in RULES}
        if not rule_select:  # only other codes selected: no rule's findings shown
            left_out |= set(RULES)
    report = report.without(left_out)
    code = EXIT_INVALID if report.fails(Severity(args.fail_on)) else EXIT_OK
    if raw.unusable:
        code = EXIT_UNUSABLE
    show = Severity(args.show or "warning")
    if args.format == "json":
        _emit(report.to_json())
    elif args.format == "github":
        _emit(report.to_github(show))
    else:
        _emit(report.to_text(show))
    return code


def _split_codes(patterns: list[str]) -> tuple[list[str], list[str]]:
    """Rule patterns (codes, prefixes or names of rules) apart from the codes of other
    findings (``US030``, or its name ``name-resolved``); a pattern naming neither is a
    usage error (``ValueError``)."""
    from unionstate.checks import RULES

    rules: list[str] = []
    others: list[str] = []
    names = {c.name: c.code for c in CODES.values()}
    for p in patterns:
        code = names.get(p, p.upper())
        if code in CODES and code not in RULES:
            others.append(code)
        elif any(r.name == p or r.code.startswith(p.upper()) for r in RULES.values()):
            rules.append(p)
        else:
            raise ValueError(f"{p!r} is not a finding code, rule code, code prefix or name")
    return rules, others


def _emit(text: str) -> None:
    """Print ``text``; a reader that closed the pipe early changes nothing of the exit
    code, which says what the data is."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # no more output can reach anyone; keep the interpreter from failing at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


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


def _export(path: str, to: str, out: str | None, standalone: bool = False) -> int:
    """Write the dataset at ``path`` as format ``to`` to ``out`` (a file or
    folder; stdout when ``None`` and the format is one text file), its names
    resolved to ids (against the canonical data unless ``standalone``)."""
    w = writer(to)
    missing = w.missing()
    if missing:
        print(f"unionstate: {missing}", file=sys.stderr)
        return EXIT_UNUSABLE
    if out:
        why = _own_input(Path(path), Path(out), w.folder)
        if why:
            print(
                f"unionstate: --out {out} {why}; write the output somewhere else "
                "(convert never writes into its own input)",
                file=sys.stderr,
            )
            return EXIT_UNUSABLE
    elif w.folder or w.binary:
        print(f"unionstate: --to {to} needs --out PATH", file=sys.stderr)
        return EXIT_UNUSABLE
    raw, report = validate_path(path, rules=False, standalone=standalone, max_findings=None)
    if raw.unusable or not report.ok:
        print(report.to_text(), file=sys.stderr)
        print("unionstate: not converted: the input does not validate", file=sys.stderr)
        return EXIT_UNUSABLE if raw.unusable else EXIT_INVALID
    header = {k: v for k, v in (raw.header or {}).items() if k != "type"} or None
    records = [unstructure(structure(r.data)) for r in raw.records]
    files = w.render(header, records)
    try:
        if w.folder:
            write_files(out or "", files)
        elif out:
            write_atomic(out, next(iter(files.values())))
        else:
            sys.stdout.write(next(iter(files.values())).decode("utf-8"))
    except OSError as exc:
        print(f"unionstate: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_OK


def _convert(args: argparse.Namespace) -> int:
    return _export(args.path, args.to, args.out, args.standalone)


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
    for stream in (sys.stdout, sys.stderr):
        # a terminal or pipe that is not UTF-8 gets escapes, not an encoding error
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    args = _parser().parse_args(argv)
    try:
        if args.command == "query":
            return _query(args)
        if args.command == "timeline":
            return _timeline(args)
        if args.command == "validate":
            return _validate(args)
        if args.command == "convert":
            return _convert(args)
        if args.command == "export":
            return _export(args.path or str(data_dir()), args.to, args.out, args.standalone)
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
        return _internal_error(exc)
    except BaseException as exc:  # a panic of a Rust extension (polars) is no Exception
        if type(exc).__name__ != "PanicException":
            raise
        return _internal_error(exc)


def _internal_error(exc: BaseException) -> int:
    print(
        f"unionstate: internal error ({type(exc).__name__}: {exc}); please report it",
        file=sys.stderr,
    )
    return EXIT_BUG


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
