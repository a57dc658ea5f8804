"""A scenario file calibrated from a centre's contact log, every number with its interval.

For one day type of the log (the bank's Sunday-Thursday weekdays, say) the
calibration estimates, with :mod:`sim.data.estimate` and
:mod:`sim.data.staffing`:

- arrivals: the rate per interval of the day (the profile) and the day-level
  busyness (gamma cv from the variance of daily counts);
- handle time: the chosen family (lowest AIC unless the KS test rejects it,
  then the empirical distribution, written as its quantiles) and, when the
  mean varies over the day, a profile of hourly factors;
- patience: exponential, by maximum likelihood with served waits censored
  (abandonments / total time waited); the Kaplan-Meier curve goes in the report;
- staffing: the effective agents per interval (busy while callers waited),
  the mean of the days of that type; fractional.

It writes a normal scenario file (one queue ``calls`` with its own arrivals,
one group ``agents`` with a staffing profile) with every estimate and its
95 % interval in a comment, and a folder ``results/calibration/<name>/``
with the tables, the per-day staffing the backtest needs, and a report.

Not modelled: queues by service type or priority (the whole centre is one
pool), handle times that depend on the agent, patience that depends on the
wait announced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data import estimate
from sim.data.logs import LoadedLog
from sim.data.staffing import effective_staffing, typical_staffing

MARK = "# Calibrated by ./dev calibrate"
QUANTILES = 200  # support points of an empirical handle-time distribution
MIN_FACTOR_CONTACTS = 30  # an hour needs this many served contacts for its own factor


@dataclass
class Calibration:
    """Every estimate of one calibration, and where it came from."""

    name: str
    log: LoadedLog
    mapping: str
    interval: float
    scheme: str
    day_type: str
    threshold: float
    rates: pd.DataFrame
    dispersion: pd.DataFrame
    service: pd.DataFrame
    service_hours: pd.DataFrame
    km: pd.DataFrame
    patience: dict
    abandonment: tuple[pd.DataFrame, dict]
    staffing: pd.DataFrame  # per day and interval
    typical: pd.DataFrame  # per interval, the day type's mean
    availability: pd.DataFrame | None = None
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def days(self) -> list[pd.Timestamp]:
        """The log's days of the calibrated type."""
        types = estimate.day_types(pd.Series(self.log.days), self.scheme)
        return [d for d, t in zip(self.log.days, types, strict=True) if t == self.day_type]

    def chosen_service(self) -> pd.Series:
        """The row of the chosen handle-time distribution."""
        return self.service[self.service.chosen].iloc[0]


def calibrate(
    log: LoadedLog,
    name: str,
    mapping: str = "",
    interval: float = 30.0,
    scheme: str = "israel",
    day_type: str = "weekday",
    threshold: float = 20 / 60,
    scheduled: pd.DataFrame | None = None,
) -> Calibration:
    """Estimate everything a scenario of the log's ``day_type`` needs."""
    c = log.contacts
    types = estimate.day_types(c.day, scheme)
    if not (types == day_type).any():
        raise ValueError(
            f"day type {day_type!r}: no day of the log has it "
            f"(types: {', '.join(sorted(set(types)))})"
        )
    own = c[types == day_type]
    staffing = effective_staffing(c, interval)
    km, summary = estimate.patience(own)
    cal = Calibration(
        name,
        log,
        mapping,
        interval,
        scheme,
        day_type,
        threshold,
        rates=estimate.arrival_rates(c, interval, scheme),
        dispersion=estimate.overdispersion(c, scheme),
        service=estimate.service_fit(own),
        service_hours=estimate.service_by_interval(own, 60.0),
        km=km,
        patience=summary,
        abandonment=estimate.abandonment_vs_wait(
            own, 60.0, mean_patience=summary["exponential_mean"]
        ),
        staffing=staffing,
        typical=typical_staffing(staffing, scheme, day_type),
    )
    if scheduled is not None:
        from sim.data.staffing import availability

        cal.availability = availability(staffing, scheduled)
    return cal


def _num(x: float) -> str:
    return f"{x:.6g}"


def _ci(lo: float, hi: float) -> str:
    return f"[{lo:.4g}, {hi:.4g}]"


def _profile(cal: Calibration) -> tuple[float, list[float], list[str]]:
    r = cal.rates[cal.rates.day_type == cal.day_type].sort_values("t_start")
    mean = float(r.rate.mean())
    notes = [
        f"#   {int(t) // 60:02d}:{int(t) % 60:02d}  {rate:.4g}/min {_ci(lo, hi)}"
        for t, rate, lo, hi in zip(r.t_start, r.rate, r.ci_low, r.ci_high, strict=True)
        if rate > 0
    ]
    return mean, [round(v / mean, 6) if mean > 0 else 0.0 for v in r.rate], notes


