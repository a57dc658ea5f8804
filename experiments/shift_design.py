"""Shift design under agent stress: 5 x 8 h with two breaks against 4 x 10 h with one.

Both designs are sized to the same requirement (scenario ``shift_design``): a
pilot run measures the calls offered per hour of the day and the handle time
(without stress), Erlang A gives the agents needed at the desk per hour for
80/20 with the channel's patience, inflated for absence, and each design is
then staffed with its own shift length by :func:`cheapest_cover`: the fewest
paid hours per week (an integer programme over the agents per weekly
pattern and start time) whose mean presence, net of breaks, meets that one
requirement in every hour. The cost difference is then the price of the
shift length, not of a covering heuristic: a greedy cover (latest start
first) put 51 agents a day on 10-h shifts where ~19 at the desk were needed.
Each design then runs five weeks (the first is warm-up) with the stress model
on and off, on common random numbers, and the report gives B - A with paired
95 % confidence intervals, plus the part of the difference that disappears
when stress is off (the fatigue effect: a difference in differences).

Usage: ``./dev python experiments/shift_design.py [--replications 10] [--out docs]``
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim import load_config, run_experiment
from sim.config import BreakConfig, Config, ShiftConfig
from sim.metrics.kpis import UNBOUNDED
from sim.metrics.results import Results
from sim.metrics.stats import paired_difference, summarise_replications
from sim.report.text import interval_text
from sim.workforce.scheduling import desk_share, presence, requirement

SLOT = 60.0
START_STEP = 30.0  # shifts may start on the hour or the half hour
STAGGER = 15.0  # minutes between the breaks of successive crews
OPEN, CLOSE = 420.0, 1380.0
DESIGNS = {
    "A: 5 x 8 h, two 15-min breaks": (480.0, [BreakConfig(120, 15), BreakConfig(330, 15)], 5),
    "B: 4 x 10 h, one 30-min break": (600.0, [BreakConfig(300, 30)], 4),
}
KPIS = [
    ("all", "service_level", "service level 80/20 (%)", 100, "{:.1f}"),
    ("all", "p_abandon", "abandoned (%)", 100, "{:.2f}"),
    ("all", "aht", "handle time (min)", 1, "{:.2f}"),
    ("all", "occupancy", "occupancy (%)", 100, "{:.1f}"),
    ("all", "mean_staffed", "agents at the desk (mean)", 1, "{:.1f}"),
    ("all", "stress_mean", "mean stress on shift (0-1)", 1, "{:.3f}"),
    ("all", "stress_p90", "90th percentile of stress on shift", 1, "{:.3f}"),
    ("all", "absent_days", "agent-days absent", 1, "{:.0f}"),
    ("all", "leavers", "leavers", 1, "{:.1f}"),
    ("all", "fcr", "FCR (%)", 100, "{:.2f}"),
    ("all", "satisfaction", "satisfaction (0-10)", 1, "{:.3f}"),
    ("cost", "per_managed_customer_month", "cost per customer-month (EUR)", 1, "{:.4f}"),
]


def hourly(results: Results, metric: str) -> np.ndarray:
    """Mean of an interval metric by hour of the day (window only, all replications)."""
    iv = results.intervals
    iv = iv[(iv.scope == "all") & iv.in_window]
    hour = ((iv.t_start % 1440) // SLOT).astype(int)
    return iv.groupby(hour)[metric].mean().reindex(range(24), fill_value=0.0).to_numpy()


def _patterns(days_on: int) -> np.ndarray:
    """``(7, 7)`` 0/1 matrix: pattern k works weekdays k, k+1, ..., k+days_on-1 (mod 7)."""
    work = np.zeros((7, 7))
    for k in range(7):
        work[k, [(k + j) % 7 for j in range(days_on)]] = 1
    return work


def cheapest_cover(
    need: np.ndarray, starts: np.ndarray, length: float, breaks: list, days_on: int
) -> np.ndarray:
    """Agents per start time and weekly pattern: the fewest paid hours meeting ``need``.

    Variables are the agents ``m[s, k]`` starting at ``starts[s]`` on pattern k
    (``days_on`` consecutive days from weekday k); on every weekday and in
    every hour, the mean presence of the crews working that day (breaks out,
    as :func:`sim.workforce.scheduling.desk_share` counts them) must reach
    ``need``, the same requirement for every design. Every agent is paid
    ``days_on x length`` a week, so minimising agents minimises paid hours.
    Solved exactly by ``scipy.optimize.milp`` (integer programme); ValueError
    when no schedule covers the requirement. Not modelled: shifts crossing
    midnight, part-time contracts.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    share = np.array(  # (hour, start, crew): crews' breaks are staggered
        [
            [
                [
                    desk_share(s, length, _staggered(breaks, k), i * SLOT, (i + 1) * SLOT)
                    for k in range(7)
                ]
                for s in starts
            ]
            for i in range(len(need))
        ]
    )
    work = _patterns(days_on)  # (crew, weekday)
    # presence[day, hour] = sum_{s, k} share[hour, s, k] * work[k, day] * m[s, k]
    a = np.einsum("hsk,kd->dhsk", share, work).reshape(7 * len(need), -1)
    res = milp(
        c=np.full(a.shape[1], days_on * length / 60),
        constraints=LinearConstraint(a, lb=np.tile(np.asarray(need, float), 7) - 1e-9),
        integrality=np.ones(a.shape[1]),
        bounds=Bounds(0, np.inf),
    )
    if not res.success:
        raise ValueError(f"no {length:g}-min shifts from {starts} cover the requirement")
    return np.rint(res.x).astype(int).reshape(len(starts), 7)


