"""Output folders a run owns: it never deletes or overwrites what it did not write.

A run writes into a fresh *staging* folder inside its output folder
(``.ccsim-staging-*``, marked inside; an empty one is a run's too), then
*publishes*: it lists the files it is about to move in a journal
(``.ccsim-pending.json``), moves them into the output folder, writes the
*manifest* (``done.json``: the configuration's digest and every file of the
result) last and atomically, and removes the journal. A folder is a finished
result exactly when it holds a valid manifest, so a run killed at any point
(even ``kill -9``) leaves no folder that looks finished unless it is. Its
leftovers (staging folders, files named in a journal) are recognised as a ccsim
run's own and removed by the next run into that folder, and only those.

Every other entry of the folder is *foreign*: it is never removed or
overwritten. A run refuses, with one line, to write into a folder that holds
foreign entries or a finished result of another configuration, unless told
``overwrite=true``; then an earlier result is retired (its manifest becomes a
journal first, so that a kill mid-way leaves nothing that looks finished)
and the new files go beside the foreign ones, never over them.

While a run writes, it holds an exclusive ``flock`` on the folder itself
(released by the kernel if the process dies), so a second run into the same
folder refuses cleanly at once instead of mixing files.

``CCSIM_KILL_AT=<point>`` in the environment kills the process with SIGKILL
at a named point of the writer (``claimed``, ``staged``, ``publishing``,
``manifest``, ``retiring``): the hook the tests use to prove the above.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.config.errors import OutputError
from sim.core import checkpoint as ckpt
from sim.core.checkpoint import NAME as CHECKPOINT

MANIFEST = "done.json"
PENDING = ".ccsim-pending.json"
STAGING = ".ccsim-staging-"
STAGING_MARK = ".ccsim-staging"
TMP_SUFFIX = ".ccsim-tmp"
KILL_ENV = "CCSIM_KILL_AT"


def fault(point: str) -> None:
    """Die here, abruptly, if the environment asks for it (tests of crash safety)."""
    if os.environ.get(KILL_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``, or None (missing, partial or not an object)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file, then one rename)."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=str))
    os.replace(tmp, path)


def _files(data: dict[str, Any] | None) -> list[str] | None:
    files = data.get("files") if data else None
    if isinstance(files, list) and all(isinstance(f, str) and "/" not in f for f in files):
        return files
    return None


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of a finished result in folder ``path``, or None."""
    data = read_json(Path(path) / MANIFEST)
    if data is None or _files(data) is None or not isinstance(data.get("digest"), str):
        return None
    return data


@dataclass(frozen=True)
class FolderState:
    """What an output folder holds: a finished result, a run's leftovers, foreign entries."""

    path: Path
    exists: bool
    manifest: dict[str, Any] | None = None
    ours: frozenset[str] = frozenset()
    foreign: tuple[str, ...] = ()
    staging: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        """Whether the folder holds a finished result."""
        return self.manifest is not None

    @property
    def empty(self) -> bool:
        """Whether the folder is missing or holds nothing."""
        return not self.ours and not self.foreign


def _is_staging(path: Path) -> bool:
    """A staging folder of ours: named so, and marked inside or empty.

    Empty, because a run stopped between creating the folder and marking it, or
    between removing the mark and the folder (:func:`remove_staging` removes the
    mark last), leaves it so; the prefix is ccsim's, and an empty folder holds
    nothing to lose.
    """
    if not path.name.startswith(STAGING) or path.is_symlink() or not path.is_dir():
        return False
    return (path / STAGING_MARK).is_file() or not any(path.iterdir())


def remove_staging(path: Path) -> None:
    """Remove a staging folder, its mark last: stopped part-way, it is still recognised."""
    if not path.is_dir() or path.is_symlink():
        return
    for entry in os.listdir(path):
        if entry != STAGING_MARK:
            _remove(path / entry)
    (path / STAGING_MARK).unlink(missing_ok=True)
    path.rmdir()


