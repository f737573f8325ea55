"""A text whose only code cue is "return": an answer request, or a program's statement (version 76).

Versions 71-72 read "Return …" opening a sentence as an imperative asking for an answer ("Return the capital and
currency for Japan." scored 0.75 as a request for a program) unless a bare data word stood anywhere (list, table,
time, output, given …: ``RETURN_DATA_WORDS``). Those words are everyday words in answer requests: "Return the list of
planets in order from the sun." 0.74, "Return the time zone of Tokyo …" 0.75, "Return a table comparing cats and dogs
…" 0.78 were programs again (review41 A1). A program's statement says more than a word: it hands over an abstract
input ("you are given", "given a …", "Take a sentence", "a list of integers"), names a database table ("the orders
table"), bounds its time ("in linear time", "O(…)", "up to 10^5"), names its variables ("the k words", "n lockers"),
and returns a sentinel ("Return -1 on a miss", "Return true when …"). Those phrases, read here word by word, keep
"return" a code cue; none is common in an answer request (review41 A2).

Two more readings of "return" are no program (review41 A3): the everyday noun and verb ("our return policy", "a tax
return", "a return flight", "I need to return a blender") and "… and / then return X" in an instruction over material
that is present ("Read the review below and return the sentiment …\\nReview: …"; ``echo.POINTERS``, a labelled line
after it, or a colon and the material after it), or after the comma of "Given the …," (named material, not an input).
Work is bounded: at most ``MAX_RETURNS`` occurrences, each read within a few hundred characters, and the occurrences
of ``PHRASE_WORDS`` in the featurizer's slice, only when "return" is every code cue left (16 us at 2,000 characters).
"""

from __future__ import annotations

from classifiers.echo import POINTERS
from classifiers.lexicons import _PUNCT_CHARS, words_of

#: At most this many "return"s are read (more is code), each with this many characters before and after it.
MAX_RETURNS = 4
RETURN_LOOKBACK = 40
RETURN_LOOKAHEAD = 40
#: Words a program's data has and an answer request does not (version 72's words less the everyday ones: list, table,
#: time, output, file, row, records …).
RETURN_DATA_WORDS = frozenset(("column", "columns", "dataset", "datasets", "input", "inputs"))
#: Words right after "return" that are a program's sentinel ("Return -1 on a miss", "Return NULL from GET", "Return
#: an empty answer"); "true" and "false" are none before "or" ("Is a tomato a fruit? Return true or false.").
SENTINELS = frozenset(("true", "false", "-1", "0", "null", "none", "nil", "empty"))
#: "given" states a problem after these ("you are given", "a list is given") or before these ("given a string",
#: "given two dates", "given n points"; not "Given the sentence '…', return the corrected sentence.").
GIVEN_AFTER = frozenset(("are", "is", "were", "was", "be", "you're"))
GIVEN_BEFORE = frozenset(("a", "an", "two", "three", "four", "n", "k", "m", "some", "any", "each"))
#: "Given" and these open a clause over named material ("Given the product title below, return the brand name.").
GIVEN_DEFINITE = frozenset(("the", "this", "these", "following", "my", "our", "your"))
#: What opens the sentence of a "return" after a comma: the text's start, a sentence's end, a line break, a colon.
CLAUSE_STARTS = (". ", "! ", "? ", "\n", ": ")
#: Verbs that take an indefinite abstract input ("Take a sentence …", "Read a paragraph …", "Accept a date …") and
#: the inputs; "in" takes fewer ("… in a text", not "in a sentence", "in a list": an answer's form).
INPUT_VERBS = frozenset(("take", "takes", "read", "reads", "accept", "accepts", "receive", "receives", "parse",
                         "parses"))
ABSTRACT_INPUTS = frozenset(("sentence", "sentences", "paragraph", "text", "string", "number", "word", "integer", "list",
                             "array", "date", "phrase", "sequence", "grid", "matrix", "file", "line", "url"))
