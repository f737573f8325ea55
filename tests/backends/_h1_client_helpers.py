"""The loopback upstreams and client builders the HTTP/1.1 client tests share (test_h1_client_*.py)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Self

from backends.base import Backend, BackendConfig
from backends.h1pool import Pool
from backends.openai_compat import OpenAICompatibleBackend

BODY = b'{"model":"m","messages":[]}'


class Peer:
    """The server's side of one connection, with the requests read from it."""

    def __init__(self, server: Upstream, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        self.server, self.reader, self.writer, self.index = server, reader, writer, index

    async def request(self) -> bytes:
        """Read one request (head and body); returns the head. Raises on EOF."""
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
        body = await self.reader.readexactly(length)
        self.server.requests.append((self.index, head, body))
        return head

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def eof(self) -> bool:
        """Wait until the client closes the connection."""
        return await self.reader.read(1) == b""


Handler = Callable[[Peer], Awaitable[None]]


class Upstream:
    """A loopback server running `handler` for each connection (numbered from 0)."""

    def __init__(self, handler: Handler, *, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> None:
        self.handler, self.tls, self.host = handler, tls, host
        self.requests: list[tuple[int, bytes, bytes]] = []
        self.connections = 0
        self.closed: list[float] = []  # when each connection's handler saw it end
        self.port = 0

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, self.host, 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    def url(self, scheme: str = "http") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}/v1"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index, self.connections = self.connections, self.connections + 1
        try:
            await self.handler(Peer(self, reader, writer, index))
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            self.closed.append(time.monotonic())
            writer.transport.abort()


def ok(body: bytes = b'{"ok":true}', *headers: str, status: int = 200) -> bytes:
    extra = "".join(f"{header}\r\n" for header in headers)
    return f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


def chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


#: A chunked stream's head and first chunk, and nothing more (yet).
HALF_STREAM = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n"


async def half_stream_then_wait(peer: Peer) -> None:
    """Answer with `HALF_STREAM`, then hold the connection until the client closes it."""
    await peer.request()
    await peer.send(HALF_STREAM)
    await peer.eof()


async def keep_answering(peer: Peer) -> None:
    while True:
        await peer.request()
        await peer.send(ok())


def backend(url: str, **config: Any) -> Backend:
    config.setdefault("timeouts", {"connect": 1.0, "total": 5.0})
    return OpenAICompatibleBackend("b", BackendConfig(kind="openai", base_url=url, **config))


@contextlib.asynccontextmanager
async def client(url: str, **config: Any) -> AsyncIterator[Backend]:
    b = backend(url, **config)
    assert b._direct is not None
    try:
        yield b
    finally:
        await b.aclose()


def pool_of(b: Backend) -> Pool:
    assert b._direct is not None and b._direct._pool is not None
    return b._direct._pool


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.005)
