"""Everyday words of the code lexicon in their everyday sense (``classifiers/code_words.py``, version 50)."""

import pytest

from classifiers.code_words import not_code_cues, prose_semicolons
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.lexicons import LEXICON_NAMES, lexicon_counts, lower_words
from tests.classifiers.conftest import turn_features as _features

CODE = LEXICON_NAMES.index("code")

#: Everyday senses, an everyday marker near each word (before version 50: 0.70-0.74 with the code domain).
EVERYDAY = [
    "My lymph nodes are swollen and sore. Should I see a doctor?",
    "I got bitten by a bug while hiking, the spot is red and warm. What should I do?",
    "How much should I tip the server at a sit-down restaurant in the US?",
    "How do I thread a sewing machine needle?",
    "Which guitar string should I tune first, and what is the standard tuning?",
    "My belt loop ripped off my jeans. Can I fix it without a sewing machine?",
    "Fix the typing errors in my cover letter before I send it.",
    "What is the margin of error in a poll of 1,000 people?",
    "I saw a bug crawling on my pillow. Is it a bed bug?",  # review_s39_third R3: markers kept
    "The nodes on my tomato plant are turning brown.",
    "What's the difference between a spider bite and a bug bite?",
    "There's rust on my bike chain. How do I get it off?",  # version 54: languages spelt as everyday words
    "We are flying to Java next month. What should we see?",
    "How many pandas live at the zoo in Chengdu?",
]
#: Computing senses: a computing word near the everyday word, a word of COMPUTING_BEFORE, an error code, or no
#: everyday marker at all (version 48 sent the first two to the cheap tier).
COMPUTING = [
    "Fix the memory leak in my server.",
    "Sort the nodes topologically and report any cycle.",
    "Why does my thread deadlock?",
    "My server returns 502 after deploy",
    "Why does my for loop skip the last element?",
    "I get error TS2322 when I pass a string to my component prop.",
    "Make a loop that sums a list.",
    "Why does my thread never wake up after notify is called?",
    "The vet's app for my dog keeps crashing; is the server down?",  # a marker (dog) and computing words (app, down)
    "Our restaurant booking server crashes every Friday night.",  # a marker and a computing word: code
    "Why does my loop never end?",
    "Why does the standard error stream show up before stdout in my terminal?",  # standard error: a stream here
    "There is a bug in the tip calculator: 15% of 40 shows 6.5.",  # a tip is a server's marker, not a bug's
    "The server is slow. Our restaurant opens at noon.",  # a marker in another sentence
    "Found a bug while crawling the site with Scrapy.",  # review_s39_final N5: a marker and a computing word
    "The bug spray ad on our homepage breaks the layout on mobile.",
    "Why does the Rust borrow checker reject my code?",
    "How do I merge two pandas dataframes?",
    "What is Java used for?",  # no marker: the computing sense stands
    "What are the best Rust tools for profiling?",  # words of programmers' requests are no markers
    "How do Java beans work?",
    "Highlight the red cells in pandas.",
]
#: Review s39 F1: computing requests with a common word that version 50's one marker set held (a bit, a table, a menu,
#: music, a hook, kids, standard, human …), 0.73-0.81 before it, 0.18-0.50 with it.
SCENE_WORDS_IN_COMPUTING = [
    "I'm a bit stuck on this bug, can you help?",
    "My server is a bit slow in the mornings.",
    "Flip every other bit in the binary string.",
    "Render the table rows in a loop.",
    "Store each node of the routing table in a trie.",
    "Keep showing the menu in a loop until they choose quit.",
    "Handle the error when the menu option is invalid.",
    "Make a thread that plays the background music while the game runs.",
    "Keep the music thread alive after the window closes.",
    "Instrument the server with OpenTelemetry tracing.",
    "Tune the server's thread count for 16 cores.",
    "Add a pre-commit hook that rejects any string containing TODO.",
    "The third party server times out after 30 seconds.",
    "Fix the string truncation in the tooltip on mobile.",
    "Plot the training error per epoch for my model.",
    "Loop over each measurement and flag the outliers above three standard deviations.",
    "Convert the error into a string a human can read.",
    "Zoom shows an error when my kids join their class meeting.",
    "Our POS server goes offline every lunch rush.",
    "Save each conversation thread so the chatbot remembers it.",
    "Getting a playback error on every video in Chrome.",
    "Which standard library string functions are unsafe in C?",
]
#: Everyday senses that version 50 kept as code: an imperative in the next sentence ("List"; review s39 F6), and a word
#: an output-format phrase holds counted again (review s38 F6).
EVERYDAY_ACROSS = [
    "My lymph nodes are swollen. List the possible causes.",
    "List the common causes of swollen lymph nodes.",
    "Keep me in the loop about the wedding guest list.",
    "I got a bug bite on my arm. Give the first-aid steps as a JSON array of strings.",
    "My belt loop ripped. Give the repair steps as a JSON array of strings.",
]


