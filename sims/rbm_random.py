"""Study ``rbm-random``: the phase diagram of random-weight RBMs (Decelle, Fissore & Furtlehner 2017, 2018;
Barra, Genovese, Sollich & Tantari 2018).

``samples`` disorder samples of :mod:`statmech_nn.rbm.random_ensemble` (Gaussian couplings of scale σ, a rank-one
ferromagnetic part w0, a uniform field h), each sampled at temperature T by ``replicas`` independent block-Gibbs
chains (``temperatures`` = 1) or parallel-tempering ladders β·(beta_min … 1). After ``burn_in`` sweeps, every
``measure_every`` sweeps one row holds, per sample and replica, |m_v|, |m_h| and E(v, h)/√(N_v N_h), and per
pair of replicas the overlaps q_v, q_h; the annealed predictions go to ``/results`` (docs/rbm_random.md).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from statmech_nn.models.rbm import RBM, UNITS
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rbm import random_ensemble as ensemble
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.rbm_random import analyze


def _check(s: Settings) -> None:
    PARAMS["measure_every"].check(s.measure_every <= s.sweeps, s.measure_every,
                                  f"an integer from 1 to sweeps={s.sweeps}")


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


def ensemble_of(s: Settings) -> ensemble.RandomRBMEnsemble:
    return ensemble.RandomRBMEnsemble(s.n_visible, hidden_units(s), s.sigma, s.w0, s.field, s.units)


class RandomRBM(Simulation):
    """Phases: ``burn-in`` (sweeps), ``measure`` (rows, each after ``measure_every`` sweeps). State: ``visible``
    (samples, replicas, ladder, N_v) unit values, ``rng`` (samples, replicas, 4) xoshiro256** states,
    ``accepted`` (samples, replicas, ladder-1) swap counts."""

    streams = {"disorder": 1, "start": 2, "chains": 3}  # each followed by the sample index

    @property
    def observables(self) -> dict:
        s = self.settings
        pairs = s.replicas * (s.replicas - 1) // 2
        per_replica = (np.float64, (s.samples, s.replicas), ("sample", "replica"))
        per_pair = (np.float64, (s.samples, pairs), ("sample", "pair"))
        return {**{name: per_replica for name in ensemble.REPLICA_OBSERVABLES},
                **{name: per_pair for name in ensemble.PAIR_OBSERVABLES}}

    def phases(self) -> dict[str, int]:
        s = self.settings
        return {"burn-in": s.burn_in, "measure": s.sweeps // s.measure_every}

    @cached_property
    def betas(self) -> np.ndarray:
        return ensemble.ladder(self.settings.temperatures, self.settings.beta_min)

    def model(self, k: int) -> RBM:
        """Disorder sample k at the run's temperature (the model the chains sample at β = 1)."""
        return ensemble.at_temperature(ensemble_of(self.settings).sample(self.stream("disorder", k)), self.settings.T)

    @cached_property
    def parameters(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return ensemble.stack([self.model(k) for k in range(self.settings.samples)])

    def init_state(self):
        s = self.settings
        chains = [ensemble.start_replicas(s.n_visible, s.replicas, len(self.betas), s.units,
                                          self.stream("start", k), self.stream("chains", k)) for k in range(s.samples)]
        return {"visible": np.array([c["visible"] for c in chains]), "rng": np.array([c["rng"] for c in chains]),
                "accepted": np.zeros((s.samples, s.replicas, len(self.betas) - 1), np.int64)}

    def step(self, state, phase: str, start: int, n: int):
        s = self.settings
        spin = s.units == "spin"
        if phase == "burn-in":
            ensemble.sweep(self.parameters, self.betas, state, n, spin)
            return {}
        rows = ensemble.measure(self.parameters, self.betas, state, n, s.measure_every, spin, s.T)
        steps = s.burn_in + s.measure_every * np.arange(start + 1, start + n + 1, dtype=np.int64)
        return {name: (steps, values) for name, values in rows.items()}

    def results(self, state):
        """The annealed predictions and, with tempering, the swap acceptance of each neighbour pair."""
        s = self.settings
        out = ensemble_of(s).annealed(s.T)
        if s.temperatures > 1:
            done = int(state["progress"])
            sweeps = max(min(done, s.burn_in) + max(done - s.burn_in, 0) * s.measure_every, 1)
            out["swap_acceptance"] = state["accepted"].sum(axis=(0, 1)) / (sweeps * s.samples * s.replicas)
        return out


STUDY = Study("rbm-random", "random-weight RBM: magnetisations and replica overlaps (phase diagram)", PARAMS,
              RandomRBM, summarize=analyze,
              example={"n_visible": 6, "n_hidden": 5, "samples": 2, "replicas": 2, "temperatures": 2,
                       "sweeps": 40, "burn_in": 10})
