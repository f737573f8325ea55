"""OpenAI chat messages → Anthropic `system` and alternating turns (the rules are listed in
`backends.anthropic_request`, which builds the rest of the request)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from backends.anthropic_extras import POSITION, interleaved, position_of
from backends.base import UpstreamError

_DATA_URL = re.compile(r"^data:(?P<media>[\w.+-]+/[\w.+-]+)(?P<params>(?:;[^;,]*)*?);base64,(?P<data>.*)$", re.DOTALL)
THINKING_BLOCK_TYPES = ("thinking", "redacted_thinking")
#: The user turn put before a conversation that opens with the assistant (LiteLLM sends the same).
CONVERSATION_OPENER = "."
#: Media types OpenAI accepts in data URLs that Anthropic knows under another name.
MEDIA_ALIASES = {"image/jpg": "image/jpeg"}
#: Anthropic's tool-use ids match this; ids minted by other backends (e.g. "functions.get_time:0") do not.
_TOOL_ID_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def invalid(message: str, param: str) -> UpstreamError:
    """A request this adapter cannot express: the client gets a 400 naming the parameter."""
    return UpstreamError("status", message, status=400, error_type="invalid_request_error", param=param)


def convert_messages(raw: Any) -> tuple[str | list[dict[str, Any]], list[dict[str, Any]]]:
    if not isinstance(raw, list) or not raw:
        raise invalid("`messages` must be a non-empty list", "messages")
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for index, message in enumerate(raw):
        if not isinstance(message, dict):
            raise invalid(f"messages[{index}] must be an object", "messages")
        role = message.get("role")
        if role in ("system", "developer"):
            system.extend(_text_blocks(message.get("content"), f"messages[{index}].content"))
            continue
        if role == "user":
            blocks = _user_blocks(message.get("content"), index)
            anthropic_role = "user"
        elif role == "assistant":
            blocks = _assistant_blocks(message, index)
            anthropic_role = "assistant"
        elif role == "tool":
            blocks = [_tool_result(message, index)]
            anthropic_role = "user"
        else:
            raise invalid(f"messages[{index}].role {role!r} is not supported by Anthropic models", "messages")
        if not blocks:
            continue
        if turns and turns[-1]["role"] == anthropic_role:
            turns[-1]["content"].extend(blocks)
            merged = turns[-1]["content"]  # "the first block must be thinking or redacted_thinking" (400)
            if anthropic_role == "assistant" and merged[0]["type"] not in THINKING_BLOCK_TYPES:
                merged.sort(key=lambda block: block["type"] not in THINKING_BLOCK_TYPES)
        else:
            turns.append({"role": anthropic_role, "content": blocks})
    _trim_prefill(turns)
    if not turns:
        raise invalid("`messages` must contain at least one non-empty user or assistant message", "messages")
    if turns[0]["role"] == "assistant":  # a chat UI's greeting first: Anthropic wants a user turn first (400)
        turns.insert(0, {"role": "user", "content": [{"type": "text", "text": CONVERSATION_OPENER}]})
    return _system(system), turns


def _trim_prefill(turns: list[dict[str, Any]]) -> None:
    """A conversation that ends with the assistant asks Claude to continue that text (a prefill), which
    Anthropic refuses when it ends in whitespace (400 "final assistant content cannot end with trailing
    whitespace"): "Here they are:\n" is sent as "Here they are:"."""
    if not turns or turns[-1]["role"] != "assistant" or turns[-1]["content"][-1]["type"] != "text":
        return
    blocks = turns[-1]["content"]
    blocks[-1] = {**blocks[-1], "text": blocks[-1]["text"].rstrip()}


def _system(blocks: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """One string, or text blocks when a part carries a `cache_control` breakpoint."""
    if any("cache_control" in block for block in blocks):
        return blocks
    return "\n\n".join(block["text"] for block in blocks)


def has_text(text: str) -> bool:
    """Anthropic refuses text blocks that are empty or only whitespace (400 "text content blocks must
    contain non-whitespace text"), as OpenAI clients send before a tool call ("\\n\\n")."""
    return bool(text) and not text.isspace()


def _text_block(part: dict[str, Any]) -> dict[str, Any]:
    """An Anthropic text block; a `cache_control` breakpoint on the part (LiteLLM's convention) is kept."""
    block = {"type": "text", "text": part["text"]}
    if isinstance(part.get("cache_control"), dict):
        block["cache_control"] = part["cache_control"]
    return block


def _text_blocks(content: Any, where: str) -> list[dict[str, Any]]:
    """Non-empty text blocks of a string or a list of text parts (system, tool results)."""
    return _content_blocks(content, where, images_of=None)


def _user_blocks(content: Any, index: int) -> list[dict[str, Any]]:
    """A user turn's blocks: text, and images (`image_url` parts)."""
    return _content_blocks(content, f"messages[{index}].content", images_of=index)


def _content_blocks(content: Any, where: str, images_of: int | None) -> list[dict[str, Any]]:
    """Blocks of a string or a list of parts; image parts are read only for a user message (its
    index in ``images_of``), any other part is a 400 naming it."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if has_text(content) else []
    if not isinstance(content, list):
        raise invalid(f"{where} must be a string or a list of content parts", "messages")
    blocks: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            if has_text(part["text"]):
                blocks.append(_text_block(part))
        elif kind == "image_url" and images_of is not None:
            blocks.append(_image_block(part, images_of))
        elif images_of is None:
            raise invalid(f"{where} may only contain text parts", "messages")
        else:
            raise invalid(f"{where}: part type {kind!r} is not supported by Anthropic models", "messages")
    return blocks


def _image_block(part: dict[str, Any], index: int) -> dict[str, Any]:
    image = part.get("image_url")
    url = image.get("url") if isinstance(image, dict) else image
    if not isinstance(url, str):
        raise invalid(f"messages[{index}].content: image_url needs a url", "messages")
    if url.startswith("data:"):
        match = _DATA_URL.match(url)
        if match is None:
            raise invalid(f"messages[{index}].content: image data URLs must be base64-encoded", "messages")
        media = match["media"].lower()
        source = {"type": "base64", "media_type": MEDIA_ALIASES.get(media, media), "data": match["data"]}
    elif url.startswith(("https://", "http://")):
        source = {"type": "url", "url": url}
    else:
        raise invalid(f"messages[{index}].content: image_url must be an http(s) or data: URL", "messages")
    block: dict[str, Any] = {"type": "image", "source": source}
    if isinstance(part.get("cache_control"), dict):
        block["cache_control"] = part["cache_control"]
    return block


def _assistant_blocks(message: dict[str, Any], index: int) -> list[dict[str, Any]]:
    thinking = _thinking_blocks(message.get("thinking_blocks"))
    blocks: list[dict[str, Any]] = []
    content = message.get("content")
    if isinstance(content, str):
        if has_text(content):
            blocks.append({"type": "text", "text": content})
    elif isinstance(content, list):
        for part in content:
            kind = part.get("type") if isinstance(part, dict) else None
            text = part.get("text") if kind == "text" else part.get("refusal") if kind == "refusal" else None
            if not isinstance(text, str):
                raise invalid(f"messages[{index}].content: assistant content may only hold text parts", "messages")
            if has_text(text):
                blocks.append(_text_block({**part, "text": text}))
    elif content is not None:
        raise invalid(f"messages[{index}].content must be a string or a list of text parts", "messages")
    for call in message.get("tool_calls") or ():
        blocks.append(_tool_use(call, index))
    return interleaved(thinking, blocks)


def _thinking_blocks(raw: Any) -> list[dict[str, Any]]:
    """Well-formed signed thinking blocks the client echoed back; anything else is dropped (an empty
    signature is another model's reasoning, which Anthropic refuses as an invalid signature)."""
    blocks: list[dict[str, Any]] = []
    for block in raw if isinstance(raw, list) else ():
        if not isinstance(block, dict):
            continue
        mark = {POSITION: block[POSITION]} if position_of(block) > 0 else {}
        if block.get("type") == "thinking" and isinstance(block.get("thinking"), str) and isinstance(block.get("signature"), str) and block["signature"]:
            blocks.append({"type": "thinking", "thinking": block["thinking"], "signature": block["signature"], **mark})
        elif block.get("type") == "redacted_thinking" and isinstance(block.get("data"), str):
            blocks.append({"type": "redacted_thinking", "data": block["data"], **mark})
    return blocks


def _tool_use(call: Any, index: int) -> dict[str, Any]:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str) or not isinstance(call.get("id"), str):
        raise invalid(f"messages[{index}].tool_calls entries need an id and a function name", "messages")
    arguments = function.get("arguments")
    if arguments is None or (isinstance(arguments, str) and not arguments.strip()):
        tool_input: Any = {}
    elif isinstance(arguments, dict):
        tool_input = arguments
    else:
        try:
            tool_input = orjson.loads(arguments)
        except (orjson.JSONDecodeError, TypeError):
            tool_input = None
    if not isinstance(tool_input, dict):
        raise invalid(f"messages[{index}].tool_calls: arguments of {function['name']!r} must be a JSON object", "messages")
    return {"type": "tool_use", "id": _tool_id(call["id"]), "name": function["name"], "input": tool_input}


def _tool_id(raw: str) -> str:
    """A tool-call id Anthropic accepts: unsafe characters replaced, plus a short digest of the
    original when any were, so two ids never collapse into one (the call and its result map alike)."""
    safe = _TOOL_ID_UNSAFE.sub("_", raw)
    return safe if safe == raw else f"{safe}_{hashlib.sha256(raw.encode()).hexdigest()[:8]}"


def _tool_result(message: dict[str, Any], index: int) -> dict[str, Any]:
    tool_call_id = message.get("tool_call_id")
    if not isinstance(tool_call_id, str) or not tool_call_id:
        raise invalid(f"messages[{index}]: tool messages need a tool_call_id", "messages")
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": _tool_id(tool_call_id)}
    texts = _text_blocks(message.get("content"), f"messages[{index}].content")
    marks = [text.pop("cache_control") for text in texts if "cache_control" in text]
    if marks:  # on the tool_result block: Anthropic refuses one inside its content ("place it directly on tool_result")
        block["cache_control"] = marks[-1]
    if len(texts) == 1:
        block["content"] = texts[0]["text"]
    elif texts:
        block["content"] = texts
    return block
