"""The OpenAPI description of the completion endpoints' request bodies and error responses.

The handler parses bodies by hand (router/protocol.py) and forwards unknown fields untouched, so
there is no pydantic model on the hot path; this schema exists only for `/openapi.json`
(clients, docs and the Schemathesis test). It mirrors `validate_chat_request`: what it declares
invalid, the gateway rejects with a 400 naming the parameter.
"""

from __future__ import annotations

from typing import Any

from backends.reasoning import EFFORTS
from router.protocol import MAX_N, MAX_TOKENS_LIMIT, ROLES
from router.text_completions import DEFAULT_MAX_TOKENS

_NULLABLE_NUMBER = {"type": ["number", "null"]}

_PART = {"type": "object", "required": ["type"], "properties": {"type": {"type": "string", "examples": ["text"]}, "text": {"type": "string"}}}

MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["role"],
    "properties": {
        "role": {"type": "string", "enum": sorted(ROLES)},
        "content": {"anyOf": [{"type": "string"}, {"type": "array", "items": _PART}, {"type": "null"}]},
    },
}

CHAT_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["model", "messages"],
    "properties": {
        "model": {"type": "string", "minLength": 1, "description": "'auto', 'auto:<tier>' or a configured model name", "examples": ["auto"]},
        "messages": {"type": "array", "minItems": 1, "items": MESSAGE_SCHEMA},
        "stream": {"type": ["boolean", "null"]},
        "stream_options": {"type": ["object", "null"], "properties": {"include_usage": {"type": ["boolean", "null"]}}},
        "n": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_N},
        "max_tokens": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_TOKENS_LIMIT},
        "max_completion_tokens": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_TOKENS_LIMIT},
        "reasoning_effort": {"enum": [*EFFORTS, None]},
        "temperature": {**_NULLABLE_NUMBER, "minimum": 0},
        "top_p": {**_NULLABLE_NUMBER, "minimum": 0, "maximum": 1},
        "presence_penalty": {**_NULLABLE_NUMBER, "minimum": -2, "maximum": 2},
        "frequency_penalty": {**_NULLABLE_NUMBER, "minimum": -2, "maximum": 2},
        "seed": {"type": ["integer", "null"]},
        "top_logprobs": {"type": ["integer", "null"], "minimum": -1, "description": "OpenAI takes 0-20; vLLM -1 (every token) up to its --max-logprobs"},
        "logprobs": {"type": ["boolean", "null"]},
        "parallel_tool_calls": {"type": ["boolean", "null"]},
        "user": {"type": ["string", "null"]},
        "stop": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
        "tools": {"type": ["array", "null"], "items": {"type": "object"}},
        "tool_choice": {"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "null"}]},
        "response_format": {"type": ["object", "null"]},
        "logit_bias": {"type": ["object", "null"]},
        "metadata": {"type": ["object", "null"]},
        "chat_template_kwargs": {"type": ["object", "null"]},
    },
    "additionalProperties": True,
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}

_ERROR = {"content": {"application/json": {"schema": ERROR_SCHEMA}}}


def _answer(what: str) -> dict[str, Any]:
    return {"description": f"A {what} (JSON), or with `stream: true` a stream of server-sent events",
            "content": {"application/json": {"schema": {"type": "object"}}, "text/event-stream": {"schema": {"type": "string"}}}}


CHAT_COMPLETIONS_OPENAPI: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": CHAT_REQUEST_SCHEMA}}},
    "responses": {
        "200": _answer("chat completion"),
        "400": {"description": "Malformed JSON or an invalid parameter (named in `param`)", **_ERROR},
        "401": {"description": "Missing or invalid API key", **_ERROR},
        "404": {"description": "Unknown model", **_ERROR},
        "413": {"description": "Request body too large", **_ERROR},
        "429": {"description": "Rate limited (Retry-After)", **_ERROR},
        "502": {"description": "Every upstream attempt failed", **_ERROR},
        "503": {"description": "Overloaded or shutting down (Retry-After)", **_ERROR},
        "504": {"description": "Upstream timed out", **_ERROR},
    },
}

