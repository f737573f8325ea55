"""A chat completion rebuilt from its stream: how a non-streamed request is served from a streamed upstream.

A non-streamed upstream request sends nothing until the whole answer is written, so an attempt's
`first_byte` timeout bounded the whole answer: a healthy reasoning model writing for three minutes
was cut at two, generated again on the fallback, and counted against its circuit. Streamed, the
attempt's first event shows the upstream is working, the `idle` gap catches a stall mid-answer,
and the answer is put back together here, as openai-python's `ChatCompletionStreamState` does:
text fields concatenated, tool calls merged by their `index`, lists extended, the last
`finish_reason` kept. The result is the chat completion the upstream would have sent unstreamed
(OpenAI chunk format in, `chat.completion` out), with the stream's usage.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from backends.base import ChatResult, ChatStream, map_transport_error, stream_of
from backends.direct import DirectResponse
from backends.sse import event_data, events_of

#: Fields a delta repeats rather than continues: the last value written stands.
_REPLACED = frozenset({"index", "type", "id", "role"})
#: The fields of a chunk's choice that `_chunk` reads by name.
_CHOICE_KEYS = frozenset({"index", "delta", "logprobs", "finish_reason"})
#: What a reply may hold instead of content (its content is then null, not the role chunk's empty text).
_NOT_CONTENT = ("tool_calls", "refusal", "reasoning", "reasoning_content", "thinking_blocks")
#: Fields of a chunk that are not the completion's own.
_CHUNK_ONLY = frozenset({"object", "choices", "usage", "obfuscation"})


#: vLLM's fields whose answer only an unstreamed response carries: the prompt's logprobs (any `prompt_logprobs`, 0
#: included, or `echo` with `logprobs`, which asks for them) and disaggregated prefill's `kv_transfer_params` /
#: `ec_transfer_params`, which a prefill proxy forwards to the decode instance (vLLM's stream response has no such field).
_WHOLE_ONLY = ("prompt_logprobs", "kv_transfer_params", "ec_transfer_params")


def streamable(body: dict[str, Any]) -> bool:
    """Whether a request's answer can be rebuilt from its stream: not audio output (OpenAI streams
    only pcm16 audio, whatever format was asked), nor an answer with vLLM's unstreamed-only fields (`_WHOLE_ONLY`)."""
    modalities = body.get("modalities")
    if any(body.get(field) is not None for field in _WHOLE_ONLY) or (body.get("echo") and body.get("logprobs")):
        return False
    return not (isinstance(modalities, list) and "audio" in modalities)