def _domain(default, messages: list[dict[str, str]]) -> float:
    return default.estimator.featurize(messages).h[FEATURE_NAMES.index("code domain")]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_senses_are_no_code(default, text):
    assert _domain(default, [{"role": "user", "content": text}]) == 0.0


@pytest.mark.parametrize("text", COMPUTING + SCENE_WORDS_IN_COMPUTING)
def test_computing_senses_stay_code(default, text):
    assert _domain(default, [{"role": "user", "content": text}]) > 0.0


@pytest.mark.parametrize("text", EVERYDAY_ACROSS)
def test_everyday_senses_across_sentences_and_format_phrases(default, text):
    assert _domain(default, [{"role": "user", "content": text}]) == 0.0


def test_a_format_phrase_reports_its_words():
    from classifiers.output_format import format_code_words

    text = "I got a bug bite. Give the steps as a JSON array of strings."
    words = lower_words(text)
    assert format_code_words(text, words, lexicon_counts(words)[CODE]) == ["json", "array", "strings"]


def test_code_before_keeps_a_follow_up_code(default):
    """A follow-up about pasted code: its "thread" is that code's, whatever is near it."""
    follow = "Thanks, but one thread is like a needle in a haystack."
    chat = [{"role": "user", "content": "```python\nimport threading\nlock = threading.Lock()\n```\nThis hangs."},
            {"role": "assistant", "content": "Use an RLock."}, {"role": "user", "content": follow}]
    assert _domain(default, chat) > 0.0
    assert _domain(default, [{"role": "user", "content": follow}]) == 0.0


def test_every_occurrence_needs_its_everyday_sense():
    text = "My lymph nodes are swollen, and the worker nodes of my Kubernetes cluster too."
    words = lower_words(text)
    code = lexicon_counts(words)[CODE]
    assert code == 3 and not_code_cues(text, words, code, 0) == 0  # kubernetes: another cue
    text = "My lymph nodes are swollen. I also restarted the nodes after the deploy."
    words = lower_words(text)
    assert not_code_cues(text, words, 2, 0) == 0  # the second occurrence reads as computing
    text = "My lymph nodes are swollen and my neck nodes hurt."
    words = lower_words(text)
    assert not_code_cues(text, words, 2, 0) == 2 and not_code_cues(text, words, 2, 1) == 0  # code syntax keeps them


def test_more_than_three_everyday_cues_read_as_code():
    text = "The bug bite, the sewing thread, the guitar string and the rope loop."
    words = lower_words(text)
    code = lexicon_counts(words)[CODE]
    assert code == 4 and not_code_cues(text, words, code, 0) == 0


#: "Return …" opening a sentence, its one code cue: an imperative asking for an answer (version 71; 0.73-0.75, a request
#: for a program, on 7.53.0).
RETURN_IMPERATIVES = ["Return the capital and currency for Japan.", "Return a short summary of the French Revolution.",
                      "Here is my question: what is the tallest mountain in Africa? Return only the name."]
#: ... while a program's "return", or "return" beside another code cue, stays code.
RETURN_IN_CODE = ["Write a function that takes a list and return the largest element.",
                  "The function should return -1 when the key is missing.",
                  "Return the index of the first negative number in the array.",
                  "Return the sum of the list. Use x = 3 as the start.",
                  # a problem's statement or data to read (7.54.0 read these as imperatives: 0.72 -> 0.25, 0.76 -> 0.38)
                  "You are given two sorted lists of numbers. Return the median of the combined list in logarithmic time.",
                  "Return the top 5 customers by revenue from the orders table."]


def _not_code(text: str) -> tuple[int, int]:
    words = lower_words(text)
    code = lexicon_counts(words)[LEXICON_NAMES.index("code")]
    return code, not_code_cues(text, words, code, 0)


