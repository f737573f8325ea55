"""The `complexity-router` command: serve, route, check-config, demo, and the classifier commands."""

from __future__ import annotations

import argparse
import asyncio
import copy
import ipaddress
import json
import math
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from router import multiproc
from router.config import CONFIG_ENV, CONFIG_HELP, OPEN_BIND_ENV, ConfigError, RouterConfig, default_config_path, load_config


def _load(path: str, *, offline: bool = False) -> RouterConfig:
    """The config, or exit 2 naming what is wrong; ``offline`` for a command that reaches no backend (`route`): settings
    naming an unset `${VAR}` outside the models, tiers and classifier are left out (router/offline_config.py)."""
    from router.offline_config import load_router_config

    try:
        return load_router_config(path) if offline else load_config(path)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _load_classifier(config: RouterConfig) -> Any:
    """The configured classifier; a missing, corrupt or untrusted artifact (or embedding head or model)
    stops the command with one line naming it (in a serving worker's lifespan it would be a traceback per worker)."""
    from classifiers import ClassifierLoadError
    from router.app import load_default_classifier

    try:
        return load_default_classifier(config.classifier)
    except ClassifierLoadError as exc:
        print(f"error: {exc.config_key}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _check_classifier(config: RouterConfig, config_path: str, workers: int) -> int:
    """`_load_classifier` before serving. One worker is this process: the classifier it loaded is handed
    to the app (`server.hand_over`), not loaded twice. With several, the embedding extra's check runs in a
    child process (`check-config`): torch and the model stay ~480 MB in a process that has loaded them,
    and this one only supervises the workers."""
    if workers == 1:
        from router import server

        server.hand_over(config.classifier, _load_classifier(config))
        return 0
    if config.classifier.embedding is None:
        _load_classifier(config)
        return 0
    return subprocess.run([sys.executable, "-m", "router.cli", "check-config", config_path],
                          stdout=subprocess.DEVNULL, check=False).returncode


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    if hasattr(signal, "SIGHUP"):  # until the reload's handler is in place (workers inherit it): a HUP while starting killed serve
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if not is_loopback(args.host) and not args.insecure_no_auth:
        os.environ[OPEN_BIND_ENV] = args.host  # this config, each reload and every worker's must name keys
    config = _load(args.config)
    if (refused := _check_classifier(config, args.config, args.workers)) != 0:  # before the workers start; each loads its own
        return refused
    if args.workers > 1 and config.limits.enabled and config.state.redis_url is None:
        print(f"warning: per-key limits kept in memory are per worker ({args.workers} here: each key gets {args.workers}x its limits) "
              "and start afresh when a reload replaces the workers; set state.redis_url to share them", file=sys.stderr)
    os.environ[CONFIG_ENV] = os.path.abspath(args.config)
    os.environ["COMPLEXITY_ROUTER_WORKERS"] = str(args.workers)
    metrics_dir, created = multiproc.prepare(args.workers)  # before the workers start: totals across workers
    try:
        return _run_uvicorn(uvicorn, args, config) or 0
    finally:
        multiproc.cleanup(metrics_dir, created)


def _run_uvicorn(uvicorn: Any, args: argparse.Namespace, config: RouterConfig) -> int:
    from router.shutdown import DRAIN_ENV
    from router.supervisor import WORKER_START_SECONDS, run_workers

    os.environ[DRAIN_ENV] = str(math.ceil(config.server.drain_seconds))  # the workers budget their streams on uvicorn's deadline
    options = {
        "factory": True,
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        "loop": "uvloop" if _has("uvloop") else "asyncio",
        "http": "router.httphead:BoundedHttpToolsProtocol" if _has("httptools") else "h11",  # a bounded head (router/httphead.py)
        "log_level": args.log_level,
        "log_config": _log_config(args.log_level),
        "timeout_graceful_shutdown": math.ceil(config.server.drain_seconds),  # router/shutdown.py ends streams just before
        "timeout_worker_healthcheck": WORKER_START_SECONDS,
        "access_log": False,
    }
    if args.workers > 1:  # the router's own supervisor (router/supervisor.py)
        return run_workers(uvicorn.Config("router.server:app_from_environment", **options), args.config)
    uvicorn.run("router.server:app_from_environment", **options)
    return 0


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging (applied in every worker), plus the router's own loggers — reloads, drains, circuits, limits —
    at the same level, each line with its time, level and logger: without it their INFO lines were dropped and
    warnings printed bare by Python's last-resort handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["router"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    config["handlers"]["router"] = {"class": "logging.StreamHandler", "formatter": "router", "stream": "ext://sys.stderr"}
    for name in ("complexity_router", "classifiers"):
        config["loggers"][name] = {"handlers": ["router"], "level": "DEBUG" if level == "trace" else level.upper(), "propagate": False}
    return config


def cmd_check_config(args: argparse.Namespace) -> int:
    from router.decision_log import checked_path

    config = _load(args.file)
    _load_classifier(config)
    if config.decision_log.path is not None:
        try:
            checked_path(config.decision_log, create=False)  # what a worker opens at start: `serve --workers N` checks reloads with this
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"ok: {len(config.backends)} backends, {len(config.models)} models, tiers: {', '.join(config.tiers)}")
    for name in config.keyless_https_backends():
        print(f"note: backends.{name} is reached over https without api_key: a provider will refuse its requests", file=sys.stderr)
    return 0


