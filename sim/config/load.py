"""Loading configurations outside Hydra's command line (notebooks, tests).

``load_config("mmc", ["servers=52"])`` composes ``configs/`` exactly as
``python run.py scenario=mmc servers=52`` would and returns a validated
:class:`~sim.config.Config`; a bad input raises :class:`~sim.config.errors.ConfigError`
with the same one-line message as the command line. ``to_config`` is the
single conversion from a composed ``DictConfig`` to typed dataclasses, used
by the command line too.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict

from sim.config.compose import CONFIG_DIR, check_known_keys, compose_config, translate
from sim.config.errors import ConfigError
from sim.config.schema import TEXTBOOK_SHORTCUTS, Config

__all__ = ["CONFIG_DIR", "check_shortcuts", "load_config", "to_config"]


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
    check_known_keys(cfg)
    check_shortcuts(cfg)
    task = cfg
    if "hydra" in cfg:  # composed for the command line: the task part only
        task = copy.copy(cfg)
        with open_dict(task):
            del task["hydra"]
    try:
        return OmegaConf.to_object(task)
    except ConfigError:
        raise
    except Exception as err:  # a value that does not fit its type, or an interpolation
        raise translate(err) from None


def load_config(
    scenario: str | None = "default",
    overrides: Sequence[str] = (),
    config_dir: str | Path | None = None,
) -> Config:
    """Compose ``configs/`` with a scenario and Hydra overrides, then validate.

    ``scenario=None`` leaves the choice to the overrides (e.g. an experiment);
    ``config_dir`` adds a folder of the user's own scenario files, as
    ``--config-dir`` does on the command line.
    """
    chosen = [f"scenario={scenario}"] if scenario is not None else []
    return to_config(compose_config([*chosen, *overrides], config_dir))
