"""The default model reads a prompt's cues as its domain and task: code, math, puzzles, quizzes, role play,
dates, LaTeX that is none, and one domain per reason."""

import math

import numpy as np
import pytest

from classifiers.feature_schema import FEATURE_NAMES
from tests.classifiers.conftest import EASY, HARD, OLYMPIAD


def test_default_monotonicity_sanity(default):
    u = lambda t: [{"role": "user", "content": t}]
    hi = default.score(u("hi")).score
    assert default.score(u(OLYMPIAD)).score > hi + 0.2
    code = "Implement Dijkstra's algorithm in Python with a binary heap and analyze its time complexity."
    assert default.score(u(code)).score > default.score(u("write a short poem about the sea")).score
    hard = np.mean([default.score(u(t)).score for t in HARD])
    easy = np.mean([default.score(u(t)).score for t in EASY])
    assert hard > easy + 0.1


@pytest.mark.parametrize("expression", ["2+2", "1+1=?", "10 * 10", "100/4", "7-3"])
def test_a_bare_expression_does_not_read_as_a_dense_formula(default, expression):
    """A few characters of digits and operators have extreme number and operator densities; the
    pseudo-counts keep them below a short proof ("2+2" scored 0.62 beside its 0.63 on 7.4.0)."""
    u = lambda t: [{"role": "user", "content": t}]
    proof = "Let G be a group of order 2p, p an odd prime. Prove that G has a normal subgroup of order p."
    assert default.score(u(expression)).score < default.score(u(proof)).score - 0.1


@pytest.mark.parametrize("request_text", ["Write a function that merges k sorted linked lists in O(n log k).",
                                          "Write a Python script that renames every file in a folder to lowercase.",
                                          "write unit tests for my date parser",
                                          "Write a regular expression that matches valid IPv4 addresses."])
def test_writing_code_is_a_code_request(default, request_text):
    """The verb "write" is a writing cue, but not when what is written is code: such a request was
    read as writing (the writing domain, the top reason in ``route``, closed the length prior)."""
    f = default.estimator.featurize([{"role": "user", "content": request_text}])
    names = FEATURE_NAMES
    assert f.h[names.index("writing domain")] == 0.0 < f.h[names.index("code domain")]
    poem = default.estimator.featurize([{"role": "user", "content": "Write a short poem about the joy of reading code late at night"}])
    assert poem.h[names.index("writing domain")] > poem.h[names.index("code domain")]


def test_a_superlative_in_a_trivia_question_is_not_reasoning(default):
    """Superlatives ("largest", "smallest", "least" …) set a problem only with quantities ("the smallest positive integer
    n such that …"); as reasoning cues they opened the domain gate of "Which of the following is the
    largest ocean on Earth?" (0.57 on 7.8.0, against 0.35 for the same quiz format asking for a president)."""
    def mcq(question: str, options: str) -> list[dict[str, str]]:
        return [{"role": "user", "content": f"{question}\n{options}\nAnswer:"}]

    ocean = default.score(mcq("Which of the following is the largest ocean on Earth?",
                              "A. Atlantic\nB. Indian\nC. Arctic\nD. Pacific")).score
    president = default.score(mcq("Who was the first President of the United States?",
                                  "A. Thomas Jefferson\nB. George Washington\nC. John Adams\nD. Abraham Lincoln")).score
    assert abs(ocean - president) < 0.05
    smallest = default.score([{"role": "user", "content": "Find the smallest positive integer n such that n^2 + n + 41 is not prime."}])
    assert smallest.score > ocean + 0.1


def test_a_chain_of_relations_is_an_ordering_puzzle(default):
    """Two or more relations between named things ("taller than", "north of") chain into a puzzle that
    asks for an order; one is an everyday comparison. The puzzle scored 0.19 on 7.20.0, below a
    capital-city question; the gift question keeps its level (the relation cues are not fitted)."""
    score = lambda text: default.score([{"role": "user", "content": text}]).score
    puzzle = score("Tom is taller than Jerry, and Jerry is taller than Sam. Is Sam taller than Tom?")
    rooms = score("The bedroom is north of the bathroom and the kitchen is east of the bedroom. Where is the kitchen?")
    trivia = score("What is the capital city of Australia?")
    assert puzzle > trivia + 0.1 and rooms > trivia + 0.1
    gift = score("My brother is older than me. What gift should I buy him for his birthday?")
    assert gift < trivia


