"""Split a few-shot prompt written as one text into its solved examples and the question asked.

Evaluation harnesses and many hand-written prompts put the demonstrations in the same text as
the question ("Question: … Answer: 72 ⏎⏎ Question: … Answer:"). The examples say how to
answer, not how hard this question is: read as part of the question they make every such
prompt long, multi-question and high-scoring. ``split_few_shot`` finds them so the parser can
read them as history and score the question alone.

The rule is deliberately narrow (a false split would drop an instruction): the text must end
with an empty answer marker on its own line (``Answer:``, ``A:``, ``Solution:``, ``Output:``,
``Sentiment:`` … optionally "Let's think step by step."), and the same marker must start an
earlier, filled line.

``strip_reasoning_trigger`` drops a zero-shot chain-of-thought trigger that ends a prompt ("Let's
think step by step.", "Please reason step by step, and put your final answer within \\boxed{}." …,
with or without an answer marker before it). Harnesses append it to every question of a set; it
says how to answer, and read as a reasoning cue it lifts short questions more than long ones (BBH's
logical-deduction puzzles, 3/5/7 objects: Spearman 0.89 bare, 0.75 with the trigger).
"""

from __future__ import annotations

import re

from classifiers.lexicons import lower

#: Answer markers (without their colon) at a line start, and what may follow the final, empty one.
ANSWER_MARKERS = ("Answer", "Correct answer", "A", "Solution", "Output", "Label", "Sentiment", "Category", "Translation",
                  "Summary")
_RE_FINAL = re.compile(r"\n(" + "|".join(ANSWER_MARKERS) + r"):[ \t]*(?:Let's think step by step\.?)?\s*\Z",
                       re.IGNORECASE)
#: A filled answer line (``Answer: 72``, ``A: Paris``): marker, colon, then text on the line.
_RE_ANSWER_LINE = re.compile(r"(?m)^(" + "|".join(ANSWER_MARKERS) + r"):[ \t]*\S", re.IGNORECASE)
#: The same behind a literal line break, which the engine finds fast, and a colon within a marker's length (``(?m)^``
#: opening a pattern is tried at every position, and each marker at every line break: 22 us over 1,500 characters of
#: short lines, this 6).
_NL_ANSWER_LINE = re.compile(rf"\n(?=[^\n:]{{1,{max(map(len, ANSWER_MARKERS))}}}:)(" + "|".join(ANSWER_MARKERS) + r"):[ \t]*\S",
                             re.IGNORECASE)
#: Where the solved examples of a code task end, and the code of the next opens (MBPP's few-shot prompt).
CODE_CLOSE, CODE_OPEN = "[DONE]", "[BEGIN]"
#: ``CODE_OPEN`` on a line of its own.
_RE_CODE_OPEN = re.compile(r"(?m)^\[BEGIN\][ \t]*$")
#: A separator line ("###", "---") right after a filled answer line ends its block, as a blank line does.
_RE_SEPARATOR = re.compile(r"\n[ \t]*(?:#{3,}|-{3,})[ \t]*\n")
#: Question markers that open a block; without one, a blank line does.
QUESTION_MARKERS = ("Question", "Q", "Problem", "Input", "Text", "Sentence", "Review", "Passage")
_RE_QUESTION = re.compile(r"(?m)^(?:" + "|".join(QUESTION_MARKERS) + "):")
#: A question marker after a line break (a literal "\n" first: the regex engine skips to line breaks).
_RE_OPENER = re.compile(r"\n(?:" + "|".join(QUESTION_MARKERS) + "):")
#: A chain-of-thought trigger at the very end, after a line break, a sentence or a formula (then
#: capitalised: "… $x^2$ Please reason …", not "I want to think step by step"), optionally behind
#: an answer marker. Only the last ``TRIGGER_CHARS`` are searched, and only if they say "step".
_RE_TRIGGER = re.compile(
    r"(?:\A|\n|(?<=[.?!:])[ \t]+|[ \t]+(?=(?-i:Let|Please|Think|Reason)\b))[ \t]*(?:(?:answer|a|solution)[ \t]*:[ \t]*)?(?:"
    r"(?:let'?s |let us |please )?(?:think|reason)(?: about (?:this|it))? step[- ]by[- ]step(?: before answering)?"
    r"(?:,? and put your final answer (?:with)?in \\boxed\{\})?"
    r"|let'?s work (?:this|it) out in a step[- ]by[- ]step way to (?:be sure|make sure|ensure) (?:that )?we have the "
    r"(?:right|correct) answer)[.!]?\s*\Z",
    re.IGNORECASE)
