"""Patron: who your client really is, what to do next, and whether they would hire you back."""

from __future__ import annotations

__version__ = "0.1.0"