def test_in_a_quiz_the_relations_are_counted_above_its_options(default):
    """Winogrande written as two whole sentences repeats its one comparison in each option: counted over the whole text
    it chained into an ordering puzzle (+0.29 against +0.14 for items without one, an outside review, s34). A puzzle
    whose relations are in its stem keeps them."""
    from classifiers.features import LEXICON_NAMES, lexicon_counts
    from classifiers.lexicons import lower_words
    from classifiers.quiz_stem import quiz_stem, stem_cues

    def stem_relations(text: str) -> int:
        lex, stem = lexicon_counts(lower_words(text)), quiz_stem(text, True)
        return (lex if stem is None else stem_cues(lex, text, stem))[LEXICON_NAMES.index("relation")]

    reason = FEATURE_NAMES.index("reasoning domain")
    domain = lambda t: default.estimator.featurize([{"role": "user", "content": t}]).h[reason]
    layout = "Which of the following is a good sentence:\nA. The plant {r} the one in the closet because the {a} got more sun.\nB. The plant {r} the one in the closet because the {b} got more sun.\nAnswer:"
    compared = layout.format(r="grew faster than", a="windowsill", b="closet")
    uncompared = layout.format(r="grew more leaves beside", a="windowsill", b="closet")
    assert domain(compared) == domain(uncompared) == 0.0
    puzzle = "Ann is older than Bo, and Bo is older than Cy. Who is the youngest?\nA. Ann\nB. Bo\nC. Cy"
    assert stem_relations(puzzle) == 2 and domain(puzzle) > 0.1
    # clues lettered like options keep their relations: only the lettered sequence that ends the text is the options
    clues = "Three friends stand in a row.\na) Ann is taller than Bo.\nb) Bo is taller than Cy.\nWho is the shortest?\nA. Ann\nB. Bo\nC. Cy"
    assert stem_relations(clues) == 2
    # ... nor when they run straight into the options, or the options are inline or numbered (a second review, s34)
    for layout in ("Who is shortest?\na) Ann is taller than Bo.\nb) Bo is taller than Cy.\n(A) Ann\n(B) Bo\n(C) Cy",
                   "a) Ann is taller than Bo.\nb) Bo is taller than Cy.\nWho is the shortest? (A) Ann (B) Bo (C) Cy",
                   "a) Ann is taller than Bo.\nb) Bo is taller than Cy.\nWho is the shortest?\n1. Ann\n2. Bo\n3. Cy"):
        assert stem_relations(layout) == 2, layout


def test_imagining_a_scenario_is_not_role_play(default):
    """"Imagine you are a pirate" casts a persona (role-play); "imagine you are in a dark room" sets a
    scenario, which 7.20.0 read as role-play too (writing domain 0.2 against 0 now)."""
    writing = FEATURE_NAMES.index("writing domain")
    domain = lambda t: default.estimator.featurize([{"role": "user", "content": t}]).h[writing]
    assert domain("Imagine you are in a dark room with a match, a candle and a lamp. What do you light first?") == 0.0
    assert domain("Imagine you are a pirate captain. Describe your ship to your crew.") > 0.3


