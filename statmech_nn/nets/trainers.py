"""Trainers as pure (settings, explicit state) pairs: full-batch gradient descent, minibatch SGD with momentum,
Adam and Langevin dynamics.

A trainer is a frozen dataclass of settings with two methods:

* ``init(params, seed, n_samples) -> state``: a dict of numpy arrays — ``params`` (float64[P], a copy),
  ``step`` (int64, 0-d), the trainer's moments, and for minibatch trainers ``rng`` (uint64[4] xoshiro256**
  state from ``seed``, :mod:`statmech_nn.rng`), ``order`` (int64[n], this epoch's sample permutation) and
  ``cursor`` (int64, 0-d, the next position in ``order``);
* ``step(state, objective) -> float``: one update in place; returns the (minibatch) loss *before* the update.

``objective`` is anything with ``value_and_grad(params, index) -> (float, grad)`` (index None = all samples, else
an int64 array of sample indices) — :class:`statmech_nn.nets.mlp.Objective`, or any energy with a gradient.
Saving the state's arrays and loading them back continues a run bit for bit: every random number comes from
``rng``. Minibatches: each epoch a fresh Fisher–Yates permutation of the samples is cut into consecutive
batches of ``batch_size``; an incomplete last batch is skipped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from statmech_nn.errors import ParameterError
from statmech_nn.rng import next_double, permutation, seed_sequence, xoshiro256_state


@njit(cache=True)
def standard_normals(s, n):
    """n independent N(0, 1) draws from the xoshiro256** state ``s`` by the Box–Muller transform
    (Box & Muller, Ann. Math. Stat. 29, 610 (1958)): z = √(−2 ln u₁) (cos 2πu₂, sin 2πu₂), u₁ ∈ (0, 1]."""
    out = np.empty(n)
    for i in range(0, n, 2):
        r = math.sqrt(-2.0 * math.log(1.0 - next_double(s)))
        angle = 2.0 * math.pi * next_double(s)
        out[i] = r * math.cos(angle)
        if i + 1 < n:
            out[i + 1] = r * math.sin(angle)
    return out


def _positive(name, value):
    if not value > 0:
        raise ParameterError(name, value, "a positive number")


def _batch_size(batch_size):
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
        raise ParameterError("batch_size", batch_size, "None (full batch) or a positive integer")


def _base_state(params, seed, n_samples, batch_size) -> dict[str, np.ndarray]:
    state = {"params": np.array(params, dtype=np.float64), "step": np.zeros((), dtype=np.int64)}
    if batch_size is not None:
        if n_samples is None:
            raise ParameterError("n_samples", n_samples, "the objective's n_samples when batch_size is set")
        if batch_size > n_samples:
            raise ParameterError("batch_size", batch_size, f"at most the number of samples ({n_samples})")
        state["rng"] = xoshiro256_state(seed_sequence(seed))
        state["order"] = np.arange(n_samples, dtype=np.int64)
        state["cursor"] = np.full((), n_samples, dtype=np.int64)  # exhausted: the first step shuffles
    return state


def _next_batch(state, batch_size):
    """The next minibatch's sample indices (None for full batch), advancing ``cursor`` and reshuffling per epoch."""
    state["step"] += 1
    if batch_size is None:
        return None
    order, start = state["order"], int(state["cursor"])
    if start + batch_size > order.size:
        order[...] = permutation(order.size, state["rng"])
        start = 0
    state["cursor"][...] = start + batch_size
    return order[start:start + batch_size]


@dataclass(frozen=True)
class GD:
    """Full-batch gradient descent θ ← θ − η ∇L(θ)."""

    lr: float

    def __post_init__(self):
        _positive("lr", self.lr)

    def init(self, params, seed=0, n_samples=None) -> dict[str, np.ndarray]:
        return _base_state(params, seed, n_samples, None)

    def step(self, state, objective) -> float:
        _next_batch(state, None)
        loss, grad = objective.value_and_grad(state["params"], None)
        state["params"] -= self.lr * grad
        return loss


