"""Figure: a few cross-trained agents recover most of the benefit of pooling.

Runs the ``pooling`` scenario (two queues of 9 calls/min, 2 x 10 agents) with
0..10 agents per team cross-trained, on common random numbers, and plots the
mean wait and service level with 95 % confidence intervals between the two
exact limits: two separate M/M/10 queues and one M/M/20 (Erlang C). With every
agent cross-trained but serving its own queue first, the mean wait equals the
M/M/20's (work conservation) while the service level does not (the order of
service changes the wait distribution); FCFS across queues gives the M/M/20.

Usage: ``./dev python experiments/pooling.py [--replications 10] [--out docs/pooling.png]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from tqdm.auto import tqdm

from sim import analytic, load_config, run_experiment


def sweep(replications: int) -> pd.DataFrame:
    """Mean and CI of mean wait (s) and service level for each number of flexible agents.

    The extra rows ``policy = fcfs`` run the fully cross-trained case with FCFS
    across queues (``routing=oldest_first``): that is exactly an M/M/20.
    """
    rows = []
    runs = [(k, "own_first", []) for k in range(11)] + [(10, "fcfs", ["routing=oldest_first"])]
    for k, policy, extra in tqdm(runs, desc="pooling", unit="scenario", disable=None):
        overrides = [
            f"params.flexible={k}",
            f"replications={replications}",
            "keep_records=false",
            *extra,
        ]
        kpis = run_experiment(load_config("pooling", overrides), progress=False).kpis.set_index(
            ["scope", "metric"]
        )
        for metric in ("mean_wait", "service_level"):
            r = kpis.loc[("all", metric)]
            rows.append((k, policy, metric, r["mean"], r["ci_low"], r["ci_high"]))
    return pd.DataFrame(rows, columns=["flexible", "policy", "metric", "mean", "low", "high"])


def figure(data: pd.DataFrame) -> plt.Figure:
    """Two panels: mean wait and service level against flexible agents per team."""
    separate, pooled = analytic.mmc(9.0, 1.0, 10, 1 / 3), analytic.mmc(18.0, 1.0, 20, 1 / 3)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, metric, scale, label in (
        (axes[0], "mean_wait", 60, "mean wait (s)"),
        (axes[1], "service_level", 100, "answered within 20 s (%)"),
    ):
        for policy, style, name in (
            ("own_first", "o-", "own queue first"),
            ("fcfs", "s", "all flexible, FCFS"),
        ):
            d = data[(data.metric == metric) & (data.policy == policy)]
            err = [scale * (d["mean"] - d["low"]), scale * (d["high"] - d["mean"])]
            ax.errorbar(
                d.flexible,
                scale * d["mean"],
                yerr=err,
                fmt=style,
                capsize=3,
                label=f"simulated, {name} (95 % CI)",
            )
        ax.axhline(
            scale * getattr(separate, metric),
            ls="--",
            color="C3",
            label="two separate M/M/10 (exact)",
        )
        ax.axhline(
            scale * getattr(pooled, metric), ls=":", color="C2", label="one M/M/20, FCFS (exact)"
        )
        ax.set(xlabel="cross-trained agents per team (of 10)", ylabel=label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(
        "Pooling: 2 queues x 9 calls/min, 2 x 10 agents; cross-trained agents serve own queue first"
    )
    fig.tight_layout()
    return fig


def main() -> None:
    """Run the sweep and save the figure and the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--out", default="docs/pooling.png")
    args = parser.parse_args()
    data = sweep(args.replications)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure(data).savefig(out, dpi=110)
    data.to_csv(out.with_suffix(".csv"), index=False)
    print(data.to_string(index=False))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
