"""Drop the answer-format instructions a harness wraps around a question.

Evaluation harnesses and prompt templates put sentences before or after every question of a set saying how to
answer, not what: "Answer the following multiple choice question. The last line of your response should be of the
following format: 'Answer: $LETTER' … Think step by step before answering." or "Remember to put your answer on its
own line after "Answer:", and you do not need to use a \\boxed command." Read as part of the question they lift and
squeeze every score of the set (an outside review: a quiz under such a template moved +0.18 on average, its spread
halved and its order changed, Spearman 0.83 with the bare items), and a ``\\boxed`` in them read as notation took
word problems out of the word-problem reading. ``strip_answer_format`` drops them at the start and the end of a text
of several lines, as ``classifiers.fewshot.strip_reasoning_trigger`` drops a trigger that ends it.

The rule is narrow (a false drop would lose the request): the text is read in units — its lines, each split into
sentences — and only a run of units at its start, or at its end (from a line's start: a sentence that ends a
problem's line, "… Write your answer in the form $(x, y)$.", is the problem's), goes. Each is an answer-format
sentence (``_RE_FORMAT``, matched from the sentence's first word: "Respond with only the new code" is one, "Rewrite
this and respond with only the new code" a request) or, at the start, a generic task line ("Solve the following math
problem step by step.", ``_RE_TASK``) or persona ("You are an expert test taker.", ``_RE_PERSONA``); at least one is
the former, none gives a number or notation, and something else is left. A template whose format sentence ends the
text takes the generic task lines at its start with it (Llama 3's "Given the following question and four candidate
answers …, choose the best answer." … "Your response should end with …"), not a persona: one can name the subject
("You are an organic chemistry expert."). A quiz header naming the subject ("The following are multiple
choice questions (with answers) about physics.") stays where it is and does not end the run. Options, code and data
are units of their own, which no pattern matches: a format line after them goes alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain, pairwise

from classifiers.lexicons import lower

#: What a RAG prompt answers from: "Answer using only the documents below." is its instruction (it names the documents
#: before them), no answer format; dropped, it left the documents unnamed (version 78).
_DOCUMENTS = r"(?:documents?|contexts?|passages?|sources|excerpts?)\b"
#: How a sentence about the answer's form starts (matched at the lower-cased sentence's start).
_RE_FORMAT = re.compile(
    r"(?:please |remember to |make sure (?:to |that )?|be sure to |always |and )?(?:"
    r"your response should end with \W{0,2}the best answer is \[the_answer_letter\]\W{0,3} where the \[the_answer_letter\] is"
    r" (?:one of [a-j](?:, [a-j])*(?:,? (?:or|and) [a-j])?|a letter from the (?:provided|given) (?:choices|options))\.?$|"
    #  ^ Llama 3's evaluation template (first: the next alternative would match its head)
    r"(?:the )?last line of your (?:response|answer|reply|output)"
    r"|(?:put|write|give|provide|state|enclose|place|present|mark|end|finish|conclude|return|box) (?:with )?(?:your|the) (?:final )?answer"
    r"|(?:your|the) (?:final )?(?:answer|response|reply|output) (?:should|must|needs to|has to|will)\b"
    r"|format your (?:response|answer|reply|output)"
    r"|(?:think|reason) (?:about (?:this|it) )?step[- ]by[- ]step"
    r"|let'?s think step[- ]by[- ]step|let us think step[- ]by[- ]step"
    r"|give the reasoning steps"
    r"|(?:do not|don'?t) (?:add|include|write|output|explain|give) anything"
    r"|(?:you do not need|there is no need|no need) to use (?:a |the )?\\boxed"
    r"|(?:respond|answer|reply|output) (?:the (?:[\w-]+ ){0,3}question )?(?:with|using|in) (?:only|just|a single|one|the)\b"
    r"(?!(?: (?:only|the|these|those|following|provided|given|retrieved|information|facts|in|from))* " + _DOCUMENTS + ")"
    r")")
#: A generic task line that names no content: the whole lower-cased sentence.
_RE_TASK = re.compile(
    r"(?:please )?(?:solve|answer|read|consider) (?:the|this) (?:following |below |given )?"
    r"(?:math(?:ematical)? |multiple[- ]choice |word )?(?:problem|question)s?(?: below)?"
    r"(?: carefully)?(?:,? (?:step[- ]by[- ]step|carefully))?[.:!]?"
    r"|given the following (?:question|problem) and (?:[a-z]+ )?(?:candidate|possible) answers(?: \([a-j, ]+(?:(?:and|or) [a-j])?\))?,"
    r" (?:choose|select|pick) the (?:best|correct) answer\.?")
#: A persona line ("You are an expert test taker."): dropped with a format sentence in the same leading run only (a
#: persona can name the subject or the role to play: "You are an organic chemistry expert.").
_RE_PERSONA = re.compile(r"you are an? (?:[a-z-]+ ){0,3}(?:expert|assistant|test[- ]taker|tutor|solver)\.?")
#: A quiz header naming the subject: kept (its subject is the question's domain), and it does not end the run.
_RE_HEADER = re.compile(r"the following (?:is an?|are) (?:[\w-]+ ){0,2}(?:multiple[- ]choice )?questions?\b")
#: Only this far into each end of the text is looked at (bounded work), and no longer sentence is an instruction.
SCAN_CHARS = 600
SENTENCE_CHARS = 300
#: The words an answer-format sentence is made of after its opening phrase; at most ``CONTENT_WORDS`` others ("Respond
#: with only the corrected code.": "corrected", "code"). A second review of this session's diff found requests that open
#: with a format phrase ("Think step by step about how to split it into services", "Answer in one paragraph: why …?")
#: dropped whole, 7 of 30 moving tier: the phrase alone said nothing of what followed.
TEMPLATE_WORDS = frozenset("""
a an the of in on at to by for with within without and or as after before its own line lines last final answer answers
answering letter letters option options choice choices correct single only just your response reply output format
following form is be should must will quotes quote where which one abcd abcde abcdefg x box boxed command use need do
not you step steps reasoning reason think then it this that integer number numeric value other than anything else add
include explanation explanations no any brief briefly remember put itself problem question follows giving insert here
$letter $answer \\boxed \\boxed{} $\\boxed{}$ like
""".split())  # noqa: SIM905 (a word list reads better as text)
CONTENT_WORDS = 2
_WORD_EDGES = ".,;:!()[]\"'`*"

#: Words of which every answer-format sentence holds one (``_RE_FORMAT``): without one, the text has none (``_said``
#: spells them out; tests/classifiers/test_fast_paths.py keeps the two the same).
_CUE_WORDS = ("answer", "step", "respon", "reply", "output", "anything", "boxed", "format")
_RE_UNIT = re.compile(r"[^\n]+?(?:[.!?](?=\s)|$)", re.MULTILINE)
_RE_DIGIT = re.compile(r"[0-9]")
#: Math notation, which a problem's own answer form holds ("in the form $(x, y)$") and a harness's does not: a "$"
#: that opens no placeholder ($ANSWER, $LETTER) or empty box ("$\boxed{}$"), a LaTeX command other than \boxed.
_RE_NOTATION = re.compile(r"\$(?!answer\b|letter\b|\\boxed\{\}\$)(?<!\}\$)|\\(?!boxed\b)[a-z]")


def _kind(sentence: str) -> str:
    """"format", "task", "persona", "header" or "" (content) for one unit of text."""
    low = sentence.strip().lower().lstrip("*_#>-• \t")
    if not low or len(low) > SENTENCE_CHARS or _RE_DIGIT.search(low) or _RE_NOTATION.search(low):
        return ""
    found = _RE_FORMAT.match(low)
    if found is not None:
        return "format" if _template_words(low[found.end():]) else ""
    if _RE_TASK.fullmatch(low):
        return "task"
    if _RE_PERSONA.fullmatch(low):
        return "persona"
    return "header" if _RE_HEADER.match(low) else ""


def _template_words(rest: str) -> bool:
    """Whether what follows a format phrase is more of the template ("… of the following format: 'Answer: $LETTER'
    (without quotes) where LETTER is one of ABCD.") and not a request ("Think step by step about how to design …",
    "Answer in one paragraph: why did Rome fall?"): no question, at most ``CONTENT_WORDS`` other words."""
    if "?" in rest:
        return False
    others = 0
    for word in rest.split():
        word = word.strip(_WORD_EDGES)
        if word and word not in TEMPLATE_WORDS:
            others += 1
            if others > CONTENT_WORDS:
                return False
    return True


def units(text: str, pos: int = 0, endpos: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-blank unit of ``text[pos:endpos]`` (a line, split after each sentence end followed by a
    space), read lazily: a run stops at its first unit that is no instruction, and most texts open and end with one (a
    list of every unit's span cost ~40 us at each end of a text of short lines)."""
    return (m.span() for m in _RE_UNIT.finditer(text, pos, len(text) if endpos is None else endpos) if not m.group().isspace())


