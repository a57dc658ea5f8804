"""Running replications and experiments.

A replication is fully determined by ``(seed, replication)``: it builds its
own streams and model, so replications can run in any order, serially, in
worker processes or as tasks on a Dask cluster (``cluster.address``), and
give identical tables.

Run protocol: arrivals stop at ``horizon``; with ``drain`` on, the model
keeps running until every admitted contact has left (or ``drain_limit``
more minutes have passed), so that each arrival in the window has an
outcome. Contacts still inside at the end are recorded as ``open``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import gc
import math
import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config import Config
from sim.config.base import DAY
from sim.config.checks import check_config
from sim.core import checkpoint as ckpt
from sim.core.calendar import month_starts, overlaps_days, parse_date, period_dates
from sim.core.processes import die_with_parent
from sim.core.rng import Streams
from sim.metrics.aggregates import (
    DIMENSIONS,
    HIST_EDGES,
    Partial,
    Strata,
    Window,
    add_into,
    day_window,
    empty_partial,
    fixed_periods,
    group_time,
    to_days,
)
from sim.metrics.cases import CaseSink, case_kpis, case_period_columns, cases_frame
from sim.metrics.kpis import interval_table, period_table, replication_kpis, scope_name
from sim.metrics.outbound import outbound_rows
from sim.metrics.records import Columns, concat_columns, contacts_frame, levels_frame
from sim.metrics.reduce import reduce_span
from sim.metrics.results import Results
from sim.metrics.stats import summarise_replications
from sim.metrics.theory import stability_warnings, staffing_baseline, theory_for
from sim.model import Model, build, window
from sim.outcomes.costs import cost_rows
from sim.plan import kinds_and_strata
from sim.workforce.headcount import headcount_rows
from sim.workforce.shifts import STATE_NAMES
from sim.workforce.stress import stress_rows

if TYPE_CHECKING:
    from tqdm.autonotebook import tqdm  # tqdm.auto would import asyncio (~0.1 s)

WEEK = 7 * DAY
PROGRESS_STEPS = 20
IN_FLIGHT = 2  # replications queued per worker process


@dataclass
class ReplicationResult:
    """Tables of one replication."""

    replication: int
    kpis: pd.DataFrame
    intervals: pd.DataFrame
    contacts: pd.DataFrame | None
    end: float
    hist: dict[str, np.ndarray]
    wait_max: dict[str, np.ndarray]
    cases: pd.DataFrame | None = None
    stress: pd.DataFrame | None = None
    agent_states: pd.DataFrame | None = None
    days: pd.DataFrame | None = None
    weeks: pd.DataFrame | None = None
    months: pd.DataFrame | None = None


class _Sink:
    """Receives record chunks: reduces each at once, and keeps it if asked to.

    Reducing chunk by chunk bounds the temporaries of the statistics by the
    chunk size, whether or not the per-contact table is kept; each chunk is
    reduced into the intervals it covers only (``reduce_span``), so its cost
    does not grow with the horizon.
    """

    def __init__(self, cfg: Config, strata: Strata) -> None:
        self.keep = cfg.keep_records
        self.days = np.array(sorted(cfg.record_days), dtype=float)  # empty: keep every day
        self.win = window(cfg)
        self.by_day = not cfg.intervals
        self.kept_win = day_window(self.win) if self.by_day else self.win  # what is accumulated
        self.strata = strata
        self.chunks: list[Columns] = []
        self.partial: Partial = empty_partial(self.kept_win, strata)
        self.model: Model | None = None  # set once built: a chunk's open legs end at its now

    def __call__(self, cols: Columns) -> None:
        part, part_win = reduce_span(cols, self.win, self.strata, self.model.env.now)
        if self.by_day:
            part, part_win = to_days(part, part_win)
        add_into(self.partial, part, part_win)
        if self.keep:
            self.chunks.append(sampled(cols, self.days, "t_arrival", "t_end"))


def sampled(cols: Columns, days: np.ndarray, start: str, end: str) -> Columns:
    """The rows of ``cols`` whose spell ``start`` to ``end`` reaches into ``days`` (empty: all)."""
    if not len(days):
        return cols
    keep = overlaps_days(cols[start], cols[end], days)
    return cols if keep.all() else {k: v[keep] for k, v in cols.items()}


@dataclass
class Checkpoints:
    """A run's checkpoint files (:mod:`sim.core.checkpoint`): what it resumes from, what it saves.

    ``done`` holds the finished replications' results read back on resuming
    (each finished replication has a file of its own, written once);
    ``finished_reps`` every replication finished so far; ``state`` the live
    state of the replication that was running when the main file was written:
    ``(replication, minute, (model, sink, cases))``; ``running`` the day reached
    by each unfinished replication whose worker process had saved a midnight
    (:class:`WorkerMidnights`).
    """

    path: Path
    every: float
    header: dict
    done: dict[int, ReplicationResult] = field(default_factory=dict)
    finished_reps: set[int] = field(default_factory=set)
    state: tuple | None = None
    running: dict[int, float] = field(default_factory=dict)

    @classmethod
    def open(cls, cfg: Config, path: str | Path) -> Checkpoints:
        """Resume from the checkpoint at ``path`` if there is one (or discard it: ``overwrite``)."""
        path = Path(path)
        header = {"code": ckpt.code_version(), "config": ckpt.config_keys(cfg)}
        store = cls(path, cfg.checkpoint.every, header)
        finished = ckpt.finished_files(path)
        running = ckpt.running_files(path)
        for p in [path, *finished.values(), *running.values()]:
            if (p.exists() or p.is_symlink()) and (p.is_symlink() or not ckpt.is_checkpoint(p)):
                raise ckpt.CheckpointError(
                    f"{p} was not written by a ccsim run and would be overwritten by the run's "
                    "checkpoint; move it or choose another folder"
                )
        if cfg.overwrite:  # an earlier run's files: discarded, as the user asked
            for p in [*finished.values(), *running.values()]:
                p.unlink()
            return store
        for replication, p in sorted(finished.items()):
            store.done[replication] = read_checked(p, header)["result"]
        store.finished_reps = set(store.done)
        if path.exists():
            state = read_checked(path, header)["state"]
            store.state = None if state is None or state[0] in store.done else state
        for replication, p in sorted(running.items()):
            if replication not in store.done:  # checked now; its state is read by its worker
                store.running[replication] = checked_header(p, header)[0]["day"]
        return store

    def resumed(self) -> str | None:
        """What a resumed run starts from, in a line for the user; None if it starts afresh."""
        days = dict(self.running)
        if self.state is not None:
            days[self.state[0]] = self.state[1] / DAY
        if not self.done and not days:
            return None
        done = sorted(self.done)
        parts = [f"{len(done)} finished replication(s) ({done})"] if done else []
        parts += [f"replication {r} from day {d:g}" for r, d in sorted(days.items())]
        return f"resuming from {self.path}: " + ", ".join(parts)

    @property
    def workers(self) -> WorkerMidnights:
        """The running files of this checkpoint (same path, period and header)."""
        return WorkerMidnights(self.path, self.every, self.header)

    def for_workers(self) -> WorkerMidnights:
        """What worker processes save their replications' midnights with.

        A serially-run replication's state in the main file (a run resumed with
        more workers than it had) moves to that replication's running file first.
        """
        midnights = self.workers
        if self.state is not None:
            replication, minute, objects = self.state
            midnights.save(replication, minute, objects)
            self.state = None
            self._write(None)
        return midnights

    def results(self) -> dict[int, ReplicationResult]:
        """The finished replications' results read back on resuming."""
        return dict(self.done)

    def take_state(self, replication: int) -> tuple[float, tuple] | None:
        """The saved ``(minute, (model, sink, cases))`` of ``replication``, once, or None.

        From the main file, or from the replication's running file (a run of
        worker processes resumed serially).
        """
        if self.state is None or self.state[0] != replication:
            if replication not in self.running:
                return None
            del self.running[replication]
            return self.workers.take_state(replication)
        _, minute, objects = self.state
        self.state = None
        return minute, objects

    def at_midnight(self, replication: int, objects: tuple, minute: float) -> None:
        """Save the running replication's state, if ``minute`` ends a saving period."""
        if minute % self.every == 0:
            self._write((replication, minute, objects))

    def finished(self, result: ReplicationResult) -> None:
        """Save a finished replication's result in its own file (the running state is gone)."""
        r = result.replication
        path = ckpt.finished_path(self.path, r)
        ckpt.write(path, {**self.header, "replication": r}, {"result": result})
        self.finished_reps.add(r)
        self.state = None
        self._write(None)
        ckpt.running_path(self.path, r).unlink(missing_ok=True)

    def _write(self, state: tuple | None) -> None:
        day = None if state is None else state[1] / DAY
        header = {**self.header, "replications_done": sorted(self.finished_reps), "day": day}
        ckpt.write(self.path, header, {"state": state})

    def remove(self) -> None:
        """The run is over: its checkpoint files go (files the run created)."""
        for path in ckpt.all_files(self.path):
            path.unlink()


