"""The classifier's commands (router/classifier_commands.py): registering them, `score` and `route`, how every command
reads its input lines and stops, and the errors they name."""

import io
import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from router.classifier_commands import score_lines
from router.offline_config import load_router_config
from tests.classifiers.conftest import OLYMPIAD
from tests.router._classifier_commands_helpers import _parser, _run


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
