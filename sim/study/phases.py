"""Customer-care life phases: months of a growing customer base under each phase's policies.

Modelled (``phases:`` of a scenario, :mod:`sim.config.phases`; seed 001):
every month is one run of the scenario (its horizon, a representative day,
stands for the month) with

- the month's customer base: the first phase starts at ``phases.customers``;
  each month adds the phase's ``gross_adds`` and loses the customers the
  month's run lost (background churn at the phase's rate plus churn after
  issues, scaled from the horizon to a 30-day month, mean of the replications);
- contacts per customer scaled by the phase's ``contact_factor`` (through
  ``demand.scale`` of every reason);
- head counts (``phases.headcount``) sized to the workload: the scenario's
  counts are for its ``demand.customers`` at factor 1; a phase with history
  sizes on the month's base, one without on the previous month's (a launch
  has no data to forecast the growth from, so staffing lags it);
- the phase's own overrides (resolution, outsourcing mix, churn, ...).

Every month runs on the same seed, so month ``m`` and month ``n`` see the
same random numbers replication by replication (common random numbers) and
their differences are paired. Per month and replication: cost per managed
customer-month, true FCR, contacts per customer-month, churn per month (and
its part caused by issues), satisfaction and the voice service level.

Deliberately not modelled: the days of a month other than the representative
one (no billing cycle, no weekly pattern unless the scenario has one), issues
carried from one month into the next, hiring and training of the agents a
growing base needs, and a customer base split by tenure (new customers'
extra calls are the phase's ``contact_factor``, not a cohort model).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from sim.config.checks.phases import config_value
from sim.config.errors import ConfigError
from sim.config.load import load_config
from sim.config.phases import PhaseConfig
from sim.config.schema import Config
from sim.config.workforce import group_size
from sim.metrics.kpis import POSITIVE, UNIT
from sim.metrics.stats import paired_difference, summarise_replications
from sim.runner import run_experiment

MONTH_MINUTES = 30 * 1440.0  # the month of sim.outcomes.costs (per_managed_customer_month)
# (metric, what it is); the per-replication values of a month, in this order
METRICS = {
    "cost_per_customer_month": "cost per managed customer-month (EUR)",
    "fcr": "first-contact resolution (true)",
    "contacts_per_customer_month": "contacts per customer-month",
    "churn_month": "customers lost per month / base",
    "churn_issues_month": "customers lost after issues per month / base",
    "satisfaction": "satisfaction (0-10)",
    "voice_service_level": "voice service level",
}
_SHARES = {"fcr", "churn_month", "churn_issues_month", "voice_service_level"}


@dataclass(frozen=True)
class Month:
    """One month of the plan: its phase, base, sizing and overrides."""

    index: int
    phase: str
    customers: int
    sized_for: int
    overrides: tuple[str, ...]


@dataclass
class PhaseRun:
    """What :func:`run_phases` returns.

    Attributes:
        months: one row per month: ``month, phase, customers, sized_for,
            agents`` and mean, ``ci_low``, ``ci_high`` of every metric of
            :data:`METRICS` (columns ``<metric>``, ``<metric>_low``, ``<metric>_high``).
        replications: ``month, phase, replication, metric, value``.
    """

    months: pd.DataFrame
    replications: pd.DataFrame

    def phase_replications(self, phase: str) -> pd.DataFrame:
        """Per replication, the phase's mean (``replication, scope, metric, value``)."""
        r = self.replications[self.replications.phase == phase]
        if r.empty:
            raise KeyError(f"no phase {phase!r} in this run")
        out = r.groupby(["replication", "metric"], as_index=False)["value"].mean()
        return out.assign(scope=phase)[["replication", "scope", "metric", "value"]]

    def difference(self, a: str, b: str) -> pd.DataFrame:
        """Paired CI of (phase ``b`` - phase ``a``) per metric, replication by replication."""
        pa = self.phase_replications(a).assign(scope="phase")
        pb = self.phase_replications(b).assign(scope="phase")
        return paired_difference(pa, pb).set_index("metric")


def month_overrides(
    template: Config, phase: PhaseConfig, customers: int, sized_for: int
) -> list[str]:
    """The overrides of one month: the phase's own, then its base, contacts and head counts."""
    factor = phase.contact_factor
    out = [*phase.overrides, f"demand.customers={customers}"]
    for reason in template.demand.reasons:
        out.append(f"demand.scale.{reason}={template.demand.scale.get(reason, 1.0) * factor!r}")
    load = sized_for * factor / template.demand.customers
    for key in template.phases.headcount:
        out.append(f"{key}={math.ceil(config_value(template, key) * load - 1e-9)}")
    return out


