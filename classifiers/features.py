"""Hand-crafted, transferable prompt features plus hashed word presence.

Work is bounded: regex features read a head+tail slice of each part (``HEAD_CHARS`` + ``TAIL_CHARS``); whole-text
counts use ``str.count`` (O(n), C speed). Everything is deterministic across processes (``zlib.crc32`` hashing, no
``hash()``). ``conversation_features`` computes every block of one conversation from one lower-cased slice and one
word split; ``handcrafted`` / ``answer_shape`` / ``grams`` are its parts.
"""

from __future__ import annotations

import math
import re
import zlib

from classifiers.algorithmic import bound_numbers
from classifiers.answer_template import answer_templates
from classifiers.applied_tasks import APPLIED_GATE, applied_task
from classifiers.built_code import builds_code
from classifiers.code_blocks import assert_lines, code_chars, every_assert_line
from classifiers.code_names import exception_names
from classifiers.code_words import not_code_cues, prose_semicolons
from classifiers.dense_script import DENSE_CHAR_WEIGHT, DENSE_CHARS_PER_WORD, DENSE_LEADS, HANGUL_CHAR_WEIGHT, HANGUL_LEADS
from classifiers.echo import instructs_over_material, works_on_text
from classifiers.error_line import asks_about_an_error
from classifiers.glued import add_glued_words
from classifiers.judge_frame import judged_conversation, judges_a_problem
from classifiers.latex import RE_CURRENCY, latex_commands, unicode_math
from classifiers.letter_tasks import LETTER_TASK_CHARS, letter_tasks
from classifiers.lexicons import (
    LEXICON_NAMES,
    SPEEDUPS,
    add_dense_cues,
    lexicon_counts,
    lexicon_counts_reference,
    lower,
    lower_split,
    lower_words,
    small_talk_counts,
    words_of,
)
from classifiers.media_scripts import move_media_scripts
from classifiers.options import NO_TAIL_OPTIONS, inline_options, labelled_options, tail_options, year_options
from classifiers.plain_math import short_formula
from classifiers.puzzle_rules import puzzle_rules
from classifiers.quantities import count_quantities
from classifiers.quiz_stem import asks_for_a_program, asks_for_a_quantity, computation, logic_notation, quiz_stem, stem_cues, stem_math
from classifiers.rare_words import RARE_CODE_MAX, quiz_rare_words
from classifiers.record_lookup import looks_up_a_record
from classifiers.request_question import add_embedded_pair, question_marks, unmarked_question
from classifiers.retrieved import NO_CONTEXT, context_span, outside_context, with_system_documents
from classifiers.shape import GRAM_CHARS, N_SHAPE, SHAPE_GROUPS, SHAPE_NAMES, answer_shape, gram_keys, grams, shape_cues
from classifiers.sql_request import sql_request
from classifiers.text import Conversation
from classifiers.tool_names import tool_cue, works_with_tool
from classifiers.word_problems import (
    NUMBER_WORDS,
    WORD_PROBLEM_MAX_CHARS,
    WORD_PROBLEM_NUMBERS_ANCHOR,
    asks_for_an_answer,
    problem_chars,
    quantities_in,
    relation_kinds,
    sets_a_trap,
    table_rows,
)
from classifiers.written_code import asks_for_proof, move_written_code, request_length

__all__ = ["GRAM_CHARS", "HASH_BITS", "HASH_DIM", "LEXICON_NAMES", "NUMBER_WORDS", "N_SHAPE", "SHAPE_GROUPS", "SHAPE_NAMES", "answer_shape",
           "bucket", "buckets", "conversation_features", "gram_keys", "grams", "handcrafted", "lexicon_counts", "lexicon_counts_reference",
           "problem_chars", "tokens", "words_of"]

HEAD_CHARS = 3000
TAIL_CHARS = 1000
#: Pseudo-counts added to the denominators of the number and operator densities. A bare expression is all numbers and
#: operators: "2+2" had 2.0 numbers per word and an operator in every third character, past every training prompt, and scored
#: 0.62 (a group-theory proof 0.63). Small against a problem statement's length, they keep a few characters from reading as a dense formula.
DENSITY_PRIOR_WORDS = 2
DENSITY_PRIOR_CHARS = 20
HASH_BITS = 15
HASH_DIM = 1 << HASH_BITS
_MEMO_MAX = 50_000

