"""`backends.NAME.load`: how the load knob (router/loadknob.py) measures a vLLM backend's pressure."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    waiting: float | None = Field(None, ge=0, description="vllm:num_requests_waiting")
    kv_cache: float | None = Field(None, ge=0, le=1, description="vllm:kv_cache_usage_perc (0-1)")


class LoadConfig(BaseModel):
    """Pressure starts when any `high` threshold is reached, and ends after `calm_polls`
    consecutive polls with every metric at or below its `low` threshold, once `hold_seconds`
    have passed since the last poll that reached a `high` threshold (a Kubernetes HPA's
    scale-down stabilization window: a queue that drains and refills within it does not flap)."""

    model_config = ConfigDict(extra="forbid")

    metrics_url: str | None = Field(None, description="default: base_url without its /v1, plus /metrics")
    interval_seconds: float = Field(2.0, gt=0, le=300)
    high: Thresholds = Field(default_factory=lambda: Thresholds(waiting=4, kv_cache=0.9))
    low: Thresholds = Field(default_factory=lambda: Thresholds(waiting=0, kv_cache=0.7))
    calm_polls: int = Field(2, ge=1, le=100)
    hold_seconds: float = Field(10.0, ge=0, le=3600, description="least time from the last poll over `high` to a restore")

    def url_for(self, base_url: str) -> str:
        if self.metrics_url:
            return self.metrics_url
        root = base_url.rstrip("/")
        root = root.removesuffix("/v1")
        return root + "/metrics"
