import argparse
import io
import itertools
import json
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from router.calibration import budget_thresholds, cost_matrix
from router.classifier_commands import register, score_lines
from router.offline_config import load_router_config
from tests.classifiers.conftest import CONFIG, EASY, HARD, OLYMPIAD, user


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command", required=True))
    return p


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    return args.func(args)


def test_register_adds_subcommands():
    p = _parser()
    for cmd in (["train", "--data", "d", "--out", "o"], ["score"], ["calibrate", "--prompts", "f"],
                ["evaluate", "--outcomes", "f"]):
        assert callable(p.parse_args(cmd).func)


def test_score_stream_in_order_with_errors(tiny_classifier, config_file):
    cfg = load_router_config(str(config_file))
    lines = ['{"prompt": "hi"}', "not json", '{"messages": [{"role": "user", "content": "Prove Fermat"}]}',
             "[1, 2]", '{"other": 1}', '{"prompt": ""}', '{"prompt": ' + "[" * 1000 + "]" * 1000 + "}", "  "]
    out = io.StringIO()
    errors = score_lines(tiny_classifier, cfg, io.StringIO("\n".join(lines) + "\n"), out).errors
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(rows) == len(lines) and errors == 5, "a line nested past the JSON parser's limit is one bad line, not the end"
    assert [("error" in r) for r in rows] == [False, True, False, True, True, False, True, True]
    assert rows[-1] == {"error": "bad input line: empty line"}, "a blank line says so (json had said 'Expecting value')"
    ok = rows[0]
    assert set(ok) == {"score", "tier", "expected_completion_tokens"}
    assert ok["tier"] in ("low", "medium", "high") and set(ok["expected_completion_tokens"]) == {"low", "medium", "high"}
    assert ok["expected_completion_tokens"]["medium"] <= ok["expected_completion_tokens"]["low"] + 2048


def test_score_command_end_to_end(config_file, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"prompt": "hi"}\n{"prompt": "Prove that sqrt(2) is irrational."}\n'))
    assert _run(["score", "--config", str(config_file)]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(rows) == 2 and rows[1]["score"] > rows[0]["score"]


def test_score_reads_any_bytes_and_stops_quietly_when_its_reader_does(config_file, tmp_path: Path):
    """Bytes that are not UTF-8 are replaced even under a strict stdin encoding, and `score | head -1`
    ends without a BrokenPipeError traceback."""
    command = [sys.executable, "-m", "router.cli", "score", "--config", str(config_file)]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    done = subprocess.run(command, input=b'{"prompt": "caf\xe9 \xff"}\n{"prompt": "hi"}\n', capture_output=True, env=env, timeout=120, check=False)
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 2, done.stderr.decode(errors="replace")
    # found in review: a bare CR (JSON whitespace) split its line in two, and every later answer was another line's
    done = subprocess.run(command, input=b'{"prompt":\r"hi"}\r\n{"prompt": "second"}\n', capture_output=True, env=env, timeout=120, check=False)
    assert [line.startswith(b'{"score"') for line in done.stdout.splitlines()] == [True, True], done.stdout
    many = tmp_path / "many.jsonl"
    many.write_bytes(b"".join(b'{"prompt": "question %d"}\n' % i for i in range(20_000)))
    with many.open("rb") as source, subprocess.Popen(command, stdin=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b'{"score"')
        process.stdout.close()
        stderr = process.stderr.read()
        process.wait(timeout=120)
    assert b"Traceback" not in stderr, stderr.decode(errors="replace")


def test_every_command_stops_quietly_when_its_reader_has_gone(config_file):
    """`route … | head` ended with a BrokenPipeError traceback (only `score` handled it): one handler in `main` now."""
    command = [sys.executable, "-m", "router.cli", "route", "--config", str(config_file), "Prove that sqrt(2) is irrational."]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # gone before the command writes
        stderr = process.stderr.read()
        assert process.wait(timeout=120) == 0
    assert b"Traceback" not in stderr, stderr.decode(errors="replace")


def test_turns_read_as_user_turns(default, config_file):
    """MT-bench style ``{"turns": [...]}`` and a list ``prompt`` score like the user turns sent as messages."""
    cfg = load_router_config(str(config_file))
    turns = [OLYMPIAD, "continue"]
    msgs = [{"role": "user", "content": t} for t in turns]
    lines = [json.dumps({"turns": turns}), json.dumps({"prompt": turns}), json.dumps({"messages": msgs})]
    out = io.StringIO()
    assert score_lines(default, cfg, io.StringIO("\n".join(lines) + "\n"), out).errors == 0
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert rows[0] == rows[1] == rows[2]
    alone = io.StringIO()
    score_lines(default, cfg, io.StringIO('{"prompt": "continue"}\n'), alone)
    assert rows[0]["score"] > json.loads(alone.getvalue())["score"]


def test_chat_log_records_read_as_their_messages(default, config_file):
    """A ShareGPT ``conversations`` (``from``/``value``), an LMSYS ``conversation`` (``role``/``content``)
    and a ``turns`` list of messages score like the same messages."""
    cfg = load_router_config(str(config_file))
    msgs = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": OLYMPIAD},
            {"role": "assistant", "content": "Here is a proof ..."}, {"role": "user", "content": "continue"}]
    speaker = {"system": "system", "user": "human", "assistant": "gpt"}
    lines = [json.dumps({"messages": msgs}), json.dumps({"conversation": msgs}), json.dumps({"turns": msgs}),
             json.dumps({"conversations": [{"from": speaker[m["role"]], "value": m["content"]} for m in msgs]})]
    out = io.StringIO()
    assert score_lines(default, cfg, io.StringIO("\n".join(lines) + "\n"), out).errors == 0
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(rows) == 4 and all(r == rows[0] for r in rows) and "score" in rows[0]


