"""Asks and commitments in the words of a message.

Plain rules over the sentences a person wrote, not a trained model: each
finding can be explained by the phrase that triggered it, and a user accepts
or rejects it before it counts (``patron inbox``). The rules:

* only the writer's own words count: quoted replies, forwarded parts and the
  signature are cut first (:func:`reply_part`);
* a request for action: "could you / can you / would you / please / I need you
  to / send me ..." or a sentence that starts with a task verb ("Send ...");
* a request for information: a direct question, or "let me know whether/what",
  "please advise", "any thoughts";
* a commitment: a first-person promise ("I'll / I will / I'm going to / we
  will / let me check ...") that is not a question nor a state ("I'll be out");
* a due date only where the sentence states one ("by Friday", "tomorrow",
  "EOD", "by 12/5", "December 5", "next week", "end of the month"), read
  relative to when the message was written by ``patron.dates``, the parser the
  command line uses: a weekday is the next one strictly after that day, a month's
  day without a year the nearest one, '12/5' in the ``dates.order`` setting's order.

It runs on every stored message, so everything is precompiled and a message
with no trigger word costs two regex scans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from patron import dates
from patron.errors import InvalidInput

REQUEST_ACTION = "request-action"
REQUEST_INFORMATION = "request-information"
COMMITMENT = "commitment"
KINDS = (REQUEST_ACTION, REQUEST_INFORMATION, COMMITMENT)
TITLE_LENGTH = 80
READ_LIMIT = 4000  # characters of the writer's own words read for asks and promises


@dataclass(frozen=True)
class Finding:
    kind: str           # one of KINDS
    sentence: str       # as written, with runs of white space made one space
    title: str          # a short imperative-ish title for the ask or promise
    due_at: datetime | None


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- the writer's own words -------------------------------------------------

_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*(?:\n|$)", re.MULTILINE)
_DATE_TIME = r"\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d{2}(?::\d{2})? ?[AaPp][Mm]"
# Where someone else's message starts: everything from there down goes. Each rule runs only
# when its marker (a plain substring of the lower-cased text) is there, which keeps the
# common message to a few substring tests.
_CUTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (marker, re.compile(pattern, re.MULTILINE | re.IGNORECASE)) for marker, pattern in (
        ("message", r"^[ \t]*-{2,}[ \t]*(?:Original|Forwarded) Message[ \t]*-{2,}"),
        ("forwarded", r"^[ \t]*-{3,}[ \t]*Forwarded by\b|^[ \t]*Begin forwarded message:"),
        ("wrote:", r"^[ \t]*On\b[^\n]{0,200}\n?[^\n]{0,200}\bwrote:[ \t]*$"
                   r"|^[^\n]{0,300}\bwrote:[ \t]*$"),
        # Outlook's header block (From: ... Sent: ...), and Lotus Notes' (name, date, To:).
        ("from:", r"^[ \t]*\*?From:[^\n]*\n(?:[^\n]*\n){0,2}?[ \t]*\*?(?:Sent|Date):"),
        ("m\n", rf"^[^\n]{{1,80}}\n[ \t]*{_DATE_TIME}[ \t]*\n(?:[ \t]*\n){{0,3}}[ \t]*(?:To:|Please respond)"
                rf"|^[^\n]{{0,200}} on {_DATE_TIME}[ \t]*\n(?:[ \t]*\n){{0,3}}[ \t]*(?:To:|Please respond)"),
        # The signature line.
        ("--", r"^--[ \t]?$"),
    )
)
# A legal footer; at the very top it is a preamble ("This communication is confidential"),
# not a footer, and the message follows it.
_DISCLAIMER = re.compile(
    r"^[ \t*]*(?:CONFIDENTIALITY|DISCLAIMER|This (?:e-?mail|message|communication|transmission)"
    r"(?: and any attachments?)? (?:is|contains|may contain|and)\b|The information (?:contained )?in "
    r"this (?:e-?mail|message|communication))[^\n]{0,300}(?:confidential|privileged|intended)",
    re.MULTILINE | re.IGNORECASE,
)
_DISCLAIMER_MARKERS = ("confidential", "privileged", "intended")
# A sign-off, then a short name line, then only a short signature block: looked for in the
# last lines only.
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:thanks|thank you|many thanks|thanks again|regards|best regards|kind regards|"
    r"warm regards|best wishes|best|cheers|sincerely|yours(?: truly| sincerely)?|all the best|thx|"
    r"rgds|ciao)[ \t]*[,.!]*[ \t]*\n[ \t]*[A-Za-z][\w.'-]*(?:[ \t]+[\w.'-]+){0,3}[ \t]*,?[ \t]*"
    r"(?:\n[^\n]{0,80}){0,6}\s*\Z",
    re.MULTILINE | re.IGNORECASE,
)
_SIGNATURE_LINES = 9


_NAME = r"[^\W\d_][\w'-]*"  # a word of letters, in any script
_GREETING = re.compile(
    r"^[ \t]*(?:(?i:hi|hello|hey|dear|morning|good (?:morning|afternoon|evening))[ \t]+)?"
    rf"(?P<names>{_NAME}(?:(?:[ \t]*[,&][ \t]*|[ \t]+and[ \t]+|[ \t]+){_NAME}){{0,5}})"
    r"[ \t]*(?:[,:!\u2013-]|$)")
_NOT_NAMES = frozenset({"and", "all", "team", "everyone", "folks", "guys", "thanks", "thank", "please",
                        "ok", "okay", "yes", "no", "fyi", "sorry", "great", "hi", "hello", "dear"})


def greeted(own: str) -> frozenset[str]:
    """The capitalised words the writer's own words (``reply_part``) open with, up to a comma,
    colon or dash ("Victor,", "Hi Sam and Ines,", "Dear Helen", "Élodie -"), lower case: the
    names of whom they greet, if they greet anyone. Whether a word is a name ("Also,", "Update:")
    is for the caller to judge against the recipients' names."""
    first = next((line for line in own.split("\n") if line.strip()), "")
    match = _GREETING.match(first)
    if match is None or not match["names"][0].isupper():
        return frozenset()
    words = {w.lower() for w in re.findall(_NAME, match["names"]) if w[0].isupper()}
    return frozenset(words - _NOT_NAMES)


