"""How well and how fast ``patron.domain.speech.detect`` finds asks and commitments.

Quality: the Enron threads annotated by hand with dialog acts (Prabhakaran et al.,
LREC 2012) in ../shared/data/enron-power-annotations/AnnotatedThreads/train.
Each message there is a list of sentences ``M2.3. text`` each followed by its tag
``[Request-Action: gloss]``, ``[Request-Information: ...]``, ``[Inform: ...]``,
``[Conventional: ...]``; a trailing ``[Y]`` on a sentence and ``Flink`` lines mark
links between messages and are ignored, as are sentences left untagged and messages
marked ``[DUPLICATE...]``. There is no tag for a commitment: promises are tagged
Inform, so commitments cannot be measured here.

Each message's sentences are joined one per line, run through ``detect`` as a
whole message, and every finding is matched to the annotated sentence it overlaps
most; a sentence counts as predicted of a kind if a finding of that kind lands on it.
The rules were tuned looking only at the threads whose position in name order is
not a multiple of three plus two ("tune"); the others ("held out") were looked at
only for the final figures.

Speed: ``detect`` on the bodies of the Enron mailboxes in ../shared/data/enron-mbox
(about 77,000 messages), the text read beforehand so only detection is timed.

    .venv/bin/python bench/detect.py                 # both
    .venv/bin/python bench/detect.py --quality       # only the annotated threads
    .venv/bin/python bench/detect.py --speed --limit 10000 --show
"""

from __future__ import annotations

import argparse
import mailbox
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from patron.domain.speech import COMMITMENT, REQUEST_ACTION, REQUEST_INFORMATION, detect

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
THREADS = DATA / "enron-power-annotations" / "AnnotatedThreads" / "train"
MBOX = DATA / "enron-mbox"
TAGS = {"Request-Action": REQUEST_ACTION, "Request-Information": REQUEST_INFORMATION}
MEASURED = (REQUEST_ACTION, REQUEST_INFORMATION)

_MESSAGE = re.compile(r"<message>(.*?)</message>", re.S)
_CONTENT = re.compile(r"<content>(.*?)</content>", re.S)
_WHEN = re.compile(r"<date_time>\s*(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s*</date_time>")
_SENTENCE = re.compile(r"^\s*M\d+\.\d+\.\s?(.*)$")
_TAG = re.compile(r"^\s*\[([A-Za-z-]+)")
_LINK_MARK = re.compile(r"\s*\[Y\]\s*$")


@dataclass
class Sentence:
    text: str
    tag: str | None   # None: left untagged by the annotators


@dataclass
class Message:
    thread: str
    written_at: datetime
    sentences: list[Sentence]


def annotated_messages(folder: Path) -> Iterator[Message]:
    for path in sorted(folder.glob("*.xml")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        for block in _MESSAGE.findall(raw):
            content = _CONTENT.search(block)
            when = _WHEN.search(block)
            if content is None or "[DUPLICATE" in content.group(1):
                continue
            written = datetime.fromisoformat(when.group(1)) if when else datetime(2001, 1, 1)
            yield Message(path.name, written, _sentences(content.group(1)))


def _sentences(content: str) -> list[Sentence]:
    found: list[Sentence] = []
    for line in content.splitlines():
        sentence = _SENTENCE.match(line)
        if sentence:
            found.append(Sentence(_LINK_MARK.sub("", sentence.group(1)).strip(), None))
            continue
        stripped = line.strip()
        if not found or found[-1].tag is not None or not stripped or stripped.startswith("Flink"):
            continue
        tag = _TAG.match(stripped)
        if tag:
            found[-1].tag = tag.group(1)
        else:  # the sentence goes on over another line
            found[-1].text += " " + _LINK_MARK.sub("", stripped)
    return found


def held_out(thread: str, names: list[str]) -> bool:
    return names.index(thread) % 3 == 2


def score(messages: list[Message], show: bool) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in (*MEASURED, COMMITMENT)}
    for message in messages:
        predicted = _predicted(message)
        for i, sentence in enumerate(message.sentences):
            if sentence.tag is None:
                continue
            gold = TAGS.get(sentence.tag)
            for kind in MEASURED:
                hit = kind in predicted.get(i, set())
                key = {(True, True): "tp", (True, False): "fn", (False, True): "fp"}.get(
                    (gold == kind, hit))
                if key:
                    counts[kind][key] += 1
                    if show and key != "tp":
                        print(f"{key} {kind}: {sentence.text}  [{sentence.tag}]")
            if COMMITMENT in predicted.get(i, set()):
                counts[COMMITMENT]["found"] += 1
                if show:
                    print(f"commitment: {sentence.text}  [{sentence.tag}]")
    return counts


def requests(messages: list[Message]) -> Counter[str]:
    """Counts for requests of either kind: a sentence tagged Request-Action or
    Request-Information is a request, and so is one on which a finding of either lands."""
    counts: Counter[str] = Counter()
    for message in messages:
        predicted = _predicted(message)
        for i, sentence in enumerate(message.sentences):
            if sentence.tag is None:
                continue
            gold = sentence.tag in TAGS
            hit = bool(predicted.get(i, set()) & set(MEASURED))
            key = {(True, True): "tp", (True, False): "fn", (False, True): "fp"}.get((gold, hit))
            if key:
                counts[key] += 1
    return counts


