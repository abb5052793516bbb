"""The command line, used as a person would: every command, every kind of record.

Every test runs ``patron`` in-process against a fresh SQLite file (see ``conftest``),
with the clock frozen at Friday 2026-11-20 10:00.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from patron.cli.main import ALIASES, COMMANDS, main
from patron.domain.records import KINDS
from tests.conftest import Patron

q = shlex.quote


def data(patron: Patron, line: str) -> Any:
    """Run a command with --json and parse what it printed."""
    return json.loads(patron.ok(f"{line} --json"))


def export(patron: Patron) -> dict[str, Any]:
    return json.loads(patron.ok("export"))


def has(record: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every expected field has the expected value (other fields are not looked at)."""
    assert {k: record.get(k, "<absent>") for k in expected} == expected


def show(patron: Patron, kind: str, name: str | int) -> dict[str, Any]:
    """``KIND show NAME --json`` without the connected records some kinds add ("related")."""
    record = data(patron, f"{kind} show {q(str(name))}")
    record.pop("related", None)
    return dict(record)


def ids(records: list[dict[str, Any]]) -> list[int]:
    return [r["id"] for r in records]


WORLD = [
    "organisation add Meridian --domain meridian-shipping.com",
    "person add 'Helen Brandt' --email helen@meridian-shipping.com --org Meridian --title CFO",
    "person add 'Victor Lang' --email victor@meridian-shipping.com --org meridian-shipping.com"
    " --title 'Finance manager'",
    "engagement add 'Ledger migration' --kind client --org Meridian --value 120000",
]


@pytest.fixture
def world(patron: Patron) -> Patron:
    """Meridian (#1); Helen Brandt (#1, CFO) and Victor Lang (#2); engagement Ledger migration (#1)."""
    for line in WORLD:
        patron.ok(line)
    return patron


# --- every kind: add, list, show, edit, remove --------------------------------------------


@dataclass(frozen=True)
class Case:
    kind: str                       # as typed: "time-entry"
    add: str                        # what follows "KIND add"
    expect: dict[str, Any]          # fields of the new record (--json)
    label: str                      # how the record is shown in text output
    name: str | None                # how show/edit/remove name it (None: "#ID")
    edit: str                       # what follows "KIND edit NAME"
    edited: dict[str, Any] = field(default_factory=dict)  # fields after the edit
    row: str = ""                   # text in its line of "KIND list" (default: label)

    @property
    def noun(self) -> str:
        return self.kind.replace("-", " ")

    def __str__(self) -> str:
        return self.kind


