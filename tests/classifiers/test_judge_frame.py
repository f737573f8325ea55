"""Judge frames (``classifiers/judge_frame.py``, version 63): a rating is as hard as the question it rates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.feature_schema import FEATURE_NAMES
from classifiers.features import conversation_features, handcrafted
from classifiers.judge_frame import QUESTION_READ_CHARS, judged_conversation, judged_question
from classifiers.text import parse_messages
from tests.classifiers import reference_features as ref
from tests.classifiers.conftest import user

CLOSED = FEATURE_NAMES.index("length in a closed problem")

#: Ratings of a look-up or a text: no problem to solve (the thinking tier at 0.45-0.67 before version 63).
TRIVIAL = (
    ("Rate the following response on a scale of 1-10 for accuracy.\nQuestion: What is the boiling point of water at sea "
    "level?\nResponse: 100 degrees Celsius (212 F).\nRating:"),
    ("Compare the two answers and output [[A]], [[B]] or [[tie]].\nQuestion: Suggest a name for a golden retriever puppy."
    "\nAnswer A: Sunny, because of the golden coat.\nAnswer B: Dog."),
    ("Judge the chatbot's reply for politeness on a scale of 1 to 7.\nUser: my order #55821 arrived 3 days late\n"
    "Bot: Sorry about the delay! I've added a $5 credit to your account."),
    "Rate this joke from 1 to 10: Why did the scarecrow win an award? Because he was outstanding in his field.",
    ("Grade this product description from 1 to 5 for persuasiveness: 'Our stainless steel water bottle keeps drinks "
    "cold for 24 hours and hot for 12.'"),
)
#: Gradings of a hard question, and texts with a scale that judge nothing: they keep their closed problem.
HARD = (
    ("Grade the student's solution for correctness. Output a score 0-5 and identify the first incorrect step if any.\n\n"
    "Problem: Find the number of positive integers n <= 100 such that n^2 + n + 41 is composite.\nStudent solution: "
    "n^2+n+41 is prime for n=0..39. For n=40 we get 1681=41^2, composite. For n > 41 the values alternate between prime "
    "and composite, so about half of 42..100 are composite, i.e. 29. Total 2+29 = 31."),
    ("Score the answer from 1 to 5 and show the correct computation if it is wrong.\nQuestion: A tank fills in 6 hours "
    "with pipe A and 9 hours with pipe B, and drains in 12 hours through pipe C. With all three open, how long does it "
    "take to fill?\nAnswer: 1/6 + 1/9 - 1/12 = 7/36, so 36/7 = 5.14 hours."),
    ("A judge scores divers from 0 to 10. Seven judges give 8.5, 9, 7.5, 9.5, 8, 9 and 8.5; the highest and lowest are "
    "dropped and the rest averaged. What is the diver's score?"),
    "On a scale of 1 to 10, how hard is it to prove that there are infinitely many primes of the form 4k+3? Sketch the proof.",
)


def _closed(text: str) -> float:
    return handcrafted(parse_messages(user(text)))[CLOSED]


@pytest.mark.parametrize("text", TRIVIAL)
def test_a_rating_of_no_problem_is_no_closed_problem(text):
    """The scale ("1-10") and the answer's figures gave the math domain: the frame read as a closed problem."""
    assert _closed(text) == 0.0


@pytest.mark.parametrize("text", HARD)
def test_a_grading_of_a_hard_question_keeps_its_closed_problem(text):
    assert _closed(text) > 0.0


@pytest.mark.parametrize(("text", "question"), [
    ("Rate it 1-10.\nQuestion: Why?\nAnswer: Because.", "Why?"),
    ("You are an impartial judge. Output [[A]] or [[B]].\n[User Question]\nName a fruit.\n[The Start of A]\napple", "Name a fruit."),
    ("### Instruction\nYou are grading answers.\n### Question\nTallest mountain?\n### Answer\nEverest\n### Output a score from 1 to 10.",
     "Tallest mountain?"),
    ("Score the answer 0-5.\nQ: What is 2+2?\nsecond line\nA: 4", "What is 2+2?\nsecond line"),
    ("On a scale of 1 to 5, how polite is this reply? \"Fine.\"", ""),  # no question: the reply is material
    ("A judge scores divers from 0 to 10. What is the score?", None),  # a word problem's judge
    ("No one expects drops on the scale of the declines, 1-10 percent.", None),  # no "scale of 1", no judging word
    ("Write a Python function rate(reviews) that returns the average star rating from 1 to 5.", None),
])
def test_judged_question(text, question):
    assert judged_question(text) == question
    assert ref._judged_question(text) == question


