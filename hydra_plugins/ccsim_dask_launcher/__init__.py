"""Hydra launcher plugin: a sweep's jobs on a Dask cluster (:mod:`sim.cli.cluster`)."""