CASES = [
    Case(
        "organisation",
        "'Vantor Health' --domain vantor.org --domain @VANTOR.com --notes 'met at a fair'",
        {"name": "Vantor Health", "domains": ["vantor.com", "vantor.org"],
         "notes": "met at a fair"},
        "Vantor Health", "vantor.org",
        "--notes 'second meeting'", {"notes": "second meeting", "name": "Vantor Health"},
    ),
    Case(
        "person",
        "'Grant Oduya' --email Grant@Vantor.org --org Meridian --title CTO --notes quiet",
        {"name": "Grant Oduya", "emails": ["grant@vantor.org"], "organisation_id": 1,
         "organisation": "Meridian", "title": "CTO", "notes": "quiet"},
        "Grant Oduya", "Oduya",
        "--title CEO", {"title": "CEO", "emails": ["grant@vantor.org"]},
    ),
    Case(
        "engagement",
        "'Board pack' --kind employer --org meridian-shipping.com --status proposed --value 5000"
        " --goal 'A pack the board reads' --criterion 'signed off' --criterion 'on time'"
        " --start 2026-12-01 --end 2027-01-31",
        {"name": "Board pack", "kind": "employer", "organisation": "Meridian",
         "status": "proposed", "value": 5000.0, "goal": "A pack the board reads",
         "success_criteria": ["signed off", "on time"], "starts_on": "2026-12-01",
         "ends_on": "2027-01-31"},
        "Board pack", "Board",
        "--status active --value 6000", {"status": "active", "value": 6000.0, "kind": "employer"},
    ),
    Case(
        "milestone",
        "'Draft ledger' --engagement Ledger --due friday --notes first",
        {"title": "Draft ledger", "engagement_id": 1, "engagement": "Ledger migration",
         "due_on": "2026-11-27", "done_on": None, "notes": "first"},
        "Draft ledger", "Draft",
        "--done today", {"done_on": "2026-11-20", "due_on": "2026-11-27"},
    ),
    Case(
        "stakeholder",
        "Victor Ledger --role manager --stance champion --incentives 'clean books' --cadence 10",
        {"person": "Victor Lang", "person_id": 2, "engagement": "Ledger migration",
         "role": "manager", "power": 3, "interest": 5, "legitimacy": 4, "urgency": 4,
         "stance": "champion", "incentives": "clean books", "cadence_days": 10,
         "label": "Victor Lang (manager, Ledger migration)"},
        "Victor Lang (manager, Ledger migration)", "Victor/Ledger",
        "--power 4 --stance sceptic", {"power": 4, "stance": "sceptic", "interest": 5},
        row="Victor Lang\tLedger migration\tmanager\t",
    ),
    Case(
        "ask",
        "'Board dashboard' --from Helen --engagement Ledger --due friday --effort 2.5 --value 4"
        " --source msg-1",
        {"title": "Board dashboard", "requester_id": 1, "requester": "Helen Brandt",
         "engagement": "Ledger migration", "status": "open", "due_at": "2026-11-27T00:00:00",
         "effort_hours": 2.5, "value": 4, "created_at": "2026-11-20T10:00:00",
         "done_at": None, "source": "msg-1", "depends_on": []},
        "Board dashboard", "Board",
        "--status done", {"status": "done", "done_at": "2026-11-20T10:00:00",
                          "requester": "Helen Brandt"},
    ),
    Case(
        "commitment",
        "'Send the reconciliation plan' --to Victor --engagement Ledger --due monday",
        {"title": "Send the reconciliation plan", "promisee": "Victor Lang",
         "engagement": "Ledger migration", "status": "open", "made_at": "2026-11-20T10:00:00",
         "due_at": "2026-11-23T00:00:00", "resolved_at": None},
        "Send the reconciliation plan", "Send",
        "--status kept", {"status": "kept", "resolved_at": "2026-11-20T10:00:00"},
    ),
    Case(
        "interaction",
        "'Steering committee' --with Helen --with victor@meridian-shipping.com"
        " --at 'yesterday 15:00' --engagement Ledger --kind call --direction in --sentiment 1",
        {"summary": "Steering committee", "kind": "call", "direction": "in", "sentiment": 1,
         "occurred_at": "2026-11-19T15:00:00", "engagement": "Ledger migration",
         "participants": [{"id": 1, "name": "Helen Brandt"}, {"id": 2, "name": "Victor Lang"}]},
        "Steering committee", "Steering",
        "--sentiment 2", {"sentiment": 2, "kind": "call"},
    ),
    Case(
        "feedback",
        "Helen --engagement Ledger --rating 9 --text 'The board loved the dashboard'",
        {"person": "Helen Brandt", "engagement": "Ledger migration", "rating": 9,
         "text": "The board loved the dashboard", "received_on": "2026-11-20"},
        "Helen Brandt", None,
        "--rating 10 --on 2026-11-18", {"rating": 10, "received_on": "2026-11-18"},
    ),
    Case(
        "time-entry",
        "Ledger --duration 1h30 --at 'today 9:00' --note reconciliation",
        {"engagement": "Ledger migration", "minutes": 90, "started_at": "2026-11-20T09:00:00",
         "boss_kind": "customer", "note": "reconciliation"},
        "Ledger migration", None,
        "--duration 45m --boss self", {"minutes": 45, "boss_kind": "self",
                                       "note": "reconciliation"},
    ),
    Case(
        "goal",
        "'Pass the cloud architect exam' --kind learning --target 2027-03-31",
        {"title": "Pass the cloud architect exam", "kind": "learning", "status": "active",
         "target_on": "2027-03-31", "created_on": "2026-11-20", "notes": None},
        "Pass the cloud architect exam", "Pass",
        "--status done", {"status": "done", "target_on": "2027-03-31"},
    ),
    Case(
        "prospect",
        "'Vantor expansion' --org Meridian --contact Helen --fee 40000 --goal 'expand'",
        {"name": "Vantor expansion", "organisation": "Meridian", "contact": "Helen Brandt",
         "status": "screening", "fee": 40000.0, "goal": "expand", "created_on": "2026-11-20"},
        "Vantor expansion", "Vantor",
        "--status accepted --fee 45000.5", {"status": "accepted", "fee": 45000.5},
    ),
]



def test_the_cases_cover_every_kind() -> None:
    assert [c.kind for c in CASES] == [k.cli_name for k in KINDS]


def _add(world: Patron, case: Case) -> int:
    out = world.ok(f"{case.kind} add {case.add}")
    found = re.fullmatch(rf"Added {case.noun} #(\d+): (.*)\n", out)
    assert found, out
    assert found[2] == case.label
    return int(found[1])


@pytest.mark.parametrize("case", CASES, ids=str)
def test_add_list_show(world: Patron, case: Case) -> None:
    ident = _add(world, case)
    name = case.name or f"#{ident}"

    shown = show(world, case.kind, name)
    has(shown, {"id": ident, **case.expect})
    assert show(world, case.kind, ident) == shown
    assert show(world, case.kind, f"#{ident}") == shown

    listed = data(world, f"{case.kind} list")
    assert [r for r in listed if r["id"] == ident] == [shown]

    text = world.ok(f"{case.kind} show {q(name)}")
    assert text.splitlines()[0] == f"{case.noun.capitalize()} #{ident}: {case.label}"
    table = world.ok(f"{case.kind} list")
    assert any(line.startswith(f"{ident}\t") and (case.row or case.label) in line
               for line in table.splitlines()), table


@pytest.mark.parametrize("case", CASES, ids=str)
def test_add_json_prints_the_new_record(world: Patron, case: Case) -> None:
    added = data(world, f"{case.kind} add {case.add}")
    has(added, case.expect)
    assert show(world, case.kind, added["id"]) == added


@pytest.mark.parametrize(
    "case", CASES,
    ids=str,
)
def test_edit(world: Patron, case: Case) -> None:
    ident = _add(world, case)
    name = case.name or f"#{ident}"
    before = show(world, case.kind, ident)

    out = world.ok(f"{case.kind} edit {q(name)} {case.edit}")
    assert out == f"Changed {case.noun} #{ident}: {case.label}\n"

    after = show(world, case.kind, ident)
    has(after, case.edited)
    untouched = {k: v for k, v in before.items() if k not in case.edited}
    has(after, {k: v for k, v in untouched.items() if k not in ("done_at", "resolved_at")})


