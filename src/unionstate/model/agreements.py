"""Agreements and their lifecycles; road maps and union programmes."""

from __future__ import annotations

import enum

import attrs

from ._fields import opt, req, seq
from .common import Record


class AgreementKind(enum.StrEnum):
    TREATY = "treaty"
    INTERGOVERNMENTAL_AGREEMENT = "intergovernmental_agreement"
    PROGRAMME_OF_ACTION = "programme_of_action"
    INTEGRATION_PROGRAMME = "integration_programme"
    DECREE = "decree"
    DECLARATION = "declaration"
    CHARTER = "charter"
    CONCEPT = "concept"
    OTHER = "other"


class Stage(enum.StrEnum):
    """Agreement lifecycle stages, in their natural order."""

    PROPOSED = "proposed"
    DRAFTED = "drafted"
    INITIALLED = "initialled"
    AGREED = "agreed"
    SIGNED = "signed"
    APPROVED = "approved"
    RATIFIED = "ratified"
    IN_FORCE = "in_force"
    ABANDONED = "abandoned"


@attrs.frozen(slots=True, kw_only=True)
class LifecycleStep:
    """One stage an agreement or road map reached, when, and where."""

    stage: Stage = req("The stage reached.")
    date: str | None = opt("When (EDTF).", fmt="edtf")
    event: str | None = opt("The event where it happened.", ref=("event",))
    by: tuple[str, ...] = seq(
        "Who did it (signatories, ratifying body).", ref=("person", "organization")
    )
    sources: tuple[str, ...] = seq("Sources for this step.", ref=("source",))
    note: str | None = opt("What the sources say about this step.")


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Agreement(Record):
    """A treaty, intergovernmental agreement, programme of action, decree or
    union programme package, with its lifecycle."""

    TYPE = "agreement"

    kind: AgreementKind = req("What kind of instrument.")
    title: str = req("Title in English.")
    parties: tuple[str, ...] = seq(
        "States or bodies that are party to it.", ref=("organization", "place")
    )
    lifecycle: tuple[LifecycleStep, ...] = seq("Stages reached, oldest first.")
    declared_roadmap_count: int | None = attrs.field(
        default=None,
        metadata={
            "description": "How many road maps or union programmes the sources say it "
            "contains; may exceed the ones known.",
            "minimum": 0,
        },
    )
    roadmaps_published: bool | None = opt("Whether the full list of its road maps was published.")
    part_of: str | None = opt("A larger instrument it belongs to.", ref=("agreement",))
    summary: str | None = opt("What it provides, in a few sentences.")


class RoadmapKind(enum.StrEnum):
    ROAD_MAP = "road_map"
    UNION_PROGRAMME = "union_programme"


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Roadmap(Record):
    """One road map (2019) or union programme (2021) of an integration
    programme."""

    TYPE = "roadmap"

    kind: RoadmapKind = req("Road map or union programme.")
    number: int | None = attrs.field(
        default=None,
        metadata={"description": "Its number within the programme, where known.", "minimum": 1},
    )
    title: str = req("Title in English.")
    topics: tuple[str, ...] = seq(
        "Subjects: 'oil', 'gas', 'tax policy', 'common currency', "
        "'supranational bodies', 'customs', ..."
    )
    programme: str | None = opt("The programme it belongs to.", ref=("agreement",))
    lifecycle: tuple[LifecycleStep, ...] = seq("Stages reached, oldest first.")
    summary: str | None = opt("What it covers.")
