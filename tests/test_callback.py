"""Callback / virtual hold (sim/callback.py): offers, acceptance, KPIs, bad input."""

import math

import numpy as np
import pytest
from scipy import stats

from sim import load_config
from sim.config import AgentGroupConfig, CallbackConfig
from sim.config.errors import ConfigError
from sim.metrics.theory import theory_for
from sim.runner import run_replication
from tests.conftest import make_config, mmc_config
from tests.test_trace import assert_table, expect, table, trace_queue

NAN = math.nan
COLUMNS = (
    "contact_id",
    "t_arrival",
    "t_answer",
    "t_end",
    "outcome",
    "callback_offered",
    "callback",
)


def _trace(callback: CallbackConfig):
    """One agent, 10-minute services, arrivals at 0, 1, 2, 3, patience 5."""
    q = trace_queue([0, 1, 2, 3], [10, 10, 10, 10], patience=5.0, callback=callback)
    return make_config({"calls": q}, {"a": AgentGroupConfig(count=1)}, horizon=50, replications=1)


def test_trace_offers_on_head_wait_and_callbacks_keep_their_place():
    cfg = _trace(CallbackConfig(enabled=True, offer_after=0.5, accept=1.0, dial=2.0))
    # 0 is served at once; 1 finds nobody waiting (head wait 0: no offer) and
    # abandons at 6; 2 and 3 find 1 waiting for 1 and 2 minutes: offered,
    # accept, never abandon, and take 10 + 2 minutes each, in arrival order.
    want = expect(
        [
            (0, 0.0, 0.0, 10.0, "served", False, False),
            (1, 1.0, NAN, 6.0, "abandoned", False, False),
            (2, 2.0, 10.0, 22.0, "served", True, True),
            (3, 3.0, 22.0, 34.0, "served", True, True),
        ],
        COLUMNS,
    )
    assert_table(table(cfg, COLUMNS), want)


def test_trace_kpis_leave_callbacks_out_of_the_live_measures():
    cfg = _trace(CallbackConfig(enabled=True, offer_after=0.5, accept=1.0, dial=2.0))
    k = run_replication(cfg, 0).kpis
    got = k[k.scope == "all"].set_index("metric")["value"]
    assert got["queued"] == 4 and got["callbacks"] == 2 and got["callback_offered"] == 2
    assert got["p_callback"] == pytest.approx(0.5)
    assert got["callback_wait"] == pytest.approx(((10 - 2) + (22 - 3)) / 2)
    assert got["service_level"] == pytest.approx(1 / 2)  # live legs: 0 (in time) and 1
    assert got["asa"] == pytest.approx(0.0)  # the only live answer was immediate
    assert got["p_abandon"] == pytest.approx(1 / 4)


def test_declined_offers_change_nothing_else():
    """accept = 0: same contacts, same numbers; only the offers are recorded (CRN)."""
    base = mmc_config(48, 1.0, 50, patience=1.0, horizon=600, warmup=60)
    declined = mmc_config(48, 1.0, 50, patience=1.0, horizon=600, warmup=60)
    declined.queues["calls"].callback = CallbackConfig(enabled=True, offer_after=0.1, accept=0.0)
    a, b = run_replication(base, 0), run_replication(declined, 0)
    cols = ["contact_id", "t_arrival", "t_answer", "t_end", "outcome", "agent_id"]
    assert a.contacts[cols].equals(b.contacts[cols])
    assert b.contacts.callback_offered.any() and not b.contacts.callback.any()
    ka = a.kpis.set_index(["scope", "metric"])["value"]
    kb = b.kpis.set_index(["scope", "metric"])["value"]
    offers = kb.index.get_level_values("metric").str.contains("callback_offer")
    assert np.allclose(ka[~offers], kb[~offers], equal_nan=True)


def test_acceptance_rate_converges_and_callbacks_never_abandon():
    cfg = mmc_config(48, 1.0, 50, patience=1.0, horizon=1500, warmup=0)
    cfg.queues["calls"].callback = CallbackConfig(enabled=True, offer_after=0.1, accept=0.3, dial=0)
    c = run_replication(cfg, 0).contacts
    offered, took = int(c.callback_offered.sum()), int(c.callback.sum())
    assert offered > 2000
    lo, hi = stats.binomtest(took, offered).proportion_ci(0.999)
    assert lo <= 0.3 <= hi
    assert not (c.callback & (c.outcome == "abandoned")).any()
    assert (c.callback <= c.callback_offered).all()


def test_callbacks_cut_abandonment_under_common_random_numbers():
    """Without dialling overhead, callers who take a callback stop abandoning."""
    base = mmc_config(48, 1.0, 50, patience=1.0, horizon=1440, warmup=60, replications=4)
    cb = mmc_config(48, 1.0, 50, patience=1.0, horizon=1440, warmup=60, replications=4)
    cb.queues["calls"].callback = CallbackConfig(enabled=True, offer_after=0.1, accept=0.6, dial=0)
    diffs = []
    for r in range(4):
        ka, kb = (run_replication(x, r).kpis for x in (base, cb))
        pa = ka[(ka.scope == "all") & (ka.metric == "p_abandon")]["value"].iloc[0]
        pb = kb[(kb.scope == "all") & (kb.metric == "p_abandon")]["value"].iloc[0]
        diffs.append(pb - pa)
    assert max(diffs) < 0


def test_no_textbook_theory_beside_a_queue_with_callbacks():
    cfg = mmc_config(48, 1.0, 50, patience=1.0)
    assert not theory_for(cfg).empty
    cfg.queues["calls"].callback = CallbackConfig(enabled=True)
    assert theory_for(cfg).empty


def test_conservation_with_callbacks():
    cfg = mmc_config(48, 1.0, 50, patience=1.0, horizon=600, warmup=0)
    cfg.queues["calls"].callback = CallbackConfig(enabled=True, offer_after=0.1, accept=0.5)
    k = run_replication(cfg, 0).kpis
    g = k[k.scope == "all"].set_index("metric")["value"]
    assert g["offered"] == g["served"] + g["abandoned"] + g["open"] + g["blocked"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "queues.calls.callback.accept=1.5",
            "queues.calls.callback.accept must be a probability in [0, 1], got 1.5",
        ),
        (
            "queues.calls.callback.offer_after=-1",
            "queues.calls.callback.offer_after must be a finite number >= 0, got -1.0",
        ),
        (
            "queues.calls.callback.dial=-0.5",
            "queues.calls.callback.dial must be a finite number >= 0, got -0.5",
        ),
    ],
)
def test_bad_callback_settings_are_rejected(override, message):
    with pytest.raises(ConfigError) as err:
        load_config("mmc_abandon", ["queues.calls.callback.enabled=true", override])
    assert message in str(err.value)
