"""How much algorithm a request for a program asks for (``classifiers/algorithmic.py``, feature versions 45, 50)."""

import math

import pytest

#: Requests of about one length: an algorithmic problem's and a chore's. Before version 45 each read 245 characters
#: longer in the length prior alike, and the chores scored higher (0.81 for the palindrome check, 0.74 for the queue).
ALGORITHMIC = [
    "Implement a lock-free multi-producer queue with hazard pointers.",
    "Write a function that returns the number of distinct palindromic subsequences modulo 10^9 + 7.",
    "Write a function that returns the length of the longest increasing subsequence in O(n log n) time.",
    "Write a function to detect whether a directed graph given as an adjacency list contains a cycle.",
    "Write a function that returns the minimum number of coins needed to make a given amount.",
]
PLUMBING = [
    "Write a Python function that checks whether a string is a palindrome.",
    "Write a function to check whether a given integer is even.",
    "Write a function that converts a temperature from Celsius to Fahrenheit.",
    "Write a Python function to count the vowels in a string.",
    "Write a Python function that reverses a string.",
]


#: (text, distinct algorithmic cues, distinct plumbing cues)
CUES_COUNTED_ONCE = [
    ("Implement a lock-free multi-producer queue with hazard pointers.", 2, 0),
    ("Return the number of ways modulo 10^9 + 7.", 2, 0),  # the count, the modulus (its 10^9 no bound: version 50)
    ("Return it modulo 109 + 7.", 1, 0),  # a superscript lost in scraping
    ("Return n modulo 10.", 0, 0),  # a last digit
    ("Answer q queries on the array; 1 <= n <= 10^5.", 2, 0),
    ("Suggest some related search queries.", 0, 0),  # a search engine's queries
    ("Queries are given as pairs l, r.", 1, 0),  # a problem's, opening the text (the reference counted it; review s38)
    ("Sort the list in O(n log n).", 1, 0),
    ("Write a function to reverse the words of a sentence.", 0, 1),
    ("Write a script to reverse engineer the protocol.", 0, 0),  # no chore
    ("Return true if the number is odd.", 0, 1),  # the parity; "true if" says how it is put (version 50)
]

#: Version 50 (review_s38_diff F4, F5, F8): "check whether" and "true if" cost a Sudoku-uniqueness check 0.07, "the
#: minimum number in a list" and "a bar graph" added 0.09 to chores, "o 1" in Spanish counted as a time bound, and
#: "modulo 10^9 + 7" counted twice while "modulo 10^9+7" counted nothing.
PHRASING_AND_EVERYDAY_WORDS = [
    # phrasing is no chore (review_s38_diff F4): how a task is put says nothing of its work
    ("Write a function that returns true if a 9x9 Sudoku grid has a unique solution.", 0, 0),
    ("Write a Python function that checks whether two binary trees are isomorphic.", 0, 0),
    ("Implement a function that checks if a given SQL query is vulnerable to injection.", 0, 0),
    ("Write a Python function that returns the average of a list of numbers.", 0, 0),
    ("Write a function that checks whether a number is prime.", 0, 1),  # the object names the chore
    ("Write a function that returns true if a number is even.", 0, 1),
    # everyday words without their problem's words
    ("Write a function that returns the minimum number in a list.", 0, 0),
    ("Write a function that returns the minimum number of swaps needed to sort a permutation.", 1, 0),
    ("Write Python code to plot a bar graph of monthly sales from a CSV.", 0, 0),
    ("Write a Python script that checks whether my laptop is connected to Wi-Fi.", 0, 0),
    ("Write a bash script that partitions a USB disk and formats it as ext4.", 0, 0),
    ("Write a Python function that returns the billing cycle end date for a subscription.", 0, 0),
    ("Write code to minimize the window when the user clicks the button.", 0, 0),
    ("Write a Python script that pings a server at regular intervals.", 0, 0),
    ("Write CSS for a card with rounded edges that can be maximized.", 0, 0),
    ("Write a function that detects a cycle in a directed graph.", 2, 0),  # beside each other
    ("Return -1 if the task prerequisites contain a cycle.", 1, 0),  # a dependency graph
    ("Write a function that counts the connected components given the edges between n nodes.", 2, 0),
    ("Write a function that partitions an array into two subsets of equal sum.", 1, 0),
    ("Write a function that chooses items to maximize the total value.", 1, 0),
    ("Write a function that merges overlapping intervals.", 1, 0),
    # a time bound is written "O(" (review_s38_diff F5): the word "o" is Portuguese's article, Spanish's "or"
    ("Escreva uma função Python que retorna o log do arquivo.", 0, 0),
    ("Escribe una función Python que devuelva 0 o 1 según el valor.", 0, 0),
    ("Scrivi una funzione Python che restituisce vero o falso, o 1 se vuoto.", 0, 0),
    ("Escreva uma função que retorna o(s) valor(es) em O(n log n).", 1, 0),
    ("Find the shortest route in O(V + E).", 1, 0),
    ("Multiply them in O(nm) time.", 1, 0),
    ("Call foo(n) on each item.", 0, 0),
    # and in its other spellings (review_s39_diff F4: lost with the word rule in version 50)
    ("Return the k most frequent words in O(nlogn) time.", 1, 0),
    ("Find the median of two sorted arrays in O(logn).", 1, 0),
    ("Find the longest palindromic substring in O (n) time.", 1, 0),
    ("Sort them in O(n log(n)) time.", 1, 0),
    ("Enumerate them in O(2^n).", 1, 0),
    ("Retorna o(s) valor(es) do campo.", 0, 0),
    ("Ignore o (veja abaixo) campo.", 0, 0),
    # a problem's own words vouch for an everyday one (review_s39_diff F5)
    ("Write a function that counts the connected regions of 1s in a binary matrix.", 1, 0),
    ("Write a function that returns the cycle length of each element in a permutation.", 1, 0),
    ("Write a function that partitions a set into two halves whose sums are as close as possible.", 1, 0),
    ("Write a function that schedules jobs on two machines to minimize the makespan.", 1, 0),
    # the modulus is one cue, however it is spelt (review_s38_diff F8)
    ("Return it modulo 10^9+7.", 1, 0),
    ("Return it mod 10**9+7.", 1, 0),
    ("Return it modulo 1e9 + 7.", 1, 0),
    ("Return it modulo 10⁹+7.", 1, 0),
    ("Return it modulo 10^9 + 7, for n up to 10^5.", 2, 0),  # and a bound beside it
    ("Return it modulo 1e9 + 7, for n up to 1e9.", 2, 0),
    ("Sum the values, n <= 10**5.", 1, 0),
    ("Sum the values, n <= 10⁵.", 1, 0),
]