def units_from_end(text: str, lo: int) -> Iterator[tuple[int, int]]:
    """The units of ``text[lo:]`` (``units``) from the last one back, read a line at a time (no unit spans a line)."""
    hi = len(text)
    while True:
        nl = text.rfind("\n", lo, hi)
        yield from reversed(list(units(text, nl + 1 if nl >= 0 else lo, hi)))
        if nl < 0:
            return
        hi = nl


def _said(low: str) -> bool:
    """Whether a lower-cased stretch of text holds a word every answer-format sentence holds (most prompts do not:
    then no unit is read — 8 µs for both ends of a 2,000-character prompt, where reading every unit took ~60 µs)."""
    return ("answer" in low or "step" in low or "respon" in low or "reply" in low or "output" in low  # (no generator)
            or "anything" in low or "boxed" in low or "format" in low)


def strip_answer_format(text: str) -> tuple[str, str]:
    """(``text`` without the answer-format sentences at its start and end, what was dropped); ``(text, "")`` if it
    has none, if it is one line, or if nothing but them would remain."""
    if "\n" not in text:
        return text, ""
    drop: list[tuple[int, int]] = []
    head = text[:SCAN_CHARS]
    said = _said(lower(head))
    run = _leading_run(head) if said else []
    if run and any(kind == "format" for _, _, kind in run):
        drop += [(start, end) for start, end, kind in run if kind != "header"]
    after_run = drop[-1][1] if drop else 0
    tail_start = max(len(text) - SCAN_CHARS, after_run)
    if said if tail_start == 0 else _said(lower(text[tail_start:])):  # (a short text's tail is its head)
        # the first unit is cut by the scan: not read
        cut = next(units(text, tail_start), None) if tail_start > after_run and text[tail_start - 1] != "\n" else None
        trailing: list[tuple[int, int]] = []
        for start, end in units_from_end(text, tail_start):
            if (start, end) == cut or _kind(text[start:end]) != "format":
                break
            trailing.insert(0, (start, end))
        while trailing and not _starts_line(text, trailing[0][0]):  # a sentence ending a problem's line is the problem's
            trailing.pop(0)  # ("… Write your answer in the form $(x, y)$.", "… Give your answer in Farads.")
        drop += trailing
        if trailing and not drop[:-len(trailing)]:  # a template's task lines go with its format
            drop[:0] = [(start, end) for start, end, kind in run if kind == "task"]
    if not drop:
        return text, ""
    kept, dropped, at = [], [], 0
    for start, end in drop:
        kept.append(text[at:start])
        dropped.append(text[start:end].strip())
        at = end
    kept.append(text[at:])
    question = "".join(kept).strip()
    if not question:
        return text, ""
    return question, " ".join(dropped)


def _starts_line(text: str, start: int) -> bool:
    """Whether the unit at ``start`` opens its line (only spaces before it)."""
    return not text[text.rfind("\n", 0, start) + 1:start].strip()


def _leading_run(head: str) -> list[tuple[int, int, str]]:
    """The units of ``head`` at its start that are instructions or a quiz header, read until the first that is neither
    (the last unit of the scanned head may be cut: it ends the run unread, unless it is the only one)."""
    spans = units(head)
    first, second = next(spans, None), next(spans, None)
    run: list[tuple[int, int, str]] = []
    if first is None:
        return run
    for start, end in (first,) if second is None else (unit for unit, _ in pairwise(chain((first, second), spans))):
        kind = _kind(head[start:end])
        if not kind:
            break
        run.append((start, end, kind))
    return run
