"""Completion-token forecasts for the cost estimate, corrected by what each model really returns.

The classifier forecasts a request's completion tokens for an effort (its answer-length model plus a
reasoning allowance per effort). How many tokens a given model spends — its verbosity, how far its
thinking runs under a budget — shows only in the usage it reports. So, per model and effort, the
forecast is multiplied by a correction learnt from those reports: an exponential average of
log(actual / forecast), a median-type correction as the forecast is one, clamped to 1/4-4. An answer
that reached the request's ceiling (the answer cap plus the thinking reserve, else the adapter's own cap or the
model's `max_output_tokens`) was cut: its length says only "at least", and it is not learnt from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backends.reasoning import DIALECTS
from backends.request_hints import NO_HINTS, RequestHints
from router.context import same_model
from router.estimate import answers_requested
from router.policy import Policy
from router.upstream_fields import most_written, requested_effort

if TYPE_CHECKING:
    from backends.usage import Usage
    from router.config import RouterConfig
    from router.decision import Decision
    from router.policy import Candidate
    from router.seams import ScoreLike

#: Weight of each new report in the average (about the last 20 answers count).
LEARNING_RATE = 0.05
#: The correction stays within a factor of this either way.
MAX_CORRECTION = 4.0


@dataclass(frozen=True, slots=True)
class Forecast:
    """One candidate's completion forecast: the classifier's, and what the estimate prices."""

    effort: str  # the effort the upstream is asked for (the client's `reasoning_effort` wins); "default": none asked
    raw: int  # the classifier's forecast for that effort, for one answer
    tokens: int  # corrected, and never above the ceiling
    ceiling: int | None  # the most the upstream may write (`upstream_fields.most_written`); None when unknown
    answers: int = 1  # the client's `n`: the usage reported covers this many answers
    floored: bool = False  # the classifier's figure is a floor's, a rule's (`ScoreResult.floored`): not learnt from


class CompletionForecast:
    """The classifier's forecast times a per-(model, effort) correction learnt from usage."""

    def __init__(self, config: RouterConfig) -> None:
        self.config = config
        self.log_correction: dict[tuple[str, str], float] = {}
        self._tier_heads: dict[str, Candidate] | None = None  # each tier's first candidate, for `per_tier`

    def forecast(self, candidate: Candidate, result: ScoreLike, body: Mapping[str, Any], hints: RequestHints) -> Forecast:
        """The forecast for ``candidate`` at the effort requested, which cannot exceed what the upstream
        may return: a request with ``max_tokens: 16`` is priced at most at 16 plus the thinking reserve, one without
        a cap at most at its adapter's cap or the model's `max_output_tokens`."""
        requested, budget = requested_effort(self.config, body, candidate, hints)
        priced = DIALECTS[self.config.models[candidate.model].reasoning].priced_effort(requested)  # what the model will spend
        raw = result.expected_completion_tokens(priced, budget)
        # A model named directly without an effort thinks as it does by default (a Qwen3 thinks), which
        # the tiers' explicit "none" does not: its correction is learnt apart, as "default".
        effort = requested or "default"
        tokens = round(raw * math.exp(self.log_correction.get((candidate.model, effort), 0.0)))
        ceiling = most_written(self.config, body, candidate, hints)
        return Forecast(effort, raw, tokens if ceiling is None else min(tokens, ceiling), ceiling, answers_requested(body),
                        getattr(result, "floored", False))

    def per_tier(self, result: ScoreLike, body: Mapping[str, Any]) -> dict[str, Forecast]:
        """Each tier's forecast on its first candidate, as the gateway would price the request there (the `score`,
        `calibrate` and `route` commands: the effort the model can hold, the tier's cap, what the upstream may write; no
        request, so no hints)."""
        if self._tier_heads is None:
            policy = Policy(self.config)
            self._tier_heads = {name: policy.candidates(name)[0] for name in self.config.tiers}
        return {name: self.forecast(candidate, result, body, NO_HINTS) for name, candidate in self._tier_heads.items()}

    def forecast_for(self, decision: Decision, candidate: Candidate, result: ScoreLike, body: Mapping[str, Any]) -> Forecast:
        """``forecast``, kept on the decision by the candidate's tier and model (`served_forecast` finds the served
        one's) so that the answer can be compared with it."""
        found = self.forecast(candidate, result, body, decision.context.hints)
        forecasts = decision.context.completion_forecasts
        if forecasts is None:
            forecasts = decision.context.completion_forecasts = {}
        forecasts[(candidate.tier, candidate.model)] = found
        return found

    def adopt(self, previous: CompletionForecast) -> None:
        """Keep the corrections learnt for models a config reload left unchanged (``same_model``); the
        caller keeps them only while the classifier, whose forecasts they correct, is the same."""
        self.log_correction = {k: c for k, c in previous.log_correction.items() if same_model(previous.config, self.config, k[0])}

    def observe(self, decision: Decision, usage: Usage | None, status: str, duration: float, stream: bool) -> None:
        """Accounting observer: move the served (model, effort)'s correction toward this answer."""
        found = served_forecast(decision)
        if (found is None or found.floored or usage is None or status != "ok" or decision.context.usage_parts
                or decision.report.usage_estimated):
            return
        key = (decision.model, found.effort)
        actual = usage.completion_tokens / found.answers  # `n` answers report their tokens summed
        if actual <= 0 or found.raw <= 0 or (found.ceiling is not None and actual >= found.ceiling):
            return
        current = self.log_correction.get(key, 0.0)
        moved = current + LEARNING_RATE * (math.log(actual / found.raw) - current)
        self.log_correction[key] = max(-math.log(MAX_CORRECTION), min(math.log(MAX_CORRECTION), moved))


def served_forecast(decision: Decision) -> Forecast | None:
    """The forecast of the candidate `decision` was last sent to (`Decision.choose` names its tier and model). A decision's
    candidates are one per tier and model (router/policy.py); by model and effort, two tiers asking one model at one
    effort under other thinking budgets (or caps) had one forecast, the one priced last: an answer was compared with
    (and a client who left charged) another budget's."""
    return (decision.context.completion_forecasts or {}).get((decision.tier, decision.model))
