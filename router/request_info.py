"""What every route reads off a request: the running state, the headers, the caller's key and the request id."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from fastapi import Request

from backends.h1pool import TRACE_CONTEXT

if TYPE_CHECKING:  # router.state builds the operations, which read the trace id here
    from router.state import AppState

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
#: W3C Trace Context: version 00's `traceparent` (a version above it is read by its first four fields, as the spec
#: says); `tracestate` list members of printable ASCII, at most 512 characters (the spec's bound on what to propagate).
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(?:-[\x21-\x7e]*)?$")
_TRACESTATE = re.compile(r"^[\x20-\x7e]{1,512}$")


def state_of(request: Request) -> AppState:
    return request.app.state.router


def bearer_of(headers: Mapping[str, str], key_header: str | None) -> str | None:
    """The bearer token, or the key an API's clients send in their own header (the anthropic SDK's `x-api-key`)."""
    key = headers.get(key_header) if key_header else None
    return headers.get("authorization") or (f"Bearer {key}" if key else None)


class RequestIds:
    """32 hex digits: a random 64-bit prefix per process, then a counter.

    Unique across workers and replicas like a UUID4 (2^64 prefixes), without a `urandom`
    syscall and a `UUID` object per request (~2% of a request's CPU). Not secret: a request
    id names a request in logs and headers, it authorises nothing. A forked child draws a
    new prefix.
    """

    def __init__(self) -> None:
        self.reset()
        os.register_at_fork(after_in_child=self.reset)

    def reset(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


_ids = RequestIds()


def header_map(request: Request) -> dict[str, str]:
    """The request's headers as a plain dict, built in one pass (the first of repeated headers
    wins, as in Starlette's `Headers`): the handler reads six, and `Headers.get` scans the list
    and raises a `KeyError` inside for every absent one."""
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in reversed(request.scope["headers"])}


def trace_context(headers: Mapping[str, str]) -> dict[str, str] | None:
    """The client's W3C trace context, or None: no `traceparent`, or one that is invalid (version ff, an all-zero trace
    or parent id, a malformed field) — dropped, never a 400, as the spec asks of a receiver; a bad `tracestate` alone is
    dropped. Only these characters reach an upstream's header lines."""
    parent = headers.get("traceparent")
    found = _TRACEPARENT.fullmatch(parent) if parent else None  # not `match`: its `$` passes a trailing line feed
    if found is None or found[1] == "ff" or found[2] == "0" * 32 or found[3] == "0" * 16 or (found[1] == "00" and len(parent) != 55):
        return None
    state = headers.get("tracestate")
    return {"traceparent": parent, "tracestate": state} if state and _TRACESTATE.fullmatch(state) else {"traceparent": parent}


def current_trace_id() -> str | None:
    """The trace id of the request's validated `traceparent` (its second field), for the decision log; None without one."""
    trace = TRACE_CONTEXT.get()
    return trace["traceparent"][3:35] if trace is not None else None


def new_request_id(given: str | None) -> str:
    return given if given and _REQUEST_ID.match(given) else _ids.next()
