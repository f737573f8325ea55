"""The featurizer as first written, frozen: the optimized one must reproduce it exactly.

Plain definitions (the single answer-shape regex run with ``finditer``, the position-scanning
lexicon count, one function per block); tests compare ``conversation_features`` with these.
"""

from __future__ import annotations

import collections
import itertools
import math
import re
from dataclasses import replace

from classifiers.algorithmic import (
    ALGORITHMIC_CHARS,
    ALGORITHMIC_MAX,
    ALGORITHMIC_TEXT,
    COMPLEXITY_WORDS,
    EVERYDAY_CONTEXT,
    NOT_AFTER,
    NOT_COMPLEXITY,
    PLUMBING_CHARS,
    PLUMBING_MAX,
    PLUMBING_TEXT,
    PROGRAM_WORDS,
)
from classifiers.answer_template import (
    BLOCK_WORDS,
    LEAD_CHARS,
    LEAD_CUES,
    LEAD_GAP,
    LEAD_WORDS,
    MAX_BRACES,
    MAX_ENTRIES,
    MAX_LITERAL_CHARS,
    MAX_LITERAL_WORDS,
    MAX_TEMPLATE_CHARS,
    MAX_TEMPLATES,
    TYPE_NAMES,
)
from classifiers.applied_tasks import APPLIED_CHARS, APPLIED_GATE, COMPARED_MIN_CHARS, MAX_STARTS
from classifiers.built_code import FUNCTION_NOUNS, IMPLEMENT_VERBS, MADE_NOT_CODE, MADE_PARTS, MAKE_VERBS, MATH_AFTER_FUNCTION, MAX_BUILDS
from classifiers.code_names import ENDINGS, MAX_EXCEPTIONS, MAX_NAME_CHARS
from classifiers.code_words import (
    AROUND_CHARS,
    COMPUTING_BEFORE,
    COMPUTING_BESIDE,
    COMPUTING_WORDS,
    EVERYDAY_CODE_WORDS,
    EVERYDAY_MARKERS,
    MARKER_WINDOW,
    MAX_EVERYDAY_CUES,
    MAX_PROSE_SEMICOLONS,
    SENSE_WINDOW,
)
from classifiers.echo import (
    DENSE_ECHO_PHRASES,
    ECHO_VERBS,
    LANGUAGE_OBJECTS,
    MAKES_OF_MATERIAL,
    MAKES_PAIRS,
    MANNER_WORDS,
    OBJECT_VERBS,
    POINTERS,
    SHAPES,
    SUMMARY_WORDS,
    TEXT_OBJECTS,
    WORKS_OUT,
)
from classifiers.error_line import (
    BARE_WORDS,
    CLAUSE_ENDS,
    CONTEXT_WORDS,
    ERROR_LINE_MAX_CHARS,
    ERROR_MARKERS,
    HARD_STEMS,
    MAX_LINES,
    OPENING_REQUEST_WORDS,
    PASTED_MARKERS,
    QUOTES,
)
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.features import (
    _CODESYN,
    _HIST_TAIL,
    _MATHOPS,
    _NL_INDENT,
    _NL_LIST,
    _NL_MCQ,
    _RE_INDENT,
    _RE_LIST,
    _RE_MCQ,
    _SENT,
    _SENT_ASCII,
    DENSE_CHAR_WEIGHT,
    DENSE_CHARS_PER_WORD,
    DENSITY_PRIOR_CHARS,
    DENSITY_PRIOR_WORDS,
    GRAM_CHARS,
    HANGUL_CHAR_WEIGHT,
    LENGTH_ANCHOR,
    LEXICON_NAMES,
    N_SHAPE,
    NUMBER_WORDS,
    SHAPE_GROUPS,
    _count,
    _count_lines,
    _slice,
    lexicon_counts_reference,
    words_of,
)
from classifiers.field_lists import AGGREGATES, EXTRACTION_VERBS, FIELD_NOUNS, KEY_WORDS, LIST_JOINS, MAX_ITEM_WORDS, WORKED_AFTER
from classifiers.greetings import GREETINGS, MAX_GREETINGS, NOT_AFTER_GREETING
from classifiers.judge_frame import COMPARE_OBJECTS, JUDGE_WORDS, QUESTION_LABELS, QUESTION_MAX_CHARS, QUESTION_SEARCH_CHARS
from classifiers.judge_frame import HEAD_CHARS as JUDGE_HEAD_CHARS
from classifiers.judge_frame import TAIL_CHARS as JUDGE_TAIL_CHARS
from classifiers.latex import LATEX_COMMANDS
from classifiers.lexicons import _PUNCT_CHARS
from classifiers.lexicons_intl import DENSE_CUES
from classifiers.media_scripts import MEDIA_WORDS
from classifiers.output_format import (
    ANSWER_VERBS,
    DATA_DETERMINERS,
    DATA_MODIFIERS,
    DATA_OBJECTS,
    DATA_VERBS,
    DEMONSTRATIVES,
    DOCUMENT_EXTENSIONS,
    FILE_EXTENSIONS,
    FORMAT_BLOCKERS,
    FORMAT_FILLER_GAP,
    FORMAT_FILLERS,
    FORMAT_NAMES,
    FORMAT_NOUNS,
    HTML_NOUNS,
    HTTP_STATUSES,
    HTTP_WORDS,
    MATERIAL_AFTER,
    MAX_FORMAT_NAMES,
    NEIGHBOUR_CHARS,
    NEIGHBOUR_WORDS,
    OF_HEADS,
    OF_NOUNS,
    PARSE_OBJECTS,
    PARSE_VERBS,
    PHRASE_CHARS,
    PROGRAM_SENTENCE_WORDS,
    REQUEST_WORDS,
    RETURN_LEADS,
    RETURN_OBJECTS,
    SENTENCE_CHARS,
    SHAPE_NOUNS,
)
from classifiers.program_words import EVERYDAY_TOOL_NAMES, TOOL_AFTER_WORDS, TOOL_NAMES, TOOL_TEXTS
from classifiers.puzzle_rules import FIRST_PERSON, MAX_RULE_KINDS, PUZZLE_MAX_CHARS, RULE_KINDS, STRONG_KINDS
from classifiers.quiz_stem import CODE_WORK_OPENERS
from classifiers.rare_words import COMMON_WORDS_PATH, ENGLISH_WORDS, LABEL_WORDS, MAX_RARE, MIN_CHARS, RARE_ANCHOR, RARE_CODE_MAX, STEM_CHARS
from classifiers.record_lookup import (
    ASK_MAX_CHARS,
    ASK_OPENERS,
    DOCUMENT_WORDS,
    FIELD_PHRASES,
    FIELD_WORDS,
    LOOKUP_WORDS,
    NOT_SUPERLATIVES,
    PRINTED_FIELDS,
    QUANTITY_ASKS,
    RECORD_LINE_MAX_WORDS,
    RECORD_MAX_CHARS,
    RECORD_MIN_LINES,
    RECORD_SCAN_LINES,
)
from classifiers.request_question import (
    ASK_CHARS,
    BE_FOLLOWERS,
    CODE_OBJECTS,
    CONTEXT_CHARS,
    CONTEXT_QUESTION_CHARS,
    CONTEXT_VERBS,
    EMBEDDED_CHARS,
    EMBEDDED_PAIRS,
    EXCLAIMED_SUBJECTS,
    LEAD_LABELS,
    MAX_LEAD_WORDS,
    OBJECT_CHARS,
    OBJECT_FILLERS,
    OBJECT_WORDS,
    PAST_VERBS,
    PRONOUN_OBJECTS,
    TEXT_NOUNS,
    UNMARKED_CHARS,
    UNMARKED_OPENERS,
)
from classifiers.return_words import (
    ABSTRACT_ELEMENTS,
    ABSTRACT_INPUTS,
    BOUND_PHRASES,
    GIVEN_AFTER,
    GIVEN_BEFORE,
    GIVEN_DEFINITE,
    IN_INPUTS,
    INDEFINITE,
    INPUT_VERBS,
    LABEL_MAX_WORDS,
    LIST_WORDS,
    MATERIAL_LINE_CHARS,
    MATERIAL_MIN_CHARS,
    MAX_RETURNS,
    NOT_TABLE_NAMES,
    NOT_VARIABLE_AFTER,
    NOUN_AFTER,
    NOUN_BEFORE,
    PROGRAM_AFTER,
    PURCHASE_WORDS,
    RETURN_DATA_WORDS,
    RETURN_LOOKAHEAD,
    RETURN_LOOKBACK,
    SENTINELS,
    TABLE_READS,
    TIME_BOUNDS,
    UNIT_AFTER,
    VARIABLES,
    VERB_OBJECTS,
    VERB_SUBJECTS,
    WANT_TO,
)
from classifiers.shape import _NUMWORD, _RE_SHAPE
from classifiers.sql_request import (
    CREATE_MAX_CHARS,
    JOIN_MAX,
    LINE_CANDIDATES_MAX,
    MARKDOWN_ROWS_READ,
    NAME_FILLERS,
    SCHEMA_LABEL_LINES,
    SQL_ASK_TEXT,
    SQL_GROUPED_TEXT,
    SQL_GROUPING_WORDS,
    SQL_HARD_CHARS,
    SQL_HARD_MAX,
    SQL_HARD_TEXT,
    SQL_NOT_NAMES,
    SQL_PLUMBING_CHARS,
    SQL_PLUMBING_MAX,
    SQL_PLUMBING_TEXT,
    SQL_REQUEST_CHARS,
    SQL_TYPES,
    SYSTEM_SCHEMA_CHARS,
)
from classifiers.text import Conversation
from classifiers.tool_names import AROUND_CHARS as TOOL_AROUND_CHARS
from classifiers.tool_names import CAPITAL_TOOLS, MAX_FINDS, NOT_TOOL_AFTER, TOOL_WORK_VERBS, USE_TO_GAP
from classifiers.written_code import (
    AMBIGUOUS_LANGUAGES,
    AMBIGUOUS_PARTS,
    CODE_PARTS,
    HEAD_FOLLOWERS,
    HEAD_PARTS,
    IN_LANGUAGES,
    IN_WORDS,
    KIND_PARTS,
    OBJECT_ENDS,
    WRITE_CODE_GAP,
    WRITE_CODE_NOUNS,
    WRITE_FILLERS,
    WRITE_HEAD_GAP,
    WRITE_IN_GAP,
    WRITE_LANGUAGE_NOUNS,
    WRITE_LANGUAGES,
    WRITE_PART_GAP,
    WRITE_SUBJECT_GAP,
    WRITE_VERBS,
    WRITTEN_TEXTS,
)

_GROUP_INDEX = {g: i for i, g in enumerate(SHAPE_GROUPS)}
_REF_COMMON_WORDS = set(COMMON_WORDS_PATH.read_text(encoding="ascii").split())
_DEL_MATHOPS_REF = str.maketrans("", "", "".join(_MATHOPS))  # the operators deleted: their count
_RE_DENSE = re.compile("[\u3000-\u9fff]")
_RE_HANGUL = re.compile("[\ua000-\ud7ff]")


#: Numbers and numbers with a unit in one pass (the featurizer now counts them with two patterns).
_RE_NUM_UNIT = re.compile(r"\d+(?:(?:[-/:]\d+){2,})?(?:[.,]\d+)?(\s?(?i:%|°|\$|kg|km|cm|mm|m/s|mph|mol|ml|hz|kj|j|n|w|v|s|m|g|l|k)\b)?")

def _alternatives(words) -> str:
    return "|".join(map(re.escape, sorted(words)))


#: "write <code>" over the words joined by spaces (``written_code.move_written_code``).
_RE_WRITE_CODE = re.compile(
    rf"(?:^| )(?:{_alternatives(WRITE_VERBS)}) (?:(?:{_alternatives(WRITE_FILLERS)}) ){{0,{WRITE_CODE_GAP}}}"
    rf"(?:{_alternatives(WRITE_CODE_NOUNS)}|(?:{_alternatives(WRITE_LANGUAGES)}) (?:{_alternatives(WRITE_LANGUAGE_NOUNS)})"
    # a compound with its language: "eine Python-Funktion", "a python-script" (version 38)
    rf"|(?:{_alternatives(WRITE_LANGUAGES)})-(?:{_alternatives(WRITE_CODE_NOUNS | WRITE_LANGUAGE_NOUNS)}))"
    r"(?= |$)")
#: Version 42, each as a match at a write verb. A language word, a version number after it ("c++17", "python3"; "x86"
#: as written), any word starting "python" ("pythonie") ...
_STRONG = (rf"(?:python[^ ]*|(?:{_alternatives(w for w in IN_LANGUAGES if not w[-1].isdigit())})[0-9]*"
           rf"|{_alternatives(w for w in IN_LANGUAGES if w[-1].isdigit())})(?= |$)")
_AMBIGUOUS = rf"(?:{_alternatives(AMBIGUOUS_LANGUAGES)})[0-9]*(?= |$)"
_PART = rf"(?:{_alternatives(CODE_PARTS)})(?= |$)"
_TEXT = rf"(?:{_alternatives(WRITTEN_TEXTS)})(?= |$)"
#: ... a word of the object before "in": no text, unless a program's part follows it ("an email validator").
_OBJECT_WORD = rf"(?!{_TEXT} (?!{_PART}))[^ ]+ "
_IN = rf"(?:{_alternatives(IN_WORDS)}) "
_ENDS = rf"(?:{_alternatives(OBJECT_ENDS)}|{_alternatives(WRITE_VERBS)})(?= |$)"
_HEAD_WORD = rf"(?!{_ENDS})(?!{_TEXT} (?!{_PART}))[^ ]+ "


_TOOL = "|".join([_alternatives(TOOL_NAMES) + "(?= |$)"] + [
    rf"{re.escape(name)} (?:{_alternatives(after)})(?= |$)" for name, after in EVERYDAY_TOOL_NAMES.items() if after] + [
    # version 64: after words of its TOOL_AFTER_WORDS ("write the terraform")
    rf"(?<=(?<![^ ]){re.escape(b.replace('|', ' '))} ){re.escape(name)}(?= |$)"
    for name, before in TOOL_AFTER_WORDS.items() for b in sorted(before)])
_TOOL_STOP = rf"(?:{_alternatives(OBJECT_ENDS | WRITTEN_TEXTS | TOOL_TEXTS)}|{_alternatives(WRITE_VERBS)})(?= |$)"
#: Version 64: the phrase after the tool's name ends at a word of OBJECT_ENDS, HEAD_FOLLOWERS or WRITE_VERBS; a text
#: (WRITTEN_TEXTS, TOOL_TEXTS) among its first WRITE_HEAD_GAP words makes it a text.
_PHRASE_END = rf"(?:{_alternatives(OBJECT_ENDS | HEAD_FOLLOWERS | set(WRITE_VERBS))})(?= |$)"
_TOOL_TEXT = rf"(?:{_alternatives(WRITTEN_TEXTS | TOOL_TEXTS)})(?= |$)"


def _object_regexes(verbs, parts) -> tuple[re.Pattern[str], ...]:
    """The matches at a verb of ``verbs`` whose object is code beyond its first noun (versions 42, 43): "<verb> <object>
    in <language>"; "in C", "in Go" with a program's part among the object's words; a language among the first
    WRITE_CODE_GAP words and a program's part after it; the object's head a program's part of ``parts``."""
    verb = rf"^(?:{_alternatives(verbs)}) "
    #: "write <object> in <language>": the object at most WRITE_IN_GAP - 1 words ...
    write_in = re.compile(rf"{verb}(?:{_OBJECT_WORD}){{0,{WRITE_IN_GAP - 1}}}{_IN}{_STRONG}")
    #: ... "in C", "in Go" with a program's part among them (every split of the words around it)
    write_in_ambiguous = re.compile(verb + "(?:" + "|".join(
        rf"(?:{_OBJECT_WORD}){{{a}}}{_PART} (?:{_OBJECT_WORD}){{0,{WRITE_IN_GAP - 2 - a}}}" for a in range(WRITE_IN_GAP - 1)
    ) + rf"){_IN}{_AMBIGUOUS}")
    #: "write a CUDA kernel": a language among the first WRITE_CODE_GAP words (neither a language nor a text before it),
    #: a program's part among the WRITE_PART_GAP after it.
    write_part = re.compile(rf"{verb}(?:(?!{_STRONG}|{_TEXT})[^ ]+ ){{0,{WRITE_CODE_GAP - 1}}}{_STRONG} "
                            rf"(?:[^ ]+ ){{0,{WRITE_PART_GAP - 1}}}{_PART}")
    #: Version 43: "write a lock-free queue": the object's head a program's part at most WRITE_HEAD_GAP words after the
    #: verb, the words before it none of OBJECT_ENDS ("to my client", "of truth"), no write verb, nor a text not followed
    #: by a part; the end or a word of HEAD_FOLLOWERS after it. A head: a part of ``parts`` (a hyphenated word by its last
    #: part: "a min-heap"), a part of KIND_PARTS after its kind ("a red-black tree", "a b-tree", "a linked list"), or a
    #: part a text can be (AMBIGUOUS_PARTS) right after a part of ``parts`` ("a URL shortener service").
    head_one = rf"(?:[^ ]*-)?(?:{_alternatives(parts)})" + "".join(
        rf"|(?:{_alternatives(kinds)})-{re.escape(part)}" for part, kinds in KIND_PARTS.items()) + \
        rf"|(?:{_alternatives(parts)})-(?:{_alternatives(AMBIGUOUS_PARTS - KIND_PARTS.keys())})"
    head_two = "|".join(rf"(?:{_alternatives(kinds)}) {re.escape(part)}" for part, kinds in KIND_PARTS.items()) + \
        rf"|(?:{_alternatives(parts)}) (?:{_alternatives(AMBIGUOUS_PARTS - KIND_PARTS.keys())})"
    head_end = rf"(?= (?:{_alternatives(HEAD_FOLLOWERS)})(?= |$)|$)"
    write_head = re.compile(rf"{verb}(?:(?:{_HEAD_WORD}){{0,{WRITE_HEAD_GAP - 1}}}(?:{head_one})"
                            rf"|(?:{_HEAD_WORD}){{0,{WRITE_HEAD_GAP - 2}}}(?:{head_two})){head_end}")
    #: Version 55: "write a Vue page", "a GitHub Actions workflow": a tool's name (one of TOOL_NAMES, or an everyday name
    #: before a word of its EVERYDAY_TOOL_NAMES) among the first WRITE_HEAD_GAP words (64; WRITE_CODE_GAP before), no
    #: word of OBJECT_ENDS, no text and no write verb before it; no text in its phrase after it (64).
    write_tool = re.compile(rf"{verb}(?:(?!{_TOOL_STOP})[^ ]+ ){{0,{WRITE_HEAD_GAP - 1}}}(?:{_TOOL})(?= |$)"
                            rf"(?! (?:(?!{_PHRASE_END})[^ ]+ ){{0,{WRITE_HEAD_GAP - 1}}}(?!{_PHRASE_END}){_TOOL_TEXT})")
    return write_in, write_in_ambiguous, write_part, write_head, write_tool


_WRITE_OBJECTS = (_RE_WRITE_CODE, *_object_regexes(WRITE_VERBS, HEAD_PARTS))
#: Version 51: "implement <code>" read as "write <code>"; "design / build / create / develop <code>": a code noun
#: ("a program", "a class", "code", 52: "a module", "an implementation" right after a language; 52: no "function" before
#: "of", "whose", "f" …), a thing in a language, a part of MADE_PARTS. Each verb's first MAX_BUILDS occurrences (52).
_IMPLEMENT_OBJECTS = (re.compile(_RE_WRITE_CODE.pattern.replace(_alternatives(WRITE_VERBS), _alternatives(IMPLEMENT_VERBS), 1)),
                      *_object_regexes(IMPLEMENT_VERBS, HEAD_PARTS))
_MAKE_OBJECTS = (re.compile(
    rf"^(?:{_alternatives(MAKE_VERBS)}) (?:(?:{_alternatives(WRITE_FILLERS)}) ){{0,{WRITE_CODE_GAP}}}"
    rf"(?:{_alternatives(WRITE_CODE_NOUNS - MADE_NOT_CODE - FUNCTION_NOUNS)}"
    rf"|(?:{_alternatives(FUNCTION_NOUNS)})(?! (?:{_alternatives(MATH_AFTER_FUNCTION)})(?= |$))"
    rf"|(?:{_alternatives(WRITE_LANGUAGES)}) (?:{_alternatives(WRITE_LANGUAGE_NOUNS | MADE_NOT_CODE)})"
    rf"|(?:{_alternatives(WRITE_LANGUAGES)})-(?:{_alternatives(WRITE_CODE_NOUNS | WRITE_LANGUAGE_NOUNS)}))(?= |$)"),
    *_object_regexes(MAKE_VERBS, MADE_PARTS))


def _builds_code(wl: list[str]) -> bool:
    """Version 51: a verb of IMPLEMENT_VERBS or MAKE_VERBS whose object is code (a regex match at the verb)."""
    seen: collections.Counter[str] = collections.Counter()
    for i, w in enumerate(wl):
        objects = _IMPLEMENT_OBJECTS if w in IMPLEMENT_VERBS else _MAKE_OBJECTS if w in MAKE_VERBS else ()
        if objects:
            seen[w] += 1
            if seen[w] <= MAX_BUILDS and any(r.match(" ".join(wl[i : i + WRITE_IN_GAP + 4])) for r in objects):
                return True
    return False


def _written_code_cues(wl: list[str]) -> int:
    """The writing cues that are code: each write verb that writes code (version 16 on; a regex match at the verb),
    and the writing cues among the WRITE_SUBJECT_GAP words after it, up to another verb (version 42)."""
    moved = 0
    for i, w in enumerate(wl):
        if w not in WRITE_VERBS:
            continue
        head = " ".join(wl[i : i + WRITE_IN_GAP + 4])
        if not any(r.match(head) for r in _WRITE_OBJECTS):
            continue
        subject = list(itertools.takewhile(lambda x: x not in WRITE_VERBS, wl[i + 1 : i + 1 + WRITE_SUBJECT_GAP]))
        moved += 1 + lexicon_counts_reference(subject)[LEXICON_NAMES.index("writing")]
    return moved


def _distinct_cues(text: str, joined: str) -> set[str]:
    """The entries of a cue text ("a|b" a phrase) found as whole words in the joined words."""
    return {e for e in text.split() if re.search(r"(?:^| )" + re.escape(e.replace("|", " ")) + r"(?: |$)", joined)}


