"""OpenAI chat-completions request → Anthropic Messages API request.

Translation rules (anything not listed is dropped: it has no Anthropic meaning):

- `system` / `developer` messages, wherever they appear, are joined with a blank line into the
  top-level `system` string (text parts only).
- `user`, `assistant` and `tool` messages become alternating `user`/`assistant` turns:
  consecutive turns of the same role are merged, `tool` messages become `tool_result` blocks of a
  user turn, assistant `tool_calls` become `tool_use` blocks (arguments JSON-decoded into `input`).
  Empty text is skipped (Anthropic rejects empty text blocks) and a turn left empty is dropped.
- Images: `data:` URLs → base64 image sources, `http(s)` URLs → URL sources.
- A `cache_control` breakpoint on a text or image part (LiteLLM's convention for prompt caching)
  is kept on its Anthropic block; a cached system part turns `system` into a list of text blocks.
- `max_completion_tokens` (else `max_tokens`) → `max_tokens`, which Anthropic requires: default
  4096, plus the thinking budget when thinking is on; an explicit cap not above the budget is read
  as the answer's budget and grown by it (as `reasoning.raise_token_cap` does).
- `stop` → `stop_sequences`; `temperature`, `top_p`, `top_k` pass through; `user` →
  `metadata.user_id`; `tools`/`tool_choice`/`parallel_tool_calls` → Anthropic tools and tool choice;
  `response_format` `json_schema` → `output_config.format` (Anthropic structured outputs).
- `thinking` passes through. With thinking enabled Anthropic rejects temperature and top_k
  changes, top_p below 0.95 and forced tool use, so those sampling fields are dropped; a forced
  tool choice (the client's explicit request) instead drops `thinking`, which normally comes from
  the tier. Thinking is also dropped when the last assistant turn holds `tool_use` without a
  leading thinking block (the client did not send `thinking_blocks` back), which Anthropic
  rejects with a 400 in the middle of every tool loop.
- Assistant messages may carry `thinking_blocks` (LiteLLM's convention, which our responses
  follow) so signed thinking survives a tool loop; `reasoning_content` alone cannot be sent back
  (Anthropic requires the signature) and is dropped.
- Fields that would change what the client gets back (`n` > 1, `logprobs`, `top_logprobs`,
  `response_format: json_object`, non-function tools, audio/file parts) raise a 400 `UpstreamError`
  naming the parameter instead of being silently ignored.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from backends.base import UpstreamError

DEFAULT_MAX_TOKENS = 4096
_DATA_URL = re.compile(r"^data:(?P<media>[\w.+-]+/[\w.+-]+)(?P<params>(?:;[^;,]*)*?);base64,(?P<data>.*)$", re.DOTALL)
_THINKING_BLOCK_TYPES = ("thinking", "redacted_thinking")


def invalid(message: str, param: str) -> UpstreamError:
    """A request this adapter cannot express: the client gets a 400 naming the parameter."""
    return UpstreamError("status", message, status=400, error_type="invalid_request_error", param=param)


def to_anthropic_request(body: dict[str, Any], *, stream: bool) -> dict[str, Any]:
    """The Messages API body for an OpenAI-format chat request (`body` is not modified)."""
    _reject_unsupported(body)
    system, messages = _convert_messages(body.get("messages"))
    request: dict[str, Any] = {"model": body.get("model"), "messages": messages}
    if system:
        request["system"] = system
    for field in ("temperature", "top_p", "top_k"):
        if body.get(field) is not None:
            request[field] = body[field]
    stop = _stop_sequences(body.get("stop"))
    if stop:
        request["stop_sequences"] = stop
    tools = _tools(body.get("tools"))
    if tools:
        request["tools"] = tools
        choice = _tool_choice(body.get("tool_choice"), body.get("parallel_tool_calls"))
        if choice is not None:
            request["tool_choice"] = choice
    output_format = _output_format(body.get("response_format"))
    if output_format is not None:
        request["output_config"] = {"format": output_format}
    user = body.get("user")
    if isinstance(user, str) and user:
        request["metadata"] = {"user_id": user}
    thinking = body.get("thinking")
    if isinstance(thinking, dict):
        request["thinking"] = dict(thinking)
    _apply_thinking_rules(request)
    request["max_tokens"] = _max_tokens(body, request.get("thinking"))
    request["stream"] = stream
    return request


def _reject_unsupported(body: dict[str, Any]) -> None:
    n = body.get("n")
    if n is not None and n != 1:
        raise invalid("Anthropic models return one choice per request: `n` must be 1", "n")
    if body.get("logprobs"):
        raise invalid("Anthropic models do not return log probabilities", "logprobs")
    if body.get("top_logprobs") is not None:
        raise invalid("Anthropic models do not return log probabilities", "top_logprobs")


# -- messages ------------------------------------------------------------------------------


def _convert_messages(raw: Any) -> tuple[str | list[dict[str, Any]], list[dict[str, Any]]]:
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
        else:
            turns.append({"role": anthropic_role, "content": blocks})
    if not turns:
        raise invalid("`messages` must contain at least one non-empty user or assistant message", "messages")
    return _system(system), turns


def _system(blocks: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """One string, or text blocks when a part carries a `cache_control` breakpoint."""
    if any("cache_control" in block for block in blocks):
        return blocks
    return "\n\n".join(block["text"] for block in blocks)


def _text_block(part: dict[str, Any]) -> dict[str, Any]:
    """An Anthropic text block; a `cache_control` breakpoint on the part (LiteLLM's convention) is kept."""
    block = {"type": "text", "text": part["text"]}
    if isinstance(part.get("cache_control"), dict):
        block["cache_control"] = part["cache_control"]
    return block


def _text_blocks(content: Any, where: str) -> list[dict[str, Any]]:
    """Non-empty text blocks of a string or a list of text parts (system, tool results)."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if not isinstance(content, list):
        raise invalid(f"{where} must be a string or a list of content parts", "messages")
    blocks = []
    for part in content:
        if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
            raise invalid(f"{where} may only contain text parts", "messages")
        if part["text"]:
            blocks.append(_text_block(part))
    return blocks


def _user_blocks(content: Any, index: int) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if not isinstance(content, list):
        raise invalid(f"messages[{index}].content must be a string or a list of content parts", "messages")
    blocks: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            if part["text"]:
                blocks.append(_text_block(part))
        elif kind == "image_url":
            blocks.append(_image_block(part, index))
        else:
            raise invalid(f"messages[{index}].content: part type {kind!r} is not supported by Anthropic models", "messages")
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
        source = {"type": "base64", "media_type": match["media"].lower(), "data": match["data"]}
    elif url.startswith(("https://", "http://")):
        source = {"type": "url", "url": url}
    else:
        raise invalid(f"messages[{index}].content: image_url must be an http(s) or data: URL", "messages")
    block: dict[str, Any] = {"type": "image", "source": source}
    if isinstance(part.get("cache_control"), dict):
        block["cache_control"] = part["cache_control"]
    return block


def _assistant_blocks(message: dict[str, Any], index: int) -> list[dict[str, Any]]:
    blocks = _thinking_blocks(message.get("thinking_blocks"))
    content = message.get("content")
    if isinstance(content, str):
        if content:
            blocks.append({"type": "text", "text": content})
    elif isinstance(content, list):
        for part in content:
            kind = part.get("type") if isinstance(part, dict) else None
            text = part.get("text") if kind == "text" else part.get("refusal") if kind == "refusal" else None
            if not isinstance(text, str):
                raise invalid(f"messages[{index}].content: assistant content may only hold text parts", "messages")
            if text:
                blocks.append(_text_block({**part, "text": text}))
    elif content is not None:
        raise invalid(f"messages[{index}].content must be a string or a list of text parts", "messages")
    for call in message.get("tool_calls") or ():
        blocks.append(_tool_use(call, index))
    return blocks


def _thinking_blocks(raw: Any) -> list[dict[str, Any]]:
    """Well-formed signed thinking blocks the client echoed back; anything else is dropped."""
    blocks: list[dict[str, Any]] = []
    for block in raw if isinstance(raw, list) else ():
        if not isinstance(block, dict):
            continue
        if block.get("type") == "thinking" and isinstance(block.get("thinking"), str) and isinstance(block.get("signature"), str):
            blocks.append({"type": "thinking", "thinking": block["thinking"], "signature": block["signature"]})
        elif block.get("type") == "redacted_thinking" and isinstance(block.get("data"), str):
            blocks.append({"type": "redacted_thinking", "data": block["data"]})
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
    return {"type": "tool_use", "id": call["id"], "name": function["name"], "input": tool_input}


def _tool_result(message: dict[str, Any], index: int) -> dict[str, Any]:
    tool_call_id = message.get("tool_call_id")
    if not isinstance(tool_call_id, str) or not tool_call_id:
        raise invalid(f"messages[{index}]: tool messages need a tool_call_id", "messages")
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": tool_call_id}
    texts = _text_blocks(message.get("content"), f"messages[{index}].content")
    if len(texts) == 1 and "cache_control" not in texts[0]:
        block["content"] = texts[0]["text"]
    elif texts:
        block["content"] = texts
    return block


# -- parameters ----------------------------------------------------------------------------


def _stop_sequences(stop: Any) -> list[str]:
    if stop is None:
        return []
    if isinstance(stop, str):
        return [stop] if stop else []
    if isinstance(stop, list) and all(isinstance(item, str) for item in stop):
        return [item for item in stop if item]
    raise invalid("`stop` must be a string or a list of strings", "stop")


def _tools(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid("`tools` must be a list", "tools")
    tools = []
    for tool in raw:
        function = tool.get("function") if isinstance(tool, dict) and tool.get("type", "function") == "function" else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise invalid("only function tools with a name are supported by Anthropic models", "tools")
        schema = function.get("parameters")
        converted: dict[str, Any] = {
            "name": function["name"],
            "input_schema": schema if isinstance(schema, dict) and schema else {"type": "object", "properties": {}},
        }
        if isinstance(function.get("description"), str) and function["description"]:
            converted["description"] = function["description"]
        tools.append(converted)
    return tools


def _tool_choice(choice: Any, parallel_tool_calls: Any) -> dict[str, Any] | None:
    if choice is None or choice == "auto":
        converted: dict[str, Any] | None = {"type": "auto"} if parallel_tool_calls is False else None
    elif choice == "none":
        return {"type": "none"}
    elif choice == "required":
        converted = {"type": "any"}
    elif isinstance(choice, dict) and isinstance((choice.get("function") or {}).get("name"), str):
        converted = {"type": "tool", "name": choice["function"]["name"]}
    else:
        raise invalid("`tool_choice` must be auto, none, required or a named function", "tool_choice")
    if converted is not None and parallel_tool_calls is False:
        converted["disable_parallel_tool_use"] = True
    return converted


def _output_format(response_format: Any) -> dict[str, Any] | None:
    if response_format is None:
        return None
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind == "text":
        return None
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        if isinstance(spec, dict) and isinstance(spec.get("schema"), dict):
            return {"type": "json_schema", "schema": spec["schema"]}
    raise invalid("Anthropic models accept `response_format` of type text or json_schema (with a schema) only", "response_format")


def _thinking_budget(thinking: Any) -> int:
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        if isinstance(budget, int) and not isinstance(budget, bool) and budget > 0:
            return budget
    return 0


def _apply_thinking_rules(request: dict[str, Any]) -> None:
    thinking = request.get("thinking")
    if not isinstance(thinking, dict) or thinking.get("type") in (None, "disabled"):
        return
    if request.get("tool_choice", {}).get("type") in ("any", "tool") or _tool_loop_without_thinking(request["messages"]):
        del request["thinking"]
        return
    request.pop("temperature", None)
    request.pop("top_k", None)
    top_p = request.get("top_p")
    if isinstance(top_p, (int, float)) and top_p < 0.95:
        del request["top_p"]


def _tool_loop_without_thinking(messages: list[dict[str, Any]]) -> bool:
    """Whether the last assistant turn uses a tool but does not start with a thinking block."""
    for message in reversed(messages):
        if message["role"] == "assistant":
            blocks = message["content"]
            has_tool_use = any(block["type"] == "tool_use" for block in blocks)
            return has_tool_use and blocks[0]["type"] not in _THINKING_BLOCK_TYPES
    return False


def _max_tokens(body: dict[str, Any], thinking: Any) -> int:
    budget = _thinking_budget(thinking)
    for field in ("max_completion_tokens", "max_tokens"):
        value = body.get(field)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise invalid(f"`{field}` must be a positive integer", field)
        return value + budget if value <= budget else value
    return DEFAULT_MAX_TOKENS + budget
