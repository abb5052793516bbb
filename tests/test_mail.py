"""Mail import: files found and split, messages parsed, stored once, resumed after a kill.

Fixtures are written by the tests, named by the edge case they cover."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from patron.importers import mail as parser
from patron.importers import mailfiles
from patron.importers.base import Problem
from patron.importers.mail import MailDraft
from patron.importers.rawmail import RawMessage
from patron.services import imports
from patron.services import mail as service
from patron.services.mail import StoredMessage, files_import, import_messages, plan
from patron.store import schema
from patron.store.database import Store
from tests.conftest import NOW, Patron

ME = "helen@northwind.example"


def message(n: int, *, sender: str = "Ana Silva <ana@contoso.example>", to: str = ME,
            subject: str | None = None, body: str = "Could you send the figures?",
            extra: str = "", message_id: str | None = None) -> str:
    ident = message_id if message_id is not None else f"<m{n}@contoso.example>"
    id_line = f"Message-ID: {ident}\n" if ident else ""
    return (f"From: {sender}\nTo: {to}\nSubject: {subject if subject is not None else f'Note {n}'}\n"
            f"Date: Mon, 02 Mar 2026 09:{n % 60:02d}:00 +0000\n{id_line}{extra}\n{body}\n")


def write_maildir(folder: Path, messages: dict[str, str]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for name, text in messages.items():
        (folder / name).write_text(text)
    return folder


def write_mbox(path: Path, messages: list[str]) -> Path:
    with path.open("w") as out:
        for text in messages:
            escaped = "\n".join(">" + line if line.lstrip(">").startswith("From ") else line
                                for line in text.split("\n"))
            out.write(f"From MAILER-DAEMON Mon Mar  2 09:00:00 2026\n{escaped}\n")
    return path


def draft(text: str | bytes, where: str = "test") -> MailDraft:
    result = parser.parse(RawMessage(where, text.encode() if isinstance(text, str) else text))
    assert isinstance(result, MailDraft), result
    return result


def stored(store: Store) -> list[dict[str, object]]:
    i = schema.interaction
    with store.read() as conn:
        return [dict(r) for r in conn.execute(select(i).order_by(i.c.id)).mappings()]


def run(store: Store, *paths: Path, dry_run: bool = False, **options: object) -> service.MailOutcome:
    job = files_import(store, list(paths), [ME], NOW, **options)  # type: ignore[arg-type]
    outcome = imports.run(store, job, dry_run=dry_run)
    assert isinstance(outcome, service.MailOutcome)
    return outcome


# Finding and splitting files


def test_maildir_tree(tmp_path: Path, store: Store) -> None:
    root = write_maildir(tmp_path / "Mail", {"cur/1:2,S": message(1), "new/2": message(2),
                                             "tmp/3": message(3)})
    write_maildir(root / ".Clients.Contoso", {"cur/4:2,": message(4)})
    (root / "dovecot-uidlist").write_text("3 V1 N5\n")
    outcome = run(store, root)
    assert outcome.created == 3  # tmp/ is mail still being delivered: left alone
    assert sorted(r["summary"] for r in stored(store)) == ["Note 1", "Note 2", "Note 4"]
    assert [p.where for p in outcome.problems] == [str(root / "dovecot-uidlist")]


def test_mbox_with_from_escapes(tmp_path: Path) -> None:
    body = "Lines:\nFrom the start, we agreed.\n>From here on, quoted.\nBye"
    mbox = write_mbox(tmp_path / "in.mbox", [message(1, body=body), message(2)])
    raws = list(mailfiles.messages(mailfiles.find([mbox])[0][0]))
    assert raws[0].where.endswith(", message 1 at byte 0")
    assert len(raws) == 2
    assert draft(raws[0].data).text == body
    assert draft(raws[1].data).subject == "Note 2"


def test_unescaped_from_in_a_body_does_not_split(tmp_path: Path) -> None:
    mbox = tmp_path / "old.mbox"
    mbox.write_text("From a@b.example Mon Mar  2 09:00:00 2026\n" + message(1, body="Hi\n\nFrom me to you.")
                    + "From a@b.example Mon Mar  2 09:00:00 2026\n" + message(2))
    texts = [draft(r.data).text for r in mailfiles.mbox_messages(mbox)]
    assert texts == ["Hi\n\nFrom me to you.", "Could you send the figures?"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(st.sampled_from("ab >From\n"), max_size=60), min_size=1, max_size=8),
       st.integers(min_value=1, max_value=64))
def test_mbox_split_gives_back_every_body(tmp_path_factory: pytest.TempPathFactory, bodies: list[str],
                                          block: int) -> None:
    """Whatever the bodies and however the file is cut into blocks, each message comes back
    whole: escaping then splitting is the identity."""
    path = tmp_path_factory.mktemp("mbox") / "x.mbox"
    texts = [message(n, body=b.replace("\r", "")) for n, b in enumerate(bodies)]
    write_mbox(path, texts)
    original = mailfiles.BLOCK, mailfiles.RESCAN
    mailfiles.BLOCK, mailfiles.RESCAN = block, 300  # longer than any From line and look-ahead here
    try:
        raws = list(mailfiles.mbox_messages(path))
    finally:
        mailfiles.BLOCK, mailfiles.RESCAN = original
    assert [r.data.decode() for r in raws] == [t + "\n" for t in texts]


def test_eml_folder_and_files_told_apart(tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_text(message(1))
    (tmp_path / "msg_01.txt").write_text(message(2))
    (tmp_path / "notes.txt").write_text("Remember the milk\n")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\0\x10JFIF")
    write_mbox(tmp_path / "box", [message(3)])
    files, problems = mailfiles.find([tmp_path])
    assert {(f.path.name, f.kind) for f in files} == {("a.eml", "message"), ("msg_01.txt", "message"),
                                                     ("box", "mbox")}
    assert sorted(Path(p.where).name for p in problems) == ["notes.txt", "photo.jpg"]
    assert mailfiles.count(files) == 3


# Parsing


def test_parse_reads_people_thread_and_local_time() -> None:
    d = draft(message(1, sender='"Silva, Ana" <Ana@Contoso.example>', to=f"Helen <{ME}>, bo@x.example",
                      extra="Cc: =?utf-8?q?J=C3=BCrgen?= <jurgen@fabrikam.example>\n"
                            "In-Reply-To: <m0@contoso.example>\n"
                            "References: <root@contoso.example>\n <m0@contoso.example>\n"))
    assert d.sender == ("Silva, Ana", "ana@contoso.example")
    assert d.to == (("Helen", ME), ("", "bo@x.example"))
    assert d.cc == (("Jürgen", "jurgen@fabrikam.example"),)
    assert d.message_id == "m1@contoso.example"
    assert (d.in_reply_to, d.thread) == ("m0@contoso.example", "root@contoso.example")
    assert d.date == datetime(2026, 3, 2, 9, 1, tzinfo=UTC).astimezone().replace(tzinfo=None)


def test_html_only_message() -> None:
    html = ("<html><head><title>T</title><style>p{color:red}</style><script>alert('x')</script></head>"
            "<body><p>Please &amp; thanks,</p><div>send the <b>deck</b> by Friday</div>"
            "<img src='http://tracker.example/p.gif'></body></html>")
    d = draft(message(1, body=html, extra="Content-Type: text/html; charset=utf-8\n"))
    assert d.text == "Please & thanks,\nsend the deck by Friday"


def test_plain_part_is_preferred_and_attachments_skipped() -> None:
    body = ("--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=x.txt\n\n"
            "NOT THIS\n--b\nContent-Type: text/html\n\n<p>html</p>\n--b\nContent-Type: text/plain\n\n"
            "plain words\n--b--\n")
    d = draft(message(1, body=body, extra='MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n'))
    assert d.text == "plain words"


def test_broken_charset() -> None:
    raw = (message(1, subject="=?x-nonsense?q?Caf=E9?= =?utf-8?b?!!!notbase64?=", body="",
                   extra="Content-Type: text/plain; charset=x-nonsense\n"
                         "Content-Transfer-Encoding: base64\n").encode()
           + b"w6k gYWJj===\n\xff\xfe raw bytes\n")
    d = draft(raw)
    assert "Caf" in d.subject
    assert d.sender == ("Ana Silva", "ana@contoso.example")


def test_nul_characters_are_dropped(tmp_path: Path, store: Store) -> None:
    """PostgreSQL refuses NUL in text: a message carrying some is stored without them."""
    (tmp_path / "nul.eml").write_bytes(message(1, subject="a\0b =?utf-8?q?c=00d?=",
                                               message_id="<x\0y@z.example>",
                                               sender="An\0a <ana@contoso.example>").encode())
    run(store, tmp_path)
    [row] = stored(store)
    assert (row["summary"], row["source"]) == ("ab cd", "mid:xy@z.example")


def test_eight_bit_headers_do_not_break() -> None:
    raw = message(1, sender="José Müller <jose@contoso.example>", subject="Añadir").encode("latin-1")
    d = draft(raw)
    assert d.sender is not None and d.sender[1] == "jose@contoso.example"
    assert d.subject.startswith("A")


def test_absurd_header() -> None:
    long_id = "<" + "x" * 10_000 + "@contoso.example>"
    many = ", ".join(f"p{n}@contoso.example" for n in range(5000))
    d = draft(message(1, message_id=long_id, to=many, subject="S" * 5000,
                      extra=f"References: {long_id}\n"))
    assert d.message_id is not None and d.message_id.startswith("sha256-") and len(d.message_id) < 80
    assert d.thread == d.message_id
    assert len(d.to) == parser.MAX_ADDRESSES
    assert len(d.subject) == 500


def test_huge_attachment(tmp_path: Path, store: Store) -> None:
    blob = base64.encodebytes(b"\0\1" * 3_000_000).decode()
    body = (f"--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/octet-stream\n"
            f"Content-Transfer-Encoding: base64\n\n{blob}\n--b--\n")
    (tmp_path / "big.eml").write_text(
        message(1, body=body, extra='MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n'))
    seen: list[str] = []
    run(store, tmp_path, on_message=lambda conn, m: seen.append(m.draft.text))
    assert seen == ["see attached"]


def test_missing_message_id(tmp_path: Path, store: Store) -> None:
    text = message(1, message_id="")
    (tmp_path / "a.eml").write_text(text)
    run(store, tmp_path)
    [row] = stored(store)
    import hashlib

    assert row["source"] == "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    assert row["thread"] is None


def test_date_missing_falls_back_to_received_else_skipped() -> None:
    received = "Received: from mx by mail; Tue, 03 Mar 2026 10:00:00 -0000\n"
    text = message(1).replace("Date: Mon, 02 Mar 2026 09:01:00 +0000\n", received)
    assert draft(text).date.date() == datetime(2026, 3, 3).date()
    broken = message(1).replace("Date: Mon, 02 Mar 2026 09:01:00 +0000", "Date: someday")
    result = parser.parse(RawMessage("x.eml", broken.encode()))
    assert isinstance(result, Problem) and "Date" in result.reason


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_parse_never_raises(data: bytes) -> None:
    result = parser.parse(RawMessage("fuzz", b"From: a@b.example\nDate: 1 Jan 2026 10:00 +0000\n" + data))
    assert isinstance(result, MailDraft | Problem)


# Storing


def test_stores_interaction_people_and_roles(tmp_path: Path, store: Store) -> None:
    (tmp_path / "in.eml").write_text(message(1, to=f"{ME}, Bo Berg <bo@fabrikam.example>",
                                             extra="Cc: carl@gmail.com\n"))
    (tmp_path / "out.eml").write_text(message(2, sender=f"Helen <{ME}>", to="ana@contoso.example",
                                              subject=""))
    outcome = run(store, tmp_path)
    assert (outcome.created, outcome.people_created) == (2, 4)
    assert outcome.organisations_created == 3  # contoso, fabrikam, northwind; gmail is free mail
    rows = {r["source"]: r for r in stored(store)}
    first, second = rows["mid:m1@contoso.example"], rows["mid:m2@contoso.example"]
    assert (first["kind"], first["direction"], first["summary"]) == ("mail", "in", "Note 1")
    assert (second["direction"], second["summary"]) == ("out", "(no subject)")
    assert first["occurred_at"] == draft(message(1)).date
    with store.read() as conn:  # stored as SQLAlchemy stores times, so that they compare in SQL
        i = schema.interaction
        assert conn.execute(select(func.count()).select_from(i)
                            .where(i.c.occurred_at >= first["occurred_at"])).scalar() == 2
    ip, pe = schema.interaction_participant, schema.person_email
    with store.read() as conn:
        roles = dict(conn.execute(select(pe.c.address, ip.c.role).join(ip, ip.c.person_id == pe.c.person_id)
                                  .where(ip.c.interaction_id == first["id"])).all())
        names = set(conn.execute(select(schema.person.c.name)).scalars())
    assert roles == {"ana@contoso.example": "from", ME: "to", "bo@fabrikam.example": "to",
                     "carl@gmail.com": "cc"}
    assert {"Ana Silva", "Bo Berg", "Carl"} <= names


def test_direction_rule() -> None:
    mine = frozenset({ME})
    assert service.direction(draft(message(1, sender=ME)), mine) == "out"
    assert service.direction(draft(message(1)), mine) == "in"
    assert service.direction(draft(message(1, to="list@lists.example")), mine) == "in"
    assert service.direction(draft(message(1)), frozenset()) == "out"  # an archive: the sender's view


def test_owner_reads_an_archive_mailbox_as_its_owner(tmp_path: Path, store: Store) -> None:
    (tmp_path / "a.eml").write_text(message(1, sender="bo@fabrikam.example", to="ana@contoso.example"))
    imports.run(store, files_import(store, [tmp_path], [], NOW, owner="ana@contoso.example"))
    assert [r["direction"] for r in stored(store)] == ["in"]


def test_same_message_in_two_folders(tmp_path: Path, store: Store) -> None:
    write_maildir(tmp_path / "Mail" / "INBOX", {"cur/1": message(1)})
    write_maildir(tmp_path / "Mail" / ".Archive", {"cur/1": message(1), "cur/2": message(2)})
    write_mbox(tmp_path / "export.mbox", [message(2), message(1)])
    outcome = run(store, tmp_path)
    assert (outcome.created, outcome.unchanged) == (2, 3)
    assert len(stored(store)) == 2


def test_second_import_changes_nothing(tmp_path: Path, store: Store) -> None:
    write_mbox(tmp_path / "a.mbox", [message(n) for n in range(5)])
    (tmp_path / "b.eml").write_text(message(9))
    first = run(store, tmp_path)
    before = stored(store)
    second = run(store, tmp_path)
    assert (first.created, second.created, second.unchanged, second.files_unchanged) == (6, 0, 6, 2)
    assert stored(store) == before
    (tmp_path / "b.eml").write_text(message(9) + "\n")  # touched: read again, still known
    third = run(store, tmp_path)
    assert (third.created, third.unchanged, third.files_unchanged) == (0, 6, 1)


def test_dry_run_changes_nothing(tmp_path: Path, store: Store) -> None:
    (tmp_path / "a.eml").write_text(message(1))
    outcome = run(store, tmp_path, dry_run=True)
    assert outcome.created == 1
    assert stored(store) == []
    assert run(store, tmp_path).created == 1  # the file was not marked read either


def test_killed_import_resumes(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kill after the first batch leaves that batch stored and the rest not; the next run
    stores the rest, each message once. Enough messages to go through the worker pool."""
    monkeypatch.setattr(service, "BATCH", 150)
    monkeypatch.setattr(service, "CHUNK", 10)  # the pool's reader is held back when killed
    monkeypatch.setattr(service, "IN_FLIGHT", 3)
    write_mbox(tmp_path / "a.mbox", [message(n) for n in range(200)])
    write_mbox(tmp_path / "b.mbox", [message(n) for n in range(200, 400)])
    calls: list[str] = []

    def die_after_first(conn: object, batch: list[tuple[RawMessage, object]]) -> None:
        calls.append(batch[-1][0].where)
        if len(calls) == 2:
            raise KeyboardInterrupt

    chosen = plan(store, [tmp_path])
    with pytest.raises(KeyboardInterrupt):
        service.import_messages(store, mailfiles.read(chosen.files, [], set()), [ME], NOW,
                                checkpoint=die_after_first)
    assert len(stored(store)) == 150
    outcome = run(store, tmp_path)
    assert (outcome.created, outcome.unchanged) == (250, 150)
    assert len({r["source"] for r in stored(store)}) == 400


