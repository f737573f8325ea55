"""The escalation config and spare tier's answer the escalation and strategy tests share."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson

from router.config import parse_config
from tests.router.conftest import CONFIG


def config_with(low: dict[str, Any] | None = None, medium: dict[str, Any] | None = None) -> Any:
    data = copy.deepcopy(CONFIG)
    # `high` runs on the `spare` backend here, so each tier's upstream is told apart
    data["tiers"]["high"] = {"model": "spare-big", "effort": "high"}
    data["tiers"]["low"].update(low or {"escalate_to": "high"})
    if medium:
        data["tiers"]["medium"].update(medium)
    return parse_config(data, env={})


def spare_answer(content: str = "a real answer", prompt: int = 10, completion: int = 5, *, reports_usage: bool = True) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        if body.get("stream"):
            base = {"id": "s", "object": "chat.completion.chunk", "created": 1, "model": "spare-big"}
            frames = [base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": content}, "finish_reason": None}]},
                      base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                      base | {"choices": [], "usage": usage}][: None if reports_usage else -1]
            data = b"".join(b"data: " + orjson.dumps(frame) + b"\n\n" for frame in frames) + b"data: [DONE]\n\n"
            return httpx.Response(200, stream=httpx.ByteStream(data), headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json={"id": "s", "object": "chat.completion", "created": 1, "model": "spare-big", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}], "usage": usage})

    return handler
