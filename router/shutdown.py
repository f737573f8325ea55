"""Graceful shutdown: the drain deadline that in-flight streams honour after SIGTERM.

Uvicorn owns the listening sockets: on SIGTERM it stops accepting, closes idle keep-alive
connections and waits up to `timeout_graceful_shutdown` (= `server.drain_seconds`) for the open
requests to finish before cancelling them. What uvicorn cannot do is end a stream *well*: a
cancelled stream is a connection cut in the middle of an event. So `serve` chains a handler in
front of uvicorn's that begins the app's `Drain`; from then on

* `/readyz` answers 503 (load balancers stop sending). A request that still arrives is served in the first
  half of the drain — it was on its way (a connection this worker accepted before it stopped listening, as in
  a reload's replacement of workers, or sent by a balancer that has not yet seen `/readyz` fail); uvicorn closes
  its connection after the answer — and refused with 503 + `Retry-After` after that, when it could not finish;
* a stream still running shortly before uvicorn's deadline (`drain_seconds` minus a margin of
  10 %, at most 1 s) is ended by the router with an in-stream error event and `data: [DONE]`,
  and its upstream request is closed, so no client sees half an event.

Streams that finish within the drain time are not touched.

The `Drain` is the app's, not a module global: `create_app` builds it (or takes the one `serve`'s app factory made for
its signal hook) and hands it to the state, the attempt loop's stream watchdogs and the disconnect watch; a config
reload's new state keeps it. Only the signal handler is process-wide, as signals are.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

from router.protocol import APIError

log = logging.getLogger("complexity_router")

#: The drain uvicorn was started with (`timeout_graceful_shutdown`), set by `serve` and by the supervisor for the workers a
#: SIGHUP starts: what a worker's streams are budgeted on. A config's `server.drain_seconds` changed by an in-place reload
#: cannot move uvicorn's deadline (a budget past it had streams cut mid-body); it takes effect when the process restarts.
DRAIN_ENV = "COMPLEXITY_ROUTER_DRAIN_SECONDS"


def drain_in_force(configured: float) -> float:
    """The drain this process was started with: `DRAIN_ENV` under `serve`, else the config's (an app built in-process)."""
    try:
        return float(os.environ[DRAIN_ENV])
    except (KeyError, ValueError):
        return configured


def stream_budget(drain_seconds: float) -> float:
    """How long streams may run after SIGTERM: the drain time less a margin to send their last event."""
    return max(0.0, drain_seconds - min(1.0, 0.1 * drain_seconds))


class Drain:
    """Whether the process is shutting down, and until when streams may still run."""

    __slots__ = ("deadline", "started_at")

    def __init__(self) -> None:
        self.started_at: float | None = None
        self.deadline: float | None = None

    @property
    def draining(self) -> bool:
        return self.started_at is not None

    def begin(self, seconds: float, now: float | None = None) -> None:
        """Start draining: streams may run `seconds` more (a second call never extends it)."""
        now = time.monotonic() if now is None else now
        if self.started_at is None:
            self.started_at = now
            self.deadline = now + seconds
            log.info("draining: in-flight streams may run %.1f s more, new requests are served for half of it", seconds)

    def admits(self, now: float) -> bool:
        """Whether a request that arrives now is still served: not draining, or in the drain's first half."""
        if self.deadline is None or self.started_at is None:
            return True
        return self.deadline - now >= (self.deadline - self.started_at) / 2

    def remaining(self, now: float) -> float | None:
        """Seconds left for streams, or None when not draining."""
        return None if self.deadline is None else self.deadline - now

    def reset(self) -> None:
        self.started_at = self.deadline = None


def shutting_down() -> APIError:
    """What a request gets from a draining process: one that still arrives, and one still waiting for its upstream
    when uvicorn's drain time ends (instead of uvicorn's plain-text 500 and a traceback in the log)."""
    return APIError(503, "The router is shutting down; retry", error_type="overloaded_error", code="shutting_down",
                    headers={"Retry-After": "1", "Connection": "close"})


def install_signal_hook(drain_seconds: float, drain: Drain) -> bool:
    """Chain a SIGTERM/SIGINT handler that begins `drain` before uvicorn's own handler runs.

    Signal handlers are process-wide by nature: the one owner is the worker's app factory (router/server.py), which
    uvicorn runs after installing its handlers, and which hands the same `drain` to the app it builds. Only possible in
    the main thread (returns False elsewhere, e.g. under a test runner's thread).
    """
    if threading.current_thread() is not threading.main_thread():
        return False
    budget = stream_budget(drain_seconds)
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)

        def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
            drain.begin(budget)
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:  # nobody else handles it: behave as before
                signal.signal(signum, signal.SIG_DFL)
                signal.raise_signal(signum)

        signal.signal(sig, handler)
    return True
