"""Effort as a load knob: read vLLM backends' /metrics and spend less compute while they queue.

For every backend with a `load:` section, a lifespan task (`run_load_knob`) fetches its Prometheus
text every `interval_seconds` and reads `vllm:num_requests_waiting` (summed over engines) and
`vllm:kv_cache_usage_perc` (max over engines; `vllm:gpu_cache_usage_perc` on older versions).
Pressure starts when any `high` threshold is reached and ends after `calm_polls` consecutive polls
with every metric at or below its `low` threshold, and no sooner than `hold_seconds` after the last
poll that reached `high` (hysteresis in value and in time, so the knob does not flap: a queue that
empties for two polls and fills again within the hold keeps the adjustment on).

While a backend is under pressure, each tier whose candidates run on it applies its `under_load`:
* `lower_effort` — its effort / thinking budget / number of samples drop to the configured values;
* `spill` — candidates on the pressured backend are dropped, so the tier's fallback on another
  backend (an API provider) serves it.
Restored as soon as the pressure ends. Visible as `router_backend_pressure{backend}`,
`router_load_adjustment{backend,tier}` (0 none, 1 effort lowered, 2 spilled) and
`router_load_adjustments_total{backend,action}` (lower_effort, spill, restore).
A failed poll keeps the last state (and is logged), so a scrape hiccup neither triggers nor ends pressure.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backends.base import Backend
    from backends.loadconfig import LoadConfig
    from router.config import RouterConfig
    from router.decision import Decision
    from router.metrics import RouterMetrics

log = logging.getLogger("complexity_router.load")

WAITING_NAMES = ("vllm:num_requests_waiting",)
KV_NAMES = ("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc")
ADJUSTMENT_CODES = {"lower_effort": 1, "spill": 2}
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+([-+0-9.eEinfaN]+)(?:\s+\d+)?$")


def parse_vllm_metrics(text: str) -> dict[str, float | None]:
    """`{"waiting": sum, "kv_cache": max}` from Prometheus text; None for a metric that is absent."""
    waiting: float | None = None
    kv: float | None = None
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        match = _SAMPLE.match(line.strip())
        if match is None:
            continue
        name, raw = match.groups()
        try:
            value = float(raw)
        except ValueError:
            continue
        if name in WAITING_NAMES:
            waiting = (waiting or 0.0) + value
        elif name in KV_NAMES:
            kv = value if kv is None else max(kv, value)
    return {"waiting": waiting, "kv_cache": kv}


@dataclass(slots=True)
class BackendLoad:
    name: str
    config: LoadConfig
    url: str
    pressured: bool = False
    calm: int = 0
    last_hot: float = 0.0
    next_due: float = 0.0
    last: dict[str, float | None] | None = None


class LoadKnob:
    """Pressure state per measured backend, and the candidate adjustment it implies."""

    def __init__(self, config: RouterConfig, metrics: RouterMetrics) -> None:
        self.config = config
        self.metrics = metrics
        self.backends: dict[str, BackendLoad] = {}
        for name, backend in config.backends.items():
            load = getattr(backend, "load", None)
            if load is not None:
                self.backends[name] = BackendLoad(name, load, load.url_for(backend.base_url))
                metrics.backend_pressure.labels(name).set(0)
        self.tiers_on: dict[str, list[str]] = {name: [] for name in self.backends}
        for tier_name, tier in config.tiers.items():
            if tier.under_load is not None:
                backend = config.models[tier.model].backend
                self.tiers_on.setdefault(backend, []).append(tier_name)
                metrics.load_adjustment.labels(backend, tier_name).set(0)
        self.any_pressure = False

    def adopt(self, previous: LoadKnob) -> None:
        """After a config reload: keep the pressure of backends measured at the same URL."""
        for name, state in previous.backends.items():
            mine = self.backends.get(name)
            if mine is not None and mine.url == state.url and state.pressured:
                self._set(mine, True)
                mine.last_hot = state.last_hot

    # -- measuring -------------------------------------------------------------------------
    def observe(self, name: str, values: Mapping[str, float | None], now: float | None = None) -> str | None:
        """Feed one poll's values (taken at monotonic time ``now``); returns "pressure" or
        "restore" on a transition."""
        now = time.monotonic() if now is None else now
        state = self.backends[name]
        state.last = dict(values)
        high, low = state.config.high, state.config.low
        waiting, kv = values.get("waiting"), values.get("kv_cache")
        hot = (high.waiting is not None and waiting is not None and waiting >= high.waiting) or (
            high.kv_cache is not None and kv is not None and kv >= high.kv_cache
        )
        if hot:
            state.last_hot = now
        if not state.pressured:
            if hot:
                self._set(state, True)
                return "pressure"
            return None
        calm = (low.waiting is None or waiting is None or waiting <= low.waiting) and (low.kv_cache is None or kv is None or kv <= low.kv_cache)
        state.calm = state.calm + 1 if calm and not hot else 0
        if state.calm >= state.config.calm_polls and now - state.last_hot >= state.config.hold_seconds:
            self._set(state, False)
            return "restore"
        return None

    def _set(self, state: BackendLoad, pressured: bool) -> None:
        state.pressured, state.calm = pressured, 0
        self.metrics.backend_pressure.labels(state.name).set(1 if pressured else 0)
        for tier_name in self.tiers_on.get(state.name, ()):
            under = self.config.tiers[tier_name].under_load
            assert under is not None
            self.metrics.load_adjustment.labels(state.name, tier_name).set(ADJUSTMENT_CODES[under.action] if pressured else 0)
            if pressured:
                self.metrics.load_adjustments.labels(state.name, under.action).inc()
        if not pressured and self.tiers_on.get(state.name):
            self.metrics.load_adjustments.labels(state.name, "restore").inc()
        self.any_pressure = any(s.pressured for s in self.backends.values())
        log.warning("backend %s: %s (last metrics %s)", state.name, "under pressure, load adjustments on" if pressured else "pressure over, restored", state.last)

    async def poll_once(self, backends: Mapping[str, Backend], now: float | None = None, force: bool = False) -> None:
        """Fetch the metrics of every backend that is due (all of them with `force`)."""
        now = time.monotonic() if now is None else now
        due = [state for state in self.backends.values() if force or now >= state.next_due]
        for state in due:
            state.next_due = now + state.config.interval_seconds
        await asyncio.gather(*(self._poll(state, backends.get(state.name), now) for state in due))

    async def _poll(self, state: BackendLoad, backend: Backend | None, now: float) -> None:
        if backend is None:
            return
        try:
            response = await backend.client.get(state.url, timeout=backend.config.timeouts.connect)
            response.raise_for_status()
            values = parse_vllm_metrics(response.text)
        except Exception as exc:  # noqa: BLE001 - keep the last state: a failed scrape is no signal
            log.info("backend %s: load metrics unavailable (%s)", state.name, type(exc).__name__)
            return
        if values["waiting"] is None and values["kv_cache"] is None:
            log.info("backend %s: no vLLM load metrics at %s", state.name, state.url)
            return
        self.observe(state.name, values, now)

    def next_wake(self, now: float) -> float:
        if not self.backends:
            return 5.0
        return max(0.05, min(state.next_due for state in self.backends.values()) - now)

    # -- adjusting ---------------------------------------------------------------------------
    def adjust(self, decision: Decision) -> None:
        """Apply the tiers' `under_load` to candidates on pressured backends."""
        if not self.any_pressure:
            return
        adjusted = []
        actions = set()
        for candidate in decision.candidates:
            backend = self.config.models[candidate.model].backend
            state = self.backends.get(backend)
            tier = self.config.tiers.get(candidate.tier)
            under = tier.under_load if tier is not None else None
            if state is None or not state.pressured or under is None:
                adjusted.append(candidate)
                continue
            actions.add(under.action)
            if under.action == "spill":
                continue
            effort = under.effort or candidate.effort
            budget = under.thinking_budget if under.thinking_budget is not None else (candidate.thinking_budget if effort == candidate.effort else None)
            adjusted.append(replace(candidate, effort=effort, thinking_budget=budget))
            if under.samples is not None and len(adjusted) == 1:  # the serving candidate's: a fallback's (another tier's,
                decision.context.samples = under.samples          # or a pressured fallback of a calm one) is not its count
        if not adjusted:  # everything would spill: serve on the pressured backend rather than not at all
            return
        if actions:
            decision.candidates = adjusted
            decision.report.load_adjustment = "spill" if "spill" in actions else "lower_effort"


#: The knob in force and the backends it measures. The lifespan task calls it before every poll: a config reload swaps
#: the gateway, and with it the knob (router/reload.py), and the task follows to the new one.
KnobInForce = Callable[[], "tuple[LoadKnob, Mapping[str, Backend]]"]


async def run_load_knob(in_force: KnobInForce) -> None:
    """Lifespan task: poll the measured backends of whatever knob is in force (a reload's new knob adopts the old one's pressure)."""
    current: LoadKnob | None = None
    while True:
        knob, backends = in_force()
        if current is not None and knob is not current:
            knob.adopt(current)
        current = knob
        now = time.monotonic()
        try:
            await knob.poll_once(backends, now)
        except Exception:  # pragma: no cover - never let the loop die
            log.exception("load knob poll failed")
        await asyncio.sleep(knob.next_wake(time.monotonic()))


def start_load_knob(in_force: KnobInForce) -> asyncio.Task[None] | None:
    return asyncio.get_running_loop().create_task(run_load_knob(in_force), name="load-knob")


async def stop_load_knob(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
