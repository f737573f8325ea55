"""What the latency and savings metrics measure: time to first token is the answering attempt's wait for the model's first
token (not a role chunk, not the failed attempts before it); savings net what routing overspent."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from prometheus_client import CollectorRegistry

from router.app import create_app
from router.config import parse_config

pytestmark = pytest.mark.anyio

USAGE = {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500}


def sse(payload: Any, event: str | None = None) -> bytes:
    return (f"event: {event}\n".encode() if event else b"") + b"data: " + orjson.dumps(payload) + b"\n\n"


def openai_upstream(*, think: float = 0.0, status: int = 200, wait: float = 0.0, failing: str | None = None, message: str = "boom") -> Any:
    """Streams a role chunk, waits `think`, then the answer; answers `status` (with `message`) after `wait` (for the `failing`
    model only)."""

    async def events(body: dict[str, Any]) -> AsyncIterator[bytes]:
        base = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": body["model"]}
        yield sse(base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
        await asyncio.sleep(think)
        yield sse(base | {"choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}]})
        yield sse(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        yield sse(base | {"choices": [], "usage": USAGE})
        yield b"data: [DONE]\n\n"

    async def handler(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        if status != 200 and failing in (None, body["model"]):
            await asyncio.sleep(wait)
            return httpx.Response(status, json={"error": {"message": message, "type": "server_error" if status >= 500 else "invalid_request_error"}})
        if body.get("stream"):
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events(body))
        return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": body["model"], "usage": USAGE,
                                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}]})

    return handler


def anthropic_upstream(*, think: float = 0.0) -> Any:
    """message_start and a ping at once, as Anthropic sends them, then `think` seconds before the first content block."""

    async def events(body: dict[str, Any]) -> AsyncIterator[bytes]:
        message = {"id": "msg_1", "type": "message", "role": "assistant", "model": body["model"], "content": [], "stop_reason": None,
                   "usage": {"input_tokens": 100, "output_tokens": 1}}
        yield sse({"type": "message_start", "message": message}, "message_start")
        yield sse({"type": "ping"}, "ping")
        await asyncio.sleep(think)
        yield sse({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}, "content_block_start")
        yield sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hi"}}, "content_block_delta")
        yield sse({"type": "content_block_stop", "index": 0}, "content_block_stop")
        yield sse({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 5}}, "message_delta")
        yield sse({"type": "message_stop"}, "message_stop")

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events(orjson.loads(request.content)))

    return handler


CONFIG: dict[str, Any] = {
    "backends": {"oa": {"kind": "openai", "base_url": "http://oa.test/v1"}, "an": {"kind": "anthropic", "base_url": "http://an.test"},
                 "spare": {"kind": "openai", "base_url": "http://spare.test/v1"}},
    "models": {"small": {"backend": "oa", "input": 0.05, "output": 0.20}, "claude": {"backend": "an", "input": 3.0, "output": 15.0},
               "big": {"backend": "oa", "input": 1.10, "output": 4.40}, "spare-big": {"backend": "spare", "input": 3.0, "output": 12.0}},
    "tiers": {"low": {"model": "small", "max_score": 0.4}, "medium": {"model": "claude", "max_score": 0.75},
              "high": {"model": "big", "fallbacks": ["spare-big"]}},
}


class Gateway:
    def __init__(self, client: httpx.AsyncClient, registry: CollectorRegistry) -> None:
        self.client, self.registry = client, registry

    def value(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    async def chat(self, content: str, **fields: Any) -> httpx.Response:
        return await self.client.post("/v1/chat/completions", json={"model": "auto", "messages": [{"role": "user", "content": content}], **fields})


@contextlib.asynccontextmanager
async def gateway(classifier: Any, upstreams: dict[str, Any], config: dict[str, Any] = CONFIG) -> AsyncIterator[Gateway]:
    registry = CollectorRegistry()
    app = create_app(parse_config(config, env={}), classifier=classifier, registry=registry,
                     transports={name: httpx.MockTransport(handler) for name, handler in upstreams.items()})
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router.test") as client:
        yield Gateway(client, registry)


@pytest.mark.parametrize(("prompt", "labels"), [("[score=0.5] q", ("medium", "claude", "an")), ("[score=0.1] q", ("low", "small", "oa"))])
async def test_time_to_first_token_waits_for_the_first_token_not_the_role_chunk(fake_classifier: Any, prompt: str, labels: tuple[str, ...]) -> None:
    """It was taken at the upstream's first frame: Anthropic's `message_start` (or a role chunk written before generating),
    so a Claude that thought 60 s before its first word read as a few milliseconds, and the slow-first-token alert never fired."""
    upstreams = {"oa": openai_upstream(think=0.5), "an": anthropic_upstream(think=0.5), "spare": openai_upstream()}
    async with gateway(fake_classifier, upstreams) as gw:
        response = await gw.chat(prompt, stream=True)
        assert response.status_code == 200 and "hi" in response.text
        tier, model, backend = labels
        assert gw.value("router_time_to_first_token_seconds_sum", tier=tier, model=model, backend=backend) >= 0.5
        assert gw.value("router_time_to_first_token_seconds_count", tier=tier, model=model, backend=backend) == 1


async def test_a_fallback_s_time_to_first_token_is_its_own(fake_classifier: Any) -> None:
    """The failed attempt's wait was booked as the healthy fallback's time to first token: its alert blamed the backend
    that answered at once."""
    upstreams = {"oa": openai_upstream(status=500, wait=0.5), "an": anthropic_upstream(), "spare": openai_upstream()}
    async with gateway(fake_classifier, upstreams) as gw:
        response = await gw.chat("[score=0.9] q", stream=True)
        assert response.status_code == 200 and response.headers["x-router-backend"] == "spare"
        assert gw.value("router_time_to_first_token_seconds_sum", tier="high", model="spare-big", backend="spare") < 0.25
        assert gw.value("router_request_duration_seconds_sum", tier="high", model="spare-big", backend="spare", stream="true") >= 0.5, (
            "the request's duration is the client's wait, failed attempts included")


async def test_a_sampled_stream_s_time_to_first_token_is_timed_from_the_sample_it_is_labelled_with(fake_classifier: Any) -> None:
    """The samples drawn at once shared one `attempt_started`: the second sample's fallback, begun 0.5 s in, overwrote it,
    and the stream whose first token came 0.5 s after its naming sample (high/big/oa) began read as ~0 s."""
    calls = {"big": 0}
    healthy = openai_upstream()

    async def oa(request: httpx.Request) -> httpx.Response:
        if orjson.loads(request.content)["model"] == "big":
            calls["big"] += 1
            if calls["big"] == 2:  # the second sample: fails after 0.5 s, then falls back to spare-big
                await asyncio.sleep(0.5)
                return httpx.Response(500, json={"error": {"message": "boom", "type": "server_error"}})
        return await healthy(request)

    config = {**CONFIG, "tiers": {**CONFIG["tiers"], "high": {**CONFIG["tiers"]["high"],
                                                                "strategy": {"kind": "self_consistency", "samples": 2, "use_n": False}}}}
    async with gateway(fake_classifier, {"oa": oa, "an": anthropic_upstream(), "spare": openai_upstream()}, config) as gw:
        response = await gw.chat("[score=0.9] q", stream=True)
        assert response.status_code == 200 and "hi" in response.text and response.headers["x-router-backend"] == "oa"
        assert calls["big"] == 2
        assert gw.value("router_time_to_first_token_seconds_count", tier="high", model="big", backend="oa") == 1
        assert gw.value("router_time_to_first_token_seconds_sum", tier="high", model="big", backend="oa") >= 0.45


async def test_savings_net_what_routing_overspent(fake_classifier: Any) -> None:
    """Savings added only the requests that cost less than the top tier would have: a fallback to a dearer model added
    nothing, and the dashboard's "Savings vs always-highest-tier" read +31 % while routing cost more."""
    upstreams = {"oa": openai_upstream(status=500, failing="big"), "an": anthropic_upstream(), "spare": openai_upstream()}
    async with gateway(fake_classifier, upstreams) as gw:
        assert (await gw.chat("[score=0.1] q")).headers["x-router-model"] == "small"
        assert (await gw.chat("[score=0.9] q")).headers["x-router-model"] == "spare-big"
        top = 2 * (1000 * 1.10 + 500 * 4.40) / 1e6  # both answers on the top tier's model
        spent = (1000 * 0.05 + 500 * 0.20 + 1000 * 3.0 + 500 * 12.0) / 1e6
        assert gw.value("router_top_tier_cost_usd_total") == pytest.approx(top)
        assert sum(gw.value("router_cost_usd_total", tier=t, model=m, backend=b)
                   for t, m, b in [("low", "small", "oa"), ("high", "spare-big", "spare")]) == pytest.approx(spent)
        assert 1 - spent / top < 0, "the dashboard's share (1 - cost / top-tier cost) is negative, as the spend is"


