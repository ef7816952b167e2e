"""Tests for unionstate.checks: one failing and one passing dataset per rule,
the warning (possibly) cases, exceptions, select/ignore, and the registry."""

from __future__ import annotations

from typing import Any

import pytest

from unionstate.checks import RULES, check, select_rules
from unionstate.dataset import Dataset, from_records
from unionstate.model import (
    Agreement,
    AgreementKind,
    DatasetInfo,
    Event,
    EventKind,
    EventStatus,
    Forecast,
    LifecycleStep,
    Name,
    Office,
    Organization,
    OrganizationKind,
    Outcome,
    OutcomeStatus,
    Participant,
    Person,
    Place,
    PlaceKind,
    Record,
    Roadmap,
    RoadmapKind,
    RuleException,
    Source,
    Stage,
    Statement,
    StatusChange,
    Tenure,
)
from unionstate.report import CODES, Finding, Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
S = ("source/s",)
SRC = Source(
    id="source/s",
    url="https://example.org/s",
    title="S",
    publisher="Example",
    language="en",
    published="2099-01-01",
)


# --- builders ----------------------------------------------------------------


def _names(slug: str) -> tuple[Name, ...]:
    return (Name(value=slug.replace("-", " ").title(), lang="en"),)


def person(slug: str, **kw: Any) -> Person:
    return Person(id=f"person/{slug}", names=_names(slug), sources=S, **kw)


def org(slug: str, **kw: Any) -> Organization:
    return Organization(
        id=f"organization/{slug}",
        names=_names(slug),
        kind=kw.pop("kind", OrganizationKind.GOVERNMENT),
        sources=S,
        **kw,
    )


def office(slug: str = "pm", **kw: Any) -> Office:
    return Office(
        id=f"office/{slug}",
        names=_names(slug),
        organization=kw.pop("organization", "organization/gov"),
        sources=S,
        **kw,
    )


def tenure(
    slug: str,
    who: str,
    start: str | None = None,
    end: str | None = None,
    office_: str = "office/pm",
    **kw: Any,
) -> Tenure:
    return Tenure(
        id=f"tenure/{slug}",
        person=f"person/{who}",
        office=office_,
        start=start,
        end=end,
        sources=kw.pop("sources", S),
        **kw,
    )


def status(st: str, date: str | None = None, sources: tuple[str, ...] = ()) -> StatusChange:
    return StatusChange(status=EventStatus(st), date=date, sources=sources)


def event(slug: str, date: str, *statuses: StatusChange, **kw: Any) -> Event:
    return Event(
        id=f"event/{slug}",
        kind=EventKind.MEETING,
        title=slug,
        date=date,
        statuses=statuses or (status("held"),),
        sources=kw.pop("sources", S),
        **kw,
    )


def part(who: str, office_: str | None = None, **kw: Any) -> Participant:
    actor = who if "/" in who else f"person/{who}"
    return Participant(actor=actor, office=office_, **kw)


def place(slug: str, kind: str, parent: str | None = None) -> Place:
    return Place(
        id=f"place/{slug}",
        names=_names(slug),
        kind=PlaceKind(kind),
        parent=None if parent is None else f"place/{parent}",
        sources=S,
    )


def agreement(slug: str, *steps: LifecycleStep, **kw: Any) -> Agreement:
    return Agreement(
        id=f"agreement/{slug}",
        kind=kw.pop("kind", AgreementKind.TREATY),
        title=slug,
        lifecycle=steps,
        sources=kw.pop("sources", S),
        **kw,
    )


def step(stage: str, date: str | None = None, **kw: Any) -> LifecycleStep:
    return LifecycleStep(stage=Stage(stage), date=date, **kw)


def roadmap(slug: str, number: int | None, programme: str = "agreement/prog", **kw: Any) -> Roadmap:
    return Roadmap(
        id=f"roadmap/{slug}",
        kind=RoadmapKind.ROAD_MAP,
        number=number,
        title=slug,
        programme=programme,
        sources=S,
        **kw,
    )


def statement(slug: str, date: str, speaker: str = "person/a", **kw: Any) -> Statement:
    return Statement(
        id=f"statement/{slug}",
        speaker=speaker,
        date=date,
        summary="Said.",
        sources=kw.pop("sources", S),
        **kw,
    )


def source(slug: str, published: str | None, **kw: Any) -> Source:
    return Source(
        id=f"source/{slug}",
        url=f"https://example.org/{slug}",
        title=slug,
        publisher="Example",
        language="en",
        published=published,
        **kw,
    )


def ds(*records: Record, as_of: str | None = None) -> Dataset:
    return from_records((SRC, *records), DatasetInfo(name="t", as_of=as_of))


def run(code: str, *records: Record, as_of: str | None = None) -> list[Finding]:
    return check(ds(*records, as_of=as_of), select=[code])


def one(code: str, *records: Record, as_of: str | None = None) -> Finding:
    found = run(code, *records, as_of=as_of)
    assert len(found) == 1, [f.message for f in found]
    assert found[0].code == code
    return found[0]


def where(f: Finding) -> tuple[Severity, str | None, str | None]:
    return f.severity, f.record_id, f.pointer


