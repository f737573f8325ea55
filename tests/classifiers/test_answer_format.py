"""Answer-format instructions around a question are not read (classifiers/answer_format.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.answer_format import strip_answer_format
from classifiers.metrics import spearman

#: The shapes of well-known harness templates: a quiz under a chain-of-thought instruction, a math problem between
#: an instruction and a reminder, the instruction the docs cite, a persona with a letter-only rule.
QUIZ_COT = ("Answer the following multiple choice question. The last line of your response should be of the following format: "
            "'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by step before answering.\n\n{q}")
MATH_COT = ("Solve the following math problem step by step. The last line of your response should be of the form Answer: "
            "$ANSWER (without quotes) where $ANSWER is the answer to the problem.\n\n{q}\n\nRemember to put your answer on its "
            'own line after "Answer:", and you do not need to use a \\boxed command.')
FORMAT_LINE = ('Solve this math problem. Give the reasoning steps before giving the final answer on the last line by itself in '
               'the format of "Answer:". Do not add anything other than the integer answer after "Answer:".\n\n{q}')
PERSONA = "You are an expert test taker. Answer the multiple choice question with the letter of the correct option only.\n\n{q}"
BOXED_LINE = "{q}\n\nPut your final answer within \\boxed{{}}."
BOXED_IN_DOLLARS = "{q}\n\nPut the final answer in $\\boxed{{}}$."
TEMPLATES = [QUIZ_COT, MATH_COT, FORMAT_LINE, PERSONA, BOXED_LINE, BOXED_IN_DOLLARS]

QUIZ = ("What is the capital city of Japan?\n\nA) Kyoto\nB) Osaka\nC) Tokyo\nD) Nagoya")
ALGEBRA = ("Find the degree of the field extension Q(sqrt(2), sqrt(3)) over Q.\n\nA) 0\nB) 4\nC) 2\nD) 6")


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_template_s_instructions_are_dropped_and_the_question_kept(template: str) -> None:
    question, dropped = strip_answer_format(template.format(q=QUIZ))
    assert question == QUIZ and dropped


@pytest.mark.parametrize(("text", "kept", "dropped"), [
    # a format line after options, code or data goes alone (a paragraph's lines are units of their own)
    ("Which gas?\n\nA) Oxygen\nB) Nitrogen\nC) Argon\nAnswer with only the letter of the correct option.",
     "Which gas?\n\nA) Oxygen\nB) Nitrogen\nC) Argon", "Answer with only the letter of the correct option."),
    ("Fix the bug.\n\n```python\ndef f(x):\n    return x\n```\nRespond with only the corrected code.",
     "Fix the bug.\n\n```python\ndef f(x):\n    return x\n```", "Respond with only the corrected code."),
    ("Which is prime?\nA) 21\nB) 29\nPlease reason step by step, and put your final answer within \\boxed{}.",
     "Which is prime?\nA) 21\nB) 29", "Please reason step by step, and put your final answer within \\boxed{}."),
    # a quiz header names the subject: it stays, the instruction after it goes (MMLU-Pro's chain-of-thought prompt)
    (("The following are multiple choice questions (with answers) about physics. Think step by step and then finish your answer "
     'with "the answer is (X)" where X is the correct letter choice.\n\nQuestion: What is g?\nA. 9.8\nB. 1'),
     "The following are multiple choice questions (with answers) about physics.\n\nQuestion: What is g?\nA. 9.8\nB. 1",
     'Think step by step and then finish your answer with "the answer is (X)" where X is the correct letter choice.'),
    (('What is the correct answer to this question: Which is a noble gas?\nChoices:\n(A) Neon\n(B) Iron\nFormat your response as '
     'follows: "The correct answer is (insert answer here)"'), ("What is the correct answer to this question: Which is a noble gas?"
     "\nChoices:\n(A) Neon\n(B) Iron"), 'Format your response as follows: "The correct answer is (insert answer here)"'),
])
def test_an_instruction_line_goes_alone(text: str, kept: str, dropped: str) -> None:
    assert strip_answer_format(text) == (kept, dropped)


@pytest.mark.parametrize("text", [
    # requests that end in a few words about the answer's form are requests (an outside review's false drops)
    "```python\ndef f(x):\n    return x\n```\nRewrite this to handle empty lists and NaN values, and respond with only the new code.",
    "apple\npear\nfig\nWrite a Rust program that reads these words from stdin, sorts them, and prints each word on a new line.",
    "```bash\nread x\n```\nWhy is $ANSWER always empty when I pipe input into this script?",
    "I am building a grading pipeline.\n\nDesign a regex-based parser that extracts where the final answer should appear.",
    "```json\n{\"name\": \"x\"}\n```\nHow do I make jq print the name field without quotes?",
    "Translate this German legal clause into English and do not add anything else.\n\nDer Vertrag endet am Monatsende.",
    "Sort these cities.\n\nTokyo\nDelhi\nPut each city on its own line.",
    # requests that open with a format phrase (a second review: 23 of 30 such prompts lost their request line)
    "I'm preparing for a history exam.\nAnswer in one paragraph: why did the Western Roman Empire fall?",
    "We have three regions.\nThink step by step about how to design a distributed rate limiter that stays consistent.",
    "Compare Kant and Hume on causation.\nYour response should discuss induction and the synthetic a priori.",
    "name,age\nAlice,34\nOutput in the following format: a JSON array of objects with name and city.",
    "CREATE TABLE t (id INT);\n\nReply with a single SQL query that returns the top customers by revenue per region.",
    "Consider tiling a strip with dominoes and trominoes.\nGive the answer for a general n and prove it by induction.",
    "Write an essay on the topic below. Put your final answer in a code block.\n\nDogs and their owners.",  # a request
    "You are a pirate.\n\nTell me about your ship.",                  # a persona with no answer format is the request's
    "Explain the proof below.\n\nThe last line of your response should be a summary of why it works for every n >= 3.",
    "Preamble: find y(t).\n\n\\[\nY(s)=\\boxed{\\frac{1}{(s+a)(s+b)}}\n\\]",  # a formula holding \\boxed (MATH/Minerva)
    "Think step by step before answering.\n\nThink step by step before answering.",  # nothing else would remain
    "Think step by step before answering.",
    # the Llama 3 format line's words are its own, not every template's (a review of session 34's diff)
    "I have savings of $4,000 and a card at 22%.\nThink step by step about the best strategy.",
    "White to move.\nReason step by step about the best move.",
    "Write a ghost story.\nYour response should end with a plot twist.",
])
def test_what_is_no_format_instruction_alone_stays(text: str) -> None:
    assert strip_answer_format(text) == (text, "")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Think step by step before answering.", "Q", "Answer the following question.", "",
                                 "Put your final answer within \\boxed{}.", "2 + 2 = ?", "x" * 600, " \n"]), max_size=6),
       st.sampled_from(["\n\n", "\n \n", "\n"]))
def test_stripping_keeps_a_non_empty_part_of_the_text(paragraphs: list[str], joiner: str) -> None:
    text = joiner.join(paragraphs)
    kept, dropped = strip_answer_format(text)
    assert (kept.strip() and _subsequence(kept, text)) if dropped else kept == text


def _subsequence(part: str, whole: str) -> bool:
    characters = iter(whole)
    return all(c in characters for c in part)


def test_a_template_leaves_a_quiz_s_score_as_bare(default) -> None:
    """An outside review (session 33) measured a quiz under QUIZ_COT 0.18 higher on average, its spread halved and its
    order changed (Spearman 0.83 with the bare items): every item left the cheap tier."""
    for q in (QUIZ, ALGEBRA):
        bare = default.score([{"role": "user", "content": q}]).score
        for template in TEMPLATES:
            assert default.score([{"role": "user", "content": template.format(q=q)}]).score == pytest.approx(bare, abs=1e-9)


def test_word_problems_under_a_template_rank_as_bare(default, shared_data) -> None:
    """Under MATH_COT the score ranked GSM8K's solution steps at 0.39, below length (0.375 … 0.505 bare): its \\boxed read as
    notation took every problem out of the word-problem reading, and every problem went to the top tier."""
    lines = (shared_data / "difficulty" / "gsm8k_train.jsonl").read_text(encoding="utf-8").splitlines()[:1500]
    rows = [json.loads(line) for line in lines]
    steps = [len(r["answer"].strip().split("\n")) - 1 for r in rows]
    bare = [r.score for r in default.score_batch([r["question"] for r in rows])]
    for template in (MATH_COT, FORMAT_LINE):
        wrapped = [r.score for r in default.score_batch([template.format(q=r["question"]) for r in rows])]
        assert spearman(wrapped, steps) == pytest.approx(spearman(bare, steps), abs=0.005)
        assert sum(wrapped) / len(wrapped) == pytest.approx(sum(bare) / len(bare), abs=0.01)


def test_an_instruction_before_a_word_problem_is_no_part_of_its_length() -> None:
    """Not only past 600 characters: the length prior of a short word problem counts from its first paragraph with a
    number (the instruction in front had lifted a two-step problem from -1.28 to +0.79 logit)."""
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    problem = "Tom has 12 apples and gives 5 to Ann. How many apples does Tom have left?"
    intro = "Here is a question from a practice worksheet that a student brought home from school last week.\n\n"
    assert handcrafted(as_conversation(intro + problem))[PRIOR_FEATURE] == handcrafted(as_conversation(problem))[PRIOR_FEATURE]


#: The Llama 3 evaluation template of MMLU and ARC: a task line first, a format line last (an outside review, s34).
LLAMA3 = ("Given the following question and four candidate answers (A, B, C and D), choose the best answer.\n\n"
          "Question: {q}\nYour response should end with \"The best answer is [the_answer_letter]\" where the "
          "[the_answer_letter] is one of A, B, C or D.")
#: ARC-style items, easy (a trait, dissolving) and harder (a force law, a density): under the template they swapped.
ARC = ["Which of these is an inherited trait of a dog?\nA. its name\nB. a learned trick\nC. the color of its fur\nD. a scar",
       ("Why does sugar dissolve faster in hot tea than in iced tea?\nA. Hot water has more sugar\nB. Its molecules move "
        "faster\nC. Ice blocks sugar\nD. Cold water is heavier"),
       ("The gravitational force between two objects is F. If the mass of one object is doubled and the distance between "
        "them is doubled, what is the force?\nA. F/4\nB. F/2\nC. F\nD. 2F"),
       ("A rock has a mass of 60 g and displaces 20 mL of water. A second rock of the same material has a mass of 90 g. "
        "What volume of water does it displace?\nA. 20 mL\nB. 30 mL\nC. 45 mL\nD. 60 mL")]


def test_the_llama3_template_is_dropped_whole() -> None:
    """Its task line goes with its format line: neither was read, "letter" (three times) a writing cue cut the length
    prior of the quantitative items while the template's 230 characters lifted the short ones (ARC Spearman against
    difficulty 0.69 bare, 0.31 under it)."""
    question, dropped = strip_answer_format(LLAMA3.format(q=ARC[2]))
    assert question == "Question: " + ARC[2]
    assert dropped.startswith("Given the following question") and dropped.endswith("one of A, B, C or D.")


@pytest.mark.parametrize("tail", [
    'Your response should end with "The best answer is [the_answer_letter]." where the [the_answer_letter] is one of A, B, C or D.',
    "Your response should end with The best answer is [the_answer_letter] where the [the_answer_letter] is one of A, B, C, D.",
    ('Your response should end with "The best answer is [the_answer_letter]" where the [the_answer_letter] is a letter from '
     "the provided choices."),
])
def test_the_llama3_format_line_s_variants_are_dropped(tail: str) -> None:
    question, dropped = strip_answer_format(LLAMA3.format(q=ARC[2]).rsplit("\n", 1)[0] + "\n" + tail)
    assert question == "Question: " + ARC[2] and dropped.endswith(tail)


def test_under_the_llama3_template_a_quiz_ranks_as_bare(default) -> None:
    bare = [r.score for r in default.score_batch(ARC)]
    wrapped = [r.score for r in default.score_batch([LLAMA3.format(q=q) for q in ARC])]
    assert wrapped == pytest.approx([default.score("Question: " + q).score for q in ARC], abs=1e-9)
    assert spearman(wrapped, bare) == 1.0 and min(bare[2:]) > max(bare[:2])


def test_a_persona_stays_when_only_the_end_is_a_format_line() -> None:
    """A persona can name the subject or the role to play: it went with a closing "Think step by step." (0.521 →
    0.426 for an organic chemistry question)."""
    text = "You are an organic chemistry expert.\n\nWhy does an SN2 reaction invert the stereocentre?\n\nThink step by step."
    assert strip_answer_format(text) == (text.removesuffix("\n\nThink step by step."), "Think step by step.")


def test_a_task_line_stays_without_a_format_line() -> None:
    text = "You are an expert Python programmer.\n\nWrite a function that merges two sorted lists."
    assert strip_answer_format(text) == (text, "")


@pytest.mark.parametrize("text", [
    "Answer using only the documents below.\n\nDocument 1: Returns are free.\n\nAre returns free?",
    "Answer using only the information in the context.\nContext: Returns are free.\nAre returns free?",
    "Respond using only the provided sources.\n[1] Returns are free.\nAre returns free?",
])
def test_a_rag_instruction_naming_its_documents_is_no_answer_format(text):
    """"Answer using only the documents below." says what to answer from, not how: dropped, it left the documents
    unnamed and the RAG prompt unrecognized (version 78)."""
    assert strip_answer_format(text) == (text, "")
