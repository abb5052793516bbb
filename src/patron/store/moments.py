"""Each touchpoint's moment beside its participants: ``interaction_participant.occurred_at``.

A person's last contact is the latest touchpoint they took part in. Asked through the join
with ``interaction`` it reads every touchpoint of every person asked about (Today asks it
for thousands of stakeholders, some with thousands of messages); with the moment copied
beside each participant and indexed with the person, it is one index look-up each.

The copy is the database's to keep, whoever writes: a participant added without a moment
takes its touchpoint's, and a touchpoint moved in time moves its participants'. Writers that
know the moment (the mail import) give it and skip the look-up. A migration that rebuilds
``interaction`` or ``interaction_participant`` on SQLite drops these triggers: it must call
``uninstall`` before and ``install`` after, as for the search index.
"""

from __future__ import annotations

from sqlalchemy import Connection

_SQLITE = (
    "CREATE TRIGGER moment_participant_insert AFTER INSERT ON interaction_participant "
    "WHEN new.occurred_at IS NULL BEGIN "
    "UPDATE interaction_participant SET occurred_at = "
    "(SELECT occurred_at FROM interaction WHERE id = new.interaction_id) "
    "WHERE interaction_id = new.interaction_id AND person_id = new.person_id; END",
    "CREATE TRIGGER moment_interaction_update AFTER UPDATE OF occurred_at ON interaction BEGIN "
    "UPDATE interaction_participant SET occurred_at = new.occurred_at "
    "WHERE interaction_id = new.id; END",
)
_SQLITE_NAMES = ("moment_participant_insert", "moment_interaction_update")

_POSTGRESQL = (
    "CREATE FUNCTION moment_of_participant() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF new.occurred_at IS NULL THEN "
    "SELECT occurred_at INTO new.occurred_at FROM interaction WHERE id = new.interaction_id; "
    "END IF; RETURN new; END $$",
    "CREATE TRIGGER moment_participant_insert BEFORE INSERT ON interaction_participant "
    "FOR EACH ROW EXECUTE FUNCTION moment_of_participant()",
    "CREATE FUNCTION moment_of_interaction() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE interaction_participant SET occurred_at = new.occurred_at "
    "WHERE interaction_id = new.id; RETURN NULL; END $$",
    "CREATE TRIGGER moment_interaction_update AFTER UPDATE OF occurred_at ON interaction "
    "FOR EACH ROW EXECUTE FUNCTION moment_of_interaction()",
)

FILL = ("UPDATE interaction_participant SET occurred_at = "
        "(SELECT occurred_at FROM interaction WHERE interaction.id = interaction_id)")


def install(conn: Connection) -> None:
    """Copy every touchpoint's moment to its participants, and keep the copies from now on."""
    conn.exec_driver_sql(FILL)
    for statement in _SQLITE if conn.dialect.name == "sqlite" else _POSTGRESQL:
        conn.exec_driver_sql(statement)


def uninstall(conn: Connection) -> None:
    """Stop keeping the copies (before a bulk load; ``install`` fills them again)."""
    if conn.dialect.name == "sqlite":
        for name in _SQLITE_NAMES:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        return
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS moment_participant_insert ON interaction_participant")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS moment_interaction_update ON interaction")
    conn.exec_driver_sql("DROP FUNCTION IF EXISTS moment_of_participant()")
    conn.exec_driver_sql("DROP FUNCTION IF EXISTS moment_of_interaction()")