IN_INPUTS = frozenset(("text", "string", "sequence", "grid", "matrix"))
INDEFINITE = frozenset(("a", "an", "any", "each"))
#: Element types of an abstract list ("a list of integers", "two sorted lists of numbers", "an array of points"); not
#: the list "return" itself asks for ("Return a list of words that rhyme with 'light'.").
LIST_WORDS = frozenset(("list", "lists", "array", "arrays", "sequence", "sequences"))
ABSTRACT_ELEMENTS = frozenset(("integers", "ints", "numbers", "floats", "strings", "words", "points", "intervals",
                               "pairs", "tuples", "coordinates", "digits", "timestamps", "characters", "nodes", "edges",
                               "elements", "values", "booleans"))
#: A time bound's words before "time" ("in linear time"; not "the time zone", "the best time to visit").
TIME_BOUNDS = frozenset(("linear", "logarithmic", "constant", "quadratic", "cubic", "polynomial", "exponential",
                         "sublinear", "linearithmic", "log-linear", "amortized"))
#: Plural words before "table" that name no database table ("the times table"); the rest do ("the orders table").
NOT_TABLE_NAMES = frozenset(("times", "its", "this", "his", "is", "was", "as", "us", "has", "does"))
#: Words before "the X table" that read a database table ("from the staff table").
TABLE_READS = frozenset(("from", "into", "join"))
#: Single-letter variables ("the k words", "n lockers"; not after a figure: "5 m", nor "a.m.", "p.m.", "rock n roll").
VARIABLES = frozenset(("n", "k", "m"))
NOT_VARIABLE_AFTER = frozenset(("a", "p", "rock"))
#: Words before a unit: "the height … in m" (version 79), unless a word follows it ("in m moves" is a variable; 82).
UNIT_AFTER = frozenset(("in", "per", "of"))
#: The words ``states_a_problem`` reads a phrase around.
PHRASE_WORDS = (frozenset(("given", "in", "table", "tables", "time")) | INPUT_VERBS | LIST_WORDS) | VARIABLES
#: A large bound's phrases ("n up to 10^6").
BOUND_PHRASES = ("up to 10^", "at most 10^", "\u2264 10^", "\u226410^")
#: The everyday noun: words after it ("return policy", "return window", "a return flight", "return on investment",
#: "Return to our earlier topic"), words before it ("a tax return", "their return has been approved") unless a
#: program's follows ("my return value"), and the everyday verb ("I need to return a blender").
NOUN_AFTER = frozenset(("policy", "policies", "window", "windows", "trip", "trips", "flight", "flights", "journey",
                        "journeys", "ticket", "tickets", "label", "labels", "shipping", "period", "fare", "fares",
                        "leg", "visit", "form", "process", "on", "to"))
NOUN_BEFORE = frozenset(("tax", "taxes", "income", "vat", "annual", "my", "your", "our", "their", "his", "her"))
#: A person returning a thing: the everyday verb ("Can I return it for a refund?", "Where do we return the car?",
#: "Can you return the keys tomorrow?"; version 85).
VERB_SUBJECTS = frozenset(("i", "we", "you"))
#: ... with a thing's pronoun after it or a purchase's word in the text (version 93): "If I return a generator instead
#: of a list …", "When you return from inside a try block …" are code (review rev42 M1).
VERB_OBJECTS = frozenset(("it", "them", "this", "these", "those", "my", "our"))
PURCHASE_WORDS = frozenset(("bought", "buy", "purchased", "purchase", "ordered", "refund", "receipt", "parcel", "rental",
                            "warranty", "seller"))
#: ... and no "from" in the next three words: "When I return them from the generator …" is code (version 96: the
#: purchase words "store", "item", "package" … are code's too: "In my Redux store, do I return a new object …" 0.73 ->
#: 0.21, review rev42b H2).
PROGRAM_AFTER = frozenset(("value", "values", "type", "types", "statement", "statements", "code", "codes", "address"))
WANT_TO = frozenset(("want", "wants", "wanted", "need", "needs", "needed", "like", "planning", "going", "trying",
                     "able", "allowed", "how", "decided", "hoping", "forgot", "possible", "ok", "okay"))
