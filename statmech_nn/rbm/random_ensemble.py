"""The random-weight RBM ensemble and its replica sampler (Decelle, Fissore & Furtlehner 2017, 2018; Barra,
Genovese, Sollich & Tantari 2018; docs/rbm_random.md).

Disorder sample k has couplings and a uniform bias field h on every unit,

    W_ij = w0 / √(N_v N_h) + σ z_ij / (N_v N_h)^{1/4},   z_ij ~ N(0, 1),      a_i = b_j = h,

i.e. a Gaussian bipartite spin glass plus a rank-one ferromagnetic (Mattis) component w0 (for ±1 units the
gauge v_i → ξ_i v_i, h_j → η_j h_j maps it to a stored pattern pair ξη^T). Each sample is simulated at
temperature T (every parameter divided by T) by ``replicas`` independent block-Gibbs or parallel-tempering chains
over the ladder β_t = β·(beta_min … 1). A measured row holds, per sample and replica, |m_v|, |m_h| and the energy
E(v, h)/√(N_v N_h) (h drawn from p(h | v) with the chain's own generator), and per pair of replicas (a < b) the
overlaps q_v = v^a·v^b/N_v and q_h = h^a·h^b/N_h.

Annealed second-moment predictions (±1 units, h = 0): E_W Z = 2^{N_v+N_h} exp(β²σ²√(N_v N_h)/2), so the
paramagnet has e = E/√(N_v N_h) = -βσ²; it becomes unstable to spin-glass order at βσ = 1 (q_v =
β²σ²√(N_h/N_v) q_h, q_h = β²σ²√(N_v/N_h) q_v) and to ferromagnetic order at βw0 = 1 (the same linearisation of
m_v, m_h), whichever comes first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from statmech_nn.models.rbm import RBM
from statmech_nn.rng import xoshiro256_states
from statmech_nn.samplers.rbm_gibbs import check_betas, draw_unit, hidden_field, tempering_chain

#: The observables of a measured row: per (sample, replica), and per (sample, replica pair).
REPLICA_OBSERVABLES = ("abs_m_v", "abs_m_h", "energy")
PAIR_OBSERVABLES = ("q_v", "q_h")


@dataclass(frozen=True)
class RandomRBMEnsemble:
    """The disorder distribution of the module docstring (at temperature 1)."""

    n_visible: int
    n_hidden: int
    sigma: float
    w0: float
    field: float
    units: str

    def sample(self, seed: np.random.SeedSequence) -> RBM:
        """One disorder sample; its Gaussian noise z comes from the stream ``seed``."""
        n_v, n_h = self.n_visible, self.n_hidden
        z = np.random.default_rng(seed).standard_normal((n_v, n_h))
        w = self.w0 / math.sqrt(n_v * n_h) + self.sigma * z / (n_v * n_h) ** 0.25
        return RBM(w, np.full(n_v, self.field), np.full(n_h, self.field), self.units)

    def annealed(self, T: float) -> dict[str, np.float64]:
        """Annealed predictions at T (±1 units, h = 0; nan otherwise): βσ (spin glass at 1), βw0 (ferromagnet at 1)
        and the paramagnetic energy per √(N_v N_h), -βσ²."""
        beta = 1.0 / T
        ok = self.units == "spin" and self.field == 0.0
        value = (lambda x: np.float64(x if ok else math.nan))
        return {"beta_sigma": value(beta * self.sigma), "beta_w0": value(beta * self.w0),
                "energy_annealed": value(-beta * self.sigma**2)}


def at_temperature(model: RBM, T: float) -> RBM:
    """The Boltzmann weight e^{-E/T} as an RBM at β = 1: every parameter divided by T."""
    return RBM(model.weights / T, model.visible_bias / T, model.hidden_bias / T, model.units)


def ladder(temperatures: int, beta_min: float) -> np.ndarray:
    """The tempering ladder in units of β: ``temperatures`` values from ``beta_min`` to 1 (just [1] for one)."""
    if temperatures == 1:
        return np.ones(1)
    return np.array(check_betas(np.linspace(beta_min, 1.0, temperatures)))  # writable: one compiled type


def stack(models: list[RBM]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W (samples, N_v, N_h), a (samples, N_v), b (samples, N_h) of ``models``."""
    return tuple(np.array([getattr(m, name) for m in models]) for name in ("weights", "visible_bias", "hidden_bias"))


