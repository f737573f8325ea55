"""The circuit breaker, the retry budget and the drain deadline on a fake clock."""

from __future__ import annotations

import signal

import pytest

from backends.base import CircuitSettings, UpstreamError
from router.breaker import BackendHealth, RetryBudget, is_backend_failure
from router.seams import Upstream
from router.shutdown import Drain, install_signal_hook, stream_budget


class Gauge:
    value: float = -1

    def set(self, value: float) -> None:
        self.value = value


def test_breaker_opens_after_consecutive_failures_only() -> None:
    gauge = Gauge()
    health = BackendHealth("a", CircuitSettings(failures=3, cooldown_seconds=10), gauge)
    assert gauge.value == 1
    health.failed(0.0)
    health.failed(0.0)
    health.succeeded(False)  # success resets the count
    health.failed(1.0)
    health.failed(1.0)
    assert health.blocked(1.0) is None and gauge.value == 1
    health.failed(1.0)
    assert health.state == "open" and gauge.value == 0
    assert health.blocked(10.9) == "circuit_open"


def test_max_in_flight_blocks_while_the_slots_are_taken_and_a_release_counts_once() -> None:
    health = BackendHealth("a", CircuitSettings(max_in_flight=2))
    first, second = health.occupy(), health.occupy()
    assert health.blocked(0.0) == "at_capacity" and health.in_flight == 2
    first()
    first()  # a stream's end and its close both release: the slot is freed once
    assert health.blocked(0.0) is None and health.in_flight == 1
    second()
    assert health.in_flight == 0
    health.rate_limit(5, now=0.0)
    health.occupy(), health.occupy()
    assert health.blocked(1.0) == "rate_limited", "a rate limit says when to come back; capacity does not"
    unlimited = BackendHealth("b", CircuitSettings())
    for _ in range(10_000):
        unlimited.occupy()
    assert unlimited.blocked(0.0) is None


def test_half_open_allows_one_probe_and_recovers() -> None:
    gauge = Gauge()
    health = BackendHealth("a", CircuitSettings(failures=1, cooldown_seconds=5), gauge)
    health.failed(0.0)
    assert health.blocked(5.0) is None  # cooldown over
    assert health.begin(5.0) is True  # this attempt is the probe
    assert health.blocked(5.0) == "circuit_open", "only one probe at a time"
    assert health.begin(5.0) is False
    health.answered(True)
    assert health.state == "closed" and gauge.value == 1 and health.blocked(5.0) is None


def test_abandoned_probe_frees_the_slot_and_failed_probe_reopens() -> None:
    health = BackendHealth("a", CircuitSettings(failures=1, cooldown_seconds=5))
    health.failed(0.0)
    assert health.begin(6.0)
    health.abandoned(True)
    assert health.blocked(6.0) is None
    assert health.begin(6.0)
    health.failed(6.0, probe=True)
    assert health.state == "open" and health.blocked(10.9) == "circuit_open" and health.blocked(11.0) is None


def test_a_probe_that_hangs_holds_the_others_back_for_one_cooldown_only() -> None:
    health = BackendHealth("a", CircuitSettings(failures=1, cooldown_seconds=5))
    health.failed(0.0)
    assert health.begin(5.0) is True  # the probe: a last attempt, bounded only by timeouts.total
    assert health.blocked(9.9) == "circuit_open"
    assert health.blocked(10.0) is None, "an unanswered probe no longer keeps a recovered backend skipped"
    assert health.begin(10.0) is True  # the next attempt probes again
    health.answered(True)
    assert health.blocked(10.1) is None and health.state == "closed"


def test_rate_limit_cooldown_is_separate_from_the_circuit() -> None:
    gauge = Gauge()
    health = BackendHealth("a", CircuitSettings(), gauge)
    health.rate_limit(2.0, now=100.0)
    assert health.blocked(101.9) == "rate_limited" and gauge.value == 1
    assert health.blocked(102.0) is None
    health.rate_limit(60.0, now=200.0, model="gpt-4o")
    assert health.blocked(201.0, "gpt-4o") == "rate_limited" and health.blocked(201.0, "gpt-4o-mini") is None, "a provider limits each model"


def test_retry_budget_ratio_and_floor_over_a_sliding_window() -> None:
    budget = RetryBudget(ratio=0.2, min_per_second=0.5, window_seconds=4)  # floor: 2 per window
    for _ in range(10):
        budget.record_request(0.0)
    assert budget.spend(0.0) and budget.spend(0.0)
    assert not budget.spend(0.5), "2 retries = 20 % of 10 requests"
    for _ in range(10):
        budget.record_request(1.0)
    assert budget.spend(1.0) and budget.spend(1.0) and not budget.spend(1.0)  # 4 of 20
    assert not budget.spend(4.5), "second 1 (10 requests, 2 retries) is still in the window"
    assert budget.spend(5.0), "both seconds left the window: the floor applies again"
    budget = RetryBudget(ratio=0.2, min_per_second=0.5, window_seconds=4)
    assert budget.spend(0.0) and budget.spend(0.1) and not budget.spend(0.2), "a quiet service still gets the floor"


@pytest.mark.parametrize(
    ("error", "counts"),
    [
        (UpstreamError("connect", "x"), True),
        (UpstreamError("timeout", "x"), True),
        (UpstreamError("protocol", "x"), True),
        (UpstreamError("stream", "x"), True),
        (UpstreamError("status", "x", status=500), True),
        (UpstreamError("status", "x", status=503), True),
        (UpstreamError("status", "x", status=408), True),
        (UpstreamError("status", "x", status=400), False),
        (UpstreamError("status", "x", status=422), False),
        (UpstreamError("status", "x", status=401), True),  # the backend's key: the client's is never forwarded
        (UpstreamError("status", "x", status=403), True),
        (UpstreamError("status", "x", status=404), True),  # the configured upstream name or address
        (UpstreamError("shutdown", "x"), False),  # type: ignore[arg-type]
    ],
)
def test_what_counts_against_the_circuit(error: UpstreamError, counts: bool) -> None:
    assert is_backend_failure(error) is counts


