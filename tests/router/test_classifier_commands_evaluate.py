"""The `evaluate` command's runs: what it prints (APGR, costs, prompt counts), the files it writes, and the lines
it skips (its baselines: tests/classifiers/test_evaluate.py)."""

import json
import re
from pathlib import Path

import pytest

from tests.classifiers.conftest import EASY, HARD
from tests.router._classifier_commands_helpers import _run


@pytest.mark.parametrize("problem", ["missing file", "not gzip", "bootstrap", "plot directory"])
def test_evaluate_explains_what_it_cannot_do(tmp_path: Path, capsys, problem: str):
    good = tmp_path / "o.jsonl"
    good.write_text("\n".join(json.dumps({"prompt": t, "strong": 1.0, "weak": float(i % 2)}) for i, t in enumerate(EASY + HARD)) + "\n")
    bad_gz = tmp_path / "o.jsonl.gz"
    bad_gz.write_text("not gzip")
    argv = {"missing file": ["--outcomes", str(tmp_path / "nope.jsonl")], "not gzip": ["--outcomes", str(bad_gz)],
            "bootstrap": ["--outcomes", str(good), "--bootstrap", "-5"],
            "plot directory": ["--outcomes", str(good), "--plot", str(tmp_path / "no" / "c.png")]}[problem]
    assert _run(["evaluate", *argv]) == 2
    assert capsys.readouterr().err.strip()


def test_evaluate_skips_a_line_nested_past_the_json_parser_s_limit(tmp_path: Path, capsys):
    f = tmp_path / "o.jsonl"
    rows = [json.dumps({"prompt": t, "strong": 1.0, "weak": float(i % 2)}) for i, t in enumerate(EASY + HARD)]
    f.write_text("\n".join([*rows, '{"prompt": ' + "[" * 1000 + "]" * 1000 + ', "strong": 1, "weak": 0}']) + "\n")
    assert _run(["evaluate", "--outcomes", str(f), "--bootstrap", "0"]) == 0
    assert "skipping line" in capsys.readouterr().err


