"""Study ``loss-band``: the distribution of final test losses of many ReLU networks trained from independent random
starts on one fixed task, for several widths (Choromanska et al., AISTATS 2015, Fig. 1; docs/spinglass.md).

Network j of width index w starts from θ ~ init(stream "init", w, j) and draws its minibatches from stream
("order", w, j); the task comes from stream "data". So a network's numbers do not depend on how the run is cut
into chunks or which other widths it holds. Training: :mod:`statmech_nn.nets.loss_band`.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from statmech_nn.nets import MLP
from statmech_nn.nets.loss_band import TASKS, Task, make_task, student, train_from_start
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.spinglass import analyze_loss_band

TASK_SHAPES = {"digits": (64, 10), "mixture": (8, 4), "teacher": (16, 1)}


def _check(s: Settings) -> None:
    PARAMS["batch_size"].check(s.batch_size <= s.n_train, s.batch_size, f"at most n_train = {s.n_train}")


PARAMS = ParamSet(
    Param("depth", int, 1, "hidden layers of every network", low=1, high=20),
    Param("hidden", int, (25, 50, 100, 250), "hidden-layer widths, one band each", low=1, high=100_000, many=True),
    Param("starts", int, 100, "networks (independent random starts) per width", low=2, high=10**6),
    Param("task", str, "digits", "data set made by the package (statmech_nn.nets.data)", choices=TASKS),
    Param("n_train", int, 500, "training samples", low=1, high=10**7),
    Param("n_test", int, 1000, "test samples", low=1, high=10**7),
    Param("epochs", int, 20, "passes of SGD over the training set", low=1, high=10**6),
    Param("lr", float, 0.05, "SGD learning rate", low=0.0, low_open=True),
    Param("batch_size", int, 50, "minibatch size", low=1, high=10**7),
    Param("momentum", float, 0.9, "heavy-ball momentum", low=0.0, high=1.0, high_open=True),
    seed_param(),
    check=_check,
)


class LossBand(Simulation):
    """Phase ``train``: one unit and one row per network (widths in order, ``starts`` networks each)."""

    observables = {"test_loss": (np.float64, ()), "train_loss": (np.float64, ()), "test_error": (np.float64, ()),
                   "width": (np.int64, ())}
    streams = {"data": 1, "init": 2, "order": 3}

    @cached_property
    def task(self) -> Task:
        s = self.settings
        return make_task(s.task, self.stream("data"), s.n_train, s.n_test)

    def phases(self) -> dict[str, int]:
        return {"train": len(self.settings.hidden) * self.settings.starts}

    def init_state(self):
        shape = (len(self.settings.hidden), self.settings.starts)
        return {"test_loss": np.full(shape, np.nan), "train_loss": np.full(shape, np.nan),
                "test_error": np.full(shape, np.nan)}

    def step(self, state, phase: str, start: int, n: int):
        s = self.settings
        rows = {k: [] for k in self.observables}
        for unit in range(start, start + n):
            w, j = divmod(unit, s.starts)
            out = train_from_start(self.task, student(self.task, s.hidden[w], s.depth), self.stream("init", w, j),
                                   self.stream("order", w, j), s.epochs, s.lr, s.batch_size, s.momentum)
            for name, value in out.items():
                state[name][w, j] = value
                rows[name].append(value)
            rows["width"].append(s.hidden[w])
        steps = np.arange(start, start + n, dtype=np.int64)
        return {k: (steps, np.array(v, dtype=self.observables[k][0])) for k, v in rows.items()}

    def results(self, state):
        s = self.settings
        return {"widths": np.array(s.hidden, np.int64), "depth": np.int64(s.depth),
                "p_spin_p": np.int64(s.depth + 1), "test_loss": state["test_loss"], "train_loss": state["train_loss"],
                "test_error": state["test_error"],
                "loss": np.bytes_("mse" if s.task == "teacher" else "cross_entropy")}


def memory(s: Settings) -> tuple[float, str]:
    """Parameters, momentum, gradient and activations of the widest network, plus the data."""
    d, k = TASK_SHAPES[s.task]
    p = MLP((d, *[max(s.hidden)] * s.depth, k)).n_params
    return 8.0 * (4 * p + (s.n_train + s.n_test) * (d + 2 * max(s.hidden) * s.depth)), "hidden"


STUDY = Study("loss-band", "test losses of many ReLU networks from random starts, by width (Choromanska Fig. 1)",
              PARAMS, LossBand, summarize=analyze_loss_band, memory=memory,
              example={"depth": 1, "hidden": (4, 8), "starts": 3, "n_train": 40, "n_test": 40, "epochs": 2,
                       "batch_size": 10})
