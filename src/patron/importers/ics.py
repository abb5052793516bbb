"""iCalendar (RFC 5545) files and folders, read into meeting drafts; and meetings written back.

The mapping (README "Bring in a calendar"):

| iCalendar | Patron |
| --- | --- |
| VEVENT (one per occurrence of a repeating event) | interaction of kind meeting |
| UID (+ the occurrence's original start) | source ``ics:<UID>`` (``ics:<UID>@<start>`` for an occurrence) |
| SUMMARY | summary |
| DESCRIPTION | notes, cut at ``NOTES_LIMIT`` characters |
| DTSTART with a zone or in UTC | occurred_at in this machine's zone, stored as wall-clock time |
| DTSTART floating (no zone, or a zone nobody knows) | occurred_at as written |
| DTSTART as a date (all day) | occurred_at at 00:00 of that day (and back: 00:00 is written as a date) |
| ORGANIZER / ATTENDEE mailto: | participants, role organiser / attendee (declined ones, rooms left out) |
| STATUS:CANCELLED | not a meeting (one imported before is removed) |
| CLASS:PRIVATE or CONFIDENTIAL, TRANSP:TRANSPARENT | ``private``, ``free``: no touchpoint (services) |

Repeating events (RRULE, RDATE, with EXDATE and RECURRENCE-ID overrides) are expanded by
``recurring-ical-events`` inside a window; single events are read whatever their date.
A hostile rule is bounded before it is expanded (``_Bound``): a rule that repeats nothing
(an INTERVAL that is not a whole number above 0, days no month has) keeps only the first
occurrence, and no event gives more than the
window's ``limit`` occurrences, reads more than ``REACH`` times that many repetitions from
its start, or spends more than ``EXPANSION_CPU`` seconds finding them; each cut is reported.
This module parses and writes text; it knows nothing of the register.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import os
import re
import time as clock
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from patron.domain.repeats import futile, rule_texts
from patron.importers.base import Problem, Progress, Reading, no_progress

SOURCE = "ics:"
PRODID = "-//Patron//patron export ics//EN"
OWN_UID = re.compile(r"patron-interaction-(\d+)@patron")
NOTES_LIMIT = 2000
SUMMARY_LIMIT = 500
NAME_LIMIT = 200
UNTITLED = "Untitled meeting"
WINDOW_BACK = timedelta(days=365)
WINDOW_AHEAD = timedelta(days=90)
MAX_OCCURRENCES = 1000
"""The most occurrences one repeating event gives (``calendar.max_occurrences``)."""
REACH = 20
"""The most repetitions read from an event's start to the window's end, in caps (20,000 by
default: a daily event from 55 years back), so a rule starting long ago stays cheap."""
EXPANSION_CPU = 0.2
"""Seconds of CPU one event may spend on finding its repetitions (sparse rules such as
FREQ=SECONDLY;BYHOUR=9;BYMINUTE=0;BYSECOND=0 cost much per occurrence)."""
_UNTIL = re.compile(r"(?<![A-Z])UNTIL=[^;]*", re.IGNORECASE)
_RECURRENCE = re.compile(r"(.+)@(\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\dZ?)?)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_READ_FORMAT = 1  # raise when what is kept of a read changes, so old keeps are read again


@dataclass(frozen=True)
class Window:
    """The stretch of time a repeating event is expanded in."""

    since: datetime
    until: datetime
    limit: int = MAX_OCCURRENCES  # the most occurrences one repeating event gives

    @classmethod
    def around(cls, now: datetime, since: datetime | None = None, until: datetime | None = None,
               limit: int = MAX_OCCURRENCES) -> Window:
        """One year back to 90 days ahead of ``now``, unless told otherwise."""
        return cls(since or now - WINDOW_BACK, until or now + WINDOW_AHEAD, max(1, limit))

    @property
    def last(self) -> datetime:
        """The window's last moment (``until`` is not in it)."""
        return self.until - timedelta(seconds=1)

    def span(self) -> str:
        """The window in words, both days included."""
        return f"between {self.since:%Y-%m-%d} and {self.last:%Y-%m-%d}"


