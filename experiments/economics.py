"""Executive comparison: outsourcing mix and PosteMobile, cost vs quality, with CIs.

Runs ``outsourcing_mix`` with 100 %, 50 % and 0 % of the consumer voice agents
in-house (common random numbers: same customers in every option) and the
``postemobile`` day, and writes a table of cost per managed customer, FCR,
satisfaction and churn (means with 95 % CIs, and paired differences against
the all-in-house option) plus a cost/quality trade-off figure.

Usage: ``./dev python experiments/economics.py [--replications 10] [--out docs]``
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
from sim.metrics.stats import paired_difference
from sim.report.text import interval_text

KPIS = [
    (
        "cost",
        "per_managed_customer_month",
        "cost per managed customer per month (EUR)",
        1,
        "{:.3f}",
    ),
    ("cost", "total", "service cost in the day (EUR)", 1, "{:,.0f}"),
    ("all", "fcr", "FCR (true, %)", 100, "{:.1f}"),
    ("all", "fcr_measured", "FCR as measured (no repeat in 7 days, %)", 100, "{:.1f}"),
    ("all", "satisfaction", "satisfaction (0-10)", 1, "{:.2f}"),
    ("all", "churn_rate", "extra churn per issue (%)", 100, "{:.2f}"),
    ("churn", "revenue_lost_year", "a year of revenue of the customers lost (EUR)", 1, "{:,.0f}"),
    ("channel:voice", "service_level", "voice service level (%)", 100, "{:.1f}"),
]
OPTIONS = {
    "in-house 100 %": ("outsourcing_mix", ["params.inhouse_share=1.0"]),
    "in-house 50 %": ("outsourcing_mix", ["params.inhouse_share=0.5"]),
    "in-house 0 %": ("outsourcing_mix", ["params.inhouse_share=0.0"]),
    "PosteMobile day": ("postemobile", []),
}


def main() -> None:
    """Run the options; write the table and the figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--out", default="docs")
    args = parser.parse_args()
    runs = {}
    for label, (scenario, overrides) in tqdm(OPTIONS.items(), desc="economics", disable=None):
        cfg = load_config(
            scenario, [*overrides, f"replications={args.replications}", "keep_records=false"]
        )
        runs[label] = run_experiment(cfg, progress=False)
    table = pd.DataFrame({"KPI": [k[2] for k in KPIS]})
    for label, res in runs.items():
        k = res.kpis.set_index(["scope", "metric"])
        table[label] = [interval_text(k, s, m, sc, f) for s, m, _, sc, f in KPIS]
    base = runs["in-house 100 %"].replications
    for label in ("in-house 50 %", "in-house 0 %"):
        d = paired_difference(base, runs[label].replications).set_index(["scope", "metric"])
        table[f"{label} - in-house 100 % (paired)"] = [
            interval_text(d, s, m, sc, f) for s, m, _, sc, f in KPIS
        ]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "economics.md").write_text(table.to_markdown(index=False) + "\n")
    figure(runs).savefig(out / "economics.png", dpi=110)
    print(table.to_string(index=False))


def figure(runs: dict) -> plt.Figure:
    """Cost per managed customer against FCR and against satisfaction."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for label, res in runs.items():
        k = res.kpis.set_index(["scope", "metric"])
        x = k.loc[("cost", "per_managed_customer_month")]
        for ax, metric, scale in ((axes[0], "fcr", 100), (axes[1], "satisfaction", 1)):
            y = k.loc[("all", metric)]
            ax.errorbar(
                x["mean"],
                scale * y["mean"],
                xerr=[[x["mean"] - x.ci_low], [x.ci_high - x["mean"]]],
                yerr=[[scale * (y["mean"] - y.ci_low)], [scale * (y.ci_high - y["mean"])]],
                fmt="o",
                capsize=3,
                label=label,
            )
    axes[0].set(xlabel="cost per managed customer per month (EUR)", ylabel="FCR (%)")
    axes[1].set(xlabel="cost per managed customer per month (EUR)", ylabel="satisfaction (0-10)")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Cost against quality (95 % CIs)")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    main()
