"""Customer-care life phases (shared/seeds/001, Wind 2010): launch, consolidation, maturity.

Runs every month of ``configs/scenario/life_phases.yaml`` (a representative day per
month, the month's customer base, head counts and policies, the same random numbers
every month: :mod:`sim.study.phases`) and writes

- ``docs/life_phases.csv``: one row per month (base, head count, every metric with its
  95 % confidence interval over the replications);
- ``docs/life_phases.png``: cost per managed customer, FCR, contacts per customer and
  churn month by month, the phases shaded;
- ``docs/life_phases.md``: the page, with the per-phase table and the paired
  differences against the launch.

Usage: ``./dev python experiments/life_phases.py [--replications 5] [--out docs]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from tqdm.auto import tqdm

from sim import load_config
from sim.metrics.stats import summarise_replications
from sim.study.phases import METRICS, PhaseRun, metric_bounds, run_phases

SCENARIO = "life_phases"
# (metric, scale, format) of the tables
ROWS = [
    ("cost_per_customer_month", 1, "{:.3f}"),
    ("fcr", 100, "{:.1f} %"),
    ("contacts_per_customer_month", 1, "{:.3f}"),
    ("churn_month", 100, "{:.2f} %"),
    ("churn_issues_month", 100, "{:.2f} %"),
    ("satisfaction", 1, "{:.2f}"),
    ("voice_service_level", 100, "{:.1f} %"),
]
PANELS = [
    ("cost_per_customer_month", 1, "EUR per customer-month", "Cost per managed customer"),
    ("fcr", 100, "% of issues", "First-contact resolution (true)"),
    ("contacts_per_customer_month", 1, "contacts per customer-month", "Contacts per customer"),
    ("churn_month", 100, "% of the base per month", "Churn (all causes)"),
]
COLOURS = {"launch": "#f4cccc", "consolidation": "#fff2cc", "maturity": "#d9ead3"}


def cell(mean: float, low: float, high: float, scale: float, fmt: str) -> str:
    """``mean [low, high]`` scaled and formatted."""
    return f"{fmt.format(mean * scale)} [{fmt.format(low * scale)}, {fmt.format(high * scale)}]"


def phase_table(run: PhaseRun, phases: list[str]) -> pd.DataFrame:
    """Per phase, the mean of its months with a 95 % CI over the replications."""
    table = pd.DataFrame({"metric": [METRICS[m] for m, _, _ in ROWS]})
    for phase in phases:
        s = summarise_replications(run.phase_replications(phase), bounds=metric_bounds).set_index(
            "metric"
        )
        table[phase] = [cell(*s.loc[m, ["mean", "ci_low", "ci_high"]], sc, f) for m, sc, f in ROWS]
    for phase in phases[1:]:
        d = run.difference(phases[0], phase)
        table[f"{phase} - {phases[0]} (paired)"] = [
            cell(*d.loc[m, ["mean", "ci_low", "ci_high"]], sc, f) for m, sc, f in ROWS
        ]
    return table


def shade(ax: plt.Axes, months: pd.DataFrame) -> None:
    """Shade each phase's months and name the phase at the top."""
    for phase, grp in months.groupby("phase", sort=False):
        lo, hi = grp.month.min() - 0.5, grp.month.max() + 0.5
        ax.axvspan(lo, hi, color=COLOURS.get(phase, "#eeeeee"), alpha=0.6, lw=0)
        ax.text(
            (lo + hi) / 2,
            0.97,
            phase,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=8,
        )


