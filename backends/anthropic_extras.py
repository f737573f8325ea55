"""What a chat body carries for an Anthropic upstream alone, and its removal for any other.

A Messages client's request (router/anthropic_api.py) keeps what only Anthropic reads: prompt-cache breakpoints
(`cache_control` on chat parts, `RequestHints.cache_marks`) and where each thinking block stood in its turn
(`POSITION`); its beta flags and user id ride beside the body (`RequestHints.betas` / `user_id`). The Anthropic adapter
reads them; `Backend.settle_request` removes them for every other upstream, as a strict OpenAI-compatible server
refuses a field it does not define. A leaf module (nothing
of `backends` imported) so that the `Backend` base class can hold that default.
"""

from __future__ import annotations

from typing import Any

#: A thinking block's place among its turn's other blocks when it does not come first (`thinking_blocks` entries): Claude
#: with interleaved thinking thinks between tool calls ([thinking, text, tool_use, thinking, tool_use]), the chat shape
#: keeps no block order, and Anthropic refuses a turn whose thinking blocks moved ("Invalid signature in thinking
#: block"): a tool loop replayed with them first failed on every retry.
POSITION = "position"


def without_anthropic_extras(upstream: dict[str, Any], cache_marks: bool) -> None:
    """``upstream`` (a candidate's own copy of the body) as an upstream that is not Anthropic itself takes it: no cache
    breakpoints (where a Messages client marked them: ``cache_marks``) or thinking-block positions."""
    if cache_marks:
        upstream["messages"] = without_cache_marks(upstream.get("messages"))
    if "messages" in upstream:
        upstream["messages"] = without_positions(upstream["messages"])


def without_cache_marks(messages: Any) -> Any:
    """``messages`` with no `cache_control` on their content parts (new lists: the client's are shared by every attempt)."""
    if not isinstance(messages, list):
        return messages
    out = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(isinstance(part, dict) and "cache_control" in part for part in content):
            message = {**message, "content": [{key: value for key, value in part.items() if key != "cache_control"}
                                              if isinstance(part, dict) else part for part in content]}
        out.append(message)
    return out


def interleaved(thinking: list[dict[str, Any]], rest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rest`` (a turn's text, then its tool uses) with each thinking block back where it stood (its `POSITION`; none:
    before them all), without the mark."""
    out: list[dict[str, Any]] = []
    pending = list(thinking)
    for number, block in enumerate(rest):
        while pending and position_of(pending[0]) <= number:
            out.append(_unmarked(pending.pop(0)))
        out.append(block)
    return out + [_unmarked(block) for block in pending]


def without_positions(messages: Any) -> Any:
    """``messages`` with no `POSITION` in their `thinking_blocks` (new lists, the client's are shared by every attempt):
    for an upstream that is not Anthropic itself — a proxy in front of Claude passes the blocks on as they are, and
    Anthropic refuses a field it does not define."""
    if not isinstance(messages, list) or not any(isinstance(m, dict) and any(isinstance(b, dict) and POSITION in b for b in m.get("thinking_blocks") or ())
                                                 for m in messages):
        return messages
    return [{**m, "thinking_blocks": [_unmarked(b) if isinstance(b, dict) else b for b in m["thinking_blocks"]]}
            if isinstance(m, dict) and isinstance(m.get("thinking_blocks"), list) else m for m in messages]


def position_of(block: dict[str, Any]) -> int:
    """A thinking block's `POSITION` (0: first in its turn, or unmarked)."""
    position = block.get(POSITION)
    return position if isinstance(position, int) and not isinstance(position, bool) else 0


def _unmarked(block: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in block.items() if key != POSITION} if POSITION in block else block
