"""The limit store in Redis, shared by every replica and worker (``state.redis_url``).

Each admission is one Lua script — read the windows and the spend, decide, increment — atomic on the
server, with the minute windows on the server's clock; usage is added by a second script after the
response. Every key carries a TTL. See router/limits.py for the limits themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from router.limits import BUDGET_TOLERANCE_USD, COUNTER_TTL, Counts, LimitStore, LimitStoreSkipped, LimitStoreUnavailable, period_ttl
from router.opsconfig import StateConfig

# KEYS[1]: this key id's prefix, e.g. "complexity-router:{1a2b3c4d}" (one hash slot per key id).
# ARGV: now (unused: windows follow the server's TIME), rpm (-1: none), tpm (-1: none), tokens to reserve, budget (-1: none),
# period id, reject over budget (1/0).
_ADMIT_LUA = """
local p = KEYS[1]
local t = redis.call('TIME')  -- the server's clock: replicas whose clocks differ share one window
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local win = math.floor(now / 60)
local frac = (now - win * 60) / 60
local function get(name) return tonumber(redis.call('GET', p .. name) or '0') end
local rc, rb = get(':req:' .. win), get(':req:' .. (win - 1))
local tc, tb = get(':tok:' .. win), get(':tok:' .. (win - 1))
local spent = 0
if ARGV[6] ~= '' then spent = get(':usd:' .. ARGV[6]) end
local rpm, tpm, tokens, budget = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local status = 0
if rpm >= 0 and rb * (1 - frac) + rc + 1 > rpm then status = 1
elseif tpm >= 0 and tb * (1 - frac) + tc + tokens > tpm then status = 2
elseif budget >= 0 and ARGV[7] == '1' and spent >= budget - TOLERANCE then status = 3 end
if status == 0 then
  if rpm >= 0 then
    redis.call('INCRBY', p .. ':req:' .. win, 1)
    redis.call('EXPIRE', p .. ':req:' .. win, TTL)
  end
  if tpm >= 0 and tokens > 0 then
    redis.call('INCRBY', p .. ':tok:' .. win, tokens)
    redis.call('EXPIRE', p .. ':tok:' .. win, TTL)
  end
end
return {status, tostring(rc), tostring(rb), tostring(tc), tostring(tb), string.format('%.17g', spent), win, string.format('%.6f', now)}
""".replace("TTL", str(COUNTER_TTL)).replace("TOLERANCE", repr(BUDGET_TOLERANCE_USD))

# ARGV: now (unused: the server's TIME), token delta, cost, period id, period TTL, the admission's minute (-1: none).
# The correction goes where `router.limits.correction_window` puts it.
_RECORD_LUA = """
local p = KEYS[1]
local now_win = math.floor(tonumber(redis.call('TIME')[1]) / 60)
local win, delta = tonumber(ARGV[6]), tonumber(ARGV[2])
if win < now_win - 1 or win > now_win then
  win = now_win
  if delta < 0 then delta = 0 end
end
if delta ~= 0 then
  -- a correction (real tokens minus the reserved estimate) may be negative: never below zero
  if redis.call('INCRBY', p .. ':tok:' .. win, delta) < 0 then redis.call('SET', p .. ':tok:' .. win, 0) end
  redis.call('EXPIRE', p .. ':tok:' .. win, TTL)
end
if ARGV[4] ~= '' and tonumber(ARGV[3]) > 0 then
  redis.call('INCRBYFLOAT', p .. ':usd:' .. ARGV[4], ARGV[3])
  redis.call('EXPIRE', p .. ':usd:' .. ARGV[4], tonumber(ARGV[5]))
