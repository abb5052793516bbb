"""The ask score: a sum of terms, each a factor from 0 to 1 times a coefficient.

This is the shape of Taskwarrior's urgency (MODELS.md), so every score can be
printed term by term: factor x coefficient = contribution. Unlike Taskwarrior,
Patron knows *who asked*: the requester's role, salience and place on the
power-interest grid in that engagement are terms of their own, and so is the
relationship you owe them.

Every function here is pure: the facts about an ask come in, numbers go out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from patron.domain.cadence import ContactDue, lateness
from patron.domain.salience import QUADRANTS
from patron.domain.vocabulary import Role

TERMS: tuple[tuple[str, str], ...] = (
    # (name, what the factor measures) in the order `why` prints them
    ("role", "the requester's role in the engagement (weights.<role>)"),
    ("salience", "power, legitimacy and urgency held by the requester, out of three"),
    ("quadrant", "the requester's cell of the power-interest grid"),
    ("engagement_value", "the engagement's value against your most valuable engagement"),
    ("ask_value", "how much the ask itself matters, 0-5"),
    ("due", "0.2 from the due-date horizon out, rising to 1 when overdue long enough"),
    ("age", "days since it was asked, against ranking.age_full_days"),
    ("quick_win", "1 for an ask within ranking.quick_win_hours, less for bigger ones"),
    ("commitment", "you promised something about it"),
    ("blocking", "other open asks wait for it"),
    ("doing", "you have started it"),
    ("waiting", "it waits on someone else"),
    ("blocked", "it waits for another open ask"),
    ("goals", "it serves one of your own goals (1), or your own development (0.5)"),
    ("relationship", "the requester is a key stakeholder overdue for contact "
                     "(not before their first check-in)"),
)
TERM_NAMES: tuple[str, ...] = tuple(name for name, _ in TERMS)
ROLES: tuple[str, ...] = tuple(role.value for role in Role)

QUADRANT_FACTORS: Mapping[str, float] = {
    # Monotone in power and in interest: more of either never lowers the factor.
    "manage closely": 1.0,
    "keep satisfied": 0.6,
    "keep informed": 0.4,
    "monitor": 0.1,
}
assert set(QUADRANT_FACTORS) == set(QUADRANTS.values())


@dataclass(frozen=True)
class Ramp:
    """The shapes of the time-dependent factors (settings ranking.*)."""

    due_horizon_days: float = 14.0
    overdue_full_days: float = 7.0
    age_full_days: float = 365.0
    quick_win_hours: float = 1.0


@dataclass(frozen=True)
class Requester:
    """Who asked, as seen in the ask's engagement; the same for all their asks there."""

    role_weight: float = 0.0
    salience: float = 0.0      # attributes held / 3
    quadrant: float = 0.0      # QUADRANT_FACTORS of their cell
    relationship: float = 0.0  # how overdue a key stakeholder is, 0..1


NOBODY = Requester()


@dataclass(frozen=True)
class AskFacts:
    """What the score needs to know of one ask; times are in days, as floats."""

    status: str
    days_left: float | None   # until due; negative when overdue; None when undated
    age_days: float
    effort_hours: float | None
    value: int | None
    engagement_value: float   # already 0..1
    committed: bool
    blocking: bool
    blocked: bool
    goals: float              # 0, 0.5 or 1


def requester_weight(who: Requester, coefficients: Mapping[str, float]) -> float:
    """The "who asked" part of a score (role, salience, quadrant): how much a person matters
    in an engagement. ``patron client``, ``conflicts`` and ``due`` rank people by it."""
    return float(who.role_weight * coefficients["role"] + who.salience * coefficients["salience"]
                 + who.quadrant * coefficients["quadrant"])


def due_factor(days_left: float | None, ramp: Ramp) -> float:
    """0.2 at the horizon or further out, 1.0 once overdue by overdue_full_days, linear between."""
    if days_left is None:
        return 0.0
    if days_left >= ramp.due_horizon_days:
        return 0.2
    if days_left <= -ramp.overdue_full_days:
        return 1.0
    span = ramp.due_horizon_days + ramp.overdue_full_days
    return 0.2 + 0.8 * (ramp.due_horizon_days - days_left) / span


def age_factor(age_days: float, ramp: Ramp) -> float:
    return min(1.0, max(0.0, age_days / ramp.age_full_days))


def quick_win_factor(effort_hours: float | None, ramp: Ramp) -> float:
    if effort_hours is None:
        return 0.0
    if effort_hours <= ramp.quick_win_hours:
        return 1.0
    return ramp.quick_win_hours / effort_hours


def factors(ask: AskFacts, who: Requester, ramp: Ramp) -> tuple[float, ...]:
    """The factor of every term, in TERMS order."""
    return (
        who.role_weight,
        who.salience,
        who.quadrant,
        ask.engagement_value,
        (ask.value or 0) / 5.0,
        due_factor(ask.days_left, ramp),
        age_factor(ask.age_days, ramp),
        quick_win_factor(ask.effort_hours, ramp),
        1.0 if ask.committed else 0.0,
        1.0 if ask.blocking else 0.0,
        1.0 if ask.status == "doing" else 0.0,
        1.0 if ask.status == "waiting" else 0.0,
        1.0 if ask.blocked else 0.0,
        ask.goals,
        who.relationship,
    )


def total(factors_: tuple[float, ...], coefficients: tuple[float, ...]) -> float:
    """The score: the sum of factor x coefficient."""
    return sum(f * c for f, c in zip(factors_, coefficients, strict=True))


def relationship_factor(due: ContactDue | None) -> float:
    """How much contact you owe a key stakeholder: 0 when on time or before their first
    check-in (someone just added owes nothing), 1 when a whole cadence late."""
    return lateness(due)
