"""The checkerboard kernel's parallel sweeps give the serial numbers bit for bit (statmech_nn.samplers.checkerboard).

A sweep on nb > 1 blocks runs, per block, black rows and then the white rows they complete, from lanes jumped
through GF(2) tables (black r_b draws on, white L + r_b + 1), then the white rows at block edges serially. The jump
is checked against stepping, with a negative control (a jump one draw short differs); whole chunks in 2-4 row blocks
(the kernel's ``threads`` argument, so more blocks than Numba threads are covered too, down to blocks of 12 rows)
are compared with the serial order, and chains at 1 and 2 Numba threads at a size where the parallel path is taken.
"""
from __future__ import annotations

import numba
import numpy as np
import pytest

from statmech_nn.rng import seed_sequence, xoshiro128_lanes
from statmech_nn.samplers import checkerboard as cb
from statmech_nn.samplers.ising import IsingChain
from statmech_nn.threads import SERIAL_WORK

two_threads = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 Numba threads")


def stepped(lanes, d):
    """xoshiro128+ lanes advanced d draws in plain Python."""
    out = lanes.copy()
    for k in range(out.shape[1]):
        a, b, c, e = (int(x) for x in out[:, k])
        for _ in range(d):
            t = (b << 9) & 0xFFFFFFFF
            c ^= a
            e ^= b
            b ^= c
            a ^= e
            c ^= t
            e = ((e << 11) | (e >> 21)) & 0xFFFFFFFF
        out[:, k] = a, b, c, e
    return out


def test_jump_equals_stepping():
    lanes = xoshiro128_lanes(seed_sequence(23), 5)
    distances = np.array([1, 33, 100], np.int64)
    tables = cb.jump_tables(distances)
    for table, d in zip(tables, distances):
        got = np.empty_like(lanes)
        cb.jump_lanes(table, lanes, got, lanes.shape[1])
        np.testing.assert_array_equal(got, stepped(lanes, int(d)))
        assert not np.array_equal(got, stepped(lanes, int(d) - 1))  # negative control: one draw short


def kernel_run(L, heat_bath, blocks):
    """Spins, lanes, energies and magnetizations after three rows of two sweeps in min(blocks, L // 16) row blocks,
    on all Numba threads."""
    spins = (1 - 2 * np.random.default_rng(L).integers(0, 2, size=(L, L))).astype(np.int8)
    lanes = xoshiro128_lanes(seed_sequence(29, L), L // 2)
    e, m = np.empty(3), np.empty(3)
    cb._chunk(spins, lanes, 0.44, 1.0, 0.1, heat_bath, 2, e, m, blocks)
    return spins, lanes, e, m


@pytest.mark.parametrize("heat_bath", [False, True])
@pytest.mark.parametrize("L", [2 * cb.MIN_BLOCK_ROWS, 34, 3 * cb.MIN_BLOCK_ROWS, 66])  # 34, 66: odd block starts
def test_blocks_bit_identical(L, heat_bath):
    serial = kernel_run(L, heat_bath, 1)
    for blocks in range(2, min(4, L // cb.MIN_BLOCK_ROWS) + 1):
        for a, b in zip(serial, kernel_run(L, heat_bath, blocks)):
            np.testing.assert_array_equal(a, b)


@two_threads
def test_chain_threads_bit_identical():
    """IsingChain at an L where threads.py's policy keeps both threads: same spins, lanes and rows."""
    L = 720
    assert cb.half_sweep_work(L) >= SERIAL_WORK  # the parallel path is the one taken
    runs = []
    for threads in (1, 2):
        chain = IsingChain(L=L, T=2.3, algorithm="metropolis", sweeps=4, burn_in=2, seed=seed_sequence(31))
        state = chain.init_state()
        previous = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            rows = {}
            while not rows:  # burn-in calls return no rows
                rows = chain.advance(state, 4)
        finally:
            numba.set_num_threads(previous)
        runs.append((state["spins"], state["rng"], rows["energy"][1], rows["magnetization"][1]))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
