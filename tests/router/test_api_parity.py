"""One conversation, one decision: asked through chat completions, Responses or Messages, the same
conversation is scored, routed and priced the same and reaches the upstream as the same chat messages (Responses'
cap, which counts the reasoning, plans its own request: the same decision and messages).

Generated conversations (a system prompt or none, earlier turns, a last user turn; text from pieces that
move the real default classifier: code, math, proofs, plain chat) are written in each API's own request
format, with the same completion cap, and sent through the whole app to an in-process upstream that
records what it is sent (httpx.MockTransport).
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifiers import load_classifier
from router.app import create_app
from tests.router.conftest import make_config
from tests.router.hostile import WHOLE_APP, serving

_PIECES = ("Write a Python function that merges k sorted lists.", "Prove that there are infinitely many primes.",
           "What is the capital of France?", "Now do the same in Java.", "continue", "Solve 3x + 7 = 22 for x.",
           "Write a short poem about autumn.", "```python\ndef f(x):\n    return x * 2\n```", "Explain step by step.",
           "Tom has 3 apples and buys 5 more. How many apples does he have?", "Thanks!", "Summarize the text above.")
_TEXT = st.lists(st.sampled_from(_PIECES) | st.text(min_size=1, max_size=30), min_size=1, max_size=4).map(" ".join).filter(str.strip)
#: The upstream's answer, without usage: the gateway learns corrections from reported usage (of its prompt count,
#: router/context.py; of its completion forecast, router/forecast.py), and every request here is priced as the first.
COMPLETION = orjson.dumps({"id": "c", "object": "chat.completion", "created": 1, "model": "m",
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}]})


@st.composite
def conversations(draw: st.DrawFn) -> tuple[str | None, list[tuple[str, str]], str, int]:
    """(system prompt or None, earlier (user, assistant) turns, the last user turn, the completion cap)."""
    system = draw(st.none() | _TEXT)
    return system, draw(st.lists(st.tuples(_TEXT, _TEXT), max_size=3)), draw(_TEXT), draw(st.integers(16, 4096))


def bodies(system: str | None, turns: list[tuple[str, str]], last: str, cap: int) -> dict[str, dict[str, Any]]:
    """The conversation as each API's request."""
    said = [m for user, reply in turns for m in ({"role": "user", "content": user}, {"role": "assistant", "content": reply})]
    said.append({"role": "user", "content": last})
    chat = {"model": "auto", "max_tokens": cap, "messages": ([{"role": "system", "content": system}] if system else []) + said}
    responses = {"model": "auto", "max_output_tokens": cap, "input": said, **({"instructions": system} if system else {})}
    messages = {"model": "auto", "max_tokens": cap, "messages": said, **({"system": system} if system else {})}
    return {"/v1/chat/completions": chat, "/v1/responses": responses, "/v1/messages": messages}


@pytest.fixture(scope="module")
def classifier() -> Any:
    return load_classifier("default")


@pytest.fixture
async def gateway(classifier: Any) -> Any:
    """A client of the app and the chat requests its upstream was sent."""
    sent: list[dict[str, Any]] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        sent.append(orjson.loads(request.content))
        return httpx.Response(200, content=COMPLETION, headers={"content-type": "application/json"})

    transport = httpx.MockTransport(upstream)
    async with serving(create_app(make_config(), classifier=classifier, transports={"sim": transport, "spare": transport})) as client:
        yield client, sent


@pytest.mark.anyio
@WHOLE_APP
@given(conversation=conversations())
async def test_a_conversation_is_routed_priced_and_forwarded_alike_through_every_api(gateway: Any, conversation: Any) -> None:
    client, sent = gateway
    seen = {}
    for path, body in bodies(*conversation).items():
        sent.clear()
        response = await client.post(path, json=body)
        assert response.status_code == 200, response.text
        (upstream,) = sent
        seen[path] = ({k: response.headers.get(k) for k in ("x-router-tier", "x-router-model", "x-router-score", "x-router-estimated-cost-usd", "x-router-cost-usd")},
                      upstream["messages"], upstream.get("max_tokens", upstream.get("max_completion_tokens")))
    chat = seen.pop("/v1/chat/completions")
    # Responses' max_output_tokens counts the reasoning (OpenAI's definition): it is the upstream's whole cap, where the
    # chat and Messages (thinking off) caps are the answer's, to which a thinking tier adds its reserve — so the same
    # number plans a different request there: the decision and the messages are the same, the cap sent is the client's.
    headers, messages, cap = seen.pop("/v1/responses")
    decided = ("x-router-tier", "x-router-model", "x-router-score")
    assert ({k: headers[k] for k in decided}, messages) == ({k: chat[0][k] for k in decided}, chat[1]), conversation
    assert cap == conversation[3], conversation
    for path, other in seen.items():
        assert other == chat, (path, conversation)
