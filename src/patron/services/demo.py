"""The demo portfolio: a realistic register to try Patron on.

The story. Sam Okafor is a senior consultant at Larkspur Advisory. Sam
serves three bosses at once: the employer (Larkspur, where Priya Nair is
Sam's line manager), the customers, and Sam's own career.

* At Meridian Shipping, Sam is moving the general ledger to a new ERP. The
  CFO, Helen Brandt, pays for it and wants a board dashboard this quarter;
  the finance systems manager, Victor Lam, directs the work and wants every
  month reconciled before anything shiny is shown. They want different
  things, and Sam has not spoken to Helen for weeks.
* At Saint Aldric Health, Sam rolls out clinic scheduling for four
  customers (outpatients, nursing, radiology, patient access) under the
  head of outpatients; Priya, Sam's own manager, is one more customer there:
  she wants the project as a reference case for Larkspur's health practice.
* Copperleaf Foods pays a small analytics retainer; its CEO, who signed it,
  is drifting out of touch while the operations manager keeps Sam busy.
* Sam's job at Larkspur is an engagement of its own (the employer boss),
  and so is Sam's development (the third boss: a certification, a talk,
  a first engagement led end to end).
* Vantor Dynamics wants Sam for a fleet-analytics project; the first calls
  went badly ("you'll be working for me"), and Sam has not decided yet.

Everything is dated relative to the day the demo is built and drawn from a
seeded random generator, so building it twice on the same day gives the
same register.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from sqlalchemy import Connection

from patron.domain.records import BY_KIND
from patron.importers.rawmail import RawMessage
from patron.services import records
from patron.services.names import resolve

SEED = 20261122
HISTORY_DAYS = 180


@dataclass(frozen=True)
class Who:
    name: str
    org: str | None
    title: str
    emails: tuple[str, ...]


ORGANISATIONS: Sequence[tuple[str, tuple[str, ...], str]] = (
    ("Larkspur Advisory", ("larkspur-advisory.com",), "Sam's employer, a 60-person consultancy."),
    ("Meridian Shipping", ("meridian-shipping.com", "meridianship.eu"), "Freight forwarder, 2,000 staff."),
    ("Saint Aldric Health", ("staldric-health.org",), "Regional hospital trust."),
    ("Copperleaf Foods", ("copperleaf.co",), "Family-owned food producer."),
    ("Vantor Dynamics", ("vantor.io",), "Fleet telematics scale-up."),
    ("Northside Data Meetup", ("northside-data.org",), "Monthly community meetup."),
)

PEOPLE: Sequence[Who] = (
    Who("Sam Okafor", "Larkspur Advisory", "Senior Consultant",
        ("sam.okafor@larkspur-advisory.com", "sam.okafor@fastmail.com")),
    Who("Priya Nair", "Larkspur Advisory", "Health Practice Lead", ("priya.nair@larkspur-advisory.com",)),
    Who("Daniel Forsythe", "Larkspur Advisory", "Practice Director", ("daniel.forsythe@larkspur-advisory.com",)),
    Who("Jonah Reyes", "Larkspur Advisory", "Consultant", ("jonah.reyes@larkspur-advisory.com",)),
    Who("Aisha Rahman", "Larkspur Advisory", "Graduate Analyst", ("aisha.rahman@larkspur-advisory.com",)),
    Who("Mei Tanaka", "Larkspur Advisory", "HR Business Partner", ("mei.tanaka@larkspur-advisory.com",)),
    Who("Olu Adeyemi", "Larkspur Advisory", "Senior Partner", ("olu.adeyemi@larkspur-advisory.com",)),
    Who("Helen Brandt", "Meridian Shipping", "Chief Financial Officer",
        ("helen.brandt@meridian-shipping.com", "h.brandt@meridianship.eu")),
    Who("Victor Lam", "Meridian Shipping", "Finance Systems Manager", ("victor.lam@meridian-shipping.com",)),
    Who("Ines Carvalho", "Meridian Shipping", "Senior Accountant", ("ines.carvalho@meridian-shipping.com",)),
    Who("Karen Lindqvist", "Meridian Shipping", "Group Controller", ("karen.lindqvist@meridian-shipping.com",)),
    Who("Tomasz Wierzbicki", "Meridian Shipping", "IT Operations Lead", ("tomasz.w@meridian-shipping.com",)),
    Who("Gordon Achebe", "Saint Aldric Health", "Chief Operating Officer", ("gordon.achebe@staldric-health.org",)),
    Who("Amara Osei", "Saint Aldric Health", "Head of Outpatients", ("amara.osei@staldric-health.org",)),
    Who("Rachel Kim", "Saint Aldric Health", "Director of Nursing", ("rachel.kim@staldric-health.org",)),
    Who("Paul Mensah", "Saint Aldric Health", "Radiology Services Lead", ("paul.mensah@staldric-health.org",)),
    Who("Fatima Haddad", "Saint Aldric Health", "Patient Access Lead", ("fatima.haddad@staldric-health.org",)),
    Who("Marcus Bell", "Saint Aldric Health", "IT Service Manager", ("marcus.bell@staldric-health.org",)),
    Who("Linh Tran", "Saint Aldric Health", "Information Governance Officer", ("linh.tran@staldric-health.org",)),
    Who("Grace Whitmore", "Copperleaf Foods", "Chief Executive", ("grace@copperleaf.co",)),
    Who("Ben Castillo", "Copperleaf Foods", "Operations Manager", ("ben.castillo@copperleaf.co",)),
    Who("Nadia Petrov", "Copperleaf Foods", "Finance Lead", ("nadia.petrov@copperleaf.co",)),
    Who("Grant Kessler", "Vantor Dynamics", "VP Operations", ("grant.kessler@vantor.io",)),
    Who("Sofia Marin", "Vantor Dynamics", "Procurement Manager", ("sofia.marin@vantor.io",)),
    Who("Ravi Shah", "Northside Data Meetup", "Organiser", ("ravi@northside-data.org",)),
    Who("Elena Duarte", None, "Finance Director (former client)", ("elena.duarte@gmail.com",)),
)

ME = "Sam Okafor"

ENGAGEMENTS: Sequence[dict[str, Any]] = (
    {"name": "Ledger migration", "kind": "client", "organisation_id": "Meridian Shipping",
     "value": 180000, "start": -130, "end": 60,
     "goal": "Move Meridian's general ledger to the new ERP without losing a reconciled period.",
     "success_criteria": ["Every month since 2023 reconciles to the cent",
                          "The board sees a live finance dashboard by quarter end",
                          "The finance team is trained before cut-over"]},
    {"name": "Clinic scheduling rollout", "kind": "client", "organisation_id": "Saint Aldric Health",
     "value": 95000, "start": -90, "end": 75,
     "goal": "One scheduling system for every outpatient clinic, live ward by ward.",
     "success_criteria": ["No-show rate down by a fifth in rolled-out clinics",
                          "Nursing rotas and clinic slots in one view",
                          "Information governance sign-off before each go-live"]},
    {"name": "Copperleaf analytics retainer", "kind": "client", "organisation_id": "Copperleaf Foods",
     "value": 24000, "start": -300, "end": 65,
     "goal": "Monthly sales and margin insight the leadership team acts on.",
     "success_criteria": ["Dashboard refreshed by the 5th working day",
                          "One decision a quarter traced back to the analysis"]},
    {"name": "Larkspur role", "kind": "employer", "organisation_id": "Larkspur Advisory",
     "value": None, "start": -900, "end": None,
     "goal": "Be the consultant Larkspur puts in front of its health and finance clients.",
     "success_criteria": ["Utilisation of at least 75%", "Promotion case ready for the spring round"]},
    {"name": "Own development", "kind": "self", "organisation_id": None, "value": None,
     "start": -365, "end": None,
     "goal": "Grow from trusted analyst to the person clients ask for by name.",
     "success_criteria": ["Cloud architect certification", "Two public talks a year",
                          "Lead one engagement end to end"]},
)

MILESTONES: Sequence[tuple[str, str, int, int | None]] = (
    ("Ledger migration", "Data mapping signed off", -70, -72),
    ("Ledger migration", "Parallel run, first month reconciled", -5, None),
    ("Ledger migration", "Board dashboard preview", 12, None),
    ("Ledger migration", "Cut-over weekend", 55, None),
    ("Clinic scheduling rollout", "Pilot clinic live (dermatology)", -40, -38),
    ("Clinic scheduling rollout", "Ward 4 go-live", 9, None),
    ("Clinic scheduling rollout", "All outpatient clinics live", 70, None),
    ("Copperleaf analytics retainer", "Quarterly insight review", -20, None),
)

# (person, engagement, role, power, interest, legitimacy, urgency, stance, incentives)
STAKEHOLDERS: Sequence[tuple[str, str, str, int, int, int, int, str, str | None]] = (
    ("Helen Brandt", "Ledger migration", "sponsor", 5, 3, 5, 3, "supporter",
     "A visible modernisation win to show the board this quarter"),
    ("Victor Lam", "Ledger migration", "manager", 3, 5, 4, 4, "sceptic",
     "Zero reconciliation errors and no overtime for his team; wants the migration seen as his"),
    ("Ines Carvalho", "Ledger migration", "customer", 1, 4, 3, 3, "supporter", None),
    ("Karen Lindqvist", "Ledger migration", "customer", 3, 4, 4, 2, "neutral",
     "A clean audit; no surprises at year end"),
    ("Tomasz Wierzbicki", "Ledger migration", "gatekeeper", 3, 2, 4, 1, "neutral",
     "Change-board rules followed to the letter"),
    ("Jonah Reyes", "Ledger migration", "teammate", 1, 4, 3, 2, "champion", None),
    ("Gordon Achebe", "Clinic scheduling rollout", "sponsor", 5, 2, 5, 2, "supporter",
     "Fewer missed appointments in the trust's monthly figures"),
    ("Amara Osei", "Clinic scheduling rollout", "manager", 4, 5, 5, 4, "champion",
     "Every clinic live before the winter pressures"),
    ("Rachel Kim", "Clinic scheduling rollout", "customer", 3, 5, 5, 4, "supporter",
     "Safe staffing: rotas nurses can trust"),
    ("Paul Mensah", "Clinic scheduling rollout", "customer", 3, 3, 4, 2, "neutral",
     "Scanner time never double-booked"),
    ("Fatima Haddad", "Clinic scheduling rollout", "customer", 2, 5, 4, 5, "supporter",
     "Patients reminded in their own language"),
    ("Marcus Bell", "Clinic scheduling rollout", "customer", 3, 4, 4, 3, "sceptic",
     "No new system his team has to support out of hours"),
    ("Priya Nair", "Clinic scheduling rollout", "customer", 4, 4, 5, 3, "champion",
     "A reference case for Larkspur's health practice, delivered under budget"),
    ("Priya Nair", "Clinic scheduling rollout", "boss", 4, 4, 5, 3, "champion", None),
    ("Linh Tran", "Clinic scheduling rollout", "gatekeeper", 3, 3, 5, 2, "neutral",
     "Patient data handled by the book"),
    ("Grace Whitmore", "Copperleaf analytics retainer", "sponsor", 5, 2, 5, 1, "supporter",
     "Margins she can explain to the family shareholders"),
    ("Ben Castillo", "Copperleaf analytics retainer", "manager", 3, 5, 4, 4, "supporter",
     "A dashboard that answers his Monday questions"),
    ("Nadia Petrov", "Copperleaf analytics retainer", "customer", 2, 3, 4, 2, "neutral", None),
    ("Priya Nair", "Larkspur role", "boss", 4, 4, 5, 3, "champion",
     "Utilisation and a health practice that grows"),
    ("Daniel Forsythe", "Larkspur role", "sponsor", 5, 2, 5, 1, "supporter",
     "Partners' revenue targets; signs off promotions"),
    ("Jonah Reyes", "Larkspur role", "teammate", 1, 3, 3, 2, "champion", None),
    ("Aisha Rahman", "Larkspur role", "teammate", 0, 4, 3, 2, "supporter", None),
    ("Mei Tanaka", "Larkspur role", "gatekeeper", 2, 2, 4, 1, "neutral", None),
    ("Olu Adeyemi", "Larkspur role", "mentor", 4, 3, 4, 0, "champion", None),
    ("Sam Okafor", "Own development", "self", 3, 5, 5, 2, "champion",
     "Interesting work, a reputation outside Larkspur, time to learn"),
    ("Olu Adeyemi", "Own development", "mentor", 4, 3, 4, 0, "champion", None),
    ("Ravi Shah", "Own development", "customer", 1, 3, 2, 2, "supporter", None),
    ("Elena Duarte", "Own development", "mentor", 2, 2, 2, 0, "champion", None),
)

# Contact rhythm per person: (days since last contact, usual gap in days, kinds)
RHYTHM: dict[str, tuple[int, int, tuple[str, ...]]] = {
    "Helen Brandt": (26, 14, ("meeting", "presentation", "mail")),
    "Victor Lam": (1, 3, ("meeting", "call", "mail", "mail")),
    "Ines Carvalho": (2, 5, ("mail", "call", "message")),
    "Karen Lindqvist": (19, 21, ("meeting", "mail")),
    "Tomasz Wierzbicki": (33, 20, ("mail",)),
    "Jonah Reyes": (0, 2, ("message", "call", "meeting")),
    "Gordon Achebe": (38, 25, ("presentation", "meeting")),
    "Amara Osei": (3, 4, ("meeting", "call", "mail")),
    "Rachel Kim": (6, 7, ("meeting", "mail")),
    "Paul Mensah": (17, 12, ("mail", "call")),
    "Fatima Haddad": (4, 6, ("call", "mail", "message")),
    "Marcus Bell": (9, 8, ("mail", "meeting")),
    "Linh Tran": (24, 20, ("mail", "meeting")),
    "Grace Whitmore": (52, 30, ("meeting", "mail")),
    "Ben Castillo": (5, 7, ("call", "mail")),
    "Nadia Petrov": (12, 14, ("mail",)),
    "Priya Nair": (2, 4, ("meeting", "message", "call")),
    "Daniel Forsythe": (41, 30, ("meeting", "presentation")),
    "Aisha Rahman": (1, 3, ("message", "meeting")),
    "Mei Tanaka": (47, 40, ("mail",)),
    "Olu Adeyemi": (36, 28, ("meeting", "call")),
    "Ravi Shah": (22, 30, ("mail", "meeting")),
    "Elena Duarte": (75, 60, ("call",)),
}

TOPICS: dict[str, tuple[str, ...]] = {
    "Ledger migration": ("Mapping review", "Reconciliation status", "Parallel run check-in",
                         "Dashboard requirements", "Cut-over planning", "Steering committee"),
    "Clinic scheduling rollout": ("Clinic configuration", "Rota integration", "Go-live readiness",
                                  "Reminder wording", "Data protection review", "Weekly stand-up"),
    "Copperleaf analytics retainer": ("Monthly dashboard walk-through", "Margin questions",
                                      "Data feed issue", "Quarterly review"),
    "Larkspur role": ("One-to-one", "Practice meeting", "Staffing call", "Coaching session"),
    "Own development": ("Career conversation", "Talk preparation", "Catch-up coffee"),
}

# (title, requester, engagement, due in days, effort hours, value, status, asked days ago, depends on)
ASKS: Sequence[tuple[str, str, str, int | None, float | None, int | None, str, int, str | None]] = (
    ("Board dashboard preview with the live cash position", "Helen Brandt", "Ledger migration",
     9, 16, 5, "open", 12, None),
    ("One-page status for the audit committee", "Helen Brandt", "Ledger migration",
     1, 3, 4, "open", 3, None),
    ("Re-run the March reconciliation with the new mapping", "Victor Lam", "Ledger migration",
     3, 6, 4, "doing", 6, None),
    ("Hold all dashboard work until the parallel run is clean", "Victor Lam", "Ledger migration",
     None, 1, 3, "open", 5, None),
    ("Export of unmatched journal lines for Q2", "Ines Carvalho", "Ledger migration",
     -2, 2, 3, "open", 9, None),
    ("Audit trail note for the year-end file", "Karen Lindqvist", "Ledger migration",
     25, 4, 3, "open", 4, None),
    ("Change request for the cut-over weekend", "Tomasz Wierzbicki", "Ledger migration",
     20, 1, 2, "waiting", 15, "Re-run the March reconciliation with the new mapping"),
    ("Go-live checklist for ward 4", "Amara Osei", "Clinic scheduling rollout",
     4, 5, 5, "open", 6, None),
    ("Night-shift rota view in the scheduler", "Rachel Kim", "Clinic scheduling rollout",
     6, 12, 4, "open", 10, None),
    ("Rota view read-only outside office hours", "Marcus Bell", "Clinic scheduling rollout",
     6, 3, 3, "open", 4, None),
    ("Block scanner slots for maintenance windows", "Paul Mensah", "Clinic scheduling rollout",
     14, 4, 2, "open", 8, None),
    ("Reminder texts in Polish, Urdu and Portuguese", "Fatima Haddad", "Clinic scheduling rollout",
     -1, 3, 4, "open", 11, None),
    ("Single sign-on test plan", "Marcus Bell", "Clinic scheduling rollout",
     2, 4, 3, "open", 5, None),
    ("Data protection impact assessment answers", "Linh Tran", "Clinic scheduling rollout",
     7, 3, 4, "waiting", 14, None),
    ("Write up the rollout as a case study for the health practice", "Priya Nair",
     "Clinic scheduling rollout", 21, 6, 3, "open", 7, None),
    ("November timesheet before the 28th", "Priya Nair", "Larkspur role", 5, 0.5, 2, "open", 2, None),
    ("Monthly sales dashboard refresh", "Ben Castillo", "Copperleaf analytics retainer",
     3, 4, 3, "open", 4, None),
    ("Why did margin drop in the frozen range?", "Grace Whitmore", "Copperleaf analytics retainer",
     -9, 5, 4, "open", 24, None),
    ("Two slides on the health pipeline for the partners' meeting", "Daniel Forsythe",
     "Larkspur role", 8, 3, 4, "open", 5, None),
    ("Mentor Aisha through the SQL exercises", "Priya Nair", "Larkspur role", 12, 4, 2, "open", 20,
     None),
    ("Annual compliance training", "Mei Tanaka", "Larkspur role", 10, 2, 1, "open", 30, None),
    ("Book the cloud architect exam", "Sam Okafor", "Own development", 14, 0.5, 3, "open", 40, None),
    ("Abstract for the February meetup talk", "Ravi Shah", "Own development", 18, 2, 3, "open", 9,
     None),
    ("Parallel run plan", "Victor Lam", "Ledger migration", None, 6, 4, "done", 60, None),
    ("Pilot clinic configuration", "Amara Osei", "Clinic scheduling rollout", None, 20, 5, "done",
     70, None),
    ("Q3 insight deck", "Grace Whitmore", "Copperleaf analytics retainer", None, 8, 4, "done", 60,
     None),
)

# What ties asks to each other, to goals and to promises (the ranking and conflicts read these).
ASK_LINKS: dict[str, dict[str, str]] = {
    "Board dashboard preview with the live cash position": {"deliverable": "board dashboard"},
    "Hold all dashboard work until the parallel run is clean": {
        "deliverable": "board dashboard",
        "excludes": "Board dashboard preview with the live cash position"},
    "Night-shift rota view in the scheduler": {"deliverable": "rota view"},
    "Rota view read-only outside office hours": {"deliverable": "rota view"},
    "Book the cloud architect exam": {"goal": "Pass the cloud architect certification"},
    "Abstract for the February meetup talk": {"goal": "Speak at the Northside data meetup"},
}
PROMISED_ASKS: dict[str, str] = {
    "Share a dashboard mock-up": "Board dashboard preview with the live cash position",
    "Send Rachel the rota prototype": "Night-shift rota view in the scheduler",
    "Review Aisha's SQL exercises": "Mentor Aisha through the SQL exercises",
}
OPPOSED: Sequence[tuple[str, str, str]] = (
    ("Victor Lam", "Helen Brandt", "Ledger migration"),
    ("Marcus Bell", "Rachel Kim", "Clinic scheduling rollout"),
)

# (title, to, engagement, made days ago, due in days, status)
COMMITMENTS: Sequence[tuple[str, str, str, int, int, str]] = (
    ("Send the mapping sign-off pack", "Victor Lam", "Ledger migration", 80, -73, "kept"),
    ("Parallel run report by Friday", "Victor Lam", "Ledger migration", 14, -8, "broken"),
    ("Share a dashboard mock-up", "Helen Brandt", "Ledger migration", 12, 5, "open"),
    ("Walk Ines through the exception report", "Ines Carvalho", "Ledger migration", 20, -15, "kept"),
    ("Pilot clinic configured before the 1st", "Amara Osei", "Clinic scheduling rollout",
     60, -42, "kept"),
    ("Update Fatima on the text-message vendor", "Fatima Haddad", "Clinic scheduling rollout",
     15, -10, "kept"),
    ("Send Rachel the rota prototype", "Rachel Kim", "Clinic scheduling rollout", 8, 2, "open"),
    ("Quarterly insight deck to Grace", "Grace Whitmore", "Copperleaf analytics retainer",
     35, -20, "broken"),
    ("Review Aisha's SQL exercises", "Aisha Rahman", "Larkspur role", 6, 2, "open"),
    ("Draft promotion case for Priya", "Priya Nair", "Larkspur role", 30, -3, "kept"),
    ("Send Ravi a talk title", "Ravi Shah", "Own development", 20, -6, "broken"),
)

# (person, engagement, days ago, rating, text)
FEEDBACK: Sequence[tuple[str, str, int, int | None, str]] = (
    ("Helen Brandt", "Ledger migration", 95, 9, "Exactly the partner we needed for the kickoff."),
    ("Helen Brandt", "Ledger migration", 40, 7, "Good work, but I need something to show the board."),
    ("Victor Lam", "Ledger migration", 60, 8, "The mapping was thorough."),
    ("Victor Lam", "Ledger migration", 10, 5, "The parallel run report was late and my team paid for it."),
    ("Karen Lindqvist", "Ledger migration", 30, None, "Audit trail looks sound so far."),
    ("Amara Osei", "Clinic scheduling rollout", 35, 9, "The pilot clinic went live without a hitch."),
    ("Rachel Kim", "Clinic scheduling rollout", 20, 8, "Listens to the wards."),
    ("Fatima Haddad", "Clinic scheduling rollout", 9, 9, "Patients noticed the reminders."),
    ("Marcus Bell", "Clinic scheduling rollout", 25, 6, "Worried about out-of-hours support."),
    ("Priya Nair", "Larkspur role", 45, 8, "Clients ask for you; delegate more."),
    ("Daniel Forsythe", "Larkspur role", 120, 7, "Solid year; be more visible to the partners."),
    ("Grace Whitmore", "Copperleaf analytics retainer", 110, 9, "The margin analysis changed our pricing."),
    ("Ben Castillo", "Copperleaf analytics retainer", 15, 8, "Dashboard is the first thing I open."),
)

GOALS: Sequence[tuple[str, str, int | None, str]] = (
    ("Pass the cloud architect certification", "learning", 120, "active"),
    ("Speak at the Northside data meetup", "marketing", 75, "active"),
    ("Lead a client engagement end to end", "career", 200, "active"),
    ("Coffee with one former client a month", "network", None, "active"),
    ("Finish the statistics refresher course", "learning", -30, "done"),
)

PROSPECT_NOTES = (
    "First call: Grant opened with 'Listen, you'll be working for me on this, okay?'. "
    "Wants a fixed price well under our rate and 'a few extra reports thrown in for free'. "
    "Called the previous vendor a bunch of clowns. "
    "Nobody could say what the project is meant to achieve or who signs the contract."
)


def build(conn: Connection, now: datetime) -> None:
    """Fill an empty register with the demo portfolio."""
    rng = random.Random(SEED)
    today = now.date()
    _add = _adder(conn, now)
    for name, domains, notes in ORGANISATIONS:
        _add("organisation", name=name, domains=list(domains), notes=notes)
    for who in PEOPLE:
        _add("person", name=who.name, emails=list(who.emails), organisation_id=who.org,
             title=who.title, birthday=_birthday(today, who.name))
    for e in ENGAGEMENTS:
        _add("engagement", name=e["name"], kind=e["kind"], organisation_id=e["organisation_id"],
             value=e["value"], goal=e["goal"], success_criteria=e["success_criteria"],
             starts_on=_day(today, e["start"]), ends_on=_day(today, e["end"]))
    for engagement, title, due, done in MILESTONES:
        _add("milestone", title=title, engagement_id=engagement, due_on=_day(today, due),
             done_on=_day(today, done))
    starts = {e["name"]: _day(today, e["start"]) for e in ENGAGEMENTS}
    for person, eng, role, power, interest, legit, urgency, stance, incentives in STAKEHOLDERS:
        _add("stakeholder", person_id=person, engagement_id=eng, role=role, power=power,
             interest=interest, legitimacy=legit, urgency=urgency, stance=stance,
             incentives=incentives, added_on=starts[eng])
    for one, other, eng in OPPOSED:
        records.edit(conn, BY_KIND["stakeholder"], _stakeholder_id(conn, f"{one}/{eng}"),
                     records.Change(add={"opposes": [f"{other}/{eng}"]}), now)
    goals = {title: _add("goal", title=title, kind=kind, target_on=_day(today, target),
                         status=status, created_on=_day(today, -200))
             for title, kind, target, status in GOALS}
    asks = _asks(_add, now, goals)
    _commitments(_add, now, asks)
    _interactions(_add, rng, now)
    for person, eng, ago, rating, text in FEEDBACK:
        _add("feedback", person_id=person, engagement_id=eng, received_on=_day(today, -ago),
             rating=rating, text=text)
    _time_entries(_add, rng, now)
    _prospect(_add, now)


def _adder(conn: Connection, now: datetime) -> Any:
    def add(record: str, /, **values: Any) -> int:
        return records.add(conn, BY_KIND[record], values, now)
    return add


BIRTHDAYS = {"Helen Brandt": 4}
"""Days from today to a birthday whose year the card did not give (so the brief shows one)."""


def _birthday(today: date, name: str) -> date | None:
    coming = _day(today, BIRTHDAYS.get(name))
    if coming is None:
        return None
    return date(1604, coming.month, coming.day)  # 1604: the year is not known, as in vCard 4


def _day(today: date, offset: int | None) -> date | None:
    return None if offset is None else today + timedelta(days=offset)


def _at(now: datetime, days: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(now.date() + timedelta(days=days), time(hour, minute))


def _stakeholder_id(conn: Connection, stakeholder: str) -> int:
    return resolve(conn, BY_KIND["stakeholder"], stakeholder)


def _asks(add: Any, now: datetime, goals: dict[str, int]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for title, who, eng, due, effort, value, status, ago, depends in ASKS:
        links = ASK_LINKS.get(title, {})
        ids[title] = add(
            "ask", title=title, requester_id=who, engagement_id=eng,
            due_at=None if due is None else _at(now, due, 17),
            effort_hours=effort, value=value, status=status,
            created_at=_at(now, -ago, 10), done_at=_at(now, -ago + 20, 16) if status == "done" else None,
            depends_on=[ids[depends]] if depends else [],
            excludes=[ids[links["excludes"]]] if "excludes" in links else [],
            deliverable=links.get("deliverable"), goal_id=goals.get(links.get("goal", "")),
        )
    return ids


def _commitments(add: Any, now: datetime, asks: dict[str, int]) -> None:
    for title, to, eng, made, due, status in COMMITMENTS:
        resolved = _at(now, due + (2 if status == "broken" else 0), 17) if status != "open" else None
        add("commitment", title=title, promisee_id=to, engagement_id=eng,
            ask_id=asks.get(PROMISED_ASKS.get(title, "")),
            made_at=_at(now, -made, 11), due_at=_at(now, due, 17), status=status,
            resolved_at=resolved)


def _engagements_of(person: str) -> list[str]:
    return [s[1] for s in STAKEHOLDERS if s[0] == person and s[2] != "self"]


def _interactions(add: Any, rng: random.Random, now: datetime) -> None:
    """Months of touchpoints: each person on their own rhythm, ending on their last contact."""
    stance = {s[0]: s[7] for s in STAKEHOLDERS}
    for person, (last, gap, kinds) in RHYTHM.items():
        engagements = _engagements_of(person)
        days_ago = last
        while days_ago <= HISTORY_DAYS:
            engagement = rng.choice(engagements)
            kind = rng.choice(kinds)
            when = _at(now, -days_ago, rng.choice((9, 10, 11, 13, 14, 15, 16)), rng.choice((0, 30)))
            if when > now:
                when = now - timedelta(hours=1)
            add("interaction", summary=rng.choice(TOPICS[engagement]), kind=kind, occurred_at=when,
                engagement_id=engagement, participants=[person, ME],
                direction=rng.choice(("in", "out")) if kind in ("mail", "message") else "both",
                sentiment=_sentiment(rng, stance[person]))
            days_ago += max(1, round(rng.gauss(gap, gap / 4)))
    for weeks_ago in range(1, 6):
        add("interaction", summary="Steering committee", kind="meeting",
            occurred_at=_at(now, -weeks_ago * 28 - 26, 15), engagement_id="Ledger migration",
            participants=[ME, "Helen Brandt", "Victor Lam", "Karen Lindqvist"],
            direction="both", sentiment=rng.choice((0, 1)))


def _sentiment(rng: random.Random, stance: str) -> int:
    centre = {"champion": 1.2, "supporter": 0.7, "neutral": 0.2, "sceptic": -0.4,
              "blocker": -1.2}[stance]
    return max(-2, min(2, round(rng.gauss(centre, 0.8))))


def _time_entries(add: Any, rng: random.Random, now: datetime) -> None:
    """Weekdays of the last four months, split across the engagements (and bosses)."""
    split = (("Ledger migration", 3.5), ("Clinic scheduling rollout", 2.5),
             ("Copperleaf analytics retainer", 0.5), ("Larkspur role", 1.0),
             ("Own development", 0.5))
    for days_ago in range(120, 0, -1):
        day = now.date() - timedelta(days=days_ago)
        if day.weekday() >= 5:
            continue
        hour = 9.0
        for engagement, mean in split:
            hours = max(0.0, rng.gauss(mean, mean / 3))
            minutes = round(hours * 4) * 15
            if minutes < 15:
                continue
            start = datetime.combine(day, time(int(hour), int(hour % 1 * 60)))
            add("time_entry", engagement_id=engagement, minutes=minutes, started_at=start)
            hour = min(hour + minutes / 60, 20.0)


def _prospect(add: Any, now: datetime) -> None:
    add("prospect", name="Vantor fleet analytics", organisation_id="Vantor Dynamics",
        contact_id="Grant Kessler", fee=40000, status="screening", created_on=_day(now.date(), -12),
        goal=None, notes=PROSPECT_NOTES)
    add("interaction", summary="Introductory call: fleet analytics", kind="call",
        occurred_at=_at(now, -12, 16), participants=[ME, "Grant Kessler"], direction="in",
        sentiment=-1, notes="'You'll be working for me on this.' Pushed hard on price.")
    add("interaction", summary="Pricing follow-up", kind="mail", occurred_at=_at(now, -5, 10),
        participants=[ME, "Sofia Marin", "Grant Kessler"], direction="in", sentiment=-1,
        notes="Asked for a 30% discount and three extra reports at no cost.")


# --- the mailbox ----------------------------------------------------------------------
# A few weeks of Sam's mail, imported through the mail importer like anyone's, so that
# `patron --demo influence` and `patron --demo inbox` have something to read. Each
# thread is (subject, [(days ago, hour, sender, to, cc, body)]); a later message answers
# the one before. No thread is newer than its people's last contact in RHYTHM.

Mail = tuple[int, int, str, tuple[str, ...], tuple[str, ...], str]

THREADS: Sequence[tuple[str, Sequence[Mail]]] = (
    ("September reconciliation", (
        (44, 9, "Victor Lam", (ME,), ("Ines Carvalho", "Helen Brandt"),
         "Sam,\n\nCould you send me the reconciliation of the September ledger by Friday? "
         "Ines has the trial balance.\n\nVictor"),
        (44, 11, ME, ("Victor Lam",), ("Ines Carvalho", "Helen Brandt"),
         "Victor,\n\nI'll send it on Friday once Ines's trial balance is in.\n\nSam"),
        (43, 10, "Ines Carvalho", ("Victor Lam", ME), (),
         "Trial balance for September is on the share. Two suspense items left.\n\nInes"),
        (41, 16, "Helen Brandt", ("Victor Lam",), (ME, "Karen Lindqvist"),
         "Thanks both. Keep me posted; the board will ask about the dashboard.\n\nHelen"),
        (41, 17, "Victor Lam", ("Helen Brandt",), (ME, "Karen Lindqvist"),
         "Will do. September closes this week, then October.\n\nVictor"),
    )),
    ("ERP access for the migration team", (
        (40, 10, "Tomasz Wierzbicki", ("Victor Lam",), (ME,),
         "Victor, the new ERP roles are ready. Who needs write access?\n\nTomasz"),
        (40, 11, "Victor Lam", ("Tomasz Wierzbicki",), (ME, "Ines Carvalho"),
         "Sam and Ines, read-only for everyone else until cut-over.\n\nVictor"),
    )),
    ("Board dashboard", (
        (30, 8, "Helen Brandt", (ME,), ("Victor Lam", "Karen Lindqvist"),
         "Sam,\n\nCan you show me a first draft of the board dashboard before the next "
         "steering committee?\n\nHelen"),
        (30, 9, "Victor Lam", ("Helen Brandt",), (ME, "Karen Lindqvist"),
         "Helen, we should show it only once October is reconciled.\n\nVictor"),
        (29, 14, "Karen Lindqvist", ("Helen Brandt",), ("Victor Lam", ME),
         "I agree with Victor on the numbers, but a mock-up would help the board.\n\nKaren"),
        (28, 10, "Helen Brandt", ("Karen Lindqvist", "Victor Lam", ME), (),
         "Then a mock-up with last year's figures. Thank you.\n\nHelen"),
    )),
    ("Cut-over window", (
        (35, 9, "Tomasz Wierzbicki", ("Helen Brandt",), ("Victor Lam", ME),
         "Helen, we need your approval for the cut-over window on the 14th.\n\nTomasz"),
        (35, 10, "Victor Lam", ("Helen Brandt",), ("Tomasz Wierzbicki", ME),
         "Helen, finance can close early that week if you approve.\n\nVictor"),
        (34, 15, "Helen Brandt", ("Tomasz Wierzbicki", "Victor Lam"), (ME, "Karen Lindqvist"),
         "Approved. Karen, please tell the controllers.\n\nHelen"),
        (34, 16, "Karen Lindqvist", ("Helen Brandt",), ("Victor Lam", ME),
         "Done: the controllers close on the 12th.\n\nKaren"),
        (33, 9, "Ines Carvalho", ("Karen Lindqvist",), ("Helen Brandt", ME),
         "The early close checklist is ready for the controllers.\n\nInes"),
    )),
    ("Clinic templates", (
        (27, 9, "Rachel Kim", ("Amara Osei",), (ME,),
         "Nursing templates attached. Ward 4 needs longer slots.\n\nRachel"),
        (26, 10, "Paul Mensah", ("Amara Osei",), (ME,),
         "Radiology's templates are attached; MRI sessions stay as they are.\n\nPaul"),
        (26, 15, "Fatima Haddad", ("Amara Osei",), (ME, "Marcus Bell"),
         "Patient access is fine with the new booking windows.\n\nFatima"),
        (25, 9, "Amara Osei", (ME,), ("Rachel Kim", "Paul Mensah", "Fatima Haddad", "Marcus Bell"),
         "Sam,\n\nPlease review the clinic templates with Marcus by next Wednesday. "
         "Everyone has sent theirs.\n\nAmara"),
    )),
    ("Rollout plan", (
        (40, 10, "Amara Osei", ("Gordon Achebe",), (ME, "Rachel Kim"),
         "Gordon, for your information: the rollout plan is agreed with all four services.\n\nAmara"),
    )),
    ("Data protection assessment", (
        (28, 11, "Linh Tran", (ME,), ("Marcus Bell", "Amara Osei"),
         "Sam,\n\nCould you send me the data flow diagram for the assessment?\n\nLinh"),
        (27, 9, "Marcus Bell", ("Linh Tran",), (ME,),
         "Linh, the interface list is in the project folder.\n\nMarcus"),
    )),
    ("Weekly KPI pack", (
        (14, 9, "Ben Castillo", (ME,), ("Nadia Petrov",),
         "Sam,\n\nCan you add the waste figures to the weekly pack? And when will the forecast "
         "model be ready?\n\nBen"),
        (14, 12, ME, ("Ben Castillo",), ("Nadia Petrov",),
         "Ben,\n\nI'll send you the updated pack by Thursday.\n\nSam"),
        (13, 10, "Nadia Petrov", ("Ben Castillo", ME), (),
         "The waste costs by line are in the finance export.\n\nNadia"),
    )),
    ("Health practice reference case", (
        (48, 10, "Daniel Forsythe", ("Priya Nair",), (ME, "Olu Adeyemi"),
         "Priya, let's make Saint Aldric our reference case for the health practice.\n\nDaniel"),
        (48, 14, "Priya Nair", ("Daniel Forsythe",), (ME, "Olu Adeyemi"),
         "Agreed. Sam, could you draft the case study outline by the end of the month?\n\nPriya"),
    )),
)


def my_addresses() -> list[str]:
    """Sam's own addresses: the demo's ``me.emails``."""
    return list(next(w.emails for w in PEOPLE if w.name == ME))


def mailbox(now: datetime) -> list[RawMessage]:
    """The demo's mail as messages, threads answering by In-Reply-To, dated back from ``now``."""
    address = {w.name: w.emails[0] for w in PEOPLE}
    found: list[RawMessage] = []
    for number, (subject, mails) in enumerate(THREADS):
        parent: str | None = None
        for turn, (ago, hour, sender, to, cc, body) in enumerate(mails):
            message = EmailMessage()
            ident = f"<demo-{number}-{turn}@larkspur-advisory.com>"
            message["Message-ID"] = ident
            message["Date"] = format_datetime(_at(now, -ago, hour).astimezone())
            message["From"] = formataddr((sender, address[sender]))
            message["To"] = ", ".join(formataddr((n, address[n])) for n in to)
            if cc:
                message["Cc"] = ", ".join(formataddr((n, address[n])) for n in cc)
            message["Subject"] = subject if parent is None else f"Re: {subject}"
            if parent is not None:
                message["In-Reply-To"] = parent
                message["References"] = parent
            message.set_content(body + "\n")
            found.append(RawMessage(f"demo mailbox, message {len(found) + 1}", message.as_bytes()))
            parent = ident
    return found
