"""`complexity-router pre-stop`: hold a pod's termination until its last answers are on a Prometheus scrape.

Once SIGTERM reaches `serve`, uvicorn stops listening at once (router/shutdown.py): what the requests still running
spend during the drain is counted in the process, and never scraped — an outside chaos test saw 14 requests that
finished in a drain in the decision log and Redis ($0.0093) and not in Prometheus ($0). A Kubernetes preStop hook runs
before SIGTERM, while the pod, already out of its Service's endpoints, still listens: this command waits there until
no attempt is in flight (`router_inflight_requests` summed, read from the router's own `/metrics`, which needs no key),
then one scrape interval more, so the drain that follows has nothing left to count. Bounded by ``max_seconds``; a
router that no longer answers ends the wait (there is nothing left to scrape).
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable

#: The gauge of attempts in flight per backend (router/metrics.py), a streaming answer's included.
INFLIGHT = "router_inflight_requests"


def inflight(metrics_text: str) -> float:
    """The attempts in flight in a `/metrics` exposition: the sum of every `router_inflight_requests` sample."""
    total = 0.0
    for line in metrics_text.splitlines():
        if line.startswith(INFLIGHT) and line[len(INFLIGHT):len(INFLIGHT) + 1] in ("{", " "):
            total += float(line.rsplit(" ", 1)[-1])
    return total


def read_metrics(url: str) -> str | None:
    """The router's `/metrics` text, or None when it no longer answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:  # refused, reset, timed out, an HTTP error (URLError is one)
        return None


def wait_for_last_scrape(url: str, settle: float, scrape_interval: float, max_seconds: float, poll: float = 1.0,
                         read: Callable[[str], str | None] = read_metrics, clock: Callable[[], float] = time.monotonic,
                         sleep: Callable[[float], None] = time.sleep) -> str:
    """Wait ``settle`` seconds (the Service drops the pod), until nothing is in flight, then ``scrape_interval`` more;
    at most ``max_seconds`` in all. Returns why it stopped: "idle", "gone" or "deadline"."""
    deadline = clock() + max_seconds
    sleep(min(settle, max_seconds))
    while True:
        text = read(url)
        if text is None:
            return "gone"
        if inflight(text) <= 0:
            break
        if clock() + poll > deadline:
            return "deadline"
        sleep(poll)
    sleep(max(0.0, min(scrape_interval, deadline - clock())))
    return "idle"
