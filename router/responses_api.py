"""`POST /v1/responses`, OpenAI's Responses API, served statelessly through the chat route.

Every backend speaks chat completions (backends/base.py), so a response is routed, priced and
forwarded as a chat completion — what LiteLLM does for providers without a Responses API — and the
answer comes back as a `response` object (its stream: router/responses_stream.py). The gateway keeps
no state: the conversation comes whole in `input` (as the OpenAI Agents SDK and Codex send it with
`store: false`); `previous_response_id`, `conversation`, stored prompts and background runs are a 400
naming the field. Tools: router/responses_tools.py (namespaces flattened, custom tools as one-string functions, OpenAI's server-side tools left out).
An upstream's reasoning in the clear (a local model's) is a `reasoning` item with `reasoning_text`
content before the answer, as vLLM's own Responses API returns it (and as its `summary` when the client
asks for one, which clients that show only summaries display); echoed back in `input`, its text is
the assistant turn's `reasoning` (its summary when it has no content), which each backend's reasoning
dialect keeps or drops. A reasoning item holding only OpenAI's encrypted content is dropped.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import Any

from backends.chat_shape import content_text
from backends.reasoning import EFFORTS, reasoning_text
from backends.request_hints import NO_HINTS, RequestHints
from backends.usage import Usage
from router.protocol import MAX_TOKENS_LIMIT, array_field, invalid, string_field, type_of
from router.responses_tools import NO_TOOL_NAMES, CallNames, call_item, chat_tool_choice, chat_tools, custom_arguments, dropped_tools, joined

#: The `include` entry that asks for the answer's token logprobs; `top_logprobs` asks for them too (0 to 20 alternatives).
LOGPROBS_INCLUDE = "message.output_text.logprobs"
MAX_TOP_LOGPROBS = 20
#: Fields that need state the gateway does not keep, refused unless null (or false for `background`).
STATEFUL = ("previous_response_id", "conversation", "prompt", "background")
#: Fields with no chat-completions counterpart that change nothing in the answer: dropped (an OpenAI upstream refuses a
#: field it does not define: "Unrecognized request argument"). Any other goes on, as a vLLM extra (`top_k`) does.
_IGNORED = frozenset({"input", "instructions", "max_output_tokens", "reasoning", "text", "tools", "tool_choice", "stream_options",
                      "store", "include", "truncation", "max_tool_calls", "top_logprobs", "metadata", *STATEFUL,
                      "context_management", "background_options", "access_programs", "image", "client_metadata"})
_TYPES: dict[str, type] = {"instructions": str, "reasoning": dict, "text": dict, "store": bool, "metadata": dict, "parallel_tool_calls": bool}
_TYPE_NAMES = {str: "a string", dict: "an object", bool: "a boolean"}
_ROLES = frozenset({"user", "assistant", "system", "developer"})
_STOP_STATUS = {"length": ("incomplete", "max_output_tokens"), "content_filter": ("incomplete", "content_filter")}
#: The hints of a request with `max_output_tokens` (`request_hints`), the same for each.
_WHOLE_CAP = RequestHints(cap_includes_reasoning=True)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(16)}"


# -- request ------------------------------------------------------------------------------------------
def request_hints(body: Mapping[str, Any]) -> RequestHints:
    """What the chat translation of a Responses ``body`` cannot say: OpenAI's `max_output_tokens` counts the reasoning
    tokens, so it is the upstream's whole cap, to which no thinking reserve is added."""
    return _WHOLE_CAP if body.get("max_output_tokens") is not None else NO_HINTS


