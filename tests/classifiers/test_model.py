import math

import numpy as np
import pytest

from backends.reasoning import EFFORTS as GATEWAY_EFFORTS
from classifiers import ScoreResult, reasoning_tokens
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.model import ComplexityEstimator
from classifiers.train import ARTIFACT_VERSION
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


def test_default_metadata_and_tokens(default):
    m = default.metadata
    assert m["version"] and m["training_files"] and m["library_versions"]["scikit-learn"]
    assert m["version"] == ARTIFACT_VERSION, "the shipped artifact is what `train` writes today (retrain it after a version bump)"
    short = default.score([{"role": "user", "content": "Answer yes or no: is 7 prime?"}])
    long = default.score([{"role": "user", "content": "Write a detailed 2000-word essay on the history of Rome."}])
    assert long.expected_answer_tokens > short.expected_answer_tokens


def test_top_features_are_named(default):
    r = default.score([{"role": "user", "content": OLYMPIAD}])
    assert 1 <= len(r.top_features) <= 5
    assert all(isinstance(n, str) and isinstance(v, float) for n, v in r.top_features)


def test_batch_equals_single(default):
    convs = [[{"role": "user", "content": t}] for t in EASY + HARD]
    batch = [r.score for r in default.score_batch(convs)]
    assert batch == pytest.approx([default.score(c).score for c in convs], abs=1e-9)


def test_expected_completion_tokens_by_effort():
    r = ScoreResult(0.8, 200, ())
    # every effort the gateway can ask an upstream for has a forecast, growing along its ladder
    vals = [r.expected_completion_tokens(e) for e in GATEWAY_EFFORTS]
    assert vals[0] == 200 and vals == sorted(vals) and vals[-1] > vals[-2]
    assert r.expected_completion_tokens("high", thinking_budget=1000) == 1200
    assert reasoning_tokens(0.9, "medium") > reasoning_tokens(0.1, "medium")
    with pytest.raises(ValueError):
        r.expected_completion_tokens("extreme")


def test_fit_is_deterministic():
    X, y = EASY + HARD, [0.1] * len(EASY) + [0.9] * len(HARD)
    a = ComplexityEstimator(hash_scale=0.5).fit(X, y)
    b = ComplexityEstimator(hash_scale=0.5).fit(X, y)
    assert np.array_equal(a.coef_, b.coef_) and np.array_equal(a.hash_coef_, b.hash_coef_)
    p = a.predict_proba(X)
    assert p.shape == (len(X), 2) and np.allclose(p.sum(1), 1)
    assert p[len(EASY):, 1].mean() > p[: len(EASY), 1].mean()


def test_reference_answers_teach_order_not_level():
    """Written reference answers (far terser than a chat model's) get their own intercept: their
    order within the set is learned, their level does not pull chat predictions down; passed as
    chat answers, the same rows would."""
    chat = EASY + HARD
    chat_tokens = [50.0] * len(EASY) + [400.0] * len(HARD)

    def fit(refs: list[str], ref_tokens: list[float], name: str | None) -> ComplexityEstimator:
        return ComplexityEstimator(tokens_hash_scale=0.0, tokens_alpha=1.0).fit(
            chat + refs, [0.5] * (len(chat) + len(refs)), answer_tokens=chat_tokens + ref_tokens,
            answer_references=[None] * len(chat) + [name] * len(refs))

    def level(est: ComplexityEstimator) -> float:
        return float(np.mean(np.log(est.predict_tokens(HARD)) - np.log(chat_tokens[len(EASY):])))

    alone = ComplexityEstimator(tokens_hash_scale=0.0, tokens_alpha=1.0).fit(
        chat, [0.5] * len(chat), answer_tokens=chat_tokens)
    terse = (list(HARD), [20.0] * len(HARD))  # the same problems, answers written 20x terser
    assert abs(level(fit(*terse, "exercises")) - level(alone)) < 0.1
    assert level(fit(*terse, None)) < level(alone) - 0.5
    steps = [f"Exercise {k}: {h}" + " Justify each step." * k for k, h in enumerate(HARD, 1)]
    ranked = fit(steps, [5.0 * k for k in range(1, len(HARD) + 1)], "exercises").predict_tokens(steps)
    assert np.corrcoef(np.argsort(np.argsort(ranked)), np.arange(len(steps)))[0, 1] > 0.8


