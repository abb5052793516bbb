"""Finding a record the way a person names it.

A person is found by id, by any of their e-mail addresses, or by a unique
prefix of their name or of any word in it ("Helen", "Brandt", "hel"). The
closest kind of match wins: the whole name, then a whole word ("Helen" is
Helen Brandt even when there is a Helena), then a prefix.
Engagements, organisations and the other named records work the same way;
organisations are also found by mail domain. A name that fits several
records is an error that lists them, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Connection, Table, func, or_, select

from patron.domain.records import BY_KIND, PERSON, STAKEHOLDER, RecordKind
from patron.errors import Ambiguous, InvalidInput, NotFound
from patron.store import schema

_ID = re.compile(r"#?(\d+)")


def table_of(kind: RecordKind) -> Table:
    return schema.metadata.tables[kind.table]


def resolve(conn: Connection, kind: RecordKind, text: str) -> int:
    """The id of the one record of ``kind`` that ``text`` names."""
    text = text.strip()
    if not text:
        raise InvalidInput(f"an empty {kind.name} name")
    found = _ID.fullmatch(text)
    if found:
        return _by_id(conn, kind, int(found.group(1)))
    if kind is STAKEHOLDER:
        return _stakeholder(conn, text)
    if "@" in text and kind.name in ("person", "organisation"):
        return _by_address(conn, kind, text)
    if kind.name == "organisation" and "." in text and " " not in text:
        by_domain = _organisation_by_domain(conn, text)
        if by_domain is not None:
            return by_domain
    if not kind.by_name:
        raise InvalidInput(f"name a {kind.name} by its id (see 'patron {kind.cli_name} list')")
    return _by_label(conn, kind, text)


MAX_ID = 2**63 - 1  # the largest id a database column holds; beyond it no record can be


def _by_id(conn: Connection, kind: RecordKind, ident: int) -> int:
    table = table_of(kind)
    if ident > MAX_ID or conn.execute(select(table.c.id).where(table.c.id == ident)).first() is None:
        raise NotFound(f"no {kind.name} with id {ident}")
    return ident


def _by_address(conn: Connection, kind: RecordKind, text: str) -> int:
    if kind is PERSON:
        row = conn.execute(
            select(schema.person_email.c.person_id).where(
                schema.person_email.c.address == text.lower()
            )
        ).first()
        if row is None:
            raise NotFound(f"no person with the address {text}")
        return int(row[0])
    found = _organisation_by_domain(conn, text.rsplit("@", 1)[-1])
    if found is None:
        raise NotFound(f"no organisation with the mail domain of {text}")
    return found


def _organisation_by_domain(conn: Connection, domain: str) -> int | None:
    row = conn.execute(
        select(schema.organisation_domain.c.organisation_id).where(
            schema.organisation_domain.c.domain == domain.lower()
        )
    ).first()
    return None if row is None else int(row[0])


def _by_label(conn: Connection, kind: RecordKind, text: str) -> int:
    table = table_of(kind)
    column = func.lower(table.c[kind.label])
    needle = text.lower()
    whole_word = or_(
        column.startswith(needle + " ", autoescape=True),
        column.endswith(" " + needle, autoescape=True),
        column.contains(" " + needle + " ", autoescape=True),
    )
    for condition in (
        column == needle,
        whole_word,
        column.startswith(needle, autoescape=True),
        or_(
            column.startswith(needle, autoescape=True),
            column.contains(" " + needle, autoescape=True),
        ),
    ):
        rows = conn.execute(
            select(table.c.id, table.c[kind.label]).where(condition).order_by(table.c.id).limit(51)
        ).all()
        if len(rows) == 1:
            return int(rows[0][0])
        if len(rows) > 1:
            raise Ambiguous(kind.name, text, [f"{label} (#{ident})" for ident, label in rows])
    raise NotFound(f"no {kind.name} called {text!r} (see 'patron {kind.cli_name} list')")


def _stakeholder(conn: Connection, text: str) -> int:
    """``PERSON``, ``PERSON/ENGAGEMENT`` or ``PERSON/ENGAGEMENT/ROLE``."""
    parts = [p.strip() for p in text.split("/")]
    st = schema.stakeholder
    query = select(st.c.id, st.c.person_id, st.c.engagement_id, st.c.role)
    query = query.where(st.c.person_id == resolve(conn, PERSON, parts[0]))
    if len(parts) > 1 and parts[1]:
        query = query.where(st.c.engagement_id == resolve(conn, BY_KIND["engagement"], parts[1]))
    if len(parts) > 2 and parts[2]:
        query = query.where(st.c.role == parts[2].lower())
    rows = conn.execute(query.order_by(st.c.id)).all()
    if len(rows) == 1:
        return int(rows[0][0])
    if not rows:
        raise NotFound(f"{text!r} is no stakeholder (see 'patron stakeholder list')")
    labels = labels_for(conn, STAKEHOLDER, [r[0] for r in rows])
    raise Ambiguous(
        "stakeholder",
        text,
        [f"{labels[r[0]]} (#{r[0]}; name it PERSON/ENGAGEMENT/ROLE)" for r in rows],
    )


def labels_for(conn: Connection, kind: RecordKind, ids: Sequence[int]) -> dict[int, str]:
    """How each record is shown to a person, by id."""
    if not ids:
        return {}
    table = table_of(kind)
    wanted = sorted(set(ids))
    if kind.label:
        named = conn.execute(select(table.c.id, table.c[kind.label]).where(table.c.id.in_(wanted)))
        return {int(i): str(label) for i, label in named}
    if kind is STAKEHOLDER:
        st, p, e = schema.stakeholder, schema.person, schema.engagement
        rows = conn.execute(
            select(st.c.id, p.c.name, st.c.role, e.c.name)
            .join(p, p.c.id == st.c.person_id)
            .join(e, e.c.id == st.c.engagement_id)
            .where(st.c.id.in_(wanted))
        )
        return {int(i): f"{person} ({role}, {eng})" for i, person, role, eng in rows}
    return {i: f"{kind.name.replace('_', ' ')} #{i}" for i in wanted}