#: Answer requests with an everyday word of version 72's data words (list, table, time, output, given: review41 A1,
#: 0.74-0.78 on 7.56.0), "return" as an everyday noun or verb, and "… and return X" over material present (A3).
RETURN_ANSWERS = [
    "Return the list of the seven continents ordered by area.",
    "Return a list of words that rhyme with 'light'.",
    "Return the opening hours of the Louvre and the best time to visit.",
    "Return a table of the four inner planets with their number of moons.",
    "Return the periodic table group of sodium.",
    "Return the expected output of a small home solar panel on a sunny day, in plain words.",
    "Given the word 'ocean', return three words that rhyme with it.",
    "Is a tomato a fruit? Return true or false.",
    "What is your return window for unworn sneakers?",
    "Book me a return flight from Oslo to Rome for the first week of June.",
    "Help me fill in my tax return; I had two part-time jobs this year.",
    "I need to return a blender that arrived broken. Draft a short message to the seller.",
    "Read the email below and return the sender's main request in one sentence.\nEmail: Hi, could we move Friday's call?",
    "Translate into Italian and return only the translation: The bakery opens at seven on weekdays.",
    "Decide whether the headline is clickbait and then return yes or no.\nHeadline: You won't guess what this cat did",
    "Return the height of the Eiffel Tower in m.",  # a unit (review rev41 M3; version 79)
    "My package arrived damaged. Can I return it for a full refund or only store credit?",  # a person (version 85)
    "Where do we return the rental car at the airport?",
    "Is it possible to return opened software?",
]
#: Program statements whose one code cue is "return": an abstract input, a named table, a time bound, a variable, a
#: sentinel (review41 A1, A2: 7.56.0 read some as answer requests, 0.17-0.33 for labels 4).
RETURN_PROBLEMS = [
    "You are given the opening and closing hours of several stalls. Return how many are open at the busiest moment.",
    "Given two dates, return the number of business days between them.",
    "Take a word. Return it with its vowels removed, keeping the case of the consonants.",
    "Read a text and count how often each word occurs. Return the three most frequent words with their counts.",
    "Return the median of a list of numbers without sorting it.",
    "Each order has a customer and an amount. Return the three customers with the largest total from the orders table.",
    "Return the employees who earn more than their manager from the staff table.",
    "Events come with start and end times. Return the largest number that overlap at any moment, in linear time.",
    "Return the k closest points to the origin among the points you receive, in O(n log k).",
    "Cards are dealt into m piles of equal size. Return the number of ways to deal them.",
    "Return the count of distinct substrings of a word whose length is up to 10^5.",
    "Return true when two words are anagrams of each other, ignoring spaces and case.",
    "Merge two sorted lists of numbers. Return an empty result when both are empty.",
    "Keep the last 50 keys read. Return -1 on a miss.",
    "How to return multiple values?",  # a program's values after "how to return" (review rev41; version 81)
    "Return the number of ways to climb a staircase in m steps.",  # "in m steps": a variable (review rev41b; 82)
    "If I return a generator instead of a list, what changes for the caller?",  # a person's, no thing (rev42 M1; 93)
    "When you return from inside a try block, does the finally clause still run?",
    "In my Redux store, do I return a new object or mutate the state in place?",  # no purchase (rev42b H2; 96)
    "When I return them from the generator, are they copies or the same objects?",
]


@pytest.mark.parametrize("text", RETURN_ANSWERS)
def test_return_asking_for_an_answer_is_no_code(text):
    code, taken = _not_code(text)
    assert code == 1 and taken == 1


@pytest.mark.parametrize("text", RETURN_PROBLEMS)
def test_return_in_a_problem_statement_stays_code(text):
    code, taken = _not_code(text)
    assert code == 1 and taken == 0


def test_returns_are_read_a_bounded_number_of_times():
    from classifiers.return_words import MAX_RETURNS, returns_ask_answers

    text = " ".join(["Return the capital of France."] * MAX_RETURNS)
    assert returns_ask_answers(text.lower(), lower_words(text))
    text += " Return the capital of Spain."
    assert not returns_ask_answers(text.lower(), lower_words(text))


@pytest.mark.parametrize("text", RETURN_IMPERATIVES)
def test_return_opening_a_sentence_is_no_code(text):
    code, taken = _not_code(text)
    assert code >= 1 and taken == code


@pytest.mark.parametrize("text", RETURN_IN_CODE)
def test_a_programs_return_stays_code(text):
    code, taken = _not_code(text)
    assert code >= 1 and taken == 0


@pytest.mark.parametrize(("text", "prose"), [
    ("I love hiking; my sister prefers swimming. Suggest a weekend trip we would both enjoy.", 1),
    ("Help me fill in my tax return; I had two jobs last year; one was freelance.", 2),
    ("The meeting ran long; we agreed on three items; I'll send notes.", 2),
    ("for (int i = 0; i < n; i++) sum += a[i];", 0),  # "=", brackets
    ("SELECT * FROM users; DROP TABLE logs", 0),  # an upper-case keyword after it
    ("import os; import sys", 1),  # prose-shaped code: its code words still read as code
    ("x = 1; y = 2", 0),
    ("Done;\nnext line", 0),  # a semicolon ending a line
    ("a; b; c; d; e; f; g; h; i; j", 0),  # more than MAX_PROSE_SEMICOLONS
])
def test_prose_semicolons_are_punctuation(text: str, prose: int) -> None:
    from classifiers.features import scan_counts

    assert prose_semicolons(text, scan_counts(text)[1]) == prose


def test_a_prose_semicolon_adds_no_code_syntax() -> None:
    """Version 77: one semicolon in a 90-character request read as code syntax density (0.33 -> 0.50 and 0.76)."""
    with_semicolon = _features("I love hiking; my sister prefers swimming. Suggest a weekend trip we would both enjoy.")
    with_comma = _features("I love hiking, my sister prefers swimming. Suggest a weekend trip we would both enjoy.")
    assert with_semicolon[FEATURE_NAMES.index("code syntax density")] == with_comma[FEATURE_NAMES.index("code syntax density")] == 0.0
