"""Estimators on a sampled function distribution: counts c_f of distinct functions f over N = Σ c_f networks.

* :func:`distribution` — the stored contract: functions (packed, counts decreasing), counts, n_samples, n_distinct,
  p_top, complexity (K_LZ of each function).
* :func:`rank_frequency` — P(f) = c_f/N against rank (1 = most frequent).
* :func:`complexity_bound_fit` — a, b of log2 P(f) ≲ −a K(f) − b (Valle-Pérez et al. 2019, Eq. 2; Dingle, Camargo
  & Louis 2018): the upper envelope is max log2 P per distinct value of K (K_LZ takes discrete values, multiples
  of log2(N)/2), fitted by unweighted least squares (intercept b) over the values of K whose most frequent function
  was seen at least ``min_count`` times (rarer maxima sit on the sampling floor log2(1/N) and flatten the slope);
  ``b_bound`` shifts the line up until no fitted envelope point lies above it.
* :func:`constant_probability`, :func:`function_entropy` (plug-in Shannon entropy of P(f) in bits),
  :func:`mean_complexity` (mean K over samples, Σ c_f K_f / N).
* :func:`good_turing_unseen` — Good–Turing unseen mass n_1/N (Good, Biometrika 40, 237 (1953)), n_1 the number of
  functions seen once; :func:`rarefaction` — expected number of distinct functions in a subsample of m of the N
  networks drawn without replacement, E D_m = Σ_f [1 − C(N − c_f, m)/C(N, m)] (exact; E D_N − E D_{N−1} = n_1/N).
* :func:`bootstrap` — standard errors of those statistics from B multinomial resamplings of the counts.
"""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import ParameterError

from .complexity import lz_complexity, ones


def distribution(table, n: int) -> dict:
    """The function distribution of ``table`` (a :class:`~.table.FunctionTable` of n-input functions)."""
    functions, counts = table.to_arrays()
    return {"functions": functions, "counts": counts, "n_samples": int(counts.sum()),
            "n_distinct": int(counts.size), "p_top": counts[0] / counts.sum() if counts.size else np.nan,
            "complexity": lz_complexity(functions, n)}


def rank_frequency(counts) -> tuple[np.ndarray, np.ndarray]:
    """(ranks 1 … D, frequencies c_f/N in decreasing order)."""
    counts = np.asarray(counts, dtype=float)
    p = np.sort(counts)[::-1] / counts.sum()
    return np.arange(1, p.size + 1), p


def complexity_bound_fit(counts, complexity, min_count: int = 5) -> dict:
    """Fit log2 P ≤ −a K − b to the envelope max_{f : K_f = K} log2 P(f) (module docstring) over the values of K
    whose envelope count is ≥ ``min_count``; needs two of them. Returns a, b, b_bound and the fitted envelope
    arrays k, log2_p."""
    counts, complexity = np.asarray(counts, dtype=float), np.asarray(complexity, dtype=float)
    seen = counts > 0
    k, inverse = np.unique(complexity[seen], return_inverse=True)
    top = np.zeros(k.size)
    np.maximum.at(top, inverse, counts[seen])
    k, top = k[top >= min_count], top[top >= min_count]
    if k.size < 2:
        raise ParameterError("complexity", f"{k.size} value(s) with a function seen {min_count} times",
                             "at least two such complexity values")
    envelope = np.log2(top / counts.sum())
    slope, intercept = np.polyfit(k, envelope, 1)
    return {"a": -slope, "b": -intercept, "b_bound": -np.max(envelope - slope * k), "k": k, "log2_p": envelope}


def constant_probability(functions, counts, n: int) -> float:
    """Fraction of samples computing a constant function (all 0 or all 1 on the 2^n inputs)."""
    t = ones(np.atleast_2d(np.asarray(functions, dtype=np.uint64)))
    counts = np.asarray(counts, dtype=float)
    return counts[(t == 0) | (t == 1 << n)].sum() / counts.sum()


def function_entropy(counts) -> float:
    """Plug-in Shannon entropy −Σ p_f log2 p_f of the sampled distribution (bits)."""
    p = np.asarray(counts, dtype=float)
    p = p[p > 0] / p.sum()
    return float(-(p * np.log2(p)).sum())


def mean_complexity(counts, complexity) -> float:
    """Σ c_f K_f / N."""
    counts = np.asarray(counts, dtype=float)
    return float(counts @ np.asarray(complexity, dtype=float) / counts.sum())


def good_turing_unseen(counts) -> float:
    """Good–Turing estimate n_1/N of the probability mass of functions never sampled."""
    counts = np.asarray(counts)
    return float((counts == 1).sum() / counts.sum())


def rarefaction(counts, m) -> np.ndarray:
    """Expected number of distinct functions among m ∈ [0, N] of the N samples, drawn without replacement."""
    from scipy.special import gammaln

    counts = np.asarray(counts, dtype=float)
    counts = counts[counts > 0]
    total = counts.sum()
    m = np.atleast_1d(np.asarray(m, dtype=float))
    if (m < 0).any() or (m > total).any():
        raise ParameterError("m", m, f"subsample sizes in [0, {int(total)}]")
    out = np.empty(m.size)
    for i, mi in enumerate(m):
        rest = total - counts
        ok = rest >= mi
        log_ratio = (gammaln(rest[ok] + 1) - gammaln(rest[ok] - mi + 1)
                     - gammaln(total + 1) + gammaln(total - mi + 1))
        out[i] = (~ok).sum() + (1.0 - np.exp(log_ratio)).sum()
    return out


def _statistics(functions, counts, complexity, n):
    seen = counts > 0
    return np.array([complexity_bound_fit(counts[seen], complexity[seen])["a"],
                     constant_probability(functions, counts, n), function_entropy(counts),
                     mean_complexity(counts, complexity)])


BOOTSTRAP_STATISTICS = ("a", "p_constant", "entropy", "mean_complexity")


def bootstrap(functions, counts, complexity, n: int, n_boot: int = 200, seed: int = 0) -> dict:
    """{statistic: (estimate, standard error)} for :data:`BOOTSTRAP_STATISTICS` (bound slope a, P(constant),
    function entropy, mean K), the error being the standard deviation over ``n_boot`` resamplings
    counts* ~ Multinomial(N, counts/N)."""
    if int(n_boot) < 2:
        raise ParameterError("n_boot", n_boot, "an integer >= 2")
    counts = np.asarray(counts, dtype=np.int64)
    complexity = np.asarray(complexity, dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    estimate = _statistics(functions, counts, complexity, n)
    p = counts / counts.sum()
    draws = np.array([_statistics(functions, rng.multinomial(counts.sum(), p), complexity, n)
                      for _ in range(int(n_boot))])
    return {name: (float(estimate[i]), float(draws[:, i].std(ddof=1))) for i, name in enumerate(BOOTSTRAP_STATISTICS)}
