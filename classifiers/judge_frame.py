"""A judge frame (LLM-as-judge, rating) is as hard as the question it judges (version 63).

"Rate the following response on a scale of 1-10 for accuracy. Question: What is the boiling point of water at sea
level? Response: 100 degrees Celsius (212 F). Rating:" scored 0.62 (thinking tier) while its question alone scores
0.19: the scale's "1-10" and the answer's figures gave the math domain, so the frame read as a closed problem (the
length prior's anchor was gone). Evaluation pipelines send such ratings by the thousand. Grading an answer is as
hard as the question: a hard question (a counting problem with a student's wrong solution, a code task with a
candidate) keeps its frame's reading, its answers' length included (checking a long solution is long work).

A frame is a judging word (rate, score, grade, evaluate, judge, assess, compare; ``JUDGE_WORDS``) or "scale of / from 1"
and a scale ("1-10", "from 1 to 5", "0 to 100", "[[A]]", "which response is better"; ``_RE_SCALE``), both in the first
``HEAD_CHARS`` or the last ``TAIL_CHARS`` characters (the instruction opens or closes a judge prompt). The judged
question follows a label at a line start ("Question:", "Q:", "### Question", "[User Question]", "Problem:", "Task:",
"Prompt:", "Query:", "User:"; ``QUESTION_LABELS``) up to the next label line ("Answer:", "Response A:", "### Answer",
"Student solution:") or ``QUESTION_MAX_CHARS``. Without a label the judged text (a joke, a tagline, a reply's
politeness) is material, as ``echo.instructs_over_material``'s is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from classifiers.feature_schema import FEATURE_NAMES
from classifiers.lexicons import lower
from classifiers.text import Conversation

__all__ = ["COMPARE_OBJECTS", "HEAD_CHARS", "JUDGE_WORDS", "QUESTION_LABELS", "QUESTION_MAX_CHARS", "QUESTION_READ_CHARS",
           "QUESTION_SEARCH_CHARS", "TAIL_CHARS", "judged_conversation", "judged_question",
           "judges_a_problem"]

#: The frame's instruction is looked for in this many characters at the start ...
HEAD_CHARS = 400
#: ... and at the end ("### Output a score from 1 to 10 and a short justification.", "Rating:").
TAIL_CHARS = 300
#: The question's label is looked for in this many characters at the start (bounded work).
QUESTION_SEARCH_CHARS = 2_000
#: The judged question read: at most this many characters after its label.
QUESTION_MAX_CHARS = 1_500
#: To say whether the judged question is a closed problem, it is featurized in this many characters, a longer one in
#: its first and last halves of them (a statement's setting opens it, its ask ends it): past the length prior's anchor
#: (55), so their domain says. A second featurizer pass over a 1,500-character question cost 0.2 ms, over the 0.5 ms
#: p99 budget at 2,000 characters; over 120 it costs 0.05 (version 69). Taking every long question for a problem
#: instead made "Question: Can you suggest a few fun things to do with kids on a rainy Saturday …" one.
QUESTION_READ_CHARS = 120
#: Words that make a scale a judgement (lower-cased, whole words): "Rate …", "a score 0-5", "You are an impartial judge".
JUDGE_WORDS = ("rate", "rating", "score", "grade", "grading", "evaluate", "evaluator", "judge", "assess")
#: "Compare" judges only candidates ("Compare the two answers", "Compare Response A and Response B"), not a puzzle's
#: self-check ("Compare your answer against every clue") nor two things ("Compare the growth rates …") (version 69).
COMPARE_OBJECTS = ("answer", "answers", "response", "responses", "output", "outputs", "reply", "replies", "completion",
                   "completions", "assistant", "assistants", "solution", "solutions", "candidate", "candidates")
#: A rating scale or a pairwise verdict: "scale of 1" (not "on the scale of the declines"), "from 1 (bad) to 5", "1-10",
#: "0 to 100", "[[A]]", "[[tie]]", "which response is better". Each branch opens with a literal and checks its word
#: boundary after it, so the search skips ahead: 6 us on 400 characters, not 32 with a leading ``\b``.
_RE_SCALE = re.compile(
    r"s(?<!\ws)cale (?:of|from) (?:[01]|one|zero)\b|[01](?<!\w[01]) ?(?:\([^()\n]{1,20}\) ?)?(?:-|–|to) ?(?:3|4|5|6|7|9|10|100)\b"
    r"(?![-–/^*]|[.,:]\d)|\[\[(?:a|b|tie)\]\]|w(?<!\ww)hich (?:response|answer|reply|completion|output|assistant) is better\b")
#: A judging word that addresses the model: opening a sentence or a line ("Rate the following …", "Is it positive? Score
#: it …", "### Score:"), after "please", "now", "and"; a judge named ("You are an impartial judge", "Act as a grader",
#: "Output a score"); "scale of", "rate it", "which answer is better". Not a word problem's ("A judge scores divers from
#: 0 to 10 …", "the class's grades").
_RE_JUDGE = re.compile(
    r"(?:^|[.!?:;\n][ \t]*|\b(?:please|now|then|and|also) )(?:#+[ \t]*)?(?:" + "|".join(JUDGE_WORDS)
    + r"|compare (?:the |both |these )?(?:two |2 )?(?:" + "|".join(COMPARE_OBJECTS) + r"))\b"
    r"|\b(?:you are|you're|act as|as|output|give|assign|provide|return) (?:(?:an?|the|your|one) )?(?:\w+ ){0,2}?"
    r"(?:rating|score|grade|grading|judge|evaluator|grader|rater)\b"
    r"|\bscale (?:of|from) (?:[01]|one|zero)\b|\brate (?:it|this|them)\b|\bwhich \w+ is better\b")
#: Labels that open the judged question at a line start: "Question:", "Q:", "### Question", "[User Question]".
QUESTION_LABELS = ("question", "user question", "q", "problem", "task", "prompt", "query", "user")
_RE_QUESTION = re.compile(r"(?im)^[ \t]*(?:#+[ \t]*|\[[ \t]*)?(?:" + "|".join(QUESTION_LABELS)
                          + r")(?:[ \t]*\][ \t]*:?|[ \t]*:|[ \t]*$)")
#: A label line that ends the question: "Answer:", "Response A:", "Student solution:", "### Answer", "[The End of …]".
#: (Searched behind a literal line break, which the engine finds fast: ``(?m)^`` opening the pattern was tried at every
#: position, 12 us over a question of 1,500 characters.)
_RE_NEXT_LABEL = re.compile(r"\n[ \t]*(?:#|\[|[A-Za-z][\w' ]{0,40}:)")


#: A judge named anywhere in the frame: "You are an impartial judge. … Output [[A]] or [[B]]." (version 69).
_RE_PERSONA = re.compile(r"\b(?:you are|you're|act as|as) (?:(?:an?|the|one) )?(?:\w+ ){0,2}?(?:judge|evaluator|grader|rater)\b"
                         r"|\b(?:you are|you're) (?:grading|rating|scoring|evaluating|judging)\b")
#: What every scale (``_RE_SCALE``) and every judge named (``_RE_PERSONA``) holds: without one, its pattern is not tried
#: (a pattern opening with ``\b`` is tried at every position: 10 us on 400 characters; the scale's 3 us) ...
_SCALE_LITERALS = ("0", "1", "scale", "[[", "which")
_PERSONA_WORDS = ("judge", "judging", "evaluator", "evaluating", "grader", "grading", "rater", "rating", "scoring")
#: ... and what a frame holds besides its scale: a judging word (``_RE_JUDGE``), a judge named or an answer labelled.
_FRAME_WORDS = ("rate", "rating", "scor", "grad", "evaluat", "judg", "assess", "compare", "scale", "which", "answer",
                "response", "output", "reply", "completion")
#: Sentence ends: a stop before a space or the end, or a line break ("1-10.5" and "0.5" are no end).
_RE_SENTENCE_SPLIT = re.compile(r"[.!?]+(?=\s|$)|\n")
#: A labelled answer or response to judge, at a line start ("Answer:", "### Response B:", "Output 1:").
_RE_ANSWER_LABEL = re.compile(r"(?:^|\n)[ \t]*(?:#+[ \t]*)?(?:answer|response|output|reply|completion)(?: [ab12])?[ \t]*:")


def _has_frame(part: str) -> bool:
    """Whether lower-cased ``part`` holds a scale with a judging word addressing the model (or "scale of") in the same
    sentence or line, or a scale and a judge named anywhere, or a scale anywhere when the judging word opens ``part`` or an
    answer is labelled (``_RE_ANSWER_LABEL``). A puzzle's "seats numbered 1 to 6 … Then judge: can F sit
    opposite C?" has its scale and its judging word in different sentences: no rating (version 69)."""
    if (not any(literal in part for literal in _SCALE_LITERALS) or not any(word in part for word in _FRAME_WORDS)
            or _RE_SCALE.search(part) is None):
        return False
    if any(word in part for word in _PERSONA_WORDS) and _RE_PERSONA.search(part) is not None:
        return True
    if any(_RE_SCALE.search(piece) is not None and _RE_JUDGE.search(piece.strip()) is not None for piece in _pieces(part)):
        return True
    # the scale in a later sentence of a frame the judging word opens ("Rate the following answer for correctness. …
    # Respond with a single number from 1 to 10.") or that labels the answer judged (review_s40_c H3)
    return _RE_JUDGE.search(next(_pieces(part)).strip()) is not None or _RE_ANSWER_LABEL.search(part) is not None


