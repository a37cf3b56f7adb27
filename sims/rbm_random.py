"""Study ``rbm-random``: the phase diagram of random-weight RBMs (Decelle, Fissore & Furtlehner 2017, 2018;
Barra, Genovese, Sollich & Tantari 2018).

Disorder sample k has couplings and a uniform bias field h on every unit,

    W_ij = w0 / √(N_v N_h) + σ z_ij / (N_v N_h)^{1/4},   z_ij ~ N(0, 1),      a_i = b_j = h,

i.e. a Gaussian bipartite spin glass plus a rank-one ferromagnetic (Mattis) component w0 (for ±1 units the
gauge v_i → ξ_i v_i, h_j → η_j h_j maps it to a stored pattern pair ξη^T). It is sampled at temperature T by
block Gibbs (``temperatures`` = 1) or parallel tempering over the ladder β_t = β·(beta_min … 1), with
``replicas`` independent chains per sample for the overlaps. After ``burn_in`` sweeps, every ``measure_every``
sweeps one row holds, per sample and replica, |m_v|, |m_h| and the energy E(v, h)/√(N_v N_h), and per pair of
replicas (a < b) the overlaps q_v = v^a·v^b/N_v and q_h = h^a·h^b/N_h; the hidden units of a row are drawn
from p(h | v) with the chain's own generator.

Annealed second-moment predictions (±1 units, h = 0; docs/rbm_random.md): E_W Z = 2^{N_v+N_h}
exp(β²σ²√(N_v N_h)/2), so the paramagnet has e = E/√(N_v N_h) = -βσ²; the paramagnet becomes unstable to
spin-glass order at βσ = 1 (q_v = β²σ²√(N_h/N_v) q_h, q_h = β²σ²√(N_v/N_h) q_v) and to ferromagnetic order at
βw0 = 1 (the same linearisation of m_v, m_h), whichever comes first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numba import njit, prange

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM, UNITS
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rng import seed_sequence, xoshiro256_states
from statmech_nn.samplers.rbm_gibbs import check_betas, draw_unit, hidden_field, tempering_chain
from statmech_nn.study import Study, seed_param


def _check(s: Settings) -> None:
    if s.measure_every > s.sweeps:
        raise ParameterError("measure_every", s.measure_every, f"an integer from 1 to sweeps={s.sweeps}")


PARAMS = ParamSet(
    Param("n_visible", int, 32, "visible units N_v", low=1, high=4096),
    Param("n_hidden", int, 0, "hidden units N_h (0: same as n_visible)", low=0, high=4096),
    Param("sigma", float, 1.0, "random weight scale σ: W_ij noise ~ N(0, σ²/√(N_v N_h))", low=0),
    Param("w0", float, 0.0, "ferromagnetic (rank-one) coupling: W_ij mean w0/√(N_v N_h)"),
    Param("field", float, 0.0, "bias h of every visible and hidden unit"),
    Param("T", float, 1.0, "temperature (β = 1/T)", low=0, low_open=True),
    Param("units", str, "spin", "unit values", choices=UNITS),
    Param("replicas", int, 2, "independent chains per disorder sample (overlaps need 2)", low=2, high=64),
    Param("samples", int, 16, "disorder samples (independent W)", low=1, high=100000),
    Param("temperatures", int, 1, "parallel-tempering ladder size (1: plain block Gibbs at T)", low=1, high=256),
    Param("beta_min", float, 0.3, "lowest ladder inverse temperature, as a fraction of β", low=0, high=1,
          low_open=True, high_open=True),
    Param("sweeps", int, 2000, "measurement sweeps after burn-in", low=1),
    Param("burn_in", int, 500, "sweeps discarded before measuring", low=0),
    Param("measure_every", int, 1, "sweeps between measurements", low=1),
    seed_param(),
    check=_check,
)


def hidden_units(s: Settings) -> int:
    return s.n_hidden or s.n_visible


def disorder_sample(s: Settings, seed, k: int) -> RBM:
    """Sample k of the ensemble at temperature 1 (couplings W, biases h); stream (seed, 1, k)."""
    n_v, n_h = s.n_visible, hidden_units(s)
    z = np.random.default_rng(seed_sequence(seed, 1, k)).standard_normal((n_v, n_h))
    w = s.w0 / math.sqrt(n_v * n_h) + s.sigma * z / (n_v * n_h) ** 0.25
    return RBM(w, np.full(n_v, s.field), np.full(n_h, s.field), s.units)


def at_temperature(model: RBM, T: float) -> RBM:
    """The Boltzmann weight e^{-E/T} as an RBM at β = 1: every parameter divided by T."""
    return RBM(model.weights / T, model.visible_bias / T, model.hidden_bias / T, model.units)


def annealed(s: Settings) -> dict[str, np.ndarray]:
    """Annealed predictions (±1 units, h = 0; nan otherwise): βσ (spin glass at 1), βw0 (ferromagnet at 1), and
    the paramagnetic energy per √(N_v N_h), -βσ²."""
    beta = 1.0 / s.T
    ok = s.units == "spin" and s.field == 0.0
    value = (lambda x: np.float64(x if ok else math.nan))
    return {"beta_sigma": value(beta * s.sigma), "beta_w0": value(beta * s.w0),
            "energy_annealed": value(-beta * s.sigma**2)}


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


@dataclass(frozen=True)
class RandomRBM:
    """Settings of one run. State: ``visible`` (samples, replicas, ladder, N_v) float64 unit values,
    ``rng`` (samples, replicas, 4) uint64 xoshiro256** states (stream (seed, 3, k, replica)), ``accepted``
    (samples, replicas, ladder-1) int64 swap counts, ``sweeps`` () int64 sweeps done (burn-in included)."""

    settings: Settings
    seed: np.random.SeedSequence

    study = "rbm-random"

    @property
    def observables(self) -> dict:
        s = self.settings
        pairs = s.replicas * (s.replicas - 1) // 2
        shape = (s.samples, s.replicas)
        return {"abs_m_v": (np.float64, shape), "abs_m_h": (np.float64, shape), "energy": (np.float64, shape),
                "q_v": (np.float64, (s.samples, pairs)), "q_h": (np.float64, (s.samples, pairs))}

    @cached_property
    def betas(self) -> np.ndarray:
        """The tempering ladder in units of β (ends at 1; just [1] without tempering)."""
        s = self.settings
        if s.temperatures == 1:
            return np.ones(1)
        return np.array(check_betas(np.linspace(s.beta_min, 1.0, s.temperatures)))  # writable: one compiled type

    def model(self, k: int) -> RBM:
        """Disorder sample k at the run's temperature (the model the chains sample at β = 1)."""
        return at_temperature(disorder_sample(self.settings, self.seed, k), self.settings.T)

    @cached_property
    def parameters(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """W (samples, N_v, N_h), a (samples, N_v), b (samples, N_h) of all samples at the run's temperature."""
        models = [self.model(k) for k in range(self.settings.samples)]
        return tuple(np.array([getattr(m, name) for m in models])
                     for name in ("weights", "visible_bias", "hidden_bias"))

    def init_state(self) -> dict[str, np.ndarray]:
        s = self.settings
        shape = (s.replicas, len(self.betas), s.n_visible)
        visible = np.array([np.random.default_rng(seed_sequence(self.seed, 2, k)).integers(0, 2, shape)
                            for k in range(s.samples)], np.float64).reshape(s.samples, *shape)
        if s.units == "spin":
            visible = 2.0 * visible - 1.0
        rng = np.array([xoshiro256_states(self.seed, s.replicas, 3, k) for k in range(s.samples)])
        return {"visible": visible, "rng": rng.reshape(s.samples, s.replicas, 4),
                "accepted": np.zeros((s.samples, s.replicas, len(self.betas) - 1), np.int64),
                "sweeps": np.array(0, np.int64)}

    def _kernel(self, state, n_rows: int, every: int, rows=None) -> None:
        W, a, b = self.parameters
        out = rows or {name: np.empty((0, 0, 0)) for name in self.observables}
        rows_kernel(W, a, b, self.betas, state["visible"], state["rng"], state["accepted"], n_rows, every,
                    self.settings.units == "spin", rows is not None, out["abs_m_v"], out["abs_m_h"], out["energy"],
                    out["q_v"], out["q_h"])
        state["sweeps"] = np.array(int(state["sweeps"]) + n_rows * every, np.int64)

    def advance(self, state, max_rows: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Burn-in first (no rows), then up to ``max_rows`` rows, each after ``measure_every`` sweeps."""
        s = self.settings
        done = int(state["sweeps"])
        if done < s.burn_in:
            self._kernel(state, 1, min(s.burn_in - done, max_rows * s.measure_every))
            return {}
        n_rows = min(max_rows, (self.progress(state)[1] - done) // s.measure_every)
        rows = {name: np.empty((n_rows, *shape)) for name, (_, shape) in self.observables.items()}
        self._kernel(state, n_rows, s.measure_every, rows)
        rows["energy"] *= s.T / math.sqrt(s.n_visible * hidden_units(s))  # E(W) per √(N_v N_h)
        steps = done + s.measure_every * np.arange(1, n_rows + 1, dtype=np.int64)
        return {name: (steps, values) for name, values in rows.items()}

    def progress(self, state) -> tuple[int, int]:
        s = self.settings
        return int(state["sweeps"]), s.burn_in + (s.sweeps // s.measure_every) * s.measure_every

    def results(self, state) -> dict[str, np.ndarray]:
        out = annealed(self.settings)
        if self.settings.temperatures > 1:
            sweeps = max(int(state["sweeps"]), 1)
            out["swap_acceptance"] = state["accepted"].sum(axis=(0, 1)) / (sweeps * self.settings.samples
                                                                          * self.settings.replicas)
        return out


def build(s: Settings, seed: np.random.SeedSequence) -> RandomRBM:
    return RandomRBM(s, seed)


STUDY = Study("rbm-random", "random-weight RBM: magnetisations and replica overlaps (phase diagram)", PARAMS, build)
