"""``train --outcomes``: a user's own outcome data trains the classifier and is validated held out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifiers.data import load_all, load_outcome_file, norm_key
from classifiers.train import DEFAULT_PARAMS, loso, train_artifact

TOPICS = ["rain", "the sea", "autumn", "a cat", "mountains", "the city", "snow", "a river", "the moon", "spring",
          "coffee", "trains", "a garden", "the desert", "friendship", "a library", "winter", "stars", "bread", "wind"]


def haiku(i: int) -> str:
    return f"Write a haiku about {TOPICS[i % len(TOPICS)]} in the style of poet number {i}."


def sums(i: int) -> str:
    return f"Compute the sum of the integers from 1 to {100 + i} and explain each step of the derivation."


@pytest.fixture
def outcome_file(tmp_path: Path) -> Path:
    """Haiku requests where the weak model fails, derivations where it does as well: the
    opposite of what shared/ teaches, so training on it must move the model."""
    rows = [{"prompt": haiku(i), "strong": 1.0, "weak": 0.0} for i in range(120)]
    rows += [{"prompt": sums(i), "strong": 1.0, "weak": 1.0} for i in range(120)]
    f = tmp_path / "my_traffic.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    return f


def test_outcome_file_rows(tmp_path: Path, capsys):
    f = tmp_path / "o.jsonl"
    lines = [json.dumps({"prompt": "hard one", "strong": 1, "weak": 0}),
             json.dumps({"turns": ["first", "easy one"], "strong": 1, "weak": 1}),
             json.dumps({"messages": [{"role": "user", "content": "middle"}], "strong": 0.8, "weak": 0.4}),
             json.dumps({"prompt": "hard one", "strong": 0.5, "weak": 0}),  # a prompt again: the mean of its lines
             json.dumps({"prompt": "no quality"}), "{broken", json.dumps({"prompt": "", "strong": 1, "weak": 0})]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ex, out = load_outcome_file(f)
    assert [e.text for e in ex] == ["hard one", "easy one", "middle"] and out.prompts == [e.text for e in ex]
    assert {e.source for e in ex} == {"outcomes:o"} and out.name == "outcomes:o"
    assert [e.y for e in ex] == pytest.approx([0.9, 0.1, 0.5])  # the gap as a percentile, in 0.1-0.9
    assert out.quality["strong"].tolist() == [0.75, 1.0, 0.8] and out.quality["weak"].tolist() == [0.0, 1.0, 0.4]
    assert "lines that repeat an earlier prompt: 1;" in capsys.readouterr().err
    f.write_text(lines[0] + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="fewer than two"):
        load_outcome_file(f)


def test_user_rows_win_over_shared_copies(shared_data, tmp_path: Path):
    f = tmp_path / "mine.jsonl"
    shared_prompt = load_all(shared_data, cap=10)[0][0].text
    f.write_text("\n".join(json.dumps({"prompt": p, "strong": s, "weak": 0.0})
                           for p, s in ((shared_prompt, 1.0), ("something else", 0.0))) + "\n", encoding="utf-8")
    examples, outcomes = load_all(shared_data, cap=10, outcome_files=(f,))
    copies = [e for e in examples if norm_key(e.text) == norm_key(shared_prompt)]  # read as parsed: unquoted
    assert len(copies) == 1 and copies[0].source == "outcomes:mine"
    assert outcomes[-1].name == "outcomes:mine"


def test_two_files_with_one_name_are_refused(shared_data, outcome_file: Path, tmp_path: Path):
    other = tmp_path / "again"
    other.mkdir()
    (other / outcome_file.name).write_text(outcome_file.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ValueError, match="distinct names"):
        load_all(shared_data, cap=10, outcome_files=(outcome_file, other / outcome_file.name))


def test_training_on_user_outcomes_moves_the_model(shared_data, outcome_file: Path, tmp_path: Path):
    from classifiers.classifier import load_classifier

    base = tmp_path / "base.skops"
    mine = tmp_path / "mine.skops"
    train_artifact(shared_data, base, validate=False, cap=60, log=lambda *_: None)
    meta = train_artifact(shared_data, mine, validate=False, cap=60, log=lambda *_: None,
                          outcome_files=(outcome_file,))
    assert "outcomes:my_traffic" in meta["sources"] and str(outcome_file) in meta["outcome_files"]
    probe_h = [[{"role": "user", "content": haiku(i)}] for i in range(200, 210)]
    probe_s = [[{"role": "user", "content": sums(i)}] for i in range(200, 210)]

    def margin(path: Path) -> float:
        clf = load_classifier(str(path))
        return float(np.mean([r.score for r in clf.score_batch(probe_h)])
                     - np.mean([r.score for r in clf.score_batch(probe_s)]))

    assert margin(mine) > margin(base) + 0.2


def test_a_user_file_is_validated_as_a_held_out_source(shared_data, outcome_file: Path):
    examples, outcomes = load_all(shared_data, cap=60, outcome_files=(outcome_file,))
    report = loso(examples, outcomes, ("outcomes:my_traffic",), log=lambda *_: None, difficulty_scale=0.1,
                  **DEFAULT_PARAMS)
    row = report["outcomes:my_traffic"]
    assert row["n"] == 240 and 0.0 <= row["apgr"] <= 1.0 and len(row["difference_95"]) == 2
    # held out, nothing in shared/ says haiku are hard: the classifier ranks them below the derivations
    assert row["apgr"] < 0.5


def test_train_command_refuses_a_missing_or_empty_outcome_file(shared_data, tmp_path: Path, capsys):
    from router.cli import main

    out = tmp_path / "a.skops"
    assert main(["train", "--data", str(shared_data), "--out", str(out), "--outcomes", str(tmp_path / "nope.jsonl")]) != 0
    assert "outcome file not found" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("{}\n", encoding="utf-8")
    assert main(["train", "--data", str(shared_data), "--out", str(out), "--outcomes", str(empty), "--no-validate"]) != 0
    assert "fewer than two valid outcome lines" in capsys.readouterr().err and not out.exists()
