"""Classification tasks with a chosen number of classes, and label corruption (Zhang, Bengio, Hardt, Recht &
Vinyals, ICLR 2017: each label replaced, independently with probability p, by a class drawn uniformly)."""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence

from . import data

TASKS = ("mixture", "digits")


def classification(task: str, seed, n: int, k: int, d: int = 10, separation: float = 3.0):
    """(x, y) with labels in [0, k): ``mixture`` — :func:`data.mixture` (d inputs, class means ``separation``
    apart, needs k ≤ d); ``digits`` — :func:`data.digits` (64 inputs) restricted to the digits 0 … k−1, about n
    samples (n·10/k drawn, those of the first k classes kept)."""
    if task == "mixture":
        return data.mixture(seed, n, k=k, d=d, separation=separation)
    if task == "digits":
        if not 2 <= k <= 10:
            raise ParameterError("classes", k, "2 <= classes <= 10 for digits")
        x, y = data.digits(seed, -(-n * 10 // k))
        keep = y < k
        return x[keep][:n], y[keep][:n]
    raise ParameterError("task", task, ", ".join(TASKS))


def corrupt_labels(seed, y: np.ndarray, k: int, p: float) -> np.ndarray:
    """A copy of ``y`` in which each label, with probability p, is replaced by a uniform class in [0, k)
    (which may be the original one: a fraction p (k − 1)/k of the labels end up wrong)."""
    if not 0.0 <= p <= 1.0:
        raise ParameterError("label_noise", p, "a probability in [0, 1]")
    gen = np.random.Generator(np.random.PCG64(seed_sequence(seed)))
    replace = gen.random(y.size) < p
    fresh = gen.integers(0, k, y.size)
    return np.where(replace, fresh, y).astype(np.int64)
