"""OpenAI wire-format pieces in one place: errors, request validation, SSE frames.

Request bodies are validated by hand rather than round-tripped through pydantic models:
the gateway forwards the client's JSON, so it checks only what it must and leaves the rest
untouched (unknown fields pass through to the upstream, as vLLM's extra_body expects).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from backends.reasoning import EFFORTS, reasoning_text

ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})

# Fields a client could use to choose where a request goes or with which credentials
# (the SSRF that leaked provider keys through LiteLLM, CVE-2024-6587): always refused.
#: Body fields that choose an upstream or carry its credentials: the OpenAI SDK's and LiteLLM's (a LiteLLM proxy behind the
#: gateway would take a client's `azure_endpoint` or `aws_access_key_id` as its own).
FORBIDDEN_FIELDS = frozenset({
    "api_base", "base_url", "api_key", "api_version", "organization", "custom_llm_provider", "extra_headers", "extra_body",
    "azure_endpoint", "azure_ad_token", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region_name",
    "aws_bedrock_runtime_endpoint", "vertex_project", "vertex_location", "vertex_credentials", "user_api_key",
})

MAX_N = 128  # OpenAI's maximum (its API reference: n, minimum 1, maximum 128); vLLM sets none
MAX_TOKENS_LIMIT = 1_000_000


class APIError(Exception):
    """An error the client sees in OpenAI's format."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.code = code
        self.param = param
        self.headers = headers or {}

    def payload(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.error_type, "param": self.param, "code": self.code}}

    def response(self, extra_headers: dict[str, str] | None = None) -> Response:
        return Response(
            orjson.dumps(self.payload()),
            status_code=self.status,
            media_type="application/json",
            headers=self.headers | (extra_headers or {}),
        )

    def sse(self) -> bytes:
        """The in-stream form, for errors after the first byte: an error event then [DONE]."""
        return b"data: " + orjson.dumps(self.payload()) + b"\n\ndata: [DONE]\n\n"


def invalid(message: str, param: str | None = None, code: str | None = None) -> APIError:
    return APIError(400, message, param=param, code=code)


def array_field(value: Any, param: str, what: str = "an array") -> list[Any]:
    """``value`` if it is a list, else a 400 naming ``param``."""
    if not isinstance(value, list):
        raise invalid(f"'{param}' must be {what}", param=param)
    return value


def type_of(value: Any) -> str | None:
    """A client object's ``type`` when it is a string (None otherwise): a list there must read as an unknown
    type, not reach a set lookup (unhashable: a 500)."""
    kind = value.get("type") if isinstance(value, Mapping) else None
    return kind if isinstance(kind, str) else None


def string_field(item: Mapping[str, Any], key: str, param: str) -> str:
    """``item[key]`` if it is a string, else a 400 naming ``param.key``."""
    value = item.get(key)
    if not isinstance(value, str):
        raise invalid(f"'{param}.{key}' must be a string", param=f"{param}.{key}")
    return value


_BOM = b"\xef\xbb\xbf"


def _json_problem(error: str) -> str:
    """The client's problem in a body orjson refused, in its terms."""
    if "surrogate" in error and "utf-8" not in error.lower():  # "\ud800" alone: JSON.stringify writes it for a string cut inside an emoji
        return "request body holds a lone UTF-16 surrogate escape (such as \\ud800), which is no character: send the text whole"
    if "utf-8" in error.lower():
        return "request body is not valid UTF-8"
    if "number" in error:
        return f"request body holds a number JSON cannot carry ({error.split(':')[0]})"
    return "request body is not valid JSON"


def parse_json_body(raw: bytes) -> dict[str, Any]:
    """Decode the body; malformed JSON or a non-object is a 400 naming the problem. Every field is the client's, kept
    whatever its name: what the gateway knows beyond it rides beside it (`RequestHints`), so none needs reserving."""
    if not raw:
        raise invalid("request body is empty; expected a JSON object")
    raw = raw.removeprefix(_BOM)  # what some Windows tools write first: no JSON, but no reason to refuse the body
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise invalid(_json_problem(str(exc))) from None
    if not isinstance(body, dict):
        raise invalid("request body must be a JSON object")
    return body


def validate_chat_request(body: dict[str, Any]) -> None:
    """Check the fields the gateway relies on; everything else is the upstream's business."""
    for field in FORBIDDEN_FIELDS & body.keys():
        raise invalid(f"'{field}' cannot be set by clients: the gateway chooses the upstream", param=field, code="forbidden_parameter")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise invalid("'model' is required and must be a string", param="model")
    _validate_messages(body.get("messages"))
    if "stream" in body and not isinstance(body["stream"], bool) and body["stream"] is not None:
        raise invalid("'stream' must be a boolean", param="stream")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise invalid("'stream_options' must be an object", param="stream_options")
    n = body.get("n")
    if n is not None and (not _is_int(n) or not 1 <= n <= MAX_N):
        raise invalid(f"'n' must be an integer from 1 to {MAX_N}", param="n")
    for field in ("max_tokens", "max_completion_tokens"):
        value = body.get(field)
        if value is not None and (not _is_int(value) or not 1 <= value <= MAX_TOKENS_LIMIT):
            raise invalid(f"'{field}' must be an integer from 1 to {MAX_TOKENS_LIMIT}", param=field)
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in EFFORTS:
        raise invalid(f"'reasoning_effort' must be one of {', '.join(EFFORTS)}", param="reasoning_effort")
    if options and "include_usage" in options and not isinstance(options["include_usage"], bool) and options["include_usage"] is not None:
        raise invalid("'stream_options.include_usage' must be a boolean", param="stream_options.include_usage")
    _validate_params(body)


