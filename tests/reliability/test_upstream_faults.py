"""Upstream faults injected over real loopback sockets: timeouts (connect, first byte, idle, total),
retries and their budget, fallbacks, circuit breakers, and 429 Retry-After."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import orjson
import pytest

from tests.reliability.loopback import (
    DONE,
    Behaviour,
    Rig,
    blackhole_port,
    closed_port,
    completion_body,
    content_chunk,
    serve_app,
    sse,
    sse_events,
    usage_chunk,
)

pytestmark = pytest.mark.anyio

FAST = {"timeouts": {"connect": 0.2, "first_byte": 0.4, "idle": 0.3, "total": 3.0}}


def fails(status: int = 500, **extra: Any) -> Any:
    return lambda body, index: Behaviour(status=status, json={"error": {"message": "boom"}}, **extra)


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


# -- malformed upstream output -----------------------------------------------------------------


@pytest.mark.parametrize("non_streamed", ["stream", "whole"])
@pytest.mark.parametrize(
    ("behaviour", "kind"),
    [
        (Behaviour(raw=b'{"choices": [tru'), "protocol"),  # streamed: a whole JSON answer (a server that ignores `stream`)
        (Behaviour(raw=b'["not", "a", "completion"]'), "protocol"),
        (Behaviour(then="close"), "cut"),  # the body is cut short: the JSON, or the stream after its first event
        (Behaviour(status=502, raw=b"<html>bad gateway</html>"), "status"),
    ],
)
async def test_malformed_upstream_answers_are_counted_and_become_openai_errors(rig: Rig, behaviour: Behaviour, kind: str, non_streamed: str) -> None:
    if kind == "cut":
        kind = "protocol"
        behaviour = Behaviour(chunks=[content_chunk("Hel")], then="close") if non_streamed == "stream" else behaviour
    rig.a.script = lambda body, index: behaviour
    gateway = await rig.gateway(a={"non_streamed": non_streamed})
    alone = await gateway.chat(model="ma")
    assert alone.status_code == 502
    assert set(alone.json()["error"]) == {"message", "type", "param", "code"} and alone.json()["error"]["code"] == kind
    assert gateway.metric("router_upstream_errors_total", backend="a", kind=kind) == 1
    assert gateway.metric("router_requests_total", tier="direct", model="ma", backend="a", status="error") == 1
    rescued = await gateway.chat()
    assert rescued.status_code == 200 and rescued.headers["x-router-backend"] == "b", "and it is retried where a fallback exists"


# -- fallbacks, budget ----------------------------------------------------------------------


async def test_fallback_to_next_tier(rig: Rig) -> None:
    rig.a.script = fails(503)
    data = rig.config_data(routing={"fallback_to_next_tier": True})
    data["tiers"]["low"]["fallbacks"] = []
    gateway = await rig.gateway(data)
    response = await gateway.chat()
    assert response.status_code == 200
    assert response.headers["x-router-tier"] == "high" and response.headers["x-router-model"] == "mb"
    assert response.json()["router"]["reason"] == "fallback"


async def test_no_fallback_to_next_tier_unless_configured(rig: Rig) -> None:
    rig.a.script = fails(503)
    data = rig.config_data()
    data["tiers"]["low"]["fallbacks"] = []
    gateway = await rig.gateway(data)
    assert (await gateway.chat()).status_code == 503, "overloaded, as the upstream said"
    assert rig.b.records == []


async def test_retry_budget_stops_multiplying_an_outage(rig: Rig) -> None:
    rig.a.script = fails(500)
    rig.b.script = fails(500)
    gateway = await rig.gateway(routing={"retry_budget": {"ratio": 0.2, "min_per_second": 0.2, "window_seconds": 10}})
    statuses = [(await gateway.chat()).status_code for _ in range(10)]
    assert statuses == [502] * 10
    # Floor 0.2/s × 10 s = 2 retries, then 20 % of 10 requests = 2: never 10 extra attempts.
    attempts = len(rig.a.records) + len(rig.b.records)
    assert attempts == 10 + 2
    assert gateway.metric("router_retries_total", outcome="attempted") == 2
    assert gateway.metric("router_retries_total", outcome="budget_exhausted") == 8


async def test_an_escalation_after_a_failure_spends_from_the_retry_budget(rig: Rig) -> None:
    """`escalate_on.error` (on by default) is one more attempt: within the budget, or a dead backend gets 2x the load."""
    rig.a.script = fails(500)
    rig.b.script = fails(500)
    data = rig.config_data(routing={"retry_budget": {"ratio": 0.2, "min_per_second": 0.2, "window_seconds": 10}})
    data["tiers"]["low"] = {"model": "ma", "max_score": 0.5, "escalate_to": "high"}
    gateway = await rig.gateway(data)
    assert [(await gateway.chat()).status_code for _ in range(10)] == [502] * 10
    hops = len(rig.b.records)
    assert len(rig.a.records) == 10 and 2 <= hops <= 4, "the floor's 2, and 20 % of the requests: not one hop per request"
    assert gateway.metric("router_retries_total", outcome="attempted") == hops


async def test_client_errors_are_not_retried_and_do_not_trip_the_circuit(rig: Rig) -> None:
    rig.a.script = fails(400)
    gateway = await rig.gateway(a={"circuit": {"failures": 1, "cooldown_seconds": 30}})
    for _ in range(3):
        assert (await gateway.chat()).status_code == 400
    assert rig.b.records == []
    assert gateway.metric("router_backend_up", backend="a") == 1


# -- circuit breaker ----------------------------------------------------------------------


async def test_circuit_opens_skips_then_probes_back(rig: Rig) -> None:
    rig.a.script = fails(500)
    # a cooldown that three skipped requests cannot outlast on a loaded machine (0.4 s did once, under a parallel test run)
    gateway = await rig.gateway(a={"circuit": {"failures": 2, "cooldown_seconds": 1.5}})
    assert gateway.metric("router_backend_up", backend="a") == 1
    for _ in range(2):
        assert (await gateway.chat()).headers["x-router-backend"] == "b"
    assert len(rig.a.records) == 2
    assert gateway.metric("router_backend_up", backend="a") == 0
    for _ in range(3):  # open: skipped without an attempt
        assert (await gateway.chat()).headers["x-router-backend"] == "b"
    assert len(rig.a.records) == 2
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="circuit_open") == 3
    rig.a.script = lambda body, index: Behaviour()  # a recovers
    await asyncio.sleep(1.55)
    assert (await gateway.chat()).headers["x-router-backend"] == "a"  # the half-open probe
    assert gateway.metric("router_backend_up", backend="a") == 1
    assert (await gateway.chat()).headers["x-router-backend"] == "a"


async def test_half_open_lets_exactly_one_probe_through(rig: Rig) -> None:
    rig.a.script = fails(500)
    gateway = await rig.gateway(a={"circuit": {"failures": 1, "cooldown_seconds": 0.2}})
    await gateway.chat()
    assert gateway.metric("router_backend_up", backend="a") == 0
    await asyncio.sleep(0.25)
    rig.a.script = lambda body, index: Behaviour(header_delay=0.3)
    responses = await asyncio.gather(*(gateway.chat() for _ in range(6)))
    backends = sorted(r.headers["x-router-backend"] for r in responses)
    assert backends == ["a"] + ["b"] * 5
    assert len(rig.a.records) == 2  # the failure that opened it, and the one probe


async def test_failed_probe_reopens_the_circuit(rig: Rig) -> None:
    rig.a.script = fails(500)
    gateway = await rig.gateway(a={"circuit": {"failures": 1, "cooldown_seconds": 0.2}})
    await gateway.chat()
    await asyncio.sleep(0.25)
    await gateway.chat()  # probe fails → open again
    assert len(rig.a.records) == 2
    await gateway.chat()
    assert len(rig.a.records) == 2, "re-opened: skipped again for a full cooldown"
    assert gateway.metric("router_backend_up", backend="a") == 0


async def test_open_circuit_without_alternative_still_gets_the_request(rig: Rig) -> None:
    rig.a.script = fails(500)
    gateway = await rig.gateway(a={"circuit": {"failures": 1, "cooldown_seconds": 30}})
    await gateway.chat(model="ma")
    assert gateway.metric("router_backend_up", backend="a") == 0
    rig.a.script = lambda body, index: Behaviour()
    response = await gateway.chat(model="ma")
    assert response.status_code == 200, "never fail a request untried when nothing else could serve it"
    assert gateway.metric("router_backend_up", backend="a") == 1


async def test_an_open_circuit_is_the_last_resort_when_the_alternative_fails(rig: Rig) -> None:
    rig.a.script = fails(500)
    gateway = await rig.gateway(a={"circuit": {"failures": 1, "cooldown_seconds": 30}})
    assert (await gateway.chat()).headers["x-router-backend"] == "b"  # a fails: its circuit opens
    rig.a.script = lambda body, index: Behaviour()  # a is back, but its circuit does not know yet
    rig.b.script = fails(503)
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "a"
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="circuit_open") == 1
    assert gateway.metric("router_fallbacks_total", from_backend="b", to_backend="a", reason="status") == 1
    assert gateway.metric("router_backend_up", backend="a") == 1


async def test_with_every_circuit_open_each_is_tried_in_turn(rig: Rig) -> None:
    rig.a.script = fails(500)
    rig.b.script = fails(500)
    circuit = {"circuit": {"failures": 1, "cooldown_seconds": 30}}
    gateway = await rig.gateway(a=circuit, b=circuit)
    assert (await gateway.chat()).status_code == 502  # both fail: both circuits open
    rig.b.script = lambda body, index: Behaviour()
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b"
    assert len(rig.a.records) == 2, "a was tried first (in candidate order), then b"
    assert gateway.metric("router_backend_up", backend="b") == 1 and gateway.metric("router_backend_up", backend="a") == 0


async def test_mid_stream_failures_count_toward_the_circuit(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk("x")], then="close")
    gateway = await rig.gateway(a={"circuit": {"failures": 2, "cooldown_seconds": 30}})
    for _ in range(2):
        events = sse_events((await gateway.chat(stream=True)).text)
        assert "error" in events[-2] and events[-1] == "[DONE]"
    assert gateway.metric("router_backend_up", backend="a") == 0


# -- 429 ------------------------------------------------------------------------------------


async def test_rate_limited_backend_is_skipped_until_retry_after(rig: Rig) -> None:
    rig.a.script = fails(429, headers={"Retry-After": "1"})
    gateway = await rig.gateway()
    first = await gateway.chat()
    assert first.status_code == 200 and first.headers["x-router-backend"] == "b"
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="status") == 1
    second = await gateway.chat()
    assert second.headers["x-router-backend"] == "b"
    assert len(rig.a.records) == 1, "skipped while its Retry-After runs"
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="rate_limited") == 1
    alone = await gateway.chat(model="ma")  # no alternative: the client gets the 429, the provider no request
    assert alone.status_code == 429 and alone.headers["retry-after"] == "1"
    assert alone.json()["error"]["type"] == "rate_limit_error"
    assert len(rig.a.records) == 1
    assert gateway.metric("router_backend_up", backend="a") == 1, "a rate limit is not an outage"
    rig.a.script = lambda body, index: Behaviour()
    await asyncio.sleep(1.05)
    assert (await gateway.chat()).headers["x-router-backend"] == "a"


async def test_a_rate_limit_cools_down_its_model_not_the_backend_s_others(rig: Rig) -> None:
    """OpenAI and Anthropic limit each model: a 429 for one must not refuse another on the same account for minutes."""
    rig.a.script = lambda body, index: fails(429, headers={"Retry-After": "60"})(body, index) if body["model"] == "ma" else Behaviour()
    data = rig.config_data()
    data["models"]["ma-mini"] = {"backend": "a", "input": 0.1, "output": 0.2}
    gateway = await rig.gateway(data)
    assert (await gateway.chat(model="ma")).status_code == 429
    other = await gateway.chat(model="ma-mini")
    assert other.status_code == 200 and other.headers["x-router-backend"] == "a" and len(rig.a.records) == 2
    again = await gateway.chat(model="ma")
    assert again.status_code == 429 and len(rig.a.records) == 2, "the limited model is still skipped"


async def test_retry_after_is_capped(rig: Rig) -> None:
    rig.a.script = fails(429, headers={"Retry-After": "86400"})
    gateway = await rig.gateway(routing={"max_retry_after_seconds": 0.3})
    await gateway.chat()
    await asyncio.sleep(0.35)
    rig.a.script = lambda body, index: Behaviour()
    assert (await gateway.chat()).headers["x-router-backend"] == "a"


@pytest.mark.parametrize("status", [429, 503])
async def test_the_client_is_told_the_capped_retry_after(rig: Rig, status: int) -> None:
    """A provider's `Retry-After: 100000` went to the client whole, while the gateway itself waited the cap (a load review)."""
    rig.a.script = fails(status, headers={"Retry-After": "100000"})
    gateway = await rig.gateway(routing={"max_retry_after_seconds": 120})
    response = await gateway.chat(model="ma")
    assert response.status_code == status and response.headers["retry-after"] == "120"


