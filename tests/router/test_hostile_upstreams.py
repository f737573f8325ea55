"""Whatever an OpenAI-compatible upstream answers, every API answers its client in its own format.

Generated upstream answers — completions and stream chunks of odd shapes (a `choices` that is no list,
a delta whose content is a number, usage in strings, tool-call deltas without an index …) — go
through the four APIs' translators. A request gets its answer or a 502, never a 500; a stream that
started ends as its API ends streams, with an error event when the upstream's answer could not be read. The upstream is an in-process fake (httpx.MockTransport).
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from router.app import create_app
from tests.router.conftest import CONFIG, make_config
from tests.router.hostile import APIS, WHOLE_APP, ends_its_stream, replaying, serving

_TEXT = st.text(max_size=12)
_PARTS = st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": st.text(max_size=6)}), max_size=2)  # content as parts, as some servers write it
_ODD = st.none() | st.booleans() | st.integers(-2, 10**6) | st.floats(allow_nan=False) | _TEXT | st.lists(st.integers(0, 3), max_size=2) | st.just({})


def _or_odd(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the field as an upstream writes it, sometimes a value of another type."""
    return st.integers(0, 5).flatmap(lambda draw: _ODD if draw == 5 else shape)  # hypothesis favours 0


_USAGE = _or_odd(st.fixed_dictionaries({"prompt_tokens": _or_odd(st.integers(0, 10**5)), "completion_tokens": _or_odd(st.integers(0, 10**5))},
                                       optional={"total_tokens": _or_odd(st.integers(0, 10**5)),
                                                 "completion_tokens_details": _or_odd(st.fixed_dictionaries(
                                                     {"reasoning_tokens": _or_odd(st.integers(0, 10**4))}))}))
_CALL = _or_odd(st.fixed_dictionaries({"index": _or_odd(st.integers(0, 2))},
                                      optional={"id": _or_odd(_TEXT), "type": _or_odd(st.just("function")),
                                                "function": _or_odd(st.fixed_dictionaries({}, optional={"name": _or_odd(_TEXT),
                                                                                                        "arguments": _or_odd(_TEXT)}))}))
_FINISH = _or_odd(st.sampled_from([None, None, None, "stop", "length", "tool_calls", "content_filter"]))
_DELTA = _or_odd(st.fixed_dictionaries({}, optional={"role": _or_odd(st.just("assistant")), "content": _or_odd(_TEXT | st.none() | _PARTS),
                                                     "reasoning_content": _or_odd(_TEXT), "tool_calls": _or_odd(st.lists(_CALL, max_size=2))}))
_CHUNK = _or_odd(st.fixed_dictionaries(
    {"id": _or_odd(st.just("c")), "object": st.just("chat.completion.chunk"), "created": _or_odd(st.just(1)), "model": _or_odd(st.just("m")),
     "choices": _or_odd(st.lists(_or_odd(st.fixed_dictionaries({"index": _or_odd(st.integers(0, 1)), "delta": _DELTA,
                                                                 "finish_reason": _FINISH})), max_size=2))},
    optional={"usage": _USAGE}))
_MESSAGE = _or_odd(st.fixed_dictionaries({"role": _or_odd(st.just("assistant")), "content": _or_odd(_TEXT | st.none() | _PARTS)},
                                         optional={"reasoning_content": _or_odd(_TEXT), "tool_calls": _or_odd(st.lists(_CALL, max_size=2))}))
_COMPLETION = _or_odd(st.fixed_dictionaries(
    {"id": _or_odd(st.just("c")), "object": st.just("chat.completion"), "created": _or_odd(st.just(1)), "model": _or_odd(st.just("m")),
     "choices": _or_odd(st.lists(_or_odd(st.fixed_dictionaries({"index": _or_odd(st.integers(0, 1)), "message": _MESSAGE,
                                                                 "finish_reason": _FINISH})), min_size=1, max_size=2))},
    optional={"usage": _USAGE}))
_TEXT_CHOICE = st.fixed_dictionaries({"index": st.just(0), "text": _or_odd(_TEXT), "finish_reason": _FINISH})

@st.composite
def exchanges(draw: st.DrawFn) -> tuple[str, bool, bytes]:
    """(API path, stream?, the upstream's raw answer)."""
    path = draw(st.sampled_from(sorted(APIS)))
    stream = draw(st.booleans())
    if not stream:
        body = draw(_COMPLETION)
        if path == "/v1/completions" and isinstance(body, dict) and draw(st.booleans()):
            body = {**body, "object": "text_completion", "choices": draw(st.lists(_TEXT_CHOICE, min_size=1, max_size=1))}
        return path, False, orjson.dumps(body)
    chunks = draw(st.lists(_CHUNK, max_size=5))
    frames = [b"data: " + orjson.dumps(chunk) + b"\n\n" for chunk in chunks]
    return path, True, b"".join(frames) + (b"data: [DONE]\n\n" if draw(st.booleans()) else b"")


@pytest.fixture
async def app_with(fake_classifier: Any) -> Any:
    """An app whose upstreams answer with ``answer[0]`` (set per example)."""
    answer: list[bytes] = [b""]
    transport = replaying(answer)
    async with serving(create_app(make_config(), classifier=fake_classifier, transports={"sim": transport, "spare": transport})) as client:
        yield client, answer


@pytest.mark.anyio
@WHOLE_APP
@given(exchange=exchanges())
async def test_any_upstream_answer_reaches_the_client_in_its_format(app_with: Any, exchange: tuple[str, bool, bytes]) -> None:
    client, answer = app_with
    path, stream, raw = exchange
    answer[0] = raw
    request = APIS[path][0]
    response = await client.post(path, json={"model": "auto", "stream": stream, **request})
    event(f"{path} stream={stream} {response.status_code}")
    assert response.status_code in (200, 502), (path, raw, response.text[:400])  # 502: failed before its first byte
    if not stream or response.status_code == 502:
        if response.status_code == 502:
            assert response.json()["error"]["message"]
        return
    assert ends_its_stream(response.text, path), (path, raw, response.text[-400:])


@pytest.fixture
async def assembling_app_with(fake_classifier: Any) -> Any:
    """As `app_with`, with every backend streaming non-streamed requests upstream (`non_streamed: stream`)."""
    answer: list[bytes] = [b""]
    transport = replaying(answer)
    backends = {name: {**backend, "non_streamed": "stream"} for name, backend in CONFIG["backends"].items()}
    config = make_config(backends=backends)
    async with serving(create_app(config, classifier=fake_classifier, transports={"sim": transport, "spare": transport})) as client:
        yield client, answer


@pytest.mark.anyio
@WHOLE_APP
@given(path=st.sampled_from(sorted(APIS)), chunks=st.lists(_CHUNK, max_size=5), done=st.booleans())
async def test_any_stream_put_together_for_a_non_streamed_request_is_an_answer_or_a_502(
        assembling_app_with: Any, path: str, chunks: list[Any], done: bool) -> None:
    """backends/assemble.py reads whatever chunks came: the client gets its API's answer, or a 502 (never a 500)."""
    client, answer = assembling_app_with
    answer[0] = b"".join(b"data: " + orjson.dumps(chunk) + b"\n\n" for chunk in chunks) + (b"data: [DONE]\n\n" if done else b"")
    response = await client.post(path, json={"model": "auto", **APIS[path][0]})
    event(f"{path} {response.status_code}")
    assert response.status_code in (200, 502), (path, answer[0], response.text[:400])
    if response.status_code == 502:
        assert response.json()["error"]["message"]
