"""The fast SSE framing and data extraction agree with the simple reference definitions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backends.sse import SSEFramer, count_events, event_data

BOUNDARIES = (b"\n\n", b"\r\n\r\n", b"\n\r\n", b"\r\n\n", b"\r\r")
PIECES = st.sampled_from([b"\n", b"\r", b"\r\n", b"\n\n", b"\r\r", b"data:", b"data: ", b"event: x", b":", b" ", b"{}", b"a"])


def reference_events(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Events end at the nearest boundary of any kind (the definition the framer implements)."""
    events, start = [], 0
    while True:
        found = [(buffer.find(b, start), len(b)) for b in BOUNDARIES]
        hits = [(index, size) for index, size in found if index >= 0]
        if not hits:
            return events, buffer[start:]
        index, size = min(hits)
        events.append(buffer[start : index + size])
        start = index + size


def reference_data(event: bytes) -> bytes | None:
    lines = event.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    data = [line[5:].lstrip(b" ") for line in lines if line.startswith(b"data:")]
    return b"\n".join(data) if data else None


@settings(max_examples=400)
@given(st.lists(PIECES, max_size=40), st.lists(st.integers(0, 400), max_size=5))
def test_framer_matches_the_reference_under_any_split(pieces: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(pieces)
    points = sorted({min(c, len(stream)) for c in cuts})
    chunks = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    framer = SSEFramer()
    events = [event for chunk in chunks for event in framer.feed(chunk)]
    assert (events, framer.flush()) == reference_events(stream)


@settings(max_examples=400)
@given(st.lists(PIECES, max_size=12), st.booleans())
def test_event_data_matches_the_reference(pieces: list[bytes], terminated: bool) -> None:
    event = b"".join(pieces) + (b"\n\n" if terminated else b"")
    assert event_data(event) == reference_data(event)


@settings(max_examples=400)
@given(st.lists(PIECES, max_size=40))
def test_count_events_counts_what_the_framer_cuts(pieces: list[bytes]) -> None:
    """On a relayed frame (whole events); a frame with no boundary (a stream's last, cut) is one."""
    stream = b"".join(pieces)
    events, rest = reference_events(stream)
    assert count_events(stream[: len(stream) - len(rest)]) == len(events)
    assert count_events(rest) == bool(rest)


def test_an_answer_that_writes_data_colon_is_one_event() -> None:
    """The estimate of a stream without usage counts events, not the text `data:` (a YAML answer)."""
    frame = b'data: {"choices":[{"delta":{"content":"config:\\n  data: 1\\n  metadata: 2"}}]}\n\n'
    assert frame.count(b"data:") == 3 and count_events(frame) == 1
    assert count_events(frame.replace(b"\n\n", b"\r\n\r\n") * 2) == 2 and count_events(b"") == 0


def test_a_burst_of_many_events_is_cut_in_one_pass() -> None:
    burst = b"".join(b'data: {"n":%d}\n\n' % i for i in range(5000))
    events = SSEFramer().feed(burst)
    assert len(events) == 5000 and events[-1] == b'data: {"n":4999}\n\n'
    assert [event_data(e) for e in events[:2]] == [b'{"n":0}', b'{"n":1}']


def test_an_event_that_never_ends_is_refused_at_the_size_limit() -> None:
    """An upstream that streams one event without its blank line forever must not grow the buffer without bound: past
    `max_event_bytes` the framer raises (a protocol error, the attempt fails), on the LF-only fast path and on the CR path
    alike (mutation review: neither check was tested; dropping either went unnoticed)."""
    import pytest

    for newline in (b"\n", b"\r\n"):
        framer = SSEFramer(max_event_bytes=64)
        assert framer.feed(b"data: {}" + newline * 2) == [b"data: {}" + newline * 2]
        assert framer.feed(b"data: " + b"x" * 50) == []  # under the limit: kept for the next read
        with pytest.raises(ValueError, match="size limit"):
            framer.feed(b"x" * 10 + newline)
    framer = SSEFramer(max_event_bytes=64)
    assert len(framer.feed(b"data: " + b"x" * 200 + b"\n\n")) == 1, "a whole event is never refused by the check on the rest"
