"""The gateway's own load shedding — a request refused with no upstream call, every candidate rate limited (429) or at
its backend's `circuit.max_in_flight` (503) — is `status="shed"` in `router_requests_total` and the decision log, not an
`error`: a shedding burst paged the error-rate alert as an outage would. An upstream's own 429, or a refusal after a call
upstream, stays an `error`. The client's answer says which: `x-router-shed: true` on a request shed (the soak reads it)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.reliability._upstream_faults_helpers import _in_flight, fails
from tests.reliability.loopback_rig import Rig
from tests.reliability.loopback_upstream import Behaviour

pytestmark = pytest.mark.anyio


def statuses(gateway: Any) -> list[str]:
    """The decision log's statuses, in order."""
    log = gateway.state.ops.decision_log
    assert log.sync()
    return [json.loads(line)["status"] for line in Path(log.path).read_text().splitlines()]


async def test_every_candidate_rate_limited_is_shed_but_the_upstream_s_own_429_is_an_error(rig: Rig, tmp_path: Path) -> None:
    rig.a.script = rig.b.script = fails(429, headers={"Retry-After": "30"})
    gateway = await rig.gateway(rig.config_data(decision_log={"path": str(tmp_path / "decisions.jsonl")}))
    failed = await gateway.chat()
    assert failed.status_code == 429 and "x-router-shed" not in failed.headers  # both tried upstream: their 429s are failures
    shed = await gateway.chat()
    assert shed.status_code == 429 and shed.headers["x-router-shed"] == "true"  # both cooling down: refused by the gateway, nothing sent
    assert shed.json()["error"]["code"] == "rate_limit_exceeded", "the code clients branch on (it read 'status', the error's kind)"
    assert len(rig.a.records) == len(rig.b.records) == 1
    assert gateway.metric("router_requests_total", tier="low", model="mb", backend="b", status="error") == 1
    assert gateway.metric("router_requests_total", tier="low", model="ma", backend="a", status="shed") == 1
    assert gateway.metric("router_requests_total", tier="low", model="ma", backend="a", status="error") == 0
    assert statuses(gateway) == ["error", "shed"]


@pytest.mark.parametrize("stream", [False, True])
async def test_a_request_refused_at_max_in_flight_is_shed(rig: Rig, stream: bool) -> None:
    rig.a.script = lambda body, index: Behaviour(header_delay=30)
    gateway = await rig.gateway(a={"circuit": {"failures": 100, "cooldown_seconds": 30, "max_in_flight": 1}})
    hung = asyncio.create_task(gateway.chat(model="ma"))
    await _in_flight(gateway, "a", 1)
    shed = await gateway.chat(model="ma", stream=stream)
    assert shed.status_code == 503 and shed.headers["x-router-shed"] == "true", "told apart from an upstream's 503 (the soak reads it)"
    assert gateway.metric("router_requests_total", tier="direct", model="ma", backend="a", status="shed") == 1
    assert gateway.metric("router_requests_total", tier="direct", model="ma", backend="a", status="error") == 0
    hung.cancel()
    await asyncio.gather(hung, return_exceptions=True)


async def test_a_refusal_after_a_call_upstream_is_an_error(rig: Rig) -> None:
    """Tier low's model failed upstream (500) and its escalation found tier high's model cooling down: the request was
    refused by the gateway, but after an upstream failure — an error, as that failure is."""
    rig.a.script = fails(500)
    rig.b.script = fails(429, headers={"Retry-After": "30"})
    data = rig.config_data()
    data["tiers"]["low"] = {"model": "ma", "max_score": 0.5, "escalate_to": "high"}
    gateway = await rig.gateway(data)
    assert (await gateway.chat(model="mb")).status_code == 429  # mb cools down
    response = await gateway.chat(model="auto:low")
    assert response.status_code == 429 and len(rig.a.records) == 1 and len(rig.b.records) == 1, response.text
    assert "x-router-shed" not in response.headers
    assert gateway.metric("router_requests_total", tier="high", model="mb", backend="b", status="error") == 1
    assert gateway.metric("router_requests_total", tier="high", model="mb", backend="b", status="shed") == 0


@pytest.mark.parametrize("stream", [False, True])
async def test_a_sampled_tier_whose_samples_were_all_refused_untried_is_shed(rig: Rig, tmp_path: Path, stream: bool) -> None:
    """Samples drawn at once share the request's `attempted`: none went upstream, so the request is shed (a stream too)."""
    rig.a.script = rig.b.script = fails(429, headers={"Retry-After": "30"})
    data = rig.config_data(decision_log={"path": str(tmp_path / "decisions.jsonl")})
    data["tiers"]["low"]["strategy"] = {"kind": "self_consistency", "samples": 2, "use_n": False}
    gateway = await rig.gateway(data)
    assert [(await gateway.chat(model=model)).status_code for model in ("ma", "mb")] == [429, 429]  # both cool down
    assert (await gateway.chat(model="auto:low", stream=stream)).status_code == 429
    assert len(rig.a.records) == len(rig.b.records) == 1 and statuses(gateway) == ["error", "error", "shed"]


@pytest.mark.parametrize("stream", [False, True])
async def test_a_fallback_tried_after_a_candidate_refused_untried_makes_its_failure_an_error(rig: Rig, tmp_path: Path, stream: bool) -> None:
    """The first candidate's backend is at max_in_flight (skipped, no call), the fallback is called and fails: an error."""
    rig.a.script = lambda body, index: Behaviour(header_delay=30)
    rig.b.script = fails(500)
    data = rig.config_data(a={"circuit": {"failures": 100, "cooldown_seconds": 30, "max_in_flight": 1}},
                           decision_log={"path": str(tmp_path / "decisions.jsonl")})
    gateway = await rig.gateway(data)
    hung = asyncio.create_task(gateway.chat(model="ma"))
    await _in_flight(gateway, "a", 1)
    assert (await gateway.chat(model="auto:low", stream=stream)).status_code == 502
    assert statuses(gateway) == ["error"] and gateway.metric("router_requests_total", tier="low", model="mb", backend="b", status="error") == 1
    hung.cancel()
    await asyncio.gather(hung, return_exceptions=True)


async def test_a_request_shed_by_its_tier_and_escalated_on_error_is_labelled_by_the_escalation(rig: Rig, tmp_path: Path) -> None:
    """Tier low's only model cools down (refused untried), its escalation on error reaches tier high: ok when high answers,
    an error when high fails upstream."""
    rig.a.script = fails(429, headers={"Retry-After": "30"})
    rig.b.script = lambda body, index: Behaviour()
    data = rig.config_data(decision_log={"path": str(tmp_path / "decisions.jsonl")})
    data["tiers"]["low"] = {"model": "ma", "max_score": 0.5, "escalate_to": "high", "escalate_on": {"error": True}}
    gateway = await rig.gateway(data)
    assert (await gateway.chat(model="ma")).status_code == 429  # ma cools down
    assert (await gateway.chat(model="auto:low")).status_code == 200
    rig.b.script = fails(500)
    assert (await gateway.chat(model="auto:low")).status_code == 502
    assert len(rig.a.records) == 1 and statuses(gateway) == ["error", "ok", "error"]