#: Version 50: a modulus after "modulo" / "mod" (one cue; its 10^9 is no large bound).
_RE_MODULUS = re.compile(r"(^| )(?:modulo|mod) (?:109|109\+7|1e9|1e9\+7|10\*\*9|10\*\*9\+7|10\u2079|10\u2079\+7|1000000007|998244353"
                         r"|10 9|10 9\+7)(?= |$)")
_RE_LARGE = re.compile(r"(?:^| )(?:10 |1e|10\*\*)(?:[4-9]|1[0-8])(?: |$)"
                       r"|(?:^| )10(?:[\u2074-\u2079]|\u00b9[\u2070\u00b9\u00b2\u00b3\u2074-\u2078])(?: |$)")
#: Version 51: "O(" or "O (" not after a letter or digit (any case), then at most 24 items to its ")": a character
#: that is no parenthesis nor line break, or a pair of parentheses holding at most 8 such characters; what it holds has
#: runs of letters that are complexity words or one or two letters (not s, a, as, os, es), otherwise only digits,
#: spaces and arithmetic signs, and some letter or digit.
_RE_O_OPEN = re.compile(r"(?:^|(?<=[\W_]))o ?\(", re.IGNORECASE)
_SIGNS = set("0123456789^*+·×/.,()-\u221a\u00b2\u00b3\u207f")


def _inside_big_o(s: str, start: int) -> str | None:
    """What "O(" opening before ``start`` holds up to its ")", or None."""
    j, items = start, 0
    while j < len(s) and items <= 24:
        c = s[j]
        if c == ")":
            return s[start:j] if items else None
        if c == "\n":
            return None
        if c == "(":
            close = s.find(")", j + 1, j + 10)
            if close < 0 or "(" in s[j + 1:close] or "\n" in s[j + 1:close]:
                return None
            j = close
        items += 1
        j += 1
    return None


def _big_o(s: str) -> bool:
    for m in _RE_O_OPEN.finditer(s):
        inside = _inside_big_o(s, m.end())
        if inside is None:
            continue
        low = inside.lower()
        runs = ["".join(g) for is_letter, g in itertools.groupby(low, key=lambda c: "a" <= c <= "z") if is_letter]
        if (any(c.isalnum() for c in low) and all(c in _SIGNS or c.isspace() for c in low if not "a" <= c <= "z")
                and all((len(r) <= 2 and r not in NOT_COMPLEXITY) or r in COMPLEXITY_WORDS for r in runs)):
            return True
    return False


def _request_work_chars(wl: list[str], s: str = "") -> int:
    """Version 45: each distinct algorithmic cue +200 characters (at most 4); without one, each distinct plumbing cue
    -100 (at most 2). "queries" / "intervals" only when some occurrence follows no word of their NOT_AFTER set; an
    everyday word (version 50: connected, cycle, graph, edges, partition, minimize …) only beside a word of its context;
    "modulo"/"mod" before "10 9", "10 9+7", "109", "1e9", "10**9", 1000000007 …, "10" before 4-18 or a word "1e4".."1e18",
    "10**4".., "10⁴".. (not the modulus's), and "O(" with a complexity after it in the slice ``s`` (version 50, when the
    word "o" is read) are one cue each. None without a word naming a program."""
    joined = " ".join(wl)
    others = any(w in PROGRAM_WORDS and w not in ("return", "returns") for w in wl)
    if not others and re.search(r"(?:^| )returns?(?= |$)(?! (?:on|to)(?: |$))", joined) is None:  # version 49
        return 0
    algo = _distinct_cues(ALGORITHMIC_TEXT, joined)
    for word, after in NOT_AFTER.items():
        if word in algo and not re.search(r"(?:^| )(?!(?:" + "|".join(after) + r") )\S+ " + word + r"(?: |$)|^" + word + "(?: |$)", joined):
            algo.discard(word)
    algo -= {w for w, context in EVERYDAY_CONTEXT.items() if not any(c in wl for c in context)}  # version 50
    n = len(algo)
    n += bool(_RE_MODULUS.search(joined))
    n += bool(_RE_LARGE.search(_RE_MODULUS.sub(r"\1modulo", joined)))
    n += "o" in wl and _big_o(s)
    if n:
        return ALGORITHMIC_CHARS * min(n, ALGORITHMIC_MAX)
    return -PLUMBING_CHARS * min(len(_distinct_cues(PLUMBING_TEXT, joined)), PLUMBING_MAX)


#: Version 51: words that are a large bound or a modulus, and the bound words "10" starts with "10^5", "10^9+7".
_RE_BOUND_WORD = re.compile(r"1e(?:[4-9]|1[0-8])|10\*\*(?:[4-9]|1[0-8])|10(?:[\u2074-\u2079]|\u00b9[\u2070\u00b9\u00b2\u00b3\u2074-\u2078])")
_RE_MODULUS_WORD = re.compile(r"109|109\+7|1e9|1e9\+7|10\*\*9|10\*\*9\+7|10\u2079|10\u2079\+7|1000000007|998244353")
_RE_POWER_WORD = re.compile(r"[4-9]|1[0-8]|9\+7")


def _bound_numbers(wl: list[str]) -> int:
    """Version 51: the digit runs of the words of large bounds and moduli ("10 5" with a coefficient 2-9 before it, "1e5",
    "10**6", "10⁵", a modulus after "mod"/"modulo", and "+ 7" / "+7" after such a word ending in 9), in words naming a
    program (as ``_request_work_chars`` reads it)."""
    joined = " ".join(wl)
    others = any(w in PROGRAM_WORDS and w not in ("return", "returns") for w in wl)
    if not others and re.search(r"(?:^| )returns?(?= |$)(?! (?:on|to)(?: |$))", joined) is None:
        return 0
    marked = set()
    for i, w in enumerate(wl):
        nxt = wl[i + 1] if i + 1 < len(wl) else ""
        if _RE_BOUND_WORD.fullmatch(w):
            marked.add(i)
        if w == "10" and _RE_POWER_WORD.fullmatch(nxt):
            marked |= {i, i + 1} | ({i - 1} if i > 0 and re.fullmatch("[2-9]", wl[i - 1]) else set())
        if w in ("mod", "modulo") and _RE_MODULUS_WORD.fullmatch(nxt):
            marked.add(i + 1)
        if w in ("mod", "modulo") and nxt == "10" and wl[i + 2 : i + 3] in (["9"], ["9+7"]):
            marked |= {i + 1, i + 2}
    for i in sorted(marked):
        if wl[i][-1] in "9\u2079":
            if wl[i + 1 : i + 2] == ["+7"]:
                marked.add(i + 1)
            elif wl[i + 1 : i + 3] == ["+", "7"]:
                marked.add(i + 2)
    return sum(len(re.findall("[0-9]+", wl[i])) for i in marked)


#: Relations between a word problem's unknowns (version 74; a prior of their own since 87), one pattern per kind,
#: searched on their own; what follows a cue is a lookahead so that no kind's words hide another's.
_N_REL = r"(?:\d+(?:\.\d+)?|two|three|four|five|six|seven|eight|nine|ten|a few)"
_RELATION_KINDS = tuple(re.compile(p) for p in (
    r"\b(?:twice|thrice|half|" + _N_REL + r" times)(?= (?:as|the|more|less|fewer|that|what|his|her|their|its)\b)",
    r"\b(?:more|less|fewer|older|younger|taller|shorter|longer|heavier|cheaper)(?= (?:\w+ )?than\b)",
    r"\b(?:(?:years?|months?|weeks?|days?) (?:ago|from now|later)|in " + _N_REL + r" years)\b",
    r"\b(?:together|combined)\b",
    r"\baverage (?:speed|rate|pace)\b",
    r"\b(?:slips?|slides?|falls?(?= back\b)|loses|gains|leaks?|drains?)\b",
    r"\b(?:neither|both)\b",
    r"\b(?:the rest|remaining|remainder|left over)\b",
    r"%(?=\s+of (?:the|her|his|their|its|those|these|them)\b)",
    r"\b(?:ratio|what (?:fraction|percent(?:age)?)|every (?:other|second|third))\b",
))
#: Traps (version 87), counted twice; heads (or vehicles) and legs (wheels, feet) only together.
_TRAP_KINDS = tuple(re.compile(p) for p in (
    r"\b(?:round[- ]trip|there and back|return (?:trip|journey)|(?:back|returns?)(?= (?:\w+ ){0,5}at \d))\b",
    r"\b(?:harmonic|consecutive(?= (?:\w+ )?(?:integers?|numbers?|odd|even|whole|multiples?|pages|terms)\b))\b",
    r"\b(?:upstream|downstream)\b",
    r"\b(?:digits?(?= (?:are |is )?(?:reversed|swapped|interchanged))|revers\w* (?:the |its )?digits)\b",
    r"\b(?:work(?:ing|s)?(?= (?:together|alone)\b)|alone(?= (?:it takes|in \d))|if(?= both are\b))\b",
    r"\b(?:two numbers|sum of (?:two|the two|their|its)|their difference)\b",
))
_HEADS, _LIMBS = re.compile(r"\b(?:heads?|vehicles|animals)\b"), re.compile(r"\b(?:legs|wheels|feet)\b")
_ASKS_NUMBER = re.compile(
    r"\b(?:how (?:much|many|long|far|old|fast|tall|heavy|high)|calculate|compute|find|determine|work out|solve"
    r"|what percent(?:age)?|what(?:'s| is| was| will be| are| were) (?:the|her|his|their|its|my) (?:\w+ ){0,3}?(?:speed"
    r"|numbers?|ages?|cost|price|value|sum|total|combined|time|distance|mean|average|rate|percentage|fraction|ratio"
    r"|larger|largest|smaller|smallest|integers?|maximum|minimum|difference|amount|weight|height|length|area|profit))\b")


def _ref_kinds(text: str) -> tuple[int, int]:
    """(relation kinds, trap kinds) in the last 600 characters, lower-cased."""
    head = text[len(text) - 600:].lower() if len(text) > 600 else text.lower()
    speed = re.search(r"[0-9] ?(?:km/h|kmh|kph|mph|m/s|knots|km per hour|miles per hour|kilometers per hour|kilometres per hour)", head)
    taken = re.search(r"\bin (?:[0-9]+(?:\.[0-9]+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve) (?:hours?|days?|minutes?|weeks?)\b",
                      head)
    held = [pat.search(head) and (i != 0 or speed) and (i != 4 or taken) for i, pat in enumerate(_TRAP_KINDS)]  # (version 93)
    traps = sum(1 for h in held if h) + (1 if _HEADS.search(head) and _LIMBS.search(head) else 0)
    return sum(1 for pat in _RELATION_KINDS if pat.search(head)), traps


def _asks_number(text: str) -> bool:
    tail = text[len(text) - 300:] if len(text) > 300 else text
    return _ASKS_NUMBER.search(tail.lower()) is not None


def _relation_kinds(text: str) -> float:
    """1 a kind of relation, 2 a trap, at most 4, when the last 300 characters ask for a number."""
    if not _asks_number(text):
        return 0.0
    kinds, traps = _ref_kinds(text)
    return float(min(kinds + 2 * traps, 4))


def _sets_a_trap(text: str) -> bool:
    return _asks_number(text) and _ref_kinds(text)[1] > 0


def _asks_for_an_answer(text: str) -> bool:
    """Version 49: a question mark, or a word asking for a computation, in the first or last 2,000 characters."""
    read = text if len(text) <= 4000 else text[:2000] + "\n" + text[-2000:]
    asks = r"(?<!\w)(calculate|compute|find|determine|work out|how (much|many|long|far|old|fast|often)|total|solve|what (is|was|are|were|will)|estimate|express|evaluate|simplify)(?!\w)"
    return any(c in read for c in "?\uff1f\u061f") or re.search(asks, read.lower()) is not None


def _exception_names(s: str) -> int:
    """Version 53: CamelCase exception class names in the slice ``s``: for each of the first MAX_EXCEPTIONS occurrences
    of an ending (plural too) closing a word, the whole identifier word holding it is a capital, then 1..MAX_NAME_CHARS
    - 1 more letters or digits, then the ending."""
    n = 0
    for end in ENDINGS:
        for m in list(re.finditer(end + r"s?(?![A-Za-z0-9_])", s))[:MAX_EXCEPTIONS]:
            head = re.search(r"[A-Za-z0-9_]*\Z", s[:m.start()]).group()
            n += re.fullmatch(rf"[A-Z][A-Za-z0-9]{{0,{MAX_NAME_CHARS - 1}}}", head) is not None
    return n


_WORD_RE = "[^\\s" + re.escape(_PUNCT_CHARS) + "]+"


def _after_greeting(wl: list[str]) -> list[str]:
    """Version 62: the words past at most MAX_GREETINGS greetings opening them, each followed by a word not in
    NOT_AFTER_GREETING (regex alternation in GREETINGS' order)."""
    pattern = (rf"(?:{'|'.join(re.escape(' '.join(g)) for g in GREETINGS)}) "
               rf"(?!(?:{_alternatives(NOT_AFTER_GREETING)})(?: |$))")
    for _ in range(MAX_GREETINGS):
        m = re.match(pattern, " ".join(wl))
        if m is None:
            break
        wl = wl[len(m.group().split()):]
    return wl


def _error_line(full: str, wl: list[str]) -> bool:
    """Versions 58 and 62: a short question about one everyday error line: the error (the first marker or exception
    name) taken out with its quotes or its clause, at most CONTEXT_WORDS words outside BARE_WORDS, no hard stem opening
    a word, no write / build verb."""
    if len(full) > ERROR_LINE_MAX_CHARS or len([line for line in full.split("\n") if re.search(r"\S", line)]) > MAX_LINES:
        return False
    low = full.lower()
    spans = [(*m.span(), 1) for m in (re.search(re.escape(k), low) for k in ERROR_MARKERS) if m]
    if _exception_names(full) > 0:  # its message after a ":" (version 62)
        spans += [(m.start(), m.end(1), len(m.group(2))) for m in re.finditer(
            r"(?<![A-Za-z0-9_])([A-Z][A-Za-z0-9]{0,63}(?:Error|Exception|Warning)s?)(?![A-Za-z0-9_])(:?)", full)][:1]
    if (not spans or set(wl) & (set(WRITE_VERBS) | IMPLEMENT_VERBS | MAKE_VERBS) or wl[:1] and wl[0] in OPENING_REQUEST_WORDS
            or re.search("|".join(map(re.escape, PASTED_MARKERS)), low)):
        return False
    start, marker_end, message = min(spans)
    begin, end = start, len(low)
    sentence = max([m.start() for m in re.finditer(r"[.?!] |\n", low[:start])], default=-1)
    opens = [i for i in range(sentence + 1, start) if low[i] in QUOTES and (i == 0 or not low[i - 1].isalnum())]
    closes = [j for j in range(marker_end, len(low)) if opens and low[j] == QUOTES[low[opens[-1]]]
              and (j + 1 == len(low) or not low[j + 1].isalnum())]
    if closes:
        begin, end = opens[-1], closes[0] + 1
    elif message:
        m = re.compile("|".join(map(re.escape, CLAUSE_ENDS))).search(low, marker_end)
        end = m.start() if m else len(low)
    else:
        end = marker_end
    rest = [w.strip(":") for w in words_of(low[:begin] + " " + low[end:])]
    return (len({w for w in rest if w} - BARE_WORDS) <= CONTEXT_WORDS
            and not any(re.match("|".join(map(re.escape, HARD_STEMS)), w) for w in rest))


def _names_a_tool(s: str, wl: list[str]) -> int:
    """Version 55: 1 if the words hold one of TOOL_NAMES, an everyday name before a word of its EVERYDAY_TOOL_NAMES or
    after words of its TOOL_AFTER_WORDS (at its first MAX_FINDS positions), or the slice a capitalised name
    (``_capitalised_tools``)."""
    if any(w in TOOL_NAMES for w in wl):
        return 1
    for name in set(EVERYDAY_TOOL_NAMES) | set(TOOL_AFTER_WORDS):
        spots = [m.start() for m in re.finditer(rf"(?<![^ ]){re.escape(name)}(?![^ ])", " ".join(wl))][:MAX_FINDS]
        text = " ".join(wl)
        for p in spots:
            after = re.match(rf"{re.escape(name)} ([^ ]+)", text[p:])
            if after and after.group(1) in EVERYDAY_TOOL_NAMES.get(name, ()):
                return 1
            if any(re.search(rf"(?:^| ){re.escape(b.replace('|', ' '))} \Z", text[:p]) for b in TOOL_AFTER_WORDS.get(name, ())):
                return 1
    return 1 if _capitalised_tools(s) else 0


def _capitalised_tools(s: str) -> int:
    """Version 55: each of the first MAX_FINDS finds of a name of CAPITAL_TOOLS that is a word, after a letter, digit or
    comma (past spaces) within AROUND_CHARS; not after a phrase of TOOL_AFTER_WORDS ("in React"); not after a capitalised
    word (but "I") that itself follows a letter, digit or comma; not before a capitalised word, a word of its
    EVERYDAY_TOOL_NAMES or NOT_TOOL_AFTER (the next word: after spaces or tabs, a letter first)."""
    n = 0
    sep = "[\\s" + re.escape(_PUNCT_CHARS) + "]"
    for title in CAPITAL_TOOLS:
        name = title.lower()
        for m in itertools.islice(re.finditer(re.escape(title), s), MAX_FINDS):
            p, q = m.span()
            if (p and not re.match(sep, s[p - 1])) or (q < len(s) and not re.match(sep, s[q])):
                continue
            before = s[max(0, p - TOOL_AROUND_CHARS):p]
            if not re.search(r"(?:[^\W_]|,)\s*\Z", before):
                continue
            toks = list(re.finditer(_WORD_RE, before))
            if not toks:
                continue
            lows = " " + " ".join(t.group().lower() for t in toks)
            if any(lows.endswith(" " + w.replace("|", " ")) for w in TOOL_AFTER_WORDS.get(name, ())):
                continue
            last = toks[-1]
            if (last.group()[0].isupper() and last.group() != "I" and len(toks) > 1
                    and re.search(r"(?:[^\W_]|,)\s*\Z", before[:last.start()])):
                continue
            nxt = re.match(r"[ \t]+(" + _WORD_RE + ")", s[q:q + TOOL_AROUND_CHARS])
            if nxt and nxt.group(1)[0].isalpha():
                w = nxt.group(1)
                if w[0].isupper() or w.lower() in EVERYDAY_TOOL_NAMES.get(name, ()) or w.lower() in NOT_TOOL_AFTER.get(name, ()):
                    continue
            n += 1
    return n


def _alt(words) -> str:
    return "(?:" + "|".join(map(re.escape, sorted(words))) + ")"


def _ref_returns_ask(low: str, wl: list[str]) -> bool:
    """Version 76 (71, 72): every "return" (1 to MAX_RETURNS) opens the text or a sentence, or is the everyday noun or
    verb, or follows "and" / "then" in a line over material, or follows the comma of "Given the …,"; no sentinel right
    after any; and no phrase of a program's statement in the text."""
    word = r"[^\s" + re.escape(_PUNCT_CHARS) + "]"
    found = list(re.finditer(rf"(?<!{word})return(?!{word})", low))
    if not found or len(found) > MAX_RETURNS:
        return False
    for m in found:
        p, q = m.start(), m.end()
        before = low[max(0, p - RETURN_LOOKBACK):p]
        nxt = words_of(low[q:q + RETURN_LOOKAHEAD])
        sentinel = nxt[:1] and (nxt[0] in SENTINELS or nxt[:2] == ["an", "empty"])
        if sentinel and not (nxt[0] in ("true", "false") and len(nxt) > 1 and nxt[1] == "or"):
            return False
        if re.search(r"(?:\A|[.!?:\n])[ \t]*\Z", before):
            continue
        prv = words_of(before)
        if nxt[:1] and nxt[0] in NOUN_AFTER:
            continue
        if prv[-1:] and prv[-1] in VERB_SUBJECTS and "from" not in nxt[:3] and (
                nxt[:1] and nxt[0] in VERB_OBJECTS or any(w in PURCHASE_WORDS for w in wl)):
            continue  # a person returning a thing (versions 85, 93)
        if prv[-1:] and prv[-1] in NOUN_BEFORE and not (nxt[:1] and nxt[0] in PROGRAM_AFTER):
            continue
        if len(prv) >= 2 and prv[-1] == "to" and prv[-2] in WANT_TO and not any(w in PROGRAM_AFTER for w in nxt[:3]):
            continue  # the everyday verb, not a program's values (version 81)
        if before.rstrip(" \t").endswith(","):
            seg = low[max(0, p - MATERIAL_LINE_CHARS):p]
            parts = re.split(r"\. |! |\? |\n|: ", seg)
            if len(parts) > 1 or p <= MATERIAL_LINE_CHARS:
                head = words_of(parts[-1])
                if len(head) >= 2 and head[0] == "given" and head[1] in GIVEN_DEFINITE:
                    continue
        if prv[-1:] and prv[-1] in ("and", "then") and _ref_over_material(low, p, q):
            continue
        return False
    return not _ref_states_a_problem(low, wl)


def _ref_over_material(low: str, p: int, q: int) -> bool:
    lo = max(0, p - MATERIAL_LINE_CHARS)
    start = lo + (low[lo:p].rindex("\n") + 1 if "\n" in low[lo:p] else 0)
    nl = low[q:q + MATERIAL_LINE_CHARS].find("\n")
    stop = q + nl if nl >= 0 else min(len(low), q + MATERIAL_LINE_CHARS)
    if set(words_of(low[start:stop])) & POINTERS:
        return True
    colon = re.compile(": ").search(low, q, stop)
    if colon and len(low[colon.end():]) >= MATERIAL_MIN_CHARS:
        return True
    if nl < 0:
        return False
    first = re.match(r"([^\n]*?): ", low[stop + 1:stop + 1 + MATERIAL_LINE_CHARS])
    return bool(first) and ":" not in first.group(1) and 1 <= len(words_of(first.group(1))) <= LABEL_MAX_WORDS


