"""Estimates from a tidy contact log, each with a confidence interval, and one figure each.

``arrivals`` (rates per day type and interval, day-level overdispersion),
``service`` (handle-time fits and their variation over the day),
``patience`` (Kaplan-Meier and the exponential MLE with censoring, abandonment
against the mean wait), ``figures``; ``common`` holds the checks and day types.
What each estimates, how, and what is deliberately not done: their docstrings
and :mod:`sim.data.estimate.common`.
"""

from sim.data.estimate.arrivals import arrival_rates, overdispersion
from sim.data.estimate.common import day_types
from sim.data.estimate.figures import (
    abandonment_figure,
    arrival_figure,
    patience_figure,
    service_figure,
)
from sim.data.estimate.patience import abandonment_vs_wait, patience
from sim.data.estimate.service import service_by_interval, service_fit

__all__ = [
    "abandonment_figure",
    "abandonment_vs_wait",
    "arrival_figure",
    "arrival_rates",
    "day_types",
    "overdispersion",
    "patience",
    "patience_figure",
    "service_by_interval",
    "service_figure",
    "service_fit",
]
