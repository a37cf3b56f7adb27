"""What a study of the parameter–function map needs beyond the sampler (Valle-Pérez, Camargo & Louis, ICLR 2019):
architectures of equal width or equal parameter count at any depth, block-wise counting with the number of distinct
functions after each block, K_LZ of many functions in parallel, merging of counts, a bootstrap of every summary
from one set of resamplings, and the memory a run needs.

* :func:`n_parameters` — P = Σ_l (d_{l−1} + 1) d_l over the layer sizes (n, h_1, …, h_L, 1) (weights and biases).
* :func:`matched_widths` — L hidden layers of one width: the reference's width (``match = "width"``), or the
  width w whose parameter count is closest to the reference's (``match = "parameters"``; ties to the smaller w).
* :func:`count_blocks` — networks of consecutive blocks (:mod:`.sampler`'s streams) added to a table block by
  block; returns the number of distinct functions after each block. The last block may be cut short: the first k
  networks of a block do not depend on the others, so a run of S samples counts networks 0 … S − 1.
* :func:`bootstrap_summary` — estimates and standard errors of the bound's a and b, P(constant), the entropy, the
  mean K and the mass of simple functions, from B resamplings counts* ~ Multinomial(N, c/N), the complexity
  classes grouped once (the envelope of each resample is a per-class maximum).
* :func:`good_turing_error` — Esty's standard error of the Good–Turing unseen mass n_1/N,
  √(n_1 (1 − n_1/N) + 2 n_2)/N (Esty, Ann. Stat. 11, 905 (1983)).
* :func:`uniform_complexity_quantile` — the q-quantile of K_LZ over uniformly random Boolean functions (fixed-seed
  Monte Carlo); :func:`simple_threshold` = half the median: a function below it is "simple" (for n = 7, K < 70
  where a random function has K ≈ 140; the uniform law puts a negligible mass there).
* :func:`memory_bytes` — the bytes a run of S samples can need (the table holds ≤ min(S, 2^(2^n)) functions).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from statmech_nn.errors import ParameterError

from .complexity import lz_complexity_bits, n_words, ones, unpack_bits
from .estimators import complexity_bound_fit, function_entropy, mean_complexity
from .sampler import _CHUNK_BYTES, block_states, sample_functions
from .table import _MAX_LOAD, FunctionTable

MATCHES = ("width", "parameters")
SUMMARY_STATISTICS = ("a", "b", "p_constant", "entropy", "mean_complexity", "simple_fraction")


def n_parameters(n: int, widths) -> int:
    """Weights and biases of the network n → widths → 1."""
    dims = (int(n), *map(int, widths), 1)
    return sum((a + 1) * b for a, b in zip(dims[:-1], dims[1:]))


def matched_widths(n: int, reference, depth: int, match: str) -> tuple[int, ...]:
    """``depth`` hidden layers of one width matched to the ``reference`` hidden widths (module docstring)."""
    reference = tuple(int(w) for w in reference)
    if match not in MATCHES:
        raise ParameterError("match", match, ", ".join(MATCHES))
    if isinstance(depth, bool) or int(depth) != depth or depth < 1:
        raise ParameterError("depth", depth, "an integer >= 1")
    if not reference:
        raise ParameterError("layers", reference, "at least one hidden layer to match")
    if match == "width":
        if len(set(reference)) != 1:
            raise ParameterError("layers", reference, "hidden layers of one width to match by width")
        return (reference[0],) * depth
    target = n_parameters(n, reference)
    lo, hi = 1, max(1, target)  # n_parameters grows with w: the last w with P(w) <= target, or the next one
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if n_parameters(n, (mid,) * depth) <= target:
            lo = mid
        else:
            hi = mid - 1
    below, above = n_parameters(n, (lo,) * depth), n_parameters(n, (lo + 1,) * depth)
    return ((lo if abs(target - below) <= abs(above - target) else lo + 1),) * depth


def count_blocks(spec, seed, first_block: int, n_blocks: int, block_size: int, table: FunctionTable,
                 samples: int | None = None) -> np.ndarray:
    """Add the networks of blocks first_block … first_block + n_blocks − 1 to ``table``, only the first
    ``samples`` of them (default all); returns the table's number of distinct functions after each block."""
    total = n_blocks * block_size if samples is None else int(samples)
    if not (n_blocks - 1) * block_size < total <= n_blocks * block_size:
        raise ParameterError("samples", samples, f"a number in ({(n_blocks - 1) * block_size}, "
                             f"{n_blocks * block_size}] for {n_blocks} blocks of {block_size}")
    distinct = np.empty(n_blocks, np.int64)
    chunk = max(1, _CHUNK_BYTES // (8 * spec.n_words * block_size))
    for start in range(0, n_blocks, chunk):
        k = min(chunk, n_blocks - start)
        functions = sample_functions(spec, block_states(seed, first_block + start, k), block_size)
        for j in range(k):
            first = (start + j) * block_size
            table.add(functions[j * block_size:j * block_size + min(block_size, total - first)])
            distinct[start + j] = table.n_distinct
    return distinct


@njit(cache=True, parallel=True)
def lz_complexity_parallel(functions, n):
    """K_LZ of each row of packed ``functions`` (as :func:`.complexity.lz_complexity`), rows in parallel."""
    out = np.empty(functions.shape[0])
    for r in prange(functions.shape[0]):
        out[r] = lz_complexity_bits(unpack_bits(functions[r], 1 << n))
    return out


def merge_counts(*distributions) -> FunctionTable:
    """One table of the summed counts of ``(functions, counts)`` pairs of the same number of inputs."""
    if not distributions:
        raise ParameterError("distributions", distributions, "at least one (functions, counts) pair")
    tables = [FunctionTable.from_arrays(f, c) for f, c in distributions]
    for other in tables[1:]:
        tables[0].merge(other)
    return tables[0]


def uniform_complexity_quantile(n: int, q: float = 0.5, draws: int = 20000, seed: int = 0) -> float:
    """The q-quantile of K_LZ of uniformly random functions of n inputs, from ``draws`` functions of a fixed
    stream (lower value of the discrete distribution: P_uniform(K < quantile) ≤ q)."""
    words = np.random.default_rng(np.random.SeedSequence(seed)).integers(
        0, 2**64, size=(draws, n_words(n)), dtype=np.uint64, endpoint=False)
    if n < 6:
        words &= np.uint64((1 << (1 << n)) - 1)
    return float(np.quantile(lz_complexity_parallel(words, n), q, method="lower"))


def simple_threshold(n: int) -> float:
    """Half the median K_LZ of uniformly random functions of n inputs (the "simple" functions lie below)."""
    return 0.5 * uniform_complexity_quantile(n, 0.5)


class _Grouped:
    """The fixed parts of a distribution's statistics: complexity classes and the masks of constant and simple
    functions."""

    def __init__(self, functions, complexity, n: int, simple_below: float):
        t = ones(np.atleast_2d(np.asarray(functions, dtype=np.uint64)))
        self.constant = (t == 0) | (t == 1 << n)
        self.simple = np.asarray(complexity) < simple_below
        self.complexity = np.asarray(complexity, dtype=float)
        self.order = np.argsort(self.complexity, kind="stable")
        k_sorted = self.complexity[self.order]
        self.starts = np.flatnonzero(np.r_[True, k_sorted[1:] != k_sorted[:-1]])
        self.k = k_sorted[self.starts]

    def statistics(self, counts) -> np.ndarray:
        total = counts.sum()
        top = np.maximum.reduceat(counts[self.order], self.starts)
        seen = top > 0
        fit = complexity_bound_fit(top[seen], self.k[seen])  # the envelope is a per-class maximum; the fit's
        b = fit["b"] + math.log2(total / top.sum())  # normalisation by Σ top instead of N shifts only b
        return np.array([fit["a"], b, counts[self.constant].sum() / total, function_entropy(counts),
                         mean_complexity(counts, self.complexity), counts[self.simple].sum() / total])


def bootstrap_summary(functions, counts, complexity, n: int, simple_below: float, n_boot: int = 200,
                      seed: int = 0) -> dict[str, tuple[float, float]]:
    """{statistic: (estimate, standard error)} for :data:`SUMMARY_STATISTICS` (module docstring); a and b are
    those of :func:`.estimators.complexity_bound_fit`, ``simple_fraction`` the mass of functions with
    K < ``simple_below``."""
    if isinstance(n_boot, bool) or int(n_boot) < 2:
        raise ParameterError("n_boot", n_boot, "an integer >= 2")
    counts = np.asarray(counts, dtype=np.int64)
    grouped = _Grouped(functions, complexity, n, simple_below)
    estimate = grouped.statistics(counts)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    p = counts / counts.sum()
    draws = np.array([grouped.statistics(rng.multinomial(counts.sum(), p)) for _ in range(int(n_boot))])
    return {name: (float(estimate[i]), float(draws[:, i].std(ddof=1))) for i, name in enumerate(SUMMARY_STATISTICS)}


def good_turing_error(counts) -> float:
    """Esty's (1983) standard error of the Good–Turing unseen mass n_1/N."""
    counts = np.asarray(counts)
    total, n1, n2 = counts.sum(), (counts == 1).sum(), (counts == 2).sum()
    return float(math.sqrt(max(0.0, n1 * (1 - n1 / total) + 2 * n2)) / total)


def memory_bytes(n: int, samples: int, block_size: int) -> float:
    """Bytes a run can need: the hash table at ≤ 1/2 load while it doubles (1.5× its final slots), the
    checkpoint/result copies and sort of ≤ min(samples, 2^(2^n)) functions, and one chunk of truth tables."""
    words = n_words(n)
    distinct = min(int(samples), 2 ** (1 << n))
    slots = 1 << max(4, math.ceil(math.log2(distinct / _MAX_LOAD + 1)))
    row = 8 * (words + 1)
    return 1.5 * slots * row + 3 * distinct * row + max(_CHUNK_BYTES, 8 * words * block_size)