# A sentence that turns to someone: at its start, a word and a comma, colon or dash.
_TURN = re.compile(rf"(?:^|[.!?;]\s+|\n\s*)({_NAME})\s*(?:,|:|\s[-\u2013\u2014]\s|[\u2013\u2014])")


def calls_on(own: str, names: Iterable[str]) -> bool:
    """Whether a sentence of the writer's own words (``reply_part``) turns to one of these
    (lower-case) names ("Sam, could you", "Sam: one more thing", "Sam \u2014 could you")."""
    wanted = {n for n in names if n}
    return bool(wanted) and any(m.group(1).lower() in wanted for m in _TURN.finditer(own))


def turns_to(sentence: str) -> str | None:
    """The word a sentence opens by turning to ("Lucy, could you..." is "lucy"), lower case;
    whether it is a name is for the caller to judge against the recipients' names."""
    found = _TURN.match(sentence)
    return found.group(1).lower() if found is not None else None


def reply_part(text: str) -> str:
    """What the writer wrote in this message: no quoted lines, no earlier message below an
    'Original Message' or 'On ... wrote:' line or a header block, nothing forwarded, no
    signature or legal footer."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ">" in text:
        text = _QUOTED_LINE.sub("", text)
    low = text.lower()
    cut = len(text)
    for marker, pattern in _CUTS:
        if marker in low:
            found = pattern.search(text, 0, cut)
            if found is not None:
                cut = found.start()
    text = text[:cut]
    if any(marker in low for marker in _DISCLAIMER_MARKERS):
        footer = _DISCLAIMER.search(text)
        if footer is not None and text[: footer.start()].strip():
            text = text[: footer.start()]
    return _without_sign_off(text.rstrip()).strip()


def _without_sign_off(text: str) -> str:
    tail_start = 0
    for _ in range(_SIGNATURE_LINES):
        tail_start = text.rfind("\n", 0, tail_start - 1 if tail_start else len(text))
        if tail_start < 0:
            tail_start = 0
            break
    sign_off = _SIGN_OFF.search(text, tail_start)
    return text[: sign_off.start()] if sign_off is not None else text


# --- sentences --------------------------------------------------------------

_SHORT_LINE = 60  # a line this much shorter than its paragraph's longest ends a sentence
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_BULLET = re.compile(r"[ \t]*(?:[-*\u2022o]|\d{1,2}[.)]|[a-z][.)]|\(\w\))[ \t]")
# A sentence ends at . ! ? (and closing quotes) before white space; the word before and
# the character after tell an abbreviation ("Mr. Smith", "Oct. 26") from an end.
_END = re.compile(r"([.!?])[.!?]*[\"')\]]*(\s+)(?=(\S?))")
_ABBREVIATIONS = _words(
    "mr mrs ms dr st jr sr vs e.g i.e inc co corp ltd no approx jan feb mar apr jun jul aug "
    "sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun a.m p.m u.s"
)


def sentences(text: str) -> list[str]:
    """The sentences of a text, in order, each with its white space made single spaces.

    Mail is wrapped by hand, so a line break ends a sentence only after a short line
    (a greeting, a name, a list item) or before a bulleted line."""
    found: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        for chunk in _chunks(paragraph) if "\n" in paragraph else (paragraph,):
            if _END.search(chunk) is None:
                piece = " ".join(chunk.split())
                if piece:
                    found.append(piece)
            else:
                found.extend(_split(chunk))
    return found


def _chunks(paragraph: str) -> list[str]:
    """Runs of lines that belong together; the lines stay apart ('\n') for _split."""
    lines = [line.strip() for line in paragraph.split("\n")]
    short = min(_SHORT_LINE, 0.7 * max(map(len, lines)))
    chunks: list[str] = []
    current: list[str] = []
    for line in lines:
        if not line:
            continue
        if current and _BULLET.match(line):
            chunks.append("\n".join(current))
            current = []
        current.append(line)
        if len(line) < short or line.count(" ") < 3 or line.endswith(":"):
            chunks.append("\n".join(current))
            current = []
    if current:
        chunks.append("\n".join(current))
    return chunks


def _split(chunk: str) -> list[str]:
    out: list[str] = []
    start = 0
    for end in _END.finditer(chunk):
        stop, space, after = end.groups()
        if stop == "." and end.end(1) == end.start(2) and ("\n" not in space or after.islower()):
            at = end.start()
            word = chunk[max(chunk.rfind(" ", 0, at), chunk.rfind("\n", 0, at)) + 1:at]
            if after.islower() or (len(word) == 1 and word.isalpha()) or word.lower() in _ABBREVIATIONS:
                continue
        piece = " ".join(chunk[start:end.start(2)].split())
        if piece:
            out.append(piece)
        start = end.end()
    rest = " ".join(chunk[start:].split())
    if rest:
        out.append(rest)
    return out


# --- what a sentence asks or promises ----------------------------------------

_CURLY = re.compile("[\u2018\u2019\u201c\u201d`]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "`": "'"})
# Cheap tests: a sentence with none of these words, nor one of the openings below, cannot be
# a finding, so the rules further down run on few sentences. (No leading \b: the regex engine
# then skips quickly to the letters these can start with.)
_TRIGGER = re.compile(
    # Grouped by first letter, so the engine tries one branch per position.
    r"\?|p(?:lease|ls|lz)|kindly|c(?:ould|an) (?:you|i|we)\b|w(?:ould (?:you|i|we)\b|ill you\b|onder|"
    r"e(?:'ll| will| shall|'re going| are going)\b)|may (?:i|we)\b|need you|like you|"
    r"a(?:sk (?:that )?you|ppreciate|ny (?:thoughts|ideas|suggestions|comments|feedback|update))|"
    r"if you could|you need to|let (?:[a-z]+(?: or [a-z]+)? know|me)|t(?:ell me|o know)|keep me|"
    r"g(?:et back to me|ive me)|do you know|i(?:'ll| will| shall|'m going| am going| can get)\b"
)
_OPENING = re.compile(
    r"(?:(?:also|and|so|then|ok|okay|now|first|finally|but),? ?)?(?:send|forward|call|review|print|"
    r"sign|fax|schedule|set up|arrange|book|register|prepare|provide|submit|return|complete|fill|"
    r"reply|respond|contact|bring|e-?mail|give|get|check|verify|update|approve|mail|add|remove|"
    r"change|draft|circulate|distribute|pick|make|be sure|remember|don't|do not|what|when|where|who|"
    r"which|why|how|is|are|was|were|do|does|did|can|could|will|would|should|shall|have|has|am)\b"
)
# Set phrases that look like a request but only inform or close the message.
_NOT_A_REQUEST = re.compile(
    r"\bplease (?:note|see|find|be advised|be aware|accept|excuse|disregard|ignore|feel free|"
    r"do not hesitate|don't hesitate)\b|\bfeel free\b|\bhesitate to\b|^(?:thanks|thank you)\b"
)
_INFO_VERBS = _words(
    "let tell advise confirm inform update explain clarify say know think suggest recommend "
    "answer be have"
)
_INFO_OBJECTS = re.compile(
    r"\b(?:names?|numbers?|contacts?|phone|address|details|info|information|update|status|views?|"
    r"thoughts?|opinions?|feedback|indication|answers?|estimate|idea|timing|timeline|whereabouts)\b"
)
_GIVING = ("send", "give", "get", "provide", "obtain", "have", "receive", "forward")
_LEAD = re.compile(
    r"\b(?:(?P<modal>could|can|would|will) you(?: guys| all)?(?: please| kindly| possibly| also| "
    r"just| then)*|(?P<please>please|pls|plz|kindly)|(?P<need>i need you to|we need you to|"
    r"i(?:'d| would) like you to|i(?:'d| would) ask (?:that )?you(?: to)?|i(?:'d| would) appreciate "
    r"(?:it )?if you(?: could| would)?|if you could|you need to|would you mind))"
    r",?\s+(?P<verb>[a-z][a-z'-]*)"
)
_INFO_LEAD = re.compile(
    r"\b(?:let (?!you\b|them\b|him\b|her\b|it\b|everyone\b|people\b)[a-z]+(?: or [a-z]+)? know|"
    r"tell me|keep me (?:posted|informed)|get back to me|"
    r"(?:i'd|i would) (?:like|love) to know|i was wondering|i wonder|any (?:thoughts|ideas|suggestions|"
    r"comments|feedback|update)|give me (?:your|an?|some) (?:views?|thoughts?|opinions?|feedback|update|"
    r"status|idea|indication|estimate|answer)|do you know)\b"
)
# A sentence that starts with a task verb is an order ("Send me the deck").
_IMPERATIVE = re.compile(
    r"^(?:(?:also|and|so|then|ok|okay|now|first|finally)[,]?\s+)?(?:send|forward|call|review|print|sign|"
    r"fax|schedule|set up|arrange|book|register|prepare|provide|submit|return|complete|fill out|"
    r"reply|respond|contact|bring|email|e-mail|give me|get me|check|verify|update|approve|mail|"
    r"add|remove|change|draft|circulate|distribute|pick up|make sure|be sure to|remember to|don't forget|"
    r"do not forget)\b(?!\s*[\d(+])"
)
_SELF = r"(?:i|we)"
_PROMISE = re.compile(
    rf"\b(?:{_SELF}(?:'ll| will| shall|'m going to| am going to|'re going to| are going to)"
    r"(?: also| then| certainly| definitely| gladly| personally| just| now| still| try to| be sure to|"
    r" make sure to| get back)*|i can get|let me)\s+(?P<verb>[a-z][a-z'-]*)(?P<next> [a-z]+)?"
)
# "I'll be out", "we will need", "I'll have to": a state or a need, not a promise.
_STATE_VERBS = _words(
    "be need have want like see know probably not never let keep hope assume wait miss or and "
    "to emphasize say point explain add mention note remind stress begin start introduce"
)
_PROMISE_STATES_OK = frozenset({" sending", " there", " back", " happy", " glad", " calling",
                                " working", " putting", " getting"})


# "Call me if you have any questions", "let me know if you need anything": an offer.
_OFFER = re.compile(
    r"\bif (?:you (?:would like|'d like|want|wish|need|have)|i (?:have|can|missed|forgot)|there (?:is|are)|"
    r"anything|any questions)\b"
)
_OFFER_VERBS = _words(
    "call contact let email e-mail give feel ring phone"
)
_MY_ASK = re.compile(r"\b(?:could|can|may) (?:i|we)(?: please)? (?P<verb>get|have|obtain|receive)\b")
_QUESTION_START = re.compile(
    r"^(?:(?:so|and|but|ok|okay|also),? )?(?:(?:what|when|where|who|which|why|how)(?: [a-z']+)? "
    r"(?:is|are|was|were|do|does|did|can|could|will|would|should|shall|am|have|has)"
    r"|(?:is|are|was|were|do|does|did|can|could|will|would|should|shall|have|has|am) "
    r"(?:i|you|we|they|he|she|it|this|that|there))\b"
)
_WH = ("what ", "when ", "where ", "who ", "which ", "why ", "how ")


def detect(text: str, written_at: datetime, own: str | None = None) -> list[Finding]:
    """Every request and commitment in the writer's own words of a message (``own``, where
    the caller cut them already with ``reply_part``). Due dates are read on the writer's
    calendar: an aware ``written_at`` counts by its own wall clock."""
    written_at = written_at.replace(tzinfo=None)
    reply = reply_part(text) if own is None else own
    if not reply:
        return []
    if len(reply) > READ_LIMIT:  # a newsletter or a long report; asks come early
        reply = reply[: reply.rfind("\n", 0, READ_LIMIT) + 1 or READ_LIMIT]
    found: list[Finding] = []
    for sentence in sentences(reply):
        low = sentence.lower()
        if _CURLY.search(low) is not None:
            low = low.translate(_APOSTROPHES)
        if _TRIGGER.search(low) is None and _OPENING.match(low) is None:
            continue
        request = _request_kind(low)
        if request is not None:
            found.append(Finding(request, sentence, _title(request, sentence, low),
                                 due_in(low, written_at)))
        if _is_promise(low):
            found.append(Finding(COMMITMENT, sentence, _title(COMMITMENT, sentence, low),
                                 due_in(low, written_at)))
    return found


def _is_question(low: str) -> bool:
    return low.rstrip(" \"')]").endswith("?")


def _request_kind(low: str) -> str | None:
    kind = _request_rule(low)
    if kind is not None and _NOT_A_REQUEST.search(low):
        return None
    return kind


def _request_rule(low: str) -> str | None:
    lead = _LEAD.search(low)
    info = _INFO_LEAD.search(low)
    if lead is not None and (info is None or lead.start() < info.start()):
        verb = lead["verb"]
        if verb in _OFFER_VERBS and _OFFER.search(low):
            return None
        if lead["need"] and verb in _STATE_VERBS:
            return None
        if verb in _INFO_VERBS or (verb in ("find", "check") and " if " in low) \
                or (lead["modal"] and low.startswith(_WH)):
            return REQUEST_INFORMATION
        if lead["please"] and verb in ("do", "don't", "dont") and "forget" not in low:
            return None  # "please do not forward": a prohibition, not a task
        return _action_or_information(low, lead.start("verb"))
    if info is not None:
        return None if _OFFER.search(low) and info.group().startswith("let") else REQUEST_INFORMATION
    mine = _MY_ASK.search(low)
    if mine is not None:
        if low.startswith(_WH):
            return REQUEST_INFORMATION
        return _action_or_information(low, mine.start("verb"))
    imperative = _IMPERATIVE.search(low)
    if imperative is not None:
        verb = imperative.group().split()[-1]
        return None if verb in _OFFER_VERBS and _OFFER.search(low) else REQUEST_ACTION
    if _is_question(low) or _QUESTION_START.search(low):
        return REQUEST_INFORMATION
    return None


def _action_or_information(low: str, after: int) -> str:
    """Asking for a thing to be sent is asking for information when the thing is a name,
    a number, an update, someone's views."""
    window = low[after:after + 60]
    if window.startswith(_GIVING) and _INFO_OBJECTS.search(window):
        return REQUEST_INFORMATION
    return REQUEST_ACTION


