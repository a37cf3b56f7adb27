"""Finite-width deep random networks h^l = W^l φ(h^{l−1}) + b^l, the sampled counterpart of :mod:`statmech_nn.meanfield`.

Every layer is N units wide; W_ij ~ N(0, σ_w²/N) ("gaussian") or W = σ_w O with O Haar-orthogonal ("orthogonal"),
b_i ~ N(0, σ_b²). Two inputs are propagated together as the columns of an (N, 2) array of pre-activations; layer 0
is the given pair h^0 (:func:`input_pair`), layers l ≥ 1 apply the map above.

Random numbers: the weights and biases of layer l of network k come from their own stream, the SeedSequence of
the run with ``(k, l)`` appended to its spawn key (layer 0: the inputs). A network is therefore a function of
(seed, k) only, whatever the order, chunking or number of threads in which layers and networks are computed.
The products W φ(h) are plain Numba loops (fixed summation order), so results are bit-identical everywhere a
given seed is run on the same platform.

Haar matrices are never formed: O = R_N (1 ⊕ R_{N−1} (1 ⊕ … (1 ⊕ ±1))), R_k the Householder reflection of
R^k sending e_1 to a uniform unit vector v_k, is Haar-distributed (the subgroup algorithm of Diaconis & Shahshahani,
Probab. Eng. Inf. Sci. 1, 15 (1987); it is the Householder QR of a Gaussian matrix with Mezzadri's sign fix,
Notices AMS 54, 592 (2007)). Applying it costs O(N²) per input instead of the O(N³) of a QR decomposition.

:func:`fit_tanh_mlp` trains such networks (plain SGD, numpy) to test Schoenholz et al.'s claim that a network is
trainable only up to depths of a few ξ_c (the ``trainability`` study, :mod:`statmech_nn.sims.trainability`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numba import njit

from statmech_nn.params import Param
from statmech_nn.rng import seed_sequence

WEIGHTS = ("gaussian", "orthogonal")


def deepnet_params(**changes) -> tuple[Param, ...]:
    """The declarations of a deep random network h^l = W^l φ(h^{l−1}) + b^l shared by every study of one:
    ``phi``, ``sigma_w2``, ``sigma_b2``, ``depth``, ``width``, ``weights``. ``changes`` maps a name to its new
    default, or to a dict of declaration fields (``doc``, ``low``, ``high``, ``default``, …) that differ."""
    from statmech_nn.meanfield.activations import ACTIVATIONS  # the activations the theory knows

    base = (
        Param("phi", str, "tanh", "activation function φ", choices=tuple(ACTIVATIONS)),
        Param("sigma_w2", float, 4.0, "weight variance σ_w² (W_ij ~ N(0, σ_w²/N))", low=0, low_open=True),
        Param("sigma_b2", float, 0.05, "bias variance σ_b²", low=0),
        Param("depth", int, 30, "number of layers L (rows for layers 0..L)", low=1, high=10000),
        Param("width", int, 1000, "units per layer N", low=2, high=20000),
        Param("weights", str, "gaussian", "weight ensemble", choices=WEIGHTS),
    )
    unknown = set(changes) - {p.name for p in base}
    if unknown:
        raise ValueError(f"not deep-net parameters: {sorted(unknown)}")
    out = []
    for p in base:
        change = changes.get(p.name, {})
        out.append(replace(p, **(change if isinstance(change, dict) else {"default": change})))
    return tuple(out)


def stream(seed: np.random.SeedSequence, network: int, layer: int) -> np.random.Generator:
    """The generator of layer ``layer`` of network ``network`` (layer 0: the inputs)."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, network, layer)))


def input_pair(rng: np.random.Generator, width: int, q0: float, c0: float) -> np.ndarray:
    """Two random inputs (columns) with |h_a|²/N = |h_b|²/N = q0 and h_a·h_b/N = q0 c0 exactly (Gram–Schmidt)."""
    g = rng.standard_normal((width, 2))
    e1 = g[:, 0] / math.sqrt(g[:, 0] @ g[:, 0] / width)
    rest = g[:, 1] - (g[:, 1] @ e1 / width) * e1
    e2 = rest / math.sqrt(rest @ rest / width) if width > 1 else np.zeros(width)
    h = np.empty((width, 2))
    h[:, 0] = math.sqrt(q0) * e1
    h[:, 1] = math.sqrt(q0) * (c0 * e1 + math.sqrt(max(0.0, 1.0 - c0 * c0)) * e2)
    return h


