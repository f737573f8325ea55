"""Hand-crafted, transferable prompt features plus hashed word presence.

Work is bounded: regex features read a head+tail slice of each part
(``HEAD_CHARS`` + ``TAIL_CHARS``); whole-text counts use ``str.count`` (O(n), C speed).
Everything is deterministic across processes (``zlib.crc32`` hashing, no ``hash()``).
"""

from __future__ import annotations

import math
import re
import zlib

import numpy as np

from classifiers.text import Conversation

FEATURE_VERSION = "2"
HEAD_CHARS = 3000
TAIL_CHARS = 1000
HASH_BITS = 15
HASH_DIM = 1 << HASH_BITS
_MASK = HASH_DIM - 1


def _lex(words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + words + r")\b")


# Domain and task lexicons (lower-cased text). Kept broad so they transfer across sources.
LEXICONS: dict[str, re.Pattern[str]] = {
    "math": _lex(
        r"equations?|integers?|primes?|probability|polynomials?|triangles?|circles?|radius|derivatives?"
        r"|integrals?|matri(?:x|ces)|remainder|modulo|mod|divisible|divisors?|theorem|lemma|real numbers?"
        r"|solve for|simplify|roots?|sequences?|series|limit|vectors?|eigen\w*|determinant|geometry"
        r"|algebra\w*|calculus|combinatori\w*|permutations?|combinations?|digits?|fractions?|ratio"
        r"|area|perimeter|volume|angles?|perpendicular|coordinates?|slope|inequalit\w*|expected value"
        r"|variance|logarithm|log|sin|cos|tan|exponent\w*|factorial|gcd|lcm|parabola|hyperbola|ellipse"
        r"|polygon|hexagon|square root|cube|sqrt|frac|cdot|infty|sum_|leq|geq|pmod|binom"
    ),
    "arith": _lex(
        r"how many|how much|total|each|per|altogether|remaining|left over|more than|less than"
        r"|times as|twice|half|percent|dollars?|cents?|hours?|minutes?|miles?|costs?|price"
    ),
    "code": _lex(
        r"code|function|class|methods?|python|javascript|typescript|java|c\+\+|c#|rust|golang|go|sql"
        r"|html|css|bash|shell|scripts?|bugs?|debug\w*|errors?|exceptions?|compile\w*|api|def|return"
        r"|import|regex|arrays?|strings?|dict\w*|hash ?maps?|algorithms?|runtime|docker|kubernetes|git"
        r"|json|yaml|servers?|database|query|implement\w*|refactor\w*|unit tests?|library|framework"
        r"|variables?|loops?|recursi\w*|pointers?|struct|async|threads?|nums|int|bool|null|none|self"
        r"|linked list|binary tree|graph|nodes?|index|indices|subarray|substring|integer array"
    ),
    "logic": _lex(
        r"if and only if|implies|deduce|deduction|logic\w*|puzzles?|riddles?|arguments?|valid|fallac\w*"
        r"|premises?|conclusions?|true or false|truth|liars?|knights?|knaves?|contradiction|therefore"
        r"|infer\w*|paradox|syllogism|deductively"
    ),
    "stem": _lex(
        r"physics|chemistry|molecules?|energy|velocity|acceleration|force|mass|electrons?|quantum"
        r"|thermodynamic\w*|circuits?|voltage|reactions?|enzymes?|genes?|proteins?|statistic\w*"
        r"|regression|hypothesis|economics|joules?|newtons?|kg|wavelength|frequency|entropy|charge"
    ),
    "reason": _lex(
        r"step by step|steps?|explain why|justify|derive|show that|prove|proof|compute|calculate"
        r"|determine|find all|find the|optimi[sz]\w*|design|plan|analy[sz]\w*|compare|trade-?offs?"
        r"|evaluate|minimum|maximum|smallest|largest|least|greatest|how many ways|expected"
    ),
    "constraint": _lex(
        r"must|should|at least|at most|exactly|without|only|do not|don't|never|no more than|ensure"
        r"|constraints?|requirements?|format|output|limit|within|assume|given that|such that"
    ),
    "writing": _lex(
        r"write|poem|story|stories|essay|email|letter|blog|post|slogan|lyrics|song|rewrite|rephrase"
        r"|summari[sz]e|tone|paragraph|creative|tweet|headline|speech|caption|haiku|narrative|novel"
    ),
    "roleplay": _lex(
        r"pretend|act as|roles?|roleplay|imagine you|you are a|characters?|persona|in the style of"
        r"|play the|embody"
    ),
    "chitchat": _lex(r"hi|hello|hey|thanks|thank you|how are you|jokes?|lol|good morning|chat|fun"),
    "knowledge": _lex(
        r"what is|what are|who is|who was|when did|where is|history|capital|define|definition"
        r"|meaning of|famous|list of|tell me about|recommend\w*|suggest\w*|tips|ideas|best"
    ),
    "advice": _lex(r"how do i|how can i|how to|should i|advice|help me"),
}

