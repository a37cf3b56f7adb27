"""A BLAS call followed by a Numba parallel region (and the reverse), with and without the package's threading
policy (:mod:`statmech_nn.threads`), timed in the same run.

Each round is one matrix product (``--n`` × ``--n``, NumPy/OpenBLAS) and one Numba ``prange`` kernel of similar
cost. "separate" times the two loops one after the other; "alternating" interleaves them. Without the policy both
pools use every core and their idle threads spin into each other's work; under ``owned_by("numba")`` BLAS runs on
one thread, under ``owned_by("blas")`` Numba does. The target: alternating costs at most 1.3× the separate loops.

    python benchmarks/threading_policy.py [--n 300] [--rounds 200] [--repeat 5]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numba
import numpy as np
from numba import njit, prange

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to

from statmech_nn.threads import owned_by  # noqa: E402

TARGET = 1.3


@njit(parallel=True, cache=True)
def relax(x, iterations):
    """A Numba parallel region: ``iterations`` multiply-adds per element."""
    out = np.empty_like(x)
    for i in prange(x.size):
        s = x[i]
        for _ in range(iterations):
            s = s * 0.999999 + 1e-6
        out[i] = s
    return out


def best(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="matrix size of the BLAS product")
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)
    m = np.random.default_rng(0).random((a.n, a.n))
    x = np.random.default_rng(1).random(4000)
    iterations = 100

    def blas_loop():
        for _ in range(a.rounds):
            m @ m

    def numba_loop():
        for _ in range(a.rounds):
            relax(x, iterations)

    def alternating():
        for _ in range(a.rounds):
            m @ m
            relax(x, iterations)

    relax(x, 1)  # compile, and load the threading layer
    print(f"{numba.get_num_threads()} Numba threads ({numba.threading_layer()} layer), "
          f"{a.rounds} rounds of a {a.n}² product and a prange kernel; best of {a.repeat}, ms per round")
    worst = 0.0
    for label, context in (("no policy", None), ("owned_by('numba')", "numba"), ("owned_by('blas')", "blas")):
        def timed(fn):
            if context is None:
                return best(fn, a.repeat)
            with owned_by(context):
                return best(fn, a.repeat)
        separate = timed(blas_loop) + timed(numba_loop)
        together = timed(alternating)
        ratio = together / separate
        ms = 1e3 / a.rounds
        verdict = "" if context is None else (" PASS" if ratio <= TARGET else " FAIL")
        if context is not None:
            worst = max(worst, ratio)
        print(f"{label:>18}: separate {separate * ms:7.3f}  alternating {together * ms:7.3f}  "
              f"ratio {ratio:5.2f}x (target <= {TARGET}x under the policy){verdict}")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