@pytest.mark.parametrize(("text", "algorithmic", "plumbing"), CUES_COUNTED_ONCE + PHRASING_AND_EVERYDAY_WORDS)
def test_the_cues_are_counted_once_each_and_phrasing_is_none(text, algorithmic, plumbing):
    from classifiers.algorithmic import algorithmic_cues
    from classifiers.lexicons import lower_words

    assert algorithmic_cues(lower_words(text), text) == (algorithmic, plumbing)


def test_an_algorithmic_request_reads_longer_than_a_chore_of_its_length():
    """The length prior reads an algorithmic problem's request 200 characters longer per cue (at most four), a chore's
    100 shorter per cue (at most two): before version 45 both read their length plus 245."""
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import LENGTH_ANCHOR, handcrafted
    from classifiers.inference import as_conversation

    prior = lambda text: handcrafted(as_conversation(text))[PRIOR_FEATURE]
    floor = math.log(len(ALGORITHMIC[0]) + 245) - LENGTH_ANCHOR
    assert min(map(prior, ALGORITHMIC)) > floor + 0.5
    assert max(map(prior, PLUMBING)) < floor


def test_an_algorithmic_request_outscores_a_chore(default):
    score = lambda text: default.score([{"role": "user", "content": text}]).score
    assert min(map(score, ALGORITHMIC)) > max(map(score, PLUMBING)) + 0.05
    assert score("Implement a lock-free multi-producer queue with hazard pointers.") > 0.75  # the high tier
    assert score("Write a Python function that checks whether a string is a palindrome.") < 0.75
    for text in PLUMBING:  # a chore is still a request for a program: the medium tier, above trivia
        assert score(text) > score("What is the capital city of France?") + 0.15, text


@pytest.mark.parametrize("text", [
    "What is the minimum number of people needed in a room so that two share a birthday with probability over 50%?",
    "Describe how a graph of supply and demand shows a price ceiling.",  # "graph" made it a request (names no program)
    "How do I print a document from my phone?",
    "A shop sells pencils at 3 for $1. How much do 27 pencils cost?",
    "How do I find the shortest path in a graph in Python?",  # a question about code: no request, no extra characters
])
def test_no_cue_moves_what_is_no_request_for_a_program(text, monkeypatch):
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    before = handcrafted(as_conversation(text))
    monkeypatch.setattr("classifiers.algorithmic.ALGORITHMIC_CHARS", 0)
    monkeypatch.setattr("classifiers.algorithmic.PLUMBING_CHARS", 0)
    assert handcrafted(as_conversation(text)) == before


@pytest.mark.parametrize(("text", "work"), [
    ("Outline the optimal strategy to maximize return on ad spend for a small store.", 0),  # finance's return
    ("Plan the team's return to the office with minimum disruption.", 0),
    ("Describe the optimal method to minimize the number of lab errors.", 0),  # a study's method names no program
    ("Return the minimum number of coins needed.", 200),
    ("Write a function that returns the minimum number of coins.", 200),
])
def test_return_names_a_program_only_before_its_result(text, work):
    """A review (session 38) found the bonus on business writing: "return on ad spend" 0.75 -> 0.91 (version 49)."""
    from classifiers.algorithmic import request_work_chars
    from classifiers.lexicons import lower_words

    assert request_work_chars(lower_words(text), text) == work


def test_a_proof_gets_no_algorithmic_characters():
    """A request for a proof reads REQUEST_EXTRA_CHARS longer, but its optimum words ask for no algorithm (version 49):
    "optimal" and "maximize" in a linear-programming proof added 400 characters on 7.36.0."""
    from classifiers.lexicons import lower_words
    from classifiers.written_code import REQUEST_EXTRA_CHARS, request_length

    text = "Prove that the optimal solution of a linear program with a bounded feasible region is at a vertex."
    words = lower_words(text)
    assert request_length(math.log(100), words, text, program=False) == pytest.approx(math.log(100 + REQUEST_EXTRA_CHARS))
    assert request_length(math.log(100), [*words, "implement", "it"], text + " Implement it.", program=True) > math.log(100 + REQUEST_EXTRA_CHARS)
