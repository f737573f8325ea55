"""Whether an upstream's answer has the shape of a chat completion (or of a stream chunk of one).

Everything past a backend — the accounting, the test-time-compute strategies, the Responses,
Anthropic and text-completions translations — reads the answer's fields as the chat completions
API types them: a list of choices, a message whose content is a string, tool calls whose function
has a string name. An upstream that answers otherwise (a proxy in the way, a server with a bug, an
API that is not quite OpenAI's) broke the protocol: that is the upstream's error, a 502 and a reason
to try a fallback, not the gateway's 500 from deep inside a translator. Checked once, where the
answer enters; only the fields the gateway reads, each for its type; extra fields pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from backends.sse import event_data, events_of

#: A check of one value at a path ("choices[0].message"): None, or what is wrong there.
_Check = Callable[[Any, str], str | None]


def _typed(kinds: type | tuple[type, ...]) -> _Check:
    """Absent (``None``) or an instance of ``kinds``; a bool is none of them."""

    def check(value: Any, where: str) -> str | None:
        if value is None or (isinstance(value, kinds) and not isinstance(value, bool)):
            return None
        return f"{where} is {type(value).__name__}"

    return check


def _object(checks: dict[str, _Check], required: bool = False) -> _Check:
    """An object (absent unless ``required``) whose fields pass their ``checks``."""

    def check(value: Any, where: str) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, dict):
            return f"{where or 'the answer'} is {type(value).__name__}"
        for key, field in checks.items():
            if key in value and (problem := field(value[key], f"{where}.{key}" if where else key)) is not None:
                return problem
        return None

    return check


def _objects(checks: dict[str, _Check]) -> _Check:
    """Absent, or a list of objects whose fields pass their ``checks``."""
    item = _object(checks, required=True)

    def check(value: Any, where: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, list):
            return f"{where} is {type(value).__name__}"
        return next((problem for index, entry in enumerate(value) if (problem := item(entry, f"{where}[{index}]")) is not None), None)

    return check


_STRING, _INDEX, _COUNT, _DETAILS = _typed(str), _typed(int), _typed((int, float)), _object({})
_FUNCTION = _object({"name": _STRING, "arguments": _typed((str, dict))})
#: The fields of a message and of a stream's delta that the gateway reads; content may be a list of parts, as some servers write it.
_MESSAGE = _object({"role": _STRING, "content": _typed((str, list)), "refusal": _STRING, "reasoning_content": _STRING, "reasoning": _STRING,
                    "tool_calls": _objects({"index": _INDEX, "id": _STRING, "type": _STRING, "function": _FUNCTION}),
                    "thinking_blocks": _typed(list)})
_USAGE = _object({"prompt_tokens": _COUNT, "completion_tokens": _COUNT, "total_tokens": _COUNT,
                  "prompt_tokens_details": _DETAILS, "completion_tokens_details": _DETAILS})
_HEAD = {"id": _STRING, "model": _STRING, "created": _COUNT, "usage": _USAGE}
_COMPLETION = _object({**_HEAD, "choices": _objects({"index": _INDEX, "finish_reason": _STRING, "message": _MESSAGE})}, required=True)
_CHUNK = _object({**_HEAD, "choices": _objects({"index": _INDEX, "finish_reason": _STRING, "delta": _MESSAGE})}, required=True)


def completion_problem(payload: Any) -> str | None:
    """What makes ``payload`` no chat completion the gateway can read ("choices[0].message.content is
    int"; a completion needs a list of choices), or None."""
    if isinstance(payload, dict) and not isinstance(payload.get("choices"), list):
        return "choices is " + type(payload.get("choices")).__name__
    return _COMPLETION(payload, "")


#: A delta of text alone — nearly every chunk of a stream — is checked without the walk above (4 us a chunk
#: there, a third of what translating one costs; 1.7 us here).
_TEXT_DELTA_KEYS = frozenset(("role", "content", "reasoning_content", "reasoning"))
_HEAD_KEYS = (("id", str), ("model", str), ("created", int))


def _plain_text_chunk(payload: Any) -> bool:
    if type(payload) is not dict or payload.get("usage") is not None:
        return False
    choices = payload.get("choices")
    if type(choices) is not list or len(choices) != 1 or type(choice := choices[0]) is not dict:
        return False
    delta = choice.get("delta")
    if type(delta) is not dict or not delta.keys() <= _TEXT_DELTA_KEYS or any(type(value) not in (str, type(None)) for value in delta.values()):
        return False
    finish, index = choice.get("finish_reason"), choice.get("index", 0)
    return ((finish is None or type(finish) is str) and type(index) is int
            and all(payload.get(key) is None or type(payload[key]) is kind for key, kind in _HEAD_KEYS))


def chunk_problem(payload: Any) -> str | None:
    """What makes ``payload`` no chat completion chunk the gateway can read, or None."""
    return None if _plain_text_chunk(payload) else _CHUNK(payload, "")


def content_text(content: Any) -> str:
    """A message's (or delta's) content as text: the string, or the text of its text parts when a server
    writes content as a list of parts (as some OpenAI-compatible servers do); other parts add nothing."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str))
    return ""


#: The fields of a chunk's delta (or a text completion's choice) that hold what the model wrote; a role, an empty
#: content or a null refusal are none of it.
_OUTPUT_FIELDS = ("content", "reasoning_content", "reasoning", "reasoning_details", "thinking_blocks", "tool_calls", "refusal", "function_call", "audio", "text")


def chunk_has_output(payload: Any) -> bool:
    """Whether a stream chunk carries anything the model wrote, or ends its answer: the first token's mark. The role
    chunk an Anthropic adapter makes of `message_start` (or a server writes before generating) carries none."""
    choices = payload.get("choices") if isinstance(payload, dict) else None
    for choice in choices if isinstance(choices, list) else ():
        if not isinstance(choice, dict):
            continue
        delta = choice.get("delta")
        fields = delta if isinstance(delta, dict) else choice
        if choice.get("finish_reason") or any(fields.get(name) for name in _OUTPUT_FIELDS):
            return True
    return False


def frame_has_output(frame: bytes) -> bool:
    """Whether relayed stream events hold what the model wrote (or its end); parsed only until the first that does."""
    for event in events_of(frame):
        data = event_data(event)
        if data == b"[DONE]":
            return True
        if data:
            try:
                payload = orjson.loads(data)
            except orjson.JSONDecodeError:
                return True  # not a chunk the gateway reads: whatever it is, it came
            if chunk_has_output(payload):
                return True
    return False
