"""A timeline picture of a period: offices as rows of tenure bars, the meetings and calls
of chosen actors as markers coloured by status, and forecasts with their deadline and
outcome. Drawn with matplotlib (``pip install 'unionstate[plot]'``), as SVG, PNG or an
HTML page holding the SVG; the output is the same for the same data and arguments.

>>> import unionstate
>>> from unionstate.timeline import render
>>> svg = render(unionstate.load(), between=("2021", "2022"), fmt="svg")
>>> "President of Belarus" in svg.decode()
True
"""

from __future__ import annotations

import datetime
import html
import io
from collections.abc import Sequence
from typing import Any, Literal

from unionstate import dates
from unionstate.dataset import Dataset, as_range
from unionstate.model import Event

Format = Literal["svg", "png", "html"]
#: The formats by file suffix.
FORMATS: dict[str, Format] = {"svg": "svg", "png": "png", "html": "html"}

#: The offices drawn by default, top to bottom.
OFFICES = (
    "office/president-of-belarus",
    "office/president-of-russia",
    "office/prime-minister-of-belarus",
    "office/prime-minister-of-russia",
    "office/ambassador-of-belarus-to-russia",
    "office/ambassador-of-russia-to-belarus",
    "office/state-secretary-of-the-union-state",
)
#: The colour of an event's marker by its last status (colour-blind-safe Okabe-Ito).
STATUS_COLOURS = {
    "held": "#009E73",
    "scheduled": "#999999",
    "announced": "#999999",
    "postponed": "#E69F00",
    "cancelled": "#D55E00",
    "did_not_take_place": "#D55E00",
}
FORECAST_COLOURS = {"met": "#009E73", "missed": "#D55E00", "open": "#999999"}
BAR_COLOURS = ("#0072B2", "#56B4E9")


def _day(ordinal: int) -> datetime.date:
    return datetime.date.fromordinal(ordinal)


def _span(text: str | None, lo: int, hi: int, *, start: bool) -> tuple[int, int]:
    """The earliest and latest day of a tenure bound, clipped to [lo, hi] (absent: open)."""
    if text is None:
        return (lo, lo) if start else (hi, hi)
    r = dates.parse(text)
    first = r.lo if r.lo is not None else lo
    last = r.hi if r.hi is not None else hi
    return max(lo, min(first, hi)), max(lo, min(last, hi))


