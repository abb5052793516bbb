"""Spreadsheets (CSV) of people, asks, interactions or time entries: decoding, the delimiter, the header.

A file is read as UTF-8 (a byte-order mark is fine; UTF-16 with its mark too); a file
that is not UTF-8 is read as Windows-1252, the encoding spreadsheet programs and
Outlook write on Windows, and the caller is told so. The delimiter is sniffed
(comma, semicolon, tab or bar). Columns are matched to Patron's fields by their
header, case, spaces and punctuation aside, with the usual synonyms and the
contact exports of Google, Outlook, Thunderbird and Yahoo; ``--map`` completes or
overrides the guess. No SQL here: rows come out as text per field, with where
each cell was, and the service reads the values.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from patron.domain.addresses import normal_address
from patron.errors import InvalidInput
from patron.importers.base import Reading

# --- what each table's columns can be ---------------------------------------------------------

# field -> header patterns (normalised: lower case, letters and digits only)
_PEOPLE: dict[str, str] = {
    "name": r"name|fullname|displayname|contactname",
    "first": r"first|firstname|givenname",
    "middle": r"middle|middlename|additionalname",
    "last": r"last|lastname|familyname|surname",
    "emails": r"(primary|secondary|alternate|other|work|home|business|personal)?e?mail(address)?"
              r"s?\d*(value|address)?",
    "organisation": r"organi[sz]ation|org|company|employer|organi[sz]ation\d*name|companyname",
    "title": r"title|jobtitle|position|organi[sz]ation\d*title",
    "phones": r"(business|work|home|mobile|cell|other|primary|main|companymain|car)?"
              r"(phone|telephone|tel|mobile|cell)(number)?s?\d*(value|number)?",
    "notes": r"notes?|comments?",
}
_ASKS: dict[str, str] = {
    "title": r"title|ask|task|subject|summary|description|todo",
    "requester": r"requester|from|requestedby|askedby|requestor",
    "engagement": r"engagement|project|client|account",
    "status": r"status|state",
    "due": r"due|dueat|duedate|deadline|dueon|dueby",
    "effort": r"effort|efforthours|estimate|hours",
    "value": r"value|priority|importance",
    "tags": r"tags?|labels?|contexts?",
    "asked": r"asked|askedat|askedon|created|createdat|createdon|entry|datecreated",
    "done": r"done|doneat|completed|completedat|completedon|completiondate|finished",
    "deliverable": r"deliverable",
    "goal": r"goal",
    "annotations": r"annotations?",
    "notes": r"notes?|comments?",
    "source": r"source|sourcekey",
}
_INTERACTIONS: dict[str, str] = {
    "summary": r"summary|subject|title|topic|what",
    "kind": r"kind|type",
    "at": r"at|occurredat|when|date|datetime|time|start|startdate",
    "engagement": r"engagement|project|client|account",
    "participants": r"participants?|with|attendees?|people|who|contacts?",
    "direction": r"direction",
    "sentiment": r"sentiment|mood",
    "notes": r"notes?|comments?",
    "source": r"source|sourcekey",
}
# Time sheets as Harvest, Toggl, Clockify and hand-made ones write them: a day and a start
# (apart or together), a length (a duration, or hours and/or minutes), the engagement, a note.
_TIME: dict[str, str] = {
    "start": r"start|started|startedat|starttime|startdatetime|from|begin|at|when|datetime",
    "date": r"date|day|startdate|workdate|spentdate|spenton|on",
    "duration": r"duration|durationhhmmss|durationh|time|timespent|spent|length|elapsed",
    "hours": r"hours?|hrs|h|durationdecimal|hoursdecimal|decimalhours|durationhdecimal",
    "minutes": r"minutes|mins?|m",
    "engagement": r"engagement|project|client|account|customer|job",
    "boss": r"boss|bosskind",
    "note": r"notes?|description|comments?|task|what|summary|activity",
}
FIELDS: dict[str, dict[str, re.Pattern[str]]] = {
    table: {name: re.compile(pattern) for name, pattern in patterns.items()}
    for table, patterns in (("people", _PEOPLE), ("asks", _ASKS), ("interactions", _INTERACTIONS),
                            ("time", _TIME))
}
"""The fields of each table a column can fill, in the order ``export csv`` writes them."""

LISTS = frozenset({"emails", "phones", "tags", "annotations", "participants"})
"""Fields holding several values: every column mapped to them adds to the list."""

REQUIRED = {"people": ("name", "first", "last", "emails"), "asks": ("title",),
            "interactions": ("summary",), "time": ("duration", "hours", "minutes")}
"""A table's rows are read only when one of these fields has a column."""

