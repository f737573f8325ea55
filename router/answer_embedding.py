"""The embedding extra on the request path: a prompt's answer-token correction, off the event loop.

An embedding takes milliseconds of a CPU core (all-MiniLM-L6-v2: 15-35 ms on one thread here), 70-90 times
the classifier's score, so it runs on one worker thread of its own, bounded twice: at most
``max_pending`` requests wait for it (more get the default estimate at once, ``busy``), and none
waits longer than ``timeout_ms`` (``timeout``). Only the cost estimate depends on it, never the
score or the tier, and it runs while the upstream works (``Gateway.decide_priced``): a request waits
for it only under a client's cost cap, or when the upstream answers first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, runtime_checkable

import numpy as np

from router.config import EmbeddingConfig
from router.metrics import RouterMetrics

log = logging.getLogger("complexity_router")


@runtime_checkable
class RefinesAnswerTokens(Protocol):
    """A classifier whose answer estimate an embedding corrects (classifiers/answer_tokens.py)."""

    def answer_log_deltas(self, conversations: Sequence[Any]) -> np.ndarray: ...

    def refine(self, result: Any, answer_log_delta: float) -> Any: ...


class AnswerEmbedding:
    """Computes one request's correction on a dedicated thread, within the configured bounds."""

    def __init__(self, refiner: RefinesAnswerTokens, config: EmbeddingConfig, metrics: RouterMetrics) -> None:
        self.refiner = refiner
        self.timeout = config.timeout_ms / 1000.0
        self.max_pending = config.max_pending
        self.metrics = metrics
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer-embedding")
        self._pending = 0
        self._warned = False

    async def log_delta(self, messages: Sequence[Mapping[str, Any]]) -> float | None:
        """The correction for ``messages``, or ``None`` (the default estimate) when the thread is
        busy, the wait times out, or the embedding fails."""
        if self._pending >= self.max_pending:
            self.metrics.answer_embedding_fallbacks.labels("busy").inc()
            return None
        started = time.perf_counter()
        self._pending += 1
        future = asyncio.get_running_loop().run_in_executor(self._executor, self.refiner.answer_log_deltas, [messages])
        future.add_done_callback(self._done)
        try:
            deltas = await asyncio.wait_for(future, self.timeout)  # a timeout cancels it if it has not started
        except TimeoutError:
            self.metrics.answer_embedding_fallbacks.labels("timeout").inc()
            return None
        except Exception as exc:  # noqa: BLE001 - the model failing costs the estimate, never the request
            self.metrics.answer_embedding_fallbacks.labels("error").inc()
            if not self._warned:
                self._warned = True
                log.warning("classifier.embedding failed (%s: %s); requests are priced with the default answer "
                            "estimate while it fails (logged once)", type(exc).__name__, exc)
            return None
        self.metrics.answer_embedding_duration.observe(time.perf_counter() - started)
        return float(deltas[0])

    def _done(self, future: asyncio.Future[Any]) -> None:
        self._pending -= 1
        if not future.cancelled():
            future.exception()  # mark a failure retrieved: no "exception was never retrieved" at exit

    def close(self) -> None:
        """Stop taking work; an embedding under way finishes on its thread."""
        self._executor.shutdown(wait=False, cancel_futures=True)