IDENTIFY = [f"Identify the programming language of the given code.\n\n{c}" for c in (
    "print('hi')", "fmt.Println(x)", "console.log(y);", "puts 'a'", "echo $HOME", "SELECT 1;", "printf(\"%d\", n);")]


def test_a_level_set_teaches_its_level_but_keeps_the_chat_level():
    """A reference set in ``tokens_level_sets`` (the Self-Instruct seed tasks: everyday instructions, written
    answers) teaches that its kind of request gets a short answer -- a held-out one is forecast shorter than with
    the set's free intercept -- while the chat rows' mean log residual stays zero (the set does not pull every
    forecast down)."""
    chat = EASY + HARD
    chat_tokens = [50.0] * len(EASY) + [400.0] * len(HARD)

    def fit(level_sets: tuple[str, ...]) -> ComplexityEstimator:
        return ComplexityEstimator(tokens_hash_scale=2.0, tokens_alpha=1.0, tokens_level_sets=level_sets).fit(
            chat + IDENTIFY[:-1], [0.5] * (len(chat) + len(IDENTIFY) - 1),
            answer_tokens=chat_tokens + [3.0] * (len(IDENTIFY) - 1),
            answer_references=[None] * len(chat) + ["seed_tasks"] * (len(IDENTIFY) - 1))

    def log_tokens(est: ComplexityEstimator, texts: list[str]) -> np.ndarray:
        return np.array([est.log_tokens_one(est.featurize(t)) for t in texts])

    free, level = fit(()), fit(("seed_tasks",))
    held_out = IDENTIFY[-1:]
    assert log_tokens(level, held_out)[0] < log_tokens(free, held_out)[0] - 0.5
    for est in (free, level):
        assert abs(float(np.mean(log_tokens(est, chat) - np.log(chat_tokens)))) < 1e-6


def test_a_level_set_without_rows_is_warned_of():
    """A misspelt or absent name in ``tokens_level_sets`` changes nothing: training says so rather than fit silently."""
    chat = EASY + HARD
    with pytest.warns(UserWarning, match="seed_taks"):
        ComplexityEstimator(tokens_level_sets=("seed_taks",)).fit(
            chat + IDENTIFY, [0.5] * (len(chat) + len(IDENTIFY)), answer_tokens=[50.0] * len(chat) + [3.0] * len(IDENTIFY),
            answer_references=[None] * len(chat) + ["seed_tasks"] * len(IDENTIFY))


def test_loso_reports_each_held_out_sources_answer_level():
    """A held-out source whose answers run 10x the others' ranks fine within itself but is forecast at the
    others' level: ``tokens_per_source`` says so (median forecast / answer), which its Spearman cannot."""
    from classifiers.data import Example
    from classifiers.train import loso

    def rows(source: str, texts: list[str], tokens: float) -> list[Example]:
        return [Example(t, source, 0.5, answer_tokens=tokens * (1 + k)) for k, t in enumerate(texts)]

    wordy = [f"Please: {t}" for t in EASY + HARD]
    examples = rows("alpaca:terse", EASY + HARD, 20.0) + rows("alpaca:wordy", wordy, 200.0)
    report = loso(examples, [], ("alpaca:terse", "alpaca:wordy"), log=lambda *_: None, tokens_hash_scale=0.0,
                  tokens_alpha=1.0)
    level = {src: row["median_predicted_over_actual"] for src, row in report["tokens_per_source"].items()}
    assert level["alpaca:wordy"] < 0.3 and level["alpaca:terse"] > 3.0


