"""The `calibrate` command: thresholds for the shares or the budget asked, and the config file it writes."""

import io
import itertools
import json
import re
from pathlib import Path

import pytest
import yaml

from router.calibration import budget_thresholds, cost_matrix
from router.classifier_commands import score_lines
from router.offline_config import load_router_config
from tests.classifiers.conftest import CONFIG, EASY, HARD, user
from tests.router._classifier_commands_helpers import _run


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