@pytest.mark.parametrize(("text", "plain"), [
    ("List the rivers of Spain that flow into the Atlantic, or say none if there are none.", "List the rivers of Spain that flow into the Atlantic."),
    ("Tell me about yourself and your hobbies. None of that corporate speak.", "Tell me about yourself and your hobbies."),
    ("Which of these is a mammal? A) shark B) dolphin C) trout D) none of the above", "Which of these is a mammal? A) shark B) dolphin C) trout D) salmon"),
    ("What is the null hypothesis of a two-sample t-test?", "What is the hypothesis of a two-sample t-test?"),
])
def test_none_null_and_self_are_everyday_words_not_code(default, text, plain):
    """Two of them in a short request made it a request for a program: the rivers of Spain scored 0.77 on 7.36.0, the
    high tier, against 0.21 without "or say none if there are none" (version 46)."""
    code = FEATURE_NAMES.index("code domain")
    featurize = lambda t: default.estimator.featurize([{"role": "user", "content": t}]).h[code]
    score = lambda t: default.score([{"role": "user", "content": t}]).score
    assert featurize(text) == featurize(plain) == 0.0
    assert score(text) == pytest.approx(score(plain), abs=0.06)


@pytest.mark.parametrize("text", [
    "Fix the memory leak in my server.",
    "Sort the nodes topologically and report any cycle.",
    "My thread deadlocks when two locks are taken in opposite order.",
])
def test_computing_words_alone_keep_the_code_domain(default, text):
    """Version 48 read node, bug, server, thread, loop, error and string alone as everyday words; a review found real
    requests sent to the cheap tier ("Fix the memory leak in my server." 0.73 -> 0.28), and version 49 withdrew it."""
    code = FEATURE_NAMES.index("code domain")
    assert default.estimator.featurize([{"role": "user", "content": text}]).h[code] > 0.3


@pytest.mark.parametrize(("text", "asks"), [
    ("I demand a helicopter and a million dollars in 30 minutes or else. Respond, using de-escalation techniques.", False),
    ("I bought 3 shirts for 20 dollars each. Write a funny tweet about it.", False),
    ("Tom has 5 apples and buys 3 more apples at the market. Calculate the total number of apples he has now.", True),
    ("Tom has 5 apples and buys 3 more apples at the market. How many apples does he have now?", True),
    ("He has 8 spiders and 12 ants. He is wondering what the number of legs of the entire collection is.", False),  # GSM8K's
    ("汤姆有5个苹果，又买了3个苹果。他现在有多少个苹果？", True),
    ("x" * 5000 + " He has 3 cats and 2 dogs. How many pets?", True),  # the question that ends a long text
])
def test_a_word_problem_asks(text, asks):
    """Figures and no ask are no word problem (version 49): the role-play's read as one (0.64 on 7.39.0). Two of
    GSM8K's 7,473 training problems ask neither way (one is above)."""
    from classifiers.word_problems import asks_for_an_answer

    assert asks_for_an_answer(text) == asks


@pytest.mark.parametrize("language", ["Kotlin", "PHP", "Ruby", "Haskell", "Scala", "Perl", "Lua", "MATLAB"])
def test_every_programming_language_names_a_code_question(default, language):
    """The code lexicon named a few languages; the same question about another one read as chit-chat
    (0.19-0.20 on 7.9.0 against 0.36 in Python, C++ or Rust)."""
    ask = lambda lang: default.score([{"role": "user", "content": f"How do I read a file line by line in {lang}?"}]).score
    assert ask(language) == pytest.approx(ask("Python"), abs=0.03)


def test_mathematics_is_a_math_cue(default):
    """A quiz about mathematics is a math question: the math lexicon named its branches (algebra,
    calculus, geometry) but not "math" itself, so a harness header about college mathematics read
    like one about marketing (0.48 and 0.46 on 7.9.0; abstract algebra 0.61)."""
    def quiz(subject: str) -> float:
        text = (f"The following are multiple choice questions (with answers) about {subject}.\n\n"
                "Which of the following is true?\nA. first\nB. second\nC. third\nD. fourth\nAnswer:")
        return default.score([{"role": "user", "content": text}]).score
    assert quiz("college mathematics") > quiz("marketing") + 0.1
    assert quiz("college mathematics") == pytest.approx(quiz("abstract algebra"), abs=0.03)


