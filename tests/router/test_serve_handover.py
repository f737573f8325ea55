"""`serve` with one worker loads the classifier once: the check's load is the one the app serves with."""

from __future__ import annotations

import argparse
import copy
from typing import Any

import pytest

from tests.router.conftest import CONFIG


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Count the classifier loads (each returns a new object)."""
    loaded: list[Any] = []

    def load_configured(artifact: str, embedding: Any = None) -> Any:
        loaded.append(object())
        return loaded[-1]

    monkeypatch.setattr("classifiers.answer_tokens.load_configured", load_configured)
    return loaded


@pytest.mark.anyio
async def test_one_worker_serves_with_the_classifier_its_check_loaded(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from router import cli, server
    from router.config import CONFIG_ENV
    from tests.opskit import write_yaml

    for name in (CONFIG_ENV, "COMPLEXITY_ROUTER_WORKERS"):  # what serve exports for its workers, restored after
        monkeypatch.setenv(name, "")
    loaded = _loads(monkeypatch)
    served: list[Any] = []

    def run_uvicorn(uvicorn: Any, args: argparse.Namespace, config: Any) -> None:  # what uvicorn does in the worker
        served.append(server.app_from_environment())

    monkeypatch.setattr(cli, "_run_uvicorn", run_uvicorn)
    path = write_yaml(tmp_path / "config.yaml", copy.deepcopy(CONFIG))
    assert cli.main(["serve", "--config", str(path)]) == 0
    app = served[0]
    async with app.router.lifespan_context(app):
        assert app.state.router.gateway.classifier is loaded[0]
    assert len(loaded) == 1


def test_several_workers_load_their_own(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With several workers this process only supervises: nothing is handed over (each worker loads)."""
    from router import cli, server
    from router.config import parse_config

    loaded = _loads(monkeypatch)
    assert cli._check_classifier(parse_config(copy.deepcopy(CONFIG), env={}), "unused.yaml", workers=2) == 0
    assert len(loaded) == 1 and not server._handed_over


def test_a_handed_over_classifier_serves_its_own_config_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from router import server
    from router.config import ClassifierConfig

    loaded = _loads(monkeypatch)
    mine, other = ClassifierConfig(), ClassifierConfig(artifact="/elsewhere/model.skops")
    kept = object()
    server.hand_over(mine, kept)
    assert server._classifier(other) is loaded[-1]  # another config: loaded afresh, the hand-over kept
    assert server._classifier(mine) is kept
    assert server._classifier(mine) is loaded[-1] and len(loaded) == 2  # once: a reload loads again


@pytest.mark.parametrize(("state", "warned"), [({}, True), ({"redis_url": "redis://127.0.0.1:6379/0"}, False)])
def test_several_workers_with_limits_in_memory_are_warned(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                          state: dict[str, Any], warned: bool) -> None:
    """Each worker keeps its own memory limit store: a key gets N times its limits, and a reload starts them afresh."""
    from router import cli, multiproc
    from router.config import CONFIG_ENV
    from tests.opskit import write_yaml

    for name in (CONFIG_ENV, "COMPLEXITY_ROUTER_WORKERS", multiproc.ENV):  # what serve exports for its workers, restored after
        monkeypatch.setenv(name, str(tmp_path / "metrics") if name == multiproc.ENV else "")
    _loads(monkeypatch)
    monkeypatch.setattr(cli, "_run_uvicorn", lambda uvicorn, args, config: None)
    data = {**copy.deepcopy(CONFIG), "limits": {"default": {"requests_per_minute": 60}}, "state": state}
    assert cli.main(["serve", "--config", str(write_yaml(tmp_path / "config.yaml", data)), "--workers", "2"]) == 0
    assert ("per-key limits kept in memory are per worker (2 here" in capsys.readouterr().err) is warned
