"""Real-socket test rigs for the gateway: two loopback upstreams and in-process gateways in front of them (`Rig`,
the `rig` fixture), an in-loop uvicorn server for an app, and ports that refuse or hang a connection."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from tests.reliability.loopback_upstream import FakeUpstream


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