_MATHOPS, _CODESYN = tuple("=+*/^<>≤≥∑∫√π"), ("{", "}", ";", "=>", "->", "::", "==", "!=", "()", "[]")
_RE_INDENT = re.compile(r"(?m)^(?:    |\t)\S")
_RE_LIST = re.compile(r"(?m)^[^\S\n]*(?:[-*•]|\d+[.)])\s")  # not \s*: quadratic over blank lines
_RE_MCQ = re.compile(r"(?m)^[ \t]*\(?[A-Ea-e][).:][ \t]")  # "A. x", "(a) x", "A) x"
_SENT = (". ", "? ", "! ", ".\n", "?\n", "!\n", "。", "？", "！")
_SENT_ASCII = tuple(c for c in _SENT if c.isascii())


def _count(text: str, sub: str) -> int:
    """``text.count(sub)``, skipping the scan when the first character is absent (a memchr)."""
    return text.count(sub) if sub[0] in text else 0


#: The multi-line patterns without their leading ``(?m)^``, behind a literal newline: a fast
#: literal-prefix search finds the next line start where the pattern can match.
_NL_INDENT = re.compile(r"\n(?:    |\t)\S")
_NL_LIST = re.compile(r"\n[^\S\n]*(?:[-*•]|\d+[.)])\s")
_NL_MCQ = re.compile(r"\n[ \t]*\(?[A-Ea-e][).:][ \t]")
#: "A - x" options, read as options under a question only (a chord chart, "C - G - Am - F", or a grading scale is none).
_RE_MCQ_DASH = re.compile(r"(?m)^[ \t]*[A-E][ \t]+[-–][ \t]")
_NL_MCQ_DASH = re.compile(r"\n[ \t]*[A-E][ \t]+[-–][ \t]")
#: Any of the three at a line start: when none occurs (most texts), all three counts are 0.
_LINE_ANY = r"(?:    |\t)\S|[^\S\n]*(?:[-*•]|\d+[.)])\s|[ \t]*(?:\(?[A-Ea-e][).:]|[A-E][ \t]+[-–])[ \t]"
_RE_LINE_ANY, _NL_LINE_ANY = re.compile(_LINE_ANY), re.compile(r"\n(?:" + _LINE_ANY + ")")
_AHEAD = {nl: re.compile(r"\n(?=" + nl.pattern[2:] + ")") for nl in (_NL_INDENT, _NL_LIST, _NL_MCQ, _NL_MCQ_DASH)}


def letter_option_lines(s: str) -> int:
    """Lines that open with an answer option's letter ("A. x", "(b) x", "C) x"; "D - x" in a text that asks a question)."""
    return _count_lines(_RE_MCQ, _NL_MCQ, s) + (_count_lines(_RE_MCQ_DASH, _NL_MCQ_DASH, s) if "?" in s else 0)


def _count_lines(pat: re.Pattern[str], nl: re.Pattern[str], s: str) -> int:
    r"""``len(pat.findall(s))`` for a ``(?m)^...`` pattern ``pat`` that never matches empty nor past a line break,
    where ``nl`` is the same pattern with ``\n`` in place of ``(?m)^``: the line starts where it matches (no match
    covers another's), the first line's and each after a line break, counted in one findall of the line breaks before
    one (``nl``'s rest as a lookahead; a Python loop per match cost 40 us over 2,000 characters of option lines)."""
    return (pat.match(s) is not None) + len(_AHEAD[nl].findall(s))
_HIST_TAIL = 4000

