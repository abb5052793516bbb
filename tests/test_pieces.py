"""A long list taken in pieces, for IN (...) lists within every database's limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from patron.store.pieces import chunks


@given(items=st.lists(st.integers()), size=st.integers(min_value=-2, max_value=20))
def test_the_pieces_give_the_list_back_in_order(items: list[int], size: int) -> None:
    pieces = list(chunks(iter(items), size))  # any iterable, read as it comes
    assert [item for piece in pieces for item in piece] == items
    assert all(1 <= len(piece) <= max(1, size) for piece in pieces)
    assert all(len(piece) == max(1, size) for piece in pieces[:-1])


def test_five_hundred_at_a_time_unless_told() -> None:
    assert [len(piece) for piece in chunks(range(1201))] == [500, 500, 201]
