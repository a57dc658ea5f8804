"""Validation rules for simultaneous duplicates of deferred contacts (``tickets``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.checks.common import check_non_negative, check_probability, require

if TYPE_CHECKING:
    from sim.config.schema import Config


def deferred_channels(c: Config) -> list[str]:
    """Names of the deferred channels, in configuration order."""
    return [name for name, ch in c.channels.items() if ch.mode.value == "deferred"]


def check_tickets(c: Config) -> None:
    """Duplicate shares are probabilities of deferred channels; merging takes >= 0 minutes."""
    t, p = c.tickets, "tickets"
    check_non_negative(t.merge_time, f"{p}.merge_time")
    deferred = deferred_channels(c)
    for name, share in t.duplicate.items():
        require(
            name == "default" or name in deferred,
            f"{p}.duplicate.{name}",
            f"must be 'default' or a deferred channel, one of {deferred}",
            name,
        )
        check_probability(share, f"{p}.duplicate.{name}")
    if any(share > 0 for share in t.duplicate.values()):
        require(
            len(deferred) >= 2,
            f"{p}.duplicate",
            "needs at least two deferred channels (the copy is written on another one)",
            deferred,
        )
