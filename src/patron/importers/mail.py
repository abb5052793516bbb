"""One mail message, parsed into a ``MailDraft``: who wrote to whom, when, in which
thread, and its plain text. No SQL.

The standard library's parser with the ``compat32`` policy reads a message several
times faster than ``policy.default`` and never raises on bad structure; headers are
decoded here by hand (``decode_header``, ``getaddresses``) so that a broken encoding
becomes replacement characters, not an error. HTML is reduced to text by an HTML
parser (nothing in it is run or fetched). ``parse`` turns every failure into a
``Problem`` so that one bad message never stops an import; it runs in worker
processes, so everything it returns pickles.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from email.header import Header, decode_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_tz
from html.parser import HTMLParser

from patron.domain import bulk, speech
from patron.domain.addresses import normal_address
from patron.domain.speech import Finding
from patron.importers.base import Problem
from patron.importers.rawmail import RawMessage

MAX_TEXT = 64 * 1024
"""The plain text kept of a message: enough for asks and promises, never an attachment."""
MAX_PARSED = 2 * 1024 * 1024
"""Bytes of a message the parser reads; beyond it are attachments, whose text we do not keep."""
MAX_PART = 1024 * 1024
"""A text part larger than this is an attachment in disguise: skipped."""
MAX_ID = 250
"""A Message-ID longer than this is kept as its hash."""
MAX_ADDRESSES = 2000

_PARSER = BytesParser(policy=compat32)
_OBFUSCATED = re.compile(r"([^\s@<>(),]+) at ([^\s@<>(),]+\.[^\s@<>(),]+)")  # archives: "jjl at pobox.com"
_NOT_BARE = re.compile(r'[^\s,]\s+[^\s,]|["()<>\\;:\[\]]')  # names, comments, groups
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_ID = re.compile(r"<([^<>]*)>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n\s*\n+")


@dataclass(frozen=True)
class MailDraft:
    """What Patron keeps of one message."""

    where: str
    message_id: str | None
    digest: str  # sha256 of the raw bytes: the message's identity where it has no Message-ID
    date: datetime  # local wall-clock time, naive
    sender: tuple[str, str] | None  # (name, address)
    to: tuple[tuple[str, str], ...]
    cc: tuple[tuple[str, str], ...]
    subject: str
    in_reply_to: str | None
    references: tuple[str, ...]
    text: str
    findings: tuple[Finding, ...] | None = None
    """The asks and promises in its own words, where they were looked for (mail to or from you)."""
    for_me: bool | None = None
    """Whether its words are meant for you (``addressed_to_me``), where that was looked at."""
    bulk: bool = False
    """Sent to many (a list, a newsletter, a notification: ``domain.bulk``), not written to you."""

    @property
    def source(self) -> str:
        return f"mid:{self.message_id}" if self.message_id else f"sha256:{self.digest}"

    @property
    def thread(self) -> str | None:
        """The thread's first message: the first of References, else the one answered, else this."""
        if self.references:
            return self.references[0]
        return self.in_reply_to or self.message_id


def parse(raw: RawMessage) -> MailDraft | Problem:
    """The draft of one message, or why it cannot be one."""
    try:
        return _parse(raw)
    except Exception as exc:
        return Problem(raw.where, f"cannot read this message ({type(exc).__name__}: {exc})"[:300])


def parse_many(raws: list[RawMessage], mine: frozenset[str] = frozenset(), bulk_people: bool = False,
               ) -> list[MailDraft | Problem]:
    """Drafts of several messages (in a worker process); mail to or from one of ``mine`` is
    read for asks and promises there too, so that the process storing them need not."""
    return [detected(parse(raw), mine, bulk_people) for raw in raws]


