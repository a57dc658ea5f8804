"""Confidence intervals across replications.

Replications are independent (each has its own streams), so a KPI's
replication values are i.i.d. and the Student-t interval applies. Paired
intervals compare two scenarios run on common random numbers: the
difference is taken replication by replication, before averaging.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval; NaN bounds with fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if len(x) < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return mean, mean - half, mean + half


def summarise_replications(per_rep: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Collapse ``(replication, scope, metric, value)`` rows into mean and CI per KPI."""
    rows = []
    for (scope, metric), grp in per_rep.groupby(["scope", "metric"], sort=False):
        mean, lo, hi = t_interval(grp["value"].to_numpy(), level)
        rows.append((scope, metric, mean, lo, hi, int(grp["value"].notna().sum())))
    return pd.DataFrame(
        rows, columns=["scope", "metric", "mean", "ci_low", "ci_high", "replications"]
    )


def paired_difference(a: pd.DataFrame, b: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """CI of (b - a) per KPI, pairing replications with the same number."""
    keys = ["replication", "scope", "metric"]
    both = a[[*keys, "value"]].merge(b[[*keys, "value"]], on=keys, suffixes=("_a", "_b"))
    both["value"] = both["value_b"] - both["value_a"]
    return summarise_replications(both[[*keys, "value"]], level)
