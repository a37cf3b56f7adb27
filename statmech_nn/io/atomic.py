"""Safe writing: one writer per output file, complete files replaced atomically, clean failures on full disks.

* :class:`WriterLock` — an exclusive ``flock`` on ``.NAME.lock`` beside the output, held by the writing process for
  the whole run (or sweep). A second writer — a new run, ``--overwrite`` or ``--resume`` — is refused at once with
  the holder's process id (a sweep worker waits for it instead: a worker of a killed driver may still be saving); the kernel drops the lock when its holder dies (even by ``kill -9``), so a stale lock
  never blocks a resume. While holding it, leftover temporary files of dead writers are removed.
* :func:`atomic_write` — build the new file in memory, write it to a temporary sibling (``.NAME.partial.<pid>``,
  one per process), fsync it and ``os.replace`` it over the target; on any failure the temporary file is removed
  and the target is untouched. A full disk or a permission error becomes a
  :class:`~statmech_nn.errors.StorageError` (one line, exit 1).
"""
from __future__ import annotations

import errno
import fcntl
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import h5py

from ..errors import OutputError, StorageError


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(f".{path.name}.{suffix}")


def temporary_path(path: Path) -> Path:
    """This process's temporary sibling of ``path``."""
    return _sibling(path, f"partial.{os.getpid()}")


class WriterLock:
    """The exclusive right to write ``path``; use as a context manager (see the module docstring)."""

    def __init__(self, path: str | os.PathLike, what: str = "file", wait: bool = False):
        self.path = Path(path)
        self.lock_path = _sibling(self.path, "lock")
        self.what, self.wait = what, wait
        self._fd: int | None = None

    def __enter__(self) -> WriterLock:
        while True:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
                os.close(fd)
                raise OutputError(f"{self.path}: another writer holds this {self.what} ({holder}); "
                                  "wait for it to finish or stop it, then --resume") from None
            try:  # the lock file may have been removed (and recreated) by a writer that just finished
                same = os.path.samestat(os.fstat(fd), os.stat(self.lock_path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()} on {socket.gethostname()} since "
                      f"{time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        self._fd = fd
        for stale in self.path.parent.glob(f".{self.path.name}.partial*"):
            stale.unlink(missing_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            try:
                self.lock_path.unlink(missing_ok=True)  # still holding the lock: nobody else can be mid-acquire
            finally:
                os.close(self._fd)
                self._fd = None


def describe_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC or "No space left" in str(exc) or "file write failed" in str(exc):
        return "no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    return " ".join(str(exc).split()) or type(exc).__name__


def _fsync_directory(path: Path) -> None:
    """Make a rename in ``path``'s directory durable."""
    try:
        fd = os.open(path.parent if str(path.parent) else ".", os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, build: Callable[[h5py.File], None], intact: str, **file_options) -> None:
    """Build the new HDF5 file with ``build(f)`` in memory, then write its bytes to a temporary sibling, fsync it
    and replace ``path`` atomically. HDF5 itself never touches the disk: a full disk fails a plain ``write`` (which
    HDF5's own I/O would turn into a corrupted library state and, on closing, a crash). On failure the temporary
    file is removed, ``path`` is untouched and a one-line :class:`StorageError` ends with ``intact`` (e.g. "the run
    is intact up to row 120; free space and --resume")."""
    with h5py.File(f"{path.name}.{os.getpid()}.image", "w", driver="core", backing_store=False,
                   **file_options) as f:
        build(f)
        f.flush()
        image = f.id.get_file_image()
    tmp = temporary_path(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(image)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_directory(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"{describe_os_error(exc)} writing {path}: {intact}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