def detected(draft: MailDraft | Problem, mine: frozenset[str], bulk_people: bool = False,
             ) -> MailDraft | Problem:
    """The draft with its findings, where it is mail to or from you; mail sent to many asks
    nothing of you and is not read, unless ``bulk_people`` (``mail.bulk_people``)."""
    if isinstance(draft, Problem) or not mine or (draft.bulk and not bulk_people):
        return draft
    people = {a for _, a in (*draft.to, *draft.cc)}
    if draft.sender is not None:
        people.add(draft.sender[1])
    if people.isdisjoint(mine):
        return draft
    own = speech.reply_part(draft.text)
    findings = speech.detect(draft.text, draft.date, own)
    if not any(a in mine for _, a in (*draft.to, *draft.cc)):
        return replace(draft, findings=tuple(findings), for_me=False)
    audience = _audience(draft, mine, own)
    me, others, _ = audience
    findings = [f for f in findings if not _meant_for_another(f, me, others)]
    return replace(draft, findings=tuple(findings), for_me=_for_me(draft, mine, own, audience))


def _meant_for_another(finding: Finding, me: set[str], others: set[str]) -> bool:
    """A request whose sentence turns to another recipient by name ("Lucy, could you book
    the room?") is theirs, even in a message that has words for you too."""
    if finding.kind == speech.COMMITMENT:
        return False
    name = speech.turns_to(finding.sentence)
    return name is not None and name in others and name not in me


def addressed_to_me(draft: MailDraft, mine: frozenset[str], own: str | None = None) -> bool:
    """Whether the message's words are meant for you (``mine``: your addresses).

    They are when a sentence turns to you by name ("Jo, please let me know"), or when the
    opening greets you, alone or among others ("Lucy, Jo,"). They are not when the opening
    greets other recipients only ("Victor, who needs access?"), nor when the message only
    copies you and never turns to you. Otherwise having you in To is enough. A name the
    opening greets that belongs to no other recipient is taken as yours where you are in To
    (your address may tell no first name: "jbanks@"). ``own``: its words as ``reply_part``
    cut them."""
    if not any(a in mine for _, a in (*draft.to, *draft.cc)):
        return False
    own = speech.reply_part(draft.text) if own is None else own
    return _for_me(draft, mine, own, _audience(draft, mine, own))


Audience = tuple[set[str], set[str], frozenset[str]]


def _for_me(draft: MailDraft, mine: frozenset[str], own: str, audience: Audience) -> bool:
    """``addressed_to_me`` for mail naming you, once its ``_audience`` is known."""
    me, others, greeted = audience
    in_to = any(a in mine for _, a in draft.to)
    if not greeted.isdisjoint(me) or (in_to and greeted.isdisjoint(others)):
        return True
    return speech.calls_on(own, me)


def _audience(draft: MailDraft, mine: frozenset[str], own: str) -> Audience:
    """How the message may call you, how it may call the other recipients, and whom its
    opening greets; a greeted name of no other recipient is yours where you are in To."""
    listed = (*draft.to, *draft.cc)
    me = _names((n, a) for n, a in listed if a in mine) | _address_names(mine)
    others = _names((n, a) for n, a in listed if a not in mine) - me
    greeted = speech.greeted(own)
    if any(a in mine for _, a in draft.to):
        me |= greeted - others
    return me, others, greeted


@functools.lru_cache(maxsize=8)
def _address_names(mine: frozenset[str]) -> frozenset[str]:
    """The names your addresses themselves give (read once per import, not per message)."""
    return frozenset(_names(("", a) for a in mine))


def _names(people: Iterable[tuple[str, str]]) -> set[str]:
    """How a message may call these people: every word of the names it gives them ("Okafor,
    Sam" and "Sam Okafor" alike) and the parts of their addresses (sam.okafor@, sokafor@)."""
    found: set[str] = set()
    for name, address in people:
        found |= _called(name, address)
    return found


@functools.lru_cache(maxsize=2**16)
def _called(name: str, address: str) -> frozenset[str]:
    """``_names`` of one person, kept: the same people come back message after message, and
    a long list of recipients cost a worker more than the rest of its message."""
    words = {w.lower() for w in re.findall(r"[^\W\d_]+", name)}
    return frozenset(words.union(p for p in re.split(r"[._+-]", address.split("@")[0].lower()) if p))


