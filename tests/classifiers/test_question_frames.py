"""The question, not its frame (version 114, invariance review inv55): "please" or a label's colon before a question's
opener, an embedded yes/no question's frame, a question sent without its "?" by a polite opener that asks no one, and a
run of "?" score as the question does. Each read as a request for a program (its length prior ~245 characters more) or
as more or fewer questions than it asks, a tier crossing for the first two. Version 115 (trial cls55b): "and" before a
write / build verb asks for the code without its comma; an unmarked question ends its sentence."""

from __future__ import annotations

import pytest

from classifiers.feature_schema import FEATURE_NAMES
from classifiers.lexicons import lower_words
from classifiers.request_question import asks_for_code_later, embedded_yes_no, opens_question, question_marks, unmarked_question
from classifiers.text import parse_messages
from tests.classifiers.conftest import turn_features, user

_QUESTIONS = FEATURE_NAMES.index("questions")
_CODE = "\n\ndef f(x):\n    x.append(1)\n\nprint(f([]))"
#: Equivalent phrasings score within this of each other (the review's goal).
CLOSE = 0.05


def _tier(score: float) -> int:
    return 0 if score <= 0.40 else 1 if score <= 0.75 else 2


def _opens(text: str) -> bool:
    return opens_question(lower_words(text), text)


def _close(default, text: str, direct: str) -> None:
    a, b = default.score(user(text)).score, default.score(user(direct)).score
    assert abs(a - b) < CLOSE and _tier(a) == _tier(b), (a, b)


# "Please explain why this code prints None." 0.76 and "pls explain recursion …" 0.74 read as requests for a program
# ("Explain why …" 0.44, "Explain recursion …" 0.41); "Explain: what is …" 0.73 ("Explain what is …" 0.41).
PLEASE_AND_COLON = [
    ("Please explain why this code prints None." + _CODE, "Explain why this code prints None." + _CODE),
    ("pls explain recursion to a 10 year old.", "Explain recursion to a 10 year old."),
    ("Please explain what is the difference between a process and a thread?",
     "Explain what is the difference between a process and a thread?"),
    ("Explain: what is the difference between a process and a thread?",
     "Explain what is the difference between a process and a thread?"),
    ("Please explain: what is the difference between a process and a thread?",
     "Explain what is the difference between a process and a thread?"),
    ("Explain:\nWhat is the difference between a process and a thread?",
     "Explain what is the difference between a process and a thread?"),
]


@pytest.mark.parametrize(("text", "direct"), PLEASE_AND_COLON)
def test_please_or_a_colon_before_the_opener_keeps_the_question(default, text, direct):
    assert _opens(text) and _opens(direct)
    _close(default, text, direct)


@pytest.mark.parametrize("text", [
    "Please write a Python function that checks if a string is a palindrome.", "Please implement a trie in C++.",
    "pls build a REST API in Go for todo items.", "Please do the same in Java.", "Please, can you write a parser?",
    "Write: a function that adds two numbers.",
])
def test_please_before_a_request_is_still_a_request(text):
    """"please" is skipped only before a question's opener, and not before "do" ("Please do …" asks for the work)."""
    assert not _opens(text)


# "I'm wondering whether this code is thread-safe." 0.83, "Could you check whether …" 0.82 (the direct question 0.35);
# "I was wondering if this code is thread-safe." 0.81: the frame dropped as a lead-in left the statement alone.
EMBEDDED_YES_NO = [
    ("I'm wondering whether this code is thread-safe.", "Is this code thread-safe?"),
    ("I'm wondering whether this code is thread-safe?", "Is this code thread-safe?"),
    ("Could you check whether this code is thread-safe?", "Is this code thread-safe?"),
    ("Can you please check if this code is thread-safe?", "Is this code thread-safe?"),
    ("I was wondering if this code is thread-safe.", "Is this code thread-safe?"),
    ("I'm wondering whether I should learn Rust or Go first.", "Should I learn Rust or Go first?"),
    ("I wonder whether I should learn Rust or Go first.", "Should I learn Rust or Go first?"),
]


@pytest.mark.parametrize(("text", "direct"), EMBEDDED_YES_NO)
def test_an_embedded_yes_no_question_is_the_question(default, text, direct):
    assert _opens(text)
    assert parse_messages(user(text)).last_user == text  # nothing dropped: "if" / "whether" is the question's
    _close(default, text, direct)


@pytest.mark.parametrize("text", [
    "I wonder if you could write me a sorting function in Rust.",  # a polite request (0.75; as a question 0.42)
    "I was wondering whether you could implement a trie in C++.", "Could you check my essay for typos and rewrite it?",
    "Can you check this function and write tests for it?",
])
def test_a_polite_request_is_no_embedded_question(text):
    assert not _opens(text) and not embedded_yes_no(lower_words(text))


def test_a_frame_of_wondering_keeps_its_drop_before_you_or_a_wh_word():
    """Version 112's bare lead-in stays where its rest reads as written ("you could …", "why …")."""
    assert parse_messages(user("I was wondering if you could explain recursion.")).last_user == "you could explain recursion."
    assert parse_messages(user("I was wondering if why this fails?")).last_user == "why this fails?"