def _staggered(breaks: list, crew: int) -> list[BreakConfig]:
    """Breaks of crew ``crew`` (0-6): moved by ``(crew - 3) x STAGGER`` minutes."""
    return [BreakConfig(b.after + (crew - 3) * STAGGER, b.length) for b in breaks]


def design_shifts(
    starts: np.ndarray, m: np.ndarray, length: float, breaks: list, days_on: int
) -> list[ShiftConfig]:
    """Shift entries of a covering: crew k's breaks move by ``(k - 3) x STAGGER`` minutes."""
    shifts = []
    for s, row in zip(starts, m, strict=True):
        for k, n in enumerate(row):
            if n > 0:
                shifts.append(
                    ShiftConfig(
                        start=float(s),
                        end=float(s + length),
                        count=int(n),
                        days=sorted((k + j) % 7 for j in range(days_on)),
                        breaks=_staggered(breaks, k),
                    )
                )
    return shifts


def at_desk(cfg: Config, n_slots: int = 24) -> np.ndarray:
    """Scheduled mean presence per weekday and hour ``(7, n_slots)``, nobody absent."""
    out = np.zeros((7, n_slots))
    for sh in cfg.agents["care"].shifts:
        row = presence({sh.start: sh.count}, SLOT, n_slots, sh.end - sh.start, sh.breaks)
        out[sorted(sh.days)] += row
    return out


def with_agents(cfg: Config, length: float, breaks: list, days_on: int, need: np.ndarray):
    """The scenario with its agents replaced by a design sized for ``need``."""
    starts = np.arange(OPEN, CLOSE - length + 1, START_STEP)
    m = cheapest_cover(need, starts, length, breaks, days_on)
    group = dataclasses.replace(
        cfg.agents["care"], shifts=design_shifts(starts, m, length, breaks, days_on)
    )
    return dataclasses.replace(cfg, agents={"care": group}), m


def pilot(cfg: Config, replications: int) -> tuple[np.ndarray, float]:
    """Calls per minute by hour of day and handle time, measured without stress."""
    first = dataclasses.replace(cfg, replications=replications)
    first = dataclasses.replace(first, stress=dataclasses.replace(cfg.stress, enabled=False))
    res = run_experiment(first, progress=False)
    aht = res.kpis.set_index(["scope", "metric"]).loc[("all", "aht"), "mean"]
    return hourly(res, "arrival_rate"), float(aht)


