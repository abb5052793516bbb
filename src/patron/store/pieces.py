"""Pieces of a long list, so that an ``IN (...)`` list stays within every database's limit
on bound parameters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def chunks(items: Iterable[T], size: int = 500) -> Iterator[list[T]]:
    """``items`` ``size`` at a time (at least one), as they come."""
    stream = iter(items)
    while piece := list(islice(stream, max(1, size))):
        yield piece