@dataclass(frozen=True)
class SGD:
    """Minibatch SGD with heavy-ball momentum μ (Polyak 1964): u ← μ u + ∇L_B(θ), θ ← θ − η u."""

    lr: float
    batch_size: int
    momentum: float = 0.0

    def __post_init__(self):
        _positive("lr", self.lr)
        _batch_size(self.batch_size)
        if not 0.0 <= self.momentum < 1.0:
            raise ParameterError("momentum", self.momentum, "0 <= momentum < 1")

    def init(self, params, seed, n_samples) -> dict[str, np.ndarray]:
        state = _base_state(params, seed, n_samples, self.batch_size)
        state["velocity"] = np.zeros_like(state["params"])
        return state

    def step(self, state, objective) -> float:
        index = _next_batch(state, self.batch_size)
        loss, grad = objective.value_and_grad(state["params"], index)
        state["velocity"] *= self.momentum
        state["velocity"] += grad
        state["params"] -= self.lr * state["velocity"]
        return loss


@dataclass(frozen=True)
class Adam:
    """Adam (Kingma & Ba, ICLR 2015): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − η m̂/(√v̂ + ε) with
    m̂ = m/(1−β₁^t), v̂ = v/(1−β₂^t); ``batch_size`` None for full batch."""

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    batch_size: int | None = None

    def __post_init__(self):
        _positive("lr", self.lr)
        _positive("eps", self.eps)
        _batch_size(self.batch_size)
        for name in ("beta1", "beta2"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ParameterError(name, getattr(self, name), f"0 <= {name} < 1")

    def init(self, params, seed=0, n_samples=None) -> dict[str, np.ndarray]:
        state = _base_state(params, seed, n_samples, self.batch_size)
        state["m"] = np.zeros_like(state["params"])
        state["v"] = np.zeros_like(state["params"])
        return state

    def step(self, state, objective) -> float:
        index = _next_batch(state, self.batch_size)
        t = int(state["step"])
        loss, grad = objective.value_and_grad(state["params"], index)
        state["m"] *= self.beta1
        state["m"] += (1.0 - self.beta1) * grad
        state["v"] *= self.beta2
        state["v"] += (1.0 - self.beta2) * grad * grad
        m_hat = state["m"] / (1.0 - self.beta1**t)
        v_hat = state["v"] / (1.0 - self.beta2**t)
        state["params"] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return loss


@dataclass(frozen=True)
class Langevin:
    """Langevin dynamics (Euler–Maruyama) θ ← θ − η ∇L(θ) + √(2ηT) ξ, ξ ~ N(0, 1) from the state's ``rng``;
    with minibatches this is stochastic-gradient Langevin dynamics (Welling & Teh, ICML 2011).

    As η → 0 the stationary density is the Gibbs measure ∝ exp(−L(θ)/T). At finite η on a quadratic
    L = Σ k_j θ_j²/2 the chain is AR(1) per direction with exact stationary variance T / (k_j (1 − η k_j/2)).
    """

    lr: float
    temperature: float
    batch_size: int | None = None

    def __post_init__(self):
        _positive("lr", self.lr)
        _batch_size(self.batch_size)
        if not self.temperature >= 0:
            raise ParameterError("temperature", self.temperature, "a non-negative number")

    def init(self, params, seed, n_samples=None) -> dict[str, np.ndarray]:
        state = _base_state(params, seed, n_samples, self.batch_size)
        state.setdefault("rng", xoshiro256_state(seed_sequence(seed)))
        return state

    def step(self, state, objective) -> float:
        index = _next_batch(state, self.batch_size)
        loss, grad = objective.value_and_grad(state["params"], index)
        noise = standard_normals(state["rng"], grad.size)
        state["params"] -= self.lr * grad
        state["params"] += math.sqrt(2.0 * self.lr * self.temperature) * noise
        return loss


def run(trainer, state: dict[str, np.ndarray], objective, n_steps: int) -> np.ndarray:
    """``n_steps`` steps in place; returns the losses before each step (float64[n_steps])."""
    return np.array([trainer.step(state, objective) for _ in range(n_steps)], dtype=np.float64)
