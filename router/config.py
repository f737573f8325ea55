"""The typed configuration: one YAML file, validated completely at start-up.

Unknown keys and impossible combinations fail at load with the dotted path of the bad key;
values are never echoed back, so a mistyped secret does not end up in a log.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from backends.base import Backend, BackendConfig
from backends.reasoning import DIALECTS, EFFORTS, Effort, UnsupportedEffortError
from backends.registry import BACKEND_KINDS
from router.envexpand import MissingVariableError, expand_tree
from router.opsconfig import DecisionLogConfig, LimitsConfig, ReloadConfig, StateConfig, check_operations
from router.price_config import LongContextPrices, ServiceTierPrices, check_long_context_tiers
from router.ttc_config import EscalateOn, StrategyConfig, UnderLoad, check_test_time_compute

DIRECT_TIER = "direct"  # metrics label for requests that name a model instead of a tier
#: Environment variable naming the config file when a command gets no ``--config``.
CONFIG_ENV = "COMPLEXITY_ROUTER_CONFIG"
#: The copy of the config `serve --workers N`'s parent last accepted, which its workers start from (router/supervisor.py).
SNAPSHOT_ENV = "COMPLEXITY_ROUTER_CONFIG_SNAPSHOT"
#: How far the tiers' expected_share values may add up from 1 (calibrate writes four decimals each).
SHARE_TOLERANCE = 0.01
#: The checkout's default config, relative to the working directory.
LOCAL_DEFAULT_CONFIG = Path("configs/default.yaml")
#: ``--config`` help of every command that reads this config (``default_config_path``).
#: Set by `serve` to its host when it binds beyond loopback without `--insecure-no-auth`: every config it runs — the first,
#: each reload, a worker's — must name `server.api_keys` (a reload that emptied them opened a running gateway to anyone).
OPEN_BIND_ENV = "COMPLEXITY_ROUTER_OPEN_BIND"
CONFIG_HELP = f"the config file (default: ${CONFIG_ENV}, else ./{LOCAL_DEFAULT_CONFIG}, else the packaged default)"


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the offending key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServerConfig(_Strict):
    api_keys: list[SecretStr] = Field(default_factory=list, description="bearer keys, plain or 'sha256:<hex>'")
    max_body_bytes: int = Field(32 * 1024 * 1024, ge=1024)
    max_concurrency: int = Field(1024, ge=1, description="in-flight requests before 503")
    drain_seconds: float = Field(30.0, ge=0)
    client_stall_seconds: float | None = Field(
        60.0, gt=0, description="a stream whose client has read nothing for this long (a write still waiting) ends as if the client "
        "left: its slot and its upstream are freed (nginx's send_timeout); null: never")
    client_body_timeout_seconds: float | None = Field(
        60.0, gt=0, description="a request body that sends nothing more for this long is a 408 (nginx's client_body_timeout): "
        "a body that stops arriving held its connection and buffer for ever; null: never")
    cors_origins: list[str] = Field(
        default_factory=list, description="origins a browser app may call the gateway from (CORS; '*' for any, as vLLM's default); "
        "empty: no CORS headers. Read at start (a reload keeps the first)")

    @field_validator("api_keys")
    @classmethod
    def _check_hashed_keys(cls, keys: list[SecretStr]) -> list[SecretStr]:
        checked = []
        for index, key in enumerate(keys):
            value = key.get_secret_value().strip()  # as a client's token is read: a key file's trailing newline matched nothing
            if not value:
                raise ValueError(f"@server.api_keys[{index}]: empty key")
            if not value.isascii() or not value.isprintable() or " " in value:
                raise ValueError(f"@server.api_keys[{index}]: a key is printable ASCII without spaces (a header carries no other)")
            if value.startswith("sha256:") and not _is_sha256_hex(value[7:]):
                raise ValueError(f"@server.api_keys[{index}]: a hashed key is 'sha256:' followed by 64 hex digits")
            checked.append(SecretStr(value))
        return checked

    def key_digests(self) -> list[bytes]:
        """SHA-256 digests of the accepted keys, so plain and hashed keys compare alike."""
        digests = []
        for key in self.api_keys:
            value = key.get_secret_value()
            if value.startswith("sha256:"):
                digests.append(bytes.fromhex(value[7:]))
            else:
                digests.append(hashlib.sha256(value.encode()).digest())
        return digests


class ModelConfig(_Strict):
    """A model on a backend; prices in USD per million tokens (None: unknown, cost is null)."""

    backend: str
    upstream_name: str | None = None
    reasoning: str = "none"
    input: float | None = Field(None, ge=0)
    cached_input: float | None = Field(None, ge=0)
    cache_write: float | None = Field(None, ge=0)
    cache_write_1h: float | None = Field(None, ge=0, description="writes to Anthropic's 1-hour prompt cache (cache_control.ttl: 1h); unset: cache_write")
    output: float | None = Field(None, ge=0)
    context_window: int | None = Field(None, ge=1)
    max_output_tokens: int | None = Field(None, ge=1)
    chars_per_token: float | None = Field(None, gt=0, le=20, description="prompt-count estimate when no tokenizer is installed (router/context.py)")
    service_tiers: dict[str, ServiceTierPrices] = Field(
        default_factory=dict, description="prices by the `service_tier` the upstream says it served (else the one asked): router/pricing.py")
    long_context: LongContextPrices | None = Field(
        None, description="prices of a call whose prompt passes above_prompt_tokens (a provider's long-context rates): router/pricing.py")
    efforts: list[Effort] | None = Field(
        None, description="the efforts this model takes (o4-mini, o3: [low, medium, high]; GPT-5.2: [none, low, medium, high, "
        "xhigh]; Claude Opus 4.6: [none, low, medium, high, max]): a client's effort routed here is sent as the nearest of them, "
        "as it is to a family that lacks it. Unset: its dialect's — for reasoning: openai up to high, as most OpenAI models refuse "
        "xhigh and max by name")
    drop_fields: list[str] | None = Field(
        None, description="request fields this model refuses (a 400), left out of what it is sent: a client routed by score cannot "
        "know which model it reaches. Unset: its reasoning dialect's (reasoning: openai — temperature, top_p, the penalties, "
        "logprobs, top_logprobs, logit_bias, stop, which o-series and GPT-5 refuse); [] sends every field")

    @property
    def refused_fields(self) -> Sequence[str]:
        """The request fields left out of what this model is sent (`Gateway.upstream_body`), which the estimate then
        does not price either (router/estimate.py `sent_service_tier`): its `drop_fields`, else its dialect's."""
        return DIALECTS[self.reasoning].refused_fields if self.drop_fields is None else self.drop_fields

    @model_validator(mode="after")
    def _check_prices(self) -> ModelConfig:
        check_long_context_tiers(self.long_context, self.service_tiers)
        return self


