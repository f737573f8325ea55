"""Configuration sections for operations: per-key limits, shared state, the decision log, reload.

They live here, not in `router.config`, so the operations code owns its schema; `RouterConfig`
embeds them as `limits`, `state`, `decision_log` and `reload` and calls `check_operations`
for the cross-references (tiers, API keys) once the whole file is parsed.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

if TYPE_CHECKING:
    from router.config import RouterConfig

ANONYMOUS = "anonymous"  # the key id of every client when `server.api_keys` is empty
KEY_ID_LENGTH = 8
_KEY_ID = re.compile(r"^[0-9a-f]{8}$")


def key_id(token: str) -> str:
    """The public id of an API key: the first 8 hex digits of its SHA-256 (never the key itself)."""
    return hashlib.sha256(token.encode()).hexdigest()[:KEY_ID_LENGTH]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LimitRule(_Strict):
    """Limits for one API key; an unset field inherits `limits.default`, `null` means unlimited."""

    requests_per_minute: int | None = Field(None, ge=1)
    tokens_per_minute: int | None = Field(None, ge=1, description="prompt + completion tokens, sliding minute")
    budget_usd: float | None = Field(None, gt=0, description="spend allowed per budget_period (UTC)")
    budget_period: Literal["day", "month"] = "day"
    over_budget: Literal["reject", "downgrade"] = Field("reject", description="429, or route to downgrade_tier instead")
    downgrade_tier: str | None = Field(None, description="tier used over budget (default: the cheapest tier)")
    count_requests_per_minute: int | None = Field(
        None, ge=1, description="token counts (/v1/messages/count_tokens, /v1/responses/input_tokens) per sliding minute, apart from "
        "requests_per_minute (as Anthropic limits counting apart from messages); unset: as many as requests_per_minute: router/count_limits.py")

    def merged_over(self, default: LimitRule) -> LimitRule:
        """This override with every field it does not set taken from `default`."""
        return default.model_copy(update={name: getattr(self, name) for name in self.model_fields_set})

    @property
    def unlimited(self) -> bool:
        """No limit on the key's routed requests (its token counts have their own: `count_limit`)."""
        return self.requests_per_minute is None and self.tokens_per_minute is None and self.budget_usd is None

    @property
    def count_limit(self) -> int | None:
        """The key's token counts a minute: `count_requests_per_minute` where set (null: unlimited), else its requests'
        number — in a bucket of their own, so a key limited in requests can no longer tokenize without limit."""
        return self.count_requests_per_minute if "count_requests_per_minute" in self.model_fields_set else self.requests_per_minute


class LimitsConfig(_Strict):
    """`limits:` — a default rule for every key plus per-key overrides by key id."""

    default: LimitRule = Field(default_factory=LimitRule)
    keys: dict[str, LimitRule] = Field(default_factory=dict, description="key id (first 8 hex of sha256(key)) -> overrides")

    @field_validator("keys")
    @classmethod
    def _key_ids(cls, keys: dict[str, LimitRule]) -> dict[str, LimitRule]:
        for name in keys:
            if name != ANONYMOUS and not _KEY_ID.match(name):
                raise ValueError(f"limit key {name!r} is not a key id (8 lowercase hex digits of sha256(key), or 'anonymous')")
        return keys

    def rule_for(self, key: str) -> LimitRule:
        override = self.keys.get(key)
        return self.default if override is None else override.merged_over(self.default)

    @property
    def enabled(self) -> bool:
        rules = [self.default, *map(self.rule_for, self.keys)]
        return any(not rule.unlimited or rule.count_limit is not None for rule in rules)


#: The schemes redis-py's `Redis.from_url` takes.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class StateConfig(_Strict):
    """`state:` — where limit counters live: this process (default) or Redis, shared by replicas."""

    redis_url: SecretStr | None = Field(None, description="redis://[:password@]host:port/db; unset: in memory")
    on_redis_error: Literal["open", "closed"] = Field("open", description="open: serve without limits; closed: refuse with 503")
    key_prefix: str = Field("complexity-router", min_length=1)
    timeout_seconds: float = Field(0.25, gt=0, description="per Redis command (connect and read)")
    retry_seconds: float = Field(1.0, ge=0, description="after a Redis failure, apply on_redis_error without trying for this long")
    max_connections: int = Field(64, ge=1, description="Redis connections per worker; a call waits up to timeout_seconds for a free one")

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, url: SecretStr | None) -> SecretStr | None:
        """A URL the Redis client takes (caught by check-config, not by a traceback when serve starts; never echoed)."""
        if url is not None and not url.get_secret_value().startswith(REDIS_SCHEMES):
            raise ValueError(f"redis_url must start with {', '.join(REDIS_SCHEMES)} (an empty value is a variable set to nothing)")
        return url


class DecisionLogConfig(_Strict):
    """`decision_log:` — one JSON line per request, size-rotated; disabled while `path` is unset."""

    path: str | None = None
    max_bytes: int = Field(100 * 1024 * 1024, ge=0, description="rotate past this size (0: never)")
    backups: int = Field(5, ge=0, description="rotated files kept: PATH.1 … PATH.N")
    log_prompts: bool = Field(False, description="also write the request messages (off: only their SHA-256)")


class ReloadConfig(_Strict):
    """`reload:` — SIGHUP always reloads; `watch` also polls the config file for changes."""

    watch: bool = False
    interval_seconds: float = Field(2.0, gt=0)


def check_operations(config: RouterConfig) -> None:
    """Cross-references the sections above make into the rest of the configuration."""
    tiers = list(config.tiers)
    rules = {"limits.default": config.limits.default} | {f"limits.keys.{name}": rule for name, rule in config.limits.keys.items()}
    for path, rule in rules.items():
        if rule.downgrade_tier is not None and rule.downgrade_tier not in config.tiers:
            raise ValueError(f"@{path}.downgrade_tier: no tier named {rule.downgrade_tier!r} (tiers: {', '.join(tiers)})")
    # an override no client can reach is an error: with keys, an id none of them has (and "anonymous"); without, any
    # id but "anonymous", the one every client then is (it was accepted, and silently dead)
    digests = config.server.key_digests()
    known = {digest.hex()[:KEY_ID_LENGTH] for digest in digests} if digests else {ANONYMOUS}
    for name in config.limits.keys:
        if name not in known:
            why = ("no key in server.api_keys has this id" if digests else
                   f"server.api_keys is empty, so every client is {ANONYMOUS!r}: only limits.keys.{ANONYMOUS} applies")
            raise ValueError(f"@limits.keys.{name}: {why}")