def chat_request(body: dict[str, Any]) -> dict[str, Any]:
    """The chat-completions body for a Responses ``body``; what cannot be served is a 400 naming it."""
    if "messages" in body:
        raise invalid("'messages' belongs to /v1/chat/completions; send 'input' here", param="messages")
    for field in STATEFUL:
        if body.get(field) is not None and not (field == "background" and body[field] is False):
            raise invalid(f"'{field}' is not supported: the gateway keeps no responses; send the whole conversation in 'input'",
                          param=field, code="unsupported_parameter")
    n = body.get("n")  # the chat route would pay for n answers and this one return the first
    if n is not None and (n is True or n != 1):
        raise invalid("'n' is not supported on /v1/responses", param="n", code="unsupported_parameter")
    top = body.get("top_logprobs")
    if top is not None and (type(top) is not int or not 0 <= top <= MAX_TOP_LOGPROBS):
        raise invalid(f"'top_logprobs' must be an integer from 0 to {MAX_TOP_LOGPROBS}", param="top_logprobs")
    for field, kind in _TYPES.items():  # fields the chat request will not see, so not check
        if body.get(field) is not None and not isinstance(body[field], kind):
            raise invalid(f"'{field}' must be {_TYPE_NAMES[kind]}", param=field)
    cap = body.get("max_output_tokens")
    if cap is not None and (type(cap) is not int or not 1 <= cap <= MAX_TOKENS_LIMIT):
        raise invalid(f"'max_output_tokens' must be an integer from 1 to {MAX_TOKENS_LIMIT}", param="max_output_tokens")
    chat = {key: value for key, value in body.items() if key not in _IGNORED}
    instructions = body.get("instructions")
    chat["messages"] = ([{"role": "system", "content": instructions}] if instructions else []) + messages_of(body.get("input"))
    if body.get("max_output_tokens") is not None:  # OpenAI's counts the reasoning: `request_hints`
        chat["max_completion_tokens"] = body["max_output_tokens"]
    effort = (body.get("reasoning") or {}).get("effort")
    if effort is not None:
        if effort not in EFFORTS:
            raise invalid(f"'reasoning.effort' must be one of {', '.join(EFFORTS)}", param="reasoning.effort")
        chat["reasoning_effort"] = effort
    _text_format(body.get("text"), chat)
    include = body.get("include")
    if top is not None or (isinstance(include, list) and LOGPROBS_INCLUDE in include):  # the answer's token logprobs
        chat["logprobs"] = True
        if top:
            chat["top_logprobs"] = top
    if body.get("tools") is not None:
        chat["tools"] = chat_tools(body["tools"])
    if body.get("tool_choice") is not None:
        chat["tool_choice"] = chat_tool_choice(body["tool_choice"])
    if not chat.get("tools"):  # OpenAI and vLLM refuse `tools: []` and the flag without tools; the Responses API sends them
        chat.pop("tools", None)  # (the Agents SDK's `[]` for an agent without tools; only OpenAI's server-side tools left out)
        chat.pop("parallel_tool_calls", None)
        chat.pop("tool_choice", None)
    if body.get("stream"):
        chat["stream_options"] = {"include_usage": True}  # the closing `response.completed` carries the usage
    return chat


def messages_of(items: Any) -> list[dict[str, Any]]:
    """Chat messages for the `input` items: messages, reasoning, function calls and their outputs. One
    model turn's items (reasoning, its text, its calls) become one assistant message, as vLLM reads them."""
    if isinstance(items, str):
        return [{"role": "user", "content": items}]
    messages: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []  # the images of the tool outputs since the last other item
    for index, item in enumerate(array_field(items, "input", "a string or an array")):
        param = f"input[{index}]"
        if not isinstance(item, dict):
            raise invalid(f"'{param}' must be an object", param=param)
        kind = item.get("type", "message")
        if held and kind not in ("function_call_output", "custom_tool_call_output"):
            messages.append({"role": "user", "content": held})
            held = []
        turn = messages[-1] if messages and messages[-1]["role"] == "assistant" else None
        if kind == "message":
            role = item.get("role")
            if not isinstance(role, str) or role not in _ROLES:
                raise invalid(f"'{param}.role' must be one of user, assistant, system, developer", param=f"{param}.role")
            content = _content(item.get("content"), f"{param}.content")
            if role == "assistant" and turn is not None and turn["content"] is None:
                turn["content"] = content
            else:
                messages.append({"role": role, "content": content})
        elif kind in ("function_call", "custom_tool_call"):
            name = string_field(item, "name", param)
            if isinstance(item.get("namespace"), str):  # a namespace member's call: its chat function's name
                name = joined(item["namespace"], name)
            arguments = (string_field(item, "arguments", param) if kind == "function_call"
                         else custom_arguments(string_field(item, "input", param)))
            call = {"id": string_field(item, "call_id", param), "type": "function", "function": {"name": name, "arguments": arguments}}
            if turn is not None:
                turn.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind in ("function_call_output", "custom_tool_call_output"):
            output = item.get("output")
            content = output if isinstance(output, str) else _content(output, f"{param}.output")
            if isinstance(content, list):  # a tool message holds text only: its images follow the run of outputs as the user's
                held += [part for part in content if part["type"] != "text"]
                content = "\n".join(part["text"] for part in content if part["type"] == "text")
            messages.append({"role": "tool", "tool_call_id": string_field(item, "call_id", param), "content": content})
        elif kind == "reasoning":
            text = _reasoning_of(item)
            if not text:
                continue
            if turn is not None and "reasoning" not in turn:
                turn["reasoning"] = text
            else:
                messages.append({"role": "assistant", "content": None, "reasoning": text})
        else:
            raise invalid(f"input items of type {kind!r} are not supported", param=f"{param}.type", code="unsupported_value")
    if held:
        messages.append({"role": "user", "content": held})
    if not messages:
        raise invalid("'input' must hold at least one message", param="input")
    for message in messages:
        if message["role"] == "assistant" and message["content"] is None and not message.get("tool_calls"):
            message["content"] = ""  # a turn that only reasoned: chat needs content or calls
    return messages


