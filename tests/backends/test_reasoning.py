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


def test_an_effort_is_lowered_until_its_reserve_fits_a_cap_that_counts_it() -> None:
    """Each family steps down only through the efforts it takes: gpt-oss stops at low, Anthropic's
    reserve never goes under its 1,024 minimum, a tier's own budget counts at the tier's effort."""
    assert DIALECTS["qwen3"].fitting("medium", 2048, 3000) == ("medium", 2048)
    assert DIALECTS["qwen3"].fitting("medium", 2048, 2000) == ("low", None)
    assert DIALECTS["qwen3"].fitting("high", None, 24) == ("none", None)
    assert DIALECTS["gpt-oss"].fitting("high", None, 24) == ("low", None)
    assert DIALECTS["anthropic"].fitting("low", None, 1000) == ("none", None)
    assert DIALECTS["openai"].fitting("max", None, 20000) == ("high", None)
    assert DIALECTS["gpt-oss"].fitting("minimal", None, 24) == ("minimal", None), "refused by name in apply, not here"
    assert DIALECTS["anthropic"].fitting("high", 40_000, 32_000) == ("high", None), "a tier's budget too big: its effort's own first"


def test_token_cap_grows_only_when_set() -> None:
    body: dict[str, Any] = {"max_tokens": 100, "max_completion_tokens": 50}
    raise_token_cap(body, 2048)
    assert body == {"max_tokens": 2148, "max_completion_tokens": 2098}
    empty: dict[str, Any] = {}
    raise_token_cap(empty, 2048)
    assert empty == {}


@pytest.mark.parametrize(
    ("dialect", "body", "sent"),
    [
        ("openai", {"max_tokens": 100}, {"max_completion_tokens": 100}),
        ("openai", {"max_tokens": 100, "max_completion_tokens": 50}, {"max_completion_tokens": 50}),  # vLLM reads this one first too
        ("openai", {"max_completion_tokens": 50}, {"max_completion_tokens": 50}),
        ("qwen3", {"max_tokens": 100}, {"max_tokens": 100}),
        ("gpt-oss", {"max_tokens": 100, "max_completion_tokens": 50}, {"max_tokens": 100, "max_completion_tokens": 50}),
        ("openai", {}, {}),
    ],
)
def test_a_family_that_refuses_max_tokens_gets_the_cap_as_max_completion_tokens(dialect: str, body: dict[str, Any], sent: dict[str, Any]) -> None:
    DIALECTS[dialect].name_cap(body)
    assert body == sent


def test_the_nearest_effort_a_family_takes() -> None:
    gpt_oss = DIALECTS["gpt-oss"]
    assert [gpt_oss.nearest(effort) for effort in ("none", "minimal", "low", "medium", "xhigh", "max")] == ["low", "low", "low", "medium", "high", "high"]
    assert DIALECTS["qwen3"].nearest("minimal") == "minimal" and DIALECTS["none"].nearest("high") == "none"


ECHOED = {"role": "assistant", "content": "42", "reasoning_content": "six times seven", "reasoning_details": [{"type": "reasoning.text"}],
          "thinking_blocks": [{"type": "thinking", "thinking": "six times seven", "signature": "sig"}]}


def carried(dialect: str, *messages: dict[str, Any]) -> list[dict[str, Any]]:
    body = {"model": "m", "messages": list(messages)}
    DIALECTS[dialect].carry_history(body)
    return body["messages"]


@pytest.mark.parametrize(
    ("dialect", "kept"),
    [
        ("openai", {}),  # OpenAI (and Groq, Cerebras) refuse a message field they do not define with a 400
        ("none", {}),
        ("qwen3", {"reasoning": "six times seven"}),  # vLLM reads `reasoning` back into the template
        ("gpt-oss", {"reasoning": "six times seven"}),
        ("anthropic", {"thinking_blocks": ECHOED["thinking_blocks"]}),  # only signed blocks can go back
    ],
)
def test_each_family_gets_earlier_reasoning_in_the_field_it_reads_back(dialect: str, kept: dict[str, Any]) -> None:
    user = {"role": "user", "content": "and times two?"}
    messages = [dict(ECHOED), user]
    out = carried(dialect, *messages)
    assert out[0] == {"role": "assistant", "content": "42", **kept}
    assert out[1] is user, "a message that echoes nothing is passed as it is"
    assert messages[0] == ECHOED, "the client's messages are shared by every attempt: never edited"


def test_vllm_s_own_reasoning_field_wins_and_other_roles_carry_none() -> None:
    vllm_turn = {"role": "assistant", "content": "x", "reasoning": "vLLM's", "reasoning_content": "DeepSeek's"}
    stray = {"role": "user", "content": "hi", "reasoning_content": "?"}
    assert carried("qwen3", vllm_turn, stray) == [{"role": "assistant", "content": "x", "reasoning": "vLLM's"},
                                                   {"role": "user", "content": "hi"}]
    plain = [{"role": "user", "content": "hi"}]
    body = {"messages": plain}
    DIALECTS["openai"].carry_history(body)
    assert body["messages"] is plain


@pytest.mark.parametrize(("dialect", "role"), [("openai", "developer"), ("gpt-oss", "developer"), ("anthropic", "developer"),
                                               ("qwen3", "system"), ("none", "system")])
def test_developer_turns_go_as_system_where_the_template_has_no_developer_role(dialect: str, role: str) -> None:
    """Codex sends its instructions as `developer` turns; Qwen3's chat template drops a role it does not
    know, so they never reached the model. Families whose templates have no developer role get `system`."""
    developer = {"role": "developer", "content": "Be careful."}
    messages = [developer, dict(ECHOED), {"role": "user", "content": "go"}]
    out = carried(dialect, *messages)
    assert out[0] == {"role": role, "content": "Be careful."} and [m["role"] for m in out[1:]] == ["assistant", "user"]
    assert messages[0] is developer and developer["role"] == "developer", "the client's messages are never edited"
