"""The fast paths of session 41 (speed41) read what the slow ones read: each skip test is a necessary condition of
the pattern it skips, each lazy or literal-led search finds what the search it replaced found. (The feature vectors
of every training and probe prompt were compared with the tree before: identical; these pin the pieces.)"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import answer_format, courtesy, features, fewshot, judge_frame, options, quantities, request_question
from classifiers.answer_format import _CUE_WORDS, _RE_UNIT, _said, units, units_from_end


def _texts(fragments: list[str], max_size: int = 40, min_size: int = 0) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(fragments), min_size=min_size, max_size=max_size).map("".join)


_LINES = ["\n", " ", "\t", "\u00a0", "\r", "-", "*", "•", "1", "12", ".", ")", "(", "a", "A", "B", "E", ":", "–", "    ", "x"]
_UNITS = ["Answer with only the letter.", "Think step by step.", " ", "\n", "\n\n", ". ", "x", "?", "!", "  \t", "abc. d"]
_FRAMES = ["Rate", "rate", " the answer", " from 1 to 10", "1-10", "0 to 100", "scale of 1", "[[A]]", "which response is better",
           "You are an impartial judge", "you're grading", "as a rater", "Score it", "grade", "compare the two answers",
           "Evaluate", "assess", "\nAnswer:", "\nResponse A:", "\n", ". ", " ", "x", "1", "0", "(1) ", "which answer is better"]
_YEARS = ["A. 1999", "(B) 2001", "\n1. 1987", "Option 1: 1950", "C) 2050", " ", "\n", "x", "12", "1", "(a) 1900 (b) 2000", "\t"]
_SHOTS = ["Q:", "Question:", "A:", "Answer:", "answer: 4", "A: x", "Correct answer: 3", "Summary:", "\n", "\n\n", " ", "x",
          "Output: y", "\t", "a", ":", "Label:\tq", "Category :"]
_ASKS = ["How do I", ". ", "? ", "! ", ";", "\n", ", and ", "and can you write it", "can you please write the function",
         "e.g. ", "i.e. ", "1. ", "3; ", "write", "implement one", "build", "create", "give me the full code", "band ",
         "sand can ", "and could you", "x", " "]
_DIGITS = ["0", "00", "000", "0 ", "0\n", " ", "\n", ".", ",", "-", "/", ":", "%", "kg", "\u212a", "A(", "x"]


@settings(max_examples=400, deadline=None)
@given(_texts(_LINES, 60))
def test_line_counts_are_the_findall_counts(text: str) -> None:
    for pat, nl in ((features._RE_LIST, features._NL_LIST), (features._RE_MCQ, features._NL_MCQ),
                    (features._RE_MCQ_DASH, features._NL_MCQ_DASH), (features._RE_INDENT, features._NL_INDENT)):
        assert features._count_lines(pat, nl, text) == len(pat.findall(text))


@settings(max_examples=300, deadline=None)
@given(_texts(_UNITS, 60), st.integers(0, 200))
def test_units_read_lazily_and_from_the_end_are_the_units(text: str, lo: int) -> None:
    lo = min(lo, len(text))
    spans = [(m.start() + lo, m.end() + lo) for m in _RE_UNIT.finditer(text[lo:]) if not m.group().isspace()]
    assert list(units(text, lo)) == spans
    assert list(units_from_end(text, lo)) == spans[::-1]


def test_the_cue_words_are_said() -> None:
    assert all(_said(word) for word in _CUE_WORDS) and not _said("a question")
    assert answer_format.strip_answer_format("Which gas?\nA) Oxygen\nB) Argon\nAnswer with only the letter.") == (
        "Which gas?\nA) Oxygen\nB) Argon", "Answer with only the letter.")


@settings(max_examples=400, deadline=None)
@given(_texts(_FRAMES, 30))
def test_the_judge_frame_literals_are_in_every_match(text: str) -> None:
    low = text.lower()
    if judge_frame._RE_SCALE.search(low):
        assert any(literal in low for literal in judge_frame._SCALE_LITERALS)
    if judge_frame._RE_PERSONA.search(low):
        assert any(word in low for word in judge_frame._PERSONA_WORDS)
    if judge_frame._RE_JUDGE.search(low) or judge_frame._RE_PERSONA.search(low) or judge_frame._RE_ANSWER_LABEL.search(low):
        assert any(word in low for word in judge_frame._FRAME_WORDS)
    assert list(judge_frame._pieces(low)) == judge_frame._RE_SENTENCE_SPLIT.split(low)


#: The label search before it was led by a literal line break.
_OLD_NEXT_LABEL = re.compile(r"(?m)^[ \t]*(?:#|\[|[A-Za-z][\w' ]{0,40}:)")


@settings(max_examples=300, deadline=None)
@given(_texts([*_FRAMES, "Q: x", "\nStudent solution:", "\n[The End]", "\n### Answer", "\nab c:"], 30), st.integers(0, 60))
def test_the_next_label_is_the_line_start_search(text: str, pos: int) -> None:
    first = text.find("\n", min(pos, len(text)))
    if first >= 0:
        old, new = _OLD_NEXT_LABEL.search(text, first + 1), judge_frame._RE_NEXT_LABEL.search(text, first)
        assert (old and old.start()) == (new and new.start() + 1)


@settings(max_examples=300, deadline=None)
@given(_texts(_YEARS, 30))
def test_every_year_option_holds_a_year(text: str) -> None:
    assert options.year_options(text) == len(options._RE_YEAR_OPTION.findall(text))


@settings(max_examples=400, deadline=None)
@given(_texts(_SHOTS, 40), st.integers(0, 80), st.integers(0, 80))
def test_answer_lines_behind_a_line_break_are_the_line_start_search(text: str, pos: int, span: int) -> None:
    pos = min(pos, len(text))
    end = min(pos + span, len(text))
    old, new = fewshot._RE_ANSWER_LINE.search(text, pos, end), fewshot._answer_line(text, pos, end)
    assert (old and (old.group(1), old.end())) == (new and (new.group(1), new.end()))


#: The request for the code before its branches were led by their characters.
_OLD_ASKS_CODE = re.compile(request_question._RE_ASKS_CODE.pattern.replace(
    r"[.!?;](?<!\d.)(?<!e\.g.)(?<!i\.e.)\s+", r"(?<!\d)(?<!e\.g)(?<!i\.e)[.!?;]\s+").replace(
    r"a(?<!\wa)nd\s+", r"\band\s+"))


@settings(max_examples=400, deadline=None)
@given(_texts(_ASKS, 30))
def test_the_request_for_the_code_is_found_where_it_was(text: str) -> None:
    assert _OLD_ASKS_CODE.pattern != request_question._RE_ASKS_CODE.pattern
    low = text.lower()
    assert ([(m.span(), m.groups()) for m in _OLD_ASKS_CODE.finditer(low)]
            == [(m.span(), m.groups()) for m in request_question._RE_ASKS_CODE.finditer(low)])
    if _OLD_ASKS_CODE.search(low):
        assert any(word in low for word in request_question._ASK_WORDS)


@settings(max_examples=300, deadline=None)
@given(_texts(_DIGITS, 150, 40))
def test_dense_digit_runs_are_the_pattern_s_numbers(text: str) -> None:
    assert quantities.numbers_and_units(text, True)[0] == len(quantities._RE_NUMBER0.findall(text))


def test_a_language_s_name_reads_as_a_language_without_its_version_stripped() -> None:
    """``written_code._written_in_language`` takes a word of ``IN_LANGUAGES`` as it is (``_language`` of it is one too)."""
    from classifiers.program_words import IN_LANGUAGES
    from classifiers.written_code import _language, _written_in_language

    assert all(_language(w) in IN_LANGUAGES for w in IN_LANGUAGES)
    assert _written_in_language(["write", "a", "python3", "script"], 0) and _written_in_language(["write", "a", "c++17", "class"], 0)


_COURTESY = ["Thanks!", "Thank you so much.", "Please help me with this.", "Can you help me?", "Can you assist?", "Hi!",
             "Hi! I have a question:", "## Help needed", "# Question", "Task:", "Any help is appreciated.", "Cheers",
             "I'd appreciate it.", "We're looking for some advice.", "Good morning everyone", "I need help.", "Quick question",
             "How are you?", "What's up", "Why?", "Write code",
             "Hi, ", "Hi ChatGPT, ", "So, ", "Ok so ", "Well, ", "Anyway, ", "All right, ", "I was wondering if ",
             "Quick question - ", " \u2014 ", ", ", "Can you tell me why ", "I'd like to know: ", "Do you know what ",
             "I wonder why ", "Just wondering how ", "I'm curious about what ", "I've always wondered who ", "I'm curious",
             "Hey quick question: ", "Explain how ", "Explain the following:\n", "Answer this question: ", "Solve this - ",
             " thanks!", ", thank you", " thx", "what is a monad", "that worked", "It works", "?", "x", " ", "\n", "\n\n", ". ", "! ", ": ", "'", "\U0001f642", "a" * 70]


@settings(max_examples=500, deadline=None)
@given(_texts(_COURTESY, 10))
def test_courtesy_gates_skip_only_ends_without_courtesy(text: str) -> None:
    """``strip_courtesy``'s first and last word gates (``FIRST_WORDS``, ``LAST_WORDS``) and its break searches skip no
    end whose units ``_leading_end`` / ``_trailing_start`` would drop."""
    text = text.strip()
    head = courtesy._small_talk_kept(text, courtesy._leading_end(text))
    tail = courtesy._trailing_start(text, head)
    rest = text[head:tail].strip()
    if text[:tail].rstrip().endswith(":"):
        tail, rest = len(text), text[head:].strip()
    dropped = (head, tail) != (0, len(text)) and any(c.isalnum() for c in rest)
    assert courtesy.strip_courtesy(text)[0] == (rest if dropped else text)
