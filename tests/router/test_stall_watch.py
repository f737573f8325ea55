"""`server.client_stall_seconds`: a write the client has left waiting that long ends the stream (router/streaming.py),
nginx's `send_timeout`; a client that reads, however slowly, is kept."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from router.streaming import _DisconnectWatcher

pytestmark = pytest.mark.anyio

STALL = 1.0


async def _connected() -> dict[str, Any]:
    await asyncio.Event().wait()  # the client never disconnects
    return {"type": "http.disconnect"}


async def test_a_waiting_write_ends_the_stream_between_one_and_one_and_a_quarter_stalls() -> None:
    """One check a stall period needed to see the same write waiting twice: a client that read nothing was held up to
    twice the setting (120 s at the default 60)."""
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(asyncio.sleep(30))
    watcher = _DisconnectWatcher(_connected, task, STALL)
    watcher.sending, watcher.sent = True, 1  # the relay's first write, waiting from the start
    started = loop.time()
    with pytest.raises(asyncio.CancelledError):
        await task
    waited = loop.time() - started
    watcher.stop()
    assert watcher.left() and STALL - 0.01 <= waited <= 1.25 * STALL + 0.25


async def test_a_client_that_reads_slowly_is_kept() -> None:
    task = asyncio.create_task(asyncio.sleep(30))
    watcher = _DisconnectWatcher(_connected, task, STALL)
    watcher.sending = True
    for sent in range(1, 9):  # each write goes out within 0.3 s: 2.4 s in all, over two stalls
        watcher.sent = sent
        await asyncio.sleep(0.3)
    assert not task.done()
    watcher.stop()
    task.cancel()
