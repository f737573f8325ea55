"""Any message list gets a score in [0, 1]; featurization never raises."""

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.feature_schema import N_FEATURES
from classifiers.features import _NL_LIST, _RE_LIST, _count_lines, handcrafted, tokens
from classifiers.text import parse_messages

text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=300)
part = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": st.one_of(text, st.none(), st.integers())}),
    st.fixed_dictionaries({"type": st.just("image_url"), "image_url": st.fixed_dictionaries({"url": text})}),
    text,
    st.none(),
)
content = st.one_of(st.none(), text, st.lists(part, max_size=4), st.integers(), st.binary(max_size=50))
message = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "system", "assistant", "tool", "developer"]),
                           "content": content}),
    st.dictionaries(st.text(max_size=8), content, max_size=3),
    text,
    st.none(),
    st.integers(),
)
messages = st.one_of(st.lists(message, max_size=6), st.none(), text, st.integers())


@settings(max_examples=300, deadline=None)
@given(messages)
def test_any_messages_featurize(msgs):
    conv = parse_messages(msgs)
    f = handcrafted(conv)
    assert len(f) == N_FEATURES and all(math.isfinite(v) for v in f)
    tokens(conv)


@settings(max_examples=200, deadline=None)
@given(messages)
def test_any_messages_score(tiny_classifier, msgs):
    r = tiny_classifier.score(msgs)
    assert 0.0 <= r.score <= 1.0 and r.expected_answer_tokens >= 1
    assert r.top_features and "unparseable" not in r.top_features[0][0]


def test_a_year_option_that_is_also_a_tests_number_is_taken_off_once(tiny_classifier):
    """Taken off as a test's number and as a year option, "2000" left -1 numbers: log1p raised, and the score fell back
    to 0.5 ("unparseable input"; an outside review's fuzz, s35)."""
    r = tiny_classifier.score([{"role": "user", "content": "assert B) 2000\nb) options:"}])
    assert "unparseable" not in r.top_features[0][0]
    assert all(math.isfinite(v) for v in handcrafted(parse_messages("assert B) 2000\nb) options:")))


def test_content_parts_and_images():
    conv = parse_messages([
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": [{"type": "text", "text": "What is 2+2?"},
                                     {"type": "image_url", "image_url": {"url": "data:..."}}]},
    ])
    assert conv.last_user == "What is 2+2?" and conv.system == "You are terse." and conv.n_user_turns == 1


def test_huge_and_odd_inputs(tiny_classifier):
    for content in ["x" * 3_000_000, "\ud800 lone surrogate", "数学の問題を解いてください " * 1000, "", "\x00" * 10]:
        r = tiny_classifier.score([{"role": "user", "content": content}])
        assert 0.0 <= r.score <= 1.0
    assert tiny_classifier.score([]).score >= 0.0


def test_huge_parts_are_capped_to_their_head_and_tail():
    from classifiers.text import MAX_PART_CHARS

    text = "h" * 2_000_000 + "t" * 2_000_000
    c = parse_messages([{"role": "system", "content": text}, {"role": "user", "content": text}])
    for part in (c.last_user, c.system):
        assert len(part) == MAX_PART_CHARS + 1 and part.startswith("h") and part.endswith("t")


def test_a_conversation_of_many_messages_reads_its_system_prompts_and_last_messages():
    from classifiers.text import MAX_MESSAGES

    turns = [{"role": r, "content": f"{r} {i}"} for i in range(5_000) for r in ("user", "assistant")]
    messages = [{"role": "system", "content": "Be brief."}, *turns, {"role": "user", "content": "last question"}]
    c = parse_messages(messages)
    assert (c.system, c.last_user, c.n_messages) == ("Be brief.", "last question", 1 + MAX_MESSAGES)
    assert c.earlier_user.startswith(f"user {5_000 - MAX_MESSAGES // 2 + 1}\n") and "user 100\n" not in c.history
    assert parse_messages(messages[:2 * MAX_MESSAGES]).n_messages == 2 * MAX_MESSAGES  # shorter ones whole


_OLD_LIST = re.compile(r"(?m)^\s*(?:[-*•]|\d+[.)])\s")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=["\n", " ", "\t", "\u00a0", "\r", "-", "*", "1", "2", ".", ")", "a"], max_size=60))
def test_list_items_count_as_before_without_backtracking_over_blank_lines(text: str):
    """``(?m)^\\s*`` crossed blank lines (100,000 newlines: 290 ms); ``[^\\S\\n]*`` cannot, same counts."""
    assert _count_lines(_RE_LIST, _NL_LIST, text) == len(_OLD_LIST.findall(text))


def test_content_parts_are_read_up_to_a_bound_latest_messages_first():
    """Bounded work: 50,000 one-letter parts took 9 ms to score, 2,048 messages of 48 parts 19 ms."""
    from classifiers.text import MAX_PARTS, content_text, parse_messages

    assert content_text([{"type": "text", "text": "a"}] * 50_000).count("a") == MAX_PARTS
    history = [{"role": "user" if i % 2 else "assistant", "content": [{"type": "text", "text": f"m{i}"}] * 48} for i in range(2047)]
    conversation = parse_messages([*history, {"role": "user", "content": [{"type": "text", "text": "the question"}] * 3}])
    assert conversation.last_user.count("the question") == 3, "the last turn is read first, never starved"
    assert "m2046" in conversation.history and "m0\n" not in conversation.history


def test_the_n_gram_memo_is_bounded_and_its_sums_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python n-gram path (no C accelerator, or a text with a lone surrogate) memoizes each n-gram's coefficient:
    past `GRAM_MEMO_MAX` entries the memo starts over, so a worker scoring endless distinct prompts holds a bounded
    memo (mutation review: without the check it grew without limit and no test noticed)."""
    from math import fsum
    from zlib import crc32

    from classifiers import inference, load_classifier

    scorer = load_classifier().estimator
    monkeypatch.setattr(inference, "GRAM_MEMO_MAX", 50)
    scorer._gram_coef.clear()
    for i in range(20):
        keys = {f"w{i} x{j}" for j in range(10)}
        expected = fsum(scorer.th[crc32(k.encode()) & inference.HASH_MASK] for k in keys)
        assert scorer._gram_sum(keys) == expected
        assert len(scorer._gram_coef) <= 50
    scorer._gram_coef.clear()


@pytest.mark.parametrize("logged", [-50.0, 0.0, 9.0, 9.8, 30.0, 1e9])
def test_an_answer_estimate_is_between_one_token_and_the_cap(logged: float) -> None:
    """The answer-token estimate behind the forecast and the cost estimate: at least 1, at most `MAX_ANSWER_TOKENS`
    (mutation review: the cap on the one-prompt path was untested — without it a log estimate of 20 reads as
    e^20 ≈ 485 million tokens, where `score_batch` clips the same value to the cap)."""
    from classifiers.inference import MAX_ANSWER_TOKENS, answer_tokens_from_log

    assert 1 <= answer_tokens_from_log(logged) <= MAX_ANSWER_TOKENS
    assert answer_tokens_from_log(1e9) == MAX_ANSWER_TOKENS
