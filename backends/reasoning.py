"""Reasoning dialects: how one model family expresses "think this hard".

A tier speaks in a provider-neutral vocabulary (`effort` plus an optional `thinking_budget`);
each dialect turns that into its family's request fields. Dialects are looked up by the
model's `reasoning` config value in `DIALECTS`, so adding a family is adding a class.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, get_args

#: The effort ladder, least to most: OpenAI's `reasoning_effort` values (the openai SDK's
#: `ReasoningEffort`; `xhigh` from GPT-5.1-codex-max, `max` from GPT-5.6; vLLM accepts them all).
Effort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
EFFORTS: tuple[str, ...] = get_args(Effort)

# Thinking tokens reserved per effort when a tier names no explicit budget.
DEFAULT_BUDGETS: dict[str, int] = {"minimal": 512, "low": 1024, "medium": 4096, "high": 16384, "xhigh": 32768, "max": 65536}

# Request fields a dialect owns; a dialect removes the ones it does not use so a stray
# field for another family never reaches an upstream that would reject it.
_REASONING_FIELDS = ("reasoning_effort", "thinking", "thinking_token_budget")

#: Fields in which clients echo an earlier answer's reasoning on its assistant turn: vLLM's `reasoning`,
#: DeepSeek's `reasoning_content`, LiteLLM's signed Anthropic `thinking_blocks`, OpenRouter's
#: `reasoning_details`. A routed conversation meets several families, and a strict upstream (OpenAI,
#: Groq, Cerebras) refuses a message field it does not define with a 400: each dialect keeps only what
#: its family reads back.
HISTORY_FIELDS = ("reasoning", "reasoning_content", "thinking_blocks", "reasoning_details")


class UnsupportedEffortError(ValueError):
    """The model's dialect cannot express the requested effort."""