def test_calibrate_write_updates_yaml(tmp_path: Path, config_file, capsys):
    """`--write` sets the thresholds and each tier's expected_share (the shares it printed), which the
    gateway exports for the tier-mix drift alert; the file still loads."""
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": t}) for t in EASY + HARD) + "\nplain text line\n")
    assert _run(["calibrate", "--prompts", str(prompts), "--shares", "low=0.5,medium=0.3,high=0.2",
                 "--config", str(config_file), "--write"]) == 0
    out = capsys.readouterr().out
    cfg = yaml.safe_load(config_file.read_text())
    assert cfg["tiers"]["low"]["max_score"] != 0.40 and "max_score" not in cfg["tiers"]["high"]
    printed = {m[1]: float(m[2]) for m in re.finditer(r"^  (\w+) +max_score=\S+ +share=([0-9.]+)", out, re.MULTILINE)}
    assert set(printed) == {"low", "medium", "high"}
    assert load_router_config(str(config_file)).expected_shares() == pytest.approx(printed, abs=1e-3)
    assert "updated" in out


def test_calibrate_write_keeps_an_empty_tier_valid(tmp_path: Path, config_file):
    """A tier given no share sits between two thresholds 1e-6 apart; written with four decimals they
    were equal and the config left on disk no longer loaded."""
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": t}) for t in EASY + HARD) + "\n")
    assert _run(["calibrate", "--prompts", str(prompts), "--shares", "low=0.5,medium=0,high=0.5",
                 "--config", str(config_file), "--write"]) == 0
    config = load_router_config(str(config_file))
    assert config.tiers["low"].max_score < config.tiers["medium"].max_score


@pytest.mark.parametrize("argv", [
    ["--budget-usd-per-1k", "nan"], ["--budget-usd-per-1k", "0"], ["--shares", "low=0.5,medium=0.3,high=0.2,low=0.1"],
    ["--shares", "low=inf,medium=0.3,high=0.2"], ["--shares", "low=0.5,medium=0.5,high=0.5"],
])
def test_calibrate_refuses_numbers_it_cannot_meet(tmp_path: Path, config_file, capsys, argv: list[str]):
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": t}) for t in EASY + HARD) + "\n")
    assert _run(["calibrate", "--prompts", str(prompts), "--config", str(config_file), *argv]) == 2
    assert capsys.readouterr().err.strip()


