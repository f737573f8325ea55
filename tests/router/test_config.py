"""Configuration loading: the issue's exact shape, env expansion, errors that name the key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from router.config import (
    CONFIG_ENV,
    ConfigError,
    default_config_path,
    load_config,
    packaged_default_config,
    parse_config,
)
from router.envexpand import expand_string

ROOT = Path(__file__).resolve().parents[2]


def base() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "configs/default.yaml").read_text())


def error_of(data: dict[str, Any], env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(data, env or {})
    return str(info.value)


def test_the_reference_config_loads_with_env_defaults() -> None:
    config = load_config(ROOT / "configs/default.yaml", env={"OPENAI_API_KEY": "sk-from-env"})
    assert list(config.tiers) == ["low", "medium", "high"]
    assert config.backends["local-vllm"].base_url == "http://127.0.0.1:8000/v1"
    assert config.backends["openai"].api_key is not None
    assert config.backends["openai"].api_key.get_secret_value() == "sk-from-env"
    assert config.tiers["medium"].thinking_budget == 2048
    assert config.tiers["high"].fallbacks == ["claude-sonnet-4"]
    assert config.upstream_name("qwen3-8b") == "Qwen/Qwen3-8B" and config.upstream_name("o4-mini") == "o4-mini"


def test_env_values_override_defaults() -> None:
    config = load_config(ROOT / "configs/default.yaml", env={"VLLM_BASE_URL": "http://vllm:9000/v1"})
    assert config.backends["local-vllm"].base_url == "http://vllm:9000/v1"


def test_missing_variable_without_default_names_the_key() -> None:
    data = base()
    data["backends"]["openai"]["api_key"] = "${NOT_SET_ANYWHERE}"
    assert "backends.openai.api_key" in error_of(data) and "NOT_SET_ANYWHERE" in error_of(data)


def test_every_missing_variable_is_named_at_once() -> None:
    """Fixing a config took one run per missing variable."""
    data = base()
    data["backends"]["openai"]["api_key"] = "${FIRST_NOT_SET}"
    data["server"]["api_keys"] = ["${SECOND_NOT_SET}"]
    data["backends"]["anthropic"]["base_url"] = "${BAD:http://x}"
    message = error_of(data)
    assert all(part in message for part in ("backends.openai.api_key", "FIRST_NOT_SET", "server.api_keys[0]", "SECOND_NOT_SET",
                                            "backends.anthropic.base_url", "is no expansion"))


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["server"].update(bogus=1), "server.bogus: unknown key"),
        (lambda d: d["backends"]["openai"].update(kind="azure-magic"), "backends.openai.kind"),
        (lambda d: d["models"]["o4-mini"].update(backend="nowhere"), "models.o4-mini.backend"),
        (lambda d: d["models"]["o4-mini"].update(reasoning="telepathy"), "models.o4-mini.reasoning"),
        (lambda d: d["tiers"]["high"].update(model="gpt-9"), "tiers.high.model"),
        (lambda d: d["tiers"]["high"].update(thinking_budget=1000), "tiers.high.effort"),
        (lambda d: d["tiers"]["low"].update(max_score=0.9), "tiers.medium.max_score"),
        (lambda d: d["tiers"]["low"].pop("max_score"), "tiers.low.max_score"),
        (lambda d: d["tiers"]["high"].update(fallbacks=["nope"]), "tiers.high.fallbacks[0]"),
        (lambda d: d["tiers"]["high"].update(effort="extreme"), "tiers.high.effort"),
        (lambda d: d["models"]["qwen3-8b"].update(input=-1), "models.qwen3-8b.input"),
        # what `serve` refused only as it started, with a traceback, while check-config said ok:
        (lambda d: d["backends"]["local-vllm"].update(base_url="127.0.0.1:8000/v1"), "backends.local-vllm.base_url"),
        (lambda d: d["backends"]["local-vllm"].update(base_url="${VLLM_BASE_URL:http://127.0.0.1:8000/v1}"),
         "backends.local-vllm.base_url: '${VLLM_BASE_URL:http://127.0.0.1:8000/v1}' is no expansion"),
        (lambda d: d.update(state={"redis_url": "redis.llm.svc:6379"}), "state.redis_url"),
        (lambda d: d.update(state={"redis_url": ""}), "state.redis_url"),
        (lambda d: d.update(tiers={"low": {"model": "qwen3-8b", "max_score": 1.0}, "medium": {"model": "qwen3-8b", "max_score": 1.0},
                                    "high": {"model": "o4-mini"}}), "tiers.medium.max_score"),
    ],
)
def test_impossible_configs_fail_with_the_key_path(mutate: Any, path: str) -> None:
    data = base()
    mutate(data)
    assert path in error_of(data)


def test_a_top_tier_below_a_tier_that_takes_every_score_is_allowed() -> None:
    """`calibrate` writes a share of 0 for the top tier so: it is then reached by name and escalation only."""
    data = base()
    data["tiers"]["medium"]["max_score"] = 1.0
    assert parse_config(data, env={}).tiers["medium"].max_score == 1.0


def test_effort_the_dialect_cannot_express_fails_at_load() -> None:
    data = base()
    data["models"]["plain"] = {"backend": "local-vllm", "reasoning": "none"}
    data["tiers"]["medium"]["model"] = "plain"
    message = error_of(data)
    assert "tiers.medium.effort" in message and "cannot express effort 'medium'" in message


def test_a_model_s_efforts_are_its_dialect_s_and_hold_its_tiers_efforts() -> None:
    """`models.NAME.efforts` narrows the dialect's (o3: low, medium, high); an effort the dialect lacks, an empty list, or a
    tier (or a fallback's tier) asking an effort the model does not take fails at load."""
    data = base()
    data["models"]["o4-mini"]["efforts"] = ["low", "medium", "high"]
    assert parse_config(data, env={}).efforts("o4-mini") == {"low", "medium", "high"}
    for efforts, problem in ((["low", "sideways"], "models.o4-mini.efforts"), ([], "models.o4-mini.efforts")):
        data["models"]["o4-mini"]["efforts"] = efforts
        assert problem in error_of(data), efforts
    data["models"]["o4-mini"]["efforts"] = ["minimal"]
    assert "tiers.high.effort" in error_of(data)
    data = base()
    data["models"]["qwen3-8b"]["efforts"] = ["none", "low"]
    assert any(f"tiers.{name}" in error_of(data) for name in ("medium", "high"))


def test_secrets_never_appear_in_errors() -> None:
    data = base()
    data["backends"]["openai"]["api_key"] = {"nested": "sk-SECRET-VALUE"}
    data["server"]["api_keys"] = ["gw-SECRET-KEY", 12]
    message = error_of(data)
    assert "SECRET" not in message
    assert "backends.openai.api_key" in message


def test_a_key_from_a_file_matches_without_its_newline_and_a_key_no_header_can_carry_is_refused() -> None:
    """A client's token is read stripped: a configured key with a file's trailing newline matched no request (401 for all);
    a key with a space or a non-ASCII letter can never arrive in a header (Starlette reads headers as latin-1)."""
    data = base()
    data["server"]["api_keys"] = ["gw-key-1\n"]
    assert [k.get_secret_value() for k in parse_config(data, {}).server.api_keys] == ["gw-key-1"]
    for bad in ("gw key", "gw-kéy", "gw-key\x00"):
        data["server"]["api_keys"] = [bad]
        message = error_of(data)
        assert "server.api_keys[0]" in message and "printable ASCII" in message and bad not in message


def test_check_config_command(tmp_path: Path) -> None:
    good = subprocess.run([sys.executable, "-m", "router.cli", "check-config", str(ROOT / "configs/default.yaml")], capture_output=True, text=True, check=False)
    assert good.returncode == 0 and "tiers: low, medium, high" in good.stdout
    bad = tmp_path / "bad.yaml"
    data = base()
    data["tiers"]["high"]["colour"] = "blue"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    failed = subprocess.run([sys.executable, "-m", "router.cli", "check-config", str(bad)], capture_output=True, text=True, check=False)
    assert failed.returncode == 2 and "tiers.high.colour: unknown key" in failed.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("tiers: [unclosed")
    assert "invalid YAML at line 1" in subprocess.run([sys.executable, "-m", "router.cli", "check-config", str(broken)], capture_output=True, text=True, check=False).stderr


def test_check_config_refuses_a_decision_log_no_worker_could_open(tmp_path: Path) -> None:
    """A decision-log directory that cannot be made passed `check-config` — the supervisor's test of a reloaded file —
    while every worker refused it: kept as the respawns' config, a crashed worker's respawn stopped the whole server."""
    (tmp_path / "a-file").write_text("")
    data = base()
    data["decision_log"] = {"path": str(tmp_path / "a-file" / "logs" / "decisions.jsonl")}
    unwritable = tmp_path / "unwritable.yaml"
    unwritable.write_text(yaml.safe_dump(data, sort_keys=False))
    failed = subprocess.run([sys.executable, "-m", "router.cli", "check-config", str(unwritable)], capture_output=True, text=True, check=False)
    assert failed.returncode == 2 and "decision_log.path: cannot write to" in failed.stderr
    data["decision_log"] = {"path": str(tmp_path / "logs" / "decisions.jsonl")}
    unwritable.write_text(yaml.safe_dump(data, sort_keys=False))
    good = subprocess.run([sys.executable, "-m", "router.cli", "check-config", str(unwritable)], capture_output=True, text=True, check=False)
    assert good.returncode == 0 and not (tmp_path / "logs").exists(), "nothing left behind: the worker makes the folder"


def test_backends_a_provider_will_refuse_for_want_of_a_key_are_named(tmp_path: Path) -> None:
    """The reference config reads its provider keys as `${OPENAI_API_KEY:-}`: unset, it loaded, served, and the first
    request routed to a provider failed (a 401 turned into a 502), with no word at start-up."""
    keyless = load_config(ROOT / "configs/default.yaml", env={})
    assert keyless.keyless_https_backends() == ["openai", "anthropic"], "not the http vLLM"
    keyed = load_config(ROOT / "configs/default.yaml", env={"OPENAI_API_KEY": "sk-x", "ANTHROPIC_API_KEY": "sk-ant-x"})
    assert keyed.keyless_https_backends() == []
    data = base()
    data["backends"]["openai"]["headers"] = {"api-key": "azure-style"}  # a credential in a header of its own
    assert parse_config(data, env={}).keyless_https_backends() == ["anthropic"]
    env = {key: value for key, value in os.environ.items() if key not in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")}
    run = subprocess.run([sys.executable, "-m", "router.cli", "check-config", str(ROOT / "configs/default.yaml")], capture_output=True,
                         text=True, check=False, env=env)
    assert run.returncode == 0 and "backends.openai is reached over https without api_key" in run.stderr


def test_default_config_is_env_then_checkout_then_packaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_config_path({}) == str(packaged_default_config())
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs/default.yaml").write_text("tiers: {}\n")
    assert default_config_path({}) == "configs/default.yaml"
    assert default_config_path({CONFIG_ENV: "/etc/router.yaml"}) == "/etc/router.yaml"


def test_packaged_default_is_the_reference_config() -> None:
    """What a plain ``pip install`` uses without --config is configs/default.yaml itself."""
    assert packaged_default_config().read_bytes() == (ROOT / "configs/default.yaml").read_bytes()
    assert list(load_config(packaged_default_config()).tiers) == ["low", "medium", "high"]


def _cli(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != CONFIG_ENV}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "router.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env=env, check=False)


def test_commands_work_outside_a_checkout_without_config(tmp_path: Path) -> None:
    scored = _cli(["score"], tmp_path, '{"prompt": "Prove that there are infinitely many primes."}\n')
    assert scored.returncode == 0, scored.stderr
    assert set(json.loads(scored.stdout)["expected_completion_tokens"]) == {"low", "medium", "high"}
    routed = _cli(["route", "hi"], tmp_path)
    assert routed.returncode == 0 and json.loads(routed.stdout)["tier"] == "low"
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("hi\nProve Fermat's last theorem for n = 3.\n")
    before = packaged_default_config().read_bytes()
    refused = _cli(["calibrate", "--prompts", str(prompts), "--shares", "low=0.5,medium=0.3,high=0.2", "--write"], tmp_path)
    assert refused.returncode == 2 and "--config" in refused.stderr
    assert packaged_default_config().read_bytes() == before


@pytest.mark.parametrize("spelling", ["checkout", "symlink"])
def test_calibrate_writes_no_spelling_of_the_packaged_config(tmp_path: Path, spelling: str) -> None:
    """In a checkout `calibrate --write` without --config read configs/default.yaml there, the packaged file itself
    (router/configs links to it), and rewrote it: the guard compared the path as named, not the file."""
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("hi\nProve Fermat's last theorem for n = 3.\n")
    args = ["calibrate", "--prompts", str(prompts), "--shares", "low=0.5,medium=0.3,high=0.2", "--write"]
    if spelling == "symlink":
        (tmp_path / "mine.yaml").symlink_to(packaged_default_config())
        args += ["--config", str(tmp_path / "mine.yaml")]
    before = packaged_default_config().read_bytes()
    try:
        refused = _cli(args, ROOT if spelling == "checkout" else tmp_path)
        assert refused.returncode == 2 and "--config" in refused.stderr, refused.stdout
    finally:
        after = packaged_default_config().read_bytes()
        packaged_default_config().write_bytes(before)  # a regression must not leave the checkout's config rewritten
    assert after == before


@pytest.mark.parametrize("key", ["artifact", "embedding"])
@pytest.mark.parametrize("command", [["check-config"], ["serve", "--port", "1", "--config"], ["route", "hi", "--config"]])
def test_a_corrupt_artifact_stops_the_command_with_one_line(tmp_path: Path, command: list[str], key: str) -> None:
    """A corrupt artifact, or embedding head (`serve` checks that one in a child process)."""
    (tmp_path / "bad.skops").write_bytes(b"PK\x03\x04 not really a zip file")
    data = base()
    data["classifier"] = ({"artifact": str(tmp_path / "bad.skops")} if key == "artifact"
                          else {"embedding": {"model": str(tmp_path), "head": str(tmp_path / "bad.skops")}})
    (tmp_path / "router.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    done = _cli([*command, str(tmp_path / "router.yaml")], tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: classifier.{key}: ") and "corrupt" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_env_values_cannot_inject_structure() -> None:
    data = base()
    data["backends"]["local-vllm"]["base_url"] = "${EVIL}"
    config = parse_config(data, {"EVIL": "http://x\ntiers: {}\n"})
    assert config.backends["local-vllm"].base_url == "http://x\ntiers: {}\n"
    assert list(config.tiers) == ["low", "medium", "high"]


@given(st.text(alphabet=st.characters(blacklist_characters="$"), max_size=40), st.text(alphabet="ABC_", min_size=1, max_size=5))
def test_expansion_is_identity_without_dollars_and_uses_defaults(text: str, name: str) -> None:
    assert expand_string(text, {}) == text
    assert expand_string(f"a${{{name}:-{text.replace('}', '')}}}b", {}) == f"a{text.replace('}', '')}b"
    assert expand_string("$${X}", {"X": "1"}) == "${X}"
