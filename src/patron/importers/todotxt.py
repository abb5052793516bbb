"""todo.txt (http://todotxt.org), read and written: one task a line.

The mapping (README, "todo.txt"):

| todo.txt | Patron |
| --- | --- |
| ``x`` and its completion date | status done, done date |
| ``(A)`` ... ``(E)`` (``pri:A`` on a done task) | value 5, 4, 3, 2, 1 (F to Z: 1 too) |
| creation date | asked |
| the text, less the tokens below | title |
| first ``+project`` | engagement (created when new; ``_`` stands for a space) |
| further ``+project`` | a tag ``+project`` |
| ``@context`` | a tag ``context`` |
| ``due:2026-12-01`` (or ``due:2026-12-01T17:00``) | due |
| ``status:doing`` / ``waiting`` / ``declined`` | that status (Patron's own key) |
| any other ``key:value`` (``rec:1w``, ``t:2026-11-20``) | a tag ``key:value``, written back as it was |

A task's key (its source, ``todotxt:<hash>``) is made from its title, project and
creation date only, so marking it done, changing its priority, due date or
contexts updates the same ask.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from patron.errors import InvalidInput
from patron.importers.base import Problem

SOURCE = "todotxt:"
VALUE_OF = {"A": 5, "B": 4, "C": 3, "D": 2}
LETTER_OF = {5: "A", 4: "B", 3: "C", 2: "D", 1: "E"}
STATUSES = ("open", "doing", "waiting", "done", "declined")
RESERVED = ("due", "pri", "status")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PRIORITY = re.compile(r"\(([A-Z])\)")
_KEY_VALUE = re.compile(r"([A-Za-z][\w-]*):([^\s:/][^\s:]*)")


@dataclass
class TodoDraft:
    line: int
    title: str
    status: str
    done_on: date | None = None
    created_on: date | None = None
    value: int | None = None
    project: str | None = None
    due_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    source: str = ""

    def identity(self) -> str:
        """What names the task whatever becomes of it: title, project, creation date."""
        parts = [self.title, self.project or "", self.created_on.isoformat() if self.created_on else ""]
        return hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:16]


def parse(text: str, source: str) -> tuple[list[TodoDraft], list[Problem]]:
    """Drafts from a todo.txt file; a line that cannot be read is a Problem."""
    drafts: list[TodoDraft] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            draft = read_line(line, number)
        except InvalidInput as exc:
            problems.append(Problem(f"{source}: line {number}", str(exc)))
            continue
        key = draft.identity()
        seen[key] = seen.get(key, 0) + 1
        draft.source = SOURCE + key + (f"-{seen[key]}" if seen[key] > 1 else "")
        drafts.append(draft)
    return drafts, problems


def read_line(line: str, number: int = 1) -> TodoDraft:
    words = line.split()
    draft = TodoDraft(number, "", "open")
    if words[0] == "x":
        draft.status = "done"
        words = words[1:]
        words = _priority(draft, words)
        if words and _DATE.fullmatch(words[0]):
            draft.done_on, words = _day(words[0]), words[1:]
    words = _priority(draft, words)
    if words and _DATE.fullmatch(words[0]):
        draft.created_on, words = _day(words[0]), words[1:]
    words = _priority(draft, words)
    title = [w for w in words if not _token(draft, w)]
    draft.title = " ".join(title)
    if not draft.title:
        raise InvalidInput("a task with no description")
    return draft


def _priority(draft: TodoDraft, words: list[str]) -> list[str]:
    if words and draft.value is None and _PRIORITY.fullmatch(words[0]):
        draft.value = VALUE_OF.get(words[0][1], 1)
        return words[1:]
    return words


def _token(draft: TodoDraft, word: str) -> bool:
    """Take a +project, @context or key:value into the draft; False for a word of the title."""
    if word.startswith("+") and len(word) > 1:
        if draft.project is None:
            draft.project = word[1:]
        else:
            draft.tags.append(word)
        return True
    if word.startswith("@") and len(word) > 1:
        draft.tags.append(word[1:])
        return True
    if word.lower().startswith("due:") and len(word) > 4:  # a time of day has a colon too
        draft.due_at = _moment(word[4:])
        return True
    pair = _KEY_VALUE.fullmatch(word)
    if pair is None:
        return False
    key, value = pair[1].lower(), pair[2]
    if key == "pri" and _PRIORITY.fullmatch(f"({value.upper()})"):
        draft.value = draft.value or VALUE_OF.get(value.upper(), 1)
    elif key == "status" and value.lower() in STATUSES:
        draft.status = value.lower()
    else:
        draft.tags.append(word)
    return True


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a real date") from None


def _moment(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text if "T" in text else date.fromisoformat(text).isoformat())
    except ValueError:
        raise InvalidInput(f"due:{text} is not a date (due:2026-12-01)") from None
    return when.replace(tzinfo=None, second=0, microsecond=0)


# --- writing -------------------------------------------------------------------------------


def to_line(ask: dict[str, Any]) -> str:
    """One ask as a todo.txt line (the inverse of ``read_line`` where the format allows)."""
    status, value = ask["status"], ask.get("value")
    created = ask["created_at"].date().isoformat()
    parts: list[str] = []
    if status in ("done", "declined"):
        done = ask.get("done_at") or ask["created_at"]
        parts += ["x", done.date().isoformat(), created]
    else:
        if value:
            parts.append(f"({LETTER_OF[value]})")
        parts.append(created)
    parts.append(" ".join(ask["title"].split()))
    if ask.get("engagement"):
        parts.append("+" + "_".join(ask["engagement"].split()))
    parts += [_tag(t) for t in ask.get("tags") or []]
    if ask.get("due_at"):
        due = ask["due_at"]
        parts.append("due:" + (due.date().isoformat() if due.time() == datetime.min.time()
                               else due.isoformat(timespec="minutes")))
    if status in ("done", "declined") and value:
        parts.append(f"pri:{LETTER_OF[value]}")
    if status not in ("open", "done"):
        parts.append(f"status:{status}")
    return " ".join(parts)


def _tag(tag: str) -> str:
    tag = "_".join(tag.split())
    pair = _KEY_VALUE.fullmatch(tag)
    if (tag.startswith("+") and len(tag) > 1) or (pair and pair[1].lower() not in RESERVED):
        return tag
    return "@" + tag
