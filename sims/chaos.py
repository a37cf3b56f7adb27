"""Study ``chaos``: a great circle of inputs propagated through deep random networks (Poole et al. 2016;
Raghu et al. 2017): per-layer length, curvature, Grassmannian length and neuron transitions beside their
mean-field predictions (:mod:`statmech_nn.meanfield.curvature`).

``networks`` independent networks h^l = W^l φ(h^{l−1}) + b^l of width N each propagate the circle
h^0(θ) = √(N q0) (u0 cos θ + u1 sin θ) sampled at ``points`` angles (q0 = 0 selects q0 = q*, Poole's choice).
One row per layer (step = layer, 0..depth) holds each observable for every network (row shape (networks,)), the
principal-component spectrum of the layer's points for every network (``pca_variance``, ``total_variance``) and the
first network's points on their top three principal axes (``pca_projection``, Poole et al. 2016, Fig. 3) and the
crossings of h = ±1 (``saturation_transitions``, Raghu et al.'s transitions of hard-tanh units);
/results holds the theory curves ``<observable>_theory`` and the fixed point (docs/chaos.md).
"""
from __future__ import annotations

import math
import os
from functools import cached_property
from pathlib import Path

import numpy as np

from statmech_nn.meanfield import activation, fixed_point
from statmech_nn.meanfield.curvature import circle_spectrum, curve_theory
from statmech_nn.models import deepnet, manifold
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, run_study, seed_param
from statmech_nn.summaries.chaos import OBSERVABLES, PCA_AXES, PCA_COMPONENTS, analyze

MAX_DOUBLES = 5 * 10**8  # networks × points × width held in memory (4 GB)


def _check(s: Settings) -> None:
    PARAMS["points"].check(s.networks * s.points * s.width <= MAX_DOUBLES, s.points,
                           f"networks × points × width <= {MAX_DOUBLES:.0e} (here {s.networks} × {s.points} × "
                           f"{s.width})")
    if s.q0 == 0.0:
        q_star = fixed_point(s.phi, s.sigma_w2, s.sigma_b2).q_star
        PARAMS["q0"].check(math.isfinite(q_star) and q_star > 0.0, s.q0,
                           f"a value > 0: the fixed point q* = {q_star} of this (phi, sigma_w2, sigma_b2) cannot "
                           "place the circle")


PARAMS = ParamSet(
    *deepnet.deepnet_params(sigma_b2=0.1, depth=20),
    Param("points", int, 4000, "points sampling the input circle", low=8),
    Param("networks", int, 4, "independent networks", low=1),
    Param("q0", float, 0.0, "squared length q^0 = |h^0|²/N of the circle's points; 0: the fixed point q*", low=0),
    seed_param(),
    check=_check,
)


