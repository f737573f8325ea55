"""The fast timeouts, failing upstream and in-flight wait the upstream fault tests share (test_upstream_faults_*.py,
test_load_shedding_status.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.reliability.loopback_upstream import Behaviour

FAST = {"timeouts": {"connect": 0.2, "first_byte": 0.4, "idle": 0.3, "total": 3.0}}


def fails(status: int = 500, **extra: Any) -> Any:
    return lambda body, index: Behaviour(status=status, json={"error": {"message": "boom"}}, **extra)


async def _in_flight(gateway: Any, backend: str, count: int, timeout: float = 2.0) -> None:
    health = gateway.state.gateway.resilience.health[backend]
    deadline = time.monotonic() + timeout
    while health.in_flight != count and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert health.in_flight == count