def state_data(replication: int, minute: float, objects: tuple) -> bytes:
    """A replication's running-file payload, pickled: its state at ``minute``."""
    return ckpt.dumps({"state": (replication, minute, objects)})


def _state_of(payload: dict) -> tuple[float, tuple]:
    """``(minute, (model, sink, cases))`` of a running-file payload (:func:`state_data`)."""
    _, minute, objects = payload["state"]
    return minute, objects


@dataclass(frozen=True)
class WorkerMidnights:
    """A worker process's checkpoint: its replication's state at midnights, in a file of its own.

    ``.ccsim-checkpoint-s<N>.pkl`` beside the main file, written by the worker
    running replication N (atomically, as every checkpoint file) and read back
    by the worker that resumes it; the run's process removes it once the
    replication's finished file is written. Sent to the workers with each
    replication (a path and the header: a few kB).
    """

    path: Path
    every: float
    header: dict

    def take_state(self, replication: int) -> tuple[float, tuple] | None:
        """The saved ``(minute, (model, sink, cases))`` of ``replication``, or None."""
        path = ckpt.running_path(self.path, replication)
        if not path.exists():
            return None
        return _state_of(read_checked(path, self.header))

    def at_midnight(self, replication: int, objects: tuple, minute: float) -> None:
        """Save the replication's state, if ``minute`` ends a saving period."""
        if minute % self.every == 0:
            self.save(replication, minute, objects)

    def save(self, replication: int, minute: float, objects: tuple) -> None:
        """Write the replication's running file (atomically): its state at ``minute``."""
        self.save_data(replication, minute, state_data(replication, minute, objects))

    def save_data(self, replication: int, minute: float, data: bytes) -> None:
        """Write the running file of a state pickled elsewhere (a cluster task's ``Paused``)."""
        header = {**self.header, "replication": replication, "day": minute / DAY}
        ckpt.write_data(ckpt.running_path(self.path, replication), header, data)

    def data(self, replication: int) -> tuple[float, bytes] | None:
        """The running file's minute and pickled state (checked, not unpickled), or None."""
        path = ckpt.running_path(self.path, replication)
        if not path.exists():
            return None
        head, start = checked_header(path, self.header)
        return head["day"] * DAY, ckpt.read_data(path, head, start)


