"""Data sets for RBMs: generated ones and user arrays, as float arrays (samples, n_visible) of unit values."""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import check_units, configurations


def as_dataset(data, units: str = "binary") -> np.ndarray:
    """A user array (samples, n_visible) of {0, 1} (binary) or {-1, +1} (spin) values as C-contiguous float64;
    booleans are read as {0, 1} and mapped to the unit convention."""
    spin = check_units(units)
    x = np.asarray(data)
    if x.dtype == np.bool_:
        x = 2.0 * x - 1.0 if spin else x.astype(np.float64)
    try:
        x = np.array(x, dtype=np.float64, order="C")
    except (TypeError, ValueError):
        raise ParameterError("data", data, "a 2-D array of unit values") from None
    allowed = (-1.0, 1.0) if spin else (0.0, 1.0)
    if x.ndim != 2 or 0 in x.shape:
        raise ParameterError("data", f"array of shape {x.shape}", "a non-empty 2-D array (samples, n_visible)")
    if not np.isin(x, allowed).all():
        raise ParameterError("data", "array with entries outside " + str(allowed), f"{units} unit values {allowed}")
    return x


def bars_and_stripes(n: int, units: str = "binary") -> np.ndarray:
    """The 2^(n+1) - 2 distinct n×n bars-and-stripes images (MacKay 2003), flattened row-major:
    every row of the image on or off together (stripes), or every column (bars). 3×3 gives 14 patterns;
    the uniform distribution over them has mean log-likelihood -ln(2^(n+1) - 2)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= 10:
        raise ParameterError("n", n, "an integer from 1 to 10")
    lines = configurations(n)  # which rows (or columns) are on
    stripes = np.repeat(lines[:, :, None], n, axis=2)
    bars = stripes.transpose(0, 2, 1)
    patterns = np.unique(np.concatenate([stripes, bars]).reshape(-1, n * n), axis=0)
    return as_dataset(patterns.astype(bool), units)


def base_rate_bias(data, units: str = "binary", pseudo_count: float = 1.0) -> np.ndarray:
    """Visible biases of the independent-unit model matching the data's unit means (with ``pseudo_count``
    added to both states): logit of the on-rate (binary) or artanh of the mean (spin)."""
    if not pseudo_count > 0.0 or not np.isfinite(pseudo_count):
        raise ParameterError("pseudo_count", pseudo_count, "a finite number > 0")
    x = as_dataset(data, units)
    on = (x > 0).sum(axis=0)
    p = (on + pseudo_count) / (x.shape[0] + 2.0 * pseudo_count)
    bias = np.log(p) - np.log1p(-p)
    return 0.5 * bias if units == "spin" else bias
