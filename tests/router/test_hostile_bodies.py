"""Any JSON body on any of the four APIs gets an answer or a 4xx, never a 500.

Generated bodies go through the whole app — validation, the real default classifier, the policy, the
context check and a backend's request translation (the simulated OpenAI-compatible upstream, and an
Anthropic backend answering from a recording) — so a foreign exception anywhere on the way surfaces as
the 500 a client would see. The per-API translators have their own property tests; this one covers what
happens after them.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from classifiers import load_classifier
from router.app import create_app
from router.config import parse_config
from router.demo.upstream import SimulatedUpstream
from tests.backends._anthropic_helpers import MESSAGE, RECORDED
from tests.router.conftest import CONFIG
from tests.router.hostile import WHOLE_APP, serving

_WORDS = st.sampled_from([
    "user", "assistant", "system", "developer", "tool", "function", "text", "image_url", "input_audio", "file", "refusal",
    "message", "function_call", "function_call_output", "input_text", "output_text", "tool_use", "tool_result", "thinking",
    "json_schema", "json_object", "auto", "none", "required", "any", "low", "medium", "high", "minimal", "enabled", "small", "sonnet",
])
_KEYS = st.sampled_from([
    "role", "content", "type", "text", "name", "arguments", "tool_calls", "tool_call_id", "id", "function", "image_url", "url",
    "parameters", "json_schema", "schema", "strict", "input", "output", "call_id", "thinking", "budget_tokens", "effort",
    "include_usage", "reasoning_content", "refusal", "input_schema", "source", "data", "detail",
])
_LEAVES = (st.none() | st.booleans() | st.integers(-3, 10**7) | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=6) | st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=2) | _WORDS)
_JSON = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=14)

_TEXT = st.text(max_size=40)
_NAME = st.from_regex(r"[a-z_]{1,8}", fullmatch=True)
_ARGS = st.sampled_from(['{"x": 1}', "{}", '{"x": ', "not json", ""])
_ROLE = st.sampled_from(["user", "user", "user", "assistant", "assistant", "system", "developer", "tool", "model"])


def _or_junk(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly ``shape`` (a plausible value, so that bodies get past validation and reach the backends), sometimes anything."""
    return st.integers(0, 9).flatmap(lambda draw: _JSON if draw == 9 else shape)  # hypothesis favours 0


def _obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    return _or_junk(st.fixed_dictionaries(required, optional=optional or {}))


_CHAT_PART = _obj({"type": st.just("text"), "text": _TEXT}) | _obj({"type": st.just("image_url"), "image_url": _obj({"url": _TEXT})})
_CHAT_CALL = _obj({"id": _NAME, "type": st.just("function"), "function": _obj({"name": _NAME, "arguments": _ARGS})})
_CHAT_MESSAGE = _obj({"role": _ROLE, "content": _TEXT | st.none() | st.lists(_CHAT_PART, max_size=3)},
                     {"tool_calls": st.lists(_CHAT_CALL, max_size=2), "tool_call_id": _NAME, "name": _NAME, "reasoning_content": _TEXT})
_CHAT_TOOL = _obj({"type": st.just("function"), "function": _obj({"name": _NAME}, {"parameters": st.just({"type": "object", "properties": {}}),
                                                                                 "description": _TEXT})})
_RESPONSES_ITEM = (_obj({"role": _ROLE, "content": _TEXT | st.lists(_obj({"type": st.sampled_from(["input_text", "output_text"]), "text": _TEXT}),
                                                                         max_size=2)})
                   | _obj({"type": st.just("function_call"), "call_id": _NAME, "name": _NAME, "arguments": _ARGS})
                   | _obj({"type": st.just("function_call_output"), "call_id": _NAME, "output": _TEXT})
                   | _obj({"type": st.just("reasoning"), "summary": st.lists(_obj({"type": st.just("summary_text"), "text": _TEXT}), max_size=2)}))
_RESPONSES_TOOL = (_obj({"type": st.just("function"), "name": _NAME}, {"parameters": st.just({"type": "object"}), "strict": st.booleans()})
                   | _obj({"type": st.sampled_from(["web_search_preview", "custom", "file_search"])}, {"name": _NAME}))