def _ref_states_a_problem(low: str, wl: list[str]) -> bool:
    if set(wl) & RETURN_DATA_WORDS or any(b in low for b in BOUND_PHRASES):
        return True
    if re.search(r"(?<![^\W_])o\(", low):
        return True
    j = " " + " ".join(wl) + " "
    if re.search(rf" {_alt(GIVEN_AFTER)} given | given {_alt(GIVEN_BEFORE)} ", j):
        return True
    if re.search(rf" {_alt(INPUT_VERBS)} {_alt(INDEFINITE)} (?:\S+ )?{_alt(ABSTRACT_INPUTS)} ", j):
        return True
    if re.search(rf" in {_alt(INDEFINITE)} (?:\S+ )?{_alt(IN_INPUTS)} ", j):
        return True
    for m in re.finditer(rf"(?= {_alt(LIST_WORDS)} of (?:\S+ )?{_alt(ABSTRACT_ELEMENTS)} )", j):
        if not re.search(r" return(?: a| an| the)?\Z", j[:m.start()]):
            return True
    if re.search(r" tables? (?:named|called) ", j) or re.search(rf" {_alt(TABLE_READS)} the \S+ tables? ", j):
        return True
    for m in re.finditer(r"(?= (\S+) tables? )", j):
        if len(m.group(1)) > 2 and m.group(1)[-1] == "s" and m.group(1) not in NOT_TABLE_NAMES:
            return True
    if re.search(rf" {_alt(TIME_BOUNDS)} time ", j):
        return True
    for m in re.finditer(rf"(?<= ){_alt(VARIABLES)}(?= )", j):
        prev = j[:m.start() - 1].rpartition(" ")[2]
        unit = prev in UNIT_AFTER and not j[m.end() + 1:].partition(" ")[0].isalpha()  # "in m." a unit (79, 82)
        if not re.search(r"\d", prev) and prev not in NOT_VARIABLE_AFTER and not unit:
            return True
    return False


def _ref_prose_semicolons(s: str) -> bool:
    """Version 77: every code-syntax token of ``s`` (1 to MAX_PROSE_SEMICOLONS) is a semicolon joining two clauses of
    prose (after a letter, before a space and a lower-case letter or "I"), and no "="."""
    total = sum(s.count(c) for c in _CODESYN)
    if not 0 < total <= MAX_PROSE_SEMICOLONS or "=" in s or s.count(";") != total:
        return False
    pieces = s.split(";")
    return all(before[-1:].isalpha() and after[:1] == " " and (after[1:2].islower() or after[1:3] in ("I ", "I'"))
               for before, after in itertools.pairwise(pieces))


def _everyday_sense(s: str, wl: list[str], code: int, history: str, taken: list[str]) -> bool:
    """Version 50 (51: per word, in the sentence): every code cue outside the output-format phrases (``taken``: the words
    they hold) is an everyday word (EVERYDAY_CODE_WORDS), no code syntax, backtick, "=" nor code in the history's tail,
    and at each occurrence of a word the phrases did not take at every occurrence, inside its sentence (cut at a
    newline or ". ", "! ", "? ", at most AROUND_CHARS either side): a marker of its own within MARKER_WINDOW words, no
    COMPUTING_BEFORE word just before, no computing word (COMPUTING_WORDS, its COMPUTING_BESIDE) within SENSE_WINDOW, no
    digit in the word after an error."""
    if (any(c in s for c in _CODESYN) and not _ref_prose_semicolons(s)) or "`" in s or "=" in s or any(
            c in history for c in ("```", "def ", "{")):
        return False
    # version 71 (76): every code cue a "return" asking for an answer ("Return the capital … for Japan.")
    low = s.lower()
    if wl.count("return") - taken.count("return") == code and _ref_returns_ask(low, wl):
        return True
    left = {w: wl.count(w) - taken.count(w) for w in EVERYDAY_CODE_WORDS if wl.count(w) > taken.count(w)}
    if sum(left.values()) != code:
        return False
    word = r"[^\s" + re.escape(_PUNCT_CHARS) + "]"
    for w in left:
        for m in re.finditer(rf"(?<!{word}){w}(?!{word})", low):
            before = words_of(re.split(r"\n|[.!?] ", low[max(0, m.start() - AROUND_CHARS):m.start()])[-1])
            after = words_of(re.split(r"\n|[.!?] ", low[m.end():m.end() + AROUND_CHARS])[0])
            marked = any(x in EVERYDAY_MARKERS[w] for x in before[max(0, len(before) - MARKER_WINDOW):] + after[:MARKER_WINDOW])
            near = set(before[max(0, len(before) - SENSE_WINDOW):] + after[:SENSE_WINDOW])
            coded = (before and before[-1] in COMPUTING_BEFORE) or bool(near & (COMPUTING_WORDS | COMPUTING_BESIDE[w]))
            coded = coded or (w.startswith("error") and after and re.search(r"\d", after[0]) is not None)
            if coded or not marked:
                return False
    return True


def _num(text: str) -> float:
    text = text.strip().replace(",", "")
    if text.isdigit():
        return float(text)
    return float(_NUMWORD.get(text, 0))


def _finditer(head: str) -> list[tuple[int, str | None]]:
    """(group index, its number text for listn / nwords) of ``_RE_SHAPE.finditer(head)``."""
    out: list[tuple[int, str | None]] = []
    for m in _RE_SHAPE.finditer(head):
        g = m.lastgroup or ""
        out.append((_GROUP_INDEX[g], m.group(_RE_SHAPE.groupindex[g] + 1) if g in ("listn", "nwords") else None))
    return out


_RE_INLINE_OPTION = re.compile(r"(?:\(([A-E])\)| ([A-E])[.)])(?= )")


def _inline_options(s: str) -> int:
    """Inline answer options: letters A, B, C, ... taken greedily from the markers in text order."""
    n = 0
    for m in _RE_INLINE_OPTION.finditer(s):
        if (m.group(1) or m.group(2)) == "ABCDE"[n:n + 1]:
            n += 1
    return n if n >= 3 else 0


def _test_lines(s: str) -> str:
    """Outside code fences, the lines (with their line breaks) that start with the word "assert"."""
    parts = s.split("```")[::2]
    return "".join(line for part in parts for line in re.findall(r"[^\n]*\n|[^\n]+$", part) if re.match(r"assert\b", line))


def _every_test_line(s: str) -> str:
    """Every line (with its line break) that starts with the word "assert" after spaces or tabs, fenced or not."""
    return "".join(line for line in re.findall(r"[^\n]*\n|[^\n]+$", s) if re.match(r"[ \t]*assert\b", line))


def _letter(line: str, dash: bool = False) -> str:
    """The option letter a line opens with ("A. x", "(b) x", "C) x"; "D - x" when ``dash``), or ""."""
    found = re.match(r"[ \t]*\(?([A-Ea-e])[).:][ \t]", line) or (re.match(r"[ \t]*([A-E])[ \t]+[-\u2013][ \t]", line) if dash else None)
    return found.group(1) if found else ""


def _table_row(line: str) -> bool:
    """Four or more numbers, at least half the line's words."""
    numbers = len(_RE_NUM_UNIT.findall(line)) if re.search("[0-9]", line) else 0
    return numbers >= 4 and 2 * numbers >= len(line.split())


def _ref_schema(s: str) -> list[tuple[int, int, str]]:
    """Version 88: (start, end, table name) of a schema's tables in ``s``: ``CREATE TABLE`` statements (to the matching
    ")" within CREATE_MAX_CHARS of the opening one, and a ";" right after), then the lines alone on theirs that are
    ``name(col type…, col …)`` (an optional "- " / "* " bullet, a "table" / "tables:" / "schema:" label; nested
    parentheses dropped, two or more columns, each a name and type words) with a label, or unindented with a name
    without "." and a typed column or three or more columns and another such line, not inside a statement; then
    markdown tables of columns."""
    out = []
    at = 0 if re.search("reate|REATE", s) and re.search("able|ABLE", s) else len(s)  # (as the featurizer: "create", "table" so written)
    head = re.compile(r"\bcreate[ \t]+(?:temporary[ \t]+|temp[ \t]+)?table[ \t]+(?:if[ \t]+not[ \t]+exists[ \t]+)?"
                      r"[`\"\[]?([a-z_][\w.]*)[`\"\]]?[ \t]*\(", re.IGNORECASE)
    while True:
        m = head.search(s, at)
        if m is None:
            break
        depth, end = 1, None
        for i in range(m.end(), min(len(s), m.end() + CREATE_MAX_CHARS)):
            depth += {"(": 1, ")": -1}.get(s[i], 0)
            if depth == 0:
                end = i + 1
                break
        if end is None:
            end = min(len(s), m.end() + CREATE_MAX_CHARS)
        if s[end:end + 1] == ";":
            end += 1
        if not re.search(r"['\"`][ \t]*\Z", s[:m.start()]):  # a statement in a string of code is code's (95)
            out.append((m.start(), end, m.group(1).lower()))
        at = end
    lines = []
    pos = 0
    candidates = 0
    for line in s.split("\n"):
        ends = re.search(r"\)[ \t\r;,.]*\Z", line) is not None  # the first LINE_CANDIDATES_MAX lines ending in ")" are read (95)
        candidates += ends
        m = re.fullmatch(r"[ \t]*(?:[-*][ \t]+)?(table[ \t]*:?[ \t]*|tables[ \t]*:[ \t]*|schema[ \t]*:[ \t]*)?([a-z_][\w.]*)[ \t]*"
                         r"\(((?:[^()\n]|\([^()\n]*\))*)\)[ \t]*[;,.]?[ \t\r]*", line, re.IGNORECASE) if ends and candidates <= LINE_CANDIDATES_MAX else None
        if m is not None:
            flat, depth = "", 0
            for c in m.group(3):
                depth += c == "("
                flat += c if depth == 0 else ""
                depth -= c == ")"
            cols = [c.strip(" \t") for c in flat.split(",")]
            ok = all(re.fullmatch(r"[A-Za-z_]\w*", (re.split(r"[ \t]+", c) or [""])[0]) is not None
                     and all(re.fullmatch(r"[A-Za-z_][\w>.-]*", w) for w in re.split(r"[ \t]+", c)[1:]) for c in cols)
            # typed: a word of a column's type after its name (95: an untyped signature a line was a schema: tool lists)
            typed = any(w.lower() in SQL_TYPES for c in cols for w in re.split(r"[ \t]+", c)[1:])
            if len(cols) > 1 and ok and (m.group(1) is not None or (
                    not line.startswith((" ", "\t")) and "." not in m.group(2) and (typed or len(cols) > 2))):
                lines.append((pos, pos + len(line), m.group(2).lower(), m.group(1) is not None or typed))
        pos += len(line) + 1
    # untyped lines only beside a typed or labelled one, or under a label line ("Tables:") (95)
    label_line = any((lm := re.fullmatch(r"[ \t\r]*(.*?)[ \t]*:+[ \t\r]*", x)) is not None and lm.group(1).lower() in SCHEMA_LABEL_LINES
                     for x in s.split("\n"))
    statements = list(out)
    for a, b, name, marked in lines:
        if (marked or label_line or any(x[3] for x in lines)) and all(b <= x or y <= a for x, y, _ in statements):
            out.append((a, b, name))
    # markdown / ASCII tables of columns: runs of "|" rows and "+---+" borders, a header cell naming a column or a type,
    # two or more rows; a "Table: Name" line right before names it
    before = list(out)
    all_lines = s.split("\n")
    offsets = list(itertools.accumulate([len(x) + 1 for x in all_lines], initial=0))
    for tabular, group in itertools.groupby(range(len(all_lines)), key=lambda i: all_lines[i].lstrip(" \t").startswith("|") or (
            all_lines[i].lstrip(" \t").startswith("+") and all(c in "+-= \t\r" for c in all_lines[i]))):
        idx = list(group)
        if tabular:
            rows = [all_lines[i] for i in idx if all_lines[i].lstrip(" \t").startswith("|")]
            header = {c.strip(" \t\r").lower() for c in rows[0].split("|")} if rows else set()
            # a column's name and its type in the header (95: "| Plan | Type | Price |" was a schema), types in half the rows
            body = [r for r in rows[1:] if any(c not in "|-:=+ \t\r" for c in r)][:MARKDOWN_ROWS_READ]
            typed = sum(1 for r in body if any((re.match(r"\s*([^\s(]*)", c).group(1) or "").lower() in SQL_TYPES for c in r.split("|")))
            if (len(rows) >= 2 and header & {"column", "columns", "column name", "column_name", "field", "field name", "name", "attribute"}
                    and header & {"type", "data type", "datatype", "data_type"} and typed > 0 and typed >= len(body) / 2):
                m = re.fullmatch(r"[ \t]*table[ \t]*:?[ \t]*([a-z_]\w*)[ \t\r]*", all_lines[idx[0] - 1], re.IGNORECASE) if idx[0] else None
                a, b = offsets[idx[0] - 1] if m else offsets[idx[0]], offsets[idx[-1] + 1] - 1
                if all(b <= x or y <= a for x, y, _ in before):
                    out.append((a, b, m.group(1).lower() if m else ""))
    return sorted(out)


def _ref_sql_request(s: str, system: str) -> tuple[int, int, int, bool] | None:
    """Version 88, 95: (schema numbers, question characters, the characters its cues add, a schema in ``s``) of a question over a schema in
    the slice ``s`` or, without one there, in the system prompt's first SYSTEM_SCHEMA_CHARS; ``None`` without either
    or with no letter in the question (``s`` outside its schema and its fences)."""
    own = _ref_schema(s)
    tables = own if own else _ref_schema(system[:SYSTEM_SCHEMA_CHARS])
    if not tables:
        return None
    parts = s.split("```")
    fences = []
    pos = 0
    for k, part in enumerate(parts):
        if k % 2:  # inside a fence, its marks included
            fences.append((pos - 3, min(pos + len(part) + 3, len(s))))
        pos += len(part) + 3
    keep = [True] * len(s)
    for a, b in [(a, b) for a, b, _ in own] + fences:
        for i in range(a, b):
            keep[i] = False
    question = "".join(c for c, k in zip(s, keep) if k)
    if not any(map(str.isalpha, question)):
        return None
    wl = words_of(question.lower())
    present = set(wl)

    def has(phrase: list[str]) -> bool:
        for i in range(len(wl) - len(phrase) + 1):
            if all(w == k or (k == "#" and (w[:1].isdigit() or w in ("two", "three", "four", "five", "six", "seven", "eight", "nine",
                                                                      "ten", "twenty", "hundred"))) for w, k in zip(wl[i:], phrase)):
                return True
        return False

    names = {name for _, _, name in tables} - {""}
    if not own:  # a system prompt's schema: the question asks about its data, or names a table or a column (95)
        found = set(names)
        for a, b, _ in tables:
            for i in range(a, b):
                if system[i] in "(,":
                    m = re.match(r"[ \t\r\n]*[`\"\[]?([A-Za-z_]\w*)", system[i + 1:b])
                    found |= {m.group(1).lower()} if m else set()
            for row in system[a:b].split("\n"):
                m = re.match(r"[ \t]*\|[ \t]*[`\"]?([A-Za-z_]\w*)", row)
                found |= {m.group(1).lower()} if m else set()
        singular_plural = present | {w + "s" for w in present} | {w[:-1] for w in present if w.endswith("s")}
        named_words = [[w for w in words_of(n.lower()) if w not in NAME_FILLERS] for n in found if n not in SQL_NOT_NAMES]
        generic = {"name", "email", "status", "type", "title", "description", "date", "phone", "address", "notes", "note", "comment",
                   "comments", "created", "updated", "time", "code", "state", "city", "country"}
        if present & {"my", "mine"}:  # the speaker's own account: a support bot's turn, but with a query's words (96)
            if not present & {"query", "queries", "sql", "select", "join", "joins", "rows", "records", "table", "tables",
                              "column", "columns", "database", "schema"}:
                return None
        elif not any(has(cue.split("|")) for cue in SQL_ASK_TEXT.split()) and not any(
                nw and not (len(nw) == 1 and nw[0] in generic) and set(nw) <= singular_plural for nw in named_words):
            return None
    hard = sum(1 for cue in set(SQL_HARD_TEXT.split()) if has(cue.split("|")))
    named = sum(1 for t in names if present & {t, t + "s"} or (t[-1:] == "s" and t[:-1] in present))
    if named > 1 or present & SQL_GROUPING_WORDS:  # top N, between, share: beside a grouping or two tables (95)
        hard += sum(1 for cue in SQL_GROUPED_TEXT.split() if has(cue.split("|")))
    hard += ("%" in question) + min(max(named - 1, 0), JOIN_MAX)
    if hard:
        work = SQL_REQUEST_CHARS + SQL_HARD_CHARS * min(hard, SQL_HARD_MAX)
    else:
        work = SQL_REQUEST_CHARS - SQL_PLUMBING_CHARS * min(sum(1 for cue in set(SQL_PLUMBING_TEXT.split()) if has(cue.split("|"))), SQL_PLUMBING_MAX)
    schema_text = "\n".join(s[a:b] for a, b, _ in own if not any(x <= a < y for x, y in fences))
    return len(_RE_NUM_UNIT.findall(schema_text)), len(question), max(work, 0), len(own) > 0


def _code_chars(s: str) -> int:
    """Characters in code fences (a fence to the next, or to the end) and, between fences, on lines
    that start with four spaces or a tab (with their line break), walked character by character,
    less the characters of triple-quoted strings (at least 0)."""
    n = _fenced_or_indented_chars(s)
    if n:
        i = 0
        while i < len(s):  # docstrings: the first triple quote of either kind, to the next of that kind
            if s.startswith(('"""', "'''"), i):
                j = s.find(s[i:i + 3], i + 3)
                end = len(s) if j < 0 else j + 3
                n -= end - i
                i = end
            else:
                i += 1
    return max(n, 0)


def _fenced_or_indented_chars(s: str) -> int:
    n = i = 0
    while i < len(s):
        if s.startswith("```", i):
            j = s.find("```", i + 3)
            end = len(s) if j < 0 else j + 3
            n += end - i
            i = end
            continue
        j = s.find("```", i)
        stretch = s[i:] if j < 0 else s[i:j]
        lines = stretch.split("\n")
        for k, line in enumerate(lines):
            if line.startswith(("    ", "\t")):
                n += len(line) + (k < len(lines) - 1)  # and its line break
        i += len(stretch)
    return n


def _unmarked_question(full: str) -> bool:
    """A turn without "?" that asks without the mark (version 107): one sentence on one line of at most
    ``UNMARKED_CHARS`` characters, its first word one of ``UNMARKED_OPENERS``."""
    body = full.strip().rstrip(".!")
    first = words_of(full.lower())[:5]
    # version 114: a polite opener not asking someone ("can dogs eat grapes") nor before a negation or a bare verb ("could
    # not find module …", an error message), a frame of wondering before if / whether
    opens = first[:1] != [] and (first[0] in UNMARKED_OPENERS or _wonders_ref(first) or re.match(
        r"(?:can|could|would|will) (?!(?:you|u|someone|somebody|anyone|anybody|not|never|be|do|have)(?: |$))\S", " ".join(first)) is not None)
    return len(full) <= UNMARKED_CHARS and opens and "\n" not in body and re.search(r"[.!?]+\s+", body) is None


_AUX_REF = ["is", "are", "was", "were", "am", "be", "been", "do", "does", "did", "can", "could", "will", "would", "shall", "should", "may", "might", "must", "has", "have", "had", "'s", "'re"]
_BREAKS_REF = ["that", "which", "who", "whom", "whose", "if", "whether", "when", "where", "what", "why", "how", "because", "than"]


def _embedded_pair_ref(s: str) -> int:
    """Trial cls56b: the first sentence of ``s``'s first ``EMBEDDED_CHARS`` characters, plain words to a ".", "!", "?",
    a line break or the text's end, is an embedded wh-question: "what" / "who" / "where", a subject of words that are no
    auxiliary nor relative word, a form of "be" making a knowledge pair with it, then nothing or a ``BE_FOLLOWERS`` word;
    or "when", no auxiliary, no subject pronoun after its second word, a past verb from its third word."""
    head = s[:EMBEDDED_CHARS].lstrip()
    m = re.match(r"(?i)(what|who|where|when)[ \t]([A-Za-z0-9' \t-]*)(?:([.!?\n])|\Z)", head)
    if m is None or m.group(3) is None and len(s) > EMBEDDED_CHARS:  # cut by the window: no sentence read whole
        return 0
    wh, written = m.group(1).lower(), m.group(2).split()
    words = [w.lower() for w in written]
    if wh == "when":  # review56c: a capitalized verb is a title's ("When Harry Met Sally"), a second one a main clause's
        past = [i for i, w in enumerate(words) if i >= 1 and not written[i].istitle()
                and (w in PAST_VERBS or (len(w) > 3 and w[-2:] == "ed" and w[-3:] != "eed"))]
        return int(bool(past) and all(words[i - 1] in ("and", "or") for i in past[1:]) and not set(words) & {*_AUX_REF}
                   and not set(words[1:]) & {"i", "you", "he", "she", "it", "we", "they"} and ("when", "did") in EMBEDDED_PAIRS)
    stop = next((k for k, w in enumerate(words) if w in _AUX_REF or w in _BREAKS_REF), None)
    if not stop or (wh, words[stop]) not in EMBEDDED_PAIRS or written[stop].istitle():
        return 0
    if words[0] in ("a", "an") and words[stop - 1] in EXCLAIMED_SUBJECTS:  # "What a mess this is!" exclaims (review56c)
        return 0
    return int(stop == len(words) - 1 or words[stop + 1] in BE_FOLLOWERS)


def _wonders_ref(words: list[str]) -> bool:
    """Version 114: "i'm" / "im" / "i am" / "i was" / "just" wondering, "i wonder" or "wondering", then if / whether,
    not then "you" / "u" (a polite request)."""
    return re.match(r"(?:(?:i'm|im|i am|i was|just) wondering|i wonder|wondering) (?:if|whether)(?: |$)(?!(?:you|u)(?: |$))",
                    " ".join(words[:5])) is not None


def _opener_ref(words: list[str]) -> list[str]:
    """Version 114: the words past a "please" / "pls" / "plz" not before "do" (then past a topic, and "now" / "then")."""
    words = words[1:] if words[:1] in (["please"], ["pls"], ["plz"]) and words[1:2] != ["do"] else words
    words = words[_topic_end_ref(words):]
    return words[1:] if words[:1] in (["now"], ["then"]) and len(words) > 1 else words


def _asks_ref(words: list[str]) -> bool:
    """An opener of _QUESTION_WORDS (its colon dropped: "Explain:", 114), not a polite request ("Can you (please) write
    …", not "Can you explain …" nor, 114, "Can you check whether …" — unless "you" follows: "… see if you can …")."""
    # "please" taken whole (possessive): backtracking past it let "Can you please explain …" and "Can you please check
    # if …" read as requests, where the shipped code reads the verb after "please" (the reference's own drift)
    return bool(words) and re.sub(":$", "", words[0]) in _QUESTION_WORDS and not re.match(
        r"(?:can|could|would|will) you (?:please )?+(?!(?:explain|tell|help|describe)(?: |$)|(?:check|see) (?:if|whether)(?: |$)(?!(?:you|u)(?: |$)))\S",
        " ".join(words))


