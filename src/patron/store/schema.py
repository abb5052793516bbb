"""The register's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Times are naive local wall-clock times, as the user typed them. Records that
belong to another (an e-mail address, a stakeholder role, a milestone) go
with it when it is removed; records that stand on their own (asks,
interactions, feedback) keep their history and lose only the link.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

from patron.store.revision import SCHEMA_REVISION

__all__ = ["SCHEMA_REVISION", "metadata"]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def _storable(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


class Words(TypeDecorator[str]):
    """A bounded string, stored alike on every backend: PostgreSQL refuses the NUL
    character, so it is dropped on the way in everywhere (a backup then moves freely)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return _storable(value)


class Prose(TypeDecorator[str]):
    """Free text, stored alike on every backend (see ``Words``)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return _storable(value)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _owned_by(table: str, nullable: bool = False) -> Column[int]:
    """A link to the record this one belongs to: removed with it."""
    return Column(f"{table}_id", Integer, ForeignKey(f"{table}.id", ondelete="CASCADE"),
                  nullable=nullable, index=True)


def _refers_to(name: str, table: str) -> Column[int]:
    """A link to a record this one outlives: cleared when that record is removed."""
    return Column(name, Integer, ForeignKey(f"{table}.id", ondelete="SET NULL"), index=True)


organisation = Table(
    "organisation", metadata,
    _id(),
    Column("name", Words(200), nullable=False, unique=True),
    Column("notes", Prose),
)

organisation_domain = Table(
    "organisation_domain", metadata,
    Column("domain", Words(253), primary_key=True),
    _owned_by("organisation"),
)

person = Table(
    "person", metadata,
    _id(),
    Column("name", Words(200), nullable=False, index=True),
    _refers_to("organisation_id", "organisation"),
    Column("title", Words(200)),
    Column("notes", Prose),
    Column("phones", JSON),
    # Year 1604 stands for "year unknown", as vCard 4 writes --MMDD dates.
    Column("birthday", Date),
    Column("anniversary", Date),
)

person_email = Table(
    "person_email", metadata,
    Column("address", Words(320), primary_key=True),
    _owned_by("person"),
)

engagement = Table(
    "engagement", metadata,
    _id(),
    Column("name", Words(200), nullable=False, unique=True),
    Column("kind", Words(20), nullable=False),
    _refers_to("organisation_id", "organisation"),
    Column("status", Words(20), nullable=False),
    Column("value", Float),
    Column("goal", Prose),
    Column("success_criteria", JSON, nullable=False),
    Column("starts_on", Date),
    Column("ends_on", Date),
    Column("notes", Prose),
    Column("rate", Float),  # your hourly rate on it: the value of the time logged
)

milestone = Table(
    "milestone", metadata,
    _id(),
    Column("title", Words(300), nullable=False),
    _owned_by("engagement"),
    Column("due_on", Date),
    Column("done_on", Date),
    Column("notes", Prose),
)

stakeholder = Table(
    "stakeholder", metadata,
    _id(),
    _owned_by("person"),
    _owned_by("engagement"),
    Column("role", Words(20), nullable=False),
    Column("power", Integer, nullable=False),
    Column("interest", Integer, nullable=False),
    Column("legitimacy", Integer, nullable=False),
    Column("urgency", Integer, nullable=False),
    Column("stance", Words(20), nullable=False),
    Column("incentives", Prose),
    Column("cadence_days", Integer),
    Column("notes", Prose),
    # The day they joined the engagement: a first check-in falls due a cadence after it.
    Column("added_on", Date, nullable=False),
    UniqueConstraint("person_id", "engagement_id", "role", name="uq_stakeholder_role"),
)

ask = Table(
    "ask", metadata,
    _id(),
    Column("title", Words(500), nullable=False),
    _refers_to("requester_id", "person"),
    _refers_to("engagement_id", "engagement"),
    Column("status", Words(20), nullable=False),
    Column("due_at", DateTime),
    Column("effort_hours", Float),
    Column("value", Integer),
    Column("created_at", DateTime, nullable=False),
    Column("done_at", DateTime),
    Column("source", Prose),
    Column("notes", Prose),
    _refers_to("goal_id", "goal"),
    Column("deliverable", Words(200)),
    Column("tags", JSON),
    Column("annotations", JSON),
    Index("ix_ask_status_due", "status", "due_at"),
    Index("ix_ask_source", "source"),
)

ask_dependency = Table(
    "ask_dependency", metadata,
    Column("ask_id", Integer, ForeignKey("ask.id", ondelete="CASCADE"), primary_key=True),
    Column("depends_on_id", Integer, ForeignKey("ask.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)

ask_exclusion = Table(
    # Two asks that cannot both be done: doing one rules the other out.
    "ask_exclusion", metadata,
    Column("ask_id", Integer, ForeignKey("ask.id", ondelete="CASCADE"), primary_key=True),
    Column("excludes_id", Integer, ForeignKey("ask.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)

stakeholder_opposition = Table(
    # Two stakeholders whose incentives pull against each other.
    "stakeholder_opposition", metadata,
    Column("stakeholder_id", Integer, ForeignKey("stakeholder.id", ondelete="CASCADE"),
           primary_key=True),
    Column("opposed_id", Integer, ForeignKey("stakeholder.id", ondelete="CASCADE"),
           primary_key=True, index=True),
)

commitment = Table(
    "commitment", metadata,
    _id(),
    Column("title", Words(500), nullable=False),
    _refers_to("promisee_id", "person"),
    _refers_to("engagement_id", "engagement"),
    _refers_to("ask_id", "ask"),
    Column("status", Words(20), nullable=False),
    Column("made_at", DateTime, nullable=False, index=True),
    Column("due_at", DateTime),
    Column("resolved_at", DateTime),
    Column("notes", Prose),
)

interaction = Table(
    "interaction", metadata,
    _id(),
    Column("summary", Prose, nullable=False),
    Column("kind", Words(20), nullable=False),
    Column("occurred_at", DateTime, nullable=False, index=True),
    _refers_to("engagement_id", "engagement"),
    Column("direction", Words(10), nullable=False),
    Column("sentiment", Integer),
    Column("source", Prose),
    Column("notes", Prose),
    # Mail: the thread's first Message-ID, and the Message-ID this one answers.
    Column("thread", Words(500), index=True),
    Column("reply_to", Words(500), index=True),
    Index("ix_interaction_source", "source"),
)

interaction_participant = Table(
    "interaction_participant", metadata,
    Column("interaction_id", Integer, ForeignKey("interaction.id", ondelete="CASCADE"),
           primary_key=True),
    Column("person_id", Integer, ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    # How they took part, where the source says: from, to, cc, organiser, attendee.
    Column("role", Words(10)),
    # The touchpoint's moment, copied and kept by the database (store/moments.py), so that a
    # person's last contact is one look-up in the index below (which also finds a person's
    # touchpoints, as the index on person_id alone did before).
    Column("occurred_at", DateTime),
    # True where the message was found in this person's own mailbox: they are you, or the
    # owner (``--owner``) of the mailbox it was imported from. Influence measures each
    # person by what the other mailboxes saw of them (domain/influence.py).
    Column("own_mailbox", Boolean),
    Index("ix_interaction_participant_person_moment", "person_id", "occurred_at"),
)

suggestion = Table(
    "suggestion", metadata,
    _id(),
    # request-action, request-information (an ask for you) or commitment (your promise).
    Column("kind", Words(30), nullable=False),
    Column("title", Words(500), nullable=False),
    Column("sentence", Prose, nullable=False),
    _refers_to("person_id", "person"),  # who asked, or to whom you promised
    _refers_to("engagement_id", "engagement"),
    _owned_by("interaction", nullable=True),
    Column("due_at", DateTime),
    Column("found_at", DateTime, nullable=False),  # when the message was written
    Column("status", Words(20), nullable=False),  # pending, accepted, rejected
    Column("source", Words(600), nullable=False, unique=True),
    _refers_to("ask_id", "ask"),
    _refers_to("commitment_id", "commitment"),
)

import_state = Table(
    "import_state", metadata,
    # Where an importer stopped, per source ("imap:user@host/INBOX"), so the next run
    # fetches only what is new.
    Column("source", Words(600), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

feedback = Table(
    "feedback", metadata,
    _id(),
    _refers_to("person_id", "person"),
    _refers_to("engagement_id", "engagement"),
    Column("rating", Integer),
    Column("text", Prose),
    Column("received_on", Date, nullable=False),
)

time_entry = Table(
    "time_entry", metadata,
    _id(),
    _refers_to("engagement_id", "engagement"),
    Column("minutes", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("boss_kind", Words(20), nullable=False),
    Column("note", Prose),
)

goal = Table(
    "goal", metadata,
    _id(),
    Column("title", Words(500), nullable=False),
    Column("kind", Words(20), nullable=False),
    Column("status", Words(20), nullable=False),
    Column("target_on", Date),
    Column("created_on", Date, nullable=False),
    Column("notes", Prose),
)

goal_note = Table(
    # Progress on one of your own goals, in your words.
    "goal_note", metadata,
    _id(),
    _owned_by("goal"),
    Column("noted_on", Date, nullable=False),
    Column("text", Prose, nullable=False),
)

timer = Table(
    # The running timer of 'patron start' (at most one); 'patron stop' turns it into a time entry.
    "timer", metadata,
    _id(),
    _owned_by("engagement"),
    Column("boss_kind", Words(20)),
    Column("started_at", DateTime, nullable=False),
    Column("note", Prose),
)

reflection = Table(
    # Your answers to a review's questions, found again in the next review.
    "reflection", metadata,
    _id(),
    Column("period_start", Date, nullable=False, index=True),
    Column("period_end", Date, nullable=False),
    Column("question", Prose, nullable=False),
    Column("answer", Prose, nullable=False),
    Column("written_at", DateTime, nullable=False),
)

prospect = Table(
    "prospect", metadata,
    _id(),
    Column("name", Words(200), nullable=False, unique=True),
    _refers_to("organisation_id", "organisation"),
    _refers_to("contact_id", "person"),
    Column("status", Words(20), nullable=False),
    Column("goal", Prose),
    Column("fee", Float),
    Column("created_on", Date, nullable=False),
    Column("notes", Prose),
)

TABLES_IN_ORDER: tuple[Table, ...] = tuple(metadata.sorted_tables)
"""Parents before children: the order restore inserts in."""
