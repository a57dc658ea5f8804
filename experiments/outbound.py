"""Proactive outbound (Wind, shared/seeds/001): with and without, on common random numbers.

Runs the ``proactive`` scenario (configs/scenario/proactive.yaml: a day of the default
operator with provisioning and credit reasons) three times on the same seed: without
campaigns, with the notifications only (provisioning steps, fault closed, ADSL spending
alert) and with the whole set (the credit chain too: a reminder that creates calls and
agent collection calls blended into the voice agents' idle time). Replication k meets
the same customers in every variant, so the paired differences (variant - without, 95 %
t intervals over the replications) show the campaigns' effect alone. Writes the results
between the markers of ``docs/outbound.md`` and the figure ``docs/outbound.png``.

Usage: ``./dev python experiments/outbound.py [--replications 20] [--out docs/outbound.md]
[--figure docs/outbound.png]``
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from sim import load_config, run_experiment
from sim.metrics.stats import paired_difference

NOTIFICATIONS = ("provisioning_steps", "fault_closed", "adsl_spending_alert")
VARIANTS = {"without": None, "notifications": NOTIFICATIONS, "all campaigns": ()}
REASONS = ("provisioning", "technical", "billing", "credit")
# (scope, metric, label, scale, format) of the paired-difference table
DIFFS = (
    ("all", "offered", "inbound contacts offered", 1, "{:+,.0f}"),
    *((f"reason:{r}", "offered", f"... {r}", 1, "{:+,.0f}") for r in REASONS),
    ("live", "asa", "live ASA (s)", 60, "{:+.1f}"),
    ("live", "p_abandon", "live abandonment (points of %)", 100, "{:+.2f}"),
    ("group:voice_agents", "occupancy", "voice agents' inbound occupancy (points)", 100, "{:+.2f}"),
    ("cost", "ivr", "IVR cost (EUR)", 1, "{:+,.1f}"),
    ("cost", "self_service", "self-service cost (EUR)", 1, "{:+,.1f}"),
    ("cost", "telephony", "inbound telephony (EUR)", 1, "{:+,.1f}"),
    ("cost", "labour", "labour, overtime included (EUR)", 1, "{:+,.1f}"),
    ("cost", "outbound", "outbound messages and dialing (EUR)", 1, "{:+,.1f}"),
    ("cost", "total", "total cost (EUR)", 1, "{:+,.1f}"),
    ("cost", "per_managed_customer_month", "cost per managed customer-month (EUR)", 1, "{:+.4f}"),
)
OUTBOUND = (
    ("messages", "messages sent (or accounts to call)", 1, "{:,.0f}"),
    ("reached", "reached", 1, "{:,.0f}"),
    ("prevented", "inbound contacts prevented", 1, "{:,.1f}"),
    ("created", "inbound contacts created", 1, "{:,.1f}"),
    ("attempts", "outbound calls (agent dial attempts)", 1, "{:,.1f}"),
    ("contact_rate", "contact rate (right party / attempts, %)", 100, "{:.1f}"),
    ("cost", "outbound cost (EUR)", 1, "{:,.1f}"),
)
START, END = "<!-- results:start -->", "<!-- results:end -->"


def run(variant: tuple[str, ...] | None, replications: int):
    """One variant: ``None`` is without campaigns, ``()`` all of them, else those named."""
    on = "false" if variant is None else "true"
    cfg = load_config("proactive", [f"replications={replications}", f"outbound.enabled={on}"])
    if variant:
        cfg.outbound.campaigns = [k for k in cfg.outbound.campaigns if k.name in variant]
    return run_experiment(cfg, progress=False)


def cell(row: pd.Series, scale: float, fmt: str) -> str:
    """Mean with its 95 % interval in brackets."""
    mean, low, high = (fmt.format(scale * row[c]) for c in ("mean", "ci_low", "ci_high"))
    return f"{mean} [{low}, {high}]"


def diff_table(results: dict) -> tuple[str, dict[str, pd.DataFrame]]:
    """Paired differences of every variant against ``without``, as markdown, and the frames."""
    base = results["without"].replications
    diffs = {
        name: paired_difference(base, r.replications).set_index(["scope", "metric"])
        for name, r in results.items()
        if name != "without"
    }
    means = results["without"].kpis.set_index(["scope", "metric"])
    lines = [
        "| KPI, a day | without (mean) | " + " | ".join(f"{n} - without" for n in diffs) + " |",
        "|---|---:|" + "---:|" * len(diffs),
    ]
    for scope, metric, label, scale, fmt in DIFFS:
        plain = fmt.replace("+", "")
        cells = [cell(d.loc[(scope, metric)], scale, fmt) for d in diffs.values()]
        lines.append(f"| {label} | {plain.format(scale * means.loc[(scope, metric), 'mean'])} | ")
        lines[-1] += " | ".join(cells) + " |"
    return "\n".join(lines), diffs


def outbound_table(results: dict) -> str:
    """The campaigns' own KPIs in each variant that has them (means [95 % CI])."""
    names = [n for n in results if n != "without"]
    lines = ["| outbound KPI, a day | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for metric, label, scale, fmt in OUTBOUND:
        cells = []
        for n in names:
            k = results[n].kpis.set_index(["scope", "metric"])
            row = k.loc[("outbound", metric)]
            cells.append(cell(row, scale, fmt) if row["replications"] else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bars(ax, diffs: dict[str, pd.DataFrame], keys: list[tuple[str, str]], scale: float) -> None:
    """Grouped bars of paired differences with their 95 % intervals, one colour a variant."""
    width = 0.8 / len(diffs)
    for i, (name, d) in enumerate(diffs.items()):
        rows = [d.loc[key] for key in keys]
        mean = [scale * row["mean"] for row in rows]
        low = [scale * (row["mean"] - row.ci_low) for row in rows]
        high = [scale * (row.ci_high - row["mean"]) for row in rows]
        xs = [j + (i - (len(diffs) - 1) / 2) * width for j in range(len(keys))]
        ax.bar(
            xs,
            mean,
            width,
            yerr=[low, high],
            capsize=3,
            label=f"{name} - without",
            color=f"C{i + 1}",
        )
    ax.axhline(0, color="black", lw=0.8)
    ax.legend(fontsize="small")


def figure(results: dict, diffs: dict[str, pd.DataFrame], path: Path) -> None:
    """Paired changes: inbound contacts by reason, cost by part, live ASA."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), gridspec_kw={"width_ratios": [3, 3, 1.6]})
    scopes = ["all", *(f"reason:{r}" for r in REASONS)]
    bars(axes[0], diffs, [(s, "offered") for s in scopes], 1)
    axes[0].set_xticks(range(len(scopes)), ["all", *REASONS])
    axes[0].set(
        title="Paired change in inbound contacts offered",
        xlabel="contact reason",
        ylabel="contacts a day",
    )
    parts = ("ivr", "self_service", "telephony", "labour", "outbound", "total")
    bars(axes[1], diffs, [("cost", p) for p in parts], 1)
    axes[1].set_xticks(range(len(parts)), [p.replace("_", "-") for p in parts])
    axes[1].set(title="Paired change in cost", xlabel="cost part", ylabel="EUR a day")
    bars(axes[2], diffs, [("live", "asa")], 60)
    axes[2].set_xticks([0], ["live channels (voice, chat)"])
    axes[2].set(title="Paired change in ASA", xlabel="", ylabel="seconds")
    n = results["without"].config.replications
    fig.suptitle(
        f"Proactive outbound on one weekday of a 500k-customer operator: means and 95 % "
        f"intervals of the paired differences, {n} replications, common random numbers"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(out: Path, body: str) -> None:
    """Put ``body`` between the results markers of ``out``."""
    text = out.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        sys.exit(f"{out} has no {START} ... {END} markers")
    out.write_text(pattern.sub(lambda _m: f"{START}\n{body}\n{END}", text))


def main(argv: list[str] | None = None) -> None:
    """Run the three variants, write the tables into ``--out`` and draw ``--figure``."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=20)
    p.add_argument("--out", type=Path, default=Path("docs/outbound.md"))
    p.add_argument("--figure", type=Path, default=Path("docs/outbound.png"))
    args = p.parse_args(argv)
    results = {name: run(v, args.replications) for name, v in VARIANTS.items()}
    table, diffs = diff_table(results)
    figure(results, diffs, args.figure)
    command = "./dev python experiments/outbound.py" + (
        f" --replications {args.replications}" if args.replications != 20 else ""
    )
    body = (
        f"Made by `{command}` ({args.replications} replications of one weekday, seed "
        f"{results['without'].config.seed}; means with 95 % t intervals).\n\n"
        f"{table}\n\n{outbound_table(results)}\n\n![Proactive outbound]({args.figure.name})"
    )
    write(args.out, body)
    print(body)


if __name__ == "__main__":
    main()
