"""Letter-level and exact-count tasks as a puzzle's cues (``classifiers/letter_tasks.py``, version 57)."""


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.feature_schema import FEATURE_NAMES
from classifiers.letter_tasks import MAX_TASKS, letter_tasks
from tests.classifiers.conftest import turn_features as _features

#: Requests that work on letters or exact counts (review_s40_sweep40 C3 / C4): an 8B model fails them without thinking.
LETTER_TASKS = [
    # a different letter each (review_s40_b L1: 0.64 -> 0.32 on 7.51.0)
    "Write a sentence where each word starts with a different letter.",
    "Write a haiku about autumn leaves without using the letter 'o'.",
    "Describe your morning routine in one paragraph where no word contains the letter i.",
    "How many r's are in the word 'raspberry'?",
    "How many times does the letter n appear in 'announcement'?",
    "Count the vowels in the word 'onomatopoeia'.",
    "What is the fifth letter of the word 'independence'?",
    "What is the third letter from the end in the word 'mathematics'?",
    "Reverse the letters of the word 'parliament'.",
    "Spell 'rhythm' backwards.",
    "Sort the letters of 'keyboard' in alphabetical order.",
    "Is 'Astronomer' an anagram of 'Moon starer'?",
    "Write a palindrome sentence about a cat.",
    "Write a pangram about a busy kitchen.",
    "Write a short poem where each line starts with the next letter of the alphabet, from A to H.",
    "Write five sentences about coffee so that the first letters of the sentences spell BEANS.",
    "Write a limerick in which every line ends with a word that starts with the letter T.",
    "Write a tweet about Mondays in exactly 20 words.",
    "Write a 4-line poem in which each line has exactly 10 syllables.",
    "List five animals whose names end with the letter x.",
    "Which number is bigger, 3.45 or 3.5?",
    # version 61 (review_s40_diff L2): counted, reversed, counted without "does"
    "Count the r's in strawberry.",
    "Spell rhythm in reverse.",
    "Tell me how many times the letter s appears in Mississippi.",
    "Write a poem where each line has 8 words.",
    "Write a sentence where every word starts with 's'.",
    "Write a poem in which every line ends with the letter e.",
    "Write a paragraph in exactly one hundred words about tea.",
    "Write a haiku in which each line begins with the letters A, B, C in order.",
]
#: Look-alikes: plain lengths, letters to write, the letter of a grade, definitions, version numbers.
NOT_LETTER_TASKS = [
    "Write a 300-word blog post about the benefits of morning walks.",
    "Write a product description for a bamboo toothbrush in under 80 words.",
    "Write a short story of at most 200 words about a lost dog.",
    "Summarize the plot of Hamlet in about 100 words.",
    "Write a 10-line poem about spring.",
    "Write an acrostic poem for the name OLIVIA.",
    "Write a cover letter for a junior accountant position.",
    "Write a letter to my landlord asking him to fix the heating.",
    "Translate 'letter' into French.",
    "What does the letter grade B+ mean?",
    "Spell-check this paragraph: Their going to the park tomorow becuase its sunny.",
    "What is the plural of 'cactus'?",
    "What is a palindrome?",
    "What is an anagram? Explain with an example.",
    "I need exactly 3 ideas for a birthday party.",
    "How many letters did Vincent van Gogh write to his brother?",
    "How many words should a college admissions essay be?",
    "Sort these letters by date and tell me which one is overdue.",
    "Give me baby names that start with the letter A.",
    "Every sentence should start with a capital letter, right?",
    "Which is better for a beginner: Python 3.11 or 3.12?",
    "Should I update to iOS 17.4 or wait for 17.5?",
    # version 61 (review_s40_diff H2): format instructions, not puzzles
    "Answer in exactly one word: is the sky blue?",
    "Reply in exactly one sentence: what is the capital of Peru?",
    "Tell me a fun fact in exactly one sentence.",
    "Summarize the French Revolution in exactly two sentences.",
    "Write a thank-you note to my neighbor, exactly four sentences long.",
    "Write a 4-line poem, exactly 4 lines, for my mom's birthday card.",
    "Write a tagline for my bakery in exactly five words.",
    "Write an essay of exactly 2000 words on the Cold War.",
    "Each sentence should be no longer than 15 words. Write a paragraph about dogs.",
    "Each line should have at most 10 words. Write a poem about rain.",
    "Write a poem where every line starts with 'I remember'.",
    "Write a poem where every line starts with I remember.",
    "Write a limerick where every line ends with a word that rhymes with cat.",
    "Write a love poem where every line ends with the word love.",
    "Give me baby names that start with the letters A or E.",
    "Write my CV in reverse chronological order.",
    "Write a Python function that counts the vowels in the word it is given.",
]


@pytest.mark.parametrize("text", LETTER_TASKS)
def test_letter_tasks_are_found(text):
    assert letter_tasks(text) >= 1


@pytest.mark.parametrize("text", NOT_LETTER_TASKS[:-1])
def test_look_alikes_are_no_letter_task(text):
    assert letter_tasks(text) == 0


