"""Per-backend health and the retry budget: the state router/resilience.py's attempt loop consults.

A circuit breaker per backend (consecutive failures open it for a cooldown, then one probe
decides) with the backend's 429 cooldown, and a retry budget in the manner of Envoy's: extra
attempts at most a ratio of recent requests, or a floor when that is more. Both are per process and read a
monotonic clock passed in (tests drive it).
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from backends.base import GATEWAY_FAULT_STATUSES, CircuitSettings, UpstreamError

log = logging.getLogger("complexity_router")

Clock = Callable[[], float]


class BackendHealth:
    """Circuit breaker of one backend and the rate-limit cooldowns of its models (per process)."""

    __slots__ = ("_gauge", "_waits", "awaiting", "clock", "cooldown", "failures", "heard_at", "in_flight", "max_in_flight", "name", "open_until",
                 "probe_started", "probing", "rate_limited", "state", "threshold")

    def __init__(self, name: str, settings: CircuitSettings, gauge: Any = None, clock: Clock = time.monotonic) -> None:
        self.name = name
        self.threshold = settings.failures
        self.cooldown = settings.cooldown_seconds
        self.clock = clock
        self._gauge = gauge
        self.state = "closed"  # closed | open | half_open
        self.failures = 0
        self.open_until = 0.0
        self.probing = False
        self.probe_started = -math.inf
        #: Until when each model is rate limited: a provider limits each model on its own (OpenAI's and Anthropic's
        #: requests and tokens per minute), so a 429 for one leaves the others on the same backend alone.
        self.rate_limited: dict[str, float] = {}
        #: Attempts holding one of the backend's slots (`occupy`): sent and not yet answered, or streaming.
        self.in_flight = 0
        self.max_in_flight = settings.max_in_flight
        #: When each streamed attempt still waiting for its first byte was sent, oldest first (`await_first`): a backend that
        #: takes requests and starts no answer (a hung vLLM engine still lists its models) is told apart from one that answers.
        self.awaiting: dict[int, float] = {}
        self._waits = itertools.count()
        self.heard_at = -math.inf  # when the backend last sent anything: an answer (`answered`), a stream's event (router/watchdog.py)
        self._set_up(True)

    def blocked(self, now: float, model: str = "") -> str | None:
        """Why a request for ``model`` should not go here now (`rate_limited`, `at_capacity`, `circuit_open`), or None."""
        if self.rate_limited_until(model) > now:
            return "rate_limited"
        if self.at_capacity():
            return "at_capacity"
        return "circuit_open" if self.circuit_open(now) else None

    def circuit_open(self, now: float) -> bool:
        """Whether the circuit keeps requests away now: open and cooling down, or its probe under way (once the
        cooldown is over, the next attempt is the probe). A probe still unanswered after a further cooldown (a last
        attempt, which only `timeouts.total` bounds, sent to a backend that hung) no longer holds the others back:
        the next attempt probes again, so a backend that recovered meanwhile is not skipped until that probe ends."""
        return self.state != "closed" and (now < self.open_until or (self.probing and now - self.probe_started < self.cooldown))

    def await_first(self, now: float) -> int:
        """An attempt sent at ``now`` waits for its first byte; `first_arrived` with the returned key ends the wait."""
        key = next(self._waits)
        self.awaiting[key] = now
        return key

    def first_arrived(self, key: int | None) -> None:
        if key is not None:
            self.awaiting.pop(key, None)

    def stalled(self, now: float, limit: float) -> bool:
        """Whether an attempt has waited longer than ``limit`` seconds for its first byte (the oldest is first) while
        the backend answered nothing for as long: a busy backend whose queue holds a request past ``limit`` keeps
        answering the others, a hung one answers none."""
        return bool(self.awaiting) and now - next(iter(self.awaiting.values())) > limit and now - self.heard_at > limit

    def at_capacity(self) -> bool:
        return self.max_in_flight is not None and self.in_flight >= self.max_in_flight

    def occupy(self) -> Callable[[], None]:
        """Take a slot for an attempt; the returned release frees it, once however often it is called
        (a stream's end and its close both call it: either may be the only one that runs)."""
        self.in_flight += 1
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self.in_flight -= 1

        return release

    def begin(self, now: float) -> bool:
        """Called right before an attempt; True when this attempt is the half-open probe."""
        if self.state != "closed" and now >= self.open_until and (not self.probing or now - self.probe_started >= self.cooldown):
            self.state = "half_open"
            self.probing = True
            self.probe_started = now
            return True
        return False

    def succeeded(self, probe: bool) -> None:
        self.failures = 0
        self.answered(probe)

    def answered(self, probe: bool) -> None:
        """The backend answered (a stream's first event): a probe closes the circuit, but the
        consecutive-failure count is only reset by a completed exchange (`succeeded`), so a
        backend whose streams keep breaking off still opens its circuit."""
        self.heard_at = self.clock()
        if probe:
            self.probing = False
        if self.state != "closed":
            self.state = "closed"
            self._set_up(True)
            log.warning("backend %s: circuit closed, the backend answers again", self.name)

    def failed(self, now: float, probe: bool = False) -> None:
        if probe:
            self.probing = False
        self.failures += 1
        if self.state != "closed" or self.failures >= self.threshold:
            if self.state == "closed":
                log.warning("backend %s: circuit open after %d consecutive failures (cooldown %.1f s)", self.name, self.failures, self.cooldown)
            self.state = "open"
            self.open_until = now + self.cooldown
            self._set_up(False)

    def abandoned(self, probe: bool) -> None:
        """The attempt ended without an outcome (the client left): free the probe slot."""
        if probe:
            self.probing = False

    def rate_limit(self, seconds: float, now: float, model: str = "") -> None:
        self.rate_limited[model] = max(self.rate_limited_until(model), now + seconds)

    def rate_limited_until(self, model: str = "") -> float:
        return self.rate_limited.get(model, 0.0)

    def serving(self, up: bool) -> None:
        """What `/readyz` found (its probe answers, the circuit not open nor the backend stalled) sets `router_backend_up`
        too: between requests the gauge kept the last breaker change — 0 for a backend healthy again once its cooldown
        ended (paging until traffic came), 1 for one down before any request."""
        self._set_up(up)

    def _set_up(self, up: bool) -> None:
        if self._gauge is not None:
            self._gauge.set(1 if up else 0)


class RetryBudget:
    """Extra attempts allowed over a sliding window: at most `ratio` × requests, or the floor of
    `min_per_second` × window when that is more (Envoy's retry budget). One-second buckets keep it O(window)."""

    __slots__ = ("_requests", "_retries", "_stamps", "floor", "ratio", "window")

    def __init__(self, ratio: float, min_per_second: float, window_seconds: float) -> None:
        self.ratio = ratio
        self.window = max(1, math.ceil(window_seconds))
        self.floor = min_per_second * self.window
        self._requests = [0] * self.window
        self._retries = [0] * self.window
        self._stamps = [-1] * self.window

    def _slot(self, now: float) -> int:
        second = int(now)
        index = second % self.window
        if self._stamps[index] != second:
            self._stamps[index] = second
            self._requests[index] = self._retries[index] = 0
        return index

    def _totals(self, now: float) -> tuple[int, int]:
        oldest = int(now) - self.window
        requests = retries = 0
        for index, stamp in enumerate(self._stamps):
            if stamp > oldest:
                requests += self._requests[index]
                retries += self._retries[index]
        return requests, retries

    def record_request(self, now: float) -> None:
        self._requests[self._slot(now)] += 1

    def allows(self, now: float) -> bool:
        requests, retries = self._totals(now)
        return retries < max(self.floor, self.ratio * requests)

    def spend(self, now: float) -> bool:
        """Take one retry from the budget if it allows one."""
        if not self.allows(now):
            return False
        self._retries[self._slot(now)] += 1
        return True


def is_backend_failure(error: UpstreamError) -> bool:
    """Failures that count against the circuit breaker (the backend, not the request, is at fault)."""
    if error.kind != "status" or error.status is None:
        return error.kind != "shutdown"
    return error.status >= 500 or error.status == 408 or error.status in GATEWAY_FAULT_STATUSES