def test_scores(default):
    """Trivial ratings go to the cheap tier or its edge (0.45-0.67 before); a grading of a counting problem stays in the top one."""
    for text in TRIVIAL:
        assert default.score(user(text)).score < 0.45, text
    assert default.score(user(HARD[0])).score > 0.75


PIECES = ("Rate", "rate", "Score", "the answer", "judge", "You are an impartial", " judge", "Output a score", "scale of 1",
          " 1-10", "from 1 (bad) to 5", " 0 to 100", "1-10.5", "[[A]]", "[[tie]]", "which answer is better", "rate it",
          "Question:", "Q:", "### Question", "[User Question]", "Problem:", "Answer:", "Response A:", "[The End]", "###",
          "What is 2 + 3 * 4?", "Prove that 7 is prime.", "How do I boil an egg?", "probability", "```", "def f(): pass",
          "\n", "\n", " ", ". ", "? ", "please ", "x" * 120)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_judge_frames_equal_the_reference(text):
    assert judged_question(text) == ref._judged_question(text)
    c = parse_messages(user(text))
    assert conversation_features(c)[0] == ref.handcrafted(c)


#: Puzzles with a numbered range and a judging word in another sentence: no frame (review_s40_b M1, version 69).
PUZZLES = (
    ("Five runners finished a race in places 1 to 5. Alice finished ahead of Bob but behind Carol. Dan was not last. "
     "Eve finished immediately after Bob. Carol was not first. Determine the full finishing order. Compare your answer "
     "against every clue before you reply."),
    ("Six people sit at seats numbered 1 to 6 around a round table. A is opposite B. C is two seats clockwise from A. "
     "D is not next to C. E sits between D and F. Then judge: can F sit directly opposite C? Justify."),
    ("Four friends stand in a line numbered 1 to 4. Ben is left of Ana. Cy is right of Dee. Ana is not at either end. "
     "Then evaluate: who stands in position 2? Explain."),
)


@pytest.mark.parametrize("text", PUZZLES)
def test_a_puzzle_with_a_judging_word_elsewhere_is_no_frame(text):
    """Its scale ("numbered 1 to 6") and its judging word ("Then judge:") are in different sentences."""
    assert judged_question(text) is None
    assert ref._judged_question(text) is None
    assert _closed(text) > 0.0


@pytest.mark.parametrize(("text", "frame"), [
    ("Compare your answer against every clue. Rate it 1 to 5.", True),  # "rate it" and the scale in one sentence
    ("Compare your answer against the key, 1 to 5.", False),  # a self-check: "compare" judges candidates only
    ("Compare the two answers and output [[A]] or [[B]].", True),
    ("You are an impartial judge.\nUser: hi\nAssistant A: hello\nOutput [[A]] or [[B]].", True),  # a judge named
    ("Seats are numbered 1 to 6.\nJudge whether F can sit opposite C.", False),
])
def test_a_frame_needs_its_scale_and_judging_word_in_one_sentence(text, frame):
    assert (judged_question(text) is not None) is frame
    assert (ref._judged_question(text) is not None) is frame


def test_a_rated_argument_keeps_its_closed_problem():
    """A real frame over a syllogism (no labelled question): its logic cues make it a puzzle (version 69)."""
    text = ("Score the following argument from 1 to 10 on logical validity and explain each step: All bloops are "
            "razzies. Some razzies are lazzies. Therefore some bloops are lazzies.")
    assert judged_question(text) == ""
    assert _closed(text) > 0.0


def test_the_judged_question_is_featurized_in_its_first_characters():
    """Featurizing a 1,500-character question again cost 0.2 ms: over the 0.5 ms p99 budget at 2,000 (M2)."""
    text = "Rate the answer from 1 to 10.\nQuestion: " + "A farmer has 17 sheep and buys 3 more. " * 40 + "\nAnswer: 42"
    judged = judged_conversation(parse_messages(user(text)))
    assert judged is not None and len(judged.last_user) == QUESTION_READ_CHARS + 1  # its two ends


#: Review_s40_c H3: frames whose scale comes in a later sentence than the judging word (0.24-0.40 -> 0.57-0.62 on 7.52.0).
LATER_SCALES = [
    "Rate the following answer for correctness. Question: what is 2+2? Answer: 4. Respond with a single number from 1 to 10.",
    "Score the response.\nQ: What is the capital of France?\nResponse: Paris.\nScale: 1-5",
    "Here is a question and a reply.\nQ: Is the sun a star?\nResponse: Yes.\nGive a number from 1 to 10 for how accurate it is.",
]


@pytest.mark.parametrize("text", LATER_SCALES)
def test_a_frame_may_give_its_scale_later(text):
    assert judged_question(text) is not None