def test_calibrate_skips_lines_without_a_prompt(tmp_path: Path, config_file, capsys):
    """A decision-log line without `messages` (`log_prompts: false`) or `{"messages": null}` is no
    prompt: the budget mode crashed on it, the share mode scored its JSON as text."""
    prompts = tmp_path / "p.jsonl"
    lines = [json.dumps({"prompt": t}) for t in EASY + HARD] + ['{"messages": null}', '{"messages": 5}', '{"request_id": "r1", "status": "ok"}']
    prompts.write_text("\n".join(lines) + "\n")
    assert _run(["calibrate", "--prompts", str(prompts), "--config", str(config_file), "--budget-usd-per-1k", "1000"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{len(EASY + HARD)} prompts") and "skipped 3 lines" in err


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


def test_a_budget_cuts_down_the_shares_asked_beside_it(tmp_path: Path, config_file, capsys):
    """`--shares` beside `--budget-usd-per-1k` was ignored without a word: it is the mix wanted, and an ample budget
    reaches it (no easy prompt is sent up because money is left)."""
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": f"{t} ({i})"}) for i, t in enumerate((EASY + HARD) * 4)) + "\n")
    argv = ["calibrate", "--prompts", str(prompts), "--config", str(config_file), "--budget-usd-per-1k", "1e6"]
    assert _run([*argv, "--shares", "low=0.5,medium=0.25,high=0.25"]) == 0
    out = capsys.readouterr().out
    shares = dict(re.findall(r"^\s+(\w+)\s+max_score=\S+\s+share=([\d.]+)", out, re.MULTILINE))
    assert shares == {"low": "0.500", "medium": "0.250", "high": "0.250"}, out
    assert "shares wanted: low=0.500, medium=0.250, high=0.250 (--shares)" in out
    assert _run(argv) == 0 and "an even split; --shares to choose" in capsys.readouterr().out
    assert _run([*argv, "--shares", "low=0.5,medium=0.5"]) == 2


def test_the_commands_forecast_each_tier_as_the_gateway_does(tiny_classifier, tmp_path: Path):
    """Found in review: `score`, `calibrate` and `route` forecast a tier at its configured effort with no ceiling — 21,388
    tokens for an xhigh tier on an 8,000-token model the gateway asks at the effort that fits (4,145), 166 for a tier whose
    `params.max_tokens` is 64 — so `calibrate --budget-usd-per-1k` spent 15 % of the budget it was given."""
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG.replace("o4-mini: {backend: local-vllm, reasoning: openai,", "o4-mini: {backend: local-vllm, reasoning: anthropic, max_output_tokens: 8000, efforts: [none, low, medium, high, xhigh],")
                      .replace("high: {model: o4-mini, effort: high}", "high: {model: o4-mini, effort: xhigh}")
                      .replace("low: {model: qwen3-8b, effort: none, max_score: 0.40}", "low: {model: qwen3-8b, effort: none, max_score: 0.40, params: {max_tokens: 64}}"))
    cfg = load_router_config(str(config))
    prompts = [user(text) for text in HARD]
    results = tiny_classifier.score_batch(prompts)
    out = io.StringIO()
    assert score_lines(tiny_classifier, cfg, io.StringIO("".join(json.dumps({"messages": p}) + "\n" for p in prompts)), out).errors == 0
    lines = [json.loads(line)["expected_completion_tokens"] for line in out.getvalue().splitlines()]
    assert all(line["low"] <= 64 and line["high"] <= 8000 for line in lines), lines
    assert any(r.expected_completion_tokens("xhigh", None) > 8000 for r in results), "the raw figure is over the limit"
    cost = cost_matrix(results, prompts, cfg)
    assert (cost[:, 2] <= (20 * 1.10 * 100 + 8000 * 4.40) / 1e6).all(), "priced at what the model may write"


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


def test_a_null_or_empty_messages_column_beside_a_prompt_reads_the_prompt(default, config_file):
    """`{"prompt": P, "messages": null}` (a table with both columns, as pandas writes it) scored as an empty
    conversation: a hard proof at 0.07; `calibrate` skipped it as promptless (s36 review)."""
    from classifiers.records import as_messages

    cfg = load_router_config(str(config_file))
    lines = [json.dumps({"prompt": OLYMPIAD}), json.dumps({"prompt": OLYMPIAD, "messages": None}), json.dumps({"prompt": OLYMPIAD, "messages": []})]
    out = io.StringIO()
    assert score_lines(default, cfg, io.StringIO("\n".join(lines) + "\n"), out).errors == 0
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert rows[0] == rows[1] == rows[2]
    assert as_messages({"messages": []}) == [], "alone, an empty conversation is still one (it gets a score)"


def test_calibrate_writes_the_key_not_a_comment_that_names_it(tmp_path: Path, capsys):
    config = tmp_path / "block.yaml"
    config.write_text(CONFIG_BLOCK, encoding="utf-8")
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\ufeff" + "\n".join(json.dumps({"prompt": t}) for t in (EASY + HARD) * 6) + "\n", encoding="utf-8")
    assert _run(["calibrate", "--prompts", str(prompts), "--shares", "low=0.5,medium=0.3,high=0.2", "--config", str(config), "--write"]) == 0
    text = config.read_text()
    assert "# max_score: 0.1  (old value, kept)" in text and "max_score: 0.40 " not in text  # (a new 0.401564 may start alike)
    assert load_router_config(str(config)).tiers["low"].max_score != 0.40
    assert "{" not in capsys.readouterr().err, "the byte-order mark is not read as text"


@pytest.mark.parametrize("shares", ["low=0.5,medium=0.5,high=0", "low=1,medium=0,high=0", "low=0,medium=0,high=1"])
def test_calibrated_shares_of_zero_write_a_config_that_loads(tmp_path: Path, config_file, shares: str):
    """A share of 0 is a legitimate ask (everything to the cheaper tiers): the top tier then takes no score (the tier
    below it ends at 1), and the config that says so loads."""
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": t}) for t in (EASY + HARD) * 6) + "\n")
    assert _run(["calibrate", "--prompts", str(prompts), "--shares", shares, "--config", str(config_file), "--write"]) == 0
    tiers = load_router_config(str(config_file)).tiers
    bounds = [t.upper_bound for t in tiers.values()]
    assert all(a < b for a, b in itertools.pairwise(bounds[:-1])) and bounds[-2] <= bounds[-1] == 1.0
    if shares.endswith("high=0"):
        assert bounds[-2] == 1.0


def test_a_budget_calibrated_on_few_prompts_keeps_an_unused_top_tier_out_of_reach(tiny_classifier, config_file, capsys, tmp_path: Path):
    cfg = load_router_config(str(config_file))
    prompts = [[{"role": "user", "content": t}] for t in EASY[:3]]
    results = tiny_classifier.score_batch(prompts)
    cheapest = float(cost_matrix(results, prompts, cfg)[:, 0].mean() * 1000)
    thresholds, info = budget_thresholds(results, prompts, cfg, cheapest * 1.01)
    assert info["shares"]["high"] == 0 and thresholds["medium"] == 1.0, "a prompt above the sample's scores must not go to high"
    few = tmp_path / "few.jsonl"
    few.write_text("\n".join(json.dumps({"prompt": t}) for t in EASY[:3]) + "\n")
    assert _run(["calibrate", "--prompts", str(few), "--shares", "low=0.5,medium=0.3,high=0.2", "--config", str(config_file)]) == 0
    assert "3 prompts are few" in capsys.readouterr().err


def test_score_answers_a_line_before_the_next_arrives(config_file):
    """A caller that writes one line and waits for its answer gets it (lines are batched only while more are waiting)."""
    command = [sys.executable, "-m", "router.cli", "score", "--config", str(config_file)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        assert process.stdin is not None and process.stdout is not None
        for prompt in ("hi", "Prove that there are infinitely many primes."):
            process.stdin.write(json.dumps({"prompt": prompt}).encode() + b"\n")
            process.stdin.flush()
            assert select.select([process.stdout], [], [], 30)[0], "no answer while the next line is awaited"
            assert "score" in json.loads(process.stdout.readline())
        process.stdin.close()
        assert process.wait(timeout=60) == 0


@pytest.mark.parametrize(("argv", "message"), [
    (["calibrate", "--prompts", "{prompts}", "--shares", "low=abc,medium=0.3,high=0.2", "--config", "{config}"], "low=abc is not a number"),
    (["train", "--data", "{tmp}", "--out", "{tmp}/x.skops", "--no-validate"], "is --data the shared data folder?"),
])
def test_commands_say_what_is_wrong(tmp_path: Path, config_file, capsys, argv: list[str], message: str):
    prompts = tmp_path / "p.txt"
    prompts.write_text("hi\n")
    (tmp_path / "outcomes").mkdir()
    filled = [a.format(prompts=prompts, config=config_file, tmp=tmp_path) for a in argv]
    assert _run(filled) == 2
    assert message in capsys.readouterr().err


def test_route_refuses_a_cap_that_is_no_number_of_tokens(capsys):
    from router.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["route", "hi", "--max-tokens", "-5"])
    assert "positive number of tokens" in capsys.readouterr().err


CONFIG_BLOCK = """\
backends:
  local-vllm: {kind: openai, base_url: "http://127.0.0.1:8000/v1"}
models:
  qwen3-8b: {backend: local-vllm, reasoning: qwen3, input: 0.05, output: 0.20}
  o4-mini: {backend: local-vllm, reasoning: openai, input: 1.10, output: 4.40}
tiers:
  low:
    model: qwen3-8b   # local
    # max_score: 0.1  (old value, kept)
    max_score: 0.40   # tuned by hand
  medium:
    model: qwen3-8b
    effort: medium
    max_score: 0.75
  high:
    model: o4-mini
    effort: high
"""


def test_evaluate_skips_qualities_too_large_to_add_up(tmp_path: Path, capsys):
    """strong 1e308 and weak -1e308 overflowed the gap to infinity and printed NaN for every APGR, exit 0."""
    f = tmp_path / "o.jsonl"
    rows = [json.dumps({"prompt": t, "strong": 1.0, "weak": float(i % 2)}) for i, t in enumerate(EASY + HARD)]
    f.write_text("\n".join([*rows, '{"prompt": "y", "strong": 1e308, "weak": -1e308}']) + "\n")
    assert _run(["evaluate", "--outcomes", str(f), "--bootstrap", "0"]) == 0
    captured = capsys.readouterr()
    assert "finite numbers up to" in captured.err and "nan" not in captured.out.lower()


def test_calibrate_writes_a_symlinked_config_where_it_points_and_keeps_its_mode(tmp_path: Path, capsys):
    """`--write` replaced a symlink (a ConfigMap mount's) with a plain file, leaving the target the gateway reads
    unchanged, and turned a 0600 config (it may hold api keys) into 0644 (s36 review)."""
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "config.yaml"
    target.write_text(CONFIG_BLOCK, encoding="utf-8")
    target.chmod(0o600)
    link = tmp_path / "config.yaml"
    link.symlink_to(target)
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": t}) for t in (EASY + HARD) * 6) + "\n", encoding="utf-8")
    assert _run(["calibrate", "--prompts", str(prompts), "--shares", "low=0.5,medium=0.3,high=0.2", "--config", str(link), "--write"]) == 0
    assert link.is_symlink() and "expected_share" in target.read_text() and (target.stat().st_mode & 0o777) == 0o600


def test_a_budget_refuses_a_tier_whose_model_has_no_prices(tmp_path: Path, capsys):
    """A model without prices was free to the budget search: every prompt to its tier, "0.0000 USD per 1k" (s36 review)."""
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG_BLOCK.replace("reasoning: openai, input: 1.10, output: 4.40", "reasoning: openai"), encoding="utf-8")
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": t}) for t in (EASY + HARD) * 3) + "\n", encoding="utf-8")
    assert _run(["calibrate", "--prompts", str(prompts), "--budget-usd-per-1k", "0.5", "--config", str(config)]) == 2
    assert "tier 'high': model 'o4-mini' has no prices" in capsys.readouterr().err


