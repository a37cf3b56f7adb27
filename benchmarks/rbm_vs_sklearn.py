"""RBM block Gibbs sampling and one training epoch against scikit-learn's ``BernoulliRBM``, timed in the same run.

Same data (bars and stripes of side ``--side``: 2^(n+1) - 2 patterns, repeated to ``--examples`` rows), same
sizes (n_visible = side², ``--hidden``), binary units, best of ``--repeat`` after a warm-up call (compilation):

* Gibbs: ``--chains`` chains, ``--sweeps`` steps v -> h -> v. scikit-learn: ``BernoulliRBM.gibbs(V)`` (one step of
  every row of V, NumPy, one call per step); ours: :func:`statmech_nn.samplers.rbm_gibbs.gibbs` (blocks of 64
  chains on the Numba threads, float64 BLAS fields per block, draws on per-chain xoshiro streams), under the
  package's threading policy (``owned_by("numba")``) as studies run it.
* One epoch with minibatches of 10 and one Gibbs step per update. ``BernoulliRBM.fit`` with ``n_iter=1`` is
  PCD-1 with ``batch_size`` persistent chains (its ``h_samples_``), not CD-1; our ``pcd`` (k = 1, 10 chains) and
  our ``cd`` (k = 1) are both held to it. Neither side computes a likelihood here (scikit-learn's
  ``score_samples`` is a pseudo-likelihood, printed only with ``verbose``).

Ours always runs under the package's threading policy (``statmech_nn.threads.owned_by("numba")``), as studies run
it; scikit-learn uses BLAS's own thread count, or ``--blas-threads N`` (which then applies to both).

Every line prints the baseline, ours, the speed-up and the target (ours at least ``TARGET`` times faster); the exit
status is 1 if any line fails.

    python benchmarks/rbm_vs_sklearn.py --side 8 --hidden 64 256 --repeat 5 [--threads 1]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.models.rbm import RBM  # noqa: E402
from statmech_nn.rbm.data import bars_and_stripes  # noqa: E402
from statmech_nn.rbm.train import init_state, train, train_settings  # noqa: E402
from statmech_nn.samplers.rbm_gibbs import gibbs, init_chains  # noqa: E402
from statmech_nn.threads import owned_by  # noqa: E402
from _report import best_of_both  # noqa: E402

try:
    from sklearn.neural_network import BernoulliRBM
except ImportError:  # pragma: no cover - the baseline is optional for the package, required here
    sys.exit("scikit-learn is needed for this benchmark (pip install scikit-learn)")


#: Required speed-up of ours over scikit-learn (issue 13).
TARGET = 2.0


def verdict(baseline: float, ours: float) -> tuple[str, bool]:
    """Baseline and our seconds, the speed-up and the target, as a line; and whether the target is met."""
    ratio = baseline / ours
    return (f"sklearn {1e3 * baseline:.2f} ms, ours {1e3 * ours:.2f} ms: {ratio:.2f}x "
            f"(target >= {TARGET:g}x) {'PASS' if ratio >= TARGET else 'FAIL'}"), ratio >= TARGET


def gibbs_times(n_v: int, n_h: int, chains: int, sweeps: int, repeat: int) -> tuple[float, float]:
    """Seconds for ``sweeps`` sweeps of all chains, scikit-learn's and ours, on the same random weights."""
    rng = np.random.default_rng(0)
    model = RBM(rng.normal(0, 0.1, (n_v, n_h)), rng.normal(0, 0.1, n_v), rng.normal(0, 0.1, n_h))
    sk = BernoulliRBM(n_components=n_h, random_state=0)
    sk.components_, sk.intercept_visible_, sk.intercept_hidden_ = model.weights.T.copy(), \
        np.array(model.visible_bias), np.array(model.hidden_bias)
    sk.random_state_ = np.random.RandomState(0)
    v0 = rng.integers(0, 2, (chains, n_v)).astype(np.float64)

    def sklearn_run():
        v = v0
        for _ in range(sweeps):
            v = sk.gibbs(v)

    state = init_chains(model, chains, 0, v0)
    def ours():
        with owned_by("numba"):
            gibbs(model, state, sweeps)

    return best_of_both(sklearn_run, ours, repeat)


def policy_epoch(s, data) -> None:
    """One epoch of ours from a fresh start, as a study runs it."""
    with owned_by("numba"):
        train(s, data, init_state(s, data, 0), 1)


def epoch_times(data: np.ndarray, n_h: int, repeat: int) -> dict[str, tuple[float, float]]:
    """Seconds per training epoch (minibatches of 10, one Gibbs step per update): scikit-learn's PCD-1 and ours,
    for our ``pcd`` and ``cd``."""

    def sklearn_epoch():
        BernoulliRBM(n_components=n_h, learning_rate=0.05, batch_size=10, n_iter=1, random_state=0).fit(data)

    out = {}
    for method in ("pcd", "cd"):
        s = train_settings(n_hidden=n_h, method=method, k=1, batch_size=10, n_chains=10, learning_rate=0.05)
        out[f"ours {method.upper()}-1"] = best_of_both(sklearn_epoch, lambda: policy_epoch(s, data), repeat)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--side", type=int, default=8, help="bars-and-stripes side n (n_visible = n²)")
    p.add_argument("--hidden", type=int, nargs="+", default=[64, 256])
    p.add_argument("--examples", type=int, default=2000, help="rows of training data (patterns repeated)")
    p.add_argument("--chains", type=int, default=1000)
    p.add_argument("--sweeps", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="Numba threads (default: all)")
    p.add_argument("--blas-threads", type=int, default=0,
                   help="BLAS threads for the whole run, both sides (default: the libraries' own)")
    args = p.parse_args(argv)
    if args.threads:
        numba.set_num_threads(args.threads)
    if args.blas_threads:
        import scipy.linalg  # noqa: F401 - loads SciPy's BLAS so the limit reaches it
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.blas_threads, user_api="blas")
    patterns = bars_and_stripes(args.side)
    data = np.ascontiguousarray(np.resize(patterns, (args.examples, patterns.shape[1])))
    n_v = data.shape[1]
    print(f"bars and stripes {args.side}x{args.side}: n_visible = {n_v}, {args.examples} examples; "
          f"best of {args.repeat}; {numba.get_num_threads()} Numba threads; BLAS threads {args.blas_threads or 'default'}; load average {os.getloadavg()[0]:.2f}")
    passed = True
    for n_h in args.hidden:
        lines = [(f"Gibbs, {args.chains} chains x {args.sweeps} sweeps",
                  verdict(*gibbs_times(n_v, n_h, args.chains, args.sweeps, args.repeat)))]
        lines += [(f"one epoch, sklearn PCD-1 vs {name}", verdict(*pair))
                  for name, pair in epoch_times(data, n_h, args.repeat).items()]
        print(f"n_hidden = {n_h}:")
        for label, (line, ok) in lines:
            print(f"  {label}: {line}")
            passed &= ok
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
