"""A prototype of issue 19's remaining step, measured: the rules' tables
read by DuckDB instead of built record by record in Python.

    python benchmarks/bench_duckdb_frames.py FILE.jsonl [RUNS]

For a file of schema-valid records that name each other by id (as
``benchmarks/generate.py`` writes them), each run, in fresh processes,
alternated, ``RUNS`` times (default 2):

- ``engine``: ``unionstate validate FILE --standalone --jobs 1 --format
  json``, the command as it is;
- ``prototype``: one pass in Python that parses each line with orjson and
  checks it with the pipeline's jsonschema-rs validators (the schema floor,
  keeping the ids of records that fail), then DuckDB's ``read_json`` of the
  file with columns typed from the JSON Schemas, the rules' tables
  (:data:`unionstate.checks.frames.SCHEMAS`) made from them by SQL, every
  distinct date read once by :func:`unionstate.dates.parse`, and the
  engine's rules run over those tables unchanged.

It prints each step's seconds, records a second and peak MiB, and whether
the prototype's rule findings (code, severity, record, pointer, related
records) are the engine's. The prototype checks no references and resolves
no names, keeps the first of duplicated keys where the engine reports them,
and stops where DuckDB cannot parse a line: it measures the design, it is not
a second engine. DuckDB is not a dependency of unionstate; the prototype needs
it and pyarrow installed beside the package.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

import polars as pl

from unionstate.model import RECORD_TYPES

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)

from bench_readers import in_fresh_process, peak_mib  # noqa: E402


def _duck_type(node: dict[str, Any], defs: dict[str, Any]) -> str:
    """The DuckDB type of a JSON Schema node of the generated schemas."""
    if "$ref" in node:
        return _duck_type(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    for key in ("anyOf", "oneOf"):
        if key in node:
            kinds = {_duck_type(n, defs) for n in node[key] if n.get("type") != "null"}
            return kinds.pop() if len(kinds) == 1 else "JSON"
    kind = node.get("type")
    if isinstance(kind, list):
        rest = [k for k in kind if k != "null"]
        kind = rest[0] if len(rest) == 1 else None
    if "enum" in node or "const" in node or kind == "string":
        return "VARCHAR"
    simple = {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}
    if kind in simple:
        return simple[kind]
    if kind == "array":
        return _duck_type(node.get("items", {}), defs) + "[]"
    if kind == "object" and "properties" in node:
        props = {k: v for k, v in node["properties"].items() if k not in _PROSE}
        fields = ", ".join(f'"{k}" {_duck_type(v, defs)}' for k, v in props.items())
        return f"STRUCT({fields})"
    return "JSON"


#: Fields of prose, which no rule reads: left unread.
_PROSE = {
    "title",
    "summary",
    "notes",
    "note",
    "quote",
    "date_text",
    "description",
    "publisher",
    "language",
    "quote_lang",
    "start_reason",
    "end_reason",
    "subjects",
    "resolution",
}


def columns() -> dict[str, str]:
    """Every top-level field of every record type but prose, typed from its
    schema (a field has one type across the record types)."""
    from unionstate.schema import all_schemas

    out: dict[str, str] = {}
    for t in RECORD_TYPES:
        schema = all_schemas()[t]
        for name, node in schema["properties"].items():
            if name in _PROSE:
                continue
            kind = _duck_type(node, schema.get("$defs", {}))
            if out.setdefault(name, kind) != kind:
                raise ValueError(f"{name} is {out[name]} in one type and {kind} in another")
    return out


def _list_expr(expr: str, path: tuple[str, ...], depth: int = 0) -> str:
    """A DuckDB list of the strings at ``path`` (``*`` for list items) below
    ``expr``."""
    if not path:
        return f"[{expr}]"
    head, rest = path[0], path[1:]
    if head == "*":
        inner = _list_expr(f"x{depth}", rest, depth + 1)
        return f"flatten(list_transform({expr}, lambda x{depth}: {inner}))"
    return _list_expr(f'{expr}."{head}"' if depth or expr != "" else f'"{head}"', rest, depth)


def _refs_sql() -> str:
    """Every id a record names, by the reference paths of the model."""
    from unionstate.references import ref_paths

    parts = []
    for t in RECORD_TYPES:
        for path, _ in ref_paths(t):
            head, rest = path[0], path[1:]
            lst = _list_expr(f'"{head}"', rest, 0) if rest else f'["{head}"]'
            parts.append(f"SELECT id, unnest({lst}) AS ref FROM r WHERE type = '{t}'")
    return (
        "SELECT id, ref FROM ("
        + " UNION ALL ".join(parts)
        + ") WHERE ref IS NOT NULL AND ref <> id"
    )


def _nested(column: str, fields: str, where: str) -> str:
    return (
        f"SELECT id, i, {fields} FROM (SELECT id, generate_subscripts({column}, 1) - 1 AS i, "
        f"unnest({column}) AS x FROM r WHERE {where})"
    )


def _lists_sql() -> str:
    specs = [
        ("statuses.sources", "statuses", "x.sources", "type = 'event'"),
        ("forecasts.evidence", "forecasts", "x.outcome.evidence", "type = 'statement'"),
        ("forecasts.outcome.sources", "forecasts", "x.outcome.sources", "type = 'statement'"),
        ("lifecycle.by", "lifecycle", 'x."by"', "type IN ('agreement', 'roadmap')"),
        ("lifecycle.sources", "lifecycle", "x.sources", "type IN ('agreement', 'roadmap')"),
    ]
    parts = []
    for field, column, inner, where in specs:
        parts.append(
            f"SELECT id, '{field}' AS field, i, generate_subscripts(v, 1) - 1 AS j, "
            "unnest(v) AS value "
            f"FROM (SELECT id, generate_subscripts({column}, 1) - 1 AS i, "
            f"unnest(list_transform({column}, lambda x: {inner})) AS v FROM r WHERE {where}) "
            "WHERE v IS NOT NULL"
        )
    return " UNION ALL ".join(parts)


#: Each table of the rules as SQL over the records ``r``; a date column ``d``
#: is selected as its text, its bounds added afterwards.
TABLES = {
    "records": "SELECT id, type FROM r",
    "names": "SELECT id, label FROM (SELECT id, coalesce("
    "list_filter(names, lambda n: n.lang = 'en' AND n.preferred)[1].value, "
    "list_filter(names, lambda n: n.lang = 'en')[1].value) AS label FROM r) "
    "WHERE label IS NOT NULL",
    "exceptions": 'SELECT id, "at", x.rule AS rule, x.reason AS reason FROM (SELECT id, '
    'generate_subscripts(exceptions, 1) - 1 AS "at", unnest(exceptions) AS x FROM r)',
    "lives": "SELECT id, type AS kind, CASE WHEN type = 'person' THEN birth_date ELSE founded END "
    "AS begin, CASE WHEN type = 'person' THEN death_date ELSE dissolved END AS \"end\" FROM r "
    "WHERE (type = 'person' AND (birth_date <> '' OR death_date <> '')) "
    "OR (type = 'organization' AND (founded <> '' OR dissolved <> ''))",
    "offices": "SELECT id, organization, coalesce(max_holders, 1) AS max_holders "
    "FROM r WHERE type = 'office'",
    "tenures": 'SELECT id, person, office, coalesce(acting, false) AS acting, start, "end" '
    "FROM r WHERE type = 'tenure'",
    "events": "SELECT id, place, attendance, part_of, statuses[-1].status AS final, "
    "coalesce(list_contains(list_transform(statuses, lambda s: s.status), 'held'), false) AS held, "
    "coalesce(len(statuses), 0) AS statuses, date FROM r WHERE type = 'event'",
    "participants": _nested(
        "participants",
        "x.actor AS actor, x.office AS office, x.attendance AS attendance",
        "type = 'event'",
    ),
    "statuses": _nested("statuses", "x.status AS status, x.date AS date", "type = 'event'"),
    "statements": "SELECT id, speaker, medium, office, date FROM r WHERE type = 'statement'",
    "forecasts": _nested(
        "forecasts",
        "x.claim AS claim, x.outcome.status AS status, x.deadline AS deadline, "
        "x.outcome.date AS outcome",
        "type = 'statement'",
    ),
    "lifecycle": _nested(
        "lifecycle",
        "x.stage AS stage, x.date AS date",
        "type IN ('agreement', 'roadmap')",
    ),
    "sources": "SELECT id, url, coalesce(weak, false) AS weak, published FROM r "
    "WHERE type = 'source'",
    "cited": "SELECT id, generate_subscripts(sources, 1) - 1 AS i, unnest(sources) AS source "
    "FROM r",
    "places": "SELECT id, kind, parent FROM r WHERE type = 'place'",
    "parts": "SELECT id, parent FROM r WHERE type = 'organization' AND parent IS NOT NULL",
    "roadmaps": "SELECT id, programme, number FROM r WHERE type = 'roadmap'",
    "agreements": "SELECT id, declared_roadmap_count AS declared FROM r WHERE type = 'agreement'",
}


def frames_via_duckdb(path: str, failed: set[str], threads: int = 1) -> Any:
    """The rules' tables of the schema-valid records of ``path``."""
    import duckdb

    from unionstate.checks.frames import SCHEMAS, Frames, day_bounds

    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns().items()) + "}"
    types = ", ".join(f"'{t}'" for t in RECORD_TYPES)
    con.execute(
        "CREATE TABLE r0 AS SELECT * FROM "
        f"read_json('{path}', format='newline_delimited', columns={spec}) WHERE type IN ({types})"
    )
    if failed:
        con.execute("CREATE TABLE failed (id VARCHAR)")
        con.executemany("INSERT INTO failed VALUES (?)", [(i,) for i in failed])
        con.execute("CREATE VIEW r AS SELECT * FROM r0 WHERE id NOT IN (SELECT id FROM failed)")
    else:
        con.execute("CREATE VIEW r AS SELECT * FROM r0")
    sql = dict(TABLES, lists=_lists_sql(), refs=_refs_sql())
    raw = {name: con.sql(q).pl() for name, q in sql.items()}
    texts: set[str] = set()
    for name, table in raw.items():
        for c in SCHEMAS[name]:
            if f"{c}_lo" in SCHEMAS[name]:
                texts.update(t for t in table[c].unique().to_list() if t is not None)
    rows = [(t, *(day_bounds(t) or (None, None))) for t in texts]
    bounds = pl.DataFrame(
        rows, schema={"text": pl.String, "lo": pl.Int32, "hi": pl.Int32}, orient="row"
    )
    tables = {}
    for name, schema in SCHEMAS.items():
        table = raw[name]
        for c in schema:
            if f"{c}_lo" in schema:
                table = table.join(
                    bounds.rename({"text": c, "lo": f"{c}_lo", "hi": f"{c}_hi"}),
                    on=c,
                    how="left",
                    maintain_order="left",
                )
        tables[name] = table.select(pl.col(c).cast(t) for c, t in schema.items())
    return Frames(tables)