def forecast(cfg: Config, replications: int, rounds: int = 2) -> np.ndarray:
    """Agents needed per hour, as a planner would get it from history.

    Repeat calls depend on how well the line is staffed, so the forecast is
    iterated: measure a pilot, size design A for it, measure again.
    """
    channel, group = cfg.channels["voice"], cfg.agents["care"]
    need = None
    for _ in range(rounds):
        rates, aht = pilot(cfg, replications)
        need = requirement(
            rates,
            aht,
            channel.sl_threshold,
            channel.sl_target,
            channel.patience.mean,
            group.absenteeism,
        )
        length, breaks, days_on = next(iter(DESIGNS.values()))
        cfg, _ = with_agents(cfg, length, breaks, days_on, need)
    return need


def did(runs: dict) -> pd.DataFrame:
    """(B - A with stress) - (B - A without), paired by replication."""
    (a_on, a_off), (b_on, b_off) = (runs[d] for d in DESIGNS)
    keys = ["replication", "scope", "metric"]
    frames = [r.replications.set_index(keys)["value"] for r in (a_on, a_off, b_on, b_off)]
    value = (frames[2] - frames[0]) - (frames[3] - frames[1])
    # a difference of shares can be negative: no KPI bounds on its interval
    return summarise_replications(value.dropna().reset_index(), bounds=lambda _m: UNBOUNDED)


