"""From a mailbox to decisions: suggested asks in the inbox, influence from the mail graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patron.domain.influence import pairwise_accuracy
from patron.samples import orgmail
from patron.services.influence import people_influence
from patron.store.database import open_store
from tests.conftest import Patron

ME = "sam@okafor-consulting.com"
OTHER_ME = "sokafor@acme.example"  # a second address of mine, from which no first name can be read


def _message(n: int, sender: str, to: str, subject: str, body: str, reply_to: str = "") -> str:
    header = f"In-Reply-To: <m{reply_to}@x>\n" if reply_to else ""
    return (f"From {sender} Fri Nov 13 09:00:00 2026\n"
            f"From: {sender}\nTo: {to}\nSubject: {subject}\nMessage-ID: <m{n}@x>\n{header}"
            f"Date: Fri, 13 Nov 2026 09:{n:02d}:00 +0000\n\n{body}\n\n")


def _mailbox(folder: Path) -> Path:
    path = folder / "inbox.mbox"
    path.write_text(
        _message(1, "Helen Brandt <helen@meridian.com>", ME, "Board pack",
                 "Hi Sam,\n\nCould you send me the revised board pack by Friday?\n\nThanks,\nHelen")
        + _message(2, f"Sam Okafor <{ME}>", "helen@meridian.com", "Re: Board pack",
                   "Helen,\n\nI'll send it on Thursday.\n\nSam\n\n> Could you send me the pack?", "1")
        + _message(3, "Victor Lam <victor@meridian.com>", "helen@meridian.com", "Lunch",
                   "Could you book a table for Friday?"))  # not to me: no suggestion
    return path


def _configured(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[me]\nemails = ["{ME}", "{OTHER_ME}"]\n')
    return config


def test_asks_to_me_and_my_promises_wait_in_the_inbox(patron: Patron, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATRON_CONFIG", str(_configured(tmp_path)))
    patron.ok(f"import mail {_mailbox(tmp_path)}")
    found = json.loads(patron.ok("inbox --json"))
    kinds = sorted((s["kind"], s["sentence"]) for s in found)
    assert kinds == [("commitment", "I'll send it on Thursday."),
                     ("request-action", "Could you send me the revised board pack by Friday?")]
    ask = next(s for s in found if s["kind"] == "request-action")
    assert "board pack" not in patron.ok("next")  # never silently among the asks
    patron.ok(f"inbox accept {ask['id']}")
    assert "board pack" in patron.ok("next")
    assert "Helen Brandt" in patron.ok("next")
    patron.ok(f"import mail {_mailbox(tmp_path)}")  # again: nothing new is suggested
    assert len(json.loads(patron.ok("inbox --json --all"))) == 2


def _copied(n: int, to: str, cc: str, body: str) -> str:
    return _message(n, "Victor Lam <victor@meridian.com>", to, f"Item {n}", body).replace(
        "\nSubject:", f"\nCc: {cc}\nSubject:", 1)


@pytest.mark.parametrize("to, cc, body, suggested", [
    (ME, "", "Could you send the plan?", True),                        # to me, no greeting
    (f"Sam Okafor <{ME}>", "ines@meridian.com", "Hi Sam and Ines,\n\nCould you send the plan?", True),
    (f"{ME}, ines@meridian.com", "", "Ines,\n\nCould you send the plan?", False),  # greets someone else
    ("ines@meridian.com", ME, "Could you send the plan?", False),      # only copied
    ("ines@meridian.com", ME, "Ines, who needs write access?", False),
    ("ines@meridian.com", f"Sam Okafor <{ME}>", "Agreed. Sam, could you send the plan?", True),
    ("ines@meridian.com", f"Okafor, Sam <{ME}>", "Sam,\n\nCould you send the plan?", True),
    (f'"Okafor, Sam" <{OTHER_ME}>', "", "Sam,\n\nCould you send me the plan by Friday?", True),
    (f"Sam Okafor <{OTHER_ME}>", "", "Also, could you send me the Q3 figures by Friday?", True),
    (OTHER_ME, "", "Dear Mr Okafor,\n\nCould you send the plan?", True),   # no name given: in To
    (f"{OTHER_ME}, Ines Lopez <ines@meridian.com>", "", "Ines,\n\nCould you send it?", False),
    # a greeting of others and me, where my address tells no first name: the name no other has
    (f"{OTHER_ME}, Ines Lopez <ines@meridian.com>", "", "Ines, Sam,\n\nCould you send it?", True),
    # a sentence that turns to me wins over a greeting of someone else
    ("Ines Lopez <ines@meridian.com>", f"Sam Okafor <{ME}>",
     "Ines,\n\nThanks. Sam \u2014 could you send the plan?", True),
    (f"Sam Okafor <{ME}>, Ines Lopez <ines@meridian.com>", "",
     "Ines,\n\nThe plan is late.\n\nSam, please let me know when it is ready.", True),
])
def test_only_words_meant_for_me_are_suggested(patron: Patron, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, to: str, cc: str,
                                               body: str, suggested: bool) -> None:
    monkeypatch.setenv("PATRON_CONFIG", str(_configured(tmp_path)))
    path = tmp_path / "one.mbox"
    path.write_text(_copied(1, to, cc, body) if cc else _message(1, "Victor Lam <victor@meridian.com>", to,
                                                                   "Item", body))
    patron.ok(f"import mail {path}")
    assert bool(json.loads(patron.ok("inbox --json"))) is suggested


def test_a_big_mailbox_is_read_for_asks_in_the_parsing_workers(
        patron: Patron, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATRON_CONFIG", str(_configured(tmp_path)))
    path = tmp_path / "big.mbox"
    path.write_text("".join(  # more than the importer parses in-process: the pool reads them
        _message(n % 60, f"Client {n} <c{n}@meridian.com>", ME, f"Item {n}",
                 f"Could you send me item {n} by Friday?").replace(f"<m{n % 60}@x>", f"<big{n}@x>")
        for n in range(400)))
    patron.ok(f"import mail {path}")
    found = json.loads(patron.ok("inbox --json"))
    assert len(found) == 400
    assert {s["kind"] for s in found} == {"request-action"}


def test_without_my_addresses_nothing_is_suggested(patron: Patron, tmp_path: Path) -> None:
    patron.ok(f"import mail {_mailbox(tmp_path)}")
    assert json.loads(patron.ok("inbox --json --all")) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_influence_recovers_the_org_chart_from_imported_mail(patron: Patron, tmp_path: Path,
                                                             seed: int) -> None:
    mail = orgmail.generate(seed, employees=60, outsiders=20, messages=2500)
    path = tmp_path / "org.mbox"
    orgmail.write_mbox(mail, path)
    patron.ok(f"import mail {path}")
    store = open_store(patron.db)
    with store.read() as conn:
        rows = people_influence(conn)
    store.close()
    scores = {address: row.score for row in rows for address in row.addresses}
    assert len(scores) >= 60
    assert pairwise_accuracy(scores, mail.pairs) >= 0.9

