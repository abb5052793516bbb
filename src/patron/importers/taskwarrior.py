"""Taskwarrior's JSON (``task export`` / ``task import``), read and written.

The mapping (docs/taskwarrior.md):

| Taskwarrior | Patron |
| --- | --- |
| uuid | the ask's source, ``taskwarrior:<uuid>`` (a re-import updates, never duplicates) |
| description | title |
| project | engagement (created as a client engagement when new) |
| priority H / M / L | value 5 / 3 / 1 (export: 4-5 H, 2-3 M, 1 L) |
| due, entry, end | due, asked, done (UTC in Taskwarrior, local time in Patron) |
| status pending / waiting / completed / deleted | open / waiting / done / declined |
| start (active) | doing |
| tags | tags |
| depends | depends on |
| annotations | annotations (their own timestamps are not kept) |
| UDA requester, effort | who asked, effort in hours |

Recurring templates (status recurring) are skipped: their instances come as
tasks of their own.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from patron.errors import InvalidInput
from patron.importers.base import Problem

SOURCE = "taskwarrior:"
NAMESPACE = uuid.UUID("9f0c8a52-7d1e-4c55-a0f4-2d6b8f1e3c77")
PRIORITY_VALUE = {"H": 5, "M": 3, "L": 1}
STATUS = {"pending": "open", "waiting": "waiting", "completed": "done", "deleted": "declined"}


@dataclass
class TaskDraft:
    uuid: str
    title: str
    status: str
    created_at: datetime | None = None
    due_at: datetime | None = None
    done_at: datetime | None = None
    value: int | None = None
    project: str | None = None
    requester: str | None = None
    effort_hours: float | None = None
    tags: list[str] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)
    depends: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return SOURCE + self.uuid


def parse(text: str, source: str) -> tuple[list[TaskDraft], list[Problem]]:
    """Drafts from a ``task export`` document (a JSON array, or one object a line)."""
    tasks, problems = _records(text, source)
    drafts: list[TaskDraft] = []
    for where, task in tasks:
        try:
            draft = _draft(task)
        except (InvalidInput, KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(where, _reason(exc)))
            continue
        if draft is not None:
            drafts.append(draft)
        else:
            problems.append(Problem(where, "a recurring template; its instances are imported"))
    return drafts, problems


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]}"
    return str(exc)


def _records(text: str, source: str) -> tuple[list[tuple[str, Any]], list[Problem]]:
    stripped = text.strip()
    if not stripped:
        return [], []
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{source}: not Taskwarrior JSON (line {exc.lineno}, column "
                               f"{exc.colno}: {exc.msg})") from None
        return [(f"{source}: record {i}", task) for i, task in enumerate(data, start=1)], []
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError:  # not one document: one task a line
        whole = _LINES
    if isinstance(whole, dict):  # one task, maybe spread over lines
        first = text[: len(text) - len(text.lstrip())].count("\n") + 1
        return [(f"{source}: line {first}", whole)], []
    if whole is not _LINES:
        raise InvalidInput(f"{source}: not Taskwarrior JSON: {_kind(whole)}, where 'task export' "
                           "writes a list of tasks")
    found: list[tuple[str, Any]] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append((f"{source}: line {number}", json.loads(line.rstrip(","))))
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"{source}: line {number}", f"not JSON ({exc.msg})"))
    return found, problems


_LINES = object()
"""Marks a text that is no single JSON document, so one task a line."""


def _kind(value: Any) -> str:
    """What a JSON document other than a list or an object is, as a person would say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return json.dumps(value)
    return "a string" if isinstance(value, str) else "a number"


