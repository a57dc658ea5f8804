"""Named random streams.

``Streams(seed, replication).get("service.calls")`` returns a numpy
``Generator`` seeded with ``[crc32(name), replication, seed]`` (numpy's
sequence-of-integers seeding: the unique ids come before the root seed).
Streams are keyed by *name*, not by creation order, so adding a stream never
changes the numbers of the others, and two scenarios that share a stream name
see the same numbers: that is what common random numbers rest on.
``crc32`` is stable across processes, unlike Python's ``hash`` of a str.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """Stable 32-bit id of a stream name."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of named, independent numpy Generators for one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        if seed < 0 or replication < 0:
            raise ValueError(f"seed and replication must be >= 0, got {seed}, {replication}")
        self.seed = seed
        self.replication = replication
        self._cache: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The generator of stream ``name`` (created on first use, then reused)."""
        rng = self._cache.get(name)
        if rng is None:
            rng = np.random.default_rng([stream_key(name), self.replication, self.seed])
            self._cache[name] = rng
        return rng

    def names(self) -> list[str]:
        """Names of the streams used so far (for provenance)."""
        return sorted(self._cache)
