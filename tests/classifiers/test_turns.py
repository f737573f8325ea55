"""Probes for the genres `shared/` has no outcome data for — quizzes, few-shot prompts sent as turns, multi-turn chat —
hand-made (never tuned on): the score must order an obviously easy item below an obviously hard one, whatever the turns
around it or the layout of its options. Found by an outside review (session 31)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifiers.classifier import ComplexityClassifier
from classifiers.turns import SWITCH_HEAD, closes, quiz_after_bare_answer, switches_topic
from tests.classifiers.test_conversation_context import chat

PROOF = "Prove that there are infinitely many primes of the form 4k+3."
LRU = "Implement a thread-safe LRU cache in Java with O(1) get and put, and explain the locking strategy."


def quiz(question: str, options: list[str], answer: str = "", mark: str = "{}. ") -> str:
    lines = [question, *(mark.format("ABCD"[i]) + option for i, option in enumerate(options))]
    return "\n".join(lines) + "\nAnswer:" + (f" {answer}" if answer else "")


SHOTS = [("Which gas do plants absorb from the atmosphere?", ["Oxygen", "Carbon dioxide", "Nitrogen", "Helium"], "B"),
         ("What is the square root of 81?", ["7", "8", "9", "10"], "C"),
         ("Which ocean is the largest?", ["Atlantic", "Indian", "Arctic", "Pacific"], "D"),
         ("Who painted the Mona Lisa?", ["Leonardo da Vinci", "Michelangelo", "Raphael", "Donatello"], "A")]
EASY_QUIZ = quiz("What is 7 + 5?", ["10", "11", "12", "13"])
HARD_QUIZ = quiz("Find the characteristic of the ring 2Z.", ["0", "3", "12", "30"])


@pytest.mark.parametrize("turn", ["Thanks, that's all I needed!", "thank you so much :)", "ok great, thanks", "Perfect, it works now. Cheers!",
                                  "Merci beaucoup !"])
def test_a_turn_that_only_thanks_closes_the_conversation(turn: str) -> None:
    assert closes(turn)


@pytest.mark.parametrize("turn", ["thanks, and the other case?", "Thanks! Now add unit tests.", "ok, now prove it for 4k+1",
                                  "Great. Can you make it faster", "Thanks " * 30])
def test_a_thanks_that_asks_for_more_is_no_closing(turn: str) -> None:
    assert not closes(turn)


SWITCHES = ["Now a different question: how many legs does a spider have?", "New question: what is 2+2?", "Ok, new topic. Write a haiku.",
            "On another note, what's the weather like in Paris?", "Unrelated, but how do I boil an egg?", "Changing the subject: pizza?",
            "Let's switch gears. Explain TCP.", "Different question - what is DNS?", "Totally unrelated: what is DNS?",
            "Neue Frage: wie spät ist es?", "Nouvelle question : qui est le président ?", "Nueva pregunta: ¿cuál es la capital de Perú?"]
NO_SWITCHES = ["I have a new question about your proof.", "A different question on the same function: what about negatives?",
               "Write a new function that also handles strings.", "Create a new topic modelling pipeline in Python",
               "Now answer the other question.", "Is it unrelated?", "Is this unrelated to the lemma above?", "Add a new task to the list",
               "continue", "What if the numbers are negative?",
               # it says so, but points back (an outside review, s35: 29 of 38 such follow-ups lost their context)
               "New task: now add tests to it.", "Different question: why did you choose a heap there?",
               "Unrelated, but could you also fix the typo in line 3?", "New question: is the same true for 4k+1?",
               "Another question: what about the other case?", "Otra pregunta: ¿puedes explicar el segundo paso?",
               # a second review's (s35): demonstratives, the work named, a follow-up's opening after the phrase
               "New question: what happens if the input list is empty?", "Changing the subject: what about memory usage?",
               "Different question: could the cache be made thread-safe?", "New question: why did you pick 4k+3?",
               "Different question: what does the second loop do?"]


@pytest.mark.parametrize("turn", SWITCHES)
def test_a_turn_that_changes_the_subject_says_so(turn: str) -> None:
    assert switches_topic(turn)


@pytest.mark.parametrize("turn", NO_SWITCHES)
def test_a_new_thing_asked_for_or_a_question_about_the_conversation_is_no_change_of_subject(turn: str) -> None:
    assert not switches_topic(turn)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=2 * SWITCH_HEAD))
def test_a_change_of_subject_is_read_in_any_case(turn: str) -> None:
    assert switches_topic(turn) == switches_topic(turn.upper()) == switches_topic(turn.lower())


@pytest.mark.parametrize("run", ["'", "' ", "a'", "'-", "x ", "new "])
def test_no_opening_makes_the_change_of_subject_check_backtrack(run: str) -> None:
    """Words before the phrase and the spaces after them shared the apostrophe: 60 of them took 24 s, scoring a
    conversation blocked a worker's event loop that long (an outside review, s35). Now a few microseconds."""
    started = time.perf_counter()
    switches_topic(run * SWITCH_HEAD)
    assert time.perf_counter() - started < 1.0


