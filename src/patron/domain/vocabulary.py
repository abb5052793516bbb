"""The closed vocabularies of the register (PRODUCT.md's domain words)."""

from __future__ import annotations

from enum import StrEnum


class EngagementKind(StrEnum):
    CLIENT = "client"      # work done for a customer
    EMPLOYER = "employer"  # your job itself: your employer is one of your bosses
    SELF = "self"          # your own development: you are the third boss


class EngagementStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


class Role(StrEnum):
    SPONSOR = "sponsor"        # pays and signs: the Executive
    MANAGER = "manager"        # directs and judges the work day to day
    CUSTOMER = "customer"      # uses the result
    BOSS = "boss"              # your own line manager: one more customer
    TEAMMATE = "teammate"
    GATEKEEPER = "gatekeeper"  # PMO, compliance, procurement
    MENTOR = "mentor"
    SELF = "self"


class Stance(StrEnum):
    CHAMPION = "champion"
    SUPPORTER = "supporter"
    NEUTRAL = "neutral"
    SCEPTIC = "sceptic"
    BLOCKER = "blocker"


class AskStatus(StrEnum):
    OPEN = "open"
    DOING = "doing"
    WAITING = "waiting"
    DONE = "done"
    DECLINED = "declined"

    @property
    def is_open(self) -> bool:
        return self in (AskStatus.OPEN, AskStatus.DOING, AskStatus.WAITING)


class CommitmentStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"


class InteractionKind(StrEnum):
    MEETING = "meeting"
    CALL = "call"
    MAIL = "mail"
    MESSAGE = "message"
    PRESENTATION = "presentation"


class Direction(StrEnum):
    INBOUND = "in"     # they reached out to you
    OUTBOUND = "out"   # you reached out to them
    MUTUAL = "both"    # a meeting, a call both sides wanted


class BossKind(StrEnum):
    EMPLOYER = "employer"
    CUSTOMER = "customer"
    SELF = "self"


class GoalKind(StrEnum):
    LEARNING = "learning"
    CAREER = "career"
    MARKETING = "marketing"  # marketing yourself
    NETWORK = "network"
    OTHER = "other"


class GoalStatus(StrEnum):
    ACTIVE = "active"
    DONE = "done"
    DROPPED = "dropped"


class ProspectStatus(StrEnum):
    SCREENING = "screening"
    ACCEPTED = "accepted"
    DECLINED = "declined"


OPEN_ASK_STATUSES: tuple[str, ...] = tuple(s.value for s in AskStatus if s.is_open)
"""The statuses of asks still to be dealt with."""

KEY_ROLES: frozenset[str] = frozenset({Role.SPONSOR.value, Role.MANAGER.value, Role.BOSS.value})
"""The roles whose neglect costs you most: who pays, who directs, your own manager."""

BOSS_KIND_OF_ENGAGEMENT: dict[EngagementKind, BossKind] = {
    EngagementKind.CLIENT: BossKind.CUSTOMER,
    EngagementKind.EMPLOYER: BossKind.EMPLOYER,
    EngagementKind.SELF: BossKind.SELF,
}
"""Whose time it is when you work on an engagement, unless a time entry says otherwise."""
