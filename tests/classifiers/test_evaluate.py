"""The `evaluate` command's baselines (the command's runs: tests/router/test_classifier_commands_evaluate.py)."""

from classifiers.evaluate import _prompt_len


def test_the_length_baseline_of_a_multi_turn_prompt_reads_every_user_turn():
    turns = [{"role": "user", "content": "Write a persuasive essay on tides."}, {"role": "user", "content": "Shorter."}]
    assert _prompt_len(turns) == len("Write a persuasive essay on tides.") + len("Shorter.")
    assert _prompt_len([{"role": "user", "content": "hi"}]) == 2
    # one definition whatever the record's shape, as `train` measures it: raw user text (a single message was measured
    # after its few-shot examples were parsed away, several raw: a system message moved a baseline 0.49 → 0.76)
    shots = "Q: 1 + 1?\nA: 2\n\nQ: 2 + 2?\nA: 4\n\nQ: 3 + 3?\nA:"
    alone, with_system = [{"role": "user", "content": shots}], [{"role": "system", "content": "Be brief."}, {"role": "user", "content": shots}]
    assert _prompt_len(alone) == _prompt_len(with_system) == _prompt_len(shots) == len(shots)
