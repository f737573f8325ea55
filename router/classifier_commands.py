"""The classifier's commands that read the gateway's config: score (each tier's forecast), calibrate (thresholds
written into the config) and evaluate (the classifier the config names), beside train / train-embedding / export
(``classifiers/commands.py``). ``register(subparsers)`` is called by ``router/cli.py``; each handler returns an exit code.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from classifiers.classifier import ScoreResult
from classifiers.cliutil import fail as _fail
from classifiers.commands import read_prompts
from classifiers.commands import register as register_classifier_commands
from classifiers.persist import ClassifierLoadError
from router.config import CONFIG_HELP, RouterConfig
from router.offline_config import load_router_config

if TYPE_CHECKING:
    from classifiers.score_stream import Scored

#: Fewer calibration prompts than this get a warning: a threshold between two of them is a guess for the rest.
SMALL_SAMPLE = 100
#: How far a reached share may lie from the one asked before `calibrate` says so (ties; a small sample's granularity).
TIED_SHARE_GAP = 0.1


def configured_classifier(args: argparse.Namespace, config: RouterConfig | None) -> Any:
    """The classifier an offline command scores with: the one the config names (``--artifact`` overrides it),
    as the gateway serves it; the embedding extra, when configured, on every core (`threads` leaves cores to a
    gateway's event loop; a batch has none to leave)."""
    from classifiers.answer_tokens import load_configured

    artifact = getattr(args, "artifact", None) or (config.classifier.artifact if config is not None else "default")
    embedding = config.classifier.embedding if config is not None else None
    if embedding is not None:
        embedding = embedding.model_copy(update={"threads": max(embedding.threads, os.cpu_count() or 1)})
    return load_configured(artifact, embedding)


# ---- score --------------------------------------------------------------------------
def score_answer(config: RouterConfig, forecast: Any, res: ScoreResult) -> dict[str, Any]:
    """A line's answer: its score, tier, and each tier's expected completion tokens as the gateway forecasts them
    (`CompletionForecast.per_tier`: the effort the model can hold, the tier's cap), not the classifier's raw figure."""
    from router.policy import tier_for_score

    return {
        "score": round(res.score, 6),
        "tier": tier_for_score(config.tiers, res.score),
        "expected_completion_tokens": {name: found.tokens for name, found in forecast.per_tier(res, {}).items()},
    }


def score_lines(clf: Any, config: RouterConfig, inp: TextIO, out: TextIO) -> Scored:
    """``score_stream`` with the gateway's answer per line (``score_answer``)."""
    from classifiers.score_stream import score_stream
    from router.forecast import CompletionForecast

    return score_stream(clf, partial(score_answer, config, CompletionForecast(config)), inp, out)


def cmd_score(args: argparse.Namespace) -> int:
    try:
        config = load_router_config(args.config)
        clf = configured_classifier(args, config)
    except (ClassifierLoadError, ValueError, OSError) as exc:
        return _fail(str(exc))
    # Bytes that are not UTF-8 are replaced whatever the locale (a strict one raised mid-file); a reader that stops
    # early (`| head`) ends the command quietly (router/cli.py `main`).
    # Lines end at "\n" only: a bare CR is JSON whitespace inside a line, and split there the answers fell out of step.
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace", newline="\n") if hasattr(sys.stdin, "buffer") else sys.stdin
    scored = score_lines(clf, config, stdin, sys.stdout)
    if scored.lines and scored.errors == scored.lines:  # a script piping the wrong file learns it from the status
        return _fail(f"none of the {scored.lines} input lines could be scored (each answer is an error line)", code=1)
    return 0


# ---- calibrate -----------------------------------------------------------------------
def _parse_shares(text: str) -> dict[str, float]:
    shares: dict[str, float] = {}
    for part in text.split(","):
        name, _, val = part.partition("=")
        if name.strip() in shares:
            raise ValueError(f"--shares names tier {name.strip()!r} twice")
        try:
            share = float(val)
        except ValueError:
            raise ValueError(f"--shares: {name.strip()}={val} is not a number (e.g. low=0.5,medium=0.3,high=0.2)") from None
        if not math.isfinite(share):
            raise ValueError(f"--shares: {name.strip()}={val} is not a finite number")
        shares[name.strip()] = share
    return shares


def cmd_calibrate(args: argparse.Namespace) -> int:
    from router.calibration import budget_thresholds, share_thresholds
    from router.calibration_yaml import write_calibration
    from router.config import packaged_default_config

    if args.budget_usd_per_1k is not None and not (math.isfinite(args.budget_usd_per_1k) and args.budget_usd_per_1k > 0):
        return _fail("--budget-usd-per-1k must be a positive number of USD")
    if args.write and Path(args.config).resolve() == packaged_default_config().resolve():
        # however named: a checkout's configs/default.yaml (what `calibrate` reads there without --config) is the
        # packaged file itself, router/configs links to it; a symlink, a relative path, are that file too
        return _fail("--write changes the config file: name yours with --config (this is the packaged default)")
    try:
        config = load_router_config(args.config)
        clf = configured_classifier(args, config)
        prompts = read_prompts(args.prompts)
    except (ClassifierLoadError, ValueError, OSError) as exc:
        return _fail(str(exc))
    if not prompts:
        return _fail(f"no prompts in {args.prompts}")
    if len(prompts) < SMALL_SAMPLE:
        print(f"warning: {len(prompts)} prompts are few: the thresholds follow their scores, and your traffic's may differ "
              f"(calibrate on {SMALL_SAMPLE} or more of its prompts)", file=sys.stderr)
    results = clf.score_batch(prompts)
    tiers = config.tiers
    try:
        asked = _parse_shares(args.shares) if args.shares else None
        if args.budget_usd_per_1k is not None:  # --shares beside a budget: the mix wanted, cut down to what it affords
            thr, info = budget_thresholds(results, prompts, config, args.budget_usd_per_1k, need=asked)
        elif asked is not None:
            thr, info = share_thresholds([r.score for r in results], list(tiers), asked)
            _warn_if_tied(asked, info["shares"])
        else:
            return _fail("give --shares or --budget-usd-per-1k")
    except ValueError as exc:
        return _fail(str(exc))
    print(f"{len(prompts)} prompts; thresholds (max_score per tier, cheapest first):")
    for name in tiers:
        ms = thr.get(name)
        print(f"  {name:12s} max_score={'-' if ms is None else f'{ms:.6f}'}  share={info['shares'][name]:.3f}")
    if "usd_per_1k" in info:
        print(f"  expected cost: {info['usd_per_1k']:.4f} USD per 1k requests")
        wanted = ", ".join(f"{name}={share:.3f}" for name, share in info["need"].items())
        print(f"  shares wanted: {wanted} ({'--shares' if asked else 'an even split; --shares to choose'})")
    if args.write:
        try:
            write_calibration(args.config, thr, info["shares"], validate=partial(load_router_config, quiet=True))
        except (ValueError, OSError) as exc:
            return _fail(f"could not update {args.config}: {exc}")
        print(f"updated {args.config}")
    return 0


def _warn_if_tied(asked: Mapping[str, float], got: Mapping[str, float]) -> None:
    """Say when the shares reached are far from those asked: identical scores (the same prompt many times, "hi") cannot
    be split by a threshold, and 50/30/20 came out 0/100/0 without a word — `--write` records what was reached."""
    total = sum(asked.values()) or 1.0  # shares may be percentages
    far = {name: (asked.get(name, 0.0) / total, share) for name, share in got.items() if abs(share - asked.get(name, 0.0) / total) > TIED_SHARE_GAP}
    if far:
        detail = ", ".join(f"{name} {share:.2f} (asked {want:.2f})" for name, (want, share) in far.items())
        print(f"warning: shares reached differ from those asked: {detail}; prompts with identical scores cannot be split "
              "(calibrate on more varied prompts)", file=sys.stderr)


# ---- evaluate ------------------------------------------------------------------------
def cmd_evaluate(args: argparse.Namespace) -> int:
    from classifiers.evaluate import evaluate

    try:
        clf = configured_classifier(args, load_router_config(args.config))  # the classifier the gateway would serve
    except (ClassifierLoadError, ValueError, OSError) as exc:
        return _fail(str(exc))
    return evaluate(clf, args)


# ---- registration -----------------------------------------------------------------------
def register(subparsers: Any) -> None:
    """Add train / train-embedding / export / score / calibrate / evaluate to the CLI's argparse subparsers."""
    register_classifier_commands(subparsers)

    p = subparsers.add_parser("score", help="score JSON lines from stdin")
    p.add_argument("--config", help=CONFIG_HELP)
    p.add_argument("--artifact", default=None, help="override the config's classifier artifact")
    p.set_defaults(func=cmd_score)

    p = subparsers.add_parser("calibrate", help="thresholds that send given shares (or meet a budget) per tier")
    p.add_argument("--prompts", required=True, help="JSON lines with prompt/messages, or plain text lines")
    p.add_argument("--shares", default=None, help="e.g. low=0.5,medium=0.3,high=0.2 (with a budget: the mix wanted, cut down to what the budget affords)")
    p.add_argument("--budget-usd-per-1k", type=float, default=None, dest="budget_usd_per_1k")
    p.add_argument("--config", help=CONFIG_HELP)
    p.add_argument("--artifact", default=None)
    p.add_argument("--write", action="store_true", help="write the thresholds into the config file")
    p.set_defaults(func=cmd_calibrate)

    p = subparsers.add_parser("evaluate", help="APGR / CPT on {prompt, strong, weak[, strong_cost, weak_cost]} JSON lines")
    p.add_argument("--outcomes", required=True)
    p.add_argument("--plot", default=None, help="write the PGR curves to this PNG (default: NAME.apgr.png beside the outcomes)")
    p.add_argument("--no-plot", action="store_true", help="write no plot")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                   help="paired bootstrap resamples for the 95%% intervals (0 = none)")
    p.add_argument("--config", help=CONFIG_HELP)
    p.add_argument("--artifact", default=None, help="override the config's classifier artifact")
    p.set_defaults(func=cmd_evaluate)
