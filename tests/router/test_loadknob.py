"""Effort as a load knob: vLLM /metrics → pressure (with hysteresis) → lower effort or spill, then restore."""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any

import pytest

from router.config import ConfigError, parse_config
from router.loadknob import parse_vllm_metrics
from tests.router.ttc_fakes import Scripted, metrics

pytestmark = pytest.mark.anyio

def knob_config(medium: dict[str, Any] | None = None, high: dict[str, Any] | None = None, interval: float = 60) -> Any:
    from tests.router.conftest import CONFIG

    data = copy.deepcopy(CONFIG)
    data["backends"]["sim"]["load"] = {"interval_seconds": interval, "high": {"waiting": 4, "kv_cache": 0.9}, "low": {"waiting": 1, "kv_cache": 0.5}, "calm_polls": 2}
    data["tiers"]["medium"]["under_load"] = medium or {"action": "lower_effort", "effort": "low", "thinking_budget": 256}
    if high is not None:
        data["tiers"]["high"].update(high)
    return parse_config(data, env={})


def test_parse_vllm_metrics() -> None:
    assert parse_vllm_metrics(metrics(7, 0.42)) == {"waiting": 7.0, "kv_cache": 0.42}
    two_engines = metrics(3, 0.2) + 'vllm:num_requests_waiting{engine="1"} 2\nvllm:gpu_cache_usage_perc{engine="1"} 0.6\n'
    assert parse_vllm_metrics(two_engines) == {"waiting": 5.0, "kv_cache": 0.6}
    assert parse_vllm_metrics("other_metric 1\n") == {"waiting": None, "kv_cache": None}


async def test_pressure_lowers_effort_and_calm_restores_it(make_harness: Any) -> None:
    upstream = Scripted()
    harness = await make_harness(knob_config(), upstream.transport())
    app_state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    knob = app_state.gateway.ttc.knob
    t0 = time.monotonic()  # poll times near now: whatever the lifespan task polled, its next poll is 60 s away
    await harness.chat("mid [score=0.6]")
    assert upstream.requests[-1]["thinking_token_budget"] == 2048

    upstream.metrics_text = metrics(waiting=6)
    await knob.poll_once(app_state.backends, now=t0, force=True)
    assert upstream.metrics_requests == 1
    assert harness.metric("router_backend_pressure", backend="sim") == 1
    assert harness.metric("router_load_adjustment", backend="sim", tier="medium") == 1
    assert harness.metric("router_load_adjustments_total", backend="sim", action="lower_effort") == 1
    response = await harness.chat("mid [score=0.6]")
    assert upstream.requests[-1]["thinking_token_budget"] == 256
    assert response.json()["router"]["load_adjustment"] == "lower_effort" and response.json()["router"]["effort"] == "low"
    await harness.chat("easy [score=0.1]")
    assert upstream.requests[-1]["chat_template_kwargs"] == {"enable_thinking": False}, "a tier without under_load is untouched"

    upstream.metrics_text = metrics(waiting=2)  # below high, above low: still pressured (hysteresis)
    await knob.poll_once(app_state.backends, now=t0 + 11, force=True)
    assert harness.metric("router_backend_pressure", backend="sim") == 1
    upstream.metrics_text = metrics(waiting=0, kv=0.1)
    await knob.poll_once(app_state.backends, now=t0 + 12, force=True)
    assert harness.metric("router_backend_pressure", backend="sim") == 1, "one calm poll is not enough"
    await knob.poll_once(app_state.backends, now=t0 + 13, force=True)
    assert harness.metric("router_backend_pressure", backend="sim") == 0
    assert harness.metric("router_load_adjustment", backend="sim", tier="medium") == 0
    assert harness.metric("router_load_adjustments_total", backend="sim", action="restore") == 1
    await harness.chat("mid [score=0.6]")
    assert upstream.requests[-1]["thinking_token_budget"] == 2048


