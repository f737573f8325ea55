"""Property tests: the SSE framer under arbitrary chunk splits, and request validation."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backends.base import ChatStream, UpstreamError
from backends.openai_compat import _relay
from backends.sse import SSEFramer, event_data
from router.protocol import FORBIDDEN_FIELDS, APIError, parse_json_body, validate_chat_request

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- SSE framing ------------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=40)
_field = st.one_of(
    _text.map(lambda t: "data: " + t),
    _text.map(lambda t: "data:" + t),
    _text.map(lambda t: ": " + t),  # a comment
    st.sampled_from(["event: message", "id: 7", "retry: 10"]),
)


@st.composite
def sse_events(draw: Any) -> bytes:
    lines = draw(st.lists(_field, min_size=1, max_size=4))
    terminator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return (terminator.join(lines) + terminator + terminator).encode()


@st.composite
def split(draw: Any, data: bytes) -> list[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    pieces, start = [], 0
    for cut in cuts:
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return pieces


@SETTINGS
@given(st.data())
def test_framer_is_independent_of_chunk_boundaries(data: Any) -> None:
    events = data.draw(st.lists(sse_events(), max_size=8))
    tail = data.draw(st.sampled_from([b"", b"data: partial", b"data: {\"cut\": tr"]))
    stream = b"".join(events) + tail
    framer = SSEFramer()
    got: list[bytes] = []
    for piece in data.draw(split(stream)):
        got += framer.feed(piece)
    assert got == events
    assert framer.flush() == tail


@SETTINGS
@given(st.lists(_text, min_size=1, max_size=4), st.sampled_from(["\n", "\r\n", "\r"]))
def test_event_data_joins_data_lines(values: list[str], terminator: str) -> None:
    event = (terminator.join(["id: 1", *("data: " + v for v in values), ": comment"]) + terminator * 2).encode()
    assert event_data(event) == "\n".join(v.lstrip(" ") for v in values).encode()


def _chunk(index: int, text: str) -> bytes:
    payload = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    return b"data: " + orjson.dumps(payload) + b"\n\n"


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_relay_forwards_bytes_unchanged_under_any_split(data: Any) -> None:
    texts = data.draw(st.lists(_text, min_size=1, max_size=6))
    frames = [_chunk(i, t) for i, t in enumerate(texts)]
    usage = b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}\n\n'
    wire = b"".join(frames) + b": keep-alive\n\n" + usage + b"data: [DONE]\n\n"
    pieces = data.draw(split(wire))

    async def run() -> tuple[list[bytes], ChatStream]:
        async def body() -> Any:
            for piece in pieces:
                yield piece

        response = httpx.Response(200, content=body())
        stream = ChatStream(frames=None, close=response.aclose)  # type: ignore[arg-type]
        out = [frame async for frame in _relay(response, stream)]
        return out, stream

    out, stream = asyncio.run(run())
    assert b"".join(out) == b"".join(frames), "events pass through byte for byte; keep-alives, the usage chunk and [DONE] stay behind"
    assert out == _expected_frames(frames, wire, pieces), "the first event alone, then the events of each read as one frame"
    assert stream.usage is not None and stream.usage.completion_tokens == 4


def _expected_frames(events: list[bytes], wire: bytes, pieces: list[bytes]) -> list[bytes]:
    """What the relay sends: the first event on its own, then, per upstream read, the forwarded
    events that read completed, joined (whole events only, never an empty frame)."""
    ends, offset = [], 0
    for piece in pieces:
        offset += len(piece)
        ends.append(offset)
    groups: dict[int, list[bytes]] = {}
    position = 0
    for number, event in enumerate(events):
        position = wire.index(event, position) + len(event)
        read = next(index for index, end in enumerate(ends) if end >= position)
        if number:
            groups.setdefault(read, []).append(event)
    return [events[0], *(b"".join(groups[read]) for read in sorted(groups))]


def _run_relay(pieces: list[bytes]) -> tuple[list[bytes], BaseException | None]:
    async def run() -> tuple[list[bytes], BaseException | None]:
        async def body() -> Any:
            for piece in pieces:
                yield piece

        response = httpx.Response(200, content=body())
        stream = ChatStream(frames=None, close=response.aclose)  # type: ignore[arg-type]
        out: list[bytes] = []
        try:
            async for frame in _relay(response, stream):
                out.append(frame)
        except UpstreamError as exc:
            return out, exc
        return out, None

    return asyncio.run(run())


_ERROR = b'data: {"error": {"message": "overloaded", "type": "server_error"}}\n\n'


def test_an_error_event_mid_read_flushes_the_events_before_it() -> None:
    events = [_chunk(i, f"w{i}") for i in range(4)]
    out, error = _run_relay([events[0] + events[1] + events[2] + _ERROR + events[3]])
    assert out == [events[0], events[1] + events[2]], "whole events before the error go out, nothing after it"
    assert isinstance(error, UpstreamError) and error.kind == "stream" and error.message == "overloaded"
    out, error = _run_relay([events[0], _ERROR])
    assert out == [events[0]] and isinstance(error, UpstreamError)


def test_an_error_before_any_event_yields_nothing() -> None:
    """The first-frame retry (router/resilience.py) sees the error before the client sees a byte."""
    out, error = _run_relay([b": keep-alive\n\n" + _ERROR + _chunk(0, "late")])
    assert out == [] and isinstance(error, UpstreamError) and error.kind == "stream"


def test_events_after_done_in_the_same_read_are_dropped() -> None:
    events = [_chunk(i, f"w{i}") for i in range(3)]
    out, error = _run_relay([events[0] + events[1] + b"data: [DONE]\n\n" + events[2]])
    assert error is None and out == [events[0], events[1]]


# -- request validation -------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)

VALID = {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}
FIELDS = ["model", "messages", "stream", "stream_options", "n", "max_tokens", "max_completion_tokens", "reasoning_effort", "temperature",
          "top_p", "presence_penalty", "frequency_penalty", "seed", "top_logprobs", "logprobs", "parallel_tool_calls", "user", "stop", "tools",
          "tool_choice", "response_format", "logit_bias", "metadata", "chat_template_kwargs", "api_base", "unknown_extension"]


def _check(body: Any) -> APIError | None:
    try:
        validate_chat_request(body)
    except APIError as exc:
        assert exc.status == 400
        assert exc.error_type == "invalid_request_error"
        assert exc.param is None or isinstance(exc.param, str)
        assert "Traceback" not in exc.message
        return exc
    return None


@SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), json_values, max_size=5))
def test_any_object_is_accepted_or_a_400(body: dict[str, Any]) -> None:
    _check(body)


@SETTINGS
@given(st.sampled_from(FIELDS), json_values)
def test_a_bad_field_is_named(field: str, value: Any) -> None:
    error = _check(VALID | {field: value})
    if error is not None:
        assert error.param is not None and error.param.split(".")[0].split("[")[0] == field
    if field in FORBIDDEN_FIELDS:
        assert error is not None and error.code == "forbidden_parameter"


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"role": json_values, "content": json_values}), min_size=1, max_size=3))
def test_bad_messages_are_named_by_index(messages: list[dict[str, Any]]) -> None:
    error = _check({"model": "auto", "messages": messages})
    if error is not None:
        assert error.param is not None and error.param.startswith("messages[")


valid_messages = st.lists(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["system", "developer", "user", "assistant", "tool"]),
         "content": st.one_of(st.text(max_size=20), st.none(), st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": st.text(max_size=10)}), max_size=2))}
    ),
    min_size=1,
    max_size=4,
)
valid_options = st.fixed_dictionaries(
    {},
    optional={
        "stream": st.booleans(),
        "n": st.integers(1, 16),
        "max_tokens": st.integers(1, 1_000_000),
        "temperature": st.floats(0, 2),
        "top_p": st.floats(0, 1),
        "stop": st.one_of(st.text(max_size=5), st.lists(st.text(max_size=5), max_size=4)),
        "reasoning_effort": st.sampled_from(["none", "minimal", "low", "medium", "high"]),
        "stream_options": st.fixed_dictionaries({"include_usage": st.booleans()}),
        "tools": st.lists(st.fixed_dictionaries({"type": st.just("function")}), max_size=2),
        "seed": st.integers(-(2**31), 2**31),
        "extra_vendor_field": json_values,
    },
)


@SETTINGS
@given(st.text(min_size=1, max_size=20), valid_messages, valid_options)
def test_valid_requests_pass(model: str, messages: list[dict[str, Any]], options: dict[str, Any]) -> None:
    assert _check({"model": model, "messages": messages, **options}) is None


@pytest.mark.parametrize(("raw", "says"), [
    (b'{"a": "\\ud800"}', "lone UTF-16 surrogate escape"),  # JSON.stringify of a string cut inside an emoji
    (b'{"a": "\\udc00 x"}', "lone UTF-16 surrogate escape"),
    (b'{"a": "\xff"}', "not valid UTF-8"),
    (b'{"max_tokens": ' + b"9" * 400 + b"}", "a number JSON cannot carry"),
    (b'{"a": 1', "not valid JSON"),
])
def test_a_body_orjson_refuses_is_a_400_naming_its_problem(raw: bytes, says: str) -> None:
    """The surrogate escape was called "not valid JSON", a byte-order mark "not valid UTF-8"."""
    with pytest.raises(APIError) as info:
        parse_json_body(raw)
    assert info.value.status == 400 and says in str(info.value)


def test_a_byte_order_mark_before_the_body_is_no_error() -> None:
    assert parse_json_body(b'\xef\xbb\xbf{"model": "auto"}') == {"model": "auto"}


@SETTINGS
@given(st.binary(max_size=200))
def test_arbitrary_bytes_parse_to_an_object_or_a_400(raw: bytes) -> None:
    try:
        body = parse_json_body(raw)
    except APIError as exc:
        assert exc.status == 400
        return
    assert isinstance(body, dict)
    _check(body)


def test_n_is_bounded_where_openai_bounds_it() -> None:
    """Found in review: `n` above 16 was refused though OpenAI takes up to 128 (vLLM sets no bound)."""
    assert _check(VALID | {"n": 128}) is None
    error = _check(VALID | {"n": 129})
    assert error is not None and error.param == "n"
