"""Probes for the genres `shared/` has no outcome data for — quizzes, few-shot prompts sent as turns, multi-turn chat —
hand-made (never tuned on): the score must order an obviously easy item below an obviously hard one, whatever the turns
around it or the layout of its options. Found by an outside review (session 31)."""

from __future__ import annotations

import pytest

from classifiers.classifier import ComplexityClassifier
from classifiers.turns import closes, quiz_after_bare_answer, states_own_equation
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
                                  "Merci beaucoup !", "Thanks! That was really clear.", "Makes sense now, thank you.",
                                  "Great, I understand it now. Thanks!"])
def test_a_turn_that_only_thanks_closes_the_conversation(turn: str) -> None:
    assert closes(turn)


@pytest.mark.parametrize("turn", ["thanks, and the other case?", "Thanks! Now add unit tests.", "ok, now prove it for 4k+1",
                                  "Great. Can you make it faster", "Thanks " * 30,
                                  "Thanks, that makes sense. Now do the same for the cubic case.",
                                  "Thanks. Now I need the explanation.", "Thanks, I just need the answer now."])
def test_a_thanks_that_asks_for_more_is_no_closing(turn: str) -> None:
    assert not closes(turn)


def test_a_quiz_question_after_a_bare_answer_is_a_question_of_its_own() -> None:
    earlier = quiz(*SHOTS[0][:2])
    assert quiz_after_bare_answer(EASY_QUIZ, "B", earlier)
    assert quiz_after_bare_answer("Which planet is largest?\n(a) Mars\n(b) Jupiter", "The answer is C.", earlier)
    assert not quiz_after_bare_answer("What year was it published?", "Jane Austen.", "Who wrote Pride and Prejudice?"), "a follow-up"
    assert not quiz_after_bare_answer(EASY_QUIZ, "Here is a detailed explanation of how addition works " * 3, earlier)


@pytest.mark.parametrize("task", [PROOF, LRU])
def test_thanks_after_a_hard_task_is_the_cheap_tier(default: ComplexityClassifier, task: str) -> None:
    """It inherited the task's difficulty ("Thanks, …" opens follow-ups): 0.71, a thinking tier, for a thank-you."""
    # "Thanks! That was really clear." is read without its courtesy unit (version 111: 0.75 after the proof), and
    # "Thanks, that's all I needed!" without its lead-in (version 112): ``closes`` reads what was dropped too
    for turn in ("Thanks, that's all I needed!", "thank you so much :)", "Thanks! That was really clear."):
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


@pytest.mark.parametrize("turn", ["Now solve 2x + 3 = 11.", "Now solve $2x + 3 = 11$.", "Then solve y = 3x^2 - 1 for x.",
                                  "Now find all integer solutions of x^2 - 5y^2 = 4 with 0 < x < 2000.",
                                  "Different question: if 2x + 5 = 15, what is x?", "ok cool. unrelated: 4x - 7 = 9, x=?"])
def test_a_turn_with_its_own_equation_states_its_own_problem(turn: str) -> None:
    assert states_own_equation(turn)


@pytest.mark.parametrize("turn", ["Now solve it for y = 2x + 1.", "Now solve for y when x = 3.", "Now do the same for 3x - 1 = 8.",
                                  "Now what is 2 + 3 = 5?", "continue", "Now prove it.", "Check your answer with x = 3 - 1.",
                                  "Now solve 2x + 3 = 11. " * 10, "Why can't I just use n = 2k - 1 instead?",
                                  "Would i = i + 1 inside the worker be a race condition there?",
                                  "Redo with y = 600 - 3x because there are two dividers."])
def test_a_turn_that_points_back_or_has_no_equation_of_its_own_follows_up(turn: str) -> None:
    assert not states_own_equation(turn)


def test_an_easy_equation_after_a_hard_one_keeps_its_own_score(default: ComplexityClassifier) -> None:
    """Version 92: "Now solve" made the turn a follow-up, so it took the first turn's score (0.47 after a radical
    equation, 0.38 alone; the brief's case 0.40 -> 0.65 after a Pell-type equation)."""
    easy = "Now solve 2x + 3 = 11."
    hard = [{"role": "user", "content": "Find all integer solutions of x^2 - 3y^2 = 1 with 0 < x < 1000."},
            {"role": "assistant", "content": "(1, 0), (2, 1), (7, 4), (26, 15), (97, 56), (362, 209)."}]
    assert default.score([*hard, {"role": "user", "content": easy}]).score == pytest.approx(
        default.score([{"role": "user", "content": easy}]).score)


def test_an_equation_in_the_earlier_problems_variables_follows_up() -> None:
    """Review rev42b M1: "what's k for y = kx + 3?" after a question about a line y = kx + b was scored alone (0.67 ->
    0.34); two or more variables the earlier turns name make a follow-up, unless the turn says it is a new problem."""
    earlier = "The line y = kx + b passes through (1, 4) and (3, 10). Find k and b."
    assert not states_own_equation("what's k for y = kx + 3?", earlier)
    assert not states_own_equation("What is x when k = 1 and the line is shifted to y = kx + 1?", earlier)
    assert states_own_equation("Different question: if y = 2x + 1 and y = 7, what is x?", earlier)
    assert states_own_equation("Now solve 2x + 3 = 11.", earlier), "one variable: its own equation"
    assert states_own_equation("what's k for y = kx + 3?", "Tell me about Paris.")
