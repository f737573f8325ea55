"""`POST /v1/messages`, Anthropic's Messages API, served through the chat route for every backend.

Anthropic SDK clients (and tools built on it) point `base_url` at the gateway, as they do at LiteLLM's
or vLLM's `/v1/messages`: the request is routed, priced and forwarded as a chat completion, and the
answer comes back as a `message` (its stream: router/anthropic_stream.py). The outbound direction —
a chat request sent to Anthropic — is backends/anthropic_request.py; this is its mirror.

Mapping: `system` and system turns → system messages; user `tool_result` blocks → tool messages (text
only, before the turn's other content, which their images join); assistant `tool_use` blocks → tool
calls; assistant `thinking` blocks → the turn's `reasoning` text and, signed, its `thinking_blocks` (the
model's reasoning dialect keeps what its family reads back: backends/reasoning.py); `thinking: {type:
enabled, budget_tokens}` → the lowest `reasoning_effort` up to high whose default budget covers it
(disabled → none); with thinking on, the client's `max_tokens` is the upstream's whole cap, thinking
included (`RequestHints.cap_includes_reasoning`, router/anthropic_hints.py: an effort whose reserve would fill it is
lowered, whoever set it); `output_config.effort` → that effort (the nearest the model takes), which, as on the chat route, wins over the tier's
unless `routing.client_reasoning_effort: ignore`; adaptive thinking without one keeps the tier's (a model named directly:
high, Anthropic's default). Documents and search results are read as their text (a PDF or a linked
document is named, not read); server tools (web search, code execution…) and MCP servers are a 400 naming the
field; HTTP errors are in Anthropic's shape (router/anthropic_errors.py). When the client turned thinking on, the upstream's reasoning comes back as `thinking` blocks: signed ones as an
Anthropic upstream signed them, others (vLLM's `reasoning`) with an empty signature, which an Anthropic
upstream is never sent (backends/anthropic_messages.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from backends.anthropic_extras import POSITION, interleaved
from backends.anthropic_messages import THINKING_BLOCK_TYPES
from backends.chat_shape import content_text
from backends.reasoning import DEFAULT_BUDGETS, reasoning_text
from backends.usage import Usage
from router.protocol import array_field, invalid, string_field, type_of
from router.responses_api import new_id

#: Fields with no chat counterpart, or translated below: not forwarded as they are (an OpenAI upstream
#: refuses what it does not know; `top_k` is Anthropic's "advanced use" sampling knob).
_TRANSLATED = frozenset({"system", "messages", "stop_sequences", "tools", "tool_choice", "thinking", "metadata", "service_tier",
                         "container", "context_management", "output_config", "output_format", "top_k", "cache_control", "inference_geo"})
#: Anthropic's `output_config.effort` levels, each a `reasoning_effort` of the same name (sent as the nearest the
#: model takes: `RequestHints.effort_translated`); thinking budgets stop at "high".
_EFFORTS = ("low", "medium", "high", "xhigh", "max")
_REFUSED = ("mcp_servers",)
#: How Claude Code's per-request billing line starts (`cc_version=…; cch=<hash>;`), its first system block.
_BILLING_HEADER = "x-anthropic-billing-header:"
_STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use",
                 "content_filter": "refusal"}
_ROLES = ("user", "assistant", "system")
#: Anthropic's error types by HTTP status (an error body's or `error` event's `error.type`).
#: Anthropic's own list, plus the gateway's 503 (at its concurrency limit, shutting down, or its limits store
#: closed) as overloaded, which Claude Code tells its user is temporary; any other 5xx is `api_error`.
# -- request ------------------------------------------------------------------------------------------
def chat_request(body: dict[str, Any]) -> dict[str, Any]:
    """The chat-completions body for a Messages ``body`` (what it asks of Anthropic itself rides beside it:
    router/anthropic_hints.py); what cannot be served is a 400 naming it."""
    for field in _REFUSED:
        if body.get(field):
            raise invalid(f"'{field}' is not supported: the gateway runs no MCP servers", param=field, code="unsupported_parameter")
    if body.get("max_tokens") is None:
        raise invalid("'max_tokens' is required", param="max_tokens")
    chat = {key: value for key, value in body.items() if key not in _TRANSLATED}
    chat["messages"] = _system(body.get("system")) + messages_of(_marked_last(body.get("messages"), body.get("cache_control")))
    stops = body.get("stop_sequences")
    if stops is not None:
        if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
            raise invalid("'stop_sequences' must be an array of strings", param="stop_sequences")
        if stops:
            chat["stop"] = stops
    if body.get("tools") is not None:
        chat["tools"] = [_tool(tool, index) for index, tool in enumerate(array_field(body["tools"], "tools"))]
    _tool_choice(body.get("tool_choice"), chat)
    if not chat.get("tools"):  # OpenAI and vLLM refuse `tools: []` and a tool choice without tools
        chat.pop("tools", None)
        chat.pop("tool_choice", None)
    _output(body.get("output_format"), body.get("output_config"), chat)
    effort = _thinking(body.get("thinking"))  # with thinking on, max_tokens counts it: `RequestHints.cap_includes_reasoning`
    if effort is not None:  # (adaptive without an effort: `RequestHints.default_effort`)
        chat["reasoning_effort"] = effort
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):  # its user_id is Anthropic's (Claude Code's: a JSON blob)
        raise invalid("'metadata' must be an object", param="metadata")
    if body.get("stream"):
        chat["stream_options"] = {"include_usage": True}  # the closing message_delta carries the usage
    return chat


def _system(system: Any, param: str = "system") -> list[dict[str, Any]]:
    """One system message: its blocks' text joined, or text parts when a block marks a cache breakpoint. Claude Code's
    first block, a billing header whose hash changes with every request, is left out: first in the prompt, it kept any
    upstream's prefix cache from matching past it (llama.cpp's Anthropic endpoint drops it too)."""
    if system is None or system == "":
        return []
    if isinstance(system, str):
        return [{"role": "system", "content": system}]
    blocks = [block for block in array_field(system, param) if isinstance(block, dict)]
    if len(blocks) != len(system) or not all(isinstance(block.get("text"), str) for block in blocks):
        raise invalid(f"'{param}' must be a string or an array of text blocks", param=param)
    parts = [_with_mark({"type": "text", "text": block["text"]}, block) for block in blocks if not block["text"].startswith(_BILLING_HEADER)]
    if not parts:
        return []
    if any("cache_control" in part for part in parts):
        return [{"role": "system", "content": parts}]
    return [{"role": "system", "content": "\n".join(part["text"] for part in parts)}]


def _marked_last(turns: Any, cache_control: Any) -> Any:
    """The turns with Anthropic's automatic breakpoint (a top-level `cache_control`) on the last block of the last turn."""
    if not isinstance(cache_control, dict) or not isinstance(turns, list) or not turns or not isinstance(turns[-1], dict):
        return turns
    content = turns[-1].get("content")
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
    if not isinstance(blocks, list) or not blocks or not isinstance(blocks[-1], dict) or "cache_control" in blocks[-1]:
        return turns
    return [*turns[:-1], {**turns[-1], "content": [*blocks[:-1], {**blocks[-1], "cache_control": cache_control}]}]


