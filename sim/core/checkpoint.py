"""Checkpoint files of long runs: a run's state at a midnight, written atomically.

A checkpoint is ``.ccsim-checkpoint.pkl`` inside the run's output folder,
with one file beside it per finished replication
(``.ccsim-checkpoint-r3.pkl``: replication 3's tables, written once, when it
finishes). Each file starts with a magic line and a JSON header (format, code
version, the configuration's numbers-relevant keys, the replication and
minute, the payload's length and SHA-256), then the pickled payload. The main
file holds, between midnights of a replication run serially, that
replication's live state (the model with its event queue and random streams,
the record sink, the case sink); a replication run in a worker process keeps its
state in a file of its own, written by the worker at its midnights
(``.ccsim-checkpoint-s3.pkl``, removed once the replication's finished file is
written). A replication running as a task of a Dask cluster, whose worker may not
see the run's folder, runs from one saving midnight to the next and sends its state
back as the task's result; the run's process writes it into the same running file
and sends it with the task that continues the replication. The live state is small
beside a year's finished tables,
and rewriting it never rewrites them (a run of many replications writes each
finished table once, not once per later save). Every file is written to a
temporary file beside it and renamed over it (``os.replace``), so a kill at any
moment leaves the previous file or the new one, never half of one.

Reading checks, before anything is unpickled, that each file is a checkpoint,
that it was written by this code (a digest of the ``sim`` package's sources,
with the Python, NumPy and SimPy versions) and for this configuration (the
differing keys are named), and that the payload is whole (length and SHA-256).
A checkpoint is trusted like code: it is a pickle, read only from the run's own
output folder. Not done: saving between midnights.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import pickle
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.config.base import NOT_NUMBERS
from sim.config.errors import OutputError

NAME = ".ccsim-checkpoint.pkl"
MAGIC = b"CCSIM-CHECKPOINT\n"
FORMAT = 1
ITERTOOLS_WARNING = r"Pickle, copy, and deepcopy support will be removed from itertools"
TMP = ".ccsim-tmp"  # the suffix of files being written (sim.study.folders.TMP_SUFFIX)


class CheckpointError(OutputError):
    """A checkpoint cannot be resumed from (the message says why and what to do)."""


def code_version() -> str:
    """Digest of the code a checkpoint's pickle depends on: ``sim``'s sources and versions."""
    import numpy
    import simpy

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(f"{sys.version_info[:2]} {numpy.__version__} {simpy.__version__}".encode())
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def config_keys(cfg: Any) -> dict[str, str]:
    """The configuration's numbers-relevant keys, flattened (``agents.team.count``), as text."""
    out: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict) and value:
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k))
        else:
            out[path] = json.dumps(value, sort_keys=True, default=str)

    content = dataclasses.asdict(cfg)
    walk({k: v for k, v in content.items() if k not in NOT_NUMBERS}, "")
    return out


def differing(a: dict[str, str], b: dict[str, str]) -> list[str]:
    """Keys whose values differ between two :func:`config_keys` (or that only one has)."""
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def finished_path(main: Path, replication: int) -> Path:
    """The file of finished ``replication`` beside checkpoint ``main`` (``<stem>-r3<suffix>``)."""
    return main.with_name(f"{main.stem}-r{replication}{main.suffix}")


def running_path(main: Path, replication: int) -> Path:
    """The live state of ``replication`` run by a worker process (``<stem>-s3<suffix>``)."""
    return main.with_name(f"{main.stem}-s{replication}{main.suffix}")


def _names(main: Path, tail: str) -> dict[tuple[str, int] | None, Path]:
    """Files beside ``main`` named like it or its replications' files, then ``tail``.

    Keyed by ``("r", 3)`` (finished replication 3), ``("s", 3)`` (its running
    state) or None (the main file).
    """
    stem, end = re.escape(main.stem), re.escape(main.suffix + tail)
    pattern = re.compile(stem + r"(?:-([rs])(\d+))?" + end + r"\Z")
    try:
        names = os.listdir(main.parent)
    except OSError:
        return {}
    found = {n: pattern.match(n) for n in names}
    return {(m[1], int(m[2])) if m[1] else None: main.parent / n for n, m in found.items() if m}


def _of_kind(main: Path, kind: str) -> dict[int, Path]:
    return {key[1]: p for key, p in _names(main, "").items() if key and key[0] == kind}


