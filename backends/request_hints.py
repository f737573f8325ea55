"""What a route knows about a request that its chat body cannot say, carried beside the body, never in it.

An ingress that translates another API (router/anthropic_api.py, responses_api.py) learns facts the chat format has no
field for; typed here, they ride on the request's server-side context (`RequestContext.hints`, router/api.py
`Wire.hints`) to the code that acts on them, instead of keys in the client's dict that every upstream body must shed
and no client may send (they were `_router_…` keys, dropped from every client's body). A client's fields are all its
own, forwarded whatever their name. A leaf module: the adapters and dialects that read a hint import nothing of the
router's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestHints:
    """One request's hints; the defaults are a plain chat client's."""

    #: The conversation ends with the client's assistant prefill (a Messages client's), which the model must continue,
    #: not answer anew (`ReasoningDialect.carry_history`).
    prefill: bool = False
    #: The client marked prompt-cache breakpoints (`cache_control`, kept on the chat parts as LiteLLM writes them, which
    #: an Anthropic upstream reads back): an upstream that reads none gets the parts without them
    #: (`Backend.settle_request`).
    cache_marks: bool = False
    #: What a Messages client asked of Anthropic itself, which only an Anthropic upstream is sent
    #: (backends/anthropic_request.py): its `anthropic-beta` flags (interleaved thinking, 1M context, …: without them
    #: such requests fail or lose the feature), beside the backend's own, and its `metadata.user_id`, which OpenAI's
    #: `user` cannot carry (64 characters at most; Claude Code's is longer).
    betas: tuple[str, ...] = ()
    user_id: str | None = None
    #: The client's cap is the upstream's whole, reasoning included (Anthropic's `max_tokens` with thinking on, the
    #: Responses API's `max_output_tokens`), not the answer's to which the thinking reserve is added: an effort whose
    #: reserve would fill it is lowered instead (router/upstream_fields.py).
    cap_includes_reasoning: bool = False
    #: The client's `reasoning_effort` is its own API's effort translated (a Messages client's `thinking` or
    #: `output_config.effort`): sent as the nearest the model takes even to a model named directly, as on every routed
    #: request (Claude Code's `max` to gpt-oss is `high`, not the 400 a chat client naming an effort the model lacks
    #: gets, as from vLLM).
    effort_translated: bool = False
    #: The effort a model named directly gets when the client asked for thinking but named none (Anthropic's adaptive
    #: thinking: its default, high); a routed request keeps its tier's.
    default_effort: str | None = None


#: A request whose route knows nothing beyond its chat body (chat and text completions; a judge's call; the offline
#: `route`, `score` and `calibrate` commands, which have no request).
NO_HINTS = RequestHints()
