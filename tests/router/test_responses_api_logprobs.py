"""Token logprobs on `POST /v1/responses`: asked as the Responses API asks them, returned as it carries them
(whole, per delta, at `.done`), left out where Claude serves, and no token lost when streamed."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from tests.router._responses_api_helpers import sdk
from tests.router._sse_helpers import chunk

pytestmark = pytest.mark.anyio


def logprobs_upstream(seen: list[dict[str, Any]]) -> httpx.MockTransport:
    """An OpenAI-compatible upstream that answers "Hi there" with token logprobs when asked (vLLM's shape: no `bytes`)."""
    tokens = [("Hi", -0.1), (" there", -0.5)]

    def entry(token: str, logprob: float, top: int) -> dict[str, Any]:
        return {"token": token, "logprob": logprob, "top_logprobs": [{"token": token, "logprob": logprob}, {"token": "!", "logprob": -3.0}][:top]}

    def handler(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        seen.append(body)
        top = body.get("top_logprobs") or 0
        usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
        if not body.get("stream"):
            logprobs = {"content": [entry(t, lp, top) for t, lp in tokens]} if body.get("logprobs") else None
            return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": "m", "usage": usage, "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "Hi there"}, "logprobs": logprobs, "finish_reason": "stop"}]})
        frames = [chunk(t) | {"choices": [{"index": 0, "delta": {"content": t}, "finish_reason": None,
                                            "logprobs": {"content": [entry(t, lp, top)]} if body.get("logprobs") else None}]} for t, lp in tokens]
        frames += [chunk(finish="stop"), {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [], "usage": usage}]
        data = b"".join(b"data: " + orjson.dumps(frame) + b"\n\n" for frame in frames) + b"data: [DONE]\n\n"
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=httpx.ByteStream(data))

    return httpx.MockTransport(handler)


async def test_token_logprobs_come_back_as_the_responses_api_carries_them(make_harness: Any) -> None:
    """Found in review: `top_logprobs` was a 400 and `include: ["message.output_text.logprobs"]` was ignored (`logprobs`
    always []), where the chat route returns them from the same upstream. Now both ask the upstream for them, and the text
    carries them — each with its UTF-8 bytes, which the Responses type requires — whole, per delta and at `.done`."""
    seen: list[dict[str, Any]] = []
    client = sdk(await make_harness(sim_transport=logprobs_upstream(seen)))
    answer = await client.responses.create(model="auto", input="hi", top_logprobs=1, include=["message.output_text.logprobs"])
    text = answer.output[0].content[0]
    assert [(lp.token, lp.bytes, lp.logprob, len(lp.top_logprobs)) for lp in text.logprobs] == [("Hi", [72, 105], -0.1, 1), (" there", list(b" there"), -0.5, 1)]
    assert seen[-1]["logprobs"] is True and seen[-1]["top_logprobs"] == 1
    deltas: list[Any] = []
    async with client.responses.stream(model="auto", input="hi", include=["message.output_text.logprobs"]) as events:
        async for event in events:
            if event.type == "response.output_text.delta":
                deltas += event.logprobs
            elif event.type == "response.output_text.done":
                done = event.logprobs
        final = await events.get_final_response()
    assert [lp.token for lp in deltas] == [lp.token for lp in done] == [lp.token for lp in final.output[0].content[0].logprobs] == ["Hi", " there"]
    plain = await client.responses.create(model="auto", input="hi")
    assert plain.output[0].content[0].logprobs == [] and "logprobs" not in seen[-1]


async def test_logprobs_asked_of_a_claude_tier_are_left_out_not_a_400(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in review: asking for logprobs became a 400 whenever Claude served (the adapter refuses them, and a 400 ends
    the fallbacks): the request failed only while the OpenAI model before it was down. Claude's family drops them."""
    from tests.router._anthropic_api_helpers import claude_high_tier, recording_claude

    seen: list[dict[str, Any]] = []
    spare_handler[0] = recording_claude(seen)
    client = sdk(await make_harness(claude_high_tier()))
    answer = await client.responses.create(model="auto", input="hard [score=0.9]", top_logprobs=2, include=["message.output_text.logprobs"])
    assert answer.output[0].content[0].logprobs == [] and seen and "logprobs" not in str(seen[-1])


async def test_streamed_logprobs_keep_the_tokens_that_came_without_text(make_harness: Any) -> None:
    """Found in review: a chunk's logprobs replaced those held from a chunk without text (a character split between two
    tokens, the end token), so the streamed answer lost tokens the whole one kept."""
    entries = [("Hi", "Hi"), (" ", " "), ("bytes:\\xe2\\x80", ""), ("bytes:\\xa6", "…"), ("", None)]

    def handler(request: httpx.Request) -> httpx.Response:
        frames = []
        for index, (token, text) in enumerate(entries):
            delta = {} if text is None else {"content": text}
            frames.append(chunk() | {"choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if text is None else None,
                                                   "logprobs": {"content": [{"token": token, "logprob": -0.1 * index, "top_logprobs": []}]}}]})
        data = b"".join(b"data: " + orjson.dumps(frame) + b"\n\n" for frame in frames) + b"data: [DONE]\n\n"
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=httpx.ByteStream(data))

    client = sdk(await make_harness(sim_transport=httpx.MockTransport(handler)))
    deltas: list[str] = []
    async with client.responses.stream(model="auto", input="hi", include=["message.output_text.logprobs"]) as events:
        async for event in events:
            if event.type == "response.output_text.delta":
                deltas += [lp.token for lp in event.logprobs]
            elif event.type == "response.output_text.done":
                done = [lp.token for lp in event.logprobs]
        final = await events.get_final_response()
    tokens = [token for token, _ in entries]
    assert done == [lp.token for lp in final.output[0].content[0].logprobs] == tokens and deltas == tokens[:4]
