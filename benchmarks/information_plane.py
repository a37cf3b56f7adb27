"""Information-plane estimators: MI evaluations per second for one layer of width 10 on the 4096 inputs of
tishby12, each estimator against a plain numpy implementation of the same formula timed in the same run; and,
with ``--full-run``, the wall and CPU time of a full 8000-epoch info-plane run.

An evaluation is one (I(X;T), I(T;Y)) pair of one layer. The layer is the first hidden layer (width 10, tanh) of a
12-10-7-5-4-3-2 network at initialisation. Baselines:

* binning:  np.digitize of every unit, then np.unique(rows, axis=0) for H(T) and again with the label for H(T,Y);
* kde:      the 4096 × 4096 squared-distance matrix by the Gram trick, exp, row sums (both bounds), numpy;
* ksg:      the same noisy layer, max-norm distance matrix in numpy, np.partition for the k-th distances and
            comparisons for the neighbour counts (the package uses scipy's k-d tree).

The two results of each pair are printed; they must agree (to 1e-9 bits, else the comparison fails).
Targets (conservative floors under docs/information_plane.md's 2.3×, 5.8×, 5.1× on a loaded machine): binning
>= 1.5×, KDE >= 3×, KSG >= 2.5× the numpy rate.

    python benchmarks/information_plane.py [--repeats 5] [--full-run]
"""
from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from pathlib import Path

import numpy as np
from scipy.special import digamma

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.information import binned_mi, knn_mi, pairwise_mi  # noqa: E402
from statmech_nn.nets import MLP, data  # noqa: E402
from statmech_nn.rng import seed_sequence  # noqa: E402
from _report import Targets  # noqa: E402

NOISE_VAR, K, BINS = 0.1, 3, 30
TARGETS = {"binning": 1.5, "kde": 3.0, "ksg": 2.5}  # ratio package / numpy
AGREE_BITS = 1e-9


def layer() -> tuple[np.ndarray, np.ndarray]:
    split = data.tishby12(1)
    x, y = np.concatenate([split.x_train, split.x_test]), np.concatenate([split.y_train, split.y_test])
    net = MLP((12, 10, 7, 5, 4, 3, 2), "tanh")
    return net.representations(net.init(1), x)[0], y


def entropy(rows) -> float:
    counts = np.unique(rows, axis=0, return_counts=True)[1]
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def binning_numpy(t, y):
    digits = np.digitize(t, np.linspace(-1, 1, BINS + 1)[1:-1])
    h_t = entropy(digits)
    return h_t, h_t + entropy(y[:, None]) - entropy(np.column_stack([digits, y]))


def kde_numpy(t, y):
    sq = (t * t).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * t @ t.T, 0.0)
    n, out = len(t), []
    same = y[:, None] == y[None, :]
    for factor in (2.0, 8.0):
        w = np.exp(-d2 / (factor * NOISE_VAR))
        s_all, s_same = w.sum(1), (w * same).sum(1)
        size = np.bincount(y)[y]
        out += [-np.mean(np.log(s_all / n)) / math.log(2), np.mean(np.log(s_same * n / (size * s_all))) / math.log(2)]
    return tuple(out)


def maxnorm(a, b):
    d = np.zeros((len(a), len(b)))
    for j in range(a.shape[1]):
        np.maximum(d, np.abs(a[:, None, j] - b[None, :, j]), out=d)
    return d


def ksg_numpy(t, y, seed):
    gen = np.random.Generator(np.random.PCG64(seed_sequence(seed)))
    z = t + math.sqrt(NOISE_VAR) * gen.standard_normal(t.shape)
    n, d = z.shape
    dist = maxnorm(z, z)
    eps = np.partition(dist, K, axis=1)[:, K]
    h = digamma(n) - digamma(K) + d * np.mean(np.log(2 * eps))
    h_noise = 0.5 * d * math.log(2 * math.pi * math.e * NOISE_VAR)
    radius = np.empty(n)
    for c in np.unique(y):
        members = y == c
        radius[members] = np.partition(dist[np.ix_(members, members)], K, axis=1)[:, K]
    m = (dist < radius[:, None]).sum(1)
    size = np.bincount(y)[y]
    mi_ty = digamma(n) - np.mean(digamma(size)) + digamma(K) - np.mean(digamma(m))
    return (h - h_noise) / math.log(2), mi_ty / math.log(2)


def rate(fn, repeats):
    fn()  # warm-up (Numba compilation, caches)
    t0 = time.perf_counter()
    for _ in range(repeats):
        out = fn()
    return repeats / (time.perf_counter() - t0), out


def full_run() -> None:
    from statmech_nn.sims.info_plane import STUDY
    from statmech_nn.study import run_study

    for values in ({"phi": "tanh", "estimator": "binning"}, {"phi": "relu", "estimator": "kde"}):
        cpu0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        run_study(STUDY, {**values, "epochs": 8000, "seed": 1}, None)
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
        print(f"8000 epochs, {values}: {time.perf_counter() - t0:.1f} s wall, {cpu:.1f} s CPU")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--full-run", action="store_true")
    args = parser.parse_args()
    t, y = layer()
    cases = {
        "binning": (lambda: binned_mi(t, y, BINS), lambda: binning_numpy(t, y)),
        "kde": (lambda: sum(pairwise_mi(t, y, NOISE_VAR).values(), ()), lambda: kde_numpy(t, y)),
        "ksg": (lambda: knn_mi(t, y, NOISE_VAR, K, 7), lambda: ksg_numpy(t, y, 7)),
    }
    print(f"one layer of width {t.shape[1]} on {len(t)} inputs; evaluations per second (higher is better)")
    targets = Targets()
    for name, (ours, numpy) in cases.items():
        r_ours, v_ours = rate(ours, args.repeats)
        r_np, v_np = rate(numpy, max(1, args.repeats // 2))
        agree = np.max(np.abs(np.array(v_ours) - np.array(v_np)))
        print(f"{name}: max |difference| of the two results {agree:.1e} bits")
        targets.ratio(f"{name} MI evaluations (package vs numpy)", r_ours, r_np, TARGETS[name], "/s",
                      valid=agree <= AGREE_BITS)
    if args.full_run:
        full_run()
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