@pytest.mark.parametrize("text", LETTER_TASKS)
def test_a_letter_task_is_a_closed_problem(text):
    """Before version 57 the writing requests had the writing domain and no length in a closed problem, the
    questions no domain at all."""
    h = _features(text)
    assert h[FEATURE_NAMES.index("writing cues")] == 0
    assert h[FEATURE_NAMES.index("reasoning domain")] > 0
    assert h[FEATURE_NAMES.index("length in a closed problem")] > 0.4


@pytest.mark.parametrize("text", NOT_LETTER_TASKS)
def test_look_alikes_are_no_closed_problem(text):
    h = _features(text)
    assert h[FEATURE_NAMES.index("reasoning domain")] == 0
    assert h[FEATURE_NAMES.index("length in a closed problem")] == 0 or any(k in text for k in ("3.1", "17.4", "Python"))


def test_only_the_request_is_read():
    """A task named in pasted material (between the first 400 and the last 200 characters) is not the request's."""
    pasted = "Summarize this article.\n\n" + "The ocean is vast. " * 30 + "Write it without the letter e. " + "Waves. " * 40
    assert letter_tasks(pasted) == 0
    assert letter_tasks("Without the letter e, " + pasted) == 1


def test_one_constraint_counts_once():
    """"exactly 6 letters" was both an exact count and a spelling constraint: two reasoning cues for one constraint."""
    assert letter_tasks("Give me a word that has exactly 6 letters.") == 1


#: Requests of 2,000 characters stuffed with triggers or decimals (review_s40_diff L1 measured ~120 µs on decimals).
_ADVERSARIAL = [("9.11 or 9.9 and 1.2, " * 200)[:2000],
                ("The quick brown fox ran by the river from the farm, or so they say. " * 40)[:2000],
                ("Which is larger 3.45 or 3.5, 1.25 vs 1.3, " * 100)[:2000]]


@pytest.mark.parametrize("text", _ADVERSARIAL, ids=["decimals", "prose", "compared decimals"])
def test_adversarial_text_is_read_in_its_two_ends(text):
    """Only the first SCAN_HEAD and last SCAN_TAIL characters are read (the cost is bounded; its time is measured in
    bench/classifier_bench.py, "built against the rules"): a task in the middle of a long text is not found."""
    middle = "Spell the word 'encyclopedia' backwards. "
    padded = text + middle + text
    assert letter_tasks(middle) == 1 and letter_tasks(padded) == letter_tasks(text + text)


def test_the_count_is_bounded():
    text = ("How many r's are in 'carrier'? Spell it backwards, sort its letters in alphabetical order and write "
            "a palindrome without the letter e in exactly 12 words. ") * 500
    assert letter_tasks(text) == MAX_TASKS


def test_a_list_with_different_initials_is_no_letter_task():
    """Review_s40_c M3: "each start with a different letter" of a list of names is easy (0.35 -> 0.59 on 7.52.0)."""
    assert letter_tasks("Name five fruits that each start with a different letter.") == 0
    assert letter_tasks("Write a sentence where each word starts with a different letter.") == 1


def test_every_trigger_holds_an_anchor_of_its_kind():
    """A kind is looked at only where one of its anchors occurs: each of its triggers must hold one."""
    from classifiers.letter_tasks import KIND_ANCHORS, TASK_PATTERNS

    for name, triggers, _ in TASK_PATTERNS:
        for trigger in triggers:
            assert any(anchor in trigger for anchor in KIND_ANCHORS[name]), (name, trigger)


@pytest.mark.parametrize("text", ["Which is larger: 9.11 or 9.9?", "Is ٣.٤٥ bigger than ٣.٥?", "Which is bigger, 3.45 or 3.5?"])
def test_decimals_are_found_in_any_digits(text):
    from classifiers.letter_tasks import _compares_decimals

    assert _compares_decimals(text.lower())


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(("9", "11", "0", "3", ".", ". ", " ", "or", " or ", "vs.", " and ", ",", " is ", "larger",
                                 " than ", "bigger than ", "x", "\n", "1.5", "2.25")), max_size=30).map("".join))
def test_decimal_pairs_are_found_alike_in_zeroed_text(t: str) -> None:
    """The patterns opened by a literal "0" over zeroed text find the pairs, and their decimal parts' lengths, that the
    digit patterns find over the text."""
    from classifiers.letter_tasks import _RE_DECIMALS, _RE_DECIMALS0, _RE_DECIMALS_THAN, _RE_DECIMALS_THAN0
    from classifiers.quantities import digits_zeroed

    t0 = digits_zeroed(t)
    for digits, zeroed in ((_RE_DECIMALS, _RE_DECIMALS0), (_RE_DECIMALS_THAN, _RE_DECIMALS_THAN0)):
        assert ([(m.span(), len(m.group(1)), len(m.group(2))) for m in digits.finditer(t)]
                == [(m.span(), len(m.group(1)), len(m.group(2))) for m in zeroed.finditer(t0)])


def test_every_word_of_comparison_holds_a_stem_searched_first() -> None:
    """``_compares`` searches the pattern only where a stem occurs: every word the pattern holds has one."""
    import re

    from classifiers.letter_tasks import _COMPARE, _COMPARE_STEMS

    assert all(any(stem in word for stem in _COMPARE_STEMS) for word in re.findall(r"\w+", _COMPARE))