#: "… and return X" / "… then return X" reads its line (at most this many characters either side) for the material.
MATERIAL_LINE_CHARS = 200
MATERIAL_MIN_CHARS = 20
LABEL_MAX_WORDS = 3


def _is_word_at(low: str, p: int, q: int) -> bool:
    """Whether ``low[p:q]`` is a word of ``words_of(low)``: whitespace or punctuation (or an end) either side."""
    return ((not p or low[p - 1].isspace() or low[p - 1] in _PUNCT_CHARS)
            and (q == len(low) or low[q].isspace() or low[q] in _PUNCT_CHARS))


def returns_ask_answers(low: str, words: list[str]) -> bool:
    """Whether every "return" of ``low`` (lower-cased; ``words`` its words), at least one and at most ``MAX_RETURNS``,
    asks for an answer or is an everyday word, with no sentinel after it, and ``low`` states no problem
    (``states_a_problem``). A "return" asks for an answer when it opens the text or a sentence (the last non-space
    character of the ``RETURN_LOOKBACK`` before it ".", "!", "?", ":" or a line break: "Return the three largest
    cities in Canada."), or follows "and" / "then" in a line over material (``_over_material``)."""
    n, p = 0, low.find("return")
    while p >= 0:
        q = p + 6
        if _is_word_at(low, p, q):
            n += 1
            if n > MAX_RETURNS or not _asks(low, p, q, words):
                return False
        p = low.find("return", q)
    return n > 0 and not states_a_problem(low, words)


def _asks(low: str, p: int, q: int, words: list[str]) -> bool:
    """Whether the "return" at ``low[p:q]`` asks for an answer or is the everyday word (see ``returns_ask_answers``)."""
    before = low[max(0, p - RETURN_LOOKBACK):p]
    after = words_of(low[q:q + RETURN_LOOKAHEAD])
    if after and (after[0] in SENTINELS or after[:2] == ["an", "empty"]) and not (
            after[0] in ("true", "false") and after[1:2] == ["or"]):
        return False  # "Return -1 on a miss", "Return true when …": a program's value
    head = before.rstrip(" \t")
    if not head or head[-1] in ".!?:\n":
        return True
    prior = words_of(before)
    if after and after[0] in NOUN_AFTER:
        return True  # "our return policy", "a return flight", "return on investment"
    if prior and prior[-1] in NOUN_BEFORE and not (after and after[0] in PROGRAM_AFTER):
        return True  # "a tax return", "their return has been approved"
    if prior and prior[-1] in VERB_SUBJECTS and "from" not in after[:3] and (
            after and after[0] in VERB_OBJECTS or not PURCHASE_WORDS.isdisjoint(words)):
        return True  # "Can I return it …?", "Where do we return the rental car?"
    if prior[-2:-1] and prior[-1] == "to" and prior[-2] in WANT_TO and PROGRAM_AFTER.isdisjoint(after[:3]):
        return True  # "I need to return a blender" (not "How to return multiple values?", version 81)
    if head[-1] == "," and _given_material(low, p):
        return True  # "Given the sentence '…', return the corrected sentence."
    return bool(prior) and prior[-1] in ("and", "then") and _over_material(low, p, q)


def _given_material(low: str, p: int) -> bool:
    """Whether the sentence of the "return" at ``p`` (its start at most ``MATERIAL_LINE_CHARS`` before it) opens with
    "given" and a definite word (``GIVEN_DEFINITE``): the material is named, not an abstract input ("Given a string,
    …" states a problem: ``states_a_problem``)."""
    seg = low[max(0, p - MATERIAL_LINE_CHARS):p]
    cut = max(seg.rfind(e) + len(e) if e in seg else -1 for e in CLAUSE_STARTS)
    if cut < 0 and p > MATERIAL_LINE_CHARS:
        return False
    first = words_of(seg[max(cut, 0):])[:2]
    return len(first) == 2 and first[0] == "given" and first[1] in GIVEN_DEFINITE


