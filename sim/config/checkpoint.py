"""Schema of a long run's checkpoints (``sim.runner``, ``docs/long_runs.md``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CheckpointConfig:
    """Save a run at midnights so that, killed, it resumes where it stopped.

    Attributes:
        every: how often a replication's state is saved, a whole number of
            simulated days (``1d``, ``7d``, or minutes: ``1440``); 0 (the
            default) saves nothing. The file is ``.ccsim-checkpoint.pkl``
            inside the run's output folder, never elsewhere; it is replaced
            atomically at each save, and each finished replication's tables
            go into a file of their own beside it
            (``.ccsim-checkpoint-r3.pkl``, written once); a replication run
            in a worker process (``workers`` > 1) saves its midnights in
            ``.ccsim-checkpoint-s3.pkl``, until it finishes (on a cluster, the
            run's process writes that file with the state each task sends
            back at its midnight); all are deleted when
            the run has published its results. Running the
            same command into the same folder again resumes from it; a
            checkpoint of another configuration or code version is refused
            (``overwrite=true`` discards it and starts again).

    Saving never changes a run's numbers: the replication stops at the
    midnight, pickles its state and goes on.
    """

    every: int | float | str = 0  # DURATION: read as minutes, like horizon

    def __post_init__(self) -> None:
        from sim.config.base import minutes

        self.every = minutes(self.every, "checkpoint.every")
