"""The batched learning kernels against the per-trial ones they replace, timed in the same run (process time, so
that other load on the machine cancels in the ratio as far as it can).

1. Gibbs students (``batched.gibbs_batch`` vs ``teacher_student.gibbs_trials``): the same students bit for bit; the
   batch runs every (trial, student) chain in one prange and its projection G ν as an axpy. Printed: trials per
   CPU-second of each and the ratio.
2. Exact enumeration of ±1 weights (``batched.ising_gibbs_batch`` vs ``ising_perceptron.ising_gibbs_trials``):
   pruned depth-first search vs the full Gray-code walk, same counts. Printed: trials per CPU-second and the ratio.

Targets (conservative floors under docs/learning.md's 1.9× and 4.5×): Gibbs >= 1.3×, enumeration >= 2.5× at
N = 23, α = 1 (the gap grows with N); a comparison whose two results differ fails.

    python benchmarks/learning_batched.py --N 100 --alpha 5 --trials 2 --ising-N 23 --ising-alpha 1.0
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.learning import batched, ising_perceptron, teacher_student  # noqa: E402
from _report import Targets  # noqa: E402

GIBBS_TARGET, ENUMERATION_TARGET = 1.3, 2.5  # batched / per-trial, trials per CPU-second


def timed(fn, *args, **kwargs):
    t0 = time.process_time()
    out = fn(*args, **kwargs)
    return out, time.process_time() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, default=100)
    ap.add_argument("--alpha", type=float, default=5.0)
    ap.add_argument("--trials", type=int, default=2)
    ap.add_argument("--ising-N", type=int, default=23)
    ap.add_argument("--ising-alpha", type=float, default=1.0)
    args = ap.parse_args(argv)

    # compile both on a small problem first
    teacher_student.gibbs_trials(8, 1.0, 0, 0, range(1), steps=5)
    batched.gibbs_batch(8, 1.0, 0, 0, range(1), steps=5)
    ising_perceptron.ising_gibbs_trials(5, 1.0, 0, 0, range(1))
    batched.ising_gibbs_batch(5, 1.0, 0, 0, range(1))

    trials = range(args.trials)
    ref, t_ref = timed(teacher_student.gibbs_trials, args.N, args.alpha, 1, 0, trials)
    new, t_new = timed(batched.gibbs_batch, args.N, args.alpha, 1, 0, trials)
    same = all(np.array_equal(a, b) for a, b in zip(ref, new))
    targets = Targets()
    print(f"Gibbs students identical: {same}")
    targets.ratio(f"Gibbs students, N = {args.N}, alpha = {args.alpha} (batched vs per-trial)", args.trials / t_new,
                  args.trials / t_ref, GIBBS_TARGET, " trials/CPU-s", valid=same)

    ref, t_ref = timed(ising_perceptron.ising_gibbs_trials, args.ising_N, args.ising_alpha, 1, 0, range(1))
    new, t_new = timed(batched.ising_gibbs_batch, args.ising_N, args.ising_alpha, 1, 0, range(1))
    same = np.allclose(ref[0], new[0], rtol=1e-12) and np.array_equal(ref[1], new[1])
    print(f"Ising enumeration same counts: {same}")
    targets.ratio(f"Ising enumeration, N = {args.ising_N}, alpha = {args.ising_alpha} (pruned vs Gray code)",
                  1 / t_new, 1 / t_ref, ENUMERATION_TARGET, " trials/CPU-s", valid=same)
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
