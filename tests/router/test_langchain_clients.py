"""LangChain's `ChatOpenAI` (chat completions and the Responses API) against the gateway, unchanged:
what a platform team's LangChain services run. In process (its async httpx client on the app)."""

from __future__ import annotations

from typing import Any

import langchain_openai
import pytest
from langchain_core import messages
from pydantic import BaseModel, Field

from tests.router._responses_api_helpers import tool_upstream
from tests.router.conftest import Harness

pytestmark = pytest.mark.anyio


class Weather(BaseModel):
    """Get the weather for a city."""

    city: str = Field(description="the city")


def chat_model(harness: Harness, **settings: Any) -> Any:
    return langchain_openai.ChatOpenAI(base_url="http://router.test/v1", api_key="unused", model=settings.pop("model", "auto"),
                                       http_async_client=harness.client, max_retries=0, **settings)


async def test_chat_completions_answer_stream_and_count(harness: Harness) -> None:
    llm = chat_model(harness, stream_usage=True, include_response_headers=True)
    answer = await llm.ainvoke("mid [score=0.6]")
    assert answer.text and answer.response_metadata["finish_reason"] in ("stop", "length")
    assert answer.response_metadata["headers"]["x-router-tier"] == "medium"
    assert answer.usage_metadata["output_tokens"] == harness.metric(
        "router_tokens_total", tier="medium", model="small", backend="sim", kind="completion")
    merged = None
    async for chunk in llm.astream("mid [score=0.6]"):
        merged = chunk if merged is None else merged + chunk
    assert merged is not None and merged.text and merged.usage_metadata["output_tokens"] == answer.usage_metadata["output_tokens"]


@pytest.mark.parametrize("use_responses_api", [False, True])
async def test_a_tool_round_trip(make_harness: Any, use_responses_api: bool) -> None:
    requests: list[dict[str, Any]] = []
    harness = await make_harness(sim_transport=tool_upstream(requests))
    llm = chat_model(harness, use_responses_api=use_responses_api).bind_tools([Weather])
    ask = [messages.HumanMessage("easy [score=0.1] weather in Oslo?")]
    call = await llm.ainvoke(ask)
    assert [(c["name"], c["args"], c["id"]) for c in call.tool_calls] == [("weather", {"city": "Oslo"}, "call_1")]
    assert requests[-1]["tools"][0]["function"]["name"] == "Weather"
    await llm.ainvoke([*ask, call, messages.ToolMessage("12 °C", tool_call_id="call_1")])
    assert requests[-1]["messages"][-1] == {"role": "tool", "tool_call_id": "call_1", "content": "12 °C"}
    assert requests[-1]["messages"][1]["tool_calls"][0]["id"] == "call_1"


@pytest.mark.parametrize("streamed", [False, True])
async def test_responses_api_reasoning_shows_as_a_summary_and_goes_back(harness: Harness, streamed: bool) -> None:
    """LangChain's reasoning blocks read OpenAI's summaries: asked for one, the local model's reasoning
    shows; the message sent back on the next turn reaches the Qwen3 tier as the turn's `reasoning`."""
    llm = chat_model(harness, model="auto:medium", use_responses_api=True, reasoning={"effort": "medium", "summary": "auto"})
    ask = [messages.HumanMessage("mid [score=0.6]")]
    if streamed:
        answer = None
        async for chunk in llm.astream(ask):
            answer = chunk if answer is None else answer + chunk
    else:
        answer = await llm.ainvoke(ask)
    assert answer is not None and answer.text
    shown = "".join(block.get("reasoning", "") for block in answer.content_blocks if block["type"] == "reasoning")
    assert shown.startswith("thinking ")
    await llm.ainvoke([*ask, answer, messages.HumanMessage("and again?")])
    turn = [m for m in harness.upstream.requests[-1]["messages"] if m["role"] == "assistant"]
    assert len(turn) == 1 and turn[0]["reasoning"] == shown and turn[0]["content"] == answer.text
