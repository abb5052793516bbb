"""The schema revision this Patron expects (kept apart so fast paths need no SQLAlchemy)."""

from __future__ import annotations

SCHEMA_REVISION = "0009"
"""The newest migration; a test keeps it equal to Alembic's head."""