PM = (org("gov"), office("pm"), person("a"), person("b"))


# --- US101 -------------------------------------------------------------------


def test_us101_end_before_start() -> None:
    f = one("US101", *PM, tenure("a", "a", "2020-01-16", "2019-01-01"))
    assert where(f) == (ERROR, "tenure/a", "/end")
    assert f.dates == {"tenure.start": "2020-01-16", "tenure.end": "2019-01-01"}
    assert "office/pm" in f.related


def test_us101_in_order() -> None:
    assert run("US101", *PM, tenure("a", "a", "2019-01-01", "2020-01-16")) == []


def test_us101_coarse_dates_that_might_be_reversed_pass() -> None:
    assert run("US101", *PM, tenure("a", "a", "2019", "2019-03")) == []


# --- US102 -------------------------------------------------------------------


def test_us102_event_after_death() -> None:
    f = one(
        "US102",
        person("a", death_date="2010-11-03"),
        event("e", "2011-03-01", participants=(part("a"),)),
    )
    assert where(f) == (ERROR, "event/e", "/participants/0/actor")
    assert f.dates == {"event": "2011-03-01", "person.death": "2010-11-03"}
    assert f.related == ("person/a",)


def test_us102_possibly_after_death() -> None:
    f = one(
        "US102",
        person("a", death_date="2010-11-03"),
        event("e", "2010-11", participants=(part("a"),)),
    )
    assert where(f) == (WARNING, "event/e", "/participants/0/actor")


def test_us102_on_the_day_of_death_is_fine() -> None:
    assert (
        run(
            "US102",
            person("a", death_date="2010-11-03"),
            event("e", "2010-11-03", participants=(part("a"),)),
        )
        == []
    )


def test_us102_cancelled_events_are_skipped() -> None:
    assert (
        run(
            "US102",
            person("a", death_date="2010-11-03"),
            event(
                "e",
                "2011-03-01",
                status("scheduled"),
                status("cancelled"),
                participants=(part("a"),),
            ),
        )
        == []
    )


def test_us102_tenure_before_birth_and_open_after_death() -> None:
    found = run(
        "US102",
        org("gov"),
        office("pm"),
        person("a", birth_date="1960", death_date="2015-01-01"),
        tenure("a", "a", "1955-01-01"),
    )
    assert [where(f) for f in found] == [(ERROR, "tenure/a", "/end"), (ERROR, "tenure/a", "/start")]
    assert "still open" in found[0].message


def test_us102_tenure_within_organisation_lifetime() -> None:
    f = one(
        "US102",
        org("gov", dissolved="2000-01-01"),
        office("pm"),
        person("a"),
        tenure("a", "a", "1995-01-01", "2001-06-01"),
    )
    assert where(f) == (ERROR, "tenure/a", "/end")
    assert f.dates == {"tenure.end": "2001-06-01", "organization.dissolved": "2000-01-01"}


def test_us102_statement_and_lifecycle_step() -> None:
    dead = person("a", death_date="2000-01-01")
    f = one("US102", dead, statement("s", "2001-01-01"))
    assert where(f) == (ERROR, "statement/s", "/speaker")
    f = one("US102", dead, agreement("t", step("signed", "2001-01-01", by=("person/a",))))
    assert where(f) == (ERROR, "agreement/t", "/lifecycle/0/by/0")


def test_us102_organisation_founded_later() -> None:
    f = one(
        "US102",
        org("union", founded="2000-01-26"),
        event("e", "1999-12-08", participants=(part("organization/union"),)),
    )
    assert where(f) == (ERROR, "event/e", "/participants/0/actor")
    assert f.dates["organization.founded"] == "2000-01-26"


def test_us102_a_body_lives_within_its_parent() -> None:
    """A body whose founding is unknown cannot meet before the organisation
    it is part of exists (lifetimes follow ``parent``, up the chain)."""
    union = org("union", founded="2000-01-26")
    council = org("council", parent="organization/union")
    committee = org("committee", parent="organization/council")
    f = one(
        "US102",
        union,
        council,
        committee,
        event("e", "1999-12-08", participants=(part("organization/committee"),)),
    )
    assert where(f) == (ERROR, "event/e", "/participants/0/actor")
    assert f.related == ("organization/committee", "organization/union")
    assert "organization/committee is part of organization/union" in f.message
    # its own founding date, when known, is what counts
    own = org("committee", parent="organization/council", founded="1999-01-01")
    assert (
        run(
            "US102",
            union,
            council,
            own,
            event("e", "1999-12-08", participants=(part("organization/committee"),)),
        )
        == []
    )
    # and a body meeting after its parent exists is fine
    assert (
        run(
            "US102",
            union,
            council,
            committee,
            event("e", "2001-01-01", participants=(part("organization/committee"),)),
        )
        == []
    )


# --- US103 -------------------------------------------------------------------


def test_us103_overlap_is_on_the_later_tenure() -> None:
    f = one(
        "US103", *PM, tenure("a", "a", "2012-05-08", "2020-02-01"), tenure("b", "b", "2020-01-16")
    )
    assert where(f) == (ERROR, "tenure/b", "/start")
    assert f.related[:2] == ("tenure/a", "office/pm")
    assert f.dates == {
        "tenure.start": "2020-01-16",
        "tenure.end": "ongoing",
        "other.start": "2012-05-08",
        "other.end": "2020-02-01",
    }


