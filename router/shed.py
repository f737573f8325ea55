"""The gateway's own load shedding: a request no candidate could take, refused without a call upstream (router/resilience.py
raises it; router/api.py counts it as status `shed` and marks the client's error with `SHED_HEADER`)."""

from __future__ import annotations

from backends.base import UpstreamError

#: The response header that marks a request the gateway shed itself (`Shed`, status `shed`): router/api.py sets it.
SHED_HEADER = "x-router-shed"


class Shed(UpstreamError):
    """The gateway's own refusal of a request no candidate could take — every one rate limited, or at its backend's
    `circuit.max_in_flight` — without a call upstream: load it shed, counted apart from failures (status `shed`, as
    Envoy counts its overflow apart from upstream errors), where an upstream's own 429 or 503 is an `error`."""