def _reasoning_of(item: Mapping[str, Any]) -> str:
    """A reasoning item's text in the clear: its `reasoning_text` content, else its summary (which a client
    that streamed it may hold alone; vLLM reads it the same way); "" for OpenAI's encrypted items."""
    for field, kind in (("content", "reasoning_text"), ("summary", "summary_text")):
        parts = item.get(field)
        text = "".join(part["text"] for part in parts if isinstance(part, dict) and part.get("type") == kind
                       and isinstance(part.get("text"), str)) if isinstance(parts, list) else ""
        if text:
            return text
    return ""


def _content(content: Any, param: str) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    for index, part in enumerate(array_field(content, param)):
        kind = type_of(part)
        if kind in ("input_text", "output_text") and isinstance(part.get("text"), str):
            parts.append({"type": "text", "text": part["text"]})
        elif kind == "refusal" and isinstance(part.get("refusal"), str):
            parts.append({"type": "text", "text": part["refusal"]})
        elif kind == "input_image" and isinstance(part.get("image_url"), str):
            parts.append({"type": "image_url", "image_url": {"url": part["image_url"], **({"detail": part["detail"]} if part.get("detail") else {})}})
        elif kind == "input_file" and isinstance(part.get("file_data"), str):
            parts.append({"type": "file", "file": {"file_data": part["file_data"], **({"filename": part["filename"]} if part.get("filename") else {})}})
        else:
            raise invalid(f"'{param}[{index}]' is not a supported content part (input_text, input_image with an image_url, "
                          "input_file with file_data)", param=f"{param}[{index}]", code="unsupported_value")
    if all(part["type"] == "text" for part in parts):  # text only: one string, which every backend reads, its parts
        return "\n".join(part["text"] for part in parts)  # on lines as vLLM joins a chat turn's ("Translate:Good morning" ran together)
    return parts


def _text_format(text: Any, chat: dict[str, Any]) -> None:
    if text is None:
        return
    if text.get("verbosity") is not None:
        chat["verbosity"] = text["verbosity"]
    fmt = text.get("format")
    kind = type_of(fmt)
    if fmt is None or kind == "text":
        return
    if kind == "json_object":
        chat["response_format"] = {"type": "json_object"}
    elif kind == "json_schema":
        schema = {key: fmt[key] for key in ("name", "schema", "strict", "description") if key in fmt}
        chat["response_format"] = {"type": "json_schema", "json_schema": schema}
    else:
        raise invalid("'text.format.type' must be text, json_object or json_schema", param="text.format.type")


# -- response -----------------------------------------------------------------------------------------
def response_logprobs(entries: Any) -> list[dict[str, Any]]:
    """Chat-completions token logprobs (`choice.logprobs.content`) as an `output_text` carries them: each with its UTF-8
    `bytes` (the Responses type requires them; a chat upstream may leave them out) and its top alternatives alike."""
    def entry(item: Mapping[str, Any]) -> dict[str, Any]:
        token = item.get("token") if isinstance(item.get("token"), str) else ""
        return {"token": token, "bytes": item.get("bytes") or list(token.encode("utf-8", "surrogatepass")), "logprob": item.get("logprob")}

    if not isinstance(entries, list):
        return []
    return [entry(item) | {"top_logprobs": [entry(top) for top in item.get("top_logprobs") or () if isinstance(top, dict)]}
            for item in entries if isinstance(item, dict)]