def test_us103_a_shared_boundary_day_is_fine() -> None:
    assert (
        run(
            "US103",
            *PM,
            tenure("a", "a", "2012-05-08", "2020-01-16"),
            tenure("b", "b", "2020-01-16"),
        )
        == []
    )


def test_us103_single_day_inside_another_tenure_overlaps() -> None:
    f = one(
        "US103",
        *PM,
        tenure("a", "a", "2019-01-01", "2019-12-31"),
        tenure("b", "b", "2019-06-01", "2019-06-01"),
    )
    assert where(f) == (ERROR, "tenure/b", "/start")


def test_us103_possible_overlap_is_a_warning() -> None:
    f = one("US103", *PM, tenure("a", "a", "2012-05-08", "2020-01"), tenure("b", "b", "2020-01-16"))
    assert where(f) == (WARNING, "tenure/b", "/start")


def test_us103_unknown_start_with_two_ongoing_is_a_warning() -> None:
    f = one("US103", *PM, tenure("a", "a"), tenure("b", "b", "2020-01-16"))
    assert f.severity is WARNING


def test_us103_acting_and_multi_holder_offices_pass() -> None:
    assert (
        run(
            "US103",
            *PM,
            tenure("a", "a", "2012-05-08"),
            tenure("b", "b", "2020-01-16", "2020-02-01", acting=True),
        )
        == []
    )
    assert (
        run(
            "US103",
            org("gov"),
            office("pm", max_holders=2),
            person("a"),
            person("b"),
            tenure("a", "a", "2012-05-08"),
            tenure("b", "b", "2020-01-16"),
        )
        == []
    )


def test_us103_many_tenures_in_sequence() -> None:
    ts = [
        tenure(f"t{y}", "a" if y % 2 else "b", f"{y}-01-01", f"{y + 1}-01-01")
        for y in range(1950, 2020)
    ]
    ts.append(tenure("x", "a", "1990-06-01", "1990-07-01"))
    found = run("US103", *PM, *ts)
    assert [(f.record_id, f.related[0]) for f in found] == [("tenure/x", "tenure/t1990")]


# --- US104 -------------------------------------------------------------------


def test_us104_tenure_ended() -> None:
    f = one(
        "US104",
        *PM,
        tenure("a", "a", "2012-05-08", "2020-01-16"),
        event("e", "2021-04-16", participants=(part("a", "office/pm"),)),
    )
    assert where(f) == (ERROR, "event/e", "/participants/0/office")
    assert f.dates == {
        "event": "2021-04-16",
        "tenure.start": "2012-05-08",
        "tenure.end": "2020-01-16",
    }
    assert "ended on 2020-01-16" in f.message
    assert set(f.related) == {"person/a", "office/pm", "tenure/a"}


def test_us104_names_the_nearest_tenure_by_the_days_each_date_allows() -> None:
    """Of several tenures, none covering the date, the message names the one
    nearest to it, measured from the date's last day to a start's first day
    and from its first day to an end's last day (D42 reads them as numbers)."""
    found = run(
        "US104",
        *PM,
        tenure("a1", "a", "2000-01-01", "2005"),  # ends on a day of 2005
        tenure("a2", "a", "2006-03-10", "2007-01-01"),
        # 15 days after 2005's last day, 54 before a2: a1
        event("e1", "2006-01-15", participants=(part("a", "office/pm"),)),
        # its last day 10 days before a2, its first 32 after 2005: a2
        event("e2", "2006-02", participants=(part("a", "office/pm"),)),
    )
    by_event = {f.record_id: f for f in found}
    assert set(by_event) == {"event/e1", "event/e2"}
    assert "the tenure tenure/a1 ended on 2005." in by_event["event/e1"].message
    assert by_event["event/e1"].dates["tenure.end"] == "2005"
    assert "tenure/a2 (2006-03-10 to 2007-01-01) does not cover it" in by_event["event/e2"].message
    assert {f.severity for f in found} == {ERROR}


def test_us104_no_tenure_at_all() -> None:
    f = one("US104", *PM, event("e", "2021-04-16", participants=(part("a", "office/pm"),)))
    assert where(f) == (ERROR, "event/e", "/participants/0/office")
    assert "no tenure" in f.message


def test_us104_covered() -> None:
    assert (
        run(
            "US104",
            *PM,
            tenure("a", "a", "2012-05-08", "2020-01-16"),
            tenure("a2", "a", "2020-01-20"),
            event("e", "2021-04-16", participants=(part("a", "office/pm"),)),
        )
        == []
    )


def test_us104_possibly_covered_is_a_warning() -> None:
    f = one(
        "US104",
        *PM,
        tenure("b", "b", "2020-01-16"),
        event("e", "2020-01", participants=(part("b", "office/pm"),)),
    )
    assert where(f) == (WARNING, "event/e", "/participants/0/office")