class ReasoningDialect(ABC):
    """Turns (effort, thinking_budget) into request fields for one model family."""

    name: ClassVar[str]
    efforts: ClassVar[frozenset[str]]
    accepts_budget: ClassVar[bool] = False
    #: The assistant-message field this family reads an earlier think from (None: it reads none);
    #: `thinking_blocks` keeps the signed blocks, any other name gets the reasoning text.
    history_field: ClassVar[str | None] = None
    #: Whether this family's chat template reads a `developer` turn; if not, it goes as `system` (Qwen3's
    #: template drops any role it does not know, so Codex's developer instructions never reached the model).
    reads_developer: ClassVar[bool] = False
    #: The one completion-cap field this family takes, when it refuses the other (None: it reads either).
    cap_field: ClassVar[str | None] = None
    #: Request fields this family refuses with a 400, left out of what it is sent (a model's `drop_fields` overrides).
    refused_fields: ClassVar[tuple[str, ...]] = ()
    #: Whether its server (vLLM) continues a trailing assistant message when asked (`continue_final_message`).
    continues_prefill: ClassVar[bool] = False

    def check(self, effort: str, thinking_budget: int | None) -> None:
        """Raise `UnsupportedEffortError` when this family cannot express the setting."""
        if effort not in self.efforts:
            supported = ", ".join(e for e in EFFORTS if e in self.efforts)
            raise UnsupportedEffortError(f"reasoning dialect {self.name!r} cannot express effort {effort!r} (supported: {supported})")
        if thinking_budget is not None and not self.accepts_budget:
            raise UnsupportedEffortError(f"reasoning dialect {self.name!r} does not accept a thinking_budget")

    def apply(self, body: dict[str, Any], effort: str, thinking_budget: int | None) -> int:
        """Write this family's fields into `body`; return the tokens reserved for thinking."""
        self.check(effort, thinking_budget)
        for field in _REASONING_FIELDS:
            body.pop(field, None)
        return self._apply(body, effort, thinking_budget)

    @functools.cached_property
    def assumed_efforts(self) -> frozenset[str]:
        """The efforts a model of this family is taken to accept when its config lists none (`models.NAME.efforts`): the
        family's. Where an effort is only a budget the gateway writes, the model cannot refuse it by name (one its output
        limit cannot hold is lowered: `fitting`); a family that names efforts to the model narrows this."""
        return self.efforts

    #: The effort the family thinks at when a request names none: what a model named directly without an effort is priced
    #: at (a gpt-oss, an o-series model, a Qwen3 think unasked; pricing them at none kept a cost cap 2.8x under their cost).
    unasked_effort: ClassVar[str] = "none"

    def priced_effort(self, effort: str | None) -> str:
        """The effort a request asking ``effort`` (None: none named) is priced at: what the model will spend."""
        return self.unasked_effort if effort is None else effort

    def nearest(self, effort: str, efforts: frozenset[str] | None = None) -> str:
        """The effort this family takes closest to ``effort`` on the ladder (the higher of two as close): what a request
        routed here by score is asked for when the client named one its family lacks (gpt-oss: minimal → low, xhigh → high).
        ``efforts``: the model's own, when narrower than the family's (`models.NAME.efforts`: Claude Opus 4.6 lacks xhigh)."""
        levels = efforts or self.efforts
        if effort in levels or effort not in EFFORTS:
            return effort
        rank = EFFORTS.index(effort)
        return min((level for level in EFFORTS if level in levels), key=lambda level: (abs(EFFORTS.index(level) - rank), -EFFORTS.index(level)))

    def fitting(self, effort: str, thinking_budget: int | None, cap: int, efforts: frozenset[str] | None = None) -> tuple[str, int | None]:
        """The effort (and budget) to ask for under a cap that counts the thinking too: ``effort``, or
        the highest below it this family (or the model: ``efforts``) takes whose reserve leaves the answer a token (the
        lowest if none does). A reasoning reserve above such a cap would be cut by it, or refused (Anthropic)."""
        if effort not in self.efforts:
            return effort, thinking_budget  # `apply` refuses it by name
        below = efforts or self.efforts
        levels = [(effort, thinking_budget)] + ([(effort, None)] if thinking_budget is not None else []) + [
            (level, None) for level in reversed(EFFORTS[: EFFORTS.index(effort)]) if level in below]  # an explicit budget first, then the effort's own
        return next((level for level in levels if self.apply({}, *level) < cap), levels[-1])

    def carry_history(self, body: dict[str, Any], prefill: bool = False) -> None:
        """Rewrite the conversation into what this family reads: the echoed reasoning of earlier turns
        into its field (or dropped), and `developer` turns as `system` where its template has no developer role.

        A Messages client's ``prefill`` (`RequestHints.prefill`) is continued where the server can be told so (vLLM: without it the model
        began a new turn after the client's `{"answer": `, and the client's prefill and the answer made no JSON).

        Messages are replaced, never edited: the client's list is shared by every attempt of a request.
        """
        if prefill and self.continues_prefill:
            body["continue_final_message"], body["add_generation_prompt"] = True, False
        messages = body.get("messages")
        if not isinstance(messages, list):
            return
        if any(_echoes_reasoning(message) for message in messages):
            messages = body["messages"] = [self._carried(message) if _echoes_reasoning(message) else message for message in messages]
        if not self.reads_developer and any(isinstance(message, dict) and message.get("role") == "developer" for message in messages):
            body["messages"] = [{**message, "role": "system"} if isinstance(message, dict) and message.get("role") == "developer" else message
                                for message in messages]

    def name_cap(self, body: dict[str, Any]) -> None:
        """Write a client's completion cap under the field this family takes: a client routed by score cannot
        know that its `max_tokens` will reach a model that refuses it (OpenAI's reasoning models)."""
        other = {"max_completion_tokens": "max_tokens", "max_tokens": "max_completion_tokens"}.get(self.cap_field or "")
        if other is not None and other in body:
            value = body.pop(other)
            body.setdefault(self.cap_field, value)  # both sent: the field the family reads wins, as vLLM's does

    def _carried(self, message: dict[str, Any]) -> dict[str, Any]:
        out = {key: value for key, value in message.items() if key not in HISTORY_FIELDS}
        field = self.history_field
        if field == "thinking_blocks":
            if message.get(field):
                out[field] = message[field]
        elif field is not None and message.get("role") == "assistant" and reasoning_text(message):
            out[field] = reasoning_text(message)
        return out

    @abstractmethod
    def _apply(self, body: dict[str, Any], effort: str, thinking_budget: int | None) -> int: ...

    @staticmethod
    def budget_for(effort: str, thinking_budget: int | None) -> int:
        return thinking_budget if thinking_budget is not None else DEFAULT_BUDGETS.get(effort, 0)


