"""How the backtest of the bank log depends on how the staffing is reconstructed.

Every day of the log replayed (its own arrivals, the calibrated handle times
and patience, 20 replications), staffed four ways: the agents seen serving
(the naive estimate), and the effective staffing with intervals identified
when someone waits at least 5, 10 (the default), 25 or 40 % of the interval.
Writes ``docs/calibration_sensitivity.md`` and the staffing figure
``docs/calibration_staffing.png``; needs ``./dev calibrate`` to have written
``configs/scenario/bank_weekday.yaml`` (README, worked example).

Usage: ``./dev python experiments/calibration_sensitivity.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import load_config  # noqa: E402
from sim.data.backtest import simulate_days  # noqa: E402
from sim.data.calibrate import calibrate  # noqa: E402
from sim.data.logs import load_log  # noqa: E402
from sim.data.observed import bootstrap_days, cell_counts, pooled  # noqa: E402
from sim.data.pages import staffing_figure  # noqa: E402
from sim.data.staffing import effective_staffing  # noqa: E402

BANK = ROOT / "data" / "anonymous_bank"
KPIS = {
    "p_abandon": ("abandonment (%)", 100),
    "asa": ("ASA (s)", 60),
    "service_level": ("SL 20 s (%)", 100),
}


def row(name: str, counts: pd.DataFrame, ratio: float | None) -> dict:
    """A table row: the pooled KPIs of simulated counts."""
    k = pooled(counts.assign(scope="all"), ["scope"]).iloc[0]
    out = {"staffing": name, "effective / seen": "" if ratio is None else f"{ratio:.3f}"}
    return out | {label: f"{k[m] * s:.1f}" for m, (label, s) in KPIS.items()}


def main() -> None:
    """Run the variants; write the table and the figure."""
    log = load_log(BANK / "anonymous_bank_1999-02-01_07.tsv", BANK / "mapping.yaml")
    base = load_config("bank_weekday")
    c = log.contacts
    default = effective_staffing(c, 30)
    observed = cell_counts(c, 30, 1 / 3, default).assign(scope="all")
    ci = bootstrap_days(observed, ["scope"]).iloc[0]
    k = pooled(observed, ["scope"]).iloc[0]
    rows = [{"staffing": "the log itself (95 % bootstrap over days)", "effective / seen": ""}
            | {label: f"{k[m] * s:.1f} [{ci[m + '_low'] * s:.1f}, {ci[m + '_high'] * s:.1f}]"
               for m, (label, s) in KPIS.items()}]  # fmt: skip
    naive = default.assign(effective=default.agents_seen)
    rows.append(row("agents seen serving (naive)", simulate_days(base, c, naive, 20), 1.0))
    for share in tqdm((0.05, 0.10, 0.25, 0.40), desc="sensitivity", disable=None):
        s = effective_staffing(c, 30, min_waiting=share)
        ident = s[s.identified]
        ratio = ident.effective.sum() / ident.agents_seen.sum()
        name = f"effective, identified at >= {share:.0%} waiting" + (
            " (default)" if share == 0.10 else ""
        )
        rows.append(row(name, simulate_days(base, c, s, 20), ratio))
    table = pd.DataFrame(rows).to_markdown(index=False)
    (ROOT / "docs" / "calibration_sensitivity.md").write_text(table + "\n")
    cal = calibrate(log, "bank_weekday", str(BANK / "mapping.yaml"))
    staffing_figure(cal).savefig(ROOT / "docs" / "calibration_staffing.png", dpi=110)
    print(table)


if __name__ == "__main__":
    main()
