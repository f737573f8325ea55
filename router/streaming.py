"""The client side of a request's life: noticing that the client left, and always closing.

Two gaps that proxies commonly leave open, where an upstream keeps generating for nobody:

* **Before the response starts** (waiting for the upstream's first byte, or a whole non-streaming
  answer), the ASGI server does not cancel the handler when the client disconnects.
  `cancel_on_disconnect` watches the ASGI `receive` channel and cancels the work at once, which
  closes the upstream request; the request is answered 499 (to nobody) and accounted `cancelled`.
* **A stream whose generator never started**: the body is cancelled on disconnect, and an async
  generator that was never iterated never runs its `finally`, so the upstream response, the
  concurrency slot and the accounting would leak. `RelayResponse` closes its body iterator when the
  response ends for any reason, and the relay is primed (advanced into its `try`) before it is
  handed over, so closing it always runs its cleanup.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Mapping
from types import TracebackType
from typing import Any

from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from router.protocol import APIError
from router.shutdown import Drain, shutting_down


class RelayResponse(StreamingResponse):
    """A streamed response written straight to the ASGI `send` from the handler's task, that
    always closes its body iterator (shielded from cancellation).

    Starlette's `StreamingResponse` (before ASGI spec 2.4, i.e. under uvicorn) runs the body in a
    task group beside a task listening for the disconnect: two tasks, cancel scopes and a wrapped
    `send` per stream, which the first token waited for. Here the body is relayed in the calling
    task, and one small watcher task waits for `http.disconnect` and cancels it, so a client that
    leaves still frees the upstream at once; the response then ends quietly, as Starlette's does.
    """

    def __init__(self, content: AsyncIterator[bytes], headers: Mapping[str, str] | None = None, media_type: str | None = None,
                 stall_seconds: float | None = None) -> None:
        self.body_iterator = content
        self.status_code = 200
        self.media_type = media_type
        self.background = None
        self.stall_seconds = stall_seconds
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        task = asyncio.current_task()
        assert task is not None
        watcher = _DisconnectWatcher(receive, task, self.stall_seconds)
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            async for chunk in self.body_iterator:
                watcher.sending = True
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                watcher.sending = False
                watcher.sent += 1
            watcher.streaming = False  # the final message completes the response: a disconnect after it is no news
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            if not watcher.left():
                raise
        finally:
            watcher.stop()
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None and getattr(self.body_iterator, "ag_frame", True) is not None:  # not if it already ran to its end
                await finish(aclose())


#: Checks per `stall` period: a write that waits is ended after `stall` to (1 + 1/_STALL_CHECKS) x `stall` (one check a
#: period ended it after up to two: `client_stall_seconds: 60` held a client that read nothing for 120 s).
_STALL_CHECKS = 4
_STALL_SLACK = 1e-3


class _DisconnectWatcher:
    """Cancels `task` when the client disconnects while the response streams, or stops reading it: a write
    that has not gone out after `stall` seconds (the client's window shut, as nginx's `send_timeout` reads
    it) ends the response as a departure would. Without it a client that never read held its concurrency
    slot and its upstream stream for as long as it kept the socket: the upstream's `total` is only checked
    when the next chunk is read, and none is read while a write waits."""

    __slots__ = ("_cancelling", "_checked", "_fired", "_since", "_stall", "_task", "_timer", "_watcher", "receive", "sending", "sent", "streaming")

    def __init__(self, receive: Receive, task: asyncio.Task[Any], stall: float | None = None) -> None:
        self.receive = receive
        self.streaming = True
        self.sending = False
        self.sent = 0
        self._task = task
        self._fired = False
        self._cancelling = 0
        loop = asyncio.get_running_loop()
        self._watcher = loop.create_task(self._watch())
        self._stall = stall
        self._checked = -1
        self._since = loop.time()  # when the write now waiting was first seen waiting
        self._timer = loop.call_later(stall / _STALL_CHECKS, self._check) if stall else None

    async def _watch(self) -> None:
        while (await self.receive()).get("type") != "http.disconnect":
            pass
        self._leave()

    def _check(self) -> None:
        """Every `stall` / `_STALL_CHECKS` seconds: the same write waiting since a check `stall` ago is a client that stopped reading
        (one timer a stream, not one a write: a stream writes thousands)."""
        assert self._stall is not None
        loop = asyncio.get_running_loop()
        if not (self.sending and self.sent == self._checked):  # no write waiting, or another than at the last check
            self._checked, self._since = (self.sent if self.sending else -1), loop.time()  # first seen waiting: then
        elif loop.time() - self._since >= self._stall - _STALL_SLACK:  # the same write, waiting at least `stall`
            self._leave()
            return
        self._timer = loop.call_later(self._stall / _STALL_CHECKS, self._check)

    def _leave(self) -> None:
        if self.streaming and not self._fired:
            self._fired = True
            self._cancelling = self._task.cancelling()
            self._task.cancel()

    def left(self) -> bool:
        """After a `CancelledError`: whether it was the client leaving (and nothing else)."""
        return self._fired and self._task.uncancel() <= self._cancelling

    def stop(self) -> None:
        self.streaming = False
        self._watcher.cancel()
        if self._timer is not None:
            self._timer.cancel()


async def finish(closing: Awaitable[Any]) -> None:
    """Await `closing` (a close of the upstream or of a relay) to its end even if this task is
    cancelled again meanwhile: asyncio's own shield. Not anyio's shielded `CancelScope`: entered in
    a task whose cancellation is being delivered, it first lets the event loop go round (measured:
    30 ms, and under a streaming upstream until that upstream ended), so a client that left kept
    its upstream generating (tests/vllm_stage: vLLM produced all 400 tokens of an abandoned stream)."""
    await asyncio.shield(closing)


async def primed(relay: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Advance a relay generator to its first `yield` (a no-op `b""` inside its `try`), so that
    closing it before the client reads anything still runs its `finally`."""
    await anext(relay)
    return relay


