"""The soak's verdict tells the gateway's own refusals from upstream failures: every 503 counted as "not accepted" left
the shed requests (`router_requests_total{status="shed"}`) and the upstreams' 503s (`status="error"`) out of the
exactly-once check, and a run that shed read as a metrics mismatch."""

from __future__ import annotations

from bench.gateway.soak_report import Outcome, Report, judge, refusal

ROUTED = {"x-request-id": "r", "x-router-tier": "low", "x-router-model": "model-a", "x-router-backend": "a"}


class NoFaults:
    def faults(self) -> dict[str, str]:
        return {}


def metrics(**by_status: int) -> str:
    lines = [f'router_requests_total{{tier="low",model="model-a",backend="a",status="{status}"}} {count}.0' for status, count in by_status.items()]
    return "\n".join(["# TYPE router_requests_total counter", *lines, 'router_inflight_requests{backend="a"} 0.0'])


def outcome(rid: str, status: int, result: str) -> Outcome:
    return Outcome(rid, False, 0.0, 0.1, status, result, backend="a")


def verdict(outcomes: list[Outcome], text: str) -> Report:
    report = Report(duration_s=10.0, concurrency=4, fail_rate=0.0)
    judge(report, outcomes, {"a": NoFaults(), "b": NoFaults()}, kill_time=100.0, restart_time=200.0, rss=[], duration=10.0, metrics_text=text)
    return report


def test_a_refusal_is_read_from_the_gateway_s_marks() -> None:
    assert refusal({**ROUTED, "x-router-shed": "true"}) == "shed"  # max_in_flight's 503, every candidate rate limited (429)
    assert refusal(ROUTED) == "http_error"  # an upstream's 503 (or 502, 504) after routing: status error
    assert refusal({"x-request-id": "r", "retry-after": "1"}) == "refused"  # server.max_concurrency's 503: never routed


def test_shed_and_upstream_503s_are_accounted_apart() -> None:
    outcomes = [outcome("soak-1", 200, "ok"), outcome("soak-2", 503, "shed"), outcome("soak-3", 429, "shed"),
                outcome("soak-4", 503, "http_error")]
    report = verdict(outcomes, metrics(ok=1, shed=2, error=1))
    assert report.accounted_exactly_once, report.failures
    assert report.outcomes == {"ok": 1, "shed": 2, "http_error": 1} and report.shed == 2
    assert report.lost == 1, "the upstream's 503 is a loss (no fault was injected), a shed request is not"


def test_a_shed_the_metrics_call_an_error_is_a_mismatch() -> None:
    report = verdict([outcome("soak-1", 503, "shed")], metrics(error=1))
    assert not report.accounted_exactly_once and any("1 shed" in failure for failure in report.failures)


def test_a_refusal_before_routing_is_not_in_the_metrics_and_fails_the_run() -> None:
    report = verdict([outcome("soak-1", 200, "ok"), outcome("soak-2", 503, "refused")], metrics(ok=1))
    assert report.accounted_exactly_once and report.refused == 1 and report.lost == 0
    assert any("refused before routing" in failure for failure in report.failures)
