"""What a request's `router` object tells the client beyond the decision itself: `Decision.report`.

`Decision.router_object` writes the decision's own keys (tier, model, … request_id), then these: one attribute per key,
each saying who writes it and what the client reads in it, so a misspelt key fails where it is written instead of
sending a field nobody documented. None (False for `usage_estimated`) means "not set": the key is left out. Keys go out
in the order declared here, the order a request usually writes them in (a cost cap or budget, the load knob, the
context check, escalations, the sampled tier's vote, the accounting); the untyped dict kept the order of writing, so a
key first written late (an escalation target's load adjustment) came later. The decision log copies three of them.

A tier's escalation trial plans on a `copy` (router/ttc.py `_planned`): what the target's load knob and context check
write reaches the request only when the hop is taken; a sampled tier's parallel calls share their request's report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

if TYPE_CHECKING:
    from backends.base import ErrorKind


class PromptTokens(TypedDict):
    """The prompt's tokens as the gateway counted them for the model it went to (router/context.py `PromptCount`)."""

    count: int
    method: str  # "tiktoken:<encoding>", "tiktoken:<encoding>+estimate" or "estimate"


#: One hop of an escalation: the tiers, why (length, refusal, error, low_agreement, header) and, for low agreement, the
#: agreement that was too low. A TypedDict by call: `from` is a Python keyword.
Escalation = TypedDict("Escalation", {"from": str, "to": str, "reason": str, "agreement": NotRequired[float | None]})


class BreakdownEntry(TypedDict):
    """One upstream call behind the request's `cost_usd` (router/attempt_costs.py `breakdown_entry`)."""

    role: str  # samples, judge, answer, abandoned (an escalation's source), failed_attempt or failed_judge (the judge's)
    tier: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None  # None: the model has no price


@dataclass(slots=True)
class JudgeReport:
    """A best_of_n tier's judge (router/strategies `BestOfN`)."""

    judge: str  # the judge model
    judge_choice: int | None  # the sample it named (0-based); None (sent as null): it failed or named none
    chosen_index: int  # the sample the client got: the judge's choice, else the vote's


@dataclass(slots=True)
class SelectionReport:
    """How a sampled tier chose the answer (router/strategies `Strategy.select`), flattened into the router object.
    `votes` stays a mapping: its keys are the samples' extracted answers (or their tool calls), open-ended."""

    strategy: str  # self_consistency or best_of_n
    samples: int  # the samples that answered
    answer: str | None  # the winning extracted answer; None (sent as null): no sample had one
    votes: dict[str, int]  # answer → votes, most first, at most MAX_VOTES_REPORTED answers
    agreement: float  # winning votes / samples asked, to 4 places
    samples_failed: int = 0  # asked but lost to an upstream error; sent only when some were
    judged: JudgeReport | None = None

    def fill(self, data: dict[str, Any]) -> None:
        data["strategy"], data["samples"] = self.strategy, self.samples
        if self.samples_failed:
            data["samples_failed"] = self.samples_failed
        data["answer"], data["votes"], data["agreement"] = self.answer, self.votes, self.agreement
        if self.judged is not None:
            data["judge"], data["judge_choice"], data["chosen_index"] = self.judged.judge, self.judged.judge_choice, self.judged.chosen_index


@dataclass(slots=True)
class RouterReport:
    """The optional keys of one request's `router` object, filled in as the request is served."""

    # ceilings.downgrade_to_cap (the client's x-router-max-cost-usd) and ceilings.cap_tier (an over-budget key's
    # ceiling): the tier the score picked before the request was moved to a cheaper one; in the decision log too
    downgraded_from: str | None = None
    # ceilings.cap_tier: "budget" when the key's budget moved it (a cost cap's downgrade says none)
    downgrade_reason: Literal["budget"] | None = None
    # LoadKnob.adjust: the serving backends were under pressure, so the effort was lowered or the request spilled to a fallback
    load_adjustment: Literal["lower_effort", "spill"] | None = None
    # ContextPlanner.plan, when some model has a context window: the prompt's count for the model it went to
    prompt_tokens: PromptTokens | None = None
    # ContextPlanner.plan: "tier/model" of the first candidate, whose window could not hold the prompt (reason "context")
    context_moved_from: str | None = None
    # TestTimeCompute._escalate: every hop up the tiers before the first byte, in order
    escalations: list[Escalation] | None = None
    # Gateway (a stream without usage, an answer without it, a client that left) and UpstreamSampler.judge: some tokens,
    # and so the cost, are the gateway's estimate, not the upstream's count; nothing learns from them; in the decision log
    usage_estimated: bool = False
    # UpstreamSampler.judge: how a best_of_n judge failed (an UpstreamError kind); the vote decided instead
    judge_error: ErrorKind | None = None
    # TestTimeCompute._sampled: the vote of a sampled tier, its keys written into the router object (SelectionReport)
    selection: SelectionReport | None = None
    # usage_parts.account_parts and attempt_costs.book_failed: the upstream calls behind `cost_usd` (samples, a judge,
    # escalated and failed attempts), each at its own model's prices; in the decision log too
    usage_breakdown: list[BreakdownEntry] | None = None

    def fill(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add the keys that are set to `data` (the router object), in the order declared. Written out key by key: a
        loop over the fields cost a microsecond a response, ten times this (a test checks that every field is here)."""
        if self.downgraded_from is not None:
            data["downgraded_from"] = self.downgraded_from
        if self.downgrade_reason is not None:
            data["downgrade_reason"] = self.downgrade_reason
        if self.load_adjustment is not None:
            data["load_adjustment"] = self.load_adjustment
        if self.prompt_tokens is not None:
            data["prompt_tokens"] = self.prompt_tokens
        if self.context_moved_from is not None:
            data["context_moved_from"] = self.context_moved_from
        if self.escalations is not None:
            data["escalations"] = self.escalations
        if self.usage_estimated:
            data["usage_estimated"] = True
        if self.judge_error is not None:
            data["judge_error"] = self.judge_error
        if self.selection is not None:
            self.selection.fill(data)
        if self.usage_breakdown is not None:
            data["usage_breakdown"] = self.usage_breakdown
        return data

    def copy(self) -> RouterReport:
        """A report of its own for an escalation's trial; its lists are shared (a trial appends to none)."""
        return replace(self)
