"""What the tests of a served, multi-worker gateway share (test_multiprocess_metrics.py, test_supervisor.py): its
/metrics scraped over HTTP, a sample's total over every worker's series, and the workers that report."""

from __future__ import annotations

from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families


def scrape(url: str) -> dict[str, list[Any]]:
    """The samples of each metric family ``url``'s /metrics reports."""
    families = text_string_to_metric_families(httpx.get(url + "/metrics", timeout=10).text)
    return {family.name: family.samples for family in families}


def total(samples: dict[str, list[Any]], family: str, sample: str) -> float:
    return sum(s.value for s in samples.get(family, []) if s.name == sample)


def worker_pids(url: str) -> set[str]:
    """The pids of the live workers: `router_backend_up` is a `liveall` gauge, a series per live worker."""
    return {s.labels["pid"] for s in scrape(url).get("router_backend_up", [])}
