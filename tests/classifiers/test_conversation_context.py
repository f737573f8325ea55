"""A follow-up turn inherits the difficulty of the conversation it continues."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.data import load_all
from classifiers.feature_schema import CONVERSATION_FEATURES
from classifiers.inference import CONTEXT_DECAY, CONTEXT_PREFIX
from classifiers.metrics import spearman
from classifiers.model import ComplexityEstimator
from classifiers.text import CONTEXT_CHARS, parse_messages
from tests.classifiers.conftest import EASY, HARD, OLYMPIAD

FOLLOW_UPS = ["continue", "Can you check step 3 again? I think it is wrong.", "thanks, and the other case?",
              "Now do the same in Java.", "why?", "Explain that more simply."]


def chat(*turns: str) -> list[dict[str, str]]:
    """Alternating user / assistant turns, starting and ending with the user."""
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(turns)]


def test_earlier_user_turns_are_parsed_without_the_assistant_or_system():
    c = parse_messages([{"role": "system", "content": "be brief"}, *chat("first", "an answer", "second",
                                                                          "another answer", "last")])
    assert c.last_user == "last" and c.earlier_user == "first\nsecond"
    assert parse_messages(chat("only")).earlier_user == ""
    assert parse_messages([{"role": "assistant", "content": "hello"}, {"role": "user", "content": "hi"}]).earlier_user == ""


def test_the_context_keeps_the_most_recent_characters():
    old, recent = "a" * CONTEXT_CHARS, "the recent question"
    c = parse_messages(chat(old, "x", recent, "y", "continue"))
    assert len(c.earlier_user) == CONTEXT_CHARS and c.earlier_user.endswith(recent)


@pytest.mark.parametrize("follow_up", FOLLOW_UPS)
def test_a_follow_up_to_a_hard_question_scores_like_its_context(default, follow_up):
    alone = default.score(chat(follow_up)).score
    after_hard = default.score(chat(OLYMPIAD, "Here is a proof ...", follow_up)).score
    after_easy = default.score(chat("write a haiku about rain", "Rain on the roof ...", follow_up)).score
    assert after_hard > alone + 0.1 and after_hard > after_easy + 0.1
    assert after_easy == pytest.approx(alone)  # an easy context never raises a score


def test_the_context_never_lowers_a_score(default):
    for hard in HARD:
        # (the history features carry ~zero weight: the training data is single-turn)
        assert default.score(chat("hi", "Hello!", hard)).score == pytest.approx(default.score(chat(hard)).score, abs=1e-9)


def test_conversation_features_are_not_fitted_on_single_turn_data(default):
    """A few-shot training prompt is the only one with history: fitted, its history features got
    weights that lifted "go on" after a haiku from 0.05 to 0.28. They stay at 0 in both models."""
    few_shot = "Input: 2 + 2\nOutput: 4\n\nInput: 3 * 5\nOutput: 15\n\nInput: 7 * 6\nOutput:"
    est = ComplexityEstimator(C=1.0).fit([*EASY, *HARD, few_shot], [0.1] * len(EASY) + [0.9] * len(HARD) + [0.9],
                                         answer_tokens=[40.0] * len(EASY) + [400.0] * (len(HARD) + 1))
    assert parse_messages(few_shot).history
    for model in (est, default.estimator):
        for coef in (model.coef_, model.tok_coef_):
            assert [coef[j] for j in CONVERSATION_FEATURES] == [0.0] * len(CONVERSATION_FEATURES)


def test_the_context_logit_is_the_earlier_turns_minus_the_decay(default):
    sc = default.estimator.scorer
    conv = chat(OLYMPIAD, "A proof.", "continue")
    own = sc.logit_one(sc.featurize(chat("continue")))
    ctx = sc.logit_one(sc.featurize(chat(OLYMPIAD)))
    assert ctx - CONTEXT_DECAY > own
    assert sc.logit_one(sc.featurize(conv)) == pytest.approx(ctx - CONTEXT_DECAY)


def test_the_explanation_names_the_earlier_turns(default):
    top = default.score(chat(OLYMPIAD, "A proof.", "continue")).top_features
    assert top and all(name.startswith(CONTEXT_PREFIX) for name, _ in top)
    own = default.score(chat("hi", "Hello!", OLYMPIAD)).top_features
    assert not any(name.startswith(CONTEXT_PREFIX) for name, _ in own)


def test_batch_equals_single_for_conversations(default):
    convs = [chat(first, "an answer", f) for first in EASY[:4] + HARD[:4] for f in FOLLOW_UPS[:3]]
    batch = default.score_batch(convs)
    single = [default.score(c) for c in convs]
    assert [r.score for r in batch] == pytest.approx([r.score for r in single], abs=1e-9)
    assert [r.top_features for r in batch] == [r.top_features for r in single]


def test_follow_ups_keep_the_first_turns_ranking(default, shared_data):
    """GSM8K problems followed by a generic follow-up: ranked by score, the conversations keep
    most of the order the problems themselves get (by solution steps); without the context
    every conversation would score the same."""
    examples, _ = load_all(shared_data, cap=300)
    gsm = [e for e in examples if e.source == "gsm8k"][:300]
    steps = [e.label for e in gsm]
    first = [default.score(chat(e.text)).score for e in gsm]
    follow = [default.score(chat(e.text, "The answer is 42.", "Are you sure? Check it again.")).score for e in gsm]
    assert spearman(follow, steps) > 0.8 * spearman(first, steps) > 0.1


@pytest.mark.parametrize("last,earlier,weight", [
    ("continue", "a question of any length", 1.0),                  # short: a follow-up
    ("x" * 53, "", 0.0),                                             # a single turn has no context
    ("x" * 200, "y" * 200, 0.0),                                     # as long as the earlier turns: its own request
    ("x" * 200, "y" * 2000, 1.0),                                    # a tenth of them: a follow-up
    ("x" * 200, "y" * 1000, None),                                   # in between
])
def test_follow_up_weight(last, earlier, weight):
    from classifiers.inference import follow_up_weight

    msgs = chat(earlier, "an answer", last) if earlier else chat(last)
    w = follow_up_weight(parse_messages(msgs))
    assert 0.0 < w < 1.0 if weight is None else w == weight


@pytest.mark.parametrize("follow_up", [
    "Rewrite your previous response so that a ten-year-old could follow every step of the argument.",
    "Can you also show that the bound is tight, and give an example where equality holds for n = 5?",
    "Now prove the same inequality when the a_i are allowed to be zero, and say where the proof above changes.",
    "Reformulate your earlier reply as a table with one row per case, and only include the cases where n > 3.",
    "Based on your last answer, what changes if the inequality must hold for every real number a_i as well?",
])
def test_a_long_follow_up_that_points_back_inherits(default, follow_up):
    from classifiers.inference import follow_up_weight

    assert follow_up_weight(parse_messages(chat(OLYMPIAD, "A proof.", follow_up))) == 1.0
    assert default.score(chat(OLYMPIAD, "A proof.", follow_up)).score > default.score(chat(follow_up)).score


@pytest.mark.parametrize("turn,weight", [
    ("What if two customers tie for third place? Change the query so that both of them are returned.", 1.0),
    ("Make it shorter and more casual, and add one sentence about how the change helps the whole team.", 1.0),
    ("Now find the vertex of the parabola y = 3x^2 - 12x + 9 and say whether it is a minimum or a maximum.", 1.0),
    ("**Which of these** causes do historians consider the most important today, and why do they say so?", 1.0),
    ("Nowhere in the city is there a park larger than 30 hectares; how many parks of 2 hectares fit in one?", 0.0),
    ("Suppose a train leaves at 3 pm travelling at 80 km/h. How far has it travelled by a quarter to seven?", 0.0),
    ("Extend it to support multiple producers and multiple consumers without locks, and show where it needs fences.", 1.0),
    ("Modify your solution so that it runs in O(n) time and O(1) extra space, and explain why the bound holds.", 1.0),
    ("Generalize the result to n dimensions and prove that the constant you found is the best possible one.", 1.0),
    ("Extending the lease on a flat in Berlin: what does the tenant need to send, and how long before it ends?", 0.0),
])
def test_a_turn_that_opens_by_pointing_back_is_a_follow_up(turn, weight):
    from classifiers.inference import follow_up_weight

    assert follow_up_weight(parse_messages(chat("y" * 120, "an answer", turn))) == weight


def test_a_self_contained_question_after_a_hard_one_keeps_its_own_score(default):
    question = ("A bakery sells muffins for $3 each and cookies for $1.50 each. On Monday it sold 40 muffins and "
                "twice as many cookies. How much money did it make on Monday?")
    assert default.score(chat(OLYMPIAD, "A proof.", question)).score == pytest.approx(default.score(chat(question)).score)


def test_few_shot_examples_sent_as_turns_keep_the_questions_ranking(default, shared_data):
    """Few-shot examples sent as earlier user/assistant turns are not a conversation the
    question follows up: scores keep the questions' own ranking and level. (With the context
    floor applied to every turn, 1,500 GSM8K questions after 4 examples got 7 distinct scores
    and a Spearman of 0.04 with their solution steps.)"""
    examples, _ = load_all(shared_data, cap=400)
    gsm = [e for e in examples if e.source == "gsm8k"]
    shots, rest = gsm[:4], gsm[4:304]
    prefix = [m for e in shots for m in ({"role": "user", "content": e.text}, {"role": "assistant", "content": "42"})]
    steps = [e.label for e in rest]
    alone = [r.score for r in default.score_batch([chat(e.text) for e in rest])]
    after = [r.score for r in default.score_batch([[*prefix, *chat(e.text)] for e in rest])]
    assert spearman(after, steps) > 0.9 * spearman(alone, steps) > 0.1
    assert abs(sum(after) - sum(alone)) / len(rest) < 0.03


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 5_000), st.integers(1, 5_000), st.integers(1, 5))
def test_follow_up_weight_is_bounded_and_falls_with_the_turns_length(earlier, last, turns):
    from classifiers.inference import follow_up_weight

    def weight(n: int) -> float:
        msgs = [m for _ in range(turns) for m in ({"role": "user", "content": "y" * earlier},
                                                  {"role": "assistant", "content": "ok"})]
        return follow_up_weight(parse_messages([*msgs, {"role": "user", "content": "x" * n}]))

    w, longer = weight(last), weight(last + 50)
    assert 0.0 <= longer <= w <= 1.0
    assert earlier > 0 or w == 0.0  # no earlier text: nothing to inherit


#: A word problem and its follow-up (an outside review's MT-bench-style probes, s34).
PENCILS = ("Maria buys 12 pencils at $0.45 each and 3 pens at $1.20 each. She pays with a $20 bill. How much change "
           "does she get?")
WRAPPED = [PENCILS + "\n\nLet's think step by step.",
           "Solve the following math problem step by step. The last line of your response should be of the form Answer: "
           "$ANSWER (without quotes) where $ANSWER is the answer to the problem.\n\n" + PENCILS]


@pytest.mark.parametrize("turn", WRAPPED)
def test_the_earlier_turns_are_read_as_a_turn_is(default, turn):
    """A follow-up inherits what its earlier turn scored: read raw, a harness's trigger lifted what "What if …?"
    inherited (0.739 → 0.795) and its format line lowered it (0.707), though the turn itself scored the same."""
    follow_up = "What if she buys 15 pencils instead?"
    assert default.score(chat(turn)).score == pytest.approx(default.score(chat(PENCILS)).score, abs=1e-9)
    assert default.score(chat(turn, "She gets $11.00.", follow_up)).score == pytest.approx(
        default.score(chat(PENCILS, "She gets $11.00.", follow_up)).score, abs=1e-9)


def test_pasted_data_in_an_earlier_turn_is_sampled_as_in_the_turn(default):
    """Read raw, a 48-row table in the earlier turn was a long problem: "Do the same …" scored 0.96 after a turn that
    scored 0.80 itself."""
    rows = "\n".join(f"2022-{m:02d}-{d:02d},{150 + (7 * m * d) % 19}.{(13 * d) % 100:02d},{151 + (5 * m + d) % 17}.{(7 * m) % 100:02d},"
                     f"{149 + (3 * m + 2 * d) % 18}.{(11 * d) % 100:02d},{150 + (m * d) % 19}.{(17 * m) % 100:02d},{10_000_000 + 123_457 * m * d}"
                     for m in range(1, 13) for d in (3, 10, 17, 24))
    turn = ("Given the following records of stock prices, extract the highest and lowest closing prices for each month "
            "in 2022. Return the results as a CSV string with a header row.\nDate,Open,High,Low,Close,Volume\n" + rows)
    follow_up = "Do the same for the opening prices and round all numbers to the nearest integer."
    inherited = default.score(chat(turn, "Month,Highest,Lowest\n2022-01,165.25,154.20 ...", follow_up)).score
    assert inherited <= default.score(chat(turn)).score + 1e-9  # the same logit summed in another order: equal to rounding


def test_an_answer_s_code_fences_do_not_move_the_next_turn(default):
    """Fences in an assistant's answer say how the model writes, not what the user asks: counted with the turn's own,
    they lifted every follow-up after a fenced answer (writing +0.15 on average when the answers were fenced)."""
    turn, follow_up = "Plan a three-day trip to Lisbon.", "Reformat the itinerary as a table with a column per day."
    plain = default.score(chat(turn, "Day 1: Alfama ...", follow_up)).score
    fenced = default.score(chat(turn, "```markdown\nDay 1: Alfama ...\n```", follow_up)).score
    assert fenced == pytest.approx(plain, abs=1e-9)


@pytest.mark.parametrize("turn", [
    "Which smartphone models were discontinued in 2019, and why did their sales fall so quickly in Europe and Asia?",
    "What are the most common reasons people give to discontinue a prescribed medication early, on their own?"])
def test_a_phrase_inside_a_word_makes_no_follow_up(turn):
    from classifiers.inference import follow_up_weight

    assert follow_up_weight(parse_messages(chat(OLYMPIAD, "A proof.", turn))) == 0.0


def test_a_partly_inherited_score_names_the_earlier_turns(default):
    """At a follow-up weight under one half the context still raised the logit, and the explanation showed only the
    turn's own features."""
    from classifiers.inference import follow_up_weight

    follow_up = "If the ticket is $3 per person, how much money was earned by the bus in total?"
    msgs = chat(HARD[0], "Here is the answer ...", follow_up)
    assert 0.0 < follow_up_weight(parse_messages(msgs)) < 0.5
    result = default.score(msgs)
    assert result.score > default.score(chat(follow_up)).score
    assert "earlier turns" in dict(result.top_features)


