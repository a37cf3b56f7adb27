"""Study ``signal-prop``: mean-field signal propagation in deep random networks, with an optional finite-width check.

Theory (Poole et al. 2016; Schoenholz et al. 2017) for h^l = W^l φ(h^{l−1}) + b^l, W_ij ~ N(0, σ_w²/N),
b_i ~ N(0, σ_b²): fixed points, slopes, depth scales and the critical σ_w² go to ``/results``, with the theory
curves q^l, c^l for l = 0..depth from inputs with squared length q0 and correlation c0. With ``width`` > 0,
``networks`` sampled networks propagate such a pair of inputs; one row per layer (step = layer, 0..depth) of the
network means of q^l and c^l and their standard deviations over networks (docs/signal_prop.md).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

import numba
import numpy as np

from statmech_nn.meanfield import activation, fixed_point, phase_diagram, sigma_w2_critical, theory_curves
from statmech_nn.models import deepnet
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.signal_prop import THEORY, analyze

OBSERVABLES = {name: (np.float64, ()) for name in ("q", "q_std", "c", "c_std")}

PARAMS = ParamSet(
    *deepnet.deepnet_params(
        depth={"high": 100000},
        width={"default": 0, "low": 0, "doc": "units per layer N of the simulated networks; 0: theory only"}),
    Param("networks", int, 50, "independent networks simulated", low=1),
    Param("q0", float, 1.0, "squared length q^0 = |h^0|²/N of both inputs", low=0, low_open=True),
    Param("c0", float, 0.6, "correlation c^0 of the two inputs", low=-1, high=1),
    seed_param(),
)


class SignalPropagation(Simulation):
    """Phases: ``layers`` (one row per layer 0..depth of the network means of q^l and c^l and their standard
    deviations over networks; none for a theory-only run). State: ``h`` (networks, width, 2) pre-activations of
    the current layer."""

    @property
    def observables(self) -> dict:
        return OBSERVABLES if self.settings.width else {}

    def phases(self) -> dict[str, int]:
        return {"layers": self.settings.depth + 1 if self.settings.width else 0}

    def init_state(self) -> dict[str, np.ndarray]:
        s = self.settings
        h = np.empty((s.networks if s.width else 0, s.width, 2))
        for k in range(len(h)):
            h[k] = deepnet.input_pair(deepnet.stream(self.seed, k, 0), s.width, s.q0, s.c0)
        return {"h": h}

    def step(self, state, phase: str, start: int, n: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Report layers start..start+n−1 (propagating every network one layer before each but layer 0)."""
        s, h = self.settings, state["h"]
        layers = np.arange(start, start + n, dtype=np.int64)
        rows = np.empty((n, 4))
        ddof = 1 if len(h) > 1 else 0
        with ThreadPoolExecutor(numba.get_num_threads()) as pool:  # networks are independent streams
            for r, lay in enumerate(layers):
                if lay > 0:
                    def propagate(k, lay=int(lay)):
                        h[k] = deepnet.layer(deepnet.stream(self.seed, k, lay), h[k], self.phi, s.sigma_w2,
                                             s.sigma_b2, s.weights)
                    list(pool.map(propagate, range(len(h))))
                q, c = np.array([deepnet.pair_statistics(hk) for hk in h]).T
                rows[r] = q.mean(), q.std(ddof=ddof), c.mean(), c.std(ddof=ddof)
        return {name: (layers, rows[:, i]) for i, name in enumerate(OBSERVABLES)}

    @cached_property
    def phi(self):
        return activation(self.settings.phi)

    @cached_property
    def theory(self) -> dict[str, np.ndarray]:
        s = self.settings
        fp = fixed_point(self.phi, s.sigma_w2, s.sigma_b2)
        q, c = theory_curves(self.phi, s.sigma_w2, s.sigma_b2, s.q0, s.c0, s.depth)
        values = {"q_star": fp.q_star, "chi1": fp.chi1, "chi2": fp.chi2, "dV": fp.dV, "c_star": fp.c_star,
                  "chi_c": fp.chi_c, "xi_q": fp.xi_q, "xi_c": fp.xi_c, "xi_grad": fp.xi_grad,
                  "sigma_w2_critical": sigma_w2_critical(self.phi, s.sigma_b2)}
        return {**{k: np.float64(v) for k, v in values.items()}, "q_theory": q, "c_theory": c}

    def results(self, state) -> dict[str, np.ndarray]:
        return self.theory


def theory_grid(points: list[Settings]) -> list[dict[str, tuple[float, float, float]]] | None:
    """The theory summaries of many theory-only points (width 0) at once: one :func:`phase_diagram` call per
    activation over the distinct σ_w² × σ_b² values, instead of one run per point. ``None`` if any point
    simulates networks. Values are exact (error 0, τ nan), as ``analysis.signal_prop.analyze`` reports them."""
    if any(s.width > 0 for s in points):
        return None
    out: list[dict] = [{} for _ in points]
    for phi in {s.phi for s in points}:
        members = [i for i, s in enumerate(points) if s.phi == phi]
        sw2 = np.unique([points[i].sigma_w2 for i in members])
        sb2 = np.unique([points[i].sigma_b2 for i in members])
        grid = phase_diagram(phi, sw2, sb2)
        for i in members:
            a = int(np.searchsorted(sw2, points[i].sigma_w2))
            b = int(np.searchsorted(sb2, points[i].sigma_b2))
            out[i] = {name: (float(grid[name][b] if name == "sigma_w2_critical" else grid[name][a, b]), 0.0, np.nan)
                      for name in THEORY}
    return out


def memory(s: Settings) -> tuple[float, str]:
    """The networks' pre-activations (2 inputs, float64) and one weight matrix per thread being drawn."""
    return 16.0 * s.networks * s.width + 8.0 * 2 * s.width**2, "networks"


STUDY = Study("signal-prop", "mean-field signal propagation in deep random networks (+ finite-width check)",
              PARAMS, SignalPropagation, summarize=analyze, batch=theory_grid,
              example={"width": 40, "networks": 3, "depth": 5}, memory=memory)