def test_evaluate_command(tmp_path: Path, capsys):
    f = tmp_path / "o.jsonl"
    rows = [{"prompt": t, "strong": 1.0, "weak": 0.0} for t in HARD] + [
        {"prompt": t, "strong": 1.0, "weak": 1.0} for t in EASY]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\nbroken\n")
    png = tmp_path / "c.png"
    assert _run(["evaluate", "--outcomes", str(f), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    table = {ln.split()[0]: ln.split()[1:] for ln in out.splitlines() if ln.startswith(("classifier ", "random "))}
    assert float(table["random"][0]) == pytest.approx(0.5) and float(table["classifier"][0]) > 0.6
    lo, hi = (float(v.strip("[],")) for v in table["classifier"][1:3])
    assert lo <= float(table["classifier"][0]) <= hi < 1.0 + 1e-9
    assert table["random"][1:3] == ["[0.500,", "0.500]"]
    assert "difference, classifier - prompt length:" in out and "95% interval" in out
    assert png.stat().st_size > 1000


def test_evaluate_writes_its_curves_beside_the_outcomes_unless_told_not_to(tmp_path: Path, capsys):
    """The issue's `evaluate` writes a PNG of the curves; it wrote one only under `--plot` (s36 review)."""
    f = tmp_path / "held-out.jsonl"
    f.write_text("\n".join(json.dumps({"prompt": t, "strong": 1.0, "weak": float(t in EASY)}) for t in EASY + HARD) + "\n")
    assert _run(["evaluate", "--outcomes", str(f), "--bootstrap", "0", "--no-plot"]) == 0
    assert not (tmp_path / "held-out.apgr.png").exists()
    assert _run(["evaluate", "--outcomes", str(f), "--bootstrap", "0"]) == 0
    assert (tmp_path / "held-out.apgr.png").stat().st_size > 1000 and f"wrote {tmp_path / 'held-out.apgr.png'}" in capsys.readouterr().err


def test_evaluate_prints_apgr_per_category(tmp_path: Path, capsys):
    f = tmp_path / "o.jsonl"
    mixed = [{"prompt": t, "strong": 1.0, "weak": 0.0, "category": "math"} for t in HARD] + [
        {"prompt": t, "strong": 1.0, "weak": 1.0, "category": "math"} for t in EASY]
    flat = [{"prompt": t, "strong": 1.0, "weak": 1.0, "category": "writing"} for t in EASY + HARD]
    few = [{"prompt": t, "strong": 1.0, "weak": 0.0, "category": "rare"} for t in EASY[:3]]
    f.write_text("\n".join(json.dumps(r) for r in mixed + flat + few) + "\n")
    assert _run(["evaluate", "--outcomes", str(f), "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    rows = {ln.split()[0]: ln.split()[1:] for ln in out.split("by category")[1].splitlines()[2:] if ln.strip()}
    assert set(rows) == {"math", "writing"}  # "rare" has fewer than GROUP_MIN lines
    n, classifier, _length, random = rows["math"]
    assert int(n) == len(mixed) and float(classifier) > 0.6 and float(random) == pytest.approx(0.5)
    assert rows["writing"][1:] == ["n/a"] * 3  # no strong-weak gap inside it


def test_evaluate_prints_the_cost_table_when_lines_carry_costs(tmp_path: Path, capsys):
    f = tmp_path / "o.jsonl"
    rows = [{"prompt": t, "strong": 1.0, "weak": 0.0, "strong_cost": 0.01, "weak_cost": 0.001} for t in HARD] + [
        {"messages": [{"role": "user", "content": t}], "strong": 1.0, "weak": 1.0, "strong_cost": 0.01,
         "weak_cost": 0.001} for t in EASY]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert _run(["evaluate", "--outcomes", str(f), "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert f"all weak ${0.001 * 1000:.4f}, all strong ${0.01 * 1000:.4f} per 1k requests" in out
    cost_rows = out.split("by cost")[1].splitlines()
    table = {ln.split()[0]: ln.split()[1:] for ln in cost_rows if ln.startswith(("classifier ", "random "))}
    assert float(table["random"][0]) == pytest.approx(0.5)
    assert float(table["classifier"][0]) > 0.6  # equal costs: the same curve as by calls
    # random reaches half the gap at half the extra cost: $1 + 0.5 * $9 per 1k
    assert float(table["random"][1]) == pytest.approx(1.0 + 0.5 * 9.0, abs=1e-3)
    assert "nan" not in out.split("by cost")[1]


def test_evaluate_prices_routing_when_a_weak_call_costs_more(tmp_path: Path, capsys):
    """Real per-call costs: a weak model that writes longer answers is dearer on some prompts. The whole $/1k table was
    dropped ("the strong model must cost at least as much as the weak one on every prompt")."""
    rows = [{"prompt": t, "strong": 1.0, "weak": 0.0, "strong_cost": 0.01, "weak_cost": 0.001} for t in HARD]
    rows += [{"prompt": t, "strong": 1.0, "weak": 1.0, "strong_cost": 0.002, "weak_cost": 0.004} for t in EASY]
    assert _run(["evaluate", "--outcomes", str(_outcomes(tmp_path, rows)), "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert f"on {len(EASY)} prompts the weak call cost more" in out
    weak_total = (0.001 * len(HARD) + 0.004 * len(EASY)) * 1000 / len(rows)
    strong_total = (0.01 * len(HARD) + 0.002 * len(EASY)) * 1000 / len(rows)
    assert f"all weak ${weak_total:.4f}, all strong ${strong_total:.4f} per 1k" in out
    table = {ln.split()[0]: ln.split()[1:] for ln in out.split("by cost")[1].splitlines() if ln.startswith(("classifier ", "random "))}
    assert table["classifier"][0] == "n/a", "its order meets the dearer weak calls apart: the cost axis steps back"
    assert float(table["random"][0]) == pytest.approx(0.5), "ties are routed in expectation: random's axis never steps back"
    span = strong_total - weak_total  # random recovers p of the gap having spent p of the extra cost
    assert [float(v) for v in table["random"][1:]] == pytest.approx([weak_total + 0.5 * span, weak_total + 0.8 * span], abs=1e-3)


def test_evaluate_skips_the_cost_table_when_some_lines_lack_costs(tmp_path: Path, capsys):
    f = tmp_path / "o.jsonl"
    rows = [{"prompt": "hard " + t, "strong": 1.0, "weak": 0.0, "strong_cost": 1.0, "weak_cost": 0.5} for t in HARD]
    rows += [{"prompt": t, "strong": 1.0, "weak": 1.0} for t in EASY]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert _run(["evaluate", "--outcomes", str(f), "--bootstrap", "0"]) == 0
    captured = capsys.readouterr()
    assert "by cost" not in captured.out and "only some lines have strong_cost" in captured.err


def _outcomes(tmp_path: Path, rows: list[dict], name: str = "o.jsonl", prefix: str = "") -> Path:
    f = tmp_path / name
    f.write_text(prefix + "\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return f


GAPPED = [{"prompt": t, "strong": 1.0, "weak": 0.0} for t in HARD] + [{"prompt": t, "strong": 1.0, "weak": 1.0} for t in EASY]


def test_evaluate_scores_with_the_configured_classifier(tmp_path: Path, config_file, capsys):
    """The APGR is the served classifier's: the config's artifact (as score, route and calibrate read it), not the packaged one."""
    other = tmp_path / "other.yaml"
    other.write_text(config_file.read_text() + "classifier: {artifact: " + str(tmp_path / "missing.skops") + "}\n")
    f = _outcomes(tmp_path, GAPPED)
    assert _run(["evaluate", "--outcomes", str(f), "--config", str(other)]) == 2
    assert "missing.skops" in capsys.readouterr().err
    assert _run(["evaluate", "--outcomes", str(f), "--config", str(config_file), "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert "[nan" not in out and re.search(r"^classifier +[0-9.]+ +- ", out, re.MULTILINE), "no intervals asked for: none printed"


@pytest.mark.parametrize(("plot", "written"), [("c.txt", None), ("dir", None), ("noext", "noext.png"), ("c.svg", "c.svg")])
def test_evaluate_writes_its_plot_or_says_why_not(tmp_path: Path, capsys, plot: str, written: str | None):
    (tmp_path / "dir").mkdir()
    assert _run(["evaluate", "--outcomes", str(_outcomes(tmp_path, GAPPED)), "--bootstrap", "0", "--plot", str(tmp_path / plot)]) == (
        2 if written is None else 0)
    captured = capsys.readouterr()
    if written is None:
        assert "--plot" in captured.err and "Traceback" not in captured.err
    else:
        assert (tmp_path / written).stat().st_size > 1000 and f"wrote {tmp_path / written}" in captured.out


def test_evaluate_says_how_many_prompts_are_distinct(tmp_path: Path, capsys):
    """Lines that repeat a prompt are calls of their own here and one prompt to `train --outcomes` (a user review: 120
    prompts in evaluate, n=79 in train, neither said why)."""
    assert _run(["evaluate", "--outcomes", str(_outcomes(tmp_path, GAPPED + GAPPED[:3])), "--bootstrap", "0", "--no-plot"]) == 0
    assert capsys.readouterr().out.startswith(f"{len(GAPPED) + 3} prompts ({len(GAPPED)} distinct: each line is a call of its own")
    assert _run(["evaluate", "--outcomes", str(_outcomes(tmp_path, GAPPED)), "--bootstrap", "0", "--no-plot"]) == 0
    assert "distinct" not in capsys.readouterr().out


def test_evaluate_counts_and_warns_about_what_it_leaves_out(tmp_path: Path, capsys):
    """Non-finite qualities are skipped with a warning, so the header's count and the cost table are the curve's rows; a NaN
    cost skips the cost table (not priced on a NaN); a byte-order mark is no text; a strong model worse than the weak warns."""
    costs = {"strong_cost": 0.01, "weak_cost": 0.001}
    rows = [{"prompt": "hi", "strong": float("nan"), "weak": 0, "strong_cost": 1.0, "weak_cost": 0.001}] + [r | costs for r in GAPPED]
    f = tmp_path / "o.jsonl"
    f.write_text("\ufeff" + "\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")  # json.dumps writes NaN
    assert _run(["evaluate", "--outcomes", str(f), "--bootstrap", "0"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{len(GAPPED)} prompts") and "skipping line 1: strong and weak must be finite" in captured.err
    assert "all weak $1.0000, all strong $10.0000 per 1k" in captured.out
    nan_cost = [r | costs for r in GAPPED[1:]] + [GAPPED[0] | {"strong_cost": float("nan"), "weak_cost": 0.001}]
    assert _run(["evaluate", "--outcomes", str(_outcomes(tmp_path, nan_cost)), "--bootstrap", "0"]) == 0
    captured = capsys.readouterr()
    assert "by cost" not in captured.out and "nan" not in captured.out and "must be finite numbers" in captured.err
    worse = [{"prompt": t, "strong": 0.0, "weak": 1.0} for t in HARD] + [{"prompt": t, "strong": 1.0, "weak": 1.0} for t in EASY]
    assert _run(["evaluate", "--outcomes", str(_outcomes(tmp_path, worse)), "--bootstrap", "0"]) == 0
    assert "strong model scores below the weak one" in capsys.readouterr().err


def test_evaluate_skips_qualities_too_large_to_add_up(tmp_path: Path, capsys):
    """strong 1e308 and weak -1e308 overflowed the gap to infinity and printed NaN for every APGR, exit 0."""
    f = tmp_path / "o.jsonl"
    rows = [json.dumps({"prompt": t, "strong": 1.0, "weak": float(i % 2)}) for i, t in enumerate(EASY + HARD)]
    f.write_text("\n".join([*rows, '{"prompt": "y", "strong": 1e308, "weak": -1e308}']) + "\n")
    assert _run(["evaluate", "--outcomes", str(f), "--bootstrap", "0"]) == 0
    captured = capsys.readouterr()
    assert "finite numbers up to" in captured.err and "nan" not in captured.out.lower()
