"""What a request whose client leaves is charged (router/ttc.py, router/resilience.py, router/api.py): every upstream call
it made — an escalated one too — at what that call wrote when it was read from a stream, at its forecast when asked
whole; in `router_cost_usd_total`, the top-tier baseline and the key's budget alike."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from backends.usage import Usage
from router.app import create_app
from router.pricing import cost_usd
from tests.router.conftest import CONFIG, Harness, make_config
from tests.router.ttc_fakes import call_and_leave

pytestmark = pytest.mark.anyio

LOW = {"tier": "low", "model": "small", "backend": "sim"}
HIGH = {"tier": "high", "model": "big", "backend": "sim"}
ESCALATING = {**CONFIG["tiers"], "low": {**CONFIG["tiers"]["low"], "escalate_to": "high"}}


def chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    base = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": model}
    return b"data: " + json.dumps(base | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}).encode() + b"\n\n"


async def events(model: str, contents: int, then_wait: bool = True) -> AsyncIterator[bytes]:
    """A role event, `contents` one-token events, then silence (a model still working when its client leaves)."""
    yield chunk(model, {"role": "assistant", "content": ""})
    for index in range(contents):
        yield chunk(model, {"content": f" w{index}"})
    if then_wait:
        await asyncio.sleep(30)


async def empty_by_length(model: str) -> AsyncIterator[bytes]:
    """The low tier thinks its budget away: an empty answer cut by length, escalated."""
    yield chunk(model, {"role": "assistant", "content": ""})
    yield chunk(model, {}, "length")
    yield b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":50,"total_tokens":150}}\n\n'
    yield b"data: [DONE]\n\n"


async def silent(model: str) -> AsyncIterator[bytes]:
    """Headers sent, no event yet (a long prefill)."""
    await asyncio.sleep(30)
    yield chunk(model, {"content": "x"})


def upstream(escalated_events: int | None) -> httpx.MockTransport:
    """The low tier's model answers empty by length; the high tier's streams `escalated_events` events and waits (None:
    sends nothing), or, asked whole, never answers."""
    async def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        stream = {"content-type": "text/event-stream"}
        if body["model"] == "Qwen/Qwen3-8B":
            if body.get("stream"):
                return httpx.Response(200, headers=stream, content=empty_by_length(body["model"]))
            return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": body["model"],
                                             "choices": [{"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "length"}],
                                             "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}})
        if body.get("stream"):
            return httpx.Response(200, headers=stream, content=events(body["model"], escalated_events) if escalated_events is not None
                                  else silent(body["model"]))
        await asyncio.sleep(30)
        return httpx.Response(500)

    return httpx.MockTransport(handler)


async def leave(harness: Harness, after: float, **body: Any) -> list[tuple[int, float | None]]:
    """Send a request and leave `after` seconds later; what the key's budget was settled with (tokens, USD)."""
    app = harness.client._transport.app  # type: ignore[attr-defined]
    limiter = app.state.router.ops.limiter  # None without limits
    settled: list[tuple[int, float | None]] = []
    if limiter is not None:
        settle = limiter.settle
        limiter.settle = lambda admission, tokens, cost: (settled.append((tokens, cost)), settle(admission, tokens, cost))[1]
    await call_and_leave(app, "/v1/chat/completions", {"model": "auto", "messages": [{"role": "user", "content": "hello"}], **body}, after)
    return settled


@pytest.mark.parametrize("read", ["whole", "stream"])
async def test_a_client_that_leaves_during_an_escalated_call_pays_for_it(make_harness: Any, read: str) -> None:
    """Leaving while the escalated (dear) call ran left it out of the cost, the tokens and the key's budget — only its
    top-tier baseline counted it: net savings rose by the whole call (found in review, s36)."""
    backends = {**CONFIG["backends"], "sim": {**CONFIG["backends"]["sim"], "non_streamed": read}}
    harness = await make_harness(make_config(tiers=ESCALATING, backends=backends, limits={"default": {"budget_usd": 1.0}}),
                                 sim_transport=upstream(12))
    settled = await leave(harness, 0.5)
    assert harness.metric("router_requests_total", **HIGH, status="cancelled") == 1
    completion = harness.metric("router_tokens_total", **HIGH, kind="completion")
    assert completion == 12 if read == "stream" else completion > 12, "what it wrote, read from a stream; its forecast, asked whole"
    total = harness.metric("router_cost_usd_total", **LOW) + harness.metric("router_cost_usd_total", **HIGH)
    assert harness.metric("router_cost_usd_total", **HIGH) > 0 and len(settled) == 1 and settled[0][1] == pytest.approx(total)
    assert settled[0][0] == 150 + harness.metric("router_tokens_total", **HIGH, kind="prompt") + completion