class CompletionAssembler:
    """Feed it a stream's relayed frames (whole SSE events in OpenAI chunk format); `completion` is the answer.

    Text pieces are kept in lists and joined once at the end: nearly every chunk is one token of text,
    and adding each to a string would copy the answer so far on every token."""

    __slots__ = ("_choices", "_texts", "_top", "chunks")

    def __init__(self) -> None:
        self.chunks = 0  # chunks fed: nearly one token each (the cost of a stream that breaks off)
        self._top: dict[str, Any] = {}
        self._choices: dict[int, dict[str, Any]] = {}
        self._texts: dict[int, dict[str, list[str]]] = {}  # per choice: the message's text fields, in pieces

    def feed(self, frame: bytes) -> None:
        if b"\r" in frame:
            events = [event_data(event) for event in events_of(frame)]
        else:  # the usual frame: one-line `data:` events ending in a blank line, cut without a framer
            events = [part[6:] if part.startswith(b"data: ") and b"\n" not in part else event_data(part + b"\n\n")
                      for part in frame.split(b"\n\n") if part]
        datas = [data for data in events if data is not None and data != b"[DONE]"]
        if not datas:
            return
        self.chunks += len(datas)
        # The frame's events parsed in one call, as a JSON array: a third of the time of one call per event.
        for chunk in orjson.loads(b"[" + b",".join(datas) + b"]") if len(datas) > 1 else (orjson.loads(datas[0]),):
            self.feed_chunk(chunk)

    def feed_chunk(self, chunk: Any) -> None:
        """One parsed chunk (the relay keeps the usage-only chunk apart: its own fields, `service_tier`…, count too)."""
        if isinstance(chunk, dict):
            try:
                self._chunk(chunk)
            except (TypeError, AttributeError, KeyError, RecursionError) as exc:  # a shape no chat chunk has
                raise ValueError(f"a chunk that is no chat completion chunk ({type(exc).__name__})") from None

    def _chunk(self, chunk: dict[str, Any]) -> None:
        top = self._top
        for key, value in chunk.items():
            if value is not None or key not in top:
                top[key] = value  # the chunk's own fields (choices, usage…) are left out at the end
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            return
        for entry in choices:
            if not isinstance(entry, dict):
                continue
            index = entry.get("index", 0)
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(f"choices[].index is {type(index).__name__}")
            choice = self._choices.get(index)
            if choice is None:
                choice = self._choices[index] = {"index": index, "message": {"role": "assistant"}, "finish_reason": None}
                self._texts[index] = {}
            delta = entry.get("delta")
            if isinstance(delta, dict):
                self._delta(choice["message"], self._texts[index], delta)
            logprobs = entry.get("logprobs")
            if isinstance(logprobs, dict):
                choice["logprobs"] = merge(choice.get("logprobs") or {}, logprobs)
            elif "logprobs" in entry and "logprobs" not in choice:
                choice["logprobs"] = None
            finish = entry.get("finish_reason")
            if finish is not None:
                choice["finish_reason"] = finish
            if len(entry) > 4 or not entry.keys() <= _CHOICE_KEYS:  # vLLM's stop_reason (the last written), token_ids (continued)
                for key, value in entry.items():
                    if key in _CHOICE_KEYS or key == "message":  # a `message` beside the delta (some servers write it empty) is not the answer
                        continue
                    held = choice.get(key)
                    if isinstance(held, list) and isinstance(value, list):
                        held.extend(value)
                    elif value is not None or key not in choice:
                        choice[key] = list(value) if isinstance(value, list) else value

    @staticmethod
    def _delta(message: dict[str, Any], texts: dict[str, list[str]], delta: dict[str, Any]) -> None:
        for key, value in delta.items():
            if isinstance(value, str) and key not in _REPLACED:
                pieces = texts.get(key)
                if pieces is None:
                    pieces = texts[key] = []
                    message.setdefault(key, None)  # its place among the message's fields
                pieces.append(value)
            elif key in texts:
                if value is not None:  # null later: the text stands; anything else is no chat completion
                    raise ValueError(f"delta.{key} is {type(value).__name__} after text")
            else:
                merge(message, {key: value})

    def completion(self, usage: dict[str, Any] | None) -> dict[str, Any]:
        """The assembled `chat.completion`; `usage` is the stream's usage chunk's, if it sent one."""
        for index, texts in self._texts.items():
            message = self._choices[index]["message"]
            for key, pieces in texts.items():
                message[key] = "".join(pieces)
            if message.get("content") == "" and any(message.get(key) for key in _NOT_CONTENT):
                message["content"] = None  # only the role chunk's empty text: a reply that only calls tools, thinks or refuses has none
        body = {key: value for key, value in self._top.items() if key not in _CHUNK_ONLY}
        body |= {"object": "chat.completion", "choices": [_finished(self._choices[i]) for i in sorted(self._choices)]}
        if usage is not None:
            body["usage"] = usage
        return body


