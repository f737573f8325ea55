"""Prompts in other languages and scripts are scored on what they ask, not on their script."""

from __future__ import annotations

import math

import pytest

from classifiers.feature_schema import FEATURE_NAMES, NON_ASCII_FEATURE
from classifiers.features import DENSE_CHARS_PER_WORD, handcrafted
from classifiers.model import ComplexityEstimator
from classifiers.text import parse_messages
from tests.classifiers.conftest import EASY, HARD

GREETINGS = {
    "en": "Hi, how are you?",
    "zh": "你好，今天天气怎么样？",
    "ja": "こんにちは！元気ですか？",
    "ko": "안녕하세요, 잘 지내세요?",
    "ru": "Привет! Как дела?",
    "es": "Hola, ¿cómo estás?",
}
PROOFS = {
    "en": "Prove that for every positive integer n, n^3 - n is divisible by 6.",
    "zh": "证明：对于任意正整数n，n^3 - n 能被6整除。请给出完整的证明过程。",
    "ja": "任意の正の整数nについて、n^3 - n が6で割り切れることを証明してください。",
    "ru": "Докажите, что для любого натурального n число n^3 - n делится на 6.",
}
LOW_THRESHOLD = 0.40  # the reference configuration's first tier


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


@pytest.mark.parametrize("lang", sorted(GREETINGS))
def test_a_greeting_is_cheap_in_any_script(default, lang: str) -> None:
    """Before feature version 13 "hello" in Chinese or Japanese scored 0.55 (a thinking tier) and in
    Russian 0.39, against 0.03 in English: the script itself was read as difficulty."""
    assert default.score(user(GREETINGS[lang])).score < LOW_THRESHOLD


@pytest.mark.parametrize("lang", sorted(PROOFS))
def test_a_proof_scores_above_a_greeting_in_the_same_language(default, lang: str) -> None:
    assert default.score(user(PROOFS[lang])).score > default.score(user(GREETINGS[lang])).score + 0.15


def test_chinese_characters_count_as_words_and_dense_length() -> None:
    """Chinese has no spaces: read as one word per run, its cue densities divided by ~1 word and
    a few numbers looked like a math problem. A character is 1 / DENSE_CHARS_PER_WORD of a word."""
    h = handcrafted(parse_messages(user("天气" * 30)))
    assert h[FEATURE_NAMES.index("word count")] == pytest.approx(math.log1p(1 + int(60 / DENSE_CHARS_PER_WORD)))
    assert h[FEATURE_NAMES.index("prompt length")] > math.log1p(2.5 * 60)
    assert h[FEATURE_NAMES.index("mean word length")] < 3.0


def test_the_non_ascii_share_is_not_fitted(default) -> None:
    """Every training prompt with much non-ASCII text comes from one source; a weight learned on
    shares near 0 extrapolated to Chinese text (share 2) as ~5 logits. Both models keep it at 0."""
    cjk = ["请证明费马大定理在 n = 3 时成立。", "请证明黎曼猜想。"]
    est = ComplexityEstimator(C=1.0).fit([*EASY, *HARD, *cjk], [0.1] * len(EASY) + [0.9] * (len(HARD) + len(cjk)),
                                         answer_tokens=[40.0] * len(EASY) + [400.0] * (len(HARD) + len(cjk)))
    for model in (est, default.estimator):
        assert model.coef_[NON_ASCII_FEATURE] == 0.0 and model.tok_coef_[NON_ASCII_FEATURE] == 0.0
