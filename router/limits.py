"""Per-API-key limits: requests per minute, tokens per minute and a USD budget per day or month.

Rates use a sliding-window counter (the previous minute's count weighted by how much of it
still overlaps the last 60 s, plus the current minute's): as smooth as a log of timestamps,
two integers per key and minute. Budgets are a float per key and UTC day or month.

Counters live in a `LimitStore`: `MemoryStore` for one process (the default), `RedisStore`
when `state.redis_url` is set (router/limits_redis.py), so that every replica enforces the same limits. A Redis check
is one Lua script: read, decide and increment happen atomically on the server, and every key
carries a TTL, so nothing needs cleaning up. When Redis is unreachable the limiter fails open
(serve, unmetered) or closed (503), as `state.on_redis_error` says.

Tokens are reserved when a request is admitted (the prompt estimate) and settled when it
finishes (the real prompt + completion tokens); spend is added when the cost is known. So a
burst of concurrent requests can overshoot the budget by what those requests cost — the same
trade every gateway that meters after the fact makes.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
import math
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from router.decision import usd
from router.opsconfig import LimitRule, LimitsConfig, StateConfig
from router.protocol import APIError

log = logging.getLogger("complexity_router.limits")

WINDOW_SECONDS = 60
COUNTER_TTL = 2 * WINDOW_SECONDS + 10  # the current and the previous minute are read
DAY_TTL = 2 * 86400
MONTH_TTL = 35 * 86400

OK, OVER_REQUESTS, OVER_TOKENS, OVER_BUDGET = 0, 1, 2, 3
#: A refusal this process made is repeated before the next request's body is read for at most this long (see
#: `Limiter.refuse_held`), and ends this much before the moment the store would admit the key again (clocks differ).
HOLD_MAX_SECONDS = 60.0
HOLD_MARGIN_SECONDS = 1.0
#: The header both SDKs (openai, anthropic) obey before any status rule: "false" raises at once, no retry.
SHOULD_RETRY = "x-should-retry"
#: Spend within this of a budget has reached it: ten $0.10 requests add up to 0.9999999999999999 in a double, and to
#: 1.0 in Redis' long double (both stores must decide alike).
BUDGET_TOLERANCE_USD = 1e-9


class LimitRefusal(APIError):
    """A request refused by a per-key limit: `limit` names it (requests, tokens, budget, count_requests, unavailable) for
    the decision log's `limited` line; the client sees only the APIError (its body and headers)."""

    def __init__(self, limit: str, status: int, message: str, **fields: Any) -> None:
        super().__init__(status, message, **fields)
        self.limit = limit


class LimitStoreUnavailable(Exception):
    """The shared store could not be reached (Redis down, timed out, refused)."""


class LimitStoreSkipped(LimitStoreUnavailable):
    """The store was not tried: it failed moments ago (`state.retry_seconds`)."""


@dataclass(frozen=True, slots=True)
class Counts:
    """What the store saw for one key when admitting: status plus the counters it decided on."""

    status: int
    requests_now: float
    requests_before: float
    tokens_now: float
    tokens_before: float
    spent_usd: float
    window: int = -1  # the minute the request was admitted in (the store's clock): its token correction goes there
    now: float | None = None  # the store's clock (Redis' TIME): how far into its minute it decided, for the wait


@dataclass(slots=True)
class Admission:
    """A request let through: which key, what was reserved, and whether it must go to a cheaper tier."""

    key_id: str
    rule: LimitRule | None = None
    reserved_tokens: int = 0
    max_tier: str | None = None
    period_id: str = ""
    window: int = -1  # the minute of the reservation (-1: none): `record` corrects that minute, not the one it ends in


def reached(spent: float, budget: float) -> bool:
    return spent >= budget - BUDGET_TOLERANCE_USD


def correction_window(window: int, now_window: int, tokens: int) -> tuple[int, int]:
    """Where a token correction goes, and how much of it: the admission's minute while the limit still reads it (this
    one or the last), so a negative correction takes back that minute's reservation, not other requests' tokens in a
    later one; after that, a positive correction counts now and a negative one has nothing left to take back."""
    if now_window - 1 <= window <= now_window:
        return window, tokens
    return now_window, max(tokens, 0)


def budget_period_id(period: str, now: float) -> str:
    moment = datetime.fromtimestamp(now, UTC)
    return f"d{moment:%Y-%m-%d}" if period == "day" else f"m{moment:%Y-%m}"


def seconds_to_period_end(period: str, now: float) -> float:
    moment = datetime.fromtimestamp(now, UTC)
    if period == "day":
        end = datetime(moment.year, moment.month, moment.day, tzinfo=UTC).timestamp() + 86400
    else:
        days = calendar.monthrange(moment.year, moment.month)[1]
        end = datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp() + days * 86400
    return max(1.0, end - now)


