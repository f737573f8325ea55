"""The request path: score, decide, dispatch with fallbacks, account.

Route handlers stay thin; everything a chat request does between parsing and writing the
response lives here, independent of HTTP framework details.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from backends.base import Backend, ChatResult, ChatStream
from backends.reasoning import DIALECTS, UnsupportedEffortError, lower_token_cap, raise_token_cap, reasoning_text
from backends.request_hints import RequestHints
from backends.usage import Usage
from classifiers.token_estimate import DEFAULT_CHARS_PER_TOKEN, estimate_tokens
from router.answer_embedding import AnswerEmbedding, RefinesAnswerTokens
from router.attempt_costs import book_failed, priced_spend, priced_usage, record_failed
from router.ceilings import cap_tier, downgrade_to_cap, keep_affordable, refusal
from router.config import RouterConfig
from router.context import TokenCounter, prompt_texts
from router.decision import Decision
from router.estimate import answers_requested, estimate_cost, sent_service_tier
from router.forecast import CompletionForecast, served_forecast
from router.metrics import RouterMetrics
from router.policy import Candidate, Policy
from router.pricing import cost_usd, note_service_tier
from router.protocol import APIError
from router.resilience import Resilience
from router.seams import Attempts, ScoreLike, Upstream
from router.shutdown import Drain
from router.ttc import TestTimeCompute
from router.upstream_fields import requested_effort
from router.usage_parts import account_parts, parts_total, record_part

log = logging.getLogger("complexity_router")

class Classifier(Protocol):
    def score(self, messages: Sequence[Mapping[str, Any]]) -> ScoreLike: ...


class Gateway:
    """Holds the start-up-built parts (backends, classifier, metrics) and serves chat requests."""

    def __init__(self, config: RouterConfig, backends: Mapping[str, Backend], classifier: Classifier, metrics: RouterMetrics,
                 drain: Drain | None = None) -> None:
        self.config = config
        self.policy = Policy(config)
        self.backends = backends
        self.classifier = classifier
        self.metrics = metrics
        self.resilience = Resilience(config, metrics, Upstream(backends, self.upstream_body, self.estimate_cost, self.charge_failed_attempt,
                                                               self.completed_usage), drain=drain)
        self.tokens = TokenCounter(config)  # prompt counts per model: cost estimates and the context check
        self.forecast = CompletionForecast(config)  # completion forecasts per model and effort: cost estimates
        self.observers: list[Callable[[Decision, Usage | None, str, float, bool], None]] = [self.tokens.observe, self.forecast.observe]  # after account
        top = self.policy.top_tier
        self._top_model = config.models[top.model]
        attempts = Attempts(self.resilience.dispatch, self.resilience.retry_allowed, self.resilience.spend_retry, self.estimate_cost,
                            self.abandoned_usage, self.stream_estimate)
        self.ttc = TestTimeCompute(config, self.policy, metrics, self.tokens, attempts)  # context fit, load knob, strategies, escalation
        embedding = config.classifier.embedding
        self.answer_embedding = (AnswerEmbedding(classifier, embedding, metrics)  # the embedding extra, when it loaded
                                 if embedding is not None and isinstance(classifier, RefinesAnswerTokens) else None)

    def adopt(self, previous: Gateway) -> None:
        """Keep what the running gateway learnt across a config reload, for what the reload left
        unchanged: backend health, prompt-count corrections, and (same classifier) forecast corrections."""
        self.resilience.adopt(previous.resilience)
        self.tokens.adopt(previous.tokens)
        if previous.classifier is self.classifier:
            self.forecast.adopt(previous.forecast)

    def close(self) -> None:
        if self.answer_embedding is not None:
            self.answer_embedding.close()

    # -- deciding -----------------------------------------------------------------------
    async def decide_priced(self, body: dict[str, Any], request_id: str, max_cost_usd: float | None = None,
                            max_tier: str | None = None, *, hints: RequestHints) -> Decision:
        """`decide`, with the embedding extra's answer estimate when it is on: under a client's cost cap
        it is awaited first (the cap is judged on it); otherwise it runs while the upstream works, and
        `settle_estimate` applies it before the response headers are written."""
        if self.answer_embedding is None:
            return self.decide(body, request_id, max_cost_usd, max_tier, hints=hints)
        if max_cost_usd is not None:
            delta = await self.answer_embedding.log_delta(body["messages"])
            return self.decide(body, request_id, max_cost_usd, max_tier, answer_log_delta=delta, hints=hints)
        decision = self.decide(body, request_id, None, max_tier, hints=hints)
        if decision.scored is not None:  # priced: routed by score
            decision.context.pending_estimate = asyncio.ensure_future(self.answer_embedding.log_delta(body["messages"]))
        return decision

    async def settle_estimate(self, decision: Decision, body: Mapping[str, Any]) -> None:
        """Apply an answer estimate `decide_priced` left running (bounded by `timeout_ms`), once the
        upstream has answered: the cost estimate in the headers, the decision log and
        `router_cost_estimate_ratio` is then the refined one."""
        pending, decision.context.pending_estimate = decision.context.pending_estimate, None
        if pending is None or self.answer_embedding is None or decision.scored is None:
            return
        delta = await pending
        if delta is not None:
            decision.scored = self.answer_embedding.refiner.refine(decision.scored, delta)
            decision.estimated_cost_usd = self.estimate_cost(decision, decision.candidates[0], decision.scored, body)

    @staticmethod
    def _drop_estimate(decision: Decision) -> None:
        """The request failed or its client left before the upstream answered: its embedding, if it
        has not started, never runs (the thread serves requests still waiting)."""
        pending, decision.context.pending_estimate = decision.context.pending_estimate, None
        if pending is not None:
            pending.cancel()

    def decide(self, body: dict[str, Any], request_id: str, max_cost_usd: float | None = None, max_tier: str | None = None,
               answer_log_delta: float | None = None, *, hints: RequestHints) -> Decision:
        """Pick tier and candidates for a validated request (no I/O). `max_tier`: the key is over its
        budget with `over_budget: downgrade`, so no tier above it (router/limits.py). The cost estimate,
        and a client's cap, are for the candidate the request goes to after every move (cost cap,
        budget, load knob, context check). `answer_log_delta`: the embedding extra's correction of the
        answer estimate, when `decide_priced` has it in time. ``hints``: what the request's route knows beyond its body
        (router/api.py `Wire.hints`; a chat client's: `NO_HINTS`), which every plan and estimate reads from the decision's
        context: no default, since a caller that left them out priced and capped a Messages or Responses request as a
        chat one."""
        target = self.policy.target(body["model"])
        if target.kind == "model":
            decision = Decision(request_id, "direct", "direct", self.policy.direct(target.name))
        elif target.kind == "tier":
            decision = Decision(request_id, target.name, "forced", self.policy.candidates(target.name))
        else:
            result = self.score(body["messages"], answer_log_delta)
            tier = self.policy.tier_for_score(result.score)
            self.metrics.classifier_tier.labels(tier).inc()  # the live side of tiers.<name>.expected_share
            decision = Decision(request_id, tier, "classifier", self.policy.candidates(tier), score=result.score, scored=result)
        context = decision.context
        context.hints = hints  # before the first estimate
        context.max_tier, context.max_cost_usd = max_tier, max_cost_usd  # an escalation stays inside both (router/ttc.py)
        if max_cost_usd is not None and decision.scored is not None:  # routed by score
            downgrade_to_cap(self.policy, self.estimate_cost, decision, decision.scored, body, max_cost_usd)
        context.top_tier_asked = sent_service_tier(self.config, self.policy.top_tier.model, self.policy.top_tier.params, body)  # savings' baseline
        if max_tier is not None:
            cap_tier(self.policy, self.metrics, decision, max_tier)
        self.ttc.plan(decision, body, max_tier)  # load knob and context fit: may move tier (reason "context") or 400
        decision.tier = decision.candidates[0].tier
        if decision.scored is None and max_cost_usd is not None:  # forced tiers and direct models are scored only to be priced
            decision.scored = self.score(body["messages"], answer_log_delta)
            decision.score = decision.scored.score
        if decision.scored is not None:
            decision.estimated_cost_usd = self.estimate_cost(decision, decision.candidates[0], decision.scored, body)
        if max_cost_usd is not None and decision.estimated_cost_usd is not None and decision.estimated_cost_usd > max_cost_usd:
            raise APIError(
                400,
                refusal(decision, decision.estimated_cost_usd, max_cost_usd),
                code="max_cost_exceeded",
                param="x-router-max-cost-usd",
            )
        if max_cost_usd is not None and decision.scored is not None:
            keep_affordable(self.estimate_cost, decision, body, max_cost_usd)
        self.metrics.decisions.labels(decision.tier, decision.reason).inc()
        return decision

    def prompt_tokens(self, body: Mapping[str, Any]) -> int:
        """A validated request's prompt tokens, its tools included (Anthropic's `count_tokens`), as the
        model it would go to counts them: for `auto`, the model of the tier its score picks. Counting
        routes nothing, so it is not a decision in the metrics."""
        target = self.policy.target(body["model"])
        if target.kind == "model":
            model = target.name
        else:
            tier = target.name if target.kind == "tier" else self.policy.tier_for_score(self.classifier.score(body["messages"]).score)
            model = self.config.tiers[tier].model
        return self.tokens.count(model, body["messages"], body.get("tools")).tokens

    def counted_prompt_tokens(self, decision: Decision, body: Mapping[str, Any]) -> int:
        """The prompt's tokens as the gateway counts them for the model serving ``decision`` (the
        count its cost estimate used): a stream's figure until the upstream's usage arrives at its end."""
        return self.tokens.count_for(decision, decision.model, body).tokens

    def score(self, messages: Sequence[Mapping[str, Any]], answer_log_delta: float | None = None) -> ScoreLike:
        started = time.perf_counter()
        result = self.classifier.score(messages)
        self.metrics.classifier_duration.observe(time.perf_counter() - started)
        self.metrics.score.observe(result.score)
        if answer_log_delta is not None and self.answer_embedding is not None:
            result = self.answer_embedding.refiner.refine(result, answer_log_delta)
        return result

    def estimate_cost(self, decision: Decision, candidate: Candidate, result: ScoreLike, body: Mapping[str, Any]) -> float | None:
        prompt_tokens = self.tokens.count_for(decision, candidate.model, body).tokens
        answer_tokens = self.forecast.forecast_for(decision, candidate, result, body).tokens
        return estimate_cost(self.config, candidate, body, prompt_tokens, answer_tokens)

    # -- dispatching --------------------------------------------------------------------
    def upstream_body(self, body: dict[str, Any], candidate: Candidate, hints: RequestHints) -> dict[str, Any]:
        """The request as this candidate's upstream should see it.

        Client fields win over tier `params`; the effort is `upstream_fields.requested_effort`'s; the model's dialect writes
        the family's reasoning fields (and the echoed reasoning of earlier turns in the field it reads back) and the
        completion cap grows by the thinking reserve, unless it counts the thinking already (`hints.cap_includes_reasoning`); a
        cap above the model's `max_output_tokens` is lowered to it (`upstream_fields.completion_cap` plans the same); fields
        the model refuses (its `drop_fields`, else its dialect's) are left out.
        """
        upstream = {**candidate.params, **body} if candidate.params else dict(body)
        model = self.config.models[candidate.model]
        limit = model.max_output_tokens
        self.backends[model.backend].settle_request(upstream, hints)  # what its adapter reads of the body and hints
        upstream["model"] = self.config.upstream_name(candidate.model)
        dialect = DIALECTS[model.reasoning]
        dialect.carry_history(upstream, hints.prefill)
        effort, budget = requested_effort(self.config, body, candidate, hints)
        if effort is not None:
            try:
                reserve = dialect.apply(upstream, effort, budget)
            except UnsupportedEffortError as exc:
                raise APIError(400, str(exc), param="reasoning_effort", code="unsupported_value") from None
            if not hints.cap_includes_reasoning:
                raise_token_cap(upstream, reserve)
        lower_token_cap(upstream, limit)
        dialect.name_cap(upstream)
        for field in model.refused_fields:
            upstream.pop(field, None)
        return upstream

    async def complete(self, body: dict[str, Any], decision: Decision) -> ChatResult:
        """Non-streaming dispatch over the candidates."""
        try:
            result = await self._dispatch(body, decision, stream=False)
        except BaseException:
            self._drop_estimate(decision)
            raise
        try:
            await self.settle_estimate(decision, body)
        except BaseException:  # the client left while the estimate settled: the answer it did not wait for was billed
            if decision.model and not decision.context.usage_parts:  # (calls of an escalation or samples are parts)
                record_part(decision, "answer", result.usage)
            raise
        return result

    async def open_stream(self, body: dict[str, Any], decision: Decision) -> ChatStream:
        """Streaming dispatch; returns once an upstream answered with headers."""
        try:
            stream = await self._dispatch(body, decision, stream=True)
        except BaseException:
            self._drop_estimate(decision)
            raise
        try:
            await self.settle_estimate(decision, body)
        except BaseException:  # the client left while the estimate finished: no relay will close (nor account) this stream
            if stream.dropped is not None:
                stream.dropped()
            await stream.aclose()
            raise
        return stream

    async def _dispatch(self, body: dict[str, Any], decision: Decision, *, stream: bool) -> Any:
        """The one attempt loop (fallbacks, circuit breakers, retry budget, timeouts): router/resilience.py."""
        if decision.tier in self.ttc.active_tiers:  # sampled tiers and escalation wrap the loop (router/ttc.py)
            return await self.ttc.dispatch(body, decision, stream=stream)
        return await self.resilience.dispatch(body, decision, stream=stream)

    # -- accounting ---------------------------------------------------------------------
    def estimated_usage(self, decision: Decision, body: Mapping[str, Any], events: int, partial: Usage | None = None) -> Usage:
        """Usage for a stream the upstream never reported on, or ended before it did: the prompt as the gateway
        counts it, and a token per relayed event besides the first (the role) — the chunks of OpenAI-compatible
        servers carry a token each. What the upstream reported `partial`ly (Anthropic's message_start: the prompt's
        own count, cache reads and writes included, and an output of 1) is kept, its output if larger. Marked
        `usage_estimated` in the router object, and not learnt from. After an escalation the estimate is the final
        attempt's part, and the total of the parts is returned."""
        usage = self.stream_estimate(decision, body, events, partial)
        if not decision.context.usage_parts:
            return usage
        record_part(decision, "answer", usage)
        return parts_total(decision)

    def stream_estimate(self, decision: Decision, body: Mapping[str, Any], events: int, partial: Usage | None = None) -> Usage:
        """`estimated_usage`'s estimate of one stream of `decision.model`, marked `usage_estimated`, recorded nowhere."""
        if not decision.unsent:  # nothing sent: nothing estimated
            decision.report.usage_estimated = True
        return self._written_usage(decision, body, events, partial)

    def _written_usage(self, decision: Decision, body: Mapping[str, Any], events: int, partial: Usage | None) -> Usage:
        if decision.unsent:  # never written upstream: nothing was billed (it was charged its prompt)
            return Usage()
        written = max(0, events - 1)
        if partial is not None and partial.prompt_tokens:
            return dataclasses.replace(partial, completion_tokens=max(partial.completion_tokens, written))
        return Usage(prompt_tokens=self.tokens.count_for(decision, decision.model, body).tokens, completion_tokens=written)

    def completed_usage(self, decision: Decision, body: Mapping[str, Any], result: ChatResult) -> Usage:
        """A completion's usage, read where each attempt answers (router/resilience.py). An upstream that reported
        none (some OpenAI-compatible servers omit it) was read as zero tokens and priced at $0; now, as for such a
        stream, the prompt as the gateway counts it and the answers' text (content, reasoning, tool calls) at the
        model's characters per token, marked `usage_estimated`, not learnt from, and written into the answer
        where a client reads its usage."""
        note_service_tier(decision, result.body.get("service_tier"))
        if isinstance(result.body.get("usage"), Mapping) or not decision.model:
            return result.usage
        decision.report.usage_estimated = True
        per_token = self.config.models[decision.model].chars_per_token or DEFAULT_CHARS_PER_TOKEN
        choices = [c.get("message") for c in result.body.get("choices") or () if isinstance(c, Mapping)]
        answers = [m for m in choices if isinstance(m, Mapping)]
        reasoning = sum(estimate_tokens(reasoning_text(m), per_token) for m in answers)
        written = sum(estimate_tokens(text, per_token) for text in prompt_texts(answers))  # content and tool calls, as a prompt's are read
        usage = Usage(prompt_tokens=self.tokens.count_for(decision, decision.model, body).tokens,
                      completion_tokens=math.ceil(reasoning + written), reasoning_tokens=math.ceil(reasoning))
        result.body["usage"] = usage.to_openai()
        result.usage = usage
        return usage

    def abandoned_usage(self, decision: Decision, body: Mapping[str, Any], answers: int | None = None) -> Usage | None:
        """Usage for a non-streamed request the client left while the upstream worked on it: the prompt
        and the answer forecast for the model it was sent to (a provider that does not stop on a
        disconnect bills the whole answer; the key's budget must see it), times the `answers` it asked for
        (default: the client's `n`; a sampled tier's call asks its samples). None if no model was chosen; no tokens
        if the client left while the attempt waited for a pooled connection (`Decision.unsent`: never sent).
        A forced tier or direct model priced for no cap is scored now: its answer costs money too.
        Read from a stream (`non_streamed: stream`, or `auto` with a fallback), what it wrote, as a stream's client
        is charged: the forecast charged 79 tokens for 29 events, and 131 for 158 (a budget passed by leaving late)."""
        if not decision.model:
            return None
        if not decision.unsent:
            decision.report.usage_estimated = True
        if decision.left_writing is not None or decision.unsent:
            return self._written_usage(decision, body, *(decision.left_writing or (0, None)))
        return self._forecast_usage(decision, body, answers, self.score)

    def _forecast_usage(self, decision: Decision, body: Mapping[str, Any], answers: int | None, score: Callable[[Any], ScoreLike]) -> Usage:
        forecast = served_forecast(decision)
        served = next((c for c in decision.candidates if (c.tier, c.model) == (decision.tier, decision.model)), None)
        if forecast is None and served is not None:
            forecast = self.forecast.forecast(served, decision.scored or score(body["messages"]), body, decision.context.hints)
        return Usage(prompt_tokens=self.tokens.count_for(decision, decision.model, body).tokens,
                     completion_tokens=forecast.tokens * (answers or forecast.answers) if forecast is not None else 0)

    def charge_failed_attempt(self, decision: Decision, body: Mapping[str, Any], events: int | None, partial: Usage | None = None) -> None:
        """An attempt of `decision.model` that failed while its upstream worked (router/attempt_costs.py), charged as a
        client who left then would be: a stream its prompt and the `events` it wrote, a whole request (`events`
        None) its prompt and the answer forecast, times the `n` it asked (a sampled tier's call asks its samples). A
        prompt no client sent (a judge's) is scored off the books: `router_complexity_score` is the clients'."""
        if events is not None:
            record_failed(decision, self._written_usage(decision, body, events, partial))
            return
        n = answers_requested(body)
        answers = n if n > 1 else None
        record_failed(decision, self._forecast_usage(decision, body, answers, self.classifier.score))

    def account(self, decision: Decision, usage: Usage | None, status: str, duration: float, stream: bool) -> float | None:
        """Record tokens, cost, savings and the request outcome; return the cost."""
        labels = (decision.tier, decision.model or "none", decision.backend or "none")
        self.metrics.requests.labels(*labels, status).inc()
        self.metrics.duration.labels(*labels, "true" if stream else "false").observe(duration)
        if decision.context.usage_parts:  # samples, a judge, escalated attempts: each at its model's prices (router/usage_parts.py)
            usage = usage or parts_total(decision)
            cost = account_parts(self.metrics, self.config.models, decision)  # also when the last attempt failed: the others were billed
        elif usage is None or not decision.model:
            cost = None
        else:
            cost = self._account_answer(decision, labels, usage, status)
        decision.cost_usd = cost = book_failed(decision, self.metrics, self.config.models, cost, usage)
        decision.spent_usd = spent = priced_spend(decision, cost)
        baseline = usage if cost is not None else priced_usage(decision, self.config.models)  # the calls /metrics priced
        if spent is not None and baseline is not None:  # what sending it all to the top tier would have cost, failures aside
            top_cost = cost_usd(self._top_model, baseline, decision.context.top_tier_asked)
            if top_cost is not None:
                self.metrics.top_tier_cost.inc(top_cost)  # net savings can be negative: a fallback to a dearer model
                if top_cost > spent:
                    self.metrics.savings.inc(top_cost - spent)
        self._notify(decision, usage, status, duration, stream)
        return cost

    def _account_answer(self, decision: Decision, labels: tuple[str, str, str], usage: Usage, status: str) -> float | None:
        """The answer's tokens, cost and cost-estimate ratio; its cost."""
        self.metrics.count_tokens(labels, usage)
        cost = cost_usd(self.config.models[decision.model], usage, decision.service_tier)
        if cost is not None:
            self.metrics.cost.labels(*labels).inc(cost)
            estimate = decision.estimated_cost_usd  # priced for the first candidate: a fallback's cost is no test of it
            measured = status == "ok" and not decision.report.usage_estimated
            if estimate and measured and decision.candidates and decision.model == decision.candidates[0].model:
                self.metrics.cost_estimate_ratio.labels(decision.tier).observe(cost / estimate)
        return cost

    def _notify(self, decision: Decision, usage: Usage | None, status: str, duration: float, stream: bool) -> None:
        for observer in self.observers:
            try:
                observer(decision, usage, status, duration, stream)
            except Exception:  # an observer (limits, decision log) must never break a response
                log.exception("accounting observer failed")