def _unicode_math_ref(s: str) -> int:
    """Unicode math symbols (version 108): each sign of one meaning; each root sign before a variable (optional space and
    "(", digits, one ASCII letter); each Greek letter of the symbol set (no omicron, no pi) with no letter (a word character
    but a digit, "_", a superscript or subscript) on either side and not between two words (letter, one whitespace, it, one
    whitespace, letter), none when two characters of the Greek blocks stand together (a Greek word: Greek prose); the
    prose signs (≤ ≥ ≠ ≈ ∞) when another symbol counts, or two of them."""
    signs = "∫∬∮∑∏∂∇≡∈∉⊂⊆⊃⊇∪∩∀∃∅⇒⇔ℝℤℕℚℂ"
    greek = set("αβγδεζηθικλμνξρστυφχψωϕϵϑϱ") | set("ΓΔΘΛΞΠΣΥΦΨΩ")

    def is_greek(c: str) -> bool:
        return "\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff"

    def is_letter(c: str) -> bool:
        return (c.isalnum() and not c.isdecimal() and c not in "\u00b2\u00b3\u00b9"
                and not "\u2070" <= c <= "\u209f")

    count = sum(1 for c in s if c in signs)
    for i, c in enumerate(s):
        if c == "√":
            j = i + 1
            j += s[j:j + 1] == " "
            j += s[j:j + 1] == "("
            j += s[j:j + 1] == " "
            while s[j:j + 1].isdigit() and s[j:j + 1].isascii():
                j += 1
            if s[j:j + 1].isascii() and s[j:j + 1].isalpha() and not (s[j + 1:j + 2].isascii() and s[j + 1:j + 2].isalpha()):
                count += 1
    if not any(is_greek(a) and is_greek(b) for a, b in itertools.pairwise(s)):
        for i, c in enumerate(s):
            before, after = s[i - 1] if i else "", s[i + 1] if i + 1 < len(s) else ""
            if c not in greek or (before and is_letter(before)) or (after and is_letter(after)):
                continue
            if i >= 2 and before.isspace() and is_letter(s[i - 2]) and after.isspace() and i + 2 < len(s) and is_letter(s[i + 2]):
                continue  # a word between words: "what does β measure"
            count += 1
    prose = sum(1 for c in s if c in "≤≥≠≈∞")
    return count + prose if count or prose >= 2 else 0