def _draft(task: Any) -> TaskDraft | None:
    if not isinstance(task, dict):
        raise InvalidInput("not a task object")
    status = str(task.get("status", "pending"))
    if status == "recurring":
        return None
    if status not in STATUS:
        raise InvalidInput(f"unknown status {status!r}")
    description = task["description"]
    if not isinstance(description, str) or not description.strip():
        raise InvalidInput("an empty description")
    ask_status = str(task.get("patron_status") or STATUS[status])
    if ask_status == "open" and task.get("start"):
        ask_status = "doing"
    return TaskDraft(
        uuid=str(uuid.UUID(str(task["uuid"]))),
        title=description.strip(),
        status=ask_status,
        created_at=_moment(task.get("entry")),
        due_at=_moment(task.get("due")),
        done_at=_moment(task.get("end")) if ask_status in ("done", "declined") else None,
        value=PRIORITY_VALUE.get(str(task.get("priority", "")).upper()),
        project=_text(task.get("project")),
        requester=_text(task.get("requester")),
        effort_hours=_effort(task.get("effort")),
        tags=[str(t) for t in _listed(task, "tags") if str(t).strip()],
        annotations=[str(a.get("description", "")) for a in _listed(task, "annotations")
                     if isinstance(a, dict) and a.get("description")],
        depends=_depends(task.get("depends")),
    )


def _listed(task: dict[str, Any], key: str) -> list[Any]:
    """A list field: missing or null is empty, one string is one item, anything else is refused."""
    value = task.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if key == "tags" else []
    if not isinstance(value, list):
        raise InvalidInput(f"{key} must be a list, not {value!r}")
    return value


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _effort(value: Any) -> float | None:
    if value in (None, ""):
        return None
    hours = float(value)
    if not 0 <= hours <= 10000:
        raise InvalidInput(f"effort {value!r} is out of range")
    return hours


def _depends(value: Any) -> list[str]:
    """A list of uuids (2.6) or one comma-separated string (2.5 and older)."""
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(uuid.UUID(str(item).strip())) for item in items]


def _moment(value: Any) -> datetime | None:
    """Taskwarrior's UTC stamps (20261201T000000Z) as Patron's local wall-clock time."""
    if value in (None, ""):
        return None
    text = str(value)
    try:
        if len(text) == 16 and text.endswith("Z"):
            when = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a Taskwarrior date") from None
    return when.astimezone().replace(tzinfo=None)


# --- writing -------------------------------------------------------------------------------


def task_uuid(ask_id: int, source: str | None) -> str:
    """The ask's Taskwarrior uuid: the one it came with, else one derived from its id."""
    if source and source.startswith(SOURCE):
        return source.removeprefix(SOURCE)
    return str(uuid.uuid5(NAMESPACE, f"ask-{ask_id}"))


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def to_task(ask: dict[str, Any], uuids: dict[int, str]) -> dict[str, Any]:
    """One ask as a Taskwarrior task (the inverse of ``_draft`` where the format allows)."""
    status = ask["status"]
    task: dict[str, Any] = {
        "uuid": uuids[ask["id"]],
        "description": ask["title"],
        "status": {"done": "completed", "declined": "deleted"}.get(status, "pending"),
        "entry": stamp(ask["created_at"]),
    }
    if status == "waiting":
        task["patron_status"] = "waiting"
    if status == "doing":
        task["start"] = stamp(ask["created_at"])
    if ask.get("done_at") and status in ("done", "declined"):
        task["end"] = stamp(ask["done_at"])
    if ask.get("due_at"):
        task["due"] = stamp(ask["due_at"])
    if ask.get("engagement"):
        task["project"] = ask["engagement"]
    value = ask.get("value")
    if value:
        task["priority"] = "H" if value >= 4 else "M" if value >= 2 else "L"
    if ask.get("requester"):
        task["requester"] = ask["requester"]
    if ask.get("effort_hours") is not None:
        task["effort"] = ask["effort_hours"]
    if ask.get("tags"):
        task["tags"] = list(ask["tags"])
    if ask.get("depends_on"):
        task["depends"] = [uuids[d["id"]] for d in ask["depends_on"]]
    if ask.get("annotations"):
        task["annotations"] = [{"entry": stamp(ask["created_at"]), "description": text}
                               for text in ask["annotations"]]
    return task