def _parse(raw: RawMessage) -> MailDraft | Problem:
    data = raw.data
    if not data.strip():
        return Problem(raw.where, "empty message")
    message = _read(data[:MAX_PARSED])
    if not message.keys():
        return Problem(raw.where, "no headers: not a mail message")
    fields = _fields(message)
    date = _date(fields)
    if date is None:
        return Problem(raw.where, "no readable Date (nor a Received date)")
    senders = _addresses(fields, "from") or _addresses(fields, "sender")
    sender = senders[0] if senders else None
    return MailDraft(
        where=raw.where,
        message_id=_first_id(_first(fields, "message-id")),
        digest=hashlib.sha256(data).hexdigest(),
        date=date,
        sender=sender,
        to=tuple(_addresses(fields, "to")),
        cc=tuple(_addresses(fields, "cc")),
        subject=" ".join(header_text(_first(fields, "subject")).split())[:500],
        in_reply_to=_first_id(_first(fields, "in-reply-to")),
        references=tuple(_ids(_first(fields, "references"))),
        text=body_text(message),
        bulk=bulk.is_bulk(fields, sender[1] if sender else None),
    )


Fields = dict[str, list[str]]
_WANTED = frozenset({"from", "sender", "to", "cc", "subject", "date", "received", "message-id",
                     "in-reply-to", "references", *bulk.HEADERS})


def _fields(message: Message) -> Fields:
    """The headers read here, by lower-case name, in one pass (``Message.get`` scans every
    header at each call). Values are raw: ``header_text`` and ``_clean`` decode them."""
    found: Fields = {}
    for name, value in message.raw_items():
        key = name.lower()
        if key in _WANTED:
            found.setdefault(key, []).append(value)
    return found


