"""Finished-job markers: what makes a sweep resumable.

A job's folder counts as finished only when it holds ``done.json``, written
last and atomically (temporary file, then rename) after every table and plot
is in place. The marker records a digest of the configuration, so a job
rerun with the same configuration is skipped and one whose configuration
changed is computed again. An interrupted job has no marker: it is simply
run again, and its half-written files (if any) are replaced.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from sim.config import Config

DONE = "done.json"
# Settings that change how a run is carried out or shown, not its numbers.
NOT_NUMBERS = ("workers", "progress", "plots", "study")


def config_digest(cfg: Config) -> str:
    """SHA-256 of the configuration's numbers-relevant content."""
    content = {k: v for k, v in dataclasses.asdict(cfg).items() if k not in NOT_NUMBERS}
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def read_marker(out_dir: Path) -> dict[str, Any] | None:
    """The job's marker, or None when the job has not finished."""
    path = Path(out_dir) / DONE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def is_done(out_dir: Path, digest: str) -> bool:
    """Whether ``out_dir`` holds a finished job of exactly this configuration."""
    marker = read_marker(out_dir)
    return marker is not None and marker.get("digest") == digest


def mark_done(out_dir: Path, info: dict[str, Any]) -> Path:
    """Write the marker atomically (the last file of a finished job)."""
    path = Path(out_dir) / DONE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=1, sort_keys=True, default=str))
    os.replace(tmp, path)
    return path


def clear_marker(out_dir: Path) -> None:
    """Remove a marker before a job's files are rewritten."""
    (Path(out_dir) / DONE).unlink(missing_ok=True)
