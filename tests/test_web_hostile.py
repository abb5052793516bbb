"""Mail is written by strangers. Messages whose display names, subjects and bodies carry
script, event handlers, ``javascript:`` links, attribute break-outs and broken HTML go in
through the real mail importer (``patron import mail`` on a Maildir); then every page that
shows them is opened in real Chromium. No script may run (each payload would set
``window.__pwned``), no dialog open, no request leave for ``x`` or ``javascript:``, and the
markup must read as text on the page."""

from __future__ import annotations

import base64
import json
import mailbox
from pathlib import Path

from patron.settings import defaults
from tests.browser_helpers import ARTEFACTS, Watch, browser, serving
from tests.conftest import Patron
from tests.web_helpers import client, opened

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
LINK = '<a href="javascript:window.__pwned=3">click me</a>'
BREAKOUT = '"><svg onload="window.__pwned=4">'
BROKEN = "<b><i>unclosed <div class='"

# (sender's display name, address, subject, plain body, HTML body or None)
MESSAGES = (
    (SCRIPT, "mallory@evil.example", f"Re: {SCRIPT} budget",
     f"Could you send the {SCRIPT} report by Friday?\n\nThanks", None),
    (IMG, "imogen@evil.example", f"Quarterly {IMG} figures",
     f"Can you please review the {IMG} deck by Monday?", None),
    (f"Jay {LINK}", "jay@evil.example", f"Link {LINK}",
     f"Please update the {LINK} page tomorrow.",
     f"<p>Please update the {LINK} page</p><script>window.__pwned=9</script>"),
    (BREAKOUT, "sven@evil.example", f"Title {BREAKOUT}",
     f"Could you check {BREAKOUT} before Friday?", f"<p title='{BREAKOUT}'>{BREAKOUT}"),
    (f"Broken {BROKEN}", "bert@evil.example", f"{BROKEN} notes",
     f"Can you fix the {BROKEN} table next week?",
     f"<html><body><p>Can you fix <table><tr><td>{BROKEN}<!-- <script>"),
)
ROLES = ("sponsor", "manager", "customer", "customer", "gatekeeper")
NAMED_BROKEN = f"Broken {BROKEN}".rstrip("'")  # a display name as stored: quotes dropped

# every element's on* attributes, javascript: URLs and scripts: what an escape failure leaves
LEFTOVERS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) found.push(el.tagName + ' ' + a.name);
      if (/^\\s*javascript:/i.test(a.value)) found.push(el.tagName + ' ' + a.name + '=' + a.value);
    }
  }
  for (const s of document.scripts) found.push('script ' + s.outerHTML.slice(0, 60));
  for (const i of document.images) found.push('img ' + i.outerHTML.slice(0, 60));
  return found;
}"""


def encoded(text: str) -> str:
    """A header word as mail clients send non-plain text (RFC 2047): decoded only after the
    address is parsed, so the markup reaches the display name whole."""
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


def hostile_maildir(folder: Path) -> Path:
    box = mailbox.Maildir(folder, create=True)
    for n, (name, address, subject, plain, html) in enumerate(MESSAGES, start=1):
        head = (f"From: {encoded(name)} <{address}>\nTo: Me <me@patron.example>\n"
                f"Subject: {encoded(subject)}\nDate: Wed, {10 + n} Nov 2026 09:00:00 +0000\n"
                f"Message-ID: <hostile-{n}@evil.example>\nMIME-Version: 1.0\n")
        if html is None:
            raw = f"{head}Content-Type: text/plain; charset=utf-8\n\n{plain}\n"
        else:
            raw = (f'{head}Content-Type: multipart/alternative; boundary="b"\n\n'
                   f"--b\nContent-Type: text/plain; charset=utf-8\n\n{plain}\n"
                   f"--b\nContent-Type: text/html; charset=utf-8\n\n{html}\n--b--\n")
        box.add(mailbox.MaildirMessage(raw.encode()))
    return folder


def hostile_register(patron: Patron, folder: Path) -> dict[str, int]:
    """The mail imported, its senders made stakeholders of Ledger, three of the asks found
    in it accepted (on Today and the pages), two left in the inbox. Returns sender ids."""
    patron.ok("config set me.emails me@patron.example")
    assert "5 created" in patron.ok(f"import mail {hostile_maildir(folder)}")
    people = {p["emails"][0]: p["id"] for p in json.loads(patron.ok("person list --json"))}
    patron.ok("engagement add Ledger --start 2026-03-02")
    for (_, address, *_), role in zip(MESSAGES, ROLES, strict=True):
        patron.ok(f"stakeholder add {people[address]} Ledger --role {role}")
    suggested = json.loads(patron.ok("inbox --json"))
    assert len(suggested) == len(MESSAGES)
    first = {people[address] for _, address, *_ in MESSAGES[:3]}  # not by id: files come in any order
    chosen = sorted(s["id"] for s in suggested if s["person_id"] in first)
    assert len(chosen) == 3
    patron.ok(f"inbox accept {' '.join(map(str, chosen))} -e Ledger")
    return {address: people[address] for _, address, *_ in MESSAGES}


def test_hostile_mail_reads_as_text_and_runs_nothing_in_chromium(
        patron: Patron, tmp_path: Path) -> None:
    senders = hostile_register(patron, tmp_path / "Maildir")
    mallory = senders["mallory@evil.example"]
    store = opened(Path(patron.db))
    # each page, and markup that must read as text on it
    pages: dict[str, list[str]] = {
        "/": [SCRIPT, IMG],                        # asks from mail and who made them
        "/engagements": [SCRIPT],                  # the sponsor pays
        "/engagements/1": [SCRIPT, IMG],           # stakeholders, grid, open asks
        "/influence": [SCRIPT, NAMED_BROKEN],      # who wrote the mail, by name
        "/engagements/1/influence": [SCRIPT, NAMED_BROKEN],  # Ledger's stakeholders' mail
        f"/people/{mallory}": [SCRIPT, f"Re: {SCRIPT} budget"],
        f"/people/{senders['imogen@evil.example']}": [f"Quarterly {IMG} figures"],
        f"/people/{senders['jay@evil.example']}": [f"Link {LINK}"],
        f"/people/{senders['sven@evil.example']}": [f"Title {BREAKOUT}"],
        f"/people/{senders['bert@evil.example']}": [f"{BROKEN} notes"],
    }
    # pages built on other branches, opened when this branch has them
    probe = client(store, defaults())
    for path, shown in (("/inbox", [BREAKOUT, BROKEN]), ("/review", []),
                        ("/search?q=pwned", [SCRIPT])):
        if probe.get(path).status_code != 404:
            pages[path] = shown
    try:
        with serving(store) as base, browser() as chromium:
            watch = Watch(base)
            page = watch.attach(chromium.new_page(viewport={"width": 1280, "height": 900}))
            for path, shown in pages.items():
                answer = page.goto(base + path)
                assert answer is not None and answer.status == 200, path
                assert page.evaluate("window.__pwned") is None, path
                assert page.evaluate(LEFTOVERS) == [], path
                text = page.inner_text("body")
                for markup in shown:
                    assert markup in text, (path, markup)
                name = path.strip("/").replace("/", "-").split("?")[0] or "today"
                page.screenshot(path=str(ARTEFACTS / f"hostile-{name}.png"), full_page=True)
            assert page.evaluate("window.__pwned") is None
        assert watch.clean(), watch
    finally:
        store.close()
