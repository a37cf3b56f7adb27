"""Executors for sweeps. The runner takes any :class:`concurrent.futures.Executor`:

* :class:`LocalPool` — local worker processes, the default; started with ``spawn`` (Numba's thread pools are not
  fork-safe) and remade by the runner when a worker dies (``BrokenProcessPool``);
* :func:`dask_executor` — ``distributed.Client(address).get_executor()`` for an existing cluster, or a
  ``LocalCluster`` of single-threaded worker processes for ``scheduler="local"``;
* ``mpi4py.futures.MPIPoolExecutor()`` — pass it to ``run_sweep(..., executor=...)``; see docs/sweeps.md.

Numba threads × processes ≤ cores: each task gets ``numba_threads(workers)`` and calls ``numba.set_num_threads``.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from collections.abc import Iterator

from ..errors import StatmechError
from ..threads import cores
from .worker import describe, init_pool_worker


class SchedulerError(StatmechError):
    """A Dask scheduler that cannot be reached or started."""


def numba_threads(workers: int) -> int:
    """Numba threads per task when ``workers`` tasks share this machine's cores."""
    return max(1, cores() // workers)


class LocalPool(Executor):
    """A pool of ``workers`` spawned processes; :meth:`restart` replaces it after a worker died."""

    def __init__(self, workers: int):
        self.workers = workers
        self._interrupted = False
        self._pool = self._make()

    def _make(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=init_pool_worker, initargs=(numba_threads(self.workers), os.getpid()))

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._pool.submit(fn, *args, **kwargs)

    def interrupt(self) -> None:
        """Send SIGTERM to the workers: a running point saves its shard at the next chunk and stops (the runner
        treats SIGTERM as Ctrl-C); an idle or starting worker just ends (SIGINT would print a traceback from a
        worker still importing)."""
        self._interrupted = True
        self._signal(signal.SIGTERM)

    def _signal(self, signum: int) -> None:
        for process in list((getattr(self._pool, "_processes", None) or {}).values()):
            try:
                os.kill(process.pid, signum)
            except (ProcessLookupError, AttributeError):
                pass

    def restart(self) -> None:
        """Drop the broken pool (its surviving workers stop at their next chunk) and start a fresh one."""
        self._pool.shutdown(wait=False)
        self._pool = self._make()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._interrupted:  # shards are committed atomically: stopping a worker loses no complete data
            self._signal(signal.SIGTERM)  # any that started after the interrupt
            cancel_futures = True
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


@contextmanager
def dask_executor(scheduler: str, workers: int | None = None, dashboard: str | None = None) -> Iterator[Executor]:
    """A Dask executor for the scheduler at ``scheduler``, or, for ``"local"``, a LocalCluster of ``workers``
    single-threaded processes (default: all cores) whose environment sets ``NUMBA_NUM_THREADS`` before Numba loads.
    A local cluster listens on 127.0.0.1 only and has no dashboard unless ``dashboard`` gives its address
    (e.g. ``127.0.0.1:8787``)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SchedulerError("--scheduler needs dask[distributed]: pip install 'dask[distributed]'") from None
    cluster = None
    try:
        if scheduler == "local":
            n = workers or cores()
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=dashboard, env={"NUMBA_NUM_THREADS": str(numba_threads(n))})
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=10)
    except (OSError, ValueError, TypeError) as exc:
        if cluster is not None:
            cluster.close()
        raise SchedulerError(f"parameter 'scheduler': got {scheduler!r}; cannot use it ({describe(exc)})") from None
    try:
        yield client.get_executor(pure=False)  # a resubmitted task runs again, not Dask's cached failure
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