def test_drain_deadline_and_margin() -> None:
    assert stream_budget(30) == 29 and stream_budget(2) == pytest.approx(1.8) and stream_budget(0) == 0
    drain = Drain()
    assert not drain.draining and drain.remaining(5.0) is None
    drain.begin(10, now=100.0)
    drain.begin(99, now=101.0)  # a second signal never extends the drain
    assert drain.draining and drain.remaining(104.0) == 6.0
    assert Drain().admits(0.0) and drain.admits(100.0) and drain.admits(105.0), "a request on its way is served in the drain's first half"
    assert not drain.admits(105.1), "later it could not finish: 503, retry elsewhere"


def test_signal_hook_starts_the_drain_then_calls_the_previous_handler() -> None:
    calls: list[int] = []
    drain = Drain()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: calls.append(signum))
    previous_int = signal.getsignal(signal.SIGINT)
    try:
        assert install_signal_hook(10, drain)
        signal.raise_signal(signal.SIGTERM)
        assert drain.draining and calls == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def unused_upstream() -> Upstream:
    """The attempt loop's seam for a test that makes no attempt."""

    def unused(*args: object) -> None:
        raise AssertionError("no attempt in this test")

    return Upstream({}, unused, unused, unused, unused)


def test_a_config_reload_keeps_what_was_learned_about_unchanged_backends() -> None:
    from prometheus_client import CollectorRegistry

    from router.metrics import RouterMetrics
    from router.resilience import Resilience
    from tests.router.conftest import CONFIG, make_config

    registry = CollectorRegistry()
    metrics = RouterMetrics(registry)
    before = Resilience(make_config(), metrics, unused_upstream())
    for _ in range(5):
        before.health["sim"].failed(0.0)
    before.health["spare"].rate_limit(30, now=0.0)
    after = Resilience(make_config(), metrics, unused_upstream())
    after.adopt(before)
    assert after.health["sim"].state == "open" and after.health["spare"].blocked(1.0) == "rate_limited"
    assert registry.get_sample_value("router_backend_up", {"backend": "sim"}) == 0
    moved = {**CONFIG["backends"], "sim": {"kind": "openai", "base_url": "http://elsewhere.test/v1"}}
    elsewhere = Resilience(make_config(backends=moved), metrics, unused_upstream())
    elsewhere.adopt(before)
    assert elsewhere.health["sim"].state == "closed", "a backend that moved starts afresh"


def test_a_reload_that_changes_max_in_flight_keeps_the_attempts_in_flight_and_the_circuit() -> None:
    """A new count started at 0 (and the circuit closed): a hung backend then held the old attempts and as many new ones."""
    import copy

    from prometheus_client import CollectorRegistry

    from router.metrics import RouterMetrics
    from router.resilience import Resilience
    from tests.router.conftest import CONFIG, make_config

    metrics = RouterMetrics(CollectorRegistry())
    capped = copy.deepcopy(CONFIG["backends"])
    capped["sim"]["circuit"] = {"max_in_flight": 2}
    before = Resilience(make_config(backends=capped), metrics, unused_upstream())
    before.health["sim"].occupy(), before.health["sim"].occupy()
    for _ in range(5):
        before.health["sim"].failed(0.0)
    capped["sim"]["circuit"] = {"max_in_flight": 3}
    after = Resilience(make_config(backends=capped), metrics, unused_upstream())
    after.adopt(before)
    health = after.health["sim"]
    assert health.in_flight == 2 and health.max_in_flight == 3 and health.state == "open"


def test_a_backend_is_stalled_only_while_it_answers_nothing() -> None:
    """An attempt waiting past the limit for its first byte marks the backend stalled (a hung engine) — unless the
    backend answered another request meanwhile: a full queue holds one request long and keeps answering the rest
    (review of session 33's diff: a busy vLLM took the pod out of its Service)."""
    now = [0.0]
    health = BackendHealth("a", CircuitSettings(), clock=lambda: now[0])
    first = health.await_first(0.0)
    later = health.await_first(5.0)
    assert not health.stalled(10.0, limit=20.0)
    assert health.stalled(21.0, limit=20.0), "waited past the limit, nothing heard"
    now[0] = 15.0
    health.answered(False)  # another request's first byte
    assert not health.stalled(21.0, limit=20.0) and health.stalled(36.0, limit=20.0)
    health.first_arrived(first)
    health.first_arrived(later)
    health.first_arrived(None)
    assert not health.stalled(100.0, limit=20.0) and health.awaiting == {}


def test_a_shorter_retry_after_never_shortens_a_longer_cooldown() -> None:
    """Two requests in flight get 429s: the first says wait 60 s, the later one (answered a moment after) 1 s. The model
    stays rate limited for the 60 s — the provider's longer ask — not retried after 1 s (mutation review)."""
    health = BackendHealth("a", CircuitSettings(), Gauge())
    health.rate_limit(60.0, now=100.0, model="m")
    health.rate_limit(1.0, now=100.5, model="m")
    assert health.rate_limited_until("m") == 160.0
    assert health.blocked(150.0, "m") == "rate_limited"
    health.rate_limit(100.0, now=150.0, model="m")
    assert health.rate_limited_until("m") == 250.0, "a longer one extends it"
