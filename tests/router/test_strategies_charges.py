"""What a sampled tier's request is charged when its client leaves, its judge is cut off or a sampling call times
out, end to end through the gateway against a scripted upstream."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx
import orjson
import pytest

from backends.request_hints import NO_HINTS
from router.config import parse_config
from tests.router._strategies_helpers import BEST
from tests.router.conftest import CONFIG
from tests.router.ttc_fakes import PROMPT_TOKENS, Scripted

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("use_n", [True, False])
async def test_a_client_leaving_while_samples_are_drawn_is_charged_for_them(make_harness: Any, use_n: bool) -> None:
    """The client leaves while 4 samples are drawn. `use_n: false`: the sample that had finished, and the three still
    running at their forecast, were nothing (model "none", $0); `use_n: true`: the one call asked 4 answers, charged 1."""
    import asyncio

    from tests.router.ttc_fakes import call_and_leave

    started: list[int] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        started.append(1)
        await asyncio.sleep(0.01 if len(started) == 1 and not use_n else 5)
        n = int(orjson.loads(request.content).get("n") or 1)
        return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [
            {"index": i, "message": {"role": "assistant", "content": "#### 1"}, "finish_reason": "stop"} for i in range(n)],
            "usage": {"prompt_tokens": 20, "completion_tokens": 10 * n, "total_tokens": 20 + 10 * n}})

    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"].update(strategy={"kind": "self_consistency", "samples": 4, "use_n": use_n})
    harness = await make_harness(parse_config(data, env={}), httpx.MockTransport(slow))
    app = harness.client._transport.app
    gateway = app.state.router.gateway
    body = {"model": "auto", "messages": [{"role": "user", "content": "easy [score=0.1]"}]}
    forecast = gateway.forecast.forecast(gateway.policy.candidates("low")[0], gateway.score(body["messages"]), body, NO_HINTS).tokens
    await call_and_leave(app, "/v1/chat/completions", body, 0.3)
    assert harness.metric("router_requests_total", tier="low", model="small", backend="sim", status="cancelled") == 1
    charged = harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="completion")
    assert charged == (4 * forecast if use_n else 10 + 3 * forecast)


async def test_a_streamed_sampled_request_left_mid_sampling_is_charged_as_an_unstreamed_one(make_harness: Any) -> None:
    """The samples charge what they left; the stream's own estimate of the prompt came on top (532 prompt tokens, 399 unstreamed)."""
    import asyncio

    from tests.router.ttc_fakes import call_and_leave

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(500)

    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"].update(strategy={"kind": "self_consistency", "samples": 3, "use_n": False})
    harness = await make_harness(parse_config(data, env={}), httpx.MockTransport(slow))
    app = harness.client._transport.app
    charged = {}
    for stream in (False, True):
        before = harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="prompt")
        body = {"model": "auto", "stream": stream, "messages": [{"role": "user", "content": "easy [score=0.1] " + "word " * 100}]}
        await call_and_leave(app, "/v1/chat/completions", body, 0.2)
        charged[stream] = harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="prompt") - before
    assert charged[True] == charged[False] > 0


async def _leave_while_the_judge_works(make_harness: Any, spare_handler: list[Any], stream: bool, *, sent: bool) -> Any:
    """Best-of-3 with a judge on the spare backend that takes 5 s (after its request was written, or while it still
    waits for a pooled connection: ``sent``); the client leaves after 0.3 s. Returns the harness."""
    import asyncio

    from backends.h1pool import mark_written
    from tests.router.ttc_fakes import call_and_leave

    async def judging(request: httpx.Request) -> httpx.Response:
        if not sent:
            mark_written(False)  # the pool unmarks a request it never wrote
        await asyncio.sleep(5)
        return httpx.Response(500)

    spare_handler[0] = judging
    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"].update(strategy={"kind": "best_of_n", "samples": 3, "judge": "spare-big"})
    harness = await make_harness(parse_config(data, env={}), Scripted([("A is 1", "stop"), ("A is 2", "stop"), ("A is 3", "stop")]).transport())
    await call_and_leave(harness.client._transport.app, "/v1/chat/completions",
                         {"model": "auto", "stream": stream, "messages": [{"role": "user", "content": "easy [score=0.1]"}]}, 0.3)
    return harness


@pytest.mark.parametrize("stream", [False, True])
async def test_a_judge_the_client_left_is_charged(make_harness: Any, spare_handler: list[Any], stream: bool) -> None:
    harness = await _leave_while_the_judge_works(make_harness, spare_handler, stream, sent=True)
    assert harness.metric("router_tokens_total", tier="low", model="spare-big", backend="spare", kind="prompt") > 0
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="prompt") == PROMPT_TOKENS, "the samples, once"