class NoReasoning(ReasoningDialect):
    """A model with no reasoning controls: every reasoning field is stripped."""

    name = "none"
    efforts = frozenset({"none"})

    def _apply(self, body: dict[str, Any], effort: str, thinking_budget: int | None) -> int:
        return 0


class OpenAIReasoning(ReasoningDialect):
    """o-series / GPT-5 style `reasoning_effort`; effort `none` omits the field (provider default)."""

    name = "openai"
    reads_developer = True
    efforts = frozenset(EFFORTS)
    #: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
    cap_field = "max_completion_tokens"
    #: "Unsupported parameter: 'stop' is not supported with this model." (o3, o4-mini, GPT-5 to 5.4), "'temperature' does
    #: not support 0 with this model. Only the default (1) value is supported.", and so top_p, the penalties, logprobs and
    #: logit_bias: what the completions API and LangChain send on every request (GPT-5.1+ at effort none and GPT-5.5 take
    #: some of them back: a model's `drop_fields` says which it refuses).
    refused_fields = ("temperature", "top_p", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "logit_bias", "stop")
    unasked_effort = "medium"

    @functools.cached_property
    def assumed_efforts(self) -> frozenset[str]:
        """Up to high: xhigh and max are newer than most models of the family (o4-mini, o3 and GPT-5 refuse them with a 400,
        "'reasoning_effort' does not support 'xhigh' with this model"): one that takes them lists them."""
        return self.efforts - {"xhigh", "max"}  # o-series' and GPT-5's default (GPT-5.1's is none: priced high rather than low)

    def priced_effort(self, effort: str | None) -> str:
        return self.unasked_effort if effort in (None, "none") else effort  # none is sent as no field: the default

    def _apply(self, body: dict[str, Any], effort: str, thinking_budget: int | None) -> int:
        if effort == "none":
            return 0
        body["reasoning_effort"] = effort
        return DEFAULT_BUDGETS[effort]


class GptOssReasoning(ReasoningDialect):
    """gpt-oss on vLLM: `reasoning_effort` low/medium/high (it always reasons); vLLM renders an
    assistant turn's `reasoning` back into the prompt (its harmony analysis channel)."""

    name = "gpt-oss"
    reads_developer = True
    efforts = frozenset({"low", "medium", "high"})
    history_field = "reasoning"
    unasked_effort = "medium"  # vLLM's default for gpt-oss

    def _apply(self, body: dict[str, Any], effort: str, thinking_budget: int | None) -> int:
        body["reasoning_effort"] = effort
        return DEFAULT_BUDGETS[effort]


class Qwen3Reasoning(ReasoningDialect):
    """Qwen3 hybrid thinking on vLLM: chat-template switch plus vLLM's thinking token budget.

    `chat_template_kwargs.enable_thinking` turns thinking on or off; `thinking_token_budget`
    (vLLM's `ChatCompletionRequest` field, enforced when the server runs a reasoning parser)
    caps the thinking tokens. A client's own `chat_template_kwargs` keys are kept. vLLM hands an
    assistant turn's `reasoning` to the chat template (as `reasoning_content` too), which replays it
    inside a tool loop.
    """

    name = "qwen3"
    continues_prefill = True
    efforts = frozenset(EFFORTS)
    accepts_budget = True
    history_field = "reasoning"
    unasked_effort = "high"  # its chat template thinks unless told not to, with no budget

    def _apply(self, body: dict[str, Any], effort: str, thinking_budget: int | None) -> int:
        kwargs = dict(body.get("chat_template_kwargs") or {})
        thinking = effort != "none"
        kwargs.setdefault("enable_thinking", thinking)
        body["chat_template_kwargs"] = kwargs
        if not kwargs["enable_thinking"]:
            return 0
        if effort == "none" and thinking_budget is None:  # the client's own switch turned it on: vLLM's default, no budget
            return 0  # (a budget of 0 would end the think at its first token)
        budget = self.budget_for(effort, thinking_budget)
        body["thinking_token_budget"] = budget
        return budget


