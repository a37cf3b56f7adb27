"""Study ``trainability``: how deep a random tanh network can be and still train (Schoenholz, Gilmer, Ganguli &
Sohl-Dickstein 2017, Sec. 6): trainable depth L ≲ 6 ξ_c, ξ_c = −1/ln χ_c diverging at the order-to-chaos line
(σ_w²,c ≈ 1.76 at σ_b² = 0.05).

Task (stream ``data``): ``points`` Gaussian inputs in R^dim labelled by a random linear teacher
(:func:`statmech_nn.models.deepnet.teacher_task`); more points than the ``width`` readout can fit on its own, so
the input geometry has to survive the depth. Each network (``depth`` hidden tanh layers of ``width`` units, linear
readout, initialised at (σ_w², σ_b²)) is trained by plain SGD on the logistic loss
(:func:`statmech_nn.models.deepnet.fit_tanh_mlp`) with

* step size lr(σ_w²) = ``lr`` / σ_w² (a heuristic: the loss curvature of this parametrisation grows with σ_w²),
* a budget of ``steps`` + ``steps_per_layer`` × L steps (a deeper network needs longer),
* early stop once the training accuracy, evaluated on all points every 50 steps, reaches ``target``.

A network counts as trained when its final training accuracy is ≥ ``target``. Depths are run in increasing order;
network k at σ_w² is not run at a depth once it failed at the ``patience`` depths before (recorded as untrained:
accuracy and loss nan, 0 steps) — past the edge of the band deeper networks train worse, and these cells would
otherwise cost most of the run (near the edge success is stochastic, so ``patience`` 1 would be too eager). ``patience`` 0 runs every cell.

Random numbers: network k of depth L (its weights and minibatches) comes from stream ``network`` keyed by (L, k),
the same standard normals for every σ_w² (common random numbers across the σ_w² axis).

Phase ``train``: one unit per (σ_w², depth) cell, σ_w²-major (cell u = i·len(depth) + j); its row holds per network
``accuracy``, ``loss`` (mean logistic loss on all points; inf if training diverged) and ``steps`` (SGD steps taken).
State: ``failures`` (σ_w², network), the consecutive failed depths so far. Each cell is checkpointed when done, so
an interrupted run resumes at the next cell. /results: ``lr`` per σ_w², ``budget`` per depth.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from statmech_nn.models.deepnet import fit_tanh_mlp, teacher_task
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.trainability import analyze

#: Steps between the full-training-set evaluations that decide the early stop.
CHECK_EVERY = 50


def _check(s: Settings) -> None:
    PARAMS["batch"].check(s.batch <= s.points, s.batch, f"at most points (= {s.points})")
    PARAMS["depth"].check(all(a < b for a, b in zip(s.depth, s.depth[1:])), s.depth, "increasing depths")


PARAMS = ParamSet(
    Param("sigma_w2", float, (1.0, 1.25, 1.5, 1.65, 1.76, 1.9, 2.1, 2.5, 3.0, 4.0),
          "weight variances σ_w² (W_ij ~ N(0, σ_w²/n_in))", low=0, low_open=True, many=True),
    Param("depth", int, (10, 20, 30, 45, 60, 80, 100, 130), "numbers of hidden layers L (increasing)", low=1, high=2000,
          many=True),
    Param("sigma_b2", float, 0.05, "bias variance σ_b²", low=0),
    Param("width", int, 64, "units per hidden layer N", low=2, high=4096),
    Param("networks", int, 3, "independently initialised networks per (σ_w², depth)", low=1, high=1000),
    Param("points", int, 512, "training points of the teacher task", low=2, high=10**6),
    Param("dim", int, 16, "input dimension of the teacher task", low=1, high=10**4),
    Param("steps", int, 1000, "SGD step budget at depth 0 (the budget is steps + steps_per_layer × L)", low=1,
          high=10**8),
    Param("steps_per_layer", int, 10, "extra SGD steps per hidden layer", low=0, high=10**6),
    Param("lr", float, 0.004, "SGD step size at σ_w² = 1 (at σ_w² it is lr/σ_w²)", low=0, low_open=True),
    Param("batch", int, 32, "SGD minibatch size", low=1),
    Param("patience", int, 2, "skip the deeper cells of a network after this many consecutive failed depths "
          "(0: never skip)", low=0, high=2000),
    Param("target", float, 0.9, "training accuracy that counts as trained (training stops there)", low=0.5,
          high=1.0),
    seed_param(),
    check=_check,
)


class Trainability(Simulation):
    """Phase ``train`` (one unit per (σ_w², depth) cell). A cell that is run is a function of the seed, its σ_w²,
    its depth and the network index; ``failures`` decides which are run."""

    streams = {"data": 1, "network": 2}

    @property
    def observables(self) -> dict:
        row = (self.settings.networks,)
        return {"accuracy": (np.float64, row, ("network",)), "loss": (np.float64, row, ("network",)),
                "steps": (np.int64, row, ("network",))}

    def phases(self) -> dict[str, int]:
        return {"train": len(self.settings.sigma_w2) * len(self.settings.depth)}

    def init_state(self) -> dict:
        return {"failures": np.zeros((len(self.settings.sigma_w2), self.settings.networks), np.int64)}

    @cached_property
    def task(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.settings
        return teacher_task(np.random.default_rng(self.stream("data")), s.points, s.dim)

    def lr(self, sigma_w2: float) -> float:
        return self.settings.lr / sigma_w2

    def budget(self, depth: int) -> int:
        return self.settings.steps + self.settings.steps_per_layer * depth

    def cell(self, sigma_w2: float, depth: int, failures: np.ndarray) -> np.ndarray:
        """(accuracy, loss, steps) × networks of one cell; ``failures`` (networks,) is updated."""
        s, (x, y) = self.settings, self.task
        out = np.empty((3, s.networks))
        for k in range(s.networks):
            if s.patience and failures[k] >= s.patience:
                out[:, k] = np.nan, np.nan, 0
                continue
            rng = np.random.default_rng(self.stream("network", depth, k))
            t = fit_tanh_mlp(x, y, depth, sigma_w2, s.sigma_b2, s.width, self.budget(depth), self.lr(sigma_w2),
                             s.batch, rng, target=s.target, check_every=CHECK_EVERY)
            out[:, k] = t.accuracy, t.loss, t.steps
            failures[k] = 0 if t.accuracy >= s.target else failures[k] + 1
        return out

    def step(self, state, phase: str, start: int, n: int) -> dict:
        s = self.settings
        units = np.arange(start, start + n, dtype=np.int64)
        rows = np.array([self.cell(s.sigma_w2[u // len(s.depth)], s.depth[u % len(s.depth)],
                                   state["failures"][u // len(s.depth)]) for u in units])
        return {"accuracy": (units, rows[:, 0]), "loss": (units, rows[:, 1]),
                "steps": (units, rows[:, 2].astype(np.int64))}

    def results(self, state) -> dict[str, np.ndarray]:
        s = self.settings
        return {"lr": np.array([self.lr(v) for v in s.sigma_w2]),
                "budget": np.array([self.budget(d) for d in s.depth], dtype=np.int64)}


STUDY = Study("trainability", "maximum trainable depth of random tanh networks against 6 ξ_c (Schoenholz et al. "
              "2017)", PARAMS, Trainability, summarize=analyze,
              example={"sigma_w2": (1.0, 1.76), "depth": (2, 4), "width": 8, "networks": 2, "points": 40,
                       "dim": 4, "steps": 40, "steps_per_layer": 5, "batch": 8})
