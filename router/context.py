"""Context-aware routing: count the prompt, and never send it where it cannot fit.

Counting: with `tiktoken` installed and an OpenAI model (reasoning dialect `openai`, or an upstream
name like gpt-*/o1/o3/o4), the model's real encoding and OpenAI's chat overhead (3 tokens per
message, 3 to prime the reply). Otherwise a calibrated estimate (`classifiers.token_estimate`): ASCII
text at the model's `chars_per_token` (default 4.0, the usual English/code figure of BPE vocabularies),
Chinese, Japanese, Korean at one token a character, two-byte scripts at two characters a token, plus 4
tokens a message — multiplied by a per-model correction learnt from the `prompt_tokens` the upstream reports
(an exponential average, clamped to 0.5–2). An estimate gets a 10 % safety margin in the fit check.
The gateway's cost estimate reads the same count (`TokenCounter.count_for`, once per request and model).

Fit: prompt + planned completion <= `context_window`. The planned completion is what the upstream
will be asked for: the client's `max_tokens`/`max_completion_tokens` (or the tier's `params`) plus
the thinking reserve the dialect adds, at most the model's `max_output_tokens` (`completion_cap`); with
no cap, the reserve plus `routing.min_completion_tokens`.
A candidate that does not fit is dropped; when none of the tier's candidates fit, the next tier up
that has one is used (then the nearest below), `reason="context"`; when nothing fits the client gets
OpenAI's 400 `context_length_exceeded`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from backends.base import CONTEXT_LENGTH_EXCEEDED
from backends.request_hints import NO_HINTS, RequestHints
from classifiers.token_estimate import DEFAULT_CHARS_PER_TOKEN, estimate_tokens
from router.protocol import APIError
from router.upstream_fields import completion_cap, thinking_reserve

if TYPE_CHECKING:
    from backends.usage import Usage
    from router.config import ModelConfig, RouterConfig
    from router.decision import Decision
    from router.policy import Candidate, Policy

log = logging.getLogger("complexity_router")

ESTIMATE_MARGIN = 1.10
MESSAGE_OVERHEAD = 4
#: Estimates below this many tokens teach the correction nothing: a short prompt's count is mostly the
#: chat template's tokens, and a factor learnt from "hi" (1.5-2x) would read a long document as too long
#: for its window.
LEARN_MIN_TOKENS = 100
#: Characters of a prompt counted with tiktoken; the rest of a longer one is estimated at the ratio of
#: tokens to estimate measured on those. tiktoken reads ~8 MB/s on one core, on the event loop: a
#: 1 MB prompt counted whole blocked every other request for ~130 ms (this bound: ~4 ms).
EXACT_COUNT_CHARS = 32_000
_OPENAI_PREFIXES = ("gpt-", "gpt4", "o1", "o3", "o4", "chatgpt", "text-embedding")
#: Prompt tokens an image part is counted as: OpenAI's for a 1024 x 1024 image in high detail (85 in low detail;
#: Anthropic's up to ~1,600 at its largest size). The upstream's count has the real figure (and is not learnt from).
IMAGE_TOKENS = 765
LOW_DETAIL_TOKENS = 85  # `detail: low`: OpenAI's fixed figure
IMAGE_TYPES = frozenset({"image_url", "input_image", "image"})


@dataclass(frozen=True, slots=True)
class PromptCount:
    tokens: int
    method: str  # "tiktoken:<encoding>", "tiktoken:<encoding>+estimate" (a long prompt's rest) or "estimate"
    sized: bool = True  # False when the messages hold parts no text count sizes (images, audio, files)

    @property
    def exact(self) -> bool:
        return not self.method.endswith("estimate")

    def for_fit(self) -> int:
        return self.tokens if self.exact else int(self.tokens * ESTIMATE_MARGIN + 0.999)


def prompt_texts(messages: Sequence[Mapping[str, Any]], tools: Any = None) -> list[str]:
    """The text a request sends upstream: string contents, text parts, tool-call names and arguments,
    and the tool definitions as JSON (the upstream renders them into the prompt; a schema-heavy tool
    list can be most of it). Anything else, and a message that is no object, counts nothing."""
    texts = [_json_text(tools)] if isinstance(tools, list) and tools else []
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.extend(part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str))
        for call in message.get("tool_calls") or ():
            if isinstance(call, dict):
                function = call.get("function") or {}
                texts.append(str(function.get("name") or "") + str(function.get("arguments") or ""))
    return texts


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # nested past orjson's 254 levels: the request is refused later (backends.base.encode_body)
        return str(value)


def image_tokens(messages: Sequence[Mapping[str, Any]]) -> int:
    """The image parts' tokens: `IMAGE_TOKENS` each, `LOW_DETAIL_TOKENS` for one the client asks in low detail; its pixels
    are not read (an image counted as nothing let twenty of them through a cost cap that one would pass)."""
    return sum(LOW_DETAIL_TOKENS if _low_detail(part) else IMAGE_TOKENS
               for message in messages if isinstance(message, Mapping) and isinstance(message.get("content"), list)
               for part in message["content"] if isinstance(part, dict) and part.get("type") in IMAGE_TYPES)


def _low_detail(part: Mapping[str, Any]) -> bool:
    image = part.get("image_url")
    return (isinstance(image, Mapping) and image.get("detail") == "low") or part.get("detail") == "low"


def _has_unsized_parts(messages: Sequence[Mapping[str, Any]]) -> bool:
    return any(isinstance(part, dict) and part.get("type") != "text"
               for message in messages if isinstance(message, Mapping) and isinstance(message.get("content"), list)
               for part in message["content"])


def same_model(old: RouterConfig, new: RouterConfig, name: str) -> bool:
    """Whether model ``name`` is the same upstream model in both configurations (its backend's address,
    its upstream name, dialect and estimate unit): what was learnt about its token counts still holds."""
    a, b = old.models.get(name), new.models.get(name)
    if a is None or b is None:
        return False
    return ((a.upstream_name, a.reasoning, a.chars_per_token, old.backends[a.backend].base_url)
            == (b.upstream_name, b.reasoning, b.chars_per_token, new.backends[b.backend].base_url))


def estimate_prompt_tokens(messages: Sequence[Mapping[str, Any]], chars_per_token: float = DEFAULT_CHARS_PER_TOKEN, tools: Any = None) -> int:
    """Tokens of the messages (and tool definitions) without a tokenizer (``estimate_tokens``) plus 4 a
    message: the count a request gets before any model is chosen (rate limits), and for a model with no
    encoding."""
    texts = prompt_texts(messages, tools)
    images = image_tokens(messages)
    return max(1, round(sum(estimate_tokens(text, chars_per_token) for text in texts) + MESSAGE_OVERHEAD * len(messages) + images))


class TokenCounter:
    """Counts prompt tokens per model; learns a correction for the estimate from real usage."""

    def __init__(self, config: RouterConfig) -> None:
        self.config = config
        self.correction: dict[str, float] = {}
        self._encodings: dict[str, Any] = {}

    def _encoding(self, model_name: str, model: ModelConfig) -> Any:
        upstream = (model.upstream_name or model_name).lower()
        if model.reasoning != "openai" and not upstream.startswith(_OPENAI_PREFIXES):
            return None
        if upstream in self._encodings:
            return self._encodings[upstream]
        encoding = None
        try:
            import tiktoken

            try:
                encoding = tiktoken.encoding_for_model(upstream)
            except KeyError:
                encoding = tiktoken.get_encoding("o200k_base")
        except Exception as exc:  # noqa: BLE001 - not installed, or its vocabulary cannot be loaded (offline)
            log.debug("no tiktoken encoding for %s (%s); estimating", upstream, type(exc).__name__)
            encoding = None
        self._encodings[upstream] = encoding
        return encoding

    def count(self, model_name: str, messages: Sequence[Mapping[str, Any]], tools: Any = None) -> PromptCount:
        model = self.config.models[model_name]
        encoding = self._encoding(model_name, model)
        if encoding is not None:
            count = self._tiktoken_count(encoding, prompt_texts(messages, tools), len(messages))
            images = image_tokens(messages)
            return count if not images else PromptCount(count.tokens + images, count.method + "+image estimate")
        raw = estimate_prompt_tokens(messages, model.chars_per_token or DEFAULT_CHARS_PER_TOKEN, tools)
        return PromptCount(max(1, round(raw * self.correction.get(model_name, 1.0))), "estimate", not _has_unsized_parts(messages))

    @staticmethod
    def _tiktoken_count(encoding: Any, texts: list[str], n_messages: int) -> PromptCount:
        """The encoding's count plus OpenAI's chat overhead; past ``EXACT_COUNT_CHARS``, the rest at the
        ratio of real tokens to ``estimate_tokens`` on the first ``EXACT_COUNT_CHARS`` characters."""
        overhead = 3 * n_messages + 3
        if sum(map(len, texts)) <= EXACT_COUNT_CHARS:
            return PromptCount(sum(len(encoding.encode(text, disallowed_special=())) for text in texts) + overhead, f"tiktoken:{encoding.name}")
        head = "".join(texts)[:EXACT_COUNT_CHARS]
        exact, estimated = len(encoding.encode(head, disallowed_special=())), estimate_tokens(head)
        rest = sum(estimate_tokens(text) for text in texts) - estimated
        return PromptCount(exact + round(rest * exact / max(estimated, 1.0)) + overhead, f"tiktoken:{encoding.name}+estimate")

    def count_for(self, decision: Decision, model_name: str, body: Mapping[str, Any]) -> PromptCount:
        """``count`` of a request's messages and tools, once per request and model: the cost estimate
        and the context check share it."""
        counts = decision.context.prompt_counts
        if counts is None:
            counts = decision.context.prompt_counts = {}
        count = counts.get(model_name)
        if count is None:
            count = counts[model_name] = self.count(model_name, body["messages"], body.get("tools"))
        return count

    def learn(self, model_name: str, estimated: int, actual: int) -> None:
        """Move the model's correction toward actual/estimated (estimates of ``LEARN_MIN_TOKENS`` or more)."""
        if estimated < LEARN_MIN_TOKENS or actual <= 0 or model_name not in self.config.models:
            return
        current = self.correction.get(model_name, 1.0)
        observed = min(2.0, max(0.5, current * actual / estimated))  # one report moves the factor at most a fifth of the way to a clamp
        self.correction[model_name] = min(2.0, max(0.5, 0.8 * current + 0.2 * observed))

    def adopt(self, previous: TokenCounter) -> None:
        """Keep the corrections learnt for models a config reload left unchanged (``same_model``)."""
        self.correction = {m: c for m, c in previous.correction.items() if same_model(previous.config, self.config, m)}

    def observe(self, decision: Decision, usage: Usage | None, status: str, duration: float, stream: bool) -> None:
        """Accounting observer: learn the estimate's correction from the upstream's prompt_tokens."""
        count = (decision.context.prompt_counts or {}).get(decision.model)
        if (count is None or count.method != "estimate" or not count.sized or usage is None or status != "ok"
                or decision.context.usage_parts or decision.report.usage_estimated):
            return  # an image's tokens in the upstream's count would read as the estimate's error
        self.learn(decision.model, count.tokens, usage.prompt_tokens)