async def test_a_queue_that_refills_within_the_hold_does_not_flap(make_harness: Any) -> None:
    """vLLM's queue on a starved machine: empty for two polls, full again a second later. The
    adjustment stays on until `hold_seconds` (10 by default) have passed since the last full poll."""
    upstream = Scripted()
    harness = await make_harness(knob_config(), upstream.transport())
    app_state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    knob = app_state.gateway.ttc.knob
    t0 = time.monotonic()
    for at, waiting in [(0, 6), (1, 0), (2, 0), (3, 0), (4, 7), (5, 0), (6, 0), (13, 0)]:
        upstream.metrics_text = metrics(waiting=waiting)
        await knob.poll_once(app_state.backends, now=t0 + at, force=True)
        assert harness.metric("router_backend_pressure", backend="sim") == 1, f"restored at +{at} s"
    await knob.poll_once(app_state.backends, now=t0 + 14, force=True)
    assert harness.metric("router_backend_pressure", backend="sim") == 0, "ten seconds after the last full poll"
    assert harness.metric("router_load_adjustments_total", backend="sim", action="lower_effort") == 1
    assert harness.metric("router_load_adjustments_total", backend="sim", action="restore") == 1


async def test_kv_cache_pressure_spills_to_the_fallback(make_harness: Any) -> None:
    upstream = Scripted()
    config = knob_config(high={"under_load": {"action": "spill"}})
    harness = await make_harness(config, upstream.transport())
    app_state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    upstream.metrics_text = metrics(waiting=0, kv=0.95)
    await app_state.gateway.ttc.knob.poll_once(app_state.backends, force=True)
    assert harness.metric("router_load_adjustment", backend="sim", tier="high") == 2
    response = await harness.chat("hard [score=0.95]")
    assert response.headers["x-router-backend"] == "spare" and response.json()["router"]["load_adjustment"] == "spill"
    assert harness.metric("router_load_adjustments_total", backend="sim", action="spill") == 1


async def test_a_failed_scrape_keeps_the_state(make_harness: Any) -> None:
    upstream = Scripted()
    harness = await make_harness(knob_config(), upstream.transport())
    app_state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    knob = app_state.gateway.ttc.knob
    upstream.metrics_text = metrics(waiting=9)
    await knob.poll_once(app_state.backends, force=True)
    upstream.metrics_text = "garbage"
    for _ in range(3):
        await knob.poll_once(app_state.backends, force=True)
    assert knob.any_pressure


async def test_fewer_samples_under_load(make_harness: Any) -> None:
    upstream = Scripted()
    medium = {"action": "lower_effort", "samples": 2}
    config = knob_config(medium)
    config.tiers["medium"].strategy = None
    from router.ttc_config import StrategyConfig

    config.tiers["medium"].strategy = StrategyConfig(kind="self_consistency", samples=6)
    harness = await make_harness(config, upstream.transport())
    app_state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    await harness.chat("mid [score=0.6]")
    upstream.metrics_text = metrics(waiting=5)
    await app_state.gateway.ttc.knob.poll_once(app_state.backends, force=True)
    await harness.chat("mid [score=0.6]")
    assert [r["n"] for r in upstream.requests] == [6, 2]


async def test_the_lifespan_task_polls_on_its_interval(make_harness: Any) -> None:
    upstream = Scripted()
    upstream.metrics_text = metrics(waiting=8)
    harness = await make_harness(knob_config(interval=0.05), upstream.transport())
    for _ in range(100):
        if harness.metric("router_backend_pressure", backend="sim") == 1:
            break
        await asyncio.sleep(0.02)
    assert harness.metric("router_backend_pressure", backend="sim") == 1
    assert upstream.metrics_requests >= 1



