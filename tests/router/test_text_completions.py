"""`POST /v1/completions` end to end against the simulated upstream, through the real `openai` client
too, and its chat↔text conversion on its own (router/text_completions.py)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from router.protocol import APIError
from router.text_completions import DEFAULT_MAX_TOKENS, TextFrames, chat_request
from tests.router._sse_helpers import sse_payloads
from tests.router.conftest import Harness

pytestmark = pytest.mark.anyio


async def complete(harness: Harness, prompt: Any = "mid [score=0.6]", **fields: Any) -> Any:
    return await harness.client.post("/v1/completions", json={"model": "auto", "prompt": prompt, **fields})


async def test_a_text_completion_is_routed_and_answered_as_text(harness: Harness) -> None:
    response = await complete(harness)
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "text_completion" and body["id"].startswith("cmpl-")
    assert body["choices"][0]["text"].strip() and body["choices"][0]["finish_reason"] in ("stop", "length")
    assert body["choices"][0]["logprobs"] is None
    assert response.headers["x-router-tier"] == "medium" and body["router"]["tier"] == "medium"
    assert body["usage"]["completion_tokens"] > 0 and body["router"]["cost_usd"] > 0
    sent = harness.upstream.requests[-1]
    assert sent["messages"] == [{"role": "user", "content": "mid [score=0.6]"}]
    # the completions API's default answer length (chat has none), plus the medium tier's thinking budget
    assert sent["max_tokens"] == DEFAULT_MAX_TOKENS + 2048
    assert "prompt" not in sent
    assert harness.metric("router_tokens_total", tier="medium", model="small", backend="sim", kind="completion") == \
        body["usage"]["completion_tokens"]


async def test_client_parameters_are_forwarded(harness: Harness) -> None:
    response = await complete(harness, ["easy [score=0.1]"], max_tokens=40, temperature=0.2, stop=["\n\n"], echo=False,
                              logprobs=None, suffix="", best_of=1)
    assert response.status_code == 200, response.text
    sent = harness.upstream.requests[-1]
    assert sent["max_tokens"] == 40 and sent["temperature"] == 0.2 and sent["stop"] == ["\n\n"]
    assert not {"echo", "logprobs", "suffix", "best_of"} & sent.keys()


async def test_a_completion_routed_to_an_openai_reasoning_model_sends_max_completion_tokens(harness: Harness) -> None:
    """o-series and GPT-5 refuse `max_tokens` with a 400; the completions API always has a cap (16 by default),
    and a chat client routed by score cannot know which family it reaches."""
    assert (await complete(harness, "hard [score=0.9]")).status_code == 200
    sent = harness.upstream.requests[-1]
    assert sent["model"] == "big" and "max_tokens" not in sent and sent["max_completion_tokens"] == DEFAULT_MAX_TOKENS + 16384
    assert (await harness.chat("hard [score=0.9]", max_tokens=200)).status_code == 200
    sent = harness.upstream.requests[-1]
    assert "max_tokens" not in sent and sent["max_completion_tokens"] == 200 + 16384
    assert (await harness.chat("easy [score=0.1]", max_tokens=200)).status_code == 200
    assert harness.upstream.requests[-1]["max_tokens"] == 200, "vLLM's Qwen3 keeps the client's field"


async def test_streaming_sends_text_chunks_and_the_router_usage(harness: Harness) -> None:
    response = await complete(harness, "hard [score=0.95]", stream=True, stream_options={"include_usage": True})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    payloads = sse_payloads(response.text)
    assert payloads[-1] == "[DONE]"
    chunks = [p for p in payloads[:-1] if isinstance(p, dict)]
    assert all(c["object"] == "text_completion" for c in chunks)
    assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]).strip()
    usage = chunks[-1]
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] > 0 and usage["router"]["tier"] == "high"
    plain = (await complete(harness, "hard [score=0.95]")).json()
    assert usage["router"]["cost_usd"] == plain["router"]["cost_usd"]


async def test_streaming_without_usage_has_no_usage_chunk(harness: Harness) -> None:
    payloads = sse_payloads((await complete(harness, stream=True)).text)
    assert payloads[-1] == "[DONE]"
    assert all(p.get("usage") is None and p["choices"] for p in payloads[:-1] if isinstance(p, dict))


@pytest.mark.parametrize(("fields", "param"), [
    ({"echo": True}, "echo"),
    ({"logprobs": 1}, "logprobs"),
    ({"suffix": "end"}, "suffix"),
    ({"best_of": 3}, "best_of"),
    ({"best_of": True}, "best_of"),
    ({"echo": 0}, "echo"),
    ({"logprobs": 0}, "logprobs"),
    ({"prompt": ["one", "two"]}, "prompt"),
    ({"prompt": [1, 2, 3]}, "prompt"),
    ({"prompt": None}, "prompt"),
    ({"prompt": 7}, "prompt"),
    ({"messages": [{"role": "user", "content": "hi"}]}, "messages"),
    ({"max_tokens": 0}, "max_tokens"),
    ({"model": ""}, "model"),
])
async def test_what_a_chat_completion_cannot_honour_is_a_400_naming_it(harness: Harness, fields: dict[str, Any], param: str) -> None:
    response = await harness.client.post("/v1/completions", json={"model": "auto", "prompt": "hi", **fields})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert not harness.upstream.requests


async def test_the_openai_client_works_unchanged(harness: Harness) -> None:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url="http://router.test/v1", api_key="unused", http_client=harness.client, max_retries=0)
    completion = await client.completions.create(model="auto", prompt="easy [score=0.1] say hi", max_tokens=20)
    assert completion.object == "text_completion" and completion.choices[0].text.strip()
    assert completion.usage is not None and completion.usage.completion_tokens > 0
    stream = await client.completions.create(model="auto:high", prompt="count", max_tokens=20, stream=True,
                                             stream_options={"include_usage": True})
    chunks = [chunk async for chunk in stream]
    assert "".join(c.choices[0].text for c in chunks if c.choices).strip()
    assert chunks[-1].usage is not None and chunks[-1].model_extra["router"]["tier"] == "high"


def test_the_chat_request_keeps_unknown_fields_for_the_upstream() -> None:
    chat = chat_request({"model": "m", "prompt": "p", "top_k": 5, "max_tokens": None})
    assert chat == {"model": "m", "top_k": 5, "max_tokens": DEFAULT_MAX_TOKENS, "messages": [{"role": "user", "content": "p"}]}
    with pytest.raises(APIError):
        chat_request({"model": "m"})


def _chunk(text: str | None, finish: str | None = None, role: bool = False) -> dict[str, Any]:
    delta: dict[str, Any] = {"role": "assistant"} if role else {}
    if text is not None:
        delta["content"] = text
    return {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=12), st.integers(1, 4))
def test_text_frames_keep_every_character_in_order(deltas: list[str | None], per_frame: int) -> None:
    """However the chat events are grouped into frames, the text events carry the deltas' text in
    order; a role-only or empty delta sends nothing; the finish reason arrives."""
    events = [_chunk(None, role=True)] + [_chunk(d) for d in deltas] + [_chunk(None, finish="stop")]
    encoded = [b"data: " + orjson.dumps(e) + b"\n\n" for e in events]
    frames = [b"".join(encoded[i:i + per_frame]) for i in range(0, len(encoded), per_frame)]
    out = [orjson.loads(block[6:]) for frame in frames for block in TextFrames()(frame).split(b"\n\n") if block]
    assert all(chunk["object"] == "text_completion" for chunk in out)
    assert "".join(chunk["choices"][0]["text"] for chunk in out) == "".join(d or "" for d in deltas)
    assert all(chunk["choices"][0]["text"] for chunk in out[:-1])
    assert out[-1]["choices"][0]["finish_reason"] == "stop"


def test_an_error_event_a_comment_and_a_foreign_payload_pass_unchanged() -> None:
    error = b'data: {"error":{"message":"upstream failed","type":"upstream_error","param":null,"code":"stream"}}\n\n'
    assert TextFrames()(error) == error
    assert TextFrames()(b": keep-alive\n\n") == b": keep-alive\n\n"
    assert TextFrames()(b"data: not json\n\n") == b"data: not json\n\n"


def test_a_think_sends_a_keep_alive_comment_once_a_second_at_most() -> None:
    """A completion has no event for reasoning, so a stream of a thinking tier sent nothing until the answer: a client
    reading with a timeout shorter than the think (httpx's 5 s) or a proxy's idle timeout cut it. Each think's first
    reasoning chunk now sends an SSE comment (clients skip it), and one a second after; answer text needs none."""
    stream = TextFrames()
    thinking = b"data: " + orjson.dumps({"id": "c", "created": 1, "model": "m",
                                         "choices": [{"index": 0, "delta": {"reasoning": "hmm"}, "finish_reason": None}]}) + b"\n\n"
    assert stream(thinking) == b":\n\n"
    assert stream(thinking + thinking) == b"", "at most once a second, not one a chunk"
    stream.alive.sent_at -= 1.0
    assert stream(thinking) == b":\n\n"
    answer = stream(b"data: " + orjson.dumps(_chunk("Paris")) + b"\n\n")
    assert orjson.loads(answer[6:])["choices"][0]["text"] == "Paris"


async def test_vllm_s_prompt_logprobs_and_stop_reason_keep_their_completions_place(make_harness: Any) -> None:
    """A vLLM client's `prompt_logprobs` was forwarded, computed and paid for, then left out of the answer, and the
    stop string a choice matched (`stop_reason`) was dropped: vLLM's completions answer has both on each choice."""
    prompt_logprobs = [None, {"9707": {"logprob": -3.2, "rank": 1, "decoded_token": "Hello"}}]

    def vllm_chat(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        return httpx.Response(200, json={
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris"}, "logprobs": None, "finish_reason": "stop", "stop_reason": "\n"}],
            "usage": {"prompt_tokens": 2, "completion_tokens": 1, "total_tokens": 3},
            "prompt_logprobs": prompt_logprobs if body.get("prompt_logprobs") is not None else None})

    harness = await make_harness(sim_transport=httpx.MockTransport(vllm_chat))
    asked = (await complete(harness, "easy [score=0.1] Hello", prompt_logprobs=1, stop=["\n"])).json()["choices"][0]
    assert asked["prompt_logprobs"] == prompt_logprobs and asked["stop_reason"] == "\n" and asked["text"] == "Paris"
    plain = (await complete(harness, "easy [score=0.1] Hello")).json()["choices"][0]
    assert "prompt_logprobs" not in plain
