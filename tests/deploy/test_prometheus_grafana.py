"""The Grafana dashboard and the alert rules against a real Prometheus (Debian's) scraping a real
gateway (uvicorn on loopback, in front of the simulated upstream served by uvicorn): every panel
query and every alert expression must parse and evaluate; traffic, token, cost and latency panels
must return data. Plus `promtool check rules` / `test rules` and the provisioning files."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import httpx
import pytest
import yaml
from prometheus_client import CollectorRegistry

from router.app import create_app
from router.config import parse_config
from router.metrics import DECISION_REASONS, LIMIT_REASONS
from tests.conftest import require_tool
from tests.opskit import ThreadedServer, free_port, simulated_upstream, wait_for

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "complexity-router.json"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"

# What Grafana substitutes before a query reaches Prometheus.
GRAFANA_VARIABLES = {"$__rate_interval": "30s", "$__interval": "1s", "$__range": "5m", "$tier": ".*", "$backend": ".*"}

# Panels that must show data once there has been traffic (the rest must parse and evaluate).
MUST_HAVE_DATA = {
    "Requests per second by tier", "Share of requests per tier", "Requests per tier (range)", "Requests by status", "Routing decisions by reason",
    "Tier mix: live vs calibrated", "Requests per second by API",
    "Cost per hour", "Spend in range", "Estimated savings in range", "Savings vs always-highest-tier", "Cost per hour by model", "Cost per hour by tier",
    "Spend by model (range)", "Estimated savings per hour", "Spend per request by tier (parts where spent)", "Cost estimate accuracy (actual / estimated, p10/p50/p90)",
    "Tokens per second by kind", "Tokens per second by tier", "Tokens by kind (range)", "Reasoning share of completion tokens",
    "Request latency per backend (p50/p95/p99)", "Time to first token per backend (p50/p95/p99)", "Classifier latency (p50/p99)", "Complexity score distribution",
    "Backend up", "Backend state over time", "Upstream errors by backend and kind", "Fallbacks", "In-flight requests per backend",
}


def panels() -> list[dict[str, Any]]:
    return [panel for panel in json.loads(DASHBOARD.read_text())["panels"] if panel["type"] != "row"]


def substitute(expr: str) -> str:
    for name, value in sorted(GRAFANA_VARIABLES.items(), key=lambda item: -len(item[0])):
        expr = expr.replace(name, value)
    assert "$" not in expr, f"unsubstituted variable in {expr}"
    return expr


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def test_dashboard_is_provisionable() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "complexity-router" and dashboard["schemaVersion"] >= 36
    providers = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/complexity-router.yml").read_text())
    assert providers["apiVersion"] == 1 and providers["providers"][0]["type"] == "file"
    datasources = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus"
    variable = next(v for v in dashboard["templating"]["list"] if v["type"] == "datasource")
    assert variable["current"]["value"] == source["uid"], "the dashboard defaults to the provisioned data source"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    titles = {panel["title"] for panel in panels()}
    assert MUST_HAVE_DATA <= titles
    for panel in panels():
        assert panel["datasource"]["uid"] == "${datasource}" and panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert "router_" in target["expr"], (panel["title"], target["expr"])
            assert not re.search(r"\[\d+[smhd]\]", target["expr"]), f"use $__rate_interval / $__range, not a fixed window: {target['expr']}"


# A panel that breaks a counter down by a closed vocabulary, and whose description names its values: it must name them
# all (found in review: the limit panel's said nothing of `count_requests`, the token counts' own limit, nor the
# decisions panel of `context` and `escalation`).
NAMED_VOCABULARIES = [("router_limit_rejections_total", "reason", LIMIT_REASONS), ("router_decisions_total", "reason", DECISION_REASONS)]


@pytest.mark.parametrize(("metric", "label", "values"), NAMED_VOCABULARIES)
def test_panel_descriptions_name_every_value_their_breakdown_shows(metric: str, label: str, values: tuple[str, ...]) -> None:
    broken_down = [panel for panel in panels() if any(metric in t["expr"] and f"{{{{{label}}}}}" in t.get("legendFormat", "") for t in panel["targets"])]
    assert broken_down, metric
    for panel in broken_down:
        described = set(re.findall(r"[a-z_]+", panel.get("description", "")))
        assert set(values) <= described, (panel["title"], sorted(set(values) - described))


def test_promtool_checks_and_unit_tests_the_alert_rules(tmp_path: Path) -> None:
    promtool = require_tool("promtool")
    checked = subprocess.run([promtool, "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in checked.stdout
    tested = subprocess.run([promtool, "test", "rules", str(DEPLOY / "prometheus/alerts.test.yml")], capture_output=True, text=True, timeout=60, check=False)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    # The compose stack's prometheus.yml, with the rule file where the container mounts it.
    config = yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())
    config["rule_files"] = [str(ALERTS)]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    checked = subprocess.run([promtool, "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


class Prometheus:
    def __init__(self, binary: str, directory: Path, target: str) -> None:
        self.port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(ALERTS)],
            "scrape_configs": [{"job_name": "complexity-router", "scrape_interval": "1s", "static_configs": [{"targets": [target]}]}],
        }
        (directory / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.command = [binary, f"--config.file={directory / 'prometheus.yml'}", f"--storage.tsdb.path={directory / 'data'}",
                        f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"]
        self.log = directory / "prometheus.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT)
        wait_for(lambda: httpx.get(self.url("/-/ready"), timeout=1).status_code == 200, timeout=30, what="prometheus ready")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(15)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def query(self, expr: str) -> dict[str, Any]:
        response = httpx.get(self.url("/api/v1/query"), params={"query": expr}, timeout=10)
        payload = response.json()
        assert response.status_code == 200 and payload["status"] == "success", f"{expr}\n{payload.get('error')}"
        return payload["data"]


def drive_traffic(url: str, rounds: int) -> int:
    prompts = ["[score=0.1] hi", "[score=0.6] explain", "[score=0.95] prove it"]
    sent = 0
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(rounds):
            for prompt in prompts:
                for stream in (False, True):
                    body = {"model": "auto", "messages": [{"role": "user", "content": prompt}], "stream": stream}
                    response = client.post("/v1/chat/completions", json=body)
                    assert response.status_code == 200, response.text
                    sent += 1
    return sent


@pytest.fixture
def gateway_url(fake_classifier: Any) -> Iterator[str]:
    with simulated_upstream(token_delay=0.0005) as upstream:
        closed_port = free_port()  # nothing listens here: the "flaky" backend fails, its tier falls back
        config = parse_config({
            "backends": {
                "sim": {"kind": "openai", "base_url": upstream.url + "/v1"},
                "flaky": {"kind": "openai", "base_url": f"http://127.0.0.1:{closed_port}/v1", "circuit": {"failures": 2, "cooldown_seconds": 600}},
            },
            "models": {
                "small": {"backend": "sim", "reasoning": "qwen3", "input": 0.05, "output": 0.20},
                "big": {"backend": "sim", "reasoning": "openai", "input": 1.10, "cached_input": 0.275, "output": 4.40},
                "big-flaky": {"backend": "flaky", "reasoning": "openai", "input": 1.10, "output": 4.40},
            },
            "tiers": {
                "low": {"model": "small", "effort": "none", "max_score": 0.4, "expected_share": 0.5},
                "medium": {"model": "small", "effort": "medium", "thinking_budget": 256, "max_score": 0.75, "expected_share": 0.3},
                "high": {"model": "big-flaky", "effort": "high", "fallbacks": ["big"], "expected_share": 0.2},
            },
        }, env={})
        app = create_app(config, classifier=fake_classifier, registry=CollectorRegistry())
        with ThreadedServer(app) as server:
            yield server.url


def test_every_panel_and_alert_query_evaluates_against_real_prometheus(tmp_path: Path, gateway_url: str) -> None:
    binary = require_tool("prometheus")
    with Prometheus(binary, tmp_path, gateway_url.removeprefix("http://")) as prometheus:
        sent = drive_traffic(gateway_url, rounds=2)
        wait_for(lambda: prometheus.query("sum(router_requests_total)")["result"], timeout=20, what="the first scrape")
        time.sleep(1.5)  # a scrape or two between the two bursts, so rates are not zero
        sent += drive_traffic(gateway_url, rounds=2)
        wait_for(lambda: float((prometheus.query("sum(router_requests_total)")["result"] or [{"value": [0, "0"]}])[0]["value"][1]) == sent,
                 timeout=20, what="Prometheus to see every request")
        time.sleep(1.5)

        empty = []
        for panel in panels():
            for target in panel["targets"]:
                data = prometheus.query(substitute(target["expr"]))
                has_data = bool(data["result"])
                if panel["title"] in MUST_HAVE_DATA and not has_data:
                    empty.append((panel["title"], target["expr"]))
        assert not empty, f"panels without data: {empty}"

        for rule in alert_rules():
            prometheus.query(rule["expr"])  # parses and evaluates
        # Prometheus loaded the rule file and evaluates every rule without error.
        def rules_healthy() -> bool:
            groups = httpx.get(prometheus.url("/api/v1/rules"), timeout=5).json()["data"]["groups"]
            loaded = [rule for group in groups for rule in group["rules"]]
            return len(loaded) == len(alert_rules()) and all(rule["health"] == "ok" for rule in loaded)

        wait_for(rules_healthy, timeout=10, what="healthy rule evaluation")
        # The flaky backend's circuit opened: the backend-down expression has a result for it.
        down = prometheus.query(next(rule["expr"] for rule in alert_rules() if rule["alert"] == "ComplexityRouterBackendDown"))["result"]
        assert [series["metric"]["backend"] for series in down] == ["flaky"]
        # Grafana's template variable queries, as label-values lookups.
        tiers = httpx.get(prometheus.url("/api/v1/label/tier/values"), params={"match[]": "router_requests_total"}, timeout=5).json()["data"]
        assert set(tiers) == {"low", "medium", "high", "direct"}  # every reachable series exists at 0, a model named directly's too