async def test_client_headers_never_reach_the_upstream(rig: Rig) -> None:
    gateway = await rig.gateway()
    hostile = {
        "authorization": "Bearer client-key-1",
        "x-api-key": "client-key-2",
        "api-key": "client-key-3",
        "openai-organization": "org-client",
        "openai-project": "proj-client",
        "anthropic-version": "1999-01-01",
        "cookie": "session=client",
        "x-forwarded-host": "evil.test",
        "host": "evil.test",
    }
    body = {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}
    for stream in (False, True):
        response = await gateway.client.post("/v1/chat/completions", json=body | {"stream": stream}, headers=hostile)
        assert response.status_code == 200
    for record in rig.a.records:
        assert record.headers["authorization"] == "Bearer sk-upstream-a-secret"
        sent = " ".join(record.headers.values())
        assert "client-key" not in sent and "org-client" not in sent and "proj-client" not in sent
        assert "evil.test" not in sent and "session=client" not in sent and "1999-01-01" not in sent
        assert {"x-api-key", "api-key", "openai-organization", "openai-project", "cookie", "x-forwarded-host"}.isdisjoint(record.headers)


# -- capacity (circuit.max_in_flight) --------------------------------------------------------


async def _in_flight(gateway: Any, backend: str, count: int, timeout: float = 2.0) -> None:
    health = gateway.state.gateway.resilience.health[backend]
    deadline = time.monotonic() + timeout
    while health.in_flight != count and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert health.in_flight == count


