"""What the command line's single runs and sweeps share: jobs, their folders and labels."""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

DRIVER_ENV = "CCSIM_DRIVER_PID"
BLAS_THREADS = "OPENBLAS_NUM_THREADS"


@dataclass(frozen=True)
class Job:
    """One job to run: its composed configuration, folder and overrides."""

    cfg: DictConfig
    out: Path
    overrides: tuple[str, ...]
    num: int = 0


class StartupCollector:
    """Python's cyclic garbage collector off while the command line starts, then frozen.

    Starting (importing numpy, pandas and Hydra; composing and converting the
    configuration) leaves some 160,000 long-lived objects and little garbage; the
    collector's passes over them cost about a tenth of a second of a trivial run.
    They are paused from the command line's start until the run starts
    (:meth:`started`): then ``gc.freeze`` moves every live object into the permanent
    generation, which no later pass scans, and the collector is back on (the
    runner pauses it again during each replication, ``sim.runner.gc_paused``).

    Deliberately not done for a sweep's jobs: the garbage cycles of a composition
    (about 11,000 objects, a few MB) are frozen too and kept until the process
    exits, once per command line, which is harmless once and a leak per job.
    """

    def __init__(self) -> None:
        self._was_on = gc.isenabled()
        self._paused = True
        gc.disable()

    def started(self) -> None:
        """The run starts: freeze what start-up left, switch the collector back on (once)."""
        if self._paused:
            self._paused = False
            gc.freeze()
            if self._was_on:
                gc.enable()


def one_blas_thread() -> None:
    """OpenBLAS (numpy's and scipy's) on one thread, unless ``OPENBLAS_NUM_THREADS`` is set.

    The simulator has no matrix work that a BLAS thread pool would speed up (it
    runs replications and sweep jobs in processes of their own), but OpenBLAS
    starts a thread per core when numpy loads, and those threads spin idle: on
    this project's 2-core machine a trivial run took 0.81 s of CPU with them and
    0.70 s without (medians of 20 interleaved runs, 2026-12-04; no difference to
    measure on 1 M M/M/c customers); with more cores there are more of them.
    Called first by the command line, before numpy is imported. Dask's nanny
    gives its workers the same setting (``distributed.nanny.pre-spawn-environ``),
    so a replication on a cluster worker runs as it does in the command's own
    process. A user's own ``OPENBLAS_NUM_THREADS`` is kept; nothing else
    (Arrow's thread pool, which reads and writes Parquet) is limited.
    """
    os.environ.setdefault(BLAS_THREADS, "1")


def _is_hydra(override: Any) -> bool:
    key = override.key_or_group.lstrip("/")
    return key == "hydra" or key.startswith(("hydra.", "hydra/"))


def split_overrides(overrides: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """``(hydra, task, sweeps)``: Hydra's own overrides, the task's, and those that sweep."""
    from sim.config.compose import parse_overrides

    hydra, task, sweeps = [], [], []
    for text, o in zip(overrides, parse_overrides(overrides), strict=True):
        (hydra if _is_hydra(o) else task).append(text)
        if o.is_sweep_override():
            sweeps.append(text)
    return hydra, task, sweeps


def _given(overrides: Sequence[str], key: str) -> bool:
    return any(o.lstrip("+~").split("=", 1)[0] == key for o in overrides)


def fresh(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... whichever does not exist yet."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def out_dir(cfg: DictConfig, key: str, overrides: Sequence[str]) -> Path:
    """The folder a run or sweep writes into; the dated default is made unique."""
    path = Path(str(OmegaConf.select(cfg, key))).expanduser()
    return path if _given(overrides, key) else fresh(path)


def job_info(cfg: DictConfig, overrides: Sequence[str], num: int) -> dict[str, Any]:
    """What a report needs to know of a job (stored in its manifest)."""
    shown = [o for o in overrides if not o.startswith(("experiment=", "hydra"))]
    study = cfg.study
    x = OmegaConf.select(cfg, study.x) if study.x else None
    label = study.label or ", ".join(shown) or cfg.name
    return {"label": str(label), "x": x, "overrides": list(shown), "num": num}