def _is_promise(low: str) -> bool:
    if _is_question(low):
        return False
    for match in _PROMISE.finditer(low):
        verb = match["verb"]
        if verb not in _STATE_VERBS:
            return True
        if verb == "be" and (match["next"] or "") in _PROMISE_STATES_OK:
            return True
        if verb == "have" and match["next"] not in (" to", None):
            return True
        if verb == "let" and match["next"] == " you":
            return True
    return False


# --- titles -----------------------------------------------------------------

_TITLE_LEAD = re.compile(
    r"\b(?:(?:could|can|would|will) you(?: guys| all)?(?: please| kindly| possibly| also| just)*"
    r"|please|pls|plz|kindly|i need you to|we need you to|i(?:'d| would) like you to|if you could|"
    r"would you mind|make sure(?: that)?|(?:i|we)(?:'ll| will| shall|'m going to| am going to|"
    r"'re going to| are going to)(?: also| then| certainly| definitely| gladly| personally| just)*|"
    r"i can get|let me)[,]?\s+",
    re.IGNORECASE,
)
_LET_ME_KNOW = re.compile(r"^let (?:me|us) know\b", re.IGNORECASE)
_TITLE_TAIL = re.compile(
    r"(?:\s*[;:(]|\s+-\s|,?\s+(?:so that|but|since|as i|as we|which|so we|so i|because|in order to|"
    r"as soon as possible|asap|when you "
    r"get a chance|at your (?:earliest )?convenience|if possible|if you can|thanks|thank you)\b).*$"
    r"|,?\s+please\W*$"
    r"|[\s?!.,]+$",
    re.IGNORECASE,
)
_TITLE_DUE = re.compile(
    r"\s+(?:by|before|until|no later than|on|at)?\s*"
    r"(?:(?:the )?end of (?:the |this |next )?(?:day|week|month)|eod|cob|close of business|today|"
    r"tonight|tomorrow|next week|this week|in \d+ (?:days?|weeks?)|"
    r"(?:next |this )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d{1,2}/\d{1,2}(?:/\d{2,4})?|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?)\b.*$",
    re.IGNORECASE,
)
_SALUTATION = re.compile(r"^(?:(?:hi|hello|dear|hey)\b[^,]{0,30},\s*|p\.?s\.?:?\s*|\d{1,2}[.)]\s+)",
                         re.IGNORECASE)


