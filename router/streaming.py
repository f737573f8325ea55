"""The client side of a request's life: noticing that the client left, and always closing.

Two gaps that proxies commonly leave open, where an upstream keeps generating for nobody:

* **Before the response starts** (waiting for the upstream's first byte, or a whole non-streaming
  answer), the ASGI server does not cancel the handler when the client disconnects.
  `cancel_on_disconnect` watches the ASGI `receive` channel and cancels the work at once, which
  closes the upstream request; the request is answered 499 (to nobody) and accounted `cancelled`.
* **A stream whose generator never started**: Starlette cancels the body task on disconnect, and an
  async generator that was never iterated never runs its `finally`, so the upstream response, the
  concurrency slot and the accounting would leak. `RelayResponse` closes its body iterator when the
  response ends for any reason, and the relay is primed (advanced into its `try`) before it is
  handed over, so closing it always runs its cleanup.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from router.protocol import APIError


class RelayResponse(StreamingResponse):
    """A streaming response that always closes its body iterator (shielded from cancellation)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                with anyio.CancelScope(shield=True):
                    await aclose()


async def primed(relay: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Advance a relay generator to its first `yield` (a no-op `b""` inside its `try`), so that
    closing it before the client reads anything still runs its `finally`."""
    await anext(relay)
    return relay


class ClientDisconnected(APIError):
    """The client went away before the response started (nginx's 499)."""

    def __init__(self) -> None:
        super().__init__(499, "client closed the request", error_type="invalid_request_error", code="client_closed_request")


class cancel_on_disconnect:  # used as a context manager, named like one
    """`async with cancel_on_disconnect(request):` — cancel the block when the client disconnects.

    Call only after the body was read: the watcher then reads the ASGI channel, where the next
    message is `http.disconnect`. Leaving the block stops the watcher (before any response is
    sent, so the response's own disconnect listener is the only reader from then on).
    """

    __slots__ = ("_fired", "_inside", "_task", "_watcher", "receive")

    def __init__(self, request: Request) -> None:
        self.receive = request.receive
        self._fired = False
        self._inside = False
        self._task: asyncio.Task[Any] | None = None
        self._watcher: asyncio.Task[None] | None = None

    async def __aenter__(self) -> None:
        self._task = asyncio.current_task()
        self._inside = True
        self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            message = await self.receive()
            if message.get("type") == "http.disconnect":
                break
        if self._inside and self._task is not None:
            self._fired = True
            self._task.cancel()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> bool:
        self._inside = False
        if self._watcher is not None:
            self._watcher.cancel()
        if self._fired and self._task is not None:
            self._task.uncancel()
            if exc_type is asyncio.CancelledError:
                raise ClientDisconnected() from None
        return False