#: Log-characters above which the within-domain length bonus starts (e^4 ≈ 55 characters).
LENGTH_ANCHOR = 4.0
#: The length prior's domain gate is ``min(1, DOMAIN_GATE * (hard-domain - writing-domain))``:
#: it saturates at half the cue density, because a long word problem has a lower cue density
#: than a short one, and a proportional gate took back from long problems what length gave.
DOMAIN_GATE = 2.0
#: ``log1p`` of the answer-option lines that make a multiple-choice question (at least two).
MCQ_MIN = math.log1p(2)
#: Log-characters above which a multiple-choice question gets the length bonus (e^5 ≈ 150
#: characters): short quiz questions keep their domain ranking and their cheap tier.
MCQ_LENGTH_ANCHOR = 5.0
#: A quoted passage of at least this many characters is reading material, not the question: a
#: multiple-choice question's length bonus leaves it out ("This question refers to the following
#: information. \"…\"": a long source to read is no longer chain of reasoning to take).
QUOTED_MIN_CHARS = 200
#: Quoted passages are looked for in the question's first this many characters (bounded work).
QUOTED_SCAN = 20_000
_RE_QUOTED = re.compile(rf'["\u201c][^"\u201c\u201d]{{{QUOTED_MIN_CHARS},}}["\u201d]')


def _slice(text: str) -> str:
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]


_ASCII_MATHOPS = tuple(c for c in _MATHOPS if c.isascii())
_LEX = {k: i for i, k in enumerate(LEXICON_NAMES)}
_MATH, _ARITH, _CODE, _LOGIC, _STEM, _REASON = (_LEX[k] for k in ("math", "arith", "code", "logic", "stem", "reason"))
_WRITING, _ROLEPLAY, _KNOWLEDGE, _QUIZ, _RELATION = (_LEX[k] for k in ("writing", "roleplay", "knowledge", "quiz", "relation"))
#: Relations ("A is older than B", "north of") that chain into an ordering puzzle, a reasoning cue (one is a comparison).
RELATION_CHAIN = 2
#: A quiz's long vignette (past a word problem's length) with fewer math words than one in this many keeps its figures
#: as data: "ejection fraction" and "drug combinations" made a cardiology vignette's vital signs a math problem (0.91,
#: the top of an outside review's 130 quiz items; "LVEF" and "pairs of drugs" 0.75). Arithmetic words count too when
#: it asks for a quantity: a word problem's "per", "each", "total" are its own, a vignette's "one pack per day" not.
MATH_WORDS_PER_VIGNETTE = 50
_DENSITY = (_MATH, _CODE, _LOGIC, _REASON, _WRITING, _KNOWLEDGE)


def scan_counts_python(s: str) -> tuple[int, int, int]:
    """(math operators, code-syntax tokens, sentence ends) in ``s``: sums of ``str.count``."""
    if s.isascii():  # O(1); the ASCII operators and sentence ends are then all there can be
        mathops, sent = sum(map(s.count, _ASCII_MATHOPS)), _SENT_ASCII
    else:
        mathops, sent = sum(map(s.count, _MATHOPS)), _SENT  # a translate that deletes them: 110 us on 2,000 characters, this 8
    if len(s) < 1000:  # short: counting outright beats testing for the first character first
        return mathops, sum(map(s.count, _CODESYN)), sum(map(s.count, sent))
    return mathops, sum([s.count(c) for c in _CODESYN if c[0] in s]), sum([s.count(c) for c in sent if c[0] in s])


if SPEEDUPS is not None:  # the same counts in one C pass over ``s``
    _SCAN_TABLE = SPEEDUPS.count_table((_MATHOPS, _CODESYN, _SENT))
    _count_groups = SPEEDUPS.count_groups

    def scan_counts(s: str) -> tuple[int, int, int]:
        """(math operators, code-syntax tokens, sentence ends) in ``s`` (= ``scan_counts_python``)."""
        return _count_groups(_SCAN_TABLE, s)
else:
    scan_counts = scan_counts_python


def quoted_chars(text: str) -> int:
    """Characters in the quoted passages of at least ``QUOTED_MIN_CHARS``, the quotes included. A quoted
    span holding answer options, or ending in a question, is the question quoted, not a passage."""
    if '"' not in text and "\u201c" not in text:
        return 0
    return sum(len(span) for span in _RE_QUOTED.findall(text, 0, QUOTED_SCAN)
               if span[:-1].rstrip()[-1:] not in ("?", ":") and _NL_MCQ.search(span) is None)


