"""Finding asks and commitments in the writer's own words of a message."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.domain.speech import (
    COMMITMENT,
    REQUEST_ACTION,
    REQUEST_INFORMATION,
    calls_on,
    detect,
    greeted,
    reply_part,
    sentences,
)

WRITTEN = datetime(2026, 11, 18, 9, 30)  # a Wednesday


def kinds(text: str) -> list[str]:
    return [f.kind for f in detect(text, WRITTEN)]


@pytest.mark.parametrize("text", [
    "Could you send me the Q3 figures?",
    "Can you arrange a shuttle to the airport?",
    "Would you mind setting up a meeting with legal?",
    "Please review the attached contract.",
    "Pls print the attachment for me.",
    "I need you to sign the lease.",
    "Send me the deck when you can.",
    "Also, forward this to Suzanne.",
])
def test_requests_for_action(text: str) -> None:
    assert kinds(text) == [REQUEST_ACTION]


@pytest.mark.parametrize("text", [
    "How does it look to you now?",
    "Let me know whether the deal closed.",
    "Please let me know what you think.",
    "Will you be able to attend the call?",
    "Any thoughts on the draft?",
    "Could you give me an update on the amendments?",
    "is this on my calendar already",
])
def test_requests_for_information(text: str) -> None:
    assert kinds(text) == [REQUEST_INFORMATION]


@pytest.mark.parametrize("text", [
    "I'll send the deck on Friday.",
    "I will get it to you by Monday.",
    "I'm going to draft the memo tonight.",
    "We will prepare an answer to the protests.",
    "I can get it to you by 12/5.",
    "Let me check with legal.",
    "I'll let you know what I find out.",
])
def test_commitments(text: str) -> None:
    assert kinds(text) == [COMMITMENT]


@pytest.mark.parametrize("text", [
    "The meeting went well.",
    "I will be out of the office until Monday.",
    "We will need a projector.",
    "Please note the new address.",
    "Please find attached the report.",
    "Feel free to call me.",
    "Let me know if you have any questions.",
    "Please call me if you need anything.",
    "Please do not forward this e-mail.",
    "Thanks for your help!",
    "fax 713-853-5425",
    "",
])
def test_not_asks_nor_promises(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize(("text", "due"), [
    ("Please send it by Friday.", datetime(2026, 11, 20)),
    ("Please send it Monday.", datetime(2026, 11, 23)),
    ("Please send it next Wednesday.", datetime(2026, 11, 25)),  # strictly after today
    ("Please send it tomorrow.", datetime(2026, 11, 19)),
    ("Please send it today.", datetime(2026, 11, 18)),
    ("Please send it by end of day.", datetime(2026, 11, 18, 17)),
    ("Please send it by EOD.", datetime(2026, 11, 18, 17)),
    ("Please respond by COB Thursday.", datetime(2026, 11, 19, 17)),
    ("Please send it by 12/5.", datetime(2026, 12, 5)),
    ("Please send it by 1/15.", datetime(2027, 1, 15)),  # past this year: next year's
    ("Please send it by 12/5/2026.", datetime(2026, 12, 5)),
    ("Please send it by December 5.", datetime(2026, 12, 5)),
    ("Please send it by the 5th of December.", datetime(2026, 12, 5)),
    ("Please review by Friday, Nov 27th.", datetime(2026, 11, 27)),  # the date beats the weekday
    ("Please send it next week.", datetime(2026, 11, 23)),
    ("Please send it by the end of the week.", datetime(2026, 11, 20)),
    ("Please send it by the end of the month.", datetime(2026, 11, 30)),
    ("Please send it within 2 weeks.", datetime(2026, 12, 2)),
    ("Please call me by 3pm.", datetime(2026, 11, 18, 15)),
    ("Please call me at 9am.", datetime(2026, 11, 19, 9)),  # 9am today has passed
    ("Please send it ASAP.", datetime(2026, 11, 18)),
    ("Please send the figures.", None),
    ("Please send 3 copies of the 2/3 majority report.", None),
])
def test_due_dates_are_read_relative_to_the_message(text: str, due: datetime | None) -> None:
    (finding,) = detect(text, WRITTEN)
    assert finding.due_at == due


@pytest.mark.parametrize(("text", "title"), [
    ("Could you send me the Q3 figures by Friday?", "Send me the Q3 figures"),
    ("Steve, could you please review the petition so that we can file on Friday?",
     "Review the petition"),
    ("Please let me know whether the deal closed.", "Let them know whether the deal closed"),
    ("How does it look to you now?", "Answer: How does it look to you now?"),
    ("I'll send you the reconciliation plan by Monday.", "Send you the reconciliation plan"),
    ("Send me the draft by the end of the month.", "Send me the draft"),
])
def test_titles_are_short_and_imperative(text: str, title: str) -> None:
    assert detect(text, WRITTEN)[0].title == title


def test_a_long_sentence_gets_a_short_title() -> None:
    text = "Please review " + "the very long list of documents and " * 10 + "send them back."
    assert len(detect(text, WRITTEN)[0].title) <= 80


@pytest.mark.parametrize("text", [
    "Fine.\n\n-----Original Message-----\nFrom: Helen\nCould you send me the figures?",
    "Fine.\n\n----- Original Message -----\nCould you send me the figures?",
    "Fine.\n---------------------- Forwarded by Helen Brandt/HOU/ECT on 10/23/2000 03:14 PM\n"
    "Could you send me the figures?",
    "Fine.\n\nOn Mon, Nov 16, 2026 at 9:00 AM, Helen Brandt <helen@example.com>\nwrote:\n"
    "Could you send me the figures?",
    "Fine.\n\nHelen wrote:\nCould you send me the figures?",
    "Fine.\n\nFrom: Helen Brandt\nSent: Monday, November 16, 2026 9:00 AM\nTo: Me\n"
    "Could you send me the figures?",
    "Fine.\n\nHelen Brandt\n11/06/2000 04:51 PM\n\nTo: Me\ncc:\nCould you send me the figures?",
    "Fine.\n\n\"Helen\" <helen@example.com> on 05/30/2000 07:58:30 AM\nTo: Me\n"
    "Could you send me the figures?",
    "Fine.\n> Could you send me the figures?\n>> And can you call me?",
    "Fine.\n-- \nHelen Brandt\nCould you send me the figures?",
    "Fine.\n\nThanks,\nHelen\nCFO, Ledger Inc. Can you call me?",
    "Fine.\n\nThis e-mail and any attachments are confidential and intended for the addressee "
    "only. Could you please delete it if you are not?",
])
def test_quoted_forwarded_and_signature_parts_are_left_out(text: str) -> None:
    assert reply_part(text) == "Fine."
    assert detect(text, WRITTEN) == []


def test_a_confidentiality_preamble_is_not_a_footer() -> None:
    text = "This communication is confidential and intended for the parties.\nPlease sign the letter."
    assert kinds(text) == [REQUEST_ACTION]


def test_sentences_follow_punctuation_and_short_lines_not_wrapping() -> None:
    text = ("Steve,\nPer your advice, I have removed the allegation from the petition and\n"
            "sent it to Mr. Smith on Oct. 26 for review. How does it look?\n\n"
            "- first item\n- second item\nBritt")
    assert sentences(text) == [
        "Steve,",
        "Per your advice, I have removed the allegation from the petition and sent it to "
        "Mr. Smith on Oct. 26 for review.",
        "How does it look?", "- first item", "- second item", "Britt"]


def test_curly_apostrophes_count() -> None:
    assert kinds("I\u2019ll send it tomorrow.") == [COMMITMENT]


def _normal(text: str) -> str:
    return " ".join(text.split())


@given(st.text(max_size=400), st.datetimes(min_value=datetime(1990, 1, 1),
                                           max_value=datetime(2090, 1, 1)))
def test_detect_never_raises_and_finds_only_the_reply(text: str, written: datetime) -> None:
    reply = _normal(reply_part(text))
    for finding in detect(text, written):
        assert finding.kind in (REQUEST_ACTION, REQUEST_INFORMATION, COMMITMENT)
        assert finding.sentence and finding.sentence in reply
        assert finding.title


_LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=60)


@given(st.lists(_LINE, max_size=5), st.lists(_LINE, min_size=1, max_size=5))
def test_what_is_only_in_quoted_lines_is_never_found(own: list[str], quoted: list[str]) -> None:
    mine = "\n".join(own)
    asks = [*quoted, "Could you send me the Q3 figures by Friday?", "I will call you tomorrow."]
    message = mine + "\n" + "\n".join("> " + line for line in asks)
    assert detect(message, WRITTEN) == detect(mine, WRITTEN)


@pytest.mark.parametrize("text", [
    "Let me emphasize that the chart is a draft.",
    "I will be able to come in if needed.",
])
def test_statements_that_look_like_promises(text: str) -> None:
    assert kinds(text) == []


def test_the_end_of_next_week_is_its_friday() -> None:
    (finding,) = detect("We will send it by the end of next week.", WRITTEN)
    assert (finding.title, finding.due_at) == ("Send it", datetime(2026, 11, 27))


def test_an_aware_time_is_read_on_the_writers_clock() -> None:
    from datetime import timedelta, timezone

    written = datetime(2026, 11, 18, 23, 30, tzinfo=timezone(timedelta(hours=-6)))
    (finding,) = detect("Please call me by 3pm.", written)
    assert finding.due_at == datetime(2026, 11, 19, 15)  # 3pm today has passed where she is


@pytest.mark.parametrize("text, names", [
    ("Victor,\n\nthe roles are ready.", {"victor"}),
    ("Hi Sam and Ines,\nplease look.", {"sam", "ines"}),
    ("Dear Helen\n\nThank you.", {"helen"}),
    ("Helen, we should wait for October.", {"helen"}),
    ("Sam, Ines:\nfine by me.", {"sam", "ines"}),
    ("Good morning team,\nall set.", set()),
    ("The trial balance is on the share.", set()),
    ("Approved. Karen, please tell the controllers.", set()),
    ("Ines, Élodie,\n\nCould you look?", {"ines", "élodie"}),
    ("Also, could you send it?", {"also"}),  # a word, not a name: the caller weighs it
    ("Hello all,\nthe plan.", set()),
    ("Thanks,\nBen", set()),
    ("", set()),
])
def test_the_names_a_message_opens_with(text: str, names: set[str]) -> None:
    assert greeted(reply_part(text)) == names


def test_a_sentence_that_turns_to_someone() -> None:
    assert calls_on("Agreed. Sam, could you draft it?", {"sam"})
    assert calls_on("Fine.\nSam , one more thing.", {"sam"})
    assert calls_on("Fine.\nSam \u2014 could you draft it?", {"sam"})
    assert calls_on("Fine. Sam - could you draft it?", {"sam"})
    assert calls_on("Sam: one more thing.", {"sam"})
    assert not calls_on("Fine. Sam-Ines is the new pair.", {"sam"})
    assert not calls_on("I spoke to Sam, who agreed.", {"sam"})
    assert not calls_on("Sam, could you?", set())
    assert not calls_on(reply_part("No.\n> Sam, could you?"), {"sam"})  # quoted: not their words