class AnthropicReasoning(ReasoningDialect):
    """Anthropic extended thinking: `thinking: {type: enabled, budget_tokens}` (minimum 1024),
    `{type: disabled}` for effort none. Only signed `thinking_blocks` can be sent back (the
    adapter's translation reads them)."""

    name = "anthropic"
    reads_developer = True
    efforts = frozenset(EFFORTS)
    #: Claude returns no token logprobs, and the adapter refuses to pretend: a client routed here by score (its logprobs
    #: asked of whichever model serves) gets the answer without them, as from an OpenAI reasoning model.
    refused_fields: ClassVar[tuple[str, ...]] = ("logprobs", "top_logprobs")
    accepts_budget = True
    history_field = "thinking_blocks"
    minimum_budget: ClassVar[int] = 1024

    def _apply(self, body: dict[str, Any], effort: str, thinking_budget: int | None) -> int:
        if effort == "none":
            # Explicit rather than omitted: servers whose default is to think (vLLM's
            # /v1/messages with a reasoning parser) must not think on a no-effort tier.
            body["thinking"] = {"type": "disabled"}
            return 0
        budget = max(self.minimum_budget, self.budget_for(effort, thinking_budget))
        body["thinking"] = {"type": "enabled", "budget_tokens": budget}
        return budget


class AnthropicAdaptiveReasoning(ReasoningDialect):
    """Anthropic adaptive thinking — Claude 4.6 and later, the only thinking Opus 4.7 and later take (they refuse
    `{type: enabled, budget_tokens}` and `{type: disabled}` with a 400): `thinking: {type: adaptive}` and the effort,
    which the adapter sends as `output_config.effort` (low … max); effort none sends no thinking (these models think
    only when asked). The cap grows by the effort's default budget, of which the model spends what it decides. Sampling
    fields are refused ("`temperature` is deprecated for this model")."""

    name = "anthropic_adaptive"
    reads_developer = True
    efforts = frozenset(("none", "low", "medium", "high", "xhigh", "max"))
    history_field = "thinking_blocks"
    refused_fields = ("temperature", "top_p", "top_k", "logprobs", "top_logprobs")

    def fitting(self, effort: str, thinking_budget: int | None, cap: int, efforts: frozenset[str] | None = None) -> tuple[str, int | None]:
        """The effort as asked: adaptive thinking reserves nothing — the model fits its thinking in the cap it is given
        (lowered to fit an effort's default budget, Anthropic's own example, 16,000 tokens at high, went as medium)."""
        return effort, None

    def _apply(self, body: dict[str, Any], effort: str, thinking_budget: int | None) -> int:
        if effort == "none":
            return 0
        body["thinking"] = {"type": "adaptive"}
        body["reasoning_effort"] = effort
        return self.budget_for(effort, None)


def reasoning_text(message: Mapping[str, Any]) -> str:
    """A chat message's or delta's reasoning text: vLLM's `reasoning`, else DeepSeek's `reasoning_content`
    (vLLM sends both names); "" when it has none."""
    text = message.get("reasoning") or message.get("reasoning_content")
    return text if isinstance(text, str) else ""


def _echoes_reasoning(message: Any) -> bool:
    return isinstance(message, dict) and any(field in message for field in HISTORY_FIELDS)


DIALECTS: dict[str, ReasoningDialect] = {
    dialect.name: dialect
    for dialect in (NoReasoning(), OpenAIReasoning(), GptOssReasoning(), Qwen3Reasoning(), AnthropicReasoning(), AnthropicAdaptiveReasoning())
}


def lower_token_cap(body: dict[str, Any], limit: int | None) -> None:
    """Lower an explicit completion cap above the model's ``limit`` (its `max_output_tokens`) to it: the
    gateway picked the model, so a cap chosen for any model (Claude Code asks 32,000) must fit this one."""
    if limit is None:
        return
    for field in ("max_completion_tokens", "max_tokens"):
        value = body.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value > limit:
            body[field] = limit


def raise_token_cap(body: dict[str, Any], reserve: int) -> None:
    """Grow a client's explicit completion cap by the thinking reserve.

    The client's `max_tokens` / `max_completion_tokens` is read as the budget for the *answer*;
    without this, reasoning can consume the whole cap and return an empty answer. With no
    explicit cap the upstream default (the remaining context) applies and nothing is added.
    """
    if reserve <= 0:
        return
    for field in ("max_completion_tokens", "max_tokens"):
        value = body.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            body[field] = value + reserve
