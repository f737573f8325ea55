"""Anthropic Messages API responses → OpenAI chat completions (whole and streamed).

- Text blocks are joined into `content` (null when there is none); `tool_use` blocks become
  `tool_calls` (input re-serialised as the JSON `arguments` string); thinking blocks become
  `reasoning_content` (vLLM's field name) and, with their signatures, `thinking_blocks`
  (LiteLLM's convention) so a client can send them back in a tool loop.
- `stop_reason` → `finish_reason`: end_turn, stop_sequence, pause_turn → stop; max_tokens,
  model_context_window_exceeded → length; tool_use → tool_calls; refusal → content_filter;
  anything else (or none) → stop. A matched `stop_sequence` is the choice's `stop_reason`, where
  vLLM names the stop string it matched.
- Usage is normalised with `Usage.from_anthropic` (prompt includes cache reads and writes).
  Anthropic folds thinking into `output_tokens`; reasoning tokens are reported only when the
  response breaks them out (`usage.output_tokens_details.thinking_tokens`), else 0.
- Streams: message_start → the role chunk, deltas → content / reasoning_content / tool_calls
  pieces, the first message_delta with a stop_reason → the finish chunk. Usage counts on a
  message_delta are cumulative and overwrite those of message_start field by field (fields it
  omits keep their message_start value), as Anthropic's SDK accumulates them.
- `usage.service_tier` (standard, priority, batch) is the completion's `service_tier` (standard as OpenAI's
  `default`): the call is priced by it (`models.NAME.service_tiers`), as an OpenAI answer's is.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from backends.anthropic_extras import POSITION
from backends.base import ChatStream, UpstreamError
from backends.errors import stream_event_json
from backends.sse import event_data
from backends.usage import Usage

FINISH_REASONS: dict[str, str] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def finish_reason(stop_reason: Any) -> str:
    return FINISH_REASONS.get(stop_reason, "stop") if isinstance(stop_reason, str) else "stop"


def matched_stop(message: Mapping[str, Any]) -> str | None:
    """The stop sequence Anthropic matched, for the choice's `stop_reason` (vLLM's field for it)."""
    sequence = message.get("stop_sequence")
    return sequence if message.get("stop_reason") == "stop_sequence" and isinstance(sequence, str) else None


def normalised_usage(usage: Any) -> Usage:
    """Anthropic usage in the gateway's convention, thinking tokens included when reported."""
    if not isinstance(usage, Mapping):
        return Usage()
    details = usage.get("output_tokens_details")
    thinking = details.get("thinking_tokens") if isinstance(details, Mapping) else None
    reasoning = thinking if isinstance(thinking, int) and not isinstance(thinking, bool) and thinking > 0 else 0
    return Usage.from_anthropic(usage, reasoning_tokens=reasoning)


#: Anthropic's name for the tier every request gets unless priority capacity serves it, in OpenAI's words.
_SERVICE_TIERS = {"standard": "default"}


def served_tier(usage: Any) -> str | None:
    """The service tier Anthropic says served the call (`usage.service_tier`), named as OpenAI names it."""
    named = usage.get("service_tier") if isinstance(usage, Mapping) else None
    return _SERVICE_TIERS.get(named, named) if isinstance(named, str) and named else None


def _placed(block: dict[str, Any], position: int) -> dict[str, Any]:
    return {**block, POSITION: position} if position else block


def _arguments(tool_input: Any) -> str:
    return orjson.dumps(tool_input if tool_input is not None else {}).decode()


def completion_body(message: dict[str, Any], *, model: Any, created: int | None = None) -> tuple[dict[str, Any], Usage]:
    """An OpenAI `chat.completion` for a Messages API response, and its normalised usage."""
    content = message.get("content")
    if not isinstance(content, list):
        raise UpstreamError("protocol", "upstream response is not an Anthropic message")
    texts: list[str] = []
    reasoning: list[str] = []
    thinking_blocks: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    for block in content:
        position = min(len(texts), 1) + len(tool_calls)  # interleaved thinking keeps its place (backends/anthropic_messages.py)
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind == "thinking" and isinstance(block.get("thinking"), str):
            reasoning.append(block["thinking"])
            thinking_blocks.append(_placed({"type": "thinking", "thinking": block["thinking"], "signature": block.get("signature")}, position))
        elif kind == "redacted_thinking":
            thinking_blocks.append(_placed({"type": "redacted_thinking", "data": block.get("data")}, position))
        elif kind == "tool_use":
            function = {"name": _string(block.get("name")), "arguments": _arguments(block.get("input"))}
            tool_calls.append({"id": _string(block.get("id")), "type": "function", "function": function})
    reply: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if tool_calls:
        reply["tool_calls"] = tool_calls
    if reasoning:
        reply["reasoning_content"] = "".join(reasoning)
    if thinking_blocks:
        reply["thinking_blocks"] = thinking_blocks
    usage = normalised_usage(message.get("usage"))
    body = {
        "id": _string(message.get("id")),
        "object": "chat.completion",
        "created": created if created is not None else int(time.time()),
        "model": _string(message.get("model")) or model,
        "choices": [{"index": 0, "message": reply, "logprobs": None, "finish_reason": finish_reason(message.get("stop_reason")),
                     "stop_reason": matched_stop(message)}],
        "usage": usage.to_openai(),
    }
    if (tier := served_tier(message.get("usage"))) is not None:
        body["service_tier"] = tier
    return body, usage


