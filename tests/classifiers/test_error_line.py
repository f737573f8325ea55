"""A short question about one everyday error line, or a "What's …" question, is no request for a program
(``classifiers/error_line.py``, ``written_code.QUESTION_OPENERS``, version 58)."""

import time

import pytest

from classifiers.error_line import ERROR_LINE_MAX_CHARS, asks_about_an_error
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.features import handcrafted
from classifiers.lexicons import lower_words
from classifiers.text import Conversation

PRIOR = FEATURE_NAMES.index("length in a closed problem")

#: One error line and a question about it (before version 58: a request for a program, 0.73-0.82).
ERROR_QUESTIONS = [
    "IndentationError: unexpected indent. What does this mean?",
    "git says 'fatal: not a git repository (or any of the parent directories): .git'. What did I do wrong?",
    "My Python script says ModuleNotFoundError: No module named 'requests'. What do I do?",
    "Python: NameError: name 'pd' is not defined. Help?",
    "Getting TypeError: 'NoneType' object is not subscriptable in my Flask view. What usually causes that?",
    "Java keeps throwing ArrayIndexOutOfBoundsException: Index 5 out of bounds for length 5. What does it mean?",
    "npm ERR! code ENOENT appears when I run npm install in my React project. What's going on?",
    "My terminal prints 'zsh: permission denied: ./run.sh' when I try to start the script. Why?",
]
#: Keyword questions opened by a contracted question word (before version 58: requests for a program, 0.74-0.76).
WHATS_QUESTIONS = [
    "What's the difference between let and const in JavaScript?",
    "What's the difference between a struct and a class in C++?",
    "Whats the difference between append and extend for Python lists?",
]
#: Errors that stay requests for a program: code or a traceback pasted, a request to write code, a hard bug, a long story.
NOT_ERROR_QUESTIONS = [
    "After upgrading to Python 3.12 our asyncio service randomly raises RuntimeError: Event loop is closed on shutdown.",
    "My Spark job fails with java.lang.OutOfMemoryError: GC overhead limit exceeded on 2 TB of data. How should I rewrite it?",
    "Write a Python function that retries an HTTP request up to 3 times when it raises ConnectionError.",
    "Implement a context manager that suppresses FileNotFoundError but logs every other OSError.",
    "Fix this function, it raises KeyError:\n```python\ndef get(d, k):\n    return d[k]\n```",
    "I get a ValueError from this code:\n    x = int(input())\n    print(10 / x)\nWhy?",
    'Traceback (most recent call last):\n  File "main.py", line 3, in <module>\nModuleNotFoundError: No module named "numpy"',
    "My C++ code gives error: no matching function for call to 'push_back' after I compile with g++. Why?",
]
#: ... and errors not read as one error line that other features already keep out of the program reading.
NOT_ONE_LINE = [
    "const total = 0\ntotal += 5\nTypeError: Assignment to constant variable.\nWhy?",
    "KeyError: 'port' " + "when my config loader reads the settings file and merges the defaults " * 4 + "Why?",
    "Segmentation fault: my C extension crashes only in release builds with -O2; valgrind shows an invalid read.",
]


def _features(text: str) -> list[float]:
    return handcrafted(Conversation(last_user=text, system="", history="", n_user_turns=1, n_messages=1))


@pytest.mark.parametrize("text", ERROR_QUESTIONS)
def test_an_error_line_question_is_no_program(text):
    """Before version 58 each read as a request for a program: the length prior 1.6-1.9 (the expensive tier)."""
    assert asks_about_an_error(text, lower_words(text))
    assert _features(text)[PRIOR] == 0.0


@pytest.mark.parametrize("text", WHATS_QUESTIONS)
def test_whats_opens_a_question(text):
    """ "What's" read as no question opener, so the 245 request characters were added: length prior 1.7."""
    assert _features(text)[PRIOR] < 0.5


@pytest.mark.parametrize("text", NOT_ERROR_QUESTIONS)
def test_pasted_code_hard_bugs_and_requests_stay_programs(text):
    assert not asks_about_an_error(text, lower_words(text))
    assert _features(text)[PRIOR] > 1.0


@pytest.mark.parametrize("text", NOT_ONE_LINE)
def test_code_lines_a_long_story_or_a_hard_bug_are_no_error_line(text):
    assert not asks_about_an_error(text, lower_words(text))


def test_an_error_word_outside_code_changes_nothing():
    """The reading only undoes a program's: a math problem that names an error keeps its closed-problem prior."""
    text = "Find the error: 3x + 5 = 20 so x = 4. Solve 3x + 5 = 20 correctly and show each step."
    assert _features(text)[PRIOR] > 0.0


def test_the_reading_is_bounded():
    text = "IndentationError: unexpected indent. " * 20_000
    start = time.perf_counter()
    assert not asks_about_an_error(text, [])
    assert time.perf_counter() - start < 0.001
    assert len(text) > ERROR_LINE_MAX_CHARS