@dataclass(frozen=True)
class Attendee:
    address: str
    name: str | None
    role: str            # organiser or attendee
    declined: bool = False
    resource: bool = False  # CUTYPE=ROOM or RESOURCE: a room or a projector, nobody to meet


@dataclass
class EventDraft:
    """One occurrence of an event, ready to become a meeting."""

    uid: str
    summary: str
    start: datetime                  # naive local wall-clock time
    where: str                       # file and line, for messages
    recurrence: str | None = None    # the occurrence's original start (ISO) in a repeating event
    notes: str | None = None
    people: list[Attendee] = field(default_factory=list)
    cancelled: bool = False
    sequence: int = 0
    private: bool = False            # CLASS:PRIVATE or CONFIDENTIAL: your own business
    free: bool = False               # TRANSP:TRANSPARENT: it does not take your time
    from_patron: bool = False        # in a calendar Patron exported: a touchpoint whoever is in it

    @property
    def source(self) -> str:
        return source_of(self.uid, self.recurrence)


def source_of(uid: str, recurrence: str | None) -> str:
    return SOURCE + uid + (f"@{recurrence}" if recurrence else "")


# --- finding and reading files -------------------------------------------------------------


def calendar_files(path: Path) -> list[Path]:
    """The .ics files of a folder (and its sub-folders, as khal and vdirsyncer keep them),
    in name order; a file is itself."""
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix.lower() == ".ics" and p.is_file())


def read_files(paths: Sequence[Path], window: Window, kept: Mapping[Path, Any],
               progress: Progress = no_progress) -> tuple[Reading[EventDraft], dict[Path, Any]]:
    """Drafts from every file, and what each file parsed here gave (to keep for the next
    time). ``kept`` holds, by path, what a file gave when last read (``frozen``): a file
    read before and unchanged (the same bytes, the same window if it repeats, the same
    zone and reader) is not parsed again, since parsing is pure and would give the same.
    A file that cannot be read is a problem, never the end."""
    drafts: list[EventDraft] = []
    problems: list[Problem] = []
    fresh: dict[Path, Any] = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(path), f"cannot read it ({exc.strerror or exc})"))
            progress(1)
            continue
        mark = fingerprint(path, data, window)
        state = kept.get(path)
        if isinstance(state, dict) and state.get("mark") == mark:
            found, wrong = thawed(state)
        else:
            found, wrong = parse(decode(data), str(path), window)
            fresh[path] = frozen(mark, found, wrong)
        drafts += found
        problems += wrong
        progress(1)
    return reading(drafts, problems, lambda: sum(map(_events_in_file, paths))), fresh


def read_text(text: str, source: str, window: Window) -> Reading[EventDraft]:
    """Drafts from one calendar's text (standard input)."""
    return reading(*parse(text, source, window), lambda: events_in(text))


def reading(drafts: list[EventDraft], problems: list[Problem],
            held: Callable[[], int] | None = None) -> Reading[EventDraft]:
    """What was read, one draft per meeting (``one_each``): ``held`` counts the events the
    calendars hold, in the window or not, good or bad (asked only when nothing good came in:
    events all declined, or repeating only outside the window, were good)."""
    problems = list(problems)
    unique = one_each(drafts, problems)
    return Reading(unique, problems, total=len(unique), held=held)


def one_each(drafts: list[EventDraft], problems: list[Problem]) -> list[EventDraft]:
    """One draft per source: an event found twice (the same UID in two files) is kept in its
    latest revision (SEQUENCE), the first one read where they tie; a differing copy is
    reported in ``problems``."""
    kept: dict[str, EventDraft] = {}
    for draft in drafts:
        other = kept.get(draft.source)
        if other is None:
            kept[draft.source] = draft
            continue
        newer, older = (draft, other) if draft.sequence > other.sequence else (other, draft)
        kept[draft.source] = newer
        if _same(newer, older):  # a copy (one calendar shared into two folders) is no news
            continue
        problems.append(Problem(older.where, f"the same event (UID {draft.uid}) as at "
                                             f"{newer.where}, which is kept"))
    return list(kept.values())


