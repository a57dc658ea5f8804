"""Loading configurations outside Hydra's command line (notebooks, tests).

``load_config("mmc", ["servers=52"])`` composes ``configs/`` exactly as
``python run.py scenario=mmc servers=52`` would and returns a validated
:class:`~sim.config.Config`. ``to_config`` is the single conversion from a
composed ``DictConfig`` to typed dataclasses, used by ``run.py`` too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.checks import ConfigError
from sim.config import TEXTBOOK_SHORTCUTS, Config, register_configs

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)
    elif isinstance(node, str):
        yield node


def check_shortcuts(cfg: DictConfig) -> None:
    """Reject a textbook shortcut that is set but not read by the scenario."""
    raw = OmegaConf.to_container(cfg, resolve=False)
    raw.pop("hydra", None)
    texts = list(_strings(raw))
    for key in TEXTBOOK_SHORTCUTS:
        if cfg.get(key) is None:
            continue
        used = any(re.search(r"\$\{\s*" + key + r"\s*\}", t) for t in texts)
        if not used:
            raise ConfigError(
                f"{key} is a textbook shortcut that scenario '{cfg.get('name')}' does not use "
                f"(scenarios mmc, mmc_abandon, mmcc, mmck do), got {cfg.get(key)!r}"
            )


def to_config(cfg: DictConfig) -> Config:
    """Typed, validated Config from a composed DictConfig (raises ConfigError)."""
    check_shortcuts(cfg)
    try:
        return OmegaConf.to_object(cfg)
    except OmegaConfBaseException as err:  # a value that does not fit its type, found late
        raise ConfigError(" ".join(str(err).split("\n")[:2])) from err


def load_config(scenario: str | None = "default", overrides: Sequence[str] = ()) -> Config:
    """Compose ``configs/`` with a scenario and Hydra overrides, then validate.

    ``scenario=None`` leaves the choice to the overrides (e.g. an experiment).
    """
    from hydra import compose, initialize_config_dir

    register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        chosen = [f"scenario={scenario}"] if scenario is not None else []
        cfg = compose(config_name="config", overrides=[*chosen, *overrides])
    return to_config(cfg)
