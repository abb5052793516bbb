"""Alembic environment: Patron hands it an open connection; no ini file is used."""

from alembic import context

from patron.store import search
from patron.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # The search index is built by its own code (store/search.py), not from the metadata.
    include_name=lambda name, kind, parent: not search.is_index(name),
)
with context.begin_transaction():
    context.run_migrations()
