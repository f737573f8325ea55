"""The fake upstreams and harness shortcuts the cost accounting tests share (test_cost_charges.py,
test_cost_estimate.py, test_cost_corrections.py)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from router.gateway import Gateway
from tests.router.conftest import CONFIG, Harness, make_config


def answering(completion_per_answer: Any, prompt: Any = lambda body: 10) -> httpx.MockTransport:
    """Non-streaming answers: `n` choices, usage summed over them as OpenAI reports it."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        n = body.get("n") or 1
        completion = completion_per_answer(body) * n
        choices = [{"index": i, "message": {"role": "assistant", "content": "x"}, "finish_reason": "stop"} for i in range(n)]
        return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": body["model"], "choices": choices,
                                         "usage": {"prompt_tokens": prompt(body), "completion_tokens": completion, "total_tokens": prompt(body) + completion}})

    return httpx.MockTransport(handler)


def gateway_of(harness: Harness) -> Gateway:
    return harness.client._transport.app.state.router.gateway  # type: ignore[attr-defined]


def with_tiers(**changes: dict[str, Any]) -> Any:
    tiers = {name: {**tier, **changes.get(name, {})} for name, tier in CONFIG["tiers"].items()}
    return make_config(tiers=tiers)