def test_us104_statement_speaker() -> None:
    f = one(
        "US104",
        *PM,
        tenure("a", "a", "2012-05-08", "2020-01-16"),
        statement("s", "2021-01-01", office="office/pm"),
    )
    assert where(f) == (ERROR, "statement/s", "/office")


def test_us104_unknown_start_covers_up_to_the_end_and_orgs_are_skipped() -> None:
    assert (
        run(
            "US104",
            *PM,
            tenure("a", "a", None, "2020-01-16"),
            event(
                "e",
                "2001-01-01",
                participants=(part("a", "office/pm"), part("organization/gov", "office/pm")),
            ),
        )
        == []
    )


# --- US105 -------------------------------------------------------------------


def test_us105_held_after_as_of() -> None:
    f = one(
        "US105",
        event("e", "2021-09-09", status("scheduled", "2021-05-01"), status("held", "2021-09-09")),
        as_of="2021-06-01",
    )
    assert where(f) == (ERROR, "event/e", "/statuses/1/date")
    assert f.dates == {"held": "2021-09-09", "as_of": "2021-06-01"}


def test_us105_held_undated_status_uses_event_date() -> None:
    f = one("US105", event("e", "2021-09-09"), as_of="2021-06-01")
    assert where(f) == (ERROR, "event/e", "/date")


def test_us105_one_event_held_twice_without_dates() -> None:
    # every held status undated and of one event: each is judged on the
    # event's date, once for each status
    found = run("US105", event("e", "2021-06", status("held"), status("held")), as_of="2021-06-10")
    assert [where(f) for f in found] == [(WARNING, "event/e", "/date")] * 2


def test_us105_possibly_after_as_of() -> None:
    f = one("US105", event("e", "2021-06"), as_of="2021-06-10")
    assert where(f) == (WARNING, "event/e", "/date")


def test_us105_stale_scheduled_event() -> None:
    f = one(
        "US105", event("e", "2021-04-16", status("scheduled", "2021-04-01")), as_of="2021-06-01"
    )
    assert where(f) == (WARNING, "event/e", "/statuses/0/status")
    assert "stale" not in f.message
    assert "still scheduled" in f.message


def test_us105_resolved_or_future_or_no_as_of() -> None:
    assert (
        run(
            "US105",
            event("e", "2021-04-16", status("scheduled"), status("postponed")),
            as_of="2021-06-01",
        )
        == []
    )
    assert run("US105", event("e", "2021-09-09", status("scheduled")), as_of="2021-06-01") == []
    assert run("US105", event("e", "2099-01-01")) == []


def test_us105_as_of_argument_overrides_header() -> None:
    d = ds(event("e", "2021-09-09"), as_of="2022-01-01")
    assert check(d, select=["US105"]) == []
    assert [f.severity for f in check(d, select=["US105"], as_of="2021-06-01")] == [ERROR]
    with pytest.raises(ValueError, match="not an EDTF"):
        check(d, as_of="June")


# --- US106 -------------------------------------------------------------------


def test_us106_status_after_held() -> None:
    f = one("US106", event("e", "2021-04-16", status("held"), status("scheduled")))
    assert where(f) == (ERROR, "event/e", "/statuses/1/status")


def test_us106_rescheduled_after_postponement_is_fine() -> None:
    assert (
        run(
            "US106",
            event(
                "e",
                "2021-09-09",
                status("scheduled", "2021-01-01"),
                status("postponed", "2021-03-01"),
                status("scheduled", "2021-05-01"),
                status("held", "2021-09-09"),
            ),
        )
        == []
    )


def test_us106_status_dates_go_back() -> None:
    f = one(
        "US106",
        event("e", "2021-09-09", status("scheduled", "2021-05-01"), status("held", "2021-04-01")),
    )
    assert where(f) == (ERROR, "event/e", "/statuses/1/date")
    assert f.dates == {"statuses/1": "2021-04-01", "statuses/0": "2021-05-01"}


def test_us106_coarse_dates_that_might_be_reversed_pass() -> None:
    assert (
        run("US106", agreement("t", step("signed", "2019"), step("ratified", "2019-03-01"))) == []
    )


def test_us106_lifecycle_stage_goes_back() -> None:
    f = one("US106", agreement("t", step("signed"), step("in_force"), step("ratified")))
    assert where(f) == (ERROR, "agreement/t", "/lifecycle/2/stage")


def test_us106_nothing_after_abandoned_and_roadmaps_too() -> None:
    f = one(
        "US106",
        Roadmap(
            id="roadmap/r",
            kind=RoadmapKind.ROAD_MAP,
            title="r",
            sources=S,
            lifecycle=(step("drafted"), step("abandoned"), step("signed")),
        ),
    )
    assert where(f) == (ERROR, "roadmap/r", "/lifecycle/2/stage")


def test_us106_repeated_stage_is_fine() -> None:
    assert (
        run(
            "US106",
            agreement(
                "t",
                step("signed", "2019-12-08"),
                step("signed", "2019-12-08"),
                step("ratified", "2020-01-01"),
            ),
        )
        == []
    )


# --- US107 -------------------------------------------------------------------

