"""What the property tests of hostile bodies and hostile upstreams share: an app served in-process for
the length of a test, an upstream that replays whatever answer an example drew, the settings of tests
that run the whole app per example, and the end of a stream in each API's terms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
from hypothesis import HealthCheck, settings

#: Whole-app examples: no deadline (the first loads the classifier), fixtures shared across examples.
WHOLE_APP = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

#: Per API: a valid request (what varies is the answer) and how its stream ends when it ends well.
APIS = {
    "/v1/chat/completions": ({"messages": [{"role": "user", "content": "hello"}]}, "data: [DONE]"),
    "/v1/responses": ({"input": "hello"}, "event: response."),  # completed, incomplete or failed
    "/v1/messages": ({"max_tokens": 64, "messages": [{"role": "user", "content": "hello"}]}, "event: message_stop"),
    "/v1/completions": ({"prompt": "hello"}, "data: [DONE]"),
}


def ends_its_stream(text: str, path: str) -> bool:
    """Whether a stream's last event is its API's end, or an error event."""
    last = text.rstrip("\n").rsplit("\n\n", 1)[-1]
    return last.startswith(APIS[path][1]) or "error" in last


def replaying(answer: list[bytes]) -> httpx.MockTransport:
    """An upstream answering every request with ``answer[0]`` (set per example): as a stream's body, read
    as it arrives, when the request streams."""

    async def events(raw: bytes) -> AsyncIterator[bytes]:
        yield raw

    def upstream(request: httpx.Request) -> httpx.Response:
        if orjson.loads(request.content).get("stream"):
            return httpx.Response(200, content=events(answer[0]), headers={"content-type": "text/event-stream"})
        return httpx.Response(200, content=answer[0], headers={"content-type": "application/json"})

    return httpx.MockTransport(upstream)


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``app`` with its lifespan started, and closed after."""
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router.test") as client:
            yield client
    finally:
        await lifespan.__aexit__(None, None, None)
