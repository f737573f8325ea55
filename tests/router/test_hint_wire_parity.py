"""What each upstream is sent, and what the request is estimated at, for the requests whose cap and effort an ingress
steers beyond the chat body (router/anthropic_hints.py, responses_api.py: `RequestHints`): pinned whole, so that moving
how the gateway learns them (body keys, then typed hints) changes no byte of any upstream's request nor any estimate."""

from __future__ import annotations

from typing import Any

import pytest

from tests.router._anthropic_api_helpers import recording_claude
from tests.router.conftest import CONFIG, Harness, make_config

pytestmark = pytest.mark.anyio

#: The high tier on an Anthropic upstream (`spare`); a Qwen3 and an OpenAI reasoning model on the simulated vLLM (`sim`),
#: the Qwen3 with an output limit its thinking reserve must fit in.
PARITY_CONFIG = make_config(
    backends={**CONFIG["backends"], "spare": {"kind": "anthropic", "base_url": "http://spare.test", "api_key": "sk-ant"}},
    models={"small": {**CONFIG["models"]["small"], "max_output_tokens": 6000}, "big": CONFIG["models"]["big"],
            "claude": {"backend": "spare", "reasoning": "anthropic", "input": 3.0, "output": 15.0}},
    tiers={"low": {"model": "small", "effort": "none", "max_score": 0.4},
           "medium": {"model": "small", "effort": "medium", "thinking_budget": 2048, "max_score": 0.75},
           "high": {"model": "claude", "effort": "high"}})

MID = [{"role": "user", "content": "mid [score=0.6]"}]
HARD = [{"role": "user", "content": "hard [score=0.9]"}]
ADAPTIVE = {"type": "adaptive"}

#: (route, client body): Messages with thinking enabled, adaptive with and without an effort, disabled and absent, routed
#: and to a model named directly; Responses with reasoning, with and without `max_output_tokens`; plain chat.
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "messages, no thinking": ("/v1/messages", {"model": "auto", "max_tokens": 40, "messages": MID}),
    "messages, enabled": ("/v1/messages", {"model": "auto", "max_tokens": 2500, "thinking": {"type": "enabled", "budget_tokens": 2000}, "messages": MID}),
    "messages, enabled, lowered": ("/v1/messages", {"model": "auto", "max_tokens": 2000, "thinking": {"type": "enabled", "budget_tokens": 1500}, "messages": MID}),
    "messages, enabled, streamed": ("/v1/messages", {"model": "auto", "max_tokens": 2500, "stream": True,
                                                     "thinking": {"type": "enabled", "budget_tokens": 2000}, "messages": MID}),
    "messages, adaptive": ("/v1/messages", {"model": "auto", "max_tokens": 3000, "thinking": ADAPTIVE, "messages": MID}),
    "messages, adaptive, max effort": ("/v1/messages", {"model": "auto", "max_tokens": 3000, "thinking": ADAPTIVE,
                                                        "output_config": {"effort": "max"}, "messages": MID}),
    "messages, adaptive, qwen named": ("/v1/messages", {"model": "small", "max_tokens": 9000, "thinking": ADAPTIVE, "messages": MID}),
    "messages, adaptive, openai named": ("/v1/messages", {"model": "big", "max_tokens": 5000, "thinking": ADAPTIVE, "messages": MID}),
    "messages, max effort, openai named": ("/v1/messages", {"model": "big", "max_tokens": 5000, "output_config": {"effort": "max"}, "messages": MID}),
    "messages, xhigh effort, qwen named": ("/v1/messages", {"model": "small", "max_tokens": 5000, "output_config": {"effort": "xhigh"}, "messages": MID}),
    "messages, adaptive, claude named": ("/v1/messages", {"model": "claude", "max_tokens": 5000, "thinking": ADAPTIVE, "messages": MID}),
    "messages, enabled, claude tier": ("/v1/messages", {"model": "auto", "max_tokens": 8000, "thinking": {"type": "enabled", "budget_tokens": 3000},
                                                        "messages": HARD}),
    "messages, enabled, claude named, fitted": ("/v1/messages", {"model": "claude", "max_tokens": 2000, "thinking": {"type": "enabled", "budget_tokens": 4000},
                                                                 "messages": MID}),
    "messages, disabled, claude tier": ("/v1/messages", {"model": "auto", "max_tokens": 300, "thinking": {"type": "disabled"}, "messages": HARD}),
    "responses, capped": ("/v1/responses", {"model": "auto", "input": "mid [score=0.6]", "max_output_tokens": 3000, "reasoning": {"effort": "high"}}),
    "responses, uncapped": ("/v1/responses", {"model": "auto", "input": "mid [score=0.6]", "reasoning": {"effort": "high"}}),
    "responses, openai named": ("/v1/responses", {"model": "big", "input": "mid [score=0.6]", "max_output_tokens": 100, "reasoning": {"effort": "high"}}),
    "responses, claude named": ("/v1/responses", {"model": "claude", "input": "mid [score=0.6]", "max_output_tokens": 3000, "reasoning": {"effort": "low"}}),
    "responses, claude tier": ("/v1/responses", {"model": "auto", "input": "hard [score=0.9]", "max_output_tokens": 2000}),
    "chat": ("/v1/chat/completions", {"model": "auto", "max_tokens": 40, "messages": MID}),
    "chat, qwen named": ("/v1/chat/completions", {"model": "small", "max_tokens": 100, "reasoning_effort": "high", "messages": MID}),
    "chat, claude named": ("/v1/chat/completions", {"model": "claude", "max_tokens": 3000, "reasoning_effort": "medium", "messages": MID}),
    "chat, claude tier": ("/v1/chat/completions", {"model": "auto", "max_completion_tokens": 500, "messages": HARD}),
}