def test_the_shipped_artifact_is_what_train_writes(default, shared_data, tmp_path):
    """``train`` on ``shared/`` reproduces the committed artifact: byte for byte with the library
    versions and BLAS kernels it was trained with (a featurizer change without a retrain fails here), to the
    sixth decimal of every probe score with others (their float arithmetic may differ: another CPU's
    OpenBLAS kernel moved coefficients by a few ulps)."""
    import json

    from classifiers.classifier import load_classifier
    from classifiers.persist import DEFAULT_ARTIFACT
    from classifiers.train import library_versions, train_artifact

    meta = json.loads(DEFAULT_ARTIFACT.with_suffix(".json").read_text(encoding="utf-8"))
    fresh = train_artifact(shared_data, tmp_path / "again.skops", validate=False, log=lambda *_: None)
    here = library_versions()
    assert fresh["library_versions"] == here
    probes = [[{"role": "user", "content": t}] for t in (*EASY, *HARD, OLYMPIAD)]
    again = load_classifier(str(tmp_path / "again.skops"))
    assert [r.score for r in again.score_batch(probes)] == pytest.approx([r.score for r in default.score_batch(probes)],
                                                                         abs=1e-6)
    if here == meta["library_versions"]:
        assert fresh["artifact_sha256"] == meta["artifact_sha256"]
        assert fresh["inference_bundle"]["sha256"] == meta["inference_bundle"]["sha256"]


GSM_SHORT = "Tom has 3 apples and buys 2 more. How many apples does he have?"
GSM_LONG = ("Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for "
            "her friends every day with four. She sells the remainder at the farmers' market daily for $2 per egg. "
            "On weekends she sells twice as many at a 10% discount, and she pays $15 per week for feed. How much "
            "in dollars does she make every week after paying for feed?")


def test_length_counts_within_domain_only(default):
    u = lambda t: [{"role": "user", "content": t}]
    s = lambda t: default.score(u(t)).score
    assert s(GSM_LONG) > s(GSM_SHORT)
    assert s("write a poem about the sea") < 0.5 and s("hi") < 0.5
    rewrite = "Rewrite this paragraph to sound more formal: " + "we went to the shop and it was good. " * 8
    assert s(rewrite) < s(GSM_LONG)


def test_prior_feature_weight_is_the_configured_prior(default):
    from classifiers.feature_schema import PRIOR_FEATURE

    est = default.estimator
    assert est.length_prior > 0
    assert abs(est.coef_[PRIOR_FEATURE] / est.scale_[PRIOR_FEATURE] - est.length_prior) < 1e-9