ANN = source("ann", "2021-09-01")
REP = source("rep", "2021-09-09")


def test_us107_own_source_published_before_held() -> None:
    f = one(
        "US107",
        ANN,
        REP,
        event(
            "e",
            "2021-09-09",
            status("scheduled", "2021-09-01", ("source/ann",)),
            status("held", None, ("source/rep", "source/ann")),
            sources=("source/ann", "source/rep"),
        ),
    )
    assert where(f) == (ERROR, "event/e", "/statuses/1/sources/1")
    assert f.related == ("source/ann",)
    assert f.dates == {"held": "2021-09-09", "source/ann.published": "2021-09-01"}


def test_us107_possibly_before_is_a_warning() -> None:
    f = one(
        "US107",
        source("month", "2021-09"),
        event(
            "e", "2021-09-09", status("held", None, ("source/month",)), sources=("source/month",)
        ),
    )
    assert where(f) == (WARNING, "event/e", "/statuses/0/sources/0")


def test_us107_a_statement_reported_before_it_was_made() -> None:
    early = source("early", "2021-01-01")
    f = one("US107", early, statement("s", "2021-03-01", sources=("source/early",)))
    assert where(f) == (ERROR, "statement/s", "/sources")
    # a later report among its sources backs it
    later = source("later", "2021-03-02")
    s = statement("s", "2021-03-01", sources=("source/early", "source/later"))
    assert run("US107", early, later, s) == []


def test_us107_an_outcome_reported_before_it_happened() -> None:
    early = source("early", "2021-01-01")
    later = source("later", "2021-06-01")

    def said(*sources: str, status: str = "met") -> Statement:
        outcome = Outcome(status=OutcomeStatus(status), date="2021-05-01", sources=sources)
        fc = Forecast(claim="Done by May.", deadline="2021-05-31", outcome=outcome)
        return statement("s", "2020-12-01", forecasts=(fc,), sources=("source/early",))

    f = one("US107", early, later, said("source/early"))
    assert where(f) == (ERROR, "statement/s", "/forecasts/0/outcome/sources")
    assert f.dates["outcome.met"] == "2021-05-01"
    # the outcome's sources may include what led up to it: one later report suffices
    assert run("US107", early, later, said("source/early", "source/later")) == []
    # an outcome that is still pending or unknown is not a fact to report
    assert run("US107", early, later, said("source/early", status="unknown")) == []


def test_us107_scheduled_statuses_are_exempt() -> None:
    assert (
        run(
            "US107",
            ANN,
            event(
                "e",
                "2021-09-09",
                status("scheduled", None, ("source/ann",)),
                sources=("source/ann",),
            ),
        )
        == []
    )


def test_us107_record_sources_must_not_all_predate() -> None:
    f = one("US107", ANN, event("e", "2021-09-09", sources=("source/ann",)))
    assert where(f) == (ERROR, "event/e", "/sources")
    assert (
        run("US107", ANN, REP, event("e", "2021-09-09", sources=("source/ann", "source/rep"))) == []
    )


def test_us107_undated_source_gives_the_benefit_of_the_doubt() -> None:
    assert (
        run(
            "US107",
            ANN,
            source("undated", None),
            event("e", "2021-09-09", sources=("source/ann", "source/undated")),
        )
        == []
    )


def test_us107_lifecycle_step_and_tenure_start() -> None:
    f = one("US107", ANN, agreement("t", step("signed", "2021-09-09", sources=("source/ann",))))
    assert where(f) == (ERROR, "agreement/t", "/lifecycle/0/sources/0")
    f = one("US107", ANN, *PM, tenure("a", "a", "2021-09-09", sources=("source/ann",)))
    assert where(f) == (ERROR, "tenure/a", "/sources")


# --- US108 -------------------------------------------------------------------

PROG = agreement("prog", kind=AgreementKind.INTEGRATION_PROGRAMME, declared_roadmap_count=3)


def test_us108_duplicate_numbers() -> None:
    found = [f for f in run("US108", PROG, roadmap("a", 1), roadmap("b", 1)) if f.severity is ERROR]
    assert [where(f) for f in found] == [(ERROR, "roadmap/b", "/number")]
    assert found[0].related == ("roadmap/a", "agreement/prog")


def test_us108_number_above_declared_count() -> None:
    found = [f for f in run("US108", PROG, roadmap("a", 4)) if f.severity is ERROR]
    assert [where(f) for f in found] == [(ERROR, "roadmap/a", "/number")]


def test_us108_more_roadmaps_than_declared() -> None:
    found = run("US108", PROG, *(roadmap(c, None) for c in "abcd"))
    assert [where(f) for f in found] == [
        (ERROR, "agreement/prog", "/declared_roadmap_count"),
        (INFO, "agreement/prog", "/declared_roadmap_count"),
    ]


def test_us108_counts_known_roadmaps() -> None:
    f = one(
        "US108",
        PROG,
        roadmap("a", 1),
        roadmap("b", 2),
        roadmap("c", 1, programme="agreement/other"),
    )
    assert where(f) == (INFO, "agreement/prog", "/declared_roadmap_count")
    assert f.message == "2 of 3 declared road maps of agreement/prog are known."


