"""Statements: who said what, when, with any promised deadline."""

from __future__ import annotations

import enum

import attrs

from ._fields import opt, req, seq
from .common import Record


class OutcomeStatus(enum.StrEnum):
    MET = "met"
    MISSED = "missed"
    PENDING = "pending"
    UNKNOWN = "unknown"


@attrs.frozen(slots=True, kw_only=True)
class Outcome:
    """What became of a forecast."""

    status: OutcomeStatus = req("Met, missed, pending or unknown.")
    date: str | None = opt(
        "When it was met (or when it was clear it was missed) (EDTF).", fmt="edtf"
    )
    evidence: tuple[str, ...] = seq(
        "Records that show the outcome.", ref=("event", "agreement", "roadmap", "statement")
    )
    sources: tuple[str, ...] = seq("Sources for the outcome.", ref=("source",))
    note: str | None = opt("How the outcome was judged.")


@attrs.frozen(slots=True, kw_only=True)
class Forecast:
    """A claim with a deadline: 'all road maps agreed by the end of April 2021'."""

    claim: str = req("What was promised or predicted.")
    deadline: str = req("By when (EDTF); the latest day of it is the deadline.", fmt="edtf")
    about: tuple[str, ...] = seq(
        "Records the claim is about.", ref=("agreement", "roadmap", "event")
    )
    outcome: Outcome | None = opt("What became of it.")


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Statement(Record):
    """Something a person or organisation said, with when, where and in which
    office."""

    TYPE = "statement"

    speaker: str = req("Who said it.", ref=("person", "organization"))
    office: str | None = opt("The office the speaker spoke in.", ref=("office",))
    date: str = req("When it was said (EDTF).", fmt="edtf")
    date_text: str | None = opt("The date as the source words it, e.g. 'late March'.")
    event: str | None = opt(
        "The event (interview, congress, meeting) where it was said.", ref=("event",)
    )
    medium: str | None = opt(
        "The outlet it was said to, e.g. Echo of Moscow.", ref=("organization",)
    )
    summary: str = req("What was said, in a sentence.")
    quote: str | None = opt("The exact words, where a source gives them.")
    quote_lang: str | None = opt("Language of the quote as given (BCP 47).", fmt="lang")
    about: tuple[str, ...] = seq(
        "Records it is about.", ref=("agreement", "roadmap", "event", "organization", "person")
    )
    forecasts: tuple[Forecast, ...] = seq("Claims with deadlines.")
