"""AIS cost against accuracy: error and bias of log Z against exact enumeration, as a function of the number of
inverse temperatures K and of chains M, with wall time, for a trained RBM (the hard case: sharp, multimodal p(v)).

The model is trained here on bars and stripes of side ``--side`` (n_visible = side², ``--hidden`` units; PT
training, exact log-likelihood known), then for every (K, M) ``--seeds`` independent forward AIS runs give
bias = mean(log Ẑ) - log Z (AIS is biased low), the spread (std over seeds), the mean reported error and the
wall time per run. Reverse AIS from exact samples (biased high) is shown at the largest K.

    python benchmarks/ais_accuracy.py --side 4 --hidden 20 --betas 100 300 1000 3000 10000 --chains 16 64 256
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.rbm.ais import ais, reverse_ais  # noqa: E402
from statmech_nn.rbm.data import bars_and_stripes  # noqa: E402
from statmech_nn.rbm.exact import exact_samples, log_partition, mean_log_likelihood  # noqa: E402
from statmech_nn.rbm.train import init_state, model_of, train, train_settings  # noqa: E402
from _report import Targets  # noqa: E402

MAX_SE, MAX_BIAS = 4.0, 0.05  # |bias| in standard errors per row; in nats at the largest (K, M)


def trained_model(side: int, n_hidden: int, epochs: int):
    data = bars_and_stripes(side)
    s = train_settings(n_hidden=n_hidden, method="pt", n_chains=100, batch_size=len(data), learning_rate=0.3,
                       momentum=0.5, lr_schedule="linear", lr_final=0.0, lr_epochs=epochs, pt_temperatures=8,
                       pt_beta_min=0.2)
    state = init_state(s, data, 1)
    train(s, data, state, epochs)
    return model_of(state), data


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--side", type=int, default=4)
    p.add_argument("--hidden", type=int, default=20)
    p.add_argument("--epochs", type=int, default=1000)
    p.add_argument("--betas", type=int, nargs="+", default=[100, 300, 1000, 3000, 10000])
    p.add_argument("--chains", type=int, nargs="+", default=[16, 64, 256])
    p.add_argument("--seeds", type=int, default=5)
    args = p.parse_args(argv)
    model, data = trained_model(args.side, args.hidden, args.epochs)
    t0 = time.perf_counter()
    exact = log_partition(model)
    t_exact = time.perf_counter() - t0
    print(f"bars and stripes {args.side}x{args.side}, {args.hidden} hidden, {args.epochs} PT epochs: "
          f"<log p> = {mean_log_likelihood(model, data):.4f} (optimum {-np.log(len(data)):.4f}); "
          f"exact log Z = {exact:.6f} ({t_exact * 1e3:.1f} ms, enumerating {min(model.weights.shape)} units)")
    ais(model, 10, 2, 0)  # compile
    print(f"{'K':>7} {'M':>5} {'bias':>10} {'std':>9} {'<error>':>9} {'ESS/M':>6} {'s/run':>8}")
    targets, rows = Targets(), []
    for k in args.betas:
        for m in args.chains:
            est, err, ess, wall = [], [], [], []
            for seed in range(args.seeds):
                t0 = time.perf_counter()
                r = ais(model, k, m, seed)
                wall.append(time.perf_counter() - t0)
                est.append(r.log_z)
                err.append(r.log_z_err)
                ess.append(r.ess / m)
            print(f"{k:7d} {m:5d} {np.mean(est) - exact:10.4f} {np.std(est, ddof=1):9.4f} {np.mean(err):9.4f} "
                  f"{np.mean(ess):6.2f} {np.median(wall):8.3f}")
            se = max(np.std(est, ddof=1), np.mean(err)) / np.sqrt(args.seeds)
            rows.append((k, m, np.mean(est), se))
    for k, m, mean, se in rows:
        targets.bound(f"log Z by AIS, K = {k}, M = {m} (against exact)", mean, exact, "|bias|/SE",
                      abs(mean - exact) / se, MAX_SE)
    k, m = max(args.betas), max(args.chains)
    mean = next(r[2] for r in rows if r[:2] == (k, m))
    targets.bound(f"log Z by AIS, K = {k}, M = {m}, in nats", mean, exact, "|bias|", abs(mean - exact), MAX_BIAS)
    rev = [reverse_ais(model, k, exact_samples(model, m, seed), seed).log_z - exact for seed in range(args.seeds)]
    rev_se = np.std(rev, ddof=1) / np.sqrt(len(rev))
    print(f"reverse AIS from exact samples, K = {k}, M = {m}: bias {np.mean(rev):+.4f} ± {rev_se:.4f} "
          f"(expected >= 0)")
    targets.bound(f"log Z by reverse AIS, K = {k}, M = {m} (biased high)", exact + np.mean(rev), exact,
                  "-bias/SE", -np.mean(rev) / rev_se, MAX_SE)
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
