"""Study ``random-labels``: memorisation of partially or fully random labels (Zhang et al. 2017) and complexity
measures against the generalisation gap (Neyshabur et al. 2017).

The training labels are corrupted with probability p (every ``label_noise`` value; test labels stay clean,
:func:`statmech_nn.nets.tasks.corrupt_labels`). One MLP(d, hidden, k) per (p, hidden width, replica) is trained
by minibatch SGD on the cross-entropy; a network stops training at the first epoch at which it fits every
training label. One row per epoch per network: training accuracy (on its own, corrupted labels), test accuracy
(clean labels) and training loss. At the end every network's measures (:mod:`statmech_nn.nets.measures`).
/results, one entry per network: ``label_noise``, ``hidden``, ``replica``, ``fit_epoch`` (−1: not fitted),
``train_accuracy``, ``test_accuracy``, ``generalization_gap`` (train − test accuracy), ``test_loss``,
``path_norm``, ``spectral_product``, ``frobenius_product``, ``margin`` (10% quantile) and ``sharpness``.
"""
from __future__ import annotations

import itertools
from functools import cached_property

import numpy as np

from statmech_nn.nets import ACTIVATIONS, MLP, SGD, Objective
from statmech_nn.nets import measures, tasks
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.optimization import MEASURES, analyze_random_labels

COLUMNS = ("train_accuracy", "test_accuracy", "train_loss")


def _check(s: Settings) -> None:
    if s.task == "mixture":
        PARAMS["classes"].check(s.classes <= s.dim, s.classes, f"at most dim = {s.dim} classes for mixture")
    PARAMS["batch_size"].check(s.batch_size <= s.samples, s.batch_size, f"at most samples ({s.samples})")


PARAMS = ParamSet(
    Param("task", str, "mixture", "classification task", choices=tasks.TASKS),
    Param("label_noise", float, (0.0, 0.2, 0.5, 1.0), "probabilities p of replacing a training label by a random one",
          low=0, high=1, many=True),
    Param("hidden", int, (200,), "hidden widths", low=1, high=10**5, many=True),
    Param("networks", int, 1, "independent networks per (label noise, width)", low=1, high=1000),
    Param("classes", int, 2, "number of classes k", low=2, high=64),
    Param("dim", int, 20, "input dimension d of the mixture task", low=2, high=10**4),
    Param("separation", float, 3.0, "distance between mixture class means", low=0),
    Param("samples", int, 500, "training samples", low=2, high=10**6),
    Param("test_samples", int, 1000, "test samples (clean labels)", low=1, high=10**6),
    Param("epochs", int, 1000, "most training epochs (a network stops once it fits its training labels)",
          low=1, high=10**7),
    Param("activation", str, "relu", "hidden activation", choices=tuple(ACTIVATIONS)),
    Param("lr", float, 0.05, "SGD step", low=0, low_open=True),
    Param("batch_size", int, 50, "SGD minibatch size", low=1),
    Param("momentum", float, 0.9, "SGD heavy-ball momentum", low=0, high=1, high_open=True),
    seed_param(),
    check=_check,
)