OVERFLOW = "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens."


@pytest.mark.parametrize("stream", [False, True])
async def test_a_prompt_too_long_for_the_model_is_a_client_error_not_an_outage(fake_classifier: Any, stream: bool) -> None:
    """An upstream's 400 for a prompt over its window (an agent that overfills its context) was a router `error` and an
    upstream error of kind `status`: the error-rate and upstream-error alerts paged on-call for what the client must fix."""
    upstreams = {"oa": openai_upstream(status=400, message=OVERFLOW), "an": anthropic_upstream(), "spare": openai_upstream()}
    async with gateway(fake_classifier, upstreams) as gw:
        response = await gw.chat("[score=0.1] q", stream=stream)
        assert response.status_code == 400
        labels = {"tier": "low", "model": "small", "backend": "oa"}
        assert gw.value("router_requests_total", **labels, status="client_error") == 1
        assert gw.value("router_requests_total", **labels, status="error") == 0
        assert gw.value("router_upstream_errors_total", backend="oa", kind="rejected") == 1
        assert gw.value("router_upstream_errors_total", backend="oa", kind="status") == 0


@pytest.mark.parametrize(("status", "message", "client_status"), [
    (400, "Unsupported parameter: 'temperature' is not supported with this model.", 400),  # a tier's params: the operator's
    (400, "Your credit balance is too low to access the Anthropic API.", 502),  # the provider account: the operator's
    (402, "Payment required", 502),
])
async def test_an_upstream_refusal_the_operator_must_mend_still_alerts(fake_classifier: Any, status: int, message: str, client_status: int) -> None:
    """Only a prompt or body too large is the client's: a refused parameter the tier's config adds, a spent credit balance
    (Anthropic says it with a 400), a 402 are failures the error alerts must see."""
    upstreams = {"oa": openai_upstream(status=status, message=message), "an": anthropic_upstream(), "spare": openai_upstream()}
    async with gateway(fake_classifier, upstreams) as gw:
        response = await gw.chat("[score=0.1] q")
        assert response.status_code == client_status
        assert gw.value("router_requests_total", tier="low", model="small", backend="oa", status="error") == 1
        assert gw.value("router_upstream_errors_total", backend="oa", kind="status") == 1
        if client_status == 502:
            assert response.headers["x-should-retry"] == "false", "the gateway's account: no retry mends it"


def test_a_redacted_thinking_block_is_output() -> None:
    """Found in review: an Anthropic answer that opens with `redacted_thinking` carries it as `thinking_blocks` only."""
    from backends.chat_shape import chunk_has_output

    assert chunk_has_output({"choices": [{"index": 0, "delta": {"thinking_blocks": [{"type": "redacted_thinking", "data": "x"}]}}]})
    assert not chunk_has_output({"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})


async def test_the_request_duration_is_in_seconds(fake_classifier: Any) -> None:
    """`router_request_duration_seconds` is in the base unit its name says: a request that waited ~0.5 s on a failed attempt
    books about 0.5, not 500 (mutation review: only a lower bound was checked, so a duration in milliseconds passed)."""
    upstreams = {"oa": openai_upstream(status=500, wait=0.5), "an": anthropic_upstream(), "spare": openai_upstream()}
    async with gateway(fake_classifier, upstreams) as gw:
        response = await gw.chat("[score=0.9] q", stream=True)
        assert response.status_code == 200
        assert 0.5 <= gw.value("router_request_duration_seconds_sum", tier="high", model="spare-big", backend="spare", stream="true") < 5.0