def figure(
    ds: Dataset,
    *,
    between: tuple[str, str],
    actors: Sequence[str] = ("person/lukashenka", "person/putin"),
    offices: Sequence[str] = OFFICES,
) -> Any:
    """The timeline as a matplotlib Figure (see the module's docstring)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    actors = [ds.resolve(x, actor=True) for x in actors]
    a, b = as_range(between[0]), as_range(between[1])
    lo = a.lo if a.lo is not None else b.lo
    hi = b.hi if b.hi is not None else a.hi
    if lo is None or hi is None:
        raise ValueError("the period needs a known first and last day")
    if ds.info.as_of and (known := dates.parse(ds.info.as_of).hi) is not None:
        hi = min(hi, known)  # the data knows nothing after its as-of day
    if hi < lo:
        raise ValueError("the period lies after the data's as-of day")
    rows = [o for o in offices if o in ds]
    labels = [ds.label(o) for o in rows] + ["Meetings and calls", "Forecasts"]
    plt.rcParams["svg.hashsalt"] = "unionstate"
    fig, ax = plt.subplots(figsize=(13, 0.55 * len(labels) + 2.2), dpi=110)
    for y, office in enumerate(rows):
        for n, t in enumerate(ds.holders(office, between=(_day(lo), _day(hi)))):
            s_first, s_last = _span(t.start, lo, hi, start=True)
            e_first, e_last = _span(t.end, lo, hi, start=False)
            colour = BAR_COLOURS[n % 2]
            ax.barh(y, e_first - s_last, left=s_last, height=0.6, color=colour)
            for left, width in ((s_first, s_last - s_first), (e_first, e_last - e_first)):
                if width > 0:  # the days a coarse date leaves open: hatched
                    ax.barh(
                        y,
                        width,
                        left=left,
                        height=0.6,
                        color="white",
                        edgecolor=colour,
                        hatch="///",
                        linewidth=0,
                    )
            name = ds.label(t.person).split()[-1]
            if (e_first - s_last) < len(name) * (hi - lo) / 160:  # no room for the name
                continue
            ax.text(
                (s_last + e_first) / 2,
                y,
                name,
                ha="center",
                va="center",
                fontsize=8,
                color="white" if colour == BAR_COLOURS[0] else "black",
                clip_on=True,
            )
    y_events = len(rows)
    events: list[Event] = ds.meetings(*actors, between=(_day(lo), _day(hi)))
    for e in events:
        r = dates.parse(e.date)
        if r.lo is None or r.hi is None:
            continue
        phone = e.kind == "phone_call" or e.attendance in ("phone", "videoconference")
        ax.plot(
            (r.lo + r.hi) / 2,
            y_events,
            marker="x" if phone else "o",
            markersize=7,
            color=STATUS_COLOURS.get(e.statuses[-1].status, "#000000"),
            linestyle="none",
        )
    y_fc = y_events + 1
    for v in ds.forecasts():
        d = dates.parse(v.deadline).hi
        if d is None or not lo <= d <= hi:
            continue
        colour = FORECAST_COLOURS[v.state]
        ax.plot(d, y_fc, marker="D", markersize=7, color=colour, linestyle="none")
        o = v.forecast.outcome
        if o is not None and o.date and (done := dates.parse(o.date).hi) is not None:
            ax.plot([d, max(lo, min(done, hi))], [y_fc, y_fc], color=colour, linewidth=1.5)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(lo, hi + 1)
    years = range(
        _day(lo).year + (_day(lo) != datetime.date(_day(lo).year, 1, 1)), _day(hi).year + 1
    )
    ticks = [datetime.date(y, 1, 1).toordinal() for y in years]
    if len(ticks) < 3:  # a short period: months
        ticks = [
            datetime.date(y, m, 1).toordinal()
            for y in range(_day(lo).year, _day(hi).year + 1)
            for m in range(1, 13)
            if lo <= datetime.date(y, m, 1).toordinal() <= hi
        ]
    ax.set_xticks(ticks, [_day(t).isoformat()[: 4 if len(years) >= 3 else 7] for t in ticks])
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    who = " and ".join(ds.label(x).split()[-1] for x in actors)
    ax.set_title(
        f"Belarus-Russia integration, {_day(lo).isoformat()} to {_day(hi).isoformat()}: "
        f"office-holders, meetings and calls of {who}, forecasts",
        fontsize=11,
        loc="left",
    )
    handles = [
        Patch(color=BAR_COLOURS[0], label="in office"),
        Patch(facecolor="white", edgecolor=BAR_COLOURS[0], hatch="///", label="dates uncertain"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            color=STATUS_COLOURS["held"],
            label="met in person",
        ),
        Line2D(
            [],
            [],
            marker="x",
            linestyle="none",
            color=STATUS_COLOURS["held"],
            label="call or video",
        ),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            color=STATUS_COLOURS["scheduled"],
            label="announced only",
        ),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            color=STATUS_COLOURS["cancelled"],
            label="cancelled, not held",
        ),
        Line2D(
            [],
            [],
            marker="D",
            linestyle="none",
            color=FORECAST_COLOURS["met"],
            label="deadline met",
        ),
        Line2D(
            [],
            [],
            marker="D",
            linestyle="none",
            color=FORECAST_COLOURS["missed"],
            label="deadline missed",
        ),
        Line2D(
            [],
            [],
            marker="D",
            linestyle="none",
            color=FORECAST_COLOURS["open"],
            label="deadline open",
        ),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncol=5,
        fontsize=8,
        frameon=False,
    )
    fig.tight_layout()
    return fig


def render(
    ds: Dataset,
    *,
    between: tuple[str, str],
    fmt: Format,
    actors: Sequence[str] = ("person/lukashenka", "person/putin"),
) -> bytes:
    """The timeline as SVG, PNG or an HTML page that holds the SVG."""
    import matplotlib.pyplot as plt

    fig = figure(ds, between=between, actors=actors)
    buf = io.BytesIO()
    kind = "png" if fmt == "png" else "svg"
    meta = {"Software": None} if kind == "png" else {"Date": None, "Creator": None}
    fig.savefig(buf, format=kind, metadata=meta)
    plt.close(fig)
    data = buf.getvalue()
    if fmt != "html":
        return data
    svg = data.decode("utf-8")
    svg = svg[svg.index("<svg") :]
    title = html.escape(f"unionstate timeline {between[0]} to {between[1]}")
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font-family:sans-serif;margin:1.5em}svg{max-width:100%;height:auto}"
        f"</style></head><body><h1>{title}</h1>\n{svg}\n</body></html>\n"
    )
    return page.encode("utf-8")