def _over_material(low: str, p: int, q: int) -> bool:
    """Whether the line of the "return" at ``low[p:q]`` (at most ``MATERIAL_LINE_CHARS`` either side) points at
    material that is present: a pointer word of ``echo.POINTERS`` ("the review below"), a colon after "return" with at
    least ``MATERIAL_MIN_CHARS`` characters after it ("… return only the translation: The meeting …"), or a labelled
    line next ("\\nReview: …", a label of at most ``LABEL_MAX_WORDS`` words ending in a colon)."""
    lo = max(0, p - MATERIAL_LINE_CHARS)
    start = low.rfind("\n", lo, p) + 1 or lo
    end = low.find("\n", q, q + MATERIAL_LINE_CHARS)
    line_end = end if end >= 0 else min(len(low), q + MATERIAL_LINE_CHARS)
    if not POINTERS.isdisjoint(words_of(low[start:line_end])):
        return True
    colon = low.find(": ", q, line_end)
    if colon >= 0 and len(low) - colon - 2 >= MATERIAL_MIN_CHARS:
        return True
    if end < 0:
        return False
    label = low[end + 1:end + 1 + MATERIAL_LINE_CHARS].split("\n", 1)[0].split(": ", 1)
    return len(label) == 2 and 0 < len(words_of(label[0])) <= LABEL_MAX_WORDS and ":" not in label[0]


def states_a_problem(low: str, words: list[str]) -> bool:
    """Whether ``low`` (``words`` its words) has a phrase only a program's statement has (see the module's docstring):
    a data word (``RETURN_DATA_WORDS``), a large bound or "O(", an abstract input ("you are given", "given a …",
    "Take a sentence", "in a string", "a list of integers" not asked for by "return"), a database table, a time
    bound, a single-letter variable."""
    if not RETURN_DATA_WORDS.isdisjoint(words) or any(b in low for b in BOUND_PHRASES):
        return True
    o = low.find("o(")
    while o >= 0:
        if not o or not low[o - 1].isalnum():
            return True  # "in O(1)", "(O(n log n))"; not "sumo(" nor "pro(" in a word
        o = low.find("o(", o + 2)
    present = set(PHRASE_WORDS.intersection(words))  # (each word's occurrences read only if it is there at all)
    if "in" in present:
        joined = " " + " ".join(words) + " "
        if not any(f" in {d} " in joined for d in INDEFINITE):
            present.discard("in")  # the common word read only before an indefinite article
    for w in present:
        i = -1
        try:
            while True:
                i = words.index(w, i + 1)
                if _phrase_at(words, i, w):
                    return True
        except ValueError:
            pass
    return False


def _phrase_at(words: list[str], i: int, w: str) -> bool:
    """Whether the word ``w`` at ``words[i]`` (a word of ``PHRASE_WORDS``) is in a phrase of a program's statement."""
    prev = words[i - 1] if i else ""
    nxt = words[i + 1:i + 4]
    if w == "given":
        return prev in GIVEN_AFTER or (bool(nxt) and nxt[0] in GIVEN_BEFORE)
    if w in INPUT_VERBS or w == "in":
        inputs = IN_INPUTS if w == "in" else ABSTRACT_INPUTS
        return bool(nxt) and nxt[0] in INDEFINITE and not inputs.isdisjoint(nxt[1:3])
    if w in LIST_WORDS:
        asked = prev == "return" or (i > 1 and words[i - 2] == "return" and prev in ("a", "an", "the"))
        return bool(nxt) and nxt[0] == "of" and not asked and not ABSTRACT_ELEMENTS.isdisjoint(nxt[1:3])
    if w in ("table", "tables"):
        return ((bool(nxt) and nxt[0] in ("named", "called"))
                or (len(prev) > 2 and prev.endswith("s") and prev not in NOT_TABLE_NAMES)  # "the orders table"
                or (i > 2 and words[i - 2] == "the" and words[i - 3] in TABLE_READS))  # "from the staff table"
    if w == "time":
        return prev in TIME_BOUNDS  # "in linear time"
    unit = prev in UNIT_AFTER and not (nxt and nxt[0].isalpha())  # "in m." a unit, "in m moves" a variable (82)
    return not any(c.isdecimal() for c in prev) and prev not in NOT_VARIABLE_AFTER and not unit  # "the k words", "n lockers"
