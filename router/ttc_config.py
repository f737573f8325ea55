"""Configuration of the test-time-compute features: tier strategies, escalation, load knob.

These models hang off `TierConfig` (`strategy`, `escalate_to`, `escalate_on`, `under_load`) and
`BackendConfig` (`load`, defined in backends/loadconfig.py); `check_test_time_compute` is called
from `RouterConfig`'s validator so that impossible combinations fail at load with a dotted path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from backends.reasoning import DIALECTS, Effort, UnsupportedEffortError

if TYPE_CHECKING:
    from router.config import RouterConfig

STRATEGY_KINDS = ("single", "self_consistency", "best_of_n")
SAMPLED_KINDS = frozenset({"self_consistency", "best_of_n"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StrategyConfig(_Strict):
    """How a tier spends samples: `single` (default), `self_consistency` or `best_of_n`."""

    kind: Literal["single", "self_consistency", "best_of_n"] = "single"
    samples: int = Field(5, ge=1, le=64, description="completions drawn per request")
    extractor: str = Field("auto", description="answer extractor for voting (router/strategies/extractors.py)")
    judge: str | None = Field(None, description="best_of_n: the model that picks the best sample")
    temperature: float | None = Field(0.8, ge=0, le=2, description="sampling temperature when the client sets none")
    use_n: bool = Field(True, description="one upstream request with `n` (vLLM, OpenAI); false: N parallel requests")
    stream: Literal["synthesize", "refuse"] = Field("synthesize", description="streaming requests: stream the chosen completion, or 400")
    max_judge_chars: int = Field(4000, ge=100, description="each sample is cut to this many characters in the judge prompt")


class EscalateOn(_Strict):
    """Conditions under which a tier hands the request to `escalate_to` (before the first byte)."""

    length: bool = Field(True, description="empty answer with finish_reason 'length' (reasoning ate the budget)")
    refusal: bool = Field(True, description="a refusal (message.refusal or finish_reason 'content_filter')")
    error: bool = Field(True, description="every candidate of the tier failed with a retryable upstream error")
    agreement_below: float | None = Field(None, gt=0, le=1, description="self-consistency agreement under this")
    header: bool = Field(True, description="honour the client's `x-router-escalate: true|false` header")


class UnderLoad(_Strict):
    """What a tier does while its model's backend is under pressure (backends.NAME.load)."""

    action: Literal["lower_effort", "spill"] = "lower_effort"
    effort: Effort | None = None
    thinking_budget: int | None = Field(None, ge=1)
    samples: int | None = Field(None, ge=1, le=64, description="fewer samples for a sampled tier")


def check_test_time_compute(config: RouterConfig) -> None:
    """Cross-references of the sections above (raises ValueError('@path: message'))."""
    from router.strategies.extractors import EXTRACTORS

    for name, backend in config.backends.items():
        if getattr(backend, "load", None) is not None and backend.kind != "openai":
            raise ValueError(f"@backends.{name}.load: the load knob reads vLLM's /metrics and needs an OpenAI-compatible backend (kind: openai)")
    for name, tier in config.tiers.items():
        strategy = tier.strategy
        model = config.models[tier.model]
        if strategy is not None and strategy.kind in SAMPLED_KINDS:
            if config.backends[model.backend].kind != "openai":
                raise ValueError(f"@tiers.{name}.strategy.kind: {strategy.kind} needs an OpenAI-compatible backend (model {tier.model!r} is on a "
                                 f"{config.backends[model.backend].kind!r} backend)")
            if strategy.extractor not in EXTRACTORS:
                raise ValueError(f"@tiers.{name}.strategy.extractor: unknown extractor {strategy.extractor!r} (known: {', '.join(EXTRACTORS)})")
            if strategy.kind == "best_of_n":
                if strategy.judge is None:
                    raise ValueError(f"@tiers.{name}.strategy.judge: best_of_n needs a judge model")
                if strategy.judge not in config.models:
                    raise ValueError(f"@tiers.{name}.strategy.judge: no model named {strategy.judge!r}")
            elif strategy.judge is not None:
                raise ValueError(f"@tiers.{name}.strategy.judge: only best_of_n uses a judge")
        elif strategy is not None and strategy.judge is not None:
            raise ValueError(f"@tiers.{name}.strategy.judge: only best_of_n uses a judge")
        if tier.escalate_to is not None:
            if tier.escalate_to not in config.tiers:
                raise ValueError(f"@tiers.{name}.escalate_to: no tier named {tier.escalate_to!r}")
            if tier.escalate_to == name:
                raise ValueError(f"@tiers.{name}.escalate_to: a tier cannot escalate to itself")
        if tier.escalate_on.agreement_below is not None and (strategy is None or strategy.kind != "self_consistency"):
            raise ValueError(f"@tiers.{name}.escalate_on.agreement_below: only a self_consistency tier has an agreement")
        under = tier.under_load
        if under is not None:
            backend_name = model.backend
            if config.backends[backend_name].load is None:
                raise ValueError(f"@tiers.{name}.under_load: backend {backend_name!r} of model {tier.model!r} has no `load` section to measure pressure")
            if under.action == "spill":
                if not any(config.models[fallback].backend != backend_name for fallback in tier.fallbacks):
                    raise ValueError(f"@tiers.{name}.under_load.action: spill needs a fallback on another backend than {backend_name!r}")
            else:
                if under.effort is None and under.thinking_budget is None and under.samples is None:
                    raise ValueError(f"@tiers.{name}.under_load: lower_effort needs effort, thinking_budget or samples")
                try:
                    DIALECTS[model.reasoning].check(under.effort or tier.effort, under.thinking_budget)
                except UnsupportedEffortError as exc:
                    raise ValueError(f"@tiers.{name}.under_load.effort: model {tier.model!r}: {exc}") from None
    _check_cycles(config)


def _check_cycles(config: RouterConfig) -> None:
    for start in config.tiers:
        seen = [start]
        current = config.tiers[start].escalate_to
        while current is not None:
            if current in seen:
                raise ValueError(f"@tiers.{start}.escalate_to: escalation loops ({' -> '.join([*seen, current])})")
            seen.append(current)
            current = config.tiers[current].escalate_to


def counter_label_sets(config: RouterConfig) -> dict[str, list[tuple[str, ...]]]:
    """The label sets of the test-time-compute and overload counters this config can reach, by family (for
    `RouterMetrics.publish_series`): each escalation hop and the reasons its tier escalates on, each sampled tier's
    strategy, each measured backend's load-knob actions, each backend with `circuit.max_in_flight`."""
    escalations, samples, load = [], [], set()
    for name, tier in config.tiers.items():
        if tier.escalate_to is not None:
            on = tier.escalate_on
            reasons = [reason for reason, armed in (("length", on.length), ("refusal", on.refusal), ("error", on.error), ("header", on.header),
                                                    ("low_agreement", on.agreement_below is not None)) if armed]
            escalations += [(name, tier.escalate_to, reason) for reason in reasons]
        if tier.strategy is not None and tier.strategy.kind in SAMPLED_KINDS:
            samples.append((name, tier.strategy.kind))
        if tier.under_load is not None:
            backend = config.models[tier.model].backend
            load |= {(backend, tier.under_load.action), (backend, "restore")}
    overflows = [(name,) for name, backend in config.backends.items() if backend.circuit.max_in_flight is not None]
    return {"escalations": escalations, "samples": samples, "load_adjustments": sorted(load), "overflows": overflows}