def prototype(path: str) -> dict[str, Any]:
    import orjson
    from bench_pipeline import _schema_checks

    from unionstate.checks import as_of_day, run, select_rules

    t = time.perf_counter()
    check = _schema_checks(formats=True)
    failed: set[str] = set()
    as_of = None
    n = 0
    with open(path, "rb") as f:
        for line in f:
            data = orjson.loads(line)
            n += 1
            if not check[data["type"]](data):
                failed.add(str(data.get("id")))
            if data["type"] == "dataset":
                as_of = data.get("as_of")
    t_schema = time.perf_counter() - t
    frames = frames_via_duckdb(path, failed)
    t_tables = time.perf_counter() - t - t_schema
    found = run(frames, as_of_day(as_of), select_rules())
    seconds = time.perf_counter() - t
    return {
        "n": n,
        "seconds": round(seconds, 2),
        "schema": round(t_schema, 2),
        "tables": round(t_tables, 2),
        "rules": round(seconds - t_schema - t_tables, 2),
        "findings": sorted(
            [f.code, str(f.severity), f.record_id, f.pointer, list(f.related)] for f in found
        ),
    }


def engine(path: str) -> dict[str, Any]:
    t = time.perf_counter()
    out = subprocess.run(
        [
            *(sys.executable, "-m", "unionstate", "validate", path, "--standalone"),
            *("--jobs", "1", "--format", "json", "--show", "info", "--max-findings", "100000000"),
        ],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - t
    report = json.loads(out.stdout)
    found = [
        [f["code"], f["severity"], f["record_id"], f["pointer"], list(f.get("related") or [])]
        for f in report["findings"]
        if f["code"].startswith("US1")
    ]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >> 10
    return {"n": None, "seconds": round(seconds, 2), "peak": peak, "findings": sorted(found)}


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "--step":
        result = (prototype if argv[1] == "prototype" else engine)(argv[2])
        result.setdefault("peak", peak_mib())
        print(json.dumps(result))
        return 0
    if not argv:
        print(__doc__)
        return 2
    missing = [m for m in ("duckdb", "pyarrow") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"the prototype needs {' and '.join(missing)}: pip install duckdb pyarrow")
        return 2
    path, runs = argv[0], int(argv[1]) if len(argv) > 1 else 2
    for run in range(runs):
        found = {}
        for step in ("engine", "prototype"):
            r = in_fresh_process(__file__, step, path)
            found[step] = r.pop("findings")
            print(f"run {run + 1} {step:9} {json.dumps(r)}", flush=True)
        same = found["engine"] == found["prototype"]
        print(
            f"run {run + 1} rule findings: engine {len(found['engine'])}, "
            f"prototype {len(found['prototype'])}, identical: {same}"
        )
        if not same:
            a = {tuple(map(str, x)) for x in found["engine"]}
            b = {tuple(map(str, x)) for x in found["prototype"]}
            for x in sorted(a - b)[:5]:
                print("  engine only:", x)
            for x in sorted(b - a)[:5]:
                print("  prototype only:", x)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
