"""Study ``nngp``: Gaussian-process regression and classification with the NNGP kernels of deep random networks
(Lee et al., ICLR 2018; :mod:`statmech_nn.meanfield.nngp`), and the empirical kernels of wide sampled networks
(:mod:`statmech_nn.models.wide`) beside the recursion.

Tasks (:mod:`statmech_nn.nets.data`, stream ``data``): ``teacher`` — x ~ N(0, 1_dim), real targets y of a random
tanh teacher (dim, 20, 1) (regression) and labels y > 0 (classification as regression); ``mixture`` — ``classes``
Gaussian classes in ``dim`` dimensions (separation 4). The first ``train`` points train, the next ``test`` test.

Phases: ``grid`` — one row per σ_w² (in order) with ``test_error``, ``test_mse``, ``test_mse_sem`` at each depth;
``kernel`` (width > 0) — one row per σ_w² × network (σ_w²-major) with the empirical kernel K̂^L of the first
``kernel_points`` training inputs at each depth. /results: ``kernel_theory`` (σ_w², depth, P, P), ``x_kernel``.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from statmech_nn.meanfield import nngp_kernel
from statmech_nn.meanfield.activations import ACTIVATIONS
from statmech_nn.meanfield.nngp import centred_one_hot, gp_predict
from statmech_nn.models.wide import empirical_kernels
from statmech_nn.nets import data
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.nngp import analyze

TASKS = ("teacher", "mixture")


def _check(s: Settings) -> None:
    if s.task == "mixture":
        PARAMS["classes"].check(s.classes <= s.dim, s.classes, f"2 <= classes <= dim (= {s.dim})")
    PARAMS["kernel_points"].check(s.kernel_points <= s.train, s.kernel_points, f"at most train (= {s.train})")


PARAMS = ParamSet(
    Param("task", str, "teacher", "the task (statmech_nn.nets.data)", choices=TASKS),
    Param("phi", str, "relu", "activation φ (relu, erf, erf-plain, linear: closed forms; others a 2-D quadrature "
          "accurate to ~1e-13, slower for large train)", choices=tuple(ACTIVATIONS)),
    Param("sigma_w2", float, (2.0,), "weight variances σ_w²", low=0, low_open=True, many=True),
    Param("sigma_b2", float, 0.05, "bias variance σ_b²", low=0),
    Param("depth", int, (1, 3, 10, 30), "numbers of hidden layers L", low=0, high=1000, many=True),
    Param("train", int, 500, "training points (the Gram matrix is train × train)", low=2, high=20000),
    Param("test", int, 500, "test points", low=1, high=20000),
    Param("dim", int, 10, "input dimension d", low=1, high=10000),
    Param("classes", int, 2, "mixture: number of classes", low=2, high=100),
    Param("noise", float, 1e-6, "σ_ε² added to the Gram diagonal, in units of its mean diagonal", low=0),
    Param("width", int, 0, "width N of the sampled networks for the empirical kernel; 0: none", low=0, high=20000),
    Param("networks", int, 8, "sampled networks per σ_w² (width > 0)", low=2),
    Param("kernel_points", int, 12, "training inputs whose empirical kernel is compared", low=2, high=200),
    seed_param(),
    check=_check,
)


class NNGP(Simulation):
    """Phases ``grid`` (one unit per σ_w²) and ``kernel`` (one unit per σ_w² × network). State: progress only."""

    streams = {"data": 5, "kernel": 6}

    @property
    def observables(self) -> dict:
        s = self.settings
        row = (len(s.depth),)
        out = {name: (np.float64, row, ("depth",)) for name in ("test_error", "test_mse", "test_mse_sem")}
        if s.width:
            out["empirical_kernel"] = (np.float64, (len(s.depth), s.kernel_points, s.kernel_points),
                                       ("depth", "point", "point2"))
        return out

    def phases(self) -> dict[str, int]:
        s = self.settings
        return {"grid": len(s.sigma_w2), "kernel": len(s.sigma_w2) * s.networks if s.width else 0}

    def init_state(self) -> dict:
        return {}

    @cached_property
    def task(self) -> dict:
        """x (train + test, dim), real targets y (…, k) and integer labels."""
        s = self.settings
        n, seed = s.train + s.test, self.stream("data")
        if s.task == "teacher":
            x, y, _ = data.teacher(seed, n, sizes=(s.dim, 20, 1))
            labels = (y[:, 0] > 0).astype(np.int64)
            return {"x": x, "y": y, "labels": labels, "classes": 2}
        x, labels = data.mixture(seed, n, k=s.classes, d=s.dim)
        return {"x": x, "y": centred_one_hot(labels, s.classes), "labels": labels, "classes": s.classes}

    def _errors(self, sigma_w2: float) -> np.ndarray:
        """(test_error, test_mse, test_mse_sem) at each depth."""
        s, t = self.settings, self.task
        out = np.empty((3, len(s.depth)))
        tr, te = slice(0, s.train), slice(s.train, s.train + s.test)
        classify = centred_one_hot(t["labels"][tr], t["classes"])
        for j, depth in enumerate(s.depth):
            k = nngp_kernel(s.phi, sigma_w2, s.sigma_b2, t["x"], depth)
            jitter = s.noise * float(np.mean(np.diag(k[tr, tr])))
            (mean, _), (reg, _) = (gp_predict(k[tr, tr], k[tr, te], np.diag(k)[te], targets, jitter)
                                   for targets in (classify, t["y"][tr]))
            out[0, j] = np.mean(np.argmax(mean, axis=1) != t["labels"][te])
            sq = np.sum((reg - t["y"][te]) ** 2, axis=1) / np.sum(np.var(t["y"][te], axis=0))
            out[1, j], out[2, j] = sq.mean(), sq.std(ddof=1) / np.sqrt(len(sq))
        return out

    def step(self, state, phase: str, start: int, n: int) -> dict:
        s = self.settings
        units = np.arange(start, start + n, dtype=np.int64)
        if phase == "grid":
            rows = np.array([self._errors(s.sigma_w2[u]) for u in units])
            return {name: (units, rows[:, i]) for i, name in enumerate(("test_error", "test_mse", "test_mse_sem"))}
        x, rows = self.task["x"][:s.kernel_points], []
        for u in units:
            i, k = divmod(int(u), s.networks)
            kernels = empirical_kernels(x, s.phi, s.sigma_w2[i], s.sigma_b2, max(s.depth), s.width, 1,
                                        self.stream("kernel", i, k))[0]
            rows.append(kernels[list(s.depth)])
        return {"empirical_kernel": (units, np.array(rows))}

    def results(self, state) -> dict[str, np.ndarray]:
        s = self.settings
        x = self.task["x"][:s.kernel_points]
        theory = np.array([[nngp_kernel(s.phi, sw2, s.sigma_b2, x, depth) for depth in s.depth]
                           for sw2 in s.sigma_w2])
        return {"kernel_theory": theory, "x_kernel": x}


def memory(s: Settings) -> tuple[float, str]:
    """The (train + test)² Gram matrix and its temporaries (≈ 10 copies), plus one network's layer (width²)."""
    return 80.0 * (s.train + s.test) ** 2 + 16.0 * s.width**2, "train"


STUDY = Study("nngp", "NNGP kernels: GP regression/classification with deep-network kernels, and wide networks",
              PARAMS, NNGP, summarize=analyze,
              example={"train": 40, "test": 20, "depth": (1, 3), "sigma_w2": (1.5, 2.5), "width": 40,
                       "networks": 3, "kernel_points": 4}, memory=memory)