async def test_a_client_that_leaves_before_an_escalated_stream_s_first_event_pays_its_prompt(make_harness: Any) -> None:
    harness = await make_harness(make_config(tiers=ESCALATING), sim_transport=upstream(None))
    await leave(harness, 0.5, stream=True)
    assert harness.metric("router_tokens_total", **HIGH, kind="prompt") > 0 and harness.metric("router_cost_usd_total", **HIGH) > 0


@pytest.mark.parametrize("stream", [False, True])
async def test_leaving_before_the_first_event_of_a_stream_costs_the_prompt_whether_streamed_or_not(make_harness: Any, stream: bool) -> None:
    """Read from a stream (`non_streamed: stream`), a non-streamed request left before its first event was charged its
    whole forecast (200 tokens), the same departure on a stream its prompt (found in review, s36)."""
    backends = {**CONFIG["backends"], "sim": {**CONFIG["backends"]["sim"], "non_streamed": "stream"}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"},
                                                                   content=silent(json.loads(request.content)["model"])))
    harness = await make_harness(make_config(backends=backends), sim_transport=transport)
    await leave(harness, 0.3, stream=stream)
    assert harness.metric("router_requests_total", **LOW, status="cancelled") == 1
    assert harness.metric("router_tokens_total", **LOW, kind="prompt") > 0
    assert harness.metric("router_tokens_total", **LOW, kind="completion") == 0


@pytest.mark.parametrize("use_n", [False, True])
async def test_a_client_that_leaves_a_sampled_tier_spends_the_samples_tokens(make_harness: Any, use_n: bool) -> None:
    """Each sample read from a stream is charged what it wrote (5 tokens of 3 samples); the key's token budget and the
    top-tier baseline took one answer's forecast instead (205 tokens for 15; found in review, s36)."""
    tiers = {**CONFIG["tiers"], "low": {**CONFIG["tiers"]["low"], "strategy": {"kind": "self_consistency", "samples": 3, "use_n": use_n}}}
    backends = {**CONFIG["backends"], "sim": {**CONFIG["backends"]["sim"], "non_streamed": "stream"}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"},
                                                                   content=events(json.loads(request.content)["model"], 5)))
    harness = await make_harness(make_config(tiers=tiers, backends=backends, limits={"default": {"budget_usd": 1.0}}), sim_transport=transport)
    settled = await leave(harness, 0.5)
    prompt, completion = (harness.metric("router_tokens_total", **LOW, kind=kind) for kind in ("prompt", "completion"))
    assert completion == (5 if use_n else 15), "what each call wrote: one call of three answers, or three calls"
    assert len(settled) == 1 and settled[0] == (prompt + completion, pytest.approx(harness.metric("router_cost_usd_total", **LOW)))
    top = harness.client._transport.app.state.router.gateway._top_model  # type: ignore[attr-defined]
    assert harness.metric("router_top_tier_cost_usd_total") == pytest.approx(cost_usd(top, Usage(int(prompt), int(completion))))


