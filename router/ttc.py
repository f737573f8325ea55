"""Test-time compute on the request path: context fit, load knob, tier strategies, escalation.

The gateway calls two things here (router/gateway.py):
* `plan` at the end of `decide` — the load knob adjusts the candidates (router/loadknob.py), then
  the context check drops those whose window the prompt cannot fit (router/context.py);
* `dispatch` instead of the plain attempt loop for tiers with a sampling strategy or `escalate_to`
  (router/strategies, router/escalation.py); the attempt loop itself stays router/resilience.py's.
Each upstream call of such a request (samples, a judge, an attempt abandoned by escalation) is recorded as
a part of it as it ends (router/usage_parts.py), which the gateway's `account` books at each one's prices.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from backends.base import ChatResult, ChatStream, UpstreamError
from backends.sse import count_events
from backends.usage import Usage
from router.attempt_costs import spent_usd
from router.ceilings import keep_affordable
from router.context import ContextPlanner, TokenCounter
from router.decision import Decision
from router.escalation import NOTHING_HELD, answers_reason, choice_reason, held_reason, hold_until_answer, parse_header, replay
from router.loadknob import LoadKnob
from router.policy import Policy
from router.pricing import note_service_tier
from router.protocol import APIError
from router.sampling import UpstreamSampler
from router.strategies import STRATEGIES, Strategy
from router.synthesised import as_stream
from router.ttc_config import SAMPLED_KINDS
from router.usage_parts import parts_total, record_part, record_part_as, with_parts_total

if TYPE_CHECKING:
    from router.config import RouterConfig
    from router.metrics import RouterMetrics
    from router.seams import Attempts

log = logging.getLogger("complexity_router")


class TestTimeCompute:
    """Per-gateway state: strategies per tier (drawing through `sampler`), the context planner and the load knob; upstream calls via `attempts`."""

    __test__ = False  # not a pytest class

    def __init__(self, config: RouterConfig, policy: Policy, metrics: RouterMetrics, tokens: TokenCounter, attempts: Attempts) -> None:
        self.config = config
        self.metrics = metrics
        self.policy = policy
        self.tokens = tokens
        self.attempts = attempts
        self.context = ContextPlanner(config, policy, tokens)
        self.knob = LoadKnob(self.config, self.metrics)
        self.sampler = UpstreamSampler(config, tokens, attempts)
        self.strategies: dict[str, Strategy] = {}
        self.active_tiers: set[str] = set()
        for name, tier in self.config.tiers.items():
            if tier.strategy is not None and tier.strategy.kind in SAMPLED_KINDS:
                self.strategies[name] = STRATEGIES[tier.strategy.kind](tier.strategy)
                self.active_tiers.add(name)
            if tier.escalate_to is not None:
                self.active_tiers.add(name)

    # -- deciding ------------------------------------------------------------------------------
    def plan(self, decision: Decision, body: dict[str, Any], max_tier: str | None = None) -> None:
        self.knob.adjust(decision)
        self.context.plan(decision, body, max_tier)

    # -- dispatching ---------------------------------------------------------------------------
    async def dispatch(self, body: dict[str, Any], decision: Decision, *, stream: bool) -> Any:
        header = parse_header(decision.context.escalate_header)
        header_used = False
        for _ in range(len(self.config.tiers) + 1):
            tier = self.config.tiers.get(decision.tier)
            on = tier.escalate_on if tier is not None else None
            target = tier.escalate_to if tier is not None and not (on is not None and on.header and header is False) else None
            if target is not None and on is not None and on.header and header is True and not header_used:
                header_used = True
                if self._escalate(decision, target, "header", body):
                    continue
            strategy = self.strategies.get(decision.tier)
            try:
                if strategy is not None:
                    outcome = await self._sampled(strategy, body, decision, stream=stream, target=target)
                elif stream:
                    outcome = await self._stream(body, decision, target=target)
                else:
                    outcome = await self._single(body, decision, target=target)
            except UpstreamError as exc:
                # an escalation after a failure is one more attempt: from the retry budget, or an outage multiplies
                if (target is not None and on is not None and on.error and exc.retryable and self.attempts.retry_allowed()
                        and self._escalate(decision, target, "error", body)):
                    self.attempts.spend_retry()
                    continue
                raise
            if isinstance(outcome, str):  # an escalation reason; the candidates were swapped
                continue
            return outcome
        raise APIError(500, "escalation did not settle", error_type="server_error", code="internal_error")  # pragma: no cover - every hop goes up

    async def _single(self, body: dict[str, Any], decision: Decision, *, target: str | None) -> ChatResult | str:
        try:
            result = await self.attempts.dispatch(body, decision, stream=False)
        except asyncio.CancelledError:  # the client left during an escalated call: billed too (it went uncharged)
            usage = self.attempts.abandoned_usage(decision, body, None) if decision.context.usage_parts else None
            if usage is not None:
                record_part(decision, "abandoned", usage)
            raise
        tier = self.config.tiers.get(decision.tier)
        if target is not None and tier is not None:
            reason = answers_reason(tier.escalate_on, result.body.get("choices") or [{}])
            tier_name, model, backend, served = decision.tier, decision.model, decision.backend, decision.service_tier
            if reason is not None and self._escalate(decision, target, reason, body, spent=(model, result.usage)):
                record_part_as(decision.context, "abandoned", result.usage, tier=tier_name, model=model, backend=backend, service_tier=served)
                return reason
        if not decision.context.usage_parts:
            return result  # one upstream call: accounted (and learnt from) as any request
        record_part(decision, "answer", result.usage)
        return with_parts_total(result, decision)

    async def _stream(self, body: dict[str, Any], decision: Decision, *, target: str | None) -> ChatStream | str:
        try:
            stream = await self.attempts.dispatch(body, decision, stream=True)
        except asyncio.CancelledError:  # before an escalated stream's first event: its prompt was sent (the first call's: api)
            if decision.context.usage_parts and decision.model:
                record_part(decision, "abandoned", self.attempts.stream_estimate(decision, body, 0, None))
            raise
        tier = self.config.tiers.get(decision.tier)
        parts_before = len(decision.context.usage_parts)

        def finished(outer: ChatStream) -> None:
            if outer.usage is not None and decision.context.usage_parts:  # one upstream call: accounted as any request
                note_service_tier(decision, stream.meta.get("service_tier"))
                record_part(decision, "answer", outer.usage)
                total = parts_total(decision)
                outer.usage = total
                if outer.usage_chunk is not None:
                    outer.usage_chunk = {**outer.usage_chunk, "usage": total.to_openai()}

        def unread(events: int) -> None:  # a hold that read the stream to its end has the usage its upstream reported
            used = stream.usage or self.attempts.stream_estimate(decision, body, events, stream.meta.get("partial_usage"))
            record_part(decision, "answer", used)

        if target is None or tier is None or not (tier.escalate_on.length or tier.escalate_on.refusal):
            if parts_before == 0:
                return stream  # nothing to add: the plain relay accounts it
            return replay(stream, NOTHING_HELD, finished, unread)
        buffered: list[bytes] = []
        try:
            held = await hold_until_answer(stream, buffered)
        except BaseException as exc:
            self.metrics.inflight.labels(decision.backend).dec()
            note_service_tier(decision, stream.meta.get("service_tier"))
            await _close(stream)
            if isinstance(exc, asyncio.CancelledError) or (buffered and isinstance(exc, UpstreamError)):  # what was generated: charged
                events = sum(map(count_events, buffered))
                record_part(decision, "abandoned", self.attempts.stream_estimate(decision, body, events, stream.meta.get("partial_usage")))
            raise  # an UpstreamError here is still before the first byte: dispatch may escalate on it
        reason = held_reason(tier.escalate_on, held)
        note_service_tier(decision, stream.meta.get("service_tier"))
        if reason is not None:
            used, tier_name, model, backend, served = stream.usage, decision.tier, decision.model, decision.backend, decision.service_tier
            if used is None:  # no usage (yet): estimated as the relay estimates a stream, a token per event
                events = sum(map(count_events, held.buffered))
                used = self.attempts.stream_estimate(decision, body, events, stream.meta.get("partial_usage"))
            if self._escalate(decision, target, reason, body, spent=(model, used)):
                record_part_as(decision.context, "abandoned", used, tier=tier_name, model=model, backend=backend, service_tier=served)
                self.metrics.inflight.labels(backend).dec()
                await _close(stream)
                return reason
        outer = replay(stream, held, finished, unread)
        if parts_before == 0:  # one upstream call served it: its rate-limit headers are the client's, as unheld
            outer.headers = stream.headers
        return outer

    async def _sampled(self, strategy: Strategy, body: dict[str, Any], decision: Decision, *, stream: bool, target: str | None) -> Any:
        config = strategy.config
        if stream and config.stream == "refuse":
            raise APIError(400, f"tier {decision.tier!r} draws {config.samples} samples and is configured not to stream (strategy.stream: refuse); "
                           "send the request without stream", param="stream", code="stream_not_supported")
        if isinstance(body.get("n"), int) and body["n"] != 1:
            raise APIError(400, f"tier {decision.tier!r} chooses one of its own samples ({strategy.kind}); n must be 1", param="n", code="unsupported_value")
        samples, decision.context.samples = decision.context.samples or config.samples, None
        selection = await strategy.select(self.sampler, body, decision, samples)
        tier_name = decision.tier
        report = selection.report
        self.metrics.samples.labels(tier_name, strategy.kind).inc(report.samples if report is not None else 1)
        if selection.vote is not None:
            self.metrics.agreement.labels(tier_name).observe(selection.vote.agreement)
        tier = self.config.tiers[tier_name]
        if target is not None:
            reason = choice_reason(tier.escalate_on, selection.choice, selection.vote)
            if reason is not None and self._escalate(decision, target, reason, body, detail={"agreement": report.agreement if report else None}):
                return reason
        decision.report.selection = report
        base = decision.context.sample_base or {}
        total = parts_total(decision)
        payload = {key: value for key, value in base.items() if key not in ("choices", "usage")}
        payload.setdefault("object", "chat.completion")
        payload["choices"] = [{**selection.choice, "index": 0}]
        payload["usage"] = total.to_openai()
        result = ChatResult(body=payload, usage=total)
        if not stream:
            return result
        self.metrics.inflight.labels(decision.backend).inc()  # the relay decrements it when the stream ends
        return as_stream(result)

    # -- escalation ----------------------------------------------------------------------------------
    def _escalate(self, decision: Decision, target: str, reason: str, body: dict[str, Any], detail: dict[str, Any] | None = None,
                  spent: tuple[str, Usage | None] | None = None) -> bool:
        """Swap the decision to `target`'s candidates; False when none of them can take the request, or
        the request may not go there: above the tier a key over its budget is held to, or dearer than the
        client's `x-router-max-cost-usd` with what it spent already (``spent``: the attempt left, not yet recorded)."""
        source = decision.tier
        max_tier = decision.context.max_tier
        names = self.policy.tier_names
        if max_tier in names and target in names and names.index(target) > names.index(max_tier):
            return False
        if not self._serves(target, body):
            return False
        saved, decision.context.samples = decision.context.samples, None  # the source tier's; the knob may set the target's
        pending = () if spent is None or spent[1] is None else ({"model": spent[0], "usage": spent[1], "service_tier": decision.service_tier},)
        trial = self._planned(decision, target, body, pending)
        if trial is None:
            decision.context.samples = saved  # the source's own count stands (a refused header hop comes before its draw)
            return False
        decision.candidates, decision.estimated_cost_usd = trial.candidates, trial.estimated_cost_usd  # the target's estimate
        decision.report = report = trial.report  # the request's, as the target's plan left it (`_planned` copied it)
        decision.tier = trial.candidates[0].tier
        decision.reason = "escalation"
        decision.model = decision.backend = ""  # the next attempt names them (a sampled tier's first sample to end)
        decision.effort = None
        decision.context.sample_base = None
        report.escalations = [*(report.escalations or ()), {"from": source, "to": decision.tier, "reason": reason, **(detail or {})}]
        self.metrics.escalations.labels(source, decision.tier, reason).inc()
        self.metrics.decisions.labels(decision.tier, "escalation").inc()
        return True

    def _planned(self, decision: Decision, target: str, body: dict[str, Any], pending: tuple[dict[str, Any], ...] = ()) -> Decision | None:
        """The decision as `target` would take it (load knob, context check), or None when it cannot go up there: its
        models cannot hold the prompt (the context check moves it back down), or it is dearer than the client's cap."""
        max_tier, max_cost = decision.context.max_tier, decision.context.max_cost_usd
        names = self.policy.tier_names
        trial = replace(decision, candidates=self.policy.candidates(target), report=decision.report.copy(), context=decision.context)
        try:
            self.knob.adjust(trial)
            self.context.plan(trial, body, max_tier)
        except APIError:
            return None
        moved_to = trial.candidates[0].tier
        if moved_to not in names or names.index(moved_to) <= names.index(decision.tier):
            return None
        if decision.scored is not None:
            trial.estimated_cost_usd = estimate = self.attempts.estimate_cost(trial, trial.candidates[0], decision.scored, body)
            spent = spent_usd(decision, self.config.models, pending) if max_cost is not None else 0.0
            if max_cost is not None and estimate is not None and spent + estimate > max_cost:
                return None
            if max_cost is not None:  # the target's fallbacks are held to the cap too
                keep_affordable(self.attempts.estimate_cost, trial, body, max_cost, spent)
        return trial

    def _serves(self, tier: str, body: dict[str, Any]) -> bool:
        """Whether a sampled `tier` takes this request at all: it refuses `n` other than 1, and a stream when configured
        to (`_sampled`); escalating there would answer a 400 after the source's attempt was paid."""
        strategy = self.strategies.get(tier)
        if strategy is None:
            return True
        refused_stream = bool(body.get("stream")) and strategy.config.stream == "refuse"
        return not refused_stream and not (isinstance(body.get("n"), int) and body["n"] != 1)


async def _close(stream: ChatStream) -> None:
    try:
        await stream.aclose()
    except Exception as exc:  # noqa: BLE001 - closing a dead upstream may fail any way; the answer is already decided
        log.debug("closing an upstream stream failed (%s)", type(exc).__name__)
