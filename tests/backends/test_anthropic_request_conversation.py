"""OpenAI chat request → Anthropic Messages request translation: the conversation (system prompt, turns, tools and
their results, images, cache breakpoints)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from backends.anthropic_request import DEFAULT_MAX_TOKENS, to_anthropic_request
from backends.base import UpstreamError
from tests.backends._anthropic_helpers import translate


def test_minimal_request_has_required_fields() -> None:
    request = translate()
    assert request == {
        "model": "claude-sonnet-4-20250514",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
        "max_tokens": DEFAULT_MAX_TOKENS,
        "stream": False,
    }


def test_system_messages_are_joined_into_top_level_system() -> None:
    request = translate(
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}, {"type": "text", "text": "No emoji."}]},
            {"role": "user", "content": "Hello"},
        ]
    )
    assert request["system"] == "You are terse.\n\nAnswer in French.\n\nNo emoji."
    assert request["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}]


def test_non_text_system_part_is_a_400() -> None:
    with pytest.raises(UpstreamError) as info:
        translate(messages=[{"role": "system", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}])
    assert info.value.status == 400 and not info.value.retryable and info.value.param == "messages"


def test_multi_turn_merges_consecutive_same_role_messages() -> None:
    request = translate(
        messages=[
            {"role": "user", "content": "one"},
            {"role": "user", "content": [{"type": "text", "text": "two"}]},
            {"role": "assistant", "content": "three"},
            {"role": "assistant", "content": ""},  # empty: skipped
            {"role": "user", "content": "four"},
        ]
    )
    assert request["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "three"}]},
        {"role": "user", "content": [{"type": "text", "text": "four"}]},
    ]


def test_tools_tool_choice_tool_calls_and_tool_results() -> None:
    request = translate(
        messages=[
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
                    {"id": "toolu_2", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'}},
                    {"id": "toolu_3", "type": "function", "function": {"name": "now", "arguments": ""}},
                ],
            },
            {"role": "tool", "tool_call_id": "toolu_1", "content": "18C"},
            {"role": "tool", "tool_call_id": "toolu_2", "content": [{"type": "text", "text": "21C"}]},
            {"role": "tool", "tool_call_id": "toolu_3", "content": [{"type": "text", "text": "12:00"}, {"type": "text", "text": "UTC"}]},
            {"role": "user", "content": "Thanks"},
        ],
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Current weather",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
                },
            },
            {"type": "function", "function": {"name": "now"}},
        ],
        tool_choice="required",
        parallel_tool_calls=False,
    )
    assert request["tools"] == [
        {
            "name": "get_weather",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            "description": "Current weather",
        },
        {"name": "now", "input_schema": {"type": "object", "properties": {}}},
    ]
    assert request["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    assert request["messages"][1] == {
        "role": "assistant",
        "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Rome"}},
            {"type": "tool_use", "id": "toolu_3", "name": "now", "input": {}},
        ],
    }
    assert request["messages"][2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": "21C"},
            {"type": "tool_result", "tool_use_id": "toolu_3", "content": [{"type": "text", "text": "12:00"}, {"type": "text", "text": "UTC"}]},
            {"type": "text", "text": "Thanks"},
        ],
    }
    assert len(request["messages"]) == 3


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", None),
        ("none", {"type": "none"}),
        ("required", {"type": "any"}),
        ({"type": "function", "function": {"name": "now"}}, {"type": "tool", "name": "now"}),
    ],
)
def test_tool_choice_mapping(choice: Any, expected: Any) -> None:
    request = translate(tools=[{"type": "function", "function": {"name": "now"}}], tool_choice=choice)
    assert request.get("tool_choice") == expected


def test_allowed_tools_are_the_tools_sent_and_their_mode_the_choice() -> None:
    """Anthropic has no `allowed_tools`: the tools it allows are sent, its mode the choice (it was a 400)."""
    tools = [{"type": "function", "function": {"name": name}} for name in ("now", "later", "never")]
    allowed = {"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [{"type": "function", "function": {"name": n}} for n in ("now", "later")]}}
    request = translate(tools=tools, tool_choice=allowed)
    assert [tool["name"] for tool in request["tools"]] == ["now", "later"] and request["tool_choice"] == {"type": "any"}
    auto = translate(tools=tools, tool_choice={"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": allowed["allowed_tools"]["tools"][:1]}})
    assert [tool["name"] for tool in auto["tools"]] == ["now"] and "tool_choice" not in auto
    with pytest.raises(UpstreamError):
        translate(tools=tools, tool_choice={"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": []}})
    # none of them allowed: no call, the tools still sent (Anthropic refuses tool turns in a request without tools)
    nothing = translate(tools=tools, tool_choice={"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}})
    assert len(nothing["tools"]) == 3 and nothing["tool_choice"] == {"type": "none"}


def test_tool_choice_without_tools_is_dropped() -> None:
    assert "tool_choice" not in translate(tool_choice="none")


def test_invalid_tool_arguments_are_a_400() -> None:
    call = {"id": "t", "type": "function", "function": {"name": "f", "arguments": "{not json"}}
    with pytest.raises(UpstreamError) as info:
        translate(messages=[{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [call]}])
    assert info.value.status == 400


def test_whitespace_only_text_is_not_sent() -> None:
    """Anthropic refuses text blocks without non-whitespace text; OpenAI clients send "\\n\\n" before a
    tool call and " " between parts."""
    call = {"id": "toolu_1", "type": "function", "function": {"name": "now", "arguments": "{}"}}
    request = translate(messages=[
        {"role": "system", "content": " "},
        {"role": "user", "content": "What time is it?"},
        {"role": "assistant", "content": "\n\n", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "toolu_1", "content": "12:00"},
        {"role": "user", "content": [{"type": "text", "text": " "}, {"type": "text", "text": "thanks"}]},
    ])
    assert "system" not in request
    assert [[block["type"] for block in turn["content"]] for turn in request["messages"]] == [["text"], ["tool_use"], ["tool_result", "text"]]
    assert request["messages"][2]["content"][1]["text"] == "thanks"


def test_a_conversation_opening_with_the_assistant_gets_a_user_turn_first() -> None:
    request = translate(messages=[{"role": "system", "content": "Be a pirate."}, {"role": "assistant", "content": "Ahoy! How can I help?"},
                                  {"role": "user", "content": "Where is the treasure?"}])
    assert [turn["role"] for turn in request["messages"]] == ["user", "assistant", "user"]
    assert request["messages"][0]["content"] == [{"type": "text", "text": "."}] and request["system"] == "Be a pirate."


def test_tool_call_ids_from_other_backends_are_made_safe_alike_in_call_and_result() -> None:
    calls = [{"id": f"functions.now:{i}", "type": "function", "function": {"name": "now", "arguments": "{}"}} for i in range(2)]
    request = translate(messages=[
        {"role": "user", "content": "Time twice?"},
        {"role": "assistant", "content": None, "tool_calls": [*calls, {"id": "toolu_ok-1", "type": "function", "function": {"name": "now", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "functions.now:0", "content": "12:00"},
        {"role": "tool", "tool_call_id": "functions.now:1", "content": "12:01"},
        {"role": "tool", "tool_call_id": "toolu_ok-1", "content": "12:02"},
    ])
    uses = [block["id"] for block in request["messages"][1]["content"]]
    results = [block["tool_use_id"] for block in request["messages"][2]["content"]]
    assert uses == results and len(set(uses)) == 3 and uses[2] == "toolu_ok-1"
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]+", tool_id) for tool_id in uses)


def test_images_data_url_and_http_url() -> None:
    request = translate(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in these?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
                    {"type": "image_url", "image_url": {"url": "data:image/jpg;base64,/9j/4AAQ"}},
                ],
            }
        ]
    )
    assert request["messages"][0]["content"][1:] == [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}},  # Anthropic knows no image/jpg
    ]


@pytest.mark.parametrize("url", ["data:image/png,rawbytes", "ftp://example.com/cat.jpg"])
def test_unusable_image_urls_are_a_400(url: str) -> None:
    with pytest.raises(UpstreamError) as info:
        translate(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}])
    assert info.value.status == 400


def test_unsupported_roles_and_parts_are_a_400() -> None:
    with pytest.raises(UpstreamError):
        translate(messages=[{"role": "function", "name": "f", "content": "x"}])
    with pytest.raises(UpstreamError):
        translate(messages=[{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}])
    with pytest.raises(UpstreamError):
        translate(messages=[{"role": "system", "content": "only a system prompt"}])


def test_input_body_is_not_modified() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "x"}], "thinking": {"type": "enabled", "budget_tokens": 1024}}
    snapshot = repr(body)
    to_anthropic_request(body, stream=True)
    assert repr(body) == snapshot


def test_cache_control_breakpoints_are_kept() -> None:
    ephemeral = {"type": "ephemeral"}
    request = translate(
        messages=[
            {
                "role": "system",
                "content": [{"type": "text", "text": "Long policy.", "cache_control": ephemeral}, {"type": "text", "text": "Be brief."}],
            },
            {
                "role": "user",
                "content": [{"type": "text", "text": "Long document.", "cache_control": ephemeral}, {"type": "text", "text": "Summarise."}],
            },
        ]
    )
    assert request["system"] == [{"type": "text", "text": "Long policy.", "cache_control": ephemeral}, {"type": "text", "text": "Be brief."}]
    assert request["messages"][0]["content"] == [
        {"type": "text", "text": "Long document.", "cache_control": ephemeral},
        {"type": "text", "text": "Summarise."},
    ]


def test_a_tool_result_s_breakpoint_goes_on_its_block() -> None:
    """Anthropic refuses `cache_control` inside a tool_result's content ("place it directly on tool_result")."""
    ephemeral = {"type": "ephemeral"}
    request = translate(messages=[
        {"role": "user", "content": "run it"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "sh", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "t1", "content": [{"type": "text", "text": "exit 0", "cache_control": ephemeral}]},
    ])
    assert request["messages"][-1]["content"] == [{"type": "tool_result", "tool_use_id": "t1", "content": "exit 0", "cache_control": ephemeral}]
