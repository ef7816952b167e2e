"""Regenerate the generated parts of docs/dataset.md from the shipped data.

Replaces the text between ``<!-- counts:start -->``/``<!-- counts:end -->`` (records by
type), ``<!-- events:start -->``/``<!-- events:end -->`` (a chronological table of
events) and ``<!-- disputes:start -->``/``<!-- disputes:end -->`` (every dispute).
Run from the repository root: ``python scripts/gen_dataset_doc.py``; with
``--check`` it exits 1 when the document is out of date instead of writing it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import unionstate
from unionstate import dates
from unionstate.model import RECORD_TYPES, Event, Person

DOC = Path(__file__).resolve().parent.parent / "docs" / "dataset.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _name(ds: unionstate.Dataset, rid: str) -> str:
    names = ds.names_of(rid) if rid in ds else ()
    if not names:
        return rid
    en = [n for n in names if n.lang in ("en", "be-Latn", "ru-Latn")]
    pool = en or list(names)
    preferred = [n for n in pool if n.preferred]
    return (preferred or pool)[0].value


def _participant(ds: unionstate.Dataset, p) -> str:
    rec = ds.get(p.actor) if p.actor in ds else None
    label = _name(ds, p.actor)
    if isinstance(rec, Person):
        label = label.split()[-1]
    if p.attendance:
        label += f" ({p.attendance})"
    return label


def counts_table(ds: unionstate.Dataset) -> str:
    counts = ds.counts()
    rows = ["| record type | count |", "|---|---:|"]
    rows += [f"| {t} | {counts.get(t, 0)} |" for t in RECORD_TYPES]
    rows.append(f"| **total** | **{len(ds)}** |")
    return "\n".join(rows)


def events_table(ds: unionstate.Dataset) -> str:
    def key(e: Event) -> tuple[int, int, str]:
        r = dates.parse(e.date)
        return (r.lo or 0, r.hi or 0, e.id)

    rows = [
        "| date | event | kind | place | status | participants | id |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in sorted(ds.all(Event), key=key):
        date = e.date + (f" ({e.date_text})" if e.date_text else "")
        place = _name(ds, e.place) if e.place else (e.attendance or "")
        status = " → ".join(f"{s.status} {s.date or ''}".strip() for s in e.statuses)
        who = ", ".join(_participant(ds, p) for p in e.participants)
        flag = " ⚖" if e.disputes else ""
        rows.append(
            "| "
            + " | ".join(
                _cell(x) for x in (date, e.title + flag, e.kind, place, status, who, f"`{e.id}`")
            )
            + " |"
        )
    rows.append("")
    rows.append("⚖ = the sources disagree on a field of this event (see its `disputes`).")
    return "\n".join(rows)


def _claim(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def disputes_table(ds: unionstate.Dataset) -> str:
    rows = ["| record | field | values (sources) |", "|---|---|---|"]
    for r in sorted(ds.records, key=lambda r: r.id):
        for d in r.disputes:
            values = " vs ".join(
                f"{_claim(c.value)} ({len(c.sources)} source{'s' if len(c.sources) > 1 else ''})"
                for c in d.claims
            )
            rows.append(f"| `{r.id}` | `{d.field}` | {_cell(values)} |")
    return "\n".join(rows)


def replace_block(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {name}:start -->\n)(.*?)(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"{DOC}: markers <!-- {name}:start/end --> not found")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(3), text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/dataset.md is stale")
    args = ap.parse_args(argv)
    ds = unionstate.load()
    old = DOC.read_text(encoding="utf-8")
    new = replace_block(old, "counts", counts_table(ds))
    new = replace_block(new, "events", events_table(ds))
    new = replace_block(new, "disputes", disputes_table(ds))
    if args.check:
        if new != old:
            print(f"{DOC}: out of date; run python scripts/gen_dataset_doc.py")
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