def test_a_change_of_subject_after_a_hard_task_is_scored_alone(default: ComplexityClassifier) -> None:
    """A short turn after a long one reads as a follow-up: "Now a different question: how many legs does a spider have?"
    after a proof scored the proof (0.80 against 0.37 alone)."""
    for turn in ("Now a different question: how many legs does a spider have?", "Unrelated, but how do I boil an egg?"):
        assert default.score(chat(PROOF, "Here it is: ...", turn)).score == pytest.approx(default.score(chat(turn)).score, abs=1e-9)
    assert default.score(chat(PROOF, "Here it is: ...", "I have a new question about your proof: why 4k+3?")).score > 0.5, "it follows up"
    assert default.score(chat(LRU, "Here it is: ...", "Different question: why did you choose a heap there?")).score > 0.5, "so does this"


def test_a_quiz_question_after_a_bare_answer_is_a_question_of_its_own() -> None:
    earlier = quiz(*SHOTS[0][:2])
    assert quiz_after_bare_answer(EASY_QUIZ, "B", earlier)
    assert quiz_after_bare_answer("Which planet is largest?\n(a) Mars\n(b) Jupiter", "The answer is C.", earlier)
    assert not quiz_after_bare_answer("What year was it published?", "Jane Austen.", "Who wrote Pride and Prejudice?"), "a follow-up"
    assert not quiz_after_bare_answer(EASY_QUIZ, "Here is a detailed explanation of how addition works " * 3, earlier)


@pytest.mark.parametrize("task", [PROOF, LRU])
def test_thanks_after_a_hard_task_is_the_cheap_tier(default: ComplexityClassifier, task: str) -> None:
    """It inherited the task's difficulty ("Thanks, …" opens follow-ups): 0.71, a thinking tier, for a thank-you."""
    for turn in ("Thanks, that's all I needed!", "thank you so much :)"):
        after = default.score(chat(task, "Here it is: ...", turn)).score
        assert after < 0.4 and after == pytest.approx(default.score(chat(turn)).score, abs=1e-9)
    assert default.score(chat(task, "Here it is: ...", "Thanks! Now do the same for 4k+1.")).score > 0.4, "a request still follows up"


def test_few_shot_examples_sent_as_turns_leave_each_question_its_own_score(default: ComplexityClassifier) -> None:
    """The short question inherited five solved examples as a follow-up: "What is 7 + 5?" 0.39 alone, 0.79 (high) after them."""
    turns: list[str] = []
    for question, options, answer in SHOTS:
        turns += [quiz(question, options), answer]
    for item in (EASY_QUIZ, HARD_QUIZ):
        assert default.score(chat(*turns, item)).score == pytest.approx(default.score(chat(item)).score, abs=1e-9)
    assert default.score(chat(*turns, EASY_QUIZ)).score < default.score(chat(*turns, HARD_QUIZ)).score


def test_a_request_opened_with_now_is_judged_by_what_it_asks(default: ComplexityClassifier) -> None:
    """"Now" made a proof request a question (no request length): 0.47 against 0.75 without it."""
    plain = default.score(chat("Prove that the sum of the first n odd numbers is n^2 using induction.")).score
    now = default.score(chat("Now prove that the sum of the first n odd numbers is n^2 using induction.")).score
    assert now == pytest.approx(plain, abs=0.05)
    assert default.score(chat("What is 12 times 11?", "132.", "Now show that the sum of the first n odd numbers is n^2 using induction.")).score > 0.6


@pytest.mark.parametrize("mark", ["{}. ", "({}) ", "{}) ", "{} - ", "{} – "])
def test_the_layout_of_lettered_options_does_not_move_the_score(default: ComplexityClassifier, mark: str) -> None:
    """"A - x" options were no options: the multiple-choice rule switched off for a whole set (0.09 against 0.35)."""
    question = "Which cranial nerve innervates the lateral rectus muscle?"
    options = ["Abducens (VI)", "Trochlear (IV)", "Oculomotor (III)", "Facial (VII)"]
    reference = default.score(chat(quiz(question, options))).score
    assert default.score(chat(quiz(question, options, mark=mark))).score == pytest.approx(reference, abs=0.05)


OFFER = "I can outline the idea first. Shall I write out the complete rigorous proof with every case?"


@pytest.mark.parametrize("turn", ["ok", "okay", "great", "perfect", "cool", "ok what now", "ok got it, what now", "thanks!"])
def test_a_go_ahead_to_an_offer_inherits_the_task_as_yes_does(default: ComplexityClassifier, turn: str) -> None:
    """Found in review: "ok" (and "great", "perfect") after "Shall I write out the full proof?" read as a closing thank-you:
    0.71 to 0.10, the task the user said yes to sent to the cheapest tier."""
    yes = default.score(chat(PROOF, OFFER, "yes")).score
    assert default.score(chat(PROOF, OFFER, turn)).score == pytest.approx(yes, abs=0.1)
    assert not closes(turn, OFFER)


def test_a_follow_up_with_options_after_a_short_reply_still_follows_up() -> None:
    """Only a quiz after quiz turns stands alone: a question about the proof, with options, follows the proof up."""
    follow_up = "ok, which step uses the class equation?\nA - step 1\nB - step 2\nC - step 3"
    assert not quiz_after_bare_answer(follow_up, "Done: see the proof above.", "Prove that every group of order p^2 is abelian.")


@pytest.mark.parametrize("text", ["Write a sad song with lyrics over this chord progression:\nC - G - Am - F\nC - G - F - C\nE - Am - D - G\nMake it about leaving home.",
                                  "Explain our grading scale to parents in two sentences:\nA - excellent\nB - good\nC - satisfactory\nD - poor"])
def test_dash_lines_outside_a_question_are_no_answer_options(text: str) -> None:
    from classifiers.features import letter_option_lines

    assert letter_option_lines(text) == 0
