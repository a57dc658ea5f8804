"""Screenshots of a run's figures for the docs: ``docs/figures_*.png``.

The default scenario (a weekday: voice with IVR, chat with chatbot, e-mail,
social) with records kept gives the queue-length, service-level, wait and
per-channel interval figures and the journey of an issue with a repeat and a
transfer; two days of the ``shift_design`` line (shifts with breaks,
absences) give the agent-day Gantt; 75 days of the default centre from Tuesday
1 December 2026 (3 replications, aggregates per day) give the day-by-day figure
with its weeks and calendar months.

Usage: ``./dev python experiments/figures.py [--replications 10] [--out docs]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib.pyplot as plt

import sim
from sim import load_config, run_experiment
from sim.report.gantt import agent_day, plot_agent_day
from sim.report.journey import plot_journey
from sim.report.plots import run_figures


def issue_with_repeat_and_transfer(results: sim.Results, replication: int = 0) -> int:
    """The first issue of ``replication`` with two contacts or more and a transfer."""
    c = results.contacts[results.contacts.replication == replication]
    g = c.groupby("issue_id").agg(contacts=("contact_id", "nunique"), legs=("leg", "max"))
    return int(g[(g.contacts >= 2) & (g.legs >= 1)].index[0])


def main() -> None:
    """Run the two scenarios and write the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--out", default="docs")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    over = [f"replications={args.replications}", "keep_records=true", "progress=false"]
    day = run_experiment(load_config("default", over))
    figures = run_figures(day)
    figures.pop("agent_day.png")  # the shift-design line shows breaks and absences
    issue = issue_with_repeat_and_transfer(day)
    figures["journey.png"] = plot_journey(sim.journey(day, issue))
    two_days = ["replications=1", "horizon=2880", "warmup=0", "keep_records=true"]
    lines = run_experiment(load_config("shift_design", [*two_days, "progress=false"]))
    figures["agent_day.png"] = plot_agent_day(
        agent_day(lines, 0, day=1),
        "Agent day (shift_design, 5 x 8 h, day 1, replication 0): busy, idle, on break, absent",
    )
    dated = ["replications=3", "horizon=75d", "start_date=2026-12-01", "keep_records=false"]
    months = run_experiment(load_config("default", [*dated, "intervals=false", "progress=false"]))
    figures["days.png"] = run_figures(months)["days.png"]
    for name, fig in figures.items():
        path = out / f"figures_{name}"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        print(path)


if __name__ == "__main__":
    main()