def completion_chunks(body: dict[str, Any]) -> list[bytes]:
    """A finished completion as the stream that assembles back to it: each choice's whole message in one
    delta (its listed entries numbered), then its finish. For an upstream that answered a streamed request
    with one JSON completion, as a server that ignores `stream` does."""
    head = {key: value for key, value in body.items() if key not in _CHUNK_ONLY} | {"object": "chat.completion.chunk"}
    frames = []
    for choice in body.get("choices") or ():
        message = {key: [{"index": n, **entry} if isinstance(entry, dict) else entry for n, entry in enumerate(value)] if isinstance(value, list) else value
                   for key, value in (choice.get("message") or {}).items()}
        rest = {key: value for key, value in choice.items() if key not in ("index", "message", "logprobs", "finish_reason")}
        index = choice.get("index", 0)
        frames.append({"index": index, "delta": message, "logprobs": choice.get("logprobs"), "finish_reason": None})
        frames.append({"index": index, "delta": {}, "logprobs": None, "finish_reason": choice.get("finish_reason"), **rest})
    return [b"data: " + orjson.dumps({**head, "choices": [entry]}) + b"\n\n" for entry in frames]


def whole_stream(result: ChatResult) -> ChatStream:
    """An upstream's whole answer to a streamed request, as the stream of it the gateway relays or assembles."""
    body = result.body
    meta = {"id": body.get("id"), "model": body.get("model"), "created": body.get("created")}
    usage_chunk = {**meta, "object": "chat.completion.chunk", "choices": [], "usage": body["usage"]} if isinstance(body.get("usage"), dict) else None
    return stream_of(completion_chunks(body), usage=result.usage if usage_chunk else None, usage_chunk=usage_chunk,
                     meta={**meta, "done": True}, headers=result.headers)


async def read_whole(response: httpx.Response | DirectResponse) -> None:
    """Read a response to its end (a JSON answer to a streamed request) and release its connection."""
    try:
        await response.aread()
    except httpx.HTTPError as exc:
        raise map_transport_error(exc) from exc
    finally:
        await response.aclose()


def _finished(choice: dict[str, Any]) -> dict[str, Any]:
    """A choice as an unstreamed answer writes it: content present (null when none was written, as for a
    reply that only calls tools); the entries a stream numbers (tool calls, Anthropic's `thinking_blocks`)
    in the order of their `index`, without it. Fields the stream never wrote are not made up."""
    message = choice["message"]
    message.setdefault("content", None)
    for key, value in message.items():
        if isinstance(value, list) and value and all(isinstance(entry, dict) and isinstance(entry.get("index"), int) for entry in value):
            message[key] = [{name: item for name, item in entry.items() if name != "index"} for entry in sorted(value, key=_index)]
    return choice


def _index(entry: dict[str, Any]) -> int:
    return entry["index"]


def merge(into: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """Add one delta to what the earlier ones built (openai-python's `accumulate_delta`, without
    adding numbers up: ids and indices are written once or repeated, never continued)."""
    for key, value in delta.items():
        held = into.get(key)
        if held is None and isinstance(value, list):
            into[key] = []
            _extend(into[key], value)  # two entries of one index in the first delta are one (openai-python #3425)
        elif held is None or key in _REPLACED:
            if key not in into or value not in (None, ""):  # an id or role repeated empty does not erase it
                into[key] = _copy(value)
        elif isinstance(held, str) and isinstance(value, str):
            if not (key == "name" and value == held):  # a function name some servers resend whole on every delta
                into[key] = held + value
        elif isinstance(held, dict) and isinstance(value, dict):
            merge(held, value)
        elif isinstance(held, list) and isinstance(value, list):
            _extend(held, value)
        elif value is not None:
            into[key] = _copy(value)
    return into


def _extend(held: list[Any], more: list[Any]) -> None:
    """Entries with an `index` (tool calls) continue the entry of that index; others are appended."""
    for entry in more:
        index = entry.get("index") if isinstance(entry, dict) else None
        if not isinstance(index, int):
            held.append(_copy(entry))
            continue
        same = next((item for item in held if isinstance(item, dict) and item.get("index") == index), None)
        if same is None:
            held.append(_copy(entry))
        else:
            merge(same, entry)


def _copy(value: Any) -> Any:
    """Deltas are merged into in place: a dict or list taken from one is copied, never shared."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