class ClientDisconnected(APIError):
    """The client went away before the response started (nginx's 499)."""

    def __init__(self) -> None:
        super().__init__(499, "client closed the request", error_type="invalid_request_error", code="client_closed_request")


#: A block still running after this long gets a watcher task; most answers arrive before it, and
#: a timer is far cheaper per request than a task. A disconnect is seen at most this much later.
WATCH_AFTER_SECONDS = 0.05


class cancel_on_disconnect:  # used as a context manager, named like one
    """`async with cancel_on_disconnect(request, drain):` — cancel the block when the client disconnects (and answer
    503 if uvicorn cancels it at the end of the app's `drain`).

    Call only after the body was read: the watcher then reads the ASGI channel, where the next
    message is `http.disconnect`. The watcher starts only once the block has run for
    `WATCH_AFTER_SECONDS` (an upstream that answers sooner needs none). Leaving the block stops
    it (before any response is sent, so the response's own disconnect listener is the only
    reader from then on).
    """

    __slots__ = ("_drain", "_fired", "_inside", "_task", "_timer", "_watcher", "receive")

    def __init__(self, request: Request, drain: Drain) -> None:
        self.receive = request.receive
        self._drain = drain
        self._fired = False
        self._inside = False
        self._task: asyncio.Task[Any] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._watcher: asyncio.Task[None] | None = None

    async def __aenter__(self) -> None:
        self._task = asyncio.current_task()
        self._inside = True
        self._timer = asyncio.get_running_loop().call_later(WATCH_AFTER_SECONDS, self._start_watcher)

    def _start_watcher(self) -> None:
        self._timer = None
        if self._inside:
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
        if self._timer is not None:
            self._timer.cancel()
        if self._watcher is not None:
            self._watcher.cancel()
        if self._fired and self._task is not None:
            self._task.uncancel()
            if exc_type is asyncio.CancelledError:
                raise ClientDisconnected() from None
        elif exc_type is asyncio.CancelledError and self._drain.draining and self._task is not None:
            # uvicorn's drain time ended while the upstream had not answered: a 503 in the API's shape, not its plain 500
            self._task.uncancel()
            raise shutting_down() from None
        return False
