"""Staffing optimizer: fewest agents per half hour for 80/20 and <= 5 % abandonment.

Starts from Erlang A per interval (SIPP), searches by simulation on common
random numbers (:mod:`sim.study.optimize`), then validates the optimized table and
both Erlang tables with a new seed. Writes ``report.html`` (self-contained),
``staffing.csv`` and ``validation.csv`` under
``results/experiments/staffing_optimizer/`` and, with ``--docs``, the figure
and table into ``docs/``.

Usage: ``./dev python experiments/staffing_optimizer.py [--scenario staffing_day]
[--validation-seed 9001] [--docs]``
"""

from __future__ import annotations

import argparse
import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim import load_config
from sim.report.html import STYLE, img
from sim.study.optimize import Search, Targets, optimize, validate


def staffing_figure(search: Search, checks: dict[str, pd.DataFrame], targets: Targets):
    """Agents per interval for the three tables, and their service level on new seeds."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    hours = checks["optimized"].t_start.to_numpy() / 60
    for name, table in (("Erlang C", search.erlang_c), ("Erlang A", search.erlang_a)):
        top.step(hours, table, where="post", lw=1, label=f"{name} ({table.sum()})")
    top.step(
        hours,
        search.staff,
        where="post",
        lw=2,
        color="black",
        label=f"optimized ({search.staff.sum()})",
    )
    top.set(ylabel="agents", title="Agents per half hour (total agent-half-hours)")
    top.legend(fontsize=8)
    for name, v in checks.items():
        bottom.plot(hours + 0.25, 100 * v.service_level, marker=".", lw=1, label=name)
    v = checks["optimized"]
    bottom.fill_between(hours + 0.25, 100 * v.sl_low, 100 * v.sl_high, color="black", alpha=0.15)
    bottom.axhline(100 * targets.service_level, ls=":", color="grey")
    bottom.set(xlabel="hour", ylabel="service level (%)", title="Validation with a new seed")
    bottom.set_ylim(bottom=50)
    bottom.legend(fontsize=8)
    fig.tight_layout()
    return fig


def summary(search: Search, checks: dict[str, pd.DataFrame], cfg) -> pd.DataFrame:
    """One row per table: agent-hours, daily SL and abandonment, failing intervals."""
    tables = {"Erlang C": search.erlang_c, "Erlang A": search.erlang_a, "optimized": search.staff}
    rows = []
    for name, table in tables.items():
        v = checks[name]
        w = v.arrival_rate.to_numpy()
        rows.append(
            {
                "table": name,
                "agent-hours": table.sum() * cfg.interval / 60,
                "vs optimized": f"{100 * (table.sum() / search.staff.sum() - 1):+.1f} %",
                "daily SL (%)": 100 * np.nansum(v.service_level * w) / w.sum(),
                "daily abandoned (%)": 100 * np.nansum(v.p_abandon * w) / w.sum(),
                "intervals below target (mean)": int((v.service_level < 0.8 - 1e-12).sum()),
                "intervals failing (CI)": int(v.fails.sum()),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    """Optimize, validate, write the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="staffing_day")
    parser.add_argument("--validation-seed", type=int, default=9001)
    parser.add_argument("--out", default="results/experiments/staffing_optimizer")
    parser.add_argument("--docs", action="store_true")
    args = parser.parse_args()
    cfg = load_config(args.scenario, ["progress=false"])
    q = next(iter(cfg.queues.values()))
    targets = Targets(q.sl_target, q.sl_threshold, float(cfg.params.get("max_abandon", 1.0)))
    search = optimize(cfg, targets)
    checks = {
        name: validate(cfg, table, targets, args.validation_seed)
        for name, table in (
            ("Erlang C", search.erlang_c),
            ("Erlang A", search.erlang_a),
            ("optimized", search.staff),
        )
    }
    table = summary(search, checks, cfg)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    staffing = checks["optimized"].assign(erlang_a=search.erlang_a, erlang_c=search.erlang_c)
    staffing.to_csv(out / "staffing.csv", index=False)
    pd.concat([v.assign(table=k) for k, v in checks.items()]).to_csv(
        out / "validation.csv", index=False
    )
    fig = staffing_figure(search, checks, targets)
    page = report_html(cfg, targets, search, table, staffing, fig)
    (out / "report.html").write_text(page, encoding="utf-8")
    if args.docs:
        fig = staffing_figure(search, checks, targets)
        fig.savefig("docs/staffing_optimizer.png", dpi=110)
        Path("docs/staffing_optimizer.md").write_text(
            table.to_markdown(index=False, floatfmt=".2f") + "\n"
        )
    print(table.to_string(index=False))
    print(f"{search.runs} simulations; report: {out / 'report.html'}")


def report_html(cfg, targets: Targets, search: Search, table, staffing, fig) -> str:
    """The optimizer's self-contained page."""
    cols = [
        "t_start",
        "arrival_rate",
        "erlang_c",
        "erlang_a",
        "agents",
        "service_level",
        "p_abandon",
        "fails",
    ]
    per = staffing[cols].rename(columns={"agents": "optimized"})
    per["t_start"] = [f"{int(t) // 60:02d}:{int(t) % 60:02d}" for t in per.t_start]
    body = [
        "<h1>Staffing optimizer</h1>",
        f"<p>{html.escape(cfg.description)}. Target: {100 * targets.service_level:.0f} % answered "
        f"within {60 * targets.threshold:.0f} s and at most {100 * targets.max_abandon:.0f} % "
        f"abandoned, in every half hour. Search: {search.runs} simulations of "
        f"{cfg.replications} replications on common random numbers, from Erlang A per "
        "interval; validation: every table again with a new seed (an interval fails when "
        "its Bonferroni-corrected 95 % interval lies wholly on the wrong side).</p>",
        table.to_html(index=False, float_format="%.2f"),
        img(fig, "staffing and validation"),
        "<h2>Per interval (validation run)</h2>",
        per.to_html(index=False, float_format="%.3f"),
    ]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Staffing optimizer'
        f"</title><style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )


if __name__ == "__main__":
    main()
