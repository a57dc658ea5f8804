"""Worker processes that die with the process that started them.

A worker (a replication in a process pool, a sweep job in a joblib worker)
must not outlive its parent: killed with ``kill -9``, a parent runs no
clean-up, so each worker watches it. On Linux the kernel sends the worker
SIGKILL when its parent dies (``PR_SET_PDEATHSIG``); everywhere, a daemon
thread checks every half second that the parent is still the same process
and ends the worker if not.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

PR_SET_PDEATHSIG = 1
POLL = 0.5


def _death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here: the watching thread still works
        pass


def _watch(parent: int) -> None:
    stop = threading.Event()
    while not stop.wait(POLL):
        if os.getppid() != parent:
            os._exit(1)


def die_with_parent(parent: int) -> None:
    """End this process when process ``parent`` (its parent now) is gone."""
    _death_signal()
    if os.getppid() != parent:  # the parent died before we got here
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="watch-parent").start()


@contextlib.contextmanager
def loky_workers_die_with(parent: int) -> Iterator[None]:
    """Inside: joblib's ``loky`` workers call :func:`die_with_parent` as they start.

    Hydra's joblib launcher asks joblib for its ``loky`` backend by name and
    passes no initializer, so a worker would watch its parent only once a job
    reached it: killed between starting its workers and handing them their
    jobs, the parent left them waiting for a job (loky's idle timeout is five
    minutes). Here the name ``loky`` means a backend whose workers watch
    ``parent`` from their start; the previous one is put back on leaving.
    """
    from joblib import parallel
    from joblib._parallel_backends import LokyBackend

    class WatchingLoky(LokyBackend):
        def configure(self, n_jobs: int = 1, parallel: Any = None, **kwargs: Any) -> int:
            kwargs.update(initializer=die_with_parent, initargs=(parent,))
            return super().configure(n_jobs, parallel, **kwargs)

    before = parallel.BACKENDS["loky"]
    parallel.register_parallel_backend("loky", WatchingLoky)
    try:
        yield
    finally:
        parallel.BACKENDS["loky"] = before
