"""`POST /v1/completions`, the legacy text-completions API, served through the chat route.

Every backend speaks chat completions (backends/base.py), so a text completion is routed,
priced and forwarded as a chat completion whose one user message is the prompt, and the answer
comes back in the text-completion format — what LiteLLM does for providers without a
completions endpoint. The upstream model's chat template therefore applies: a base model's raw
continuation is not offered, nor are `echo`, `logprobs`, `suffix` and `best_of` (a 400 naming
the parameter, rather than an answer that silently ignores it).
"""

from __future__ import annotations

from typing import Any

import orjson

from backends.chat_shape import content_text
from backends.sse import event_data, events_of
from router.chunk_translator import KeepAlive, check_chunk
from router.protocol import SSE_COMMENT, invalid, reasoning_chunk, sse_frame

#: The completions API's default answer length (OpenAI's and vLLM's); chat has no default cap.
DEFAULT_MAX_TOKENS = 16
#: Parameters of the completions API that a chat completion cannot honour, with the values that
#: ask for nothing (sent by clients that fill in every field); null always does.
UNSUPPORTED: dict[str, tuple[Any, ...]] = {"echo": (False,), "logprobs": (), "suffix": ("",), "best_of": (1,)}
_DROPPED = frozenset(UNSUPPORTED) | {"prompt"}


def chat_request(body: dict[str, Any]) -> dict[str, Any]:
    """The chat-completions body for a text-completions ``body`` (validated as far as the prompt
    and the unsupported parameters go; the rest is checked as a chat request)."""
    if "messages" in body:
        raise invalid("'messages' belongs to /v1/chat/completions; send 'prompt' here", param="messages")
    for field, neutral in UNSUPPORTED.items():
        value = body.get(field)
        if value is not None and not any(type(value) is type(v) and value == v for v in neutral):  # True is not 1
            raise invalid(f"'{field}' is not supported: completions are served by the upstream's chat API", param=field,
                          code="unsupported_parameter")
    chat = {key: value for key, value in body.items() if key not in _DROPPED}
    chat["messages"] = [{"role": "user", "content": prompt_text(body.get("prompt"))}]
    if chat.get("max_tokens") is None:
        chat["max_tokens"] = DEFAULT_MAX_TOKENS
    return chat


def prompt_text(prompt: Any) -> str:
    """The one text prompt of a request: a string, or an array holding one string."""
    if isinstance(prompt, list) and len(prompt) == 1:
        prompt = prompt[0]
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list) and prompt and all(isinstance(item, str) for item in prompt):
        raise invalid("one prompt per request: send the prompts of a batch as separate requests", param="prompt")
    if isinstance(prompt, list) and prompt and all(isinstance(item, int) and not isinstance(item, bool) for item in prompt):
        raise invalid("token-id prompts are not supported: send the prompt as text", param="prompt")
    raise invalid("'prompt' is required and must be a string", param="prompt")


def text_completion(chat: dict[str, Any]) -> dict[str, Any]:
    """A chat completion (its body, with the gateway's ``router`` object) as a text completion. vLLM's extras
    keep their completions place: the stop string a choice matched (`stop_reason`) and the prompt's logprobs a
    client asked for (`prompt_logprobs`: a chat answer's top-level field, each completion choice's own)."""
    out = _head(chat)
    prompt_logprobs = chat.get("prompt_logprobs")
    out["choices"] = [
        _vllm_extras(choice, {"index": choice.get("index", number), "text": content_text((choice.get("message") or {}).get("content")),
                              "logprobs": None, "finish_reason": choice.get("finish_reason")}, prompt_logprobs)
        for number, choice in enumerate(chat.get("choices") or [])
    ]
    return _tail(chat, out)


def _vllm_extras(chat_choice: dict[str, Any], choice: dict[str, Any], prompt_logprobs: Any = None) -> dict[str, Any]:
    if chat_choice.get("stop_reason") is not None:
        choice["stop_reason"] = chat_choice["stop_reason"]
    if prompt_logprobs is not None:
        choice["prompt_logprobs"] = prompt_logprobs
    return choice


def text_chunk(chunk: dict[str, Any]) -> dict[str, Any] | None:
    """A chat-completion chunk as a text-completion chunk; None for a chunk with nothing to say in
    text (the role-only first delta, a reasoning-only delta)."""
    choices = []
    for number, choice in enumerate(chunk.get("choices") or []):
        text = content_text((choice.get("delta") or {}).get("content"))
        if text or choice.get("finish_reason") is not None:
            choices.append(_vllm_extras(choice, {"index": choice.get("index", number), "text": text, "logprobs": None,
                                                 "finish_reason": choice.get("finish_reason")}))
    if not choices and chunk.get("choices"):
        return None
    out = _head(chunk)
    out["choices"] = choices
    return _tail(chunk, out)


class TextFrames:
    """One streamed request's re-telling of the relayed chat frames as text-completion events."""

    def __init__(self) -> None:
        self.alive = KeepAlive()

    def __call__(self, frame: bytes) -> bytes:
        """A relayed chat frame (one or more SSE events) re-encoded as text-completion events; an error
        event (both APIs send the same error object), a comment or a payload that is not a JSON object
        passes as it is; a chunk of the wrong shape raises `UnreadableChunk`. A reasoning chunk, which has
        no text here, sends a keep-alive (once a second at most): a long think is no dead stream to the
        client's read timeout or a proxy's idle one."""
        out = []
        for event in events_of(frame):
            data = event_data(event)
            if data is None or data == b"[DONE]":
                out.append(event)
                continue
            try:
                payload = orjson.loads(data)
            except orjson.JSONDecodeError:  # not a chunk: relayed as the chat route relays it
                payload = None
            if not isinstance(payload, dict) or "error" in payload:
                out.append(event)
                continue
            check_chunk(payload, out)
            chunk = text_chunk(payload)
            if chunk is not None:
                out.append(sse_frame(chunk))
            elif reasoning_chunk(payload) and self.alive.due():
                out.append(SSE_COMMENT)
        return b"".join(out)


def _head(chat: dict[str, Any]) -> dict[str, Any]:
    ident = chat.get("id")
    if isinstance(ident, str) and ident.startswith("chatcmpl-"):  # a completion's id, as OpenAI and vLLM name it
        ident = "cmpl-" + ident[len("chatcmpl-"):]
    return {"id": ident, "object": "text_completion", "created": chat.get("created"), "model": chat.get("model")}


def _tail(chat: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    for key in ("system_fingerprint", "usage", "router"):
        if key in chat:
            out[key] = chat[key]
    return out
