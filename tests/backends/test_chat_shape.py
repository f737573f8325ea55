"""The shape check of upstream answers (`backends/chat_shape.py`): what it lets through, what it names."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backends.chat_shape import chunk_problem, completion_problem, content_text

#: A vLLM answer with a tool call, reasoning and the fields OpenAI-compatible servers add.
VLLM = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1733000000, "model": "Qwen/Qwen3-8B", "system_fingerprint": None,
    "choices": [{"index": 0, "logprobs": None, "finish_reason": "tool_calls", "stop_reason": None, "message": {
        "role": "assistant", "content": None, "refusal": None, "reasoning_content": "think", "annotations": None, "audio": None,
        "function_call": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"x\": 1}"}}]}}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "prompt_tokens_details": None},
    "prompt_logprobs": None, "kv_transfer_params": None,
}
CHUNK = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
         "choices": [{"index": 0, "delta": {"role": "assistant", "content": "hi", "tool_calls": [{"index": 0, "function": {"arguments": "{"}}]},
                      "logprobs": None, "finish_reason": None}]}


def test_real_answers_pass() -> None:
    assert completion_problem(VLLM) is None
    assert chunk_problem(CHUNK) is None
    assert chunk_problem({"id": "c", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}}) is None  # the usage chunk
    parts = copy.deepcopy(VLLM)
    parts["choices"][0]["message"]["content"] = [{"type": "text", "text": "a"}, {"type": "thinking", "thinking": []}]
    assert completion_problem(parts) is None  # content as parts (some servers)
    from backends.chat_shape import _plain_text_chunk

    text = {**CHUNK, "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}]}
    assert _plain_text_chunk(text) and chunk_problem(text) is None  # the common chunk takes the fast path
    assert not _plain_text_chunk(CHUNK)  # a tool-call delta takes the walk


@pytest.mark.parametrize(("path", "value", "problem"), [
    (("choices",), {"a": 1}, "choices is dict"),
    (("choices", 0), None, "choices[0] is NoneType"),
    (("choices", 0, "message"), "hi", "choices[0].message is str"),
    (("choices", 0, "message", "content"), 3, "choices[0].message.content is int"),
    (("choices", 0, "message", "tool_calls"), {}, "choices[0].message.tool_calls is dict"),
    (("choices", 0, "message", "tool_calls", 0, "function"), [None], "choices[0].message.tool_calls[0].function is list"),
    (("choices", 0, "message", "tool_calls", 0, "function", "name"), 7, "choices[0].message.tool_calls[0].function.name is int"),
    (("choices", 0, "finish_reason"), ["stop"], "choices[0].finish_reason is list"),
    (("choices", 0, "index"), True, "choices[0].index is bool"),
    (("usage",), [], "usage is list"),
    (("usage", "prompt_tokens"), "10", "usage.prompt_tokens is str"),
])
def test_a_field_of_the_wrong_type_is_named(path: tuple[Any, ...], value: Any, problem: str) -> None:
    answer = copy.deepcopy(VLLM)
    target = answer
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert completion_problem(answer) == problem


def test_no_object_and_no_choices_are_problems() -> None:
    assert completion_problem([VLLM]) == "the answer is list"
    assert completion_problem({"object": "error"}) == "choices is NoneType"
    assert chunk_problem("data") == "the answer is str"
    assert chunk_problem({**CHUNK, "choices": [{"index": 0, "delta": {"content": True}}]}) == "choices[0].delta.content is bool"


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
                         ["choices", "message", "delta", "content", "tool_calls", "function", "name", "arguments", "usage", "index",
                          "finish_reason", "prompt_tokens", "id", "role", "refusal", "reasoning_content"]), inner, max_size=4), max_leaves=20)


@given(_JSON)
def test_any_json_gets_an_answer_and_what_passes_is_readable(payload: Any) -> None:
    """Never raises; and whatever it lets through, the readers' assumptions hold for it."""
    for check, field in ((completion_problem, "message"), (chunk_problem, "delta")):
        problem = check(payload)
        assert problem is None or isinstance(problem, str)
        if problem is None:
            for choice in payload.get("choices") or ():
                message = choice.get(field) or {}
                assert isinstance(content_text(message.get("content")), str)
                for call in message.get("tool_calls") or ():
                    assert isinstance((call.get("function") or {}).get("name") or "", str)


@given(st.lists(st.one_of(st.fixed_dictionaries({"type": st.just("text"), "text": st.text()}), st.integers(), st.none(),
                          st.fixed_dictionaries({"type": st.just("image_url"), "image_url": st.just({})}))))
def test_content_text_joins_the_text_parts(parts: list[Any]) -> None:
    assert content_text(parts) == "".join(part["text"] for part in parts if isinstance(part, dict) and "text" in part)
    assert content_text("plain") == "plain" and content_text(None) == "" and content_text(3) == ""


_CHUNKS = st.fixed_dictionaries(
    {"choices": st.lists(st.fixed_dictionaries({"delta": st.dictionaries(st.sampled_from(["role", "content", "reasoning_content", "tool_calls"]), _JSON)},
                                               optional={"index": _JSON, "finish_reason": _JSON}), max_size=2)},
    optional={"id": _JSON, "model": _JSON, "created": _JSON, "usage": _JSON})


@given(_CHUNKS | _JSON)
def test_the_fast_path_for_text_chunks_agrees_with_the_walk(payload: Any) -> None:
    from backends.chat_shape import _CHUNK, _plain_text_chunk

    if _plain_text_chunk(payload):
        assert _CHUNK(payload, "") is None