@pytest.mark.parametrize(
    "case", CASES,
    ids=str,
)
def test_edit_json_prints_the_changed_record(world: Patron, case: Case) -> None:
    ident = _add(world, case)
    edited = data(world, f"{case.kind} edit {ident} {case.edit}")
    has(edited, {"id": ident, **case.edited})
    assert show(world, case.kind, ident) == edited


@pytest.mark.parametrize("case", CASES, ids=str)
def test_remove_needs_yes_without_a_terminal(world: Patron, case: Case) -> None:
    ident = _add(world, case)
    name = case.name or f"#{ident}"
    before = export(world)

    result = world(*shlex.split(f"{case.kind} remove {q(name)}"))
    assert result.exit_code == 2
    assert "--yes" in result.stderr and case.label in result.stderr
    assert export(world) == before

    assert world.ok(f"{case.kind} remove {q(name)} --yes") == \
        f"Removed {case.noun} #{ident}: {case.label}\n"
    assert ident not in ids(data(world, f"{case.kind} list"))
    world.fails(f"{case.kind} show {ident}", 3)


@pytest.mark.parametrize("flag", ["--yes", "-y"])
def test_remove_json(world: Patron, flag: str) -> None:
    assert data(world, f"engagement remove Ledger {flag}") == {
        "removed": "engagement", "id": 1, "label": "Ledger migration"}
    assert data(world, "engagement list") == []


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Helen Brandt", "Helen", "hel", "HELEN", "Brandt", "bra", "helen@meridian-shipping.com",
     "Helen@Meridian-Shipping.COM", "1", "#1", " Helen "],
)
def test_a_person_is_named_by_prefix_word_address_or_id(world: Patron, name: str) -> None:
    assert data(world, f"person show {q(name)}")["name"] == "Helen Brandt"


@pytest.mark.parametrize(
    "name", ["Meridian", "mer", "meridian-shipping.com", "anyone@meridian-shipping.com", "1", "#1"]
)
def test_an_organisation_is_named_by_prefix_domain_or_id(world: Patron, name: str) -> None:
    assert data(world, f"organisation show {q(name)}")["name"] == "Meridian"


@pytest.mark.parametrize("name", ["Ledger", "ledger mig", "migration", "1", "#1"])
def test_an_engagement_is_named_by_prefix_of_any_word(world: Patron, name: str) -> None:
    assert data(world, f"engagement show {q(name)}")["name"] == "Ledger migration"


def test_names_work_in_references(world: Patron) -> None:
    ask = data(world, "ask add 'Variance report' --from brandt --engagement migration")
    has(ask, {"requester": "Helen Brandt", "engagement": "Ledger migration"})
    ask = data(world, "ask add 'Cash forecast' --from victor@meridian-shipping.com "
                      "--engagement '#1'")
    has(ask, {"requester": "Victor Lang", "engagement_id": 1})
    person = data(world, "person add 'Olu Ade' --org someone@meridian-shipping.com")
    assert person["organisation"] == "Meridian"


def test_an_exact_name_wins_over_a_longer_one(world: Patron) -> None:
    world.ok("engagement add 'Ledger migration phase 2'")
    assert data(world, "engagement show 'ledger migration'")["id"] == 1


def test_a_whole_word_wins_over_a_prefix(world: Patron) -> None:
    world.ok("person add 'Helena Moss'")
    assert data(world, "person show Helen")["name"] == "Helen Brandt"
    assert data(world, "person show helena")["name"] == "Helena Moss"
    assert "Helena Moss" in world.fails("person show hel", 4)


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "due_at"),
    [
        ("2026-12-01", "2026-12-01T00:00:00"),
        ("friday", "2026-11-27T00:00:00"),
        ("Friday", "2026-11-27T00:00:00"),
        ("in 3 days", "2026-11-23T10:00:00"),
        ("2026-12-01 15:00", "2026-12-01T15:00:00"),
        ("2026-12-01T15:00", "2026-12-01T15:00:00"),
        ("tomorrow 9am", "2026-11-21T09:00:00"),
        ("last monday", "2026-11-16T00:00:00"),
    ],
)
def test_moments_as_typed(world: Patron, typed: str, due_at: str) -> None:
    assert data(world, f"ask add X --from Helen --due {q(typed)}")["due_at"] == due_at


@pytest.mark.parametrize(
    ("typed", "due_on"),
    [("2026-12-01", "2026-12-01"), ("friday", "2026-11-27"), ("in 3 days", "2026-11-23"),
     ("tomorrow", "2026-11-21"), ("in 2 weeks", "2026-12-04")],
)
def test_days_as_typed(world: Patron, typed: str, due_on: str) -> None:
    assert data(world, f"milestone add M --engagement Ledger --due {q(typed)}")["due_on"] == due_on


def test_an_ask_due_friday_from_helen(world: Patron) -> None:
    world.ok('ask add "X" --from Helen --due friday')
    has(data(world, "ask show X"), {"due_at": "2026-11-27T00:00:00", "requester": "Helen Brandt",
                                    "status": "open", "created_at": "2026-11-20T10:00:00"})


# --- particular behaviour -----------------------------------------------------------------


