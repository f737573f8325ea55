"""Upstream faults injected over real loopback sockets: timeouts (connect, first byte, idle, total) and the
fallbacks they lead to, streamed and non-streamed."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest

from tests.ports import closed_port
from tests.reliability._upstream_faults_helpers import FAST
from tests.reliability.loopback_rig import Rig, blackhole_port
from tests.reliability.loopback_upstream import DONE, Behaviour, completion_body, content_chunk, sse, sse_events, usage_chunk

pytestmark = pytest.mark.anyio


# -- timeouts -----------------------------------------------------------------------------


async def test_connect_timeout_falls_back(rig: Rig) -> None:
    port, held = blackhole_port()
    data = rig.config_data(a=FAST)
    data["backends"]["a"]["base_url"] = f"http://127.0.0.1:{port}/v1"
    gateway = await rig.gateway(data)
    started = time.monotonic()
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    assert time.monotonic() - started < 2.0
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="connect") == 1
    for sock in held:
        sock.close()


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_readiness_answers_inside_a_probe_s_timeout_when_a_provider_is_blackholed(rig: Rig, kind: str) -> None:
    """A provider that never answers the handshake (egress blocked) is marked down within 2 s, so `/readyz` answers before a
    Kubernetes probe's timeout (5 s) and a tier with another reachable backend keeps the pod ready (Anthropic's adapter
    probed with its connect timeout, 5 s, before it shared the probe's cap)."""
    port, held = blackhole_port()
    data = rig.config_data()
    data["backends"]["a"]["kind"] = kind
    data["backends"]["a"]["base_url"] = f"http://127.0.0.1:{port}/v1"  # connect timeout 1 s in the rig: raise it to the default
    data["backends"]["a"]["timeouts"] = {"connect": 5.0, "first_byte": 5.0, "idle": 5.0, "total": 10.0}
    gateway = await rig.gateway(data)
    started = time.monotonic()
    ready = await gateway.client.get("/readyz")
    assert time.monotonic() - started < 3.0 and ready.status_code == 200
    assert ready.json()["backends"] == {"a": False, "b": True} and ready.json()["tiers"] == {"low": True, "high": True}
    for sock in held:
        sock.close()


async def test_connection_refused_is_a_fast_502_without_alternative(rig: Rig) -> None:
    data = rig.config_data(a=FAST)
    data["backends"]["a"]["base_url"] = f"http://127.0.0.1:{closed_port()}/v1"
    gateway = await rig.gateway(data)
    response = await gateway.chat(model="ma")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "connect"


@pytest.mark.parametrize("stream", [False, True])
async def test_first_byte_timeout_falls_back_and_hangs_up(rig: Rig, stream: bool) -> None:
    rig.a.script = lambda body, index: Behaviour(header_delay=5)
    gateway = await rig.gateway(a=FAST)
    started = time.monotonic()
    response = await gateway.chat(stream=stream)
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    assert time.monotonic() - started < 1.5
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="timeout") == 1
    assert await rig.a.wait_closed(rig.a.records[0]) is not None, "the timed-out attempt's connection is closed"


async def test_first_byte_means_the_first_event_not_just_headers(rig: Rig) -> None:
    """Headers at once, then silence: still before the client's first byte, so still retried."""
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk("late"), DONE], chunk_delay=5)
    gateway = await rig.gateway(a=FAST)
    response = await gateway.chat(stream=True)
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    assert sse_events(response.text)[-1] == "[DONE]"


async def test_an_error_event_before_any_content_is_retried(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(chunks=[sse({"error": {"message": "engine overloaded"}}), DONE])
    gateway = await rig.gateway(a=FAST)
    response = await gateway.chat(stream=True)
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="stream") == 1


@pytest.mark.parametrize("stream", [False, True])
async def test_the_last_attempt_is_not_cut_short_by_first_byte(rig: Rig, stream: bool) -> None:
    rig.a.script = lambda body, index: Behaviour(header_delay=0.8)
    gateway = await rig.gateway(a=FAST)
    response = await gateway.chat(model="ma", stream=stream)  # a direct model: no alternative
    assert response.status_code == 200 and response.headers["x-router-backend"] == "a"
    assert rig.b.records == []


async def test_a_long_non_streamed_answer_is_not_cut_by_first_byte(rig: Rig) -> None:
    """A non-streamed request is streamed upstream and put back together: an answer still being written past
    `first_byte` is alive (its first token came in time), not cut and generated again on the fallback."""
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk(f"w{i} ") for i in range(12)] + [usage_chunk(7, 12), DONE], chunk_delay=0.08)
    gateway = await rig.gateway(a=FAST)
    started = time.monotonic()
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "a", response.text
    assert time.monotonic() - started > FAST["timeouts"]["first_byte"], "the answer took longer than first_byte"
    body = response.json()
    assert body["object"] == "chat.completion" and body["choices"][0]["message"]["content"] == "".join(f"w{i} " for i in range(12))
    assert body["usage"] == {"prompt_tokens": 7, "completion_tokens": 12, "total_tokens": 19}
    sent = rig.a.records[0].body
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert rig.a.records[0].headers["accept"] == "text/event-stream"
    assert rig.b.records == [] and gateway.metric("router_backend_up", backend="a") == 1
    assert gateway.metric("router_tokens_total", tier="low", model="ma", backend="a", kind="completion") == 12
    assert gateway.metric("router_inflight_requests", backend="a") == 0