def _currency(s: str) -> int:
    """Dollar signs before an amount of money: "$" (not after a backslash), digits and commas, an optional
    decimal part, then any of .,;:!?)'" or whitespace up to a letter or the end — for some end of the amount."""
    digits = "0123456789"
    n = 0
    for i, ch in enumerate(s):
        if ch != "$" or (i and s[i - 1] == "\\") or s[i + 1:i + 2] not in tuple(digits):
            continue
        j = i + 1
        while j < len(s) and (s[j] in digits or s[j] == ","):
            j += 1
        ends = list(range(i + 2, j + 1))  # "$" + the first digit, then any longer run of digits and commas
        if j + 1 < len(s) and s[j] == "." and s[j + 1] in digits:
            k = j + 1
            while k < len(s) and s[k] in digits:
                k += 1
            ends += range(j + 2, k + 1)  # with a decimal part: after the whole run
        for e in ends:
            rest = s[e:]
            if rest[:1] in tuple(".,;:!?)'\"") or rest.strip() == "" or (rest[:1].isspace() and rest.lstrip()[:1] in tuple(
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")):
                n += 1
                break
    return n


def _tail_options(s: str) -> tuple[int, int]:
    """Numbered or bulleted answer options ending the text, read line by line from the end: the most
    (2 to 6) trailing lines "1." / "1)" / "-" / "*" / "•" of at most 100 characters after their marker
    that follow a line ending with "?" (a last line of at most 20 characters that is no option may close
    them), numbered in order or all with the same bullet. (count, how many markers are numbers)."""
    mark = r"[ \t]*(?:[1-9][.)]|[-*•])[ \t]"
    option = re.compile(mark + r"[^\n]{1,100}")
    lines = s[-800:].rstrip().split("\n")
    if lines and len(lines[-1]) <= 20 and not re.match(mark, lines[-1]):
        lines = lines[:-1]
    run = 0
    while run < len(lines) and option.fullmatch(lines[len(lines) - 1 - run]):
        run += 1
    for k in range(min(run, 6), 1, -1):
        if len(lines) > k and lines[-k - 1].rstrip(" \t").endswith("?"):
            marks = [line.lstrip(" \t")[0] for line in lines[-k:]]
            if marks == [str(i) for i in range(1, k + 1)]:
                return k, k
            return (k, 0) if len(set(marks)) == 1 and marks[0] in "-*•" else (0, 0)
    return 0, 0


def _labelled_options(s: str) -> int:
    """"Option 1:" / "Choice 1:" lines: labels 1, 2, 3 … taken greedily in line order."""
    n = 0
    for line in s.split("\n"):
        head = line.lstrip(" \t")
        if head[:6] in ("Option", "option", "OPTION", "Choice", "choice", "CHOICE"):
            m = re.match(r"[ \t]?([1-9])[:.)][ \t]", head[6:])
            if m and m.group(1) == str(n + 1):
                n += 1
    return n if n >= 2 else 0


def _year_options(s: str) -> int:
    """Answer options that are a year (1000-2099): every option marker at a line start or after a space
    or tab (and not inside an option counted) whose text is the year alone, up to the end of the line
    or the next lettered marker."""
    marker = re.compile(r"\(?[A-Ea-e][).:]|[1-9][.)]|(?:Option|option|OPTION|Choice|choice|CHOICE)[ \t]?[1-9][:.)]")
    n = 0
    for line in s.split("\n"):
        taken = 0  # an option counted ends here: no marker inside it starts another
        for i in range(len(line)):
            if i < taken or (i and line[i - 1] not in " \t"):
                continue
            m = marker.match(line, i)
            if m is None:
                continue
            rest = line[m.end():]
            year = rest.lstrip(" \t")
            if len(year) == len(rest) or not re.match(r"(?:1\d|20)\d\d", year):
                continue
            after = year[4:]
            if after.strip(" \t") == "" or (after[:1] in " \t" and re.match(r"\(?[A-Ea-e][).:][ \t]", after.lstrip(" \t"))):
                n += 1
                taken = len(line) - len(after)
    return n


#: Version 47: output-format phrases (``classifiers.output_format``). At an opener word (a separator or the start before
#: it): the fewest whitespace-separated words, at most FORMAT_FILLER_GAP (after "me" / "us" / "back"), before a format
#: name ending at a separator, a colon before one, or the end; a second name after "/", ",", "or", "and"; the next word as a noun.
_FSEP = "[" + re.escape(_PUNCT_CHARS) + r"\s]"
_FWORD = "[^" + re.escape(_PUNCT_CHARS) + r"\s]+"
_FNAME = "|".join(sorted(FORMAT_NAMES, key=len, reverse=True))
_RE_FORMAT_AT = [re.compile(
    rf"({_alternatives(ANSWER_VERBS | {'as', 'into', 'in', 'with'})})((?:\s+(?:me|us|back))?" + rf"(?:\s+{_FWORD})" * k + ")"
    rf"\s+({_FNAME})(?:\s*(?:/|,|\bor\b|\band\b)\s*({_FNAME}))?(?:\s+({_FWORD}))?(?=$|{_FSEP}|:(?:$|{_FSEP}))") for k in range(FORMAT_FILLER_GAP + 1)]


def _sentence_bounds(low: str) -> list[int]:
    """Where sentences end: each line break, each ". ! ?" before whitespace or the end."""
    return [k for k, c in enumerate(low) if c == "\n" or (c in ".!?" and (k + 1 == len(low) or low[k + 1].isspace()))]


def _names_a_program(text: str, program_words: frozenset[str], own: bool) -> bool:
    """Version 50: a program word, an HTTP request or status, a file name or a path; in the phrase's own sentence (a
    neighbour's only NEIGHBOUR_WORDS: version 51) a data verb before its object."""
    words = words_of(text)
    if any(w in program_words for w in words):
        return True
    for i, w in enumerate(words):
        objects = DATA_OBJECTS if w in DATA_VERBS else PARSE_OBJECTS if w in PARSE_VERBS else None
        if objects is not None and own:
            rest = words[i + 1:]
            while rest and rest[0] in DATA_DETERMINERS:
                rest = rest[1:]
            if len(rest) >= 2 and rest[0] in DATA_MODIFIERS and rest[1] in objects:
                rest = rest[1:]
            if rest and rest[0] in objects and rest[1:2] not in [[m] for m in MATERIAL_AFTER]:
                return True
        if w in REQUEST_WORDS and i > 0 and words[i - 1] in HTTP_WORDS:
            return True
        if w == "status" and any(x == "code" or x in HTTP_STATUSES for x in words[max(0, i - 2):i + 3]):
            return True
    extensions = FILE_EXTENSIONS + (DOCUMENT_EXTENSIONS if own else ())  # version 52: a document's in its own sentence
    files = rf"[a-z0-9_\-]\.(?:{_alternatives(extensions)})(?![a-z0-9_])"
    return bool(re.search(files, text) or re.search(r"(?<![\w/])/(?!r/|u/)[a-z_]", text))


#: Version 60: inline answer templates (``classifiers.answer_template``), a value's kinds as regexes.
_RE_TPL_QUOTED = re.compile(r'"([^"]*)"')
_RE_TPL_ANGLE = re.compile(r"<[^<>]+>")
_RE_TPL_RANGE = re.compile(r"-?\d+(?:\.\d+)?\s*(?:-|–|to|\.\.)\s*-?\d+(?:\.\d+)?")
_RE_TPL_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_RE_TPL_KEY = re.compile(r"[A-Za-z_][\w \-]{0,40}")
_RE_TPL_OR = re.compile(r"\s*(?:\||/|\bor\b)\s*")
_RE_TPL_TOKEN = re.compile(r'"[^"]*"|"|[\[<]|[\]>]|[^"\[\]<>]')


def _tpl_split(body: str, sep: str) -> list[str] | None:
    """Split at ``sep`` outside double quotes and (angle) brackets, token by token; None when they do not close."""
    parts, cur, depth = [], "", 0
    for tok in _RE_TPL_TOKEN.findall(body):
        if tok == '"':
            return None
        depth += 1 if tok in "[<" else -1 if tok in "]>" else 0
        if depth < 0:
            return None
        if tok == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += tok
    return None if depth else [*parts, cur]


def _tpl_placeholder(v: str) -> bool:
    m = _RE_TPL_QUOTED.fullmatch(v)
    if m is not None:
        return m.group(1).strip() in TYPE_NAMES or _RE_TPL_ANGLE.fullmatch(m.group(1).strip()) is not None
    if v in TYPE_NAMES or _RE_TPL_ANGLE.fullmatch(v) or _RE_TPL_RANGE.fullmatch(v):
        return True
    if v.startswith("[") and v.endswith("]") and len(v) >= 2:
        items = _tpl_split(v[1:-1], ",")
        return items is not None and all(_tpl_placeholder(x.strip()) for x in items if x.strip())
    alternatives = _RE_TPL_OR.split(v)
    return len(alternatives) > 1 and all(_tpl_placeholder(x) or _tpl_literal(x) for x in alternatives)


def _tpl_literal(v: str) -> bool:
    m = _RE_TPL_QUOTED.fullmatch(v)
    if m is not None:
        return len(m.group(1)) <= MAX_LITERAL_CHARS and len(m.group(1).split()) <= MAX_LITERAL_WORDS
    return _RE_TPL_NUMBER.fullmatch(v) is not None


def _tpl_kind(e: str) -> str | None:
    if e in ("...", "\u2026", ".."):
        return "placeholder"
    parts = _tpl_split(e, ":")
    if parts is None or len(parts) > 2:
        return None
    k = parts[0].strip()
    m = _RE_TPL_QUOTED.fullmatch(k)
    key = (m.group(1) if 0 < len(m.group(1)) <= MAX_LITERAL_CHARS else None) if m else (k if _RE_TPL_KEY.fullmatch(k) else None)
    if key is None:
        return None
    if len(parts) == 1:
        return "key" if len(key) > 1 and key not in ("...", "\u2026") else None
    v = parts[1].strip()
    return "placeholder" if _tpl_placeholder(v) else "literal" if _tpl_literal(v) else None


def _answer_templates(s: str, wl: list[str], syntax_total: int) -> tuple[int, int, int, list[str]]:
    """Version 60: (characters, code-syntax tokens, numbers, words) of the inline answer templates of ``s``: flat brace
    objects of placeholders, or after an answer's lead of literals or keys, not code's."""
    if "{" not in s or "```" in s or any(w in NEIGHBOUR_WORDS for w in wl):
        return 0, 0, 0, []
    low = s.lower()
    found: list[tuple[int, int, int]] = []
    prev = 0
    for a in [m.start() for m in re.finditer("{", low)][:MAX_BRACES]:
        m = re.match(r"\{[^{}]*\}", low[a:a + MAX_TEMPLATE_CHARS])
        if m is None or len(found) == MAX_TEMPLATES:
            continue
        b = a + m.end() - 1
        lo = max(a - LEAD_CHARS, prev)
        ends = [x.end() for x in re.finditer(r"\n|[.!?](?=\s)", low[lo:a])]
        lo += ends[-1] if ends else 0
        before = low[lo:a].rstrip()
        after = low[b + 1:b + 1 + LEAD_CHARS]
        after = re.split(r"\n|[.!?](?=\s)", after)[0]
        if before.endswith(("=", "(", "[", ",")) or (a > lo and low[a - 1].isalnum()):
            continue
        if any(w in BLOCK_WORDS for w in words_of(before + " " + after)) or low[a:b].count(",") >= MAX_ENTRIES:
            continue
        entries = _tpl_split(low[a + 1:b], ",")
        kinds = [_tpl_kind(e.strip()) for e in entries or [] if e.strip()]
        if not kinds or None in kinds:
            continue
        leads = any(w in LEAD_WORDS for w in words_of(before)[-LEAD_GAP:])
        if all(k == "placeholder" for k in kinds) or (leads and (set(kinds) <= {"placeholder", "literal"} or set(kinds) == {"key"})):
            found.append((a, b + 1, lo))
            prev = b + 1
    syntax = sum(low[a:b].count(c) for a, b, _ in found for c in _CODESYN)
    if not found or syntax < syntax_total:
        return 0, 0, 0, []
    words = [w for a, b, lo in found for w in words_of(low[a:b]) + [x for x in words_of(low[lo:a]) if x in LEAD_CUES]]
    numbers = sum(len(_RE_NUM_UNIT.findall(s[a:b])) for a, b, _ in found)
    return sum(b - a for a, b, _ in found), syntax, numbers, words


def _format_code_words(s: str) -> list[str]:
    """Version 47: the words of output-format phrases, every opener tried in turn (after an accepted phrase, from
    its end), its sentence at most SENTENCE_CHARS around it; only the first MAX_FORMAT_NAMES format names (words of
    their own), at most PHRASE_CHARS after their opener."""
    low = s.lower()
    bounds = _sentence_bounds(low)
    names = [m.start() for m in re.finditer(rf"(?<=\s)(?:{_FNAME})(?=$|{_FSEP}|:(?:$|{_FSEP}))", low)][:MAX_FORMAT_NAMES]
    found, returns, pos = [], set(), 0
    for i in range(len(low)):
        if i < pos or (i > 0 and not re.match(_FSEP, low[i - 1])):
            continue
        m = next((r.match(low, i) for r in _RE_FORMAT_AT if r.match(low, i)), None)
        if m is None or m.start(3) - i > PHRASE_CHARS or m.start(3) not in names:  # the first names, near their opener
            continue
        opener, fill, first, second, noun = m.groups()
        start = max([max(0, i - SENTENCE_CHARS)] + [k + 1 for k in bounds if max(0, i - SENTENCE_CHARS) <= k < i])
        before = words_of(low[start:i])
        fill = fill.split()
        if opener == "with":
            lead = list(before)
            while lead and lead[-1] in ("only", "just"):
                lead.pop()
            if not lead or lead[-1] not in ("respond", "reply", "answer"):
                continue
        elif opener in ANSWER_VERBS:
            if any(w not in RETURN_LEADS for w in before):
                continue
            if fill and fill[0] in ("me", "us", "back"):
                fill = fill[1:]
        if not all(w in FORMAT_FILLERS or w in DEMONSTRATIVES for w in fill):
            continue
        cues = [first] + ([second] if second else [])
        after = m.end()
        if noun is None and low[after:after + 1] == ":":
            cues = cues[:-1]
        if noun is not None and noun.rstrip(":") not in FORMAT_NOUNS:
            after -= len(noun)
            noun = None
        elif noun is not None and noun.endswith(":"):
            noun = noun.rstrip(":")
        elif noun is not None:
            cues.append(noun)
            if noun == "code" and low[after:after + 6] == " block":
                after += 6
            elif noun in OF_HEADS:
                of = re.match(rf"\s+of\s+({_FWORD})(?=$|{_FSEP})", low[after:])
                if of and of.group(1) in OF_NOUNS:
                    cues.append(of.group(1))
                    after += of.end()
        if set(fill) & DEMONSTRATIVES and noun not in SHAPE_NOUNS:
            continue
        if "html" in (first, second) and noun not in HTML_NOUNS:
            continue
        following = re.match(rf"\s*({_FWORD})", low[after:])
        if (following and following.group(1) in FORMAT_BLOCKERS) or re.match(r"[.:]\w", low[after:]):
            continue
        end = next((k for k in bounds if after <= k < after + SENTENCE_CHARS), min(len(low), after + SENTENCE_CHARS))
        # version 50: the sentences within NEIGHBOUR_CHARS of the phrase's, in its paragraph, may name a program
        lo, far = 0, start - NEIGHBOUR_CHARS
        if far > 0:
            lo = max([max(0, far - SENTENCE_CHARS)] + [k + 1 for k in bounds if max(0, far - SENTENCE_CHARS) <= k < far])
        hi, far = len(low), end + NEIGHBOUR_CHARS
        if far < len(low):
            hi = next((k for k in bounds if far <= k < far + SENTENCE_CHARS), min(len(low), far + SENTENCE_CHARS))
        lo += max([0] + [g.end() for g in re.finditer(r"\n[ \t\r]*\n", low[lo:start])])
        gap = re.search(r"\n[ \t\r]*\n", low[end:hi])
        if (_names_a_program(low[start:i] + " " + low[after:end], PROGRAM_SENTENCE_WORDS, True)
                or _names_a_program(low[lo:start] + " " + low[end:hi if gap is None else end + gap.start()], NEIGHBOUR_WORDS, False)):
            continue
        found += cues
        pos = m.end()
        returned = opener == "return" or any(
            w == "return" and k + 1 < len(before) and before[k + 1] in RETURN_OBJECTS
            and (all(x in RETURN_LEADS for x in before[:k]) or (k > 0 and before[k - 1] in ("and", "then")))
            for k, w in enumerate(before))
        if returned and start not in returns:
            returns.add(start)
            found.append("return")
    return found


def _format_code_cues(s: str, code: int) -> int:
    """Version 47: the code cues of the output-format phrases' words (``_format_code_words``), at most ``code``."""
    found = _format_code_words(s)
    return min(lexicon_counts_reference(found)[LEXICON_NAMES.index("code")], code) if found else 0


#: Version 57: the letter tasks, each kind's alternatives written out (``letter_tasks.TASK_PATTERNS`` less its
#: sentence-bound gaps: here every alternative is tried on each sentence of the request on its own). Version 61: exact
#: counts of words 8 to 150, of syllables, letters, characters 5 to 150, no exact lines or sentences; a line's or
#: sentence's words said exactly; a starting letter single (quoted, or before the end or a comma), three letters listed
#: or the same / next / consecutive letter; "count the r's in"; "spell … in reverse".
_LQ = "['\"\u2018\u2019\u201c\u201d]"
_LNUM = ("(?:\\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen"
         "|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)")
_LTEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_LTENS = "(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"


def _exact_count(min_n: int) -> str:
    """A count from ``min_n`` to 150 as digits or words (digits listed: the reference spells the range out)."""
    digits = "|".join(str(i) for i in range(150, min_n - 1, -1))
    small = [w for i, w in enumerate(("one", "two", "three", "four", "five", "six", "seven", "eight", "nine"), 1) if i >= min_n]
    return "(?:(?:" + digits + ")|" + "|".join(small) + "|" + _LTEENS + "|" + _LTENS + "|(?:one |a )?hundred)"


_LPER = ("(?:" + "|".join(str(i) for i in range(999, 2, -1)) + "|three|four|five|six|seven|eight|nine|" + _LTEENS + "|"
         + _LTENS + ")")
_LORD = "(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|middle|penultimate|\\d+(?:st|nd|rd|th))"
_LUNIT = "(?:letters?|vowels?|consonants?|syllables?|characters?)"
_LONE = _LQ + "?[a-z]" + _LQ + "?(?![a-z0-9])"
_LINITIAL = "(?:" + _LQ + "[a-z]" + _LQ + "|[a-z](?=[,;:)]|$))"
_LIN = "(?:\\b(?:word|name|sentence|phrase|paragraph|text)s?\\b|" + _LQ + ")"
_LETTER_KINDS = (
    ("\\bhow many " + _LUNIT + "\\b.{0,40}" + _LIN,
     "\\bhow many times (?:does|do|is|are) (?:the )?(?:letter |character )?" + _LONE + " (?:appear|occur|show)",
     "\\bhow many times (?:the )?(?:letter|character) " + _LONE + " (?:appears|occurs|shows up)\\b",
     "\\bhow many " + _LQ + "?[a-z]" + _LQ + "?'?s\\b (?:are |is )?(?:there )?(?:in|does|appear)\\b",
     "\\bhow many words (?:are )?(?:there )?in (?:this|the|that|my|the following) (?:sentence|phrase|line)\\b",
     "\\bcount (?:the )?(?:number of )?(?:" + _LUNIT + "|occurrences of the letter)\\b.{0,40}" + _LIN,
     "\\bcount (?:all )?(?:the )?(?:" + _LQ + "[a-z]" + _LQ + "'?s|[a-z]'s) in\\b"),
    ("\\b" + _LORD + " letters? (?:of|in) (?:each\\b|every\\b|the (?:word|name|sentence|phrase)|" + _LQ + ")",
     "\\bletters? from the (?:end|start|beginning|right|left)\\b"),
    ("\\b(?:spell|spelled|spelt|write|written|read|say|print)\\b.{0,40}\\bbackwards?\\b",
     "\\breverse (?:the )?(?:order of (?:the )?)?(?:letters|spelling|characters|word)\\b",
     "\\b(?:letters|characters|spell|spelled|spelt)\\b.{0,30}\\bin reverse\\b",
     "\\b(?:write|print|say) (?:the (?:word|name) )?(?:" + _LQ + "[a-z]+" + _LQ + "|[a-z]+) in reverse\\b(?! chronolog)",
     "\\bbackwards? spelling\\b"),
    ("\\b(?:sort|order|alphabeti[sz]e|rearrange|put)\\b.{0,25}\\bletters (?:of|in) (?:the (?:word|name)|" + _LQ + "|each\\b|every\\b)",
     "\\bletters\\b.{0,40}\\balphabetical(?:ly)?\\b", "\\bby (?:their|its|the) " + _LORD + " letter\\b"),
    ("\\banagrams? (?:of|for)\\b", "\\bare\\b.{0,30}\\banagrams\\b"),
    (("\\b(?:write|compose|create|make|give|come up with|invent|form|construct|generate|think of)\\b.{0,40}"
     "\\b(?:palindrom|pangram|lipogram)"),
     "(?:" + _LQ + "|\\bis (?!it\\b|this\\b|that\\b)[a-z]+) an? (?:palindrome|pangram)\\b"),
    ("\\b(?:without|no|not|never|avoid\\w*|omit\\w*|exclud\\w*|free of|don'?t use)\\b.{0,30}\\bletters? " + _LONE,),
    (("\\b(?:every|each|all) (?:word|line|sentence|verse)s?\\b.{0,40}\\b(?:start|starts|starting|begin|begins|beginning"
     "|end|ends|ending) with (?:the |a |an )?(?:(?:same |next |following |different |distinct |successive )?(?:letters?|vowels?|consonants?)\\b|" + _LINITIAL + ")"),
     "\\b(?:end|ends|ending) with (?:the |a |an )?(?:same )?(?:letters?|vowels?|consonants?)\\b",
     ("\\b(?:start|starts|starting|begin|begins|beginning) with (?:the |a )?(?:next letter|following letter|same letter"
      "|consecutive letters|letters [a-z]\\b(?:, [a-z]\\b| [a-z]\\b|,? and [a-z]\\b|,? then [a-z]\\b){2}"
      "|letters [a-z] (?:to|through) [a-z]\\b)")),
    ("\\b(?:first|initial|last) letters?\\b.{0,60}\\bspell", "\\b(?:one|two|a|\\d+) letters? (?:longer|shorter)\\b",
     "\\b(?:under|fewer than|less than|at most|no more than) " + _LNUM + " letters\\b"),
    ("\\bexactly " + _exact_count(8) + "[- ]words?\\b",
     "\\bexactly " + _exact_count(5) + "[- ](?:syllables?|letters?|characters?)\\b",
     "\\b(?:every|each) (?:line|sentence|verse)\\b.{0,30}\\b(?:exactly|has|have|contains?|with|of|is|be|uses?) " + _LPER
     + " (?:words|syllables)\\b"),
)
_LCOMPARE = ("larger", "bigger", "greater", "smaller", "less", "more", "higher", "lower", "largest", "biggest", "greatest",
             "smallest")


def _puzzle_rules_ref(text: str, words: list[str]) -> int:
    """Versions 102-103: in a turn of at most PUZZLE_MAX_CHARS characters that asks for an answer, the kinds of RULE_KINDS
    whose pattern matches the lower-cased turn and one of whose trigger words is one of ``words``; counted (at most
    MAX_RULE_KINDS) when one of the first STRONG_KINDS kinds is among them and there are two or more, or none of
    ``words`` is a FIRST_PERSON word and the turn has two sentence ends (a line break, or . ! ? before a space or the
    end) or more."""
    if len(text) > PUZZLE_MAX_CHARS or not _asks_for_an_answer(text):
        return 0
    found = [i for i, (triggers, pattern) in enumerate(RULE_KINDS.values())
             if any(w in triggers for w in words) and re.search(pattern, text.lower())]
    story = not any(w in FIRST_PERSON for w in words) and len(re.findall(r"\n|[.!?](?=\s|$)", text)) >= 2
    return min(len(found), MAX_RULE_KINDS) if found and min(found) < STRONG_KINDS and (len(found) >= 2 or story) else 0


def _letter_tasks(text: str) -> int:
    """Version 57: the kinds of letter task (at most 3) in the lower-cased first 400 and last 200 characters, each kind's
    alternatives tried on every sentence (split at . ? ! and line breaks), then two decimals compared (version 61: in
    the first 8 pairs joined by "or", "vs", a comma …)."""
    t = (text if len(text) <= 600 else text[:400] + "\n" + text[-200:]).lower()
    sentences = re.split(r"[.?!\n]", t)
    n = sum(1 for kind in _LETTER_KINDS if any(re.search(alt, x) for alt in kind for x in sentences))
    decimals = False
    for m in re.finditer("(?<![\\d.])\\d+\\.(\\d+) (?:is )?(?:" + "|".join(_LCOMPARE) + ") than \\d+\\.(\\d+)(?![\\d.])", t):
        decimals = decimals or len(m.group(1)) != len(m.group(2))
    pairs = list(re.finditer(r"(?<![\d.])\d+\.(\d+)\s*(?:or|vs\.?|versus|and|,)\s*\d+\.(\d+)(?![\d.])", t))[:8]
    for m in pairs:
        around = re.split(r"\W+", t[max(m.start() - 60, 0):m.end() + 40])
        decimals = decimals or (len(m.group(1)) != len(m.group(2)) and any(w in _LCOMPARE for w in around))
    return min(n + decimals, 3)


def handcrafted(conv: Conversation) -> list[float]:
    """The hand-crafted feature vector as first written (before the speed-ups)."""
    full = conv.last_user
    n = len(full)
    s = _slice(full)
    low = s.lower()
    ns = max(len(s), 1)
    multiline = "\n" in s
    n_nl = full.count("\n") if multiline or n > len(s) else 0
    words = max(full.count(" ") + n_nl + 1, 1) if n else 0
    wl = words_of(low)
    nw = max(len(wl), 1)
    has_digit = any(d in s for d in "0123456789")
    tail, numbered = _tail_options(s) if multiline else (0, 0)
    labelled = _labelled_options(s) if multiline else 0
    sql = _ref_sql_request(s, conv.system)  # a question over a schema (version 88)
    dashed = len(re.findall(r"(?m)^[ \t]*[A-E][ \t]+[-–][ \t]", s)) if "?" in s else 0  # "A - x" under a question (version 37)
    options = (max((_count_lines(_RE_MCQ, _NL_MCQ, s) + dashed) if multiline else 0, _inline_options(s), tail, labelled)
               + (low.count("options:") if ":" in low else 0))
    syntax_total = sum([s.count(c) for c in _CODESYN if c[0] in s])
    syntax_total = 0 if _ref_prose_semicolons(s) else syntax_total  # prose semicolons (77)
    tpl_chars, tpl_syntax, tpl_numbers, tpl_words = _answer_templates(s, wl, syntax_total)  # version 59
    if has_digit:
        nu = _RE_NUM_UNIT.findall(s)
        numbers = len(nu) - numbered - labelled - tpl_numbers - (_year_options(s) if options >= 2 else 0)
        numbers -= len(_RE_NUM_UNIT.findall(_every_test_line(s)))  # a test's numbers are no quantities (36), fenced too (39)
        numbers -= sql[0] if sql else 0  # nor a schema's (88)
        numbers = max(numbers, 0)  # a number taken twice (a year option or a template's that is also a test's): once
        units = len(nu) - nu.count("")
    else:
        numbers = units = 0
    non_ascii = (len(s.encode("utf-8", "replace")) - len(s)) / ns
    dense = len(_RE_DENSE.findall(s))  # Chinese / Japanese (U+3000-U+9FFF): denser, no spaces between words
    hangul = int((HANGUL_CHAR_WEIGHT - 1.0) * len(_RE_HANGUL.findall(s)) * n / ns)  # Korean (U+A000-U+D7FF)
    nw += int(dense / DENSE_CHARS_PER_WORD)
    n += int((DENSE_CHAR_WEIGHT - 1.0) * dense * n / ns) + hangul
    words += int(dense / DENSE_CHARS_PER_WORD * len(full) / ns)
    lex = dict(zip(LEXICON_NAMES, lexicon_counts_reference(wl)))
    lex["knowledge"] += _embedded_pair_ref(s)  # "when the Roman Empire fell": "when did" (trial cls56b)
    lex["code"] += _exception_names(s)  # AttributeError, NullPointerException: code cues (version 53)
    tool = 0
    if not lex["code"]:  # a tool's name: the code cue of a text with no other (version 55)
        tool = lex["code"] = _names_a_tool(s, wl)
        instruction = _material_instruction_ref(full) if tool else None
        if instruction is not None:  # in a text that instructs over material, the instruction's only (version 64)
            tool = lex["code"] = _names_a_tool(instruction, words_of(instruction.lower()))
    if dense:  # Chinese / Japanese cues: substrings (no spaces between words)
        for name, cues in DENSE_CUES.items():
            lex[name] += sum(s.count(c) for c in cues)
        # Latin-script words glued to other characters: the words with every non-ASCII character a space,
        # less the ASCII words already split off
        glued = collections.Counter(words_of("".join(c if c.isascii() else " " for c in s).lower()))
        glued.subtract(w for w in wl if w.isascii())
        for name, k in zip(LEXICON_NAMES, lexicon_counts_reference(list(glued.elements()))):
            lex[name] += k
    taken = _format_code_words(s) if lex["code"] else []
    if lex["code"]:  # an answer template's words, each as often as the phrases or the templates hold it (version 59)
        taken += [w for w in set(tpl_words) for _ in range(tpl_words.count(w) - taken.count(w))]
    lex["code"] -= min(lexicon_counts_reference(taken)[LEXICON_NAMES.index("code")], lex["code"]) if taken else 0  # "as a JSON array": the answer's form, no code (version 47)
    # everyday words in their everyday sense ("my lymph nodes are swollen", "a bug bite"): no code (version 50)
    if 0 < lex["code"] <= MAX_EVERYDAY_CUES and _everyday_sense(s, wl, lex["code"], conv.history[-_HIST_TAIL:], taken):
        lex["code"] = 0
    cues_before_move = lex["code"]
    written_code = _written_code_cues(wl)  # regexes at each verb; the featurizer scans with list.index
    written_code = min(written_code, lex["writing"])
    lex["writing"] -= written_code
    lex["code"] += written_code
    # the featurizer's writes_code: the move added a code cue, or a build verb's object is code (one rule: version 69)
    writes_code = written_code > 0 or _builds_code(wl)
    # a script to speak or perform ("a YouTube video script") is a writing cue (version 39)
    media = len(re.findall(r"(?<![^ ])(?:" + "|".join(map(re.escape, MEDIA_WORDS)) + r") scripts?(?![^ ])", " ".join(wl)))
    if media and media >= lex["code"]:  # when they are all its code cues
        lex["writing"] += lex["code"]
        lex["code"] = 0
    latex_ref = (sum(1 for name in re.findall(r"\\([a-zA-Z]+)", s) if name in LATEX_COMMANDS) + (full.count("$") - _currency(s)) // 2
                 + _unicode_math_ref(s))  # Unicode math is notation too (version 108)
    # a letter-level or exact-count task outside code: no writing cues; a reasoning cue per kind (version 57)
    tasks = 0
    if not (writes_code or latex_ref > 0 or "```" in full or 16 * lex["code"] >= nw):
        tasks = _letter_tasks(full)
        lex["writing"] = 0 if tasks else lex["writing"]
    # a puzzle's rules in a short turn that asks, outside code (version 102)
    puzzle = 0 if tasks or writes_code or latex_ref > 0 or lex["code"] or "```" in full else _puzzle_rules_ref(full, wl)
    log = math.log1p
    feats = [
        log(n),
        log(words),
        log(len(conv.system)),
        log(len(conv.history)),
        log(conv.n_user_turns),
        log(n_nl),
        log(_count(full, "```")),  # the last user turn's fences only (version 39)
        log(_count_lines(_RE_INDENT, _NL_INDENT, s) if multiline else 0),
        100.0 * (syntax_total - tpl_syntax) / ns,
        # LaTeX: the backslash words of math writing, not code escapes or Windows paths (version 35)
        log(latex_ref),  # and Unicode math symbols (version 108)
        100.0 * (len(s) - len(s.translate(_DEL_MATHOPS_REF))) / (ns + DENSITY_PRIOR_CHARS),
        log(numbers),
        min(numbers / (nw + DENSITY_PRIOR_WORDS), 2.0),
        log(len(re.findall(r"\?+", full)) or int(_unmarked_question(full))),  # a run of marks asks once (114)
        log(_count_lines(_RE_LIST, _NL_LIST, s) - tail if multiline else 0),
        # an unmarked question ends its sentence as its mark would (version 115)
        log(sum([s.count(c) for c in (_SENT_ASCII if s.isascii() else _SENT) if c[0] in s])
            + (1 if s.rstrip()[-1:] in ".!?" or ("?" not in full and _unmarked_question(full)) else 0)),
        min(sum(map(len, wl)) / nw, 20.0),
        min(non_ascii, 3.0),
        log(options),
        *(log(0 if k == "chitchat" and nw > 20 and 20 * v < nw else v) for k, v in lex.items()),  # politeness (86, 93)
        *(min(lex[k] / nw, 1.0) for k in ("math", "code", "logic", "reason", "writing", "knowledge")),
    ]
    latex = feats[9]
    # over 600 characters with no math word and no notation, numbers are a text's data, no math cue (version 34);
    # in a quiz, with fewer than one math word in 50 (version 40)
    asks = re.search(r"how\s+(?:much|many)|\b(?:calculate|compute)\b|what\s+(?:is|was|will\s+be)\s+the\s+"
                     r"(?:total|value|sum|cost|amount|price)|to\s+the\s+nearest\s+(?:whole|tenth|hundredth|thousandth|integer|cent"
                     r"|dollar|percent|degree|unit|ten|hundred|thousand|million)", full[-400:].lower()) is not None  # asks for a quantity
    data = n > 600 and latex == 0 and (
        lex["math"] == 0 or (feats[18] >= math.log1p(2) and 50 * (lex["math"] + (lex["arith"] if asks else 0)) < nw))
    d_math = min(1.0, 8.0 * (lex["math"] + 0.6 * lex["arith"] + (0.0 if data else 0.5) * numbers) / nw + 0.5 * latex)
    d_code = min(1.0, 8.0 * lex["code"] / nw + feats[8] / 8.0 + (0.5 if "```" in full or sql and sql[3] else 0.0))  # a pasted schema as a fence (88)
    # in a quiz whose lettered options A… end it (an answer marker may follow), the relations (version 39) and the
    # reasoning, science, writing and role-play cues are the stem's: the options' are taken off (version 40); so
    # are they after the first option A written inline
    cues = dict(lex)
    stem = None
    if feats[18] >= math.log1p(2) and multiline:
        lines = s.rstrip().split("\n")
        dash = "?" in s  # "A - x" options under a question end a stem too (version 101)
        if len(lines) > 1 and not _letter(lines[-1], dash) and len(lines[-1].strip()) <= 40 and lines[-1].strip().endswith(":"):
            lines = lines[:-1]
        letters = [_letter(line, dash) for line in lines]
        k = len(lines) - 1
        while k > 0 and letters[k] and letters[k] not in "Aa" and letters[k - 1] and ord(letters[k - 1]) == ord(letters[k]) - 1:
            k -= 1
        if letters[k] and letters[k] in "Aa":
            stem = "\n".join(lines[:k]) + ("\n" if k else "")
    if feats[18] >= math.log1p(2) and stem is None and (k := _inline_options(s)):
        # from the end, in one marker form: the last marker of the last letter, then of each letter before it
        starts = []
        for form in ("({})", " {}.", " {})"):
            marks = [(m.start(), m.group(0)) for m in _RE_INLINE_OPTION.finditer(s)]
            at = len(s)
            for letter in reversed("ABCDE"[:k]):
                at = max((i for i, g in marks if g == form.format(letter) and i < at), default=-1)
                if at < 0:
                    break
            else:
                starts.append(at)
        stem = s[:min(starts)] if starts else None
    if stem is not None:
        options_text = s[len(stem):]
        below = dict(zip(LEXICON_NAMES, lexicon_counts_reference(words_of(options_text.lower()))))
        if dense:
            for name, dense_cues in DENSE_CUES.items():
                below[name] += sum(options_text.count(c) for c in dense_cues)
            glued_below = collections.Counter(words_of("".join(c if c.isascii() else " " for c in options_text).lower()))
            glued_below.subtract(w for w in words_of(options_text.lower()) if w.isascii())
            for name, k in zip(LEXICON_NAMES, lexicon_counts_reference(list(glued_below.elements()))):
                below[name] += k
        below_words = words_of(options_text.lower())  # the options' connectives stay
        below["logic"] -= below_words.count("implies") + len(re.findall(r"(?<!\S)(?=if and only if(?!\S))", " ".join(below_words)))
        for name in ("logic", "reason", "stem", "writing", "roleplay", "relation"):
            cues[name] = max(cues[name] - below[name], 0)
    # a stem with no math (no quantity but years, no math word, no LaTeX or plain formula): its options' math and
    # arithmetic words are the candidates' (version 80)
    recall = stem is not None and _recalls_ref(stem)
    if recall:
        below_all = dict(zip(LEXICON_NAMES, lexicon_counts_reference(words_of(s[len(stem):].lower()))))
        for name in ("math", "arith"):
            lex[name] = max(lex[name] - below_all[name], 0)
            feats[19 + list(LEXICON_NAMES).index(name)] = log(lex[name])
        feats[19 + len(LEXICON_NAMES)] = min(lex["math"] / nw, 1.0)  # the math density
        # its options' numbers too, when each option holding a digit is a number and the stem has no word of a
        # computation: candidates, no quantities; nor is its "how many" an arithmetic cue (version 89)
        if _number_candidates_ref(s[len(stem):], stem):
            stem_nu = _RE_NUM_UNIT.findall(stem) if re.search("[0-9]", stem) else []
            numbers, units = min(numbers, len(stem_nu)), min(units, len(stem_nu) - stem_nu.count(""))
            feats[11], feats[12] = log(numbers), min(numbers / (nw + DENSITY_PRIOR_WORDS), 2.0)
            lex["arith"] = 0
            feats[19 + list(LEXICON_NAMES).index("arith")] = 0.0
        data = n > 600 and latex == 0 and (
            lex["math"] == 0 or (feats[18] >= math.log1p(2) and 50 * (lex["math"] + (lex["arith"] if asks else 0)) < nw))
    # plain-text formulas ("x^2", "sqrt(", "0 < x", "{1,2,3}", "p -> q") in a text of at most 300 characters with no code cue
    # nor LaTeX (version 80)
    plain, plain_logic = _plain_notation_ref(s) if len(s) <= 300 and lex["code"] == 0 and latex == 0 and "```" not in full else (0, 0)
    d_math = min(1.0, 8.0 * (lex["math"] + 0.6 * lex["arith"] + (0.0 if data else 0.5) * numbers) / nw + 0.5 * (latex + log(plain)))
    chain = cues["relation"] if cues["relation"] >= 2 else 0  # "A is older than B, B older than C"
    notation = sum(s.count(c) for c in "\u2200\u2203\u00ac\u2227\u2228\u2283\u2261\u2194\u22a2\u22a8")  # logic (version 40)
    d_reason = min(1.0, 8.0 * (cues["logic"] + cues["reason"] + cues["stem"] + chain + notation + plain_logic + tasks + puzzle) / nw)
    d_code_domain = d_code  # (version 80's "a quiz's code words set no domain" undone in 82)
    d_write = min(1.0, 8.0 * (cues["writing"] + cues["roleplay"]) / nw)
    ln = feats[0]
    mcq = feats[18]
    quant = min(1.0, (numbers + lex["math"] + lex["stem"] + units) / 4.0)
    hist = conv.history
    if hist:
        ht = hist[-_HIST_TAIL:]
        h_code = log(ht.count("```") + ht.count("def ") + ht.count("{") + ht.count(";"))
        h_math = log(ht.count("$") + ht.count("=") + ht.count("\\"))
        follow = log(len(hist)) / (1.0 + ln / 5.0)
    else:
        h_code = h_math = follow = 0.0
    feats += [
        d_math, d_code, d_reason, d_write,
        ln * d_math, ln * d_code, ln * d_reason, ln * d_write,
        feats[11] * d_math, feats[15] * d_math,
        log(units),
        (mcq + log(lex["quiz"])) * quant,
        h_code, h_math, follow,
        min(1.0, 2.0 * (max(d_math, d_code_domain, d_reason) - d_write)) if max(d_math, d_code_domain, d_reason) > d_write else 0.0,
    ]
    # an arithmetic word problem of at most 600 characters: a closed problem whatever its cue
    # density, and log(1 + quantities) above log(4), quantities being the numbers given in digits
    # or in words (version 10); its length counts from the first paragraph with a number (version
    # 10); one option-like line ("A: Let's think step by step.") is not a multiple-choice question
    quantities = numbers + sum(1 for w in wl if w in NUMBER_WORDS)
    table = [line for line in s.split("\n") if _table_row(line)]  # a table's figures are no steps (version 39)
    if len(table) >= 3:
        quantities -= len(_RE_NUM_UNIT.findall("\n".join(table)))
    # material an instruction to extract, list, classify or reformat points at, with arithmetic cues and numbers and
    # no math word nor notation, is no word problem and no closed problem (version 44)
    material = (numbers > 0 and latex == 0 and lex["math"] == 0 and mcq < math.log1p(2)  # any arithmetic cue (version 56)
                and not writes_code and d_code < 0.2  # no code (version 56)
                and (_instructs_over_material(full) or _looks_up_a_record(full)))  # a record's field (version 60)
    # a RAG prompt's word problem is its question's and instruction's, outside the documents (version 75)
    start, end = _context_span(full, bool(feats[6] or feats[7])) if mcq < math.log1p(2) else (0, 0)
    asked = full[:start] + full[end:]
    if end:  # the documents' figures count too only when the question gives two or more of its own, in 600 characters
        own = _own_quantities(asked)
        if own < 2 or _problem_chars(full) > 600:
            quantities = own
    # a calculation (two or more quantities, not its own only) over documents in the system prompt: their figures too,
    # in its first 600 characters, when a context word in its first 300 is pointed at (version 78)
    if (quantities >= 2 and not (end and (own < 2 or _problem_chars(full) > 600)) and len(conv.system) >= 200
            and _pointed_name_at(conv.system[:300], False) >= 0):  # a document word pointed at (version 79)
        quantities += _own_quantities(conv.system[:600])
    word_problem = ((lex["arith"] > 0 or _sets_a_trap(s)) and quantities >= 2 and _problem_chars(asked) <= 600 and latex == 0
                    and mcq < math.log1p(2) and feats[6] == 0 and d_code < 0.2 and d_write < 0.2 and not material
                    and _asks_for_an_answer(asked) and sql is None)  # a query over a schema is no word problem (88)
    if word_problem or sql:  # a question over a schema: a closed problem in the code domain (88)
        feats[-1] = 1.0
    # an application task (tools and a plan, relative dates to convert, two clauses weighed, rules applied to cases) is
    # a closed problem: the gate at least APPLIED_GATE, and not undone as material (version 90); the dates of a request
    # to write are none to convert (version 94)
    applied = _applied_task_ref(full, conv.system, d_write >= 0.2)
    if applied and not word_problem:
        feats[-1] = max(feats[-1], APPLIED_GATE)
    # the length prior reads the statement: code in fences or on indented lines does not count (version 26)
    code = _code_chars(s) if feats[6] or feats[7] else 0
    code += len(_test_lines(s)) + tpl_chars  # nor do the tests given with a request for a program (36), the templates (59)
    # a multiple-choice question's quoted passages of 200+ characters (in its first 20,000) are no
    # part of its statement either (version 28)
    quoted = 0
    if mcq >= math.log1p(2):
        quoted = sum(len(m.group(0)) for m in re.finditer(r'["\u201c][^"\u201c\u201d]{200,}["\u201d]', full[:20_000])
                     if m.group(0)[:-1].rstrip()[-1:] not in ("?", ":")  # a quoted question is no passage,
                     and not re.search(r"\n[ \t]*\(?[A-Ea-e][).:][ \t]", m.group(0)))  # nor quoted options
    # nor, outside a quiz, the documents a question is asked over (version 33)
    retrieved = _retrieved_chars(full, bool(feats[6] or feats[7])) if mcq < math.log1p(2) else 0
    quoted = quoted or retrieved
    statement = math.log1p(max(n * (1.0 - code / max(len(s), 1)) - quoted, 0)) if code or quoted else ln
    if word_problem and not (code or quoted):  # a word problem's length counts from its first paragraph with a number (version 38)
        statement = math.log1p(n - (len(full) - _problem_chars(full, whole=False)))
    # a request for a program (not opened as a question) counts 245 characters more (version 29),
    # (after "Now" / "Then" the next word decides, version 37)
    # (after a greeting: "Whats up, implement …", version 62)
    qw = _after_greeting(_after_lead_ref(wl))  # past a heading, a label or an emoji first: "## Question", "🤔" (109)
    # a topic named before the question: "python: how …", "In Python, how …" (98); "please" before it (114)
    qw = _opener_ref(qw)
    # (version 58) … unless it is a polite request: "Can you (please) write …", not "Can you explain …" (version 30)
    question = _asks_ref(qw)
    # a context clause ("I'm writing a Flask app.") before a question (version 64); a frame of wondering (114)
    if not qw or re.sub(":$", "", qw[0]) not in _QUESTION_WORDS:
        question = _wonders_ref(qw) or _context_question_ref(qw, s)
    # … and no question asks for the code later: "… ? Write it.", ", and can you write the full implementation" (68)
    question = question and not _asks_for_code_later_ref(s)
    # and so does a request for a proof in its first 60 words, in a domain above writing (version 30)
    proof = re.search(r"(?:^| )(?:(?:prove|proofs?|beweisen?|demuestr[ae]|demostrar|demonstr(?:e|ar)|démontre[rz]?|prouve[rz]?|"
                      r"dimostra(?:re)?|bewijs|bewijzen|udowodnij|udowodnić|докажи(?:те)?|доказать|доведи|доведіть|довести|"
                      r"kanıtla(?:yın)?|buktikan|सिद्ध|[أا]ثبت)"
                      r"(?! of concept(?: |$))|(?:show|demonstrate) that)(?: |$)|证明|証明|증명|chứng minh", " ".join(wl[:60]))
    domain = max(d_math, d_code_domain, d_reason)
    # a request to write code is a request for a program whatever its topic, unless written in LaTeX (version 36)
    program = (written_code > 0 and latex == 0) or sql is not None or d_code > max(d_math, d_reason)  # (88)
    # "implement a function …" too; and the numbers of a bound or a modulus are no math beside a program (version 51)
    program = program or (_builds_code(wl) and latex == 0) or (not data and d_reason < d_code <= d_math and d_code > 8.0 * (
        lex["math"] + 0.6 * lex["arith"] + 0.5 * numbers) / nw + 0.5 * (latex + log(plain)) - 4.0 * _bound_numbers(wl) / nw)
    # a tool's name as the one code cue, no code syntax: a program only with a write / build object or a verb of work on
    # code (version 64)
    if (tool and cues_before_move == 1 and not writes_code and feats[8] == 0
            and not set(wl) & TOOL_WORK_VERBS
            # nor "Use <tool> to …" opening the words (version 68)
            and not re.match(rf"(?:use|using)(?: \S+){{1,{USE_TO_GAP}}} to(?: |$)", " ".join(wl[:USE_TO_GAP + 2]))):
        program = False
    if (stem is not None and (feats[8] == 0 or _reads_code_ref(stem)) and code == 0 and not writes_code
            and not (wl and wl[0] in CODE_WORK_OPENERS)):
        program = False  # a quiz's code words alone (80), unless it opens by asking for work on code (84); a one-line
        # stem asking what its inline code evaluates to, prints, returns: code reading (89)
    asks = program or (proof is not None and domain > d_write)
    # a short question about one everyday error line: no request for a program, no closed problem (version 58)
    error_line = program and _error_line(full, wl)
    if asks and not word_problem and not retrieved and not error_line:
        if sql:  # its question's characters and its cues' (88)
            statement = math.log1p(sql[1] * n / ns + sql[2])
        elif not question and nw >= 4:  # a fragment of fewer than four words is no request (version 41)
            # its cues' work (version 45), a program's only (version 49)
            statement = math.log(math.exp(statement) + 245 + (_request_work_chars(wl, s) if program else 0))
    # else a quiz whose stem gives a computation (LaTeX, or three or more quantities with algebra): 100 characters more
    # (version 40)
    # or outside a quiz a formula (plain or LaTeX): 50 characters per hardness cue, at most 4 (versions 80, 82, 92)
    elif (max(d_math, d_reason) >= 0.5 and not (code or quoted) and stem is None and plain + plain_logic + latex > 0
          and _ref_hardness(s) > 0 and not (word_problem or retrieved or program) and d_write < 0.2):
        statement = math.log(math.exp(statement) + 50 * min(_ref_hardness(s), 4))
    elif (
            stem is not None and max(d_math, d_reason) >= 0.5 and not (code or quoted)
          and (_computes_plainly_ref(stem) or sum(1 for c in re.findall(r"\\([a-zA-Z]+)", stem) if c in LATEX_COMMANDS) + (stem.count("$") - _currency(stem)) // 2
               + _unicode_math_ref(stem) > 0
               or ((len(_RE_NUM_UNIT.findall(stem)) if re.search("[0-9]", stem) else 0)
                   - len(re.findall(r"\b(?:1[0-9]|20)[0-9][0-9]s?\b", stem)) >= 3  # years are none
                   and (re.search(r"[0-9][a-rt-z]\b|\b[a-z]\s*[\^=]|\^|[A-Za-z]_\{?[0-9]", stem) is not None
                        or dict(zip(LEXICON_NAMES, lexicon_counts_reference(words_of(stem.lower()))))["math"] > 0)))):
        statement = math.log(math.exp(statement) + 100)
    if tasks and not (word_problem or retrieved or program):  # a letter task: 60 characters more (version 57)
        statement = math.log(math.exp(statement) + 60)
    feats[-1] *= max(statement - LENGTH_ANCHOR, 0.0)
    if error_line or _works_on_text(full) or (not applied and material):  # a long text to translate, rewrite or summarize is material (32, 94)
        feats[-1] = 0.0
    if mcq >= math.log1p(2):  # a multiple-choice question: length above e^5 characters counts too
        feats[-1] = max(feats[-1], math.log1p(max(n - quoted, 0)) - 5.0 - (0.5 if recall and d_reason == 0 else 0.0))
    # a judge frame is a closed problem only when its question is one alone, or its unlabelled material is a word
    # problem or holds LaTeX, a math word or code (version 63)
    # a puzzle's text (two or more logic cues, a relation chain) keeps it whatever its frame; the question is read in
    # its first and last 60 characters when longer than 120 (version 69)
    judged = _judged_question(full)
    if judged is not None and len(judged) > 120:  # its first and last 60 characters
        judged = judged[:60] + "\n" + judged[len(judged) - 60:]
    if feats[-1] and judged is not None and not (cues["logic"] >= 2 or chain > 0):
        if judged:
            keep = handcrafted(replace(conv, last_user=judged))[FEATURE_NAMES.index("length in a closed problem")] > 0
        else:
            keep = word_problem or latex > 0 or lex["math"] > 0 or writes_code or d_code >= 0.2
        if not keep:
            feats[-1] = 0.0
    feats.append(max(math.log1p(quantities) - math.log1p(3), 0.0) if word_problem else 0.0)
    feats.append(_relation_kinds(s) if word_problem else 0.0)  # relations between the unknowns: a prior (version 87)
    # a quiz's uncommon words beyond the first, in its stem, outside the code domain: a prior (version 101)
    feats.append(math.log1p(max(_ref_rare_words(stem) - RARE_ANCHOR, 0)) if stem is not None and d_code < RARE_CODE_MAX else 0.0)
    return feats


def _ref_rare_words(stem: str) -> int:
    """The distinct words of ``MIN_CHARS``+ ASCII letters (a hyphenated or possessive word's parts) that the common-word
    list lacks, in the last ``STEM_CHARS`` characters of the stem's last line (less their first word if cut; the line
    before a label of at most ``LABEL_WORDS`` words ending in ":"), at most ``MAX_RARE``; none without an English word
    (version 101)."""
    lines = stem.rstrip().split("\n")
    line = lines[-1]
    if len(lines) > 1 and line.endswith(":") and len(line.split()) <= LABEL_WORDS:
        line = lines[-2]
    words = words_of(line.lower()) if len(line) <= STEM_CHARS else words_of(line[len(line) - STEM_CHARS:].lower())[1:]
    if not set(words) & ENGLISH_WORDS:
        return 0
    rare = set()
    for w in words:
        if w.isascii():
            rare.update(p for p in re.split("[-']", w) if re.fullmatch(f"[A-Za-z]{{{MIN_CHARS},}}", p) and p not in _REF_COMMON_WORDS)
    return min(len(rare), MAX_RARE)


def answer_shape(conv: Conversation) -> list[float]:
    """Answer-shape cues of the last user turn (order = ``SHAPE_NAMES``)."""
    full = conv.last_user
    head = full[:GRAM_CHARS].lower()
    out = [0.0] * N_SHAPE
    list_n = words_n = 0.0
    for gi, num in _finditer(head.lstrip()):
        out[gi] = 1.0
        if gi == 0:
            list_n = max(list_n, _num(num))
        elif gi == 1:
            words_n = max(words_n, _num(num))
    n = len(full)
    # the instruction is usually the first line / sentence; the rest is input text to work on
    cut = min((i for i in (full.find("\n"), full.find(": "), full.find(". ")) if i >= 0), default=n)
    rest = math.log1p(max(n - cut - 1, 0))
    k = len(SHAPE_GROUPS)
    out[k] = math.log1p(min(list_n, 1000.0))
    out[k + 1] = math.log1p(min(words_n, 10000.0))
    out[k + 2] = out[_GROUP_INDEX["rewrite"]] * math.log1p(n)
    out[k + 3] = out[_GROUP_INDEX["summary"]] * math.log1p(n)
    out[k + 4] = rest
    out[k + 5] = 1.0 if full.rstrip()[-1:] == "?" else 0.0
    out[k + 6] = 1.0 if (":" in head or "\n" in head) else 0.0
    return out


def grams(conv: Conversation) -> list[str]:
    """Distinct word unigrams and bigrams of the head (``GRAM_CHARS``) of the last user turn,
    plus a few system-prompt words (``sys:``-prefixed)."""
    w = words_of(conv.last_user[:GRAM_CHARS].lower())
    out = set(w)
    out.update(a + " " + b for a, b in itertools.pairwise(w))
    if conv.system:
        out.update("sys:" + t for t in words_of(conv.system[:GRAM_CHARS].lower()))
    return sorted(out)


def _problem_chars(text: str, whole: bool = True) -> int:
    """Length after the last blank line before the first digit, for texts of 601 (any length unless ``whole``) to
    2,000 characters; the whole length otherwise."""
    if len(text) > 2000 or (whole and len(text) <= 600):
        return len(text)
    first = next((i for i, c in enumerate(text) if c.isdecimal()), None)
    if first is None:
        return len(text)
    for i in range(first - 2, -1, -1):
        if text[i:i + 2] == "\n\n":
            return len(text) - i - 2
    return len(text)


_ECHO_LEADS = r"(?:(?:please|can you|could you|now|then|por favor|s'il vous plaît|bitte|per favore|пожалуйста)[ \t\n\r\f\v]*,?[ \t\n\r\f\v]*)?"


def _asks_back(low: str) -> bool:
    """An echo verb that is a word of ``low`` (alone or with a colon) and, somewhere, starts a sentence
    or line after at most one lead, not inside a longer alphanumeric run."""
    words = set(words_of(low))
    for verb in ECHO_VERBS:
        if (verb in words or verb + ":" in words) and re.search(
                r"(?:^[ \t\n\r\f\v]*|[.!?:][ \t\n\r\f\v]*|\n[ \t\n\r\f\v]*)" + _ECHO_LEADS + r"(?<![^\W_])" + re.escape(verb) + r"(?![^\W_])", low):
            return True
    return False


def _works_on_text(text: str) -> bool:
    """800+ characters whose first or last 300 ask, at a sentence or line start, for the text back
    changed, hold a dense-script phrase that does, or name a summary as a word (version 32)."""
    if len(text) < 800:
        return False
    for part in (text[:300], text[-300:]):
        low = part.lower()
        if _asks_back(low) or (not part.isascii() and any(p in part for p in DENSE_ECHO_PHRASES)):
            return True
        if any(w.rstrip(":") in SUMMARY_WORDS and w.count(":") <= 1 and not w.startswith(":") for w in words_of(low)):
            return True
    return False


_MATERIAL_VERBS = set(ECHO_VERBS) | {"extract", "list", "classify", "categorize", "categorise", "identify", "tag", "label",
                                      "annotate", "group", "sort", "tabulate", "organize", "organise", "parse", "pull",
                                      "summarize", "summarise", "format"}
_MATERIAL_POINTERS = {"this", "these", "following", "below"}


_QUESTION_WORDS = {"how", "what", "why", "when", "which", "where", "who", "is", "are", "can", "could", "does", "do",
                   "should", "would", "will", "explain", "tell", "now", "what's", "whats", "how's", "why's", "when's",
                   "where's", "who's"}


def _after_lead_ref(wl: list[str]) -> list[str]:
    """Version 109: the words past at most MAX_LEAD_WORDS opening ones that hold no letter or digit ("##", "**", an
    emoji) or are a label of LEAD_LABELS with or without its colons ("question", "Q:")."""
    k = 0
    while k < min(MAX_LEAD_WORDS, len(wl)) and (re.fullmatch(r"[\W_]+|(?:" + "|".join(LEAD_LABELS) + r"):*", wl[k])):
        k += 1
    return wl[k:]


def _topic_end_ref(words: list[str]) -> int:
    """Version 98: a label ending in ":" among the first three words, naming a language or a tool's name in its words
    (version 99), with a question word after it, or "in" / "using" / "with", a language or a tool's name and a question
    word: the words after it open the question. Version 100: "for" too, an ambiguous language's name after the lead,
    "my" / "our" / "a" / "the" before the name and a noun of code after it ("In my Python code, how …")."""
    names = IN_LANGUAGES | TOOL_NAMES | TOOL_AFTER_WORDS.keys() | EVERYDAY_TOOL_NAMES.keys()
    for k, w in enumerate(words[:3]):
        if w.endswith(":"):
            named = any(re.sub(":+$", "", n) in names for n in words[:k + 1])
            return k + 1 if named and words[k + 1 : k + 2] and words[k + 1] in _QUESTION_WORDS else 0
    m = re.match(r"(?:in|using|with|for) (?:(?:my|our|a|the) )?(\S+) (?:(?:code|codebase|project|app|script|program|notebook) )?(\S+)",
                 " ".join(words[:5]))
    if m is None or not (m.group(1) in names or m.group(1) in AMBIGUOUS_LANGUAGES) or m.group(2) not in _QUESTION_WORDS:
        return 0
    return len(m.group(0)[:m.start(2)].split())


def _context_question_ref(wl: list[str], s: str) -> bool:
    """Version 64: "i'm" / "im" / "i m" / "i am" / "we're" / "we are" / "i've been" and a verb of CONTEXT_VERBS open
    the words; the first run of . ! ? and white space in the first CONTEXT_CHARS characters ends that sentence; the
    first words of the next 40 characters open a question (after now / then; not a polite request)."""
    if not re.match(r"(?:i'm|im|i m|i am|we're|we are|i've been) (?:" + _alternatives(CONTEXT_VERBS) + r")(?: |$)",
                    " ".join(wl[:4])):
        return False
    m = re.search(r"[.!?]+\s+", s[:CONTEXT_CHARS])
    if m is None:
        return False
    # version 68: the question ends within CONTEXT_QUESTION_CHARS characters (a stop and a space, or the text's end)
    rest = s[m.end():]
    if not re.search(r"[.!?]\s", rest[:CONTEXT_QUESTION_CHARS + 1]) and rest[CONTEXT_QUESTION_CHARS:].strip():
        return False
    nxt = _opener_ref(_after_greeting(_after_lead_ref(words_of(rest[:40].lower())[:4])))
    return _wonders_ref(nxt) if not nxt or re.sub(":$", "", nxt[0]) not in _QUESTION_WORDS else _asks_ref(nxt)


def _instructs_over_material(text: str) -> bool:
    """Version 44 (see _material_instruction_ref)."""
    return _material_instruction_ref(text) is not None


def _material_instruction_ref(text: str) -> str | None:
    """Version 64: the instruction (head[:cut], its case kept) when the text instructs over material, else None. Version 44: in the first 200 characters an instruction ends at the first colon, line break or opening quote (a
    quote mark first or after a space), with 20+ characters after it; it names "this", "these", "following" or
    "below", or two or more non-blank lines follow it (after a line break); and a verb of _MATERIAL_VERBS opens it,
    after at most one lead ("please", "can you" …), or opens the clause after a first comma when the phrase before
    ("From the following article", "Given these notes") opens with from / given / in / for / using / based and names
    one of the pointers. Version 56: or _asks_for_the_text_ref."""
    head = text[:200]
    # (a colon between two digits is a time's: review_s40_diff M5)
    ends = [m.start() for m in re.finditer(r"(?<!\d):|:(?!\d)|\n|(?:^|(?<=\s))['\"\u2018\u201c\u00ab]", head)]
    if not ends:
        return None
    cut = ends[0]
    if len(text) - cut - 1 < 20:
        return None
    rest = text[cut + 1:]
    lines = [line for line in rest.split("\n") if line.strip()]
    itemized = "\n" in text[cut:] and len(lines) >= 2
    instruction = head[:cut].lower()
    if WORKS_OUT & set(words_of(instruction)) and _unlisted_works_out_ref(instruction, WORKS_OUT, rest):  # v56, 60, 67
        return None
    pointed = bool(_MATERIAL_POINTERS & set(words_of(instruction))) or itemized
    found = (pointed and _verb_opens_ref(instruction)) or _asks_for_the_text_ref(instruction, pointed)
    return head[:cut] if found else None


_LEAD_RE = (r"[ \t\r\n\"'*#>-]*(?:(?:please|can you|could you|now|then|por favor|s'il vous plaît|bitte|per favore|"
            r"пожалуйста)[ ,][ ,]*)?\s*(\S+)")


def _verb_opens_ref(instruction: str) -> bool:
    """Version 44's verb: a verb of _MATERIAL_VERBS first after a lead, or after an opening phrase with a pointer."""
    m = re.match(_LEAD_RE, instruction)
    if m is None:
        return False
    if m.group(1).strip(",") in _MATERIAL_VERBS:
        return True
    after = instruction[m.end(1):]
    if m.group(1) in ("from", "given", "in", "for", "using", "based") and "," in after:
        opening, clause = instruction[:m.end(1)] + after.split(",", 1)[0], after.split(",", 1)[1].split()
        return bool(clause) and clause[0] in _MATERIAL_VERBS and bool(_MATERIAL_POINTERS & set(words_of(opening)))
    return False


def _asks_for_the_text_ref(instruction: str, pointed: bool) -> bool:
    """Version 56 (no word of WORKS_OUT in the instruction, checked before): an echo verb (not convert / reformat), a summary
    verb or "tl;dr" / "tldr" first (after a lead), or "fix" / "correct" first with a word of LANGUAGE_OBJECTS; or a
    verb of _MATERIAL_VERBS first with a word of SHAPES in the three words after "into" or "as"; or, pointed or with
    "here" / "here's", a word of MAKES_OF_MATERIAL, two adjacent words of MAKES_PAIRS, such a shape, or a verb
    of version 44 opening the part after its last ". "."""
    words = words_of(instruction)
    m = re.match(_LEAD_RE, instruction)
    first = m.group(1).strip(",") if m else ""
    if first in (set(ECHO_VERBS) - {"convert", "reformat"}) | {"summarize", "summarise", "tl;dr", "tldr"} and (
            first not in OBJECT_VERBS or _names_a_text_ref(words, first)):
        return True
    if first in ("fix", "correct") and LANGUAGE_OBJECTS & set(words):
        return True
    shaped = any(w in ("into", "as") and SHAPES & set(words[i + 1:i + 4]) for i, w in enumerate(words))
    if shaped and first in _MATERIAL_VERBS:
        return True
    if not (pointed or "here" in words or "here's" in words):
        return False
    if shaped or MAKES_OF_MATERIAL & set(words) or any(tuple(words[i:i + 2]) in MAKES_PAIRS for i in range(len(words) - 1)):
        return True
    return ". " in instruction and _verb_opens_ref(instruction.split(". ")[-1])


def _names_a_text_ref(words: list[str], verb: str) -> bool:
    """Review_s40_diff M5: what a verb that also changes plans works on is no object, a manner or a text."""
    after = words[words.index(verb) + 1:] if verb in words else []
    if after == []:
        return verb != "edit"
    return after[0] in MANNER_WORDS or bool((TEXT_OBJECTS | WRITTEN_TEXTS) & set(after))


def _own_quantities(text: str) -> int:
    """The quantities a RAG prompt's question gives (version 75): numbers less a table's, and number words."""
    own = (len(_RE_NUM_UNIT.findall(text)) if re.search("[0-9]", text) else 0) + sum(
        1 for w in words_of(text.lower()) if w in NUMBER_WORDS)
    table = [line for line in text.split("\n") if _table_row(line)]
    if len(table) >= 3:
        own -= len(_RE_NUM_UNIT.findall("\n".join(table)))
    return own


def _retrieved_chars(text: str, code: bool = False) -> int:
    """400+ characters; the last "Question:" / "Query:" / "Q:" label at a line start (or a <question> tag)
    in the last 4,000; a word naming a context in the first 300 (and before that label): the characters
    from that word's line to the label, if 200 or more (version 33). Version 78: with no label, a short last
    paragraph ending in "?" over documents the head points at; 200-399 characters with a document word."""
    start, end = _context_span(text, code)
    return end - start


def _pointed_name_at(head: str, context: bool) -> int:
    """Version 79: the start of the line of the first name of the documents pointed at in ``head``, or -1. A name is a
    word (documents / passages / excerpts / sources, their singulars but "source", "context(s)" too when ``context``)
    with no hyphen or word character after it; pointed at: after "following" / "these" / "provided" / "retrieved" /
    "given" and spaces, before spaces and "below" / "above", or after nothing but spaces, "#", "<", "[" on its line."""
    names = {"document", "documents", "passage", "passages", "excerpt", "excerpts", "sources"}
    names |= {"context", "contexts"} if context else set()
    for m in re.finditer(r"\w+", head):
        w, a, b = m.group().lower(), m.start(), m.end()
        if w not in names or head[b:b + 1] == "-":
            continue
        line = head.rfind("\n", 0, a) + 1
        if all(c in " \t#<[" for c in head[line:a]):
            return line
        if re.search(r"(?i)(?<!\w)(?:following|these|provided|retrieved|given)[ \t]+$", head[line:a]) or re.match(
                r"(?i)[ \t]+(?:below|above)(?!\w)", head[b:]):
            return line
        if w in {"document", "documents", "passage", "passages", "excerpt", "excerpts"} and (  # version 91
                re.match(r"(?i)[ \t]+(?:(?:i|we|you)(?:'ve|[ \t]+have)?[ \t]+)?(?:pasted|attached|included|copied|shared|quoted)"
                         r"[ \t]+(?:below|above|here)(?!\w)", head[b:])
                or re.search(r"(?i)(?<!\w)(?:below|here)[ \t]+(?:are|is)[ \t]+"
                             r"(?:(?:the|some|two|three|four|five|six|several|[0-9]+)[ \t]+)?$", head[line:a])):
            return line
    return -1


def _context_span(text: str, code: bool = False) -> tuple[int, int]:
    """``_retrieved_chars``'s context: (its line's start, the label's start), or (0, 0); version 91: with none, in a text
    of 400+ characters with no code pasted, the documents after a question opening it (``_question_first_ref``)."""
    span = _documents_first_ref(text, code)
    if span == (0, 0) and not code and len(text) >= 400:
        return _question_first_ref(text)
    return span


def _documents_first_ref(text: str, code: bool) -> tuple[int, int]:
    """Documents before their question."""
    if len(text) < 200:
        return 0, 0
    short = len(text) < 400
    labels = [m.start() for m in re.finditer(r"(?im)^[ \t]*(?:#+[ \t]*)?(?:(?:user )?question|query|q)[ \t]*:|<(?:question|query)>", text)
              if m.start() >= len(text) - 4000]
    head = text[:300].lower()
    first_line = head.split("\n", 1)[0] if not head.startswith("\n") else head
    if (short or not labels) and re.search(r"(?:^|[.!?:] +|\band +)(?:please +)?(?:solve|calculate|compute|prove|derive|work out|figure out)\b",
                                           first_line):
        return 0, 0  # a problem to work out, not documents (version 79; its first line's imperative: 82)
    if labels:
        end = labels[-1]
    elif code:  # pasted code: its question is about the code (version 78)
        return 0, 0
    else:  # the last paragraph, after a blank line or a closing tag's line, of at most 300 characters, asks (version 78)
        window = text[-340:].rstrip()
        window = re.sub(r"\n[ \t]*(?:helpful )?answer[ \t]*:[ \t]*$", "", window, flags=re.IGNORECASE).rstrip()
        if not window or window[-1] not in "?\uff1f\u061f":
            return 0, 0
        breaks = [m.end() for m in re.finditer(r"(?=(\n\n|>\n))", window)]
        if not breaks:
            return 0, 0
        question = max(i for i in range(len(window)) if window[i:i + 2] in ("\n\n", ">\n")) + 2
        if len(window) - question > 300:
            return 0, 0
        end = len(text) - len(text[-340:]) + question
    lines = []  # the starts of the lines naming the context
    if short or not labels:  # version 79: the name pointed at, side by side (a document word in a short text)
        named_at = _pointed_name_at(text[:min(300, end)], not short)
        if named_at >= 0:
            lines.append(named_at)
    else:
        named = re.search(r"\b(?:contexts?|documents?|passages?|excerpts?|sources|retrieved)(?![\w-])", text[:min(300, end)], re.IGNORECASE)
        if named:
            lines.append(text.rfind("\n", 0, named.start()) + 1)
    # version 91: a first marker "[1]", "[doc1]", "[document 1]", "source 1:", "doc 1:" opening a line, and a second one
    # ("2") opening a later line within 6,000 characters after it, before the question
    first = re.search(r"(?im)^[ \t]*(?:\[(?:(?:doc|document)[ \t]*)?1\]|(?:source|doc)[ \t]*1[ \t]*:)", text[:min(300, end)])
    if first:
        window = text[:min(end, first.end() + 6000)]
        seconds = [m.start() for m in re.finditer(
            r"(?im)^[ \t]*(?:\[(?:(?:doc|document)[ \t]*)?2\]|(?:source|doc)[ \t]*2[ \t]*:)", window) if m.start() >= first.end()]
        block = text[first.end():seconds[0]].strip() if seconds else ""
        words = block[:12].split()
        exercise = block[-1:] in ("?", "\uff1f", "\u061f") or bool(words) and words[0].lower().strip(".:,") in (
            "find", "solve", "prove", "compute", "calculate", "what", "how", "show", "evaluate", "simplify", "determine", "write")
        if seconds and not exercise:  # a numbered exercise is no document (version 93)
            lines.append(first.start())
    if not lines:
        return 0, 0
    line_start = min(lines)
    if line_start and re.search(r"(?i)(?<!\w)(?:following|below)(?!\w)", text[:line_start]):
        line_start = 0  # an instruction pointing forward before the context's line is the template's (version 91)
    return (line_start, end) if end - line_start >= (120 if short else 200) else (0, 0)


def _question_first_ref(text: str) -> tuple[int, int]:
    """Version 91: a question before its documents. The first paragraph (a blank line ending it by character 400) asks (a
    question mark, or "answer:" / "question:" and a non-space), has no imperative to solve in its first line, and names the
    documents: a context word pointed at (``_pointed_name_at``), "using / use / based (only) on / according to / from /
    given (only) the / these / this / our / my" and at most two words before a contract, policy … word right before
    "below" / "provided" / "attached", or a context label opening the next paragraph (in 60 characters); 200+ follow."""
    cut = text.find("\n\n")
    if cut < 0 or cut + 2 > 400 or len(text) - cut < 200:
        return 0, 0
    first = text[:cut]
    if not (set(first) & {"?", "\uff1f", "\u061f"}) and not re.search(r"(?i)(?<!\w)(?:answer|question)[ \t]*:[ \t]*\S", first):
        return 0, 0
    low = first.lower()
    line = low.split("\n", 1)[0] if not low.startswith("\n") else low
    if re.search(r"(?:^|[.!?:] +|\band +)(?:please +)?(?:solve|calculate|compute|prove|derive|work out|figure out)\b", line):
        return 0, 0
    names = r"(?:contracts?|polic(?:y|ies)|agreements?|terms|handbook|manual|faq|guidelines|clauses)"
    answer_from = any(re.search(
        r"(?i)(?<!\w)(?:using|use|based[ \t]+(?:only[ \t]+)?on|according[ \t]+to|from|given)[ \t]+(?:only[ \t]+)?(?:the|these|this|our|my)"
        r"[ \t]+(?:[\w'-]+[ \t]+){0,2}" + names + r"[ \t]+$", first[:m.start()])
        for m in re.finditer(r"(?i)(?<!\w)(?:below|provided|attached)(?!\w)", first))
    label = re.match(r"(?i)[ \t#<\[]*(?:contexts?|documents?|passages?|excerpts?|sources)(?![\w-])", text[cut:cut + 60].lstrip("\n"))
    if _pointed_name_at(first, True) < 0 and not answer_from and not label:
        return 0, 0
    return cut, len(text)


#: Version 60's tokens: runs of ASCII lower-case letters, digits and ' # + -, and single punctuation marks.
_FIELD_TOKEN = r"[a-z0-9'#+-]+|[,&/{}\[\]().:;!?]"
_FIELD_STOPS = {"from", "in", "on", "into", "as", "of", "for", "to", "with", "using", "at", "per", "by", "then", "than", "if",
                "that", "which", "where", "when"}


def _unlisted_works_out_ref(instruction: str, works_out: frozenset[str], material: str) -> bool:
    """Version 60: some token of ``works_out`` is not a listed field noun. A token of FIELD_NOUNS is listed when it is
    inside {…} / […] (depth counted from the start, never below 0), or when the last extraction verb or key word
    before it (outside brackets) is followed up to it by no bracket, no clause mark (. : ; ! ? parentheses), no
    preposition (_FIELD_STOPS), and by noun phrases of at most MAX_ITEM_WORDS words joined by LIST_JOINS (the field
    noun counted); and the token after it is not of WORKED_AFTER, and no word of AGGREGATES comes in the next
    MAX_ITEM_WORDS tokens before a join, a clause mark, a closing bracket or a preposition other than "for". Version
    67: when that last head (outside brackets) is an extraction verb, the material prints the noun (_prints_field_ref)."""
    toks = re.findall(_FIELD_TOKEN, instruction)
    depth, depths = 0, []
    for t in toks:
        depths.append(depth)
        depth = depth + 1 if t in "{[" and len(t) == 1 else max(depth - 1, 0) if t in "}]" and len(t) == 1 else depth
    for i, t in enumerate(toks):
        if t not in works_out:
            continue
        if t in FIELD_NOUNS and _listed_ref(toks, depths, i) and (
                depths[i] > 0 or _last_head_ref(toks, depths, i) not in EXTRACTION_VERBS or _prints_field_ref(material, t)):
            after = toks[i + 1:i + 1 + MAX_ITEM_WORDS]
            if after[:1] and after[0] in WORKED_AFTER:
                return True
            for a in after:
                if a in AGGREGATES:
                    return True
                if a in LIST_JOINS or a in (".", ":", ";", "!", "?", "(", ")", "}", "]") or (a in _FIELD_STOPS and a != "for"):
                    break
            continue
        return True
    return False


def _prints_field_ref(material: str, noun: str) -> bool:
    """Version 67: in the material (whole when at most 2,000 characters, else its first 1,500 and last 500 joined by a
    line break), lower-cased, some line's text before its first decimal digit holds noun, "sub" + noun or "grand" + noun
    as a run of ASCII letters."""
    if len(material) > 2000:
        material = material[:1500] + "\n" + material[-500:]
    for line in material.lower().split("\n"):
        label = re.split(r"\d", line, maxsplit=1)[0]
        if {noun, "sub" + noun, "grand" + noun} & set(re.findall("[a-z]+", label)):
            return True
    return False


def _heads_ref(toks: list[str], depths: list[int], i: int) -> list[int]:
    """The positions before i, outside brackets, of extraction verbs and key words."""
    return [j for j in range(i) if depths[j] == 0 and (toks[j] in EXTRACTION_VERBS or toks[j] in KEY_WORDS)]


def _last_head_ref(toks: list[str], depths: list[int], i: int) -> str:
    """The last of _heads_ref's words ("" if none)."""
    heads = _heads_ref(toks, depths, i)
    return toks[heads[-1]] if heads else ""


def _listed_ref(toks: list[str], depths: list[int], i: int) -> bool:
    """Whether toks[i] sits in brackets or in the object list of the last verb / key word before it (see above)."""
    if depths[i] > 0:
        return True
    heads = _heads_ref(toks, depths, i)
    if not heads:
        return False
    between = toks[heads[-1] + 1:i]
    if any(t in "{}[].:;!?()" and len(t) == 1 for t in between) or any(t in _FIELD_STOPS for t in between):
        return False
    segment = 0
    for t in between + [toks[i]]:
        segment = 0 if t in LIST_JOINS else segment + 1
        if segment > MAX_ITEM_WORDS:
            return False
    return True


def _looks_up_a_record(text: str) -> bool:
    """Version 60: a text of at most RECORD_MAX_CHARS characters with RECORD_MIN_LINES or more line breaks; of its lines
    (the text stripped, split at line breaks) the first is the ask if it asks for a field (_asks_for_a_field_ref, on
    the stripped line, over the lines after it), and the RECORD_SCAN_LINES after it the record; else the last, and the
    RECORD_SCAN_LINES before it. The record's non-blank lines hold at least RECORD_MIN_LINES record lines, more than
    half of them. Version 67: unless the field is printed (kind 2), at most half of them hold two or more words opening
    with a figure."""
    if len(text) > RECORD_MAX_CHARS or len(re.findall("\n", text)) < RECORD_MIN_LINES:
        return False
    raw = re.split("\n", text.strip())
    if len(raw) < 2:
        return False
    kind = _asks_for_a_field_ref(raw[0].strip(), "\n".join(raw[1:]))
    if kind:
        record = raw[1:1 + RECORD_SCAN_LINES]
    else:
        kind = _asks_for_a_field_ref(raw[-1].strip(), "\n".join(raw[:-1]))
        if not kind:
            return False
        record = raw[max(len(raw) - 1 - RECORD_SCAN_LINES, 0):-1]
    kept = [x.strip() for x in record if x.strip()]
    n = len([x for x in kept if _record_line_ref(x)])
    if not (n >= RECORD_MIN_LINES and n > len(kept) / 2):
        return False
    tabled = [x for x in kept if len([w for w in x.split() if re.match(r"[-+]?[$€£¥]?\d", w)]) > 1]
    return kind == 2 or len(tabled) <= len(kept) / 2


def _record_line_ref(line: str) -> bool:
    """At most RECORD_LINE_MAX_WORDS words; the last an amount (an optional sign, currency / # / asterisks, a digit,
    digits and , . : / -, an optional % or unit of 1-5 letters, an optional ")"), or (no . ? ! last) a letter first
    and a word opening with a digit or a currency sign among the second to fourth."""
    words = line.split()
    if len(words) > RECORD_LINE_MAX_WORDS:
        return False
    if re.fullmatch(r"[-+(~@]?[$€£¥#*]*\d[\d,.:/-]*(?:%|[a-zA-Z]{1,5})?\)?", words[-1]):
        return True
    if line.endswith((".", "?", "!")) or not words[0][0].isalpha():
        return False
    return any(w[0].isdigit() or w[0] in "$€£¥" for w in words[1:4])


def _asks_for_a_field_ref(ask: str, material: str) -> int:
    """At most ASK_MAX_CHARS characters; no word of 6+ letters ending in "est" outside NOT_SUPERLATIVES (version 67); no
    word of QUANTITY_ASKS unless each is a listed field noun (printed in the material); a word of ASK_OPENERS among the
    first four, and a word of FIELD_WORDS from it to six words on ("number" not before "of"); the opener get / give /
    tell / show or some word of LOOKUP_WORDS (version 67). 2 when a field found is of PRINTED_FIELDS or a word of
    DOCUMENT_WORDS is in the ask, else 1; 0 when no field is asked."""
    if len(ask) > ASK_MAX_CHARS:
        return 0
    ask = ask.lower()
    for phrase, field in FIELD_PHRASES:  # a printed field's order or position words (review_s40_c M2)
        ask = ask.replace(phrase, field)
    words = words_of(ask)
    if [w for w in words if w.endswith("est") and len(w) > 5 and w not in NOT_SUPERLATIVES]:
        return 0
    if QUANTITY_ASKS & set(words) and _unlisted_works_out_ref(ask.lower(), QUANTITY_ASKS, material):
        return 0
    at = [i for i in range(min(4, len(words))) if words[i] in ASK_OPENERS]
    if not at:
        return 0
    o = at[0]
    if words[o] not in ("get", "give", "tell", "show") and not LOOKUP_WORDS & set(words):
        return 0
    found = {words[k] for k in range(o, min(o + 7, len(words)))
             if words[k] in FIELD_WORDS and not (words[k] == "number" and k + 1 < len(words) and words[k + 1] == "of")}
    if not found:
        return 0
    return 2 if found & PRINTED_FIELDS or DOCUMENT_WORDS & set(words) else 1


def _judge_sentence(part: str) -> bool:
    """A judging word addressing the model (or "scale of 1") in lower-cased sentence ``part`` (version 63; "compare"
    only with candidates: 68)."""
    if re.search(r"\bscale (of|from) (0|1|one|zero)\b|\brate (it|this|them)\b|\bwhich \w+ is better\b", part):
        return True
    compare = r"compare (the |both |these )?(two |2 )?(" + "|".join(COMPARE_OBJECTS) + r")"
    for m in re.finditer(r"\b(" + "|".join(JUDGE_WORDS) + "|" + compare + r")\b", part):
        if re.search(r"(\A|[.!?:;\n][ \t]*|\b(please|now|then|and|also) )(#+[ \t]*)?\Z", part[:m.start()]):
            return True
    for m in re.finditer(r"\b(rating|score|grade|grading|judge|evaluator|grader|rater)\b", part):
        if re.search(r"\b(you are|you're|act as|as|output|give|assign|provide|return) ((an?|the|your|one) )?(\w+ ){0,2}\Z",
                     part[:m.start()]):
            return True
    return False


def _has_scale(part: str) -> bool:
    return bool(re.search(r"\bscale (of|from) (0|1|one|zero)\b", part)
                or re.search(r"(?<!\w)[01] ?(\([^()\n]{1,20}\) ?)?(-|–|to) ?(3|4|5|6|7|9|10|100)(?!\w)(?![-–/^*])(?![.,:]\d)", part)
                or any(v in part for v in ("[[a]]", "[[b]]", "[[tie]]"))
                or re.search(r"\bwhich (response|answer|reply|completion|output|assistant) is better\b", part))


def _judge_frame(part: str) -> bool:
    """A scale with a judging word in its sentence or line, or a scale and a judge named anywhere in lower-cased
    ``part`` (version 69; version 63 read the two anywhere)."""
    if not _has_scale(part):
        return False
    if re.search(r"\b(you are|you're|act as|as) ((an?|the|one) )?(\w+ ){0,2}(judge|evaluator|grader|rater)\b"
                 r"|\b(you are|you're) (grading|rating|scoring|evaluating|judging)\b", part):
        return True
    sentences, start = [], 0
    for i, c in enumerate(part):
        if c == "\n":
            sentences.append(part[start:i])
            start = i + 1
        elif c in ".!?" and (i == 0 or part[i - 1] not in ".!?"):  # a run of stops before a space or the end
            j = i
            while j < len(part) and part[j] in ".!?":
                j += 1
            if j == len(part) or part[j].isspace():
                sentences.append(part[start:i])
                start = j
    sentences.append(part[start:])
    if any(_has_scale(x) and _judge_sentence(x.strip()) for x in sentences):
        return True
    # review_s40_c H3: the judging word opens the part, or an answer is labelled at a line start
    return _judge_sentence(sentences[0].strip()) or any(
        re.match(r"[ \t]*(#+[ \t]*)?(answer|response|output|reply|completion)( [ab12])?[ \t]*:", line)
        for line in part.split("\n"))


def _asks_for_code_later_ref(s: str) -> bool:
    """Version 68 (review_s40_c H1, M1): a later sentence (not after a list's number, "e.g.", "i.e."), line or ", and"
    clause opening with a write / build verb whose first three words past the fillers start with a pronoun or hold a
    code object and no text noun, not in a question unless polite; or "give (me) the complete code". Version 115: a
    bare "and" before a write / build verb opens a clause too (a question mark ends it)."""
    low = s[:ASK_CHARS].lower()
    for m in re.finditer(
            r"(?:(?<!\d)(?<!e\.g)(?<!i\.e)[.!?;]\s+|\n\s*|(?P<clause>,\s*and\s+|\band\s+(?=(?:can|could|would|will)\s))"
            r"|\band\s+(?=(?:write|rewrite|implement|build|create|develop)\s))"
            r"(?:then\s+|also\s+|now\s+)?(?:please\s+)?(?P<polite>(?:can|could|would|will)\s+you\s+(?:please\s+|also\s+)?)?"
            r"(?:(?P<verb>write|rewrite|implement|build|create|develop)\b(?!\s*:)|(?:give|show|provide|share|post)\s+"
            r"(?:me\s+|us\s+)?(?:the\s+|a\s+)?(?:complete|full|whole|entire|working|final)\s+(?:code|implementation|program|source)\b)",
            low):
        if not m.group("verb"):
            return True
        after = low[m.end():m.end() + OBJECT_CHARS]
        stop = min([after.index(c) for c in ".!?\n" if c in after], default=len(after))
        if after[stop:stop + 1] == "?" and not (m.group("polite") or m.group("clause")):
            continue
        words = [w for w in words_of(after[:stop]) if w not in OBJECT_FILLERS][:OBJECT_WORDS]
        if words and (words[0] in PRONOUN_OBJECTS
                      or (set(words) & CODE_OBJECTS and not set(words) & (TEXT_NOUNS | TOOL_TEXTS))):
            return True
    return False


def _judged_question(text: str) -> str | None:
    """The question a judge frame judges ("" with none labelled), ``None`` for no frame (version 63)."""
    if not (_judge_frame(text[:JUDGE_HEAD_CHARS].lower())
            or (len(text) > JUDGE_HEAD_CHARS and _judge_frame(text[-JUDGE_TAIL_CHARS:].lower()))):
        return None
    head = text[:QUESTION_SEARCH_CHARS]
    starts = [0] + [i + 1 for i, c in enumerate(head) if c == "\n"]
    label = r"[ \t]*(#+[ \t]*|\[[ \t]*)?(" + "|".join(QUESTION_LABELS) + r")([ \t]*\][ \t]*:?|[ \t]*:|[ \t]*(?=\n|\Z))"
    for start in starts:
        m = re.match(label, head[start:], re.IGNORECASE)
        if m:
            window = text[start + m.end():start + m.end() + QUESTION_MAX_CHARS]
            lines = window.split("\n")
            kept = [lines[0]]
            for line in lines[1:]:
                if re.match(r"[ \t]*(#|\[|[A-Za-z][\w' ]{0,40}:)", line):
                    break
                kept.append(line)
            return "\n".join(kept).strip()
    return ""


def _plain_notation_ref(s: str) -> tuple[int, int]:
    """(math, logic) plain-text formula signs in the first 1,000 characters (version 80): an exponent with no space, not
    a charge; sqrt( / cbrt( / ln( / log_; a one-letter variable against a number by < > <= >=; a set in braces; a
    modulus; logic arrows between propositional letters or parentheses."""
    head = _ref_ascii_reading(s[:1000])  # Unicode math read as ASCII (version 97)
    math_signs = len(re.findall(
        r"[A-Za-z0-9)]\^(?:\(|[A-Za-z0-9](?![+-](?![\w(])))|\b(?:sqrt|cbrt|ln)\s?\(|\blog_[A-Za-z0-9{]"
        r"|(?<![\w<>=-])[a-z] ?(?:<=?|>=?) ?-?[0-9]|[0-9] ?<=? ?[a-z](?![\w(])|\{ ?-?\w{1,3} ?(?:, ?-?\w{1,3} ?)+\}"
        r"|\bmodulo [0-9]|\(mod [0-9]", head))
    math_signs += sum(head.count(c) for c in "∫∑∏∂∇∈∉⊂⊆∪∩")  # signs with no ASCII spelling (version 97) ...
    math_signs += len(re.findall(r"[√∛] ?\(? ?[0-9]*[a-z](?![a-z])", head))  # ... and a root of a variable (one letter: 99)
    logic_signs = len(re.findall(r"(?:\b[p-s]|\)) ?<?-> ?(?:not |~)?(?:[p-s]\b|\()", head))
    return math_signs, logic_signs


def _ref_ascii_reading(s: str) -> str:
    """Version 97: Unicode math spelled in ASCII, character by character: a run of superscripts (digits, n i x y k, + -)
    "^" and its digits and letters ("^(-1)" when it opens with a sign and goes on), a run of subscripts "_" and
    its digits; then − "-", ≤ "<=", ≥ ">=", ↔ and ⇔ "<->", ¬ "~", and → and ⇒ "->" if the text then holds ¬ ∧ ∨ ↔ ⇔ or
    a letter p-s (no letter before it) and an optional space before one (version 99). A ² or ³ right after a unit of
    length (m, cm, mm, km, dm, ft, in, yd, mi) after a digit and an optional space, "per " or "sq "/"sq. ", or after "/"
    and an optional space (a length, s or h) stays as it is, unless the unit is glued to its digit and an operator
    follows (an optional space, then - + − = * · × ^ "(", or "/" and an optional space before a digit or "(": version
    99); a run before "ᵈ" (an ordinal's "ⁿᵈ") stays as it is (99)."""
    sup = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ⁿⁱˣʸᵏ⁺⁻", "0123456789nixyk+-"))
    sub = dict(zip("₀₁₂₃₄₅₆₇₈₉ₙᵢ", "0123456789ni"))
    unit_before = r"(?:(?:([0-9])|[0-9] |\bper |\bsq\.? )(?:[cmkd]?m|ft|in|yd|mi)|/ ?(?:[cmkd]?m|ft|in|yd|mi|s|h))\Z"
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c in sup or c in sub:
            table = sup if c in sup else sub
            j = i
            while j < len(s) and s[j] in table:
                j += 1
            unit = re.search(unit_before, s[:i]) if c in "²³" else None
            if s[j:j + 1] == "ᵈ":
                out.append(s[i:j])
            elif unit and not (unit.group(1) and re.match(r" ?(?:[-+−=*·×^(]|/ ?[0-9(])", s[i + 1:])):
                out.append(c)
                j = i + 1
            else:
                t = "".join(table[ch] for ch in s[i:j])
                out.append(("^(" + t + ")" if t[0] in "+-" and len(t) > 1 else "^" + t) if table is sup else "_" + t)
            i = j
        else:
            out.append(c)
            i += 1
    read = "".join(out)
    symbols = {"−": "-", "≤": "<=", "≥": ">=", "↔": "<->", "⇔": "<->", "¬": "~"}
    if re.search(r"[¬∧∨↔⇔]|(?<![A-Za-z])[p-s] ?[→⇒]", read):
        symbols.update({"→": "->", "⇒": "->"})
    return "".join(symbols.get(c, c) for c in read)


def _computes_plainly_ref(stem: str) -> bool:
    """A stem's plain formula or count of mathematical objects ("How many functions …") (version 80)."""
    return sum(_plain_notation_ref(stem)) > 0 or re.search(
        r"\bhow many (?:\w+ ){0,3}?(?:functions|subsets|elements of order|solutions|permutations|arrangements|divisors"
        r"|primes|integers|bijections|surjections|injections|subgroups|homomorphisms|paths|diagonals)\b",
        stem[:1000].lower()) is not None


def _recalls_ref(stem: str) -> bool:
    """A quiz stem of at most 3 sentences with no quantity (years are none), no math word, no LaTeX, no plain formula (version 80)."""
    quantities = (len(_RE_NUM_UNIT.findall(stem)) if re.search("[0-9]", stem) else 0) - len(
        re.findall(r"\b(?:1[0-9]|20)[0-9][0-9]s?\b", stem))
    latex_stem = (sum(1 for c in re.findall(r"\\([a-zA-Z]+)", stem) if c in LATEX_COMMANDS) + (stem.count("$") - _currency(stem)) // 2
                  + _unicode_math_ref(stem))  # (version 108)
    return (len(re.findall(r"[.?!](?=\s|$)", stem)) <= 3 and quantities <= 0 and latex_stem == 0 and sum(_plain_notation_ref(stem)) == 0
            and dict(zip(LEXICON_NAMES, lexicon_counts_reference(words_of(stem.lower()))))["math"] == 0)


def _number_candidates_ref(options_text: str, stem: str) -> bool:
    """Version 89: the options below a recall stem are its candidates: under 400 characters, two or more hold a digit
    and each of those is a number with at most two unit words, and the stem has no computing word or number word, no
    plain formula or count of mathematical objects."""
    compute = {"sum", "product", "difference", "quotient", "average", "mean", "median", "total", "times", "twice", "half",
               "percent", "percentage", "plus", "minus", "divided", "multiplied", "squared", "cubed", "square", "cube",
               "multiple", "multiples", "factor", "factors", "even", "odd", "ways", "arrange", "arranged", "arrangements",
               "orderings", "equal", "equals", "next", "convert", "converted", "calculate", "compute", "estimate",
               "remaining", "altogether", "oxidation", "charge", "ph", "molar", "molarity", "velocity",
               "acceleration", "probability", "expected", "energy", "force", "frequency", "wavelength", "concentration",
               "derivative", "integral", "momentum", "pressure"}  # (version 93)
    if len(options_text) >= 400 or any(w in compute or w in NUMBER_WORDS for w in words_of(stem.lower())):
        return False
    if _computes_plainly_ref(stem):  # a formula or a count of mathematical objects
        return False
    parts = re.split(r"(?:^|(?<=\s))\(?[A-Ea-e][).:][ \t]", options_text)
    numeric = [p.strip().split("\n")[0].rstrip(" .") for p in parts if re.search(r"[0-9]", p.strip().split("\n")[0])]
    number = r"[-+−~≈$€£]?[0-9][0-9,.]*(?:/[0-9]+)?(?:[-–][0-9][0-9,.]*)?(?:st|nd|rd|th)?%?(?: ?[A-Za-z°/.]{1,10}){0,2}"
    return len(numeric) >= 2 and all(re.fullmatch(number, o) for o in numeric)


def _reads_code_ref(stem: str) -> bool:
    """Version 89: a one-line quiz stem with code in it ("`", a bracket) asking what it evaluates to / outputs / prints /
    returns / its value or result ("what" then the word, in one clause), in at most 400 characters."""
    head = stem.strip()
    return (len(head) <= 400 and "\n" not in head and bool(set(head) & set("`([{"))
            and re.search(r"\bwhat\b[^?\n]{0,200}?\b(?:evaluates?|evaluated|outputs?|prints?|printed|returns?|returned"
                          r"|logs?|logged|displays?|displayed|value|result)\b", head.lower()) is not None)


_REF_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _ref_tool_signatures(low: str) -> int:
    """Version 90: snake_case names right before "(" ("read_file(", "issue_refund("): each "(" whose run of word
    characters before it is ASCII lower-case letters, digits and "_", opens with a letter and holds a "_"."""
    count = 0
    for i, c in enumerate(low):
        if c != "(":
            continue
        j = i
        while j > 0 and (low[j - 1].isalnum() or low[j - 1] == "_"):
            j -= 1
        run = low[j:i]
        if run and run[0] in "abcdefghijklmnopqrstuvwxyz" and "_" in run and all(
                ch in "abcdefghijklmnopqrstuvwxyz0123456789_" for ch in run):
            count += 1
    return count


def _ref_labelled_texts(low: str) -> list[tuple[str, int]]:
    """Version 90: (first word of the label, characters of the text after its colon) of each line "Label: text" (an
    optional "-" / "*" bullet; a label of one to three words, the first a word of letters, "'" and "-")."""
    out = []
    for line in low.split("\n"):
        i = len(line) - len(line.lstrip(" \t"))
        if line[i:i + 1] in ("-", "*"):
            i += 1
            i += len(line[i:]) - len(line[i:].lstrip(" \t"))
        colon = line.find(":", i)
        if colon < 0:
            continue
        words = line[i:colon].rstrip(" \t").split(" ")
        if not 1 <= len(words) <= 3 or not words[0] or words[0][0] not in "abcdefghijklmnopqrstuvwxyz":
            continue
        if not all(ch in "abcdefghijklmnopqrstuvwxyz'-" for ch in words[0]) or not all(
                w and all(ch in "abcdefghijklmnopqrstuvwxyz0123456789'-" for ch in w) for w in words[1:]):
            continue
        rest = line[colon + 1:].lstrip(" \t")
        if rest and not rest[0].isspace():
            out.append((words[0], len(rest)))
    return out


def _ref_anchored_matches(low: str, literals: tuple[str, ...], alternatives: tuple[str, ...], need: int) -> int:
    """Version 90: matches of the alternatives (each between word boundaries) tried at the first MAX_STARTS positions of
    low where one of the literals starts, in order, skipping those inside the last match; counted up to need."""
    starts = [p for p in range(len(low)) if any(low.startswith(lit, p) for lit in literals)][:MAX_STARTS]
    n = end = 0
    for p in starts:
        if p < end:
            continue
        for alt in alternatives:  # the leftmost alternative that matches at p, as an alternation takes it
            m = re.compile(r"\b(?:" + alt + r")\b").match(low, p)
            if m is not None:
                n, end = n + 1, m.end()
                break
        if n >= need:
            break
    return n


def _applied_task_ref(text: str, system: str, writes: bool = False) -> bool:
    """Version 90: an application task (classifiers.applied_tasks), read in the first APPLIED_CHARS characters. Version 94
    (review_s42_rev42 H2): tools in the system prompt only need a question about the tools; no dates in a request to
    write (writes); two texts weighed need a party or criterion word, and drafts' labels a weighing beyond better / more;
    "cannot" a condition only before do / make / attend; no "is there a" case; never over an instruction to translate,
    rewrite, summarize or fix its material."""
    low = text[:APPLIED_CHARS].lower()
    instruction = _material_instruction_ref(text)
    if instruction is not None and set(words_of(instruction.lower())) & (
            (set(ECHO_VERBS) - {"convert", "reformat"}) | {"summarize", "summarise", "fix", "correct"}):
        return False
    days = "|".join(_REF_WEEKDAYS)
    plan = (r"first (?:tool|call|step|action)", r"next (?:tool|call|step|action)", r"which (?:tools?|of (?:these|the) tools)",
            r"what (?:tools?|do you do|would you do|should you do)", r"sequence of", r"in what order",
            r"plan (?:the|your|out)", r"your plan", r"step by step", r"how (?:would|should|do) you handle")
    plan_literals = ("first ", "next ", "which ", "what ", "sequence of", "in what order", "plan ", "your plan", "step by step", "how ")
    system_plan = (r"first (?:tool|call|action)", r"next (?:tool|call|action)", r"which (?:tools?|of (?:these|the|your) tools)",
                   r"what tools?", r"tool calls?", r"plan the", r"your plan")
    system_literals = ("first ", "next ", "which ", "what tool", "tool call", "plan the", "your plan")
    own = _ref_tool_signatures(low)
    if own >= 2 and _ref_anchored_matches(low, plan_literals, plan, 1):
        return True
    if own < 2 and own + _ref_tool_signatures(system[:APPLIED_CHARS].lower()) >= 2 and _ref_anchored_matches(
            low, system_literals, system_plan, 1):
        return True
    date_ask = (r"absolute (?:[a-z]+ )?dates?", r"calendar (?:[a-z]+ )?dates?", r"actual (?:[a-z]+ )?dates?",
                r"exact (?:[a-z]+ )?dates?", r"convert\b[^.?!\n]{0,60}\bdates?", r"date of each",
                r"which day of the month (?:is|are|will) (?:each|they|these|all)", r"what day of the month (?:is|are|will) (?:each|they|these|all)")
    relative = (*(rf"{w} (?:week|month|{days})" for w in ("next", "following", "coming")),
                *(rf"{w}s? (?:after|later|before|from)" for w in (*_REF_WEEKDAYS, "day", "week", "month")),
                *(rf"in {n} (?:days?|weeks?|months?)" for n in ("a", "one", "two", "three", "four")),
                *(rf"in {d}[0-9]* (?:days?|weeks?|months?)" for d in "0123456789"),
                *(f"by {w}" for w in (*_REF_WEEKDAYS, "end of", "the end of")), r"end of (?:day|next week|the week|the month)")
    relative_literals = ("next ", "following ", "coming ", *_REF_WEEKDAYS, "day", "week", "month", "in a ", "in one ", "in two ",
                         "in three ", "in four ", *(f"in {d}" for d in "0123456789"), *(f"by {w}" for w in _REF_WEEKDAYS),
                         "by end of", "by the end of", "end of ")
    date_literals = ("absolute ", "calendar ", "actual ", "exact ", "convert", "date of each", "which day of the month", "what day of the month")
    if (not writes and _ref_anchored_matches(low, date_literals, date_ask, 1)
            and _ref_anchored_matches(low, relative_literals, relative, 2) >= 2):
        return True
    weigh = (r"which\b[^.?!\n]{0,80}\b(?:more|less|better|worse|fairer|safer|riskier|stricter|favou?r\w*|protects?|prefer\w*)",
             r"who\b[^.?!\n]{0,40}\bfavou?rs?")
    strong = (r"which\b[^.?!\n]{0,80}\b(?:worse|fairer|safer|riskier|stricter|cheaper|favou?r\w*|protects?)", r"who\b[^.?!\n]{0,40}\bfavou?rs?")
    parties = ("tenant", "landlord", "buyer", "seller", "customer", "client", "guest", "employee", "employer", "contractor",
               "vendor", "supplier", "passenger", "patient", "consumer")
    criteria = (*(p + "s?" for p in parties), r"for (?:me|us)", r"liab\w*", r"risk\w*", r"costs?", r"cheaper", r"fair\w*",
                r"protect\w*", r"favou?r\w*", r"enforceab\w*", r"legal\w*", r"penalt\w*")
    criteria_literals = (*parties, "for ", "liab", "risk", "cost", "cheaper", "fair", "protect", "favo", "enforceab", "legal", "penalt")
    if ":" in low and _ref_anchored_matches(low, ("which", "who"), weigh, 1) and _ref_anchored_matches(
            low, criteria_literals, criteria, 1):
        labels = [w for w, k in _ref_labelled_texts(low) if k >= COMPARED_MIN_CHARS]
        kinds = {w for w in set(labels) if sum(1 for x in labels if x == w) >= 2}
        for a, b in (("old", "new"), ("before", "after"), ("current", "proposed"), ("original", "revised")):
            if a in labels and b in labels:
                kinds.add(a)
        drafts = {"option", "draft", "version", "tagline", "slogan", "headline", "title", "caption", "translation", "reply",
                  "response", "answer", "agent", "message", "email", "intro", "sentence", "paragraph"}
        if kinds and (any(k not in drafts for k in kinds) or _ref_anchored_matches(low, ("which", "who"), strong, 1)):
            return True
    conditions = ("unless", "except", "otherwise", "only if", "provided that", "as long as", "in which case", "only after",
                  "only when", r"cannot (?:do|make|attend)")
    condition_literals = (*conditions[:-1], "cannot ")
    cases = (r"for each", r"each (?:one|of them|case|claim|order|ticket|applicant|request)",
             r"which (?:ones|orders|claims|tickets|applicants|requests|items)",
             r"who (?:should|gets|qualifies|is eligible)", r"works for (?:all|everyone|both)",
             r"apply (?:these|the|this|our) (?:rules?|polic(?:y|ies)|criteria|conditions)", r"decide (?:whether|which|who|if)")
    case_literals = ("for each", "each ", "which ", "who ", "works for ", "apply ", "decide ")
    if _ref_anchored_matches(low, condition_literals, conditions, 2) < 2:
        return False
    records = [w for w, _ in _ref_labelled_texts(low)]  # two or more records labelled alike ("PR 11:", "PR 12:")
    return bool(_ref_anchored_matches(low, case_literals, cases, 1)) or len(records) > len(set(records))


def _ref_hardness(s: str) -> int:
    """Version 92: the distinct hardness cues of a formula's problem in the first 400 characters: a power of a lower-case
    letter, ")" or "}" (a digit 2-9 or a letter, after an optional "{" and "("; "x²" read as "x^2"), a root of a
    variable ("sqrt(", "\\sqrt{", "√" before optional digits and a letter); a variable in an exponent, or ln / log /
    exp / sin / cos / tan (a LaTeX command: also sec / csc / cot) of optional digits and a letter alone; two or more
    distinct one-letter variables (b-h, j-z, no letter around, an operator, "_", ",", ")", "$", "}" or a digit after,
    or an operator, "(", "$", "{" or a digit before); and one per group of task words, when one of the others, a single variable, a "$" or
    a backslash is there."""
    head = _ref_ascii_reading(s[:400])  # Unicode math read as ASCII ("x²" a power: version 97)
    low = head.lower()
    lower = set("abcdefghijklmnopqrstuvwxyz")
    nonlinear = any(
        c == "^" and i > 0 and (head[i - 1] in lower or head[i - 1] in ")}")
        and (re.match(r"\{?\(?(?:[2-9]|[a-z])", head[i + 1:i + 4]) is not None) for i, c in enumerate(head))
    for root in (r"\bsqrt ?\( ?[0-9]*[a-z]", r"\\sqrt\{ ?[0-9]*[a-z]", r"√ ?\(? ?[0-9]*[a-z](?![a-z])"):  # (a letter alone after √: 99)
        nonlinear = nonlinear or re.search(root, head) is not None
    exponent = any(
        c == "^" and i > 0 and (head[i - 1].isascii() and head[i - 1].isalnum() or head[i - 1] in ")}")
        and re.match(r"\{?\(?-?[0-9]*[a-z]", head[i + 1:]) is not None for i, c in enumerate(head))
    function = re.search(r"\b(?:ln|log|exp|sin|cos|tan)(?:_\{?\w+\}?)? ?\(? ?[0-9]*[a-z]\b", head) is not None
    command = re.search(r"\\(?:ln|log|exp|sin|cos|tan|sec|csc|cot)(?:_\{?\w+\}?)?\s*(?:\\left)?\(?\s*[0-9]*[a-z]\b",
                        head) is not None
    variables = set()
    for i, c in enumerate(head):
        if c not in "bcdefghjklmnopqrstuvwxyz":
            continue
        before, after = head[i - 1:i] if i else "", head[i + 1:i + 2]
        if after.isascii() and after.isalpha():
            continue
        alone_before = not (before.isascii() and before.isalpha()) and before != "\\"
        next_sign = head[i + 2:i + 3] if after == " " else after
        if (alone_before and (next_sign != "" and next_sign in "-+=<>^*/)_,$}" or after != "" and after in "0123456789")) or (
                before != "" and (before in "-+=<>^*/(0123456789${")):
            variables.add(c)
    tasks = [
        (r"\b(?:all|every|each) (?:(?:the|possible|positive|negative|real|natural|complex|prime|integer|rational) )*"
         r"(?:reals?|integers?|pairs?|values?|solutions?|functions?|primes?|roots?|numbers?|triples?|polynomials?|[a-z](?![\w']))"),
        r"\b(?:integers?|primes?|divisible|divisors?|rational|irrational|remainder)\b",
        r"\b(?:prove|show that|proof|disprove)\b",
        r"\bhow many (?:\w+ ){0,3}?(?:solutions|roots|integers|pairs|values|ways|triples)\b",
        (r"\bfor (?:which|what) (?:values?|real|integers?|positive)\b|\bvalues? of (?:the )?(?:parameter |constant )?[a-z]\b"
         r"|\bin terms of\b"),
        r"\b(?:maximum|minimum|maximi[sz]e|minimi[sz]e|largest|smallest|greatest|least)\b",
        r"\b(?:system|simultaneous)\b",
    ]
    power = re.search(r"(?<![A-Za-z0-9])[0-9]+\^", head) is not None  # a number's power (version 93)
    if not (nonlinear or exponent or function or command or variables or power) and "$" not in head and "\\" not in head:
        return 0  # the task words only with a variable in a formula, a number's power or LaTeX
    if re.search(r"\b(?:yes or no|just the answer|explain what|in simple (?:words|terms)|for my [0-9]+[- ]year[- ]old)\b", low):
        return 0  # a request for no work on it (version 93)
    return (int(nonlinear) + int(exponent or function or command) + int(len(variables) >= 2)
            + sum(1 for p in tasks if re.search(p, low)))
