"""Everything built once at start-up and closed at shutdown, plus the per-request guards
(authentication, body size, admission) that need it."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from prometheus_client import CollectorRegistry
from starlette.requests import Request

from backends.base import Backend
from backends.registry import create_backend
from router.config import RouterConfig
from router.gateway import Classifier, Gateway
from router.metrics import RouterMetrics
from router.multiproc import registry_for_scrape
from router.ops import Operations
from router.protocol import APIError
from router.shutdown import Drain, shutting_down
from router.ttc_config import counter_label_sets


@dataclass
class Slots:
    """The requests in flight on every live state of the process: `server.max_concurrency` bounds them all (a reload's
    new state counted from 0 while the replaced one's streams ran: a limit of 2 served 4)."""

    taken: int = 0


@dataclass
class AppState:
    """The running gateway's resources."""

    config: RouterConfig
    gateway: Gateway
    backends: dict[str, Backend]
    registry: CollectorRegistry
    drain: Drain = field(default_factory=Drain)  # the app's, kept by a reload's new state (router/shutdown.py)
    started_at: float = field(default_factory=time.time)
    inflight: int = 0  # this state's own (its retirement waits for them)
    slots: Slots = field(default_factory=Slots)  # shared with the states it replaced
    _key_digests: list[bytes] = field(default_factory=list)
    ops: Operations | None = None  # per-key limits and the decision log (router/ops.py)
    #: Backends a reload's new state took over (their config unchanged): theirs to close, not this state's.
    handed_over: set[str] = field(default_factory=set)
    _probes: asyncio.Future[tuple[dict[str, bool], bool | None]] | None = field(default=None, repr=False)
    _probed_at: float = float("-inf")

    @classmethod
    def build(
        cls,
        config: RouterConfig,
        classifier: Classifier,
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        registry: CollectorRegistry | None = None,
        metrics: RouterMetrics | None = None,
        previous: AppState | None = None,
        drain: Drain | None = None,
    ) -> AppState:
        """Create one pooled client per backend, the metrics and the gateway. A config reload passes the
        running state as `previous`: its metrics are kept, its limit store and decision log taken over, and the
        clients of backends whose config did not change kept (closing them cut every stream still running on
        them when the old state retired, and counted the cut against a healthy backend's circuit)."""
        registry = registry if registry is not None else CollectorRegistry()
        metrics = metrics if metrics is not None else RouterMetrics(registry)
        transports = transports or {}
        # First what can fail (a limit store that cannot be built): a rejected reload must leave no client
        # open and no gauge changed.
        ops = Operations.build(config, metrics, previous.ops if previous is not None else None)
        kept = {name: previous.backends[name] for name, backend in config.backends.items()
                if previous is not None and name in previous.backends and previous.config.backends.get(name) == backend}
        backends = {name: kept.get(name) or create_backend(name, backend, transports.get(name)) for name, backend in config.backends.items()}
        for name in backends:
            metrics.backend_up.labels(name).set(1)
        drain = previous.drain if previous is not None else drain if drain is not None else Drain()
        gateway = Gateway(config, backends, classifier, metrics, drain)
        if previous is not None:  # breakers, cooldowns, the retry budget and learnt token corrections survive a reload
            gateway.adopt(previous.gateway)
        gateway.observers.append(ops.observe)
        metrics.publish_series(*gateway.policy.label_sets(), config.backends, config.tiers, counter_label_sets(config))
        metrics.publish_calibration(config.tiers, config.expected_shares())  # last: nothing after it can fail the build
        if previous is not None:
            previous.handed_over = set(kept)
        slots = previous.slots if previous is not None else Slots()
        return cls(config, gateway, backends, registry, drain, slots=slots, _key_digests=config.server.key_digests(), ops=ops)

    async def aclose(self) -> None:
        self.gateway.close()
        await asyncio.gather(*(backend.aclose() for name, backend in self.backends.items() if name not in self.handed_over),
                             return_exceptions=True)
        if self.ops is not None:
            await self.ops.aclose()

    @property
    def metrics(self) -> RouterMetrics:
        return self.gateway.metrics

    def metrics_registry(self) -> CollectorRegistry:
        """This process's registry, or under `serve --workers N` one merging every worker (router/multiproc.py)."""
        return registry_for_scrape() or self.registry

    def authorize(self, header: str | None) -> None:
        """Bearer-key check in constant time over all configured keys (none configured: open)."""
        if not self._key_digests:
            return
        scheme, _, token = (header or "").partition(" ")
        digest = hashlib.sha256(token.strip().encode()).digest()
        matched = False
        for expected in self._key_digests:
            matched |= hmac.compare_digest(digest, expected)
        if scheme.lower() != "bearer" or not matched:
            raise APIError(401, "Invalid or missing API key (send 'Authorization: Bearer <key>', or 'x-api-key: <key>' to the Messages API)", error_type="authentication_error", code="invalid_api_key")

    async def read_body(self, request: Request, declared: str | None) -> bytes:
        """The request body, refused with 413 beyond `server.max_body_bytes` without buffering more
        (at once when the declared `Content-Length` is over it)."""
        limit = self.config.server.max_body_bytes
        if declared and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        pause = self.config.server.client_body_timeout_seconds
        watch = _BodyWatch(pause) if pause else None
        try:
            async for chunk in request.stream():
                if watch is not None:
                    watch.arrived()
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                chunks.append(chunk)
        except asyncio.CancelledError:
            if watch is not None and watch.expired():
                raise APIError(408, f"the request body stopped arriving (nothing for {pause:g} s)", code="request_timeout",
                               headers={"Connection": "close"}) from None
            raise
        finally:
            if watch is not None:
                watch.stop()
        return b"".join(chunks)

    def admit(self) -> Callable[[], None]:
        """Take an in-flight slot or refuse with 503 + Retry-After past `server.max_concurrency`
        (instead of queueing without bound); returns the idempotent release, which a stream
        calls only when its last byte is sent."""
        if self.slots.taken >= self.config.server.max_concurrency:
            raise APIError(503, "The router is at its concurrency limit; retry shortly", error_type="overloaded_error", code="overloaded", headers={"Retry-After": "1"})
        if self.drain.draining and not self.drain.admits(time.monotonic()):  # router/shutdown.py: too late in the drain to finish
            raise shutting_down()
        self.inflight += 1
        self.slots.taken += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.inflight -= 1
                self.slots.taken -= 1

        return release

    async def readiness(self) -> dict[str, Any]:
        """Config and classifier loaded (they are, or start-up failed), which backends answer and which tiers one serves.

        Ready while not draining and every tier has a backend that answers — its circuit not open, not `stalled` (a streamed
        attempt waiting past `timeouts.first_byte` for a first byte while the backend sends nothing: a hung engine still
        lists its models) — or that does not gate readiness
        (`backends.NAME.readiness: false`: a provider every replica shares, whose outage would otherwise take
        every replica out of its Service, the tiers that still work with them)."""
        probed, store = await self._probed()
        resilience = self.gateway.resilience  # a circuit open on failed requests outweighs a probe: a hung vLLM engine still lists its models
        now, health = resilience.clock(), resilience.health
        stalled = [name for name in probed if name in health and health[name].stalled(now, self.config.backends[name].timeouts.first_byte)]
        backends = {name: up and name not in stalled and not (name in health and health[name].circuit_open(now)) for name, up in probed.items()}
        for name, up in backends.items():
            if name in health:
                health[name].serving(up)  # router_backend_up follows what the probe found, not only the breaker's last change
        names = list(backends)
        ungated = [name for name in names if not self.config.backends[name].readiness]
        policy = self.gateway.policy

        def served(tier: str, up: Callable[[str], bool]) -> bool:
            return any(up(self.config.models[candidate.model].backend) for candidate in policy.candidates(tier))

        tiers = {tier: served(tier, backends.__getitem__) for tier in policy.tier_names}
        gated = all(served(tier, lambda name: backends[name] or name in ungated) for tier in policy.tier_names)
        report = {"ready": gated and not self.drain.draining, "classifier": True, "backends": backends, "tiers": tiers,
                  "ungated": ungated, "stalled": stalled, "draining": self.drain.draining}
        if store is not None:  # Redis for the limits: reported, never gating (router/limits.py `LimitStore.probe`)
            report["limit_store"] = {"reachable": store, "on_error": self.config.state.on_redis_error}
        return report


    async def _probed(self) -> tuple[dict[str, bool], bool | None]:
        """Each backend's probe, shared by every `/readyz` of the same second: the route needs no key, and each call
        sent every backend a request with the provider's credentials (200 calls, 200 requests to the provider)."""
        now = time.monotonic()
        if self._probes is None or (self._probes.done() and now - self._probed_at >= PROBES_REUSED_SECONDS):
            self._probed_at = now
            self._probes = asyncio.ensure_future(self._probe_all())
        return await asyncio.shield(self._probes)  # a caller that leaves does not cancel the others' answer

    async def _probe_all(self) -> tuple[dict[str, bool], bool | None]:
        names = list(self.backends)
        *results, store = await asyncio.gather(*(self.backends[name].probe() for name in names), self.ops.store.probe())
        return dict(zip(names, results, strict=True)), store


class _BodyWatch:
    """`server.client_body_timeout_seconds` (nginx's client_body_timeout): cancels the task reading a body once nothing of
    it has come for `pause` seconds. One timer a body, re-armed from the last piece when it fires early: a timeout around
    each read cost ~15 µs a request, on every request."""

    __slots__ = ("_cancelling", "_fired", "_last", "_loop", "_pause", "_task", "_timer")

    def __init__(self, pause: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._pause = pause
        self._last = self._loop.time()
        self._fired = False
        self._cancelling = 0
        self._timer = self._loop.call_later(pause, self._check)

    def arrived(self) -> None:
        self._last = self._loop.time()

    def _check(self) -> None:
        idle = self._loop.time() - self._last
        if idle < self._pause:
            self._timer = self._loop.call_later(self._pause - idle, self._check)
        elif self._task is not None:
            self._fired = True
            self._cancelling = self._task.cancelling()
            self._task.cancel()

    def expired(self) -> bool:
        """After a `CancelledError`: whether this watch cancelled the read (and nothing else did)."""
        return self._fired and self._task is not None and self._task.uncancel() <= self._cancelling

    def stop(self) -> None:
        self._timer.cancel()


#: How long one round of backend probes answers `/readyz` (a kubelet probes every few seconds).
PROBES_REUSED_SECONDS = 1.0


def _too_large(limit: int) -> APIError:
    return APIError(413, f"Request body exceeds {limit} bytes", code="request_too_large")
