"""Escalation (a cascade): a tier hands the request to `escalate_to` when its answer is no answer.

Conditions, per tier (`escalate_on`), all checked before the first byte reaches the client:
* `length`  — the answer is empty and `finish_reason` is `length`: reasoning ate the budget;
* `refusal` — `message.refusal` is set, or `finish_reason` is `content_filter`, with no answer;
* `error`   — every candidate of the tier failed with a retryable upstream error;
* `agreement_below` — a self_consistency tier's agreement is under the threshold;
* `header`  — the client's `x-router-escalate: true` asks for the next tier straight away
  (e.g. a "try harder" button); `x-router-escalate: false` turns escalation off for the request.

Streaming: to decide `length`/`refusal` before the first byte, a stream on a tier that escalates
on them is held back until its first content (or tool call) delta; frames before it (role chunk,
reasoning deltas) are then sent at once. The tokens the abandoned attempt used are still accounted.
Every hop counts in `router_escalations_total{from_tier,to_tier,reason}` and in
`router_decisions_total{reason="escalation"}`; the router object lists them under `escalations`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from backends.base import ChatStream
from backends.chat_shape import content_text
from backends.sse import count_events, event_data, events_of

if TYPE_CHECKING:
    from router.strategies import Vote
    from router.ttc_config import EscalateOn

HEADER = "x-router-escalate"
_TRUE = frozenset({"1", "true", "yes", "on", "always"})
_FALSE = frozenset({"0", "false", "no", "off", "never"})


def parse_header(value: str | None) -> bool | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def choice_reason(on: EscalateOn, choice: Mapping[str, Any], vote: Vote | None = None) -> str | None:
    """Why this (chosen) completion should escalate, or None."""
    message = choice.get("message") or {}
    has_answer = bool(content_text(message.get("content")).strip()) or bool(message.get("tool_calls"))
    finish = choice.get("finish_reason")
    if on.length and not has_answer and finish == "length":
        return "length"
    if on.refusal and not has_answer and (message.get("refusal") or finish == "content_filter"):
        return "refusal"
    if on.agreement_below is not None and vote is not None and vote.agreement < on.agreement_below:
        return "low_agreement"
    return None


def answers_reason(on: EscalateOn, choices: list[Any]) -> str | None:
    """Why an answer with these `choices` should escalate: when every choice has a reason (with `n` > 1, one good
    choice keeps the answer), the first one's."""
    reasons = [choice_reason(on, choice if isinstance(choice, Mapping) else {}) for choice in choices]
    return reasons[0] if reasons and all(reason is not None for reason in reasons) else None


@dataclass(slots=True)
class Held:
    """A stream read up to its first answer byte (or its end)."""

    buffered: list[bytes]
    answered: bool
    finish: str | None
    refusal: bool
    ended: bool


#: What `replay` reads of an escalation check that held nothing (a tier that does not escalate).
NOTHING_HELD = Held(buffered=[], answered=False, finish=None, refusal=False, ended=False)


async def hold_until_answer(stream: ChatStream, buffered: list[bytes]) -> Held:
    """Read frames into ``buffered`` until one carries text that is not blank or a tool call, or the stream ends
    (UpstreamError propagates; what was read stays in ``buffered``, for its accounting)."""
    finish: str | None = None
    refusal = False
    async for frame in stream.frames:
        buffered.append(frame)
        for event in events_of(frame):  # a frame may hold several events
            data = event_data(event)
            if not data or data[:1] != b"{":
                continue
            try:
                chunk = orjson.loads(data)
            except orjson.JSONDecodeError:
                continue
            for choice in chunk.get("choices") or ():
                if not isinstance(choice, dict):
                    continue
                delta = choice.get("delta") or {}
                if content_text(delta.get("content")).strip() or delta.get("tool_calls"):  # blank text is no answer (as `choice_reason`)
                    return Held(buffered, True, finish, refusal, False)
                if delta.get("refusal"):
                    refusal = True
                finish = choice.get("finish_reason") or finish
    return Held(buffered, False, finish, refusal, True)


def held_reason(on: EscalateOn, held: Held) -> str | None:
    if held.answered:
        return None
    if on.length and held.finish == "length":
        return "length"
    if on.refusal and (held.refusal or held.finish == "content_filter"):
        return "refusal"
    return None


def replay(stream: ChatStream, held: Held, finished: Callable[[ChatStream], None], unread: Callable[[int], None]) -> ChatStream:
    """A stream that yields the held frames, then the rest of `stream`; `finished` runs when it is exhausted, `unread`
    (with the held events) if it is dropped before a relay read it (`ChatStream.dropped`)."""
    outer = ChatStream(frames=_empty(), close=stream.close, meta=stream.meta)

    async def frames() -> AsyncIterator[bytes]:
        for frame in held.buffered:
            yield frame
        if not held.ended:
            async for frame in stream.frames:
                yield frame
        outer.usage, outer.usage_chunk, outer.meta = stream.usage, stream.usage_chunk, stream.meta
        finished(outer)

    outer.frames = frames()
    outer.dropped = lambda: unread(sum(map(count_events, held.buffered)))
    return outer


async def _empty() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover
