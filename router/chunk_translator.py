"""What every re-telling of a chat-completions stream in another API's events shares.

The relay hands a route's translator the upstream's chat frames as they arrive (`frames`), and at the end
the closing usage chunk (`end`) or an upstream failure (`error`). The frames are read here: each chunk's
first choice gives text (answer or refusal), reasoning (text, and the signed blocks LiteLLM's convention
carries), tool-call pieces and the finish reason; an upstream's own error event ends the stream; a chunk
of reasoning text also gets the API's keep-alive, so a long think does not look like a dead stream
where the API shows none. What the events look like is the subclass's (router/responses_stream.py,
router/anthropic_stream.py).
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

import orjson

from backends.base import UpstreamError
from backends.chat_shape import chunk_problem, content_text
from backends.reasoning import reasoning_text
from backends.sse import event_data, events_of
from router.protocol import reasoning_chunk

#: Seconds between two keep-alives while the upstream reasons.
KEEP_ALIVE_SECONDS = 1.0
#: The chat delta fields of text, by the kind a translator is told: the answer and a refusal.
TEXT_FIELDS = (("output_text", "content"), ("refusal", "refusal"))


class KeepAlive:
    """When a stream that shows no reasoning is owed a keep-alive: at most once a second, so a think of
    thousands of chunks needs a few, not thousands."""

    __slots__ = ("sent_at",)

    def __init__(self) -> None:
        self.sent_at = float("-inf")

    def due(self) -> bool:
        now = time.monotonic()
        if now - self.sent_at < KEEP_ALIVE_SECONDS:
            return False
        self.sent_at = now
        return True


class UnreadableChunk(UpstreamError):
    """A chunk a translation cannot read (`backends.chat_shape`): the upstream broke the protocol, and the
    stream ends with the API's error event. ``translated``: what the events before it in its frame became,
    sent before that error."""

    def __init__(self, problem: str, translated: bytes) -> None:
        super().__init__("protocol", f"upstream sent a chunk that is not a chat completion chunk: {problem}")
        self.translated = translated


def check_chunk(chunk: dict[str, Any], translated: list[bytes]) -> None:
    """Raise `UnreadableChunk` for a chunk whose fields the translation cannot read."""
    if (problem := chunk_problem(chunk)) is not None:
        raise UnreadableChunk(problem, b"".join(translated))


class ChunkTranslator(ABC):
    """One streamed request's translation; `failed` once an error was sent (nothing follows it)."""

    def __init__(self) -> None:
        self.calls: dict[Any, int] = {}  # a chat tool call's index (or id, for upstreams that send none) -> the API's index
        self.last_call: Any = None
        self.first_call: Any = None  # the first call's key, streamed as it comes
        self.held_calls: dict[Any, list[Mapping[str, Any]]] = {}  # the pieces of the calls after it, by call (`_call_piece`)
        self.finish_reason: str | None = None
        self.matched_stop: Any = None  # the finish chunk's `stop_reason`: vLLM's stop string (or token id)
        self.failed = False
        self.alive = KeepAlive()
        self.held: dict[str, str] = {}  # per kind of text, a high surrogate whose low half is in the next chunk

    def frames(self, frame: bytes) -> bytes:
        """Relayed chat frames as this API's events; a payload that is no JSON object passes as it is, a
        chunk of the wrong shape raises `UnreadableChunk`."""
        out = []
        for event in events_of(frame):
            data = event_data(event)
            if data is None or data == b"[DONE]" or self.failed:
                continue
            lenient = False
            try:
                payload = orjson.loads(data)
            except orjson.JSONDecodeError:
                payload, lenient = _lenient_json(data), True
            if not isinstance(payload, dict):
                out.append(event)
            elif "error" in payload:
                error = payload["error"]
                out.append(self._failure(error if isinstance(error, dict) else {"message": str(error)}))
            else:
                check_chunk(payload, out)
                out.append(self._chunk(payload, lenient) + (self._kept_alive() if reasoning_chunk(payload) and not self.shows_reasoning else b""))
        return b"".join(out)

    def _chunk(self, chunk: dict[str, Any], lenient: bool = False) -> bytes:
        out = [self._start(chunk)]
        for choice in chunk.get("choices") or ():
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:  # these APIs give one answer
                continue
            delta = choice.get("delta") or {}
            if self.held_calls and (reasoning_text(delta) or any(delta.get(field) for _, field in TEXT_FIELDS)):
                out.append(self.flush_calls())  # the calls are over: text after them
            if reasoning_text(delta) and (text := self._whole("reasoning", reasoning_text(delta), lenient)):
                out.append(self._reasoning_delta(text))
            for block in delta.get("thinking_blocks") or ():
                if isinstance(block, dict):
                    out.append(self._thinking_block(block))
            if isinstance(choice.get("logprobs"), dict) and choice["logprobs"].get("content"):
                self._text_logprobs(choice["logprobs"]["content"])
            for kind, field in TEXT_FIELDS:
                if (piece := content_text(delta.get(field))) and (text := self._whole(kind, piece, lenient)):
                    out.append(self._text_delta(kind, text))
            for call in delta.get("tool_calls") or ():
                if isinstance(call, dict):
                    out.append(self._call_piece(call))
            if choice.get("finish_reason") is not None:
                out.append(self.flush_calls())
                self.finish_reason = choice["finish_reason"]
                self.matched_stop = choice.get("stop_reason")
        return b"".join(out)

    def _whole(self, kind: str, text: str, lenient: bool) -> str:
        """``text`` with a surrogate pair an upstream split across two chunks joined again (a UTF-16 server
        may send an emoji as `\\ud83d` then `\\ude00`, which only a lenient parse reads); "" while half is held."""
        if not lenient and not self.held:
            return text
        text = self.held.pop(kind, "") + text
        if "\ud800" <= text[-1] <= "\udbff":
            self.held[kind], text = text[-1], text[:-1]
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    def _kept_alive(self) -> bytes:
        return self._keep_alive() if self.alive.due() else b""

    def _call_piece(self, call: Mapping[str, Any]) -> bytes:
        """A tool-call piece. These APIs send each call whole before the next (an item, a content block, cannot
        be reopened), while the chat protocol lets an upstream interleave the pieces of parallel calls: the
        first call streams as it comes, the pieces of the calls after it are held, by call, until the calls are
        over (`flush_calls`: text after them, the finish reason, the stream's end)."""
        key = call.get("index")
        if key is None and call.get("id"):
            key = ("id", call["id"])
        if self.first_call is None:
            self.first_call = key if key is not None else ("unnumbered",)
        if not self.held_calls and key in (self.first_call, None):  # an unnumbered piece without id: the last call's
            return self._call_delta(call)
        self.held_calls.setdefault(key if key is not None else next(reversed(self.held_calls)), []).append(call)
        return b""

    def flush_calls(self) -> bytes:
        """The held tool-call pieces (`_call_piece`), each call's in a run, in the order the calls began."""
        held, self.held_calls = self.held_calls, {}
        order = sorted(held, key=lambda key: key != self.first_call)  # the first call's late pieces before the rest
        return b"".join(self._call_delta(piece) for key in order for piece in held[key])

    def _call_key(self, call: Mapping[str, Any]) -> tuple[Any, bool]:
        """The call a tool-call piece belongs to, and whether it is a new one: by `index`, or for an
        upstream that numbers no calls (Gemini's OpenAI-compatible stream) a new `id` is a new call."""
        key = call.get("index")
        if key is None:
            key = ("id", call["id"]) if call.get("id") else self.last_call
        self.last_call = key
        return key, key is None or key not in self.calls

    @property
    def shows_reasoning(self) -> bool:
        """Whether reasoning text reaches the client (then it needs no keep-alive)."""
        return False

    def _reasoning_delta(self, text: str) -> bytes:
        """Reasoning text, for an API that shows it (default: none does)."""
        return b""

    def _thinking_block(self, block: Mapping[str, Any]) -> bytes:
        """A finished thinking block with its signature (an Anthropic upstream's), for an API that shows it."""
        return b""

    def _text_logprobs(self, entries: list[Any]) -> None:
        """The token logprobs of the chunk's text (`choice.logprobs.content`, before its `_text_delta`), for an API that
        carries them (default: none does)."""

    @abstractmethod
    def _start(self, chunk: Mapping[str, Any]) -> bytes: ...

    @abstractmethod
    def _text_delta(self, kind: str, text: str) -> bytes: ...

    @abstractmethod
    def _call_delta(self, call: Mapping[str, Any]) -> bytes: ...

    @abstractmethod
    def _failure(self, error: Mapping[str, Any]) -> bytes: ...

    @abstractmethod
    def _keep_alive(self) -> bytes: ...


def _lenient_json(data: bytes) -> Any:
    """What orjson refuses but a chat chunk may hold (a lone surrogate escape); None if no JSON at all."""
    try:
        return json.loads(data)
    except ValueError:
        return None