@pytest.mark.parametrize("date", ["2024-05-07", "12:58:36", "12:58:36,141", "9/25/2023"])
def test_a_date_or_a_time_is_one_number(default, date):
    """A timestamp is one quantity: counted as three or four numbers, a log line read as a dense word problem."""
    numbers = FEATURE_NAMES.index("numbers")
    f = lambda t: default.estimator.featurize([{"role": "user", "content": t}]).h[numbers]
    assert f(f"The outage started at {date} on node 7.") == f("The outage started at 12 on node 7.")
    assert f("The ratio is 3:4 on node 7.") > f("The ratio is 3 on node 7.")  # one separator: two numbers


@pytest.mark.parametrize("text,latex", [
    ("It costs $100. She has $15 for it and $2.50 per day, $1,200 in all; not $3!", 0.0),
    ("Is $3 + 4 = 7$ true, and $5 \\cdot 3$?", math.log1p(3)),   # \cdot, and two pairs of delimiters
    ("Show that $3$ is odd.", math.log1p(1)),
    ("The escaped \\$5 and \\$6 are LaTeX's.", math.log1p(1)),
])
def test_amounts_of_money_are_no_latex_delimiters(text, latex):
    """1,360 of GSM8K's 7,473 problems write two dollar amounts or more: read as a pair of LaTeX
    delimiters, each was no word problem (no quantities prior, no length prior)."""
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    assert handcrafted(as_conversation(text))[FEATURE_NAMES.index("LaTeX commands")] == pytest.approx(latex)


def test_code_escapes_and_windows_paths_are_no_latex(default):
    """A backslash and letters counted as a LaTeX command, so a traceback's Windows paths (52 "commands")
    or a snippet's "\\n" read as math notation, the strongest math cue; only math writing counts now."""
    latex = FEATURE_NAMES.index("LaTeX commands")
    f = lambda t: default.estimator.featurize([{"role": "user", "content": t}]).h[latex]
    assert f('Why does this fail?\nFile "C:\\Users\\bob\\AppData\\Local\\Programs\\Python\\main.py", line 3') == 0.0
    assert f('Fix it: print("a\\nb\\tc"); re.match(r"\\d+\\s\\w", s)') == 0.0
    assert f("Find $\\frac{1}{2} + \\sqrt{x}$ where $x \\in \\mathbb{R}$.") > f("Find $1/2 + x$.")


def test_a_domain_is_one_reason(default):
    """A domain's words' density, the domain and its length slope are told as one reason, their sum: apart, the fit's
    split read as a proof lowering its own score ("reasoning domain" -0.48 beside "length x reasoning" +0.61) and a haiku
    raised by its writing ("writing domain" +0.64 beside "writing density" -1.38; a user review, session 50)."""
    scorer = default.estimator.scorer
    parts = {"math": ("math density", "length x math"), "code": ("code density", "length x code"),
             "reasoning": ("reason density", "length x reasoning"), "writing": ("writing density", "length x writing")}
    for prompt in ("Prove that there are infinitely many primes.", "Write a haiku about autumn.",
                   "Write a Python function that merges k sorted lists.", "Solve x^2 - 5x + 6 = 0 and explain each step."):
        f = default.estimator.featurize([{"role": "user", "content": prompt}])
        every = dict(scorer.contributions(f, k=len(FEATURE_NAMES)))
        for domain, (density, slope) in parts.items():
            i, members = FEATURE_NAMES.index(f"{domain} domain"), [FEATURE_NAMES.index(n) for n in (density, slope)]
            total = sum(scorer.w[j] * f.h[j] - scorer.wm[j] for j in (i, *members))
            name = f"{domain} domain" if f.h[i] else f"no {domain} domain"
            assert every[name] == pytest.approx(total, abs=1e-4), (prompt, name)
        assert not any(n.startswith(("length x ", "no length x ")) or n.removeprefix("no ") in
                       ("math density", "code density", "reason density", "writing density") for n in every), prompt
    top = dict(default.score([{"role": "user", "content": "Write a haiku about autumn."}]).top_features)
    assert top["writing domain"] < 0, "writing lowers a haiku's score, as one reason"