def _like_chat(schema: dict[str, Any], what: str) -> dict[str, Any]:
    """An endpoint served through the chat route: its own request body, the chat route's errors."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
            "responses": {**CHAT_COMPLETIONS_OPENAPI["responses"], "200": _answer(what)}}


_CHAT_ONLY = ("messages", "tools", "tool_choice", "parallel_tool_calls", "response_format", "logprobs", "top_logprobs")

#: `/v1/completions` (router/text_completions.py): the chat request's parameters less the
#: chat-only ones, with `prompt` for `messages`; the unsupported legacy parameters only as the
#: values that ask for nothing.
COMPLETIONS_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["model", "prompt"],
    "properties": {
        **{key: value for key, value in CHAT_REQUEST_SCHEMA["properties"].items() if key not in _CHAT_ONLY},
        "prompt": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 1}]},
        "max_tokens": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_TOKENS_LIMIT,
                       "description": f"default {DEFAULT_MAX_TOKENS}, as in OpenAI's and vLLM's completions API"},
        "echo": {"enum": [False, None]},
        "logprobs": {"type": "null"},
        "suffix": {"enum": ["", None]},
        "best_of": {"enum": [1, None]},
    },
    "additionalProperties": True,
}

COMPLETIONS_OPENAPI = _like_chat(COMPLETIONS_REQUEST_SCHEMA, "text completion")

_NULL_ONLY = {"type": "null"}

#: `/v1/responses` (router/responses_api.py): stateless, so the fields that name stored state take
#: only null; the conversation comes whole in `input`.
RESPONSES_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["model", "input"],
    "properties": {
        "model": CHAT_REQUEST_SCHEMA["properties"]["model"],
        "input": {"anyOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": {"type": "object"}}]},
        "instructions": {"type": ["string", "null"]},
        "max_output_tokens": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_TOKENS_LIMIT},
        "reasoning": {"type": ["object", "null"], "properties": {"effort": {"enum": [*EFFORTS, None]}}},
        "text": {"type": ["object", "null"]},
        "tools": {"type": ["array", "null"], "items": {"type": "object"}},
        "tool_choice": {"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "null"}]},
        **{key: CHAT_REQUEST_SCHEMA["properties"][key] for key in ("stream", "temperature", "top_p", "parallel_tool_calls", "user", "metadata")},
        "store": {"type": ["boolean", "null"]},
        "previous_response_id": _NULL_ONLY,
        "conversation": _NULL_ONLY,
        "prompt": _NULL_ONLY,
        "background": {"enum": [False, None]},
        "top_logprobs": {"type": ["integer", "null"], "minimum": 0, "maximum": 20, "description": "asks for the answer's token logprobs"},
    },
    "additionalProperties": True,
}

RESPONSES_OPENAPI = _like_chat(RESPONSES_REQUEST_SCHEMA, "response")

#: `/v1/messages` (router/anthropic_api.py): Anthropic's Messages API; `max_tokens` is required there.
MESSAGES_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["model", "messages", "max_tokens"],
    "properties": {
        "model": CHAT_REQUEST_SCHEMA["properties"]["model"],
        "messages": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["role", "content"], "properties": {
            "role": {"enum": ["user", "assistant"]}, "content": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]}}}},
        "max_tokens": {"type": "integer", "minimum": 1, "maximum": MAX_TOKENS_LIMIT},
        "system": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}, {"type": "null"}]},
        "stop_sequences": {"type": ["array", "null"], "items": {"type": "string"}},
        "tools": {"type": ["array", "null"], "items": {"type": "object"}},
        "tool_choice": {"type": ["object", "null"]},
        "thinking": {"type": ["object", "null"]},
        "metadata": {"type": ["object", "null"]},
        **{key: CHAT_REQUEST_SCHEMA["properties"][key] for key in ("stream", "temperature", "top_p")},
    },
    "additionalProperties": True,
}

MESSAGES_OPENAPI = _like_chat(MESSAGES_REQUEST_SCHEMA, "message")

def _counting(request: dict[str, Any], required: list[str], dropped: tuple[str, ...], answer: dict[str, Any]) -> dict[str, Any]:
    """A token-count route: the API's request without what only an answer needs, answered with ``answer``'s fields."""
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            **request, "required": required, "properties": {key: value for key, value in request["properties"].items() if key not in dropped}}}}},
        "responses": {
            **{status: value for status, value in CHAT_COMPLETIONS_OPENAPI["responses"].items() if status in ("400", "401", "404", "413", "429")},
            "200": {"description": "The prompt's tokens", "content": {"application/json": {"schema": {
                "type": "object", "required": list(answer), "properties": answer}}}},
        },
    }


#: `/v1/messages/count_tokens` (Anthropic's) and `/v1/responses/input_tokens` (OpenAI's).
COUNT_TOKENS_OPENAPI = _counting(MESSAGES_REQUEST_SCHEMA, ["model", "messages"], ("max_tokens", "stream"), {"input_tokens": {"type": "integer"}})
INPUT_TOKENS_OPENAPI = _counting(RESPONSES_REQUEST_SCHEMA, ["model", "input"], ("max_output_tokens", "stream"),
                                 {"object": {"const": "response.input_tokens"}, "input_tokens": {"type": "integer"}})

#: `/v1/models` and `/v1/models/{id}` (router/models_api.py): OpenAI's and Anthropic's model fields in one object.
_MODEL_SCHEMA = {"type": "object", "required": ["id", "object", "type"], "properties": {
    "id": {"type": "string"}, "object": {"const": "model"}, "type": {"const": "model"}, "owned_by": {"type": "string"},
    "max_input_tokens": {"type": "integer"}, "max_tokens": {"type": "integer"}}}
MODELS_OPENAPI: dict[str, Any] = {"responses": {
    "200": {"description": "The routable names", "content": {"application/json": {"schema": {
        "type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": _MODEL_SCHEMA}}}}}},
    "401": CHAT_COMPLETIONS_OPENAPI["responses"]["401"],
}}
MODEL_OPENAPI: dict[str, Any] = {"responses": {
    "200": {"description": "One routable name", "content": {"application/json": {"schema": _MODEL_SCHEMA}}},
    "401": CHAT_COMPLETIONS_OPENAPI["responses"]["401"],
    "404": CHAT_COMPLETIONS_OPENAPI["responses"]["404"],
}}
