"""Staying up when upstreams do not: the one attempt loop, per-backend circuit breakers and
rate-limit cooldowns, a retry budget, and the per-attempt timeouts (first byte, idle, total).
The breaker and budget state live in router/breaker.py; this module decides with them.

The rules, in the order a request meets them:

* **Candidates** come from the policy: the tier's model, its `fallbacks`, then (with
  `routing.fallback_to_next_tier`) the tiers above. At most `routing.max_attempts` are tried.
* **Skipping.** A candidate whose backend's circuit is open, or which answered 429 with a
  `Retry-After` that has not elapsed, is skipped while another candidate is usable. When no usable
  candidate is left (all skipped, or the usable ones failed), the skipped circuit-open candidates
  are still tried in order, within the attempt and retry limits: a request never fails untried,
  and such an attempt doubles as a probe. If every candidate is rate limited the client gets 429
  with the soonest `Retry-After`. A backend that refused the connection in this request is not
  tried again for a later candidate of the same request.
* **Retries** happen only before the first byte reaches the client (a stream is "open" once its first output arrived
  — a role-only chunk is held with it; after that an error travels in-stream). Every attempt after the first spends
  from the retry budget (`routing.retry_budget`): extra attempts may be at most `ratio` of the requests over the last
  `window_seconds`, plus `min_per_second` so a quiet service can still retry. An outage therefore costs at most ~1.2×
  the load, not `max_attempts`×.
* **Circuit breaker** per backend (`backends.NAME.circuit`): `failures` consecutive failed attempts (connection
  errors, timeouts, 5xx, malformed or cut streams; not 4xx, not 429) open the circuit for `cooldown_seconds`; then
  one request is let through as a probe (half-open): success closes the circuit, failure re-opens it.
* **Timeouts** per backend (`backends.NAME.timeouts`): `connect` (TCP/TLS, in the HTTP client), `first_byte` (from
  sending the request to the first stream event with output — for a non-streaming request, to the complete response,
  as LLM servers send nothing before the answer is done), `idle` (the longest gap between two stream events) and
  `total` (one attempt, from sending to the last byte). `first_byte` applies to an attempt that has a successor
  (another usable candidate and budget left); the **last attempt is never cut short by it**: with nothing to fall back
  to, a slow answer beats an error, so the last attempt waits until `total`. All of them end in
  `UpstreamError("timeout")`: an HTTP 504 before the first byte, an in-stream error after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from backends.assemble import CompletionAssembler, streamable
from backends.base import Backend, BackendConfig, ChatResult, ChatStream, UpstreamError
from backends.chat_shape import completion_problem
from backends.h1pool import REQUEST_WRITTEN, UPSTREAM_REQUEST_ID
from backends.usage import Usage
from router.breaker import BackendHealth, Clock, RetryBudget, is_backend_failure
from router.first_output import first_output
from router.pricing import note_service_tier
from router.shed import Shed
from router.shutdown import Drain, shutting_down
from router.watchdog import Watchdog, watched

#: The suffix of each attempt's `X-Request-Id`: a request's fallbacks, escalations and parallel samples each have their own, and
#: so do two workers' (or replicas') attempts of requests a client sent under one id — a tag drawn once per process, then a
#: count (vLLM long refused a second request under an id still running).
_ATTEMPTS = itertools.count(1)
_PROCESS_TAG = os.urandom(2).hex()

if TYPE_CHECKING:
    from router.config import RetryBudgetConfig, RouterConfig
    from router.decision import Decision
    from router.metrics import RouterMetrics
    from router.policy import Candidate
    from router.seams import Upstream


class Resilience:
    """The attempt loop and the per-backend health it consults; one per gateway. What an attempt needs of its owner
    (the backends, the upstream's request, the accounting) comes through `upstream` (router/seams.py)."""

    def __init__(self, config: RouterConfig, metrics: RouterMetrics, upstream: Upstream, clock: Clock = time.monotonic,
                 drain: Drain | None = None) -> None:
        self.config = config
        self.metrics = metrics
        self.upstream = upstream
        self.clock = clock
        self.drain = drain if drain is not None else Drain()  # the app's (router/shutdown.py); a bare loop's never drains
        self.health = {name: BackendHealth(name, backend.circuit, metrics.backend_up.labels(name), clock) for name, backend in config.backends.items()}
        budget: RetryBudgetConfig = config.routing.retry_budget
        self.budget = RetryBudget(budget.ratio, budget.min_per_second, budget.window_seconds)
        self.max_retry_after = config.routing.max_retry_after_seconds

    def adopt(self, previous: Resilience) -> None:
        """Keep what the running process learned across a config reload: the health of every backend
        whose address and breaker settings are unchanged — with its attempts in flight, under the new
        `max_in_flight` (a new count would let a hung backend hold old and new slots) — and the retry budget's window."""
        for name, health in previous.health.items():
            old, new = previous.config.backends.get(name), self.config.backends.get(name)
            if (old is not None and new is not None and old.base_url == new.base_url
                    and (old.circuit.failures, old.circuit.cooldown_seconds) == (new.circuit.failures, new.circuit.cooldown_seconds)):
                health._gauge = self.metrics.backend_up.labels(name)
                health._set_up(health.state == "closed")
                health.max_in_flight = new.circuit.max_in_flight
                self.health[name] = health
        if previous.config.routing.retry_budget == self.config.routing.retry_budget:
            self.budget = previous.budget

    # -- the loop -----------------------------------------------------------------------
    async def dispatch(self, body: dict[str, Any], decision: Decision, *, stream: bool) -> Any:
        now = self.clock()
        self.budget.record_request(now)
        candidates = decision.candidates
        max_attempts = self.config.routing.max_attempts
        attempts = 0
        last_error: UpstreamError | None = None
        moved_from: tuple[str, str] | None = None  # the backend the next attempt moves away from, and why
        failed_from: tuple[str, str] | None = None  # the last attempt that failed
        skipped: list[tuple[Candidate, str, str]] = []
        refused: set[str] = set()
        out_of_budget = False
        for index, candidate in enumerate(candidates):
            if attempts >= max_attempts:
                break
            backend_name = self.config.models[candidate.model].backend
            if backend_name in refused:
                continue
            reason = self.health[backend_name].blocked(now, candidate.model)
            if reason is not None:
                if reason == "at_capacity":
                    self.metrics.overflows.labels(backend_name).inc()
                skipped.append((candidate, backend_name, reason))
                moved_from = (backend_name, reason)
                continue
            if attempts and not self._spend_retry(now):
                out_of_budget = True
                break
            last = not self._has_successor(candidates, index, attempts + 1, refused, now)
            attempts += 1
            outcome = await self._attempt(body, decision, candidate, backend_name, refused, stream=stream, last=last, moved_from=moved_from)
            if not isinstance(outcome, UpstreamError):
                return outcome
            last_error = outcome
            moved_from = failed_from = (backend_name, outcome.kind)
            now = self.clock()
        # No usable candidate is left: the skipped open circuits still get the request, in order (each
        # doubles as a probe), rather than failing it untried — within the same attempt and retry limits.
        for candidate, backend_name, reason in skipped:
            if reason != "circuit_open" or backend_name in refused or out_of_budget or attempts >= max_attempts:
                continue
            if self.health[backend_name].at_capacity():  # filled up while the others were tried
                self.metrics.overflows.labels(backend_name).inc()
                continue
            if attempts and not self._spend_retry(self.clock()):
                break
            attempts += 1
            outcome = await self._attempt(body, decision, candidate, backend_name, refused, stream=stream, last=True, moved_from=failed_from)
            if not isinstance(outcome, UpstreamError):
                return outcome
            last_error = outcome
            failed_from = (backend_name, outcome.kind)
        if last_error is None:
            return self._refuse_untried(decision, skipped, now)
        raise last_error

    def retry_allowed(self) -> bool:
        """Whether the retry budget has an extra attempt left now (an escalation after a failure asks first: router/ttc.py)."""
        return self.budget.allows(self.clock())

    def spend_retry(self) -> bool:
        """Take one extra attempt from the retry budget (an escalation after a failure: router/ttc.py)."""
        return self._spend_retry(self.clock())

    def _spend_retry(self, now: float) -> bool:
        if self.budget.spend(now):
            self.metrics.retries.labels("attempted").inc()
            return True
        self.metrics.retries.labels("budget_exhausted").inc()
        return False

    def _has_successor(self, candidates: list[Candidate], index: int, next_attempt: int, refused: set[str], now: float) -> bool:
        """Whether a failure of the attempt at `index` would lead to another attempt."""
        if next_attempt >= self.config.routing.max_attempts or not self.budget.allows(now):
            return False
        for candidate in candidates[index + 1 :]:
            name = self.config.models[candidate.model].backend
            if name not in refused and self.health[name].blocked(now, candidate.model) is None:
                return True
        return False

    def _refuse_untried(self, decision: Decision, skipped: list[tuple[Candidate, str, str]], now: float) -> Any:
        """No candidate could be tried: 429 with the soonest `Retry-After` when all are rate limited, else 503 (some
        backend had `circuit.max_in_flight` attempts in flight) — both at once, without a request upstream."""
        candidate, backend_name, _ = skipped[0]
        decision.model, decision.backend, decision.effort, decision.tier = candidate.model, backend_name, candidate.effort, candidate.tier
        full = [name for _, name, reason in skipped if reason != "rate_limited"]
        if full:
            raise Shed("overloaded", f"backend {full[0]} has its circuit.max_in_flight attempts in flight", status=503, retry_after=1.0)
        wait = min(self.health[name].rate_limited_until(candidate.model) for candidate, name, _ in skipped) - now
        raise Shed("status", "every backend for this request is rate limited", status=429, retry_after=max(1.0, wait), code="rate_limit_exceeded")

    # -- one attempt ----------------------------------------------------------------------
    async def _attempt(
        self,
        body: dict[str, Any],
        decision: Decision,
        candidate: Candidate,
        backend_name: str,
        refused: set[str],
        *,
        stream: bool,
        last: bool,
        moved_from: tuple[str, str] | None,
    ) -> Any:
        """One attempt: its result, or the retryable `UpstreamError` it failed with (a non-retryable one
        propagates). A refused connection marks the backend so no later candidate on it is tried."""
        metrics, seam = self.metrics, self.upstream
        if moved_from is not None:
            metrics.fallbacks.labels(moved_from[0], backend_name, moved_from[1]).inc()
            decision.reason = "fallback"
            metrics.decisions.labels(candidate.tier, "fallback").inc()
            if decision.scored is not None:  # the estimate shown is the serving candidate's
                decision.estimated_cost_usd = seam.estimate_cost(decision, candidate, decision.scored, body)
        decision.choose(candidate, backend_name)
        decision.context.attempted = True
        decision.attempt_started = time.perf_counter()  # its backend's time to first token starts here (not the failed attempts')
        upstream = seam.request_for(body, candidate, decision.context.hints)
        backend = seam.backends[backend_name]
        limit = self.config.models[candidate.model].max_output_tokens  # the cap an adapter writes stays under it too
        decision.service_tier = backend.asked_service_tier(upstream)  # priced at it, unless its answer names another
        timeouts = backend.config.timeouts
        health = self.health[backend_name]
        wait = timeouts.total if last else min(timeouts.first_byte, timeouts.total)
        inflight = metrics.inflight.labels(backend_name)
        inflight.inc()  # a stream's relay decrements it when the stream ends
        started = self.clock()
        probe = health.begin(started)
        release = health.occupy()
        first: bytes | None = None
        written = [False]  # set by the HTTP client once the request is on its way (backends/h1pool.py)
        watching = REQUEST_WRITTEN.set(written)
        naming = UPSTREAM_REQUEST_ID.set(f"{decision.request_id}-{_PROCESS_TAG}{next(_ATTEMPTS):x}")  # its own: samples run at once
        mode = backend.config.non_streamed  # a non-streamed request streamed upstream where first_byte may cut it (or always)
        assembled = not stream and (mode == "stream" or (mode == "auto" and not last)) and streamable(upstream)
        waiting = health.await_first(started) if stream or assembled else None  # a whole answer's first byte is its end
        try:
            try:
                async with asyncio.timeout(wait):
                    if stream or assembled:
                        result = await backend.chat_stream(upstream, hints=decision.context.hints, output_limit=limit)
                        first = await first_output(result, timeouts.idle)
                    else:
                        result = await backend.chat(upstream, hints=decision.context.hints, output_limit=limit)
            except TimeoutError:
                which = "total" if last else "first_byte"
                raise UpstreamError("timeout", f"upstream sent nothing within {wait:g} s ({which} timeout)") from None
            finally:
                health.first_arrived(waiting)
                REQUEST_WRITTEN.reset(watching)
                UPSTREAM_REQUEST_ID.reset(naming)
        except UpstreamError as exc:
            inflight.dec()
            release()
            metrics.upstream_errors.labels(backend_name, exc.metric_kind).inc()
            self._judge(health, exc, probe, candidate.model)
            _scrub(exc, backend.config)
            if exc.kind == "timeout" and written[0]:  # hung up on while it worked: billed as a client who left then (router/attempt_costs.py)
                seam.charge_failed(decision, body, 0 if stream or assembled else None, None)
            if not exc.retryable:
                raise
            if exc.kind == "connect":
                refused.add(backend_name)
            return exc
        except BaseException as exc:
            inflight.dec()
            release()
            health.abandoned(probe)
            if isinstance(exc, asyncio.CancelledError) and not written[0]:  # left while it waited for a connection: not charged
                decision.unsent = True
            elif assembled and isinstance(exc, asyncio.CancelledError):  # left before the first event: its prompt, as a stream's
                decision.left_writing = (0, None)
            raise
        if not stream and not assembled:
            health.succeeded(probe)
            inflight.dec()
            release()
            seam.completed_usage(decision, body, result)  # an answer without usage: estimated (every attempt, sample and judge)
            return result
        health.answered(probe)
        dog = Watchdog(timeouts.idle, started + timeouts.total, self.drain, self.clock, health)  # a stream's events: the backend is alive
        frames = watched(result.frames, first, dog, succeeded=partial(health.succeeded, False), failed=partial(self._stream_failed, health, backend.config),
                         ended=release)
        close = result.close
        result.frames = frames

        async def close_both() -> None:
            release()  # the stream never iterated has no `watched` to end it
            with contextlib.suppress(RuntimeError):  # closed while running: the response close below suffices
                await frames.aclose()
            await close()

        result.close = close_both
        if assembled:
            return await self._assemble(decision, body, result, backend, health, inflight)
        return result

    async def _assemble(self, decision: Decision, body: dict[str, Any], stream: ChatStream, backend: Backend,
                        health: BackendHealth, inflight: Any) -> ChatResult | UpstreamError:
        """A non-streamed request's answer, read from its stream under the stream's timeouts (backends/assemble.py).
        Nothing reached the client yet: a stream that breaks off (the watchdog told the circuit) or that holds no
        chat completion (told here) is a failed attempt like any other, retried or fallen back from."""
        errors = self.metrics.upstream_errors
        assembler = CompletionAssembler()
        try:
            async for frame in stream.frames:
                assembler.feed(frame)
            if stream.usage_chunk:
                assembler.feed_chunk(stream.usage_chunk)
            reported = stream.usage_chunk.get("usage") if stream.usage_chunk else stream.usage.to_openai() if stream.usage else None
            answer = assembler.completion(reported)
            problem = completion_problem(answer)
        except UpstreamError as exc:
            errors.labels(backend.name, exc.metric_kind).inc()
            _charge_written(self.upstream, decision, body, stream, assembler.chunks)  # what it wrote was billed
            if exc.kind == "shutdown":  # the drain ran out: no next attempt, a 503 the client retries elsewhere
                raise shutting_down() from None
            if not exc.retryable:
                raise
            return exc
        except ValueError as exc:  # an event that is no JSON, or text continued as a number: the upstream broke the protocol
            problem = str(exc)
        except asyncio.CancelledError:  # the client left: the upstream is closed now and bills what it wrote
            note_service_tier(decision, stream.meta.get("service_tier"))
            decision.left_writing = (assembler.chunks, _reported(stream))
            raise
        finally:
            inflight.dec()
            await stream.aclose()
        if problem is not None:
            _charge_written(self.upstream, decision, body, stream, assembler.chunks)
            error = UpstreamError("protocol", f"upstream stream is not a chat completion: {problem}")
            errors.labels(backend.name, error.metric_kind).inc()
            self._stream_failed(health, backend.config, error)
            return error
        result = ChatResult(body=answer, usage=stream.usage if stream.usage is not None else Usage(), headers=stream.headers)
        self.upstream.completed_usage(decision, body, result)
        return result

    def _judge(self, health: BackendHealth, error: UpstreamError, probe: bool, model: str) -> None:
        now = self.clock()
        if error.retry_after is not None:  # the client is told the capped wait the gateway keeps (a provider's 100000 s is not passed on)
            error.retry_after = min(error.retry_after, self.max_retry_after)
        if error.kind == "status" and error.status == 429:
            health.abandoned(probe)
            if error.retry_after:
                health.rate_limit(error.retry_after, now, model)
        elif is_backend_failure(error):
            health.failed(now, probe)
        else:
            health.succeeded(probe)  # it answered: the request, not the backend, was at fault

    def _stream_failed(self, health: BackendHealth, config: BackendConfig, error: UpstreamError) -> None:
        """An open stream broke off (in-stream error, cut, timeout): the circuit hears of it, the client never sees a secret."""
        if is_backend_failure(error):
            health.failed(self.clock())
        _scrub(error, config)


def _scrub(error: UpstreamError, config: BackendConfig) -> None:
    """A provider that echoes our credentials in its error message ("Incorrect API key: sk-…")
    must not hand them to the client or a log."""
    secrets = [config.api_key.get_secret_value()] if config.api_key is not None else []
    for name, value in config.headers.items():
        if any(part in name.lower() for part in _SECRET_NAME_PARTS):
            secrets += [value, value.partition(" ")[2]]  # "Bearer tok-…": the token is echoed alone too
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) < 6:
            continue
        if secret in error.message:
            error.message = error.message.replace(secret, "***")
            error.args = (error.message,)
        for field in ("param", "code", "error_type"):  # reach the client too (`upstream_api_error`): `param`, `code`, `type`
            value = getattr(error, field)
            if isinstance(value, str) and secret in value:
                setattr(error, field, value.replace(secret, "***"))


#: Parts of a configured header's name that mark its value a credential: `Authorization`, `x-api-key`,
#: Azure API Management's `Ocp-Apim-Subscription-Key`, Cloudflare AI Gateway's `cf-aig-authorization`, a token header.
_SECRET_NAME_PARTS = ("auth", "key", "token", "secret", "password", "subscription", "signature", "credential", "cookie")


def _charge_written(upstream: Upstream, decision: Decision, body: dict[str, Any], stream: ChatStream, chunks: int) -> None:
    """A stream assembled for a non-streamed request broke off: what it wrote, at the service tier its chunks named (as
    a streamed one is priced; it was charged at the tier asked, twice the price of the flex it was served at)."""
    note_service_tier(decision, stream.meta.get("service_tier"))
    upstream.charge_failed(decision, body, chunks, _reported(stream))


def _reported(stream: ChatStream) -> Usage | None:
    """What the upstream reported of a stream's usage so far: its usage chunk, else Anthropic's message_start."""
    return stream.usage or stream.meta.get("partial_usage")
