"""Hydra sweeper plugin: the basic sweeper, jobs checked once (:mod:`sim.cli.sweep`)."""