async def test_a_judge_the_client_left_before_it_was_sent_costs_nothing(make_harness: Any, spare_handler: list[Any]) -> None:
    """A judge still waiting for a pooled connection when its client left never reached its upstream (the pool unmarks
    the request, `backends.h1pool.mark_written`), yet it was charged its prompt and 16 tokens (review_s37 F7)."""
    harness = await _leave_while_the_judge_works(make_harness, spare_handler, False, sent=False)
    assert harness.metric("router_tokens_total", tier="low", model="spare-big", backend="spare", kind="prompt") == 0
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="prompt") == PROMPT_TOKENS, "the samples, once"


async def test_a_judge_the_gateway_hung_up_on_is_charged_to_the_request(make_harness: Any, spare_handler: list[Any]) -> None:
    """The judge is dispatched under a decision of its own; its failed attempt is still the request's cost
    (router/attempt_costs.py): its prompt and the answer forecast, which its `max_tokens` caps."""
    spare_handler[0] = hang
    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"] = {**data["tiers"]["low"], **BEST}
    data["backends"]["spare"]["timeouts"] = {"connect": 1.0, "first_byte": 0.2, "idle": 0.2, "total": 0.3}
    harness = await make_harness(parse_config(data, env={}), Scripted([("x = 4", "stop"), ("x = 4", "stop"), ("x = 6", "stop")]).transport())
    response = await harness.chat("easy [score=0.1]")
    router = response.json()["router"]
    assert response.status_code == 200 and router["judge_error"] == "timeout"
    judge = [part for part in router["usage_breakdown"] if part["role"] == "failed_judge"]
    assert [part["model"] for part in judge] == ["spare-big"] and judge[0]["prompt_tokens"] > 0 and 0 < judge[0]["completion_tokens"] <= 16
    assert router["cost_usd"] == pytest.approx(sum(part["cost_usd"] for part in router["usage_breakdown"]))
    assert harness.metric("router_cost_usd_total", tier="low", model="spare-big", backend="spare") == pytest.approx(judge[0]["cost_usd"])
    assert harness.metric("router_complexity_score_count") == 1, "the judge's prompt is no client's: priced without the score's metrics"


async def test_a_failed_judge_call_on_the_sampled_model_is_told_apart_from_a_failed_sample(make_harness: Any) -> None:
    """A judge that is also the sampled model: its failed call was listed as `failed_attempt` under the same tier and
    model as a failed sample's, so the breakdown (and the decision log's) could not say which call failed. It is
    `failed_judge` now, booked as a failed attempt all the same."""
    from router.strategies import JUDGE_SYSTEM

    async def answer_or_hang_the_judge(request: httpx.Request) -> httpx.Response:
        if orjson.loads(request.content)["messages"][0].get("content") == JUDGE_SYSTEM:
            return await hang(request)
        return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "#### 1"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30}})

    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"] = {**data["tiers"]["low"], "strategy": {"kind": "best_of_n", "samples": 2, "use_n": False, "judge": "small"}}
    data["backends"]["sim"]["timeouts"] = {"connect": 1.0, "first_byte": 0.2, "idle": 0.2, "total": 0.3}
    harness = await make_harness(parse_config(data, env={}), httpx.MockTransport(answer_or_hang_the_judge))
    router = (await harness.chat("easy [score=0.1]")).json()["router"]
    assert router["judge_error"] == "timeout"
    assert [(part["role"], part["model"]) for part in router["usage_breakdown"]] == [("samples", "small")] * 2 + [("failed_judge", "small")]
    assert harness.metric("router_failed_attempt_cost_usd_total", tier="low", model="small", backend="sim") == pytest.approx(router["usage_breakdown"][2]["cost_usd"])


async def hang(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(30)
    raise AssertionError("cut by the backend's total timeout")


async def test_a_sampling_call_with_n_that_timed_out_is_charged_its_n_answers(make_harness: Any) -> None:
    """Its prompt and n answers at the forecast (the client-left path's charge), not one answer's."""
    charged = {}
    for samples in (2, 4):
        data = copy.deepcopy(CONFIG)
        data["tiers"]["low"]["strategy"] = {"kind": "self_consistency", "samples": samples, "use_n": True}
        data["backends"]["sim"]["timeouts"] = {"connect": 1.0, "first_byte": 0.2, "idle": 0.2, "total": 0.3}
        harness = await make_harness(parse_config(data, env={}), httpx.MockTransport(hang))
        response = await harness.chat("easy [score=0.1]")
        assert response.status_code == 504
        charged[samples] = harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="completion")
    assert charged[2] > 0 and charged[4] == 2 * charged[2]
