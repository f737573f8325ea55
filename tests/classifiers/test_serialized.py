"""Prompts serialized a second time (escaped lines, JSON string literals, list reprs) read as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.classifier import ComplexityClassifier
from classifiers.serialized import MAX_LITERAL_ITEMS, serialized_messages, unescape
from classifiers.text import parse_messages


def test_a_python_list_of_more_strings_than_a_conversation_holds_is_not_parsed(monkeypatch: pytest.MonkeyPatch):
    """499 strings were parsed (0.8 ms at 2,000 characters) and then dropped for holding more than MAX_LITERAL_ITEMS."""
    from classifiers import serialized

    def refuse(text: str) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(serialized.ast, "literal_eval", refuse)
    assert serialized_messages(str(["ab"] * (MAX_LITERAL_ITEMS + 2))) is None  # more separators than items a conversation holds
    monkeypatch.undo()
    assert serialized_messages(str(["ab"] * MAX_LITERAL_ITEMS)) is not None, "a conversation of MAX_LITERAL_ITEMS turns still reads"
    joined = "[" + ", ".join(["'a' 'b'"] * 200) + "]"  # adjacent literals are one string each: 400 literals, 200 items
    assert serialized_messages(joined) == [{"role": "user", "content": "ab"}] * 200

MCQ = ("Which planet is closest to the Sun?\nA. Venus\nB. Mercury\nC. Mars\nD. Earth\n"
       'Answer with the letter, e.g. "B".')


def test_escaped_lines_are_undone():
    assert unescape(MCQ.replace("\n", "\\n")) == MCQ
    assert unescape(MCQ.replace("\n", "\\r\\n")) == MCQ
    assert unescape(json.dumps(MCQ)) == MCQ  # a JSON string literal
    assert unescape(json.dumps(MCQ)[1:-1]) == MCQ  # its body: escaped quotes too
    assert unescape(' "one line, quoted" ') == "one line, quoted"


def test_escaped_backslashes_stay_backslashes():
    # JSON-encoded twice, a literal "\n" in code is "\\n": a backslash and an n, not a line break
    code = 'Fix this:\nprint("a\\nb")\nIt prints one line.'
    assert unescape(json.dumps(code)[1:-1]) == code


@pytest.mark.parametrize("text", [
    "Find $x$ such that $x \\neq 0$ and $\\nabla f = 0$.",  # LaTeX commands, one line
    "Compute $\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}$ and $\\frac{1}{2} \\times 3$.",
    "Split on '\\t' then join",  # no escaped line break
    "line one\nline two with a literal \\n inside",  # a real line break: escapes are meant
    '"$\\frac{1}{2} \\times 3$"',  # JSON would read a form feed and a tab: a quoted formula
    "",
])
def test_text_that_is_not_serialized_is_kept(text: str):
    assert unescape(text) == text


def test_latex_commands_survive_beside_escaped_lines():
    text = "Solve $x \\neq 1$ and $\\nu > 0$.\\n\\nA. 1\\nB. 2\\nnone of these"
    assert unescape(text) == "Solve $x \\neq 1$ and $\\nu > 0$.\n\nA. 1\nB. 2\nnone of these"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=()), max_size=200))
def test_unescape_is_total_and_keeps_multiline_text(text: str):
    out = unescape(text)
    assert isinstance(out, str)
    if "\n" in text:
        assert out == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=()), max_size=80), min_size=1, max_size=4))
def test_a_list_repr_or_json_list_of_strings_is_user_turns(turns: list[str]):  # any code point, surrogates too
    messages = [{"role": "user", "content": t} for t in turns]
    assert serialized_messages(str(turns)) == messages
    assert serialized_messages(json.dumps(turns)) == messages
    assert serialized_messages(json.dumps(turns, ensure_ascii=False, indent=2)) == messages


def test_a_serialized_message_list_is_those_messages():
    messages = [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Prove it.\nCarefully."}]
    for text in (json.dumps(messages), str(messages), json.dumps(messages, indent=2),
                 json.dumps({"model": "auto", "messages": messages}), str({"messages": messages})):
        assert serialized_messages(text) == messages
    assert serialized_messages(json.dumps(messages[1])) == messages[1:]
    conv = parse_messages(json.dumps(messages))
    assert conv.system == "Be terse." and conv.last_user == "Prove it.\nCarefully."


@pytest.mark.parametrize("text", [
    "[1, 2, 3]", "['a', 1]", "[]", "['unclosed", "['a'] trailing", "[x for x in 'ab']", "['a' 'b'",
    '[{"name": "Ann", "age": 31}]', "[{'role': 'user'}]", '[{"role": 1, "content": "x"}]',  # data, not messages
    '{"name": "Ann", "age": 31}', '{"messages": "hi"}', '{"messages": []}', "{not json}", "{}",
    "['" + "', '".join(["x"] * (MAX_LITERAL_ITEMS + 1)) + "']", "plain text",
])
def test_other_texts_are_not_messages(text: str):
    assert serialized_messages(text) is None


def test_list_turns_are_read_as_a_conversation():
    conv = parse_messages(str(["Write a poem.", "Now prove that sqrt(2) is irrational."]))
    assert conv.last_user == "Now prove that sqrt(2) is irrational."
    assert conv.earlier_user == "Write a poem."
    assert conv.n_user_turns == 2


def test_the_score_reads_what_the_serialized_prompt_encodes(default: ComplexityClassifier):
    prompts = [MCQ, "Janet has 3 boxes.\n\nEach holds 12 pens. She gives away 5.\nHow many pens are left?",
               "```python\ndef f(x):\n    return x\n```\nWhy does this return None?"]
    for p in prompts:
        bare = default.score([{"role": "user", "content": p}]).score
        for encoded in (str([p]), json.dumps([p]), json.dumps(p), json.dumps(p)[1:-1], p.replace("\n", "\\n")):
            assert default.score([{"role": "user", "content": encoded}]).score == pytest.approx(bare, abs=1e-9), encoded
        assert default.score_batch([[{"role": "user", "content": str([p])}]])[0].score == pytest.approx(bare, abs=1e-6)


def test_escaped_bbh_prompts_score_as_written(default: ComplexityClassifier, shared_data: Path):
    """Read with their lines escaped (a one-line export), BBH prompts lost their option lists and
    clues: the task-hardness label ranked at Spearman 0.12 instead of 0.31 (arena-hard prompts
    0.22 instead of 0.46). Now every encoding scores exactly as the text it encodes."""
    texts = []
    for path in sorted((shared_data / "difficulty" / "bbh").glob("*.json")):
        texts += [row["input"] for row in json.loads(path.read_text())["examples"][:20]]
    assert len(texts) > 500
    bare = [r.score for r in default.score_batch([[{"role": "user", "content": t}] for t in texts])]
    for encode in (lambda t: t.replace("\n", "\\n"), lambda t: str([t]), json.dumps):
        scores = [r.score for r in default.score_batch([[{"role": "user", "content": encode(t)}] for t in texts])]
        assert scores == pytest.approx(bare, abs=1e-9)


def test_the_conversation_and_route_say_how_the_prompt_was_serialized(capsys):
    from router.cli import main

    assert parse_messages(MCQ).serialized == ""
    assert parse_messages(MCQ.replace("\n", "\\n")).serialized == "escaped text"
    assert parse_messages(str([MCQ])).serialized == "list literal"
    assert parse_messages([{"role": "user", "content": json.dumps(MCQ)}]).serialized == "escaped text"
    config = str(Path(__file__).resolve().parents[2] / "configs" / "default.yaml")
    assert main(["route", str(["Write a poem.", MCQ]), "--config", config]) == 0
    assert json.loads(capsys.readouterr().out)["serialized"] == "list literal"
    assert main(["route", MCQ, "--config", config]) == 0
    assert "serialized" not in json.loads(capsys.readouterr().out)


def test_a_literal_that_is_all_syntax_is_not_given_to_the_python_parser(monkeypatch: pytest.MonkeyPatch):
    """Bounded work: the parser takes ~0.5 µs a token; "['a', [1]*[1]*…]" (2,000 characters) took 1 ms,
    48,000 took 16 ms. A real list keeps its syntax small beside its strings and is still read."""
    from classifiers import serialized

    calls: list[str] = []
    real = serialized.ast.literal_eval
    monkeypatch.setattr(serialized.ast, "literal_eval", lambda text: calls.append(text) or real(text))
    assert serialized_messages("['a', " + "[1]*" * 498 + "1]") is None and not calls
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i}, it's fine"} for i in range(60)]
    assert serialized_messages(str(messages)) == messages and len(calls) == 1


def test_json_nested_past_the_parser_s_limit_is_text_not_an_error():
    deep = '{"role": ' + "[" * 996 + "]" * 996 + "}"
    assert serialized_messages("[" + deep + "]") is None
    assert parse_messages([{"role": "user", "content": "[" + deep + "]"}]).last_user