def finished_files(main: Path) -> dict[int, Path]:
    """The finished-replication files beside checkpoint ``main``, by replication.

    By name only: whether each one is a checkpoint is the caller's check.
    """
    return _of_kind(main, "r")


def running_files(main: Path) -> dict[int, Path]:
    """The worker processes' running-state files beside ``main``, by replication (by name)."""
    return _of_kind(main, "s")


def temporary_files(main: Path) -> list[Path]:
    """Half-written checkpoint files beside ``main`` (a run killed while writing one)."""
    return list(_names(main, TMP).values())


def all_files(main: Path) -> list[Path]:
    """Checkpoint ``main`` and the files beside it named like its own that are checkpoints."""
    paths = list(_names(main, "").values())
    return [p for p in paths if not p.is_symlink() and is_checkpoint(p)]


def is_checkpoint(path: Path) -> bool:
    """Whether ``path`` is a file that starts like a checkpoint (a run's own file)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def dumps(payload: Any) -> bytes:
    """A checkpoint's payload as the bytes a file holds after its header."""
    with _itertools_pickling():
        return pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    """The payload of :func:`dumps`'s bytes."""
    with _itertools_pickling():
        return pickle.loads(data)


def write(path: Path, header: dict[str, Any], payload: Any) -> int:
    """Write a checkpoint atomically (temporary file, fsync, rename); return its size in bytes."""
    return write_data(path, header, dumps(payload))


def write_data(path: Path, header: dict[str, Any], data: bytes) -> int:
    """Write a checkpoint of an already pickled payload (:func:`dumps`), as :func:`write`."""
    head = {**header, "format": FORMAT, "bytes": len(data), "sha256": _sha(data)}
    tmp = path.with_name(path.name + TMP)
    with open(tmp, "wb") as f:
        f.write(MAGIC)
        f.write(json.dumps(head, sort_keys=True).encode() + b"\n")
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return len(MAGIC) + len(data)


def read_header(path: Path) -> tuple[dict[str, Any], int]:
    """A checkpoint's header and where its payload starts; CheckpointError if it is not one."""
    with open(path, "rb") as f:
        magic = f.read(len(MAGIC))
        line = f.readline()
        start = f.tell()
    try:
        head = json.loads(line) if magic == MAGIC else None
    except ValueError:
        head = None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise CheckpointError(_corrupt(path, "its header is not a ccsim checkpoint's"))
    return head, start


def check_header(path: Path, head: dict[str, Any], code: str, keys: dict[str, str]) -> None:
    """Refuse a checkpoint of another code version or configuration (naming the keys)."""
    if head.get("code") != code:
        raise CheckpointError(
            f"{path} was written by another version of ccsim (its code or Python, NumPy or "
            "SimPy changed since), so the run cannot resume from it; add overwrite=true to "
            "discard it and start again"
        )
    diff = differing(head.get("config") or {}, keys)
    if diff:
        shown = ", ".join(diff[:5]) + (f" and {len(diff) - 5} more" if len(diff) > 5 else "")
        raise CheckpointError(
            f"{path} is a checkpoint of another configuration (differs in {shown}); run the "
            "same configuration to resume, or add overwrite=true to discard it and start again"
        )


def read_data(path: Path, head: dict[str, Any], start: int) -> bytes:
    """The checkpoint's pickled payload, once its length and SHA-256 match the header's."""
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read()
    if len(data) != head.get("bytes") or _sha(data) != head.get("sha256"):
        raise CheckpointError(
            _corrupt(path, f"{len(data)} bytes of {head.get('bytes')}, or altered")
        )
    return data


def read_payload(path: Path, head: dict[str, Any], start: int) -> Any:
    """The checkpoint's payload, once its length and SHA-256 match the header's."""
    data = read_data(path, head, start)
    try:
        return loads(data)
    except Exception as err:  # a pickle of classes that changed: the code check missed it
        raise CheckpointError(_corrupt(path, f"it does not load: {err}")) from None


@contextlib.contextmanager
def _itertools_pickling() -> Iterator[None]:
    """Quiet Python 3.12 and 3.13 about pickling ``itertools`` objects, and only that.

    They warn that 3.14 removes it; where it is removed the streams are not
    ``itertools`` objects (:mod:`sim.core.streams`), so the warning is not the user's
    to act on. Any other warning is shown as usual.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ITERTOOLS_WARNING, DeprecationWarning)
        yield


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _corrupt(path: Path, why: str) -> str:
    return (
        f"{path} is corrupt ({why}); add overwrite=true to discard it and start again, or remove it"
    )
