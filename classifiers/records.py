"""Input records of the CLI commands (``score``, ``evaluate``, ``calibrate``, ``train --outcomes``)
as chat messages: the shapes prompt datasets come in, read the same way everywhere."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: Speaker names of chat-log datasets (ShareGPT's ``from``) -> chat roles.
SPEAKER_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "chatgpt": "assistant",
                 "bard": "assistant", "bing": "assistant", "model": "assistant", "system": "system", "tool": "tool",
                 "function": "tool", "observation": "tool"}


_OTHER_FIELDS = ("prompt", "turns", "conversation", "conversations")


def json_line(line: str) -> Any:
    """One JSON line; a byte-order mark before it is no text (``cat a.jsonl b.jsonl`` puts b's mid-stream, where the
    reader's ``utf-8-sig`` does not strip it, and that line was an error)."""
    return json.loads(line.removeprefix("\ufeff"))


def as_messages(obj: Mapping[str, Any]) -> Any:
    """``{"prompt": str}``, ``{"messages": [...]}``, ``{"turns": [str, ...]}`` (MT-bench's
    user turns; a list of strings as ``prompt`` reads the same) or a chat log's
    ``{"conversation" | "conversations": [...]}`` (LMSYS ``role``/``content``, ShareGPT
    ``from``/``value``) → messages (for CLI input)."""
    if obj.get("messages") or ("messages" in obj and not any(key in obj for key in _OTHER_FIELDS)):
        return obj["messages"]  # an empty or null one beside a real prompt is a table's empty column: the prompt is read
    for key in ("conversation", "conversations"):
        if isinstance(obj.get(key), list):
            return [_message(m) for m in obj[key]]
    turns = obj.get("turns", obj.get("prompt"))
    if isinstance(turns, list) and turns and all(isinstance(t, str) for t in turns):
        return [{"role": "user", "content": t} for t in turns]
    if isinstance(turns, list) and turns and all(isinstance(t, Mapping) for t in turns):
        return [_message(m) for m in turns]
    if "prompt" in obj:
        return [{"role": "user", "content": obj["prompt"]}]
    raise ValueError("expected a 'prompt', 'messages', 'turns' or 'conversation(s)' field")


def _message(item: Any) -> Any:
    """A chat-log entry as a message: ``{"from": "human", "value": …}`` → ``{"role": "user",
    "content": …}``; a ``role``/``content`` message (or anything else) as it is."""
    if isinstance(item, Mapping) and "role" not in item and "from" in item:
        speaker = str(item.get("from", "")).lower()
        return {"role": SPEAKER_ROLES.get(speaker, "user"), "content": item.get("value", item.get("content"))}
    return item