@pytest.mark.parametrize(("text", "marked"), [
    ("can dogs eat grapes", "Can dogs eat grapes?"), ("could I use a list as a dict key in python",
                                                      "Could I use a list as a dict key in Python?"),
    ("I'm wondering whether I should learn Rust or Go first", "I'm wondering whether I should learn Rust or Go first?"),
])
def test_an_unmarked_question_of_a_polite_opener_or_a_frame_asks(default, text, marked):
    """"can dogs eat grapes" 0.30, "Can dogs eat grapes?" 0.15: a polite opener asking no one is a question."""
    assert unmarked_question(text, lower_words(text))
    assert turn_features(text)[_QUESTIONS] == turn_features(marked)[_QUESTIONS] > 0
    _close(default, text, marked)


@pytest.mark.parametrize("text", ["can you write a poem about rain", "could someone fix my code", "will u help me"])
def test_a_polite_request_without_its_mark_is_no_question(text):
    assert not unmarked_question(text, lower_words(text))


@pytest.mark.parametrize(("text", "n"), [("Why?", 1), ("Why??", 1), ("Why???", 1), ("Why?! Really??", 2),
                                          ("a ? b : c ?? d", 2), ("none", 0), ("?? ? ???", 3)])
def test_a_run_of_question_marks_is_one_question(text, n):
    assert question_marks(text) == n


@pytest.mark.parametrize("text", ["Can dogs eat grapes??", "Why is the sky blue???", "How do I center a div with flexbox??"])
def test_doubled_marks_score_as_one(default, text):
    """"Can dogs eat grapes??" 0.09 against 0.15 with one mark: each "?" counted a question."""
    single = text.rstrip("?") + "?"
    assert turn_features(text)[_QUESTIONS] == turn_features(single)[_QUESTIONS]
    _close(default, text, single)


# "Could you see if you can optimize this SQL query" 0.77 read as a question 0.45, "Could you check if you could rewrite
# this parser in Rust?" 0.74 as 0.41 (a tier down): a check's "if" before "you" frames a polite request, as a
# wondering frame's does ("I wonder if you could …").
CHECK_BEFORE_YOU = [
    ("Could you check if you could rewrite this parser in Rust?", "Could you rewrite this parser in Rust?"),
    ("Can you please check if you can rewrite this parser in Rust?", "Can you please rewrite this parser in Rust?"),
]


@pytest.mark.parametrize(("text", "direct"), CHECK_BEFORE_YOU)
def test_a_check_before_you_is_a_polite_request(default, text, direct):
    assert not _opens(text) and not _opens(direct)
    _close(default, text, direct)


def test_see_if_you_can_asks_for_the_work(default):
    text = "Could you see if you can optimize this SQL query"
    assert not _opens(text) and not _opens("now " + text) and default.score(user(text)).score > 0.75  # 7.92.0's 0.77


@pytest.mark.parametrize("text", ["Could not find module 'react' when running npm start", "Could not resolve host: github.com",
                                  "Can not import name 'x' from partially initialized module", "Would be great if you could write a parser",
                                  "Could never get this to compile", "Can do"])
def test_a_polite_opener_before_a_negation_or_a_bare_verb_asks_no_unmarked_question(text):
    """"Could not find module 'react' when running npm start" (an error message) read as a question, 0.42 -> 0.40."""
    assert not unmarked_question(text, lower_words(text))
    assert turn_features(text)[_QUESTIONS] == 0


# Version 115 (trial cls55b): "and" before a write / build verb asks for the code without its comma ("Please explain how
# a B-tree rebalances after deletion and implement it in Rust." 0.52, with the comma 0.76).
AND_WITHOUT_COMMA = [
    "Please explain how a B-tree rebalances after deletion and implement it in Rust.",
    "Explain how a B-tree rebalances after deletion and implement it in Rust.",
    "What is a trie and implement one in Python.",
]


@pytest.mark.parametrize("text", AND_WITHOUT_COMMA)
def test_and_before_a_write_verb_asks_for_the_code_without_its_comma(default, text):
    comma = text.replace(" and implement", ", and implement")
    assert asks_for_code_later(text) and not _opens(text)
    _close(default, text, comma)


@pytest.mark.parametrize("text", [
    "Explain how quicksort works and give an example.", "Explain how quicksort works and write a short summary.",
    "How do I create and implement a class in Python?", "Explain the visitor pattern and write an example in Java.",
    "How do I read and write files in Python?",
])
def test_and_before_an_example_a_text_or_in_a_question_asks_for_no_code(text):
    """An example or a text is no program; a question mark ends the bare "and" clause (no polite opener, no comma)."""
    assert not asks_for_code_later(text)


_SENTENCES = FEATURE_NAMES.index("sentences")
# Version 115: an unmarked question ends its sentence as its mark would ("is 91 a prime number" 0.33, with "?" 0.26; on
# 30 such pairs the missing mark added +0.022 on average, up to +0.072 through "sentences x math").
UNMARKED = ["is 91 a prime number", "why is the sky blue", "how does a transformer model work", "are tomatoes fruits",
            "what is 17 times 23", "which is bigger, 9.11 or 9.9"]


@pytest.mark.parametrize("text", UNMARKED)
def test_an_unmarked_question_ends_its_sentence(default, text):
    assert turn_features(text)[_SENTENCES] == turn_features(text + "?")[_SENTENCES] > 0
    a, b = default.score(user(text)).score, default.score(user(text + "?")).score
    assert abs(a - b) < 0.01, (a, b)


@pytest.mark.parametrize("text", ["Write a haiku about autumn", "can you write a poem about rain", "Hi there",
                                  "What is Python\nWrite a tutorial about it"])
def test_an_unterminated_request_ends_no_sentence(text):
    assert turn_features(text)[_SENTENCES] == 0.0