# --- US109 -------------------------------------------------------------------

GEO = (
    person("a"),
    place("by", "country"),
    place("ru", "country"),
    place("minsk", "city", "by"),
    place("moscow", "city", "ru"),
    place("kremlin", "venue", "moscow"),
    place("palace", "venue", "minsk"),
)


def at(slug: str, date: str, where_: str, *statuses: StatusChange, **kw: Any) -> Event:
    parts = kw.pop("participants", (part("a"),))
    return event(slug, date, *statuses, place=f"place/{where_}", participants=parts, **kw)


def test_us109_two_cities_one_day() -> None:
    f = one("US109", *GEO, at("x", "2021-09-09", "kremlin"), at("y", "2021-09-09", "palace"))
    assert where(f) == (ERROR, "event/y", "/participants/0/actor")
    assert f.related == ("event/x", "person/a", "place/minsk", "place/moscow")
    assert f.dates == {"event": "2021-09-09", "other.event": "2021-09-09"}


def test_us109_short_overlapping_ranges_are_a_warning() -> None:
    f = one(
        "US109", *GEO, at("x", "2021-09-09/2021-09-10", "moscow"), at("y", "2021-09-10~", "minsk")
    )
    assert where(f) == (WARNING, "event/y", "/participants/0/actor")


def test_us109_fine_cases() -> None:
    assert (
        run("US109", *GEO, at("x", "2021-09-09", "kremlin"), at("y", "2021-09-09", "moscow")) == []
    )  # same city
    assert (
        run("US109", *GEO, at("x", "2021-09-09", "kremlin"), at("y", "2021-09-10", "palace")) == []
    )  # next day
    assert (
        run(
            "US109",
            *GEO,
            at("x", "2021-09-09", "kremlin"),
            at(
                "y", "2021-09-09", "palace", participants=(part("a", attendance="videoconference"),)
            ),
        )
        == []
    )
    assert (
        run(
            "US109",
            *GEO,
            at("x", "2021-09-09", "kremlin"),
            at("y", "2021-09-09", "palace", status("scheduled")),
        )
        == []
    )  # not held
    assert (
        run("US109", *GEO, at("x", "2021-09", "kremlin"), at("y", "2021-09-09", "palace")) == []
    )  # too coarse to compare
    assert (
        run(
            "US109",
            *GEO,
            at("visit", "2021-09-09", "moscow"),
            at("y", "2021-09-09", "palace", part_of="event/visit"),
        )
        == []
    )


def test_us109_event_attendance_and_participant_override() -> None:
    from unionstate.model import Attendance

    assert (
        run(
            "US109",
            *GEO,
            at("x", "2021-09-09", "kremlin"),
            at("y", "2021-09-09", "palace", attendance=Attendance.PHONE),
        )
        == []
    )
    f = one(
        "US109",
        *GEO,
        at("x", "2021-09-09", "kremlin"),
        at(
            "y",
            "2021-09-09",
            "palace",
            attendance=Attendance.VIDEOCONFERENCE,
            participants=(part("a", attendance=Attendance.IN_PERSON),),
        ),
    )
    assert f.severity is ERROR


# --- US110 -------------------------------------------------------------------


def test_us110_city_in_venue() -> None:
    f = one(
        "US110",
        place("by", "country"),
        place("palace", "venue", "by"),
        place("minsk", "city", "palace"),
    )
    assert where(f) == (ERROR, "place/minsk", "/parent")
    assert f.related == ("place/palace",)


def test_us110_cycle() -> None:
    found = run(
        "US110", place("a", "region", "b"), place("b", "region", "a"), place("c", "city", "a")
    )
    assert [where(f) for f in found] == [
        (ERROR, "place/a", "/parent"),
        (ERROR, "place/b", "/parent"),
    ]
    assert "place/a → place/b → place/a" in found[0].message


def test_us110_proper_nesting_passes() -> None:
    assert (
        run(
            "US110",
            place("union", "union"),
            place("by", "country", "union"),
            place("region", "region", "by"),
            place("district", "region", "region"),
            place("minsk", "city", "district"),
            place("palace", "venue", "minsk"),
            place("hall", "venue", "palace"),
            place("park", "other", "minsk"),
            place("stage", "venue", "park"),
            place("loose", "venue", "by"),
        )
        == []
    )


def test_us110_city_in_city_through_other() -> None:
    f = one(
        "US110",
        place("minsk", "city"),
        place("zone", "other", "minsk"),
        place("town", "city", "zone"),
    )
    assert where(f) == (ERROR, "place/town", "/parent")
    assert "through place/zone" in f.message


# --- US111 -------------------------------------------------------------------


def fc(deadline: str, outcome: Outcome | None = None) -> Forecast:
    return Forecast(claim="Done by then.", deadline=deadline, outcome=outcome)


def test_us111_met_after_deadline() -> None:
    f = one(
        "US111",
        statement(
            "s",
            "2021-03-01",
            forecasts=(fc("2021-04", Outcome(status=OutcomeStatus.MET, date="2021-05-02")),),
        ),
    )
    assert where(f) == (ERROR, "statement/s", "/forecasts/0/outcome/date")
    assert f.dates == {"deadline": "2021-04", "outcome.date": "2021-05-02"}


