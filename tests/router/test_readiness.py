"""`/readyz` against a backend that lists its models and answers nothing (a hung vLLM engine): its circuit, and the
streamed attempts waiting past `first_byte` for a first byte while it sends nothing, take it out (router/state.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest

from router.state import PROBES_REUSED_SECONDS
from tests.router.conftest import CONFIG, Harness, make_config

pytestmark = pytest.mark.anyio


async def test_a_backend_whose_circuit_is_open_is_not_ready_though_it_lists_its_models(make_harness: Callable[..., Any]) -> None:
    """A vLLM whose engine hangs (or fails every generation) still answers `/v1/models` in a millisecond: `/readyz` stayed
    ready while the circuit had taken the backend out (an outside review's chaos test, SIGSTOP of the engine process), so
    a sidecar pod whose only model hung kept its Service's traffic."""

    def generation_fails(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"object": "list", "data": [{"id": "Qwen/Qwen3-8B", "object": "model"}]})
        return httpx.Response(500, json={"error": {"message": "engine dead", "type": "server_error"}})

    sim = {**CONFIG["backends"]["sim"], "circuit": {"failures": 1, "cooldown_seconds": 60}}
    harness: Harness = await make_harness(make_config(backends={**CONFIG["backends"], "sim": sim}), sim_transport=httpx.MockTransport(generation_fails))
    assert (await harness.client.get("/readyz")).status_code == 200
    assert (await harness.chat(model="auto:low")).status_code >= 500
    await asyncio.sleep(PROBES_REUSED_SECONDS)  # past the shared round of probes
    ready = await harness.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["backends"] == {"sim": False, "spare": True} and ready.json()["tiers"] == {"low": False, "medium": False, "high": True}


async def test_router_backend_up_follows_what_readyz_finds_between_requests(make_harness: Callable[..., Any]) -> None:
    """The gauge kept the breaker's last change: 1 for a backend down before any request, 0 for one healthy again after
    its cooldown until traffic came — and the critical BackendDown alert pages on it (a real-vLLM review)."""
    engine = {"up": False}

    def backend(request: httpx.Request) -> httpx.Response:
        if not engine["up"]:
            raise httpx.ConnectError("connection refused")
        if request.method == "GET":
            return httpx.Response(200, json={"object": "list", "data": [{"id": "Qwen/Qwen3-8B", "object": "model"}]})
        return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    sim = {**CONFIG["backends"]["sim"], "circuit": {"failures": 1, "cooldown_seconds": 0.2}}
    harness: Harness = await make_harness(make_config(backends={**CONFIG["backends"], "sim": sim}), sim_transport=httpx.MockTransport(backend))
    assert harness.metric("router_backend_up", backend="sim") == 1
    assert (await harness.client.get("/readyz")).json()["backends"]["sim"] is False
    assert harness.metric("router_backend_up", backend="sim") == 0, "down before any request"
    assert (await harness.chat(model="auto:low")).status_code >= 500  # opens the circuit
    engine["up"] = True
    await asyncio.sleep(max(PROBES_REUSED_SECONDS, 0.2))  # the cooldown over, no request since
    assert harness.metric("router_backend_up", backend="sim") == 0
    assert (await harness.client.get("/readyz")).json()["backends"]["sim"] is True
    assert harness.metric("router_backend_up", backend="sim") == 1, "healthy again, before any traffic"


async def test_a_backend_that_starts_no_answer_past_first_byte_is_stalled_and_not_ready(make_harness: Callable[..., Any]) -> None:
    """The same hung engine before any failure: the only attempt is never cut by `first_byte` (it waits up to `total`), so
    no circuit opens for minutes; a streamed attempt waiting past `first_byte` for its first byte marks the backend
    stalled while it waits (a whole answer's first byte is its end: no sign of a hang)."""

    class Silent(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            await asyncio.Event().wait()
            yield b""

    def hang(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"object": "list", "data": []})
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Silent())

    sim = {**CONFIG["backends"]["sim"], "timeouts": {"first_byte": 0.2, "total": 60}}
    harness: Harness = await make_harness(make_config(backends={**CONFIG["backends"], "sim": sim}), sim_transport=httpx.MockTransport(hang))
    waiting = asyncio.ensure_future(harness.chat(model="auto:low", stream=True))
    try:
        await asyncio.sleep(PROBES_REUSED_SECONDS + 0.3)
        assert not waiting.done(), "the only attempt is not cut by first_byte"
        ready = await harness.client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["stalled"] == ["sim"] and ready.json()["backends"]["sim"] is False
    finally:
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
    await asyncio.sleep(PROBES_REUSED_SECONDS)
    ready = await harness.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["stalled"] == [], "the wait ended with the request"


async def test_a_busy_backend_that_keeps_answering_is_not_stalled(make_harness: Callable[..., Any]) -> None:
    """A full queue holds requests past first_byte while the engine streams the others' answers: no hang (review of
    session 33's diff: /readyz said stalled, and a saturated sidecar would leave its Service)."""
    engine = asyncio.Semaphore(1)  # an engine with one slot: a second request queues, as vLLM's waiting queue does
    first_bytes: list[float] = []

    class Answer(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            async with engine:  # queued until the slot frees; then tokens flow at once and steadily
                first_bytes.append(asyncio.get_running_loop().time())
                for i in range(30):
                    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "Qwen/Qwen3-8B",
                             "choices": [{"index": 0, "delta": {"content": f"t{i} "}, "finish_reason": None}]}
                    yield b"data: " + orjson.dumps(chunk) + b"\n\n"
                    await asyncio.sleep(0.05)
                yield b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'

    def serve(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"object": "list", "data": [{"id": "Qwen/Qwen3-8B", "object": "model"}]})
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Answer())

    sim = {**CONFIG["backends"]["sim"], "timeouts": {"first_byte": 0.5, "total": 60}}
    harness: Harness = await make_harness(make_config(backends={**CONFIG["backends"], "sim": sim}), sim_transport=httpx.MockTransport(serve))
    requests = [asyncio.ensure_future(harness.chat(model="auto:low", stream=True)) for _ in range(3)]
    await asyncio.sleep(max(PROBES_REUSED_SECONDS, 0.5) + 0.4)
    ready = await harness.client.get("/readyz")
    answers = await asyncio.gather(*requests)
    assert all(a.status_code == 200 for a in answers)
    assert ready.status_code == 200 and ready.json()["stalled"] == [], "the engine streamed all along"