async def test_the_lifespan_task_follows_a_reload_to_the_new_gateway_s_knob(make_harness: Any) -> None:
    """A reload swaps the app's state, and with it the gateway and its knob: the task polls the new knob from then on,
    which keeps the old one's pressure (a queue between `low` and `high` neither starts nor ends pressure)."""
    from router.state import AppState

    upstream = Scripted()
    upstream.metrics_text = metrics(waiting=8)
    harness = await make_harness(knob_config(interval=0.05), upstream.transport())
    app = harness.client._transport.app  # type: ignore[attr-defined]
    old = app.state.router
    for _ in range(100):
        if old.gateway.ttc.knob.backends["sim"].pressured:
            break
        await asyncio.sleep(0.02)
    new = AppState.build(old.config, old.gateway.classifier, registry=old.registry, metrics=old.metrics, previous=old)
    upstream.metrics_text = metrics(waiting=2)
    app.state.router = new  # as router/reload.py swaps it
    await old.aclose()
    sim = new.gateway.ttc.knob.backends["sim"]
    for _ in range(100):
        if sim.last is not None:
            break
        await asyncio.sleep(0.02)
    assert sim.last == {"waiting": 2.0, "kv_cache": 0.0} and sim.pressured
    assert old.gateway.ttc.knob.backends["sim"].last == {"waiting": 8.0, "kv_cache": 0.0}

@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["tiers"]["medium"].update(under_load={"action": "lower_effort", "effort": "low"}), "has no `load` section"),
        (lambda d: (d["backends"]["sim"].update(load={}), d["tiers"]["medium"].update(under_load={"action": "spill"})), "spill needs a fallback on another backend"),
        (lambda d: (d["backends"]["sim"].update(load={}), d["tiers"]["medium"].update(under_load={"action": "lower_effort"})), "needs effort, thinking_budget or samples"),
        (lambda d: d["backends"]["sim"].update(load={"high": {"waitin": 3}}), "unknown key"),
    ],
)
def test_load_config_is_validated(mutate: Any, message: str) -> None:
    from tests.router.conftest import CONFIG

    data = copy.deepcopy(CONFIG)
    mutate(data)
    with pytest.raises(ConfigError, match=message):
        parse_config(data, env={})


