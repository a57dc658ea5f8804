"""Jobs of a sweep: configuration digests, safe job-folder names, the sweep's own manifest.

A job's folder counts as finished only when it holds the manifest
``done.json`` (:mod:`sim.study.folders`), which records a digest of the
configuration, so a job rerun with the same configuration is skipped and one
whose configuration changed is not taken for finished.

Job folders are named by the job's overrides (``params.flexible-3``), not by
Hydra's job number, so that a job keeps its folder when a sweep is rerun
with other values. ``${ccsim.job_dir:...}`` (registered here, when the module
is imported, so that Hydra's worker processes know it too) turns Hydra's
``override_dirname`` into a plain folder name: characters other than
letters, digits, ``_ - .`` become ``_`` and such a name gets a short digest
of the original, so two jobs never share a folder and none leaves the sweep
folder.

The sweep folder holds ``sweep.json``: the jobs of the current sweep, in
order. The report reads only those, never a job left there by an earlier
sweep with other values.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from sim.config import Config
from sim.config.base import NOT_NUMBERS
from sim.study.folders import read_json, read_manifest, write_json

SWEEP = "sweep.json"
SWEEP_FILES = (SWEEP, "multirun.yaml", "report.html", "report.xlsx")
# Settings that change how a run is carried out or shown, not its numbers or files.
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
MAX_NAME = 100


def config_digest(cfg: Config) -> str:
    """SHA-256 of the configuration's numbers-relevant content."""
    content = {k: v for k, v in dataclasses.asdict(cfg).items() if k not in NOT_NUMBERS}
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def job_dir(override_dirname: str) -> str:
    """A plain folder name for a job from Hydra's ``override_dirname``.

    Items that only add a schema's defaults for a new entry (``schema/...@agents.x``,
    written by :func:`sim.config.compose.with_new_entries`) are left out: the entry's own
    values follow them.
    """
    items = [
        i for i in str(override_dirname).split("__") if not i.lstrip("+").startswith("schema/")
    ]
    raw = "__".join(items)
    name = _UNSAFE.sub("_", raw).replace("..", "_").strip("._-") or "base"
    if name != raw or len(name) > MAX_NAME:
        digest = hashlib.sha1(raw.encode()).hexdigest()[:8]
        name = f"{name[: MAX_NAME - 9]}-{digest}"
    return name


def register_resolver() -> None:
    """Make ``${ccsim.job_dir:...}`` known to OmegaConf (idempotent)."""
    if not OmegaConf.has_resolver("ccsim.job_dir"):
        OmegaConf.register_new_resolver("ccsim.job_dir", job_dir)


register_resolver()


def read_marker(out_dir: Path) -> dict[str, Any] | None:
    """The job's manifest, or None when the job has not finished."""
    return read_manifest(Path(out_dir))


def write_sweep(sweep_dir: Path, info: dict[str, Any]) -> Path:
    """Record the current sweep (its jobs, in order) in the sweep folder, atomically."""
    path = Path(sweep_dir) / SWEEP
    write_json(path, info)
    return path


def sweep_jobs(sweep_dir: Path) -> list[str] | None:
    """Folder names of the current sweep's jobs, or None for a folder without ``sweep.json``."""
    data = read_json(Path(sweep_dir) / SWEEP)
    jobs = data.get("jobs") if data else None
    if not isinstance(jobs, list):
        return None
    return [str(j["dir"]) for j in jobs if isinstance(j, dict) and "dir" in j]