@dataclass(frozen=True)
class Paused:
    """A cluster task's replication at a saving midnight: its state, pickled by the worker.

    ``data`` is the payload of the replication's running file
    (``{"state": (replication, minute, (model, sink, cases))}``): the run's
    process writes it as it is and sends it with the task that continues.
    """

    replication: int
    minute: float
    data: bytes


class _PauseError(Exception):
    """Raised at a saving midnight to end a cluster task with its :class:`Paused` state."""

    def __init__(self, paused: Paused) -> None:
        super().__init__(f"replication {paused.replication} paused at minute {paused.minute:g}")
        self.paused = paused


@dataclass(frozen=True)
class Segment:
    """A cluster task's checkpoints: start from the state sent with it, stop at the next save.

    The worker may not see the run's folder, so nothing is written there: the
    state travels as the task's argument and result (a running file's payload,
    15 to 30 MiB for a PosteMobile day). ``code`` is the run's
    :func:`~sim.core.checkpoint.code_version`: a worker running other code
    refuses the state, as a file of another version is refused.
    """

    every: float
    code: str
    data: bytes | None = None

    def take_state(self, replication: int) -> tuple[float, tuple] | None:
        """The sent ``(minute, (model, sink, cases))``, or None (the replication starts)."""
        if self.code != ckpt.code_version():
            raise ckpt.CheckpointError(
                f"cluster worker {_worker_name()} runs another version of ccsim than this "
                "command (its code or Python, NumPy or SimPy differ), so replications cannot "
                "be checkpointed on it; install the same version on every worker, or run "
                "without checkpoint.every"
            )
        if self.data is None:
            return None
        return _state_of(ckpt.loads(self.data))

    def at_midnight(self, replication: int, objects: tuple, minute: float) -> None:
        """End the task here, with the state, if ``minute`` ends a saving period."""
        if minute % self.every == 0:
            data = state_data(replication, minute, objects)
            raise _PauseError(Paused(replication, minute, data))