# Types of the common optional parameters the gateway forwards (null is always allowed): a wrong
# type is a 400 naming the parameter here rather than an upstream error after routing.
_NUMBERS = {"temperature": (0.0, None), "top_p": (0.0, 1.0), "presence_penalty": (-2.0, 2.0), "frequency_penalty": (-2.0, 2.0)}
#: `top_logprobs`: OpenAI takes 0-20, vLLM -1 (the whole vocabulary) up to its `--max-logprobs`: the upstream says which.
_INTEGERS = {"seed": (None, None), "top_logprobs": (-1, None)}
_TYPES: dict[str, tuple[type, ...]] = {
    "logprobs": (bool,),
    "parallel_tool_calls": (bool,),
    "user": (str,),
    "response_format": (dict,),
    "logit_bias": (dict,),
    "metadata": (dict,),
    "chat_template_kwargs": (dict,),
    "tool_choice": (str, dict),
    "tools": (list,),
}
_TYPE_NAMES = {bool: "a boolean", str: "a string", dict: "an object", list: "an array"}


def _validate_params(body: dict[str, Any]) -> None:
    for field, (low, high) in _NUMBERS.items():
        value = body.get(field)
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or not _within(value, low, high)):
            raise invalid(f"'{field}' must be a number{_range_text(low, high)}", param=field)
    for field, (low, high) in _INTEGERS.items():
        value = body.get(field)
        if value is not None and (not _is_int(value) or not _within(value, low, high)):
            raise invalid(f"'{field}' must be an integer{_range_text(low, high)}", param=field)
    for field, types in _TYPES.items():
        value = body.get(field)
        if value is not None and (not isinstance(value, types) or (bool not in types and isinstance(value, bool))):
            raise invalid(f"'{field}' must be {' or '.join(_TYPE_NAMES[t] for t in types)}", param=field)
    tools = body.get("tools")
    if tools and not all(isinstance(tool, dict) for tool in tools):
        raise invalid("'tools' must be an array of objects", param="tools")
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str) and not (isinstance(stop, list) and all(isinstance(item, str) for item in stop)):
        raise invalid("'stop' must be a string or an array of strings", param="stop")


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" from {low:g} to {high:g}"
    return f" of at least {low:g}" if low is not None else ""


def _validate_messages(messages: Any) -> None:
    if not isinstance(messages, list) or not messages:
        raise invalid("'messages' must be a non-empty array", param="messages")
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            raise invalid(f"'{where}' must be an object", param=where)
        role = message.get("role")
        if not isinstance(role, str) or role not in ROLES:
            raise invalid(f"'{where}.role' must be one of {', '.join(sorted(ROLES))}", param=f"{where}.role")
        content = message.get("content")
        if content is not None and not isinstance(content, (str, list)):
            raise invalid(f"'{where}.content' must be a string or an array of parts", param=f"{where}.content")
        if isinstance(content, list):
            for number, part in enumerate(content):
                if not isinstance(part, dict):
                    raise invalid(f"'{where}.content' parts must be objects", param=f"{where}.content")
                if not isinstance(part.get("type"), str):
                    raise invalid(f"'{where}.content[{number}].type' is required and must be a string", param=f"{where}.content[{number}].type")
                if "text" in part and not isinstance(part["text"], str):
                    raise invalid(f"'{where}.content[{number}].text' must be a string", param=f"{where}.content[{number}].text")
        if message.get("tool_calls") is not None:
            _validate_tool_calls(message["tool_calls"], f"{where}.tool_calls")


def _validate_tool_calls(calls: Any, where: str) -> None:
    """An assistant turn's calls: objects, and a call's `function` an object with a string name and its
    arguments a JSON string (or, as some clients send them, an object): what the token count, the
    Anthropic translation and the upstream read."""
    if not isinstance(calls, list):
        raise invalid(f"'{where}' must be an array", param=where)
    for number, call in enumerate(calls):
        if not isinstance(call, dict):
            raise invalid(f"'{where}[{number}]' must be an object", param=f"{where}[{number}]")
        function = call.get("function")
        if function is not None and not (isinstance(function, dict) and isinstance(function.get("name", ""), str)
                                         and isinstance(function.get("arguments", ""), (str, dict, type(None)))):
            raise invalid(f"'{where}[{number}].function' must be an object with a string name and JSON-string arguments",
                          param=f"{where}[{number}].function")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def sse_frame(payload: dict[str, Any]) -> bytes:
    return b"data: " + orjson.dumps(payload) + b"\n\n"


SSE_DONE = b"data: [DONE]\n\n"
#: An SSE comment: the keep-alive of a stream whose API has no event for a think (clients skip it).
SSE_COMMENT = b":\n\n"


def reasoning_chunk(chunk: Mapping[str, Any]) -> bool:
    """A chat chunk of reasoning text (vLLM's `reasoning`, DeepSeek's `reasoning_content`): a route whose
    API shows no reasoning sends a keep-alive for it, so a long think does not look like a dead stream."""
    choices = chunk.get("choices")
    delta = choices[0].get("delta") if isinstance(choices, list) and choices and isinstance(choices[0], dict) else None
    return isinstance(delta, dict) and bool(reasoning_text(delta))
