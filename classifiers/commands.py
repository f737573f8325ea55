"""CLI subcommands of the classifier alone: train, train-embedding, export; and ``read_prompts``, the prompt file
``calibrate`` reads.

``register(subparsers)`` is called by ``router/classifier_commands.py``, which adds the commands that read the
gateway's config (score, calibrate, evaluate); each handler returns an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from classifiers.cliutil import fail as _fail
from classifiers.records import as_messages, json_line


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


# ---- calibrate's input ---------------------------------------------------------------
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


# ---- registration -----------------------------------------------------------------------
def register(subparsers: Any) -> None:
    """Add train / train-embedding / export to the CLI's argparse subparsers."""
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
