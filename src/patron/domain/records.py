"""What each kind of record in the register holds, described once.

The register's use cases (``services.records``), the command line and the
export all read these descriptions, so a new field is added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from patron.domain import vocabulary as v


class FieldKind(StrEnum):
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    DAY = "day"          # a calendar date
    ANNUAL = "annual"    # a day that comes round every year, its year optional (a birthday)
    MOMENT = "moment"    # a date and time
    DURATION = "duration"  # minutes, typed as 1h30
    CHOICE = "choice"
    REF = "ref"          # another record, named as a person would name it
    TEXTS = "texts"      # a short list of text kept with the record
    VALUES = "values"    # text values in a child table (e-mail addresses, domains)
    LINKS = "links"      # other records, through a link table


@dataclass(frozen=True)
class Field:
    name: str                      # column (or, for child tables, the list's name)
    kind: FieldKind
    help: str
    option: str = ""               # CLI option without dashes; defaults to name
    required: bool = False
    positional: bool = False       # given as an argument to ``add``
    choices: tuple[str, ...] = ()
    ref: str = ""                  # kind of record referred to (REF, LINKS)
    low: float | None = None
    high: float | None = None
    table: str = ""                # child or link table (VALUES, LINKS)
    column: str = ""               # value column in that table
    in_list: bool = False          # shown as a column by ``list``
    filter: bool = False           # ``list`` can filter on it

    @property
    def cli_name(self) -> str:
        return self.option or self.name.replace("_", "-")

    @property
    def is_many(self) -> bool:
        return self.kind in (FieldKind.TEXTS, FieldKind.VALUES, FieldKind.LINKS)

    @property
    def in_child_table(self) -> bool:
        return self.kind in (FieldKind.VALUES, FieldKind.LINKS)


@dataclass(frozen=True)
class RecordKind:
    name: str          # "person"
    plural: str        # "people"
    table: str
    label: str         # the field a person names it by ("name", "title")
    fields: tuple[Field, ...]
    aliases: tuple[str, ...] = ()
    summary: str = ""
    by_name: bool = True  # resolvable by a unique prefix of its label
    # "-column" lists the newest first; what time orders is listed newest first, what has a
    # due day soonest first, the rest by name or in the order it was added (docs/development.md)
    order_by: tuple[str, ...] = ("id",)
    example: str = ""

    @property
    def cli_name(self) -> str:
        return self.name.replace("_", "-")

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @cached_property  # read for every record an import checks
    def row_fields(self) -> tuple[Field, ...]:
        """Fields kept in the record's own row (a short TEXTS list included)."""
        return tuple(f for f in self.fields if not f.in_child_table)

    @cached_property
    def child_fields(self) -> tuple[Field, ...]:
        """Fields kept in a child or link table."""
        return tuple(f for f in self.fields if f.in_child_table)


def _choice(name: str, enum: type[StrEnum], help: str, **kw: object) -> Field:
    return Field(name, FieldKind.CHOICE, help, choices=tuple(e.value for e in enum), **kw)  # type: ignore[arg-type]


def _scale(name: str, help: str) -> Field:
    return Field(name, FieldKind.INT, f"{help} (0-5)", low=0, high=5, in_list=True)


NOTES = Field("notes", FieldKind.TEXT, "free notes")

ORGANISATION = RecordKind(
    "organisation", "organisations", "organisation", "name",
    summary="employers, client companies, departments",
    aliases=("org", "orgs", "organisations", "organization", "organizations"),
    order_by=("name",),
    example='patron organisation add "Meridian Shipping" --domain meridian-shipping.com',
    fields=(
        Field("name", FieldKind.TEXT, "the organisation's name", required=True, positional=True,
              in_list=True),
        Field("domains", FieldKind.VALUES, "a mail domain of theirs (repeatable)", option="domain",
              table="organisation_domain", column="domain", in_list=True),
        NOTES,
    ),
)

