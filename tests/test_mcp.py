"""``patron mcp`` end to end: the SDK's own client talks to ``python -m patron mcp`` over
stdio on a real demo register, and every answer is checked against what the command line
says for the same question (``--json``) at the same moment."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from patron.cli.main import main
from patron.domain.periods import CHOICES
from tests.conftest import NOW, Patron, drop_postgres, fresh_postgres_url

pytest.importorskip("mcp")

from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from patron.mcp.tools import READING_TOOLS, WRITING_TOOLS


class Server:
    """A running ``patron mcp`` and the SDK's client session to it, called synchronously."""

    def __init__(self, portal: BlockingPortal, session: ClientSession) -> None:
        self.portal, self.session = portal, session

    def call(self, tool: str, **arguments: Any) -> CallToolResult:
        return self.portal.call(self.session.call_tool, tool, arguments)

    def ok(self, tool: str, **arguments: Any) -> tuple[str, dict[str, Any]]:
        """The text answer and the structured content of a call that must succeed."""
        result = self.call(tool, **arguments)
        text = _text(result)
        assert not result.isError, text
        assert result.structuredContent is not None
        return text, result.structuredContent

    def error(self, tool: str, **arguments: Any) -> str:
        """The message of a call that must fail as a tool error: clear, no traceback."""
        result = self.call(tool, **arguments)
        text = _text(result)
        assert result.isError, text
        assert "Traceback" not in text and 'File "' not in text, text
        return text

    def tools(self) -> dict[str, Any]:
        listed = self.portal.call(self.session.list_tools)
        return {t.name: t for t in listed.tools}

    def resources(self) -> list[Any]:
        return list(self.portal.call(self.session.list_resources).resources)

    def read(self, uri: str) -> dict[str, Any]:
        from pydantic import AnyUrl

        contents = self.portal.call(self.session.read_resource, AnyUrl(uri)).contents
        return dict(json.loads(contents[0].text))  # type: ignore[union-attr]


def _text(result: CallToolResult) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


@asynccontextmanager
async def _session(params: StdioServerParameters) -> AsyncIterator[ClientSession]:
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PATRON_DB", "PATRON_CONFIG")}
    env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               PATRON_NOW=NOW.isoformat())
    return env


