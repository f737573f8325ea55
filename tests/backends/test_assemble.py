"""A chat completion rebuilt from its stream equals the completion the stream was cut from."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.assemble import CompletionAssembler, streamable

TEXT = st.text(max_size=30)
ARGUMENTS = st.text(alphabet='{}":, abc0123', max_size=30)


@st.composite
def completions(draw: st.DrawFn) -> dict[str, Any]:
    """A completion of one to three choices, each with any of content, reasoning, refusal and tool calls."""
    choices = []
    for index in range(draw(st.integers(1, 3))):
        message: dict[str, Any] = {"role": "assistant", "content": draw(st.none() | TEXT), "refusal": draw(st.none() | TEXT)}
        if draw(st.booleans()):
            message["reasoning_content"] = draw(TEXT)
        calls = [{"id": f"call_{index}_{n}", "type": "function", "function": {"name": draw(st.sampled_from(["get", "put"])), "arguments": draw(ARGUMENTS)}}
                 for n in range(draw(st.integers(0, 2)))]
        if calls:
            message["tool_calls"] = calls
        logprobs = {"content": [{"token": t, "logprob": -1.0, "bytes": None, "top_logprobs": []} for t in draw(st.lists(TEXT, max_size=3))]}
        choices.append({"index": index, "message": message, "logprobs": draw(st.none() | st.just(logprobs)),
                        "finish_reason": "tool_calls" if calls else draw(st.sampled_from(["stop", "length"]))})
    usage = {"prompt_tokens": 7, "completion_tokens": 11, "total_tokens": 18, "completion_tokens_details": {"reasoning_tokens": 3}}
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "m", "system_fingerprint": "fp_1",
            "choices": choices, "usage": usage}


def _pieces(draw: st.DrawFn, text: str) -> list[str]:
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=4)))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True) if a < b]


def deltas(draw: st.DrawFn, choice: dict[str, Any]) -> list[dict[str, Any]]:
    """The choice as a streaming server writes it: a role, text in pieces, each call's id and name first
    then its arguments in pieces, logprobs beside the content, the finish reason last."""
    message, out = choice["message"], [{"delta": {"role": "assistant", "content": ""}}]
    for key in ("reasoning_content", "content", "refusal"):
        for piece in _pieces(draw, message.get(key) or ""):
            out.append({"delta": {key: piece}})
    for n, call in enumerate(message.get("tool_calls") or ()):
        out.append({"delta": {"tool_calls": [{"index": n, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"], "arguments": ""}}]}})
        out += [{"delta": {"tool_calls": [{"index": n, "id": "", "function": {"arguments": piece}}]}} for piece in _pieces(draw, call["function"]["arguments"])]
    if choice["logprobs"] is not None:
        out += [{"delta": {}, "logprobs": {"content": [entry]}} for entry in choice["logprobs"]["content"]] or [{"delta": {}, "logprobs": {"content": []}}]
    out.append({"delta": {}, "finish_reason": choice["finish_reason"]})
    return [{"index": choice["index"], "logprobs": None, "finish_reason": None} | entry for entry in out]


@st.composite
def streams(draw: st.DrawFn) -> tuple[dict[str, Any], list[bytes]]:
    """A completion and its stream: the choices' deltas interleaved, a usage chunk, [DONE], cut into frames anywhere between events."""
    completion = draw(completions())
    queues = [deltas(draw, choice) for choice in completion["choices"]]
    head = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": "m", "system_fingerprint": "fp_1"}
    events = []
    while any(queues):
        queue = draw(st.sampled_from([q for q in queues if q]))
        events.append(b"data: " + orjson.dumps({**head, "choices": [queue.pop(0)]}) + b"\n\n")
    events.append(b"data: " + orjson.dumps({**head, "choices": [], "usage": completion["usage"]}) + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    cuts = sorted(draw(st.sets(st.integers(1, len(events) - 1), max_size=5)))
    return completion, [b"".join(events[a:b]) for a, b in zip([0, *cuts], [*cuts, len(events)], strict=True)]


def expected(completion: dict[str, Any]) -> dict[str, Any]:
    """What the assembler writes: the completion with its empty texts as the stream leaves them (an answer
    that wrote no content streams an empty one; a refusal is null unless written)."""
    for choice in completion["choices"]:
        message = choice["message"]
        message["content"] = message["content"] or (None if message.get("tool_calls") or message.get("reasoning_content") or message["refusal"] else "")
        if not message["refusal"]:
            del message["refusal"]  # never written
        if message.get("reasoning_content") == "":
            del message["reasoning_content"]  # no piece to stream
        if choice["logprobs"] is not None and not choice["logprobs"]["content"]:
            choice["logprobs"] = {"content": []}
    return completion


@settings(max_examples=300)
@given(streams())
def test_a_stream_assembles_to_the_completion_it_was_cut_from(case: tuple[dict[str, Any], list[bytes]]) -> None:
    completion, frames = case
    assembler = CompletionAssembler()
    for frame in frames:
        assembler.feed(frame)
    assert assembler.completion(completion["usage"]) == expected(completion)


def test_numbered_entries_lose_their_index_and_keep_their_order() -> None:
    """Anthropic's signed thinking blocks and tool calls are numbered in a stream; an unstreamed answer lists them."""
    assembler = CompletionAssembler()
    for delta in ({"tool_calls": [{"index": 1, "id": "b", "function": {"name": "y", "arguments": "{}"}}]},
                  {"tool_calls": [{"index": 0, "id": "a", "function": {"name": "x", "arguments": "{"}}]},
                  {"tool_calls": [{"index": 0, "function": {"arguments": "}"}}]},
                  {"thinking_blocks": [{"index": 0, "type": "redacted_thinking", "data": "zz"}]}):
        assembler.feed(b"data: " + orjson.dumps({"id": "x", "choices": [{"index": 0, "delta": delta}]}) + b"\n\n")
    message = assembler.completion(None)["choices"][0]["message"]
    assert message["tool_calls"] == [{"id": "a", "function": {"name": "x", "arguments": "{}"}}, {"id": "b", "function": {"name": "y", "arguments": "{}"}}]
    assert message["thinking_blocks"] == [{"type": "redacted_thinking", "data": "zz"}]
    assert message["content"] is None and message["role"] == "assistant"


def test_the_last_written_finish_and_vllm_stop_reason_stand_and_crlf_frames_are_read() -> None:
    assembler = CompletionAssembler()
    assembler.feed(b'data: {"id":"x","model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}\r\n\r\n'
                   b': keep-alive\r\n\r\n'
                   b'data: {"id":"x","model":null,"choices":[{"index":0,"delta":{"content":"b"},"finish_reason":"stop","stop_reason":42}]}\r\n\r\n')
    body = assembler.completion(None)
    assert body["model"] == "m" and "usage" not in body and body["object"] == "chat.completion"
    assert body["choices"][0] == {"index": 0, "message": {"role": "assistant", "content": "ab"}, "finish_reason": "stop", "stop_reason": 42}


def test_what_cannot_be_streamed_is_sent_whole() -> None:
    assert streamable({"messages": []})
    assert not streamable({"modalities": ["text", "audio"], "audio": {"format": "mp3", "voice": "alloy"}})
    assert not streamable({"prompt_logprobs": 2})
    # vLLM answers these only unstreamed: a rebuilt answer lost them (a prefill proxy's KV hand-over among them)
    assert not streamable({"prompt_logprobs": 0})
    assert not streamable({"echo": True, "logprobs": True, "top_logprobs": 1}), "echo with logprobs asks for the prompt's"
    assert not streamable({"kv_transfer_params": {"do_remote_decode": True}}) and not streamable({"ec_transfer_params": {}})
    assert streamable({"echo": True}) and streamable({"prompt_logprobs": None, "logprobs": True})


def _assembled(*entries: dict[str, Any]) -> dict[str, Any]:
    """The completion of chunks each holding one of ``entries`` as its only choice (a usage-less stream)."""
    assembler = CompletionAssembler()
    for entry in entries:
        assembler.feed(b"data: " + orjson.dumps({"id": "x", "choices": [entry]}) + b"\n\n")
    return assembler.completion(None)["choices"][0]


def test_what_servers_write_beside_the_deltas_is_read_as_they_mean_it() -> None:
    """Found in review: a `message` written beside every delta (empty) replaced the assembled one (its tool calls lost,
    or a 500 when a string); vLLM's per-delta `token_ids` kept only the last delta's; a refusal's message kept the
    role chunk's empty content (unstreamed: null); a function name resent whole on every delta (MiniMax, GPT-5) was
    doubled; two entries of one index in the first delta stayed two calls."""
    choice = _assembled({"index": 0, "delta": {"role": "assistant", "content": ""}, "message": {"role": None, "tool_calls": []}, "token_ids": [1]},
                        {"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "get", "arguments": ""}},
                                                              {"index": 0, "function": {"arguments": "{"}}]}, "message": "x", "token_ids": [2]},
                        {"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"name": "get", "arguments": "}"}}]}, "token_ids": [3]},
                        {"index": 0, "delta": {}, "finish_reason": "tool_calls", "token_ids": []})
    assert choice["message"] == {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "function": {"name": "get", "arguments": "{}"}}]}
    assert choice["token_ids"] == [1, 2, 3] and choice["finish_reason"] == "tool_calls" and "message" not in {k for k in choice if k != "message"}
    refused = _assembled({"index": 0, "delta": {"role": "assistant", "content": "", "refusal": None}}, {"index": 0, "delta": {"refusal": "No."}})
    assert refused["message"] == {"role": "assistant", "content": None, "refusal": "No."}


DEEP = b'{"x":' * 900 + b"{}" + b"}" * 900  # valid JSON (orjson reads 1,024 levels), deeper than Python's recursion allows


@pytest.mark.parametrize("odd", [b'{"index": "1", "delta": {"content": "a"}}', b'{"index": true, "delta": {}}',
                                 b'{"index": 0, "delta": {"content": "a", "extra": ' + DEEP + b"}}"])
def test_a_chunk_no_chat_stream_writes_is_a_value_error(odd: bytes) -> None:
    """The upstream's protocol error (a 502, or the fallback), never another exception: a 500 (found in review). Fields
    of the wrong type the assembler carries over are `completion_problem`'s (router/resilience.py checks the answer)."""
    assembler = CompletionAssembler()
    assembler.feed(b'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a"}],"content":"x"}}]}\n\n')
    with pytest.raises(ValueError):
        assembler.feed(b'data: {"choices": [' + odd + b"]}\n\n")
        assembler.completion(None)
