"""Reasoning dialects turn (effort, thinking_budget) into each family's fields."""

from __future__ import annotations

from typing import Any

import pytest

from backends.reasoning import DIALECTS, UnsupportedEffortError, raise_token_cap


def apply(dialect: str, effort: str, budget: int | None = None, **body: Any) -> tuple[dict[str, Any], int]:
    request = {"model": "m", **body}
    reserve = DIALECTS[dialect].apply(request, effort, budget)
    return request, reserve


def test_openai_effort() -> None:
    assert apply("openai", "high") == ({"model": "m", "reasoning_effort": "high"}, 16384)
    assert apply("openai", "none", reasoning_effort="low") == ({"model": "m"}, 0)
    with pytest.raises(UnsupportedEffortError):
        apply("openai", "high", 1000)


def test_xhigh_and_max_top_the_ladder() -> None:
    """OpenAI's newest efforts (the openai SDK's `ReasoningEffort`) pass through; families with a
    budget think longer at them; gpt-oss, whose ladder stops at high, cannot express them."""
    assert apply("openai", "xhigh") == ({"model": "m", "reasoning_effort": "xhigh"}, 32768)
    assert apply("openai", "max") == ({"model": "m", "reasoning_effort": "max"}, 65536)
    assert apply("qwen3", "xhigh")[0]["thinking_token_budget"] == 32768
    assert apply("anthropic", "xhigh")[0]["thinking"] == {"type": "enabled", "budget_tokens": 32768}
    with pytest.raises(UnsupportedEffortError, match="supported: low, medium, high"):
        apply("gpt-oss", "xhigh")


def test_qwen3_switch_and_budget_keep_client_template_kwargs() -> None:
    off, reserve = apply("qwen3", "none", chat_template_kwargs={"custom": 1})
    assert off["chat_template_kwargs"] == {"custom": 1, "enable_thinking": False} and reserve == 0
    on, reserve = apply("qwen3", "medium", 2048)
    assert on["chat_template_kwargs"] == {"enable_thinking": True}
    assert on["thinking_token_budget"] == 2048 and reserve == 2048
    default_budget, _ = apply("qwen3", "low")
    assert default_budget["thinking_token_budget"] == 1024


def test_qwen3_client_template_switch_wins() -> None:
    request, reserve = apply("qwen3", "high", chat_template_kwargs={"enable_thinking": False})
    assert request["chat_template_kwargs"]["enable_thinking"] is False
    assert "thinking_token_budget" not in request and reserve == 0


def test_anthropic_budget_minimum_and_disabled() -> None:
    assert apply("anthropic", "low", 200)[0]["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert apply("anthropic", "high", 8000)[0]["thinking"] == {"type": "enabled", "budget_tokens": 8000}
    assert apply("anthropic", "none")[0]["thinking"] == {"type": "disabled"}


def test_gpt_oss_and_none() -> None:
    assert apply("gpt-oss", "low")[0]["reasoning_effort"] == "low"
    with pytest.raises(UnsupportedEffortError):
        apply("gpt-oss", "none")
    stripped, reserve = apply("none", "none", reasoning_effort="high", thinking={"type": "enabled"}, thinking_token_budget=5)
    assert stripped == {"model": "m"} and reserve == 0


def test_token_cap_grows_only_when_set() -> None:
    body: dict[str, Any] = {"max_tokens": 100, "max_completion_tokens": 50}
    raise_token_cap(body, 2048)
    assert body == {"max_tokens": 2148, "max_completion_tokens": 2098}
    empty: dict[str, Any] = {}
    raise_token_cap(empty, 2048)
    assert empty == {}
