"""A text cut around the words that matter, so a page can mark them and still escape every
part: ``before + phrase + after`` is always the text itself."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Passage:
    before: str
    phrase: str
    after: str


def marked(text: str, phrase: str) -> Passage | None:
    """``text`` cut around the first place ``phrase`` stands in it, in any case and with any
    run of white space between its words; None when it is not there."""
    words = phrase.split()
    if not words:
        return None
    found = re.search(r"\s+".join(map(re.escape, words)), text, re.IGNORECASE)
    if found is None:
        return None
    return Passage(text[:found.start()], found.group(), text[found.end():])


def whole(text: str) -> Passage:
    """All of ``text`` marked."""
    return Passage("", text, "")