class Chaos(Simulation):
    """Phases: ``layers`` (one row per layer 0..depth, each observable for every network). State: ``h``
    (networks, points, width) pre-activations of the current layer, emptied once the last layer is reported."""

    @property
    def observables(self) -> dict:
        s = self.settings
        n = (s.networks,)
        return {**{name: (np.int64 if name == "transitions" else np.float64, n, ("network",)) for name in OBSERVABLES},
                "pca_variance": (np.float64, (s.networks, PCA_COMPONENTS), ("network", "rank")),
                "total_variance": (np.float64, n, ("network",)),
                "saturation_transitions": (np.int64, n, ("network",)),
                "pca_projection": (np.float64, (s.points, PCA_AXES), ("point", "axis"))}

    def phases(self) -> dict[str, int]:
        return {"layers": self.settings.depth + 1}

    @cached_property
    def phi(self):
        return activation(self.settings.phi)

    @cached_property
    def q0(self) -> float:
        s = self.settings
        return s.q0 if s.q0 > 0.0 else fixed_point(self.phi, s.sigma_w2, s.sigma_b2).q_star

    def init_state(self) -> dict[str, np.ndarray]:
        s = self.settings
        h = np.empty((s.networks, s.points, s.width))
        for k in range(s.networks):
            h[k] = manifold.circle(deepnet.stream(self.seed, k, 0), s.width, s.points, self.q0)
        return {"h": h}

    def step(self, state, phase: str, start: int, n: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Report layers start..start+n−1 (propagating every network one layer before each but layer 0)."""
        s, h = self.settings, state["h"]
        layers = np.arange(start, start + n, dtype=np.int64)
        rows = np.empty((n, len(OBSERVABLES), s.networks))
        pca = np.empty((n, s.networks, PCA_COMPONENTS))
        total = np.empty((n, s.networks))
        saturation = np.empty((n, s.networks), dtype=np.int64)
        projection = np.empty((n, s.points, PCA_AXES))
        for r, lay in enumerate(layers):
            for k in range(s.networks):
                if lay > 0:
                    h[k] = manifold.layer(deepnet.stream(self.seed, k, int(lay)), h[k], self.phi, s.sigma_w2,
                                          s.sigma_b2, s.weights)
                rows[r, :, k] = manifold.geometry(h[k])
                saturation[r, k] = manifold.saturation_transitions(h[k])
                pca[r, k], total[r, k], coords = manifold.principal_components(h[k], PCA_COMPONENTS,
                                                                               PCA_AXES if k == 0 else 0)
                if k == 0:
                    projection[r] = coords
        if start + n > s.depth:  # finished: keep the pre-activations out of the final checkpoint
            state["h"] = np.empty((0, s.points, s.width))
        out = {name: (layers, rows[:, i].astype(self.observables[name][0])) for i, name in enumerate(OBSERVABLES)}
        return {**out, "pca_variance": (layers, pca), "total_variance": (layers, total),
                "pca_projection": (layers, projection), "saturation_transitions": (layers, saturation)}

    @cached_property
    def theory(self) -> dict[str, np.ndarray]:
        s = self.settings
        fp = fixed_point(self.phi, s.sigma_w2, s.sigma_b2)
        curves = curve_theory(self.phi, s.sigma_w2, s.sigma_b2, self.q0, s.depth, s.width)
        curves["pca_variance"], curves["total_variance"] = circle_spectrum(
            self.phi, s.sigma_w2, s.sigma_b2, self.q0, s.depth, PCA_COMPONENTS, min(s.points - s.points % 2, 1024))
        fixed = {"q_star": fp.q_star, "chi1": fp.chi1, "chi2": fp.chi2, "q0": self.q0}
        return {**{k: np.float64(v) for k, v in fixed.items()}, **{f"{k}_theory": v for k, v in curves.items()}}

    def results(self, state) -> dict[str, np.ndarray]:
        return self.theory


STUDY = Study("chaos", "length, curvature and transitions of a circle of inputs through deep random networks",
              PARAMS, Chaos, summarize=analyze, example={"width": 30, "depth": 4, "points": 64, "networks": 2})

#: The phases of Poole et al.'s Figs. 3–4 at σ_b² = 0.1 (tanh): ordered, critical (χ_1 = 1), chaotic.
POOLE_SIGMA_B2 = 0.1
POOLE_SIGMA_W2 = {"ordered": 1.5, "critical": 1.986073, "chaotic": 4.0}
POOLE_RUN = {"phi": "tanh", "sigma_b2": POOLE_SIGMA_B2, "width": 1000, "points": 2000, "depth": 16}
#: Raghu et al.'s trajectory length: tanh at growing σ_w² (σ_b² = 0.1) and ReLU at σ_w² = 2, σ_b² = 0 (χ_1 = 1),
#: from circles with q0 = 1. 4000 points keep the turning angle per point L^G/P ≲ 0.1 up to σ_w² = 9 at depth 10.
RAGHU_CASES = (("tanh", 1.5), ("tanh", 4.0), ("tanh", 9.0), ("relu", 2.0))
RAGHU_RUN = {"q0": 1.0, "width": 500, "points": 4000, "depth": 10}
#: Raghu et al.'s main activation, hard-tanh, at σ_b² = 0.1 from circles at q*, for two σ_w² over widths k; more
#: networks where they are cheap (the spread over networks grows as k shrinks). Hard-tanh curves have kinks, so the
#: chord length converges only as O(1/P): at k = 256, σ_w² = 4, depth 10 the length per layer is 0.08 % short at
#: P = 4000 (0.16 % at 2000), against a finite-width deficit of ~0.4 %.
RAGHU_HARD_TANH_SIGMA_W2 = (2.0, 4.0)
RAGHU_WIDTHS = (16, 64, 256, 1024)
RAGHU_HARD_TANH_RUN = {"phi": "hard-tanh", "sigma_b2": 0.1, "points": 4000, "depth": 10}


def raghu_networks(width: int) -> int:
    """Networks per hard-tanh width: 16 up to k = 64, 6 up to 256, 3 beyond."""
    return 16 if width <= 64 else 6 if width <= 256 else 3


def chaos_runs(outdir: str | os.PathLike, networks: int = 3, seed: int = 2016) -> dict[str, list[Path]]:
    """The runs behind the figures, written into ``outdir``: {"poole": [ordered, critical, chaotic] with
    POOLE_RUN, "raghu": one run per RAGHU_CASES entry with RAGHU_RUN}. About 10 minutes on one core."""
    outdir = Path(outdir)
    runs: dict[str, list[Path]] = {"poole": [], "raghu": []}
    for phase, sw2 in POOLE_SIGMA_W2.items():
        path = outdir / f"chaos_poole_{phase}.h5"
        run_study(STUDY, {**POOLE_RUN, "sigma_w2": sw2, "networks": networks, "seed": seed}, path, overwrite=True)
        runs["poole"].append(path)
    for phi, sw2 in RAGHU_CASES:
        path = outdir / f"chaos_raghu_{phi}_{sw2:g}.h5"
        run_study(STUDY, {**RAGHU_RUN, "phi": phi, "sigma_w2": sw2, "sigma_b2": 0.0 if phi == "relu" else 0.1,
                          "networks": networks, "seed": seed}, path, overwrite=True)
        runs["raghu"].append(path)
    return runs