def test_us111_met_possibly_after_deadline() -> None:
    f = one(
        "US111",
        statement(
            "s",
            "2021-03-01",
            forecasts=(fc("2021-04", Outcome(status=OutcomeStatus.MET, date="2021")),),
        ),
    )
    assert where(f) == (WARNING, "statement/s", "/forecasts/0/outcome/date")


def test_us111_missed_before_deadline() -> None:
    f = one(
        "US111",
        statement(
            "s",
            "2021-03-01",
            forecasts=(fc("2021-04", Outcome(status=OutcomeStatus.MISSED, date="2021-04-10")),),
        ),
    )
    assert where(f) == (ERROR, "statement/s", "/forecasts/0/outcome/date")


def test_us111_no_outcome_or_pending_after_deadline() -> None:
    f = one("US111", statement("s", "2021-03-01", forecasts=(fc("2021-04"),)), as_of="2021-06-01")
    assert where(f) == (WARNING, "statement/s", "/forecasts/0")
    f = one(
        "US111",
        statement(
            "s", "2021-03-01", forecasts=(fc("2021-04", Outcome(status=OutcomeStatus.PENDING)),)
        ),
        as_of="2021-06-01",
    )
    assert where(f) == (WARNING, "statement/s", "/forecasts/0/outcome/status")


def test_us111_fine_cases() -> None:
    assert (
        run("US111", statement("s", "2021-03-01", forecasts=(fc("2021-04"),)), as_of="2021-04-30")
        == []
    )  # deadline not passed yet
    assert run("US111", statement("s", "2021-03-01", forecasts=(fc("2021-04"),))) == []
    assert (
        run(
            "US111",
            statement(
                "s",
                "2021-03-01",
                forecasts=(
                    fc("2021-04", Outcome(status=OutcomeStatus.MET, date="2021-04-30")),
                    fc("2021-04", Outcome(status=OutcomeStatus.MISSED, date="2021-04-30")),
                    fc("2021-04", Outcome(status=OutcomeStatus.UNKNOWN)),
                ),
            ),
            as_of="2022-01-01",
        )
        == []
    )


# --- US112 -------------------------------------------------------------------


def test_us112_unused_source() -> None:
    f = one("US112", person("a"), source("unused", "2020"))
    assert where(f) == (INFO, "source/unused", "")


def test_us112_nested_citations_count() -> None:
    mirror = source("mirror", "2021", sources=("source/original",))
    assert (
        run(
            "US112",
            source("original", "2021"),
            mirror,
            source("st", "2021"),
            source("nm", "2021"),
            Person(
                id="person/a",
                sources=("source/mirror",),
                names=(Name(value="A", lang="en", sources=("source/nm",)),),
            ),
            event("e", "2021-01-01", status("held", None, ("source/st",)), sources=("source/s",)),
        )
        == []
    )


# --- US113 -------------------------------------------------------------------


def _us113(*records: Record, as_of: str | None) -> list[Finding]:
    # the helpers' own source (source/s) is published in 2099: leave it out
    return [f for f in run("US113", *records, as_of=as_of) if f.record_id != "source/s"]


def test_us113_source_published_after_as_of() -> None:
    [f] = _us113(person("a"), source("late", "2021-09-10"), as_of="2021-06-01")
    assert where(f) == (ERROR, "source/late", "/published")
    assert f.dates == {"source.published": "2021-09-10", "as_of": "2021-06-01"}


def test_us113_coarse_publication_date_straddling_as_of_is_a_warning() -> None:
    [f] = _us113(person("a"), source("year", "2021"), as_of="2021-06-01")
    assert where(f) == (WARNING, "source/year", "/published")


def test_us113_fine_when_published_by_as_of_or_undated_or_no_as_of() -> None:
    assert _us113(person("a"), source("t", "2021-06-01"), as_of="2021-06-01") == []
    assert _us113(person("a"), source("t", None), as_of="2021-06-01") == []
    assert run("US113", person("a"), source("t", "2030"), as_of=None) == []


# --- US114 -------------------------------------------------------------------


def test_us114_a_record_resting_on_weak_sources_alone_is_noted() -> None:
    weak = source("mirror", "2021", weak=True)
    p = Person(id="person/a", names=_names("a"), sources=("source/mirror",))
    f = one("US114", weak, p)
    assert where(f) == (INFO, "person/a", "/sources")
    assert f.related == ("source/mirror",)
    assert "weak" in f.message


def test_us114_one_original_is_enough_and_sources_are_not_judged() -> None:
    weak = source("mirror", "2021", weak=True, sources=("source/other-mirror",))
    other = source("other-mirror", "2021", weak=True)
    p = Person(id="person/a", names=_names("a"), sources=("source/mirror", "source/s"))
    # person/a cites an original too; source/mirror relies only on a weak source,
    # but a source is not a fact the rule judges
    assert run("US114", weak, other, p) == []


# --- exceptions, select, ignore, registry ------------------------------------


