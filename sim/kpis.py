"""Per-replication KPI tables built from a run's aggregates.

Two tables: the window KPIs in long format ``(scope, metric, value)`` and the
per-interval table (one row per scope and reporting interval). Scopes are
``all``, each queue name, and ``group:<name>`` for agent groups.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.summary import PERCENTILES, Partial, Window, agent_metrics, percentile, queue_metrics


def _scope_rows(scope: str, metrics: dict) -> list[tuple[str, str, float]]:
    return [(scope, k, float(v)) for k, v in metrics.items()]


def _percentiles(hist: np.ndarray) -> dict[str, float]:
    return {f"wait_p{p}": percentile(hist, p) for p in PERCENTILES}


def replication_kpis(
    part: Partial,
    win: Window,
    staffed: np.ndarray,
    queue_names: Sequence[str],
    group_names: Sequence[str],
) -> pd.DataFrame:
    """Window KPIs of one replication, long format ``(scope, metric, value)``."""
    rows: list[tuple[str, str, float]] = []
    total = queue_metrics(part.counts[:, -1].sum(0), part.queue_time[:, -1].sum(), win.length)
    total |= _percentiles(part.hist.sum(0))
    agents = agent_metrics(
        part.busy_time[:, -1].sum(),
        staffed[:, -1].sum(),
        part.group_counts[:, -1].sum(0),
        win.length,
    )
    total |= {k: agents[k] for k in ("mean_busy", "mean_staffed", "occupancy")}
    rows += _scope_rows("all", total)
    for q, name in enumerate(queue_names):
        m = queue_metrics(part.counts[q, -1], part.queue_time[q, -1], win.length)
        rows += _scope_rows(name, m | _percentiles(part.hist[q]))
    for g, name in enumerate(group_names):
        m = agent_metrics(
            part.busy_time[g, -1], staffed[g, -1], part.group_counts[g, -1], win.length
        )
        rows += _scope_rows(f"group:{name}", m)
    return pd.DataFrame(rows, columns=["scope", "metric", "value"])


def interval_table(
    part: Partial, win: Window, staffed: np.ndarray, queue_names: Sequence[str]
) -> pd.DataFrame:
    """Per-interval KPIs (arrival-based counts, time-averaged levels), one row per scope."""
    n = win.n_intervals
    lengths = np.diff(win.edges)
    frames = []
    all_counts = part.counts[:, :n].sum(0)
    total = queue_metrics(all_counts, part.queue_time[:, :n].sum(0), lengths)
    busy = part.busy_time[:, :n].sum(0)
    total |= {"mean_busy": busy / lengths, "occupancy": _safe(busy, staffed[:, :n].sum(0))}
    frames.append(_frame("all", win, total))
    for q, name in enumerate(queue_names):
        frames.append(
            _frame(name, win, queue_metrics(part.counts[q, :n], part.queue_time[q, :n], lengths))
        )
    return pd.concat(frames, ignore_index=True)


def _safe(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.full(a.shape, np.nan), where=b > 0)


def _frame(scope: str, win: Window, metrics: dict) -> pd.DataFrame:
    edges = win.edges
    frame = pd.DataFrame({"scope": scope, "t_start": edges[:-1], "t_end": edges[1:]})
    frame["in_window"] = edges[:-1] >= win.warmup
    for k, v in metrics.items():
        frame[k] = np.asarray(v, dtype=float)
    return frame
