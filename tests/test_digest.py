"""`patron digest`: the morning brief on the terminal, in a file, and by mail through a real
SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from tests.conftest import NOW, Patron

TODAY = NOW.date()  # Friday 20 November 2026


def _day(days: int) -> str:
    return f"{TODAY + timedelta(days=days):%Y-%m-%d}"


@pytest.fixture
def world(patron: Patron) -> Patron:
    for line in (
        "engagement add Ledger", "engagement add Clinic",
        f"person add Helen --birthday --{TODAY + timedelta(days=2):%m%d}",
        "person add Victor", "person add Grace", "person add Rachel",
        "stakeholder add Helen Ledger --role sponsor",
        "stakeholder add Victor Ledger --role manager --since 2026-09-01",
        "stakeholder add Grace Ledger --role sponsor --since 2026-09-01",
        "stakeholder add Rachel Clinic --role manager --since 2026-09-01",
        f"ask add 'Board <b>dashboard</b> preview' --from Helen -e Ledger --due {_day(1)}",
        f"ask add 'Rota view' --from Rachel -e Clinic --due {_day(9)}",
        f"promise 'Send the reconciliation plan' --to Victor --due {_day(2)}",
        f"promise 'Write the year-end note' --to Helen --due {_day(10)}",
        "met Victor standup --at 2026-11-10",     # a manager every 7 days: 3 days overdue
        "met Grace lunch --at 2026-10-01",        # a sponsor every 14 days: 36 days overdue
        "met Rachel call --at 2026-11-19",
    ):
        patron.ok(line)
    return patron


def test_the_brief_says_what_to_do_and_leaves_out_what_is_not_due(world: Patron) -> None:
    out = world.ok("--no-pager digest")
    assert out.startswith("Morning brief, Friday 20 November 2026")
    assert "Do first (2 of 2 open asks)" in out
    assert "1. Board <b>dashboard</b> preview" in out and "Rota view" in out
    assert "mostly" in out                                   # the reason it ranks high
    checkins = out.split("Check-ins due", 1)[1].split("\n\n", 1)[0]
    assert "Victor" in checkins and "3 days overdue" in checkins
    assert "Grace" not in checkins and "Rachel" not in checkins
    cold = out.split("Going cold", 1)[1].split("\n\n", 1)[0]
    assert "Grace" in cold and "Victor" not in cold
    promises = out.split("Promises due in the next 3 days", 1)[1].split("\n\n", 1)[0]
    assert "Send the reconciliation plan" in promises
    assert "Write the year-end note" not in out              # due in 10 days
    assert "Helen: birthday in 2 days" in out
    assert "Inbox" not in out                                # nothing waiting
    assert "patron review" not in out                        # a Friday mid-month
    assert "<table" not in out and "|" not in out


def test_the_brief_as_json(world: Patron) -> None:
    import json

    brief = json.loads(world.ok("digest --json"))
    assert [a["title"] for a in brief["asks"]] == ["Board <b>dashboard</b> preview", "Rota view"]
    assert [c["person"] for c in brief["check_ins"]] == ["Victor"]
    assert [c["person"] for c in brief["going_cold"]] == ["Grace"]
    assert [p["title"] for p in brief["promises"]] == ["Send the reconciliation plan"]
    assert brief["dates"][0]["kind"] == "birthday" and brief["dates"][0]["in_days"] == 2
    assert brief["inbox"] == 0 and brief["review"] is None


def test_only_one_engagement(world: Patron) -> None:
    out = world.ok("--no-pager digest -e Clinic")
    assert "Clinic" in out.splitlines()[0]
    assert "Rota view" in out and "Board" not in out and "Grace" not in out


def test_an_empty_register_has_a_short_brief(patron: Patron) -> None:
    patron.ok("engagement add Ledger")
    out = patron.ok("--no-pager digest")
    assert "Nothing needs you this morning" in out and "Do first" not in out


@pytest.mark.parametrize(("now", "line"), [
    ("2026-12-01T07:00", "It is the first working day of December: 'patron review --period "
                         "last-month' looks back."),
    ("2026-11-23T07:00", "It is the first working day of the week: 'patron review --period "
                         "last-week' looks back."),
    ("2026-11-24T07:00", None),
])
def test_the_first_working_day_points_at_the_review(world: Patron, monkeypatch: pytest.MonkeyPatch,
                                                    now: str, line: str | None) -> None:
    monkeypatch.setenv("PATRON_NOW", now)
    out = world.ok("--no-pager digest")
    if line is None:
        assert "patron review" not in out
    else:
        assert line in out


def test_a_monday_off_moves_the_first_working_day(world: Patron, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    world.ok("config set capacity.working_days tue,wed,thu,fri")
    monkeypatch.setenv("PATRON_NOW", "2026-11-24T07:00")
    assert "first working day of the week" in world.ok("--no-pager digest")


def test_markdown_and_a_phone_sized_html_page(world: Patron, tmp_path: Path) -> None:
    md = world.ok("digest --format md")
    assert "## Do first (2 of 2 open asks)" in md and "- **1. Board" in md
    page = tmp_path / "brief.html"
    world.ok(f"digest --format html -o {page}")
    html = page.read_text(encoding="utf-8")
    assert "<meta name='viewport' content='width=device-width, initial-scale=1'>" in html
    assert "<style>" in html and "<table" not in html and "<script" not in html
    assert "src=" not in html and "href=" not in html           # nothing from outside
    assert "Board &lt;b&gt;dashboard&lt;/b&gt; preview" in html  # a title is text, never markup
    assert "<b>dashboard</b>" not in html


# --- by mail ------------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps what it is given, or refuses recipients."""

    def __init__(self, refuse: bool = False) -> None:
        self.messages: list[tuple[Envelope, EmailMessage]] = []
        self.refuse = refuse

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        if self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((envelope, parsed))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _only_sam(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (b"sam", b"s3cret")
    return AuthResult(success=good, handled=False)  # not handled: the server answers 535


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=_only_sam,
                            auth_require_tls=False)
    controller.start()
    yield inbox, port
    controller.stop()