def _first(fields: Fields, name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


def _read(data: bytes) -> Message:
    """The parsed message. A single-part message (most mail) has only its header block
    parsed and its body taken whole: the parser reads a body line by line for nothing."""
    end = _HEAD_END.search(data)
    if end is None:
        return _PARSER.parsebytes(data)
    head = _PARSER.parsebytes(data[:end.end()], headersonly=True)
    if head.defects or head.get_payload() or head.get_content_maintype() in ("multipart", "message"):
        return _PARSER.parsebytes(data)  # parts, or headers the parser read otherwise
    head.set_payload(data[end.end():].decode("ascii", "surrogateescape"))
    return head


def header_text(value: object) -> str:
    """A header's text with RFC 2047 words decoded; broken encodings become U+FFFD."""
    if value is None:
        return ""
    if isinstance(value, Header):  # compat32's form of a header with raw 8-bit bytes
        return "".join(_decoded(part, charset) for part, charset in decode_header(value))
    text = _clean(str(value))
    if "=?" not in text:
        return text
    try:
        parts = decode_header(text)
    except Exception:
        return text
    return "".join(_decoded(part, charset) for part, charset in parts)


def _decoded(part: bytes | str, charset: str | None) -> str:
    if isinstance(part, str):
        return _clean(part)
    return _bytes_text(part, charset)


def _bytes_text(data: bytes, charset: str | None) -> str:
    name = (charset or "utf-8").strip().strip('"').lower()
    if name in ("unknown-8bit", "x-unknown", "unknown", "us-ascii", "ascii", "x-user-defined"):
        name = "utf-8"
    try:
        text = data.decode(name, errors="replace")
    except (LookupError, ValueError):
        text = data.decode("utf-8", errors="replace")
    return _clean(text)


def _clean(text: str) -> str:
    """Text with the raw bytes compat32 keeps as surrogates read as UTF-8, and without NUL
    (which PostgreSQL refuses in text)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text.replace("\0", "") if "\0" in text else text


def _addresses(fields: Fields, name: str) -> list[tuple[str, str]]:
    """A header's (name, address) pairs, addresses in their normal form, invalid ones left out."""
    values = fields.get(name)
    if not values:
        return []
    found = []
    texts = [_clean(str(v)) for v in values]
    texts = [t if "@" in t else _OBFUSCATED.sub(r"\1@\2", t) for t in texts]
    for real, address in _pairs(texts):
        normal = normal_address(address)
        if normal is not None:
            found.append((" ".join(header_text(real).split()) if real else "", normal))
        if len(found) >= MAX_ADDRESSES:
            break
    return found


def _pairs(values: list[str]) -> list[tuple[str, str]]:
    """``getaddresses``, with a shortcut for the common bare list "a@x, b@y" (its parser is
    half the cost of reading a message with a long To)."""
    if any(_NOT_BARE.search(v) for v in values):
        return getaddresses(values)
    return [("", a) for v in values for a in (p.strip() for p in v.split(",")) if a]


def normal_id(text: str) -> str | None:
    """A Message-ID without brackets and blanks; a hash where it is absurdly long."""
    text = "".join(text.split()).strip("<>")
    if not text:
        return None
    if len(text) > MAX_ID:
        return "sha256-" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    return text


def _ids(value: object) -> list[str]:
    if value is None:
        return []
    text = _clean(str(value))
    found = _ID.findall(text) or text.split()
    ids = [normal_id(i) for i in found[:200]]
    return [i for i in ids if i]


def _first_id(value: object) -> str | None:
    ids = _ids(value)
    return ids[0] if ids else None


def _date(fields: Fields) -> datetime | None:
    """When the message was written, as local wall-clock time: its Date, else the time its
    last server received it."""
    stamp = _when(_first(fields, "date"))
    if stamp is not None:
        return stamp
    for received in fields.get("received", []):
        text = _clean(str(received))
        if ";" in text:
            stamp = _when(text.rsplit(";", 1)[1])
            if stamp is not None:
                return stamp
    return None


def _when(value: object) -> datetime | None:
    if value is None:
        return None
    parsed = parsedate_tz(_clean(str(value)).strip())
    if parsed is None:
        return None
    try:
        naive = datetime(*parsed[:6])
        if parsed[9] is None:
            return naive
        from datetime import timedelta, timezone

        aware = naive.replace(tzinfo=timezone(timedelta(seconds=parsed[9])))
        return aware.astimezone().replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        return None


def body_text(message: Message) -> str:
    """The message's plain text: its first text/plain part, else its first HTML part
    reduced to text; attachments and huge parts skipped."""
    plain = html = None
    for part in _parts(message):
        if part.is_multipart() or _is_attachment(part):
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html is None:
            html = part
        if plain is not None:
            break
    if plain is not None:
        text = _payload_text(plain)
    elif html is not None:
        text = html_text(_payload_text(html))
    else:
        return ""
    return _LINES.sub("\n\n", text.replace("\r\n", "\n")).strip()[:MAX_TEXT]


def _parts(message: Message) -> list[Message]:
    """The message's parts, depth first, without following a loop or an absurd nesting."""
    found: list[Message] = []
    stack = [(message, 0)]
    while stack and len(found) < 500:
        part, depth = stack.pop()
        found.append(part)
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list) and depth < 20:
            stack.extend((p, depth + 1) for p in reversed(payload) if isinstance(p, Message))
    return found


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("content-disposition", "")).lower()
    return disposition.startswith("attachment")


def _payload_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or len(payload) > MAX_PART:
        return ""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return _bytes_text(payload, charset)


class _TextOfHtml(HTMLParser):
    """Collects the text of an HTML page: script and style left out, blocks on their own lines."""

    SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "template"})
    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                        "blockquote", "pre", "table", "ul", "ol", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0
        self.size = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping and self.size < MAX_TEXT:
            self.chunks.append(data)
            self.size += len(data)


def html_text(markup: str) -> str:
    """The readable text of an HTML document; nothing in it is run or fetched."""
    reader = _TextOfHtml()
    reader.feed(markup[:4 * MAX_TEXT])
    reader.close()
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(reader.chunks).split("\n"))
    return "\n".join(line for line in lines if line)
