"""The record types of unionstate, frozen and slotted attrs classes.

Every record has an ``id`` of the form ``<type>/<slug>``; its type name is the
class's ``TYPE``. :data:`RECORD_TYPES` maps type names to classes in the order
they are documented and written.
"""

from __future__ import annotations

import attrs

from ._fields import EXTENSION_PREFIX, ID_PATTERN, LANG_PATTERN, opt, req
from .actors import Organization, OrganizationKind, Person
from .agreements import (
    Agreement,
    AgreementKind,
    LifecycleStep,
    Roadmap,
    RoadmapKind,
    Stage,
)
from .common import Claim, Dispute, Identifier, Name, Record, RuleException
from .events import Attendance, Event, EventKind, EventStatus, Participant, StatusChange
from .offices import Office, Tenure, TenureEnd, TenureStart
from .places import Place, PlaceKind
from .sources import Source
from .statements import Forecast, Outcome, OutcomeStatus, Statement

RECORD_TYPES: dict[str, type[Record]] = {
    cls.TYPE: cls
    for cls in (
        Source,
        Place,
        Organization,
        Person,
        Office,
        Tenure,
        Event,
        Agreement,
        Roadmap,
        Statement,
    )
}


@attrs.frozen(slots=True, kw_only=True)
class DatasetInfo:
    """What a dataset says of itself: name, version, and the day its data
    knows up to (``as_of``)."""

    name: str = req("A short machine name, e.g. 'unionstate'.")
    title: str | None = opt("A human title.")
    version: str | None = opt("The data version (semantic versioning).")
    as_of: str | None = opt("The last day the data knows of (EDTF, a day).", fmt="edtf")
    license: str | None = opt("SPDX id of the data licence, e.g. 'CC-BY-4.0'.")
    description: str | None = opt("What the dataset covers.")


__all__ = [
    "EXTENSION_PREFIX",
    "ID_PATTERN",
    "LANG_PATTERN",
    "RECORD_TYPES",
    "Agreement",
    "AgreementKind",
    "Attendance",
    "Claim",
    "DatasetInfo",
    "Dispute",
    "Event",
    "EventKind",
    "EventStatus",
    "Forecast",
    "Identifier",
    "LifecycleStep",
    "Name",
    "Office",
    "Organization",
    "OrganizationKind",
    "Outcome",
    "OutcomeStatus",
    "Participant",
    "Person",
    "Place",
    "PlaceKind",
    "Record",
    "Roadmap",
    "RoadmapKind",
    "RuleException",
    "Source",
    "Stage",
    "Statement",
    "StatusChange",
    "Tenure",
    "TenureEnd",
    "TenureStart",
]