def test_person_edit_adds_and_removes_addresses(world: Patron) -> None:
    world.ok("person edit Helen --add-email helen.brandt@gmail.com")
    assert data(world, "person show Helen")["emails"] == [
        "helen.brandt@gmail.com", "helen@meridian-shipping.com"]
    assert data(world, "person show helen.brandt@gmail.com")["id"] == 1

    world.ok("person edit Helen --remove-email helen@meridian-shipping.com")
    assert data(world, "person show Helen")["emails"] == ["helen.brandt@gmail.com"]
    world.fails("person show helen@meridian-shipping.com", 3)

    world.ok("person edit Helen --email a@b.com --email c@d.com")
    assert data(world, "person show Helen")["emails"] == ["a@b.com", "c@d.com"]


def test_person_edit_clear_title(world: Patron) -> None:
    world.ok("person edit Helen --clear title")
    has(data(world, "person show Helen"), {"title": None, "organisation": "Meridian"})


@pytest.mark.parametrize(
    ("kind", "add", "clear", "column"),
    [
        ("goal", "G --target 2027-01-01 --notes n", "target", "target_on"),
        ("milestone", "M --engagement Ledger --due friday", "due", "due_on"),
        ("stakeholder", "Helen Ledger --role sponsor --cadence 3", "cadence", "cadence_days"),
        ("prospect", "P --contact Helen --fee 10", "contact", "contact_id")],
)
def test_edit_clear_empties_a_field(world: Patron, kind: str, add: str, clear: str,
                                    column: str) -> None:
    ident = data(world, f"{kind} add {add}")["id"]
    world.ok(f"{kind} edit {ident} --clear {clear}")
    assert data(world, f"{kind} show {ident}")[column] is None


@pytest.mark.parametrize(
    ("role", "power", "interest", "legitimacy", "urgency"),
    [("sponsor", 5, 3, 5, 2), ("manager", 3, 5, 4, 4), ("customer", 2, 4, 4, 3),
     ("gatekeeper", 3, 2, 4, 1), ("mentor", 1, 3, 3, 0)],
)
def test_a_stakeholder_gets_its_roles_usual_attributes(
        world: Patron, role: str, power: int, interest: int, legitimacy: int, urgency: int) -> None:
    record = data(world, f"stakeholder add Helen Ledger --role {role}")
    has(record, {"power": power, "interest": interest, "legitimacy": legitimacy,
                 "urgency": urgency, "stance": "neutral", "role": role})


def test_a_stakeholders_given_attributes_win_over_the_role(world: Patron) -> None:
    record = data(world, "stakeholder add Helen Ledger --role sponsor --power 2 --urgency 0")
    has(record, {"power": 2, "interest": 3, "legitimacy": 5, "urgency": 0})


def test_a_stakeholder_is_named_person_engagement_role(world: Patron) -> None:
    world.ok("engagement add 'Board pack' --kind employer")
    world.ok("stakeholder add Helen Ledger --role sponsor")
    world.ok("stakeholder add Helen Board --role customer")
    world.ok("stakeholder add Helen Board --role manager")

    assert data(world, "stakeholder show Helen/Ledger")["label"] == \
        "Helen Brandt (sponsor, Ledger migration)"
    assert data(world, "stakeholder show brandt/board/MANAGER")["role"] == "manager"
    error = world.fails("stakeholder show Helen", 4)
    assert "Helen Brandt (sponsor, Ledger migration)" in error
    assert "Helen Brandt (customer, Board pack)" in error


def test_a_stakeholder_is_edited_by_person_engagement(world: Patron) -> None:
    world.ok("engagement add 'Board pack' --kind employer")
    world.ok("stakeholder add Helen Ledger --role sponsor")
    world.ok("stakeholder add Helen Board --role customer")
    world.ok("stakeholder edit Helen/Ledger --incentives 'board confidence'")
    assert data(world, "stakeholder show 1")["incentives"] == "board confidence"
    assert data(world, "stakeholder show 2")["incentives"] is None


@pytest.mark.parametrize(
    ("eng_kind", "boss"), [("client", "customer"), ("employer", "employer"), ("self", "self")]
)
def test_a_time_entry_serves_the_engagements_boss(patron: Patron, eng_kind: str, boss: str) -> None:
    patron.ok(f"engagement add Work --kind {eng_kind}")
    entry = data(patron, "time-entry add Work --duration 1h30")
    has(entry, {"minutes": 90, "boss_kind": boss, "started_at": "2026-11-20T10:00:00"})
    assert data(patron, "time-entry add Work --duration 20m --boss self")["boss_kind"] == "self"


@pytest.mark.parametrize(("typed", "minutes"),
                         [("1h30", 90), ("90m", 90), ("90", 90), ("1.5h", 90), ("1:30", 90),
                          ("45min", 45), ("2h", 120)])
def test_durations_as_typed(world: Patron, typed: str, minutes: int) -> None:
    assert data(world, f"time-entry add Ledger --duration {typed}")["minutes"] == minutes


def test_time_entry_list_shows_hours_and_minutes(world: Patron) -> None:
    world.ok("time-entry add Ledger --duration 1h30 --note recon")
    line = world.ok("time-entry list").splitlines()[1]
    assert line.split("\t")[:3] == ["1", "Ledger migration", "1h30"]