@pytest.mark.parametrize("turn", [
    "I went through it line by line, and I think your answers to the two parts are inconsistent with each other.",
    "Continued: now I need the same argument written out for four variables instead of three, in full detail.",
    "I checked them carefully and I believe some of your solutions contain an algebra slip in the middle part.",
    "I read all of your replies again tonight, and the two bounds in them still do not agree with each other at all.",
])
def test_a_phrase_in_another_form_still_points_back(turn):
    """Whole words, in any of their forms: the first whole-word version lost "your answers", "Continued" (0.892 →
    0.482 after an olympiad problem; a review of session 34's diff)."""
    from classifiers.inference import follow_up_weight

    assert follow_up_weight(parse_messages(chat(OLYMPIAD, "A proof.", turn))) == 1.0


@pytest.mark.parametrize("turn", [
    "Describe the main causes of the French Revolution and explain its long-term effects on European politics.",
    "A snail climbs 3 m up a 10 m well each day and slips back 2 m each night. This continues. How many days?",
    "Find the continued fraction expansion of the square root of 7 and use it to find a solution of Pell's equation.",
    "Write a short story about a lighthouse keeper who rewrites the logbook every night to hide a shipwreck.",
])
def test_another_word_holding_a_phrase_makes_no_follow_up(turn):
    """"explain its", "continues", "continued fraction", "rewrites": a suffix on every phrase made these inherit after
    an olympiad problem (0.146 → 0.924; a second review, s34)."""
    from classifiers.inference import follow_up_weight

    assert follow_up_weight(parse_messages(chat(OLYMPIAD, "A proof.", turn))) == 0.0


@pytest.mark.parametrize("turn", ["Correct answer: B. Can you explain why?", "Answer: B. Can you explain why it is B?"])
def test_a_correction_after_a_bare_answer_is_a_follow_up(turn):
    from classifiers.inference import follow_up_weight

    quiz = "Which planet is the largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth"
    assert follow_up_weight(parse_messages(chat(quiz, "A", turn))) == 1.0


