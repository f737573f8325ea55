"""A programmable OpenAI-compatible upstream for the test-time-compute tests (httpx.MockTransport).

`Scripted.answers` is a list of (content, finish_reason) consumed in order, one per choice; with
`n` in the request it returns n choices (vLLM's behaviour: usage summed over choices, prompt
counted once). `/metrics` serves `metrics_text` (`metrics()` writes vLLM's). `fail_with` makes chat requests
fail with a status.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httpx
import orjson

PROMPT_TOKENS = 20

VLLM_METRICS = """# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{{engine="0",model_name="tiny-llama"}} {waiting}
vllm:num_requests_waiting_by_reason{{engine="0",model_name="tiny-llama",reason="capacity"}} 99.0
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{{engine="0",model_name="tiny-llama"}} {kv}
vllm:num_requests_running{{engine="0",model_name="tiny-llama"}} 16.0
"""


def metrics(waiting: float = 0, kv: float = 0.0) -> str:
    """vLLM's /metrics text with ``waiting`` requests queued and the KV cache ``kv`` full."""
    return VLLM_METRICS.format(waiting=waiting, kv=kv)


class Scripted:
    def __init__(self, answers: Iterable[tuple[str | None, str]] = (), *, completion_tokens: int = 10, reasoning_tokens: int = 0) -> None:
        self.answers: list[tuple[str | None, str]] = list(answers)
        self.default: tuple[str | None, str] = ("#### 1", "stop")
        self.completion_tokens = completion_tokens
        self.reasoning_tokens = reasoning_tokens
        self.requests: list[dict[str, Any]] = []
        self.metrics_text = ""
        self.metrics_requests = 0
        self.fail_with: int | None = None
        self.refusal: str | None = None

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def _next(self) -> tuple[str | None, str]:
        return self.answers.pop(0) if self.answers else self.default

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/metrics"):
            self.metrics_requests += 1
            return httpx.Response(200, text=self.metrics_text)
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": []})
        body = orjson.loads(request.content)
        self.requests.append(body)
        if self.fail_with is not None:
            return httpx.Response(self.fail_with, json={"error": {"message": "scripted failure", "type": "server_error"}})
        n = int(body.get("n") or 1)
        picks = [self._next() for _ in range(n)]
        per = self.completion_tokens + self.reasoning_tokens
        usage = {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": per * n, "total_tokens": PROMPT_TOKENS + per * n,
                 "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens * n}}
        base = {"id": "chatcmpl-scripted", "created": 1, "model": body.get("model")}
        if not body.get("stream"):
            choices = []
            for index, (content, finish) in enumerate(picks):
                message: dict[str, Any] = {"role": "assistant", "content": content}
                if self.refusal is not None:
                    message["refusal"] = self.refusal
                if self.reasoning_tokens:
                    message["reasoning"] = "hmm "
                choices.append({"index": index, "message": message, "finish_reason": finish})
            return httpx.Response(200, json=base | {"object": "chat.completion", "choices": choices, "usage": usage})
        frames = []

        def frame(payload: dict[str, Any]) -> None:
            frames.append(b"data: " + orjson.dumps(base | {"object": "chat.completion.chunk"} | payload) + b"\n\n")

        for index, (content, finish) in enumerate(picks):
            frame({"choices": [{"index": index, "delta": {"role": "assistant"} | ({} if content is None else {"content": ""}), "finish_reason": None}]})
            if self.reasoning_tokens:
                frame({"choices": [{"index": index, "delta": {"reasoning": "hmm "}, "finish_reason": None}]})
            if self.refusal is not None:
                frame({"choices": [{"index": index, "delta": {"refusal": self.refusal}, "finish_reason": None}]})
            for number, word in enumerate((content or "").split(" ") if content else ()):
                frame({"choices": [{"index": index, "delta": {"content": " " + word if number else word}, "finish_reason": None}]})
            frame({"choices": [{"index": index, "delta": {}, "finish_reason": finish}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            frame({"choices": [], "usage": usage})
        frames.append(b"data: [DONE]\n\n")
        return httpx.Response(200, stream=httpx.ByteStream(b"".join(frames)), headers={"content-type": "text/event-stream"})


async def call_and_leave(app: Any, path: str, body: dict[str, Any], leave_after: float) -> list[dict[str, Any]]:
    """Drive the ASGI app as a client that sends `body` and disconnects `leave_after` seconds later; the messages sent."""
    sent: list[dict[str, Any]] = []
    raw = orjson.dumps(body)
    delivered = False
    gone = asyncio.Event()
    asyncio.get_running_loop().call_later(leave_after, gone.set)

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http", "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers, "client": ("127.0.0.1", 1),
             "server": ("router.test", 80)}
    await app(scope, receive, send)
    return sent