def sliding_wait(now_count: float, before_count: float, elapsed_fraction: float, limit: float, cost: float) -> float:
    """Seconds until `cost` more fits under `limit` if nothing else arrives (sliding-window counter)."""
    elapsed = elapsed_fraction * WINDOW_SECONDS
    room = limit - cost
    if room < 0:
        return math.inf
    if now_count > room:
        # Wait for the next minute, then for this minute's count to slide out far enough.
        return (WINDOW_SECONDS - elapsed) + WINDOW_SECONDS * max(0.0, 1 - room / now_count)
    if before_count <= 0:
        return 0.0
    return max(0.0, WINDOW_SECONDS * (1 - (room - now_count) / before_count) - elapsed)


def requests_wait(counts: Counts, now: float, limit: int) -> float:
    """Seconds until one more request fits under `limit`, read on the store's clock (how far into its minute it decided)."""
    _, fraction = _window(counts.now if counts.now is not None else now)
    return sliding_wait(counts.requests_now, counts.requests_before, fraction, limit, 1)


class LimitStore(ABC):
    """Atomic check-and-reserve plus settle, per key id."""

    @abstractmethod
    async def admit(
        self, key: str, now: float, rpm: int | None, tpm: int | None, tokens: int, budget: float | None, period_id: str, reject_over_budget: bool
    ) -> Counts: ...

    @abstractmethod
    async def record(self, key: str, now: float, tokens: int, cost: float, period_id: str, window: int = -1) -> None: ...

    async def aclose(self) -> None:
        return None

    async def probe(self) -> bool | None:
        """Whether the shared store answers now (`/readyz` reports it; it gates nothing: every replica shares it, and
        its outage taking them all out of their Service would turn `on_redis_error` into no answer at all); None for
        a store in this process."""
        return None

    def describe(self) -> str:
        return type(self).__name__