TRIGGER_CHARS = 160
#: Longest text before the first example kept as a header (a subject line, an instruction).
HEADER_CHARS = 500
#: Only this much of the end of the text is searched for the final marker (bounded work).
TAIL_CHARS = 80
#: A final question without an answer marker must open within this many characters of the end.
OPEN_TAIL_CHARS = 4_000
#: How far before the question a solved example's answer line is looked for: the example right before
#: it holds one. (The whole text was searched: 100,000 characters of blank lines took 6 ms.)
ANSWER_SEARCH_CHARS = 8_000
#: Examples longer than this together are kept as one block (the featurizer reads only the end
#: of the history, so splitting them would be work for nothing).
SPLIT_CHARS = 20_000


def asks_for_an_answer(text: str) -> bool:
    """Whether the text ends with an empty answer marker ("…\nAnswer:"), as a harness writes a quiz item."""
    return _RE_FINAL.search(text, max(0, len(text) - TAIL_CHARS)) is not None


def holds_an_answer(text: str) -> bool:
    """Whether the text holds a filled answer line ("Answer: B"): a solved example."""
    return _answer_line(text, 0, len(text)) is not None


def _answer_line(text: str, pos: int, endpos: int) -> re.Match[str] | None:
    """``_RE_ANSWER_LINE.search(text, pos, endpos)``, its marker the match's group 1 (the match may start at the line
    break before the line)."""
    if pos == 0 or text[pos - 1] == "\n":  # pos itself is a line start
        found = _RE_ANSWER_LINE.match(text, pos, endpos)
        if found is not None:
            return found
    return _NL_ANSWER_LINE.search(text, pos, endpos)


def split_few_shot(text: str) -> tuple[str, list[str]] | None:
    """(the question with the header, the examples in order), or ``None`` if ``text`` is not a
    few-shot prompt. The question keeps its final answer marker, the header is the text before
    the first example when it is short."""
    coded = _coded_examples(text)
    if coded is not None:
        return coded
    found = _answered_question(text) or _open_question(text)
    if found is None:
        return None
    start, marker = found
    body, question = text[:start], text[start:].strip()
    first = _RE_QUESTION.search(body)
    head_end = first.start() if first else body.find("\n\n")
    header = body[:head_end].strip() if 0 < head_end <= HEADER_CHARS and marker[1:] not in body[:head_end] else ""
    rest = body[head_end:] if header else body
    if len(rest) > SPLIT_CHARS:
        examples = [rest.strip()]
    else:
        examples = [e.strip() for e in (_RE_QUESTION.split(rest) if first else rest.split("\n\n")) if e.strip()]
    if not examples:
        return None
    return (header + "\n\n" + question if header else question), examples


def _coded_examples(text: str) -> tuple[str, list[str]] | None:
    """(the question, the examples) of a prompt whose solved examples are code between ``[BEGIN]`` and ``[DONE]`` and
    which ends with an open ``[BEGIN]`` (the MBPP prompt lm-evaluation-harness writes: "You are an expert Python
    programmer, and here is your task: … Your code should pass these tests: … [BEGIN] … [DONE]"). Read whole, its
    three examples put every task of a set in the top tier (0.96 each)."""
    if not text.rstrip().endswith("\n" + CODE_OPEN) or "\n" + CODE_CLOSE not in text:
        return None
    cut = text.rfind("\n" + CODE_CLOSE) + len(CODE_CLOSE) + 1
    examples = [e.strip() for e in text[:cut].split("\n" + CODE_CLOSE) if e.strip()]
    question = text[cut:].strip()
    if question == CODE_OPEN or not all(_RE_CODE_OPEN.search(e) and "assert" in e for e in (*examples, question)):
        return None  # each example and the question: a task, its tests, its code (a job's log has such marker lines)
    return question, examples


