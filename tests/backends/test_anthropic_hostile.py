"""Whatever an Anthropic upstream answers, a client of any of the four APIs gets an answer, a 502, or a
stream that ends as its API ends streams or with an error event — never a 500 or a stream cut short.

A recorded message and a recorded stream (tests/backends/_anthropic_helpers.py) with up to three of their
values replaced by values of other types (a `content` that is a number, a `usage` that is a string, an
event's `index` that is a list …) go through the Anthropic backend's translation into chat completions,
and from there into the API the client speaks.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from router.app import create_app
from router.config import parse_config
from tests.backends._anthropic_helpers import MESSAGE, RECORDED
from tests.conftest import FakeClassifier
from tests.router.conftest import CONFIG
from tests.router.hostile import APIS, WHOLE_APP, ends_its_stream, replaying, serving

_ODD = st.none() | st.booleans() | st.integers(-2, 10**6) | st.text(max_size=6) | st.lists(st.integers(0, 2), max_size=2) | st.just({})
_EVENTS = [orjson.loads(line[6:]) for line in RECORDED.decode().split("\n") if line.startswith("data: ")]


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``value`` (objects' fields, lists' items)."""
    found = [path] if path else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        found += _nodes(inner, (*path, key))
    return found


@st.composite
def damaged(draw: st.DrawFn, original: Any) -> Any:
    """``original`` with up to three of its values replaced by values of other types."""
    value = copy.deepcopy(original)
    for _ in range(draw(st.integers(0, 3))):
        paths = _nodes(value)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        target = value
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = draw(_ODD)
    return value


@st.composite
def answers(draw: st.DrawFn) -> tuple[bool, bytes]:
    if not draw(st.booleans()):
        return False, orjson.dumps(draw(damaged(MESSAGE)))
    events = draw(damaged(_EVENTS))
    kept = draw(st.integers(0, len(events)))  # a stream may also end early
    return True, b"".join(b"event: x\ndata: " + orjson.dumps(item) + b"\n\n" for item in events[:kept])


@pytest.fixture
async def client_and_answer() -> Any:
    answer: list[bytes] = [b""]
    data = copy.deepcopy(CONFIG)
    data["backends"] = {"claude": {"kind": "anthropic", "base_url": "http://claude.test", "api_key": "sk-ant-test"}}
    data["models"] = {"sonnet": {"backend": "claude", "reasoning": "anthropic", "input": 3.0, "output": 15.0}}
    data["tiers"] = {"low": {"model": "sonnet", "effort": "none"}}
    async with serving(create_app(parse_config(data, env={}), transports={"claude": replaying(answer)}, classifier=FakeClassifier())) as client:
        yield client, answer


@pytest.mark.anyio
@WHOLE_APP
@given(answer=answers(), path=st.sampled_from(sorted(APIS)))
async def test_any_anthropic_answer_reaches_the_client_in_its_format(client_and_answer: Any, answer: tuple[bool, bytes], path: str) -> None:
    client, slot = client_and_answer
    stream, slot[0] = answer
    request = APIS[path][0]
    response = await client.post(path, json={"model": "auto", "stream": stream, **request})
    event(f"{path} stream={stream} {response.status_code}")
    assert response.status_code in (200, 502), (answer, response.text[:400])
    if response.status_code == 502 or not stream:
        assert response.status_code == 200 or response.json()["error"]["message"]
        return
    assert ends_its_stream(response.text, path), (answer, response.text[-400:])