async def test_a_non_streamed_answer_that_stalls_midway_falls_back_before_the_client_sees_a_byte(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk("Hel")], then="hang")
    gateway = await rig.gateway(a=FAST)
    started = time.monotonic()
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    assert time.monotonic() - started < 2.0, "cut by the idle timeout, not the total"
    assert response.json()["choices"][0]["message"]["content"] == "ok", "the fallback, the last attempt, is asked unstreamed (auto)"
    assert rig.b.records[0].body["stream"] is False
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="timeout") == 1
    assert gateway.metric("router_upstream_errors_total", backend="a", kind="timeout") == 1
    assert await rig.a.wait_closed(rig.a.records[0]) is not None, "the stalled attempt's connection is closed"
    assert gateway.metric("router_inflight_requests", backend="a") == 0


async def test_a_non_streamed_answer_still_streaming_when_the_drain_ends_is_a_503_not_a_retry(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(words=200, chunk_delay=0.02)
    gateway = await rig.gateway(a={"timeouts": {**FAST["timeouts"], "total": 30.0}})
    asked = asyncio.ensure_future(gateway.chat())
    await asyncio.sleep(0.3)
    gateway.state.drain.begin(0.3)  # the app's drain (SIGTERM under `serve`)
    response = await asked
    assert response.status_code == 503 and response.json()["error"]["code"] == "shutting_down", response.text
    assert response.headers["retry-after"] == "1" and rig.b.records == []
    assert await rig.a.wait_closed(rig.a.records[0]) is not None, "the upstream request is closed"
    # what it wrote is charged, though the request ended in an error (router/attempt_costs.py)
    assert gateway.metric("router_tokens_total", tier="low", model="ma", backend="a", kind="completion") > 0
    assert gateway.metric("router_cost_usd_total", tier="low", model="ma", backend="a") > 0
    assert gateway.metric("router_requests_total", tier="low", model="ma", backend="a", status="error") == 1


@pytest.mark.parametrize("stream", [False, True])
async def test_a_server_that_ignores_stream_and_answers_whole_is_read_as_its_answer(rig: Rig, stream: bool) -> None:
    rig.a.script = lambda body, index: Behaviour(raw=orjson.dumps(completion_body("hello there")))
    gateway = await rig.gateway(a={"non_streamed": "stream"})
    response = await gateway.chat(model="ma", stream=stream, **({"stream_options": {"include_usage": True}} if stream else {}))
    assert response.status_code == 200 and rig.a.records[0].body["stream"] is True
    if stream:
        events = sse_events(response.text)
        assert "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-1] if e.get("choices")) == "hello there"
        assert events[-2]["usage"]["completion_tokens"] == 3 and events[-1] == "[DONE]"
    else:
        assert response.json()["choices"][0]["message"] == {"role": "assistant", "content": "hello there"}
        assert response.json()["usage"]["total_tokens"] == 8
    assert gateway.metric("router_tokens_total", tier="direct", model="ma", backend="a", kind="completion") == 3


@pytest.mark.parametrize("bad", [sse({"id": "c", "choices": [{"index": 0, "delta": {"content": 5}}]}), b"data: {not json}\n\n",
                                 b'data: {"choices": [{"index": 0, "delta": {"x": ' + b'{"x":' * 900 + b"{}" + b"}" * 900 + b"}}]}\n\n"])
async def test_a_streamed_attempt_that_assembles_to_no_completion_falls_back_and_counts_against_the_circuit(rig: Rig, bad: bytes) -> None:
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk("Hel"), bad, usage_chunk(), DONE])
    gateway = await rig.gateway(a={**FAST, "circuit": {"failures": 1, "cooldown_seconds": 30}})
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    assert gateway.metric("router_upstream_errors_total", backend="a", kind="protocol") == 1
    assert gateway.metric("router_backend_up", backend="a") == 0, "a protocol failure, as for an unstreamed answer"


async def test_non_streamed_stream_times_even_the_last_attempt_by_its_gaps(rig: Rig) -> None:
    """`auto` sends the last attempt whole (nothing can follow it: only `total` bounds it); `stream` streams it too, so
    a stall there ends after `idle`, not `total`."""
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk("Hel")], then="hang")
    slow = {"timeouts": {**FAST["timeouts"], "total": 30.0}}
    auto = await rig.gateway(a=slow)
    answered = await auto.chat(model="ma")  # a direct model: the only attempt
    assert answered.status_code == 200 and rig.a.records[-1].body["stream"] is False, "sent whole: the loopback answers it at once"
    streamed = await rig.gateway(a={**slow, "non_streamed": "stream"})
    started = time.monotonic()
    cut = await streamed.chat(model="ma")
    assert cut.status_code == 504 and "idle timeout" in cut.json()["error"]["message"]
    assert time.monotonic() - started < 3.0 and rig.a.records[-1].body["stream"] is True