def messages_of(turns: Any) -> list[dict[str, Any]]:
    """Chat messages for the Messages API's turns (a `system` turn among them, as Claude Code sends
    mid-conversation instructions, is a system message)."""
    messages: list[dict[str, Any]] = []
    for index, turn in enumerate(array_field(turns, "messages")):
        param = f"messages[{index}]"
        if not isinstance(turn, dict) or turn.get("role") not in _ROLES:
            raise invalid(f"'{param}.role' must be user, assistant or system", param=f"{param}.role")
        content = turn.get("content")
        if turn["role"] == "system":
            messages += _system(content, f"{param}.content")
        elif isinstance(content, str):
            messages.append({"role": turn["role"], "content": content})
        elif turn["role"] == "user":
            messages += _user_turn(array_field(content, f"{param}.content"), f"{param}.content")
        else:
            messages.append(_assistant_turn(array_field(content, f"{param}.content"), f"{param}.content"))
    if all(message["role"] == "system" for message in messages):
        raise invalid("'messages' must hold at least one user or assistant turn", param="messages")
    return messages


def _user_turn(blocks: list[Any], param: str) -> list[dict[str, Any]]:
    """Tool results as tool messages, then the turn's text and images as one user message."""
    out: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for index, block in enumerate(blocks):
        kind = type_of(block)
        if kind == "tool_result":
            content = block.get("content")
            result = [{"type": "text", "text": content}] if isinstance(content, str) else [
                _part(item, f"{param}[{index}].content[{number}]") for number, item in enumerate(array_field(content or [], f"{param}[{index}].content"))]
            text = "\n".join(part["text"] for part in result if part["type"] == "text")
            if block.get("is_error") is True:
                text = f"Error: {text}"  # the chat API has no error flag: the model must still be told the call failed
            mark = next((item["cache_control"] for item in (block, *result) if isinstance(item.get("cache_control"), dict)), None)
            tool: dict[str, Any] = {"role": "tool", "tool_call_id": string_field(block, "tool_use_id", f"{param}[{index}]"), "content": text}
            if mark is not None:  # the breakpoint goes back on the tool_result block (backends/anthropic_messages.py)
                tool["content"] = [{"type": "text", "text": text, "cache_control": mark}]
            out.append(tool)
            parts += [{key: value for key, value in part.items() if key != "cache_control"} for part in result if part["type"] != "text"]  # a tool message holds text only: its images follow as the user's
        else:
            parts.append(_part(block, f"{param}[{index}]"))
    if parts:
        only_text = all(part["type"] == "text" and "cache_control" not in part for part in parts)
        out.append({"role": "user", "content": "\n".join(part["text"] for part in parts) if only_text else parts})  # on lines, as vLLM joins parts
    return out


