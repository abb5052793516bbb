"""Mail over IMAP, against a real Dovecot (scripts/with-dovecot; ./tasks test starts one).

Each test APPENDs its own generated messages to a fresh folder through imaplib, then
reads them back through Patron.
"""

from __future__ import annotations

import itertools
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.errors import InvalidInput, PatronError
from patron.importers import imap
from patron.importers.imap import Account, Position, connect, decode_folder, encode_folder
from patron.services import imap as mailbox
from patron.store.database import Store
from tests.conftest import NOW, ImapServer, Patron

_serial = itertools.count(1)


Server = ImapServer


@pytest.fixture
def server(imap_server: ImapServer) -> ImapServer:
    """The test server (tests/conftest.py), as this file's tests name it."""
    return imap_server


@pytest.fixture
def folder(server: Server) -> Iterator[str]:
    """A fresh, empty folder for one test."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    client = server.client()
    assert client.create(name)[0] == "OK"
    yield name
    client.delete(name)
    client.logout()


@pytest.fixture
def password(server: Server, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PATRON_IMAP_PASSWORD", server.password)
    return server.password


def message(n: int, sender: str = "Helen Brandt <helen@brandt-ledger.example>") -> bytes:
    return (f"From: {sender}\r\nTo: Me <me@consultant.example>\r\n"
            f"Subject: Report, part {n}\r\nDate: Tue, 17 Nov 2026 09:{n % 60:02d}:00 +0000\r\n"
            f"Message-ID: <part-{n}-{uuid.uuid4().hex}@brandt-ledger.example>\r\n\r\n"
            f"Here is part {n}.\r\n").encode()


def append(server: Server, folder: str, count: int) -> list[bytes]:
    """Put ``count`` new messages in ``folder``; returns them as sent."""
    sent = [message(next(_serial)) for _ in range(count)]
    client = server.client()
    for data in sent:
        assert client.append(imap.quoted(folder), None, None, data)[0] == "OK"
    client.logout()
    return sent


def read(account: Account, folder: str, since: Position | None = None) -> list[imap.ImapMessage]:
    with connect(account) as session:
        plan = session.plan(folder, since)
        found = list(session.messages([plan]))
        assert not session.problems
        return found


# Fetching


def test_every_message_of_a_new_folder_is_fetched_and_left_unread(server: Server, folder: str) -> None:
    sent = append(server, folder, 3)
    found = read(server.account(), folder)
    assert [m.data.replace(b"\r\n", b"\n") for m in found] == [s.replace(b"\r\n", b"\n") for s in sent]
    assert [m.where for m in found] == [f"imap://{server.user}@{server.host}/{folder} uid {uid}"
                                        for uid in (1, 2, 3)]
    assert [m.position.last_uid for m in found] == [1, 2, 3]
    client = server.client()
    client.select(imap.quoted(folder), readonly=True)
    _, flags = client.fetch("1:*", "(FLAGS)")
    client.logout()
    assert len(flags) == 3 and not any(b"\\Seen" in f for f in flags if isinstance(f, bytes))


def test_a_second_run_fetches_only_what_came_since(server: Server, folder: str) -> None:
    append(server, folder, 3)
    first = read(server.account(), folder)
    later = append(server, folder, 2)
    second = read(server.account(), folder, since=first[-1].position)
    assert [m.position.last_uid for m in second] == [4, 5]
    assert [m.data.replace(b"\r\n", b"\n") for m in second] == [s.replace(b"\r\n", b"\n") for s in later]
    assert read(server.account(), folder, since=second[-1].position) == []


def test_a_folder_renumbered_by_the_server_is_read_again_from_the_start(server: Server,
                                                                        folder: str) -> None:
    append(server, folder, 2)
    seen = read(server.account(), folder)[-1].position
    with connect(server.account()) as session:
        plan = session.plan(folder, Position(seen.uidvalidity + 1, 999))
    assert plan.restarted and [uid for uid, _ in plan.sizes] == [1, 2]


def test_a_folder_deleted_and_made_again_is_read_again(server: Server, folder: str) -> None:
    append(server, folder, 2)
    seen = read(server.account(), folder)[-1].position
    client = server.client()
    client.delete(folder)
    client.create(folder)
    client.logout()
    append(server, folder, 1)
    with connect(server.account()) as session:
        plan = session.plan(folder, seen)
    assert plan.uidvalidity != seen.uidvalidity
    assert plan.restarted and plan.count == 1


def test_batches_end_at_a_message_count_and_folders_hand_on_their_place(
        server: Server, folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imap, "BATCH_MESSAGES", 2)
    append(server, folder, 5)
    other = f"{folder}-b"
    server.client().create(other)
    try:
        append(server, other, 1)
        with connect(server.account()) as session:
            plans = [session.plan(folder, None), session.plan(other, None)]
            found = list(session.messages(plans))
    finally:
        server.client().delete(other)
    assert len(found) == 6
    account = server.account()
    assert found[-1].positions() == {account.source(folder): found[4].position,
                                     account.source(other): found[5].position}


def test_a_message_gone_before_it_is_fetched_is_reported_and_skipped(server: Server, folder: str) -> None:
    append(server, folder, 3)
    with connect(server.account()) as session:
        plan = session.plan(folder, None)
        client = server.client()
        client.select(imap.quoted(folder))
        client.uid("STORE", "2", "+FLAGS", "(\\Deleted)")
        client.expunge()
        client.logout()
        found = list(session.messages([plan]))
        problems = session.problems
    assert [m.position.last_uid for m in found] == [1, 3]
    assert [str(p) for p in problems] == [
        f"imap://{server.user}@{server.host}/{folder} uid 2: cannot fetch it (the server sent nothing)"]


def test_folder_names_outside_ascii_reach_the_server_and_come_back(server: Server) -> None:
    name = f"Entwürfe & Co {uuid.uuid4().hex[:6]}"
    client = server.client()
    assert client.create(imap.quoted(name))[0] == "OK"
    try:
        append(server, name, 1)
        with connect(server.account()) as session:
            assert name in session.folders()
            assert session.plan(name, None).count == 1
    finally:
        client.delete(imap.quoted(name))
        client.logout()


@given(st.text(max_size=30))
def test_folder_names_survive_modified_utf7(name: str) -> None:
    encoded = encode_folder(name)
    assert all(0x20 <= ord(c) <= 0x7E for c in encoded)
    assert decode_folder(encoded) == name


def test_starttls_reads_the_same_mail(server: Server, folder: str) -> None:
    append(server, folder, 1)
    found = read(server.account(port=server.starttls_port, starttls=True), folder)
    assert len(found) == 1


# Errors: one clear line, naming the server and the folder


def test_a_wrong_password_is_refused_with_one_line(server: Server, patron: Patron, folder: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATRON_IMAP_PASSWORD", "not-the-password")
    err = patron.fails(server.options(folder), 2)
    assert err.startswith(f"patron: {server.user}@{server.host}:{server.port}: the server refused "
                          "the login")
    assert err.count("\n") == 1
    monkeypatch.setenv("PATRON_IMAP_PASSWORD", "pässwörd")
    err = patron.fails(server.options(folder), 2)
    assert "the server refused the login" in err and err.count("\n") == 1


def test_an_unknown_folder_is_named(server: Server, patron: Patron, password: str) -> None:
    err = patron.fails(server.options("No-Such-Folder"), 2)
    assert err.startswith(f"patron: imap://{server.user}@{server.host}/No-Such-Folder: no such folder "
                          f"on {server.host}:{server.port}")
    assert err.count("\n") == 1


def test_a_self_signed_certificate_fails_verification_without_its_cafile(
        server: Server, patron: Patron, folder: str, password: str) -> None:
    line = (f"import imap --host {server.host} --port {server.port} --user {server.user} "
            f"--folder {folder}")
    err = patron.fails(line, 1)
    assert f"{server.host}:{server.port}: the server's certificate cannot be verified" in err
    assert "--cafile" in err and err.count("\n") == 1
    with pytest.raises(PatronError, match="certificate cannot be verified"):
        read(server.account(cafile=None), folder)


def test_insecure_skips_the_verification(server: Server, folder: str) -> None:
    append(server, folder, 1)
    assert len(read(server.account(cafile=None, insecure=True), folder)) == 1


def test_a_closed_port_says_it_cannot_connect(server: Server, patron: Patron, password: str) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    err = patron.fails(f"import imap --host 127.0.0.1 --port {port} --user me", 1)
    assert err.startswith(f"patron: 127.0.0.1:{port}: cannot connect")
    assert err.count("\n") == 1


def test_tls_to_a_plain_port_says_tls_failed(server: Server, password: str) -> None:
    with pytest.raises(PatronError, match=f"{server.starttls_port}: TLS failed"):
        read(server.account(port=server.starttls_port), "INBOX")


def test_the_password_is_never_an_option(patron: Patron) -> None:
    err = patron.fails("import imap --host h --user u --password secret", 2)
    assert "No such option '--password'" in err
    assert "--password " not in patron.ok("import imap --help")


def test_without_a_password_or_a_terminal_it_says_how_to_give_one(patron: Patron,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PATRON_IMAP_PASSWORD", raising=False)
    err = patron.fails("import imap --host imap.example.com --user me@example.com", 2)
    assert err == ("patron: no IMAP password: set PATRON_IMAP_PASSWORD (or name another variable "
                   "with --password-env), or run on a terminal to be asked\n")
    err = patron.fails("import imap --host imap.example.com --user me --password-env OTHER", 2)
    assert "set OTHER" in err


def test_on_a_terminal_the_password_is_asked_for_and_not_shown(
        server: Server, patron: Patron, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PATRON_IMAP_PASSWORD", raising=False)
    monkeypatch.setattr("patron.cli.imports.stdin_is_terminal", lambda: True)
    wrong = patron(*server.options("INBOX").split(), input="not-the-password\n")
    assert wrong.exit_code == 2 and "the server refused the login" in wrong.stderr
    # The right password logs in: the error is now about the folder.
    right = patron(*server.options("No-Such-Folder").split(), input=f"{server.password}\n")
    assert right.exit_code == 2 and "No-Such-Folder: no such folder" in right.stderr
    assert f"Password for {server.user} on {server.host}" in right.output
    assert server.password not in right.output


def test_folder_and_all_folders_together_are_refused(server: Server, patron: Patron,
                                                      password: str) -> None:
    err = patron.fails(f"{server.options('INBOX')} --all-folders", 2)
    assert err == "patron: give either --folder or --all-folders, not both\n"


# The place each folder reached, kept in import_state


def test_places_are_kept_per_folder_and_read_back(store: Store) -> None:
    with store.begin() as conn:
        mailbox.save_positions(conn, {"imap:me@h:993/INBOX": Position(7, 12)}, NOW)
    with store.begin() as conn:
        mailbox.save_positions(conn, {"imap:me@h:993/INBOX": Position(7, 20),
                                      "imap:me@h:993/Sent": Position(9, 3)}, NOW)
    assert mailbox.positions(store, ["imap:me@h:993/INBOX", "imap:me@h:993/Sent",
                                     "imap:me@h:993/Other"]) == {
        "imap:me@h:993/INBOX": Position(7, 20), "imap:me@h:993/Sent": Position(9, 3)}


def test_the_plan_starts_where_the_stored_place_is(server: Server, folder: str, store: Store) -> None:
    append(server, folder, 3)
    account = server.account()
    reached = read(account, folder)[1].position
    with store.begin() as conn:
        mailbox.save_positions(conn, {account.source(folder): reached}, NOW)
    with connect(account) as session:
        [plan] = mailbox.plan(store, session, [folder])
    assert [uid for uid, _ in plan.sizes] == [3]
    with pytest.raises(InvalidInput, match="not both"), connect(account) as session:
        mailbox.plan(store, session, [folder], all_folders=True)


# End to end (needs the mail service: patron.services.mail)


def test_import_stores_interactions_and_a_second_run_creates_nothing(
        server: Server, patron: Patron, folder: str, password: str) -> None:
    from sqlalchemy import func, select

    from patron.store import schema
    from patron.store.database import open_store

    append(server, folder, 3)
    line = server.options(folder)
    assert "Imported: 3 created" in patron.ok(line)
    assert "Imported: 0 created" in patron.ok(line)
    append(server, folder, 2)
    assert "Imported: 2 created" in patron.ok(line)
    store = open_store(patron.db)
    with store.read() as conn:
        assert conn.scalar(select(func.count()).select_from(schema.interaction)) == 5
        state = conn.scalar(select(schema.import_state.c.state).where(
            schema.import_state.c.source == server.account().source(folder)))
    store.close()
    assert state["last_uid"] == 5


def test_a_dry_run_keeps_no_place(server: Server, patron: Patron, folder: str, password: str) -> None:
    append(server, folder, 2)
    line = server.options(folder)
    assert "Would import: 2 created" in patron.ok(f"{line} --dry-run")
    assert "Imported: 2 created" in patron.ok(line)


def test_insecure_imports_from_a_self_signed_server(server: Server, patron: Patron, folder: str,
                                                     password: str) -> None:
    append(server, folder, 1)
    assert "Imported: 1 created" in patron.ok(f"import imap --host {server.host} --port {server.port} "
                                            f"--user {server.user} --folder {folder} --insecure")


def test_an_interrupted_import_goes_on_from_its_last_stored_batch(
        server: Server, patron: Patron, folder: str, password: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import func, select

    from patron.store import schema
    from patron.store.database import open_store

    append(server, folder, 5)
    real = imap.Session.messages

    def broken_after_three(self: imap.Session, plans: list[imap.FolderPlan]) -> Iterator[imap.ImapMessage]:
        for n, found in enumerate(real(self, plans)):
            if n == 3:
                raise PatronError("the connection broke")
            yield found

    monkeypatch.setattr(imap.Session, "messages", broken_after_three)
    patron.fails(server.options(folder), 1)
    monkeypatch.setattr(imap.Session, "messages", real)

    def stored() -> tuple[int, int]:
        store = open_store(patron.db)
        with store.read() as conn:
            count = conn.scalar(select(func.count()).select_from(schema.interaction)) or 0
            state = conn.scalar(select(schema.import_state.c.state).where(
                schema.import_state.c.source == server.account().source(folder)))
        store.close()
        return count, (state or {}).get("last_uid", 0)

    kept, place = stored()
    assert kept == place <= 3  # what was stored and the place it reached agree
    assert f"Imported: {5 - kept} created" in patron.ok(server.options(folder))
    assert stored() == (5, 5)


def test_a_newsletter_over_imap_is_kept_as_mail_without_people(
        server: Server, patron: Patron, folder: str, password: str) -> None:
    """IMAP goes through the same parsing: mail sent to many makes nobody."""
    newsletter = Path(__file__).parent / "fixtures" / "mail" / "newsletter_list_unsubscribe.eml"
    client = server.client()
    data = newsletter.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert client.append(imap.quoted(folder), None, None, data)[0] == "OK"
    client.logout()
    out = patron.ok(server.options(folder))
    assert "Imported: 1 created" in out and "1 bulk or list (kept as mail" in out
    assert "no people" in patron.ok("person list")
    assert "Northwind" in patron.ok("interaction list")