def _title(kind: str, sentence: str, low: str) -> str:
    text = _SALUTATION.sub("", sentence)
    lead = _TITLE_LEAD.search(text)
    rest = text[lead.end():] if lead is not None else ""
    if lead is None and kind != REQUEST_INFORMATION:
        text = _TITLE_TAIL.sub("", _TITLE_DUE.sub("", text)) or text
    elif lead is None or (kind == REQUEST_INFORMATION and _is_question(low)
                          and rest.lower().startswith(("be ", "have "))):
        text = "Answer: " + text
    else:
        text = _TITLE_TAIL.sub("", _TITLE_DUE.sub("", rest)) or rest
        text = _LET_ME_KNOW.sub("let them know", text)
    text = text.strip()
    if len(text) > TITLE_LENGTH:
        text = text[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "\u2026"
    return (text[:1].upper() + text[1:]) or sentence[:TITLE_LENGTH]


# --- due dates --------------------------------------------------------------

_MONTH = "|".join(sorted(dates.MONTHS, key=len, reverse=True))
_WEEKDAY = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_SHORT_WEEKDAY = r"mon|tues?|wed|thu|thur|thurs|fri|sat|sun"
_DUE = re.compile(
    "|".join((
        r"(?P<iso>\b\d{4}-\d{1,2}-\d{1,2})\b",
        r"(?:\b(?:by|on|before|until|till|thru|through|due|for)\s+(?:the\s+)?)(?P<md>\d{1,2})/(?P<dd>\d{1,2})"
        r"(?:/(?P<yd>\d{2,4}))?\b(?!/)",
        r"\b(?P<md2>\d{1,2})/(?P<dd2>\d{1,2})/(?P<yd2>\d{4}|\d{2})\b",
        rf"\b(?P<mon>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}}))?",
        rf"\b(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>{_MONTH})\b\.?(?:,?\s+(?P<year2>\d{{4}}))?",
        rf"\b(?P<weekday>{_WEEKDAY})\b",
        rf"\b(?:by|on|until|till|before|next|this)\s+(?P<short>{_SHORT_WEEKDAY})\b\.?",
        r"\b(?P<tomorrow>tomorrow|tmrw)\b",
        r"\b(?P<today>today|tonight|this (?:morning|afternoon|evening))\b",
        r"\b(?P<eod>end of (?:the )?(?:business )?day|eod|cob|close of business|end of business|eob)\b",
        r"\b(?P<endnextweek>end of next week)\b",
        r"\b(?P<nextweek>next week)\b",
        r"\b(?P<eow>(?:the )?end of (?:the |this )?week|this week|eow)\b",
        r"\b(?P<eom>(?:the )?end of (?:the |this )?month|month[- ]end|eom)\b",
        r"\b(?P<nextmonth>next month)\b",
        r"\b(?:in|within)\s+(?P<count>\d+|a|an|one|two|three|four|five|six|seven|ten)\s+"
        r"(?P<unit>days?|weeks?|months?)\b",
        r"\b(?P<asap>asap|as soon as possible|right away|immediately)\b",
        r"\b(?:by|before|at)\s+(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?(?![\d/])",
        r"\b(?:by|before|at)\s+(?P<noon>noon|midday)\b",
    )),
)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "ten": 10}


