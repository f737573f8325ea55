"""What "write" asks for: a writing cue, unless what is to be written is code (a correction of
the lexicon counts of ``classifiers.lexicons``); and what a request for a program weighs in the length prior."""

from __future__ import annotations

import math

from classifiers.lexicons import LEXICON_NAMES

#: "Write" is a writing cue unless what is to be written is code: "write a function", "write a Python
#: script", "write unit tests" ask for code ("Write a function that merges k sorted lists" read as
#: writing, and the writing domain closed the length prior). Between the verb and the code noun at
#: most ``WRITE_CODE_GAP`` filler words: articles, plain adjectives, languages. A script, query, test
#: or expression is code only right after a language ("a bash script", "an SQL query", "unit tests",
#: "a regular expression"): "write a script for the opening scene", "a query term", "a test for my
#: students", "an expression for the area" are not. In eight more languages the verbs and nouns of a
#: request for a function, program, class or algorithm ("Napisz funkcję w Pythonie", "Escribe una función").
WRITE_VERBS = ("write", "rewrite",
               # the writing verbs of the cue lexicons in other languages (lexicons_intl), as they open a request
               "escribe", "escriba", "escribir", "escreva", "escrever", "écris", "écrivez", "écrire", "schreibe", "schreib",
               "schreiben", "scrivi", "scrivere", "schrijf", "napisz", "напиши", "напишите", "написать")
WRITE_LANGUAGES = frozenset((
    "unit", "regular", "python", "java", "javascript", "typescript", "c", "c++", "c#", "rust", "go", "golang", "bash",
    "shell", "sql", "ruby", "php", "kotlin", "swift", "r", "matlab", "scala", "haskell", "perl", "lua",
    "powershell",
))
WRITE_FILLERS = WRITE_LANGUAGES | frozenset((
    "a", "an", "the", "me", "us", "some", "my", "our", "this", "that", "two", "three", "simple", "small",
    "short", "quick", "new", "basic", "recursive", "efficient", "complete",
    "un", "una", "une", "uma", "um", "ein", "eine", "einen", "mir", "mi", "moi", "mnie", "мне",
))
WRITE_CODE_NOUNS = frozenset((
    "function", "functions", "program", "programs", "code", "class", "classes", "method", "methods", "regex",
    "api", "algorithm", "module", "implementation", "snippet", "parser", "decorator", "endpoint",
    # the same in the languages of those verbs (the cases a request puts them in)
    "función", "funcion", "funciones", "função", "funções", "fonction", "fonctions", "funktion", "funktionen", "funzione",
    "funzioni", "functie", "funkcję", "funkcje", "funkcja", "функцию", "функции", "функция", "programa", "programme",
    "programm", "programma", "programu", "программу", "программа", "código", "codigo", "kod", "код", "clase", "classe",
    "klasse", "klasę", "класс", "algoritmo", "algorithmus", "algorytm", "алгоритм",
))
WRITE_LANGUAGE_NOUNS = frozenset(("script", "scripts", "query", "queries", "test", "tests", "expression", "expressions"))
WRITE_CODE_GAP = 3
_WRITING_ID, _CODE_ID = LEXICON_NAMES.index("writing"), LEXICON_NAMES.index("code")


def move_written_code(counts: list[int], words: list[str]) -> list[int]:
    """``counts`` (of ``lexicon_counts(words)``) with each "write <code>" counted as a code cue
    instead of a writing cue. The verbs are found with ``list.index`` (a C scan; a regex over
    the joined words cost 55 us on 2,000 characters)."""
    if not counts[_WRITING_ID]:
        return counts
    moved = 0
    for verb in WRITE_VERBS:
        i = -1
        while True:
            try:
                i = words.index(verb, i + 1)
            except ValueError:
                break
            moved += _writes_code(words, i)
    moved = min(moved, counts[_WRITING_ID])
    counts[_WRITING_ID] -= moved
    counts[_CODE_ID] += moved
    return counts


def _writes_code(words: list[str], i: int) -> bool:
    """Whether the verb ``words[i]`` is followed by a code noun after at most ``WRITE_CODE_GAP``
    fillers (a script, query, test or expression only right after a language)."""
    j, end = i + 1, min(len(words), i + 1 + WRITE_CODE_GAP)
    while j < end and words[j] in WRITE_FILLERS:
        j += 1
    noun = words[j] if j < len(words) else ""
    if noun in WRITE_CODE_NOUNS:
        return True
    if noun in WRITE_LANGUAGE_NOUNS:
        return words[j - 1] in WRITE_LANGUAGES  # words[i], the verb, is none
    return noun in WRITE_LANGUAGES and j + 1 < len(words) and words[j + 1] in WRITE_LANGUAGE_NOUNS


#: In a request for a program (the code domain above math and reasoning, not opened as a question) the
#: statement counts this many characters more in the length prior: a short request to write code
#: ("Write a function that merges k sorted lists.") is no short problem, as a short closed problem is —
#: the work it asks for is not in its words —, and a longer one still ranks above a shorter one. Such
#: requests fail weak models more than the rest (arena_bench mean target 0.61 vs 0.54; alpaca's oasst /
#: selfinstruct / vicuna 0.48 / 0.48 / 0.50 vs 0.40 / 0.40 / 0.42): LOSO APGR arena_bench 0.569 → 0.607
#: (paired 95 % [+0.011, +0.095]), alpaca_eval 0.574 → 0.577; MATH, GSM8K, LeetCode, BBH within 0.002 (150 / 400 characters: arena_bench
#: 0.603 / 0.613, LeetCode 0.297 / 0.292; a floor at 245 instead, which flattens the order of short
#: requests, 0.606). Short code-writing requests now score 0.74–0.79 (docs/classifier.md, version 29).
CODE_REQUEST_EXTRA_CHARS = 245
#: First words of a question, to which those characters are not added: a question about code ("How do I read a
#: file line by line in Python?", "What does yield do?") is no request for a program (on arena_bench
#: such prompts fail weak models no more than the rest: mean target 0.52 vs 0.54; requests 0.61); nor
#: is a follow-up opened with "Now" ("Now do the same in Java."), which its conversation scores.
QUESTION_OPENERS = frozenset(("how", "what", "why", "when", "which", "where", "who", "is", "are", "can", "could", "does", "do",
                              "should", "would", "will", "explain", "tell", "now"))


def program_request_length(ln_problem: float, words: list[str]) -> float:
    """The log-characters the length prior reads for a code-domain prompt: its statement's, and
    ``CODE_REQUEST_EXTRA_CHARS`` more unless its first word opens a question (or a follow-up)."""
    if words and words[0] in QUESTION_OPENERS:
        return ln_problem
    return math.log(math.exp(ln_problem) + CODE_REQUEST_EXTRA_CHARS)
