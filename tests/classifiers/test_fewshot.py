"""Few-shot prompts written as one text: the examples are split off and read as history."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.fewshot import split_few_shot, strip_reasoning_trigger
from classifiers.metrics import spearman
from classifiers.text import parse_messages

GSM_STYLE = ("Question: Tom has 3 apples and buys 2 more. How many apples does he have?\n"
             "Answer: He has 3 + 2 = 5 apples.\n#### 5\n\n"
             "Question: A pen costs $2. How much do 4 pens cost?\nAnswer: 4 * 2 = 8.\n#### 8\n\n"
             "Question: Ann reads 12 pages a day. How many pages does she read in a week?\nAnswer:")
MMLU_STYLE = ("The following are multiple choice questions (with answers) about astronomy.\n\n"
              "Which planet is closest to the Sun?\nA. Venus\nB. Mercury\nC. Mars\nD. Earth\nAnswer: B\n\n"
              "What is the Moon?\nA. A star\nB. A planet\nC. A satellite\nD. A comet\nAnswer: C\n\n"
              "Why do we see phases of Venus?\nA. Its orbit lies inside ours\nB. It rotates\nC. Clouds\nD. Tides\nAnswer:")
QA_STYLE = "Q: 2 + 2?\nA: 4\n\nQ: 3 + 5?\nA: 8\n\nQ: 7 * 6?\nA: Let's think step by step."


def test_question_answer_blocks():
    question, examples = split_few_shot(GSM_STYLE)
    assert question == "Question: Ann reads 12 pages a day. How many pages does she read in a week?\nAnswer:"
    assert len(examples) == 2 and examples[1].startswith("A pen costs $2.")


def test_blank_line_blocks_keep_the_subject_header():
    question, examples = split_few_shot(MMLU_STYLE)
    assert question.startswith("The following are multiple choice questions (with answers) about astronomy.\n\n"
                               "Why do we see phases of Venus?")
    assert question.endswith("D. Tides\nAnswer:") and len(examples) == 2


def test_classification_examples():
    text = ("Review: Great food, friendly staff.\nSentiment: positive\n\n"
            "Review: Cold soup and a long wait.\nSentiment: negative\n\n"
            "Review: The dessert alone is worth the trip.\nSentiment:")
    question, examples = split_few_shot(text)
    assert question == "Review: The dessert alone is worth the trip.\nSentiment:" and len(examples) == 2


@pytest.mark.parametrize("text,question,n", [
    ("Q: 2 + 2?\nA: 4\n\nQ: 3 + 5?\nA: 8\n\nQ: 7 * 6?", "Q: 7 * 6?", 2),
    ("Input: [1, 2, 3]\nOutput: 6\n\nInput: [4, 5]\n", "Input: [4, 5]", 1),
    (("Classify the sentiment.\n\nReview: Great!\nSentiment: positive\nReview: Awful.\nSentiment: negative\n"
     "Review: Not bad at all"), "Classify the sentiment.\n\nReview: Not bad at all", 2),
])
def test_a_final_question_without_an_answer_marker(text, question, n):
    found = split_few_shot(text)
    assert found is not None and found[0] == question and len(found[1]) == n


@pytest.mark.parametrize("text", [
    "Q: Why is the sky blue?",                                    # no earlier example
    "Q: first\nQ: second\n\nQ: third?",                           # earlier questions, no answers
    "Text: an article.\n\nText: another article.",                 # no answer lines
    "Q: 2 + 2?\nA: 4\n\nQ: 3 + 5?\nA: 8",                          # the last question is answered
    "Summarise: the meeting.\nAnswer: later\n\nQ: what now?",     # the opener appears once
    "Q: 2 + 2?\nA: 4\n\nQ: Which is prime?\nA: 4\nB: 5",          # options written "A:" in the last block
])
def test_not_an_open_few_shot_prompt(text):
    from classifiers.fewshot import _open_question

    assert _open_question(text) is None


def test_short_markers_and_a_chain_of_thought_cue():
    question, examples = split_few_shot(QA_STYLE)
    assert question == "Q: 7 * 6?\nA: Let's think step by step." and len(examples) == 2


@pytest.mark.parametrize("text", [
    "Translate into French: good morning\nAnswer:",                      # no solved example before it
    "Rewrite this FAQ politely.\nQ: Refunds?\nA: No.\n\nQ: Hours?\nA: 9-5.",  # ends with a filled answer
    "Answer: 5\n\nWhat is 2 + 3?",                                         # no final marker
    "Summarise the following.\n\nAnswer: it depends.\nAnswer:",            # no question block between them
    "",
])
def test_not_a_few_shot_prompt(text):
    assert split_few_shot(text) is None


def test_many_examples_are_kept_as_one_block():
    from classifiers.fewshot import SPLIT_CHARS

    block = "Question: What is 1 + 1?\nAnswer: 2\n\n"
    question, examples = split_few_shot(block * (SPLIT_CHARS // len(block) + 1) + "Question: 2 + 2?\nAnswer:")
    assert question == "Question: 2 + 2?\nAnswer:" and len(examples) == 1 and len(examples[0]) > SPLIT_CHARS


def test_the_parser_reads_the_examples_as_history():
    c = parse_messages([{"role": "user", "content": GSM_STYLE}])
    assert c.last_user.startswith("Ann reads") and "A pen costs" in c.history  # its frame dropped (version 109)
    assert c.earlier_user == "" and c.n_user_turns == 1 and c.n_examples == 2
    assert parse_messages(GSM_STYLE) == c


PIECES = ("Question:", "Q:", "Review:", "Answer:", "A:", "Solution:", "Sentiment:", "answer:", "\n", "\n\n", " ", "x", "42", "Let's think step by step.")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join) | st.text(max_size=300))
def test_split_is_total_and_keeps_the_text(text):
    out = split_few_shot(text)
    if out is not None:
        question, examples = out
        assert question.split("\n\n")[-1].strip() in text and examples
        assert all(e in text for e in examples)


@pytest.mark.parametrize("final", ["\nAnswer:", ""])
def test_few_shot_text_scores_like_its_question(default, shared_data, final):
    """GSM8K questions after four solved examples in the same text: same ranking by solution
    steps and the same level as the questions alone (the whole text read as the question
    scored 0.96 on average, and ranked the steps worse). With or without the final "Answer:"
    (without it: 0.36 and 0.94 on average before the open-question rule, alone 0.43 / 0.76)."""
    from classifiers.data import load_all

    examples, _ = load_all(shared_data, cap=400)
    gsm = [e for e in examples if e.source == "gsm8k"]
    prefix = "".join(f"Question: {e.text}\nAnswer: The answer is 42.\n#### 42\n\n" for e in gsm[:4])
    rest = gsm[4:304]
    steps = [e.label for e in rest]
    alone = [r.score for r in default.score_batch([[{"role": "user", "content": e.text}] for e in rest])]
    shot = [r.score for r in default.score_batch([[{"role": "user", "content": f"{prefix}Question: {e.text}{final}"}]
                                                  for e in rest])]
    assert spearman(shot, steps) > 0.9 * spearman(alone, steps) > 0.1
    assert abs(sum(shot) - sum(alone)) / len(rest) < 0.05


def test_route_says_the_examples_were_split_off(capsys):
    import json
    from pathlib import Path

    from router.cli import main

    config = str(Path(__file__).resolve().parents[2] / "configs" / "default.yaml")
    assert main(["route", GSM_STYLE, "--config", config]) == 0
    assert json.loads(capsys.readouterr().out)["few_shot_examples"] == 2
    assert main(["route", "Ann reads 12 pages a day. How many pages does she read in a week?", "--config", config]) == 0
    assert "few_shot_examples" not in json.loads(capsys.readouterr().out)
    assert main(["route", QA_STYLE, "--config", config]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["few_shot_examples"], out["dropped_trigger"]) == (2, "A: Let's think step by step.")


@pytest.mark.parametrize("text,kept", [
    ("Q: What is 7 * 6?\nA: Let's think step by step.", "Q: What is 7 * 6?"),
    ("What is 7 * 6? Let's think step by step", "What is 7 * 6?"),
    ("What is 7 * 6?\n\nThink step by step before answering.", "What is 7 * 6?"),
    ("Find $x$ if $x^2 = 4$ Please reason step by step, and put your final answer within \\boxed{}.",
     "Find $x$ if $x^2 = 4$"),
    ("Question: 7 * 6?\nAnswer: Let's work this out in a step by step way to be sure we have the right answer.",
     "Question: 7 * 6?"),
])
def test_a_chain_of_thought_trigger_at_the_end_is_dropped(text, kept):
    assert strip_reasoning_trigger(text) == kept
    conv = parse_messages(text)
    assert conv.last_user == kept and (conv.dropped_trigger or conv.dropped_format) == text[len(kept):].strip()


@pytest.mark.parametrize("text", [
    "Let's think step by step.",                                  # nothing else to score
    "Write step by step instructions to install Python.",          # the request is for steps
    "Explain the simplification process step-by-step.",
    "I want to think step by step about my career.",               # part of the sentence
    "Q: 7 * 6?\nA: Let's think step by step. First, 7 * 6 = 42.",  # an answer under way
])
def test_other_step_by_step_text_is_kept(text):
    assert strip_reasoning_trigger(text) == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ("Think step by step", "step-by-step", "Please reason", ".", "$x$")),
                max_size=20).map("".join) | st.text(max_size=200))
def test_strip_reasoning_trigger_returns_a_prefix(text):
    out = strip_reasoning_trigger(text)
    assert text.startswith(out) and (out.strip() or out == text)


def test_a_trigger_on_every_question_keeps_the_ranking(default, shared_data):
    """BBH logical deduction in its 3-, 5- and 7-object versions with "A: Let's think step by
    step." after each question: read as a reasoning cue, the trigger lifted short puzzles more than
    long ones (Spearman with the object count 0.89 bare, 0.75 with it); dropped, the same."""
    import json

    texts, objects = [], []
    for name, n in (("three", 3), ("five", 5), ("seven", 7)):
        path = shared_data / "difficulty" / "bbh" / f"logical_deduction_{name}_objects.json"
        rows = json.loads(path.read_text(encoding="utf-8"))["examples"][:100]
        texts += [r["input"] for r in rows]
        objects += [n] * len(rows)
    bare = [r.score for r in default.score_batch(texts)]
    cot = [r.score for r in default.score_batch([t + "\nA: Let's think step by step." for t in texts])]
    assert cot == bare and spearman(bare, objects) > 0.8


def test_a_solved_example_is_looked_for_right_before_the_question():
    """Bounded work: the whole text was searched for an answer line (100,000 blank lines: 6 ms); the
    example that makes a prompt few-shot stands right before its question."""
    near = "Q: 1+1?\nA: 2\n\nQ: 2+3?"  # an open question (no answer marker of its own)
    assert split_few_shot(near) is not None
    far = "Q: 1+1?\nA: 2\n" + "\n" * 20_000 + "Q: 2+3?"
    assert split_few_shot(far) is None


def _mbpp(task: str, tests: list[str], code: str | None) -> str:
    """One block of lm-evaluation-harness's MBPP prompt; ``code`` None for the question's open "[BEGIN]"."""
    block = ("You are an expert Python programmer, and here is your task: " + task + " Your code should pass these tests:\n\n"
             + "\n".join(tests) + "\n[BEGIN]\n")
    return block + (f"'{code}'\n[DONE]\n" if code is not None else "")


MBPP_SHOTS = (_mbpp("Write a function to find the shared elements from the given two lists.",
                    ["assert similar_elements((3, 4, 5, 6), (5, 7, 4, 10)) == (4, 5)"],
                    "def similar_elements(a, b):\n    return tuple(sorted(set(a) & set(b)))")
              + _mbpp("Write a python function to identify non-prime numbers.", ["assert is_not_prime(2) == False"],
                      "def is_not_prime(n):\n    return n < 2 or any(n % i == 0 for i in range(2, int(n ** 0.5) + 1))"))


def test_code_examples_between_begin_and_done_are_split_off(default):
    """lm-evaluation-harness's MBPP prompt: read whole, every task of a set scored 0.96 (an outside review, s34)."""
    question = _mbpp("Write a function to reverse a string.", ['assert reverse("ab") == "ba"'], None)
    found = split_few_shot(MBPP_SHOTS + question)
    assert found is not None and found[0] == question.strip() and len(found[1]) == 2
    assert default.score(MBPP_SHOTS + question).score == pytest.approx(default.score(question.strip()).score, abs=1e-9)
    assert split_few_shot(question) is None and split_few_shot(MBPP_SHOTS) is None