@pytest.mark.parametrize("escalated", [True, False])
async def test_a_client_that_leaves_while_an_estimate_settles_pays_for_the_stream_it_left(make_harness: Any, escalated: bool) -> None:
    """The client left while the gateway settled an estimate before the headers (a pending answer embedding): no relay
    took the stream, and an escalated call was free (review_s36_fix R1). It pays the prompt, and the events the escalation
    check held (reasoning until the first answer text) when the escalating tier answered itself."""
    async def answered(model: str) -> AsyncIterator[bytes]:
        yield chunk(model, {"role": "assistant", "content": ""})
        for index in range(4):
            yield chunk(model, {"reasoning_content": f" r{index}"})
        yield chunk(model, {"content": "answer"})
        await asyncio.sleep(30)

    async def handler(request: httpx.Request) -> httpx.Response:
        model = json.loads(request.content)["model"]
        content = empty_by_length(model) if escalated and model == "Qwen/Qwen3-8B" else answered(model)
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=content)

    harness = await make_harness(make_config(tiers=ESCALATING, limits={"default": {"budget_usd": 1.0}}), sim_transport=httpx.MockTransport(handler))
    gateway = harness.client._transport.app.state.router.gateway  # type: ignore[attr-defined]

    async def pending_estimate(decision: Any, body: Any) -> None:
        await asyncio.sleep(30)

    gateway.settle_estimate = pending_estimate
    settled = await leave(harness, 0.5, stream=True)
    labels = HIGH if escalated else LOW
    assert harness.metric("router_requests_total", **labels, status="cancelled") == 1
    prompt, completion = (harness.metric("router_tokens_total", **labels, kind=kind) for kind in ("prompt", "completion"))
    assert prompt > 0 and harness.metric("router_cost_usd_total", **labels) > 0
    assert completion == (0 if escalated else 5), "unread, the escalated call wrote nothing the gateway saw; held, five events"
    assert len(settled) == 1 and settled[0][0] == (150 if escalated else 0) + prompt + completion


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
@pytest.mark.parametrize("stream", [False, True])
async def test_a_request_left_while_it_waited_for_a_connection_costs_nothing(fake_classifier: Any, stream: bool, kind: str) -> None:
    """The backend's only pooled connection is busy; the second request waits for it and its client leaves: the upstream
    never got it (a real HTTP/1.1 pool), yet it was charged its prompt, streamed or not (review_s36_fix R2); the Anthropic
    adapter, on httpx's client then, marked its request written before the wait (review_s37 F6)."""
    seen: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
        seen.append(await reader.readexactly(length))
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(30)  # a long prefill: no event yet

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    backends = {**CONFIG["backends"], "sim": {"kind": kind, "base_url": f"http://127.0.0.1:{port}/v1", "non_streamed": "stream", "max_connections": 1}}
    registry = CollectorRegistry()
    app = create_app(make_config(backends=backends), classifier=fake_classifier, transports={"spare": None}, registry=registry)

    def tokens(kind: str) -> float:
        return registry.get_sample_value("router_tokens_total", {**LOW, "kind": kind}) or 0.0

    async with app.router.lifespan_context(app):
        try:
            holder = asyncio.create_task(call_and_leave(app, "/v1/chat/completions", {"model": "auto", "stream": True, "messages": [
                {"role": "user", "content": "hold the connection"}]}, 2.0))
            await asyncio.sleep(0.3)
            held = tokens("prompt")
            await call_and_leave(app, "/v1/chat/completions", {"model": "auto", "stream": stream, "messages": [{"role": "user", "content": "hello " * 50}]}, 0.5)
            assert len(seen) == 1, "the waiting request never reached the upstream"
            assert registry.get_sample_value("router_requests_total", {**LOW, "status": "cancelled"}) == 1
            assert tokens("prompt") == held == 0 and tokens("completion") == 0
            await holder
            assert tokens("prompt") > 0, "the request the upstream got is charged its prompt"
        finally:
            server.close()


async def test_a_dropped_stream_the_escalation_check_read_to_its_end_is_charged_its_reported_usage(make_harness: Any) -> None:
    """The check read the whole stream (empty, cut by length; reported 100 + 50), the escalation was refused (a client
    cap, a key held to its tier: stubbed), and the client left while the estimate settled: it was charged a token per
    held event, not what the upstream reported (review_s37 F5)."""
    harness = await make_harness(make_config(tiers=ESCALATING), sim_transport=httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=empty_by_length(json.loads(request.content)["model"]))))
    gateway = harness.client._transport.app.state.router.gateway  # type: ignore[attr-defined]
    gateway.ttc._escalate = lambda *args, **kwargs: False

    async def pending_estimate(decision: Any, body: Any) -> None:
        await asyncio.sleep(30)

    gateway.settle_estimate = pending_estimate
    await leave(harness, 0.5, stream=True)
    assert harness.metric("router_requests_total", **LOW, status="cancelled") == 1
    assert (harness.metric("router_tokens_total", **LOW, kind="prompt"), harness.metric("router_tokens_total", **LOW, kind="completion")) == (100, 50)


async def test_a_whole_answer_left_while_the_estimate_settles_is_charged_its_reported_usage(make_harness: Any) -> None:
    """The non-streamed sibling: the gateway had the whole answer (100 + 50 reported) and charged the answer forecast
    when its client left during the estimate (review_s37 F8)."""
    answer = {"id": "c", "object": "chat.completion", "created": 1, "model": "m",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}}
    harness = await make_harness(make_config(), sim_transport=httpx.MockTransport(lambda request: httpx.Response(200, json=answer)))
    gateway = harness.client._transport.app.state.router.gateway  # type: ignore[attr-defined]

    async def pending_estimate(decision: Any, body: Any) -> None:
        await asyncio.sleep(30)

    gateway.settle_estimate = pending_estimate
    await leave(harness, 0.5)
    assert harness.metric("router_requests_total", **LOW, status="cancelled") == 1
    assert (harness.metric("router_tokens_total", **LOW, kind="prompt"), harness.metric("router_tokens_total", **LOW, kind="completion")) == (100, 50)
