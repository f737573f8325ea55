"""A chat-completions stream re-told as an Anthropic Messages event stream, one translator per request.

Events follow Anthropic's order, which the anthropic SDK's `messages.stream()` accumulator checks:
`message_start`; per content block `content_block_start`, its deltas (`text_delta`, `input_json_delta`)
and `content_block_stop` before the next block starts; at the end `message_delta` (stop reason and the
usage, cumulative) and `message_stop`. The upstream's count of the prompt comes only at the end (the chat
usage comes last), so `message_start` carries the gateway's own count for the model serving it (its cost
estimate's) and `message_delta` the upstream's, which the SDK and Claude Code take over it; Claude Code's
context meter reads `message_start`, and showed 0 before. An
error after the first byte is Anthropic's `error` event. When the client turned thinking on, reasoning
deltas are a `thinking` block's `thinking_delta`s, closed with the `signature_delta` of an Anthropic
upstream's signed block (others have none); otherwise a `ping` stands for them, so a long think is no
dead stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from router.anthropic_api import shows_thinking, stop_fields, usage
from router.anthropic_errors import error_payload
from router.chunk_translator import ChunkTranslator
from router.protocol import APIError
from router.responses_api import new_id


class AnthropicStream(ChunkTranslator):
    """The Messages events for one streamed request."""

    def __init__(self, request: Mapping[str, Any]) -> None:
        super().__init__()
        self.request = request
        self.started = False
        self.blocks = 0  # content blocks started
        self.open: str | None = None  # the open block's kind (text, thinking, tool_use)
        self.input_tokens = 0  # the prompt as the gateway counted it (`begin`), for `message_start`

    def begin(self, prompt_tokens: int) -> None:
        self.input_tokens = prompt_tokens

    def error(self, exc: APIError) -> bytes:
        return b"" if self.failed else self._failure({"message": exc.message, "code": exc.status})

    def end(self, closing: dict[str, Any] | None) -> bytes:
        if self.failed:
            return b""
        closing = closing or {}
        calls = self._start(closing) + self.flush_calls()
        delta: dict[str, Any] = {"delta": stop_fields(self.request, self.finish_reason, bool(self.calls), self.matched_stop),
                                 "usage": usage(closing.get("usage"))}
        if "router" in closing:
            delta["router"] = closing["router"]
        return calls + self._close() + self._event("message_delta", **delta) + self._event("message_stop")

    def _start(self, chunk: Mapping[str, Any]) -> bytes:
        if self.started:
            return b""
        self.started = True
        message = {"id": new_id("msg"), "type": "message", "role": "assistant", "model": chunk.get("model") or self.request.get("model"),
                   "content": [], "stop_reason": None, "stop_sequence": None,
                   # no `cache_creation` split: unknown until the end, and the SDK keeps message_start's (message_delta's is not read)
                   "usage": {"input_tokens": self.input_tokens, "output_tokens": 0, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}}
        return self._event("message_start", message=message)

    def _keep_alive(self) -> bytes:
        return self._event("ping")

    def _text_delta(self, kind: str, text: str) -> bytes:
        """An answer's or a refusal's text: both are text blocks here."""
        out = self._open("text", {"type": "text", "text": ""}) if self.open != "text" else b""
        return out + self._event("content_block_delta", index=self.blocks - 1, delta={"type": "text_delta", "text": text})

    @property
    def shows_reasoning(self) -> bool:
        return shows_thinking(self.request)

    def _reasoning_delta(self, text: str) -> bytes:
        if not self.shows_reasoning:
            return b""
        out = self._open("thinking", {"type": "thinking", "thinking": "", "signature": ""}) if self.open != "thinking" else b""
        return out + self._event("content_block_delta", index=self.blocks - 1, delta={"type": "thinking_delta", "thinking": text})

    def _thinking_block(self, block: Mapping[str, Any]) -> bytes:
        """An Anthropic upstream's finished block: the signature of the thinking just streamed, or a redacted block."""
        if not self.shows_reasoning:
            return b""
        if block.get("type") == "redacted_thinking" and isinstance(block.get("data"), str):
            return self._open("redacted_thinking", {"type": "redacted_thinking", "data": block["data"]}) + self._close()
        signature = block.get("signature")
        if block.get("type") != "thinking" or not isinstance(signature, str) or not signature:
            return b""
        out = b"" if self.open == "thinking" else self._reasoning_delta(str(block.get("thinking") or ""))
        # Closed with its signature: the next thinking is a block of its own, as the upstream sent it (merged into
        # this one, the signature no longer matches its text, and the next turn that sends it back is refused).
        return out + self._event("content_block_delta", index=self.blocks - 1, delta={"type": "signature_delta", "signature": signature}) + self._close()

    def _call_delta(self, call: Mapping[str, Any]) -> bytes:
        function = call.get("function") or {}
        key, new = self._call_key(call)
        out = b""
        if new:
            out = self._open("tool_use", {"type": "tool_use", "id": call.get("id") or new_id("toolu"), "name": function.get("name") or "",
                                          "input": {}})
            self.calls[key] = self.blocks - 1
        arguments = function.get("arguments")
        if isinstance(arguments, str) and arguments:
            out += self._event("content_block_delta", index=self.calls[key], delta={"type": "input_json_delta", "partial_json": arguments})
        return out

    def _open(self, kind: str, block: dict[str, Any]) -> bytes:
        out = self._close()
        self.open = kind
        self.blocks += 1
        return out + self._event("content_block_start", index=self.blocks - 1, content_block=block)

    def _close(self) -> bytes:
        if self.open is None:
            return b""
        self.open = None
        return self._event("content_block_stop", index=self.blocks - 1)

    def _failure(self, error: Mapping[str, Any]) -> bytes:
        calls = self._start({}) + self.flush_calls()  # the calls held until then, as they were streamed before
        self.failed = True
        code = error.get("code")
        status = code if isinstance(code, int) else {"overloaded_error": 529, "rate_limit_error": 429}.get(str(error.get("type")), 500)
        payload = error_payload(str(error.get("message") or "upstream failed"), status)
        return calls + self._event("error", error=payload["error"])

    @staticmethod
    def _event(kind: str, **fields: Any) -> bytes:
        return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps({"type": kind, **fields}) + b"\n\n"