_RE_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_RE_LATEX = re.compile(r"\\[a-zA-Z]+")
_RE_MATHOP = re.compile(r"[=+*/^<>≤≥∑∫√π]|(?<=\d)\s*-\s*(?=\d)")
_RE_CODESYN = re.compile(r"[{};]|=>|->|::|==|!=|\(\)|\[\]")
_RE_INDENT = re.compile(r"(?m)^(?:    |\t)\S")
_RE_LIST = re.compile(r"(?m)^\s*(?:[-*•]|\d+[.)])\s")
_RE_MCQ = re.compile(r"(?m)^\s*\(?[A-Ea-e][).:]\s|\boptions?:")
_RE_SENT = re.compile(r"[.!?。！？](?:\s|$)")
_RE_WORD = re.compile(r"[^\W\d_]+")
_RE_TOKEN = re.compile(r"[a-z][a-z']+|[^\x00-\x7f\w\s]|[^\W\d_]+")

FEATURE_NAMES: tuple[str, ...] = (
    "prompt length",
    "word count",
    "system prompt length",
    "history length",
    "user turns",
    "line count",
    "code fences",
    "indented lines",
    "code syntax density",
    "LaTeX commands",
    "math operator density",
    "numbers",
    "number density",
    "questions",
    "list items",
    "sentences",
    "mean word length",
    "non-ASCII share",
    "multiple-choice options",
    *(f"{k} cues" for k in LEXICONS),
    *(f"{k} density" for k in ("math", "code", "logic", "reason", "writing", "knowledge")),
)
N_FEATURES = len(FEATURE_NAMES)


def _slice(text: str) -> str:
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]


def handcrafted(conv: Conversation) -> list[float]:
    """The hand-crafted feature vector (order = ``FEATURE_NAMES``)."""
    full = conv.last_user
    n = len(full)
    s = _slice(full)
    low = s.lower()
    ns = max(len(s), 1)
    words = max(full.count(" ") + full.count("\n") + (1 if n else 0), 1) if n else 0
    wl = _RE_WORD.findall(low)
    nw = max(len(wl), 1)
    numbers = len(_RE_NUMBER.findall(s))
    non_ascii = sum(1 for ch in s if ord(ch) > 127) / ns
    lex = {k: len(p.findall(low)) for k, p in LEXICONS.items()}
    log = math.log1p
    feats = [
        log(n),
        log(words),
        log(len(conv.system)),
        log(len(conv.history)),
        log(conv.n_user_turns),
        log(full.count("\n")),
        log(full.count("```") + conv.history.count("```") + conv.system.count("```")),
        log(len(_RE_INDENT.findall(s))),
        100.0 * len(_RE_CODESYN.findall(s)) / ns,
        log(len(_RE_LATEX.findall(s)) + full.count("$") // 2),
        100.0 * len(_RE_MATHOP.findall(s)) / ns,
        log(numbers),
        min(numbers / nw, 2.0),
        log(full.count("?")),
        log(len(_RE_LIST.findall(s))),
        log(len(_RE_SENT.findall(s))),
        min(sum(map(len, wl)) / nw, 20.0),
        non_ascii,
        log(len(_RE_MCQ.findall(s))),
        *(log(v) for v in lex.values()),
        *(min(lex[k] / nw, 1.0) for k in ("math", "code", "logic", "reason", "writing", "knowledge")),
    ]
    return feats


def tokens(conv: Conversation) -> set[str]:
    """Distinct lower-cased word tokens of the last user turn (head+tail slice) and system prompt."""
    toks = set(_RE_TOKEN.findall(_slice(conv.last_user).lower()))
    if conv.system:
        toks.update("sys:" + t for t in _RE_TOKEN.findall(_slice(conv.system).lower()))
    return toks


def bucket(token: str) -> int:
    """Stable hash bucket of a token."""
    return zlib.crc32(token.encode("utf-8", "replace")) & _MASK


def hashed_indices(toks: set[str]) -> np.ndarray:
    """Sorted unique bucket indices for a token set."""
    return np.unique(np.fromiter((bucket(t) for t in toks), dtype=np.int64, count=len(toks)))