def due_in(low: str, written_at: datetime) -> datetime | None:
    """The due date a (lower-case) sentence states, relative to when it was written.

    A calendar date beats a weekday or word ('Friday, Oct 26th' is Oct 26); a time of day
    ('by 3pm', 'EOD') sets the hour of that day, or of the day written when none is named."""
    if _DIGIT.search(low) is None and _DUE_WORDS.isdisjoint(_WORD.findall(low)) \
            and not any(phrase in low for phrase in _DUE_PHRASES):
        return None
    today = written_at.date()
    best: tuple[int, date] | None = None
    clock: time | None = None
    for match in _DUE.finditer(low):
        found = _due_match(match, today)
        if found is None:
            continue
        rank, value = found
        if isinstance(value, time):
            clock = clock or value
        elif best is None or rank > best[0]:
            best = (rank, value)
    if best is None and clock is None:
        return None
    day = best[1] if best is not None else today
    if best is None and clock is not None and datetime.combine(day, clock) < written_at:
        day += timedelta(days=1)
    return datetime.combine(day, clock or time())


_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[a-z]+")
# Without a digit, one of these words or a phrase below, a sentence states no due date
# (months need a digit too: "December 5").
_DUE_WORDS = frozenset(
    [*_WEEKDAY.split("|"), *_SHORT_WEEKDAY.split("|"), "tues", "tomorrow", "tmrw", "today", "tonight",
     "eod", "cob", "eob", "eow", "eom", "asap", "immediately", "noon", "midday", "week", "weeks", "month",
     "months", "day", "days", "business", "morning", "afternoon", "evening"]
)
_DUE_PHRASES = ("as soon as", "right away")


