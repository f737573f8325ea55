"""The per-stream watchdog (router/watchdog.py): idle gap, total and drain deadlines on one timer,
re-arming, and that it cleans up and never swallows somebody else's cancellation."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from backends.base import UpstreamError
from router.shutdown import Drain
from router.watchdog import Watchdog, watched

pytestmark = pytest.mark.anyio


class Upstream:
    """Frames after given delays; records whether it was closed."""

    def __init__(self, delays: list[float]) -> None:
        self.delays = delays
        self.closed = False

    async def frames(self) -> AsyncIterator[bytes]:
        try:
            for index, delay in enumerate(self.delays):
                await asyncio.sleep(delay)
                yield f"data: {index}\n\n".encode()
        finally:
            self.closed = True


def relay(upstream: Upstream, *, idle: float = 1.0, total: float = 5.0, drain: Drain | None = None) -> tuple[AsyncIterator[bytes], dict[str, Any]]:
    outcome: dict[str, Any] = {"succeeded": 0, "failed": [], "ended": 0}
    dog = Watchdog(idle, time.monotonic() + total, drain or Drain(), time.monotonic)
    outcome["dog"] = dog

    def succeeded() -> None:
        outcome["succeeded"] += 1

    def ended() -> None:
        outcome["ended"] += 1

    frames = watched(upstream.frames(), b"data: first\n\n", dog, succeeded=succeeded, failed=outcome["failed"].append, ended=ended)
    return frames, outcome


async def collect(frames: AsyncIterator[bytes]) -> tuple[list[bytes], UpstreamError | None]:
    got: list[bytes] = []
    try:
        async for frame in frames:
            got.append(frame)
    except UpstreamError as exc:
        return got, exc
    return got, None


async def test_events_inside_the_limits_pass_and_the_timer_goes_away() -> None:
    upstream = Upstream([0.01, 0.05, 0.01])
    frames, outcome = relay(upstream, idle=0.2)
    got, error = await collect(frames)
    assert error is None and got == [b"data: first\n\n", b"data: 0\n\n", b"data: 1\n\n", b"data: 2\n\n"]
    assert outcome["succeeded"] == 1 and outcome["failed"] == [] and outcome["ended"] == 1
    assert outcome["dog"]._handle is None, "no timer outlives the stream"


async def test_a_gap_longer_than_idle_ends_the_stream_and_closes_the_upstream() -> None:
    upstream = Upstream([0.01, 0.5])
    frames, outcome = relay(upstream, idle=0.1)
    started = time.monotonic()
    got, error = await collect(frames)
    assert got == [b"data: first\n\n", b"data: 0\n\n"]
    assert error is not None and error.kind == "timeout" and "stalled for 0.1 s (idle timeout)" in error.message
    assert 0.09 <= time.monotonic() - started < 0.4
    assert upstream.closed and outcome["failed"] == [error] and outcome["succeeded"] == 0 and outcome["ended"] == 1
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_the_timer_re_arms_for_gaps_that_each_stay_under_idle() -> None:
    """Many events, each gap under `idle` but together far over it: the one timer fires, finds the
    running wait young, and re-arms; nothing times out."""
    upstream = Upstream([0.04] * 10)
    frames, outcome = relay(upstream, idle=0.1)
    got, error = await collect(frames)
    assert error is None and len(got) == 11 and outcome["succeeded"] == 1


async def test_the_total_deadline_caps_the_attempt() -> None:
    upstream = Upstream([0.05] * 20)
    frames, _ = relay(upstream, idle=1.0, total=0.2)
    started = time.monotonic()
    got, error = await collect(frames)
    assert error is not None and error.kind == "timeout" and "total timeout" in error.message
    assert 0.15 <= time.monotonic() - started < 0.5 and 2 <= len(got) < 8 and upstream.closed


async def test_a_passed_deadline_ends_the_stream_before_waiting() -> None:
    upstream = Upstream([0.0])
    frames, _ = relay(upstream, total=-1.0)
    got, error = await collect(frames)
    assert got == [b"data: first\n\n"] and error is not None and "total timeout" in error.message


async def test_the_drain_deadline_ends_the_stream_with_shutdown_and_no_circuit_failure() -> None:
    drain = Drain()
    upstream = Upstream([0.01, 5.0])
    frames, outcome = relay(upstream, idle=10.0, drain=drain)
    got = [await anext(frames), await anext(frames)]
    drain.begin(0.1)  # SIGTERM: the next wait is cut at the drain deadline
    started = time.monotonic()
    rest, error = await collect(frames)
    assert got == [b"data: first\n\n", b"data: 0\n\n"] and rest == []
    assert error is not None and error.kind == "shutdown" and "drain time is over" in error.message
    assert time.monotonic() - started < 1.0 and upstream.closed and outcome["failed"] == [error]


async def test_a_drain_that_begins_later_re_arms_the_timer_earlier() -> None:
    drain = Drain()
    dog = Watchdog(10.0, time.monotonic() + 100, drain, time.monotonic)
    assert dog.begin() is None
    first_armed = dog._armed_at
    dog.end()
    drain.begin(0.05)
    assert dog.begin() is None and dog.why == "shutdown" and dog._armed_at < first_armed
    dog.stop()
    assert dog._handle is None


async def test_someone_elses_cancellation_is_not_swallowed() -> None:
    """The client leaves while the stream waits: the task is cancelled, not timed out."""
    upstream = Upstream([5.0])
    frames, outcome = relay(upstream, idle=10.0)

    async def consume() -> list[bytes]:
        return [frame async for frame in frames]

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert upstream.closed and outcome["failed"] == [] and outcome["dog"]._handle is None and outcome["ended"] == 1


async def test_a_timeout_and_a_cancellation_together_stay_a_cancellation() -> None:
    dog = Watchdog(10.0, time.monotonic() + 100, Drain(), time.monotonic)

    async def wait() -> str | None:
        assert dog.begin() is None
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            why = dog.expired()
            if why is None:
                raise
            return why
        return None

    task = asyncio.create_task(wait())
    await asyncio.sleep(0.01)
    dog.due = 0.0
    dog._fire()  # the watchdog finds the wait overdue and cancels the task ...
    assert dog.fired == "idle"
    task.cancel()  # ... and in the same instant the client leaves too
    with pytest.raises(asyncio.CancelledError):
        await task
    dog.stop()


async def test_it_never_cancels_between_waits() -> None:
    """While the relay writes to a slow client, the upstream is not idle: no cancellation."""
    dog = Watchdog(0.05, time.monotonic() + 100, Drain(), time.monotonic)
    assert dog.begin() is None
    dog.end()
    await asyncio.sleep(0.15)  # far past the idle limit, but not waiting
    assert dog.fired is None and dog._handle is None
    assert dog.begin() is None and dog._handle is not None, "the next wait arms again"
    dog.stop()