def test_metrics_url_defaults_to_the_server_root() -> None:
    from backends.loadconfig import LoadConfig

    assert LoadConfig().url_for("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/metrics"
    assert LoadConfig(metrics_url="http://x/m").url_for("http://127.0.0.1:8000/v1") == "http://x/m"


async def test_an_escalation_into_a_sampled_tier_under_pressure_draws_its_lowered_samples(make_harness: Any) -> None:
    """`under_load.samples` of the target was written and then dropped by the escalation (5 samples drawn in overload,
    where the reference config asks 3); the source's own count is gone before the target's is set."""
    from tests.router.conftest import CONFIG

    data = copy.deepcopy(CONFIG)
    data["backends"]["sim"]["load"] = {"interval_seconds": 60, "high": {"waiting": 4}, "low": {"waiting": 1}, "calm_polls": 2}
    data["tiers"]["low"].update(escalate_to="medium")
    data["tiers"]["medium"].update(strategy={"kind": "self_consistency", "samples": 5}, params={},
                                   under_load={"action": "lower_effort", "effort": "low", "thinking_budget": 256, "samples": 2})
    upstream = Scripted([("", "length")])
    harness = await make_harness(parse_config(data, env={}), upstream.transport())
    app_state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    upstream.metrics_text = metrics(waiting=9)
    await app_state.gateway.ttc.knob.poll_once(app_state.backends, force=True)
    direct = await harness.chat("mid [score=0.6]")
    assert upstream.requests[-1]["n"] == 2 and direct.json()["router"]["samples"] == 2
    upstream.answers = [("", "length")]
    escalated = (await harness.chat("easy [score=0.1]")).json()["router"]
    assert escalated["escalations"][0]["to"] == "medium"
    assert upstream.requests[-1]["n"] == 2 and escalated["samples"] == 2 and escalated["load_adjustment"] == "lower_effort"


async def test_a_refused_header_escalation_keeps_the_source_tier_s_lowered_samples(make_harness: Any) -> None:
    """The hop cleared the source's `under_load.samples` before trying the target; refused (the target cannot hold the
    prompt), the source then drew its full 5 samples under pressure."""
    from tests.router.conftest import CONFIG

    data = copy.deepcopy(CONFIG)
    data["backends"]["sim"]["load"] = {"interval_seconds": 60, "high": {"waiting": 4}, "low": {"waiting": 1}, "calm_polls": 2}
    data["models"]["big"] = {**data["models"]["big"], "context_window": 300}
    data["tiers"]["high"] = {"model": "big", "effort": "high"}
    data["tiers"]["medium"].update(strategy={"kind": "self_consistency", "samples": 5}, params={}, escalate_to="high",
                                   under_load={"action": "lower_effort", "effort": "low", "thinking_budget": 256, "samples": 2})
    upstream = Scripted()
    harness = await make_harness(parse_config(data, env={}), upstream.transport())
    app_state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    upstream.metrics_text = metrics(waiting=9)
    await app_state.gateway.ttc.knob.poll_once(app_state.backends, force=True)
    body = {"model": "auto", "messages": [{"role": "user", "content": "mid [score=0.6] " + "word " * 600}]}
    response = await harness.client.post("/v1/chat/completions", json=body, headers={"x-router-escalate": "true"})
    assert response.status_code == 200 and "escalations" not in response.json()["router"]
    assert upstream.requests[-1]["n"] == 2 and response.json()["router"]["samples"] == 2


LOAD = {"interval_seconds": 60, "high": {"waiting": 4}, "low": {"waiting": 1}, "calm_polls": 2}
SAMPLED_MEDIUM = {"model": "spare-big", "effort": "none", "max_score": 0.75, "params": {}, "strategy": {"kind": "self_consistency", "samples": 5}}


async def medium_under_pressure_on_sim(make_harness: Any, data: dict[str, Any]) -> Any:
    """A medium request ("[score=0.6]") answered once `sim` (the Scripted upstream) reads as pressured."""
    upstream = Scripted()
    harness = await make_harness(parse_config(data, env={}), upstream.transport())
    state = harness.client._transport.app.state.router  # type: ignore[attr-defined]
    upstream.metrics_text = metrics(waiting=9)
    await state.gateway.ttc.knob.poll_once(state.backends, force=True)
    return (await harness.chat("mid [score=0.6]")).json()["router"]


async def test_a_fallback_tier_s_under_load_samples_leave_the_serving_tier_s_alone(make_harness: Any) -> None:
    """With `fallback_to_next_tier` the tiers above are candidates too: high's `under_load.samples` (its backend under
    pressure) had set the samples of a medium request served on an unpressured backend (5 drawn as 2; a review)."""
    from tests.router.conftest import CONFIG

    data = copy.deepcopy(CONFIG)
    data.setdefault("routing", {})["fallback_to_next_tier"] = True
    data["backends"]["sim"]["load"] = LOAD
    data["tiers"]["medium"] = SAMPLED_MEDIUM
    data["tiers"]["high"].update(strategy={"kind": "self_consistency", "samples": 5}, under_load={"action": "lower_effort", "samples": 2})
    routed = await medium_under_pressure_on_sim(make_harness, data)
    assert (routed["tier"], routed["samples"]) == ("medium", 5)


async def test_a_pressured_fallback_of_a_calm_model_leaves_its_tier_s_samples_alone(make_harness: Any, spare_handler: list[Any]) -> None:
    """The tier's own model is on a calm backend; only its fallback's backend is under pressure: the request is served
    on the calm one and draws the tier's samples (a review: any candidate under pressure had lowered them)."""
    from tests.router.conftest import CONFIG

    data = copy.deepcopy(CONFIG)
    data["backends"]["sim"]["load"] = data["backends"]["spare"]["load"] = LOAD
    calm = Scripted()
    calm.metrics_text = metrics(waiting=0)
    spare_handler[0] = calm
    data["tiers"]["medium"] = {**SAMPLED_MEDIUM, "fallbacks": ["small"], "under_load": {"action": "lower_effort", "samples": 2}}
    routed = await medium_under_pressure_on_sim(make_harness, data)
    assert (routed["model"], routed["samples"]) == ("spare-big", 5)
