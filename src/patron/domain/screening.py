"""Screening a prospect: work *with* them, or *for* them?

The partnership questions and the red flags are plain rules over what the
register knows and the words found in notes and mail; the phrase lists are
settings (``[screening]``), so a user can add the phrases their market uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

FLAG_KINDS: tuple[tuple[str, str], ...] = (
    ("ownership", "ownership language: they expect you to work for them, not with them"),
    ("price_pressure", "pressure on price"),
    ("unpaid_scope", "scope without pay"),
    ("contempt", "contempt for other vendors"),
)

DEFAULT_PHRASES: Mapping[str, tuple[str, ...]] = {
    "ownership": ("you work for me", "working for me", "work for me", "you'll do what", "do as i say",
                  "i'm the boss", "i am the boss", "i own", "my rules", "you answer to me"),
    "price_pressure": ("discount", "cheaper", "lower your rate", "lower rate", "best price",
                       "too expensive", "beat their price", "price match", "cut your fee",
                       "below your rate", "under our rate"),
    "unpaid_scope": ("for free", "at no cost", "no charge", "thrown in", "a few extra",
                     "while you're at it", "just a small", "free of charge", "on the house"),
    "contempt": ("clowns", "idiots", "useless", "incompetent", "morons", "amateurs", "a joke"),
}

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Flag:
    kind: str
    phrase: str
    sentence: str
    source: str


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str   # yes, no or unknown
    why: str


def red_flags(texts: Sequence[tuple[str, str]], phrases: Mapping[str, Sequence[str]]) -> list[Flag]:
    """Every phrase found, with its sentence and where it came from; ``texts`` are (source, text)."""
    found: list[Flag] = []
    for source, text in texts:
        for sentence in _SENTENCE.split(text.translate(_QUOTES)):
            lowered = " ".join(sentence.lower().split())
            for kind, _ in FLAG_KINDS:
                for phrase in phrases.get(kind, ()):
                    if _contains(lowered, phrase.lower()):
                        found.append(Flag(kind, phrase, sentence.strip(), source))
                        break
    return found


def _contains(sentence: str, phrase: str) -> bool:
    """The phrase as whole words ('useless' is not in 'uselessness')."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", sentence) is not None


def fit(answers: Sequence[Answer], flags: Sequence[Flag]) -> int:
    """0-100: 20 a 'yes', 10 an 'unknown', less 10 a red flag."""
    points = sum({"yes": 20, "unknown": 10}.get(a.answer, 0) for a in answers)
    scale = 100 / (20 * len(answers)) if answers else 0
    return max(0, round(points * scale) - 10 * len(flags))


def recommendation(score: int, answers: Sequence[Answer], flags: Sequence[Flag]) -> tuple[str, list[str]]:
    reasons = [f"{a.question} {a.answer}: {a.why}" for a in answers if a.answer != "yes"]
    kinds = dict(FLAG_KINDS)
    reasons += sorted({f"red flag: {kinds[f.kind]} ('{f.phrase}')" for f in flags})
    if score >= 70 and not any(f.kind in ("ownership", "contempt") for f in flags):
        return "take it", reasons or ["a partnership on fair terms"]
    if score >= 40:
        return "negotiate first", reasons
    return "decline", reasons