def _worker_name() -> str:
    """This Dask worker's address, or ``?`` outside a worker."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "?"


def replication_segment(
    cfg: Config, code: str, item: tuple[int, bytes | None] | Paused
) -> ReplicationResult | Paused:
    """A cluster task: a replication from a state (or from time 0) to its next save or its end.

    ``item`` is ``(replication, pickled state or None)`` for a replication's
    first task in this run, or the :class:`Paused` its previous task returned.
    """
    replication, data = (item.replication, item.data) if isinstance(item, Paused) else item
    try:
        return run_replication(
            cfg, replication, checkpoints=Segment(cfg.checkpoint.every, code, data)
        )
    except _PauseError as pause:
        return pause.paused


def checked_header(path: Path, header: dict) -> tuple[dict, int]:
    """A checkpoint file's header and payload start, once checked against this code and config."""
    head, start = ckpt.read_header(path)
    ckpt.check_header(path, head, header["code"], header["config"])
    return head, start


def read_checked(path: Path, header: dict) -> dict:
    """A checkpoint file's payload, once its header is checked (:func:`checked_header`)."""
    return ckpt.read_payload(path, *checked_header(path, header))


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a run.

    The hot path creates no reference cycles (contacts and events are freed
    by reference counting), so the collector's periodic scans of every live
    object only cost time: about 8 % of a replication.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def progress_stops(horizon: float) -> list[float]:
    """Instants at which a replication reports progress: each midnight, or 20 steps in a day.

    A run longer than a day advances its bar one simulated day at a time (the bar
    counts days, with tqdm's rate and ETA); a shorter one in twentieths.
    """
    if horizon <= DAY:
        return [horizon * k / PROGRESS_STEPS for k in range(1, PROGRESS_STEPS + 1)]
    return [*np.arange(1, math.ceil(horizon / DAY - 1e-9)) * DAY, horizon]


def _simulate(
    cfg: Config,
    model: Model,
    advance: Callable[[float], None] | None,
    start: float = 0.0,
    midnight: Callable[[float], None] | None = None,
) -> None:
    """Run ``model`` from minute ``start`` to the end; ``midnight(minute)`` after each day.

    Stopping at a midnight (for the progress bar or a checkpoint) changes no
    event's order: ``env.run(until=...)`` only adds an urgent stop event.
    """
    router = model.router
    done = start
    stops = progress_stops(cfg.horizon) if advance or midnight else [cfg.horizon]
    for stop in (s for s in stops if s > start):
        run_until(model, stop)
        if advance:
            advance(stop - done)
        done = stop
        if midnight is not None and stop < cfg.horizon and stop % DAY == 0:
            midnight(stop)
    if cfg.drain and not router.drained.triggered:
        drain(cfg, model)
    if model.front is not None:
        model.front.close_all()
    router.close_all()
    model.workforce.close(router.agents)
    if model.outcomes is not None:
        model.outcomes.close_open()
    model.log.flush()


def run_until(model: Model, minute: float) -> None:
    """Run ``model``'s events before ``minute``, in whichever loop runs them, and stand there.

    ``env.run(until=minute)``, or the express loop of a plain textbook queue
    (:mod:`sim.express`), which gives the same records.
    """
    if model.express is None:
        model.env.run(until=minute)
    else:
        model.express.run(minute)


def drain(cfg: Config, model: Model) -> None:
    """After the horizon: run until the last contact has left (or for ``drain_limit``)."""
    if model.express is not None:
        model.express.drain(cfg.drain_limit)
        return
    until = model.router.drained
    if cfg.drain_limit is not None:
        until = until | model.env.timeout(cfg.drain_limit)
    model.env.run(until=until)