def _same(one: EventDraft, other: EventDraft) -> bool:
    return (one.summary, one.start, one.notes, one.people, one.cancelled) == \
        (other.summary, other.start, other.notes, other.people, other.cancelled)


_EVENT = re.compile(r"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)


def events_in(text: str) -> int:
    """How many events a calendar's text holds, in the window or not, good or bad."""
    return len(_EVENT.findall(text))


def _events_in_file(path: Path) -> int:
    try:
        return events_in(decode(path.read_bytes()))
    except OSError:
        return 0


# --- what a file gave, kept ------------------------------------------------------------------


def fingerprint(path: Path, data: bytes, window: Window) -> str:
    """What a file's drafts depend on: its bytes and name (they are in messages), the zone
    times are read in, the reader (its code, and the libraries it uses), and the window if
    the file repeats anything."""
    parts = [str(_READ_FORMAT), *_reader(), str(path), os.environ.get("TZ", ""), *clock.tzname]
    upper = data.upper()
    if b"RRULE" in upper or b"RDATE" in upper:
        parts += [window.since.isoformat(), window.until.isoformat(), str(window.limit)]
    digest = hashlib.sha256("\x00".join(parts).encode())
    digest.update(data)
    return digest.hexdigest()


@functools.cache
def _reader() -> tuple[str, ...]:
    """The reader's own code and the versions of the libraries it parses and expands with."""
    from importlib.metadata import version

    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return code, version("icalendar"), version("recurring-ical-events")


def frozen(mark: str, drafts: list[EventDraft], problems: list[Problem]) -> dict[str, Any]:
    """A read as JSON: one list per draft, its attendees as lists."""
    return {"mark": mark, "problems": [[p.where, p.reason] for p in problems], "drafts": [
        [d.uid, d.summary, d.start.isoformat(), d.where, d.recurrence, d.notes,
         [[a.address, a.name, a.role, a.declined, a.resource] for a in d.people],
         d.cancelled, d.sequence, d.private, d.free, d.from_patron] for d in drafts]}


def thawed(state: dict[str, Any]) -> tuple[list[EventDraft], list[Problem]]:
    drafts = [EventDraft(uid=uid, summary=summary, start=datetime.fromisoformat(start), where=where,
                         recurrence=recurrence, notes=notes,
                         people=[Attendee(*attendee) for attendee in people],
                         cancelled=cancelled, sequence=sequence, private=private, free=free,
                         from_patron=from_patron)
              for uid, summary, start, where, recurrence, notes, people, cancelled, sequence, private,
              free, from_patron in state["drafts"]]
    return drafts, [Problem(where, reason) for where, reason in state["problems"]]


def decode(data: bytes) -> str:
    """RFC 5545 says UTF-8; old Outlook exports are Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# --- parsing --------------------------------------------------------------------------------


def parse(text: str, source: str, window: Window) -> tuple[list[EventDraft], list[Problem]]:
    """Drafts from one file's text, and the events that had to be skipped (with their line)."""
    with warnings.catch_warnings():
        # icalendar warns about guessed zones on standard error; the guess is what we want.
        warnings.simplefilter("ignore")
        try:
            components = _components(text)
        except Exception as exc:  # icalendar raises many kinds on hostile input
            return _parse_blocks(text, source, window, exc)
        return _Reader(text, source, window).drafts(components)


def _components(text: str) -> list[Any]:
    from icalendar import Component

    return list(Component.from_ical(text, multiple=True))


def _parse_blocks(text: str, source: str, window: Window, error: Exception
                  ) -> tuple[list[EventDraft], list[Problem]]:
    """When the file as a whole does not parse (a broken zone, a broken line), each event on
    its own, so that one bad event does not take the good ones with it."""
    zones = [z for _, z in _blocks(text, "VTIMEZONE") if _parses(z)]
    events = _blocks(text, "VEVENT")
    if not events:
        return [], [Problem(_at(source, _line_in_message(text, error)),
                            f"not a calendar that can be read ({_message(error)})")]
    drafts: list[EventDraft] = []
    problems: list[Problem] = []
    for line, block in events:
        wrapped = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(zones) + block + "END:VCALENDAR\r\n"
        try:
            components = _components(wrapped)
        except Exception as exc:  # as above: hostile input
            problems.append(Problem(_at(source, line), f"cannot read this event ({_message(exc)})"))
            continue
        found, wrong = _Reader(block, source, window, first_line=line).drafts(components)
        drafts += found
        problems += wrong
    return drafts, problems


def _blocks(text: str, name: str) -> list[tuple[int, str]]:
    """Each BEGIN:name ... END:name block with the line it starts on."""
    found: list[tuple[int, str]] = []
    start: int | None = None
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        word = line.strip().upper()
        if word == f"BEGIN:{name}" and start is None:
            start, lines = number, []
        if start is not None:
            lines.append(line + "\r\n")
            if word == f"END:{name}":
                found.append((start, "".join(lines)))
                start = None
    return found


def _parses(block: str) -> bool:
    try:
        _components(block)
    except Exception:  # a broken zone is left out; the events using it say so
        return False
    return True


def _message(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _line_in_message(text: str, exc: Exception) -> int | None:
    """icalendar's messages quote the line they choke on ('...': 'X'); find it in the file."""
    for quoted in re.findall(r"'([^']{1,200})'", str(exc)):
        for number, line in enumerate(text.splitlines(), start=1):
            if quoted.strip() and quoted.strip() in line:
                return number
    return None


def _at(source: str, line: int | None) -> str:
    return f"{source}: line {line}" if line else source


class _Reader:
    """Turns one file's parsed components into drafts, remembering where each event was."""

    def __init__(self, text: str, source: str, window: Window, first_line: int = 1) -> None:
        self.text, self.source, self.window = text, source, window
        self.starts = [first_line + n for n, line in enumerate(text.splitlines())
                       if line.strip().upper() == "BEGIN:VEVENT"]
        self.problems: list[Problem] = []

    def drafts(self, components: list[Any]) -> tuple[list[EventDraft], list[Problem]]:
        events = [c for top in components for c in top.walk("VEVENT")]
        zones = [c for top in components for c in top.walk("VTIMEZONE")]
        patron = {id(c) for top in components if str(top.get("PRODID", "")) == PRODID
                  for c in top.walk("VEVENT")}
        lines = self.starts if len(self.starts) == len(events) else [None] * len(events)
        groups: dict[str, list[tuple[Any, str]]] = {}
        for event, line in zip(events, lines, strict=True):
            where = _at(self.source, line or self._line_of_uid(event))
            if self._usable(event, where):
                groups.setdefault(_uid(event), []).append((event, where))
        drafts: list[EventDraft] = []
        for uid, members in groups.items():
            found = self._occurrences(uid, members, zones)
            if any(id(e) in patron for e, _ in members):
                for draft in found:
                    draft.from_patron = True
            drafts += found
        return drafts, self.problems

    def _line_of_uid(self, event: Any) -> int | None:
        uid = str(event.get("UID", "")).strip()
        if not uid:
            return None
        for number, line in enumerate(self.text.splitlines(), start=1):
            if line.upper().startswith("UID") and uid in line:
                return number
        return None

    def _usable(self, event: Any, where: str) -> bool:
        """An event has a start that is a date or a date-time; else it is reported and skipped."""
        if "DTSTART" not in event:
            self.problems.append(Problem(where, "an event without a start (DTSTART)"))
            return False
        for name, what in (("DTSTART", "start"), ("RECURRENCE-ID", "recurrence id")):
            if name not in event:
                continue
            if isinstance(event[name], list):
                self.problems.append(Problem(where, f"more than one {what} ({name})"))
                return False
            try:
                value = event.decoded(name)
            except Exception:  # icalendar marks the property broken and raises on reading it
                value = None
            if not isinstance(value, date):
                self.problems.append(Problem(where, f"a {what} that is not a date: {_raw(event, name)!r}"))
                return False
        return True

    def _occurrences(self, uid: str, members: list[tuple[Any, str]], zones: list[Any]
                     ) -> list[EventDraft]:
        repeating = any("RRULE" in e or "RDATE" in e for e, _ in members)
        if not repeating:  # single events, and overrides whose series is not in the file
            found = []
            for event, where in members:
                recurrence = _instant(event.decoded("RECURRENCE-ID")) if "RECURRENCE-ID" in event else None
                found += self._draft(event, uid, recurrence, where)
            return found
        where = next((w for e, w in members if "RECURRENCE-ID" not in e), members[0][1])
        futile = next((bad for e, _ in members if (bad := _futile(e)) is not None), None)
        if futile is not None:
            self.problems.append(Problem(where, f"event {uid}: {futile}; kept only its first occurrence"))
            return self._first_only(uid, members)
        try:
            bound = _Bound.of([e for e, _ in members if "RRULE" in e], self.window)
            occurrences = _expand([e for e, _ in members], zones, self.window, bound.stop)
        except Exception as exc:  # recurring-ical-events raises many kinds on a broken rule
            self.problems.append(Problem(where, f"cannot work out when it repeats ({_message(exc)})"))
            return []
        if bound.cut is not None or len(occurrences) > self.window.limit:
            kept = min(len(occurrences), self.window.limit)
            self.problems.append(Problem(where, f"event {uid} {bound.cut or _too_many(self.window)}; "
                                                + (f"kept the first {kept:,}" if kept else "skipped")))
        found = []
        for occurrence in occurrences[:self.window.limit]:
            recurrence = occurrence.get("RECURRENCE-ID")
            original = occurrence.decoded("RECURRENCE-ID") if recurrence else occurrence.decoded("DTSTART")
            found += self._draft(occurrence, uid, _instant(original), where)
        return found

    def _first_only(self, uid: str, members: list[tuple[Any, str]]) -> list[EventDraft]:
        """A series whose rule repeats nothing: its first occurrence (DTSTART, keyed as that
        occurrence, so a mended rule later updates it) and its overrides, whatever their date."""
        found: list[EventDraft] = []
        made: set[str] = set()
        for event, where in sorted(members, key=lambda m: "RECURRENCE-ID" not in m[0]):
            original = event.decoded("RECURRENCE-ID" if "RECURRENCE-ID" in event else "DTSTART")
            for draft in self._draft(event, uid, _instant(original), where):
                if draft.source not in made:
                    made.add(draft.source)
                    found.append(draft)
        return found

    def _draft(self, event: Any, uid: str, recurrence: str | None, where: str) -> list[EventDraft]:
        try:
            start = local_time(event.decoded("DTSTART"))
        except (OverflowError, ValueError) as exc:
            self.problems.append(Problem(where, f"a start out of range ({exc})"))
            return []
        return [EventDraft(
            uid=uid, summary=_summary(event.get("SUMMARY")), start=start, where=where,
            recurrence=recurrence, notes=notes_of(event.get("DESCRIPTION")),
            people=list(_people(event)), cancelled=str(event.get("STATUS", "")).upper() == "CANCELLED",
            sequence=_int(event.get("SEQUENCE")),
            private=str(event.get("CLASS", "")).upper() in ("PRIVATE", "CONFIDENTIAL"),
            free=str(event.get("TRANSP", "")).upper() == "TRANSPARENT",
        )]


def _expand(events: list[Any], zones: list[Any], window: Window, stop: datetime) -> list[Any]:
    """The occurrences from the window's start to ``stop``, in time order."""
    import recurring_ical_events
    from icalendar import Calendar

    calendar = Calendar()
    for zone in zones:
        calendar.add_component(zone)
    for event in events:
        calendar.add_component(event)
    found = recurring_ical_events.of(calendar).between(window.since, stop)
    return sorted(found, key=lambda o: _sort_key(o.decoded("DTSTART")))


def _sort_key(value: date) -> datetime:
    return local_time(value) if isinstance(value, datetime) else datetime.combine(value, time())


def _futile(event: Any) -> str | None:
    """Why one of the event's rules repeats nothing (``repeats.futile``), if one does."""
    return next((why for text in rule_texts(event) if (why := futile(text)) is not None), None)


def _too_many(window: Window) -> str:
    return f"repeats more than {window.limit:,} times {window.span()}"


@dataclass(frozen=True)
class _Bound:
    """Where one series' expansion stops, found by walking its rules lazily (dateutil, no
    cache) before recurring-ical-events expands it: at the window's end, or earlier, with
    the reason, when the rules give more than the cap, read too far or cost too much."""

    stop: datetime
    cut: str | None = None

    @classmethod
    def of(cls, events: list[Any], window: Window) -> _Bound:
        bounds = [cls._walk(event, window) for event in events]
        cut = [b for b in bounds if b.cut is not None]
        return min(cut, key=lambda b: b.stop) if cut else cls(window.until)

    @classmethod
    def _walk(cls, event: Any, window: Window) -> _Bound:
        start = event.decoded("DTSTART")
        if not isinstance(start, datetime):
            start = datetime.combine(start, time())
        # recurring-ical-events reads the window's naive times in the event's zone
        since, until = (t.replace(tzinfo=start.tzinfo) for t in (window.since, window.until))
        rules = _rules(event, start)
        reach, began = REACH * window.limit, clock.thread_time()
        inside = 0
        for seen, at in enumerate(heapq.merge(*rules), start=1):
            if at >= until:
                break
            inside += at >= since
            if inside > window.limit:
                return cls(at.replace(tzinfo=None), _too_many(window))
            if seen > reach:
                return cls(at.replace(tzinfo=None), f"repeats more than {reach:,} times from its start "
                                                    f"on {start:%Y-%m-%d} to {window.last:%Y-%m-%d}")
            if clock.thread_time() - began > EXPANSION_CPU:
                return cls(at.replace(tzinfo=None), f"takes more than {EXPANSION_CPU} s to work out "
                                                    "when it repeats")
        return cls(window.until)


def _rules(event: Any, start: datetime) -> list[Iterator[datetime]]:
    """The event's rules as dateutil reads them from its start, UNTIL made to agree with the
    start (dateutil wants UTC beside a zoned start and local beside a floating one)."""
    from dateutil.rrule import rrulestr

    found = []
    for text in rule_texts(event):
        until = _UNTIL.search(text)
        if until is not None:
            text = _UNTIL.sub(_until(until.group(0)[6:], start), text)
        found.append(iter(rrulestr(text, dtstart=start, cache=False)))
    return found


def _until(text: str, start: datetime) -> str:
    value = text.strip().upper()
    moment = datetime.strptime(value[:15], "%Y%m%dT%H%M%S") if "T" in value else \
        datetime.strptime(value[:8], "%Y%m%d")
    if start.tzinfo is None:
        return f"UNTIL={moment:%Y%m%dT%H%M%S}"
    moment = moment.replace(tzinfo=UTC if value.endswith("Z") else start.tzinfo)
    return f"UNTIL={moment.astimezone(UTC):%Y%m%dT%H%M%S}Z"


def _uid(event: Any) -> str:
    """The event's UID; one made from its start and summary where it has none (so the same
    event read again is the same meeting)."""
    uid = clean(str(event.get("UID", "")))
    if uid:
        return uid[:400]
    seed = f"{_raw(event, 'DTSTART')}|{event.get('SUMMARY', '')}"
    return "no-uid-" + hashlib.sha1(seed.encode()).hexdigest()[:16]


def _raw(event: Any, name: str) -> str:
    value = event.get(name)
    try:
        return str(value.to_ical().decode()) if hasattr(value, "to_ical") else str(value)
    except Exception:  # a broken property may not even write itself back
        return str(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def local_time(value: date) -> datetime:
    """A start as Patron stores it: aware times in this machine's zone, floating times as
    written, dates at 00:00."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time())
    if value.tzinfo is None:
        return value
    return value.astimezone().replace(tzinfo=None)


def _instant(value: Any) -> str:
    """An occurrence's original start, the same on every machine: UTC, floating or a date."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat(timespec="seconds")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    raise ValueError(f"not a date: {value!r}")


def clean(text: str) -> str:
    """Text as Patron keeps it: no control characters (PostgreSQL refuses NUL), trimmed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _summary(value: Any) -> str:
    text = " ".join(clean(str(value or "")).split())
    return _cut(text, SUMMARY_LIMIT) if text else UNTITLED


def notes_of(value: Any) -> str | None:
    """The description, cut after ``NOTES_LIMIT`` characters at a word's end (meeting
    invitations carry pages of dial-in boilerplate)."""
    text = clean(str(value or ""))
    return _cut(text, NOTES_LIMIT) or None


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + "…"


def _people(event: Any) -> Iterator[Attendee]:
    for name, role in (("ORGANIZER", "organiser"), ("ATTENDEE", "attendee")):
        values = event.get(name)
        for value in values if isinstance(values, list) else [values] if values is not None else []:
            address = str(value).strip()
            if address.lower().startswith("mailto:"):
                address = address[7:]
            params = getattr(value, "params", {})
            common = clean(str(params.get("CN", ""))).strip('"')[:NAME_LIMIT] or None
            declined = str(params.get("PARTSTAT", "")).upper() == "DECLINED"
            resource = str(params.get("CUTYPE", "")).upper() in ("ROOM", "RESOURCE")
            yield Attendee(address.strip(), common, role, declined, resource)


# --- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    """An interaction as the export writes it."""

    ident: int
    source: str | None
    summary: str
    start: datetime
    notes: str | None
    people: list[Attendee]


def event_uid(meeting: Meeting) -> tuple[str, str | None]:
    """The UID an interaction is written with (the one it came with, else one made from its
    id) and the original start of the occurrence it is."""
    if meeting.source and meeting.source.startswith(SOURCE):
        uid = meeting.source.removeprefix(SOURCE)
        repeated = _RECURRENCE.fullmatch(uid)
        return (repeated.group(1), repeated.group(2)) if repeated else (uid, None)
    return f"patron-interaction-{meeting.ident}@patron", None


def own_interaction(uid: str) -> int | None:
    """The interaction an event of Patron's own export stands for."""
    found = OWN_UID.fullmatch(uid)
    return int(found.group(1)) if found else None


def calendar(meetings: Iterable[Meeting], now: datetime) -> str:
    """The meetings as one VCALENDAR; a meeting at 00:00 is written as an all-day event."""
    from icalendar import Calendar, Event, vCalAddress

    out = Calendar()
    out.add("prodid", PRODID)
    out.add("version", "2.0")
    stamp = now.astimezone(UTC)
    for meeting in meetings:
        event = Event()
        uid, recurrence = event_uid(meeting)
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", _written(meeting.start))
        if recurrence:
            event.add("recurrence-id", _recurrence(recurrence))
        event.add("summary", _summary(meeting.summary))  # as an import reads it back
        if meeting.notes and clean(meeting.notes):
            event.add("description", clean(meeting.notes))
        for person in meeting.people:
            address = vCalAddress(f"mailto:{person.address}")
            if person.name:
                address.params["CN"] = person.name
            event.add("organizer" if person.role == "organiser" else "attendee", address)
        out.add_component(event)
    return str(out.to_ical().decode("utf-8"))


def _written(start: datetime) -> date | datetime:
    return start.date() if start.time() == time() else start


def _recurrence(text: str) -> date | datetime:
    if len(text) == 10:
        return date.fromisoformat(text)
    if text.endswith("Z"):
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    return datetime.fromisoformat(text)
