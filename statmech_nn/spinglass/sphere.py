"""Dynamics of the spherical p-spin on ‖σ‖² = N (model: :mod:`.pspin`), many chains at once.

* Projected gradient descent: σ ← R(σ − η P∇H), R(x) = √N x/‖x‖, until the root-mean-square component of the
  Riemannian gradient ‖P∇H‖/√N falls below ``tol`` (or a step budget runs out; call again to continue).
* Langevin dynamics at temperature T (Euler–Maruyama then retraction): σ ← R(σ − dt P∇H + √(2T dt) Pξ),
  ξ ~ N(0, I); its stationary law is ∝ e^{−H/T} on the sphere up to O(dt).
* Simulated annealing: the same Langevin steps with T falling linearly from T_start to T_end over a planned
  number of steps (the schedule is indexed by the global step count, so chunks reproduce one long run); follow with
  gradient descent to reach a critical point.

End points are classified by their index, the number of negative eigenvalues of the Riemannian Hessian on the
(N−1)-dimensional tangent space (:meth:`.pspin.PSpin.tangent_hessian_eigenvalues`).

State ``{"sigma": (C, N) float64, "rng": (C, 4) uint64, "steps": () int64 Langevin steps so far}``; chain c draws
its noise from its own xoshiro256** stream (key (SPHERE_KEY, c)), so results do not depend on threads or chunking.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from statmech_nn.errors import ParameterError
from statmech_nn.rng import next_double, xoshiro256_states

from .checks import integer, positive
from .pspin import PSpin, gradient_kernel, random_sphere_points

#: Stream keys (after the seed): starting points, chain noise (then the chain index).
SPHERE_START_KEY, SPHERE_NOISE_KEY = 20, 21


@njit(cache=True)
def _tangent_gradient(index, weights, sigma, grad):
    """grad ← P∇H(σ) in place; returns (H(σ) = σ·∇H/p, ‖P∇H‖²)."""
    gradient_kernel(index, weights, sigma, grad)
    n = sigma.size
    radial = 0.0
    for i in range(n):
        radial += sigma[i] * grad[i]
    norm2 = 0.0
    for i in range(n):
        grad[i] -= radial / n * sigma[i]
        norm2 += grad[i] * grad[i]
    return radial / index.shape[1], norm2


@njit(cache=True)
def _retract(sigma):
    norm2 = 0.0
    for i in range(sigma.size):
        norm2 += sigma[i] * sigma[i]
    scale = math.sqrt(sigma.size / norm2)
    for i in range(sigma.size):
        sigma[i] *= scale


@njit(cache=True)
def _normal(s):
    """A standard normal (Box–Muller, one value per pair of uniforms)."""
    u = 1.0 - next_double(s)
    return math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi * next_double(s))


@njit(cache=True, parallel=True)
def descent_kernel(index, weights, sigma, step, tol, max_steps, steps, rms):
    """Projected gradient descent of every chain (row of sigma) until rms < tol or max_steps more steps."""
    n = sigma.shape[1]
    for c in prange(sigma.shape[0]):
        grad = np.empty(n)
        for k in range(max_steps + 1):
            _, norm2 = _tangent_gradient(index, weights, sigma[c], grad)
            rms[c] = math.sqrt(norm2 / n)
            if rms[c] < tol or k == max_steps:
                break
            for i in range(n):
                sigma[c, i] -= step * grad[i]
            _retract(sigma[c])
            steps[c] += 1


@njit(cache=True, parallel=True)
def langevin_kernel(index, weights, sigma, rng, dt, temperatures):
    """One Langevin step per entry of ``temperatures`` for every chain."""
    n = sigma.shape[1]
    for c in prange(sigma.shape[0]):
        grad = np.empty(n)
        noise = np.empty(n)
        for t in range(temperatures.size):
            _tangent_gradient(index, weights, sigma[c], grad)
            amplitude = math.sqrt(2.0 * temperatures[t] * dt)
            radial = 0.0
            for i in range(n):
                noise[i] = _normal(rng[c])
                radial += noise[i] * sigma[c, i]
            for i in range(n):
                sigma[c, i] += -dt * grad[i] + amplitude * (noise[i] - radial / n * sigma[c, i])
            _retract(sigma[c])


def init_sphere(model: PSpin, n_chains: int, seed) -> dict[str, np.ndarray]:
    """Chains at independent uniform points of the sphere (see the module docstring for the state)."""
    c = integer("n_chains", n_chains, 1)
    return {"sigma": random_sphere_points(model.n_spins, c, seed, SPHERE_START_KEY),
            "rng": xoshiro256_states(seed, c, SPHERE_NOISE_KEY), "steps": np.array(0, np.int64)}


def _check(model: PSpin, state: dict) -> tuple[np.ndarray, np.ndarray]:
    sigma, rng = state.get("sigma"), state.get("rng")
    ok = (isinstance(sigma, np.ndarray) and sigma.dtype == np.float64 and sigma.ndim == 2
          and sigma.shape[1] == model.n_spins and sigma.flags.c_contiguous and sigma.flags.writeable
          and isinstance(rng, np.ndarray) and rng.dtype == np.uint64 and rng.shape == (sigma.shape[0], 4)
          and rng.flags.c_contiguous and rng.flags.writeable)
    if not ok:
        raise ParameterError("state", {k: np.shape(v) for k, v in state.items()},
                             f"a state from init_sphere for {model.n_spins} spins")
    return sigma, rng


def descend(model: PSpin, state: dict, step: float = 0.05, tol: float = 1e-9,
            max_steps: int = 100_000) -> dict[str, np.ndarray]:
    """Projected gradient descent of every chain in place. Returns ``"converged"`` (C,) bool (rms gradient < tol),
    ``"steps"`` (C,) steps taken in this call, ``"rms_gradient"`` (C,)."""
    sigma, _ = _check(model, state)
    steps, rms = np.zeros(sigma.shape[0], np.int64), np.empty(sigma.shape[0])
    descent_kernel(model.index, model.weights, sigma, positive("step", step), positive("tol", tol),
                   integer("max_steps", max_steps, 0), steps, rms)
    return {"converged": rms < tol, "steps": steps, "rms_gradient": rms}


def langevin(model: PSpin, state: dict, n_steps: int, dt: float, temperature: float) -> None:
    """``n_steps`` Langevin steps at ``temperature`` (≥ 0) for every chain, in place."""
    sigma, rng = _check(model, state)
    t = float(temperature)
    if not (np.isfinite(t) and t >= 0.0):
        raise ParameterError("temperature", temperature, "a finite temperature >= 0")
    n = integer("n_steps", n_steps, 0)
    langevin_kernel(model.index, model.weights, sigma, rng, positive("dt", dt), np.full(n, t))
    state["steps"] = np.array(int(state["steps"]) + n, np.int64)


def annealing_temperatures(t_start: float, t_end: float, total_steps: int, first: int, count: int) -> np.ndarray:
    """T_k = T_start + (T_end − T_start) k/(total − 1) for global steps k = first..first+count−1 (T_end after)."""
    total = integer("total_steps", total_steps, 2)
    k = np.minimum(np.arange(first, first + count), total - 1)
    return t_start + (t_end - t_start) * k / (total - 1)


def anneal(model: PSpin, state: dict, n_steps: int, dt: float, t_start: float, t_end: float,
           total_steps: int) -> None:
    """``n_steps`` more Langevin steps of a linear annealing schedule of ``total_steps`` steps, in place; the
    schedule position is ``state["steps"]``, so any split into calls gives the same run."""
    sigma, rng = _check(model, state)
    lo, hi = float(t_end), float(t_start)
    if not (np.isfinite(lo) and np.isfinite(hi) and 0.0 <= lo <= hi):
        raise ParameterError("t_end", t_end, f"a temperature in [0, t_start = {t_start}]")
    n = integer("n_steps", n_steps, 0)
    temps = annealing_temperatures(hi, lo, total_steps, int(state["steps"]), n)
    langevin_kernel(model.index, model.weights, sigma, rng, positive("dt", dt), temps)
    state["steps"] = np.array(int(state["steps"]) + n, np.int64)


def classify(model: PSpin, sigma) -> dict[str, np.ndarray]:
    """For each row of ``sigma`` (C, N): ``"energy"`` H/N, ``"rms_gradient"`` ‖P∇H‖/√N, ``"index"`` (negative
    tangent Hessian eigenvalues below −1e-8), ``"lowest_eigenvalue"``."""
    rows = np.atleast_2d(np.asarray(sigma, dtype=np.float64))
    n = model.n_spins
    eig = np.array([model.tangent_hessian_eigenvalues(s) for s in rows])
    return {"energy": np.array([model.energy(s) for s in rows]) / n,
            "rms_gradient": np.array([np.linalg.norm(model.riemannian_gradient(s)) for s in rows]) / math.sqrt(n),
            "index": np.sum(eig < -1e-8, axis=1), "lowest_eigenvalue": eig[:, 0]}
