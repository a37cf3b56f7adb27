"""The information plane of a trained network: its tasks, the epochs at which it is measured, and the estimates
(I(X;T_l), I(T_l;Y)) of every hidden layer (Shwartz-Ziv & Tishby, arXiv:1703.00810; Saxe et al., ICLR 2018).

X is uniform over the task's distinct inputs (training and test together, as in both papers), Y their labels.
Stored values are clipped to the bounds that hold for the true quantities, 0 ≤ I(X;T) ≤ log2 n and
0 ≤ I(T;Y) ≤ H(Y); for binning and the pairwise bounds the clip only removes rounding, for the nearest-neighbour
estimator it is real (docs/information_plane.md).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.nets import data
from statmech_nn.rng import seed_sequence

from .binning import binned_mi, entropy_bits
from .knn import knn_mi
from .pairwise import pairwise_mi

TASKS = ("tishby12", "mixture", "teacher")
ESTIMATORS = ("binning", "kde", "ksg")
INPUT_DIM = 12  # every task has 12 inputs, like tishby12
TEACHER_SIZES = (INPUT_DIM, 20, 1)
TEST_FRACTION = 0.2


def task_split(task: str, seed, samples: int = 4096, separation: float = 3.0) -> data.Split:
    """The task's 80/20 split: ``tishby12`` (all 4096 patterns of {0,1}^12, a re-creation of the paper's rule,
    :func:`statmech_nn.nets.data.tishby12`), ``mixture`` (two N(μ_±, 1) classes in 12 dimensions, |μ_+ − μ_−| =
    ``separation``) or ``teacher`` (x ~ N(0, 1), y = [f*(x) > 0] of a random tanh teacher 12-20-1); the last two
    draw ``samples`` inputs."""
    if task == "tishby12":
        return data.tishby12(seed, TEST_FRACTION)
    if task == "mixture":
        x, y = data.mixture(seed, samples, k=2, d=INPUT_DIM, separation=separation)
    elif task == "teacher":
        x, out, _ = data.teacher(seed, samples, sizes=TEACHER_SIZES)
        y = (out[:, 0] > 0.0).astype(np.int64)
    else:
        raise ParameterError("task", task, ", ".join(TASKS))
    n_train = int(round((1.0 - TEST_FRACTION) * samples))
    return data.Split(x[:n_train], y[:n_train], x[n_train:], y[n_train:])


def log_epochs(epochs: int, points: int) -> np.ndarray:
    """Epoch 0 and about ``points`` epochs spaced geometrically from 1 to ``epochs`` (rounded, distinct), int64."""
    if epochs == 0:
        return np.zeros(1, dtype=np.int64)
    later = np.unique(np.rint(np.geomspace(1, epochs, points)).astype(np.int64))
    return np.concatenate([[0], later])


def information(layers: list[np.ndarray], y: np.ndarray, estimator: str, *, bins: int = 30,
                binning: str = "fixed", bin_low: float = -1.0, bin_high: float = 1.0, noise_var: float = 0.1,
                knn_k: int = 3, seed=0) -> dict[str, np.ndarray]:
    """Per layer (arrays of len(layers)), in bits: ``mi_xt``, ``mi_ty``; for ``kde`` also ``mi_xt_lower``,
    ``mi_ty_lower``. ``binning``: :func:`~.binning.binned_mi`; ``kde``: the pairwise upper (KL) and lower
    (Bhattacharyya) bounds, :func:`~.pairwise.pairwise_mi`; ``ksg``: :func:`~.knn.knn_mi` with the noise of
    layer l drawn from the stream (``seed``, l). Clipped to [0, log2 n] and [0, H(Y)] (module docstring)."""
    names = ("mi_xt", "mi_ty", "mi_xt_lower", "mi_ty_lower") if estimator == "kde" else ("mi_xt", "mi_ty")
    out = {name: np.empty(len(layers)) for name in names}
    for l, t in enumerate(layers):
        if estimator == "binning":
            values = binned_mi(t, y, bins, binning, bin_low, bin_high)
        elif estimator == "kde":
            bounds = pairwise_mi(t, y, noise_var)
            values = bounds["upper"] + bounds["lower"]
        elif estimator == "ksg":
            values = knn_mi(t, y, noise_var, knn_k, seed_sequence(seed, l))
        else:
            raise ParameterError("estimator", estimator, ", ".join(ESTIMATORS))
        for name, value in zip(names, values):
            out[name][l] = value
    top_x, top_y = math.log2(len(y)), entropy_bits(y)
    for name in names:
        out[name] = np.clip(out[name], 0.0, top_x if "xt" in name else top_y)
    return out
