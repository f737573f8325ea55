"""An embedded wh-question opening the turn as read counts its direct form's knowledge pair (trial cls56b, in feature
116: no training prompt opens so). "Tell me when the Roman Empire fell" is read "when the Roman Empire fell" once its
frame is dropped (version 113) and lacked the pair "when did" of "When did the Roman Empire fall?": 0.16 against 0.29.
Trial cls56c: "I wonder" / "I'm wondering" / "I've always wondered" / "I'm curious (about)" before a wh-word is such a
frame (``courtesy._WONDER``), and the clause left is read as the rule above reads it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.lexicons import LEXICON_NAMES
from classifiers.request_question import EMBEDDED_CHARS, add_embedded_pair
from classifiers.text import parse_messages
from tests.classifiers._equivalence_helpers import _same
from tests.classifiers.conftest import user
from tests.classifiers.test_question_frames import _close  # within CLOSE (0.05) and in one tier

_KNOWLEDGE = LEXICON_NAMES.index("knowledge")

# Each moved -0.12 to -0.19 against its direct form before (a frame is dropped: "Tell me", "I want to know", "Do you
# know", "I'd like to know", "Can you tell me").
PAIRS = [
    ("Tell me when the Roman Empire fell", "When did the Roman Empire fall?"),
    ("I want to know when the Berlin Wall came down", "When did the Berlin Wall come down?"),
    ("Do you know when World War II ended?", "When did World War II end?"),
    ("Tell me what a monad is", "What is a monad?"),
    ("I want to know what photosynthesis is", "What is photosynthesis?"),
    ("Do you know what a black hole is?", "What is a black hole?"),
    ("Tell me where the Louvre is", "Where is the Louvre?"),
    ("Can you tell me where the Taj Mahal is?", "Where is the Taj Mahal?"),
    ("I want to know who Alan Turing was", "Who was Alan Turing?"),
    ("Do you know who the current UN Secretary-General is?", "Who is the current UN Secretary-General?"),
    ("I'd like to know when the Ottoman Empire ended", "When did the Ottoman Empire end?"),
]


def _pair(text: str) -> int:
    return add_embedded_pair([0] * len(LEXICON_NAMES), text)[_KNOWLEDGE]


@pytest.mark.parametrize(("text", "direct"), PAIRS)
def test_an_embedded_question_scores_as_its_direct_form(default, text, direct):
    _close(default, text, direct)


@pytest.mark.parametrize("text", [
    "when the Roman Empire fell", "what a monad is", "where the Louvre is.", "who Alan Turing was?",
    "what the difference between TCP and UDP is", "what a closure is in JavaScript", "where the Louvre is located",
    "what the differences are", "when Columbus discovered America", "who the current UN Secretary-General is",
    "When the Berlin Wall came down\nI need it for my essay.",
])
def test_the_embedded_clause_counts_its_pair(text):
    assert _pair(text) == 1


# Statements, a free relative, relative clauses, code, a direct form (its pair is counted already), a verb whose direct
# form makes no pair ("when was …", "when does …", "where are …"), a cut clause.
@pytest.mark.parametrize("text", [
    "When the server starts, it crashes with a segfault.", "When the server starts it crashes",
    "When I started the server it crashed", "When using Docker it crashed", "When I ran the tests, they all failed.",
    "What I mean is that the function returns None.", "What I mean is, the server is down.", "What you said is true.",
    "Where I live is cold in winter.", "Who I am is none of your business.", "What he did is in the report.",
    "What I can do is limited", "Who painted the picture that is in the Louvre?", "Who wrote the book that is on my desk",
    "What the function returns is a list of tuples", "when x == 1: return y", "what = input(); if what is None: pass",
    "When did the Roman Empire fall?", "What is a monad?", "What breed dog is smallest?", "What color is the sky",
    "What positive two-digit integer is exactly twice the sum of its digits?", "When the printing press was invented",
    "when the store opens", "where the wild things are", "The place where the Louvre is", "Explain what a monad is",
    "who painted the Mona Lisa", "when Shakespeare was born", "what's a monad",
    "what a monad " + "and a functor " * (EMBEDDED_CHARS // 14) + "is",
])
def test_no_pair_without_such_a_clause(text):
    assert _pair(text) == 0


# Review56c: each had the pair (+0.08 to +0.20): a title (its verb capitalized), a "when" clause before a main clause (a
# second past verb not after "and" / "or"), an exclamation ("what a" and a pronoun before "is").
@pytest.mark.parametrize("text", [
    "When Harry Met Sally", "When Worlds Collided", "When Giants Fell", "Who the Man Is", "Where the Heart Is",
    "When the war ended the soldiers returned home.", "When the power failed the backup generator started.",
    "What a disaster this is!", "What a mess this is.", "What a nice surprise this is", "What a beautiful day it is!",
])
def test_no_pair_for_a_title_a_main_clause_or_an_exclamation(text):
    assert _pair(text) == 0


@pytest.mark.parametrize("text", [
    "when the United States entered World War II", "When the Allies invaded Normandy and liberated Paris",
    "WHEN THE ROMAN EMPIRE FELL", "what a monad is", "what an API is",
])
def test_a_name_an_and_or_capitals_keep_the_pair(text):
    assert _pair(text) == 1


def test_the_embedded_pair_equals_the_reference():
    for text in [t for pair in PAIRS for t in pair] + ["when the Roman Empire fell", "What I mean is that it is.",
                                                       "what a monad " + "x " * 60 + "is", "what a monad is." + "x" * 200]:
        _same(text)


_CLAUSE_WORDS = ("what", "who", "where", "when", "the", "a", "monad", "Louvre", "I", "it", "is", "are", "was", "did",
                 "that", "in", "and", "used", "fell", "ended", "speed", "need", "ran", "was", "invented", "'s", "x",
                 "Fell", "Is", "United", "this", "it", "an", "or", "Re-opened")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(("what", "who", "where", "when", "When", " what", "WHO")),
       st.lists(st.sampled_from(_CLAUSE_WORDS), max_size=8).map(" ".join),
       st.sampled_from(("", ".", "?", "\n", ", then", ". More.", "!", "=1", " " * 130, "x" * 130)))
def test_the_embedded_pair_equals_the_reference_on_clauses(wh, words, end):
    _same(f"{wh} {words}{end}")


# --- trial cls56c: a frame of wondering or curiosity before a wh-word is one of courtesy's frames ---

#: Read whole, each scored +0.13 to +0.37 over its direct form ("I wonder who invented the telephone" 0.33 against 0.16;
#: "I'm wondering how a hash map works" 0.73, a request for a program, against 0.37): no question word opened it.
WONDER_PAIRS = [
    ("I wonder who invented the telephone", "Who invented the telephone?"),
    ("I wonder why the sky is blue", "Why is the sky blue?"),
    ("I'm wondering how a hash map works", "How does a hash map work?"),
    ("I was wondering which sorting algorithm is fastest", "Which sorting algorithm is fastest?"),
    ("I was wondering why cats purr", "Why do cats purr?"),
    ("I've always wondered how airplanes fly", "How do airplanes fly?"),
    ("I'm curious what causes inflation", "What causes inflation?"),
    ("I'm curious about why cats purr", "Why do cats purr?"),
    ("I'm curious which programming language is best for beginners", "Which programming language is best for beginners?"),
    ("Just wondering why the sky is blue", "Why is the sky blue?"),
    # a hypothetical opened so is its question ("Tell me what would happen if …" reads so since version 113)
    ("I wonder what would happen if the moon disappeared", "What would happen if the moon disappeared?"),
]


@pytest.mark.parametrize(("text", "direct"), WONDER_PAIRS)
def test_a_frame_of_wondering_scores_as_the_direct_question(default, text, direct):
    _close(default, text, direct)


@pytest.mark.parametrize("frame", ["I wonder", "I'm wondering", "Im wondering", "I am wondering", "I was wondering",
                                   "I've been wondering", "Just wondering", "I've always wondered", "I have wondered",
                                   "I'm curious", "I am curious about", "I'm curious,", "I wonder,", "Just wondering:"])
def test_a_frame_of_wondering_is_not_read(frame):
    conv = parse_messages(user(f"{frame} why the sky is blue"))
    assert conv.last_user == "why the sky is blue" and conv.dropped_courtesy == frame


@pytest.mark.parametrize("text", [
    "I wonder if you could help me write a parser", "I wonder whether I should learn Rust or Go first.",
    "I wondered why the door was open. I walked in slowly and saw a note on the table. Write a story that continues this.",
    "I wondered why he left.", "I'm curious", "I'm curious.", "I'm curious about AI.", "I wonder.", "I wonder",
    "I always wonder about the stars.", "Write a poem that starts with 'I wonder why the stars shine'",
    "Just wondering", "I've always wondered about the pyramids.",
])
def test_no_frame_of_wondering_before_no_wh_word(text):
    """A request ("if you could"), an embedded yes/no question (``embedded_yes_no``), the past "I wondered" of a story,
    curiosity or wondering with no wh-word after it, and a quote are read as written."""
    assert parse_messages(user(text)).last_user == text