@pytest.mark.parametrize("stream", [True, False])
async def test_a_hung_backend_holds_at_most_max_in_flight_slots(rig: Rig, stream: bool) -> None:
    """Envoy's max_requests: past the cap the backend is skipped like an open circuit, and a request with no
    other candidate gets 503 at once — a hung backend cannot take every slot of the router (max_concurrency)."""
    rig.a.script = lambda body, index: Behaviour(header_delay=30)
    gateway = await rig.gateway(a={"circuit": {"failures": 100, "cooldown_seconds": 30, "max_in_flight": 2}})
    hung = [asyncio.create_task(gateway.chat(model="ma", stream=stream)) for _ in range(2)]
    await _in_flight(gateway, "a", 2)
    started = time.monotonic()
    refused = await gateway.chat(model="ma", stream=stream)
    assert time.monotonic() - started < 1.0
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["type"] == "overloaded_error" and "max_in_flight" in refused.json()["error"]["message"]
    moved = await gateway.chat(stream=stream)  # tier low: ma, then its fallback mb
    assert moved.status_code == 200 and moved.headers["x-router-backend"] == "b"
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="at_capacity") == 1
    assert gateway.metric("router_backend_overflows_total", backend="a") == 2
    assert len(rig.a.records) == 2, "no request beyond the cap reached the hung backend"
    assert gateway.metric("router_backend_up", backend="a") == 1, "a full backend is not a failed one"
    for task in hung:
        task.cancel()
    await asyncio.gather(*hung, return_exceptions=True)
    await _in_flight(gateway, "a", 0)
    rig.a.script = lambda body, index: Behaviour()
    assert (await gateway.chat(model="ma", stream=stream)).status_code == 200


