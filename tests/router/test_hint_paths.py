"""Every upstream call a request makes reads its route's hints (`RequestHints`, on the decision's context): a fallback
and each sample, as the first candidate does; a best_of_n judge's call, whose body the gateway writes itself, none.
A Messages request with thinking on counts the thinking in its `max_tokens`, so no call of it has the reserve added."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson
import pytest

from router.config import parse_config
from router.strategies import JUDGE_SYSTEM
from tests.router.conftest import CONFIG

pytestmark = pytest.mark.anyio

#: Thinking on: Anthropic's `max_tokens` is the whole cap (`RequestHints.cap_includes_reasoning`).
THINKING = {"model": "auto:medium", "max_tokens": 2500, "thinking": {"type": "enabled", "budget_tokens": 2000},
            "messages": [{"role": "user", "content": "mid"}]}


def answer(body: dict[str, Any]) -> httpx.Response:
    text = "1" if body["messages"][0].get("content") == JUDGE_SYSTEM else "#### 4"
    return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}})


async def test_a_fallback_is_sent_the_cap_the_route_says_counts_the_thinking(make_harness: Any, spare_handler: list[Any]) -> None:
    data = copy.deepcopy(CONFIG)
    data["models"]["spare-small"] = {"backend": "spare", "reasoning": "qwen3", "input": 0.05, "output": 0.20}
    data["tiers"]["medium"] = {**data["tiers"]["medium"], "fallbacks": ["spare-small"]}
    spare_handler[0] = lambda request: answer(orjson.loads(request.content))
    harness = await make_harness(parse_config(data, env={}), httpx.MockTransport(lambda request: httpx.Response(503)))
    response = await harness.client.post("/v1/messages", json=THINKING)
    assert response.status_code == 200, response.text
    sent = orjson.loads(harness.spare_requests[-1].content)
    assert (sent["model"], sent["max_tokens"], sent["thinking_token_budget"]) == ("spare-small", 2500, 2048), "no reserve on top"


async def test_each_sample_reads_the_route_s_hints_and_the_judge_none(make_harness: Any) -> None:
    sent: list[dict[str, Any]] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(orjson.loads(request.content))
        return answer(sent[-1])

    data = copy.deepcopy(CONFIG)
    data["tiers"]["medium"] = {**data["tiers"]["medium"], "strategy": {"kind": "best_of_n", "samples": 2, "use_n": False, "judge": "big"}}
    data["models"]["big"] = {**data["models"]["big"], "efforts": ["low", "medium", "high"]}  # the judge thinks (low): a reserve
    harness = await make_harness(parse_config(data, env={}), httpx.MockTransport(record))
    response = await harness.client.post("/v1/messages", json=THINKING)
    assert response.status_code == 200, response.text
    samples = [body for body in sent if body["messages"][0].get("content") != JUDGE_SYSTEM]
    judge = next(body for body in sent if body["messages"][0].get("content") == JUDGE_SYSTEM)
    assert [(body["max_tokens"], body["thinking_token_budget"]) for body in samples] == [(2500, 2048)] * 2
    plain = await harness.client.post("/v1/chat/completions", json={**THINKING, "messages": [{"role": "user", "content": "mid"}]})
    assert plain.status_code == 200
    judged_plain = [body for body in sent if body["messages"][0].get("content") == JUDGE_SYSTEM][-1]
    assert judge == judged_plain, "the judge's call is the gateway's own: the same whatever route asked"
    assert (judge["reasoning_effort"], judge["max_completion_tokens"]) == ("low", 16 + 1024), "its own 16 and low's reserve"