async def test_non_streamed_whole_sends_the_request_unstreamed_and_first_byte_bounds_it(rig: Rig) -> None:
    """`non_streamed: whole`, for an upstream that cannot stream: one JSON answer, which `first_byte` bounds."""
    rig.a.script = lambda body, index: Behaviour(header_delay=0.8)
    gateway = await rig.gateway(a={**FAST, "non_streamed": "whole"})
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    assert rig.a.records[0].body["stream"] is False and "stream_options" not in rig.a.records[0].body
    assert rig.a.records[0].headers["accept"] == "application/json"


async def test_total_timeout_bounds_the_last_attempt(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(header_delay=5)
    gateway = await rig.gateway(a={"timeouts": {"connect": 0.3, "first_byte": 0.2, "idle": 0.2, "total": 0.6}})
    started = time.monotonic()
    response = await gateway.chat(model="ma")
    assert response.status_code == 504
    assert response.json()["error"] == {"message": "upstream failed: upstream sent nothing within 0.6 s (total timeout)", "type": "timeout",
                                        "param": None, "code": "timeout"}
    assert 0.5 < time.monotonic() - started < 2.0


async def test_idle_gap_mid_stream_ends_with_error_event_and_closes_upstream(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk("Hel")], then="hang")
    gateway = await rig.gateway(a=FAST)
    started = time.monotonic()
    response = await gateway.chat(stream=True)
    events = sse_events(response.text)
    assert events[0]["choices"][0]["delta"]["content"] == "Hel"
    assert events[1]["error"]["code"] == "timeout" and "idle timeout" in events[1]["error"]["message"]
    assert events[2] == "[DONE]"
    assert 0.25 < time.monotonic() - started < 2.0
    assert await rig.a.wait_closed(rig.a.records[0]) is not None
    assert gateway.metric("router_upstream_errors_total", backend="a", kind="timeout") == 1
    assert gateway.metric("router_requests_total", tier="low", model="ma", backend="a", status="error") == 1
    assert rig.b.records == [], "after the first byte there is no retry"


async def test_total_timeout_mid_stream_even_when_chunks_keep_coming(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(words=100, chunk_delay=0.05)
    gateway = await rig.gateway(a={"timeouts": {"connect": 0.3, "first_byte": 1, "idle": 1, "total": 0.5},
                                   "circuit": {"failures": 2, "cooldown_seconds": 30}})
    for _ in range(3):
        response = await gateway.chat(stream=True)
        events = sse_events(response.text)
        assert "total timeout" in events[-2]["error"]["message"] and events[-1] == "[DONE]"
        assert 3 < len(events) < 20
    assert gateway.metric("router_backend_up", backend="a") == 1, "alive to its deadline, only long: no failure of the backend"


@pytest.mark.parametrize("stream", [False, True])
async def test_the_attempt_max_attempts_makes_last_is_not_cut_short_by_first_byte(rig: Rig, stream: bool) -> None:
    """A fallback exists (tier low: ma, then mb) but `routing.max_attempts: 1` allows no second attempt: the one attempt
    is the last and waits until `total`, never cut at `first_byte` for a fallback that cannot follow (router/resilience.py:
    "the last attempt is never cut short by it"; mutation review: `>` in place of `>=` in `_has_successor` cut it, a 504)."""
    rig.a.script = lambda body, index: Behaviour(header_delay=0.8)
    gateway = await rig.gateway(a=FAST, routing={"max_attempts": 1})
    response = await gateway.chat(stream=stream)
    assert response.status_code == 200 and response.headers["x-router-backend"] == "a", response.text
    assert rig.b.records == []


ROLE_ONLY = sse({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                 "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})


@pytest.mark.parametrize("fallback", [False, True])
async def test_a_stall_after_a_role_only_chunk_is_cut_at_idle(rig: Rig, fallback: bool) -> None:
    """The role chunk held with the first output is still a stream event: the gap after it is bounded by `idle` (README:
    "idle: the longest gap between two stream events"), not by `first_byte` or — on the last attempt — `total`."""
    rig.a.script = lambda body, index: Behaviour(chunks=[ROLE_ONLY], then="hang")
    timeouts = {"timeouts": {"connect": 0.5, "first_byte": 2.0, "idle": 0.3, "total": 4.0}}
    gateway = await rig.gateway(a=timeouts, **({} if fallback else {"routing": {"max_attempts": 1}}))
    started = time.monotonic()
    response = await gateway.chat(stream=True)
    assert time.monotonic() - started < 1.5
    if fallback:
        assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    else:
        assert response.status_code == 504 and "idle timeout" in response.text