def _window(now: float) -> tuple[int, float]:
    index = int(now // WINDOW_SECONDS)
    return index, (now - index * WINDOW_SECONDS) / WINDOW_SECONDS


def period_ttl(period_id: str) -> int:
    return DAY_TTL if period_id.startswith("d") else MONTH_TTL


class MemoryStore(LimitStore):
    """Counters in this process: exact for one instance, per process with several workers."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[float, float]] = {}  # name -> (value, expires at)
        self._operations = 0

    def _get(self, name: str, now: float) -> float:
        entry = self._values.get(name)
        if entry is None or entry[1] <= now:
            return 0.0
        return entry[0]

    def _add(self, name: str, amount: float, now: float, ttl: float) -> None:
        self._values[name] = (max(0.0, self._get(name, now) + amount), now + ttl)  # a negative token correction stops at zero

    def _purge(self, now: float) -> None:
        self._operations += 1
        if self._operations % 1024 == 0:
            self._values = {name: entry for name, entry in self._values.items() if entry[1] > now}

    async def admit(
        self, key: str, now: float, rpm: int | None, tpm: int | None, tokens: int, budget: float | None, period_id: str, reject_over_budget: bool
    ) -> Counts:
        self._purge(now)
        index, fraction = _window(now)
        requests_now, requests_before = self._get(f"{key}:req:{index}", now), self._get(f"{key}:req:{index - 1}", now)
        tokens_now, tokens_before = self._get(f"{key}:tok:{index}", now), self._get(f"{key}:tok:{index - 1}", now)
        spent = self._get(f"{key}:usd:{period_id}", now) if period_id else 0.0
        status = OK
        if rpm is not None and requests_before * (1 - fraction) + requests_now + 1 > rpm:
            status = OVER_REQUESTS
        elif tpm is not None and tokens_before * (1 - fraction) + tokens_now + tokens > tpm:
            status = OVER_TOKENS
        elif budget is not None and reject_over_budget and reached(spent, budget):
            status = OVER_BUDGET
        if status == OK:
            if rpm is not None:
                self._add(f"{key}:req:{index}", 1, now, COUNTER_TTL)
            if tpm is not None and tokens:
                self._add(f"{key}:tok:{index}", tokens, now, COUNTER_TTL)
        return Counts(status, requests_now, requests_before, tokens_now, tokens_before, spent, index, now)

    async def record(self, key: str, now: float, tokens: int, cost: float, period_id: str, window: int = -1) -> None:
        index, tokens = correction_window(window, _window(now)[0], tokens)
        if tokens:
            self._add(f"{key}:tok:{index}", tokens, now, COUNTER_TTL)
        if period_id and cost > 0:
            self._add(f"{key}:usd:{period_id}", cost, now, period_ttl(period_id))


def create_store(config: StateConfig) -> LimitStore:
    if config.redis_url is None:
        return MemoryStore()
    from router.limits_redis import RedisStore  # the redis client is imported only when configured

    return RedisStore(config)


def store_signature(config: StateConfig) -> tuple[Any, ...]:
    """What a reload must keep equal to reuse the store (and so its in-memory counters)."""
    if config.redis_url is None:  # in memory: Redis' settings do not matter (a change of one reset every counter)
        return (None,)
    return (config.redis_url.get_secret_value(), config.key_prefix, config.timeout_seconds, config.retry_seconds, config.max_connections)


@dataclass(frozen=True, slots=True)
class _Hold:
    """A refusal repeated until `until` (monotonic), and the moment the store would admit the key (its Retry-After)."""

    until: float
    admits: float
    reason: str
    code: str
    message: str
    headers: dict[str, str]


class Limiter:
    """Applies `limits:` through a store; raises the client-facing 429/503 errors."""

    def __init__(self, limits: LimitsConfig, state: StateConfig, tiers: list[str], store: LimitStore, metrics: Any) -> None:
        self.limits = limits
        self.state = state
        self.tiers = tiers
        self.store = store
        self.metrics = metrics
        self.pending: set[asyncio.Task[None]] = set()
        self._last_error_log = 0.0
        self._rules: dict[str, LimitRule] = {}  # resolved per key id (only configured keys get here)
        self._held: dict[str, _Hold] = {}  # key id -> a refusal that holds until a moment no new request can change

    def rule(self, key: str) -> LimitRule:
        rule = self._rules.get(key)
        if rule is None:
            rule = self._rules[key] = self.limits.rule_for(key)
        return rule

    async def check(self, key: str, prompt_tokens: int, auto_routed: bool) -> Admission:
        rule = self.rule(key)
        if rule.unlimited:
            return Admission(key)
        now = time.time()
        period_id = budget_period_id(rule.budget_period, now) if rule.budget_usd is not None else ""
        reserve = prompt_tokens if rule.tokens_per_minute is not None else 0
        downgrade = rule.over_budget == "downgrade"
        try:
            counts = await self.store.admit(
                key, now, rule.requests_per_minute, rule.tokens_per_minute, reserve, rule.budget_usd, period_id, reject_over_budget=not downgrade or not auto_routed
            )
        except LimitStoreUnavailable as exc:
            self.unavailable(exc)  # failing open: unchecked (nothing reserved, no window), its usage still recorded (records always try)
            return Admission(key, rule, period_id=period_id)
        if counts.status != OK:
            raise self._refusal(key, rule, counts, now, reserve)
        admission = Admission(key, rule, reserved_tokens=reserve, period_id=period_id, window=counts.window)
        if rule.budget_usd is not None and reached(counts.spent_usd, rule.budget_usd):
            admission.max_tier = rule.downgrade_tier or self.tiers[0]
        return admission

    def unavailable(self, exc: Exception) -> None:
        """Count and log a store failure (not a call skipped after one); failing closed, refuse the request (503)."""
        if not isinstance(exc, LimitStoreSkipped):
            self.metrics.limit_state_errors.inc()
        if self._log_due():
            log.error("limit store %s unavailable (%s); failing %s", self.store.describe(), exc, self.state.on_redis_error)
        if self.state.on_redis_error == "open":
            return
        self.metrics.limit_rejections.labels("unavailable").inc()
        retry = str(max(1, math.ceil(self.state.retry_seconds)))
        message = "Rate-limit state is unavailable and this router fails closed; retry shortly"
        raise LimitRefusal("unavailable", 503, message, error_type="server_error", code="limits_unavailable", headers={"Retry-After": retry})

    def refuse_held(self, key: str, counted_as: str | None = None) -> None:
        """Refuse at once — before its body is read, parsed and counted — a key this process refused for a reason that no
        request can lift before a known moment: its requests per minute (the count only slides out) or its budget in
        `reject` mode (spend only grows). A key over its limit then costs no event-loop time however large its bodies
        (a 32 MB one held the loop 1.3 s for its 429). Tokens per minute are not held: a finished request's correction
        can free room sooner. The store stays the judge: a hold only repeats its answer, and ends before it would change.
        ``counted_as``: the `router_limit_rejections_total` reason of the refusal when not the hold's (a token count's)."""
        hold = self._held.get(key)
        if hold is None:
            return
        left = hold.until - time.monotonic()
        if left <= 0:
            del self._held[key]
            return
        raise self.refusal(hold.reason, hold.code, hold.message, dict(hold.headers), hold.admits - time.monotonic(), counted_as)

    def _refusal(self, key: str, rule: LimitRule, counts: Counts, now: float, tokens: int) -> LimitRefusal:
        _, fraction = _window(counts.now if counts.now is not None else now)  # the minute as the store counts it
        headers: dict[str, str] = {}
        if counts.status == OVER_REQUESTS:
            assert rule.requests_per_minute is not None
            wait = requests_wait(counts, now, rule.requests_per_minute)
            reason, code = "requests", "rate_limit_exceeded"
            message = f"Rate limit reached for API key {key}: {rule.requests_per_minute} requests per minute"
            headers["x-ratelimit-limit-requests"] = str(rule.requests_per_minute)
            headers["x-ratelimit-remaining-requests"] = "0"
        elif counts.status == OVER_TOKENS:
            assert rule.tokens_per_minute is not None
            wait = sliding_wait(counts.tokens_now, counts.tokens_before, fraction, rule.tokens_per_minute, tokens)
            reason, code = "tokens", "tokens_rate_limit_exceeded"
            if math.isinf(wait):
                message = f"Request too large for API key {key}: about {tokens} prompt tokens, more than its limit of {rule.tokens_per_minute} tokens per minute"
                wait = WINDOW_SECONDS
                headers[SHOULD_RETRY] = "false"  # never admitted as it is: the SDKs raise at once instead of retrying
            else:
                message = f"Rate limit reached for API key {key}: {rule.tokens_per_minute} tokens per minute (this request needs about {tokens})"
            headers["x-ratelimit-limit-tokens"] = str(rule.tokens_per_minute)
            headers["x-ratelimit-remaining-tokens"] = str(max(0, int(rule.tokens_per_minute - counts.tokens_now - counts.tokens_before * (1 - fraction))))
        else:
            assert rule.budget_usd is not None
            wait = seconds_to_period_end(rule.budget_period, now)
            reason, code = "budget", "budget_exceeded"
            message = f"Budget exceeded for API key {key}: {usd(counts.spent_usd)} of {usd(rule.budget_usd)} USD spent this {rule.budget_period} (UTC)"
            headers[SHOULD_RETRY] = "false"  # the SDKs obeyed a Retry-After of days: anthropic-python slept till the period's end
        held = min(wait - HOLD_MARGIN_SECONDS, HOLD_MAX_SECONDS)
        if held > 0 and (counts.status == OVER_REQUESTS or (counts.status == OVER_BUDGET and rule.over_budget == "reject")):
            moment = time.monotonic()
            self._held[key] = _Hold(moment + held, moment + wait, reason, code, message, dict(headers))
        return self.refusal(reason, code, message, headers, wait)

    def refusal(self, limit: str, code: str, message: str, headers: dict[str, str], wait: float, counted_as: str | None = None) -> LimitRefusal:
        """The 429 of `limit`, counted under `counted_as` when not its own (a held key's refused token count)."""
        retry = max(1, math.ceil(wait))
        self.metrics.limit_rejections.labels(counted_as or limit).inc()
        headers["Retry-After"] = str(retry)
        return LimitRefusal(limit, 429, f"{message}; retry after {retry} s.", error_type="rate_limit_error", code=code, headers=headers)

    def settle(self, admission: Admission, total_tokens: int, cost: float | None) -> None:
        """Add the real tokens and the cost once a request finished (a background task, off the response path)."""
        rule = admission.rule
        if rule is None:
            return
        tokens = total_tokens - admission.reserved_tokens if rule.tokens_per_minute is not None else 0
        spend = (cost or 0.0) if rule.budget_usd is not None else 0.0
        if not tokens and not spend:
            return
        task = asyncio.get_running_loop().create_task(self._record(admission, tokens, spend))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _record(self, admission: Admission, tokens: int, cost: float) -> None:
        try:
            await self.store.record(admission.key_id, time.time(), tokens, cost, admission.period_id, admission.window)
        except LimitStoreUnavailable as exc:
            self.metrics.limit_state_errors.inc()
            if self._log_due():  # one line in ten seconds, as for admissions: an outage at 2,000 req/s wrote 2,000 a second
                log.warning("could not record usage for key %s (and any others in the next 10 s): %s", admission.key_id, exc)

    def _log_due(self) -> bool:
        if time.monotonic() - self._last_error_log <= 10:
            return False
        self._last_error_log = time.monotonic()
        return True

    async def drain(self, timeout: float = 5.0) -> None:
        if self.pending:
            await asyncio.wait(set(self.pending), timeout=timeout)