def inspect(path: str | Path) -> FolderState:
    """Classify the entries of an output folder (see the module docstring)."""
    path = Path(path)
    if not path.is_dir():
        if path.exists():
            raise OutputError(f"{path} must be a folder, but it is a file")
        return FolderState(path, False)
    entries = set(os.listdir(path))
    manifest = read_manifest(path)
    pending = _files(read_json(path / PENDING)) or []
    staging = [e for e in entries if _is_staging(path / e)]
    ours = set(staging) | (set(pending) & entries)
    ours |= {e for e in entries if e in (PENDING, MANIFEST + TMP_SUFFIX, PENDING + TMP_SUFFIX)}
    ours |= {p.name for p in ckpt.all_files(path / CHECKPOINT)}  # a long run's, to resume
    ours |= {p.name for p in ckpt.temporary_files(path / CHECKPOINT)}
    if manifest is not None:
        ours |= (set(_files(manifest)) & entries) | {MANIFEST}
    foreign = tuple(sorted(entries - ours))
    return FolderState(
        path, True, manifest, frozenset(ours), foreign, tuple(staging), tuple(pending)
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _examples(names: Iterable[str], n: int = 3) -> str:
    names = list(names)
    shown = ", ".join(names[:n])
    return shown + (f" and {len(names) - n} more" if len(names) > n else "")


def check_target(
    state: FolderState, digest: str, overwrite: bool, will_write: Iterable[str] = ()
) -> bool:
    """Whether the folder already holds this result (True); raise OutputError if it may not take it.

    ``will_write`` names the files the run may write: one that exists as a
    foreign entry is refused even with ``overwrite``.
    """
    if state.finished and state.manifest["digest"] == digest:
        return True
    if state.finished and not overwrite:
        raise OutputError(
            f"{state.path} holds a finished result of another configuration; add overwrite=true "
            "to replace it, or choose another folder"
        )
    if state.foreign and not overwrite:
        held = _count(len(state.foreign), "entry", "entries")
        raise OutputError(
            f"{state.path} is not empty: it holds {held} no ccsim run "
            f"wrote ({_examples(state.foreign)}); choose a new or empty folder, or add "
            "overwrite=true to write beside them (they are never touched)"
        )
    clash = sorted(set(state.foreign) & set(will_write))
    if clash:
        raise OutputError(
            f"{state.path / clash[0]} was not written by a ccsim run and would be overwritten; "
            "move it or choose another folder"
        )
    return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def make_dirs(path: Path) -> list[Path]:
    """Create ``path`` and its missing parents; return those created, outermost first."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    path.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def remove_if_empty(dirs: list[Path]) -> None:
    """Remove the folders this run created, innermost first, while they are empty."""
    for d in reversed(dirs):
        try:
            d.rmdir()
        except OSError:
            return


@contextlib.contextmanager
def folder_lock(path: Path):
    """Hold an exclusive lock on a folder; OutputError at once if another run holds it."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise OutputError(f"another run is writing into {path}; this one did not start") from None
    try:
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def clean_leftovers(state: FolderState) -> None:
    """Remove what an interrupted run of ours left in the folder (nothing else)."""
    path = state.path
    for name in state.staging:
        remove_staging(path / name)
    if state.pending and not state.finished:  # files of a run that never finished
        for name in state.pending:
            _remove(path / name)
    for name in (PENDING, MANIFEST + TMP_SUFFIX, PENDING + TMP_SUFFIX):
        (path / name).unlink(missing_ok=True)
    for p in ckpt.temporary_files(path / CHECKPOINT):
        p.unlink(missing_ok=True)


def retire(path: Path) -> None:
    """Remove a finished result: its manifest becomes a journal first, then its files go."""
    os.replace(path / MANIFEST, path / PENDING)
    fault("retiring")
    for name in _files(read_json(path / PENDING)) or []:
        _remove(path / name)
    (path / PENDING).unlink(missing_ok=True)


@dataclass
class Claim:
    """One run's hold on its output folder: lock, staging, publish (use as a context manager).

    ``finished`` tells, after entering, that the folder already holds this
    configuration's result (``reuse=True``, the command line's resume): write
    nothing then. With ``reuse=False`` such a result is replaced.
    """

    path: Path
    digest: str
    overwrite: bool = False
    reuse: bool = True
    will_write: tuple[str, ...] = ()
    finished: bool = False
    staging: Path | None = None
    published: bool = False
    _created: list[Path] = field(default_factory=list)
    _lock: Any = None

    def __enter__(self) -> Claim:
        try:
            self._created = make_dirs(self.path)
        except OSError as err:
            raise OutputError(f"cannot create {self.path}: {err.strerror}") from None
        lock = folder_lock(self.path)
        try:
            lock.__enter__()
        except OutputError:
            remove_if_empty(self._created)
            raise
        self._lock = lock
        try:
            self._prepare()
        except BaseException:
            if self.staging is not None:  # stopped while marking it (Ctrl-C)
                with contextlib.suppress(OSError):
                    remove_staging(self.staging)
            self._release()
            raise
        return self

    def _prepare(self) -> None:
        state = inspect(self.path)
        same = check_target(state, self.digest, self.overwrite, self.will_write)
        if same and self.reuse:
            self.finished = True
            return
        clean_leftovers(state)
        if state.finished:
            retire(self.path)
        self.staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=self.path))
        (self.staging / STAGING_MARK).touch()
        fault("claimed")

    def publish(self, info: dict[str, Any]) -> list[Path]:
        """Move the staged files into the folder and write the manifest last."""
        assert self.staging is not None
        fault("staged")
        names = sorted(n for n in os.listdir(self.staging) if n != STAGING_MARK)
        clash = sorted(set(inspect(self.path).foreign) & set(names))
        if clash:
            raise OutputError(
                f"{self.path / clash[0]} appeared while the run wrote and was not written by a "
                "ccsim run; nothing was published"
            )
        write_json(self.path / PENDING, {"files": names, "pid": os.getpid()})
        for i, name in enumerate(names):
            os.replace(self.staging / name, self.path / name)
            if i == len(names) // 2:
                fault("publishing")
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        write_json(
            self.path / MANIFEST, {**info, "digest": self.digest, "files": names, "written": stamp}
        )
        self.published = True
        fault("manifest")
        (self.path / PENDING).unlink(missing_ok=True)
        for p in ckpt.all_files(self.checkpoint):  # the run is over: its checkpoint goes
            p.unlink()
        return [self.path / n for n in names]

    @property
    def checkpoint(self) -> Path:
        """Where a long run keeps its checkpoint (kept by interrupted runs, resumed from)."""
        return self.path / CHECKPOINT

    def __exit__(self, kind: type | None, err: BaseException | None, tb: Any) -> None:
        try:
            if self.staging is not None:
                with contextlib.suppress(OSError):
                    remove_staging(self.staging)
            if not self.published and (self.path / PENDING).exists():
                clean_leftovers(inspect(self.path))
        finally:
            self._release()
        if isinstance(err, OSError):
            raise OutputError(
                f"cannot write the results into {self.path}: {err.strerror or err}"
                + (f" ({err.filename})" if err.filename else "")
                + "; nothing was published"
            ) from err

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None
        remove_if_empty(self._created)
