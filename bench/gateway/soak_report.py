"""bench/soak.py's verdict: each client request's outcome, the run's Report, and the judging of a
run against the pass criteria (nothing lost where a healthy fallback existed, nothing hung, flat
RSS, every accepted request counted exactly once in the gateway's metrics)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from router.shed import SHED_HEADER

#: The gateway's own refusals, which no fault caused: `shed` for load (every candidate rate limited, a backend at
#: `circuit.max_in_flight`: `router_requests_total{status="shed"}`), `refused` before it routed anything
#: (`server.max_concurrency`, a drain: in no `router_requests_total`).
GATEWAY_REFUSALS = ("shed", "refused")


class Faulty(Protocol):
    """An upstream that logs the faults it injected (bench/soak.py's UpstreamProcess)."""

    def faults(self) -> dict[str, str]: ...


@dataclass
class Outcome:
    rid: str
    stream: bool
    started: float
    ended: float
    status: int | None  # HTTP status, None for a transport error or a hang
    result: str  # ok | cut | http_error (an upstream's failure) | shed | refused (`refusal`) | transport | hung | incomplete
    backend: str = ""
    detail: str = ""


@dataclass
class Report:
    duration_s: float
    concurrency: int
    fail_rate: float
    requests: int = 0
    requests_per_s: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)
    cut_by_kill: int = 0
    no_healthy_candidate: int = 0
    shed: int = 0
    refused: int = 0
    lost: int = 0
    lost_examples: list[str] = field(default_factory=list)
    hung: int = 0
    injected_faults: int = 0
    rss_warm_mib: float = 0.0
    rss_end_mib: float = 0.0
    rss_peak_mib: float = 0.0
    rss_growth_pct: float = 0.0
    metrics_requests_total: float = 0.0
    metrics_by_status: dict[str, float] = field(default_factory=dict)
    metrics_inflight_after: float = 0.0
    fallbacks: dict[str, float] = field(default_factory=dict)
    retries: dict[str, float] = field(default_factory=dict)
    accounted_exactly_once: bool = False
    latency_p50_s: float = 0.0
    latency_p99_s: float = 0.0
    kill_at_s: float = 0.0
    restart_at_s: float = 0.0
    finale: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def refusal(headers: Mapping[str, str]) -> str:
    """What an HTTP error was, as the gateway marks it: `shed` (`x-router-shed: true`), `refused` before routing (no
    `x-router-tier`: not counted in the metrics), else `http_error`, an upstream's failure (status `error`). A 503 is any
    of the three: counting every 503 as "not accepted" left the shed and the upstreams' 503s out of the exactly-once check."""
    if headers.get(SHED_HEADER) == "true":
        return "shed"
    return "http_error" if "x-router-tier" in headers else "refused"


def parse_metrics(text: str) -> list[tuple[str, dict[str, str], float]]:
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name_labels, _, value = line.rpartition(" ")
        name, _, rest = name_labels.partition("{")
        labels = dict(part.split("=", 1) for part in rest.rstrip("}").split(",") if "=" in part) if rest else {}
        samples.append((name, {k: v.strip('"') for k, v in labels.items()}, float(value)))
    return samples


def judge(report: Report, outcomes: list[Outcome], upstreams: dict[str, Faulty], kill_time: float, restart_time: float,
           rss: list[tuple[float, int]], duration: float, metrics_text: str) -> None:
    report.requests = len(outcomes)
    report.requests_per_s = round(len(outcomes) / duration, 1)
    report.outcomes = dict(Counter(o.result for o in outcomes))
    faults = upstreams["a"].faults()
    faults_b = upstreams["b"].faults()
    report.injected_faults = len(faults) + len(faults_b)
    for outcome in outcomes:
        if outcome.result == "ok":
            continue
        if outcome.result in GATEWAY_REFUSALS:  # no request lost to a fault: the gateway's own choice, counted apart
            setattr(report, outcome.result, getattr(report, outcome.result) + 1)
            continue
        if outcome.result == "hung":
            report.hung += 1
        if outcome.result == "cut" and outcome.backend == "a" and outcome.started <= kill_time <= outcome.ended:
            report.cut_by_kill += 1
            continue
        a_dead = outcome.started < restart_time and outcome.ended > kill_time  # the request overlapped a's outage
        if outcome.rid in faults_b and (outcome.rid in faults or a_dead):  # every candidate failed it
            report.no_healthy_candidate += 1
            continue
        report.lost += 1
        if len(report.lost_examples) < 10:
            report.lost_examples.append(f"{outcome.rid} {outcome.result} {outcome.status} {outcome.backend} {outcome.detail} "
                                        f"t={outcome.started - kill_time:+.2f}..{outcome.ended - kill_time:+.2f}s from the kill "
                                        f"faults a={faults.get(outcome.rid)} b={faults_b.get(outcome.rid)}")
    latencies = sorted(o.ended - o.started for o in outcomes if o.result == "ok")
    if latencies:
        report.latency_p50_s = round(latencies[len(latencies) // 2], 3)
        report.latency_p99_s = round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 3)
    warm_until = max(5.0, duration * 0.15)
    warm = [value for t, value in rss if t >= warm_until]
    if warm:
        report.rss_warm_mib = round(warm[0] / 2**20, 1)
        report.rss_peak_mib = round(max(value for _, value in rss) / 2**20, 1)
        report.rss_end_mib = round(report.rss_end_mib, 1)
        report.rss_growth_pct = round(100 * (report.rss_end_mib - report.rss_warm_mib) / report.rss_warm_mib, 2)
    samples = parse_metrics(metrics_text)
    by_status: Counter[str] = Counter()
    for name, labels, value in samples:
        if name == "router_requests_total":
            by_status[labels["status"]] += value
        elif name == "router_inflight_requests":
            report.metrics_inflight_after += value
        elif name == "router_fallbacks_total":
            report.fallbacks[f"{labels['from_backend']}->{labels['to_backend']}:{labels['reason']}"] = value
        elif name == "router_retries_total":
            report.retries[labels["outcome"]] = value
    report.metrics_by_status = dict(by_status)
    report.metrics_requests_total = sum(by_status.values())
    accepted = [o for o in outcomes if o.result != "refused"]  # a hang or a transport error still reached the gateway
    client_ok = sum(1 for o in accepted if o.result == "ok")
    report.accounted_exactly_once = (report.metrics_requests_total == len(accepted) and by_status.get("ok", 0) == client_ok
                                     and by_status.get("shed", 0) == report.shed)
    if report.lost:
        report.failures.append(f"{report.lost} requests lost although a healthy candidate existed")
    if report.hung:
        report.failures.append(f"{report.hung} hung requests")
    if report.refused:  # 64 clients under max_concurrency 1024: a refusal at the door means slots leaked
        report.failures.append(f"{report.refused} requests refused before routing (server.max_concurrency, or a drain)")
    if report.rss_growth_pct >= 10:
        report.failures.append(f"RSS grew {report.rss_growth_pct} %")
    if not report.accounted_exactly_once:
        report.failures.append(f"metrics count {report.metrics_requests_total} ({dict(by_status)}) for {len(accepted)} accepted requests "
                               f"({client_ok} ok, {report.shed} shed)")
    if report.metrics_inflight_after:
        report.failures.append(f"router_inflight_requests is {report.metrics_inflight_after} after the run")