ALIASES = {"organization": "organisation", "org": "organisation", "company": "organisation",
           "email": "emails", "phone": "phones", "tag": "tags", "with": "participants",
           "participant": "participants", "due_at": "due", "created_at": "asked",
           "done_at": "done", "effort_hours": "effort", "occurred_at": "at",
           "requester_id": "requester", "from": "requester", "engagement_id": "engagement",
           "annotation": "annotations", "started_at": "start",
           "boss_kind": "boss", "ignore": ""}
"""Names ``--map`` also takes for a field (record field names and option names)."""


def normal_header(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


# --- the file ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Cell:
    """One value and where it was."""

    column: str
    text: str


@dataclass(slots=True)
class Row:
    line: int
    cells: dict[str, list[Cell]] = field(default_factory=dict)

    def text(self, name: str) -> Cell | None:
        """The first non-empty cell of a one-value field."""
        for cell in self.cells.get(name, ()):
            if cell.text.strip():
                return cell
        return None

    def items(self, name: str) -> list[Cell]:
        """Every value of a list field, each cell split into its items."""
        return [Cell(c.column, item) for c in self.cells.get(name, []) for item in split_list(c.text)]

    def has(self, name: str) -> bool:
        return name in self.cells


@dataclass
class Sheet:
    table: str
    mapping: dict[str, str]          # column -> field ('' for an ignored column)
    rows: list[Row]
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._fields = frozenset(self.mapping.values())  # asked for every cell of every row

    def mapped(self, name: str) -> bool:
        return name in self._fields

    def mapping_line(self) -> str:
        used = ", ".join(f"{c} -> {f}" for c, f in self.mapping.items() if f)
        ignored = [c for c, f in self.mapping.items() if not f]
        return f"columns: {used}" + (f"; ignored: {', '.join(ignored)}" if ignored else "")

    def reading(self) -> Reading[Row]:
        """The rows as an import's drafts; the notes say how the file was decoded (when it
        was not UTF-8) and how its columns were mapped."""
        return Reading(self.rows, total=len(self.rows), notes=[*self.notes, self.mapping_line()])


def load(raw: bytes, table: str, source: str, overrides: Sequence[str] = ()) -> Sheet:
    """A file's bytes read as a sheet of ``table``: decoded, its delimiter sniffed, its
    columns mapped (``--map`` first); the decoding's note kept with it."""
    text, notes = decode(raw)
    sheet = read(text, table, source, overrides)
    sheet.notes[:0] = notes
    return sheet


def decode(raw: bytes) -> tuple[str, list[str]]:
    """The text of a file and, when it was not UTF-8, a note saying how it was read."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), []
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        try:
            text = raw.decode("cp1252")
            encoding = "Windows-1252"
        except UnicodeDecodeError:
            text, encoding = raw.decode("latin-1"), "Latin-1"
    return text, [f"not UTF-8 (first at line {line}); read as {encoding}: check accented names, "
                  "or save the file as UTF-8"]


def delimiter(text: str) -> str:
    """The delimiter csv.Sniffer finds, checked against the header line."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in ",;\t|"}
    try:
        found = csv.Sniffer().sniff("\n".join(text.splitlines()[:50]), delimiters=",;\t|").delimiter
    except csv.Error:
        found = ""
    if counts.get(found):
        return found
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read(text: str, table: str, source: str, overrides: Sequence[str] = ()) -> Sheet:
    """The rows of a CSV text, each cell filed under the field its column maps to."""
    if table not in FIELDS:
        raise InvalidInput(f"no table {table!r}; choose {', '.join(FIELDS)}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput(f"{source}: an empty file, with no header line") from None
    except csv.Error as exc:
        raise InvalidInput(f"{source}: line 1: {exc}") from None
    header = [h.strip() for h in header]
    mapping = guess(table, header)
    mapping.update(parse_overrides(table, header, overrides, source))
    _check_required(table, mapping, source)
    rows: list[Row] = []
    line = reader.line_num
    plan = [(i, column, mapping[column]) for i, column in enumerate(header) if mapping.get(column)]
    try:
        for values in reader:
            start, line = line + 1, reader.line_num
            if any(v.strip() for v in values):
                rows.append(_row(start, plan, values))
    except csv.Error as exc:
        raise InvalidInput(f"{source}: line {reader.line_num}: {exc}") from None
    return Sheet(table, mapping, rows)


def _row(line: int, plan: list[tuple[int, str, str]], values: list[str]) -> Row:
    """A row's mapped cells: ``plan`` is each mapped column's place, header and field. A short
    row's missing cells are empty."""
    row = Row(line)
    cells = row.cells
    count = len(values)
    for place, column, name in plan:
        cell = Cell(column, values[place] if place < count else "")
        if name in cells:
            cells[name].append(cell)
        else:
            cells[name] = [cell]
    return row


def guess(table: str, header: Sequence[str]) -> dict[str, str]:
    """Column -> field for each column whose header names a field ('' for the others)."""
    patterns = FIELDS[table]
    out: dict[str, str] = {}
    for column in header:
        normal = normal_header(column)
        out[column] = next((name for name, p in patterns.items() if p.fullmatch(normal)), "")
    titles = [c for c, name in out.items() if name == "title"]
    if table == "people" and len(titles) > 1:  # Outlook's "Title" is Mr or Dr; "Job Title" wins
        for column in titles:
            if normal_header(column) == "title":
                out[column] = ""
    return out


def parse_overrides(table: str, header: Sequence[str], overrides: Sequence[str],
                    source: str) -> dict[str, str]:
    """``--map COLUMN=FIELD`` pairs, each checked: the column is in the file, the field exists."""
    out: dict[str, str] = {}
    by_normal = {normal_header(h): h for h in header}
    for pair in overrides:
        column, sep, name = pair.partition("=")
        if not sep:
            raise InvalidInput(f"--map {pair!r}: give it as COLUMN=FIELD")
        found = column.strip() if column.strip() in header else by_normal.get(normal_header(column))
        if found is None:
            raise InvalidInput(f"--map {pair!r}: {source} has no column {column.strip()!r} "
                               f"(it has {', '.join(header)})")
        wanted = name.strip().lower().replace("-", "_")
        wanted = ALIASES.get(wanted, wanted)
        if wanted and wanted not in FIELDS[table]:
            raise InvalidInput(f"--map {pair!r}: {table} have no field {name.strip()!r} "
                               f"(fields: {', '.join(FIELDS[table])})")
        out[found] = wanted
    return out


def _check_required(table: str, mapping: Mapping[str, str], source: str) -> None:
    needed = REQUIRED[table]
    if not any(name in mapping.values() for name in needed):
        raise InvalidInput(f"{source}: no column for the {' or '.join(needed)} of {table}; "
                           f"name one with --map COLUMN={needed[0]}")


# --- cells -----------------------------------------------------------------------------------


def split_list(text: str) -> list[str]:
    """A cell holding several values: a JSON list (as ``export csv`` writes a list whose items
    hold separators), else items separated by semicolons, commas or line breaks."""
    return list(_split(text))


@functools.lru_cache(maxsize=4096)  # a sheet's tags and people repeat from row to row
def _split(text: str) -> tuple[str, ...]:
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            parsed = json.loads(stripped)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(i, str) for i in parsed):
            return tuple(parsed)
    return tuple(item.strip() for item in _SEPARATORS.split(text) if item.strip())


_SEPARATORS = re.compile(r"[;,\n]| ::: ")


def join_list(items: Sequence[str]) -> str:
    """The cell ``split_list`` reads back as these items."""
    plain = all(i and i == i.strip() and not re.search(r"[;,\n\r]", i) for i in items)
    if plain and not (items and items[0].startswith("[")):
        return "; ".join(items)
    return json.dumps(list(items), ensure_ascii=False)


_NAMED = re.compile(r"(?P<name>.*?)\s*<(?P<address>[^<>\s]+)>\s*")


def person_ref(text: str) -> tuple[str | None, str | None]:
    """(name, address) from 'Helen Brandt <helen@x.com>', 'helen@x.com' or 'Helen Brandt'."""
    text = text.strip()
    named = _NAMED.fullmatch(text)
    if named and normal_address(named["address"]):
        name = named["name"].strip().strip('"').strip() or None
        return name, normal_address(named["address"])
    if " " not in text and normal_address(text):
        return None, normal_address(text)
    return text or None, None


def show_person(name: str, address: str | None) -> str:
    """How a sheet names a person: 'Name <address>' or the name alone."""
    return f"{name} <{address}>" if address else name