async def sent_and_estimated(make_harness: Any, spare_handler: list[Any], route: str, body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The body the upstream got (the simulated vLLM's or Anthropic's, without `messages`) and the request's estimate."""
    seen: list[dict[str, Any]] = []
    spare_handler[0] = recording_claude(seen)
    harness: Harness = await make_harness(PARITY_CONFIG)
    response = await harness.client.post(route, json=body, headers={"x-router-max-cost-usd": "100"})  # every request priced
    assert response.status_code == 200, response.text
    sent = seen[-1] if seen else harness.upstream.requests[-1]
    return {key: value for key, value in sent.items() if key != "messages"}, response.headers["x-router-estimated-cost-usd"]


#: What the tree before `RequestHints.cap_includes_reasoning` / `effort_translated` / `default_effort` sent and estimated.
EXPECTED: dict[str, tuple[dict[str, Any], str]] = {
    "messages, no thinking": ({"model": "Qwen/Qwen3-8B", "max_tokens": 2088, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 2048, "stream": False}, "0.0002404"),
    "messages, enabled": ({"model": "Qwen/Qwen3-8B", "max_tokens": 2500, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 2048, "stream": False}, "0.0002404"),
    "messages, enabled, lowered": ({"model": "Qwen/Qwen3-8B", "max_tokens": 2000, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 1024, "stream": False}, "0.0001004"),
    "messages, enabled, streamed": ({"model": "Qwen/Qwen3-8B", "max_tokens": 2500, "stream": True, "stream_options": {"include_usage": True}, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 2048}, "0.0002404"),
    "messages, adaptive": ({"model": "Qwen/Qwen3-8B", "max_tokens": 3000, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 2048, "stream": False}, "0.0002404"),
    "messages, adaptive, max effort": ({"model": "Qwen/Qwen3-8B", "max_tokens": 3000, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 1024, "stream": False}, "0.0001004"),
    "messages, adaptive, qwen named": ({"model": "Qwen/Qwen3-8B", "max_tokens": 6000, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 4096, "stream": False}, "0.0002404"),
    "messages, adaptive, openai named": ({"model": "big", "reasoning_effort": "medium", "max_completion_tokens": 5000, "stream": False}, "0.0052888"),
    "messages, max effort, openai named": ({"model": "big", "reasoning_effort": "high", "max_completion_tokens": 21384, "stream": False}, "0.0140888"),
    "messages, xhigh effort, qwen named": ({"model": "Qwen/Qwen3-8B", "max_tokens": 6000, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 4096, "stream": False}, "0.0002404"),
    "messages, adaptive, claude named": ({"model": "claude", "thinking": {"type": "enabled", "budget_tokens": 4096}, "max_tokens": 5000, "stream": False}, "0.018024"),
    "messages, enabled, claude tier": ({"model": "claude", "thinking": {"type": "enabled", "budget_tokens": 4096}, "max_tokens": 8000, "stream": False}, "0.018024"),
    "messages, enabled, claude named, fitted": ({"model": "claude", "thinking": {"type": "enabled", "budget_tokens": 1024}, "max_tokens": 2000, "stream": False}, "0.007524"),
    "messages, disabled, claude tier": ({"model": "claude", "thinking": {"type": "disabled"}, "max_tokens": 300, "stream": False}, "0.003024"),
    "responses, capped": ({"model": "Qwen/Qwen3-8B", "max_completion_tokens": 3000, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 1024, "stream": False}, "0.0001004"),
    "responses, uncapped": ({"model": "Qwen/Qwen3-8B", "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 4096, "stream": False}, "0.0002404"),
    "responses, openai named": ({"model": "big", "max_completion_tokens": 100, "stream": False}, "0.0004488"),
    "responses, claude named": ({"model": "claude", "thinking": {"type": "enabled", "budget_tokens": 1024}, "max_tokens": 3000, "stream": False}, "0.007524"),
    "responses, claude tier": ({"model": "claude", "thinking": {"type": "enabled", "budget_tokens": 1024}, "max_tokens": 2000, "stream": False}, "0.007524"),
    "chat": ({"model": "Qwen/Qwen3-8B", "max_tokens": 2088, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 2048, "stream": False}, "0.0002404"),
    "chat, qwen named": ({"model": "Qwen/Qwen3-8B", "max_tokens": 4196, "chat_template_kwargs": {"enable_thinking": True}, "thinking_token_budget": 4096, "stream": False}, "0.0002404"),
    "chat, claude named": ({"model": "claude", "thinking": {"type": "enabled", "budget_tokens": 4096}, "max_tokens": 7096, "stream": False}, "0.018024"),
    "chat, claude tier": ({"model": "claude", "thinking": {"type": "enabled", "budget_tokens": 16384}, "max_tokens": 16884, "stream": False}, "0.048024"),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_each_upstream_is_sent_and_each_request_estimated_as_before(make_harness: Any, spare_handler: list[Any], name: str) -> None:
    assert await sent_and_estimated(make_harness, spare_handler, *CASES[name]) == EXPECTED[name]