def test_excepted_finding_is_kept_with_its_reason() -> None:
    why = "Both were sworn in on one day by a decree."
    t = tenure("b", "b", "2020-01-10", exceptions=(RuleException(rule="US103", reason=why),))
    f = one("US103", *PM, tenure("a", "a", "2012-05-08", "2020-01-16"), t)
    assert f.excepted == why
    assert f.severity is ERROR


def test_exception_on_a_related_record_applies() -> None:
    why = "Overlap documented in the decree."
    a = tenure(
        "a", "a", "2012-05-08", "2020-01-16", exceptions=(RuleException(rule="US103", reason=why),)
    )
    f = one("US103", *PM, a, tenure("b", "b", "2020-01-10"))
    assert (f.record_id, f.excepted) == ("tenure/b", why)


def test_exception_for_another_rule_does_not_apply() -> None:
    t = tenure("a", "a", "2020", "2019", exceptions=(RuleException(rule="US103", reason="n/a"),))
    assert one("US101", *PM, t).excepted is None


def test_an_exception_that_excuses_nothing_is_noted() -> None:
    why = "Both were sworn in on one day by a decree."
    b = tenure("b", "b", "2020-01-16", exceptions=(RuleException(rule="US103", reason=why),))
    d = ds(*PM, tenure("a", "a", "2012-05-08", "2020-01-10"), b)
    [f] = check(d, select=["US103"])
    assert (f.code, f.name) == ("US012", "unused-exception")
    assert where(f) == (INFO, "tenure/b", "/exceptions/0")
    assert "US103" in f.message
    # a rule that did not run is not asked about
    assert check(d, select=["US101"]) == []


def test_an_exception_that_names_no_rule_is_noted() -> None:
    typo = RuleException(rule="holds-office", reason="Named by the rule's name, not its code.")
    d = ds(*PM, tenure("a", "a", "2012-05-08", exceptions=(typo,)))
    [f] = check(d, select=["US101"])
    assert where(f) == (INFO, "tenure/a", "/exceptions/0")
    assert "'holds-office' is not a rule's code" in f.message


def test_an_exception_repeated_is_noted_once_used() -> None:
    why = RuleException(rule="US103", reason="Both were sworn in on one day by a decree.")
    b = tenure("b", "b", "2020-01-10", exceptions=(why, why))
    found = check(ds(*PM, tenure("a", "a", "2012-05-08", "2020-01-16"), b), select=["US103"])
    assert [(f.code, f.excepted is not None, f.pointer) for f in found] == [
        ("US012", False, "/exceptions/1"),
        ("US103", True, "/start"),
    ]
    assert "repeats" in found[0].message


def test_select_and_ignore() -> None:
    d = ds(*PM, tenure("a", "a", "2020-01-16", "2019-01-01"), source("unused", "2020"))
    codes = {f.code for f in check(d)}
    assert {"US101", "US112"} <= codes
    assert {f.code for f in check(d, select=["tenure-start-before-end"])} == {"US101"}
    assert {f.code for f in check(d, ignore=["US112"])} == codes - {"US112"}
    assert {f.code for f in check(d, select=["US1"], ignore=["US101", "unused-source"])} == (
        codes - {"US101", "US112"}
    )
    assert [r.code for r in select_rules(["US11"])] == ["US110", "US111", "US112", "US113", "US114"]
    with pytest.raises(ValueError, match="US999"):
        check(d, select=["US999"])
    with pytest.raises(ValueError, match="no-such-rule"):
        check(d, ignore=["no-such-rule"])


def test_registry_and_codes() -> None:
    assert list(RULES) == sorted(RULES)
    assert list(RULES) == [f"US{n}" for n in range(101, 115)]
    for code, r in RULES.items():
        assert r.code == code
        assert CODES[code].name == r.name
        assert CODES[code].severity is r.severity
        assert r.description
        assert r.title
        assert r.bad
        assert r.good
    f = one("US101", *PM, tenure("a", "a", "2020-01-16", "2019-01-01"))
    assert f.name == "tenure-start-before-end"
    assert f.to_dict()["name"] == "tenure-start-before-end"


def test_file_and_line_are_left_to_the_caller() -> None:
    f = one("US101", *PM, tenure("a", "a", "2020-01-16", "2019-01-01"))
    assert (f.file, f.line) == (None, None)


def test_dangling_references_are_skipped() -> None:
    e = event(
        "e",
        "2021-01-01",
        place="place/nowhere",
        participants=(part("ghost", "office/none"), part("organization/none")),
    )
    rm = roadmap("r", 1, programme="agreement/none")
    found = check(ds(e, rm, tenure("t", "ghost", "2020", office_="office/none")))
    assert {f.code for f in found} <= {"US104", "US108"}
    assert [f.code for f in found if f.code != "US108"] == []


def test_findings_are_sorted_and_stable() -> None:
    d = ds(
        *PM,
        tenure("a", "a", "2020-01-16", "2019-01-01"),
        source("unused", "2020"),
        event("e", "2021-01-01", participants=(part("b", "office/pm"),)),
    )
    first = check(d)
    assert first == check(d)
    keys = [(f.code, f.record_id or "", f.pointer or "") for f in first]
    assert keys == sorted(keys)