def cmd_pre_stop(args: argparse.Namespace) -> int:
    from router.prestop import wait_for_last_scrape

    why = wait_for_last_scrape(f"http://127.0.0.1:{args.port}/metrics", args.settle, args.scrape_interval, args.max_seconds)
    print(f"pre-stop: {why}", file=sys.stderr)
    return 0


def cmd_route(args: argparse.Namespace) -> int:
    from classifiers.diagrams import strip_diagrams
    from classifiers.echo import echoed_tokens
    from classifiers.pasted_data import sample_pasted_data
    from classifiers.text import parse_messages
    from router.answer_embedding import RefinesAnswerTokens
    from router.context import TokenCounter, route_report  # prompt count and context fit (router/context.py)
    from router.estimate import estimate_cost
    from router.forecast import CompletionForecast
    from router.policy import Policy

    config = _load(args.config, offline=True)
    classifier = _load_classifier(config)
    messages = [{"role": "user", "content": args.prompt}]
    result = classifier.score(messages)
    answer_delta = None
    if isinstance(classifier, RefinesAnswerTokens):  # the embedding extra: the estimate the gateway would make
        answer_delta = float(classifier.answer_log_deltas([messages])[0])
        result = classifier.refine(result, answer_delta)
    policy = Policy(config)
    tier_name = policy.tier_for_score(result.score)
    tier = config.tiers[tier_name]
    model = config.models[tier.model]
    candidate = policy.candidates(tier_name)[0]
    prompt_tokens = TokenCounter(config).count(candidate.model, messages).tokens  # what the gateway's estimate counts
    body = {"messages": messages} | ({"max_tokens": args.max_tokens} if args.max_tokens else {})
    forecasts = CompletionForecast(config).per_tier(result, body)  # as the gateway forecasts: no usage learnt offline
    estimate = estimate_cost(config, candidate, body, prompt_tokens, forecasts[tier_name].tokens)
    decision = {
        "score": round(result.score, 4),
        "tier": tier_name,
        "model": tier.model,
        "backend": model.backend,
        "effort": forecasts[tier_name].effort,  # the tier's, or the highest below it the model's output limit holds
        "thinking_budget": tier.thinking_budget,
        "why": [{"feature": name, "contribution": round(value, 4)} for name, value in result.top_features],
        "estimated_prompt_tokens": prompt_tokens,
        "expected_completion_tokens": {name: found.tokens for name, found in forecasts.items()},
        "estimated_cost_usd": estimate,
    }
    if answer_delta is not None:  # how far the embedding moved the answer estimate (classifier.embedding)
        decision["answer_embedding_factor"] = round(math.exp(answer_delta), 3)
    conv = parse_messages(messages)
    if conv.template:  # the prompt arrived with a chat template applied: scored as the turns it encodes
        decision["template"] = conv.template
    if conv.n_examples:  # the score is the question's: the solved examples before it are read as history
        decision["few_shot_examples"] = conv.n_examples
    if conv.dropped_trigger:  # "Let's think step by step." says how to answer, not how hard the question is
        decision["dropped_trigger"] = conv.dropped_trigger
    if conv.dropped_format:  # a harness's "The last line of your response should be …": how to answer, too
        decision["dropped_format"] = conv.dropped_format
    if conv.dropped_courtesy:  # "Please help me with this.", "Thanks!" around the question: no part of it
        decision["dropped_courtesy"] = conv.dropped_courtesy
    if conv.serialized:  # a prompt encoded a second time (escaped lines, a list repr) is read as its text
        decision["serialized"] = conv.serialized
    if (drawn := strip_diagrams(conv.last_user)) is not conv.last_user:  # a figure's drawing code is not the problem
        decision["diagram_chars_not_scored"] = len(conv.last_user) - len(drawn)
    if (sampled := sample_pasted_data(drawn)) is not drawn:  # a long run of records: its first lines
        decision["pasted_data_lines_not_scored"] = drawn.count("\n") - sampled.count("\n")
    if echoed := echoed_tokens(conv.last_user, conv.reply):  # the answer returns the input: its length floors the estimate
        decision["answer_returns_input_tokens"] = round(echoed)
    decision |= route_report(config, policy, tier_name, body)
    print(json.dumps(decision, indent=2, ensure_ascii=False))
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive number of tokens, not {text}")
    return value