class TierConfig(_Strict):
    """A reasoning-effort tier: a model plus how hard it should think."""

    model: str
    effort: Effort = "none"
    thinking_budget: int | None = Field(None, ge=1)
    max_score: float | None = Field(None, ge=0, le=1)
    expected_share: float | None = Field(
        None, ge=0, le=1,
        description="share of classifier-routed requests the thresholds were calibrated to send here (calibrate --write); "
        "exported as router_tier_expected_share for the tier-mix drift alert",
    )
    fallbacks: list[str] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict, description="request defaults the client can override")
    strategy: StrategyConfig | None = None  # self_consistency / best_of_n (router/strategies)
    escalate_to: str | None = None  # a tier to hand the request to (router/escalation.py)
    escalate_on: EscalateOn = Field(default_factory=EscalateOn)
    under_load: UnderLoad | None = None  # when the model's backend is under pressure (router/loadknob.py)

    @property
    def upper_bound(self) -> float:
        return 1.0 if self.max_score is None else self.max_score


class EmbeddingConfig(_Strict):
    """The optional embedding extra: answer-token estimates corrected by a sentence embedding
    (classifiers/embedding.py). Only the estimate changes; the score and the tier do not."""

    model: str = Field(description="a sentence-transformers model directory on disk (all-MiniLM-L6-v2 for the default head); never downloaded")
    head: str = Field("default", description="'default' (fitted on all-MiniLM-L6-v2) or a head written by `complexity-router train-embedding`")
    threads: int = Field(1, ge=1, le=64, description="CPU threads the embedding uses; one leaves the other cores to the event loop")
    timeout_ms: float = Field(250.0, gt=0, description="past this wait the request is priced with the default estimate")
    max_pending: int = Field(8, ge=1, description="requests waiting for an embedding; beyond it the default estimate, at once")


class ClassifierConfig(_Strict):
    artifact: str = "default"
    embedding: EmbeddingConfig | None = None

    def loaded_from(self) -> tuple[str, ...]:
        """What loading the classifier reads: a reload that changes none of it keeps the loaded one
        (a new `timeout_ms` is no reason to load a model again)."""
        e = self.embedding
        return (self.artifact,) if e is None else (self.artifact, e.model, e.head, str(e.threads))


class RetryBudgetConfig(_Strict):
    """Extra attempts allowed over a sliding window (router/resilience.py)."""

    ratio: float = Field(0.2, ge=0, le=10, description="retries at most this fraction of the requests in the window")
    min_per_second: float = Field(3.0, ge=0, description="retries always allowed per second of window, however few the requests")
    window_seconds: float = Field(10.0, ge=1, le=600)