def _assistant_turn(blocks: list[Any], param: str) -> dict[str, Any]:
    texts: list[str] = []
    thoughts: list[str] = []
    thinking_blocks: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    for index, block in enumerate(blocks):
        kind = type_of(block)
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind in THINKING_BLOCK_TYPES:
            if isinstance(block.get("thinking"), str):
                thoughts.append(block["thinking"])
            position = min(len(texts), 1) + len(calls)  # interleaved thinking keeps its place (backends/anthropic_messages.py)
            thinking_blocks.append({**block, POSITION: position} if position else block)
        elif kind == "tool_use":
            calls.append({"id": string_field(block, "id", f"{param}[{index}]"), "type": "function", "function": {
                "name": string_field(block, "name", f"{param}[{index}]"), "arguments": orjson.dumps(block.get("input") or {}).decode()}})
        else:
            raise invalid(f"'{param}[{index}]' is not a supported assistant block (text, tool_use, thinking)", param=f"{param}[{index}]",
                          code="unsupported_value")
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
    if thoughts:
        message["reasoning"] = "".join(thoughts)
    if thinking_blocks:
        message["thinking_blocks"] = thinking_blocks
    if calls:
        message["tool_calls"] = calls
    return message


def _part(block: Any, param: str) -> dict[str, Any]:
    """A text or image block as a chat part, its cache breakpoint kept."""
    return _with_mark(_bare_part(block, param), block)


def _with_mark(part: dict[str, Any], block: Mapping[str, Any]) -> dict[str, Any]:
    """``part`` with ``block``'s cache breakpoint, where LiteLLM writes one on a chat part (`RequestHints.cache_marks`)."""
    if isinstance(block.get("cache_control"), dict):
        part["cache_control"] = block["cache_control"]
    return part


def _bare_part(block: Any, param: str) -> dict[str, Any]:
    kind = type_of(block)
    if kind == "text" and isinstance(block.get("text"), str):
        return {"type": "text", "text": block["text"]}
    source = block.get("source") if kind == "image" else None
    if isinstance(source, dict) and source.get("type") == "base64" and isinstance(source.get("data"), str):
        return {"type": "image_url", "image_url": {"url": f"data:{source.get('media_type') or 'image/png'};base64,{source['data']}"}}
    if isinstance(source, dict) and source.get("type") == "url" and isinstance(source.get("url"), str):
        return {"type": "image_url", "image_url": {"url": source["url"]}}
    if kind in ("document", "search_result"):
        return {"type": "text", "text": _document_text(block)}
    raise invalid(f"'{param}' is not a supported content block (text, image from base64 or a URL, document, search_result, tool_result)",
                  param=param, code="unsupported_value")


