"""``complexity-router evaluate``: how well the score routes between a strong and a weak model.

Input: JSON lines ``{"prompt" | "messages" | "turns", "strong", "weak"}`` (the quality of each
model on that prompt), optionally with ``"strong_cost"`` / ``"weak_cost"`` (USD per call) and a
``"category"``. Output: APGR with paired-bootstrap 95 % intervals, CPT(50 %) and CPT(80 %) for the
classifier, prompt length and random; APGR per category (``GROUP_MIN`` lines or more); with costs,
the same curve over the share of the strong model's extra cost and the dollars per 1,000 requests
at which each router recovers half and 80 % of the gap.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.classifier import ComplexityClassifier
from classifiers.cliutil import fail as _fail
from classifiers.metrics import RoutingCurve, bootstrap_apgr, routing_curve
from classifiers.outcomes import OutcomeTable, read_outcomes
from classifiers.text import content_text, parse_messages

#: Fewest lines of a category that get their own APGR row.
GROUP_MIN = 20


def _prompt_len(messages: Any) -> int:
    """The baseline's length: every user turn's text as sent (a multi-turn prompt's first turn is most of its
    question), as `train` measures it — plain length, nothing parsed away: one message was measured after the
    few-shot examples and templates were dropped, several raw (a system message moved a baseline 0.49 → 0.76)."""
    if isinstance(messages, str):
        return len(messages)
    if isinstance(messages, list) and all(isinstance(m, dict) for m in messages):
        return sum(len(content_text(m.get("content"))) for m in messages if m.get("role", "user") == "user")
    return len(parse_messages(messages).last_user)


def evaluate(clf: ComplexityClassifier, args: argparse.Namespace) -> int:
    """The ``evaluate`` command's work once its classifier is loaded (``router/classifier_commands.py`` loads the one
    the gateway's config names): check the options, read the outcomes, print the tables, write the plot."""
    if args.bootstrap < 0:
        return _fail("--bootstrap must be 0 (no intervals) or a number of resamples")
    plot = Path(args.plot) if args.plot else None if args.no_plot or args.outcomes == "-" else default_plot(args.outcomes)
    if plot is not None and (plot.is_dir() or not plot.resolve().parent.is_dir()):
        return _fail(f"--plot: {plot} is a directory" if plot.is_dir() else f"--plot: no directory {plot.resolve().parent}")
    if plot is not None and not plot.suffix:
        plot = plot.with_suffix(".png")
    try:
        table = read_outcomes(args.outcomes)
    except (OSError, EOFError) as exc:  # missing, unreadable, or a .gz that is not gzip
        return _fail(f"cannot read {args.outcomes}: {exc}")
    if len(table.conversations) < 2:
        return _fail("need at least two valid outcome lines")
    if float(np.sum(table.strong)) < float(np.sum(table.weak)):
        print(f"warning: the strong model scores below the weak one in total ({np.sum(table.strong):g} < {np.sum(table.weak):g}): "
              "the gap to recover is negative, and a higher APGR means worse routing", file=sys.stderr)
    scores = np.array([r.score for r in clf.score_batch(table.conversations)])
    routers = {"classifier": scores, "prompt length": np.array([_prompt_len(c) for c in table.conversations], float),
               "random": np.zeros(len(scores))}
    try:
        rows = {k: routing_curve(v, table.strong, table.weak) for k, v in routers.items()}
    except ValueError as exc:
        return _fail(str(exc))
    boot = bootstrap_apgr(routers, table.strong, table.weak, n_boot=args.bootstrap) if args.bootstrap else {}
    distinct = len({json.dumps(c, sort_keys=True, default=str) for c in table.conversations})
    print(f"{len(scores)} prompts" + (f" ({distinct} distinct: each line is a call of its own; `train --outcomes` trains a "
                                      "repeated prompt once)" if distinct < len(scores) else "")
          + (f"; 95% intervals from {args.bootstrap} paired bootstrap resamples" if boot else ""))
    print(f"{'router':16s} {'APGR':>7s} {'95% interval':>15s} {'CPT(50%)':>9s} {'CPT(80%)':>9s}")
    for k, c in rows.items():
        lo, hi = np.percentile(boot[k], [2.5, 97.5]) if boot else (np.nan, np.nan)
        interval = f"[{lo:.3f}, {hi:.3f}]" if boot else "-"
        print(f"{k:16s} {c.apgr:7.3f} {interval:>15s} {c.cpt(0.5):9.3f} {c.cpt(0.8):9.3f}")
    if boot:
        lo, hi = np.percentile(boot["classifier"] - boot["prompt length"], [2.5, 97.5])
        d = rows["classifier"].apgr - rows["prompt length"].apgr
        print(f"difference, classifier - prompt length: {d:+.3f} APGR, 95% interval [{lo:+.3f}, {hi:+.3f}]")
    if table.categories and any(table.categories):
        _print_categories(routers, table)
    if table.strong_cost is not None and table.weak_cost is not None:
        _print_costs(routers, table, table.strong_cost, table.weak_cost)
    if plot is not None:
        try:
            _plot(rows, plot, asked=bool(args.plot))
        except (ValueError, OSError) as exc:  # a format matplotlib does not write, a place it cannot
            if args.plot:
                return _fail(f"--plot: {exc}")
            print(f"warning: no plot written ({exc}); name one with --plot", file=sys.stderr)
    return 0


