"""Writing calibrated thresholds and shares into the config file, whatever its layout."""

from pathlib import Path

import pytest
import yaml

from router.calibration_yaml import write_calibration


@pytest.mark.parametrize("text", [
    ("models: {}\ntiers:  # cheapest first\n  low:\n    model: a\n    max_score: 0.4\n  mid:\n    model: b\n    expected_share: 0.2\n"
    "  high:\n    model: c\nclassifier: {artifact: default}\n"),
    "models: {}\ntiers:\n  low: {model: a, max_score: 0.4}\n  mid: {model: b, expected_share: null}\n  high: {model: c}\n",
    "models: {}\ntiers: {low: {model: a, max_score: 0.4}, mid: {model: b}, high: {model: c, expected_share: 0.9}}\n",
    "models: {}\ntiers:\n  low: {model: a,\n        max_score: 0.4}\n  mid: {model: b}\n  high: {model: c}\n",
], ids=["block", "flow-per-tier", "flow", "flow-over-lines"])
def test_write_calibration_sets_both_keys_in_every_layout(tmp_path: Path, text: str):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    write_calibration(p, {"low": 0.25, "mid": 0.6, "high": None}, {"low": 0.5, "mid": 0.3, "high": 0.2})
    written = p.read_text()
    tiers = yaml.safe_load(written)["tiers"]
    assert {name: tier.get("max_score") for name, tier in tiers.items()} == {"low": 0.25, "mid": 0.6, "high": None}
    assert {name: tier["expected_share"] for name, tier in tiers.items()} == {"low": 0.5, "mid": 0.3, "high": 0.2}
    assert all(tier["model"] for tier in tiers.values())
    assert ("# cheapest first" in written) == ("# cheapest first" in text)


@pytest.mark.parametrize("text", [
    "models: {}\ntiers:\n  low:\n    model: a\n    max_score: 0.4\n  mid:\n    model: b\n  high:\n    model: c\n    max_score: 0.5\n",
    "models: {}\ntiers:\n  low: {model: a, max_score: 0.4}\n  mid: {model: b}\n  high: {model: c, max_score: 0.5}\n",
    "models: {}\ntiers: {low: {model: a, max_score: 0.4}, mid: {model: b}, high: {model: c, max_score: 0.5}}\n",
    "models: {}\ntiers:\n  low: {model: a}\n  mid: {model: b}\n  high: {model: c,\n         max_score: 0.5}\n",
], ids=["block", "flow-per-tier", "flow", "flow-over-lines"])
def test_write_calibration_lifts_the_last_tier_s_max_score_out_of_the_way(tmp_path: Path, text: str):
    """The last tier takes every score left whatever its `max_score` (0.5 is valid and ignored): a new threshold above it
    made the file invalid, "max_score must increase" (review_s36_cli F8). It becomes 1; a last tier without one gets none."""
    p = tmp_path / "c.yaml"
    p.write_text(text)
    write_calibration(p, {"low": 0.25, "mid": 0.6, "high": None}, {"low": 0.5, "mid": 0.3, "high": 0.2})
    tiers = yaml.safe_load(p.read_text())["tiers"]
    assert {name: tier.get("max_score") for name, tier in tiers.items()} == {"low": 0.25, "mid": 0.6, "high": 1.0}
    p.write_text(text.replace(", max_score: 0.5", "").replace("    max_score: 0.5\n", "").replace(",\n         max_score: 0.5", ""))
    write_calibration(p, {"low": 0.25, "mid": 0.6, "high": None}, {"low": 0.5, "mid": 0.3, "high": 0.2})
    assert "max_score" not in yaml.safe_load(p.read_text())["tiers"]["high"]


def test_a_calibration_the_config_check_refuses_leaves_the_file_untouched(tmp_path: Path):
    p = tmp_path / "c.yaml"
    original = "models: {}\ntiers:\n  low: {model: a, max_score: 0.4}\n  high: {model: c}\n"
    p.write_text(original)

    def refuse(path: Path) -> None:
        raise ValueError("no")

    with pytest.raises(ValueError):
        write_calibration(p, {"low": 0.25, "high": None}, {"low": 0.5, "high": 0.5}, validate=refuse)
    assert p.read_text() == original and [f.name for f in tmp_path.iterdir()] == ["c.yaml"]
