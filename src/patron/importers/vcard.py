"""Address books (vCard 2.1, 3.0 and 4.0), read into card drafts and written as vCard 3.0.

A file is first cut into cards by its ``BEGIN:VCARD`` / ``END:VCARD`` lines,
each remembering the line it starts on, so that one broken card is reported
where it is and spoils nothing else. Each line is decoded on its own: UTF-8,
else the ``CHARSET`` the line names (vCard 2.1 address books are often
Latin-1). Only the properties Patron keeps (FN, N, EMAIL, ORG, TITLE, TEL,
NOTE, UID, BDAY, ANNIVERSARY and X-ANNIVERSARY, in or out of a group like
``item1.EMAIL``) go on to ``vobject``, so a damaged photo never costs the card,
and a birthday that names no day is left out rather than refuse the card. ``vobject``
unfolds lines and decodes quoted-printable and escapes; a line it refuses is
named in the problem.

``reading`` gives the import use case a source's cards as drafts, read as they
are stored; a card whose fingerprint (its lines) the caller kept from an
earlier read is thawed from what it gave then instead of read again.

Writing uses vCard 3.0: every address book reads it (Apple, Google,
Thunderbird, khard, Outlook), and ``vobject`` writes it natively.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import vobject  # type: ignore[import-untyped]

from patron.domain import anniversaries
from patron.domain.addresses import display_name, normal_address
from patron.errors import InvalidInput
from patron.importers.base import Problem, Reading

SUFFIXES = (".vcf", ".vcard")
KEPT = frozenset({"VERSION", "FN", "N", "EMAIL", "ORG", "TITLE", "TEL", "NOTE", "UID", "BDAY",
                  "ANNIVERSARY", "X-ANNIVERSARY"})
MAX_NAME = 200
UID_PREFIX = "patron-person-"

_PHYSICAL = re.compile(rb"\r\n|\r|\n")
_PROPERTY = re.compile(r"(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
_CHARSET = re.compile(r";\s*CHARSET=\"?([A-Za-z0-9_.-]+)", re.IGNORECASE)
_QP = re.compile(r";\s*(?:ENCODING=)?QUOTED-PRINTABLE\s*[;:]", re.IGNORECASE)
_BASE64 = re.compile(r";\s*(?:ENCODING=)?(?:BASE64|B)\s*[;:]", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # never text; some steer terminals


@dataclass(frozen=True)
class Chunk:
    """One card's lines as they stand in the file, and where it starts."""

    source: str
    line: int
    lines: list[bytes]

    @property
    def where(self) -> str:
        return f"{self.source}: line {self.line}"


@dataclass
class CardDraft:
    """What Patron keeps of one card."""

    where: str
    name: str
    emails: list[str] = field(default_factory=list)
    organisation: str | None = None
    title: str | None = None
    phones: list[str] = field(default_factory=list)
    notes: str | None = None
    uid: str | None = None
    birthday: date | None = None      # year 1604 when the card gives none (--0415)
    anniversary: date | None = None
    named: bool = True  # False when the name was made from the first address
    file: str = ""  # the file it came from, as named in messages
    card: str = ""  # the fingerprint of the card's lines (``fingerprint``)


# --- finding cards ------------------------------------------------------------------------


def files(path: Path) -> list[Path]:
    """The address book files at ``path``: the file itself, or every .vcf/.vcard file under a
    folder (as khard and vdirsyncer keep them, one card a file), in name order."""
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def chunks(data: bytes, source: str) -> tuple[list[Chunk], list[Problem]]:
    """The cards of one file, each with the line its BEGIN:VCARD stands on; text between cards
    is ignored, and a card that never ends is a problem."""
    data = _text_bytes(data)
    found: list[Chunk] = []
    problems: list[Problem] = []
    start: int | None = None
    lines: list[bytes] = []
    for number, line in enumerate(_PHYSICAL.split(data), start=1):
        marker = line.strip().upper()
        if marker == b"BEGIN:VCARD":
            if start is not None:
                problems.append(Problem(f"{source}: line {start}", "no END:VCARD before the next card"))
            start, lines = number, []
        elif start is not None and marker == b"END:VCARD":
            found.append(Chunk(source, start, lines))
            start = None
        elif start is not None:
            lines.append(line)
    if start is not None:
        problems.append(Problem(f"{source}: line {start}", "the file ends inside this card (no END:VCARD)"))
    return found, problems