def _start(cfg: Config, replication: int) -> tuple[Model, _Sink, CaseSink | None]:
    """The model of a replication at time 0, with its record and case sinks."""
    _, _, strata = kinds_and_strata(cfg)
    sink = _Sink(cfg, strata)
    cases = None
    if cfg.outcomes.enabled:
        keep = functools.partial(sampled, days=sink.days, start="t_first", end="t_end")
        cases = CaseSink(sink.kept_win, strata, keep if cfg.keep_records else None)
    model = build(cfg, Streams(cfg.seed, replication), sink, cases.add_rows if cases else None)
    sink.model = model
    if cfg.keep_records:
        model.workforce.keep_states()
    return model, sink, cases


def run_replication(
    cfg: Config,
    replication: int,
    advance: Callable[[float], None] | None = None,
    checkpoints: Checkpoints | WorkerMidnights | None = None,
) -> ReplicationResult:
    """Run one replication and compute its tables.

    With ``checkpoints`` it resumes from their saved state of this replication,
    if any (``advance`` is told the minutes already run), and saves its state
    at midnights.
    """
    saved = checkpoints.take_state(replication) if checkpoints is not None else None
    start, (model, sink, cases) = saved if saved is not None else (0.0, _start(cfg, replication))
    if saved is not None and advance is not None:
        advance(start)
    midnight = None
    if checkpoints is not None:
        midnight = functools.partial(checkpoints.at_midnight, replication, (model, sink, cases))
    with gc_paused():
        _simulate(cfg, model, advance, start, midnight)
        return _tables(cfg, replication, model, sink, sink.strata, cases)


def _tables(
    cfg: Config, replication: int, model: Model, sink: _Sink, strata: Strata, cases: CaseSink | None
) -> ReplicationResult:
    """KPI, interval, contact and case tables of a finished replication."""
    end = model.env.now
    part = sink.partial
    n_groups = len(model.group_names)
    win = sink.kept_win
    staffed = group_time(model.workforce.presence, n_groups, win)
    overtime = group_time(model.workforce.extra, n_groups, win)
    kpis = replication_kpis(part, win, strata, staffed, overtime)
    stress = None
    if model.stress is not None:
        stress = model.stress.samples_frame(replication, model.group_names)
        rows = stress_rows(
            model.stress,
            stress,
            model.group_names,
            (cfg.warmup, cfg.horizon),
            model.workforce.absences,
        )
        kpis = pd.concat([kpis, pd.DataFrame(rows, columns=kpis.columns)], ignore_index=True)
    if cfg.outbound.enabled:  # before the costs, which add the campaigns' cost
        extra = pd.DataFrame(outbound_rows(cfg, model.tallies), columns=kpis.columns)
        kpis = pd.concat([kpis, extra], ignore_index=True)
    if cases is not None:
        kpis = pd.concat([kpis, pd.DataFrame(case_kpis(cases.sums, strata), columns=kpis.columns)])
        kpis = pd.concat(
            [kpis, pd.DataFrame(cost_rows(cfg, kpis), columns=kpis.columns)], ignore_index=True
        )
    kpis = pd.concat(
        [kpis, pd.DataFrame(headcount_rows(cfg, _triples(kpis)), columns=kpis.columns)],
        ignore_index=True,
    )
    intervals = interval_table(part, win, strata, staffed + overtime)
    if sink.by_day:  # the interval table's columns, no rows
        intervals = intervals.iloc[:0]
    periods = period_tables(part, win, strata, staffed + overtime, cases, cfg.start_date)
    contacts = case_table = None
    if sink.keep:
        cols = concat_columns(sink.chunks, consume=True)
        contacts = contacts_frame(cols, replication, strata, model.group_names)
        case_table = cases_frame(cases.chunks, replication, strata) if cases is not None else None
    for frame in (kpis, intervals, *(p for p in periods if p is not None)):
        frame.insert(0, "replication", replication)
    return ReplicationResult(
        replication,
        kpis,
        intervals,
        contacts,
        end,
        part.hist,
        part.wait_max,
        case_table,
        stress,
        agent_states_frame(model, replication, sink.days) if sink.keep else None,
        *periods,
    )