def _document_text(block: Mapping[str, Any]) -> str:
    """A `document` or `search_result` block as the text a chat model reads: a text document's text, a search result's
    or a content document's text blocks, under its title (and source). A PDF or a linked document — no chat upstream
    reads them — is named, not refused: in a conversation's history (Claude Code's Read of a PDF) a 400 failed every
    later request of the session."""
    source = block.get("source")
    head = [value for value in (block.get("title"), source if type_of(block) == "search_result" else None) if isinstance(value, str) and value]
    if isinstance(source, dict) and source.get("type") == "text" and isinstance(source.get("data"), str):
        body = source["data"]
    else:
        blocks = source.get("content") if isinstance(source, dict) and source.get("type") == "content" else block.get("content")
        if isinstance(blocks, str):
            body = blocks
        elif isinstance(blocks, list):
            body = "\n".join(item["text"] for item in blocks if isinstance(item, dict) and isinstance(item.get("text"), str))
        else:
            kind = source.get("media_type") or source.get("type") if isinstance(source, dict) else None
            body = f"[a document ({kind or 'unknown'}) this model cannot read was left out]"
    return "\n\n".join([*head, body]) if head else body


def _tool(tool: Any, index: int) -> dict[str, Any]:
    if not isinstance(tool, dict) or tool.get("type", "custom") != "custom" or not isinstance(tool.get("name"), str):
        kind = type_of(tool)
        raise invalid(f"'tools[{index}]': tools of type {kind!r} are not supported: only client tools with a name and an input_schema are served",
                      param=f"tools[{index}]", code="unsupported_value")
    function = {"name": tool["name"], "parameters": tool.get("input_schema") or {"type": "object"}}
    if tool.get("description") is not None:
        function["description"] = tool["description"]
    return {"type": "function", "function": function}