def _text_bytes(data: bytes) -> bytes:
    """UTF-8 bytes whatever the file's Unicode form (Outlook writes UTF-16 with a mark)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return data
    return data.removeprefix(codecs.BOM_UTF8)


# --- reading a source -----------------------------------------------------------------------


def reading(chunks: list[Chunk], problems: list[Problem],
            kept: Mapping[str, list[Any]] | None = None) -> Reading[CardDraft]:
    """The drafts of these cards, read as they are stored (so a progress bar moves); a card
    that cannot be read is a problem, added to the reading's as it is met. ``kept`` holds
    what cards read before gave, by ``fingerprint`` (``frozen``): such a card is not read
    again, since reading is pure and gives the same draft."""
    found: Reading[CardDraft] = Reading([], list(problems), total=len(chunks))
    found.drafts = _drafts(chunks, kept or {}, found.problems)
    return found


def _drafts(chunks: list[Chunk], kept: Mapping[str, list[Any]], problems: list[Problem],
            ) -> Iterator[CardDraft]:
    for chunk in chunks:
        mark = fingerprint(chunk)
        frozen = kept.get(mark)
        if frozen is not None:
            yield thawed(frozen, chunk, mark)
            continue
        try:
            draft = read(chunk)
        except InvalidInput as exc:
            problems.append(Problem(chunk.where, str(exc)))
            continue
        draft.file, draft.card = chunk.source, mark
        yield draft


def fingerprint(chunk: Chunk) -> str:
    """What a card's draft depends on: its lines, whatever line it starts on and whatever
    ends its lines (the file's name and the line are only in messages)."""
    return hashlib.blake2b(b"\n".join(chunk.lines), digest_size=16).hexdigest()


def frozen(draft: CardDraft) -> list[Any]:
    """A draft as JSON, without where it was (``thawed`` puts that back)."""
    return [draft.name, draft.emails, draft.organisation, draft.title, draft.phones, draft.notes,
            draft.uid, draft.named]


def thawed(values: list[Any], chunk: Chunk, mark: str) -> CardDraft:
    name, emails, organisation, title, phones_, notes, uid, named = values
    return CardDraft(where=chunk.where, name=name, emails=list(emails), organisation=organisation,
                     title=title, phones=list(phones_), notes=notes, uid=uid, named=named,
                     file=chunk.source, card=mark)


# --- reading one card ---------------------------------------------------------------------


def read(chunk: Chunk) -> CardDraft:
    """The draft of one card; InvalidInput (saying which line) when it cannot be read."""
    properties = _kept(chunk)
    card = _vobject_card(chunk, properties)
    return _draft(chunk.where, card)


def _kept(chunk: Chunk) -> list[tuple[int, list[str]]]:
    """The card's properties Patron keeps, each as (first line number, physical lines)."""
    found: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    quoted = binary = soft_break = False
    for offset, raw in enumerate(chunk.lines, start=1):
        number = chunk.line + offset
        text = _decoded(raw, number)
        if not text.strip():
            soft_break = binary = False  # a blank line ends vCard 2.1 base64 data
            continue
        if text[0] in " \t" or soft_break or (binary and ":" not in text):
            if current is not None:  # a folded line, a quoted-printable soft break, base64 data
                current.append(text)
            soft_break = quoted and text.endswith("=")
            continue
        head = _PROPERTY.match(text)
        if head is None or ":" not in text:
            raise InvalidInput(f"line {number} is not a vCard property ({_clip(text)})")
        params = text.split(":", 1)[0] + ":"
        quoted, binary = bool(_QP.search(params)), bool(_BASE64.search(params))
        soft_break = quoted and text.endswith("=")
        current = [text] if head.group(1).upper() in KEPT else None
        if current is not None:
            found.append((number, current))
    return found


def _decoded(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    named = _CHARSET.search(raw.decode("latin-1"))
    if named is None:
        raise InvalidInput(f"line {number} is not UTF-8, and no CHARSET says what it is")
    try:
        return raw.decode(named.group(1))
    except LookupError:
        raise InvalidInput(f"line {number} names an unknown CHARSET {named.group(1)!r}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"line {number} is not valid {named.group(1)} text") from None


def _vobject_card(chunk: Chunk, properties: list[tuple[int, list[str]]]) -> Any:
    try:
        return _parsed(line for _, lines in properties for line in lines)
    except Exception:  # vobject raises anything, from ParseError to binascii.Error
        pass
    for number, lines in properties:  # which line was it?
        try:
            _parsed(lines)
        except Exception as exc:
            raise InvalidInput(f"line {number} cannot be read: {_reason(exc)} ({_clip(lines[0])})") from None
    raise InvalidInput("vobject cannot read this card")


def _parsed(lines: Iterator[str] | list[str]) -> Any:
    text = "BEGIN:VCARD\r\n" + "".join(f"{line}\r\n" for line in lines) + "END:VCARD\r\n"
    return vobject.readOne(text, allowQP=True)


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return _clip(text, 120)


def _clip(text: str, size: int = 60) -> str:
    """A piece of a hostile file, fit to show on a terminal."""
    text = _CONTROL.sub("?", text).strip()
    return text if len(text) <= size else text[: size - 1] + "…"


def _draft(where: str, card: Any) -> CardDraft:
    emails = _unique(a for a in (normal_address(_clean(p.value)) for p in _all(card, "email")) if a)
    name = _first(_clean(p.value) for p in _all(card, "fn")) or _assembled(card)
    named = bool(name)
    if not name:
        if not emails:
            raise InvalidInput("a card with no name and no e-mail address")
        name = display_name(None, emails[0])
    if len(name) > MAX_NAME:
        raise InvalidInput(f"a name longer than {MAX_NAME} characters")
    organisation = _first(_organisation(p.value) for p in _all(card, "org"))
    if organisation and len(organisation) > MAX_NAME:
        raise InvalidInput(f"an organisation name longer than {MAX_NAME} characters")
    title = _first(_clean(p.value) for p in _all(card, "title"))
    if title and len(title) > MAX_NAME:
        raise InvalidInput(f"a title longer than {MAX_NAME} characters")
    notes = "\n\n".join(n for n in (_clean(p.value, lines=True) for p in _all(card, "note")) if n)
    return CardDraft(
        where=where, name=name, emails=emails, organisation=organisation, title=title,
        phones=phones(_phone(p.value) for p in _all(card, "tel")),
        notes=notes or None, uid=_first(_clean(p.value) for p in _all(card, "uid")), named=named,
        birthday=_day(card, "bday"),
        anniversary=_day(card, "anniversary") or _day(card, "x-anniversary"),
    )


def _day(card: Any, name: str) -> date | None:
    """BDAY or ANNIVERSARY as a day (a year-less one in 1604); None when it names no day."""
    return next((d for d in (anniversaries.from_vcard(_clean(p.value)) for p in _all(card, name))
                 if d), None)


def _all(card: Any, name: str) -> list[Any]:
    return list(card.contents.get(name, []))


def _first(values: Iterator[str | None]) -> str | None:
    return next((v for v in values if v), None)


def _unique(values: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _clean(value: Any, lines: bool = False) -> str:
    """Text as Patron keeps it: no control characters, newlines only where they may be."""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    text = _CONTROL.sub(" ", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip() if lines else " ".join(text.split())


def _assembled(card: Any) -> str:
    """The name from N: prefix, given, additional, family, suffix."""
    for prop in _all(card, "n"):
        value = prop.value
        parts = [getattr(value, k, "") for k in ("prefix", "given", "additional", "family", "suffix")]
        text = _clean(" ".join(_clean(p) for p in parts if p))
        if text:
            return text
    return ""


def _organisation(value: Any) -> str:
    """ORG's first component (the organisation; the rest are its units)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return _clean(value)


def _phone(value: Any) -> str:
    """A telephone number as a person writes it ('tel:+1-555;ext=2' is '+1-555 ext. 2')."""
    text = _clean(value)
    if text.lower().startswith("tel:"):
        text = text[4:]
    return text.replace(";ext=", " ext. ").strip()


def phone_key(phone: str) -> str:
    """What two ways of writing one number share: its digits, and the '+' before them."""
    digits = re.sub(r"[^0-9+]", "", phone)
    return digits or phone.strip().lower()


def uid_source(uid: str) -> str:
    """The import_state key that ties a card's UID to the person it became."""
    if len(uid) > 200:
        return "vcard:sha256:" + hashlib.sha256(uid.encode("utf-8")).hexdigest()
    return "vcard:" + uid


# --- writing ------------------------------------------------------------------------------


def to_card(person: dict[str, Any], uid: str | None = None) -> str:
    """One person as a vCard 3.0 (the inverse of ``read`` for what Patron keeps); values are
    cleaned as ``read`` cleans them, so a card read back writes the same card."""
    card = vobject.vCard()
    card.add("version").value = "3.0"
    card.add("uid").value = uid or f"{UID_PREFIX}{person['id']}"
    name = _clean(person["name"])
    card.add("fn").value = name
    family, given = _split_name(name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    for address in person.get("emails") or []:
        card.add("email").value = address
    for key, prop in (("organisation", "org"), ("title", "title")):
        value = _clean(person.get(key) or "")
        if value:
            card.add(prop).value = [value] if prop == "org" else value
    for phone in phones(_clean(p) for p in person.get("phones") or []):
        card.add("tel").value = phone
    notes = _clean(person.get("notes") or "", lines=True)
    if notes:
        card.add("note").value = notes
    # vCard 3.0 has BDAY but no ANNIVERSARY: X-ANNIVERSARY is the name its readers share.
    for key, prop in (("birthday", "bday"), ("anniversary", "x-anniversary")):
        if person.get(key):
            card.add(prop).value = anniversaries.vcard_text(person[key])
    return str(card.serialize())


def phones(numbers: Iterator[str] | list[str]) -> list[str]:
    """Telephone numbers, each once (two ways of writing one number count once)."""
    seen: dict[str, str] = {}
    for number in numbers:
        if number:
            seen.setdefault(phone_key(number), number)
    return list(seen.values())


def _split_name(name: str) -> tuple[str, str]:
    """(family, given) for N: the last word is the family name, a guess every reader accepts."""
    words = name.split()
    if len(words) < 2:
        return name, ""
    return words[-1], " ".join(words[:-1])


def books(path: Path) -> tuple[list[Chunk], list[Problem]]:
    """The cards of a file or of every address book file under a folder; a file that cannot
    be read is a problem, a path that does not exist an error."""
    if not path.exists():
        raise InvalidInput(f"{path}: no such file or folder")
    found: list[Chunk] = []
    problems: list[Problem] = []
    for file in files(path):
        try:
            data = file.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(file), f"cannot read it ({exc.strerror})"))
            continue
        cards, broken = chunks(data, str(file))
        found += cards
        problems += broken
    return found, problems