class ContextPlanner:
    """Drops candidates whose model cannot hold the prompt plus the planned completion."""

    def __init__(self, config: RouterConfig, policy: Policy, counter: TokenCounter | None = None) -> None:
        self.config = config
        self.policy = policy
        self.counter = counter if counter is not None else TokenCounter(config)
        self.enabled = any(model.context_window is not None for model in config.models.values())

    def planned_completion(self, body: Mapping[str, Any], candidate: Candidate, hints: RequestHints) -> int:
        cap = completion_cap(self.config, body, candidate, hints)
        return cap if cap is not None else self.config.routing.min_completion_tokens + thinking_reserve(self.config, body, candidate, hints)

    def fits(self, candidate: Candidate, body: Mapping[str, Any], decision: Decision) -> bool:
        window = self.config.models[candidate.model].context_window
        if window is None:
            return True
        count = self.counter.count_for(decision, candidate.model, body)
        return count.for_fit() + self.planned_completion(body, candidate, decision.context.hints) <= window

    def plan(self, decision: Decision, body: Mapping[str, Any], max_tier: str | None = None) -> None:
        """Filter `decision.candidates`, moving tiers if needed; 400 context_length_exceeded if nothing fits."""
        if not self.enabled:
            return
        original = decision.candidates
        kept = [candidate for candidate in original if self.fits(candidate, body, decision)]
        if not kept:
            kept = self._other_tier(decision, body, max_tier)
        first = original[0]
        counts = decision.context.prompt_counts or {}
        count = counts.get(kept[0].model) if kept else counts.get(first.model)
        if count is not None:
            decision.report.prompt_tokens = {"count": count.tokens, "method": count.method}
        if not kept:
            window = self.config.models[first.model].context_window
            tokens = counts[first.model].for_fit()  # as the check counted it (an estimate with its margin): the sum exceeds the window
            planned = self.planned_completion(body, first, decision.context.hints)
            raise APIError(
                400,
                f"This model's maximum context length is {window} tokens. However, you requested about {tokens + planned} tokens "
                f"({tokens} in the messages, {planned} in the completion), and no configured model can hold them. "
                "Please reduce the length of the messages or completion.",
                code=CONTEXT_LENGTH_EXCEEDED,
                param="messages",
            )
        if kept[0] != first:
            decision.reason = "context"
            decision.report.context_moved_from = f"{first.tier}/{first.model}"
        decision.candidates = kept

    def _other_tier(self, decision: Decision, body: Mapping[str, Any], max_tier: str | None) -> list[Candidate]:
        names = self.policy.tier_names
        tier = decision.candidates[0].tier
        if tier not in names:  # a model named directly: no other choice
            return []
        index = names.index(tier)
        ceiling = names.index(max_tier) if max_tier in names else len(names) - 1
        order = names[index + 1 : ceiling + 1] + list(reversed(names[:index]))
        for name in order:
            candidates = [candidate for candidate in self.policy.candidates(name) if self.fits(candidate, body, decision)]
            if candidates:
                return candidates
        return []


def route_report(config: RouterConfig, policy: Policy, tier_name: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """For `complexity-router route`: the prompt count and where the context check sends the prompt."""
    from router.decision import Decision

    planner = ContextPlanner(config, policy)
    candidates = policy.candidates(tier_name)
    first = candidates[0]
    count = planner.counter.count(first.model, body["messages"], body.get("tools"))
    report: dict[str, Any] = {"prompt_tokens": {"count": count.tokens, "method": count.method}}
    decision = Decision("route", tier_name, "classifier", candidates)
    try:
        planner.plan(decision, body)
    except APIError as exc:
        report["context"] = {"fits": False, "code": exc.code, "message": exc.message}
        return report
    chosen = decision.candidates[0]
    window = config.models[chosen.model].context_window
    report["context"] = {
        "fits": True,
        "context_window": window,
        "planned_completion_tokens": planner.planned_completion(body, chosen, NO_HINTS),  # no request: a chat client's
        "tier": chosen.tier,
        "model": chosen.model,
        "moved": chosen != first,
    }
    if chosen != first:
        report["prompt_tokens"] = decision.report.prompt_tokens or report["prompt_tokens"]
    return report
