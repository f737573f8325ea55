"""Pasted code (``classifiers/code_blocks.py``): the length prior reads the statement, not the code."""

import pytest

from classifiers.lexicons import LEXICON_NAMES


@pytest.mark.parametrize("layout", ["```python\n{code}\n```", "{indented}"])
def test_pasted_code_is_no_longer_problem(layout):
    """The length prior reads the question, not the code pasted with it (fenced or indented): a
    question over 40 lines of code read 3.07 log-characters of problem, over 4 lines 1.24 (now 0.23 for both)."""
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    def prior(lines: int) -> float:
        code = "\n".join(f"def step_{i}(state):\n    return state.get('k{i}', {i}) + 1" for i in range(lines // 2))
        indented = "\n".join("    " + line for line in code.split("\n"))
        text = "Why does this Python function raise a KeyError when the key exists?\n" + layout.format(code=code, indented=indented)
        return handcrafted(as_conversation(text))[PRIOR_FEATURE]

    assert prior(4) > 0 and prior(40) == pytest.approx(prior(4))


def test_a_docstring_is_the_problem_statement():
    """A function stub states its task in the docstring (HumanEval's format): the length prior reads
    it, so a stub with a longer spec reads as a longer problem (1.31 → 2.39; read as pasted code, both 0.29)."""
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    def prior(examples: int) -> float:
        doc = "\n".join(f"    >>> merge_intervals([[{i}, {i + 2}], [{i + 1}, {i + 5}]])\n    [[{i}, {i + 5}]]" for i in range(examples))
        text = ("Complete the following python function:\ndef merge_intervals(intervals):\n    \"\"\"Merge all "
                f"overlapping intervals and return them sorted by start.\n{doc}\n    \"\"\"\n")
        return handcrafted(as_conversation(text))[PRIOR_FEATURE]

    assert prior(8) > prior(1) + 0.9


@pytest.mark.parametrize(("text", "floored"), [
    ("Write a function that merges k sorted lists.", True),
    ("Write a Python function that reverses a string.", True),
    ("Napisz funkcję w Pythonie, która odwraca napis.", True),  # "write a function" in Polish
    ("Escribe una función en Python que invierta una cadena.", True),
    ("How do I merge k sorted lists in Python?", False),  # a question about code
    ("What does the yield keyword do in Python?", False),
    ("Now do the same in Java.", False),  # a follow-up: its conversation scores it
    ("Write a poem about the sea.", False),  # no code
    ("Prove that there are infinitely many primes.", True),  # a request for a proof (version 30)
    ("Show that every bounded monotone sequence of real numbers converges.", True),
    ("Provide a proof of the Banach fixed point theorem.", True),
    ("Beweise, dass es unendlich viele Primzahlen gibt.", True),
    ("Докажите, что простых чисел бесконечно много.", True),
    ("证明存在无穷多个素数。", True),  # no spaces between words: a part of the text
    ("소수가 무한히 많다는 것을 증명하세요.", True),
    ("Let me show you: 证明存在无穷多个素数。", True),  # a "show" that asks for no proof beside the stem (version 105)
    ("Can you prove that there are infinitely many primes?", True),  # a polite request
    ("Could you please write a Python function that reverses a string?", True),
    ("Can you explain how to merge k sorted lists in Python?", False),  # a question about code
    ("Can you?", False),
    ("Write a proof of concept for a calculator that adds two numbers.", False),  # no proof
    ("Show me three prime numbers.", False),
    ("Write a function to find the n-th Newman–Shanks–Williams prime number.", True),  # math words (version 36)
    ("Write a program to compute the sum of integers from k to n.", True),
])
def test_a_short_request_for_a_program_is_no_short_problem(text, floored):
    """In a request for a program or a proof the length prior reads the statement as 245 characters
    longer (``REQUEST_EXTRA_CHARS``): on arena_bench such requests fail weak models more than the rest,
    while questions about code do not (LOSO APGR 0.569 → 0.607)."""
    import math

    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import LENGTH_ANCHOR, handcrafted
    from classifiers.inference import as_conversation
    from classifiers.written_code import REQUEST_EXTRA_CHARS

    prior = handcrafted(as_conversation(text))[PRIOR_FEATURE]
    assert (prior > 0.5 * (math.log(REQUEST_EXTRA_CHARS) - LENGTH_ANCHOR)) is floored, prior


def test_a_math_rewrite_is_no_request_for_a_program():
    """MATH's "Rewrite the function … in the form …" is no request for a program (no ``REQUEST_EXTRA_CHARS``); since
    version 92 its formula reads 50 characters longer for its two variables (``math_hardness``), no more."""
    import math

    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import LENGTH_ANCHOR, handcrafted
    from classifiers.inference import as_conversation
    from classifiers.written_code import REQUEST_EXTRA_CHARS

    text = "Rewrite the function $f(t) = \\cos (2 t)+\\sin (2 t)$ in the form $A \\cos (\\omega t-\\phi)$."
    prior = handcrafted(as_conversation(text))[PRIOR_FEATURE]
    assert prior < math.log(len(text) + REQUEST_EXTRA_CHARS) - LENGTH_ANCHOR - 0.5, prior


@pytest.mark.parametrize("text, floored", [
    ("a string", False), ("dict not list", False), ("in python", False), ("same error", False), ("numpy array", False),
    ("and in rust?", False), ("prove it", False), ("write a function", False),  # fragments: a topic, no task (version 41)
    ("implement a trie in Rust", True), ("can you write code?", True),  # four words state a task
    ("fix this:\n```python\nfor i in range(10)\n    print(i)\n```", True),  # a short instruction over pasted code
    ("如何证明拉格朗日中值定理", True),  # dense-script characters count as words (an arena-hard request for a proof)
])
def test_a_fragment_is_no_request_for_a_program(text, floored):
    """A turn of fewer than ``REQUEST_MIN_WORDS`` words names a topic, not a task: its one code cue made the code domain
    rule it and it read as a request for a program, 245 characters long (0.70, the medium tier, over trivia at 0.33)."""
    import math

    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import LENGTH_ANCHOR, handcrafted
    from classifiers.inference import as_conversation
    from classifiers.written_code import REQUEST_EXTRA_CHARS

    prior = handcrafted(as_conversation(text))[PRIOR_FEATURE]
    assert (prior > 0.5 * (math.log(REQUEST_EXTRA_CHARS) - LENGTH_ANCHOR)) is floored, prior


def test_a_fragment_scores_under_a_request_and_in_the_low_tier(default):
    score = lambda text: default.score([{"role": "user", "content": text}]).score
    for fragment in ("a string", "dict not list", "in python", "same error", "prove it"):
        assert score(fragment) < 0.40, fragment
        assert score(fragment) < score("Implement a B-tree with deletion in Rust.") - 0.2, fragment


def test_a_longer_request_for_a_program_still_reads_longer():
    """The extra characters are added, not a floor: the order of short requests by length stays."""
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    short = "Write a Python function that reverses a string."
    longer = "Write a Python function that reverses a string in place, keeps combining characters with their base and handles surrogate pairs."
    assert handcrafted(as_conversation(longer))[PRIOR_FEATURE] > handcrafted(as_conversation(short))[PRIOR_FEATURE] + 0.2


def test_a_request_for_a_program_outscores_a_question_about_code(default):
    score = lambda text: default.score([{"role": "user", "content": text}]).score
    assert score("Write a function that merges k sorted lists.") > score("How do I merge k sorted lists in Python?") + 0.2
    assert score("Napisz funkcję w Pythonie, która zwraca n-tą liczbę Fibonacciego.") > 0.6


def test_a_request_for_a_proof_outscores_trivia(default):
    """A short request for a proof is no one-liner: it scores like a request for a program, well
    above a question of its length (before version 30 both were low, 0.39 and 0.36)."""
    score = lambda text: default.score([{"role": "user", "content": text}]).score
    assert score("Prove that there are infinitely many primes.") > score("What is the capital city of France?") + 0.2
    assert default.score([{"role": "user", "content": "Prove that the square root of 2 is irrational."}]).score > 0.6


MBPP_REQUEST = "Write a function to count the number of ways to fill a 3 x n board with 2 x 1 dominoes."
MBPP_TESTS = "\nassert count_ways(2) == 3\nassert count_ways(8) == 153\nassert count_ways(12) == 2131"


@pytest.mark.parametrize("layout", ["{request}{tests}", "{request}{tests}\n", "```python\n# no tests here\n```\n{request}{tests}"])
def test_the_tests_of_a_request_for_a_program_are_code(layout):
    """MBPP's format: tests on lines of their own after the request. Their numbers are no quantities (six
    of them took the request into the math domain and out of the request length: 1.23 log-characters of
    problem against 1.78 for the bare request) and their characters no statement (version 36)."""
    from classifiers.feature_schema import FEATURE_NAMES, PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    bare = handcrafted(as_conversation(layout.format(request=MBPP_REQUEST, tests="")))
    tested = handcrafted(as_conversation(layout.format(request=MBPP_REQUEST, tests=MBPP_TESTS)))
    numbers = FEATURE_NAMES.index("numbers")
    assert tested[numbers] == bare[numbers]
    assert tested[PRIOR_FEATURE] == pytest.approx(bare[PRIOR_FEATURE], abs=0.01)
    assert tested[FEATURE_NAMES.index("prompt length")] > bare[FEATURE_NAMES.index("prompt length")] + 0.5  # the rest still reads it


def test_only_unfenced_unindented_assert_lines_are_tests():
    from classifiers.code_blocks import assert_lines

    text = "Write f.\nassert f(1) == 2\nasserts are fine\n    assert f(2) == 3\n```\nassert f(3) == 4\n```\nassert f(4) == 5"
    assert assert_lines(text) == "assert f(1) == 2\nassert f(4) == 5"
    assert assert_lines("Do not assert anything.") == ""


#: MBPP items as a chat harness sends them: the tests in a fence (an outside review's probes, s34).
EASY_TASK = ("Write a function to sort a list of tuples by the second element of each tuple.",
             [("assert sort_by_second([(1, 9), (2, 3), (3, 7), (4, 1), (5, 5), (6, 8), (7, 2)]) == "
               "[(4, 1), (7, 2), (2, 3), (5, 5), (3, 7), (6, 8), (1, 9)]"),
              "assert sort_by_second([(10, 20), (30, 10), (50, 30), (70, 40)]) == [(30, 10), (10, 20), (50, 30), (70, 40)]",
              "assert sort_by_second([(1, 1), (2, 2), (3, 3)]) == [(1, 1), (2, 2), (3, 3)]"])
HARD_TASK = (("Write a function to find the minimum number of operations (insert, delete, replace) to convert one "
              "string into another."), ["assert edit_distance('kitten', 'sitting') == 3",
                                      "assert edit_distance('flaw', 'lawn') == 2", "assert edit_distance('', 'abc') == 3"])


def _fenced(task: tuple[str, list[str]], indent: str = "") -> str:
    tests = "\n".join(indent + t for t in task[1])
    return f"{task[0]}\n\nYour code should pass these tests:\n```python\n{tests}\n```\nReturn only the Python function."


@pytest.mark.parametrize("indent", ["", "    "])
def test_fenced_or_indented_tests_give_no_quantities(indent):
    """Every ``assert`` line's numbers are no quantities, fenced or indented too (version 39): the fenced tests of a
    tuple-sorting task opened the math domain (numbers 0 → log 56) and it outranked edit distance (0.888 / 0.873)."""
    from classifiers.feature_schema import FEATURE_NAMES
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    fenced = handcrafted(as_conversation(_fenced(EASY_TASK, indent)))
    bare = handcrafted(as_conversation(_fenced((EASY_TASK[0], []), indent)))
    assert fenced[FEATURE_NAMES.index("numbers")] == bare[FEATURE_NAMES.index("numbers")] == 0
    assert fenced[FEATURE_NAMES.index("math domain")] <= bare[FEATURE_NAMES.index("math domain")]


def test_a_hard_task_outranks_an_easy_one_with_long_fenced_tests(default):
    score = lambda text: default.score([{"role": "user", "content": text}]).score
    assert score(_fenced(HARD_TASK)) > score(_fenced(EASY_TASK))


def test_every_assert_line_is_found_wherever_it_is_written():
    from classifiers.code_blocks import every_assert_line

    text = "Write f.\nassert f(1) == 2\nasserts are fine\n    assert f(2) == 3\n```\nassert f(3) == 4\n```\nDo not assert x."
    assert every_assert_line(text) == "assert f(1) == 2\n    assert f(2) == 3\nassert f(3) == 4\n"


@pytest.mark.parametrize("text", ["Create a YouTube video script about the history of tea.",
                                  "Write a 30-second radio ad script for a coffee shop.",
                                  "Draft a podcast script introducing our new product."])
def test_a_script_to_perform_is_writing(default, text):
    """"script" is a code cue: "Create a YouTube video script …" scored 0.74, a thinking tier (version 39)."""
    from classifiers.feature_schema import FEATURE_NAMES

    h = default.estimator.featurize(text).h
    assert h[FEATURE_NAMES.index("writing domain")] > h[FEATURE_NAMES.index("code domain")]
    assert default.score(text).score < 0.5
    assert default.score("Write a Python script that renames files by date.").score > 0.6  # a program still


@pytest.mark.parametrize("text", [
    "Write a movie script parser in Python that extracts each character's lines into a dictionary.",
    "My podcast script in Python crashes with a KeyError when the RSS feed has no enclosure tag. Why?",
    "Write a YouTube script in Python that downloads a whole playlist with yt-dlp and names the files by date.",
])
def test_a_media_script_among_other_code_cues_is_code(default, text):
    """Only when the media scripts are all its code cues (a second review, s34: "a movie script parser in Python"
    0.77 → 0.41 without that guard)."""
    from classifiers.feature_schema import FEATURE_NAMES

    h = default.estimator.featurize(text).h
    assert h[FEATURE_NAMES.index("code domain")] > h[FEATURE_NAMES.index("writing domain")]


#: What "write" writes is code (version 42): a thing "in <language>", a program's part after its language, or a request
#: whose other writing cues name what the program handles.
WRITES_CODE = [
    "write a lock-free queue in C++", "Write a B-tree with deletion in Rust.", "write a red-black tree in Java",
    "write a thread pool in C++17", "Write a tokenizer for arithmetic expressions in OCaml.", "rewrite this in Rust",
    "Write an LRU cache in Go.", "Write a garbage collector in C.",  # "in C", "in Go" after a program's part
    "Write a CUDA kernel for tiled matrix multiplication.", "write a CUDA reduction kernel", "Write a GLSL shader for Phong lighting.",
    "write a Solidity smart contract for an ERC-20 token", "write an x86 assembly routine to reverse a string",
    "write an email validator in Python", "Write a word counter in Rust.",  # a text's name before a program's part
    "Write a Dockerfile for a Node.js app with multi-stage builds.", "write a bash one-liner to find the largest files",
    "Escribe un quicksort en Python.", "Napisz quicksort w Pythonie.", "Напишите быструю сортировку на Python.",  # their "in"
]
#: ... and what stays a text: no programming language, a language a text can be in ("in C" major, "in Go" the game)
#: without a program's part, or a text before "in".
STAYS_WRITING = [
    "write a poem in French", "write a melody in C major", "write a song in G minor", "write a piece in C for string quartet",
    "write a story in Go about a cat", "write a story in the style of Go masters", "write a story in R. L. Stine's style",
    "Write a short story about a queue in C major.", "write a wedding toast in the style of Swift",
    "write a poem about coding in Python", "write about your experience in Python development",
    "write a speech in English for my Python meetup", "write a tutorial on decorators in Python",
    "write a cover letter for a Python developer job", "write a blog post about Rust", "write a Python developer job posting",
    "write a Go game strategy guide", "write a C major scale exercise for piano", "write an email to my boss",
    "write a heap of compliments for my mom", "Escribe un poema en inglés.", "Escribe un poema sobre Python en español.",
]


def test_the_writing_cues_of_a_request_for_code_name_what_it_handles():
    """"a regex for email addresses": "email" kept the writing domain at 1 (0.39); the cues up to another write verb
    only: "then write a poem about it" is a text to write."""
    from classifiers.features import lexicon_counts, lower_words
    from classifiers.lexicons import LEXICON_NAMES
    from classifiers.written_code import move_written_code

    writing = LEXICON_NAMES.index("writing")
    for text, left in (("write a regex for email addresses", 0), ("Write a Python script that posts a tweet every hour.", 0),
                       ("Write a Python function, then write a poem about it.", 2)):
        wl = lower_words(text)
        assert move_written_code(lexicon_counts(wl), wl)[writing] == left, text


def test_a_short_hard_request_to_write_code_is_no_short_problem(default):
    score = lambda text: default.score([{"role": "user", "content": text}]).score
    implement = score("Implement a B-tree with deletion in Rust.")
    for text in WRITES_CODE + ["write a regex for email addresses"]:  # the medium tier, as "Implement …", or above it with
        assert score(text) > 0.6 and (abs(score(text) - implement) < 0.1 or _algorithmic(text) and score(text) > implement), text  # an algorithmic cue
    for text in ("write a poem in French", "write a melody in C major", "write a story in Go about a cat",
                 "write a poem about coding in Python", "write a blog post about Rust", "write an email to my boss"):
        assert score(text) < 0.3, text


#: What "write" writes is code when the head of its object is a program's part (version 43), with neither a code noun
#: nor a language: a part read alone ("a lock-free queue", "a thread pool with work stealing"), after its kind ("a
#: red-black tree", "a linked list") or a part a text can be right after a part ("a URL shortener service").
WRITES_A_PART = [
    "write a lock-free queue", "write a thread pool with work stealing", "write a B-tree with deletion", "write an LRU cache",
    "write a tokenizer for arithmetic expressions", "write a web scraper for product prices", "write a garbage collector",
    "write me a thread-safe LRU cache", "write a red-black tree", "write a doubly linked list", "Write a concurrent hash map.",
    "Write a bloom filter.", "write a URL shortener service", "write a Discord bot that plays music", "Write a Sudoku solver.",
    "write an iterator over a binary tree", "write a connection pool for Postgres",
]
#: ... and what stays a text: the part names what a text is about ("a poem about a queue", "to my client"), a text's kind
#: ("a tree poem", "a pool party invitation", "a kernel of truth speech", "a stack of thank-you notes"), a part a text, a
#: plan or an event can be (``AMBIGUOUS_PARTS``), or a tree, list or map of no program's kind.
STAYS_A_TEXT = [
    "write a tree poem", "write an application letter", "write a game review", "write a pool party invitation",
    "write a counter argument", "write a search engine optimized article", "write a template email",
    "write a letter to the editor", "write a eulogy", "write a cover letter for a backend developer job",
    "write a product description for a coffee grinder", "write a bedtime story about a dragon",
    "write a blog post about building a compiler", "write a poem about a queue at the post office",
    "write a stack of thank-you notes", "write a kernel of truth speech", "write a buffer zone policy for the school",
    "write to my client about the delay", "write a family tree for the Stark family", "write a shopping list for a barbecue",
    "write a treasure map for a pirate party", "write a morning routine for a busy mom", "write a training program for a marathon",
    "write an application for a research grant", "write a church service for Easter", "write a counter to his argument",
    "write a template for a cover letter", "write a game for a kids party", "write a calculator review",
    "write a piecewise-defined linear function which calculates the monthly cost",
]


@pytest.mark.parametrize("text", WRITES_CODE + WRITES_A_PART)
def test_a_thing_written_in_a_language_or_a_program_part_is_code(text):
    """"write" read as a writing cue in these, and the writing domain closed the length prior: 0.09-0.44, the low tier,
    against 0.74 for "Implement a B-tree with deletion in Rust." (version 42: "in Rust", "a CUDA kernel"); 0.04-0.39
    against 0.72 for "Implement an LRU cache" (version 43: "write a lock-free queue")."""
    before, after = _write_cues(text)
    writing, code = LEXICON_NAMES.index("writing"), LEXICON_NAMES.index("code")
    assert after[writing] == 0 and after[code] == before[code] + before[writing], (before, after)


@pytest.mark.parametrize("text", STAYS_WRITING + STAYS_A_TEXT)
def test_a_text_written_in_a_language_or_named_after_a_program_part_stays_writing(text):
    before, after = _write_cues(text)
    assert after == before


def test_a_short_request_to_write_a_program_part_is_no_short_problem(default):
    score = lambda text: default.score([{"role": "user", "content": text}]).score
    implement = score("Implement an LRU cache")
    for text in WRITES_A_PART:  # "a lock-free queue", "a thread-safe LRU cache", "a concurrent hash map": above (version 45)
        assert score(text) > 0.6 and (abs(score(text) - implement) < 0.1 or _algorithmic(text) and score(text) > implement), text
    for text in ("write a tree poem", "write a pool party invitation", "write a stack of thank-you notes",
                 "write a family tree for the Stark family", "write a bedtime story about a dragon", "write a template email"):
        assert score(text) < 0.3, text


def _algorithmic(text: str) -> bool:
    """Whether ``text`` names a cue of an algorithmic problem (version 45: 200 characters more in the length prior)."""
    from classifiers.algorithmic import algorithmic_cues
    from classifiers.lexicons import lower_words

    return algorithmic_cues(lower_words(text), text)[0] > 0


def _write_cues(text: str) -> tuple[list[int], list[int]]:
    """The lexicon counts of ``text``, before and after "write <code>" moves its writing cues to code."""
    from classifiers.features import lexicon_counts, lower_words
    from classifiers.written_code import move_written_code

    wl = lower_words(text)
    before = lexicon_counts(wl)
    return before, move_written_code(list(before), wl)
