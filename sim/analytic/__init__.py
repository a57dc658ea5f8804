"""Analytic queueing formulas used to validate the contact-center simulator.

Modelled: stationary single-skill queues with Poisson arrivals: Erlang B
(M/M/c/c), Erlang C (M/M/c), Erlang A (M/M/c+M), M/M/c/K with optional
exponential patience, non-preemptive priority M/M/c, the M/G/1 mean wait and
the M/D/1 waiting-time distribution, plus staffing rules (square-root
staffing, Halfin-Whitt beta, minimal staffing for a service-level target).
Not modelled: time-varying arrivals, retrials, non-exponential patience,
multi-skill routing (handled elsewhere). Time is in minutes, rates per minute.
"""

from __future__ import annotations

from .balking import BalkingTheory, mmc_balking
from .birth_death import birth_death, offered_wait_cdf, stationary_distribution
from .erlang import erlang_a, erlang_b, erlang_c, mmc, mmck, priority_mmc_waits
from .formulas import QueueTheory, md1_wait_cdf, mg1_mean_wait
from .sbr import SbrTheory, sbr_ctmc
from .staffing import halfin_whitt_beta, square_root_staffing, staff_for_service_level

__all__ = [
    "BalkingTheory",
    "QueueTheory",
    "SbrTheory",
    "birth_death",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "halfin_whitt_beta",
    "md1_wait_cdf",
    "mg1_mean_wait",
    "mmc",
    "mmc_balking",
    "mmck",
    "offered_wait_cdf",
    "priority_mmc_waits",
    "sbr_ctmc",
    "square_root_staffing",
    "staff_for_service_level",
    "stationary_distribution",
]
