"""Upstream faults injected over real loopback sockets: malformed answers, fallbacks, the retry budget, attempt
limits and circuit breakers."""

from __future__ import annotations

import asyncio

import pytest

from tests.ports import closed_port
from tests.reliability._upstream_faults_helpers import FAST, fails
from tests.reliability.loopback_rig import Rig
from tests.reliability.loopback_upstream import Behaviour, content_chunk, sse, sse_events, usage_chunk

pytestmark = pytest.mark.anyio


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