@njit(cache=True, nogil=True)
def activate(phi, h):
    """φ applied elementwise to a 2-D array (a new array)."""
    out = np.empty_like(h)
    for i in range(h.shape[0]):
        for a in range(h.shape[1]):
            out[i, a] = phi(h[i, a])
    return out


@njit(cache=True, nogil=True)
def _gaussian_layer(phi, w, scale, bias, h):
    """scale · w @ φ(h) + bias (w standard normal), summed in a fixed order."""
    x = activate(phi, h)
    out = np.empty_like(h)
    for i in range(w.shape[0]):
        for a in range(h.shape[1]):
            s = 0.0
            for j in range(w.shape[1]):
                s += w[i, j] * x[j, a]
            out[i, a] = scale * s + bias[i]
    return out


@njit(cache=True, nogil=True)
def haar_apply(gauss, sign, x):
    """O x in place for the Haar matrix O built from ``gauss`` (N(N+1)/2 − 1 standard normals) and ``sign`` = ±1."""
    n = x.shape[0]
    x[n - 1, :] *= sign
    offset = 0
    u = np.empty(n)
    for k in range(2, n + 1):
        start = n - k
        norm = 0.0
        for i in range(k):
            norm += gauss[offset + i] ** 2
        norm = math.sqrt(norm)
        uu = 0.0
        for i in range(k):
            u[i] = (1.0 if i == 0 else 0.0) - gauss[offset + i] / norm  # u = e_1 − v
            uu += u[i] * u[i]
        offset += k
        if uu == 0.0:
            continue
        for a in range(x.shape[1]):
            dot = 0.0
            for i in range(k):
                dot += u[i] * x[start + i, a]
            f = 2.0 * dot / uu
            for i in range(k):
                x[start + i, a] -= f * u[i]
    return x


@dataclass(frozen=True)
class LayerWeights:
    """One layer's draws: ``gauss`` (N×N standard normals, or the Haar matrix's N(N+1)/2 − 1 normals), ``sign`` and
    the biases ``bias`` (already × σ_b)."""

    gauss: np.ndarray
    sign: float
    bias: np.ndarray


