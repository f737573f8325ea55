"""Schemathesis against the gateway's own OpenAPI schema (a live uvicorn server, mock upstreams):
no 5xx for any generated request, valid or not, and every error in OpenAI's format."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from prometheus_client import CollectorRegistry
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, status_code_conformance

from router.app import create_app
from tests.conftest import FakeClassifier
from tests.reliability.loopback_upstream import completion_body, content_chunk, usage_chunk
from tests.router.conftest import make_config

STREAM = content_chunk("hi") + usage_chunk() + b"data: [DONE]\n\n"


def upstream(request: httpx.Request) -> httpx.Response:
    """Any request gets a valid answer: a failure here would be the upstream's, not the gateway's."""
    if request.method == "GET":
        return httpx.Response(200, json={"object": "list", "data": []})
    if orjson.loads(request.content).get("stream"):

        async def events() -> Any:
            yield STREAM

        return httpx.Response(200, content=events(), headers={"content-type": "text/event-stream"})
    return httpx.Response(200, json=completion_body())


@pytest.fixture(scope="module")
def api_schema() -> Iterator[Any]:
    transports = {"sim": httpx.MockTransport(upstream), "spare": httpx.MockTransport(upstream)}
    app = create_app(make_config(server={"max_body_bytes": 65536}), classifier=FakeClassifier(), transports=transports, registry=CollectorRegistry())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", log_config=None, access_log=False, lifespan="on", http="httptools"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield schemathesis.openapi.from_url(f"http://127.0.0.1:{port}/openapi.json")
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


schema = schemathesis.pytest.from_fixture("api_schema")


@schemathesis.check
def openai_error_format(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx body is `{"error": {"message", "type", "param", "code"}}` — Anthropic's
    `{"type": "error", "error": {"type", "message"}}` on its Messages API —, with no traceback."""
    if response.status_code < 400:
        return None
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if case.path.startswith("/v1/messages"):  # a method it does not serve (405) too
        assert body.get("type") == "error" and isinstance(error, dict) and set(error) == {"type", "message"}, f"not an Anthropic error: {response.text[:200]}"
    else:
        assert isinstance(error, dict) and set(error) == {"message", "type", "param", "code"}, f"not an OpenAI error: {response.text[:200]}"
    assert isinstance(error["message"], str) and isinstance(error["type"], str)
    assert "Traceback" not in response.text
    return True


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_errors_are_openai_shaped(case: Any) -> None:
    response = case.call(timeout=10)
    case.validate_response(response, checks=[not_a_server_error, openai_error_format, status_code_conformance, negative_data_rejection])
