"""Token usage normalised across providers.

OpenAI-compatible servers report `prompt_tokens` *including* cached tokens; Anthropic reports
`input_tokens` *excluding* cache reads and cache writes. Everything downstream (cost, metrics,
the `usage` we return) uses this one normalised shape, OpenAI's convention.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts in OpenAI's convention: `prompt_tokens` includes cached and cache-written tokens,
    `completion_tokens` includes reasoning tokens."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_prompt_tokens: int = 0
    cache_creation_tokens: int = 0
    reasoning_tokens: int = 0
    #: Of `cache_creation_tokens`, those written to Anthropic's 1-hour cache (`cache_control.ttl: "1h"`), priced apart.
    cache_creation_1h_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cached_prompt_tokens + other.cached_prompt_tokens,
            self.cache_creation_tokens + other.cache_creation_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
            self.cache_creation_1h_tokens + other.cache_creation_1h_tokens,
        )

    @classmethod
    def from_openai(cls, usage: Mapping[str, Any] | None) -> Usage:
        """OpenAI's usage object. Some OpenAI-compatible APIs (Gemini's, xAI's) leave the reasoning out of
        `completion_tokens` though they bill it, and count it in `total_tokens`: the completion is then the total
        less the prompt (without a total, reasoning above the completion is added to it). DeepSeek's API names its
        cache hits `prompt_cache_hit_tokens` (priced at a tenth or less), not `prompt_tokens_details.cached_tokens`; a LiteLLM
        proxy in front of Claude writes Anthropic's `cache_read_input_tokens` / `cache_creation_input_tokens` beside OpenAI's
        fields (its cache writes were priced as plain input)."""
        if not isinstance(usage, Mapping):
            return cls()
        prompt_details = usage.get("prompt_tokens_details") or {}
        completion_details = usage.get("completion_tokens_details") or {}
        prompt_details = prompt_details if isinstance(prompt_details, Mapping) else {}
        prompt, completion, total = _int(usage.get("prompt_tokens")), _int(usage.get("completion_tokens")), _int(usage.get("total_tokens"))
        reasoning = _int(completion_details.get("reasoning_tokens")) if isinstance(completion_details, Mapping) else 0
        if total > prompt + completion:
            completion = total - prompt
        elif not total and reasoning > completion:
            completion += reasoning
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            cached_prompt_tokens=_int(prompt_details.get("cached_tokens")) or min(
                _int(usage.get("prompt_cache_hit_tokens")) or _int(usage.get("cache_read_input_tokens")), prompt),
            cache_creation_tokens=(written := _int(prompt_details.get("cache_write_tokens")) or min(_int(usage.get("cache_creation_input_tokens")), prompt)),
            reasoning_tokens=reasoning,
            cache_creation_1h_tokens=min(_int(prompt_details.get("cache_write_1h_tokens")), written),
        )

    @classmethod
    def from_anthropic(cls, usage: Mapping[str, Any] | None, reasoning_tokens: int = 0) -> Usage:
        if not isinstance(usage, Mapping):
            return cls()
        cache_read = _int(usage.get("cache_read_input_tokens"))
        cache_write = _int(usage.get("cache_creation_input_tokens"))
        by_ttl = usage.get("cache_creation")  # {ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}
        written_1h = _int(by_ttl.get("ephemeral_1h_input_tokens")) if isinstance(by_ttl, Mapping) else 0
        return cls(
            prompt_tokens=_int(usage.get("input_tokens")) + cache_read + cache_write,
            completion_tokens=_int(usage.get("output_tokens")),
            cached_prompt_tokens=cache_read,
            cache_creation_tokens=cache_write,
            reasoning_tokens=reasoning_tokens,
            cache_creation_1h_tokens=min(written_1h, cache_write),
        )

    def by_kind(self) -> dict[str, int]:
        """The counts as `router_tokens_total` and the decision log name them (prompt includes cached_prompt and
        cache_write, cache_write includes cache_write_1h — priced apart, so the cost can be derived from the counts;
        completion includes reasoning)."""
        return {"prompt": self.prompt_tokens, "cached_prompt": self.cached_prompt_tokens, "cache_write": self.cache_creation_tokens,
                "cache_write_1h": self.cache_creation_1h_tokens, "completion": self.completion_tokens, "reasoning": self.reasoning_tokens}

    def to_openai(self) -> dict[str, Any]:
        """The `usage` object of an OpenAI chat completion (`cache_write_tokens` when some were written: an Anthropic
        upstream's cache writes, priced apart, reach a client and the Messages and Responses usage)."""
        prompt_details: dict[str, int] = {"cached_tokens": self.cached_prompt_tokens}
        if self.cache_creation_tokens:
            prompt_details["cache_write_tokens"] = self.cache_creation_tokens
        if self.cache_creation_1h_tokens:  # of them, to the 1-hour cache: the Messages usage splits them by TTL
            prompt_details["cache_write_1h_tokens"] = self.cache_creation_1h_tokens
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "prompt_tokens_details": prompt_details,
            "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
        }
