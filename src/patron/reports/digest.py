"""The morning brief as text, Markdown and HTML.

The brief is first laid out as sections of short items (a line and a detail under it), and
each format writes those: no table, so it reads on a phone. The HTML is one page with its
style inline, no script and no outside resource; every text from the register passes through
``html.escape``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape

from patron.domain.anniversaries import Coming
from patron.services.digest import AskFirst, CheckIn, Digest
from patron.services.relationships import PromiseDue

NOTHING = "Nothing needs you this morning: no ask open, nobody due, no promise falling due."


@dataclass(frozen=True)
class Item:
    line: str
    detail: str = ""


@dataclass
class Section:
    title: str
    items: list[Item]
    more: str = ""           # "and 3 more: patron due"
    note: str = ""           # a line under the title


@dataclass
class Layout:
    title: str
    sections: list[Section] = field(default_factory=list)
    closing: str = ""        # the pointer at the review


def title(digest: Digest) -> str:
    """'Morning brief, Tuesday 1 December 2026' (with the engagement when narrowed)."""
    day = f"{digest.day:%A} {digest.day.day} {digest.day:%B %Y}"
    return f"Morning brief, {day}" + (f" · {digest.engagement}" if digest.engagement else "")


def subject(digest: Digest) -> str:
    """The mail's subject: the day and what is in it, counted."""
    counts = [(len(digest.asks), "ask"), (len(digest.check_ins) + digest.check_ins_more, "check-in"),
              (len(digest.promises), "promise"), (len(digest.dates), "date")]
    said = ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts if n)
    day = f"{digest.day:%a} {digest.day.day} {digest.day:%b}"
    return f"Patron: morning brief for {day}" + (f": {said}" if said else "")


def layout(digest: Digest) -> Layout:
    out = Layout(title(digest))
    if digest.asks:
        out.sections.append(Section(
            f"Do first ({len(digest.asks)} of {digest.open_asks} open asks)",
            [_ask(n, a) for n, a in enumerate(digest.asks, start=1)],
            "'patron next' ranks them all" if digest.open_asks > len(digest.asks) else ""))
    if digest.check_ins:
        out.sections.append(Section("Check-ins due", [_contact(c) for c in digest.check_ins],
                                    _more(digest.check_ins_more, "patron due")))
    if digest.promises:
        out.sections.append(Section(
            f"Promises due in the next {_days(digest.promise_days)}",
            [_promise(p, digest.day) for p in digest.promises]))
    if digest.going_cold:
        out.sections.append(Section(
            "Going cold", [_contact(c) for c in digest.going_cold],
            _more(digest.going_cold_more, "patron due"),
            "a whole cadence or more since you were last in touch"))
    if digest.dates:
        out.sections.append(Section(f"Dates in the next {_days(digest.dates_days)}",
                                    [_date(d) for d in digest.dates]))
    if digest.inbox:
        n = digest.inbox
        out.sections.append(Section("Inbox", [Item(
            f"{n} suggestion{'s' if n != 1 else ''} found in mail waiting for you",
            "'patron inbox' to accept or reject them")]))
    if digest.review:
        out.closing = f"It is {digest.review_why}: '{digest.review}' looks back."
    return out


def _ask(n: int, ask: AskFirst) -> Item:
    detail = [ask.requester or "", ask.engagement or "",
              f"due {_when(ask.due_at)}" if ask.due_at else "", ask.why]
    return Item(f"{n}. {ask.title} (#{ask.id})", " · ".join(d for d in detail if d))


def _contact(contact: CheckIn) -> Item:
    return Item(contact.person, " · ".join(["; ".join(contact.roles), contact.state, contact.reason]))


def _promise(promise: PromiseDue, today: date) -> Item:
    due = promise.due_at
    late = " (overdue)" if due is not None and due.date() < today else ""
    detail = [f"to {promise.promisee}" if promise.promisee else "", promise.engagement or "",
              f"due {_when(due)}{late}" if due is not None else "",
              f"about '{promise.ask}'" if promise.ask else ""]
    return Item(f"{promise.title} (#{promise.id})", " · ".join(d for d in detail if d))


def _date(coming: Coming) -> Item:
    return Item(f"{coming.person}: {coming.describe()}", f"{coming.on:%A} {coming.on.day} {coming.on:%B}")


def _more(count: int, command: str) -> str:
    return f"and {count} more: '{command}'" if count else ""


def _days(n: int) -> str:
    return "day" if n == 1 else f"{n} days"


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}" if (moment.hour, moment.minute) == (0, 0) else f"{moment:%Y-%m-%d %H:%M}"


# --- the formats ---------------------------------------------------------------------------


def text(digest: Digest) -> str:
    page = layout(digest)
    out = [page.title, ""]
    if digest.empty:
        out += [NOTHING, ""]
    for section in page.sections:
        out.append(section.title)
        if section.note:
            out.append(f"  ({section.note})")
        for item in section.items:
            out.append(f"  {item.line}")
            if item.detail:
                out.append(f"     {item.detail}")
        if section.more:
            out.append(f"  {section.more}")
        out.append("")
    if page.closing:
        out += [page.closing, ""]
    return "\n".join(out)


def markdown(digest: Digest) -> str:
    page = layout(digest)
    out = [f"# {page.title}", ""]
    if digest.empty:
        out += [NOTHING, ""]
    for section in page.sections:
        out += [f"## {section.title}", ""]
        if section.note:
            out += [f"*{section.note}*", ""]
        for item in section.items:
            out.append(f"- **{item.line}**" + (f"  \n  {item.detail}" if item.detail else ""))
        if section.more:
            out.append(f"- {section.more}")
        out.append("")
    if page.closing:
        out += [page.closing, ""]
    return "\n".join(out)


STYLE = """
body{font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933;
max-width:40rem;margin:0 auto;padding:1rem;background:#fff}
h1{font-size:1.3rem;margin:0 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .4rem;
border-bottom:1px solid #d9e2ec}ul{list-style:none;margin:0;padding:0}
li{margin:.45rem 0}.detail{color:#52606d;font-size:.9rem;overflow-wrap:anywhere}
.note,.more{color:#7b8794;font-size:.9rem}.closing{margin-top:1.4rem;padding:.6rem .8rem;
background:#f0f4f8;border-radius:6px}
"""


def html(digest: Digest) -> str:
    page = layout(digest)
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             f"<title>{escape(page.title)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{escape(page.title)}</h1>"]
    if digest.empty:
        parts.append(f"<p>{escape(NOTHING)}</p>")
    for section in page.sections:
        parts.append(f"<h2>{escape(section.title)}</h2>")
        if section.note:
            parts.append(f"<p class='note'>{escape(section.note)}</p>")
        parts.append("<ul>")
        for item in section.items:
            detail = f"<div class='detail'>{escape(item.detail)}</div>" if item.detail else ""
            parts.append(f"<li><strong>{escape(item.line)}</strong>{detail}</li>")
        parts.append("</ul>")
        if section.more:
            parts.append(f"<p class='more'>{escape(section.more)}</p>")
    if page.closing:
        parts.append(f"<p class='closing'>{escape(page.closing)}</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


FORMATS = {"text": text, "md": markdown, "html": html}
