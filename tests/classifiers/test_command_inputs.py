"""What the classifier's commands read: files joined with `cat`, text lines that happen to be JSON, lines that are no
outcome, and the exit status a script reads (review_s36_cli F10)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from classifiers.commands import read_prompts
from classifiers.outcomes import read_outcomes
from tests.classifiers.conftest import EASY, HARD

BOM = "\ufeff"


def _score(config_file: Path, text: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "router.cli", "score", "--config", str(config_file)],
                          input=text.encode(), capture_output=True, timeout=120, check=False)


def test_score_fails_when_no_line_could_be_scored(config_file: Path):
    """A script piping the wrong file got exit 0 and a page of error lines."""
    wrong = _score(config_file, "id,prompt\n1,hello\n")
    assert wrong.returncode == 1 and b"none of the 2 input lines could be scored" in wrong.stderr
    assert [list(json.loads(line)) for line in wrong.stdout.splitlines()] == [["error"], ["error"]]
    mixed = _score(config_file, 'not json\n{"prompt": "hi"}\n')
    assert mixed.returncode == 0 and len(mixed.stdout.splitlines()) == 2
    assert _score(config_file, "").returncode == 0, "no input is no failure"


def test_a_byte_order_mark_inside_joined_files_is_no_text(config_file: Path, tmp_path: Path):
    """`cat a.jsonl b.jsonl`: b's byte-order mark lands mid-stream, past the reader's utf-8-sig, and its line was an error."""
    joined = f'{BOM}{{"prompt": "hi"}}\n{BOM}{{"prompt": "Prove that there are infinitely many primes."}}\n'
    rows = [json.loads(line) for line in _score(config_file, joined).stdout.splitlines()]
    assert all("score" in row for row in rows) and len(rows) == 2
    prompts = tmp_path / "p.txt"
    prompts.write_text(f"{BOM}hello\n{BOM}good morning\n{BOM}\n{BOM}{{\"prompt\": \"thanks\"}}\n", encoding="utf-8")
    assert read_prompts(str(prompts)) == [[{"role": "user", "content": "hello"}], [{"role": "user", "content": "good morning"}],
                                          [{"role": "user", "content": "thanks"}]]


@pytest.mark.parametrize(("line", "text"), [("true", "true"), ("null", "null"), ("3.10", "3.10"), ('"a quoted line"', "a quoted line"),
                                            ("[1, 2]", "[1, 2]"), ("not json", "not json")])
def test_calibrate_reads_a_text_line_that_is_json_as_it_was_written(tmp_path: Path, line: str, text: str):
    """A plain-text prompt file whose line parses as a JSON scalar was scored as Python's str() of it: "True", "None"."""
    prompts = tmp_path / "p.txt"
    prompts.write_text(line + "\n", encoding="utf-8")
    assert read_prompts(str(prompts)) == [[{"role": "user", "content": text}]]


def test_evaluate_names_a_missing_field_and_counts_what_it_skipped(tmp_path: Path, capsys):
    good = [json.dumps({"prompt": t, "strong": 1.0, "weak": float(i % 2)}) for i, t in enumerate(EASY + HARD)]
    bad = [json.dumps({"prompt": f"q{i}", "strong": 1.0}) for i in range(8)]
    f = tmp_path / "o.jsonl"
    f.write_text("\n".join(bad + good) + "\n", encoding="utf-8")
    table = read_outcomes(f)
    err = capsys.readouterr().err
    assert len(table.strong) == len(good)
    assert "skipping line 1: missing field 'weak'" in err and "skipping line 6" not in err, "the first few, each with why"
    assert "skipped 8 lines in all" in err


def test_evaluate_quotes_a_quality_that_is_no_number(tmp_path: Path, capsys):
    """A null, a word or a list as a quality is skipped with the values quoted (a null had leaked Python's "float()
    argument must be a string or a real number, not 'NoneType'"); a number written as text still counts."""
    good = [json.dumps({"prompt": t, "strong": 1.0, "weak": float(i % 2)}) for i, t in enumerate(EASY + HARD)]
    bad = ['{"prompt": "a", "strong": null, "weak": 0.5}', '{"prompt": "b", "strong": 1, "weak": "abc"}',
           '{"prompt": "c", "strong": [1], "weak": 0}', '{"prompt": "d", "strong": "0.75", "weak": 0}']
    f = tmp_path / "o.jsonl"
    f.write_text("\n".join(bad + good) + "\n", encoding="utf-8")
    table = read_outcomes(f)
    err = capsys.readouterr().err
    assert len(table.strong) == len(good) + 1 and table.strong[0] == 0.75
    assert "skipping line 1: strong and weak must be finite numbers up to 1e+09, not None and 0.5" in err
    assert "not 1 and 'abc'" in err and "not [1] and 0" in err and "float()" not in err


def test_evaluate_says_when_the_outcomes_look_like_utf_16(tmp_path: Path, capsys):
    """A UTF-16 file (Windows tools write one) gave a warning per line, then "need at least two valid outcome lines"."""
    f = tmp_path / "o.jsonl"
    f.write_text("\n".join(json.dumps({"prompt": t, "strong": 1, "weak": 0}) for t in EASY) + "\n", encoding="utf-16")
    assert len(read_outcomes(f).strong) == 0
    err = capsys.readouterr().err
    assert "UTF-16" in err and err.count("skipping line") == 5