def _answered_question(text: str) -> tuple[int, str] | None:
    """(where the question starts, ``"\n<marker>:"``) when ``text`` ends with an empty answer marker
    that an earlier line filled: the question starts at the first question marker after the last
    filled answer, else at the first blank line after it."""
    end = _RE_FINAL.search(text, max(0, len(text) - TAIL_CHARS))
    if end is None:
        return None
    marker = "\n" + text[end.start() + 1:end.end(1)] + ":"
    last_filled = text.rfind(marker, 0, end.start())
    if last_filled < 0:
        return None
    q = _RE_QUESTION.search(text, last_filled, end.start())
    if q is not None:
        return q.start(), marker
    line_end = text.find("\n", last_filled + 1, end.start())
    separator = _RE_SEPARATOR.match(text, line_end, end.start()) if line_end >= 0 else None
    if separator is not None:
        return separator.end(), marker
    start = text.find("\n\n", last_filled, end.start())
    return (start, marker) if start > 0 else None


def _open_question(text: str) -> tuple[int, str] | None:
    """(where the question starts, ``"\n<marker>:"``) when ``text`` ends with a block opened by a
    question marker (``Q:``, ``Question:``, ``Input:`` … at a line start in its last
    ``OPEN_TAIL_CHARS``) that has no answer line, after blocks opened by the same marker whose
    answers are filled in."""
    last = None
    for last in _RE_OPENER.finditer(text, max(0, len(text) - OPEN_TAIL_CHARS)):
        pass
    if last is None:
        return None
    found, opener = last.start(), last.group()
    start = found + 1  # the question's line, after the line break
    if _answer_line(text, start, len(text)) is not None:
        return None
    if text.startswith(opener[1:]):
        earlier = 0
    else:
        earlier = text.find(opener, 0, found)
        if earlier < 0:
            return None
    filled = _answer_line(text, max(earlier, start - ANSWER_SEARCH_CHARS), start)
    return (start, "\n" + filled.group(1) + ":") if filled is not None else None


#: A harness's question frame (lm-evaluation-harness, HELM, OpenCompass): "Question:" / "Q:" opening the text and an
#: empty "Answer:" / "A:" line closing it. Both must be there: "Q: why …" alone may be the user's own writing.
_RE_FRAME_OPEN = re.compile(r"\A(?:Question|Q)[ \t]*:[ \t]*")
_RE_FRAME_CLOSE = re.compile(r"\n[ \t]*(?:Answer|A)[ \t]*:[ \t]*\Z")


def strip_question_frame(text: str) -> str:
    """``text`` without a harness's "Question: … Answer:" frame around it (``_RE_FRAME_OPEN`` and ``_RE_FRAME_CLOSE``,
    both; version 109). The frame's words are no part of the question, but read as such they moved it: "Question:"
    is the first word where a question word opened the request (a code question 0.45, framed 0.76), the closing line
    one more line. Run on the question left after ``split_few_shot``, so a few-shot prompt's last item is read as a
    zero-shot one. Other texts cost one anchored match, failed at the first character."""
    opened = _RE_FRAME_OPEN.match(text)
    if opened is None:
        return text
    closed = _RE_FRAME_CLOSE.search(text, opened.end())
    return text[opened.end():closed.start()].strip() if closed is not None and closed.start() > opened.end() else text


def strip_reasoning_trigger(text: str) -> str:
    """``text`` without a chain-of-thought trigger at its end (``_RE_TRIGGER``); unchanged if it
    has none or is nothing but one."""
    start = max(0, len(text) - TRIGGER_CHARS)
    if "step" not in lower(text[start:]):
        return text
    found = _RE_TRIGGER.search(text, start)
    if found is None or not text[:found.start()].strip():
        return text
    return text[:found.start()].rstrip()
