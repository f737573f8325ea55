"""A scriptable OpenAI-compatible upstream on a real loopback socket that records when each request's connection is
closed, and the SSE chunks it (and a test reading the gateway's stream) speaks.

`FakeUpstream` speaks just enough HTTP/1.1 (keep-alive, chunked streaming) for the gateway's HTTP
client, so timing, stalls, cut connections and client disconnects are real socket events.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson


def sse(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else orjson.dumps(payload).decode()
    return f"data: {data}\n\n".encode()


def content_chunk(text: str, model: str = "m", index: int = 0) -> bytes:
    return sse({"id": f"c{index}", "object": "chat.completion.chunk", "created": 1, "model": model,
                "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]})


def usage_chunk(prompt: int = 5, completion: int = 3, model: str = "m") -> bytes:
    return sse({"id": "cu", "object": "chat.completion.chunk", "created": 1, "model": model, "choices": [],
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}})


DONE = b"data: [DONE]\n\n"


def completion_body(text: str = "ok", model: str = "m") -> dict[str, Any]:
    return {"id": "x", "object": "chat.completion", "created": 1, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}}


@dataclass
class Behaviour:
    """What the upstream does with one chat request."""

    status: int = 200
    header_delay: float = 0.0  # before the status line
    chunks: list[bytes] | None = None  # stream events; None = a stream of `words` then usage and [DONE]
    words: int = 3
    chunk_delay: float = 0.0  # before each chunk
    then: str = "done"  # done | hang (keep the response open) | close (cut the connection)
    json: dict[str, Any] | None = None  # the body of a non-streaming or error response
    abort: bool = False  # reset the connection instead of answering (a crash before the first byte)
    raw: bytes | None = None  # a non-streaming body sent as is (malformed JSON, …)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Record:
    """One chat request as the upstream saw it."""

    body: dict[str, Any]
    headers: dict[str, str]
    started: float
    closed_at: float | None = None  # when the gateway closed the connection mid-response
    completed: bool = False


Script = Callable[[dict[str, Any], int], Behaviour]


class FakeUpstream:
    """A loopback OpenAI-compatible server; `script(body, index)` decides each chat request."""

    def __init__(self, script: Script | None = None) -> None:
        self.script: Script = script or (lambda body, index: Behaviour())
        self.records: list[Record] = []
        self.connections = 0
        self.open_connections = 0
        self.active = 0  # chat requests being answered now
        self.peak_active = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chat_records(self) -> list[Record]:
        return self.records

    async def start(self, port: int = 0) -> FakeUpstream:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Close the listener and every open connection (a crashed upstream)."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def wait_closed(self, record: Record, timeout: float = 2.0) -> float | None:
        """Wait until the gateway closed `record`'s connection; the moment, or None."""
        deadline = time.monotonic() + timeout
        while record.closed_at is None and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return record.closed_at

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_connections += 1
        self._writers.add(writer)
        carry = bytearray()  # a byte of the next request read while watching for the gateway hanging up
        try:
            while await self._one_request(reader, writer, carry):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self.open_connections -= 1
            self._writers.discard(writer)
            writer.transport.abort()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, carry: bytearray) -> bool:
        head = bytes(carry) + await reader.readuntil(b"\r\n\r\n")
        carry.clear()
        lines = head.decode("latin-1").split("\r\n")
        method, _path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        raw = await reader.readexactly(int(headers.get("content-length", "0")))
        if method == "GET":
            await self._send(writer, 200, orjson.dumps({"object": "list", "data": [{"id": "m", "object": "model"}]}))
            return True
        body = orjson.loads(raw) if raw else {}
        record = Record(body=body, headers=headers, started=time.monotonic())
        self.records.append(record)
        behaviour = self.script(body, len(self.records) - 1)
        eof = asyncio.ensure_future(reader.read(1))  # b"" once the gateway closes the connection
        self.active += 1
        self.peak_active = max(self.peak_active, self.active)
        try:
            return await self._respond(writer, eof, record, behaviour, stream=bool(body.get("stream")))
        finally:
            self.active -= 1
            if not eof.done():
                eof.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await eof  # let the read give the stream back before the next request is read
            elif not eof.cancelled() and eof.exception() is None and eof.result():
                carry.extend(eof.result())

    async def _respond(self, writer: asyncio.StreamWriter, eof: asyncio.Future[bytes], record: Record, behaviour: Behaviour, stream: bool) -> bool:
        async def pause(seconds: float) -> bool:
            """Sleep unless the gateway hangs up first; False when it did."""
            if seconds <= 0 and not eof.done():
                return True
            done, _ = await asyncio.wait({eof}, timeout=seconds)
            if done and not (eof.exception() is None and eof.result()):
                record.closed_at = time.monotonic()
                return False
            return True

        if not await pause(behaviour.header_delay):
            return False
        if behaviour.abort:
            writer.transport.abort()
            return False
        if behaviour.status != 200 or not stream or behaviour.raw is not None:  # a raw body: also an answer that ignored `stream`
            payload = behaviour.json if behaviour.json is not None else completion_body()
            if behaviour.then == "close":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\"")
                await writer.drain()
                return False
            await self._send(writer, behaviour.status, behaviour.raw if behaviour.raw is not None else orjson.dumps(payload), behaviour.headers)
            record.completed = True
            return True
        head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in behaviour.headers.items()) + "\r\n"
        writer.write(head.encode())
        chunks = behaviour.chunks
        if chunks is None:
            chunks = [content_chunk(f"w{i} ", index=i) for i in range(behaviour.words)] + [usage_chunk(), DONE]
        try:
            for chunk in chunks:
                if not await pause(behaviour.chunk_delay):
                    return False
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                await writer.drain()
            if behaviour.then == "hang":
                await eof
                record.closed_at = time.monotonic()
                return False
            if behaviour.then == "close":
                return False
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        except ConnectionError:
            record.closed_at = time.monotonic()
            return False
        record.completed = True
        return True

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body)
        await writer.drain()


def sse_events(text: str) -> list[Any]:
    """The payloads of an SSE body: dicts, and the string "[DONE]"."""
    out: list[Any] = []
    for block in text.split("\n\n"):
        if block.startswith("data: "):
            data = block[6:]
            out.append(data if data == "[DONE]" else orjson.loads(data))
    return out
