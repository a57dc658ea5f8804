"""KPI rows of proactive outbound campaigns, from their counters.

Scope ``outbound`` (all campaigns) and ``outbound:<name>`` (each), over the
statistics window:

- ``messages``: messages sent (message campaigns: ``customers x rate / 30``
  a day, the expected number, not drawn) or accounts put on the call list
  (agent calls); ``reached``: messages times ``reach``, or accounts whose
  holder was reached (right-party contacts);
- ``prevented``: inbound new contacts that did not happen; ``created``:
  inbound contacts the campaign made (both drawn in the simulation);
- ``attempts``, ``right_party``, ``wrong_party``, ``no_answer``: agent dial
  attempts and how they ended; ``contact_rate`` = right party / attempts;
  ``outbound_minutes``: agent time on them; ``attempts_per_hour`` = attempts
  per hour of that agent time (the pace of the dialing mode);
- ``cost``: messages x cost per message, or attempts x cost per attempt.

The rows are there only when ``outbound.enabled`` is on.
"""

from __future__ import annotations

from sim.config.base import DAY
from sim.config.outbound import CampaignConfig, OutboundChannel
from sim.config.schema import Config
from sim.core.tally import CampaignTally

SUMMED = (
    "messages",
    "reached",
    "prevented",
    "created",
    "attempts",
    "right_party",
    "wrong_party",
    "no_answer",
    "outbound_minutes",
    "cost",
)


def campaign_metrics(cfg: Config, k: CampaignConfig, t: CampaignTally) -> dict[str, float]:
    """The summed KPIs of one campaign."""
    days = (cfg.horizon - cfg.warmup) / DAY
    if k.channel is OutboundChannel.agent_call:
        messages, reached, cost = t.accounts, t.right_party, t.attempts * k.cost
    else:
        messages = cfg.demand.customers * k.rate / 30.0 * days
        reached, cost = messages * k.reach, messages * k.cost
    return {
        "messages": float(messages),
        "reached": float(reached),
        "prevented": float(t.prevented),
        "created": float(t.created),
        "attempts": float(t.attempts),
        "right_party": float(t.right_party),
        "wrong_party": float(t.wrong_party),
        "no_answer": float(t.no_answer),
        "outbound_minutes": t.agent_minutes,
        "cost": cost,
    }


def _rates(m: dict[str, float]) -> dict[str, float]:
    nan = float("nan")
    return {
        "contact_rate": m["right_party"] / m["attempts"] if m["attempts"] else nan,
        "attempts_per_hour": (
            m["attempts"] / (m["outbound_minutes"] / 60) if m["outbound_minutes"] else nan
        ),
    }


def outbound_rows(cfg: Config, tallies: dict[str, CampaignTally]) -> list[tuple[str, str, float]]:
    """``(scope, metric, value)`` rows of every campaign and of all of them."""
    if not cfg.outbound.enabled:
        return []
    rows: list[tuple[str, str, float]] = []
    total = dict.fromkeys(SUMMED, 0.0)
    for k in cfg.outbound.campaigns:
        m = campaign_metrics(cfg, k, tallies[k.name])
        total = {key: total[key] + m[key] for key in SUMMED}
        rows += [(f"outbound:{k.name}", key, v) for key, v in (m | _rates(m)).items()]
    rows += [("outbound", key, v) for key, v in (total | _rates(total)).items()]
    return rows