def test_calibrate_writes_past_a_comment_at_column_0_inside_tiers(tmp_path: Path, capsys):
    """A commented-out tier at column 0 ended the `tiers:` section: "tiers not found in the config: medium, high"."""
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG_BLOCK.replace("  medium:\n", "#  mid: {model: qwen3-8b}\n  medium:\n"), encoding="utf-8")
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": t}) for t in (EASY + HARD) * 6) + "\n", encoding="utf-8")
    assert _run(["calibrate", "--prompts", str(prompts), "--shares", "low=0.5,medium=0.3,high=0.2", "--config", str(config), "--write"]) == 0
    written = yaml.safe_load(config.read_text())
    assert all("expected_share" in tier for tier in written["tiers"].values()) and "#  mid:" in config.read_text()


def test_calibrate_replaces_a_quoted_or_null_value_instead_of_adding_the_key_twice(tmp_path: Path, capsys):
    """`max_score: '0.40'` or `expected_share: ~` (values the config accepts) went unmatched: the key was written a
    second time, a duplicate that yamllint, ruamel and Helm refuse (s36 review)."""
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG_BLOCK.replace("max_score: 0.40   # tuned by hand", "max_score: '0.40'   # tuned by hand\n    expected_share: ~")
                      .replace("max_score: 0.75", "max_score: !!float 0.75"), encoding="utf-8")
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": t}) for t in (EASY + HARD) * 6) + "\n", encoding="utf-8")
    assert _run(["calibrate", "--prompts", str(prompts), "--shares", "low=0.5,medium=0.3,high=0.2", "--config", str(config), "--write"]) == 0
    text = config.read_text()
    assert text.count("max_score:") == 3 and text.count("expected_share:") == 3, text  # low's commented-out one + one each
    assert yaml.safe_load(text)["tiers"]["low"]["expected_share"] == pytest.approx(0.5, abs=0.2)