@pytest.mark.parametrize(("marker", "separator"), [("Answer:", "\n###\n"), ("Answer:", "\n---\n"), ("Answer:", "\n  #####  \n"),
                                                  ("Correct answer:", "\n\n")])
def test_a_separator_line_after_an_answer_ends_its_block(marker, separator):
    blocks = [f"What is {a} + {b}?\nA. {a + b}\nB. {a * b}\n{marker} A" for a, b in ((2, 3), (4, 5))]
    question = f"What is 7 + 6?\nA. 13\nB. 42\n{marker}"
    found = split_few_shot(separator.join([*blocks, question]))
    assert found is not None and found[0] == question


def test_a_separator_line_inside_the_question_stays_in_it():
    """Only right after a filled answer does a "---" line end a block: a ticket's text split at its own rule lost the
    customer's message (0.839 → 0.561; a review of session 34's diff). And no whole-text scan for one (100,000
    characters after the last answer: 1.1 → 2.4 ms)."""
    text = ("Classify the support ticket by urgency. Example:\nTicket: printer on floor 3 is out of toner\nLabel: low\n"
            "Here is the ticket. It has the customer's message and our internal note, separated by a rule.\n"
            "Customer: our database cluster has been down for 40 minutes and checkout is failing\n---\n"
            "Internal note: enterprise plan with a 15-minute SLA\nLabel:")
    found = split_few_shot(text)
    assert found is None or "Customer: our database cluster" in found[0]


@pytest.mark.parametrize("text", [
    "The ETL job hangs after this line of its log. Why?\n2024-05-07 12:58:36 step 4 [DONE]\n2024-05-07 12:58:37 step 5 [BEGIN]",
    "Wrap each step in tags: [DONE] closes one.\nStart the first one now.\n[BEGIN]",  # no "[DONE]" line
    # marker lines, no tests: a job runner's log (a second review, s34: scored as its last line, 0.824 → 0.181)
    ("Why does this job hang at the push step?\nstep: fetch sources\n[BEGIN]\ngit fetch origin\n[DONE]\n"
     "step: build image\n[BEGIN]\ndocker build -t app .\n[DONE]\nstep: push image\n[BEGIN]"),
])
def test_begin_and_done_in_ordinary_text_are_no_examples(text):
    """Only MBPP's layout: "[BEGIN]" / "[DONE]" on lines of their own, each example a task with its code. Any text
    ending in "[BEGIN]" was split: a hung job's log was scored as its last line (0.726 → 0.373)."""
    assert split_few_shot(text) is None
