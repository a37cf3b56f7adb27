"""Numba threads for small kernels.

Entering a ``prange`` region wakes every Numba worker thread; for a kernel of a few thousand multiply-adds that
costs more than the work, and on a busy machine far more (a CD epoch of a 9 × 16 RBM ran 20× slower on two
threads than on one). Kernels here give identical numbers for any thread count, so the choice is only speed.
"""
from __future__ import annotations

from contextlib import contextmanager

import numba

#: Below this many multiply-adds per kernel call, one thread is faster than waking the others.
SERIAL_WORK = 1_000_000


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