_ANTHROPIC_BLOCK = (_obj({"type": st.just("text"), "text": _TEXT})
                    | _obj({"type": st.just("tool_use"), "id": _NAME, "name": _NAME, "input": st.dictionaries(_NAME, _TEXT, max_size=2)})
                    | _obj({"type": st.just("tool_result"), "tool_use_id": _NAME}, {"content": _TEXT, "is_error": st.booleans()})
                    | _obj({"type": st.just("thinking"), "thinking": _TEXT, "signature": _TEXT})
                    | _obj({"type": st.just("image"), "source": _obj({"type": st.just("base64"), "media_type": st.just("image/png"), "data": _TEXT})}))
_ANTHROPIC_MESSAGE = _obj({"role": _ROLE, "content": _TEXT | st.lists(_ANTHROPIC_BLOCK, min_size=1, max_size=3)})
_ANTHROPIC_TOOL = _obj({"name": _NAME, "input_schema": st.just({"type": "object", "properties": {}})}, {"description": _TEXT})
_EFFORT = _or_junk(st.sampled_from(["minimal", "low", "medium", "high", "none", "max"]))
_COUNT = _or_junk(st.integers(-1, 100_000))

#: Per API, the fields it reads and how to draw them; a valid minimum (``_BASE``) is always there to overwrite.
_FIELDS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "/v1/chat/completions": {
        "messages": _or_junk(st.lists(_CHAT_MESSAGE, min_size=1, max_size=4)), "tools": _or_junk(st.lists(_CHAT_TOOL, max_size=2)),
        "tool_choice": _or_junk(st.sampled_from(["auto", "none", "required"]) | _obj({"type": st.just("function"), "function": _obj({"name": _NAME})})),
        "response_format": _obj({"type": st.sampled_from(["text", "json_object", "json_schema"])}, {"json_schema": _obj({"name": _NAME, "schema": st.just({})})}),
        "reasoning_effort": _EFFORT, "max_tokens": _COUNT, "max_completion_tokens": _COUNT, "n": _or_junk(st.integers(1, 3)),
        "stop": _or_junk(_TEXT | st.lists(_TEXT, max_size=4)), "stream_options": _obj({"include_usage": st.booleans()}),
        "temperature": _or_junk(st.floats(0, 2)), "logprobs": st.booleans(), "top_logprobs": _COUNT, "parallel_tool_calls": st.booleans(),
        "seed": _COUNT, "user": _TEXT, "metadata": _JSON, "logit_bias": _JSON, "modalities": _JSON,
    },
    "/v1/responses": {
        "input": _or_junk(_TEXT | st.lists(_RESPONSES_ITEM, min_size=1, max_size=4)), "instructions": _or_junk(_TEXT),
        "tools": _or_junk(st.lists(_RESPONSES_TOOL, max_size=2)), "tool_choice": _or_junk(st.sampled_from(["auto", "none", "required"])),
        "text": _obj({"format": _obj({"type": st.sampled_from(["text", "json_object", "json_schema"])}, {"schema": st.just({}), "name": _NAME})},
                     {"verbosity": _EFFORT}),
        "reasoning": _obj({"effort": _EFFORT}, {"summary": st.sampled_from(["auto", "concise", "detailed"])}), "max_output_tokens": _COUNT,
        "include": _JSON, "parallel_tool_calls": st.booleans(), "metadata": _JSON, "temperature": _or_junk(st.floats(0, 2)),
        "truncation": _or_junk(st.sampled_from(["auto", "disabled"])), "stream_options": _JSON,
    },
    "/v1/messages": {
        "messages": _or_junk(st.lists(_ANTHROPIC_MESSAGE, min_size=1, max_size=4)), "system": _or_junk(_TEXT | st.lists(_ANTHROPIC_BLOCK, max_size=2)),
        "tools": _or_junk(st.lists(_ANTHROPIC_TOOL, max_size=2)),
        "tool_choice": _obj({"type": st.sampled_from(["auto", "any", "none", "tool"])}, {"name": _NAME, "disable_parallel_tool_use": st.booleans()}),
        "thinking": _obj({"type": st.sampled_from(["enabled", "disabled", "adaptive"])}, {"budget_tokens": _COUNT}),
        "stop_sequences": _or_junk(st.lists(_TEXT, max_size=3)), "max_tokens": _COUNT, "metadata": _JSON,
        "output_config": _obj({"effort": _EFFORT}), "output_format": _obj({"type": st.just("json_schema"), "schema": st.just({"type": "object"})}),
        "temperature": _or_junk(st.floats(0, 1)), "top_k": _COUNT, "service_tier": _JSON,
    },
    "/v1/completions": {
        "prompt": _or_junk(_TEXT | st.lists(_TEXT, min_size=1, max_size=3) | st.lists(st.integers(0, 50_000), max_size=5)), "max_tokens": _COUNT,
        "stop": _or_junk(_TEXT | st.lists(_TEXT, max_size=4)), "n": _or_junk(st.integers(1, 3)), "echo": st.booleans(),
        "logprobs": _JSON, "suffix": _JSON, "best_of": _JSON, "temperature": _or_junk(st.floats(0, 2)),
        "stream_options": _obj({"include_usage": st.booleans()}),
    },
}
#: A valid minimum per API, which generated fields then overwrite or extend.
_BASE = {
    "/v1/chat/completions": {"messages": [{"role": "user", "content": "hello"}]},
    "/v1/responses": {"input": "hello"},
    "/v1/messages": {"max_tokens": 16, "messages": [{"role": "user", "content": "hello"}]},
    "/v1/completions": {"prompt": "hello"},
}


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    path = draw(st.sampled_from(sorted(_FIELDS)))
    names = draw(st.lists(st.sampled_from(sorted(_FIELDS[path])), max_size=4, unique=True))
    fields = {name: draw(_FIELDS[path][name]) for name in names}
    model = draw(_or_junk(st.sampled_from(["auto", "small", "sonnet"])))
    return path, {**_BASE[path], "model": model, "stream": draw(st.booleans()), **fields}