def f1(counts: Counter[str]) -> float:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _predicted(message: Message) -> dict[int, set[str]]:
    """Kinds found per annotated sentence (by most overlapping words)."""
    text = "\n".join(s.text for s in message.sentences)
    words = [set(_words(s.text)) for s in message.sentences]
    out: dict[int, set[str]] = {}
    for finding in detect(text, message.written_at):
        found = set(_words(finding.sentence))
        overlap = [len(found & w) for w in words]
        best = max(range(len(words)), key=lambda i: overlap[i], default=None)
        if best is not None and overlap[best]:
            out.setdefault(best, set()).add(finding.kind)
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def table(title: str, counts: dict[str, Counter[str]]) -> None:
    print(f"\n{title}")
    print("| kind | support | precision | recall | F1 |\n|---|---:|---:|---:|---:|")
    for kind in MEASURED:
        c = counts[kind]
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"| {kind} | {tp + fn} | {precision:.2f} | {recall:.2f} | {f1:.2f} |")
    print(f"| commitment | not annotated | | | ({counts[COMMITMENT]['found']} found) |")


def quality(show: bool) -> None:
    if not THREADS.is_dir():
        print(f"skipped: {THREADS} is absent")
        return
    messages = list(annotated_messages(THREADS))
    names = sorted({m.thread for m in messages})
    tune = [m for m in messages if not held_out(m.thread, names)]
    rest = [m for m in messages if held_out(m.thread, names)]
    untagged = sum(s.tag is None for m in messages for s in m.sentences)
    print(f"{len(names)} threads, {len(messages)} messages, "
          f"{sum(len(m.sentences) for m in messages) - untagged} tagged sentences "
          f"({untagged} untagged, left out)")
    table(f"tuning threads ({len(tune)} messages)", score(tune, show))
    table(f"held-out threads ({len(rest)} messages)", score(rest, False))
    table("all threads", score(messages, False))


def mail_bodies(folder: Path, limit: int | None) -> list[tuple[str, datetime]]:
    bodies: list[tuple[str, datetime]] = []
    for path in sorted(folder.rglob("*.mbox")):
        for message in mailbox.mbox(path, factory=None, create=False):
            bodies.append((_body(message), _date(message)))
            if limit and len(bodies) >= limit:
                return bodies
    return bodies


def _body(message: mailbox.mboxMessage) -> str:
    part = next((p for p in message.walk() if p.get_content_type() == "text/plain"), None)
    payload = part.get_payload(decode=True) if part is not None else None
    if part is None or not isinstance(payload, bytes):
        return ""
    return payload.decode(part.get_content_charset() or "latin-1", errors="replace")


def _date(message: mailbox.mboxMessage) -> datetime:
    try:
        return parsedate_to_datetime(str(message["date"])).replace(tzinfo=None)
    except (TypeError, ValueError):
        return datetime(2001, 1, 1)


def speed(limit: int | None) -> None:
    if not MBOX.is_dir():
        print(f"skipped: {MBOX} is absent")
        return
    started = time.perf_counter()
    bodies = mail_bodies(MBOX, limit)
    read = time.perf_counter() - started
    chars = sum(len(b) for b, _ in bodies)
    kinds: Counter[str] = Counter()
    best = float("inf")
    for _ in range(3):  # CPU time: the figure holds on a machine shared with other work
        started = time.process_time()
        found = [detect(body, when) for body, when in bodies]
        best = min(best, time.process_time() - started)
    for findings in found:
        kinds.update(f.kind for f in findings)
    each = sorted(_one(body, when) for body, when in bodies)
    n = len(bodies)
    print(f"\n{n:,} Enron messages ({chars / n:,.0f} characters on average; read in {read:.1f} s)")
    print(f"detect(): {best:.2f} s, {n / best:,.0f} messages/s, {best / n * 1e6:.0f} µs per message "
          f"(CPU time, best of 3)")
    print(f"per message: median {each[n // 2] * 1e6:.0f} µs, 90th percentile "
          f"{each[n * 9 // 10] * 1e6:.0f} µs (wall clock)")
    print("found: " + ", ".join(f"{kinds[k]:,} {k}" for k in (*MEASURED, COMMITMENT)))


def _one(body: str, when: datetime) -> float:
    started = time.perf_counter()
    detect(body, when)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quality", action="store_true", help="only the annotated threads")
    parser.add_argument("--speed", action="store_true", help="only the speed on the mailboxes")
    parser.add_argument("--limit", type=int, help="at most this many messages for the speed")
    parser.add_argument("--show", action="store_true", help="print each miss on the tuning threads")
    args = parser.parse_args()
    both = not (args.quality or args.speed)
    if args.quality or both:
        quality(args.show)
    if args.speed or both:
        speed(args.limit)


if __name__ == "__main__":
    main()
