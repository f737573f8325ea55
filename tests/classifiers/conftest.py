"""Shared fixtures: a tiny estimator trained in-process and a small router config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from classifiers.classifier import ComplexityClassifier, load_classifier
from classifiers.model import ComplexityEstimator

CONFIG = """\
backends: {local-vllm: {kind: openai, base_url: "http://127.0.0.1:8000/v1"}}
models: {qwen3-8b: {backend: local-vllm, reasoning: qwen3, input: 0.05, output: 0.20}, o4-mini: {backend: local-vllm, reasoning: openai, input: 1.10, output: 4.40}}
tiers: {low: {model: qwen3-8b, effort: none, max_score: 0.40}, medium: {model: qwen3-8b, effort: medium, thinking_budget: 2048, max_score: 0.75}, high: {model: o4-mini, effort: high}}
"""

EASY = ["hi", "hello there", "thanks!", "write a short poem about spring", "tell me a joke",
        "what is the capital of France?", "rewrite this sentence politely: give me the report",
        "suggest a name for my cat", "good morning", "write a haiku about rain"]
OLYMPIAD = ("Let $n \\geq 3$ be an integer and $a_1, \\ldots, a_n$ positive reals with $\\sum a_i = 1$. "
            "Prove that $\\sum_{i} \\frac{a_i}{\\sqrt{1 - a_i}} \\geq \\sqrt{\\frac{n}{n-1}}$ and determine "
            "when equality holds.")

HARD = ["Prove that for every integer n > 1 the sum of the reciprocals of the primes up to n diverges.",
        "Let $f(x)=\\frac{x^2+1}{x-3}$. Compute the integral of f from 4 to 7 and find all real roots.",
        "Implement a lock-free queue in C++ with atomics and prove it is linearizable; analyze complexity.",
        "Given an integer array nums, return the length of the longest increasing subsequence in O(n log n).",
        "How many ways are there to tile a 3 x 12 rectangle with dominoes? Show the recurrence step by step.",
        "Debug this Python code: def f(xs): return [x for x in xs if x % 2 == 0][1:] # IndexError?",
        "A train leaves at 3pm at 60 mph; another at 4pm at 80 mph. When does the second catch up? Explain.",
        "Find the eigenvalues of the matrix [[2,1],[1,3]] and determine whether it is positive definite.",
        "Write a SQL query that returns the top 3 salaries per department using window functions.",
        "Determine all primes p such that p^2 + 2 is also prime, and prove your answer."]


def user(text: str) -> list[dict[str, str]]:
    """One user message."""
    return [{"role": "user", "content": text}]


@pytest.fixture(scope="session")
def tiny_estimator() -> ComplexityEstimator:
    X = EASY + HARD
    y = [0.1] * len(EASY) + [0.9] * len(HARD)
    toks = [30.0 + 5 * i for i in range(len(EASY))] + [400.0 + 20 * i for i in range(len(HARD))]
    return ComplexityEstimator(C=1.0, hash_scale=0.5, tokens_hash_scale=1.0).fit(X, y, answer_tokens=toks)


@pytest.fixture(scope="session")
def tiny_classifier(tiny_estimator: ComplexityEstimator) -> ComplexityClassifier:
    return ComplexityClassifier(tiny_estimator, {"version": "test"})


@pytest.fixture()
def config_file(tmp_path: Path) -> Path:
    p = tmp_path / "router.yaml"
    p.write_text(CONFIG, encoding="utf-8")
    return p


#: The public training data beside the project (``../shared/data``).
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``: skipped when absent, except under CI, where it is required."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_DATA} is required under CI")
        pytest.skip(f"{SHARED_DATA} not present")
    return SHARED_DATA


@pytest.fixture(scope="module")
def default() -> ComplexityClassifier:
    """The packaged default artifact."""
    return load_classifier()


def turn_features(text: str) -> list[float]:
    """The hand-written features of ``text`` read as a conversation's one user turn (no system prompt, no history)."""
    from classifiers import features
    from classifiers.text import Conversation

    return features.handcrafted(Conversation(last_user=text, system="", history="", n_user_turns=1, n_messages=1))