def start_replicas(n_visible: int, replicas: int, n_betas: int, units: str, start_seed, chain_seed) -> dict:
    """One sample's chains: ``visible`` (replicas, ladder, N_v) uniformly random unit values from ``start_seed``,
    ``rng`` (replicas, 4) xoshiro256** states from ``chain_seed`` (one child per replica)."""
    visible = np.random.default_rng(start_seed).integers(0, 2, (replicas, n_betas, n_visible)).astype(np.float64)
    if units == "spin":
        visible = 2.0 * visible - 1.0
    return {"visible": visible, "rng": xoshiro256_states(chain_seed, replicas)}


@njit(cache=True)
def _measure(W, a, b, visible, rng, spin, abs_m_v, abs_m_h, energy, q_v, q_h):
    """Draw h ~ p(h | v) for each replica (rows of ``visible``) and fill its |m_v|, |m_h|, energy and the pair
    overlaps (pairs a < b in lexicographic order). Energies are E(v, h) in the units of W."""
    n_r, n_v = visible.shape
    n_h = W.shape[1]
    hidden = np.empty((n_r, n_h))
    field = np.empty(n_h)
    for r in range(n_r):
        v = visible[r]
        hidden_field(W, b, v, field)
        e = 0.0
        for j in range(n_h):
            hidden[r, j] = draw_unit(field[j], rng[r], spin)
            e -= hidden[r, j] * field[j]
        for i in range(n_v):
            e -= a[i] * v[i]
        abs_m_v[r] = abs(v.sum()) / n_v
        abs_m_h[r] = abs(hidden[r].sum()) / n_h
        energy[r] = e
    p = 0
    for r in range(n_r):
        for t in range(r + 1, n_r):
            qv = 0.0
            for i in range(n_v):
                qv += visible[r, i] * visible[t, i]
            qh = 0.0
            for j in range(n_h):
                qh += hidden[r, j] * hidden[t, j]
            q_v[p] = qv / n_v
            q_h[p] = qh / n_h
            p += 1


@njit(cache=True, parallel=True)
def rows_kernel(W, a, b, betas, visible, rng, accepted, n_rows, every, spin, measure, abs_m_v, abs_m_h, energy,
                q_v, q_h):
    """For every disorder sample k (in parallel; W (samples, N_v, N_h), visible (samples, replicas, ladder, N_v),
    rng (samples, replicas, 4), accepted (samples, replicas, ladder-1)): ``n_rows`` times, ``every`` sweeps of
    each replica chain, then (if ``measure``) row r of the outputs (rows, samples, ...)."""
    n_samples, n_replicas = visible.shape[:2]
    for k in prange(n_samples):
        flips = np.zeros(betas.size, np.int64)  # not reported
        for r in range(n_rows):
            for c in range(n_replicas):
                tempering_chain(W[k], a[k], b[k], betas, visible[k, c], rng[k, c], every, spin, accepted[k, c], flips)
            if measure:
                _measure(W[k], a[k], b[k], visible[k, :, -1], rng[k], spin, abs_m_v[r, k], abs_m_h[r, k],
                         energy[r, k], q_v[r, k], q_h[r, k])


def sweep(parameters, betas, state: dict, n_sweeps: int, spin: bool) -> None:
    """``n_sweeps`` unmeasured sweeps of every replica chain of every sample (``state``: ``visible``, ``rng``,
    ``accepted`` as in :func:`rows_kernel`), in place."""
    empty = np.empty((0, 0, 0))
    rows_kernel(*parameters, betas, state["visible"], state["rng"], state["accepted"], 1, n_sweeps, spin, False,
                empty, empty, empty, empty, empty)


def measure(parameters, betas, state: dict, n_rows: int, every: int, spin: bool, T: float) -> dict[str, np.ndarray]:
    """``n_rows`` rows, each after ``every`` sweeps: ``{name: (n_rows, samples, replicas or pairs)}`` with the
    energy per √(N_v N_h) in the units of the disorder at temperature 1 (the sampled W is W/T)."""
    n_samples, n_replicas, _, n_v = state["visible"].shape
    n_h = parameters[0].shape[2]
    pairs = n_replicas * (n_replicas - 1) // 2
    rows = {name: np.empty((n_rows, n_samples, n_replicas)) for name in REPLICA_OBSERVABLES}
    rows.update({name: np.empty((n_rows, n_samples, pairs)) for name in PAIR_OBSERVABLES})
    rows_kernel(*parameters, betas, state["visible"], state["rng"], state["accepted"], n_rows, every, spin, True,
                rows["abs_m_v"], rows["abs_m_h"], rows["energy"], rows["q_v"], rows["q_h"])
    rows["energy"] *= T / math.sqrt(n_v * n_h)  # E(W) per √(N_v N_h)
    return rows