end
return 1
""".replace("TTL", str(COUNTER_TTL))


class RedisStore(LimitStore):
    """Counters in Redis, shared by every replica; one round trip (a Lua script) per check.

    A call that timed out is never sent again: Redis may still run the first (a stall between one and two timeouts
    booked a $0.50 request as $1.00, and an admission run twice refused the client its own slot). Only a connection
    error — a pooled connection a restarted Redis closed — is tried once more, on a fresh connection. Connections come
    from a bounded pool that waits for a free one (redis-py's default pool refused the 101st concurrent call, which
    read as an outage of a healthy Redis)."""

    def __init__(self, config: StateConfig) -> None:
        from redis.asyncio import BlockingConnectionPool, Redis
        from redis.asyncio.retry import Retry  # the asyncio client's own (a sync Retry is converted with a warning)
        from redis.backoff import NoBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError

        assert config.redis_url is not None
        self.prefix = config.key_prefix
        self.retry_seconds = config.retry_seconds
        self.timeout_seconds = config.timeout_seconds
        self._failed_until = 0.0
        pool = BlockingConnectionPool.from_url(
            config.redis_url.get_secret_value(),
            max_connections=config.max_connections,
            timeout=config.timeout_seconds,  # the wait for a free connection
            socket_timeout=config.timeout_seconds,
            socket_connect_timeout=config.timeout_seconds,
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
            health_check_interval=30,
        )
        self.client = Redis.from_pool(pool)  # closes the pool with the client
        self._admit = self.client.register_script(_ADMIT_LUA)
        self._record = self.client.register_script(_RECORD_LUA)

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{{{key}}}"

    async def _call(self, script: Any, key: str, args: list[Any], *, back_off: bool = True) -> Any:
        """Run a script within `timeout_seconds` (connecting included); after a failure, admissions skip Redis for
        `retry_seconds` (`back_off`), so a dead Redis costs no timeout per request. Records always try: they run off
        the response path, and one stall must not throw away every spend that finishes in the next second."""
        from redis.exceptions import BusyLoadingError, MasterDownError, ReadOnlyError, RedisError

        if back_off and time.monotonic() < self._failed_until:
            raise LimitStoreSkipped("redis unavailable (recent failure)")
        try:
            async with asyncio.timeout(2 * self.timeout_seconds):  # a connect and a command at most, however they add up
                return await script(keys=[self._key(key)], args=args)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed_until = time.monotonic() + self.retry_seconds
            if isinstance(exc, ReadOnlyError | BusyLoadingError | MasterDownError):
                await self._reconnect()
            raise LimitStoreUnavailable(f"redis: {type(exc).__name__}") from None

    async def _reconnect(self) -> None:
        """After a node that takes no writes now (a replica after a failover, one loading its data, one whose primary is
        gone): the idle connections are dropped and those in use are replaced when released, so the next calls connect to
        whatever the endpoint names then. Cutting those in use under other calls had them sent again (booked twice)."""
        pool = self.client.connection_pool
        with contextlib.suppress(Exception):  # the store is failing already: its answer is LimitStoreUnavailable
            mark = getattr(pool, "update_active_connections_for_reconnect", None)
            if mark is not None:  # redis-py 6+
                await mark()
            await pool.disconnect(inuse_connections=False)

    async def admit(
        self, key: str, now: float, rpm: int | None, tpm: int | None, tokens: int, budget: float | None, period_id: str, reject_over_budget: bool
    ) -> Counts:
        args = [repr(now), -1 if rpm is None else rpm, -1 if tpm is None else tpm, tokens, -1 if budget is None else repr(budget), period_id, 1 if reject_over_budget else 0]
        status, *numbers, window, clock = await self._call(self._admit, key, args)
        return Counts(int(status), *(float(value) for value in numbers), int(window), float(clock))

    async def record(self, key: str, now: float, tokens: int, cost: float, period_id: str, window: int = -1) -> None:
        args = [repr(now), int(tokens), f"{cost:.12f}", period_id, period_ttl(period_id) if period_id else 0, int(window)]
        await self._call(self._record, key, args, back_off=False)

    async def probe(self) -> bool:
        from redis.exceptions import RedisError

        try:
            async with asyncio.timeout(2 * self.timeout_seconds):
                return bool(await self.client.ping())
        except (RedisError, OSError, TimeoutError):
            return False

    async def aclose(self) -> None:
        await self.client.aclose()

    def describe(self) -> str:
        kwargs = self.client.connection_pool.connection_kwargs
        return f"redis {kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"
