"""Worker processes that die with the process that started them.

A worker (a replication in a process pool, a sweep job in a joblib worker)
must not outlive its parent: killed with ``kill -9``, a parent runs no
clean-up, so each worker watches it. On Linux the kernel sends the worker
SIGKILL when its parent dies (``PR_SET_PDEATHSIG``); everywhere, a daemon
thread checks every half second that the parent is still the same process
and ends the worker if not.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

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