def test_an_interaction_with_two_participants(world: Patron) -> None:
    world.ok("person add 'Olu Ade'")
    world.ok("interaction add 'Steering committee' --with Helen --with Victor "
             "--at '2026-11-18 14:00'")
    world.ok("interaction add 'Call with Olu' --with Olu --kind call")
    record = data(world, "interaction show Steering")
    assert record["participants"] == [{"id": 1, "name": "Helen Brandt"},
                                      {"id": 2, "name": "Victor Lang"}]
    has(record, {"kind": "meeting", "direction": "both", "occurred_at": "2026-11-18T14:00:00"})
    assert [r["summary"] for r in data(world, "interaction list --with Victor")] == \
        ["Steering committee"]
    assert [r["summary"] for r in data(world, "interaction list --kind call")] == ["Call with Olu"]
    assert "Helen Brandt, Victor Lang" in world.ok("interaction list")


def test_an_ask_can_depend_on_another(world: Patron) -> None:
    world.ok("ask add 'Numbers' --from Victor")
    record = data(world, "ask add 'Board pack' --from Helen --depends-on Numbers")
    assert record["depends_on"] == [{"id": 1, "name": "Numbers"}]


def test_ask_done_gets_a_done_time(world: Patron) -> None:
    record = data(world, "ask add Old --status done")
    has(record, {"status": "done", "done_at": "2026-11-20T10:00:00"})


# --- list filters --------------------------------------------------------------------------


@pytest.fixture
def busy(world: Patron) -> Patron:
    for line in [
        "engagement add 'Board pack' --kind employer --status paused",
        "ask add 'Dashboard' --from Helen --engagement Ledger --due friday",
        "ask add 'Variance' --from Victor --engagement Ledger --status done",
        "ask add 'Slides' --from Helen --engagement Board --status waiting",
        "ask add 'Coffee' --from Victor",
        "stakeholder add Helen Ledger --role sponsor --incentives 'board confidence'",
        "stakeholder add Victor Ledger --role manager",
        "stakeholder add Helen Board --role customer",
        "milestone add Cutover --engagement Ledger --due 2026-12-15",
        "milestone add Kickoff --engagement Ledger --due 2026-11-02",
        "milestone add Review --engagement Board",
        "time-entry add Ledger --duration 1h",
        "time-entry add Board --duration 2h",
        "commitment add 'Send plan' --to Victor --engagement Ledger",
        "commitment add 'Old promise' --to Helen --status broken",
        "feedback add Helen --engagement Ledger --rating 9",
        "feedback add Victor --rating 6",
        "goal add 'Exam' --kind learning",
        "goal add 'Talk' --kind marketing --status dropped",
        "prospect add 'Vantor' --org Meridian --contact Helen",
        "prospect add 'Solo gig' --status declined",
        "organisation add 'Larkspur Advisory' --domain larkspur-advisory.com",
        "person add 'Sam Okafor' --org Larkspur",
    ]:
        world.ok(line)
    return world


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ask list --engagement Ledger --status open", ["Dashboard"]),
        ("ask list --engagement Ledger", ["Dashboard", "Variance"]),
        ("ask list --from Helen", ["Dashboard", "Slides"]),
        ("ask list --status waiting", ["Slides"]),
        ("ask list --status OPEN", ["Dashboard", "Coffee"]),
        ("ask list --limit 2", ["Dashboard", "Variance"]),
        ("person list --org Larkspur", ["Sam Okafor"]),
        ("person list --org meridian-shipping.com", ["Helen Brandt", "Victor Lang"]),
        ("people list", ["Helen Brandt", "Sam Okafor", "Victor Lang"]),
        ("engagement list --kind employer", ["Board pack"]),
        ("engagement list --status active", ["Ledger migration"]),
        ("engagement list --org Meridian", ["Ledger migration"]),
        ("milestone list --engagement Ledger", ["Kickoff", "Cutover"]),
        ("stakeholder list --engagement Ledger", ["Helen Brandt (sponsor, Ledger migration)",
                                                  "Victor Lang (manager, Ledger migration)"]),
        ("stakeholder list --person Helen", ["Helen Brandt (sponsor, Ledger migration)",
                                             "Helen Brandt (customer, Board pack)"]),
        ("stakeholder list --role customer", ["Helen Brandt (customer, Board pack)"]),
        ("commitment list --status broken", ["Old promise"]),
        ("commitment list --to Victor", ["Send plan"]),
        ("feedback list --person Victor", [6]),
        ("feedback list --engagement Ledger", [9]),
        ("time-entry list --boss employer", [120]),
        ("time-entry list --engagement Ledger", [60]),
        ("goal list --kind learning", ["Exam"]),
        ("goal list --status dropped", ["Talk"]),
        ("prospect list --status declined", ["Solo gig"]),
        ("prospect list --org Meridian", ["Vantor"]),
        ("org list", ["Larkspur Advisory", "Meridian"]),
    ],
)
def test_list_filters(busy: Patron, line: str, expected: list[Any]) -> None:
    shown = [r.get("label") or r.get("summary") or r.get("name") or r.get("title")
             or r.get("rating") or r.get("minutes") for r in data(busy, line)]
    assert shown == expected


def test_show_adds_what_a_record_is_connected_to(busy: Patron) -> None:
    helen = data(busy, "person show Helen")["related"]
    assert helen["roles"] == ["customer in Board pack", "sponsor in Ledger migration"]
    assert helen["open asks"] == ["#1 Dashboard", "#3 Slides"]
    assert helen["last rating"] == "9/10 on 2026-11-20"
    ledger = data(busy, "engagement show Ledger")["related"]
    assert ledger["stakeholders"] == ["Helen Brandt (sponsor)", "Victor Lang (manager)"]
    assert ledger["milestones"] == ["2026-11-02 Kickoff", "2026-12-15 Cutover"]
    assert ledger["open asks"] == 1
    assert ledger["time logged"] == "1.0h"
    assert data(busy, "org show Meridian")["related"] == {
        "people": ["Helen Brandt", "Victor Lang"], "engagements": ["Ledger migration"]}
    text = busy.ok("person show Helen")
    assert "sponsor in Ledger migration" in text and "#3 Slides" in text


