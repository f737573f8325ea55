"""Exception class names as code cues (``classifiers/code_names.py``, version 53)."""


import pytest

from classifiers.code_names import MAX_EXCEPTIONS, exception_names
from classifiers.feature_schema import FEATURE_NAMES
from tests.classifiers.conftest import turn_features as _features

#: Programming questions whose only code evidence is the exception they name (review_s38 F10).
EXCEPTION_QUESTIONS = [
    "Why does self.x raise an AttributeError when x is None?",
    "How do I avoid a NullPointerException when the list might be empty?",
    "Getting a ConcurrentModificationException while removing items. How do I fix it?",
    "Why does my test throw an IllegalArgumentException only on CI?",
]
EXCEPTIONS = ["AttributeError", "KeyError:", "NullPointerException", "IndexOutOfBoundsException", "ZeroDivisionError",
              "HTTPError", "TypeErrors", "DeprecationWarning", "(ValueError)", "raise E1Error"]
NOT_EXCEPTIONS = ["Error", "human error", "TerrorAlert", "Terror", "ERROR", "error: file not found", "my_Error",
                  "404Error", "Exceptional", "Warnings", "Erreur", "ÄError", "Weather Warning", "A" * 70 + "Error"]
#: Everyday requests that say error, exception or warning.
EVERYDAY = [
    "Write a tagline for a security company called TerrorAlert.",
    "That was a simple human error on my part. How do I apologize to my team?",
    "Is there an Exception clause in a standard rental contract?",
    "The Storm Warning on the radio said to stay inside. What should I stock up on?",
]


@pytest.mark.parametrize("text", EXCEPTIONS)
def test_exception_names_count(text):
    assert exception_names(text) == 1


@pytest.mark.parametrize("text", NOT_EXCEPTIONS)
def test_error_as_a_word_is_no_exception_name(text):
    assert exception_names(text) == 0


@pytest.mark.parametrize("text", EXCEPTION_QUESTIONS)
def test_a_question_naming_an_exception_has_a_code_cue(text):
    """Before version 53 each had no code cue and no code domain."""
    h = _features(text)
    assert h[FEATURE_NAMES.index("code cues")] > 0
    assert h[FEATURE_NAMES.index("code domain")] > 0.1


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_error_words_are_no_code_cue(text):
    assert exception_names(text) == 0


def test_the_scan_is_bounded():
    assert exception_names("KeyError " * 1000) == MAX_EXCEPTIONS
    assert exception_names("KeyError ValueWarning IOException " * 100) == 3 * MAX_EXCEPTIONS
    for text in ("Error" * 800, "aError " * 600, "A" * 4000 + "Error", "x" * 4000):  # no name: run-ons, no capital
        assert exception_names(text) == 0