def check_phase_overrides(scenario: str | None, overrides: Sequence[str], template: Config) -> None:
    """Compose every phase's first month before anything runs (a bad override names its phase)."""
    base = template.phases.customers
    for i, phase in enumerate(template.phases.sequence):
        try:
            load_config(scenario, [*overrides, *month_overrides(template, phase, base, base)])
        except ConfigError as err:
            raise ConfigError(f"phases.sequence[{i}] ({phase.name}): {err}") from None


def month_values(cfg: Config, per_rep: pd.DataFrame) -> pd.DataFrame:
    """The metrics of one month's run, per replication (``replication, metric, value``)."""
    wide = per_rep.assign(key=per_rep.scope + "/" + per_rep.metric).pivot(
        index="replication", columns="key", values="value"
    )
    to_month = MONTH_MINUTES / (cfg.horizon - cfg.warmup)
    base = cfg.demand.customers

    def col(key: str) -> pd.Series:
        return wide[key] if key in wide else pd.Series(math.nan, index=wide.index)

    values = {
        "cost_per_customer_month": col("cost/per_managed_customer_month"),
        "fcr": col("all/fcr"),
        "contacts_per_customer_month": col("all/offered") * to_month / base,
        "churn_month": col("churn/customers_lost") * to_month / base,
        "churn_issues_month": col("churn/customers_lost_issues") * to_month / base,
        "satisfaction": col("all/satisfaction"),
        "voice_service_level": col("channel:voice/service_level"),
    }
    frame = pd.DataFrame(values).reset_index()
    return frame.melt(id_vars="replication", var_name="metric", value_name="value")


def simulate_month(scenario: str | None, overrides: Sequence[str]) -> tuple[Config, pd.DataFrame]:
    """One month's configuration and its metrics per replication (:func:`month_values`)."""
    cfg = load_config(scenario, [*overrides, "keep_records=false", "plots=false"])
    return cfg, month_values(cfg, run_experiment(cfg, progress=False).replications)


def metric_bounds(metric: str) -> tuple[float, float]:
    """The range of a metric of :data:`METRICS` (confidence intervals stay inside it)."""
    return UNIT if metric in _SHARES else POSITIVE


def _month_row(month: Month, cfg: Config, values: pd.DataFrame) -> dict:
    summary = summarise_replications(values.assign(scope="month"), bounds=metric_bounds)
    row = {
        "month": month.index,
        "phase": month.phase,
        "customers": month.customers,
        "sized_for": month.sized_for,
        "agents": sum(group_size(g) for g in cfg.agents.values()),
    }
    for r in summary.itertuples(index=False):
        row |= {r.metric: r.mean, f"{r.metric}_low": r.ci_low, f"{r.metric}_high": r.ci_high}
    return row


def run_phases(
    scenario: str | None = "life_phases",
    overrides: Sequence[str] = (),
    on_month: Callable[[Month], None] | None = None,
) -> PhaseRun:
    """Simulate every month of the scenario's life phases, on common random numbers.

    ``overrides`` apply to every month (e.g. ``replications=3`` or a phase's
    ``phases.sequence.0.months=2``); ``on_month`` is called before each month
    runs (progress). Raises ConfigError, before any month runs, if the
    scenario has no phases or a phase's overrides do not compose.
    """
    template = load_config(scenario, overrides)
    if not template.phases.sequence:
        raise ConfigError(f"phases.sequence lists no phase in scenario {template.name!r}")
    check_phase_overrides(scenario, overrides, template)
    rows, reps = [], []
    customers = previous = template.phases.customers
    for phase in template.phases.sequence:
        for _ in range(phase.months):
            sized_for = customers if phase.history else previous
            extra = month_overrides(template, phase, customers, sized_for)
            month = Month(len(rows), phase.name, customers, sized_for, tuple(extra))
            if on_month is not None:
                on_month(month)
            cfg, values = simulate_month(scenario, [*overrides, *extra])
            rows.append(_month_row(month, cfg, values))
            reps.append(values.assign(month=month.index, phase=phase.name))
            lost = values.loc[values.metric == "churn_month", "value"].mean() * customers
            previous, customers = customers, _next_base(customers, phase.gross_adds, lost, month)
    columns = ["month", "phase", "replication", "metric", "value"]
    return PhaseRun(pd.DataFrame(rows), pd.concat(reps, ignore_index=True)[columns])


def _next_base(customers: int, gross_adds: int, lost: float, month: Month) -> int:
    """Next month's base: this one plus the gross adds minus the customers lost."""
    nxt = round(customers + gross_adds - (0.0 if math.isnan(lost) else lost))
    if nxt < 1:
        raise ValueError(
            f"the customer base runs out after month {month.index} ({month.phase}): "
            f"{customers:,} customers + {gross_adds:,} gross adds - {lost:,.0f} lost"
        )
    return nxt
