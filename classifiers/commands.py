"""CLI subcommands of the classifier: train, export, score, calibrate, evaluate.

``register(subparsers)`` is called by ``router/cli.py``; each handler returns an exit code.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import select
import sys
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from classifiers.calibrate import budget_thresholds, share_thresholds, write_calibration
from classifiers.classifier import ComplexityClassifier, ScoreResult
from classifiers.cliutil import configured_classifier, load_router_config
from classifiers.cliutil import fail as _fail
from classifiers.evaluate import add_parser as add_evaluate_parser
from classifiers.persist import ClassifierLoadError
from classifiers.records import as_messages, json_line

CHUNK = 512
#: Fewer calibration prompts than this get a warning: a threshold between two of them is a guess for the rest.
SMALL_SAMPLE = 100
#: How far a reached share may lie from the one asked before `calibrate` says so (ties; a small sample's granularity).
TIED_SHARE_GAP = 0.1


def tier_for_score(tiers: Mapping[str, Any], score: float) -> str:
    """First tier whose ``max_score`` >= score; the last tier catches everything."""
    try:
        from router.policy import tier_for_score as policy_tier
    except ImportError:  # pragma: no cover - the policy module ships with the router
        names = list(tiers)
        for n in names[:-1]:
            ms = tiers[n].max_score
            if score <= (1.0 if ms is None else ms):
                return n
        return names[-1]
    return policy_tier(tiers, score)


# ---- train --------------------------------------------------------------------------
def cmd_train(args: argparse.Namespace) -> int:
    from classifiers.train import train_artifact

    if not Path(args.data).is_dir():
        return _fail(f"data folder not found: {args.data}")
    for f in args.outcomes:
        if not Path(f).is_file():
            return _fail(f"outcome file not found: {f}")
    try:
        meta = train_artifact(args.data, args.out, seed=args.seed, validate=not args.no_validate,
                              log=lambda m: print(m, file=sys.stderr), outcome_files=tuple(args.outcomes))
    except ValueError as exc:  # an outcome file without two valid lines
        return _fail(str(exc))
    except OSError as exc:  # a folder that is not the data folder: the file it lacks
        return _fail(f"{exc.strerror}: {exc.filename} (is --data the shared data folder?)")
    val = meta.get("validation") or {}
    for name in ("alpaca_eval", "arena_bench_v1", *(f"outcomes:{Path(f).stem}" for f in args.outcomes)):
        if name in val:
            r = val[name]
            lo, hi = r.get("difference_95", (float("nan"), float("nan")))
            print(f"{name}: LOSO APGR {r['apgr']:.3f} (prompt length {r['apgr_length']:.3f}; "
                  f"difference 95% interval [{lo:+.3f}, {hi:+.3f}])")
    if "tokens_spearman" in val:
        print(f"answer tokens: LOSO Spearman {val['tokens_spearman']:.3f} (prompt length {val['tokens_spearman_length']:.3f})")
    for name, r in val.get("per_source", {}).items():
        if "tokens_spearman_reference" in r:
            print(f"answer tokens, {name} written answers held out: Spearman {r['tokens_spearman_reference']:.3f} "
                  f"(prompt length {r['tokens_spearman_reference_length']:.3f})")
    print(f"wrote {args.out}, {Path(args.out).with_suffix('.npz')} and {Path(args.out).with_suffix('.json')}")
    return 0


def cmd_train_embedding(args: argparse.Namespace) -> int:
    from classifiers.embedding_train import train_embedding_head

    if not Path(args.data).is_dir():
        return _fail(f"data folder not found: {args.data}")
    try:
        meta = train_embedding_head(args.data, args.embedding_model, args.out, validate=not args.no_validate,
                                    seed=args.seed, model_name=args.model_name, log=lambda m: print(m, file=sys.stderr))
    except ImportError as exc:
        return _fail(f"{exc} (install the `embedding` extra: pip install 'complexity-router[embedding]')")
    except (OSError, ValueError) as exc:
        return _fail(str(exc))
    val = meta.get("validation")
    if val:
        print(f"answer tokens: LOSO Spearman {val['tokens_spearman']:.3f} (default classifier "
              f"{val['tokens_spearman_default']:.3f}); median predicted / actual {val['median_predicted_over_actual']} "
              f"({val['median_predicted_over_actual_default']}); a typical estimate off by x{val['median_factor_off']} "
              f"(x{val['median_factor_off_default']}); mean |log error| {val['mean_abs_log_error']} "
              f"({val['mean_abs_log_error_default']})")
        for name, r in val["per_source"].items():
            print(f"  {name} held out: {r['spearman']:.3f} (default {r['spearman_default']:.3f}, n={r['n']})")
    print(f"wrote {args.out} and {Path(args.out).with_suffix('.json')}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """(Re)write the inference bundle of an existing .skops artifact and record it in the metadata."""
    from classifiers.bundle import write_bundle
    from classifiers.persist import ClassifierLoadError, load_estimator, read_metadata, resolve

    path = resolve(args.artifact)
    try:
        est = load_estimator(path)
        meta = read_metadata(path)
    except ClassifierLoadError as exc:
        return _fail(str(exc))
    meta["inference_bundle"] = write_bundle(est, path)
    if path.with_suffix(".json").is_file():
        path.with_suffix(".json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path.with_suffix('.npz')} (from {path.name}, sha256 {meta['inference_bundle']['skops_sha256'][:12]}…)")
    return 0


# ---- score --------------------------------------------------------------------------
def _parse_line(line: str) -> Any:
    if not line.strip():  # json's "Expecting value: line 2 column 1 (char 1)" named no cause
        raise ValueError("empty line")
    obj = json_line(line)
    if not isinstance(obj, dict):
        raise TypeError("each line must be a JSON object")
    return as_messages(obj)


def _score_line(res: ScoreResult, config: Any, forecast: Any) -> dict[str, Any]:
    """A line's answer: its score, tier, and each tier's expected completion tokens as the gateway forecasts them
    (`CompletionForecast.per_tier`: the effort the model can hold, the tier's cap), not the classifier's raw figure."""
    return {
        "score": round(res.score, 6),
        "tier": tier_for_score(config.tiers, res.score),
        "expected_completion_tokens": {name: found.tokens for name, found in forecast.per_tier(res, {}).items()},
    }


class Scored(NamedTuple):
    """What ``score_stream`` read: input lines, and how many of them were errors."""

    lines: int
    errors: int


def score_stream(clf: ComplexityClassifier, config: Any, inp: TextIO, out: TextIO) -> Scored:
    """JSON lines in → one JSON line out per input line, in order (an error line for one that is no prompt)."""
    from router.forecast import CompletionForecast

    forecast = CompletionForecast(config)
    errors = total = 0
    pending: list[tuple[int, Any]] = []
    lines: list[str | None] = []

    def flush() -> None:
        results = clf.score_batch([m for _, m in pending])
        by_slot = {slot: r for (slot, _), r in zip(pending, results)}
        for i, err in enumerate(lines):
            out.write(json.dumps({"error": err}) if err is not None else json.dumps(_score_line(by_slot[i], config, forecast)))
            out.write("\n")
        pending.clear()
        lines.clear()

    for raw in inp:
        total += 1
        try:
            pending.append((len(lines), _parse_line(raw)))
            lines.append(None)
        except (ValueError, TypeError, RecursionError) as exc:  # RecursionError: JSON nested past the parser's limit
            errors += 1
            lines.append(f"bad input line: {type(exc).__name__ if isinstance(exc, RecursionError) else exc}")
        if len(lines) >= CHUNK or not _input_waiting(inp):  # a caller that writes a line and waits for its answer gets it
            flush()
    flush()
    out.flush()
    return Scored(total, errors)


def _input_waiting(inp: TextIO) -> bool:
    """Whether more input can be read at once (a file, a pipe with bytes in it): lines are scored in batches of
    ``CHUNK``, a batch cut short when its writer pauses (in-memory text is all there)."""
    try:
        return bool(select.select([inp.fileno()], [], [], 0)[0])
    except (AttributeError, OSError, ValueError):  # no descriptor (StringIO), or one select cannot watch
        return True


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
    scored = score_stream(clf, config, stdin, sys.stdout)
    if scored.lines and scored.errors == scored.lines:  # a script piping the wrong file learns it from the status
        return _fail(f"none of the {scored.lines} input lines could be scored (each answer is an error line)", code=1)
    return 0


# ---- calibrate -----------------------------------------------------------------------
def read_prompts(path: str) -> list[Any]:
    """A JSON-lines file of {"prompt"} / {"messages"} objects (the decision log with `log_prompts: true`
    is one), or plain text lines. An object with no prompt in it (a decision-log line without
    `messages`, `{"messages": null}`) is skipped, with a count on stderr: scoring its JSON as a prompt
    would calibrate on text nobody sent."""
    out: list[Any] = []
    skipped = 0
    with open(path, encoding="utf-8-sig", errors="replace", newline="\n") as fh:  # -sig: a byte-order mark is no prompt text
        for line in fh:
            text = line.rstrip("\r\n").removeprefix("\ufeff")
            if not text.strip():
                continue
            try:
                obj = json_line(line)
            except (ValueError, RecursionError):
                obj = text
            if not isinstance(obj, dict):  # plain text; a line that is a JSON scalar is its own text ("true", not "True")
                out.append([{"role": "user", "content": obj if isinstance(obj, str) else text}])
                continue
            try:
                messages = as_messages(obj)
            except (ValueError, TypeError):
                messages = None
            if isinstance(messages, list | str) and messages:
                out.append(messages)
            else:
                skipped += 1
    if skipped:
        print(f"warning: skipped {skipped} lines without a prompt or messages", file=sys.stderr)
    return out


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
    from router.config import packaged_default_config

    if args.budget_usd_per_1k is not None and not (math.isfinite(args.budget_usd_per_1k) and args.budget_usd_per_1k > 0):
        return _fail("--budget-usd-per-1k must be a positive number of USD")
    if args.write and args.config == str(packaged_default_config()):
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


# ---- registration -----------------------------------------------------------------------
def register(subparsers: Any) -> None:
    """Add train / export / score / calibrate / evaluate to the router's argparse subparsers."""
    from router.config import CONFIG_HELP

    p = subparsers.add_parser("train", help="train the complexity classifier (reproducible)")
    p.add_argument("--data", required=True, help="training data folder (../shared/data)")
    p.add_argument("--out", required=True, help="artifact path (.skops); metadata .json is written beside it")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-validate", action="store_true", help="skip leave-one-source-out validation")
    p.add_argument("--outcomes", action="append", default=[], metavar="FILE",
                   help="your own outcome JSON lines ({prompt|messages|turns, strong, weak}, as for evaluate) "
                        "to train on as well; repeatable; each is validated as a held-out source")
    p.set_defaults(func=cmd_train)

    p = subparsers.add_parser("train-embedding", help="train the answer-length head of the optional embedding extra")
    p.add_argument("--data", required=True, help="training data folder (../shared/data)")
    p.add_argument("--embedding-model", required=True, metavar="DIR",
                   help="a sentence-transformers model directory on disk (never downloaded)")
    p.add_argument("--out", required=True, help="head path (.npz); metadata .json is written beside it")
    p.add_argument("--model-name", default=None, help="the model's name for the metadata (default: the directory's name)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-validate", action="store_true", help="skip leave-one-source-out validation")
    p.set_defaults(func=cmd_train_embedding)

    p = subparsers.add_parser("export", help="write the inference bundle (.npz) beside a .skops artifact")
    p.add_argument("--artifact", default="default", help="'default' or a .skops path")
    p.set_defaults(func=cmd_export)

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

    add_evaluate_parser(subparsers)
