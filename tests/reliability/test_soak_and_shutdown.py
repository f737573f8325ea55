"""A short soak of a real `complexity-router serve` process, ending in a graceful shutdown.

The documented 60 s run is `python bench/soak.py` (docs/reliability.md); this is the same harness
for a few seconds: 2 % of upstream calls failing before their first byte, upstream `a` killed with
SIGKILL and restarted midway, then SIGTERM with two streams in flight — one that fits in
`server.drain_seconds` (it must complete) and one that does not (it must end with an in-stream
`shutdown` error and `[DONE]`, not be cut) — while new connections are refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.soak import run_soak, shutdown_finale

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def test_short_soak_with_a_killed_backend_then_sigterm_drain(tmp_path: Path) -> None:
    report = await run_soak(duration=6, concurrency=16, fail_rate=0.02, kill_at=0.3, restart_at=0.55, drain_seconds=2.0,
                            finale=shutdown_finale, workdir=str(tmp_path), log=lambda line: None)
    assert report.requests > 30
    assert report.lost == 0, report.lost_examples
    assert report.hung == 0
    assert report.accounted_exactly_once, (report.metrics_by_status, report.outcomes)
    assert report.metrics_inflight_after == 0
    assert report.fallbacks, "the killed backend's requests moved to the other one"
    finale = report.finale
    assert finale["new_connection"] == "refused"
    assert finale["short_stream_complete"], "a stream that fits in the drain time completes after SIGTERM"
    assert finale["long_stream_end"] == "shutdown" and finale["long_stream_done"]
    assert 1.2 < finale["long_stream_ended_after_s"] < 3.5
    assert finale["exit_code"] in (0, -15)
    assert report.failures == []
