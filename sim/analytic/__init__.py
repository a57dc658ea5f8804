"""Analytic queueing formulas used to validate the contact-center simulator.

Modelled: stationary single-skill queues with Poisson arrivals: Erlang B
(M/M/c/c), Erlang C (M/M/c), Erlang A (M/M/c+M), M/M/c/K with optional
exponential patience, non-preemptive priority M/M/c, the M/G/1 mean wait and
the M/D/1 waiting-time distribution, plus staffing rules (square-root
staffing, Halfin-Whitt beta, minimal staffing for a service-level target).
Not modelled: time-varying arrivals, retrials, non-exponential patience,
multi-skill routing (handled elsewhere). Time is in minutes, rates per minute.

The names are imported from their modules on first use (PEP 562 ``__getattr__``), so
using Erlang C does not load scipy's sparse solvers of the skill-based-routing chain.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .balking import BalkingTheory, mmc_balking
    from .birth_death_chain import birth_death, offered_wait_cdf, stationary_distribution
    from .erlang import erlang_a, erlang_b, erlang_c, mmc, mmck, priority_mmc_waits
    from .formulas import QueueTheory, md1_wait_cdf, mg1_mean_wait
    from .sbr import SbrTheory, sbr_ctmc
    from .staffing import halfin_whitt_beta, square_root_staffing, staff_for_service_level

LAZY = {
    "BalkingTheory": "balking",
    "birth_death": "birth_death_chain",
    "erlang_a": "erlang",
    "erlang_b": "erlang",
    "erlang_c": "erlang",
    "halfin_whitt_beta": "staffing",
    "md1_wait_cdf": "formulas",
    "mg1_mean_wait": "formulas",
    "mmc": "erlang",
    "mmc_balking": "balking",
    "mmck": "erlang",
    "offered_wait_cdf": "birth_death_chain",
    "priority_mmc_waits": "erlang",
    "QueueTheory": "formulas",
    "sbr_ctmc": "sbr",
    "SbrTheory": "sbr",
    "square_root_staffing": "staffing",
    "staff_for_service_level": "staffing",
    "stationary_distribution": "birth_death_chain",
}  # public name -> the module of this package defining it

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


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use and kept."""
    if name not in LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *LAZY})