def test_list_of_nothing_says_so(world: Patron) -> None:
    assert world.ok("goal list") == "no goals\n"
    assert data(world, "goal list") == []
    assert world.ok("ask list --status done") == "no asks\n"


def test_list_text_is_tab_separated_with_a_header(busy: Patron) -> None:
    lines = busy.ok("ask list --status open").splitlines()
    assert lines[0].split("\t")[:2] == ["id", "title"]
    assert len(lines) == 3
    assert lines[1].split("\t")[:6] == ["1", "Dashboard", "Helen Brandt", "Ledger migration",
                                        "open", "2026-11-27"]


# --- aliases -------------------------------------------------------------------------------

@pytest.mark.parametrize(("alias", "kind"), sorted(ALIASES.items()))
def test_every_alias_works(busy: Patron, alias: str, kind: str) -> None:
    assert busy.ok(f"{alias} list") == busy.ok(f"{kind} list")


def test_every_alias_a_kind_declares_works_or_is_another_command(busy: Patron) -> None:
    for kind in KINDS:
        for alias in kind.aliases:
            assert ALIASES.get(alias) == kind.cli_name or alias in COMMANDS, alias


def test_alias_people_and_org(busy: Patron) -> None:
    assert "Helen Brandt" in busy.ok("people list")
    assert "Meridian" in busy.ok("org list")
    assert data(busy, "people show Victor")["name"] == "Victor Lang"
    busy.ok("org add 'Vantor Health'")
    assert "Vantor Health" in busy.ok("organisations list")


# --- removing and what goes with it -------------------------------------------------------


def test_removing_a_person_removes_their_roles_but_keeps_their_asks(busy: Patron) -> None:
    busy.ok("interaction add Lunch --with Helen --with Victor")
    busy.ok("person remove Helen --yes")

    assert [r["name"] for r in data(busy, "person list")] == ["Sam Okafor", "Victor Lang"]
    assert [r["label"] for r in data(busy, "stakeholder list")] == [
        "Victor Lang (manager, Ledger migration)"]
    asks = {r["title"]: r for r in data(busy, "ask list")}
    assert set(asks) == {"Dashboard", "Variance", "Slides", "Coffee"}
    has(asks["Dashboard"], {"requester_id": None, "requester": None,
                            "engagement": "Ledger migration", "due_at": "2026-11-27T00:00:00"})
    has(asks["Variance"], {"requester": "Victor Lang"})
    assert data(busy, "interaction show Lunch")["participants"] == [
        {"id": 2, "name": "Victor Lang"}]
    assert [r["person"] for r in data(busy, "feedback list")] == ["Victor Lang", None]  # newest first
    assert data(busy, "prospect show Vantor")["contact"] is None
    assert export(busy)["tables"]["person_email"] == [
        {"address": "victor@meridian-shipping.com", "person_id": 2}]


def test_removing_an_engagement_removes_its_milestones_and_roles(busy: Patron) -> None:
    busy.ok("engagement remove Ledger --yes")
    assert [r["title"] for r in data(busy, "milestone list")] == ["Review"]
    assert [r["role"] for r in data(busy, "stakeholder list")] == ["customer"]
    assert [r["engagement"] for r in data(busy, "ask list")] == [None, None, "Board pack", None]


def test_removing_an_ask_removes_the_dependency_on_it(world: Patron) -> None:
    world.ok("ask add First")
    world.ok("ask add Second --depends-on First")
    world.ok("ask remove First --yes")
    assert data(world, "ask show Second")["depends_on"] == []


def test_records_kept_after_a_removal_can_still_be_edited(world: Patron) -> None:
    world.ok("feedback add Helen --rating 8")
    world.ok("time-entry add Ledger --duration 1h")
    world.ok("person remove Helen --yes")
    world.ok("engagement remove Ledger --yes")
    assert data(world, "feedback edit 1 --rating 9")["rating"] == 9
    assert data(world, "time-entry edit 1 --note billed")["note"] == "billed"


# --- export and restore --------------------------------------------------------------------


def test_export_is_the_whole_register_as_json(busy: Patron) -> None:
    document = export(busy)
    assert document["format"] == "patron-export"
    assert document["version"] == 1
    tables = document["tables"]
    assert [p["name"] for p in tables["person"]] == ["Helen Brandt", "Victor Lang", "Sam Okafor"]
    assert len(tables["ask"]) == 4
    assert tables["ask"][0]["due_at"] == "2026-11-27T00:00:00"
    assert {r["domain"] for r in tables["organisation_domain"]} == {
        "meridian-shipping.com", "larkspur-advisory.com"}
    assert busy.ok("export") == busy.ok("export")


