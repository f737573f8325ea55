"""A request for a program keeps its program reading when it writes an input's bound or a modulus (version 51):
"implement" code (``classifiers/built_code.py``), and the numbers of a large
bound or a modulus are no math beside a program (``algorithmic.bound_numbers``)."""

import pytest


@pytest.mark.parametrize(("text", "builds"), [
    ("Implement a function that counts the paths in a grid.", True),
    ("Implement a segment tree with lazy propagation.", True),
    ("Implement an LRU cache.", True),  # "implement" reads its object as "write" does
    ("Please implement the parser in Rust.", True),
    ("Implement a rate limiter service for an API gateway.", True),  # an ambiguous part after a part
    ("Design a rate limiter for an API gateway and explain the trade-offs.", False),  # a design, often in words
    ("Build a Python class for a bank account.", True),  # a class after a language
    ("Create a Blender Python script that animates 1000 spheres.", True),
    ("Create a function in Python that merges two sorted lists.", True),
    ("Develop a web service in Go.", True),  # "in Go" after a program's part
    ("Develop a service culture in our stores.", False),
    ("Create a function that takes an integer n and returns the sum of its digits.", True),
    ("Build a trie that stores 10^5 words.", True),
    ("Create a Discord bot that rolls dice.", True),  # review_s39_third R1: a program's part, a code noun
    ("Build a linked list that supports removal.", True),  # a part of its kind
    # lessons, plans and algebra's functions (version 52, review_s39_final N1)
    ("Create a function f(x) whose graph passes through (1, 2) and (3, 8), and find its slope.", False),
    ("Develop a function of x that gives the area of a rectangle with perimeter 20, then maximize it.", False),
    ("Create a module on fractions for my 4th graders.", False),
    ("Create an implementation plan for the new hybrid work policy.", False),
    ("Create a Python module that parses log files.", True),  # after a language
    ("Create a class schedule for five teachers.", False),  # a school's class
    ("Design a training program for a marathon.", False),
    ("Create a program for the wedding ceremony.", False),  # an evening's program
    ("Design a pool for my backyard.", False),  # a part built outside code
    ("Build a library for the village school.", False),
    ("Create a stack of thank-you cards.", False),
    ("Design a logo for a bakery.", False),
    ("Implement the new vacation policy across the team.", False),
])
def test_build_verbs_make_code_when_their_object_is_code(text, builds):
    from classifiers.built_code import builds_code
    from classifiers.lexicons import lower_words

    assert builds_code(lower_words(text)) is builds


@pytest.mark.parametrize(("text", "numbers"), [
    ("Implement a segment tree with n up to 10^5.", 2),
    ("Write a function for up to 2 * 10^5 queries.", 3),  # the coefficient too
    ("Write a function for 1 <= n <= 10^5.", 2),  # the lower bound 1 stays a number
    ("Write a function that returns the count modulo 10^9 + 7.", 3),
    ("Write a function that returns the count mod 10**9+7.", 3),
    ("Write a function that returns the count mod 1e9 +7.", 3),
    ("Write a function for n up to 1e5.", 2),
    ("Write a function for n up to 10\u2075.", 1),  # the superscript is no digit of a number
    ("Write a function for n up to 1000.", 0),  # no large bound
    ("Write a function that returns n modulo 10.", 0),  # a last digit
    ("How many divisors does 10^6 have?", 0),  # names no program
    ("What is 10**9+7 modulo 13?", 0),
])
def test_bound_numbers_are_those_of_a_bound_or_a_modulus(text, numbers):
    from classifiers.algorithmic import bound_numbers
    from classifiers.lexicons import lower_words

    assert bound_numbers(lower_words(text)) == numbers


def _prior(text: str) -> float:
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    return handcrafted(as_conversation(text))[PRIOR_FEATURE]


@pytest.mark.parametrize(("bounded", "plain"), [
    ("Implement a segment tree that supports range minimum queries and point updates, with n up to 10^5.",
     "Implement a segment tree that supports range minimum queries and point updates, with n up to 100000."),
    ("Implement a data structure that supports insert, delete and get-median, with up to 2 * 10^5 operations.",
     "Implement a data structure that supports insert, delete and get-median, with up to 200000 operations."),
    ("Code a C++ routine that sorts 10^7 integers in under a second.",
     "Code a C++ routine that sorts ten million integers in under a second."),
    ("Implement a function that counts the lattice paths in a grid modulo 10**9+7, for grids up to 1000 by 1000.",
     "Write a function that counts the lattice paths in a grid modulo 10**9+7, for grids up to 1000 by 1000."),
])
def test_a_bound_keeps_the_program_reading(bounded, plain):
    """Before version 51 "10^5" was two numbers, the math domain tied the code domain and the request lost its
    REQUEST_EXTRA_CHARS: 0.55 against 0.88 with "100000"; "Implement …" against "Write …" 0.62 against 0.88."""
    assert _prior(bounded) > 2.0
    assert _prior(bounded) >= _prior(plain) - 0.05  # (a bound written 10^k is an algorithmic cue too, 200000 none)


@pytest.mark.parametrize("text", [
    "Find the last digit of 7^2024.",
    "How many divisors does 10^6 have?",
    "How many positive integers less than 10^4 are divisible by 7 but not by 11?",
    "What is 10**9+7 modulo 13?",
    "Create a class schedule for 5 teachers and 12 rooms.",
    "My salary is 10^5 dollars a year; how much should I save each month?",
    "Create a function f(x) whose graph passes through (1, 2) and (3, 8), and find its slope.",  # review_s39_final N1
])
def test_math_and_everyday_texts_keep_their_reading(text, monkeypatch):
    """A math problem with powers names no program: neither rule moves it."""
    before = _prior(text)
    monkeypatch.setattr("classifiers.features.builds_code", lambda words, present=None: False)
    monkeypatch.setattr("classifiers.features.bound_numbers", lambda words: 0)
    assert _prior(text) == before