def figure(run: PhaseRun) -> plt.Figure:
    """Four metrics month by month with 95 % CI bands, and the base and head count."""
    m = run.months
    fig, axes = plt.subplots(2, 3, figsize=(14, 7))
    flat = axes.ravel()
    for ax, (metric, scale, unit, title) in zip(flat, PANELS, strict=False):
        shade(ax, m)
        ax.plot(m.month, scale * m[metric], "o-", ms=3, color="C0")
        ax.fill_between(
            m.month,
            scale * m[f"{metric}_low"],
            scale * m[f"{metric}_high"],
            color="C0",
            alpha=0.25,
            lw=0,
            label="95 % CI",
        )
        ax.set(title=title, ylabel=unit)
    flat[3].plot(
        m.month,
        100 * m.churn_issues_month,
        "s--",
        ms=3,
        color="C3",
        label="after issues (the service's part)",
    )
    flat[3].legend(fontsize=7, loc="center right")
    ax = flat[4]
    shade(ax, m)
    ax.plot(m.month, m.customers / 1000, "o-", ms=3, color="C2", label="customers at the start")
    ax.plot(m.month, m.sized_for / 1000, "x:", ms=4, color="C7", label="base staffed for")
    ax.set(title="Customer base", ylabel="thousand customers")
    ax.legend(fontsize=7, loc="lower right")
    ax = flat[5]
    shade(ax, m)
    ax.plot(m.month, m.agents, "o-", ms=3, color="C4")
    ax.set(title="Agents (all groups, in-house and vendors)", ylabel="agents")
    for ax in flat:
        ax.set_xlabel("month since launch")
        ax.grid(alpha=0.3)
    fig.suptitle(
        "Customer-care life phases (seed 001): one representative day per month, "
        "common random numbers"
    )
    fig.tight_layout()
    return fig


def page(run: PhaseRun, table: pd.DataFrame, replications: int, command: str) -> str:
    """The markdown page docs/life_phases.md."""
    m = run.months
    first, last = m.iloc[0], m.iloc[-1]
    return f"""# Customer-care life phases: launch, consolidation, maturity

Generated by `{command}` ({len(m)} months, {replications} replications of a day per month;
{first.customers:,} customers at launch, {last.customers:,} at the start of the last month).

Seed 001 (Wind, "Le fasi di sviluppo di un Customer Care", 2010) describes three phases:
a **launch** without historical data, with fast gross adds, a high frequency of calls, high
churn and little attention to cost efficiency and FCR; a **consolidation** with attention to
cost (sophisticated management of outsourcers, off-shoring); a **maturity** where cost
efficiency is measured as the *cost per managed customer* but customer satisfaction is the
driver (CRM structures, automated systems). `configs/scenario/life_phases.yaml` turns them
into months of the `outsourcing_mix` operator: each phase has its gross adds per month, a
factor on the contacts per customer, whether staffing can be forecast (without history
the head counts are sized on the previous month's base), and its overrides (background
churn, in-house resolution, the share of consumer voice agents outsourced and offshore,
self-service). The numbers per phase are ours: the seed gives none and no published
per-phase figures were found (`shared/CALIBRATION.md`); the file cites what they lean on.

Every month is one representative weekday (`sim.study.phases`): its customer base (the
previous month's plus the gross adds minus the customers lost, as simulated), head counts
sized to the workload, and the same seed, so that months are compared on common random
numbers (paired differences, replication by replication). Cost per managed customer-month
is the day's service cost x 30 / customers; contacts per customer-month and churn per month
are the day's x 30 / customers; churn is the background rate of the phase plus the churn
after issues (the part the service causes).

![life phases](life_phases.png)

Per phase, the mean of its months (95 % CI over replications; differences paired):

{table.to_markdown(index=False)}

Month by month: `docs/life_phases.csv`.

What is not modelled: the other days of a month (one day stands for it), issues carried
from one month into the next, hiring and training for a growing base, customers by tenure
(new customers' extra calls are the phase's contact factor, not a cohort model). Part of
the launch's higher cost per managed customer is scale, not policy: its base is small, so
its agent groups are small (rounded up, `ceil`) and pool less; the table does not separate
that part from the phase's policies. Differences of shares (FCR, churn, service level) are
in percentage points.
"""


def main() -> None:
    """Run the phases; write the CSV, the figure and the page."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=None)
    parser.add_argument("--out", default="docs")
    args = parser.parse_args()
    overrides = [] if args.replications is None else [f"replications={args.replications}"]
    template = load_config(SCENARIO, overrides)
    months = sum(p.months for p in template.phases.sequence)
    bar = tqdm(total=months, desc="life phases", disable=None)
    run = run_phases(SCENARIO, overrides, on_month=lambda _: bar.update())
    bar.close()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    run.months.to_csv(out / "life_phases.csv", index=False, float_format="%.6g")
    figure(run).savefig(out / "life_phases.png", dpi=110)
    phases = [p.name for p in template.phases.sequence]
    table = phase_table(run, phases)
    command = "./dev python experiments/life_phases.py " + " ".join(sys.argv[1:])
    (out / "life_phases.md").write_text(page(run, table, template.replications, command.strip()))
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
