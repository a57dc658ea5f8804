"""Figure: simulated service level and mean wait vs exact Erlang C and Erlang A.

For 45 calls per minute and 1-minute mean handle time, sweeps the number of
agents and plots the simulation (mean and 95 % CI over replications) on the
exact curves, with and without abandonment (exponential patience, mean 2 min).

Usage: ``./dev python experiments/validation_figure.py [--out docs/validation.png]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from tqdm.auto import tqdm

from sim import analytic, load_config, run_experiment

LAM, MEAN, T = 45.0, 1.0, 1 / 3


def simulate(servers: int, patience: float | None) -> dict[str, tuple[float, float, float]]:
    """Mean and CI of service level and mean wait (seconds) for one staffing level."""
    overrides = [f"servers={servers}", "replications=10", "horizon=1440", "warmup=120"]
    if patience is not None:
        overrides.append(f"mean_patience={patience}")
    k = run_experiment(load_config("mmc", overrides), progress=False).kpis
    k = k[k.scope == "all"].set_index("metric")
    return {
        m: tuple(k.loc[m, ["mean", "ci_low", "ci_high"]]) for m in ("service_level", "mean_wait")
    }


def theory(servers: int, patience: float | None) -> analytic.QueueTheory:
    """Exact Erlang C or Erlang A values."""
    if patience is None:
        return analytic.mmc(LAM, MEAN, servers, T)
    return analytic.erlang_a(LAM, MEAN, servers, patience, T)


def main() -> None:
    """Run the sweep and save the figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/validation.png")
    args = parser.parse_args()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for patience, color, label in (
        (None, "C0", "Erlang C"),
        (2.0, "C1", "Erlang A, patience 2 min"),
    ):
        cs = list(range(46, 57)) if patience is None else list(range(40, 57, 2))
        sims = [simulate(c, patience) for c in tqdm(cs, desc=label, unit="staffing", disable=None)]
        fine = range(cs[0], cs[-1] + 1)
        exact = [theory(c, patience) for c in fine]
        for ax, metric, scale, attr in (
            (axes[0], "service_level", 100, "service_level"),
            (axes[1], "mean_wait", 60, "mean_wait"),
        ):
            ax.plot(
                list(fine),
                [scale * getattr(t, attr) for t in exact],
                color=color,
                label=f"{label}: exact",
            )
            mean = [scale * s[metric][0] for s in sims]
            err = [
                [scale * (s[metric][0] - s[metric][1]) for s in sims],
                [scale * (s[metric][2] - s[metric][0]) for s in sims],
            ]
            ax.errorbar(
                cs,
                mean,
                yerr=err,
                fmt="o",
                color=color,
                ms=4,
                capsize=3,
                label=f"{label}: simulated (95 % CI)",
            )
    axes[0].set(
        xlabel="agents",
        ylabel="service level, % answered within 20 s",
        title="Service level",
        ylim=(0, 101),
    )
    axes[1].set(
        xlabel="agents", ylabel="mean wait (s)", yscale="log", title="Mean wait (admitted contacts)"
    )
    for ax in axes:
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle("45 calls/min, 1 min mean handle time: simulation vs exact theory")
    fig.tight_layout()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