@pytest.mark.parametrize("wrapper", [
    "Solve the problem below and give the final answer as a number.\n\n{q}",
    "Here is a question from a practice worksheet that a student brought home from school last week.\n\n{q}",
    "Q: {q}\nA: Let's think step by step.",
    ('Solve this math problem. Give the reasoning steps before giving the final answer on the last line by itself in '
     'the format of "Answer:". Do not add anything other than the integer answer after "Answer:".\n\n{q}'),
])
def test_a_shared_instruction_keeps_word_problems_ranked_above_length(default, shared_data, wrapper):
    """An instruction before every problem of a set leaves the length ranking as it is but dilutes the
    cue density that gates the length prior; a short word problem is a closed problem regardless. (With
    the density gate alone, both fell below length on the 7,473 problems; now 0.391 and 0.384 vs 0.375.)
    Zero-shot chain of thought: its "A:" line once read as an answer option, so no problem was a word
    problem (0.366; now 0.402 as bare). A 220-character instruction pushed the longer problems past the
    word problem's 600 characters (0.356); its length now counts from the first paragraph with a
    number (0.387)."""
    import json

    from classifiers.metrics import spearman

    lines = (shared_data / "difficulty" / "gsm8k_train.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    steps = [len(r["answer"].strip().split("\n")) - 1 for r in rows]
    scores = [r.score for r in default.score_batch([wrapper.format(q=r["question"]) for r in rows])]
    assert spearman(scores, steps) > spearman([len(r["question"]) for r in rows], steps)


def test_numbers_prior_weight_is_the_configured_prior(default):
    from classifiers.feature_schema import NUMBERS_PRIOR_FEATURE

    est = default.estimator
    assert est.numbers_prior > 0
    assert abs(est.coef_[NUMBERS_PRIOR_FEATURE] / est.scale_[NUMBERS_PRIOR_FEATURE] - est.numbers_prior) < 1e-9


WORD_PROBLEM = ("A baker makes 120 rolls on Monday and 45 more on Tuesday than on Monday. She sells 3/4 of all the "
                "rolls at $2 each and gives 15 rolls away. How much money does she make?")


@pytest.mark.parametrize("text,bonus", [
    (WORD_PROBLEM, math.log1p(6) - math.log1p(3)),                                 # 120, 45, 3, 4, 2, 15
    ("Tom has 12 apples and gives 5 to Ann. How many apples does Tom have left?", 0.0),  # 3 or fewer numbers
    (("A farmer has twelve cows and buys three more each week for four weeks, then sells half of them. How many "
      "cows does he have left?"), math.log1p(4) - math.log1p(3)),                   # numbers written as words
    (f"Q: {WORD_PROBLEM}\nA: Let's think step by step.", math.log1p(6) - math.log1p(3)),  # one "option": a marker
    (WORD_PROBLEM + "\nA. $180\nB. $247\nC. $232\nD. $200", 0.0),                    # a quiz: the MCQ prior's
    (WORD_PROBLEM.replace("3/4", "$\\frac{3}{4}$"), 0.0),                         # LaTeX: a math problem
    (WORD_PROBLEM + " " + "She also kept notes about the weather that week. " * 10, 0.0),  # longer than 600 chars
    ("Read the problem carefully and explain your reasoning. " * 8 + "\n\n" + WORD_PROBLEM,  # an instruction before
     math.log1p(6) - math.log1p(3)),
    ("Write a story of 300 words about a baker who makes 120 rolls, sells 45 and gives 15 away to 2 friends.", 0.0),
    (("Alexis had a budget of $200. She spent $30 on a shirt, $46 on pants and $38 on a coat, and has $16 left. "
      "How much did she pay for the shoes?"), math.log1p(5) - math.log1p(3)),      # amounts of money: no LaTeX
    (("Marvin sold 35 candy bars at $2 each for the class trip on Monday and 20 on Tuesday. Tina sold three times "
      "as many. How much more money did Tina make?"), math.log1p(4) - math.log1p(3)),  # a school class: no code;
    # "three times as" is a relation between unknowns: its own prior since version 87, no quantity
])
def test_numbers_count_in_short_arithmetic_word_problems_only(text, bonus):
    from classifiers.feature_schema import NUMBERS_PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    assert handcrafted(as_conversation(text))[NUMBERS_PRIOR_FEATURE] == pytest.approx(bonus)


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


def test_the_answer_length_fit_leaves_the_numbers_prior_out(default):
    """The prior's feature counts quantities in word problems, which chat answers hardly teach: fitted,
    it took a negative weight that ranked GSM8K's held-out written answers at 0.196 (0.375 without)."""
    from classifiers.feature_schema import NUMBERS_PRIOR_FEATURE

    assert default.estimator.tok_coef_[NUMBERS_PRIOR_FEATURE] == 0.0


def test_more_given_numbers_rank_a_word_problem_higher_at_the_same_length(default):
    """Same story, same length, three more quantities to combine: more steps, a clearly higher score
    (the fitted number features alone separate them by 0.006)."""
    fewer = ("A baker makes some rolls on Monday and some more on Tuesday than on Monday. She sells most of all "
             "the rolls at $2 each and gives 15 rolls away. How much money does she make?")
    assert default.score(WORD_PROBLEM).score > default.score(fewer).score + 0.04


def _mcq(question: str, options: list[str]) -> list[dict[str, str]]:
    lines = [question] + [f"{'ABCD'[i]}. {o}" for i, o in enumerate(options)] + ["Answer:"]
    return [{"role": "user", "content": "\n".join(lines)}]


def test_length_counts_in_multiple_choice_questions_above_150_characters(default):
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import MCQ_LENGTH_ANCHOR, handcrafted
    from classifiers.inference import as_conversation

    prior = lambda m: handcrafted(as_conversation(m))[PRIOR_FEATURE]
    short = _mcq("Which of the following is the capital of Australia?", ["Sydney", "Canberra", "Melbourne", "Perth"])
    assert prior(short) == 0.0 and default.score(short).score <= 0.40  # a short quiz question stays cheap
    vignette = ("A landowner conveyed a parcel to a buyer by a deed that was never recorded. Two years later the "
                "landowner conveyed the same parcel to a second buyer, who paid value without notice of the first "
                "conveyance and recorded promptly. The jurisdiction has a notice-type recording statute. Who prevails?")
    long = _mcq(vignette, ["The first buyer", "The second buyer", "The landowner", "Neither buyer"])
    text = long[0]["content"]
    assert prior(long) == pytest.approx(math.log1p(len(text)) - MCQ_LENGTH_ANCHOR)
    assert default.score(long).score > default.score(short).score + 0.2
    # the same text without answer options is not a multiple-choice question: no bonus outside the domains
    assert prior([{"role": "user", "content": vignette}]) == 0.0


def test_a_quoted_passage_is_reading_material_not_question_length(default):
    """An MMLU history question quotes its source: the length bonus reads the question, not the passage
    (before version 28 such questions scored highest of a quiz). Unquoted, the same text is all question."""
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import MCQ_LENGTH_ANCHOR, handcrafted
    from classifiers.inference import as_conversation

    prior = lambda m: handcrafted(as_conversation(m))[PRIOR_FEATURE]
    passage = ("The Navigation Acts required that all goods shipped to England or its colonies be carried on English "
               "ships. Colonial merchants objected to the restrictions, which raised prices on imported goods and limited "
               "markets for colonial exports. After the Seven Years' War, Parliament sought to raise revenue in the colonies "
               "through the Sugar Act and the Stamp Act, provoking protests, boycotts and a congress of the colonies.")
    stem = "The passage above is most directly concerned with which of the following?"
    options = ["Mercantilist policies", "Enlightenment ideas", "The Great Awakening", "Colonial alliances"]
    for opening, closing in (('"', '"'), ("\u201c", "\u201d")):
        quoted = _mcq(f"This question refers to the following information.\n{opening}{passage}{closing}\n{stem}", options)
        material = len(passage) + 2
        assert prior(quoted) == pytest.approx(math.log1p(len(quoted[0]["content"]) - material) - MCQ_LENGTH_ANCHOR)
    plain = _mcq(f"This question refers to the following information.\n{passage}\n{stem}", options)
    assert prior(plain) == pytest.approx(math.log1p(len(plain[0]["content"])) - MCQ_LENGTH_ANCHOR)
    assert default.score(quoted).score < default.score(plain).score - 0.1
    # the question quoted, with or without its options, is still the question
    for wrapped in (f'Answer this: "{passage} {stem}"', '"' + _mcq(f"{passage} {stem}", options)[0]["content"] + '"'):
        unquoted = wrapped.replace('"', "'")
        assert prior([{"role": "user", "content": wrapped + ("" if "A. " in wrapped else "\nA. 1\nB. 2\nC. 3")}]) == \
            prior([{"role": "user", "content": unquoted + ("" if "A. " in unquoted else "\nA. 1\nB. 2\nC. 3")}])
    # a short quotation is part of the question
    assert prior(_mcq(f'Who said "I think, therefore I am"? {stem}', options)) == prior(_mcq(f"Who said 'I think, therefore I am'? {stem}", options))


def test_inline_options_make_a_multiple_choice_question(default):
    """An MMLU-style question with its options on the question's line is a multiple-choice
    question as much as one with an option per line: same length bonus, near the same score."""
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    vignette = ("A landowner conveyed a parcel to a buyer by a deed that was never recorded. Two years later the "
                "landowner conveyed the same parcel to a second buyer, who paid value without notice of the first "
                "conveyance and recorded promptly. The jurisdiction has a notice-type recording statute. Who prevails?")
    options = ["The first buyer", "The second buyer", "The landowner", "Neither buyer"]
    on_lines = _mcq(vignette, options)
    inline = [{"role": "user", "content": vignette + " " + " ".join(f"({'ABCD'[i]}) {o}" for i, o in enumerate(options))}]
    bare = [{"role": "user", "content": vignette}]
    prior = lambda m: handcrafted(as_conversation(m))[PRIOR_FEATURE]
    assert prior(inline) > 0.0 == prior(bare)
    assert default.score(inline).score > default.score(bare).score + 0.2
    assert abs(default.score(inline).score - default.score(on_lines).score) < 0.1


def test_closed_problems_are_ranked_at_least_as_well_as_by_length(default, shared_data):
    """Within a homogeneous problem set the score must not order difficulty worse than prompt
    length does (the README's hidden-set target asks for more than length on every set).
    GSM8K: solution steps; MATH: level. Before the saturating domain gate, GSM8K was 0.33 < 0.38."""
    import json

    from classifiers.metrics import spearman

    def rows(name: str) -> list[dict]:
        return [json.loads(line) for line in (shared_data / "difficulty" / name).read_text(encoding="utf-8").splitlines()]

    gsm = rows("gsm8k_train.jsonl")
    math_rows = [r for r in rows("math_test.jsonl") if str(r.get("level", "")).startswith("Level ")]
    for texts, labels in (([r["question"] for r in gsm], [len(r["answer"].strip().split("\n")) - 1 for r in gsm]),
                          ([r["problem"] for r in math_rows], [int(r["level"][-1]) for r in math_rows])):
        scores = [r.score for r in default.score_batch([[{"role": "user", "content": t}] for t in texts])]
        assert spearman(scores, labels) > spearman([len(t) for t in texts], labels)


def test_word_problems_rank_by_the_quantities_given_held_out(shared_data):
    """GSM8K held out of training: the score orders all 7,473 problems by solution steps clearly
    better than length (0.509 vs 0.375). Counting the numbers written as words ("two fish tanks",
    "twice the size", "half as many", "two-thirds") with the digits moved it from 0.404 to 0.436;
    reading dollar amounts as money, not LaTeX, a "class trip" as no code, and a prior of 3 (was 1)
    to 0.509. The count alone ranks the steps at 0.52, digits alone at 0.34."""
    import json

    from classifiers.data import load_all
    from classifiers.metrics import spearman
    from classifiers.train import DEFAULT_PARAMS, fit

    examples, _ = load_all(shared_data)
    est = fit([e for e in examples if e.source != "gsm8k"], difficulty_scale=0.1, **DEFAULT_PARAMS)
    lines = (shared_data / "difficulty" / "gsm8k_train.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    steps = [len(r["answer"].strip().split("\n")) - 1 for r in rows]
    scores = est.predict_proba([r["question"] for r in rows])[:, 1]
    assert spearman(scores, steps) > spearman([len(r["question"]) for r in rows], steps) + 0.11


def test_code_escapes_and_windows_paths_are_no_latex(default):
    """A backslash and letters counted as a LaTeX command, so a traceback's Windows paths (52 "commands")
    or a snippet's "\\n" read as math notation, the strongest math cue; only math writing counts now."""
    latex = FEATURE_NAMES.index("LaTeX commands")
    f = lambda t: default.estimator.featurize([{"role": "user", "content": t}]).h[latex]
    assert f('Why does this fail?\nFile "C:\\Users\\bob\\AppData\\Local\\Programs\\Python\\main.py", line 3') == 0.0
    assert f('Fix it: print("a\\nb\\tc"); re.match(r"\\d+\\s\\w", s)') == 0.0
    assert f("Find $\\frac{1}{2} + \\sqrt{x}$ where $x \\in \\mathbb{R}$.") > f("Find $1/2 + x$.")


STOCKS = ("Given the following records of stock prices, extract the highest and lowest closing prices for each month in "
          "2022.\nDate,Open,High,Low,Close,Volume\n2022-01-03,152.69,166.95,165.28,155.10,18312021\n"
          "2022-01-17,150.57,166.72,158.66,165.25,10035333\n2022-02-03,168.03,150.61,150.51,160.83,16395545\n"
          "2022-02-17,168.78,161.06,156.91,163.54,17710866\n2022-03-03,153.72,169.85,167.20,152.42,15581698\n"
          "2022-03-17,166.60,163.41,156.07,161.75,18377905")


def test_a_table_s_figures_are_no_word_problem_s_steps(default):
    """Under an arithmetic cue ("highest", "lowest") a six-row price table read as a word problem with 30 quantities:
    +6 logit from the numbers prior, 0.99 (an outside review's MT-Bench-style probes, s34). Its rows are data."""
    from classifiers.feature_schema import NUMBERS_PRIOR_FEATURE
    from classifiers.word_problems import table_rows

    assert table_rows(STOCKS).count("\n") == 5
    assert default.estimator.featurize(STOCKS).h[NUMBERS_PRIOR_FEATURE] == 0.0
    assert default.score(STOCKS).score < 0.9
    word_problem = "Tom has 3 boxes of 12 pens and gives away 5 pens, 2 pencils and 1 ruler.\nHow many pens are left?"
    assert table_rows(word_problem) == "" and default.estimator.featurize(word_problem).h[NUMBERS_PRIOR_FEATURE] > 0
    # a word problem's own small table keeps its figures: they are the numbers to combine (a second review, s34)
    sales = ("A bakery sold muffins, cakes and cookies.\nMonday 12 5 30\nTuesday 10 4 25\nWednesday 14 6 28\n"
             "Muffins cost $2, cakes $15 and cookies $1. How much money did it make over the three days?")
    assert table_rows(sales) == "" and default.estimator.featurize(sales).h[NUMBERS_PRIOR_FEATURE] > 1.0
    years = "Sales by year:\n2020: 1,200 dollars\n2021: 1,350 dollars\n2022: 1,500 dollars\nWhat is the total increase?"
    assert table_rows(years) == ""


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


def test_top_features_name_what_the_prompt_lacks_as_absent(default):
    """Contributions are measured from the training mean, so a lacking feature shows up too: "What is the capital of
    France?" listed "LaTeX commands −0.28", as if it held LaTeX; it is named "no LaTeX commands"."""
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    features = dict(zip(FEATURE_NAMES, default.estimator.featurize(messages).h, strict=True))
    top = dict(default.score(messages).top_features)
    assert "no LaTeX commands" in top and "LaTeX commands" not in top
    for name in top:
        base = name.removeprefix("no ")
        if base in features:
            assert (features[base] == 0) == name.startswith("no "), (name, features[base])
    # a prior that is 0 below its anchor is no absent feature: a short closed problem is still one
    for prompt in ("Solve 3x + 5 = 20.", "Write a haiku about autumn."):  # ("x^2" is notation: 80)
        names = [n for n, _ in default.score([{"role": "user", "content": prompt}]).top_features]
        assert "short or no closed problem" in names and "no length in a closed problem" not in names
    long_problem = "Solve for x, showing every step: " + "3x + 7 = 2(x - 4) + 5x - 9, then check it. " * 6
    assert "length in a closed problem" in [n for n, _ in default.score([{"role": "user", "content": long_problem}]).top_features]
