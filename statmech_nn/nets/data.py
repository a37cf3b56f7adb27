"""Synthetic tasks made by the package (nothing is downloaded). Every generator is a function of its arguments
and ``seed`` (an int or a :class:`numpy.random.SeedSequence`, through :func:`statmech_nn.rng.seed_sequence`).

Inputs are float64 arrays (n, d); class labels int64 (n,); regression targets float64 (n, k).

* :func:`mixture`   k Gaussian classes N(μ_c, 1) in d dimensions with |μ_c − μ_c'| = ``separation`` exactly
                    (μ_c = (separation/√2) q_c with q_c orthonormal and randomly rotated; needs k ≤ d).
* :func:`teacher`   x ~ N(0, 1_d) and targets f*(x) of a random teacher :class:`~statmech_nn.nets.mlp.MLP`
                    (plus optional Gaussian label noise), the student–teacher setting (Gardner & Derrida 1989).
* :func:`xor`       the four XOR points.
* :func:`tishby12`  a re-creation, not the authors' file, of the task of Shwartz-Ziv & Tishby (arXiv:1703.00810):
                    all 4096 patterns x ∈ {0,1}^12, the 12 bits sitting on the 12 vertices u_i of a regular
                    icosahedron (12 points spread uniformly on the sphere), labelled by a rule invariant under
                    rotations of the sphere: y = 1 iff the occupied vertices' dipole |Σ_i x_i u_i|² < 9/4. The
                    rule depends on the pattern only through pair angles, so it is invariant under the 60
                    icosahedral rotations and under x → 1 − x (Σ_i u_i = 0). The dipole takes 20 values; no
                    threshold balances exactly, this one gives 2060 ones of 4096 (50.3 %). Split 80/20 at random.
* :func:`digits`    ten 8×8 digit glyphs drawn by the package, augmented by random shifts and pixel noise.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence

from .mlp import MLP


class Split(NamedTuple):
    """A train/test split of a classification task."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def _generator(seed, *key) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, *key)))


def _balanced_labels(gen, n, k):
    """n labels, each class n//k or n//k + 1 times, in random order."""
    return gen.permutation(np.arange(n, dtype=np.int64) % k)


