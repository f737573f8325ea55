"""Real-socket test rigs: a scriptable OpenAI-compatible upstream that records when each request's
connection is closed, and an in-loop uvicorn server for the gateway.

`FakeUpstream` speaks just enough HTTP/1.1 (keep-alive, chunked streaming) for the gateway's HTTP
client, so timing, stalls, cut connections and client disconnects are real socket events.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable
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


@contextlib.asynccontextmanager
async def serve_app(app: Any, **options: Any) -> AsyncIterator[str]:
    """Run an ASGI app with uvicorn on a free loopback port in this event loop; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options.setdefault("lifespan", "off")  # Rig.gateway already entered the app's lifespan
    options.setdefault("log_level", "warning")
    options.setdefault("log_config", None)  # leave the test runner's logging (and any capture) as it is
    config = uvicorn.Config(app, http="httptools", access_log=False, **options)
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]  # leave the test runner's signals alone
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


def blackhole_port() -> tuple[int, list[socket.socket]]:
    """A loopback port whose accept backlog is full: connecting hangs (SYNs are dropped), which is
    how a connect timeout looks. Keep the returned sockets open while using the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    held = [listener]
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        held.append(filler)
    time.sleep(0.05)
    return port, held


def closed_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Rig:
    """Two loopback upstreams `a` and `b` and gateways built in front of them.

    Models `ma` (backend a) and `mb` (backend b); tier `low` is ma with fallback mb, tier `high` is mb.
    """

    def __init__(self, a: FakeUpstream, b: FakeUpstream, classifier: Any) -> None:
        self.a, self.b = a, b
        self.classifier = classifier
        self._stack = contextlib.AsyncExitStack()

    def config_data(self, *, a: dict[str, Any] | None = None, b: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
        quick = {"timeouts": {"connect": 1.0, "first_byte": 5.0, "idle": 5.0, "total": 10.0}, "circuit": {"failures": 100, "cooldown_seconds": 30}}
        data: dict[str, Any] = {
            "backends": {
                "a": {"kind": "openai", "base_url": self.a.url, "api_key": "sk-upstream-a-secret", **quick, **(a or {})},
                "b": {"kind": "openai", "base_url": self.b.url, "api_key": "sk-upstream-b-secret", **quick, **(b or {})},
            },
            "models": {"ma": {"backend": "a", "input": 1.0, "output": 2.0}, "mb": {"backend": "b", "input": 1.0, "output": 2.0}},
            "tiers": {"low": {"model": "ma", "fallbacks": ["mb"], "max_score": 0.5}, "high": {"model": "mb"}},
        }
        data.update(top)
        return data

    async def gateway(self, data: dict[str, Any] | None = None, **kwargs: Any) -> RigGateway:
        """An in-process gateway (ASGI client) whose backends use real sockets to the upstreams."""
        import httpx
        from prometheus_client import CollectorRegistry

        from router.app import create_app
        from router.config import parse_config

        registry = CollectorRegistry()
        app = create_app(parse_config(data or self.config_data(**kwargs), env={}), classifier=self.classifier, registry=registry)
        await self._stack.enter_async_context(app.router.lifespan_context(app))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router.test", timeout=30)
        self._stack.push_async_callback(client.aclose)
        return RigGateway(app, client, registry)

    async def aclose(self) -> None:
        await self._stack.aclose()
        await self.a.stop()
        await self.b.stop()


@dataclass
class RigGateway:
    app: Any
    client: Any
    registry: Any

    @property
    def state(self) -> Any:
        return self.app.state.router

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    async def chat(self, content: str = "hello", model: str = "auto", **fields: Any) -> Any:
        body = {"model": model, "messages": [{"role": "user", "content": content}], **fields}
        return await self.client.post("/v1/chat/completions", json=body)


def sse_events(text: str) -> list[Any]:
    """The payloads of an SSE body: dicts, and the string "[DONE]"."""
    out: list[Any] = []
    for block in text.split("\n\n"):
        if block.startswith("data: "):
            data = block[6:]
            out.append(data if data == "[DONE]" else orjson.loads(data))
    return out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServeProcess:
    """`complexity-router serve` in a subprocess (the real CLI, uvicorn, signals and all)."""

    def __init__(self, config_path: str, port: int | None = None, *, log_path: str | None = None, workers: int = 1) -> None:
        self.config_path = config_path
        self.port = port or free_port()
        self.log_path = log_path
        self.workers = workers
        self.process: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServeProcess:
        import os
        import subprocess
        import sys
        from pathlib import Path

        root = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 - handed to the child
        command = [sys.executable, "-m", "router.cli", "serve", "--config", self.config_path, "--port", str(self.port), "--log-level", "warning"]
        if self.workers != 1:
            command += ["--workers", str(self.workers)]
        self.process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=log)
        return self

    async def wait_ready(self, timeout: float = 90.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"serve exited with {self.process.returncode}")
                try:
                    if (await client.get(self.url + "/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError("serve did not become ready")

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def rss_bytes(self) -> int:
        """Resident memory of the server process (and its workers, if any)."""
        pids = [self.process.pid]
        try:
            children = open(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read().split()  # noqa: SIM115
            pids += [int(pid) for pid in children]
        except OSError:
            pass
        total = 0
        for pid in pids:
            try:
                for line in open(f"/proc/{pid}/status"):  # noqa: SIM115
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total

    def stop(self, timeout: float = 20.0) -> int | None:
        import signal as signals
        import subprocess

        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signals.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(5)


async def upstream_running_requests(metrics_url: str, metric: str = "vllm:num_requests_running") -> float:
    """The sum of a gauge on an upstream's Prometheus endpoint (vLLM: requests being generated now)."""
    import httpx

    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(metrics_url)).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(metric) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def wait_until_upstream_idle(metrics_url: str, timeout: float = 1.0, metric: str = "vllm:num_requests_running") -> float:
    """Seconds until the upstream reports no running request; raises TimeoutError after `timeout`.

    For the real-vLLM check of client disconnects: open a long stream through the gateway, read a
    few events, close the client, then `await wait_until_upstream_idle(VLLM + "/metrics")`.
    """
    started = time.monotonic()
    while True:
        if await upstream_running_requests(metrics_url, metric) == 0:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{metric} still above 0 after {timeout} s")
        await asyncio.sleep(0.02)