async def test_a_stream_holds_its_slot_until_it_ends(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(words=40, chunk_delay=0.02)
    gateway = await rig.gateway(a={"circuit": {"max_in_flight": 1}})
    body = {"model": "ma", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    async with serve_app(gateway.app) as url, httpx.AsyncClient(base_url=url) as client:  # a real server: ASGITransport buffers
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:
            assert response.status_code == 200
            await _in_flight(gateway, "a", 1)
            assert (await gateway.chat(model="ma")).status_code == 503, "the streaming answer still holds the only slot"
            await response.aread()
        await _in_flight(gateway, "a", 0)
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:  # a client that leaves mid-stream
            async for _ in response.aiter_lines():
                break
        await _in_flight(gateway, "a", 0)
    for stream in (True, False):  # failed, finished and refused attempts all gave their slots back
        assert (await gateway.chat(model="ma", stream=stream)).status_code == 200
    rig.a.script = fails(500)
    assert (await gateway.chat(model="ma")).status_code == 502
    await _in_flight(gateway, "a", 0)


@pytest.mark.parametrize(("headers", "secret"), [
    ({"Authorization": "Bearer tok-live-4f9a8b7c6d"}, "tok-live-4f9a8b7c6d"),  # the token echoed without its scheme
    ({"Ocp-Apim-Subscription-Key": "apim-5e4d3c2b1a"}, "apim-5e4d3c2b1a"),  # Azure API Management
    ({"cf-aig-authorization": "Bearer cfaig-9z8y7x6w"}, "cfaig-9z8y7x6w"),  # Cloudflare AI Gateway
])
async def test_a_credential_configured_as_a_backend_header_is_masked_in_an_echoed_error(rig: Rig, headers: dict[str, str], secret: str) -> None:
    """Proxies in front of a model echo the credential they refuse; only the whole value of four header names was masked,
    so a Bearer token alone, an APIM subscription key or a Cloudflare gateway token reached the client in the 502."""
    rig.a.script = lambda body, index: Behaviour(status=401, json={"error": {"message": f"invalid credentials: {secret}"}})
    gateway = await rig.gateway(rig.config_data(a={"headers": headers}))
    response = await gateway.chat(model="ma")
    assert response.status_code == 502 and secret not in response.text and "invalid credentials: ***" in response.text


@pytest.mark.parametrize("stream", [False, True])
async def test_a_credential_echoed_in_an_error_s_param_code_or_type_is_masked(rig: Rig, stream: bool) -> None:
    """A 400 reaches the client with the provider's `param`, `code` and `type`: only its message was masked."""
    secret = "tok-live-4f9a8b7c6d"
    error = {"message": "bad", "param": f"key={secret}", "code": f"bad_key_{secret}", "type": f"t_{secret}"}
    rig.a.script = lambda body, index: Behaviour(status=400, json={"error": error})
    gateway = await rig.gateway(rig.config_data(a={"headers": {"Authorization": f"Bearer {secret}"}}))
    response = await gateway.chat(model="ma", stream=stream)
    assert response.status_code == 400 and secret not in response.text
    assert {k: response.json()["error"][k] for k in ("param", "code", "type")} == {
        "param": "key=***", "code": "bad_key_***", "type": "invalid_request_error"}  # "t_***" is no error type's name


@pytest.mark.parametrize("stream", [False, True])
async def test_an_answer_whole_but_for_its_done_is_the_answer(rig: Rig, stream: bool) -> None:
    """The connection dropped after the closing usage chunk, before `data: [DONE]`: the whole answer was thrown away,
    charged as a failed attempt and generated again on the fallback (billed twice), or streamed and then ended with an
    error event (a cost audit)."""
    finish = sse({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                  "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    rig.a.script = lambda body, index: Behaviour(chunks=[content_chunk("Hello"), finish, usage_chunk(5, 3)], then="close")
    gateway = await rig.gateway()
    response = await gateway.chat(stream=stream, stream_options={"include_usage": True} if stream else None)
    assert response.status_code == 200 and response.headers["x-router-backend"] == "a" and not rig.b.records
    if stream:
        assert '"error"' not in response.text and response.text.rstrip().endswith("data: [DONE]")
    else:
        assert response.json()["choices"][0]["message"]["content"] == "Hello" and response.json()["usage"]["completion_tokens"] == 3
    assert gateway.metric("router_upstream_errors_total", backend="a", kind="stream") == 0


async def test_every_candidate_rate_limited_is_a_429_with_the_soonest_retry_after(rig: Rig) -> None:
    """README / router/resilience.py: "If every candidate is rate limited the client gets 429 with the soonest
    Retry-After" — the earliest moment one of them can serve, not the latest (mutation review: `max` went unnoticed)."""
    rig.a.script = fails(429, headers={"Retry-After": "30"})
    rig.b.script = fails(429, headers={"Retry-After": "5"})
    gateway = await rig.gateway()
    assert (await gateway.chat()).status_code == 429  # both tried: each 429 starts its model's cooldown
    refused = await gateway.chat()
    assert refused.status_code == 429 and refused.headers["retry-after"] == "5"
    assert len(rig.a.records) == len(rig.b.records) == 1, "neither was asked again"


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


async def test_a_backend_that_refused_the_connection_is_not_tried_again_in_the_request(rig: Rig) -> None:
    """router/resilience.py: "A backend that refused the connection in this request is not tried again for a later
    candidate of the same request" — a second model on the dead backend is skipped, the request goes to b at once
    (mutation review: without the `refused` mark the dead backend was dialled again, spending an attempt and the budget)."""
    data = rig.config_data(a=FAST)
    data["backends"]["a"]["base_url"] = f"http://127.0.0.1:{closed_port()}/v1"
    data["models"]["ma2"] = {"backend": "a", "input": 1.0, "output": 2.0}
    data["tiers"]["low"]["fallbacks"] = ["ma2", "mb"]
    gateway = await rig.gateway(data)
    response = await gateway.chat()
    assert response.status_code == 200 and response.headers["x-router-backend"] == "b", response.text
    assert gateway.metric("router_upstream_errors_total", backend="a", kind="connect") == 1
    assert gateway.metric("router_retries_total", outcome="attempted") == 1, "one retry: straight to b"


async def test_max_attempts_caps_the_attempts_of_a_request_with_more_candidates(rig: Rig) -> None:
    """Three candidates (ma, mb, then mb again as the next tier's) all failing, `routing.max_attempts: 2` and a budget
    that allows every retry: two attempts, never a third (mutation review: `>` in the loop's cap went unnoticed)."""
    rig.a.script = fails(500)
    rig.b.script = fails(500)
    gateway = await rig.gateway(routing={"max_attempts": 2, "fallback_to_next_tier": True,
                                         "retry_budget": {"ratio": 1.0, "min_per_second": 100, "window_seconds": 10}})
    assert (await gateway.chat()).status_code == 502
    assert (len(rig.a.records), len(rig.b.records)) == (1, 1)


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
