"""How the default model ranks prompts: length within a domain, the priors on word problems' numbers,
multiple-choice questions, quoted passages and tables."""

import math

import pytest

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
