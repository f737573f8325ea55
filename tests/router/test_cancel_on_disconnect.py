"""`cancel_on_disconnect`: a watcher task only for blocks that outlive `WATCH_AFTER_SECONDS`."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import router.streaming
from router.shutdown import Drain
from router.streaming import ClientDisconnected, cancel_on_disconnect

pytestmark = pytest.mark.anyio


class FakeRequest:
    """An ASGI channel whose next message is `http.disconnect` once `gone` is set."""

    def __init__(self) -> None:
        self.gone = asyncio.Event()
        self.reads = 0

    async def receive(self) -> dict[str, Any]:
        self.reads += 1
        await self.gone.wait()
        return {"type": "http.disconnect"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_fast_block_starts_no_watcher() -> None:
    request = FakeRequest()
    tasks_before = len(asyncio.all_tasks())
    async with cancel_on_disconnect(request, Drain()):  # type: ignore[arg-type]
        await asyncio.sleep(0)
        assert len(asyncio.all_tasks()) == tasks_before
    await asyncio.sleep(router.streaming.WATCH_AFTER_SECONDS * 2)
    assert request.reads == 0  # the timer was cancelled with the block


async def test_a_slow_block_is_cancelled_when_the_client_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(router.streaming, "WATCH_AFTER_SECONDS", 0.01)
    request = FakeRequest()
    asyncio.get_running_loop().call_later(0.05, request.gone.set)
    with pytest.raises(ClientDisconnected):
        async with cancel_on_disconnect(request, Drain()):  # type: ignore[arg-type]
            await asyncio.sleep(5)
    assert request.reads == 1


async def test_a_disconnect_before_the_watcher_starts_is_still_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(router.streaming, "WATCH_AFTER_SECONDS", 0.03)
    request = FakeRequest()
    request.gone.set()  # already gone when the block starts
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(ClientDisconnected):
        async with cancel_on_disconnect(request, Drain()):  # type: ignore[arg-type]
            await asyncio.sleep(5)
    assert loop.time() - started < 1.0


async def test_a_block_that_ends_normally_after_the_watcher_started_is_not_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(router.streaming, "WATCH_AFTER_SECONDS", 0.01)
    request = FakeRequest()
    async with cancel_on_disconnect(request, Drain()):  # type: ignore[arg-type]
        await asyncio.sleep(0.05)
    assert request.reads == 1
    request.gone.set()
    await asyncio.sleep(0.02)  # the stopped watcher must not cancel this task now


FINISH_SCRIPT = """
import asyncio, time, uvloop
from router.streaming import finish

async def close():
    return None

async def relay(started, out):
    try:
        started.set()
        await asyncio.sleep(10)
    finally:
        began = time.monotonic()
        await finish(close())
        out.append(time.monotonic() - began)

async def main():
    out, started = [], asyncio.Event()
    async def busy():  # other streams keep the loop going round
        for _ in range(30):
            await asyncio.sleep(0.01)
    task, other = asyncio.create_task(relay(started, out)), asyncio.create_task(busy())
    await started.wait()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    await other
    print(out[0])

uvloop.run(main())
"""


def test_finish_closes_at_once_in_a_task_being_cancelled() -> None:
    """The relay's close runs in a task whose cancellation (the client left) is being delivered:
    it must not wait for the loop's other work first (anyio's shielded scope did, ~30 ms here and
    until the upstream ended under vLLM, which kept generating meanwhile). On uvloop, as served."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", FINISH_SCRIPT], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 0.005


async def test_a_request_still_waiting_when_the_drain_time_ends_gets_a_503() -> None:
    """uvicorn cancels what is still running at the end of its drain time: a request still waiting for its upstream then
    answers 503 `shutting_down` in the API's shape (it got uvicorn's plain-text 500, and the log a traceback)."""
    from types import SimpleNamespace

    from router.protocol import APIError

    drain = Drain()  # the app's (router/shutdown.py)
    async def never() -> dict[str, Any]:
        await asyncio.sleep(3600)
        return {}

    async def waiting_for_the_upstream() -> None:
        async with cancel_on_disconnect(SimpleNamespace(receive=never), drain):  # type: ignore[arg-type]
            await asyncio.sleep(3600)

    drain.begin(0.0)
    task = asyncio.create_task(waiting_for_the_upstream())
    await asyncio.sleep(0.01)
    task.cancel()  # what uvicorn does when its drain time is over
    with pytest.raises(APIError) as info:
        await task
    assert info.value.status == 503 and info.value.code == "shutting_down" and task.cancelling() == 0
    drain.reset()
    task = asyncio.create_task(waiting_for_the_upstream())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):  # not draining: a cancellation stays one
        await task


async def test_a_relay_cancelled_for_another_reason_than_the_client_leaving_stays_cancelled() -> None:
    """`RelayResponse` ends quietly only when the client left; any other cancellation (a shutdown cancelling the handler, a
    timeout around it) propagates, after the body is closed — swallowed, the task reads as finished and whoever cancelled
    it waits on (mutation review: `except CancelledError: pass` went unnoticed)."""
    from router.streaming import RelayResponse

    closed: list[bool] = []

    async def body() -> Any:
        try:
            yield b"data: 1\n\n"
            await asyncio.sleep(3600)
            yield b"data: 2\n\n"
        finally:
            closed.append(True)

    stays = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await stays.wait()  # the client never leaves
        return {"type": "http.disconnect"}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    task = asyncio.create_task(RelayResponse(body(), media_type="text/event-stream")({"type": "http"}, receive, send))
    await asyncio.sleep(0.05)
    assert [m.get("body") for m in sent if m["type"] == "http.response.body"] == [b"data: 1\n\n"]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert closed == [True], "the body is closed all the same"