class StreamTranslator:
    """Turns Anthropic stream events into OpenAI `chat.completion.chunk` SSE frames.

    Fills `stream.meta` (id, model, created, `partial_usage` from message_start; `done` after message_stop),
    `stream.usage` and `stream.usage_chunk` from message_delta on; raises `UpstreamError` on an `error` event.
    """

    def __init__(self, stream: ChatStream, *, model: Any, created: int | None = None) -> None:
        self.stream = stream
        self.id: Any = None
        self.model = model
        self.created = created if created is not None else int(time.time())
        self.usage: dict[str, Any] = {}
        self.started = False
        self.finished = False
        self.blocks: dict[int, dict[str, Any]] = {}
        self.tool_count = 0
        self.thinking_count = 0
        self.text_count = 0  # text blocks begun: with the tool calls, where a thinking block stands (its position)

    # -- frames ----------------------------------------------------------------------------
    def _frame(self, delta: dict[str, Any], reason: str | None = None, matched: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}
        if reason is not None or matched is not None:  # the finish says which stop sequence matched, null for none (as unstreamed)
            choice["stop_reason"] = matched
        chunk = {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model, "choices": [choice]}
        return b"data: " + orjson.dumps(chunk) + b"\n\n"

    def _start(self, frames: list[bytes]) -> None:
        if not self.started:
            self.started = True
            self.stream.meta.update(id=self.id, model=self.model, created=self.created)
            frames.append(self._frame({"role": "assistant", "content": ""}))

    def _update_usage(self, usage: Any) -> None:
        if isinstance(usage, Mapping):
            self.usage.update({key: value for key, value in usage.items() if value is not None})
        normalised = normalised_usage(self.usage)
        self.stream.usage = normalised
        if (tier := served_tier(self.usage)) is not None:
            self.stream.meta["service_tier"] = tier
        self.stream.usage_chunk = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [],
            "usage": normalised.to_openai(),
        }

    # -- events ----------------------------------------------------------------------------
    def feed(self, event: bytes) -> list[bytes]:
        """The OpenAI frames for one complete upstream SSE event (often none)."""
        data = event_data(event)
        if data is None:
            return []
        payload = stream_event_json(data)
        kind = payload.get("type")
        frames: list[bytes] = []
        if kind == "message_start":
            self._message_start(payload.get("message"), frames)
        elif kind == "content_block_start":
            self._start(frames)
            self._block_start(payload, frames)
        elif kind == "content_block_delta":
            self._start(frames)
            self._block_delta(payload, frames)
        elif kind == "content_block_stop":
            self._block_stop(payload, frames)
        elif kind == "message_delta":
            self._start(frames)
            self._message_delta(payload, frames)
        elif kind == "message_stop":
            self._start(frames)
            if not self.finished:
                self.finished = True
                frames.append(self._frame({}, "stop"))
            self._update_usage(None)
            self.stream.meta["done"] = True
        elif kind == "error":
            error = payload.get("error")
            detail: dict[str, Any] = error if isinstance(error, dict) else {}
            message = detail.get("message")
            error_type = detail.get("type")
            raise UpstreamError(
                "stream",
                message if isinstance(message, str) else "upstream stream error",
                error_type=error_type if isinstance(error_type, str) else None,
            )
        # `ping` and event types added later are ignored, as Anthropic's versioning policy asks.
        return frames

    def _message_start(self, message: Any, frames: list[bytes]) -> None:
        """The message's id and model, and its usage so far — partial (an output count of 1): `stream.usage` waits for
        `message_delta`, and a stream that ends before it is estimated from `meta["partial_usage"]` and its events."""
        if isinstance(message, dict):
            self.id = _string(message.get("id")) or self.id
            self.model = _string(message.get("model")) or self.model
            usage = message.get("usage")
            self.usage = {key: value for key, value in usage.items() if value is not None} if isinstance(usage, Mapping) else {}
            self.stream.meta["partial_usage"] = normalised_usage(self.usage)
            if (tier := served_tier(self.usage)) is not None:
                self.stream.meta["service_tier"] = tier
        self._start(frames)

    def _block_start(self, payload: dict[str, Any], frames: list[bytes]) -> None:
        block = payload.get("content_block")
        index = payload.get("index")
        if not isinstance(block, dict) or not isinstance(index, int):
            return
        kind = block.get("type")
        state: dict[str, Any] = {"type": kind}
        self.blocks[index] = state
        position = min(self.text_count, 1) + self.tool_count
        if kind == "text":
            self.text_count += 1
            if _text(block, "text"):
                frames.append(self._frame({"content": block["text"]}))
        elif kind == "thinking":
            state["position"] = position
            state["thinking"] = [block["thinking"]] if isinstance(block.get("thinking"), str) else []
            state["signature"] = block.get("signature") or None
            if _text(block, "thinking"):
                frames.append(self._frame({"reasoning_content": block["thinking"]}))
        elif kind == "redacted_thinking":
            frames.append(self._thinking_frame(_placed({"type": "redacted_thinking", "data": block.get("data")}, position)))
        elif kind == "tool_use":
            state["tool_index"] = self.tool_count
            self.tool_count += 1
            state["start_input"] = block.get("input") if isinstance(block.get("input"), dict) else {}
            function = {"name": _string(block.get("name")), "arguments": ""}
            call = {"index": state["tool_index"], "id": _string(block.get("id")), "type": "function", "function": function}
            frames.append(self._frame({"tool_calls": [call]}))

    def _block_delta(self, payload: dict[str, Any], frames: list[bytes]) -> None:
        delta = payload.get("delta")
        state = self._block(payload)
        if not isinstance(delta, dict):
            return
        kind = delta.get("type")
        if kind == "text_delta" and _text(delta, "text"):
            frames.append(self._frame({"content": delta["text"]}))
        elif kind == "thinking_delta" and _text(delta, "thinking"):
            if state is not None and "thinking" in state:
                state["thinking"].append(delta["thinking"])
            frames.append(self._frame({"reasoning_content": delta["thinking"]}))
        elif kind == "signature_delta" and state is not None and "thinking" in state and _text(delta, "signature"):
            state["signature"] = delta["signature"]
        elif kind == "input_json_delta" and state is not None and "tool_index" in state and _text(delta, "partial_json"):
            state["arguments_sent"] = True
            call = {"index": state["tool_index"], "function": {"arguments": delta["partial_json"]}}
            frames.append(self._frame({"tool_calls": [call]}))

    def _block_stop(self, payload: dict[str, Any], frames: list[bytes]) -> None:
        state = self._block(payload, pop=True)
        if state is not None and state["type"] == "thinking" and state.get("signature"):
            thinking = {"type": "thinking", "thinking": "".join(state["thinking"]), "signature": state["signature"]}
            frames.append(self._thinking_frame(_placed(thinking, state["position"])))
        elif state is not None and "tool_index" in state and not state.get("arguments_sent"):
            # A tool without parameters streams one empty `input_json_delta`: its arguments are the
            # start's `input` ("{}"), as the non-streamed answer says, never "" (which json.loads refuses).
            call = {"index": state["tool_index"], "function": {"arguments": orjson.dumps(state["start_input"]).decode()}}
            frames.append(self._frame({"tool_calls": [call]}))

    def _block(self, payload: dict[str, Any], pop: bool = False) -> dict[str, Any] | None:
        """The state of the block an event's `index` names (None for an index that is no number)."""
        index = payload.get("index")
        if not isinstance(index, int):
            return None
        return self.blocks.pop(index, None) if pop else self.blocks.get(index)

    def _thinking_frame(self, block: dict[str, Any]) -> bytes:
        """A signed or redacted thinking block, numbered like tool calls: the `openai` SDK's stream
        helper merges list entries by `index` and fails on a second entry without one."""
        self.thinking_count += 1
        return self._frame({"thinking_blocks": [{"index": self.thinking_count - 1, **block}]})

    def _message_delta(self, payload: dict[str, Any], frames: list[bytes]) -> None:
        self._update_usage(payload.get("usage"))
        delta = payload.get("delta")
        stop_reason = delta.get("stop_reason") if isinstance(delta, dict) else None
        if stop_reason is not None and not self.finished:
            self.finished = True
            frames.append(self._frame({}, finish_reason(stop_reason), matched_stop(delta)))


def _text(fields: Mapping[str, Any], key: str) -> bool:
    """Whether ``fields[key]`` is a non-empty string (an upstream's event may carry anything there)."""
    return isinstance(fields.get(key), str) and bool(fields[key])


def _string(value: Any) -> str | None:
    """``value`` if it is a string, else None: an id, a name or a model as the chat format types them."""
    return value if isinstance(value, str) else None