def mixture(seed, n: int, k: int = 2, d: int = 2, separation: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """(x (n, d), y (n,)): balanced classes x = μ_y + N(0, 1_d), pairwise mean distance ``separation``."""
    if not 2 <= k <= d:
        raise ParameterError("k", k, f"2 <= k <= d (d = {d}) so that the class means can be equidistant")
    gen = _generator(seed, 0)
    q, _ = np.linalg.qr(gen.standard_normal((d, d)))
    means = (separation / math.sqrt(2.0)) * q[:, :k].T
    y = _balanced_labels(gen, n, k)
    return means[y] + gen.standard_normal((n, d)), y


def teacher(seed, n: int, sizes=(10, 20, 1), activation: str = "tanh", sigma_w2: float = 1.0,
            sigma_b2: float = 0.0, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x (n, d_0), y (n, d_L), θ*): inputs x ~ N(0, 1), targets y = f(θ*; x) + noise·N(0, 1) of a teacher MLP
    ``sizes``/``activation`` initialised as :meth:`MLP.init` (σ_w², σ_b²). Classify with ``y.argmax(1)`` or the
    sign of a single output."""
    net = MLP(tuple(sizes), activation)
    theta = net.init(seed_sequence(seed, 0), sigma_w2, sigma_b2)
    gen = _generator(seed, 1)
    x = gen.standard_normal((n, net.sizes[0]))
    y = net.forward(theta, x)
    return x, y + noise * gen.standard_normal(y.shape), theta


def xor() -> tuple[np.ndarray, np.ndarray]:
    """(x (4, 2) in {0,1}², y = x_1 XOR x_2 (4,))."""
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return x, np.array([0, 1, 1, 0], dtype=np.int64)


def icosahedron() -> np.ndarray:
    """The 12 unit vertices (±1, ±g, 0) and cyclic permutations / √(1 + g²), g the golden ratio."""
    g = (1.0 + math.sqrt(5.0)) / 2.0
    v = [p for a in (1.0, -1.0) for b in (g, -g) for p in ((0.0, a, b), (a, b, 0.0), (b, 0.0, a))]
    return np.array(v) / math.sqrt(1.0 + g * g)


TISHBY12_THRESHOLD = 2.25


def tishby12_rule(x: np.ndarray) -> np.ndarray:
    """The label of patterns x (n, 12) in {0,1}: 1 iff |Σ_i x_i u_i|² < 9/4 (module docstring)."""
    dipole = x @ icosahedron()
    return (np.einsum("ij,ij->i", dipole, dipole) < TISHBY12_THRESHOLD).astype(np.int64)


def tishby12(seed, test_fraction: float = 0.2) -> Split:
    """All 4096 patterns of {0,1}^12 (bit i of the pattern index is x_i), labels :func:`tishby12_rule`, split at
    random into round((1 − test_fraction)·4096) training and the rest test patterns."""
    if not 0.0 <= test_fraction < 1.0:
        raise ParameterError("test_fraction", test_fraction, "0 <= test_fraction < 1")
    x = ((np.arange(4096)[:, None] >> np.arange(12)) & 1).astype(np.float64)
    y = tishby12_rule(x)
    order = _generator(seed, 0).permutation(4096)
    n_train = int(round((1.0 - test_fraction) * 4096))
    train, test = order[:n_train], order[n_train:]
    return Split(x[train], y[train], x[test], y[test])


_GLYPHS = (
    ("..####..", ".##..##.", ".##..##.", ".##..##.", ".##..##.", ".##..##.", "..####..", "........"),
    ("...##...", "..###...", "...##...", "...##...", "...##...", "...##...", ".######.", "........"),
    ("..####..", ".##..##.", ".....##.", "....##..", "...##...", "..##....", ".######.", "........"),
    ("..####..", ".##..##.", ".....##.", "...###..", ".....##.", ".##..##.", "..####..", "........"),
    ("....##..", "...###..", "..####..", ".##.##..", ".######.", "....##..", "....##..", "........"),
    (".######.", ".##.....", ".#####..", ".....##.", ".....##.", ".##..##.", "..####..", "........"),
    ("..####..", ".##.....", ".#####..", ".##..##.", ".##..##.", ".##..##.", "..####..", "........"),
    (".######.", ".....##.", "....##..", "...##...", "...##...", "...##...", "...##...", "........"),
    ("..####..", ".##..##.", ".##..##.", "..####..", ".##..##.", ".##..##.", "..####..", "........"),
    ("..####..", ".##..##.", ".##..##.", "..#####.", ".....##.", "....##..", "..###...", "........"),
)


def glyphs() -> np.ndarray:
    """The ten clean digit bitmaps, float64 (10, 8, 8) in {0, 1}."""
    return np.array([[[c == "#" for c in row] for row in g] for g in _GLYPHS], dtype=np.float64)


def digits(seed, n: int, max_shift: int = 1, flip: float = 0.05, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(x (n, 64), y (n,)): balanced digit classes, each glyph shifted by integers (dx, dy) uniform in
    [−max_shift, max_shift]² (vacated pixels 0), each pixel flipped with probability ``flip``, then Gaussian noise
    of standard deviation ``noise`` added."""
    if not 0 <= max_shift <= 4:
        raise ParameterError("max_shift", max_shift, "an integer in [0, 4]")
    if not 0.0 <= flip <= 1.0:
        raise ParameterError("flip", flip, "a probability in [0, 1]")
    gen = _generator(seed, 0)
    y = _balanced_labels(gen, n, 10)
    shifts = gen.integers(-max_shift, max_shift + 1, (n, 2))
    padded = np.pad(glyphs(), ((0, 0), (4, 4), (4, 4)))
    images = np.empty((n, 8, 8))
    for i in range(n):
        dy, dx = shifts[i]
        images[i] = padded[y[i], 4 - dy:12 - dy, 4 - dx:12 - dx]
    flips = gen.random((n, 8, 8)) < flip
    images = np.where(flips, 1.0 - images, images) + noise * gen.standard_normal((n, 8, 8))
    return images.reshape(n, 64), y
