"""The optimized featurizer's cues equal the plain definitions they replaced, exactly: format, algorithmic and
built code, bound numbers, everyday code words, letter tasks, puzzles, unicode math, a topic before the question."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.features import lexicon_counts, words_of
from tests.classifiers import reference_features as ref
from tests.classifiers._equivalence_helpers import _same

#: Pieces of output-format phrases (version 47): openers whole and inside words, fillers, demonstratives, format names
#: whole and glued, nouns, blockers, colons, member access, sentence ends, leads before "return", program words, and
#: filler that moves the sentence's start and end across SENTENCE_CHARS (and the neighbours' across NEIGHBOUR_CHARS);
#: data verbs and objects, HTTP words, file names, paths and blank lines (version 50).
FORMAT_PIECES = ("as", "As", "into", "in", "with", "respond", "Reply", "only", "Return", "return", "give", "me", "output",
                 "provide", "back", "now", "and", "then", "it", "the", "results", "a", "valid", "this", "following", "JSON",
                 "json", "jsonl", "YAML", "xml", "csv", "HTML", "markdown", "/", "or", "array", "arrays", "of", "strings",
                 "object", "table", "code", "block", "format", "file", "schema", "parser", "python", "function",
                 "returns", "string", "dict", ":", ".", ". ", "\n", ",", "?", "(", "x", "tasks", "İ", "x" * 120, "y " * 60,
                 # version 50: the sentences around the phrase, in its paragraph
                 "parse", "read", "Load", "log", "files", "below", "post", "request", "status", "404", "code", "use",
                 "fastapi", "server", "data.csv", "x.js", "/health", "and/or", "\n\n", "\n \n", "z " * 45, "e.g.x")


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(FORMAT_PIECES), max_size=30).map(" ".join)
       | st.lists(st.sampled_from(FORMAT_PIECES), max_size=30).map("".join))
def test_format_code_cues_equal_the_reference(text):
    from classifiers.output_format import format_code_cues

    code = lexicon_counts(words_of(text.lower()))[LEXICON_NAMES_CODE]
    assert format_code_cues(text, words_of(text.lower()), code) == ref._format_code_cues(text, code)
    _same(text)


LEXICON_NAMES_CODE = ref.LEXICON_NAMES.index("code")


#: Pieces of algorithmic and plumbing cues (version 50): everyday words and their context, "queries" / "intervals" and
#: the words before them, moduli in every spelling beside large bounds, "O(" with and without a complexity, the words
#: "o" and "e" alone, and program words, glued or spaced.
ALGO_PIECES = ("Write a function", "implement", "returns", "return to", "code", "connected", "cycle", "cycles", "graph",
               "graphs", "edges", "edge", "nodes", "directed", "prerequisites", "partition", "partitions", "array", "minimize", "maximized",
               "sum", "window", "queries", "search", "intervals", "regular", "Intervals", "minimum number of", "minimum",
               "number", "of", "true if", "check whether", "average", "is even", "is prime", "leap year", "palindrome",
               "modulo", "mod", "MOD", "10", "9", "9+7", "^", "**", "10**9+7", "10**5", "1e9", "1e9+7", "1e5", "109",
               "10\u2079", "10\u2075", "10\u00b9\u2078", "+ 7", "5", "18", "O(", "o(", "O", "o", "(", ")", "n", "N", "log",
               "sqrt", "nm", "V+E", "e", "a", "s", "1", "x", "_", "'", "\u00e9", "\u0130", "K", " ", "  ", "\n", ",", ".",
               "O (", "nlogn", "logn", "(n)", "(123456789)", "2^n", "\u00b2", "\u221a", "os", "grid", "matrix", "set", "makespan")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(ALGO_PIECES), max_size=30).map(" ".join)
       | st.lists(st.sampled_from(ALGO_PIECES), max_size=30).map("".join))
def test_algorithmic_cues_equal_the_reference(text):
    from classifiers.algorithmic import request_work_chars
    from classifiers.lexicons import lower_words

    assert request_work_chars(lower_words(text), text) == ref._request_work_chars(words_of(text.lower()), text), text
    _same(text)


#: Pieces of requests that build code (version 51): the verbs, fillers, code nouns (those a made thing names outside
#: code too), languages, a program's parts (everyday ones among them) and their kinds, texts, and what ends an object.
BUILD_PIECES = ("implement", "Implement", "design", "build", "create", "develop", "write", "a", "an", "the", "simple", "new",
                "python", "c", "go", "in", "rust", "function", "program", "programs", "class", "classes", "code", "script",
                "bash", "query", "sql", "python-class", "python-based", "api", "segment", "tree", "family", "linked", "list",
                "rate", "limiter", "service", "pool", "library", "cache", "lru", "engine", "server", "schedule", "for",
                "that", "of", "poem", "about", "validator", "email", "min-heap", "it", "10", "5", "^", "=")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(BUILD_PIECES), max_size=25).map(" ".join))
def test_built_code_equals_the_reference(text):
    from classifiers.built_code import builds_code
    from classifiers.lexicons import lower_words

    assert builds_code(lower_words(text)) == ref._builds_code(words_of(text.lower())), text
    _same(text)


#: Pieces of bounds and moduli (version 51): "10" with powers and coefficients, "1e5", "10**6", superscripts, "mod" /
#: "modulo" before moduli, "+ 7" written apart, numbers of no bound, and the words naming a program (or not).
BOUND_PIECES = ("10", "5", "9", "18", "19", "3", "2", "1", "*", "^", "**", "+", "7", "+7", "9+7", "1e5", "1e9", "1e9+7", "1e3",
                "10**6", "10**9+7", "109", "1000000007", "10\u2075", "10\u2079", "10\u2079+7", "10\u00b9\u2078", "mod",
                "modulo", "n", "<=", "up to", "function", "implement", "returns", "return to", "numbers", "integers",
                "find", "how many", "grid", "sum", "of", "is", "a", " ", ",", "\n")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(BOUND_PIECES), max_size=30).map(" ".join)
       | st.lists(st.sampled_from(BOUND_PIECES), max_size=30).map("".join))
def test_bound_numbers_equal_the_reference(text):
    from classifiers.algorithmic import bound_numbers
    from classifiers.lexicons import lower_words

    assert bound_numbers(lower_words(text)) == ref._bound_numbers(words_of(text.lower())), text
    _same(text)


#: Everyday code words with their markers, computing words and sentence ends (classifiers/code_words.py, versions
#: 50 and 51): the pieces above never build a text whose every code cue is one of them with a marker near. Fillers
#: are most pieces, so that a marker falls near a word, and just outside a window, often.
CODE_WORDS = ("node", "nodes", "bug", "bugs", "server", "thread", "threads", "loop", "error", "errors", "string",
              "strings", "Error", "rust", "Java", "pandas")
MARKERS = ("lymph", "swollen", "bite", "waiter", "tipping", "sewing", "guitar", "rope", "spelling", "standard", "margin",
           "bike", "coffee", "zoo", "borrow", "dataframe")
CODE_WORD_NOISE = ("memory", "app", "list", "List", "tree", "pool", "for", "fix", "stream", "error TS2322", "node.js",
                   "node's", "as a JSON array of strings", "as a JSON array", ";", "=", "`", ". ", "! ", "? ", ".\n",
                   "\n", ",", "é", "\u00a0", "\u2014", "x" * 45)
CODE_WORD_PIECES = (*CODE_WORDS, *MARKERS, *CODE_WORD_NOISE, *(("a", "the", "my", "x", "of") * 6))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(CODE_WORD_PIECES), max_size=24).map(" ".join)
       | st.lists(st.sampled_from(CODE_WORD_PIECES), max_size=24).map("".join),
       st.sampled_from(["", "", "", "x = 1; {"]))
def test_everyday_code_words_equal_the_reference(text, history):
    _same(text, history=history)


def test_everyday_code_word_windows_equal_the_reference():
    """The window edges, which random pieces seldom hit: a marker or a computing word d words away, either side, with
    or without a sentence end between, and a marker at the edge of AROUND_CHARS."""
    for word, marker, computing in (("node", "lymph", "memory"), ("errors", "spelling", "app")):
        for d in range(9):
            for end in ("", ". ", "? ", "\n", ".", ", "):
                gap = "a " * d
                for text in (f"{marker} {gap}{end}{word}", f"{word} {gap}{end}{marker}",
                             f"{marker} {word} {gap}{end}{computing}", f"{computing} {gap}{end}{marker} {word}"):
                    _same(text)
        for k in range(92, 106):
            _same(f"{marker} {'y' * k} {word}")
            _same(f"{word} {'y' * k} {marker}")


#: Pieces of letter tasks (version 57): the words of each kind's alternatives, quotes, single letters, numbers, decimals,
#: sentence ends, code and LaTeX that turn the reading off, and filler to push a task past the request's 400 characters.
LETTER_PIECES = ("how many", "letters", "letter", "vowels", "syllables", "characters", "in", "the", "word", "words", "name",
                 "sentence", "times", "does", "appear", "r's", "'r'", "count", "number of", "fifth", "7th", "last", "of",
                 "each", "every", "from the end", "spell", "backwards", "reverse", "sort", "alphabetical", "order",
                 "anagram", "are", "anagrams", "write", "a", "palindrome", "pangram", "lipogram", "is", "racecar",
                 "without", "no", "using", "e", "x", "'e'", "“a”", "line", "lines", "starts", "begin", "ends", "with",
                 "capital", "first", "spell out", "one", "longer", "under", "40", "exactly", "12", "ten", "8", "twenty-one",
                 "which", "larger", "bigger than", "9.11", "9.9", "3.5", "or", "vs.", ",", ". ", "? ", "!", "\n", " ", "-",
                 "write a function", "python", "```", "$x$", "\\frac", "İ", "filler " * 20,
                 # version 61: format instructions that are no task, and the new alternatives
                 "sentences", "four", "five", "seven", "hundred", "one hundred", "150", "151", "7", "2000", "has",
                 "at most", "no longer than", "'i remember'", "i", "rhymes", "same", "consecutive", "next", "b", "c",
                 "to", "in reverse", "chronological", "count the", "r's", "appears", "syllable", "characters")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(LETTER_PIECES), max_size=40).map(" ".join)
       | st.lists(st.sampled_from(LETTER_PIECES), max_size=40).map("".join))
def test_letter_tasks_equal_the_reference(text):
    from classifiers.letter_tasks import letter_tasks

    assert letter_tasks(text) == ref._letter_tasks(text), text
    _same(text)


#: A puzzle's rules (version 102): each kind's idioms and trigger words, look-alikes, a question, code and LaTeX.
PUZZLE_PIECES = ("always lies", "always tells the truth", "tell the truth", "truth-teller", "truth tellers", "liar", "knight", "knave", "knaves",
                 "exactly one of", "exactly two", "each painted a different", "every box a different", "no two", "all different",
                 "different-colored", "one of which", "one of them", "without looking", "without", "blindfold", "blindfolds",
                 "every label is wrong", "all are incorrect", "mislabeled", "is wrong", "left alone with", "alone",
                 "balance scale", "weighings", "heavier or lighter", "can carry only", "can only", "only one", "at a time",
                 "at most", "either", "neither", "cannot", "can't", "not allowed", "may not", "immediately to the left",
                 "next to", "in a row", "left", "Who", "which", "how do you", "?", ".", ",", "\n", " ", "the", "a", "box", "code",
                 "def f():", "```", "$x$", "word " * 60, "How many r's are in 'berry'?", "I", "my", "we",
                 "each weighing", "weighing", "One is lighter.")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PUZZLE_PIECES), max_size=30).map(" ".join))
def test_puzzle_rules_equal_the_reference(text):
    from classifiers.lexicons import lower_words
    from classifiers.puzzle_rules import puzzle_rules

    assert puzzle_rules(text, set(lower_words(text))) == ref._puzzle_rules_ref(text, words_of(text.lower())), text
    _same(text)


#: Unicode math (version 97: plain_math.ascii_reading): superscripts and subscripts in runs, signs read as ASCII or
#: counted, units of length before a square or cube, operators after one, ASCII math, logic letters, and prose in
#: other scripts (Chinese, Russian, Greek) with its punctuation.
UNICODE_MATH_PIECES = ("x", "y", "n", "p", "q", "e", "3", "54", "1000", " ", "\n", "(", ")", "+", "-", "=", "<", "^2", "/", ",", ". ",
                       "²", "³", "⁴", "¹⁰", "ⁿ", "ˣ", "⁻¹", "⁺", "⁻", "₀", "₁", "₂", "ₙ", "−", "≤", "≥", "≠", "≈", "→", "⇒", "↔",
                       "⇔", "¬", "∧", "∨", "∀", "∃", "√", "∛", "∫", "∑", "∏", "∂", "∇", "∈", "⊆", "∪", "∩", "∞", "π", "θ",
                       "×", "÷", "·", "½", "m", " m", "cm", "km", "ft", "per ", "sq ", "/s", "€", "Solve", "Find", "prove",
                       "all integers", "log", "sqrt(", "x^2 - 3y^2 = 1", "0 < x", "请解方程", "的面积", "квартира", "решите",
                       "Λύσε", "η εξίσωση", "Fe³⁺", "H₂O", "1920×1080", "A → B", "≈ 5 minutes", "50 m²", "what is",
                       "ω", "α", "Ω", "μ", "ϕ", "ο", "Η", "ή", "5 μm", "10 kΩ", "F(ω)", "iωt", "λόγος", "ℝ", "ℤ", "∅", "∉", "⊇", "∮",
                       "_", "é")  # Unicode math as notation (version 108)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(UNICODE_MATH_PIECES), max_size=30).map("".join)
       | st.lists(st.sampled_from(UNICODE_MATH_PIECES), max_size=30).map(" ".join))
def test_unicode_math_equals_the_reference(text):
    from classifiers.latex import unicode_math
    from classifiers.math_hardness import hardness
    from classifiers.plain_math import ascii_reading, plain_notation

    assert ascii_reading(text) == ref._ref_ascii_reading(text), text
    assert plain_notation(text) == ref._plain_notation_ref(text), text
    assert hardness(text) == ref._ref_hardness(text), text
    assert unicode_math(text) == ref._unicode_math_ref(text), text
    _same(text)


@pytest.mark.parametrize("topic", ["python: ", "Pandas question: ", "In Python, ", "Using React, ", "with sql ", "Hi! Rust: ",
                                   "I'm writing a Flask app. In Python, ", "Task: "])
@pytest.mark.parametrize("rest", ["how do I print hello world?", "write a function that reverses a list.", "what is a monad",
                                  "now how do I sort a dict by value?"])
def test_a_topic_before_the_question_reads_as_the_reference(topic, rest):
    _same(topic + rest)  # version 98


#: Version 114's question rules: a "please" before the opener, a label's colon, a frame of wondering or a polite
#: opener's check before "if" / "whether" (and "you" after it), a polite opener's addressee or missing subject, runs of "?".
FRAME_PIECES = ("please", "Please,", "pls", "plz", "do", "can", "Could", "would", "will", "you", "u", "someone", "dogs", "not", "be",
                "check", "see", "if", "whether", "I'm", "i", "was", "wondering", "wonder", "just", "Explain:", "explain", "what",
                "now", "hi", "python:", "write", "this", "code", "is", "thread-safe", "?", "??", "?!", ".", "\n")
QUESTION_FRAMES = ("Could you see if you can optimize this SQL query", "Could you please check if you can write a parser in Rust?",
                   "Now could you please check if you can fix it?",
                   "Can you please check if this code is thread-safe?", "Could not find module 'react' when running npm start",
                   "Could not resolve host: github.com", "Would be great if you could write a parser",
                   "I was wondering if you could write a parser.", "I wonder whether I should learn Rust", "Why?? Really???",
                   "Please explain: what is a monad?", "pls can you check whether u can fix it", "can dogs eat grapes",
                   "Can you please explain how to implement a red-black tree in C with deletion")


@pytest.mark.parametrize("text", QUESTION_FRAMES)
def test_question_frames_equal_the_reference(text):
    _same(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FRAME_PIECES), min_size=1, max_size=12).map(" ".join))
def test_question_frames_equal_the_reference_on_a_soup_of_frame_words(text):
    _same(text)
