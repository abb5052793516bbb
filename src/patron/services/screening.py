"""Screen a prospect: the partnership questions, the red flags in what they said, a fit
score and a recommendation with its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from patron.domain import screening as s
from patron.errors import InvalidInput
from patron.settings import Settings
from patron.store import schema


@dataclass
class Screening:
    prospect: str
    answers: list[s.Answer]
    flags: list[s.Flag]
    fit: int
    recommendation: str
    reasons: list[str] = field(default_factory=list)


def phrases(settings: Settings) -> dict[str, list[str]]:
    return {kind: list(settings[f"screening.{kind}"]) for kind, _ in s.FLAG_KINDS}


def screen_prospect(conn: Connection, settings: Settings, prospect_id: int) -> Screening:
    p = schema.prospect
    row = conn.execute(select(p).where(p.c.id == prospect_id)).mappings().one()
    texts = [(f"prospect #{prospect_id} notes", row["notes"] or ""),
             (f"prospect #{prospect_id} goal", row["goal"] or "")]
    texts += _touchpoints(conn, row["contact_id"], row["organisation_id"])
    flags = s.red_flags(texts, phrases(settings))
    answers = _questions(conn, settings, row, flags)
    score = s.fit(answers, flags)
    verdict, reasons = s.recommendation(score, answers, flags)
    return Screening(row["name"], answers, flags, score, verdict, reasons)


def screen_text(settings: Settings, text: str, source: str = "text") -> Screening:
    """A block of text alone (a mail, call notes): only the red flags can be judged."""
    if not text.strip():
        raise InvalidInput(f"{source}: no text to screen")
    flags = s.red_flags([(source, text)], phrases(settings))
    answer = s.Answer("Do you want to work with them?", "no" if flags else "unknown",
                      f"{len(flags)} red flags in the text" if flags else "nothing alarming said")
    score = s.fit([answer], flags)
    verdict, reasons = s.recommendation(score, [answer], flags)
    return Screening(source, [answer], flags, score, verdict, reasons)


def _touchpoints(conn: Connection, contact: int | None, organisation: int | None
                 ) -> list[tuple[str, str]]:
    """What the contact (and their colleagues) said in recorded touchpoints."""
    i, part, person = schema.interaction, schema.interaction_participant, schema.person
    people = set()
    if contact is not None:
        people.add(contact)
    if organisation is not None:
        people |= set(conn.execute(select(person.c.id).where(person.c.organisation_id == organisation))
                      .scalars())
    if not people:
        return []
    rows = conn.execute(
        select(i.c.id, i.c.summary, i.c.notes).join(part, part.c.interaction_id == i.c.id)
        .where(part.c.person_id.in_(sorted(people))).distinct().order_by(i.c.id))
    return [(f"interaction #{ident}", f"{summary}. {notes or ''}") for ident, summary, notes in rows]


def _questions(conn: Connection, settings: Settings, row: Any, flags: list[s.Flag]) -> list[s.Answer]:
    kinds = {f.kind for f in flags}
    minimum = float(settings["screening.minimum_fee"])
    fee = row["fee"]
    if fee is None:
        fee_answer = s.Answer("Is the fee on your terms?", "unknown", "no fee recorded")
    elif minimum:
        ok = fee >= minimum
        fee_answer = s.Answer("Is the fee on your terms?", "yes" if ok else "no",
                              f"{fee:g} against your minimum of {minimum:g}")
    else:
        fee_answer = s.Answer("Is the fee on your terms?", "no" if "price_pressure" in kinds else
                              "unknown", "they press on price" if "price_pressure" in kinds else
                              "set screening.minimum_fee to judge it")
    return [
        s.Answer("Is the project's goal stated?", "yes" if (row["goal"] or "").strip() else "no",
                 "recorded" if (row["goal"] or "").strip() else "nobody has said what it is for"),
        fee_answer,
        s.Answer("Is the benefit mutual?", "no" if kinds & {"price_pressure", "unpaid_scope"}
                 else "unknown", "they want more for less" if kinds & {"price_pressure", "unpaid_scope"}
                 else "nothing recorded either way"),
        s.Answer("Do you know who decides and who pays?",
                 "yes" if row["contact_id"] and row["organisation_id"] else "no",
                 "a contact and an organisation are recorded" if row["contact_id"] and
                 row["organisation_id"] else "record the contact and the organisation"),
        s.Answer("Do you want to work with them?", "no" if kinds & {"ownership", "contempt"}
                 else "unknown", "they speak of ownership or scorn others" if kinds &
                 {"ownership", "contempt"} else "your call: nothing alarming recorded"),
    ]