PERSON = RecordKind(
    "person", "people", "person", "name",
    summary="anyone you deal with: several addresses, one identity",
    aliases=("people",),
    order_by=("name",),
    example='patron person add "Helen Brandt" --email helen@meridian-shipping.com --org Meridian --title CFO',
    fields=(
        Field("name", FieldKind.TEXT, "full name", required=True, positional=True, in_list=True),
        Field("emails", FieldKind.VALUES, "an e-mail address (repeatable)", option="email",
              table="person_email", column="address", in_list=True),
        Field("organisation_id", FieldKind.REF, "organisation (name, domain or id)", option="org",
              ref="organisation", in_list=True, filter=True),
        Field("title", FieldKind.TEXT, "job title", in_list=True),
        Field("phones", FieldKind.TEXTS, "a phone number (repeatable)", option="phone"),
        Field("birthday", FieldKind.ANNUAL,
              "birthday: 1980-04-15, or without the year: --0415, 04-15, 'April 15'"),
        Field("anniversary", FieldKind.ANNUAL,
              "a wedding or other anniversary, with or without the year (like --birthday)"),
        NOTES,
    ),
)

ENGAGEMENT = RecordKind(
    "engagement", "engagements", "engagement", "name",
    summary="a body of work done for someone: a client project, your job, your own development",
    aliases=("engagements", "eng"),
    order_by=("name",),
    example='patron engagement add "Ledger migration" --kind client --org Meridian --value 120000',
    fields=(
        Field("name", FieldKind.TEXT, "short name", required=True, positional=True, in_list=True),
        _choice("kind", v.EngagementKind, "client, employer (your job) or self (your development)",
                in_list=True, filter=True),
        Field("organisation_id", FieldKind.REF, "organisation served", option="org",
              ref="organisation", in_list=True, filter=True),
        _choice("status", v.EngagementStatus, "where it stands", in_list=True, filter=True),
        Field("value", FieldKind.FLOAT, "what it is worth (fees, or your own estimate)", low=0,
              in_list=True),
        Field("goal", FieldKind.TEXT, "the goal, in one sentence"),
        Field("success_criteria", FieldKind.TEXTS, "a success criterion (repeatable)",
              option="criterion"),
        Field("starts_on", FieldKind.DAY, "first day", option="start"),
        Field("ends_on", FieldKind.DAY, "last day (planned)", option="end", in_list=True),
        Field("rate", FieldKind.FLOAT, "your hourly rate on it (gives logged time a value)",
              low=0),
        NOTES,
    ),
)

MILESTONE = RecordKind(
    "milestone", "milestones", "milestone", "title",
    summary="a dated step of an engagement",
    aliases=("milestones",),
    order_by=("due_on", "id"),
    example='patron milestone add "Board pack" --engagement Ledger --due 2026-12-15',
    fields=(
        Field("title", FieldKind.TEXT, "what is delivered", required=True, positional=True,
              in_list=True),
        Field("engagement_id", FieldKind.REF, "engagement", option="engagement", ref="engagement",
              required=True, in_list=True, filter=True),
        Field("due_on", FieldKind.DAY, "due day", option="due", in_list=True),
        Field("done_on", FieldKind.DAY, "day it was reached", option="done", in_list=True),
        NOTES,
    ),
)

STAKEHOLDER = RecordKind(
    "stakeholder", "stakeholders", "stakeholder", "",
    summary="a person's role in one engagement, with power, interest, legitimacy and urgency",
    by_name=False,
    example="patron stakeholder add Helen Ledger --role sponsor --power 5 --incentives 'board confidence'",
    fields=(
        Field("person_id", FieldKind.REF, "the person", option="person", ref="person",
              required=True, positional=True, in_list=True, filter=True),
        Field("engagement_id", FieldKind.REF, "the engagement", option="engagement",
              ref="engagement", required=True, positional=True, in_list=True, filter=True),
        _choice("role", v.Role, "their role in it", required=True, in_list=True, filter=True),
        _scale("power", "can impose their will"),
        _scale("interest", "cares about the outcome"),
        _scale("legitimacy", "their claim is proper"),
        _scale("urgency", "their claim is pressing"),
        _choice("stance", v.Stance, "champion ... blocker", in_list=True),
        Field("incentives", FieldKind.TEXT, "what they are rewarded for"),
        Field("cadence_days", FieldKind.INT, "days between contacts, overriding the role's",
              option="cadence", low=0, high=3650),
        Field("added_on", FieldKind.DAY, "day they joined the engagement (a first check-in "
              "falls due a cadence after it)", option="since"),
        Field("opposes", FieldKind.LINKS,
              "a stakeholder whose incentives pull against this one's, as PERSON/ENGAGEMENT "
              "(repeatable)", ref="stakeholder", table="stakeholder_opposition", column="opposed_id"),
        NOTES,
    ),
)

