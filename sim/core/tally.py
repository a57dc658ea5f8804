"""Counters of a proactive campaign, kept by the parts that act for it.

Outbound messages, dial attempts and the inbound contacts a campaign
prevented or created are not contact records (they are not inbound
contacts and must not enter the inbound KPIs), so the demand sources and
the dialer count them here and :mod:`sim.metrics.outbound` turns the counts
into KPI rows. Only events at or after ``since`` (the warm-up) are counted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CampaignTally:
    """What one campaign did in the statistics window (counts; minutes of agent time)."""

    since: float = 0.0
    prevented: int = 0
    created: int = 0
    accounts: int = 0
    attempts: int = 0
    right_party: int = 0
    wrong_party: int = 0
    no_answer: int = 0
    agent_minutes: float = 0.0

    def counts(self, now: float) -> bool:
        """Whether an event at ``now`` falls in the statistics window."""
        return now >= self.since