def _tool_choice(choice: Any, chat: dict[str, Any]) -> None:
    if choice is None:
        return
    kind = type_of(choice)
    if kind in ("auto", "any", "none"):
        chat["tool_choice"] = {"auto": "auto", "any": "required", "none": "none"}[kind]
    elif kind == "tool" and isinstance(choice.get("name"), str):
        chat["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
    else:
        raise invalid("'tool_choice.type' must be auto, any, tool (with a name) or none", param="tool_choice")
    if choice.get("disable_parallel_tool_use") is True and chat.get("tools"):
        chat["parallel_tool_calls"] = False


def _thinking(thinking: Any) -> str | None:
    """The effort a `thinking` setting asks for (None: the tier's): the lowest whose default budget
    covers `budget_tokens` (an effort whose reserve the cap cannot hold is lowered in
    `router.upstream_fields.requested_effort`)."""
    if thinking is None:
        return None
    kind = type_of(thinking)
    if kind in ("disabled", "between_tools"):  # between_tools: thinking off, progress notes between tool calls as thinking blocks
        return "none"
    if kind == "adaptive":
        return None  # the model decides how long to think: the tier's effort stands
    budget = thinking.get("budget_tokens") if kind == "enabled" else None
    if type(budget) is not int or budget < 1:
        raise invalid("'thinking' must be {type: enabled, budget_tokens}, {type: adaptive}, {type: between_tools} or {type: disabled}", param="thinking")
    return next((effort for effort in ("low", "medium") if DEFAULT_BUDGETS[effort] >= budget), "high")


def _output(output_format: Any, output_config: Any, chat: dict[str, Any]) -> None:
    """Structured output (`output_format`, or `output_config.format`) and `output_config.effort`."""
    config = output_config if isinstance(output_config, dict) else {}
    fmt = output_format if output_format is not None else config.get("format")
    if fmt is not None:
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
            raise invalid("'output_format' must be {type: json_schema, schema}", param="output_format")
        chat["response_format"] = {"type": "json_schema", "json_schema": {"name": "output", "schema": fmt["schema"], "strict": True}}
    effort = config.get("effort")
    if effort is not None:
        if not isinstance(effort, str) or effort not in _EFFORTS:
            raise invalid("'output_config.effort' must be low, medium, high, xhigh or max", param="output_config.effort")
        chat["reasoning_effort"] = effort  # sent as the nearest the model takes (`RequestHints.effort_translated`)


# -- response -----------------------------------------------------------------------------------------
def stop_fields(request: Mapping[str, Any], finish_reason: Any, called: bool = False, matched: Any = None) -> dict[str, Any]:
    """Anthropic's `stop_reason` and `stop_sequence`. A message with a tool call stops for it, however
    the upstream said so (OpenAI with a forced function, Gemini always: "stop"), unless it was cut; a
    stop sequence matched is the one the upstream names in the choice's `stop_reason` (vLLM's field,
    which the Anthropic adapter fills too) — an upstream that names none ends its turn."""
    if called and finish_reason != "length":
        return {"stop_reason": "tool_use", "stop_sequence": None}
    if finish_reason == "stop" and isinstance(matched, str) and matched in (request.get("stop_sequences") or ()):
        return {"stop_reason": "stop_sequence", "stop_sequence": matched}
    return {"stop_reason": _STOP_REASONS.get(finish_reason, "end_turn"), "stop_sequence": None}


def usage(chat_usage: Any) -> dict[str, Any]:
    """Chat `usage` in Anthropic's names, read as the accounting reads it (`Usage.from_openai`: odd values are 0):
    `input_tokens` leaves out the prompt tokens read from cache and written to it; the writes split by cache TTL."""
    counted = Usage.from_openai(chat_usage)
    written, written_1h = counted.cache_creation_tokens, counted.cache_creation_1h_tokens
    return {"input_tokens": max(counted.prompt_tokens - counted.cached_prompt_tokens - written, 0), "output_tokens": counted.completion_tokens,
            "cache_read_input_tokens": counted.cached_prompt_tokens, "cache_creation_input_tokens": written,
            "cache_creation": {"ephemeral_5m_input_tokens": written - written_1h, "ephemeral_1h_input_tokens": written_1h}}


def tool_input(arguments: Any) -> Any:
    """A tool call's arguments as the object Anthropic sends; arguments that are no JSON object stay a string under `_raw`."""
    try:
        value = orjson.loads(arguments or "{}")
    except orjson.JSONDecodeError:
        return {"_raw": arguments}
    return value if isinstance(value, dict) else {"_raw": arguments}


def shows_thinking(request: Mapping[str, Any]) -> bool:
    """Whether the client turned thinking on: only then does Anthropic return thinking blocks."""
    thinking = request.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive", "between_tools")


def thinking_content(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A chat answer's reasoning as thinking blocks: the signed ones an Anthropic upstream sent, else its text unsigned."""
    signed = [block for block in message.get("thinking_blocks") or () if isinstance(block, dict) and block.get("type") in THINKING_BLOCK_TYPES]
    if signed:
        return signed
    text = reasoning_text(message)
    return [{"type": "thinking", "thinking": text, "signature": ""}] if text else []


def message_body(request: Mapping[str, Any], chat: Mapping[str, Any]) -> dict[str, Any]:
    """A non-streamed chat completion as a `message` (its first choice)."""
    choice = (chat.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    content: list[dict[str, Any]] = []
    text = content_text(message.get("content")) + (message.get("refusal") or "")
    if text:
        content.append({"type": "text", "text": text})
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        content.append({"type": "tool_use", "id": call.get("id") or new_id("toolu"), "name": function.get("name") or "",
                        "input": tool_input(function.get("arguments"))})
    content = interleaved(thinking_content(message) if shows_thinking(request) else [], content)
    out = {"id": new_id("msg"), "type": "message", "role": "assistant", "model": chat.get("model"), "content": content,
           **stop_fields(request, choice.get("finish_reason"), bool(message.get("tool_calls")), choice.get("stop_reason")),
           "usage": usage(chat.get("usage"))}
    if "router" in chat:
        out["router"] = chat["router"]
    return out


