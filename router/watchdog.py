"""The timeouts of a stream in flight — idle gap, attempt total, drain — on one timer per stream.

An `asyncio.timeout` around every awaited event created, armed and on the next event cancelled a
timer per event: about a tenth of the gateway's CPU on a streamed completion. A `Watchdog` keeps
one `loop.call_later` handle for the whole stream instead. Each wait for an event only works out
when it is due, by the same rule as before (the idle gap from the wait's start, capped by the
attempt's total deadline, capped by the drain deadline when the router is draining); the handle,
when it fires, cancels the wait if it is overdue and otherwise re-arms for the wait now running.
The task is only ever cancelled while it waits for the upstream, never while it writes to the
client, so a slow client is no idle upstream (as before).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from backends.base import UpstreamError
from router.shutdown import Drain

Clock = Callable[[], float]


class Hearing(Protocol):
    """What learns when the stream's backend last sent something (`router.breaker.BackendHealth.heard_at`)."""

    heard_at: float


class Watchdog:
    """Times the waits for one stream's events; `begin` before each wait, `end` after it."""

    __slots__ = ("_armed_at", "_cancelling", "_handle", "_task", "clock", "deadline", "drain", "due", "fired", "hearing", "idle", "waiting", "why")

    def __init__(self, idle: float, deadline: float, drain: Drain, clock: Clock, hearing: Hearing | None = None) -> None:
        self.idle = idle
        self.hearing = hearing  # told at each wait's start (an event just arrived) that the backend still sends
        self.deadline = deadline  # the attempt's total deadline, on `clock`
        self.drain = drain
        self.clock = clock
        self.due = math.inf  # when the current wait times out, and why
        self.why = "idle"
        self.waiting = False
        self.fired: str | None = None  # why the watchdog cancelled the task
        self._task: asyncio.Task[object] | None = None
        self._cancelling = 0
        self._handle: asyncio.TimerHandle | None = None
        self._armed_at = math.inf

    def begin(self) -> str | None:
        """A wait for the next event starts. Returns why it is already over (the total or the
        drain deadline passed), else None: then the wait is watched until `end`."""
        now = self.clock()
        if self.hearing is not None:
            self.hearing.heard_at = now
        deadline = self.deadline
        if self.idle < deadline - now:
            due, why = now + self.idle, "idle"
        else:
            due, why = deadline, "total"
        drain_at = self.drain.deadline
        if drain_at is not None and drain_at < due:
            due, why = drain_at, "shutdown"
        if due <= now:
            return why
        self.due, self.why = due, why
        self._task = asyncio.current_task()
        self.waiting = True
        if due < self._armed_at:  # the first wait, or one due before the armed time (the drain began)
            self._arm(due, now)
        return None

    def end(self) -> None:
        """The wait returned an event (or the stream's end) before the watchdog cancelled it."""
        self.waiting = False
        if self.fired is not None:  # fired as the event arrived and the wait did not see the cancellation
            self.expired()
            self.fired = None

    def expired(self) -> str | None:
        """After the wait raised `CancelledError`: why, if the cancellation was this watchdog's
        alone; None if someone else (the client leaving) cancelled the task, which must go on."""
        self.waiting = False
        if self.fired is None or self._task is None:
            return None
        if self._task.uncancel() > self._cancelling:
            return None
        return self.fired

    def error(self, why: str) -> UpstreamError:
        if why == "shutdown":
            return UpstreamError("shutdown", "the router is shutting down and the drain time is over")
        if why == "idle":
            return UpstreamError("timeout", f"upstream stream stalled for {self.idle:g} s (idle timeout)")
        return UpstreamError("timeout", "upstream stream exceeded its total timeout")

    def stop(self) -> None:
        """The stream ended: no more firing."""
        self.waiting = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._armed_at = math.inf

    def _arm(self, due: float, now: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._armed_at = due
        self._handle = asyncio.get_running_loop().call_later(due - now, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._armed_at = math.inf
        if not self.waiting or self.fired is not None or self._task is None:
            return  # between waits: the next `begin` arms again
        now = self.clock()
        if now < self.due:  # the wait that is running now started after the armed one
            self._arm(self.due, now)
            return
        self.fired = self.why
        self._cancelling = self._task.cancelling()
        self._task.cancel()


async def watched(
    frames: AsyncIterator[bytes], first: bytes | None, dog: Watchdog, *, succeeded: Callable[[], None], failed: Callable[[UpstreamError], None],
    ended: Callable[[], None],
) -> AsyncIterator[bytes]:
    """`first`, then the rest of `frames`, each awaited under `dog`. A timeout closes `frames` and
    raises `UpstreamError` ("timeout", or "shutdown" when the drain ran out); `succeeded` runs when
    the stream ended well, `failed` on any `UpstreamError` (it may rewrite the message) before it propagates —
    but for the attempt's total deadline: a stream that kept sending to the end is alive, only long, and five of
    them must not open the circuit of a healthy backend (the idle timeout is what catches a stalled one). `ended`
    runs however the stream ends (its backend slot: `BackendHealth.occupy`)."""
    if first is not None:
        yield first
    why: str | None = None
    try:
        while True:
            why = dog.begin()
            if why is None:
                try:
                    frame = await anext(frames)
                except StopAsyncIteration:
                    dog.end()
                    succeeded()
                    return
                except asyncio.CancelledError:
                    why = dog.expired()
                    if why is None:
                        raise
                except TimeoutError:  # raised by the upstream iterator itself: this wait's timeout, as with asyncio.timeout
                    dog.end()
                    why = dog.why
                else:
                    dog.end()
                    yield frame
                    continue
            aclose = getattr(frames, "aclose", None)
            if aclose is not None:  # already closed when the watchdog interrupted it; not when it never started
                await aclose()
            raise dog.error(why) from None
    except UpstreamError as exc:
        if why != "total":
            failed(exc)
        raise
    finally:
        dog.stop()
        ended()
