"""Operations around the request path: per-key limits before routing, the decision log after.

`AppState` builds one `Operations` at start-up (and on every config reload, handing over the
limit store and the decision log when their settings did not change, so counters survive a
reload). The chat handler calls `admit` before deciding; the gateway calls `observe` (as an
accounting observer) once a request finished, however it finished.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Mapping
from typing import Any

from backends.usage import Usage
from router.attempt_costs import failed_tokens
from router.config import RouterConfig
from router.context import estimate_prompt_tokens
from router.count_limits import COUNT_LIMIT, admit_count
from router.decision import Decision
from router.decision_log import WORKERS_ENV, DecisionLog
from router.decision_log import signature as log_signature
from router.limits import Admission, Limiter, LimitRefusal, LimitStore, create_store, store_signature
from router.opsconfig import ANONYMOUS, KEY_ID_LENGTH
from router.protocol import APIError
from router.request_info import current_trace_id

log = logging.getLogger("complexity_router.ops")

AUTO = "auto"
#: How much of a refused request's `model` the decision log keeps: a client's name of any length (a 12 MB string
#: per request) otherwise rotated every other team's lines out of the log and its backups in a few requests.
MODEL_NAME_LOGGED = 256


class Operations:
    """Limits and the decision log for one configuration."""

    def __init__(self, config: RouterConfig, metrics: Any, store: LimitStore, decision_log: DecisionLog | None) -> None:
        self.config = config
        self.metrics = metrics
        self.store = store
        self.limiter = Limiter(config.limits, config.state, list(config.tiers), store, metrics) if config.limits.enabled else None
        self.decision_log = decision_log
        self._auth = bool(config.server.api_keys)
        self._handed_over: set[str] = set()

    @classmethod
    def build(cls, config: RouterConfig, metrics: Any, previous: Operations | None = None) -> Operations:
        """New operations for `config`; parts of `previous` whose settings are unchanged are taken over."""
        if previous is not None and store_signature(previous.config.state) == store_signature(config.state):
            store = previous.store
            previous._handed_over.add("store")
        else:
            store = create_store(config.state)
            if config.limits.enabled and config.state.redis_url is None and int(os.environ.get(WORKERS_ENV, "1") or 1) > 1:
                log.warning("limits are kept in memory per worker process: with %s workers each allows the full limit; "
                            "set state.redis_url to share them", os.environ[WORKERS_ENV])
        decision_log: DecisionLog | None = None
        if config.decision_log.path is not None:
            if previous is not None and previous.decision_log is not None and previous.decision_log.signature() == log_signature(config.decision_log):
                decision_log = previous.decision_log
                previous._handed_over.add("decision_log")
            else:
                decision_log = DecisionLog(config.decision_log)
        return cls(config, metrics, store, decision_log)

    # -- before routing --------------------------------------------------------------
    def key_id(self, authorization: str | None) -> str:
        """The caller's key id (first 8 hex of sha256(key)); `anonymous` when auth is off.
        Called after `AppState.authorize`, so the bearer token is a configured key."""
        if not self._auth:
            return ANONYMOUS
        token = (authorization or "").partition(" ")[2].strip()
        return hashlib.sha256(token.encode()).hexdigest()[:KEY_ID_LENGTH]

    def refuse_held(self, authorization: str | None, request_id: str, route: str | None = None) -> None:
        """Before the body is read: the 429 of a key whose refusal holds (router/limits.py `Limiter.refuse_held`); `route`:
        a token count's path, which its log line names (a chat request's line names its model), and whose refusal counts
        under `count_requests` (ComplexityRouterLimitRejections divides the others by the chat requests received)."""
        if self.limiter is None:
            return
        key = self.key_id(authorization)
        try:
            self.limiter.refuse_held(key, None if route is None else COUNT_LIMIT)
        except APIError as exc:
            self.refused(key, "limited", exc, request_id, {}, route=route)
            raise

    async def admit_count(self, authorization: str | None, request_id: str, route: str) -> None:
        """Before a token count's body is read: its key's count limit (router/count_limits.py), a 429 logged as `limited`
        with its `route` and (from the refusal) `limit: count_requests` (its code is a request limit's, `rate_limit_exceeded`)."""
        if self.limiter is None:
            return
        key = self.key_id(authorization)
        try:
            await admit_count(self.limiter, key)
        except APIError as exc:
            self.refused(key, "limited", exc, request_id, {}, route=route)
            raise

    async def admit(self, authorization: str | None, body: dict[str, Any], request_id: str) -> Admission:
        """Check the caller's limits; raises the 429 (or fail-closed 503) the client sees."""
        if self.limiter is None and self.decision_log is None:
            return Admission(ANONYMOUS)
        key = self.key_id(authorization)
        if self.limiter is None:
            return Admission(key)
        model = str(body.get("model") or "")
        auto_routed = model == AUTO or model.startswith(AUTO + ":")
        try:
            return await self.limiter.check(key, estimate_prompt_tokens(body["messages"], tools=body.get("tools")), auto_routed)
        except APIError as exc:
            self.refused(key, "limited", exc, request_id, body)
            raise

    def refused(self, key: str, status: str, exc: APIError, request_id: str, body: Mapping[str, Any], *, route: str | None = None) -> None:
        """The decision-log line of a request refused before it was routed: by a limit ("limited", naming the `limit` its
        `LimitRefusal` carries: a held key's line too, which its code alone did not tell), or after admission by its cost
        cap or the context check ("refused"). A token count's line names its `route` where a chat request's names its
        `requested_model`: a count asked for no answer, and its refusal read as a chat request's with an empty model."""
        if self.decision_log is None:
            return
        entry: dict[str, Any] = {"time": time.time(), "request_id": request_id, "trace_id": current_trace_id(),
                                 "key_id": key, "status": status, "code": exc.code, "http_status": exc.status}
        if route is None:
            entry["requested_model"] = str(body.get("model") or "")[:MODEL_NAME_LOGGED]  # a 12 MB name rotated the log away
        else:
            entry["route"] = route
        if isinstance(exc, LimitRefusal):
            entry["limit"] = exc.limit
        self.decision_log.write(entry, body.get("messages"))

    def attach(self, decision: Decision, admission: Admission, body: Mapping[str, Any]) -> None:
        context = decision.context
        context.admission = admission
        if self.decision_log is not None:
            context.messages = body.get("messages")
            context.requested_model = body.get("model")

    # -- after the request -----------------------------------------------------------
    def observe(self, decision: Decision, usage: Usage | None, status: str, duration: float, stream: bool) -> None:
        """Gateway accounting observer: settle the key's tokens and spend, write the log line."""
        admission = decision.context.admission
        spent = failed_tokens(decision)  # attempts that failed while their upstream worked were billed too
        if self.limiter is not None and admission is not None and (usage is not None or spent):
            self.limiter.settle(admission, (usage.total_tokens if usage is not None else 0) + spent, decision.spent_usd)
        if self.decision_log is not None:
            self.decision_log.write(self._entry(decision, usage, status, duration, stream, admission), decision.context.messages)

    def _entry(self, decision: Decision, usage: Usage | None, status: str, duration: float, stream: bool, admission: Admission | None) -> dict[str, Any]:
        tokens = usage.by_kind() if usage is not None else None
        return {
            "time": time.time() - duration,
            "request_id": decision.request_id,
            "trace_id": decision.context.trace_id,
            "key_id": admission.key_id if admission is not None else None,
            "status": status,
            "stream": stream,
            "requested_model": decision.context.requested_model,
            "score": None if decision.score is None else round(decision.score, 4),
            "tier": decision.tier,
            "reason": decision.reason,
            "model": decision.model or None,
            "backend": decision.backend or None,
            "effort": decision.effort,
            "attempts": decision.attempts,
            "downgraded_from": decision.report.downgraded_from,
            "tokens": tokens,
            "cost_usd": decision.cost_usd,
            "estimated_cost_usd": decision.estimated_cost_usd,
            "latency_s": round(duration, 6),
            # the calls behind `cost_usd` (samples, a judge, escalated or failed attempts: each at its own model) and whether
            # the tokens are an estimate (a stream that ended before the upstream's usage): grouped by model from the log,
            # spend agreed with router_cost_usd_total only with them
            "usage_breakdown": decision.report.usage_breakdown,
            "usage_estimated": decision.report.usage_estimated,
        }

    # -- lifecycle -------------------------------------------------------------------
    async def aclose(self) -> None:
        """Close what was not handed over to a newer `Operations`, after pending writes finish."""
        if self.limiter is not None:
            await self.limiter.drain()
        if "store" not in self._handed_over:
            try:
                await self.store.aclose()
            except Exception as exc:  # noqa: BLE001 - closing a broken connection must not fail shutdown
                log.warning("closing the limit store failed: %s", type(exc).__name__)
        if self.decision_log is not None and "decision_log" not in self._handed_over:
            self.decision_log.close()