def _claude(request: httpx.Request) -> httpx.Response:
    if orjson.loads(request.content).get("stream"):
        return httpx.Response(200, content=RECORDED, headers={"content-type": "text/event-stream"})
    return httpx.Response(200, json=MESSAGE)


@pytest.fixture
async def client() -> Any:
    data = copy.deepcopy(CONFIG)
    data["backends"]["claude"] = {"kind": "anthropic", "base_url": "http://claude.test", "api_key": "sk-ant-test"}
    data["models"]["sonnet"] = {"backend": "claude", "reasoning": "anthropic", "input": 3.0, "output": 15.0}
    data["tiers"]["high"] = {"model": "sonnet", "effort": "high"}
    sim = httpx.ASGITransport(app=SimulatedUpstream(token_delay=0).app())
    transports = {"sim": sim, "spare": sim, "claude": httpx.MockTransport(_claude)}
    async with serving(create_app(parse_config(data, env={}), classifier=load_classifier("default"), transports=transports)) as http:
        yield http


@pytest.mark.anyio
@WHOLE_APP
@given(request=requests())
@example(request=("/v1/responses", {"model": "auto", "input": [{"role": []}]}))  # unhashable: TypeError, each a 500 before
@example(request=("/v1/responses", {"model": "auto", "input": "x", "tools": [{"type": []}]}))
@example(request=("/v1/responses", {"model": "auto", "input": "x", "tool_choice": {"type": []}}))
@example(request=("/v1/messages", {"model": "auto", "max_tokens": 16, "messages": [{"role": "user", "content": "x"}], "tools": [{"type": []}]}))
@example(request=("/v1/messages", {"model": "auto", "max_tokens": 16, "messages": [{"role": "user", "content": "x"}],
                                   "output_config": {"effort": []}}))
@example(request=("/v1/chat/completions", {"model": "auto", "messages": [  # a call's function no object: AttributeError counting tokens
    {"role": "user", "content": None, "tool_calls": [{"id": "k", "type": "function", "function": [None]}]}]}))
async def test_any_body_gets_an_answer_or_a_4xx(client: httpx.AsyncClient, request: tuple[str, dict[str, Any]]) -> None:
    path, body = request
    response = await client.post(path, content=orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS) if _encodable(body) else b"{")
    assert response.status_code < 500, (path, body, response.text[:500])
    error = response.json()["error"] if response.status_code >= 400 else None
    # what the bodies reached, for --hypothesis-show-statistics: most should get past validation
    event(f"{path} {response.status_code} {response.headers.get('x-router-model', '-')} {error['message'][:60] if error else ''}")
    if error is not None:
        assert isinstance(error["message"], str) and error["message"]
    elif body.get("stream") is True:
        assert "event:" in response.text or "data:" in response.text


def _encodable(body: Any) -> bool:
    """orjson refuses lone surrogates and NaN is written as null; a body it cannot write is sent malformed."""
    try:
        orjson.dumps(body)
    except orjson.JSONEncodeError:
        return False
    return True