@contextmanager
def serving(db: str, home: Path, *flags: str) -> Iterator[Server]:
    params = StdioServerParameters(command=sys.executable,
                                   args=["-m", "patron", "--db", db, "mcp", *flags],
                                   env=_environment(home))
    with start_blocking_portal() as portal, \
            portal.wrap_async_context_manager(_session(params)) as session:
        yield Server(portal, session)


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo portfolio, made by 'patron demo', in a register of this module's own (the
    tests write to it)."""
    home = tmp_path_factory.mktemp("demo")
    path = str(home / "demo.sqlite")
    done = CliRunner().invoke(main, ["demo", "--path", path, "--json"], env=_environment(home))
    assert done.exit_code == 0, done.output
    return path


@pytest.fixture(scope="module")
def server(register: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(register, tmp_path_factory.mktemp("home")) as running:
        yield running


@pytest.fixture(scope="module")
def read_only(register: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(register, tmp_path_factory.mktemp("home"), "--read-only") as running:
        yield running


@pytest.fixture
def cli(register: str) -> Patron:
    return Patron(register, CliRunner())


def as_json(cli: Patron, line: str, input: str | None = None) -> Any:
    return json.loads(cli.ok(line, input=input))


# --- what is offered -------------------------------------------------------------------------


def test_the_tools_are_listed_with_descriptions_and_output_schemas(server: Server) -> None:
    tools = server.tools()
    assert set(tools) == {*READING_TOOLS, *WRITING_TOOLS}
    for name, tool in tools.items():
        assert tool.description and tool.outputSchema, name
        assert tool.annotations.readOnlyHint is (name in READING_TOOLS), name
    assert "engagement" in tools["next"].inputSchema["properties"]
    assert tools["met"].inputSchema["required"] == ["person"]
    period = tools["review"].inputSchema["properties"]["period"]["anyOf"][0]["enum"]
    assert tuple(period) == CHOICES  # the same choices as 'patron review --period'
    destroying = {name for name, tool in tools.items() if tool.annotations.destructiveHint}
    assert destroying == {"people_merge"}  # a record goes: the client asks the user first


def test_read_only_lists_the_reading_tools_and_refuses_a_write(read_only: Server, cli: Patron) -> None:
    assert set(read_only.tools()) == set(READING_TOOLS)
    before = as_json(cli, "interaction list --json")
    message = read_only.error("met", person="Helen", notes="Coffee")
    assert "met" in message
    assert as_json(cli, "interaction list --json") == before
    read_only.ok("next")  # reading still works


# --- reading tools, against the command line -----------------------------------------------


def test_next_is_the_cli_ranking_with_reasons(server: Server, cli: Patron) -> None:
    text, data = server.ok("next", limit=5)
    expected = as_json(cli, "next --json -n 5")
    assert [a["id"] for a in data["asks"]] == [a["id"] for a in expected]
    first, want = data["asks"][0], expected[0]
    assert first["score"] == pytest.approx(want["score"])
    assert first["terms"] == pytest.approx(want["terms"])
    line = text.splitlines()[1]
    assert line.startswith(f"1. #{want['id']} {want['title']}")
    assert want["requester"] in line and "mostly" in line


def test_search_finds_what_the_cli_finds(server: Server, cli: Patron) -> None:
    text, data = server.ok("search", words="ledger", limit=10)
    expected = as_json(cli, "search ledger --json --limit 10")
    assert [(h["kind"], h["id"]) for h in data["hits"]] == [(h["kind"], h["id"]) for h in expected]
    assert data["hits"] and text.startswith(f"{len(expected)} found for 'ledger':")
    _, asks = server.ok("search", words="ledger", kinds=["asks"])
    assert {h["kind"] for h in asks["hits"]} <= {"ask"}
    assert server.ok("search", words='"NEAR( *')[1] == {"hits": []}  # no query syntax


def test_next_for_one_engagement(server: Server, cli: Patron) -> None:
    _, data = server.ok("next", engagement="Ledger", limit=50)
    expected = as_json(cli, "next --json --all -e Ledger")
    assert [a["id"] for a in data["asks"]] == [a["id"] for a in expected][:50]
    assert {a["engagement"] for a in data["asks"]} == {"Ledger migration"}


def test_why_explains_one_ask_term_by_term(server: Server, cli: Patron) -> None:
    top = as_json(cli, "next --json -n 1")[0]
    text, data = server.ok("why", ask=str(top["id"]))
    expected = as_json(cli, f"why {top['id']} --json")
    assert data["ask"]["rank"] == expected["rank"] == 1
    assert {t["term"]: t["contribution"] for t in data["breakdown"]} == pytest.approx(
        {t["term"]: t["contribution"] for t in expected["breakdown"]})
    assert f"ranks 1 of {expected['open_asks']}" in text
    assert top["requester"] in text and "stakeholder" in text


def test_client_names_who_pays_who_directs_and_whom_to_favour(server: Server, cli: Patron) -> None:
    text, data = server.ok("client", engagement="Ledger")
    expected = as_json(cli, "client Ledger --json")[0]
    assert [m["name"] for m in data["executive"]] == [m["name"] for m in expected["executive"]]
    assert [m["name"] for m in data["manager"]] == [m["name"] for m in expected["manager"]]
    assert data["favour"]["name"] == expected["favour"]["name"]
    assert data["reasons"] == expected["reasons"]
    assert f"{expected['executive'][0]['name']} (" in text and "pays" in text
    assert f"Favour {expected['favour']['name']}" in text and "because" in text


def test_due_is_the_cli_list_with_a_reason_each(server: Server, cli: Patron) -> None:
    text, data = server.ok("due")
    expected = as_json(cli, "due --json")
    assert [d["person"] for d in data["people"]] == [d["person"] for d in expected]
    assert [d["reason"] for d in data["people"]] == [d["reason"] for d in expected]
    assert f"- {expected[0]['person']} (" in text and f"why: {expected[0]['reason']}" in text


def test_conflicts_and_capacity(server: Server, cli: Patron) -> None:
    text, data = server.ok("conflicts")
    expected = as_json(cli, "conflicts --json")
    assert [(c["kind"], c["summary"]) for c in data["conflicts"]] == [
        (c["kind"], c["summary"]) for c in expected["conflicts"]]
    assert data["capacity"] == pytest.approx(expected["capacity"])
    assert "renegotiate with" in text


def test_hire_me_back_term_by_term(server: Server, cli: Patron) -> None:
    text, data = server.ok("hire_me_back", engagement="Ledger")
    expected = as_json(cli, "why -e Ledger --json")
    assert data["score"] == pytest.approx(expected["score"])
    assert data["verdict"] == expected["verdict"]
    assert [t["term"] for t in data["breakdown"]] == [t["term"] for t in expected["breakdown"]]
    assert text.startswith(f"Would Ledger migration hire you back? {expected['score']:.0f} of 100")


@pytest.mark.parametrize("arguments, flags", [
    ({}, ""),
    ({"period": "last-month"}, "--period last-month"),
    ({"from_day": "2026-10-01", "to_day": "Oct 31", "engagement": "Ledger"},
     "--from 2026-10-01 --to 'Oct 31' -e Ledger"),
])
def test_review_takes_the_cli_periods(server: Server, cli: Patron, arguments: dict[str, str],
                                      flags: str) -> None:
    text, data = server.ok("review", **arguments)
    expected = as_json(cli, f"review --json {flags}")
    assert (data["first"], data["last"], data["name"]) == (
        expected["first"], expected["last"], expected["name"])
    assert [c["engagement"] for c in data["clients"]] == [c["engagement"] for c in expected["clients"]]
    assert [c["score"] for c in data["clients"]] == pytest.approx([c["score"] for c in expected["clients"]])
    assert text.startswith(f"Review of {expected['name']}")


def test_screen_finds_the_red_flags_the_cli_finds(server: Server, cli: Patron) -> None:
    said = "Remember you work for me. And we need a discount, plus a few extra reports for free."
    text, data = server.ok("screen", text=said)
    expected = as_json(cli, "screen - --json", input=said)
    assert [(f["kind"], f["sentence"]) for f in data["flags"]] == [
        (f["kind"], f["sentence"]) for f in expected["flags"]]
    assert (data["fit"], data["recommendation"]) == (expected["fit"], expected["recommendation"])
    assert "red flag, ownership" in text


def test_inbox_lists_what_waits(server: Server, cli: Patron) -> None:
    text, data = server.ok("inbox")
    expected = as_json(cli, "inbox --json")
    assert [s["id"] for s in data["suggestions"]] == [s["id"] for s in expected]
    assert f"#{expected[0]['id']} " in text


def test_influence_is_the_cli_ranking_with_its_reasons(server: Server, cli: Patron) -> None:
    text, data = server.ok("influence", limit=5)
    expected = as_json(cli, "influence --json -n 5")
    assert [p["person_id"] for p in data["people"]] == [p["person_id"] for p in expected["people"]]
    assert [p["score"] for p in data["people"]] == pytest.approx([p["score"] for p in expected["people"]])
    assert [p["reasons"] for p in data["people"]] == [p["reasons"] for p in expected["people"]]
    first = expected["people"][0]
    assert f"1. {first['name']}: {first['score']:.2f}, power {first['power']}" in text
    assert first["reasons"][0] in text
    assert data["split"] == 0 and "several records" not in text


def test_influence_in_one_engagement(server: Server, cli: Patron) -> None:
    text, data = server.ok("influence", engagement="Ledger", limit=3)
    expected = as_json(cli, "influence -e Ledger --json -n 3")
    assert data["engagement"] == expected["engagement"] == "Ledger migration"
    assert [p["person_id"] for p in data["people"]] == [p["person_id"] for p in expected["people"]]
    assert text.startswith("Influence in the mail of Ledger migration, most first")


# --- writing tools: the command line sees the write ------------------------------------------


def test_met_logs_a_touchpoint_the_cli_sees(server: Server, cli: Patron) -> None:
    text, data = server.ok("met", person="Helen", notes="Walked her through the dashboard",
                           sentiment=1, at="yesterday 16:00")
    shown = as_json(cli, f"interaction show {data['id']} --json")
    assert shown["summary"] == "Walked her through the dashboard"
    assert shown["occurred_at"] == "2026-11-19T16:00:00"
    assert text == f"Logged a meeting with Helen Brandt (Ledger migration) at 2026-11-19 16:00: " \
                   f"interaction #{data['id']}."


def test_ask_add_stores_the_ask_and_says_where_it_ranks(server: Server, cli: Patron) -> None:
    text, data = server.ok("ask_add", title="Cash forecast for the board", person="Helen",
                           engagement="Ledger", due="friday", effort=3)
    shown = as_json(cli, f"ask show {data['id']} --json")
    assert (shown["title"], shown["requester"], shown["engagement"]) == (
        "Cash forecast for the board", "Helen Brandt", "Ledger migration")
    assert data["rank"] == as_json(cli, f"why {data['id']} --json")["rank"]
    assert "from Helen Brandt in Ledger migration" in text and f"ranks {data['rank']} of" in text


def test_done_marks_the_asks_done(server: Server, cli: Patron) -> None:
    _, added = server.ok("ask_add", title="Send the minutes", person="Victor")
    text, data = server.ok("done", ask=[str(added["id"])])
    assert as_json(cli, f"ask show {added['id']} --json")["status"] == "done"
    assert text == f"Ask #{added['id']} done: Send the minutes"
    assert data["asks"][0]["already"] is False


def test_promise_then_keep_it_closing_its_ask(server: Server, cli: Patron) -> None:
    _, ask = server.ok("ask_add", title="Mapping notes for the auditors", person="Victor")
    text, made = server.ok("promise", title="Send the mapping notes", ask=str(ask["id"]), due="monday")
    assert "to Victor Lam (Ledger migration)" in text
    text, kept = server.ok("kept", promise=str(made["id"]), close_ask=True)
    assert as_json(cli, f"commitment show {made['id']} --json")["status"] == "kept"
    assert as_json(cli, f"ask show {ask['id']} --json")["status"] == "done"
    assert kept["ask_done"]["id"] == ask["id"] and "done too" in text


def test_broke_marks_a_promise_broken_once(server: Server, cli: Patron) -> None:
    _, made = server.ok("promise", title="Call back about the audit trail", to="Tomasz")
    text, _ = server.ok("broke", promise=str(made["id"]))
    assert as_json(cli, f"commitment show {made['id']} --json")["status"] == "broken"
    assert text == f"Promise #{made['id']} 'Call back about the audit trail' to Tomasz Wierzbicki broken."
    assert "already broken" in server.error("broke", promise=str(made["id"]))


def test_feedback_and_time(server: Server, cli: Patron) -> None:
    text, data = server.ok("feedback", person="Helen", text="The board loved it", rating=9)
    assert as_json(cli, f"feedback show {data['id']} --json")["rating"] == 9
    assert text == (f"Recorded feedback #{data['id']} from Helen Brandt (Ledger migration): "
                    "would hire you again 9/10.")
    text, data = server.ok("time", duration="1h30", engagement="Ledger", note="reconciliation")
    assert as_json(cli, f"time-entry show {data['id']} --json")["minutes"] == 90
    assert text.startswith("Logged 1h30 on Ledger migration")


def test_inbox_accept_and_reject(server: Server, cli: Patron) -> None:
    waiting = as_json(cli, "inbox --json")
    first, second = waiting[0]["id"], waiting[1]["id"]
    text, data = server.ok("inbox_accept", ids=[first])
    made = data["accepted"][0]
    assert as_json(cli, f"{made['kind']} show {made['id']} --json")["title"] == made["record"]["title"]
    assert text.startswith(f"Accepted #{first} as {made['kind']} #{made['id']}")
    text, data = server.ok("inbox_reject", ids=[second])
    assert data == {"rejected": 1} and text == "Rejected 1 suggestion."
    statuses = {s["id"]: s["status"] for s in as_json(cli, "inbox --all --json")}
    assert (statuses[first], statuses[second]) == ("accepted", "rejected")


def test_influence_accept_sets_the_stakeholders_power(server: Server, cli: Patron) -> None:
    text, data = server.ok("influence_accept", engagement="Ledger")
    after = {p["person_id"]: p for p in as_json(cli, "influence -e Ledger --json -n 0")["people"]}
    stakeholders = {s["person"] for s in as_json(cli, "stakeholder list -e Ledger --json")}
    held = [p for p in after.values() if p["name"] in stakeholders]
    assert held and all(p["current_power"] == p["power"] for p in held)
    assert text.startswith(f"Set the power of {data['accepted']} stakeholder role")
    assert "Ledger migration" in text.splitlines()[0]
    one = next(p for p in data["people"] if p["current_power"] is not None)
    assert f"{one['name']}: {one['score']:.2f}, power {one['power']} (was {one['current_power']})" in text
    assert "no engagement called 'Atlantis'" in server.error("influence_accept", engagement="Atlantis")


def test_duplicates_are_listed_then_merged_as_the_cli_sees_them(server: Server, cli: Patron) -> None:
    cli.ok("person add 'Tomas Lind' --email tomas.lind@harbourline.example")
    cli.ok("person add 'Tomas K. Lind' --email tomas.k.lind@harbourline.example")
    text, data = server.ok("people_duplicates")
    assert data == as_json(cli, "people duplicates --json")
    group = next(g for g in data["groups"] if g["domain"] == "harbourline.example")
    keep, other = group["keep"], group["others"][0]
    assert f"- keep {keep['name']} (#{keep['id']}); merge into it {other['name']} (#{other['id']})" in text

    assert "cannot be merged with themselves" in server.error(
        "people_merge", keep=str(keep["id"]), other=str(keep["id"]))
    text, merged = server.ok("people_merge", keep=str(keep["id"]), other=f"#{other['id']}")
    assert (merged["kept"], merged["merged"]) == (keep["id"], other["id"])
    assert merged["emails"] == ["tomas.k.lind@harbourline.example", "tomas.lind@harbourline.example"]
    assert text.startswith(f"Merged {other['name']} (#{other['id']}) into {keep['name']}")
    assert as_json(cli, f"person show {keep['id']} --json")["emails"] == merged["emails"]
    assert "harbourline.example" not in cli.ok("people duplicates --json")
    assert "no person" in server.error("people_merge", keep=str(keep["id"]), other=f"#{other['id']}")


# --- names, bad input, nothing half-written --------------------------------------------------


def test_an_ambiguous_name_lists_the_candidates_and_writes_nothing(server: Server, cli: Patron) -> None:
    before = as_json(cli, "interaction list --json")
    message = server.error("met", person="a", notes="Who was it?")
    assert "ambiguous" in message and "Aisha Rahman" in message and "Amara Osei" in message
    assert as_json(cli, "interaction list --json") == before


def test_one_bad_name_among_asks_leaves_every_ask_open(server: Server, cli: Patron) -> None:
    _, added = server.ok("ask_add", title="Draft the cut-over checklist", person="Victor")
    assert "no ask called" in server.error("done", ask=[str(added["id"]), "no such ask at all"])
    assert as_json(cli, f"ask show {added['id']} --json")["status"] == "open"


def test_an_unknown_name_is_a_tool_error(server: Server) -> None:
    assert "no engagement called 'Atlantis'" in server.error("client", engagement="Atlantis")


@settings(max_examples=30, deadline=None)
@given(name=st.text(alphabet=st.sampled_from("aeinorst HBV@.#0123456789"), min_size=0, max_size=12))
def test_a_touchpoint_is_logged_once_or_not_at_all(server: Server, register: str, name: str) -> None:
    """Whatever name an assistant passes: one interaction more and an answer naming whom,
    or one line of error and the register as it was."""
    before = _count(register, "interaction")
    result = server.call("met", person=name, notes="Checked in")
    text = _text(result)
    if result.isError:
        assert "\n" not in text and "Traceback" not in text
        assert _count(register, "interaction") == before
    else:
        assert _count(register, "interaction") == before + 1
        assert text.startswith("Logged a meeting with ")


def _count(register: str, table: str) -> int:
    with sqlite3.connect(register) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_inbox_accept_is_all_or_none(server: Server, cli: Patron) -> None:
    waiting = as_json(cli, "inbox --json")[0]["id"]
    assert server.error("inbox_accept", ids=[waiting, 9999]) == \
        "no suggestion #9999 (see 'patron inbox --all')"
    assert waiting in [s["id"] for s in as_json(cli, "inbox --json")]


@pytest.mark.parametrize("tool, arguments, says", [
    ("next", {"limit": 0}, "limit"),
    ("met", {"person": "Helen", "sentiment": 5}, "sentiment"),
    ("met", {"person": "Helen", "kind": "telepathy"}, "kind"),
    ("review", {"period": "fortnight"}, "period"),
    ("review", {"period": "month", "from_day": "2026-11-01"}, "not both"),
    ("time", {"duration": "a while", "engagement": "Ledger"}, "a while"),
    ("ask_add", {"title": "Due never", "due": "the day after never"}, "the day after never"),
    ("why", {}, "ask"),
])
def test_bad_input_is_a_clear_tool_error(server: Server, cli: Patron, tool: str,
                                         arguments: dict[str, Any], says: str) -> None:
    before = as_json(cli, "ask list --json"), as_json(cli, "time-entry list --json")
    assert says in server.error(tool, **arguments)
    assert (as_json(cli, "ask list --json"), as_json(cli, "time-entry list --json")) == before


# --- resources -------------------------------------------------------------------------------


def test_the_active_engagements_are_listed_and_read(server: Server, cli: Patron) -> None:
    listed = {r.name: str(r.uri) for r in server.resources()}
    active = as_json(cli, "engagement list --status active --json")
    assert set(listed) == {e["name"] for e in active}
    summary = server.read(listed["Ledger migration"])
    shown = as_json(cli, "engagement show Ledger --json")
    assert summary["open_asks"] == shown["related"]["open asks"]
    assert summary["goal"] == shown["goal"]
    assert summary["executive"] == ["Helen Brandt (Chief Financial Officer)"]
    assert summary["hire_me_back"]["score"] == pytest.approx(as_json(cli, "why -e Ledger --json")["score"])
    assert summary["health"]
    assert server.read("patron://engagements/Ledger%20migration")["id"] == summary["id"]


def test_an_unknown_engagement_resource_says_so(server: Server) -> None:
    from mcp.shared.exceptions import McpError

    with pytest.raises(McpError, match="no engagement called 'Atlantis'"):
        server.read("patron://engagements/Atlantis")


def test_a_stakeholder_card(server: Server, cli: Patron) -> None:
    card = server.read("patron://people/Helen")
    shown = as_json(cli, "person show Helen --json")
    assert card["name"] == "Helen Brandt"
    assert card["roles"] == shown["related"]["roles"]
    assert card["open_asks"] == shown["related"]["open asks"]
    assert card["open_promises"] == shown["related"]["open promises"]
    assert card["due"]


# --- the command itself ----------------------------------------------------------------------


def test_nothing_but_the_protocol_goes_to_standard_output(register: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "patron", "--db", register, "mcp"], input="",
                          capture_output=True, text=True, env=_environment(tmp_path), timeout=60)
    assert done.stdout == ""


def test_without_the_sdk_it_says_how_to_install_it(patron: Patron,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "mcp" else real(name, *a))
    result = patron("mcp")
    assert result.exit_code == 2
    assert result.stderr == "patron: the MCP server needs the MCP SDK: pip install 'patron[mcp]'\n"
    assert result.stdout == ""


def test_the_mcp_reference_is_current() -> None:
    from patron.mcp.reference import markdown

    docs = Path(__file__).parent.parent / "docs" / "mcp.md"
    assert docs.read_text(encoding="utf-8") == markdown(), "docs/mcp.md is stale: run ./tasks docs"


@pytest.mark.postgres
def test_a_register_on_postgresql(tmp_path: Path) -> None:
    url = fresh_postgres_url()
    try:
        cli = Patron(url, CliRunner())
        for line in ('person add "Helen Brandt"', 'engagement add "Ledger migration"',
                     "stakeholder add Helen Ledger --role sponsor",
                     'ask add "Board dashboard" --from Helen --engagement Ledger --due friday',
                     'ask add "Status note" --from Helen --engagement Ledger'):
            cli.ok(line)
        with serving(url, tmp_path) as server:
            _, data = server.ok("next")
            assert [a["id"] for a in data["asks"]] == [a["id"] for a in as_json(cli, "next --json")]
            _, made = server.ok("met", person="Helen", notes="Coffee")
            assert as_json(cli, f"interaction show {made['id']} --json")["summary"] == "Coffee"
            assert "ambiguous" not in server.error("met", person="Nobody")
    finally:
        drop_postgres(url)
