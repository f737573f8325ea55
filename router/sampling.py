"""The upstream calls of a sampled tier's strategy (router/strategies): its samples and a best_of_n judge, each one call
of the attempt loop through the `Attempts` seam, each recorded as a part of the request as it ends (router/usage_parts.py)
— also when the client leaves meanwhile, so what was generated is billed."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from backends.base import ChatResult, UpstreamError
from backends.usage import Usage
from router.decision import Decision
from router.policy import Candidate
from router.strategies import JUDGE_SYSTEM, choice_text, judge_prompt, parse_judgement
from router.usage_parts import record_part_as

if TYPE_CHECKING:
    from router.config import RouterConfig
    from router.context import TokenCounter
    from router.seams import Attempts
    from router.ttc_config import StrategyConfig

log = logging.getLogger("complexity_router")


class UpstreamSampler:
    """The `Sampler` strategies draw from (router/strategies): built by `TestTimeCompute` for its gateway."""

    def __init__(self, config: RouterConfig, tokens: TokenCounter, attempts: Attempts) -> None:
        self.config = config
        self.tokens = tokens
        self.attempts = attempts

    async def draw(self, body: dict[str, Any], decision: Decision, n: int, config: StrategyConfig) -> list[dict[str, Any]]:
        base = {key: value for key, value in body.items() if key not in ("stream", "stream_options", "n")}
        params = decision.candidates[0].params if decision.candidates else {}
        if config.temperature is not None and "temperature" not in body and "temperature" not in params:
            base["temperature"] = config.temperature
        choices: list[dict[str, Any]] = []
        first_error: UpstreamError | None = None
        if config.use_n and n > 1:
            result = await self._sample(decision, {**base, "n": n}, decision, answers=n)
            decision.context.sample_base = result.body
            choices.extend(c for c in result.body.get("choices") or () if isinstance(c, dict))
        missing = n - len(choices)
        if missing > 0:  # no `n` support (or a fallback that ignored it): the rest as parallel requests
            subs = [replace(decision, candidates=list(decision.candidates), attempts=0) for _ in range(missing)]
            outcomes = await asyncio.gather(*(self._sample(decision, dict(base), sub) for sub in subs), return_exceptions=True)
            for sub, outcome in zip(subs, outcomes, strict=True):
                decision.attempts += sub.attempts  # a failed sample's calls were made too (`router.attempts`)
                if isinstance(outcome, UpstreamError):
                    first_error = first_error or outcome
                    continue
                if isinstance(outcome, BaseException):
                    raise outcome
                if decision.context.sample_base is None:
                    decision.context.sample_base = outcome.body
                choices.extend(c for c in (outcome.body.get("choices") or ())[:1] if isinstance(c, dict))
        if not choices:
            raise first_error or UpstreamError("protocol", "upstream returned no choices")
        return [{**choice, "index": index} for index, choice in enumerate(choices)]

    async def _sample(self, decision: Decision, body: dict[str, Any], sub: Decision, answers: int = 1) -> ChatResult:
        """One sampling call, its usage recorded as it ends — also when the client leaves meanwhile (the samples drawn
        in parallel ended one by one: each finished one billed, one still running at its forecast of `answers`)."""
        try:
            result = await self.attempts.dispatch(body, sub, stream=False)
        except asyncio.CancelledError:
            usage = self.attempts.abandoned_usage(sub, body, answers)
            if usage is not None:
                self._named_by(decision, sub)
                record_part_as(decision.context, "abandoned", usage, tier=sub.tier, model=sub.model, backend=sub.backend,
                               service_tier=sub.service_tier)
            raise
        self._named_by(decision, sub)
        record_part_as(decision.context, "samples", result.usage, tier=sub.tier, model=sub.model, backend=sub.backend, service_tier=sub.service_tier)
        return result

    @staticmethod
    def _named_by(decision: Decision, sub: Decision) -> None:
        """The request takes its first sample to end as its call when no call named one (`use_n: false`): model, backend, TTFT's start."""
        if not decision.model:
            decision.model, decision.backend, decision.effort, decision.attempt_started = sub.model, sub.backend, sub.effort, sub.attempt_started

    async def judge(self, model: str, body: dict[str, Any], decision: Decision, samples: list[str], config: StrategyConfig) -> int | None:
        question = next((choice_text({"message": m}) for m in reversed(body.get("messages") or []) if m.get("role") == "user"), "")
        effort = "none" if "none" in self.config.efforts(model) else "low"
        judge_body = {
            "model": model,
            "messages": [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": judge_prompt(question, samples, config.max_judge_chars)}],
            "temperature": 0,
            "max_tokens": 16,
        }
        judge_decision = Decision(decision.request_id, decision.tier, "forced", [Candidate(model, decision.tier, effort, None)])
        judge_decision.context.failed_attempts = decision.context.failed_attempts  # its failed attempts are the request's,
        judge_decision.context.failed_role = "failed_judge"  # told apart from a sample's on the same model
        try:
            result = await self.attempts.dispatch(judge_body, judge_decision, stream=False)
        except asyncio.CancelledError:  # the client left while the judge read the samples: the judge is charged too
            if judge_decision.model and not judge_decision.unsent:  # never sent (waiting for a connection): nothing
                counted = self.tokens.count_for(judge_decision, judge_decision.model, judge_body).tokens
                decision.report.usage_estimated = True
                record_part_as(decision.context, "judge", Usage(prompt_tokens=counted, completion_tokens=judge_body["max_tokens"]),
                               tier=decision.tier, model=judge_decision.model, backend=judge_decision.backend, service_tier=judge_decision.service_tier)
            raise
        except UpstreamError as exc:
            decision.report.judge_error = exc.kind
            log.warning("best_of_n judge %s failed (%s); the majority vote decides", model, exc.kind)
            return None
        record_part_as(decision.context, "judge", result.usage, tier=decision.tier, model=judge_decision.model, backend=judge_decision.backend,
                       service_tier=judge_decision.service_tier)
        if judge_decision.report.usage_estimated:  # the request's total holds the judge's estimate
            decision.report.usage_estimated = True
        reply = choice_text((result.body.get("choices") or [{}])[0])
        return parse_judgement(reply, len(samples))
