"""The package's threading policy: in every phase of a run exactly one layer owns the cores.

Two thread pools compete for the same cores: Numba's (``prange`` regions, OpenMP/TBB/workqueue) and the BLAS
library's (OpenBLAS under NumPy and SciPy). Both keep their threads spinning for a while after a call, so
alternating them starves each other: a Numba parallel region right after a two-thread matrix product ran ~10×
slower on two cores than alone (``benchmarks/threading_policy.py`` measures it). The rules, applied in one place:

* **Budget.** A process may use as many threads as Numba is set to use outside any owned block: all the CPUs
  it may run on (:func:`cores`) by default; a sweep worker sets fewer (threads × processes ≤ cores), and a user
  may call ``numba.set_num_threads``.
* **Owner.** Each phase of a :class:`~statmech_nn.runner.Simulation` is owned by ``"numba"`` (the default: Numba
  gets the budget, BLAS one thread) or by ``"blas"`` (BLAS gets the budget, Numba one thread); a study declares it
  in ``Simulation.threads``, and the base class enters :func:`owned_by` around every kernel call. Library users
  who call kernels directly may wrap their code in :func:`owned_by` themselves.
* **Granularity.** A Numba kernel call too small to repay waking the other threads runs on one
  (:func:`threads_for`).

Every kernel gives the same numbers for any thread count, so the policy changes speed only.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache

import numba

#: Who may own the cores in a phase.
OWNERS = ("numba", "blas")

#: Below this many multiply-adds per kernel call, one thread is faster than waking the others.
SERIAL_WORK = 1_000_000

_outer: int | None = None  # the budget, while an owned_by block runs


def cores() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def budget() -> int:
    """Threads this process may use: Numba's thread count outside any :func:`owned_by` block."""
    return _outer if _outer is not None else numba.get_num_threads()


@lru_cache(maxsize=1)
def _blas():
    """One controller for every BLAS the process has loaded (NumPy's and SciPy's), made on first use."""
    import scipy.linalg  # noqa: F401 - loads SciPy's BLAS so the controller sees it too
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


@contextmanager
def owned_by(owner: str):
    """Give the :func:`budget` to ``owner`` ("numba" or "blas") for the block and one thread to the other."""
    global _outer
    if owner not in OWNERS:
        raise ValueError(f"threads owner must be one of {OWNERS}, not {owner!r}")
    outer, numba_before = _outer, numba.get_num_threads()
    _outer = n = budget()
    numba.set_num_threads(n if owner == "numba" else 1)
    try:
        with _blas().limit(limits=1 if owner == "numba" else n):
            yield
    finally:
        numba.set_num_threads(numba_before)
        _outer = outer


@contextmanager
def threads_for(work: float):
    """Run the block on one Numba thread if a kernel call in it does fewer than :data:`SERIAL_WORK`
    multiply-adds; otherwise leave the thread count alone."""
    n = numba.get_num_threads()
    if work >= SERIAL_WORK or n == 1:
        yield
        return
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(n)
