"""A gateway wired to in-process upstreams: the simulated server and programmable fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from router.app import create_app
from router.config import RouterConfig, parse_config
from router.demo.upstream import SimulatedUpstream
from tests.classifiers.conftest import config_file, default, tiny_classifier, tiny_estimator  # noqa: F401 (fixtures: the classifier's commands, test_classifier_commands_*.py)
from tests.conftest import require_tool
from tests.opskit import RedisServer

CONFIG: dict[str, Any] = {
    "backends": {
        "sim": {"kind": "openai", "base_url": "http://sim.test/v1"},
        "spare": {"kind": "openai", "base_url": "http://spare.test/v1", "api_key": "sk-upstream-secret"},
    },
    "models": {
        "small": {"backend": "sim", "upstream_name": "Qwen/Qwen3-8B", "reasoning": "qwen3", "input": 0.05, "output": 0.20},
        "big": {"backend": "sim", "reasoning": "openai", "input": 1.10, "cached_input": 0.275, "output": 4.40},
        "spare-big": {"backend": "spare", "reasoning": "openai", "input": 2.0, "output": 8.0},
        "unpriced": {"backend": "sim"},
    },
    "tiers": {
        "low": {"model": "small", "effort": "none", "max_score": 0.4, "params": {"temperature": 0.7}},
        "medium": {"model": "small", "effort": "medium", "thinking_budget": 2048, "max_score": 0.75},
        "high": {"model": "big", "effort": "high", "fallbacks": ["spare-big"]},
    },
}


def make_config(**overrides: Any) -> RouterConfig:
    data = {key: (dict(value) if isinstance(value, dict) else value) for key, value in CONFIG.items()}
    data.update(overrides)
    return parse_config(data, env={})


Handler = Callable[[httpx.Request], Any]


class Harness:
    """The app plus handles on its upstreams."""

    def __init__(self, client: httpx.AsyncClient, upstream: SimulatedUpstream, registry: CollectorRegistry, spare_requests: list[httpx.Request]) -> None:
        self.client = client
        self.upstream = upstream
        self.registry = registry
        self.spare_requests = spare_requests

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    async def chat(self, content: str = "hello", **fields: Any) -> httpx.Response:
        body = {"model": "auto", "messages": [{"role": "user", "content": content}], **fields}
        return await self.client.post("/v1/chat/completions", json=body)


@pytest.fixture
def spare_handler() -> list[Handler]:
    """Tests replace element 0 to program the `spare` backend."""

    def ok(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 1, "model": "spare", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "from spare"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})

    return [ok]


@pytest.fixture
async def make_harness(fake_classifier: Any, spare_handler: list[Handler]) -> AsyncIterator[Callable[..., Any]]:
    stack: list[Any] = []

    async def build(config: RouterConfig | None = None, sim_transport: httpx.AsyncBaseTransport | None = None) -> Harness:
        upstream = SimulatedUpstream(token_delay=0)
        spare_requests: list[httpx.Request] = []

        def spare(request: httpx.Request) -> httpx.Response:
            spare_requests.append(request)
            return spare_handler[0](request)

        registry = CollectorRegistry()
        transports = {"sim": sim_transport or httpx.ASGITransport(app=upstream.app()), "spare": httpx.MockTransport(spare)}
        app = create_app(config or make_config(), classifier=fake_classifier, transports=transports, registry=registry)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router.test")
        stack.append((lifespan, client))
        return Harness(client, upstream, registry, spare_requests)

    yield build
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def harness(make_harness: Callable[..., Any]) -> Harness:
    return await make_harness()


@pytest.fixture
def redis_server() -> Any:
    """A real redis-server on a free port, for the tests of shared limit state."""
    server = RedisServer(require_tool("redis-server"))
    server.start()
    yield server
    server.close()
