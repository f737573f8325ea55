"""The narrow dependencies the gateway hands its collaborators, built in `Gateway.__init__`.

The attempt loop (router/resilience.py) and test-time compute (router/ttc.py) used to receive the whole `Gateway`
and call back into it: each depended on everything its owner held, and the owner on them. As httpx has one transport
seam, each gets here only the callables it uses — so neither imports nor holds the gateway, and a test can hand
either a fake of a few functions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from backends.base import Backend, ChatResult
    from backends.request_hints import RequestHints
    from backends.usage import Usage
    from router.decision import Decision
    from router.policy import Candidate


class ScoreLike(Protocol):
    score: float
    top_features: tuple[tuple[str, float], ...]

    def expected_completion_tokens(self, effort: str, thinking_budget: int | None = None) -> int: ...


#: A candidate's cost estimate for a scored request (`Gateway.estimate_cost`): None when its model has no price.
CostEstimate = Callable[["Decision", "Candidate", ScoreLike, Mapping[str, Any]], "float | None"]


class Dispatch(Protocol):
    def __call__(self, body: dict[str, Any], decision: Decision, *, stream: bool) -> Awaitable[Any]: ...


@dataclass(frozen=True, slots=True)
class Upstream:
    """What one attempt of the loop needs besides its own health state: the backends, the request as a candidate's
    upstream should see it, and the accounting of what the attempt cost."""

    backends: Mapping[str, Backend]
    #: `Gateway.upstream_body`: the client's request (and its route's hints) rewritten for this candidate's model and dialect.
    request_for: Callable[[dict[str, Any], Candidate, RequestHints], dict[str, Any]]
    #: a fallback's estimate replaces the first candidate's in the headers.
    estimate_cost: CostEstimate
    #: `Gateway.charge_failed_attempt`: an attempt that failed while its upstream worked is billed (router/attempt_costs.py).
    charge_failed: Callable[[Decision, Mapping[str, Any], int | None, Usage | None], None]
    #: `Gateway.completed_usage`: an answer's usage, estimated when its upstream reported none.
    completed_usage: Callable[[Decision, Mapping[str, Any], ChatResult], Usage]


@dataclass(frozen=True, slots=True)
class Attempts:
    """What test-time compute needs to run its upstream calls (samples, a judge, escalated attempts) and to price them."""

    #: `Resilience.dispatch`: the one attempt loop, for each call.
    dispatch: Dispatch
    #: whether the retry budget has an attempt left, and taking it: an escalation after a failure is one more attempt.
    retry_allowed: Callable[[], bool]
    spend_retry: Callable[[], bool]
    estimate_cost: CostEstimate
    #: `Gateway.abandoned_usage` and `Gateway.stream_estimate`: what a call the client left (or escalation dropped) cost.
    abandoned_usage: Callable[[Decision, Mapping[str, Any], int | None], Usage | None]
    stream_estimate: Callable[[Decision, Mapping[str, Any], int, Usage | None], Usage]