def main() -> None:
    """Size both designs, run them with stress on and off, write table and figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="docs")
    args = parser.parse_args()
    base = load_config("shift_design", [f"workers={args.workers}"])
    need = forecast(base, 3)
    runs, sizing = {}, {}
    for label, (length, breaks, days_on) in DESIGNS.items():
        cfg, _ = with_agents(base, length, breaks, days_on, need)
        cfg = dataclasses.replace(cfg, replications=args.replications)
        sizing[label] = cfg
        off = dataclasses.replace(cfg, stress=dataclasses.replace(cfg.stress, enabled=False))
        runs[label] = (run_experiment(cfg, progress=False), run_experiment(off, progress=False))
    table = report(runs, sizing, need)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    hours = ", ".join(f"{h:02d}:00 {int(n)}" for h, n in enumerate(need) if n > 0)
    note = (
        "Both designs are staffed to one requirement, agents at the desk per hour (Erlang A "
        f"80/20, / (1 - absence)): {hours}; each with the fewest paid hours of its own shift "
        "length that cover it (`cheapest_cover`).\n\n"
    )
    (out / "shift_design.md").write_text(note + table.to_markdown(index=False) + "\n")
    figure(runs, sizing, need).savefig(out / "shift_design.png", dpi=110)
    print(table.to_string(index=False))


def report(runs: dict, sizing: dict, need: np.ndarray) -> pd.DataFrame:
    """KPI table: each design with stress, B - A paired, and the stress part of it."""
    (label_a, label_b) = list(DESIGNS)
    table = pd.DataFrame({"KPI": [k[2] for k in KPIS]})
    for label in DESIGNS:
        k = runs[label][0].kpis.set_index(["scope", "metric"])
        table[label] = [interval_text(k, s, m, sc, f) for s, m, _, sc, f in KPIS]
    d = paired_difference(runs[label_a][0].replications, runs[label_b][0].replications)
    d = d.set_index(["scope", "metric"])
    table["B - A (paired, stress on)"] = [interval_text(d, s, m, sc, f) for s, m, _, sc, f in KPIS]
    d0 = paired_difference(runs[label_a][1].replications, runs[label_b][1].replications)
    d0 = d0.set_index(["scope", "metric"])
    table["B - A (stress off)"] = [
        interval_text(d0, s, m, sc, f) if (s, m) in d0.index else "" for s, m, _, sc, f in KPIS
    ]
    dd = did(runs).set_index(["scope", "metric"])
    table["due to stress (difference in differences)"] = [
        interval_text(dd, s, m, sc, f) if (s, m) in dd.index else "" for s, m, _, sc, f in KPIS
    ]
    extra = pd.DataFrame(
        [[name] + [txt for txt in row] + ["", "", ""] for name, row in sizing_rows(sizing, need)],
        columns=table.columns,
    )
    return pd.concat([extra, table], ignore_index=True)


def sizing_rows(sizing: dict, need: np.ndarray) -> list[tuple[str, list[str]]]:
    """Headcount, paid hours and cover of each design against the one requirement."""
    required = 7 * float(np.sum(need))
    rows = {
        "required agent-hours at the desk per week (both)": lambda c: required,
        "agents employed (headcount)": lambda c: sum(s.count for s in c.agents["care"].shifts),
        "agent-days per week": lambda c: sum(
            s.count * len(s.days) for s in c.agents["care"].shifts
        ),
        "paid hours per week": weekly_hours,
        "FTE (40 h a week)": lambda c: weekly_hours(c) / 40,
        "scheduled hours at the desk per week": lambda c: at_desk(c).sum(),
        "scheduled over required (%)": lambda c: 100 * (at_desk(c).sum() / required - 1),
    }
    return [(name, [f"{fn(sizing[lab]):,.0f}" for lab in DESIGNS]) for name, fn in rows.items()]


def weekly_hours(cfg: Config) -> float:
    """Scheduled hours per week of the design (breaks included, as paid)."""
    return sum(s.count * len(s.days) * (s.end - s.start) / 60 for s in cfg.agents["care"].shifts)


def figure(runs: dict, sizing: dict, need: np.ndarray) -> plt.Figure:
    """Coverage against requirement, stress by hour, and B - A with CIs."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
    hours = np.arange(24)
    axes[0].step(
        hours, need, where="post", color="black", label="required (Erlang A 80/20, / (1 - absence))"
    )
    for label, cfg in sizing.items():
        at = at_desk(cfg)
        paid = weekly_hours(cfg)
        axes[0].step(
            hours,
            at.mean(axis=0),
            where="post",
            label=f"{label[:1]}: scheduled at desk (mean of 7 days; {paid:,.0f} paid h/week)",
        )
    axes[0].set(
        xlabel="hour of day",
        ylabel="agents at the desk",
        title="Same requirement, each design's cheapest cover",
    )
    axes[0].set_ylim(0, 1.5 * max(at_desk(cfg).max() for cfg in sizing.values()))
    axes[0].legend(fontsize=7, loc="upper left")
    for label in DESIGNS:
        s = runs[label][0].stress
        on = s[s.on_shift & (s.t > runs[label][0].config.warmup)]
        by_hour = on.groupby(((on.t - 1) % 1440 // SLOT).astype(int))["stress"].mean()
        axes[1].plot(by_hour.index + 1, by_hour.to_numpy(), marker=".", label=label)
    axes[1].set(xlabel="hour of day (end of interval)", ylabel="mean stress on shift (0-1)")
    axes[1].set_ylim(0, 1)
    axes[1].set_title("Stress through the day")
    axes[1].legend(fontsize=7)
    forest(axes[2], runs)
    fig.tight_layout()
    return fig


def forest(ax: plt.Axes, runs: dict) -> None:
    """B - A as % of A's mean, with paired 95 % CIs, stress on and off."""
    (label_a, label_b) = list(DESIGNS)
    ys = np.arange(len(KPIS))
    for shift, idx, colour, name in ((-0.15, 0, "C3", "stress on"), (0.15, 1, "C0", "stress off")):
        a = runs[label_a][idx]
        d = paired_difference(a.replications, runs[label_b][idx].replications)
        d = d.set_index(["scope", "metric"])
        base = a.kpis.set_index(["scope", "metric"])["mean"]
        for y, (s, m, *_rest) in zip(ys, KPIS, strict=True):
            if (s, m) not in d.index or not base.get((s, m)):
                continue
            r, b = d.loc[(s, m)], abs(base[(s, m)])
            ax.errorbar(
                100 * r["mean"] / b,
                y + shift,
                xerr=[[100 * (r["mean"] - r.ci_low) / b], [100 * (r.ci_high - r["mean"]) / b]],
                fmt="o",
                color=colour,
                capsize=2,
                ms=3,
                label=name if y == 0 else None,
            )
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(ys, [k[2] for k in KPIS], fontsize=7)
    ax.invert_yaxis()
    ax.set(xlabel="B - A, % of A (paired 95 % CI)", title="10 h design against 8 h")
    ax.legend(fontsize=7)


if __name__ == "__main__":
    main()
