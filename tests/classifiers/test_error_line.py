"""A short question about one everyday error line, or a "What's …" question, is no request for a program
(``classifiers/error_line.py``, ``request_question.QUESTION_OPENERS``, version 58); a hard bug told in a few words, or a
greeting before a request, is no such question (review_s40 H3, M1, L2, L3: version 62)."""


import pytest

from classifiers.built_code import BUILD_VERBS
from classifiers.error_line import CODE_REQUEST_WORDS, ERROR_LINE_MAX_CHARS, asks_about_an_error
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.lexicons import lower_words
from classifiers.written_code import WRITE_VERBS
from tests.classifiers.conftest import turn_features as _features

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
#: Textbook errors whose message holds a hard bug's stem ("only", "random"): version 58 read the stems in the error.
HARD_WORD_IN_THE_ERROR = [
    'TypeError: can only concatenate str (not "int") to str. How do I fix it?',
    "AttributeError: module 'random' has no attribute 'randint'",
    "OSError: [Errno 30] Read-only file system",
]
#: Hard bugs told in a few words beside the error: version 58 read them as look-ups (0.37-0.51, from 0.69-0.85).
HARD_BUGS_TOLD_SHORT = [
    # where it happens, after an unquoted message (review_s40_b M5: 0.83 at the session start, 0.47 on 7.51.0)
    "panic: runtime error: index out of range [5] with length 5 in my Go implementation of a B+ tree split. How do I fix it?",
    "error: lifetime may not live long enough. I'm returning a reference from a closure in Rust, how do I fix it?",
    ("RecursionError: maximum recursion depth exceeded when I deepcopy my graph of 10k nodes. How do I fix it without "
    "raising the limit?"),
    ("UnboundLocalError: local variable 'count' referenced before assignment, but count is defined in the enclosing "
    "function. Why?"),
    "SQL error: ORA-00979: not a GROUP BY expression. My query groups by dept_id but selects dept_name. Why?",
    ("Getting IndexError: list index out of range in my binary search when the target is larger than every element. "
    "What's the edge case?"),
    "git says fatal: refusing to merge unrelated histories. How do I combine both repos and keep all history?",
    "Make a Python class that raises ValueError on negative deposits.",
    # an exception's name with no ":" after it: what follows tells the bug, not the message
    "StackOverflowError in my recursive descent parser on deeply nested JSON. How do I make it iterative?",
]
#: A greeting before a request for a program (version 58 read "What's" / "How's" opening them as questions).
GREETED_REQUESTS = [
    "Whats up, implement a thread-safe LRU cache in C++ with O(1) operations.",
    "What's up! Write me a Python script that renames every file in a folder by its creation date.",
    "How's it going? I need a Java class for a bank account with deposit, withdraw and overdraft checks.",
    "What's good! Build a REST API in Go with JWT auth and rate limiting.",
]
#: ... and questions that open with a greeting's words or follow one.
GREETED_QUESTIONS = [
    "What's up with my loop? It never stops when the list is empty.",
    "Hi! How do I read a file line by line in Python?",
    "How are you supposed to close a channel in Go when there are several senders?",
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


@pytest.mark.parametrize("text", ERROR_QUESTIONS + HARD_WORD_IN_THE_ERROR)
def test_an_error_line_question_is_no_program(text):
    """Before version 58 each read as a request for a program: the length prior 1.6-1.9 (the expensive tier); version
    58 matched "only " and "random" inside the message, so textbook errors such as these stayed programs (0.75-0.81)."""
    assert asks_about_an_error(text, lower_words(text))
    assert _features(text)[PRIOR] == 0.0


@pytest.mark.parametrize("text", WHATS_QUESTIONS)
def test_whats_opens_a_question(text):
    """ "What's" read as no question opener, so the 245 request characters were added: length prior 1.7."""
    assert _features(text)[PRIOR] < 0.5


@pytest.mark.parametrize("text", NOT_ERROR_QUESTIONS + HARD_BUGS_TOLD_SHORT)
def test_pasted_code_hard_bugs_and_requests_stay_programs(text):
    """Pasted code, requests, and hard bugs told beside the error (more than a bare question: version 58 gave those
    prior 0) stay requests for a program."""
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
    """A text longer than ERROR_LINE_MAX_CHARS is not read (its cost is measured in bench/classifier_bench.py)."""
    text = "IndentationError: unexpected indent. " * 20_000
    assert not asks_about_an_error(text, [])
    assert len(text) > ERROR_LINE_MAX_CHARS and asks_about_an_error(text[:37] + "What does it mean?", [])


@pytest.mark.parametrize("text", GREETED_REQUESTS)
def test_a_greeting_opens_no_question(text):
    """Version 58 read "What's up" / "How's it going" as a question opener: no request characters (prior < 1.2)."""
    assert _features(text)[PRIOR] > 1.5


@pytest.mark.parametrize("text", GREETED_QUESTIONS)
def test_questions_after_or_like_a_greeting_stay_questions(text):
    assert _features(text)[PRIOR] < 1.0


def test_the_write_verbs_are_the_shared_lists():
    """Review L3: the error rule's write verbs are written_code's and built_code's (version 58 had a hand list of its
    own, without "escribe", "napisz" …)."""
    assert set(WRITE_VERBS) | BUILD_VERBS <= CODE_REQUEST_WORDS
