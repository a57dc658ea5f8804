"""Endless streams (draws, arrival instants, ids) that pickle on every supported Python.

A checkpoint pickles the model with every stream at its position. The fast
streams are ``itertools`` objects (``chain.from_iterable`` over blocks of
draws keeps ``next()`` in C: Python runs once per block), and Python 3.14
removed their pickling (deprecated since 3.12). So each stream is built here:
from ``itertools`` where this Python pickles them (3.11 to 3.13), otherwise
from the small iterator classes below, which give the same items in the same
order and pickle with their position, at the cost of a Python call per item:
5 to 10 % more CPU for two PosteMobile days, 6 % for 200,000 M/M/c customers
(aggregates only, medians of 5, interleaved in one process on 3.11 with
:data:`NATIVE` switched; two runs of ``benchmarks/bench_streams.py``).
SimPy's event-id counter is one of these streams too
(:class:`sim.core.clock.Environment`). The choice is made
once per process (:data:`NATIVE`); ``tests/test_streams.py`` runs whole
scenarios, and a checkpointed run resumed, on both kinds and finds the same
tables.

Deliberately not done: choosing per run (only runs that checkpoint need the
classes); it would thread a flag through every stream's constructor.
"""

from __future__ import annotations

import itertools
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def iterators_pickle() -> bool:
    """Whether this Python pickles ``itertools`` objects (3.11 to 3.13, not 3.14)."""
    try:
        pickle.dumps(itertools.count())
    except (TypeError, pickle.PicklingError):
        return False
    return True


NATIVE = iterators_pickle()  # read at each stream's construction: tests may set it


class Flat:
    """The items of consecutive lists, skipping empty ones (``chain.from_iterable``)."""

    __slots__ = ("_blocks", "_i", "_items")

    def __init__(self, blocks: Iterator[list]) -> None:
        self._blocks = blocks
        self._items: list = []
        self._i = 0

    def __iter__(self) -> Flat:
        return self

    def __next__(self) -> Any:
        i, items = self._i, self._items
        if i < len(items):
            self._i = i + 1
            return items[i]
        for items in self._blocks:
            if items:
                self._items, self._i = items, 1
                return items[0]
        raise StopIteration


class Constant:
    """The same value for ever (``itertools.repeat``)."""

    __slots__ = ("value",)

    def __init__(self, value: float) -> None:
        self.value = value

    def __iter__(self) -> Constant:
        return self

    def __next__(self) -> float:
        return self.value


class Cycle:
    """The values in turn, for ever (``itertools.cycle``)."""

    __slots__ = ("_i", "_values")

    def __init__(self, values: list[float]) -> None:
        if not values:
            raise ValueError("a cycle needs at least one value")
        self._values = list(values)
        self._i = 0

    def __iter__(self) -> Cycle:
        return self

    def __next__(self) -> float:
        i = self._i
        self._i = i + 1 if i + 1 < len(self._values) else 0
        return self._values[i]


def flat(blocks: Iterable[list]) -> Iterator:
    """The items of the lists ``blocks`` yields, one list taken at a time."""
    if NATIVE:
        return itertools.chain.from_iterable(blocks)
    return Flat(iter(blocks))


def endless_blocks(block: Callable[[object], list]) -> Iterator:
    """The items of ``block(None)``, ``block(None)``, ... (``block`` must pickle)."""
    if NATIVE:
        return itertools.chain.from_iterable(map(block, itertools.repeat(None)))
    return Flat(map(block, iter(_none, 0)))  # a callable iterator pickles; repeat does not


def _none() -> None:
    return None


def constant(value: float) -> Iterator[float]:
    """``value`` for ever."""
    return itertools.repeat(value) if NATIVE else Constant(value)


def cycle(values: list[float]) -> Iterator[float]:
    """``values`` in turn, for ever."""
    return itertools.cycle(values) if NATIVE else Cycle(values)


def counter() -> Iterator[int]:
    """0, 1, 2, ... (a range iterator pickles on every Python, and stays in C)."""
    return itertools.count() if NATIVE else iter(range(sys.maxsize))
