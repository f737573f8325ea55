"""The Responses translation of whole bodies (router/responses_api.py): input items, content parts and settings as
a chat request (replayed turns, echoed reasoning; any body or a 400 naming the field) and a chat answer as a
response (reasoning first, a cut answer incomplete, usage read as the accounting reads it)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from router.protocol import APIError
from router.responses_api import chat_request, response_body
from tests.router._translation_helpers import JSON
from tests.router.conftest import Harness

pytestmark = pytest.mark.anyio


def test_input_items_content_parts_and_settings_become_a_chat_request() -> None:
    chat = chat_request({"model": "auto", "input": [
        {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "Rules."}]},
        {"role": "user", "content": [{"type": "input_text", "text": "What is this?"},
                                     {"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "low"}]},
        {"role": "assistant", "content": [{"type": "output_text", "text": "A cat."}]},
    ], "reasoning": {"effort": "high", "summary": "auto"}, "text": {"format": {"type": "json_schema", "name": "x", "schema": {"type": "object"}}},
        "temperature": 0.3, "store": False, "include": ["reasoning.encrypted_content"], "parallel_tool_calls": True, "metadata": {"k": "v"}})
    assert chat["messages"] == [
        {"role": "developer", "content": "Rules."},
        {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}}]},
        {"role": "assistant", "content": "A cat."},
    ]
    assert chat["reasoning_effort"] == "high" and chat["temperature"] == 0.3
    assert chat["response_format"] == {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    assert not {"input", "reasoning", "text", "store", "include", "parallel_tool_calls", "metadata"} & chat.keys()


def test_text_parts_stay_apart_and_responses_only_fields_stay_here() -> None:
    """A turn's text parts on lines, as vLLM joins a chat turn's (joined with nothing, "Translate to French:Good morning"
    ran together); fields only the Responses API defines are not sent to a chat upstream, which may refuse them."""
    chat = chat_request({"model": "auto", "input": [
        {"role": "user", "content": [{"type": "input_text", "text": "Translate to French:"}, {"type": "input_text", "text": "Good morning"}]}],
        "client_metadata": {"x-codex-turn-metadata": "{}"}, "context_management": [{"type": "compaction", "compact_threshold": 200000}],
        "background_options": {}, "top_k": 20})
    assert chat["messages"] == [{"role": "user", "content": "Translate to French:\nGood morning"}]
    assert not {"client_metadata", "context_management", "background_options"} & chat.keys() and chat["top_k"] == 20, "a vLLM extra goes on"


@pytest.mark.parametrize(("fields", "param"), [
    ({"previous_response_id": "resp_1"}, "previous_response_id"),
    ({"conversation": "conv_1"}, "conversation"),
    ({"background": True}, "background"),
    ({"tools": [{"type": "computer_use_preview", "display_width": 1024, "display_height": 768}]}, "tools[0]"),
    ({"tools": [{"type": "namespace", "name": "ns", "description": "d", "tools": [{"type": "custom", "name": "x"}]}]}, "tools[0].tools[0]"),
    ({"tools": [{"type": "web_search"}], "tool_choice": {"type": "web_search"}}, "tool_choice"),
    ({"input": [{"type": "item_reference", "id": "msg_1"}]}, "input[0].type"),
    ({"input": [{"role": "user", "content": [{"type": "input_file", "file_id": "file-1"}]}]}, "input[0].content[0]"),
    ({"input": []}, "input"),
    ({"input": 5}, "input"),
    ({"messages": [{"role": "user", "content": "hi"}]}, "messages"),
    ({"top_logprobs": 21}, "top_logprobs"),
    ({"n": 3}, "n"),
])
async def test_what_a_stateless_gateway_cannot_serve_is_a_400_naming_it(harness: Harness, fields: dict[str, Any], param: str) -> None:  # or an invalid field
    response = await harness.client.post("/v1/responses", json={"model": "auto", "input": "hi"} | fields)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert not harness.upstream.requests


@given(st.dictionaries(st.sampled_from(["input", "instructions", "tools", "tool_choice", "text", "reasoning", "max_output_tokens", "store",
                                        "metadata", "parallel_tool_calls", "stream", "temperature", "top_p", "user", "include",
                                        "stream_options", "truncation", "top_logprobs"]),
                       JSON, max_size=5))
@example({"input": [{"role": []}]})  # an unhashable role raised TypeError (a 500), not a 400
def test_any_body_becomes_a_chat_request_or_a_400(body: dict[str, Any]) -> None:
    try:
        chat = chat_request({"model": "auto", **body})
    except APIError as exc:
        assert exc.status == 400 and exc.param
        return
    assert chat["messages"] and all(m["role"] in ("system", "developer", "user", "assistant", "tool") for m in chat["messages"])


def test_a_non_streamed_answer_s_reasoning_is_its_first_item() -> None:
    body = response_body({"model": "auto"}, {"id": "c", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "4", "reasoning_content": "2+2"}, "finish_reason": "stop"}]})
    assert [(item["type"], item["status"]) for item in body["output"]] == [("reasoning", "completed"), ("message", "completed")]
    assert body["output"][0]["content"] == [{"type": "reasoning_text", "text": "2+2"}]
    plain = response_body({"model": "auto"}, {"id": "c", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "4"}, "finish_reason": "stop"}]})
    assert [item["type"] for item in plain["output"]] == ["message"]


def test_echoed_reasoning_items_are_the_turn_s_reasoning() -> None:
    """As vLLM reads them: a reasoning item in the clear (its content, else its summary) opens the
    assistant turn its message and calls join; OpenAI's encrypted items carry nothing an upstream here
    can read and are dropped."""
    chat = chat_request({"model": "auto", "input": [
        {"role": "user", "content": "weather?"},
        {"type": "reasoning", "id": "rs_1", "summary": [], "content": [{"type": "reasoning_text", "text": "Use the tool."}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Checking."}]},
        {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
        {"type": "reasoning", "id": "rs_2", "summary": [], "encrypted_content": "gAAA"},
        {"type": "reasoning", "id": "rs_3", "summary": [{"type": "summary_text", "text": "Only thought."}],
         "content": [{"type": "reasoning_text", "text": ""}]},  # as LangChain keeps a streamed item: its summary
        {"role": "user", "content": "and tomorrow?"},
    ]})
    _user, turn, tool, thought, follow_up = chat["messages"]
    assert turn == {"role": "assistant", "content": "Checking.", "reasoning": "Use the tool.",
                    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]}
    assert tool["role"] == "tool" and thought == {"role": "assistant", "content": "", "reasoning": "Only thought."}
    assert follow_up == {"role": "user", "content": "and tomorrow?"}


def test_a_cut_answer_s_items_are_incomplete_not_streamed_too() -> None:
    body = response_body({"model": "auto"}, {"id": "c", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Once upon a"}, "finish_reason": "length"}]})
    assert body["status"] == "incomplete" and body["output"][0]["status"] == "incomplete"


def test_a_replayed_turn_of_text_and_calls_is_one_assistant_message() -> None:
    """The Agents SDK sends back a turn's message item and its function_call items: one assistant
    message, as the model wrote it (chat templates that alternate roles refuse two in a row)."""
    chat = chat_request({"model": "auto", "input": [
        {"role": "user", "content": "weather?"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Let me check."}]},
        {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": "{}"},
        {"type": "function_call", "call_id": "c2", "name": "time", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
    ]})
    assert [m["role"] for m in chat["messages"]] == ["user", "assistant", "tool"]
    assert chat["messages"][1]["content"] == "Let me check." and [c["id"] for c in chat["messages"][1]["tool_calls"]] == ["c1", "c2"]


def test_a_refused_request_is_an_api_error() -> None:
    with pytest.raises(APIError, match="'instructions' must be a string"):
        chat_request({"model": "auto", "input": "x", "instructions": ["no"]})


def test_usage_is_read_as_the_accounting_reads_it() -> None:
    """The total is the sum when the upstream gives none (it was 0); details that are no object and counts that
    are no positive integer read as 0, as `Usage.from_openai` reads them (a `prompt_tokens_details: true` was a 500)."""
    from router.anthropic_api import usage as anthropic_usage
    from router.responses_api import usage

    assert usage({"prompt_tokens": 12, "completion_tokens": 30})["total_tokens"] == 42  # type: ignore[index]
    odd = {"prompt_tokens": 12, "completion_tokens": "30", "prompt_tokens_details": True, "completion_tokens_details": [1]}
    assert usage(odd) == {"input_tokens": 12, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}, "output_tokens": 0,
                          "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 12}
    assert anthropic_usage(odd) == {"input_tokens": 12, "output_tokens": 0, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0,
                                    "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}}
    assert usage([1]) is None and anthropic_usage([1])["input_tokens"] == 0
