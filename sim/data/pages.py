"""What calibrate and backtest write: tables, figures and a self-contained HTML report.

Both write into a folder of their own under ``results/`` through
:class:`sim.study.folders.Claim` (staging, then a manifest written last), so
an interrupted command leaves nothing that looks finished and never touches
files it did not write.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.data import estimate
from sim.data.backtest import RATES, Backtest
from sim.data.calibrate import Calibration
from sim.report.html import STYLE, img
from sim.study.folders import Claim

LABELS = {
    "p_abandon": ("abandonment", 100, "%"),
    "asa": ("ASA", 60, "s"),
    "service_level": ("service level (20 s)", 100, "%"),
    "p_wait": ("P(wait > 0)", 100, "%"),
    "occupancy": ("occupancy", 100, "%"),
    "offered": ("offered per interval", 1, "contacts"),
}
COLORS = {"log": "black", "simulation": "tab:blue", "Erlang A": "tab:orange"}


def _hours(t: pd.Series) -> np.ndarray:
    return (np.asarray(t, float) + 15.0) / 60.0


def staffing_figure(cal: Calibration) -> plt.Figure:
    """Agents seen, busy, and the effective staffing per interval of the typical day."""
    t = cal.typical.sort_values("t_start")
    days = cal.staffing[cal.staffing.day.isin(cal.days)].groupby("t_start").busy.mean()
    fig, ax = plt.subplots(figsize=(9, 4))
    x = (t.t_start + cal.interval / 2) / 60
    ax.step(
        x,
        t.agents_seen,
        where="mid",
        color="grey",
        label="agents seen serving (the naive estimate)",
    )
    ax.plot(x, t.effective, color="tab:blue", label="effective: busy while callers waited")
    ax.fill_between(
        x, t.ci_low, t.ci_high, color="tab:blue", alpha=0.2, label="95 % interval over days"
    )
    ax.plot(
        x, days.reindex(t.t_start).to_numpy(), color="tab:green", ls="--", label="mean agents busy"
    )
    ax.set(
        xlabel="time of day (h)",
        ylabel="agents",
        xlim=(0, 24),
        title=f"Staffing reconstructed from the log: a typical {cal.day_type} "
        f"({len(cal.days)} days)",
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _table(frame: pd.DataFrame, digits: int = 4) -> str:
    return frame.round(digits).to_html(index=False, border=0, na_rep="")


def calibration_page(cal: Calibration, scenario: Path) -> str:
    """The calibration report."""
    own = cal.log.contacts[cal.log.contacts.day.isin(cal.days)]
    cells, fit = cal.abandonment
    parts = [
        f"<h1>Calibration: {html.escape(cal.name)}</h1>",
        f"<p>From <code>{html.escape(str(cal.log.source))}</code>; scenario written to "
        f"<code>{html.escape(str(scenario))}</code>. Day type <b>{cal.day_type}</b> "
        f"({', '.join(d.strftime('%Y-%m-%d') for d in cal.days)}). {cal.created}.</p>",
        "<h2>What was read</h2>",
        f"<pre>{html.escape(cal.log.summary())}</pre>",
        "<h2>Arrivals</h2>",
        img(estimate.arrival_figure(cal.rates), "arrival rates"),
        _table(cal.dispersion),
        "<h2>Handle time</h2>",
        img(estimate.service_figure(own, cal.service), "handle time fit"),
        _table(cal.service),
        _table(cal.service_hours),
        "<h2>Patience</h2>",
        img(estimate.patience_figure(cal.km, cal.patience), "Kaplan-Meier"),
        f"<pre>{html.escape(json.dumps(cal.patience, default=str, indent=1))}</pre>",
        img(estimate.abandonment_figure(cells, fit), "abandonment vs wait"),
        f"<pre>{html.escape(json.dumps(fit, default=str, indent=1))}</pre>",
        "<h2>Staffing</h2>",
        img(staffing_figure(cal), "staffing"),
        _table(cal.typical),
    ]
    if cal.availability is not None:
        parts += ["<h2>Availability against the scheduled agents</h2>", _table(cal.availability)]
    return _page(f"Calibration {cal.name}", parts)


def _page(title: str, parts: list[str]) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>"
    )


def write_calibration(
    cal: Calibration, scenario: Path, out: Path, overwrite: bool = False
) -> list[Path]:
    """The calibration folder: tables, the per-day staffing, calibration.json, report.html."""
    info = {
        "name": cal.name,
        "log": str(cal.log.source),
        "mapping": cal.mapping,
        "scheme": cal.scheme,
        "day_type": cal.day_type,
        "interval": cal.interval,
        "threshold": cal.threshold,
        "scenario": str(scenario),
        "created": cal.created,
    }
    tables = {
        "rates.csv": cal.rates,
        "dispersion.csv": cal.dispersion,
        "service_fit.csv": cal.service,
        "service_by_hour.csv": cal.service_hours,
        "patience_km.csv": cal.km,
        "abandonment_cells.csv": cal.abandonment[0],
        "staffing.csv": cal.staffing,
        "typical_staffing.csv": cal.typical,
    }
    if cal.availability is not None:
        tables["availability.csv"] = cal.availability
    with Claim(out, json.dumps(info, sort_keys=True), overwrite, reuse=False) as claim:
        for name, frame in tables.items():
            frame.to_csv(claim.staging / name, index=False)
        (claim.staging / "calibration.json").write_text(json.dumps(info, indent=1))
        (claim.staging / "report.html").write_text(
            calibration_page(cal, scenario), encoding="utf-8"
        )
        return claim.publish({"label": f"calibration {cal.name}"})


def backtest_figure(bt: Backtest, title: str) -> plt.Figure:
    """Per interval of the typical day: the log, the simulation and Erlang A, six KPIs."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5), sharex=True)
    for ax, k in zip(axes.flat, ("offered", *RATES), strict=False):
        label, scale, unit = LABELS[k]
        for source, g in bt.typical.groupby("source"):
            g = g.sort_values("t_start")
            x = _hours(g.t_start)
            ax.plot(
                x,
                g[k] * scale,
                color=COLORS[source],
                label=source,
                lw=1.4 if source != "log" else 1.8,
            )
            if f"{k}_low" in g and g[f"{k}_low"].notna().any():
                top = scale if k in ("p_abandon", "service_level", "p_wait", "occupancy") else None
                low, high = (np.clip(g[f"{k}_{e}"] * scale, 0, top) for e in ("low", "high"))
                ax.fill_between(x, low, high, color=COLORS[source], alpha=0.15)
        ax.set(title=label, ylabel=unit, xlim=(7, 24))
    for ax in axes[1]:
        ax.set_xlabel("time of day (h)")
    axes[0, 0].legend(fontsize=8, title="bands: 95 % intervals", title_fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def overall_table(bt: Backtest) -> pd.DataFrame:
    """The pooled KPIs, a column per source, values with their intervals."""
    rows = []
    for (scope, metric), g in bt.overall.groupby(["scope", "metric"], sort=False):
        label, scale, unit = LABELS[metric]
        row = {"scope": scope, "KPI": f"{label} ({unit})"}
        for r in g.itertuples():
            ci = "" if np.isnan(r.low) else f" [{r.low * scale:.1f}, {r.high * scale:.1f}]"
            row[r.source] = f"{r.value * scale:.1f}{ci}"
        log, sim = g.set_index("source").loc["log"], g.set_index("source").loc["simulation"]
        row["simulation inside the log's interval"] = bool(log.low <= sim.value <= log.high)
        rows.append(row)
    return pd.DataFrame(rows)


def write_backtest(
    bt: Backtest, name: str, out: Path, digest: str, overwrite: bool = False
) -> list[Path]:
    """The backtest folder: tables, the figure, a Markdown summary and report.html."""
    fig = backtest_figure(bt, f"Backtest of {name}: a typical day, log vs simulation vs Erlang A")
    table = overall_table(bt)
    with Claim(out, digest, overwrite, reuse=False) as claim:
        for n, frame in (
            ("cells.csv", bt.cells),
            ("typical.csv", bt.typical),
            ("overall.csv", bt.overall),
            ("accuracy.csv", bt.accuracy),
        ):
            frame.to_csv(claim.staging / n, index=False)
        fig.savefig(claim.staging / "backtest.png", dpi=110)
        md = (
            table.to_markdown(index=False)
            + "\n\n"
            + bt.accuracy.round(4).to_markdown(index=False)
            + "\n"
        )
        (claim.staging / "backtest.md").write_text(md)
        parts = [
            f"<h1>Backtest of {html.escape(name)}</h1>",
            _table(table),
            img(fig, "backtest"),
            "<h2>Accuracy per interval</h2>",
            _table(bt.accuracy),
        ]
        (claim.staging / "report.html").write_text(
            _page(f"Backtest {name}", parts), encoding="utf-8"
        )
        return claim.publish({"label": f"backtest {name}"})