def _pieces(part: str) -> Iterator[str]:
    """``part``'s sentences and lines (``_RE_SENTENCE_SPLIT.split(part)``), read lazily: a frame's first sentence
    holds its scale and judging word (splitting 400 characters of short lines cost 10 us)."""
    at = 0
    for m in _RE_SENTENCE_SPLIT.finditer(part):
        yield part[at:m.start()]
        at = m.end()
    yield part[at:]


def judged_question(text: str) -> str | None:
    """The question a judge frame in ``text`` judges (stripped; "" when the frame labels none: the judged text is
    material), or ``None`` when ``text`` is no judge frame."""
    head = lower(text[:HEAD_CHARS])
    if not _has_frame(head) and (len(text) <= HEAD_CHARS or not _has_frame(lower(text[-TAIL_CHARS:]))):
        return None
    label = _RE_QUESTION.search(text, 0, QUESTION_SEARCH_CHARS)
    if label is None:
        return ""
    start = label.end()
    window = text[start:start + QUESTION_MAX_CHARS]
    first = window.find("\n")  # the question's first line is its own, whatever it starts with
    end = _RE_NEXT_LABEL.search(window, first) if first >= 0 else None  # (a label line after the first line break)
    return window[:end.start() + 1 if end is not None else len(window)].strip()


def judged_conversation(conv: Conversation) -> Conversation | None:
    """``conv`` with its last user turn the question a judge frame in it judges (``judged_question``, a long one's two
    ends in ``QUESTION_READ_CHARS``; "" for none), or ``None`` when the turn is no judge frame. The question is
    strictly shorter than the turn: reading it ends."""
    question = judged_question(conv.last_user)
    if question is not None and len(question) > QUESTION_READ_CHARS:
        half = QUESTION_READ_CHARS // 2
        question = question[:half] + "\n" + question[-half:]
    return None if question is None else replace(conv, last_user=question)


_CLOSED = FEATURE_NAMES.index("length in a closed problem")


def judges_a_problem(question: Sequence[float]) -> bool:
    """Whether the judged question, by its feature vector ``question`` (``features.handcrafted`` of
    ``judged_conversation``'s turn alone), is a closed problem (a domain and a length past the length prior's anchor).
    "What is the boiling point of water at sea level?", "How many days are in a leap year?" are none: rated alone
    they would not be either; "Find the number of positive integers n <= 100 such that n^2 + n + 41 is composite." is
    one. A domain alone is too little: it reads "HTML" (code) and "how many" (arithmetic) in a look-up."""
    return question[_CLOSED] > 0.0
