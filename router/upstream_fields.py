"""What a candidate's upstream is asked for beyond the client's body: the effort and thinking budget
(`requested_effort`), the completion cap that reserve grows (`completion_cap`), and the gateway's private body
fields, set by an ingress and settled per candidate (`settle_private_fields`).

Shared by the gateway, which writes the upstream body, and by the context and cost plans, which must read the
same numbers before dispatch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from backends.anthropic_messages import without_positions
from backends.anthropic_request import CLIENT_OPTIONS, OUTPUT_LIMIT
from backends.reasoning import DIALECTS, UnsupportedEffortError
from backends.registry import BACKEND_KINDS

if TYPE_CHECKING:
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


def completion_cap(config: RouterConfig, body: Mapping[str, Any], candidate: Candidate) -> int | None:
    """What the upstream is asked for at most: the answer's cap plus the thinking reserve (the cap alone
    when it counts the thinking: `TOTAL_CAP`), never above the model's `max_output_tokens`, as
    `Gateway.upstream_body` writes it; None without a cap."""
    cap = answer_cap(config, body, candidate)
    if cap is None:
        return None
    limit = config.models[candidate.model].max_output_tokens
    total = cap + thinking_reserve(config, body, candidate)
    return total if limit is None else min(total, limit)


def most_written(config: RouterConfig, body: Mapping[str, Any], candidate: Candidate) -> int | None:
    """The most the upstream may write, which bounds the cost estimate: `completion_cap`, else, for a request without a
    cap, the cap its adapter writes (Anthropic's: 4,096 and the thinking reserve) or the model's `max_output_tokens`;
    None when neither is known. (Not the context check's plan: an uncapped request is planned at its minimum.)"""
    cap = completion_cap(config, body, candidate)
    if cap is not None:
        return cap
    model = config.models[candidate.model]
    written = BACKEND_KINDS[config.backends[model.backend].kind].default_answer_cap
    if written is not None:
        written += thinking_reserve(config, body, candidate)
    limits = [value for value in (written, model.max_output_tokens) if value is not None]
    return min(limits) if limits else None


#: A chat body's flag, set by `/v1/messages` with thinking on (Anthropic's `max_tokens` counts the
#: thinking): its cap is the upstream's whole, reasoning included, not the answer's to which the thinking
#: reserve is added. Never sent upstream (`Gateway.upstream_body` removes it). Like every gateway-internal field its
#: name starts with `protocol.PRIVATE_PREFIX`, which no client may send.
TOTAL_CAP = "_router_cap_includes_reasoning"

#: A chat body's flag, set by `/v1/messages` when the client marked prompt-cache breakpoints (`cache_control`,
#: kept on the chat parts as LiteLLM writes them, which an Anthropic upstream reads back): an upstream that reads
#: none gets the parts without them, as a strict OpenAI-compatible server refuses a field it does not define.
#: Never sent upstream (`Gateway.upstream_body` removes it).
CACHE_MARKS = "_router_cache_breakpoints"

#: A chat body's flag, set by `/v1/messages` with an effort it translated (`thinking`, `output_config.effort`): sent as
#: the nearest the model takes even to a model named directly, as it is on every routed request (Claude Code's `max`
#: to gpt-oss is `high`, not the 400 a chat client naming an effort the model lacks gets, as from vLLM).
TRANSLATED_EFFORT = "_router_effort_translated"

#: A chat body's field, set by `/v1/messages` for `thinking: {type: adaptive}` without an effort: the effort a model
#: named directly gets (Anthropic's default, high). A routed request keeps its tier's.
DEFAULT_EFFORT = "_router_default_effort"


def settle_private_fields(upstream: dict[str, Any], native: bool, output_limit: int | None) -> None:
    """The gateway's private body fields as the candidate's adapter reads them: cache breakpoints, a Messages
    client's options and the model's output limit reach an Anthropic-native adapter only (`CLIENT_OPTIONS`,
    `OUTPUT_LIMIT`: backends/anthropic_request.py); any other upstream gets the request without them."""
    for field in (TRANSLATED_EFFORT, DEFAULT_EFFORT):  # read from the client's body (`requested_effort`)
        upstream.pop(field, None)
    if upstream.pop(CACHE_MARKS, False) and not native:
        upstream["messages"] = without_cache_marks(upstream.get("messages"))
    if not native:
        upstream.pop(CLIENT_OPTIONS, None)
        if "messages" in upstream:
            upstream["messages"] = without_positions(upstream["messages"])
    elif output_limit is not None:
        upstream[OUTPUT_LIMIT] = output_limit


def without_cache_marks(messages: Any) -> Any:
    """``messages`` with no `cache_control` on their content parts (new lists: the client's are shared by every attempt)."""
    if not isinstance(messages, list):
        return messages
    out = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(isinstance(part, dict) and "cache_control" in part for part in content):
            message = {**message, "content": [{key: value for key, value in part.items() if key != "cache_control"}
                                              if isinstance(part, dict) else part for part in content]}
        out.append(message)
    return out


def requested_effort(config: RouterConfig, body: Mapping[str, Any], candidate: Candidate) -> tuple[str | None, int | None]:
    """The effort the upstream is asked for and its thinking budget: the client's `reasoning_effort`
    (unless `routing.client_reasoning_effort: ignore` keeps a tier's), else the tier's effort (with the
    tier's budget), and the client's `thinking_token_budget` over either's budget (same rule); "none" for a
    model without reasoning controls (its reasoning fields are stripped, not refused). A routed request's effort is the
    nearest the model takes (`RouterConfig.efforts`). Under a cap that counts the thinking (`TOTAL_CAP`), or the model's
    `max_output_tokens`, an effort whose reserve fills it is lowered: the model cannot write more (Anthropic refuses the
    request with a 400, a budget it cannot spend leaves another family no answer)."""
    dialect = DIALECTS[config.models[candidate.model].reasoning]
    if dialect.name == "none":
        return "none", None
    honored = candidate.effort is None or config.routing.client_reasoning_effort == "honor"  # None: a model named directly
    effort = (body.get("reasoning_effort") if honored else None) or candidate.effort or body.get(DEFAULT_EFFORT)
    efforts = config.efforts(candidate.model)
    if isinstance(effort, str) and (candidate.effort is not None or body.get(TRANSLATED_EFFORT)):  # the client's effort as this model says it
        effort = dialect.nearest(effort, efforts)  # (a chat client naming a model directly sends its effort as asked)
    budget = candidate.thinking_budget if effort == candidate.effort and dialect.accepts_budget else None  # a fallback's family may take none
    asked = body.get("thinking_token_budget") if honored and dialect.accepts_budget else None  # vLLM's field: the client's own
    if isinstance(asked, int) and not isinstance(asked, bool) and asked > 0:
        budget = asked
    caps = [answer_cap(config, body, candidate) if body.get(TOTAL_CAP) else None, config.models[candidate.model].max_output_tokens]
    cap = min((value for value in caps if value is not None), default=None)
    if effort is None or cap is None:
        return effort, budget
    return dialect.fitting(effort, budget, cap, efforts)


def thinking_reserve(config: RouterConfig, body: Mapping[str, Any], candidate: Candidate) -> int:
    """Tokens the model's dialect adds to the cap for thinking (the answer keeps its own cap); none
    when the cap counts the thinking already (`TOTAL_CAP`)."""
    effort, budget = requested_effort(config, body, candidate)
    if effort is None or body.get(TOTAL_CAP):
        return 0
    try:
        return DIALECTS[config.models[candidate.model].reasoning].apply({}, effort, budget)
    except UnsupportedEffortError:
        return 0