def draw_layer(rng: np.random.Generator, n: int, sigma_b2: float, weights: str) -> LayerWeights:
    """The random numbers of one layer, in the order every layer function draws them (same seed → same network)."""
    if weights == "gaussian":
        gauss = rng.standard_normal((n, n))
        return LayerWeights(gauss, 1.0, math.sqrt(sigma_b2) * rng.standard_normal(n))
    if weights == "orthogonal":
        gauss = rng.standard_normal(n * (n + 1) // 2 - 1)
        sign = 1.0 if rng.integers(2) else -1.0
        return LayerWeights(gauss, sign, math.sqrt(sigma_b2) * rng.standard_normal(n))
    raise ValueError(f"unknown weights {weights!r}; known: {', '.join(WEIGHTS)}")


def layer(rng: np.random.Generator, h: np.ndarray, phi, sigma_w2: float, sigma_b2: float,
          weights: str = "gaussian") -> np.ndarray:
    """h' = W φ(h) + b for the pair ``h`` (N, 2); ``phi`` an :class:`~statmech_nn.meanfield.Activation`."""
    n = h.shape[0]
    lw = draw_layer(rng, n, sigma_b2, weights)
    if weights == "gaussian":
        return _gaussian_layer(phi.phi, lw.gauss, math.sqrt(sigma_w2 / n), lw.bias, h)
    x = haar_apply(lw.gauss, lw.sign, activate(phi.phi, h))
    return math.sqrt(sigma_w2) * x + lw.bias[:, None]


def pair_statistics(h: np.ndarray) -> tuple[float, float]:
    """(q, c) of a pair: q = (|h_a|² + |h_b|²)/(2N), c = h_a·h_b / (|h_a| |h_b|)."""
    qa, qb = h[:, 0] @ h[:, 0], h[:, 1] @ h[:, 1]
    return 0.5 * (qa + qb) / h.shape[0], float(h[:, 0] @ h[:, 1] / math.sqrt(qa * qb))


# ---- trainability (Schoenholz et al. 2017, Sec. 6) -------------------------------------------------------------
def teacher_task(rng: np.random.Generator, n: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """n Gaussian inputs in R^dim labelled ±1 by a random linear teacher, y = sign(u·x)."""
    x = rng.standard_normal((n, dim))
    return x, np.sign(x @ rng.standard_normal(dim))


@dataclass(frozen=True)
class Training:
    """The outcome of :func:`fit_tanh_mlp`: training ``accuracy`` and mean logistic ``loss`` on the whole set when
    training stopped, and the SGD ``steps`` taken (fewer than the budget if the target accuracy was reached).
    A diverged network (non-finite parameters) is reported at chance, accuracy 0.5, loss inf."""

    accuracy: float
    loss: float
    steps: int


def fit_tanh_mlp(x: np.ndarray, y: np.ndarray, depth: int, sigma_w2: float, sigma_b2: float, width: int,
                 steps: int, lr: float, batch: int, rng: np.random.Generator, target: float = 2.0,
                 check_every: int = 100) -> Training:
    """Plain SGD on the logistic loss mean log(1 + e^{−y f}) of a tanh network f(x) = v·φ(h^L) + c with ``depth``
    hidden layers of ``width`` units, h^l = W^l φ(h^{l−1}) + b^l, initialised at (σ_w², σ_b²) (W_ij ~ N(0, σ_w²/n_in),
    b ~ N(0, σ_b²), v ~ N(0, σ_w²/width)) as in Schoenholz et al. 2017, Sec. 6. Every ``check_every`` steps the
    whole training set is evaluated and training stops once its accuracy reaches ``target`` (never for the
    default 2.0). Weights, minibatches and nothing else are drawn from ``rng``, in a fixed order."""
    dims = [x.shape[1]] + [width] * depth
    ws = [rng.standard_normal((a, b)) * math.sqrt(sigma_w2 / a) for a, b in zip(dims[:-1], dims[1:])]
    bs = [rng.standard_normal(width) * math.sqrt(sigma_b2) for _ in range(depth)]
    v, c = rng.standard_normal(width) * math.sqrt(sigma_w2 / width), 0.0

    def forward(xb):
        acts = [xb]
        for w, b in zip(ws, bs):
            acts.append(np.tanh(acts[-1] @ w + b))
        return acts, acts[-1] @ v + c

    def evaluate(taken):
        f = forward(x)[1]
        if not (np.all(np.isfinite(f)) and all(np.all(np.isfinite(w)) for w in ws)):
            return Training(0.5, math.inf, taken)
        return Training(float(np.mean(np.sign(f) == y)), float(np.mean(np.logaddexp(0.0, -y * f))), taken)

    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            idx = rng.integers(0, len(x), batch)
            acts, f = forward(x[idx])
            g = -y[idx] / (1.0 + np.exp(y[idx] * f)) / batch  # ∂loss/∂f for loss = mean log(1 + e^{−y f})
            delta = np.outer(g, v) * (1.0 - acts[-1] ** 2)
            v, c = v - lr * (acts[-1].T @ g), c - lr * g.sum()
            for lay in range(depth - 1, -1, -1):
                grad_w, grad_b = acts[lay].T @ delta, delta.sum(axis=0)
                if lay > 0:
                    delta = (delta @ ws[lay].T) * (1.0 - acts[lay] ** 2)
                ws[lay] -= lr * grad_w
                bs[lay] -= lr * grad_b
            if t % check_every == 0 and t < steps:
                outcome = evaluate(t)
                if outcome.accuracy >= target or not math.isfinite(outcome.loss):
                    return outcome
        return evaluate(steps)


def train_tanh_mlp(x: np.ndarray, y: np.ndarray, depth: int, sigma_w2: float, sigma_b2: float, width: int,
                   steps: int, lr: float, batch: int, rng: np.random.Generator) -> float:
    """Training accuracy of :func:`fit_tanh_mlp` after all ``steps`` steps; 0.5 if training diverged."""
    return fit_tanh_mlp(x, y, depth, sigma_w2, sigma_b2, width, steps, lr, batch, rng).accuracy