def _due_match(m: re.Match[str], today: date) -> tuple[int, date | time] | None:
    """(specificity, day) or (0, time of day) for one matched phrase; None if impossible.
    The days are those ``patron.dates`` gives the same words on the command line."""
    g = m.groupdict()
    try:
        if g["iso"]:
            return 3, dates.parse_day(g["iso"], today)
        if g["md"] or g["md2"]:
            first, second = int(g["md"] or g["md2"]), int(g["dd"] or g["dd2"])
            return 3, dates.numeric_day(today, first, second, g["yd"] or g["yd2"])
        if g["mon"] or g["mon2"]:
            month = dates.MONTHS[(g["mon"] or g["mon2"])]
            return 3, dates.calendar_day(today, month, int(g["day"] or g["day2"]),
                                         g["year"] or g["year2"])
    except (ValueError, InvalidInput):
        return None
    if g["weekday"] or g["short"]:
        return 2, dates.parse_day(g["weekday"] or g["short"], today)
    if g["tomorrow"]:
        return 2, today + timedelta(days=1)
    if g["today"]:
        return 1, today
    if g["eod"]:
        return 0, dates.END_OF_DAY
    for group in ("endnextweek", "nextweek", "eow", "eom", "nextmonth"):
        if g[group]:
            return 2, dates.parse_day(g[group], today)
    if g["count"]:
        return 2, dates.parse_day(f"in {_NUMBERS.get(g['count'], g['count'])} {g['unit']}", today)
    if g["asap"]:
        return 1, today
    if g["noon"]:
        return 0, time(12, 0)
    return _clock(g)


def _clock(g: dict[str, str | None]) -> tuple[int, time] | None:
    """'by 3pm', 'at 3:30', 'by 15:00'; a bare hour needs am/pm or minutes to count."""
    if g["hour"] is None or not (g["minute"] or g["ampm"]):
        return None
    hour, minute = int(g["hour"]), int(g["minute"] or 0)
    ampm = (g["ampm"] or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif hour < 8:  # "at 3:00" in working hours is the afternoon
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return 0, time(hour, minute)
