"""The shipped examples stay true: the config loads and documents every threshold."""

from __future__ import annotations

import re
from pathlib import Path

import contribfunnel as cf

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_example_config_loads_and_documents_every_threshold() -> None:
    path = EXAMPLES / "contribfunnel.toml"
    cfg = cf.load_config(path)
    text = path.read_text(encoding="utf-8")
    documented = set(re.findall(r"^(\w+)\s*=", text.split("[thresholds]", 1)[1], flags=re.M))
    assert documented == set(cf.THRESHOLDS)
    assert dict(cfg.thresholds) == dict(cf.THRESHOLDS)  # the file states the defaults
    assert cfg.organizations["acme.com"] == "Acme"
    card = cf.stage10(cf.resolve_identities(cf.load_example(), config=cfg), config=cfg)
    assert "alice" in card.rule