def test_a_failing_source_keeps_the_batches_before(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source that breaks (a dropped IMAP connection) ends the import with its error; the
    batches stored before stay, through the worker pool as in this process."""
    monkeypatch.setattr(service, "BATCH", 150)

    def source() -> Iterator[RawMessage]:
        for n in range(400):
            yield RawMessage(f"imap uid {n}", message(n).encode())
        raise ConnectionResetError("connection reset")

    with pytest.raises(ConnectionResetError):
        import_messages(store, source(), [ME], NOW)
    assert len(stored(store)) == 300


def test_file_is_marked_read_only_when_all_its_messages_are_stored(
        tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "BATCH", 3)
    write_mbox(tmp_path / "a.mbox", [message(n) for n in range(4)])
    write_mbox(tmp_path / "b.mbox", [message(n) for n in range(4, 8)])
    seen: list[int] = []

    def stop_in_b(conn: object, message: StoredMessage) -> None:
        seen.append(message.interaction_id)
        if len(seen) == 7:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        run(store, tmp_path, on_message=stop_in_b)
    with store.read() as conn:
        marked = [s for s in conn.execute(select(schema.import_state.c.source)).scalars()]
    assert [Path(s).name for s in marked] == ["a.mbox"]
    again = plan(store, [tmp_path])
    assert [f.path.name for f in again.files] == ["b.mbox"]


def test_on_message_hears_each_new_message_once(tmp_path: Path, store: Store) -> None:
    write_mbox(tmp_path / "a.mbox", [message(1, sender=ME, to="ana@contoso.example"), message(2)])
    heard: list[StoredMessage] = []
    run(store, tmp_path, on_message=lambda conn, m: heard.append(m))
    run(store, tmp_path, on_message=lambda conn, m: heard.append(m))
    assert [(m.draft.subject, m.from_me, m.to_me) for m in heard] == [("Note 1", True, False),
                                                                       ("Note 2", False, True)]
    assert all(m.interaction_id and m.sender_id for m in heard)
    assert heard[1].recipient_ids == (heard[0].sender_id,)


def test_engagement_from_the_people(tmp_path: Path, store: Store, patron: Patron) -> None:
    with store.begin() as conn:
        from patron.domain.records import ENGAGEMENT, PERSON
        from patron.services import records

        org = conn.execute(schema.organisation.insert().values(name="Contoso")).inserted_primary_key[0]
        conn.execute(schema.organisation_domain.insert().values(domain="contoso.example",
                                                                organisation_id=org))
        engagement = records.add(conn, ENGAGEMENT, {"name": "Contoso rollout", "kind": "client",
                                                    "organisation_id": org}, NOW)
        records.add(conn, PERSON, {"name": "Helen", "emails": [ME]}, NOW)
    (tmp_path / "a.eml").write_text(message(1))
    (tmp_path / "b.eml").write_text(message(2, sender="x@elsewhere.example"))
    run(store, tmp_path)
    assert [r["engagement_id"] for r in stored(store)] == [engagement, None]


def test_import_messages_interface_for_other_sources(store: Store) -> None:
    """IMAP hands over its own RawMessages; checkpoints see the last of each batch."""
    raws = [RawMessage(f"imap://INBOX uid {n}", message(n).encode()) for n in range(3)]
    marks: list[str] = []
    outcome = import_messages(store, raws, [ME], NOW,
                              checkpoint=lambda conn, batch: marks.append(batch[-1][0].where))
    assert outcome.created == 3 and marks == ["imap://INBOX uid 2"]


# The command


def test_cli_import_mail(tmp_path: Path, patron: Patron) -> None:
    tmp_path = tmp_path / "mail"
    tmp_path.mkdir()
    write_mbox(tmp_path / "a.mbox", [message(1), message(2)])
    (tmp_path / "bad.eml").write_text(message(3).replace("Date: Mon, 02 Mar 2026 09:03:00 +0000", ""))
    out = patron.ok(f"import mail {tmp_path} --dry-run")
    assert out.startswith("Would import: 2 created")
    result = patron("import", "mail", str(tmp_path))
    assert result.exit_code == 0
    assert "2 created" in result.stdout and "1 skipped; 2 people" in result.stdout
    assert "bad.eml: no readable Date" in result.stderr
    assert "Traceback" not in result.output
    listed = json.loads(patron.ok("interaction list --json"))
    assert {i["summary"] for i in listed} == {"Note 1", "Note 2"}


def test_cli_refuses_a_bad_owner_and_a_missing_path(tmp_path: Path, patron: Patron) -> None:
    assert "not an e-mail address" in patron.fails(f"import mail {tmp_path} --owner helen", 2)
    assert "does not exist" in patron.fails(f"import mail {tmp_path / 'nowhere'}", 2)


def test_cli_lists_twenty_skipped_then_a_count(tmp_path: Path, patron: Patron) -> None:
    tmp_path = tmp_path / "mail"
    tmp_path.mkdir()
    for n in range(25):
        (tmp_path / f"{n}.eml").write_text(f"Subject: {n}\n\nno date, no sender\n")
    full = patron("import", "mail", str(tmp_path), "--verbose", "--dry-run")
    assert _skipped_lines(full.stderr) == 25
    short = patron("import", "mail", str(tmp_path))
    assert _skipped_lines(short.stderr) == 20 and "and 5 more skipped" in short.stderr
    # files whose every message was bad are not marked read: reported again, never "unchanged"
    again = patron("import", "mail", str(tmp_path))
    assert again.exit_code == 2 and again.stdout == ""
    assert _skipped_lines(again.stderr) == 20 and "and 5 more skipped" in again.stderr
    assert again.stderr.endswith("every message in it was bad (25 skipped)\n")


def test_a_file_whose_every_message_was_bad_is_reported_again(tmp_path: Path, patron: Patron) -> None:
    """A file of good mail is skipped unread the second time; an mbox of only bad messages,
    or a file with a bad message only, is read and reported again (it was never stored)."""
    folder = tmp_path / "mail"
    folder.mkdir()
    write_mbox(folder / "good.mbox", [message(1), message(2)])
    undated = message(3).replace("Date: Mon, 02 Mar 2026 09:03:00 +0000\n", "")
    write_mbox(folder / "bad.mbox", [undated, undated.replace("<m3@", "<m4@")])
    (folder / "bad.eml").write_text(undated.replace("<m3@", "<m5@"))
    first = patron("import", "mail", str(folder))
    assert first.exit_code == 0 and _skipped_lines(first.stderr) == 3
    assert "Imported: 2 created" in first.stdout
    again = patron("import", "mail", str(folder))
    assert again.exit_code == 0, again.output
    assert _skipped_lines(again.stderr) == 3
    assert "bad.mbox, message 1 at byte 0: no readable Date" in again.stderr
    assert f"{folder / 'bad.eml'}: no readable Date" in again.stderr
    assert again.stdout.startswith("Imported: 0 created, 0 updated, 2 unchanged, 3 skipped")
    assert "1 unchanged files not read" in again.stdout  # good.mbox only
    alone = patron("import", "mail", str(folder / "bad.mbox"))
    assert alone.exit_code == 2 and "every message in it was bad (2 skipped)" in alone.stderr


def _skipped_lines(text: str) -> int:
    return sum(line.startswith("skipped ") for line in text.splitlines())


def test_people_merge(patron: Patron) -> None:
    patron.ok("person add 'Helen Brandt' --email helen@northwind.example")
    patron.ok("person add 'H. Brandt' --email hb@gmail.com")
    out = patron.ok("people merge 'Helen Brandt' hb@gmail.com")
    assert "Merged H. Brandt (#2) into Helen Brandt (#1)" in out
    shown = json.loads(patron.ok("person show 1 --json"))
    assert sorted(shown["emails"]) == ["hb@gmail.com", "helen@northwind.example"]
    assert "cannot be merged with themselves" in patron.fails("people merge 1 1", 2)
    patron.fails("people merge 1 99", 3)


def test_people_merge_keeps_mail_participation(tmp_path: Path, store: Store, db_url: str) -> None:
    from patron.services.people import merge

    (tmp_path / "a.eml").write_text(message(1, to=f"{ME}, ana@gmail.com"))
    run(store, tmp_path)
    pe, ip = schema.person_email, schema.interaction_participant
    with store.begin() as conn:
        ids = {a: int(p) for a, p in conn.execute(select(pe.c.address, pe.c.person_id))}
        merge(conn, ids["ana@contoso.example"], ids["ana@gmail.com"])
        roles = conn.execute(select(ip.c.role).where(ip.c.person_id == ids["ana@contoso.example"])).scalars()
        assert sorted(roles) == ["from"]
        assert conn.execute(select(func.count()).select_from(ip)).scalar() == 2


# The bulk ways of the people directory agree with the one-at-a-time ways


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=60), max_size=6))
def test_engagements_agree_with_engagement_of(portfolio: Store, people: list[int]) -> None:
    from patron.services.people import Engagements, engagement_of

    with portfolio.read() as conn:
        assert Engagements(conn).of(people) == engagement_of(conn, people)


def test_bulk_people_follow_the_namesake_rule(store: Store) -> None:
    """``Directory.people`` groups addresses into people exactly as ``person`` one by one does."""
    from patron.services.people import Directory

    pairs = [("helen@northwind.example", "Helen Brandt"), ("h.brandt@gmail.com", "Helen Brandt"),
             ("helen@fabrikam.example", "Helen Brandt"), ("bo@x.example", None),
             ("BO@X.example", "Bo"), ("not an address", "Nobody")]

    def groups(found: dict[str, int | None]) -> set[frozenset[str]]:
        people: dict[int, set[str]] = {}
        for address, ident in found.items():
            if ident is not None:
                people.setdefault(ident, set()).add(address.lower())
        return {frozenset(a) for a in people.values()}

    class Undo(Exception):
        pass

    singles: dict[str, int | None] = {}
    with pytest.raises(Undo), store.begin() as conn:
        one_by_one = Directory(conn)
        singles.update({a: one_by_one.person(a, n) for a, n in pairs})
        raise Undo
    with store.begin() as conn:
        bulk = Directory(conn).people(pairs)
    assert groups(dict(bulk)) == groups(singles) == {
        frozenset({"helen@northwind.example", "h.brandt@gmail.com"}),  # free mail joins the name
        frozenset({"helen@fabrikam.example"}),  # another organisation: another Helen Brandt
        frozenset({"bo@x.example"})}