def test_export_to_a_file(busy: Patron, tmp_path: Path) -> None:
    target = tmp_path / "backup.json"
    result = busy("export", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"Wrote {target}" in result.stderr
    assert target.read_text(encoding="utf-8") == busy.ok("export")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_export_csv_writes_one_file_per_table(busy: Patron, tmp_path: Path) -> None:
    folder = tmp_path / "csv" / "nested"
    result = busy("export", "csv", "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert "CSV files" in result.stderr
    document = export(busy)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{name}.csv" for name in document["tables"])
    with (folder / "person.csv").open(encoding="utf-8", newline="") as handle:
        people = list(csv.DictReader(handle))
    assert [(p["id"], p["name"], p["title"]) for p in people] == [
        ("1", "Helen Brandt", "CFO"), ("2", "Victor Lang", "Finance manager"),
        ("3", "Sam Okafor", "")]
    with (folder / "engagement.csv").open(encoding="utf-8", newline="") as handle:
        engagement = next(csv.DictReader(handle))
    assert json.loads(engagement["success_criteria"]) == []


def _second(tmp_path: Path, name: str = "second.sqlite") -> Patron:
    return Patron(db=str(tmp_path / name), runner=CliRunner())


def test_restore_into_an_empty_database_gives_the_same_export(
        busy: Patron, tmp_path: Path) -> None:
    busy.ok("interaction add Lunch --with Helen --with Victor")
    busy.ok("ask add 'After dashboard' --depends-on Dashboard")
    backup = tmp_path / "backup.json"
    busy.ok(f"export -o {q(str(backup))}")

    second = _second(tmp_path)
    out = second.ok(f"restore {q(str(backup))}")
    assert out.startswith("Restored ") and "3 person" in out and second.db in out
    assert second.ok("export") == busy.ok("export")
    assert data(second, "ask show After")["depends_on"] == [{"id": 1, "name": "Dashboard"}]
    # and the restored register keeps working: new ids follow the restored ones
    assert data(second, "person add 'New Person'")["id"] == 4


def test_restore_from_standard_input(busy: Patron, tmp_path: Path) -> None:
    second = _second(tmp_path)
    second.ok("restore -", input=busy.ok("export"))
    assert second.ok("export") == busy.ok("export")


def test_restore_of_an_empty_register(patron: Patron, tmp_path: Path) -> None:
    patron.ok("person add X")
    patron.ok("person remove X --yes")
    second = _second(tmp_path)
    assert "an empty register" in second.ok("restore -", input=patron.ok("export"))
    assert second.ok("export") == patron.ok("export")


# --- config --------------------------------------------------------------------------------


def test_config_show_defaults(patron: Patron, tmp_path: Path) -> None:
    out = patron.ok("config show")
    assert out.splitlines()[0] == \
        f"# settings from {tmp_path / 'config' / 'patron' / 'config.toml'} (absent: defaults)"
    assert f"# database in use: {patron.db}" in out
    assert "[cadence]\nsponsor = 14\n" in out
    assert 'url = ""' in out


def test_config_show_json(patron: Patron) -> None:
    values = data(patron, "config show")
    assert values["cadence.sponsor"] == 14
    assert values["overview.asks"] == 10
    assert values["me.emails"] == []
    assert values["database.url"] == ""


def test_config_show_reads_the_settings_file(patron: Patron, tmp_path: Path) -> None:
    settings = tmp_path / "mine.toml"
    settings.write_text('[cadence]\nsponsor = 21\n\n[me]\nname = "Sam Okafor"\n',
                        encoding="utf-8")
    values = data(patron, f"--config {q(str(settings))} config show")
    has(values, {"cadence.sponsor": 21, "me.name": "Sam Okafor", "cadence.manager": 7})
    out = patron.ok(f"--config {q(str(settings))} config show")
    assert out.splitlines()[0] == f"# settings from {settings}"
    assert "sponsor = 21" in out


def test_config_file_from_the_environment(
        patron: Patron, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = tmp_path / "env.toml"
    settings.write_text("[overview]\nasks = 3\n", encoding="utf-8")
    monkeypatch.setenv("PATRON_CONFIG", str(settings))
    assert patron.ok("config path") == f"{settings}\n"
    assert data(patron, "config show")["overview.asks"] == 3


def test_config_path(patron: Patron, tmp_path: Path) -> None:
    assert patron.ok("config path") == f"{tmp_path / 'config' / 'patron' / 'config.toml'}\n"
    assert patron.ok("--config /somewhere/else.toml config path") == "/somewhere/else.toml\n"


def test_config_docs(patron: Patron) -> None:
    docs = patron.ok("config docs")
    assert docs.startswith("# Configuration reference\n")
    assert "| `sponsor` | int | `14` |" in docs
    assert "PATRON_CONFIG" in docs


def test_the_database_can_come_from_the_settings(tmp_path: Path) -> None:
    register = tmp_path / "from-settings.sqlite"
    settings = tmp_path / "s.toml"
    settings.write_text(f'[database]\nurl = "{register}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(settings), "person", "add", "Solo"])
    assert result.exit_code == 0, result.output
    assert register.exists()


# --- overview and demo ---------------------------------------------------------------------


@pytest.fixture
def portfolio(busy: Patron) -> Patron:
    busy.ok("ask add 'Late reply' --from Helen --engagement Ledger --due 2026-11-18")
    busy.ok("interaction add 'Weekly' --with Victor --at 2026-11-19 --engagement Ledger")
    busy.ok("stakeholder edit 'Helen/Ledger' --since 2026-10-31")  # her first check-in has passed
    return busy


def test_overview_json(portfolio: Patron) -> None:
    view = data(portfolio, "overview")
    assert view["today"] == "2026-11-20"
    has(view["counts"], {"person": 3, "organisation": 2, "engagement": 2, "ask": 5,
                         "stakeholder": 3, "interaction": 1, "goal": 2, "prospect": 2})
    assert view["open_asks"] == 4
    assert [a["title"] for a in view["asks"]] == ["Late reply", "Dashboard", "Slides", "Coffee"]
    has(view["asks"][0], {"requester": "Helen Brandt", "requester_role": "sponsor",
                          "engagement": "Ledger migration", "days_late": 2,
                          "due_at": "2026-11-18T00:00:00"})
    assert view["asks"][1]["days_late"] == -7
    ledger = next(e for e in view["engagements"] if e["name"] == "Ledger migration")
    assert [c["person"] for c in ledger["pays"]] == ["Helen Brandt"]
    assert [c["person"] for c in ledger["directs"]] == ["Victor Lang"]
    assert ledger["incentives"] == {"Helen Brandt": "board confidence"}
    assert ledger["open_asks"] == 2
    assert "Helen Brandt" in [c["person"] for c in ledger["overdue"]]
    assert "Victor Lang" not in [c["person"] for c in ledger["overdue"]]


def test_overview_limit(portfolio: Patron) -> None:
    view = data(portfolio, "overview --limit 1")
    assert [a["title"] for a in view["asks"]] == ["Late reply"]
    assert view["open_asks"] == 4


def test_overview_text(portfolio: Patron) -> None:
    out = portfolio.ok("overview")
    assert out.startswith("3 people, 2 organisations, 2 engagements, ")
    assert ", 5 asks, " in out
    assert "Late reply\tHelen Brandt\tsponsor\tLedger migration\t2026-11-18 (2d late)" in out
    assert "Ledger migration (client, Meridian, worth 120,000; 2 open asks)" in out
    assert "  pays:     Helen Brandt, CFO" in out
    assert "  directs:  Victor Lang, Finance manager" in out
    assert "  Helen Brandt wants: board confidence" in out
    assert ("Helen Brandt (sponsor): no contact yet, added 20 days ago, "
            "6 days past the first check-in") in out


def test_overview_of_an_empty_register(patron: Patron) -> None:
    patron.ok("goal add Something")
    out = patron.ok("overview")
    assert "No open asks." in out
    assert data(patron, "overview")["open_asks"] == 0


def test_demo_builds_its_own_database(patron: Patron, tmp_path: Path) -> None:
    demo = tmp_path / "somewhere" / "demo.sqlite"
    out = patron.ok(f"demo --path {q(str(demo))}")
    assert f"Demo portfolio built in {demo}" in out
    assert "Sam Okafor" in out
    view = data(patron, f"--db {q(str(demo))} overview")
    assert view["counts"]["person"] >= 25
    assert view["counts"]["engagement"] >= 3
    assert view["open_asks"] > 0
    assert not Path(patron.db).exists()  # the user's own register was not touched


def test_demo_json_and_twice_gives_the_same_database(patron: Patron, tmp_path: Path) -> None:
    demo = tmp_path / "demo.sqlite"
    first = data(patron, f"demo --path {q(str(demo))}")
    dump = patron.ok(f"--db {q(str(demo))} export")
    assert data(patron, f"demo --path {q(str(demo))}") == first
    assert patron.ok(f"--db {q(str(demo))} export") == dump
    assert first["counts"]["person"] >= 25


def test_demo_mail_goes_through_the_mail_importer(patron: Patron, tmp_path: Path) -> None:
    demo = tmp_path / "demo.sqlite"
    patron.ok(f"demo --path {q(str(demo))}")
    found = data(patron, f"--db {q(str(demo))} inbox --json --all")
    assert {s["kind"] for s in found} == {"request-action", "request-information", "commitment"}
    assert any(s["title"].startswith("Review the clinic templates") for s in found)
    ledger = data(patron, f"--db {q(str(demo))} influence --engagement Ledger --json")["people"]
    names = [p["name"] for p in ledger]
    assert {"Helen Brandt", "Victor Lam"} <= set(names)
    assert "Sam Okafor" not in names  # you, seen in your own mailbox alone, are not scored
    assert all(p["signals"]["sent"] > 0 for p in ledger)


def test_demo_flag_uses_the_demo_database(patron: Patron, tmp_path: Path) -> None:
    patron.ok("demo")
    assert (tmp_path / "data" / "patron" / "demo.sqlite").exists()
    people = data(patron, "--demo person list")
    assert len(people) >= 25
    assert data(patron, "--demo person show Helen")["name"].startswith("Helen")


# --- help --------------------------------------------------------------------------------


def test_help_and_version(patron: Patron) -> None:
    assert "Start with 'patron demo'" in patron.ok("--help")
    assert patron.ok("--version").startswith("patron, version ")


@pytest.mark.parametrize(
    ("kind", "verb"),
    [(k.cli_name, verb)
     for k in KINDS for verb in ("add", "list", "show", "edit", "remove")],
)
def test_every_command_has_help(patron: Patron, kind: str, verb: str) -> None:
    out = patron.ok(f"{kind} {verb} --help")
    assert out.startswith("Usage: ") and f" {kind} {verb} [OPTIONS]" in out.splitlines()[0]
    assert "Examples:" in out


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.cli_name)
def test_every_kind_has_help_with_an_example(patron: Patron, kind: Any) -> None:
    assert kind.example.split(" --")[0] in patron.ok(f"{kind.cli_name} --help")