ASK = RecordKind(
    "ask", "asks", "ask", "title",
    summary="a request someone made of you",
    aliases=("asks",),
    order_by=("due_at", "id"),
    example='patron ask add "Board dashboard draft" --from Helen --engagement Ledger --due friday',
    fields=(
        Field("title", FieldKind.TEXT, "what was asked", required=True, positional=True,
              in_list=True),
        Field("requester_id", FieldKind.REF, "who asked", option="from", ref="person",
              in_list=True, filter=True),
        Field("engagement_id", FieldKind.REF, "engagement", option="engagement", ref="engagement",
              in_list=True, filter=True),
        _choice("status", v.AskStatus, "open, doing, waiting, done or declined", in_list=True,
                filter=True),
        Field("due_at", FieldKind.MOMENT, "when it is due", option="due", in_list=True),
        Field("effort_hours", FieldKind.FLOAT, "estimated effort in hours", option="effort",
              low=0, high=10000, in_list=True),
        Field("value", FieldKind.INT, "how much it matters (0-5)", low=0, high=5),
        Field("depends_on", FieldKind.LINKS, "an ask that must be done first (repeatable)",
              option="depends-on", ref="ask", table="ask_dependency", column="depends_on_id"),
        Field("excludes", FieldKind.LINKS, "an ask that cannot also be done if this one is (repeatable)",
              ref="ask", table="ask_exclusion", column="excludes_id"),
        Field("deliverable", FieldKind.TEXT,
              "what it produces; two requesters wanting the same deliverable differently compete"),
        Field("goal_id", FieldKind.REF, "one of your own goals it serves", option="goal", ref="goal"),
        Field("tags", FieldKind.TEXTS, "a tag (repeatable)", option="tag"),
        Field("created_at", FieldKind.MOMENT, "when it was asked", option="asked"),
        Field("done_at", FieldKind.MOMENT, "when it was done", option="done"),
        Field("source", FieldKind.TEXT, "where it came from (a message id, a file)"),
        Field("annotations", FieldKind.TEXTS, "a dated remark (repeatable)", option="annotation"),
        NOTES,
    ),
)

COMMITMENT = RecordKind(
    "commitment", "commitments", "commitment", "title",
    summary="a promise you made; kept or broken",
    aliases=("commitments",),
    order_by=("-made_at", "-id"),
    example='patron commitment add "Send the reconciliation plan" --to Victor --due monday',
    fields=(
        Field("title", FieldKind.TEXT, "what you promised", required=True, positional=True,
              in_list=True),
        Field("promisee_id", FieldKind.REF, "to whom", option="to", ref="person", in_list=True,
              filter=True),
        Field("engagement_id", FieldKind.REF, "engagement", option="engagement", ref="engagement",
              in_list=True, filter=True),
        Field("ask_id", FieldKind.REF, "the ask it answers", option="ask", ref="ask"),
        _choice("status", v.CommitmentStatus, "open, kept or broken", in_list=True, filter=True),
        Field("made_at", FieldKind.MOMENT, "when you promised", option="made"),
        Field("due_at", FieldKind.MOMENT, "when it is due", option="due", in_list=True),
        Field("resolved_at", FieldKind.MOMENT, "when it was kept or broken", option="resolved"),
        NOTES,
    ),
)

INTERACTION = RecordKind(
    "interaction", "interactions", "interaction", "summary",
    summary="a touchpoint: meeting, call, mail, presentation",
    aliases=("interactions",),
    order_by=("-occurred_at", "-id"),
    example='patron interaction add "Steering committee" --with Helen --with Victor --at "yesterday 15:00"',
    fields=(
        Field("summary", FieldKind.TEXT, "what it was about", required=True, positional=True,
              in_list=True),
        _choice("kind", v.InteractionKind, "meeting, call, mail, message or presentation",
                in_list=True, filter=True),
        Field("occurred_at", FieldKind.MOMENT, "when", option="at", in_list=True),
        Field("engagement_id", FieldKind.REF, "engagement", option="engagement", ref="engagement",
              in_list=True, filter=True),
        Field("participants", FieldKind.LINKS, "a participant (repeatable)", option="with",
              ref="person", table="interaction_participant", column="person_id", in_list=True,
              filter=True),
        _choice("direction", v.Direction, "in (they reached you), out (you reached them), both"),
        Field("sentiment", FieldKind.INT, "how it went, -2 to 2", low=-2, high=2, in_list=True),
        Field("source", FieldKind.TEXT, "where it came from (a message id, a file)"),
        NOTES,
    ),
)