def _configure(patron: Patron, port: int, *extra: str) -> None:
    for line in ("me.emails sam@consult.example,sam@home.example", "smtp.host 127.0.0.1",
                 f"smtp.port {port}", "smtp.tls none", "smtp.from patron@consult.example", *extra):
        patron.ok(f"config set {line}")


def test_the_brief_arrives_by_mail_with_both_parts(world: Patron, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    _configure(world, port)
    result = world("digest", "--mail")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Sent the morning brief to sam@consult.example, sam@home.example" in result.stderr
    [(envelope, message)] = inbox.messages
    assert envelope.mail_from == "patron@consult.example"
    assert sorted(envelope.rcpt_tos) == ["sam@consult.example", "sam@home.example"]
    assert message["From"] == "patron@consult.example"
    assert message["To"] == "sam@consult.example, sam@home.example"
    assert message["Subject"] == ("Patron: morning brief for Fri 20 Nov: 2 asks, 1 check-in, "
                                  "1 promise, 1 date")
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    text = plain.get_content()
    assert "Board <b>dashboard</b> preview" in text and "Helen: birthday in 2 days" in text
    assert "Board &lt;b&gt;dashboard&lt;/b&gt; preview" in html.get_content()


def test_mail_logs_in_with_the_password_from_the_environment(
        world: Patron, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = smtp
    _configure(world, port, "smtp.user sam")
    monkeypatch.setenv("PATRON_SMTP_PASSWORD", "s3cret")
    world.ok("digest --mail")
    assert len(inbox.messages) == 1


def test_a_refused_login_is_one_line(world: Patron, smtp: tuple[Inbox, int],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = smtp
    _configure(world, port, "smtp.user sam")
    monkeypatch.setenv("PATRON_SMTP_PASSWORD", "wrong")
    error = world.fails("digest --mail", code=8)
    assert error.startswith(f"patron: 127.0.0.1:{port} refused the login for 'sam'")
    assert error.count("\n") == 1 and "wrong" not in error and "Traceback" not in error
    assert inbox.messages == []


def test_a_login_without_a_password_says_where_it_goes(world: Patron, smtp: tuple[Inbox, int],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _, port = smtp
    monkeypatch.delenv("PATRON_SMTP_PASSWORD", raising=False)
    _configure(world, port, "smtp.user sam")
    assert "PATRON_SMTP_PASSWORD is not set" in world.fails("digest --mail", code=2)


def test_a_server_that_is_not_there_is_one_line(world: Patron) -> None:
    _configure(world, _free_port())
    error = world.fails("digest --mail", code=8)
    assert error.startswith("patron: cannot reach the mail server 127.0.0.1:")
    assert error.count("\n") == 1


def test_a_refused_recipient_is_one_line(world: Patron) -> None:
    inbox, port = Inbox(refuse=True), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _configure(world, port)
        error = world.fails("digest --mail", code=8)
    finally:
        controller.stop()
    assert "refused the recipient" in error and error.count("\n") == 1


def test_starttls_on_a_server_without_it_says_what_to_set(world: Patron,
                                                          smtp: tuple[Inbox, int]) -> None:
    _, port = smtp
    _configure(world, port, "smtp.tls starttls")
    error = world.fails("digest --mail", code=8)
    assert "does not offer STARTTLS" in error and error.count("\n") == 1


def test_no_address_of_yours_is_a_one_line_error(world: Patron) -> None:
    assert "set me.emails" in world.fails("digest --mail", code=2)


def test_the_password_is_never_an_option(patron: Patron) -> None:
    assert "--password" not in patron.ok("digest --help")