def handcrafted(conv: Conversation) -> list[float]:
    """The hand-crafted feature vector (order = ``feature_schema.FEATURE_NAMES``)."""
    s = _slice(conv.last_user)
    return _handcrafted(conv, s, lower_words(s))


def _handcrafted(conv: Conversation, s: str, wl: list[str]) -> list[float]:
    """``handcrafted`` given the last user turn's slice ``s`` and its words (``lower_words(s)``)."""
    full = conv.last_user
    n = len(full)
    ns = max(len(s), 1)
    multiline = "\n" in s
    n_nl = full.count("\n") if multiline or n > len(s) else 0
    words = max(full.count(" ") + n_nl + 1, 1) if n else 0
    nw, present = max(len(wl), 1), set(wl)  # (one set for the rules' word lookups: each scan of the words ~4 us)
    n_numbers, units = count_quantities(s)
    if s.isascii():
        non_ascii, dense = 0.0, 0
    else:
        utf8 = s.encode("utf-8", "replace")
        non_ascii = (len(utf8) - len(s)) / ns
        dense = len(utf8) - len(utf8.translate(None, DENSE_LEADS))
        hangul = len(utf8) - len(utf8.translate(None, HANGUL_LEADS))
        if hangul:  # counted in the slice, extrapolated to the whole turn (as below)
            hangul = int((HANGUL_CHAR_WEIGHT - 1.0) * hangul * n / ns)
        if dense:  # counted in the slice, extrapolated to the whole turn
            nw += int(dense / DENSE_CHARS_PER_WORD)
            n += int((DENSE_CHAR_WEIGHT - 1.0) * dense * n / ns)
            words += int(dense / DENSE_CHARS_PER_WORD * len(full) / ns)
        n += hangul
    mathops, n_code, n_sent = scan_counts(s)
    n_code -= prose_semicolons(s, n_code)  # "I love hiking; my sister …": punctuation (77)
    tpl = answer_templates(s, wl, n_code)  # 'Return {"capital": ...} for Japan.': the answer's form, no code (version 59)
    tail = tail_options(s) if multiline else NO_TAIL_OPTIONS
    labelled = labelled_options(s) if multiline else 0
    # the line patterns, only if the text has lines and one of them occurs at a line start
    lines = multiline and (_RE_LINE_ANY.match(s) is not None or _NL_LINE_ANY.search(s) is not None)
    n_options = (max(letter_option_lines(s) if lines else 0, inline_options(s), tail.count, labelled)
                 + (lower(s).count("options:") if ":" in s else 0))  # no character lower-cases to ":"
    tests = assert_lines(s)  # the tests a program must pass: code (unfenced: fenced ones are already), and ...
    given = every_assert_line(s)  # ... their numbers no quantities, fenced or not (version 39)
    numbers = n_numbers - tail.numbered - labelled - tpl.numbers - (count_quantities(given, n_numbers > 0)[0] if given else 0)  # nor an option's marker
    # a year option is no quantity, nor a schema's under a question over it (88); a number taken twice (a template's in a test line): once
    numbers = max(numbers - (year_options(s) if n_options >= 2 else 0) - (sql.numbers if (sql := sql_request(s, conv.system)) else 0), 0)
    lex = add_embedded_pair(lexicon_counts(wl), s)  # "when the Roman Empire fell": its "when did" (cls56b)
    lex[_CODE] += exception_names(s)  # AttributeError, NullPointerException: code cues (version 53)
    lex[_CODE] += (tool := 0 if lex[_CODE] else tool_cue(s, wl, full, present))  # "my React app" (version 55; material's: 64)
    if dense:
        lex = add_glued_words(add_dense_cues(lex, s), s, wl)
    lex[_CODE] -= not_code_cues(s, wl, lex[_CODE], n_code, conv.history[-_HIST_TAIL:], tpl.words, present)  # "as a JSON array" (47), lymph nodes (50)
    code_cues, lex = lex[_CODE], move_written_code(lex, wl, present)  # (the count before the move: it counts in place)
    writes_code = lex[_CODE] > code_cues or builds_code(wl, present)  # "write / implement a function …": a request for a program, whatever its topic
    lex = move_media_scripts(lex, wl, present)
    stem = quiz_stem(s, n_options >= 2)  # a quiz's question: the options' words are the candidates' (version 40)
    lex, recall, numbers, units = stem_math(lex, s, stem, numbers, units)  # a recall stem: nor its options' math words (80), numbers (89)
    hist, log = conv.history, math.log1p
    ln = log(n)
    dollars = _count(full, "$")  # pairs of math delimiters; amounts of money (read in the slice) are none
    dollars -= len(RE_CURRENCY.findall(s)) if dollars else 0
    latex = log(latex_commands(s) + dollars // 2 + unicode_math(s))  # "F(ω) = ∫ f(t) dt" is notation too, feature and gates (108)
    plain, plain_logic = short_formula(s) if lex[_CODE] == 0 and not latex and "```" not in full else (0, 0)  # "x^2", "p -> q" (80)
    codesyn = 100.0 * (n_code - tpl.syntax) / ns
    log_numbers = log(numbers)
    unmarked = not (marks := question_marks(full)) and unmarked_question(full, wl)  # "why is the sky blue" asks (107)
    sentences = log(n_sent + (1 if unmarked or s.rstrip()[-1:] in ".!?" else 0))  # and ends its sentence (115)
    mcq = log(n_options)
    # "without the letter 'e'", "exactly 12 lines": a puzzle whose answer is a text, not writing (version 57)
    tasks = 0 if writes_code or latex or "```" in full or 16 * lex[_CODE] >= nw else letter_tasks(full)
    if tasks:
        lex[_WRITING] = 0
    puzzle = 0 if tasks or writes_code or latex or lex[_CODE] or "```" in full else puzzle_rules(full, present)  # a puzzle's rules (102)
    feats = [
        ln,
        log(words),
        log(len(conv.system)),
        log(len(hist)),
        log(conv.n_user_turns),
        log(n_nl),
        log(_count(full, "```")),  # the turn's own: an answer's fences say how the model writes (version 39)
        log(_count_lines(_RE_INDENT, _NL_INDENT, s) if lines else 0),
        codesyn,
        latex,
        100.0 * mathops / (ns + DENSITY_PRIOR_CHARS),
        log_numbers,
        min(numbers / (nw + DENSITY_PRIOR_WORDS), 2.0),
        log(marks or int(unmarked)),  # "??" is one question (114)
        log(_count_lines(_RE_LIST, _NL_LIST, s) - tail.count if lines else 0),
        sentences,
        min(len("".join(wl)) / nw, 20.0),
        min(non_ascii, 3.0),
        mcq,
    ]
    feats += map(log, small_talk_counts(lex, nw))  # a greeting in a long text is politeness (86)
    feats += [min(lex[k] / nw, 1.0) for k in _DENSITY]
    # beyond a word problem's length, without a math word or notation, numbers are data (a report's figures; a quiz's: MATH_WORDS_PER_VIGNETTE)
    math_words = lex[_MATH] + (lex[_ARITH] if mcq >= MCQ_MIN and lex[_MATH] and asks_for_a_quantity(full) else 0)
    data = n > WORD_PROBLEM_MAX_CHARS and latex == 0.0 and (
        lex[_MATH] == 0 or (mcq >= MCQ_MIN and MATH_WORDS_PER_VIGNETTE * math_words < nw))
    d_math = min(1.0, math_raw := 8.0 * (lex[_MATH] + 0.6 * lex[_ARITH] + (0.0 if data else 0.5) * numbers) / nw + 0.5 * (latex + log(plain)))
    d_code = min(1.0, 8.0 * lex[_CODE] / nw + codesyn / 8.0 + (0.5 if "```" in full or sql and sql.pasted else 0.0))
    cues = lex if stem is None else stem_cues(lex, s, stem, dense > 0)
    relations = cues[_RELATION] if cues[_RELATION] >= RELATION_CHAIN else 0
    d_reason = min(1.0, 8.0 * (cues[_LOGIC] + cues[_REASON] + cues[_STEM] + relations + logic_notation(s) + plain_logic + tasks + puzzle) / nw)
    d_write = min(1.0, 8.0 * (cues[_WRITING] + cues[_ROLEPLAY]) / nw)
    # material an instruction over it points at ("Extract the ingredient list from this recipe: …", "TL;DR: …"), with
    # figures, no math word, notation or code: no word problem, no closed problem (its length is the material's) (44, 56)
    material = (numbers > 0 and latex == 0.0 and lex[_MATH] == 0 and mcq < MCQ_MIN and not writes_code
                and d_code < 0.2 and (instructs_over_material(full) or looks_up_a_record(full)))  # (60: a record's field)
    quant = min(1.0, (numbers + lex[_MATH] + lex[_STEM] + units) / 4.0)
    ht = hist[-_HIST_TAIL:]  # (no history: all three 0)
    h_code = log(ht.count("```") + ht.count("def ") + ht.count("{") + ht.count(";"))
    h_math = log(ht.count("$") + ht.count("=") + ht.count("\\"))
    follow = log(len(hist)) / (1.0 + ln / 5.0)
    dom, quantities = max(d_math, d_code, d_reason), 0
    gate = min(1.0, DOMAIN_GATE * (dom - d_write)) if dom > d_write else 0.0
    asked = outside_context(full, span := context_span(full, feats[6] + feats[7] > 0) if mcq < MCQ_MIN else NO_CONTEXT)  # (33, 75)
    if (latex == 0.0 and mcq < MCQ_MIN and feats[6] == 0.0 and d_code < 0.2 and d_write < 0.2 and not material and sql is None
            and problem_chars(asked) <= WORD_PROBLEM_MAX_CHARS and (lex[_ARITH] > 0 or sets_a_trap(s))):  # a trap (87); a query's figures: none (88)
        table, own = table_rows(s), quantities_in(asked) if span[1] else 0  # a question's own figures: then the documents' too
        quantities = numbers - (count_quantities(table)[0] if table else 0) + sum(map(NUMBER_WORDS.__contains__, wl))
        quantities = own if span[1] and (own < 2 or problem_chars(full) > WORD_PROBLEM_MAX_CHARS) else with_system_documents(quantities, conv.system)
    word_problem = quantities >= 2 and asks_for_an_answer(asked)  # figures, no ask: none (49)
    applied = (material or not (word_problem or sql) and gate < APPLIED_GATE) and applied_task(full, conv.system, d_write >= 0.2)  # where it counts (90, 94)
    gate = 1.0 if word_problem or sql else max(gate, APPLIED_GATE) if applied else gate  # (88, 90)
    code = (code_chars(s) if feats[6] or feats[7] else 0) + len(tests) + tpl.chars  # pasted code (fences, indented lines), tests
    retrieved = span[1] - span[0]
    quoted = quoted_chars(full) if mcq >= MCQ_MIN else retrieved  # passages, documents: read, not solved
    ln_problem = log(max(n * (1.0 - code / ns) - quoted, 0.0)) if code or quoted else ln  # the statement's, not the material's
    if word_problem and not (code or quoted):  # an instruction before the problem is no part of its length
        ln_problem = log(n - (len(full) - problem_chars(full, whole=False)))
    # a request for a program or a proof (not a question over documents): the work asked for is not in its words
    program = (writes_code and not latex) or sql is not None or d_code > max(d_math, d_reason) or (  # (a proof's work is no algorithm's: 49)
        not data and d_reason < d_code <= d_math and d_code > math_raw - 4.0 * bound_numbers(wl) / nw)  # "n up to 10^5": 51
    program = program and not (tool and code_cues == 1 and not (writes_code or n_code or works_with_tool(wl)))  # (64)
    program = program and asks_for_a_program(stem, wl, codesyn > 0, code > 0 or writes_code)  # a quiz: (80, 84, 89)
    error_line = program and asks_about_an_error(full, wl)  # one everyday error line asked about: no request (58, 62)
    if not (word_problem or retrieved or error_line) and (program or (dom > d_write and asks_for_proof(wl))):
        ln_problem = math.log1p(sql.question * n / ns + sql.work) if sql else request_length(ln_problem, wl, s, nw, program, present)  # (41, 88)
    elif max(d_math, d_reason) >= 0.5 and not (code or quoted) and (extra := computation(  # a quiz's, a formula's (40, 80, 92)
            stem, plain + plain_logic + latex > 0, s, word_problem or retrieved or program or d_write >= 0.2)):
        ln_problem = math.log(math.exp(ln_problem) + extra)  # as a request for a program
    if tasks and not (word_problem or retrieved or program):  # a letter task's work is not in its words either (57)
        ln_problem = math.log(math.exp(ln_problem) + LETTER_TASK_CHARS)
    # a long text to translate, rewrite or summarize, or material to extract from: not a problem (its figures set no math domain)
    in_domain = 0.0 if not gate or error_line or works_on_text(full) or not applied and material else gate * max(ln_problem - LENGTH_ANCHOR, 0.0)
    anchor = MCQ_LENGTH_ANCHOR + (recall if d_reason == 0.0 else 0.0)  # a stem with no math or logic: later (80)
    closed = max(in_domain, (log(max(n - quoted, 0)) if quoted else ln) - anchor) if mcq >= MCQ_MIN else in_domain  # a quiz's length too
    if closed and not (cues[_LOGIC] > 1 or relations) and (judged := judged_conversation(conv)) is not None and not (  # puzzle: 69
            judges_a_problem(handcrafted(judged)) if judged.last_user else word_problem or latex or lex[_MATH] or writes_code or d_code >= 0.2):
        closed = 0.0
    feats += [
        d_math, d_code, d_reason, d_write,
        ln * d_math, ln * d_code, ln * d_reason, ln * d_write,
        log_numbers * d_math, sentences * d_math,
        log(units),
        (mcq + log(lex[_QUIZ])) * quant,
        h_code, h_math, follow, closed,
        *((max(log(quantities) - WORD_PROBLEM_NUMBERS_ANCHOR, 0.0), float(relation_kinds(s))) if word_problem else (0.0, 0.0)),  # (87)
        quiz_rare_words(stem) if stem is not None and d_code < RARE_CODE_MAX else 0.0,  # a quiz stem's uncommon words (101)
    ]
    return feats


def conversation_features(conv: Conversation, with_grams: bool = True
                          ) -> tuple[list[float], list[float], list[str], list[str]]:
    """(hand-crafted vector, answer-shape vector, words of the head (the n-grams' source:
    ``gram_keys(head_words, conv.system)``; ``[]`` unless ``with_grams``), words of the slice)
    of one conversation, sharing the lower-casing and word split between the blocks."""
    full = conv.last_user
    s = _slice(full)  # its head is full's head (GRAM_CHARS < HEAD_CHARS)
    head, wl, hw = lower_split(s, GRAM_CHARS)
    h = _handcrafted(conv, s, wl)
    return h, shape_cues(full, head), hw if with_grams else [], wl


def tokens(conv: Conversation) -> set[str]:
    """Distinct lower-cased word tokens of the last user turn (head+tail slice) and system prompt."""
    return tokens_of(lower_words(_slice(conv.last_user)), conv.system)


def tokens_of(words: list[str], system: str) -> set[str]:
    """``tokens`` from the last user turn's words (``words_of`` of its lower-cased slice)."""
    toks = set(words)
    if system:
        toks.update("sys:" + t for t in lower_words(_slice(system)))
    return toks


_BUCKETS: dict[str, int] = {}


def bucket(token: str) -> int:
    """Stable hash bucket of a token (memoized, bounded)."""
    b = _BUCKETS.get(token)
    if b is None:
        b = zlib.crc32(token.encode("utf-8", "replace")) & (HASH_DIM - 1)
        if len(_BUCKETS) < _MEMO_MAX:
            _BUCKETS[token] = b
    return b


def buckets(tokens: list[str]) -> list[int]:
    """``[bucket(t) for t in tokens]`` (memo lookups in one C-level pass)."""
    out = list(map(_BUCKETS.get, tokens))
    if None in out:
        out = [bucket(t) if b is None else b for t, b in zip(tokens, out)]
    return out  # type: ignore[return-value]
