"""A request's head is bounded under httptools (router/httphead.py): an endless header is a 400, not a worker's
memory and event loop (the head is read before any route, so no API key stops it)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn

from router.httphead import MAX_HEAD_BYTES, BoundedHttpToolsProtocol

pytestmark = pytest.mark.anyio


async def _ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
async def port() -> AsyncIterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(_ok, log_level="warning", lifespan="off", http=BoundedHttpToolsProtocol))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    yield sock.getsockname()[1]
    server.should_exit = True
    await task


async def _request(port: int, head: bytes, *, chunk: int = 64 * 1024) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for start in range(0, len(head), chunk):
            writer.write(head[start : start + chunk])
            await writer.drain()
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()


async def test_an_endless_header_is_a_400_and_the_server_serves_on(port: int) -> None:
    start = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "
    huge = start + b"a" * (MAX_HEAD_BYTES + 1 - len(start))  # one byte over, and no end: the answer is not to wait for one
    answer = await _request(port, huge)  # (more bytes behind it would reset the connection the server closes)
    assert answer.startswith(b"HTTP/1.1 400") and b"too large" in answer
    assert (await _request(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).endswith(b"ok")


async def test_heads_within_the_bound_are_served_on_a_kept_connection(port: int) -> None:
    """60 KB headers (big cookies, JWTs) pass; the count starts again for each request on the connection."""
    one = b"GET / HTTP/1.1\r\nHost: x\r\nX-Token: " + b"t" * 60_000 + b"\r\n\r\n"
    kept = MAX_HEAD_BYTES // len(one) + 3  # more head bytes in all than one head may have
    answer = await _request(port, one * kept + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.count(b"HTTP/1.1 200") == kept + 1 and b"HTTP/1.1 400" not in answer
