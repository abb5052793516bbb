"""Would they hire you back? A 0-100 score per client engagement, term by term.

Like the ask score, it is a sum of factors from 0 to 1 times coefficients
(settings ``[hire_me_back]``, summing to 100 by default), so ``patron why
--client`` can show where it comes from. Ratings are read on the promoter
scale (MODELS.md): 9-10 promoter, 7-8 passive, 0-6 detractor; with few
answers Patron uses the answers themselves, not a percentage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HIRE_TERMS: tuple[tuple[str, str], ...] = (
    ("ratings", "the latest 'would hire again' ratings: promoter 1, passive 0.5, detractor 0"),
    ("promises", "promises kept against broken, (kept + 1) / (kept + broken + 2)"),
    ("on_time", "share of the open asks that are not overdue"),
    ("relationship", "how current you are with the sponsor, manager and boss, by cadence"),
    ("sentiment", "the mood of recent touchpoints, -2..2 read as 0..1"),
    ("milestones", "share of the milestones already due that were reached"),
)
HIRE_TERM_NAMES: tuple[str, ...] = tuple(name for name, _ in HIRE_TERMS)
UNKNOWN = 0.5  # no evidence either way


def promoter_class(rating: int) -> str:
    return "promoter" if rating >= 9 else "passive" if rating >= 7 else "detractor"


CLASS_VALUE = {"promoter": 1.0, "passive": 0.5, "detractor": 0.0}


@dataclass(frozen=True)
class ClientFacts:
    ratings: Sequence[int]            # newest first
    kept: int
    broken: int
    open_asks: int
    overdue_asks: int
    contact_health: Sequence[float]   # per key stakeholder, 1 on time (or before the first
                                      # check-in) .. 0 a cadence late (domain.cadence.lateness)
    sentiments: Sequence[int]         # recent touchpoints
    milestones_due: int
    milestones_reached: int


def factors(facts: ClientFacts, latest: int = 3) -> tuple[float, ...]:
    ratings = list(facts.ratings)[:latest]
    return (
        sum(CLASS_VALUE[promoter_class(r)] for r in ratings) / len(ratings) if ratings else UNKNOWN,
        (facts.kept + 1) / (facts.kept + facts.broken + 2),
        1 - facts.overdue_asks / facts.open_asks if facts.open_asks else 1.0,
        sum(facts.contact_health) / len(facts.contact_health) if facts.contact_health else UNKNOWN,
        (sum(facts.sentiments) / len(facts.sentiments) + 2) / 4 if facts.sentiments else UNKNOWN,
        facts.milestones_reached / facts.milestones_due if facts.milestones_due else 1.0,
    )


def verdict(score: float, total: float) -> str:
    share = score / total if total else 0.0
    return "likely" if share >= 0.7 else "unsure" if share >= 0.5 else "at risk"


def trend(ratings_oldest_first: Sequence[int]) -> str:
    """How the answers moved, in words (three ratings are no percentage)."""
    if len(ratings_oldest_first) < 2:
        return "one so far" if ratings_oldest_first else "none yet"
    first, last = ratings_oldest_first[0], ratings_oldest_first[-1]
    return "rising" if last > first else "falling" if last < first else "steady"
