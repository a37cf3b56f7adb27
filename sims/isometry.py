"""Study ``isometry``: singular values of the input–output Jacobian of deep random networks against free probability
(Pennington, Schoenholz & Ganguli, "Resurrecting the sigmoid in deep learning through dynamical isometry", 2017).

``networks`` networks h^l = W^l φ(h^{l−1}) + b^l of ``depth`` layers and ``width`` units (W Gaussian or σ_w × Haar
orthogonal) get an input of squared length q* (the mean-field fixed point, so the D^l are stationary; q0 = 1 where
q* is not finite, e.g. ReLU at its critical point (2, 0) where every q is fixed). σ_w² is put on the critical line
σ_w²,c(σ_b²) unless ``sigma_w2`` is given. One row per network (step = network index): the mean, variance and
third moment of the eigenvalues of its JJᵀ. ``/results``: every network's singular values, the pooled mean and
variance of the eigenvalues of JJᵀ and their free-probability predictions, and the predicted density on a grid
(docs/isometry.md).
"""
from __future__ import annotations

import math
from functools import cached_property
from pathlib import Path

import numba
import numpy as np

from statmech_nn.meanfield import fixed_point, sigma_w2_critical
from statmech_nn.meanfield.spectrum import jjt_predictions
from statmech_nn.models import jacobian
from statmech_nn.models.deepnet import deepnet_params
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, run_study, seed_param
from statmech_nn.summaries.isometry import analyze

DENSITY_POINTS = 400
MAX_LOG_GAIN = 300.0   # L |ln χ_1| ≤ this keeps E[λ] = χ_1^L and Var λ ∝ χ_1^{2L} within floating point


def _check(s: Settings) -> None:
    if s.sigma_w2 == 0:
        PARAMS["sigma_w2"].check(math.isfinite(sigma_w2_critical(s.phi, s.sigma_b2)), 0.0,
                                 f"a value > 0: {s.phi} has no critical σ_w² at σ_b² = {s.sigma_b2}")
        return
    chi1 = fixed_point(s.phi, s.sigma_w2, s.sigma_b2).chi1
    if math.isfinite(chi1) and chi1 > 0 and chi1 != 1:
        PARAMS["depth"].check(s.depth * abs(math.log(chi1)) <= MAX_LOG_GAIN, s.depth,
                              f"an integer <= {int(MAX_LOG_GAIN / abs(math.log(chi1)))} "
                              f"(depth · |ln χ_1| <= {MAX_LOG_GAIN:g}; χ_1 = {chi1:.6g} here)")


PARAMS = ParamSet(
    *deepnet_params(sigma_w2={"default": 0.0, "low_open": False,
                              "doc": "weight variance σ_w²; 0: the critical σ_w²,c(σ_b²) (χ_1 = 1)"},
                    sigma_b2=1e-4, depth={"default": 32, "doc": "number of layers L"}, weights="orthogonal"),
    Param("networks", int, 16, "independent networks sampled (16: the jackknife error over networks is good to "
                               "~20 %; with 3 it is off by up to 3x; docs/isometry.md)", low=1),
    seed_param(),
    check=_check,
)


class Isometry(Simulation):
    """Phase ``networks``: one unit = one network (its own streams, keyed by the network index; several run on the
    Numba threads' count of Python threads). State: ``singular_values`` (networks, width)."""

    observables = {name: (np.float64, ()) for name in ("jjt_mean", "jjt_variance", "jjt_moment3")}

    @cached_property
    def sigma_w2(self) -> float:
        s = self.settings
        return s.sigma_w2 if s.sigma_w2 > 0 else sigma_w2_critical(s.phi, s.sigma_b2)

    @cached_property
    def q0(self) -> float:
        """Squared length of the input: q* where finite, else 1."""
        q = fixed_point(self.settings.phi, self.sigma_w2, self.settings.sigma_b2).q_star
        return q if math.isfinite(q) else 1.0

    def phases(self):
        return {"networks": self.settings.networks}

    def init_state(self):
        s = self.settings
        return {"singular_values": np.zeros((s.networks, s.width))}

    def step(self, state, phase, start, n):
        s = self.settings
        ks = np.arange(start, start + n, dtype=np.int64)
        sv = jacobian.singular_values(self.seed, ks, s.phi, self.sigma_w2, s.sigma_b2, s.depth, s.width, self.q0,
                                      s.weights, threads=numba.get_num_threads())
        state["singular_values"][ks] = sv
        lam = sv**2
        rows = {"jjt_mean": lam.mean(axis=1), "jjt_variance": lam.var(axis=1), "jjt_moment3": (lam**3).mean(axis=1)}
        return {name: (ks, values) for name, values in rows.items()}

    def results(self, state):
        s = self.settings
        sv = state["singular_values"][: self.progress(state)[0]]
        lam = sv**2
        measured = {"jjt_mean": np.float64(lam.mean()) if lam.size else np.float64(np.nan),
                    "jjt_variance": np.float64(lam.var()) if lam.size else np.float64(np.nan)}
        theory = jjt_predictions(s.phi, self.sigma_w2, self.q0, s.depth, s.weights, DENSITY_POINTS)
        return {"singular_values": sv, **measured, "sigma_w2": np.float64(self.sigma_w2),
                "q0": np.float64(self.q0), **theory}


STUDY = Study("isometry", "singular values of the input-output Jacobian vs free probability (dynamical isometry)",
              PARAMS, Isometry, summarize=analyze,
              example={"phi": "tanh", "depth": 3, "width": 20, "networks": 2},
              memory=lambda s: (8.0 * s.width * (s.networks + 4 * s.width), "width"))

#: The panels of the Pennington et al. figure: (φ, weights, σ_b²) at the critical σ_w².
FIGURE_CASES = (("tanh", "orthogonal", 1e-4), ("tanh", "gaussian", 1e-4), ("relu", "orthogonal", 0.0),
                ("relu", "gaussian", 0.0))
FIGURE_DEPTHS = (2, 8, 32, 128)


def isometry_runs(outdir: str | Path, width: int = 400, networks: int = 4, depths=FIGURE_DEPTHS,
                  seed: int = 2017) -> list[Path]:
    """One isometry run per figure case and depth into ``outdir``; returns the paths."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for phi, weights, sb2 in FIGURE_CASES:
        for depth in depths:
            path = outdir / f"isometry_{phi}_{weights}_L{depth}.h5"
            run_study(STUDY, {"phi": phi, "weights": weights, "sigma_b2": sb2, "depth": depth, "width": width,
                              "networks": networks, "seed": seed}, path, overwrite=True)
            paths.append(path)
    return paths
