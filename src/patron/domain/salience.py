"""Where a stakeholder stands: salience class and power-interest quadrant.

Salience follows Mitchell, Agle & Wood (1997): a stakeholder holds power,
legitimacy and urgency or not, and the attributes held name the class. The
quadrant follows Mendelow's power-interest grid. Patron records each
attribute on a 0-5 scale; an attribute counts as held (or high) from the
``stakeholders.high`` setting on.
"""

from __future__ import annotations

from dataclasses import dataclass

from patron.domain.vocabulary import Role

SALIENCE_CLASSES: dict[tuple[bool, bool, bool], str] = {
    # (power, legitimacy, urgency) -> class
    (False, False, False): "non-stakeholder",
    (True, False, False): "dormant",
    (False, True, False): "discretionary",
    (False, False, True): "demanding",
    (True, True, False): "dominant",
    (True, False, True): "dangerous",
    (False, True, True): "dependent",
    (True, True, True): "definitive",
}

SALIENCE_GROUPS: dict[str, str] = {
    "non-stakeholder": "none",
    "dormant": "latent",
    "discretionary": "latent",
    "demanding": "latent",
    "dominant": "expectant",
    "dangerous": "expectant",
    "dependent": "expectant",
    "definitive": "definitive",
}

QUADRANTS: dict[tuple[bool, bool], str] = {
    # (high power, high interest) -> Mendelow's advice
    (True, True): "manage closely",
    (True, False): "keep satisfied",
    (False, True): "keep informed",
    (False, False): "monitor",
}


@dataclass(frozen=True)
class Attributes:
    power: int
    interest: int
    legitimacy: int
    urgency: int


ROLE_DEFAULTS: dict[Role, Attributes] = {
    # What a role usually implies, used when the user gives no values.
    Role.SPONSOR: Attributes(power=5, interest=3, legitimacy=5, urgency=2),
    Role.MANAGER: Attributes(power=3, interest=5, legitimacy=4, urgency=4),
    Role.CUSTOMER: Attributes(power=2, interest=4, legitimacy=4, urgency=3),
    Role.BOSS: Attributes(power=4, interest=3, legitimacy=5, urgency=3),
    Role.TEAMMATE: Attributes(power=1, interest=4, legitimacy=3, urgency=2),
    Role.GATEKEEPER: Attributes(power=3, interest=2, legitimacy=4, urgency=1),
    Role.MENTOR: Attributes(power=1, interest=3, legitimacy=3, urgency=0),
    Role.SELF: Attributes(power=3, interest=5, legitimacy=5, urgency=2),
}


def salience_class(attrs: Attributes, high: int) -> str:
    """The Mitchell-Agle-Wood class of the attributes held (value >= high)."""
    return SALIENCE_CLASSES[(attrs.power >= high, attrs.legitimacy >= high, attrs.urgency >= high)]


def attributes_held(attrs: Attributes, high: int) -> int:
    """How many of power, legitimacy, urgency are held: salience rises with it."""
    return sum(v >= high for v in (attrs.power, attrs.legitimacy, attrs.urgency))


def quadrant(attrs: Attributes, high: int) -> str:
    """Mendelow's advice for the stakeholder's cell of the power-interest grid."""
    return QUADRANTS[(attrs.power >= high, attrs.interest >= high)]