def _service_lines(cal: Calibration) -> list[str]:
    s = cal.chosen_service()
    ci = f"mean {_ci(s.mean_ci_low, s.mean_ci_high)} min, cv {_ci(s.cv_ci_low, s.cv_ci_high)}"
    fits = cal.service[cal.service.family != "empirical"]
    ks = ", ".join(f"{f.family} {f.ks:.3f}" for f in fits.itertuples())
    why = f"KS distances {ks}; 5 % critical {1.36 / np.sqrt(s.n):.3f}"
    head = f"    # handle time: {s.family} chosen (lowest AIC unless KS rejects it; {why}); {ci}"
    if s.family == "empirical":
        x = np.sort(cal.log.contacts.handle.dropna().to_numpy())
        x = x[x > 0]
        values = np.quantile(x, (np.arange(QUANTILES) + 0.5) / QUANTILES)
        return [
            head,
            "    service:",
            "      kind: empirical",
            f"      values: [{', '.join(_num(v) for v in values)}]",
        ]
    kind = {"lognormal": "lognormal", "gamma": "gamma", "exponential": "exponential"}[s.family]
    return [
        head,
        "    service:",
        f"      kind: {kind}",
        f"      mean: {_num(s['mean'])}",
        f"      cv: {_num(s.cv)}",
    ]


def _service_profile(cal: Calibration) -> list[str]:
    h = cal.service_hours.copy()
    factors = np.where(h.n >= MIN_FACTOR_CONTACTS, h.factor, 1.0)
    shown = ", ".join(
        f"{int(t) // 60:02d}h {f:.2f}"
        for t, f, n in zip(h.t_start, factors, h.n, strict=True)
        if n >= MIN_FACTOR_CONTACTS
    )
    return [
        f"    # mean handle time by hour of the answer / the day's mean "
        f"(hours with >= {MIN_FACTOR_CONTACTS} calls): {shown}",
        f"    service_profile: [{', '.join(f'{f:.4f}' for f in factors)}]",
        "    service_profile_interval: 60",
    ]


def _busyness(cal: Calibration) -> str:
    d = cal.dispersion.set_index("day_type").loc[cal.day_type]
    cv = 0.0 if np.isnan(d.busyness_cv) else float(d.busyness_cv)
    note = f"{_ci(d.ci_low, d.ci_high)} from {int(d.days)} days (method of moments)"
    return f"      busyness_cv: {_num(cv)}   # day factor: gamma, mean 1; {note}"


def scenario_text(cal: Calibration) -> str:
    """The scenario file: YAML with every estimate's interval in a comment."""
    mean, profile, notes = _profile(cal)
    p = cal.patience
    t = cal.typical.sort_values("t_start")
    days = ", ".join(d.strftime("%Y-%m-%d") for d in cal.days)
    lines = [
        "# @package _global_",
        f"{MARK} from {cal.log.source} (mapping {cal.mapping or 'given in Python'})",
        f"# on {cal.created}: day type {cal.day_type} ({cal.scheme} week), days {days}.",
        "# Estimates with 95 % intervals below; report: "
        f"results/calibration/{cal.name}/report.html",
        f"name: {cal.name}",
        f'description: "Calibrated from {cal.log.source.name}: a typical {cal.day_type}, '
        'one pool of agents"',
        "horizon: 1440",
        "warmup: 0",
        f"interval: {_num(cal.interval)}",
        "replications: 20",
        "queues:",
        "  calls:",
        "    arrival:",
        f"      rate: {_num(mean)}   # mean arrivals per minute over the day; "
        f"per {_num(cal.interval)} minutes:",
        *[f"    {n}" for n in notes],
        f"      profile: [{', '.join(_num(v) for v in profile)}]",
        f"      profile_interval: {_num(cal.interval)}",
        _busyness(cal),
        *_service_lines(cal),
        *_service_profile(cal),
        "    # patience: exponential by maximum likelihood (served waits censored): "
        f"{p['abandonments']:,} "
        f"abandonments, {p['waited']:,} callers who waited; 95 % {_ci(*p['exponential_ci'])} min; "
        f"Kaplan-Meier median {p['km_median']:.3g} min",
        "    patience:",
        "      kind: exponential",
        f"      mean: {_num(p['exponential_mean'])}",
        f"    sl_threshold: {cal.threshold!r}",
        "    sl_target: 0.8",
        "agents:",
        "  agents:",
        "    count: 0",
        f"    # effective agents per {_num(cal.interval)} minutes (busy while callers waited), "
        f"mean of {len(cal.days)} days;",
        f"    # agents seen in the log: "
        f"{t.agents_seen.sum() / max(t.effective.sum(), 1e-9):.2f} times as many",
        f"    staffing: [{', '.join(f'{v:.3f}' for v in np.nan_to_num(t.effective.to_numpy()))}]",
        f"    staffing_interval: {_num(cal.interval)}",
    ]
    return "\n".join(lines) + "\n"


def write_scenario(cal: Calibration, path: str | Path, overwrite: bool = False) -> Path:
    """Write the scenario file; never over a file that ``calibrate`` did not write."""
    from sim.config.errors import OutputError

    path = Path(path)
    if path.exists():
        ours = MARK in "\n".join(path.read_text().splitlines()[:3])
        if not ours:
            raise OutputError(
                f"{path} exists and was not written by calibrate; choose another --out"
            )
        if not overwrite:
            raise OutputError(
                f"{path} exists (an earlier calibration); add --overwrite to replace it"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(scenario_text(cal))
    tmp.replace(path)
    return path