class RandomLabels(Simulation):
    """Phases: ``train`` (one unit per epoch, all networks), ``measures`` (one unit per network). State: per
    network the SGD state (``nets/<i>``), ``fit_epoch`` and the end-of-run ``measures``."""

    streams = {"data": 1, "labels": 2, "init": 3, "sgd": 4, "sharpness": 5}

    @cached_property
    def configs(self) -> list[tuple[float, int, int]]:
        s = self.settings
        return list(itertools.product(s.label_noise, s.hidden, range(s.networks)))

    @cached_property
    def data(self):
        s = self.settings
        x, y = tasks.classification(s.task, self.stream("data"), s.samples + s.test_samples, s.classes, s.dim,
                                    s.separation)
        return x[:s.samples], y[:s.samples], x[s.samples:], y[s.samples:]

    @cached_property
    def objectives(self) -> list[Objective]:
        s, (x, y, _, _) = self.settings, self.data
        out = []
        for i, (p, h, _) in enumerate(self.configs):
            noisy = tasks.corrupt_labels(self.stream("labels", i), y, s.classes, p)
            out.append(Objective(MLP((x.shape[1], h, s.classes), s.activation), "cross_entropy", x, noisy))
        return out

    @cached_property
    def trainer(self) -> SGD:
        s = self.settings
        return SGD(s.lr, s.batch_size, s.momentum)

    @property
    def observables(self) -> dict:
        n = (len(self.configs),)
        return {name: (np.float64, n, ("network",)) for name in COLUMNS}

    def phases(self) -> dict[str, int]:
        return {"train": self.settings.epochs, "measures": len(self.configs)}

    def init_state(self) -> dict:
        n = len(self.configs)
        nets = {str(i): self.trainer.init(obj.model.init(self.stream("init", i), sigma_w2=2.0),
                                          self.stream("sgd", i), obj.n_samples)
                for i, obj in enumerate(self.objectives)}
        return {"nets": nets, "fit_epoch": np.full(n, -1, dtype=np.int64),
                "measures": {name: np.full(n, np.nan) for name in MEASURES}}

    def step(self, state, phase: str, start: int, n: int) -> dict:
        if phase == "measures":
            for i in range(start, start + n):
                theta = state["nets"][str(i)]["params"]
                values = measures.all_measures(self.objectives[i], theta, self.stream("sharpness", i))
                for name, value in values.items():
                    state["measures"][name][i] = value
            return {}
        s, (_, _, x_test, y_test) = self.settings, self.data
        rows = np.empty((n, len(COLUMNS), len(self.configs)))
        for r in range(n):
            epoch = start + r + 1
            for i, obj in enumerate(self.objectives):
                net = state["nets"][str(i)]
                if state["fit_epoch"][i] < 0:
                    for _ in range(s.samples // s.batch_size):
                        self.trainer.step(net, obj)
                theta = net["params"]
                train_acc = measures.accuracy(obj.model, theta, obj.x, obj.y)
                if train_acc == 1.0 and state["fit_epoch"][i] < 0:
                    state["fit_epoch"][i] = epoch
                rows[r, :, i] = (train_acc, measures.accuracy(obj.model, theta, x_test, y_test), obj.value(theta))
        epochs = np.arange(start + 1, start + n + 1, dtype=np.int64)
        return {name: (epochs, rows[:, j]) for j, name in enumerate(COLUMNS)}

    def results(self, state) -> dict[str, np.ndarray]:
        _, _, x_test, y_test = self.data
        train, test, test_loss = [], [], []
        for i, obj in enumerate(self.objectives):
            theta = state["nets"][str(i)]["params"]
            train.append(measures.accuracy(obj.model, theta, obj.x, obj.y))
            test.append(measures.accuracy(obj.model, theta, x_test, y_test))
            test_loss.append(Objective(obj.model, "cross_entropy", x_test, y_test).value(theta))
        train, test = np.array(train), np.array(test)
        return {"label_noise": np.array([c[0] for c in self.configs]),
                "hidden": np.array([c[1] for c in self.configs], dtype=np.int64),
                "replica": np.array([c[2] for c in self.configs], dtype=np.int64),
                "fit_epoch": state["fit_epoch"].copy(), "train_accuracy": train, "test_accuracy": test,
                "generalization_gap": train - test, "test_loss": np.array(test_loss),
                **{name: state["measures"][name].copy() for name in MEASURES}}


STUDY = Study("random-labels", "memorising random labels and complexity measures vs the generalisation gap "
              "(Zhang et al. 2017; Neyshabur et al. 2017)", PARAMS, RandomLabels, summarize=analyze_random_labels,
              example={"label_noise": (0.0, 1.0), "hidden": (16,), "dim": 4, "samples": 40, "test_samples": 40,
                       "batch_size": 10, "epochs": 5})