def period_tables(
    part: Partial,
    win: Window,
    strata: Strata,
    worked: np.ndarray,
    cases: CaseSink | None = None,
    start_date: str | None = None,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
    """Per-day, per-week and per-month KPI tables, each only where the run has two periods.

    A run of a day or less has no day table (its totals are the KPIs), one of a
    week or less no week table. Months are calendar months, so they need a
    ``start_date``; the table is made when the run reaches into a second month
    (its first and last months may be partial: ``t_start``/``t_end`` say what
    they cover). With a ``start_date`` every table gets the ``date`` its
    periods start on. With the outcome model, the scopes ``all`` and
    ``channel:<name>`` also get the period's issue KPIs (FCR, satisfaction, churn).
    """
    start = parse_date(start_date) if start_date is not None else None
    months = month_starts(start, win.horizon) if start is not None else None
    kinds = (
        ("day", fixed_periods(win.horizon, DAY) if win.horizon > DAY else None),
        ("week", fixed_periods(win.horizon, WEEK) if win.horizon > WEEK else None),
        ("month", months if months is not None and len(months[0]) > 1 else None),
    )
    out: list[pd.DataFrame | None] = []
    for name, periods in kinds:
        if periods is None:
            out.append(None)
            continue
        table = period_table(part, win, strata, worked, periods, name)
        if start is not None:
            table.insert(2, "date", period_dates(start, table["t_start"].to_numpy()))
        if cases is not None:
            extra = case_period_columns(cases.sums, win, strata, periods[0])
            table = table.merge(extra, on=["scope", "t_start"], how="left")
        out.append(table)
    return out[0], out[1], out[2]


def agent_states_frame(model: Model, replication: int, days: np.ndarray) -> pd.DataFrame:
    """Every agent's shifts, absences and presence spells (``Workforce.keep_states``).

    Columns ``replication, agent_id, group, state, start, end`` (minutes);
    ``state`` is ``shift`` (scheduled window, breaks included), ``absent``
    or ``present`` (at the desk). Agents without a schedule have one
    ``present`` spell over the run and no ``shift`` row.
    """
    rows = model.workforce.states or []
    table = np.array([r[3:] for r in rows], dtype=float).reshape(-1, 2)
    codes = np.array([r[:3] for r in rows], dtype=np.int64).reshape(-1, 3)
    if len(days):  # record_days: the spells that reach into those days
        keep = overlaps_days(table[:, 0], table[:, 1], days)
        table, codes = table[keep], codes[keep]
    return pd.DataFrame(
        {
            "replication": np.int32(replication),
            "agent_id": codes[:, 0].astype(np.int32),
            "group": pd.Categorical.from_codes(codes[:, 1], list(model.group_names)),
            "state": pd.Categorical.from_codes(codes[:, 2], list(STATE_NAMES)),
            "start": table[:, 0],
            "end": table[:, 1],
        }
    )


def _triples(kpis: pd.DataFrame) -> list[tuple[str, str, float]]:
    return list(kpis[["scope", "metric", "value"]].itertuples(index=False, name=None))


class StabilityWarning(UserWarning):
    """A queue has no steady state: its line grows without bound (``stability_warnings``)."""


def _run_all(
    cfg: Config, progress: bool, store: Checkpoints | None = None
) -> list[ReplicationResult]:
    bar = _progress_bar(cfg, progress)
    results = store.results() if store is not None else {}
    if bar:
        bar.update(cfg.horizon * len(results))
    try:
        if cfg.cluster.address:
            _run_on_cluster(cfg, bar, results, store)
        elif cfg.workers == 1:
            _run_serial(cfg, bar, results, store)
        else:
            _run_parallel(cfg, bar, results, store)
    finally:
        if bar:
            bar.close()
    return [results[r] for r in range(cfg.replications)]


def _run_serial(
    cfg: Config,
    bar: tqdm | None,
    results: dict[int, ReplicationResult],
    store: Checkpoints | None,
) -> None:
    """Replications one after the other in this process (their midnights in the main file)."""
    advance = bar.update if bar else None
    for r in range(cfg.replications):
        if r in results:
            continue
        results[r] = run_replication(cfg, r, advance, store)
        if store is not None:
            store.finished(results[r])


def _run_parallel(
    cfg: Config,
    bar: tqdm | None,
    results: dict[int, ReplicationResult],
    store: Checkpoints | None,
) -> None:
    """Replications in worker processes, submitted in bounded batches.

    At most ``IN_FLIGHT`` replications per worker are queued at a time, so
    a run of many replications never holds a future (and its pickled
    configuration) per replication; workers die with this process. With
    checkpoints, each worker saves its replication's midnights in a file of
    its own (:class:`WorkerMidnights`) and each finished replication is saved
    here: a resumed run continues each replication from its last saved midnight.
    """
    ctx = multiprocessing.get_context("spawn")
    midnights = store.for_workers() if store is not None else None
    todo = iter([r for r in range(cfg.replications) if r not in results])
    with cf.ProcessPoolExecutor(
        max_workers=cfg.workers,
        mp_context=ctx,
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        submit = functools.partial(pool.submit, run_replication, cfg, checkpoints=midnights)
        running = {submit(r) for r in _take(todo, IN_FLIGHT * cfg.workers)}
        while running:
            done, running = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for f in done:
                result = f.result()
                results[result.replication] = result
                if store is not None:
                    store.finished(result)
                if bar:
                    bar.update(cfg.horizon)
            running |= {submit(r) for r in _take(todo, len(done))}


def _run_on_cluster(
    cfg: Config,
    bar: tqdm | None,
    results: dict[int, ReplicationResult],
    store: Checkpoints | None,
) -> None:
    """Replications as tasks on a Dask cluster (:func:`sim.core.cluster.session`).

    Each task gets the configuration and a replication number and sends back
    the replication's tables; at most ``IN_FLIGHT`` tasks per worker thread
    are submitted at a time. Inside a sweep job that runs on the cluster, the
    job's replications are tasks of the same cluster. With checkpoints, a
    replication is a chain of tasks, each from one saving midnight to the next
    (:func:`replication_segment`): each sends its state back, which is saved in
    the replication's running file here and sent with the next task; each
    finished replication is saved, as with worker processes.
    """
    from sim.core.cluster import run_bounded, session, slots

    reps = [r for r in range(cfg.replications) if r not in results]
    midnights = store.for_workers() if store is not None else None
    saved = {r: midnights.data(r) for r in reps} if midnights is not None else {}
    reached = {r: saved[r][0] if saved.get(r) else 0.0 for r in reps}  # minutes run
    if bar:
        bar.update(sum(reached.values()))

    def done(result: ReplicationResult | Paused) -> Paused | None:
        r, paused = result.replication, isinstance(result, Paused)
        minute = result.minute if paused else cfg.horizon
        if bar:
            bar.update(minute - reached[r])
        reached[r] = minute
        if paused:
            midnights.save_data(r, minute, result.data)
            return result  # continued where it is (run_bounded)
        results[r] = result
        if store is not None:
            store.finished(result)
        return None

    with session(cfg.cluster.address, cfg.cluster.workers) as client:
        in_flight = IN_FLIGHT * slots(client)
        if store is None:
            run_bounded(client, run_replication, (cfg,), reps, in_flight, done)
        else:
            # a resumed state goes to the cluster once, not inside a task's arguments
            items = [(r, client.scatter(saved[r][1]) if saved[r] else None) for r in reps]
            fixed = (cfg, store.header["code"])
            run_bounded(client, replication_segment, fixed, items, in_flight, done)


def _take(it: Iterator[int], n: int) -> list[int]:
    return [r for _, r in zip(range(n), it, strict=False)]


def _progress_bar(cfg: Config, progress: bool) -> tqdm | None:
    if not progress:
        return None
    from tqdm.autonotebook import tqdm  # tqdm.auto would import asyncio (~0.1 s)

    unit, minutes = bar_unit(cfg.horizon)
    form = "{l_bar}{bar}| {n:.1f}/{total:.1f} simulated %ss [{elapsed}<{remaining}, {rate_fmt}]"
    return tqdm(
        total=cfg.horizon * cfg.replications,
        unit=unit,
        unit_scale=1.0 / minutes,
        desc=cfg.name,
        leave=False,
        mininterval=0.5,
        bar_format=form % unit,
    )


def bar_unit(horizon: float) -> tuple[str, float]:
    """The progress bar's unit for replications of ``horizon`` minutes, and its minutes.

    The bar is updated in simulated minutes and shown in days from a day on,
    in hours from an hour, else in minutes (a 10-minute run is not "0.0 days").
    """
    if horizon >= DAY:
        return "day", DAY
    if horizon >= 60.0:
        return "hour", 60.0
    return "minute", 1.0


def run_experiment(
    cfg: Config,
    progress: bool | None = None,
    checkpoint: str | Path | None = None,
    keep_checkpoint: bool = False,
) -> Results:
    """Validate ``cfg``, run its replications and collect the tables.

    With ``checkpoint`` (a file path; the command line gives
    ``<output folder>/.ccsim-checkpoint.pkl``) and ``cfg.checkpoint.every`` set,
    the run resumes from that file if it holds a checkpoint of the same
    configuration and code, saves into it at every ``every`` midnight and after
    each replication, and removes it at the end (unless ``keep_checkpoint``:
    the command line removes it once the results are published).
    """
    check_config(cfg)
    store = None
    if checkpoint is not None and cfg.checkpoint.every > 0:
        store = Checkpoints.open(cfg, checkpoint)  # refuses before anything runs
        if (line := store.resumed()) is not None:
            print(line, file=sys.stderr)
    notes = stability_warnings(cfg)
    for note in notes:
        warnings.warn(note, StabilityWarning, stacklevel=2)
    show = cfg.progress if progress is None else progress
    results = _run_all(cfg, show, store)
    if store is not None and not keep_checkpoint:
        store.remove()
    per_rep = pd.concat([r.kpis for r in results], ignore_index=True)
    intervals = pd.concat([r.intervals for r in results], ignore_index=True)
    contacts = levels = cases = stress = agent_states = days = weeks = months = None
    if cfg.stress.enabled:
        stress = pd.concat([r.stress for r in results], ignore_index=True)
    if cfg.keep_records:
        contacts = pd.concat([r.contacts for r in results], ignore_index=True)
        if not cfg.record_days:  # a sample of days lacks the contacts of the other days
            levels = levels_frame(contacts, {r.replication: r.end for r in results})
        agent_states = pd.concat([r.agent_states for r in results], ignore_index=True)
        if cfg.outcomes.enabled:
            cases = pd.concat([r.cases for r in results], ignore_index=True)
    if results[0].days is not None:
        days = pd.concat([r.days for r in results], ignore_index=True)
    if results[0].weeks is not None:
        weeks = pd.concat([r.weeks for r in results], ignore_index=True)
    if results[0].months is not None:
        months = pd.concat([r.months for r in results], ignore_index=True)
    kpis = summarise_replications(per_rep).merge(
        theory_for(cfg), on=["scope", "metric"], how="left"
    )
    hists = {d: sum(r.hist[d] for r in results) for d in DIMENSIONS}
    longest = {d: np.max([r.wait_max[d] for r in results], axis=0) for d in DIMENSIONS}
    waits = wait_histogram(hists, longest, kinds_and_strata(cfg)[2])
    baseline = staffing_baseline(cfg)
    return Results(
        cfg,
        kpis,
        per_rep,
        intervals,
        waits,
        baseline,
        contacts,
        levels,
        cases,
        stress,
        notes,
        agent_states,
        days,
        weeks,
        months,
    )


def wait_histogram(
    hists: dict[str, np.ndarray], longest: dict[str, np.ndarray], strata: Strata
) -> pd.DataFrame:
    """Non-empty bins of the wait histograms, one block per scope.

    The last, open bin (waits beyond the histogram's range) ends at the
    longest wait of its scope.
    """
    low = np.concatenate(([0.0], HIST_EDGES))
    frames = []
    for dim in ("all", "queue", "channel"):
        for k, (row, name) in enumerate(zip(hists[dim], strata.names[dim], strict=True)):
            high = np.concatenate(([0.0], HIST_EDGES[1:], [max(longest[dim][k], HIST_EDGES[-1])]))
            keep = row > 0
            frame = {
                "scope": scope_name(dim, name),
                "low": low[keep],
                "high": high[keep],
                "count": row[keep],
            }
            frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)