def cmd_demo(args: argparse.Namespace) -> int:
    from router.demo.tour import DemoPortError, run_demo

    try:
        asyncio.run(run_demo(args.host, args.port, args.upstream_port, serve_forever=not args.exit_after_tour))
    except KeyboardInterrupt:
        pass
    except DemoPortError as exc:
        print(f"complexity-router demo: {exc}", file=sys.stderr)
        return 1
    return 0


def _has(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="complexity-router", description="Query-complexity routing gateway (OpenAI-compatible).")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the gateway")
    serve.add_argument("--config", help=CONFIG_HELP)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--insecure-no-auth", action="store_true", help="allow a non-loopback bind with no api_keys")
    serve.set_defaults(func=cmd_serve)

    check = sub.add_parser("check-config", help="validate a config file and exit")
    check.add_argument("file")
    check.set_defaults(func=cmd_check_config)

    route = sub.add_parser("route", help="print the routing decision for a prompt (no backend needed)")
    route.add_argument("prompt")
    route.add_argument("--config", help=CONFIG_HELP)
    route.add_argument("--max-tokens", type=_positive_int, default=None, help="the completion cap to check the context window against")
    route.set_defaults(func=cmd_route)

    stop = sub.add_parser("pre-stop", help="wait until nothing is in flight and one Prometheus scrape more (a preStop hook: router/prestop.py)")
    stop.add_argument("--port", type=int, default=8080, help="the router's port on this host")
    stop.add_argument("--settle", type=float, default=5.0, help="seconds first, for the Service to drop the pod")
    stop.add_argument("--scrape-interval", type=float, default=15.0, help="the Prometheus scrape interval (a ServiceMonitor's `interval`)")
    stop.add_argument("--max-seconds", type=float, default=280.0, help="the longest wait in all (below terminationGracePeriodSeconds)")
    stop.set_defaults(func=cmd_pre_stop)

    demo = sub.add_parser("demo", help="the gateway in front of a SIMULATED upstream, with a guided tour")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--upstream-port", type=int, default=8001)
    demo.add_argument("--exit-after-tour", action="store_true")
    demo.set_defaults(func=cmd_demo)

    from router.classifier_commands import register

    register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if "config" in vars(args) and args.config is None:  # resolved now, not at import: the environment may change
        args.config = default_config_path()
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # a reader that stopped early (`route … | head`): the command ends quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
