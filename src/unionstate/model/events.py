"""Events: meetings, talks, visits, council sessions, announcements, interviews."""

from __future__ import annotations

import enum

import attrs

from ._fields import opt, req, seq
from .common import Record


class EventKind(enum.StrEnum):
    MEETING = "meeting"
    TALKS = "talks"
    VISIT = "visit"
    SUMMIT = "summit"
    COUNCIL_SESSION = "council_session"
    CONGRESS = "congress"
    INTERVIEW = "interview"
    PHONE_CALL = "phone_call"
    ANNOUNCEMENT = "announcement"
    PRESS_CONFERENCE = "press_conference"
    FORUM = "forum"
    NEGOTIATIONS = "negotiations"
    APPOINTMENT = "appointment"
    ELECTION = "election"
    INAUGURATION = "inauguration"
    DEVELOPMENT = "development"
    OTHER = "other"


class EventStatus(enum.StrEnum):
    ANNOUNCED = "announced"
    SCHEDULED = "scheduled"
    HELD = "held"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    DID_NOT_TAKE_PLACE = "did_not_take_place"


class Attendance(enum.StrEnum):
    IN_PERSON = "in_person"
    VIDEOCONFERENCE = "videoconference"
    PHONE = "phone"
    WRITTEN = "written"
    MIXED = "mixed"


@attrs.frozen(slots=True, kw_only=True)
class Participant:
    """An actor taking part in an event, in an office, in a role."""

    actor: str = req("The person or organisation.", ref=("person", "organization"))
    office: str | None = opt("The office the actor acted in.", ref=("office",))
    role: str | None = opt("Role at the event: 'host', 'guest', 'chair', 'interviewer', ...")
    attendance: Attendance | None = opt(
        "How this participant took part, where it differs from the event's."
    )


@attrs.frozen(slots=True, kw_only=True)
class StatusChange:
    """The event's status from ``date`` on (announced, scheduled, held, ...)."""

    status: EventStatus = req("The new status.")
    date: str | None = opt(
        "When the status began (EDTF); for 'held', the day it was held.", fmt="edtf"
    )
    sources: tuple[str, ...] = seq("Sources for this status.", ref=("source",))
    note: str | None = opt("What the sources say about this step.")


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Event(Record):
    """Something that happened, or was announced, expected or scheduled to
    happen. ``date`` is when it took (or was to take) place; ``statuses`` is its
    history in order."""

    TYPE = "event"

    kind: EventKind = req("What kind of event.")
    title: str = req("A short title in English.")
    date: str = req("When it took, or was to take, place (EDTF).", fmt="edtf")
    date_text: str | None = opt(
        "The date as the source words it, when vaguer than a day, e.g. 'late 2018'."
    )
    place: str | None = opt("Where it took place.", ref=("place",))
    attendance: Attendance | None = opt("In person, by videoconference, by phone, ...")
    participants: tuple[Participant, ...] = seq("Who took part, in which office.")
    statuses: tuple[StatusChange, ...] = seq("Status history, oldest first.", min_items=1)
    topics: tuple[str, ...] = seq(
        "Road maps and agreements discussed.", ref=("roadmap", "agreement")
    )
    subjects: tuple[str, ...] = seq("Free-text subjects, e.g. 'oil', 'gas', 'common currency'.")
    announced_by: str | None = opt("The event that announced this one.", ref=("event",))
    part_of: str | None = opt("A larger event this one is part of (e.g. a visit).", ref=("event",))
    summary: str | None = opt("What happened, in a few sentences.")