class RoutingConfig(_Strict):
    fallback_to_next_tier: bool = Field(False, description="after a tier's fallbacks, try the next tier up")
    max_attempts: int = Field(3, ge=1, le=10)
    retry_budget: RetryBudgetConfig = Field(default_factory=RetryBudgetConfig)
    max_retry_after_seconds: float = Field(300.0, gt=0, description="cap on how long a provider's 429 Retry-After keeps its backend skipped")
    min_completion_tokens: int = Field(256, ge=1, description="answer room the context check assumes when the client sets no max_tokens")
    client_reasoning_effort: Literal["honor", "ignore"] = Field(
        "honor", description="a client's reasoning_effort (or Anthropic thinking / output_config.effort) on a routed request: "
        "honor it over the tier's effort, or ignore it and keep the tier's (a model named directly always honors it)")


class RouterConfig(_Strict):
    server: ServerConfig = Field(default_factory=ServerConfig)
    backends: dict[str, BackendConfig]
    models: dict[str, ModelConfig]
    tiers: dict[str, TierConfig]
    classifier: ClassifierConfig = Field(default_factory=ClassifierConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    state: StateConfig = Field(default_factory=StateConfig)
    decision_log: DecisionLogConfig = Field(default_factory=DecisionLogConfig)
    reload: ReloadConfig = Field(default_factory=ReloadConfig)

    @model_validator(mode="after")
    def _check_references(self) -> RouterConfig:
        for name, backend in self.backends.items():
            if backend.kind not in BACKEND_KINDS:
                raise _at(f"backends.{name}.kind", f"unknown backend kind {backend.kind!r} (known: {', '.join(BACKEND_KINDS)})")
        for name, model in self.models.items():
            if model.backend not in self.backends:
                raise _at(f"models.{name}.backend", f"no backend named {model.backend!r}")
            if model.reasoning not in DIALECTS:
                raise _at(f"models.{name}.reasoning", f"unknown reasoning dialect {model.reasoning!r} (known: {', '.join(DIALECTS)})")
            unknown = [effort for effort in model.efforts or () if effort not in DIALECTS[model.reasoning].efforts]
            if unknown or model.efforts == []:
                raise _at(f"models.{name}.efforts", f"reasoning dialect {model.reasoning!r} cannot express {', '.join(unknown) or 'an empty list'}")
        if not self.tiers:
            raise _at("tiers", "at least one tier is required")
        previous = -1.0
        names = list(self.tiers)
        for index, (name, tier) in enumerate(self.tiers.items()):
            self._check_tier(name, tier, last=index == len(names) - 1)
            unreachable_top = index == len(names) - 1 and previous == 1.0  # the tier below takes every score (calibrated share 0)
            if tier.upper_bound <= previous and not unreachable_top:
                raise _at(f"tiers.{name}.max_score", "max_score must increase from the cheapest tier to the most expensive")
            previous = tier.upper_bound
        self._check_expected_shares()
        check_operations(self)
        check_test_time_compute(self)
        return self

    def _check_tier(self, name: str, tier: TierConfig, *, last: bool) -> None:
        if name.startswith("auto") or name == DIRECT_TIER or ":" in name:
            raise _at(f"tiers.{name}", "tier names may not contain ':' or be 'auto…'/'direct'")
        if name in self.models:
            raise _at(f"tiers.{name}", "a tier may not share its name with a model")
        if tier.model not in self.models:
            raise _at(f"tiers.{name}.model", f"no model named {tier.model!r}")
        if tier.max_score is None and not last:
            raise _at(f"tiers.{name}.max_score", "only the last tier may omit max_score")
        try:
            DIALECTS[self.models[tier.model].reasoning].check(tier.effort, tier.thinking_budget)
        except UnsupportedEffortError as exc:
            raise _at(f"tiers.{name}.effort", f"model {tier.model!r}: {exc}") from None
        if tier.effort not in self.efforts(tier.model):
            listed = ", ".join(e for e in EFFORTS if e in self.efforts(tier.model))
            raise _at(f"tiers.{name}.effort", f"model {tier.model!r} is not known to take {tier.effort!r} (its efforts: {listed}); "
                      f"list it in models.{tier.model}.efforts if it does")
        for index, fallback in enumerate(tier.fallbacks):
            if fallback not in self.models:
                raise _at(f"tiers.{name}.fallbacks[{index}]", f"no model named {fallback!r}")
            if tier.effort not in self.efforts(fallback):
                raise _at(f"tiers.{name}.fallbacks[{index}]", f"model {fallback!r} cannot express effort {tier.effort!r}")

    def _check_expected_shares(self) -> None:
        """Calibrated shares describe one split of the traffic: every tier has one, and they add up to 1."""
        shares = {name: tier.expected_share for name, tier in self.tiers.items()}
        given = {name: share for name, share in shares.items() if share is not None}
        if not given:
            return
        missing = [name for name, share in shares.items() if share is None]
        if missing:
            raise _at(f"tiers.{missing[0]}.expected_share", "set expected_share on every tier or on none (calibrate --write sets all)")
        total = sum(given.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise _at("tiers", f"the tiers' expected_share values add up to {total:.3f}, not 1")

    def expected_shares(self) -> dict[str, float]:
        """Each tier's calibrated share of classifier-routed requests; empty when not calibrated."""
        return {name: tier.expected_share for name, tier in self.tiers.items() if tier.expected_share is not None}

    def upstream_name(self, model: str) -> str:
        return self.models[model].upstream_name or model

    def adapter(self, model: str) -> type[Backend]:
        """The adapter class that serves ``model`` (its backend's `kind`): what it sends, asked before any call."""
        return BACKEND_KINDS[self.backends[self.models[model].backend].kind]

    def keyless_https_backends(self) -> list[str]:
        """Backends reached over https with no credential (no `api_key`, or one whose `${VAR:-}` expanded empty, and no
        `headers`): a provider's API refuses every request to them, which `serve` and `check-config` say at once rather
        than at the first request routed there (a 401 turned into a 502)."""
        return [name for name, backend in self.backends.items()
                if backend.base_url.lower().startswith("https://") and not backend.headers
                and (backend.api_key is None or not backend.api_key.get_secret_value().strip())]

    def efforts(self, model: str) -> frozenset[str]:
        """The efforts ``model`` takes: its own list (`models.NAME.efforts`), else those its dialect assumes (all, but up to
        high for `openai`: `ReasoningDialect.assumed_efforts`)."""
        own = self.models[model].efforts
        return frozenset(own) if own else DIALECTS[self.models[model].reasoning].assumed_efforts


def _is_sha256_hex(text: str) -> bool:
    return len(text) == 64 and all(char in "0123456789abcdefABCDEF" for char in text)


def _at(path: str, message: str) -> ValueError:
    return ValueError(f"@{path}: {message}")


def parse_config(data: Any, env: Mapping[str, str] | None = None) -> RouterConfig:
    """Validate already-parsed YAML data (after `${VAR}` expansion) into a `RouterConfig`."""
    if not isinstance(data, dict):
        raise ConfigError("the configuration must be a YAML mapping")
    env = os.environ if env is None else env
    try:
        config = RouterConfig.model_validate(expand_tree(data, env))
    except MissingVariableError as exc:
        raise ConfigError(str(exc)) from None
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    if env.get(OPEN_BIND_ENV) and not config.server.api_keys:
        raise ConfigError(f"refusing to listen on {env[OPEN_BIND_ENV]} without authentication: set server.api_keys, bind to 127.0.0.1, "
                          "or pass --insecure-no-auth")
    return config


def packaged_default_config() -> Path:
    """The copy of ``configs/default.yaml`` installed with the package (``router/configs`` links
    to it in a checkout; a wheel holds the file itself)."""
    return Path(__file__).resolve().parent / "configs" / "default.yaml"


def default_config_path(env: Mapping[str, str] | None = None) -> str:
    """The config a command uses without ``--config``: ``$COMPLEXITY_ROUTER_CONFIG``, else
    ``configs/default.yaml`` in the working directory (a checkout), else the packaged copy, so
    ``complexity-router score`` works after a plain ``pip install``."""
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV):
        return env[CONFIG_ENV]
    if LOCAL_DEFAULT_CONFIG.is_file():
        return str(LOCAL_DEFAULT_CONFIG)
    return str(packaged_default_config())


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> RouterConfig:
    """Read and validate a YAML config file."""
    return parse_config(read_config_data(path), env)


def read_config_data(path: str | Path) -> Any:
    """A config file's YAML, parsed: not yet expanded nor validated."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: invalid YAML{where}") from None
    return data


def one_line(message: str) -> str:
    """A multi-line message (a `ConfigError` names each bad key on a line) as one log line: "; " between its lines, a
    space after a line that ends in ":" ("invalid configuration: tiers.low.model: …", not ":; ")."""
    out = ""
    for line in filter(None, map(str.strip, message.splitlines())):
        out += line if not out else (" " if out.endswith(":") else "; ") + line
    return out


def _describe(exc: ValidationError) -> str:
    """Error lines as `dotted.path: message`, without the offending values."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        path = ".".join(str(part) for part in error["loc"])
        message = error["msg"]
        if message.startswith("Value error, @"):
            path, _, message = message[len("Value error, @") :].partition(": ")
        elif error["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{path or '<root>'}: {message}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


__all__ = [
    "DIRECT_TIER",
    "EFFORTS",
    "BackendConfig",
    "ClassifierConfig",
    "ConfigError",
    "ModelConfig",
    "RouterConfig",
    "ServerConfig",
    "TierConfig",
    "load_config",
    "parse_config",
]