def default_plot(outcomes: str) -> Path:
    """Where the curves go without `--plot`: beside the outcomes, ``NAME.apgr.png`` (the issue's `evaluate` writes a
    PNG; it wrote one only when asked)."""
    path = Path(outcomes)
    return path.with_name(path.name.split(".")[0] + ".apgr.png")


def _print_categories(routers: dict[str, np.ndarray], table: OutcomeTable) -> None:
    """APGR of each router inside each category with at least ``GROUP_MIN`` lines (where routing
    helps: an MT-bench-like set gains in math and coding, hardly in writing)."""
    cats = np.array([c if c is not None else "" for c in table.categories or []])
    names = sorted(c for c in set(cats.tolist()) if c and int(np.sum(cats == c)) >= GROUP_MIN)
    if not names:
        return
    print(f"by category ({GROUP_MIN}+ lines; APGR)")
    print(f"{'category':24s} {'n':>5s} " + " ".join(f"{k:>13s}" for k in routers))
    for name in names:
        m = cats == name
        cells = []
        for v in routers.values():
            try:
                cells.append(f"{routing_curve(v[m], table.strong[m], table.weak[m]).apgr:13.3f}")
            except ValueError:  # no strong-weak gap inside this category
                cells.append(f"{'n/a':>13s}")
        print(f"{name[:24]:24s} {int(m.sum()):5d} " + " ".join(cells))


def _print_costs(routers: dict[str, np.ndarray], table: OutcomeTable, strong_cost: np.ndarray,
                 weak_cost: np.ndarray) -> None:
    """The curve over the share of the extra cost, and dollars per 1,000 requests at 50 / 80 % PGR."""
    extra = strong_cost - weak_cost
    try:
        rows = {k: routing_curve(v, table.strong, table.weak, extra) for k, v in routers.items()}
    except ValueError as exc:
        print(f"cost table skipped: {exc}")
        return
    n = len(extra)
    per_1k = 1000.0 / n
    base, span = float(np.sum(weak_cost)) * per_1k, float(np.sum(extra)) * per_1k

    def usd(c: RoutingCurve, p: float) -> str:
        x = c.cpt(p)
        return f"{base + x * span:.4f}" if np.isfinite(x) else "never"

    print(f"by cost (x = share of the strong model's extra cost): all weak ${base:.4f}, all strong "
          f"${base + span:.4f} per 1k requests")
    dearer = int(np.sum(extra < 0))
    if dearer:
        print(f"on {dearer} prompts the weak call cost more: the cost axis steps back there (its APGR is n/a; "
              "$/1k is what the routing order has spent when it first recovers the share)")
    print(f"{'router':16s} {'APGR':>7s} {'$/1k at 50%':>12s} {'$/1k at 80%':>12s}")
    for k, c in rows.items():
        area = f"{c.apgr:7.3f}" if c.monotone else f"{'n/a':>7s}"
        print(f"{k:16s} {area} {usd(c, 0.5):>12s} {usd(c, 0.8):>12s}")


def _plot(rows: dict[str, RoutingCurve], path: Path, *, asked: bool = True) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed; skipping the plot (pip install matplotlib)", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for k, c in rows.items():
        ax.plot(c.share, c.pgr, label=f"{k} (APGR {c.apgr:.3f})")
    ax.set_xlabel("share of calls sent to the strong model")
    ax.set_ylabel("performance gap recovered")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}", file=sys.stdout if asked else sys.stderr)  # unasked, not in the table scripts read

