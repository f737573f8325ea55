"""What a candidate's upstream is asked for beyond the client's body: the effort and thinking budget
(`requested_effort`) and the completion cap that reserve grows (`completion_cap`), from the client's body and what its
route knows beyond it (`RequestHints`: whether its cap counts the thinking, whether its effort is another API's
translated, the effort a model named directly gets).

Shared by the gateway, which writes the upstream body, and by the context and cost plans, which must read the
same numbers before dispatch: all from the request's context (`RequestContext.hints`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from backends.reasoning import DIALECTS, UnsupportedEffortError

if TYPE_CHECKING:
    from backends.request_hints import RequestHints
    from router.config import RouterConfig
    from router.policy import Candidate


def answer_cap(config: RouterConfig, body: Mapping[str, Any], candidate: Candidate) -> int | None:
    """The answer's token cap: the client's `max_completion_tokens` / `max_tokens`, else the tier's; None if
    neither; never above the model's `max_output_tokens`."""
    limit = config.models[candidate.model].max_output_tokens
    for source in (body, candidate.params):
        for field in ("max_completion_tokens", "max_tokens"):
            value = source.get(field)
            if isinstance(value, int) and not isinstance(value, bool):
                return value if limit is None else min(value, limit)
    return None


def completion_cap(config: RouterConfig, body: Mapping[str, Any], candidate: Candidate, hints: RequestHints) -> int | None:
    """What the upstream is asked for at most: the answer's cap plus the thinking reserve (the cap alone
    when it counts the thinking: `RequestHints.cap_includes_reasoning`), never above the model's `max_output_tokens`, as
    `Gateway.upstream_body` writes it; None without a cap."""
    cap = answer_cap(config, body, candidate)
    if cap is None:
        return None
    limit = config.models[candidate.model].max_output_tokens
    total = cap + thinking_reserve(config, body, candidate, hints)
    return total if limit is None else min(total, limit)


def most_written(config: RouterConfig, body: Mapping[str, Any], candidate: Candidate, hints: RequestHints) -> int | None:
    """The most the upstream may write, which bounds the cost estimate: `completion_cap`, else, for a request without a
    cap, the cap its adapter writes (Anthropic's: 4,096 and the thinking reserve) or the model's `max_output_tokens`;
    None when neither is known. (Not the context check's plan: an uncapped request is planned at its minimum.)"""
    cap = completion_cap(config, body, candidate, hints)
    if cap is not None:
        return cap
    model = config.models[candidate.model]
    written = config.adapter(candidate.model).default_answer_cap
    if written is not None:
        written += thinking_reserve(config, body, candidate, hints)
    limits = [value for value in (written, model.max_output_tokens) if value is not None]
    return min(limits) if limits else None


def requested_effort(config: RouterConfig, body: Mapping[str, Any], candidate: Candidate, hints: RequestHints) -> tuple[str | None, int | None]:
    """The effort the upstream is asked for and its thinking budget: the client's `reasoning_effort`
    (unless `routing.client_reasoning_effort: ignore` keeps a tier's), else the tier's effort (with the
    tier's budget, or the route's default: ``hints``), and the client's `thinking_token_budget` over either's budget (same rule); "none" for a
    model without reasoning controls (its reasoning fields are stripped, not refused). A routed request's effort is the
    nearest the model takes (`RouterConfig.efforts`). Under a cap that counts the thinking (``hints``), or the model's
    `max_output_tokens`, an effort whose reserve fills it is lowered: the model cannot write more (Anthropic refuses the
    request with a 400, a budget it cannot spend leaves another family no answer)."""
    dialect = DIALECTS[config.models[candidate.model].reasoning]
    if dialect.name == "none":
        return "none", None
    honored = candidate.effort is None or config.routing.client_reasoning_effort == "honor"  # None: a model named directly
    effort = (body.get("reasoning_effort") if honored else None) or candidate.effort or hints.default_effort
    efforts = config.efforts(candidate.model)
    if isinstance(effort, str) and (candidate.effort is not None or hints.effort_translated):  # the client's effort as this model says it
        effort = dialect.nearest(effort, efforts)  # (a chat client naming a model directly sends its effort as asked)
    budget = candidate.thinking_budget if effort == candidate.effort and dialect.accepts_budget else None  # a fallback's family may take none
    asked = body.get("thinking_token_budget") if honored and dialect.accepts_budget else None  # vLLM's field: the client's own
    if isinstance(asked, int) and not isinstance(asked, bool) and asked > 0:
        budget = asked
    caps = [answer_cap(config, body, candidate) if hints.cap_includes_reasoning else None, config.models[candidate.model].max_output_tokens]
    cap = min((value for value in caps if value is not None), default=None)
    if effort is None or cap is None:
        return effort, budget
    return dialect.fitting(effort, budget, cap, efforts)


def thinking_reserve(config: RouterConfig, body: Mapping[str, Any], candidate: Candidate, hints: RequestHints) -> int:
    """Tokens the model's dialect adds to the cap for thinking (the answer keeps its own cap); none
    when the cap counts the thinking already (`RequestHints.cap_includes_reasoning`)."""
    effort, budget = requested_effort(config, body, candidate, hints)
    if effort is None or hints.cap_includes_reasoning:
        return 0
    try:
        return DIALECTS[config.models[candidate.model].reasoning].apply({}, effort, budget)
    except UnsupportedEffortError:
        return 0