def output_items(message: Mapping[str, Any], status: str = "completed", summarized: bool = False,
                 names: CallNames = NO_TOOL_NAMES, logprobs: Any = None) -> list[dict[str, Any]]:
    """The output items of one chat answer: its reasoning in the clear (its summary too when
    ``summarized``), a message (text, with the choice's token ``logprobs``, or refusal), then its tool calls (``names``:
    how the request's tools come back). ``status`` is the last item's: an answer cut short was cut in its last item, the
    ones before it were done (as the stream closes them)."""
    items: list[dict[str, Any]] = []
    thought = reasoning_text(message)
    if thought:
        item = reasoning_item(new_id("rs"), thought, "completed")
        if summarized:
            item["summary"].append({"type": "summary_text", "text": thought})
        items.append(item)
    content = []
    if text := content_text(message.get("content")):
        content.append(output_text(text, response_logprobs(logprobs)))
    if message.get("refusal"):
        content.append({"type": "refusal", "refusal": message["refusal"]})
    if content:
        items.append(message_item(new_id("msg"), content, "completed"))
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        items.append(call_item(new_id("fc"), call.get("id") or new_id("call"), function.get("name") or "",
                               function.get("arguments") or "{}", "completed", names))
    if items:
        items[-1]["status"] = status
    return items


def output_text(text: str, logprobs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": logprobs or []}


def summarizes(request: Mapping[str, Any]) -> bool:
    """Whether the client asked for reasoning summaries (`reasoning.summary`, or the deprecated
    `generate_summary`): the reasoning in the clear is then its summary too, for clients that show only
    summaries (Codex, LangChain's reasoning blocks)."""
    reasoning = request.get("reasoning")
    return isinstance(reasoning, dict) and bool(reasoning.get("summary") or reasoning.get("generate_summary"))


def reasoning_item(item_id: str, text: str, status: str) -> dict[str, Any]:
    return {"type": "reasoning", "id": item_id, "status": status, "summary": [], "content": [{"type": "reasoning_text", "text": text}]}


def message_item(item_id: str, content: list[dict[str, Any]], status: str) -> dict[str, Any]:
    return {"type": "message", "id": item_id, "status": status, "role": "assistant", "content": content}


def usage(chat_usage: Any) -> dict[str, Any] | None:
    """Chat `usage` in the Responses names, read as the accounting reads it (`Usage.from_openai`: a count that is
    no positive integer is 0, details that are no object are none); the total is their sum (upstreams may omit it)."""
    if not isinstance(chat_usage, Mapping) or not chat_usage:
        return None
    counted = Usage.from_openai(chat_usage)
    details = {"cached_tokens": counted.cached_prompt_tokens, "cache_write_tokens": counted.cache_creation_tokens}
    return {"input_tokens": counted.prompt_tokens, "input_tokens_details": details,
            "output_tokens": counted.completion_tokens, "output_tokens_details": {"reasoning_tokens": counted.reasoning_tokens},
            "total_tokens": counted.total_tokens}


def response_object(request: Mapping[str, Any], response_id: str, chat: Mapping[str, Any], output: list[dict[str, Any]],
                    finish_reason: str | None) -> dict[str, Any]:
    """A `response` object: the chat answer's output, usage and finish, and the request's settings echoed."""
    status, reason = _STOP_STATUS.get(finish_reason or "", ("completed", None))
    created = chat.get("created") or int(time.time())
    out: dict[str, Any] = {
        "id": response_id, "object": "response", "created_at": created, "status": status,
        "completed_at": int(time.time()) if status == "completed" else None, "error": None,
        "incomplete_details": {"reason": reason} if reason else None, "model": chat.get("model"), "output": output,
        "instructions": request.get("instructions"), "max_output_tokens": request.get("max_output_tokens"),
        "metadata": request.get("metadata"), "parallel_tool_calls": request.get("parallel_tool_calls", True),
        "reasoning": request.get("reasoning"), "store": False, "temperature": request.get("temperature"),
        "text": request.get("text") or {"format": {"type": "text"}}, "tool_choice": request.get("tool_choice", "auto"),
        "tools": request.get("tools") or [], "top_p": request.get("top_p"), "user": request.get("user"),
        "usage": usage(chat.get("usage")),
    }
    if "router" in chat:
        dropped = dropped_tools(request)
        out["router"] = {**chat["router"], "dropped_tools": dropped} if dropped else chat["router"]
    return out


def response_body(request: Mapping[str, Any], chat: Mapping[str, Any]) -> dict[str, Any]:
    """A non-streamed chat completion as a `response` (its first choice: the Responses API has no `n`)."""
    choice = (chat.get("choices") or [{}])[0]
    status = "incomplete" if choice.get("finish_reason") == "length" else "completed"
    output = output_items(choice.get("message") or {}, status, summarizes(request), CallNames.of(request),
                          (choice.get("logprobs") or {}).get("content"))
    return response_object(request, new_id("resp"), chat, output, choice.get("finish_reason"))
