"""MasterPRO before and after (shared/seeds/004): the automation-only trap and the recovery.

Runs the two named scenarios and shows, day by day, the customers waiting in
written channels and the cumulated contacts that ended unserved (gave up, stopped
waiting, still waiting), with a KPI table side by side; the table also counts
unsatisfied customers (issues not resolved: a customer who comes back counts once).

Usage: ``./dev python experiments/masterpro.py [--replications 10] [--out docs]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from tqdm.auto import tqdm

from sim import load_config, run_experiment

ROWS = {
    "offered": ("contacts (all channels)", "{:,.0f}"),
    "arrival_rate": ("contacts per day", "{:.1f}"),
    "p_self_served": ("resolved by automation", "{:.1%}"),
    "p_switch": ("failed and switched channel", "{:.1%}"),
    "p_give_up": ("failed and gave up", "{:.1%}"),
    "contacts_per_issue": ("contacts per issue", "{:.2f}"),
    "frustration": ("frustration points per issue", "{:.2f}"),
    "service_level": ("answered within target (queued)", "{:.1%}"),
    "asa": ("mean wait for an answer (days)", "{:.2f}"),
    "p_abandon": ("stopped waiting (queued)", "{:.1%}"),
    "unresolved": ("contacts ended unserved", "{:,.0f}"),
    "issues_unresolved": ("unsatisfied customers (issues not resolved)", "{:,.0f}"),
}


def run(scenario: str, replications: int):
    """Results of one scenario."""
    return run_experiment(load_config(scenario, [f"replications={replications}"]), progress=False)


def kpi_table(results: dict) -> pd.DataFrame:
    """Side-by-side KPI table (means, 95 % CI half-widths in brackets)."""
    rows = []
    for metric, (label, fmt) in ROWS.items():
        cells = [label]
        for res in results.values():
            k = res.kpis[(res.kpis.scope == "all") & (res.kpis.metric == metric)].iloc[0]
            scale = {"arrival_rate": 1440, "asa": 1 / 1440}.get(metric, 1)
            half = (k.ci_high - k.ci_low) / 2 * scale
            cells.append(f"{fmt.format(k['mean'] * scale)} (± {fmt.format(half)})")
        rows.append(cells)
    return pd.DataFrame(rows, columns=["KPI", *results])


def daily(res, column: str, scope: str = "all") -> pd.Series:
    """Mean over replications of a per-day interval column."""
    iv = res.intervals[res.intervals.scope == scope]
    return iv.groupby("t_start")[column].mean().rename(lambda t: t / 1440)


def new_unresolved(res) -> pd.Series:
    """Unsatisfied customers by day of arrival, leaving out an inherited backlog."""
    total = daily(res, "unresolved")
    if "queue:recovery" in set(res.intervals.scope):
        total = total - daily(res, "unresolved", "queue:recovery")
    return total


def recovery(res) -> dict[str, float]:
    """Inherited backlog: served, lost for good, days until cleared (replication means)."""
    iv = res.intervals[res.intervals.scope == "queue:recovery"]
    per_rep = iv.groupby("replication").agg(served=("served", "sum"), lost=("abandoned", "sum"))
    waiting = iv.pivot(index="t_start", columns="replication", values="backlog")
    cleared = (waiting <= 0).idxmax() / 1440 + 1
    return {"served": per_rep.served.mean(), "lost": per_rep.lost.mean(), "days": cleared.mean()}


def figure(results: dict) -> plt.Figure:
    """Backlog and cumulated unserved contacts by day, before vs after."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    for name, res in results.items():
        daily(res, "backlog").plot(ax=axes[0], label=name)
        new_unresolved(res).cumsum().plot(ax=axes[1], label=name)
    axes[0].set(
        xlabel="day", ylabel="customers waiting at day end", title="Backlog of written contacts"
    )
    axes[1].set(
        xlabel="day of arrival",
        ylabel="cumulated",
        title="Contacts ended unserved, by day of arrival",
    )
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(
        "MasterPRO: automation-only phone line (before) vs multichannel with people (after)"
    )
    fig.tight_layout()
    return fig


def main() -> None:
    """Run both scenarios, save the figure and the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--out", default="docs")
    args = parser.parse_args()
    scenarios = ("masterpro_before", "masterpro_after")
    results = {
        s: run(s, args.replications) for s in tqdm(scenarios, desc="masterpro", disable=None)
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    figure(results).savefig(out / "masterpro.png", dpi=110)
    table = kpi_table(results)
    rec = recovery(results["masterpro_after"])
    note = (
        f"Inherited backlog (after): {rec['served']:.0f} served, {rec['lost']:.0f} lost for good, "
        f"cleared in {rec['days']:.1f} days (means of {args.replications} replications)."
    )
    (out / "masterpro.md").write_text(table.to_markdown(index=False) + "\n\n" + note + "\n")
    print(table.to_string(index=False))
    print(note)
    print(f"saved {out / 'masterpro.png'} and {out / 'masterpro.md'}")


if __name__ == "__main__":
    main()
