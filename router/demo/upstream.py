"""A SIMULATED OpenAI-compatible upstream for the demo and tests — not a model.

It answers `/v1/chat/completions` with deterministic text derived from the prompt, token counts
of realistic size (about four characters a token), reasoning tokens when thinking is asked for,
and a streaming pace like a small served model, so routing, streaming, headers and metrics can
be seen with no GPU and no API key.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

ANSWER_TEXT = (
    "the router scores each prompt and sends simple questions to a small model while hard problems "
    "get a reasoning tier with a thinking budget so that compute follows difficulty and cost stays visible"
)
WORDS = ANSWER_TEXT.split()

EFFORT_TOKENS = {"minimal": 64, "low": 160, "medium": 480, "high": 1200, "xhigh": 2400, "max": 4800}


def _tokens(text: str) -> int:
    return max(1, (len(text) + 3) // 4)


def _prompt_tokens(messages: list[dict[str, Any]]) -> int:
    total = 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        total += 4 + _tokens(str(content or ""))
    return total + 2


def _seed(messages: list[dict[str, Any]]) -> int:
    return int.from_bytes(hashlib.sha256(orjson.dumps(messages)).digest()[:4], "big")


def _reasoning_tokens(body: dict[str, Any]) -> int:
    kwargs = body.get("chat_template_kwargs") or {}
    effort = body.get("reasoning_effort")
    if kwargs.get("enable_thinking") is False:
        return 0
    if kwargs.get("enable_thinking") or effort:
        planned = EFFORT_TOKENS.get(effort or "medium", 480)
        budget = body.get("thinking_token_budget")
        return min(planned, budget) if isinstance(budget, int) else planned
    return 0


def plan_answer(body: dict[str, Any]) -> tuple[list[str], int, str]:
    """The answer words, the reasoning tokens and the finish reason for a request."""
    messages = body.get("messages") or []
    seed = _seed(messages)
    length = 12 + seed % 48
    cap = body.get("max_completion_tokens") or body.get("max_tokens")
    reasoning = _reasoning_tokens(body)
    finish = "stop"
    if isinstance(cap, int) and reasoning + length > cap:
        reasoning = min(reasoning, cap)
        length = max(0, cap - reasoning)
        finish = "length"
    words = [WORDS[(seed + i * 7) % len(WORDS)] for i in range(length)]
    return words, reasoning, finish


def _usage(body: dict[str, Any], completion: int, reasoning: int) -> dict[str, Any]:
    prompt = _prompt_tokens(body.get("messages") or [])
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion + reasoning,
        "total_tokens": prompt + completion + reasoning,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }


class SimulatedUpstream:
    """The simulated server; `token_delay` is seconds per streamed token (0 in tests)."""

    def __init__(self, token_delay: float = 0.004) -> None:
        self.token_delay = token_delay
        self.requests: list[dict[str, Any]] = []

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/models", self.models, methods=["GET"]),
                Route("/health", self.health, methods=["GET"]),
            ]
        )

    async def health(self, request: Request) -> Response:
        return Response(b"")

    async def models(self, request: Request) -> Response:
        return Response(orjson.dumps({"object": "list", "data": [{"id": "simulated", "object": "model"}]}), media_type="application/json")

    async def chat(self, request: Request) -> Response:
        body = orjson.loads(await request.body())
        self.requests.append(body)
        words, reasoning, finish = plan_answer(body)
        ident = f"chatcmpl-sim{_seed(body.get('messages') or []):08x}"
        base = {"id": ident, "created": int(time.time()), "model": body.get("model", "simulated")}
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": " ".join(words)}
            if reasoning:
                message["reasoning_content"] = "thinking " * min(reasoning, 64)
            payload = base | {
                "object": "chat.completion",
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": _usage(body, len(words), reasoning),
            }
            return Response(orjson.dumps(payload), media_type="application/json")
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamingResponse(self._stream(body, base, words, reasoning, finish, include_usage), media_type="text/event-stream")

    async def _stream(
        self, body: dict[str, Any], base: dict[str, Any], words: list[str], reasoning: int, finish: str, include_usage: bool
    ) -> AsyncIterator[bytes]:
        chunk = base | {"object": "chat.completion.chunk"}

        def frame(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
            payload = chunk | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
            return b"data: " + orjson.dumps(payload) + b"\n\n"

        yield frame({"role": "assistant", "content": ""})
        for _ in range(min(reasoning, 32)):
            await asyncio.sleep(self.token_delay)
            yield frame({"reasoning_content": "thinking "})
        for index, word in enumerate(words):
            await asyncio.sleep(self.token_delay)
            yield frame({"content": word if index == 0 else " " + word})
        yield frame({}, finish)
        if include_usage:
            yield b"data: " + orjson.dumps(chunk | {"choices": [], "usage": _usage(body, len(words), reasoning)}) + b"\n\n"
        yield b"data: [DONE]\n\n"
