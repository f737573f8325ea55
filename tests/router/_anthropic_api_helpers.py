"""What the Messages tests share (test_anthropic_api*.py, and the Responses, model list, hint and client-field tests
that reach an Anthropic upstream): the anthropic client of a harness, a stream's events, the test config with its high
tier on Claude, and a Claude upstream that keeps what it is sent."""

from __future__ import annotations

import importlib
from typing import Any

import httpx
import orjson

from tests.router.conftest import CONFIG, Harness, make_config


def sdk(harness: Harness, api_key: str = "unused") -> Any:
    """The anthropic client, in process: recent SDKs ship their own fork of httpx (`httpx2`)."""
    from anthropic import AsyncAnthropic

    base_client = importlib.import_module("anthropic._base_client")
    sdk_httpx: Any = getattr(base_client, "httpx2", None) or base_client.httpx
    app = harness.client._transport.app  # type: ignore[attr-defined]
    http = sdk_httpx.AsyncClient(transport=sdk_httpx.ASGITransport(app=app), base_url="http://router.test")
    return AsyncAnthropic(base_url="http://router.test", api_key=api_key, http_client=http, max_retries=0)


def events_of(text: str) -> list[dict[str, Any]]:
    """The payloads of a Messages stream; each event's name is its payload's type."""
    events = []
    for block in filter(None, text.split("\n\n")):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        payload = orjson.loads(lines["data"])
        assert lines["event"] == payload["type"]
        events.append(payload)
    return events


def claude_high_tier() -> Any:
    """The test config with its high tier on an Anthropic backend (`spare`, programmed by `spare_handler`)."""
    return make_config(backends={**CONFIG["backends"], "spare": {"kind": "anthropic", "base_url": "http://spare.test", "api_key": "sk-ant"}},
                       models={"small": CONFIG["models"]["small"],
                               "claude": {"backend": "spare", "reasoning": "anthropic", "input": 3.0, "cached_input": 0.3, "cache_write": 3.75, "output": 15.0}},
                       tiers={"low": {"model": "small", "max_score": 0.5}, "high": {"model": "claude"}})


def recording_claude(seen: list[Any], whole_request: bool = False) -> Any:
    """An Anthropic upstream that answers "ok" and keeps in ``seen`` each request's body, or with ``whole_request``
    the request itself (for its headers)."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request if whole_request else orjson.loads(request.content))
        return httpx.Response(200, json={"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-opus-4-7", "stop_reason": "end_turn",
                                         "stop_sequence": None, "content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 9, "output_tokens": 2}})

    return handler