def test_calibrate_says_when_ties_keep_the_shares_asked_out_of_reach(tmp_path: Path, capsys):
    """200 copies of one prompt: 50/30/20 came out 0/100/0 with no word, and `--write` records what was reached."""
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps({"prompt": "hi"}) for _ in range(200)) + "\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG_BLOCK, encoding="utf-8")
    assert _run(["calibrate", "--prompts", str(prompts), "--shares", "low=50,medium=30,high=20", "--config", str(config)]) == 0
    assert "shares reached differ from those asked" in capsys.readouterr().err
    varied = tmp_path / "varied.jsonl"
    varied.write_text("\n".join(json.dumps({"prompt": t}) for t in (EASY + HARD) * 8) + "\n", encoding="utf-8")
    assert _run(["calibrate", "--prompts", str(varied), "--shares", "low=0.5,medium=0.3,high=0.2", "--config", str(config)]) == 0
    assert "differ from those asked" not in capsys.readouterr().err


def test_route_names_the_sentences_it_did_not_read(config_file, capsys):
    """What the score leaves out is shown beside it: a harness's format sentence and courtesy around the question."""
    from router.cli import main

    prompt = "Please help me with this.\nWhy does my loop never end?\nThe last line of your response should be your answer.\nThanks!"
    assert main(["route", prompt, "--config", str(config_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dropped_format"] == "The last line of your response should be your answer."
    assert out["dropped_courtesy"] == "Please help me with this. Thanks!"
    assert main(["route", "Why does my loop never end?", "--config", str(config_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "dropped_format" not in out and "dropped_courtesy" not in out