FEEDBACK = RecordKind(
    "feedback", "feedback", "feedback", "",
    summary="what a stakeholder said of your work, with an optional 0-10 'would hire again'",
    by_name=False,
    order_by=("-received_on", "-id"),
    example='patron feedback add Helen --rating 9 --text "The board loved the dashboard"',
    fields=(
        Field("person_id", FieldKind.REF, "who said it", option="person", ref="person",
              required=True, positional=True, in_list=True, filter=True),
        Field("engagement_id", FieldKind.REF, "engagement", option="engagement", ref="engagement",
              in_list=True, filter=True),
        Field("rating", FieldKind.INT, "would they hire you again, 0-10", low=0, high=10,
              in_list=True),
        Field("text", FieldKind.TEXT, "what they said", in_list=True),
        Field("received_on", FieldKind.DAY, "day it was said", option="on", in_list=True),
    ),
)

TIME_ENTRY = RecordKind(
    "time_entry", "time entries", "time_entry", "",
    summary="time spent on an engagement, and which of your three bosses it served",
    aliases=("time-entries", "timelog"),
    by_name=False,
    order_by=("-started_at", "-id"),
    example="patron time-entry add Ledger --duration 1h30 --at 'today 9:00'",
    fields=(
        Field("engagement_id", FieldKind.REF, "engagement", option="engagement", ref="engagement",
              required=True, positional=True, in_list=True, filter=True),
        Field("minutes", FieldKind.DURATION, "how long (1h30, 90m)", option="duration",
              required=True, in_list=True),
        Field("started_at", FieldKind.MOMENT, "when it started", option="at", in_list=True),
        _choice("boss_kind", v.BossKind, "employer, customer or self (default: from the engagement)",
                option="boss", in_list=True, filter=True),
        Field("note", FieldKind.TEXT, "what you did", in_list=True),
    ),
)

GOAL = RecordKind(
    "goal", "goals", "goal", "title",
    summary="your own goals: you are the third boss",
    aliases=("goals",),
    example='patron goal add "Pass the cloud architect exam" --kind learning --target 2027-03-31',
    fields=(
        Field("title", FieldKind.TEXT, "the goal", required=True, positional=True, in_list=True),
        _choice("kind", v.GoalKind, "learning, career, marketing, network or other", in_list=True,
                filter=True),
        _choice("status", v.GoalStatus, "active, done or dropped", in_list=True, filter=True),
        Field("target_on", FieldKind.DAY, "target day", option="target", in_list=True),
        Field("created_on", FieldKind.DAY, "day it was set", option="since"),
        NOTES,
    ),
)

PROSPECT = RecordKind(
    "prospect", "prospects", "prospect", "name",
    summary="a possible client, screened before you say yes",
    aliases=("prospects",),
    order_by=("name",),
    example='patron prospect add "Vantor expansion" --org Vantor --contact "Grant Oduya" --fee 40000',
    fields=(
        Field("name", FieldKind.TEXT, "short name", required=True, positional=True, in_list=True),
        Field("organisation_id", FieldKind.REF, "organisation", option="org", ref="organisation",
              in_list=True, filter=True),
        Field("contact_id", FieldKind.REF, "the person you deal with", option="contact",
              ref="person", in_list=True),
        _choice("status", v.ProspectStatus, "screening, accepted or declined", in_list=True,
                filter=True),
        Field("goal", FieldKind.TEXT, "the project's goal as they state it"),
        Field("fee", FieldKind.FLOAT, "the fee on the table", low=0, in_list=True),
        Field("created_on", FieldKind.DAY, "day you met them", option="since"),
        NOTES,
    ),
)

KINDS: tuple[RecordKind, ...] = (
    ORGANISATION, PERSON, ENGAGEMENT, MILESTONE, STAKEHOLDER, ASK, COMMITMENT, INTERACTION,
    FEEDBACK, TIME_ENTRY, GOAL, PROSPECT,
)
BY_KIND: dict[str, RecordKind] = {k.name: k for k in KINDS}
