"""Data sets for RBMs: generated ones (bars and stripes, 2-D Ising configurations) and user arrays (``.npy`` or an
HDF5 dataset), as float arrays (samples, n_visible) of unit values."""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import check_units, configurations
from statmech_nn.params import Param


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


#: Named data sets of ``--data``; anything else must be a user array ``file.npy`` or ``file.h5:dataset/path``.
DATA_SETS = ("bars-and-stripes", "ising")
_HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")


def data_params() -> tuple[Param, ...]:
    """The declarations of a training-data source (``data``, ``size``, ``temperature``, ``samples``)."""
    return (Param("data", str, None, "training data: bars-and-stripes, ising (2-D Ising configurations), or a "
                  "user array file.npy / file.h5:dataset/path of shape (samples, n_visible)"),
            Param("size", int, 3, "bars-and-stripes: image side n (n x n visible units, n <= 10); ising: lattice "
                  "side L", low=2, high=32),
            Param("temperature", float, 2.269, "ising: temperature T (J = 1) of the configurations",
                  low=0.0, low_open=True),
            Param("samples", int, 1000, "ising: number of configurations", low=1))


def _user_array(source: str) -> np.ndarray:
    """The array of ``file.npy`` or ``file.h5:dataset/path``."""
    unknown = ParameterError("data", source, "one of " + ", ".join(DATA_SETS) + ", a file.npy, or "
                             "file.h5:dataset/path")
    if source.endswith(".npy"):
        if not Path(source).is_file():
            raise ParameterError("data", source, "an existing .npy file (no such file)")
        try:
            return np.load(source, allow_pickle=False)
        except (OSError, ValueError):
            raise ParameterError("data", source, "a readable .npy file of a numeric array") from None
    file, sep, dataset = source.rpartition(":")
    if not sep or not file.endswith(_HDF5_SUFFIXES) or not dataset:
        raise unknown
    if not Path(file).is_file():
        raise ParameterError("data", source, f"an existing HDF5 file (no such file {file!r})")
    try:
        with h5py.File(file, "r") as f:
            node = f.get(dataset)
            if not isinstance(node, h5py.Dataset):
                raise ParameterError("data", source, f"a dataset path inside {file!r} (no dataset {dataset!r})")
            return node[()]
    except OSError:
        raise ParameterError("data", source, "a readable HDF5 file") from None


def check_data_source(source: str, units: str = "binary") -> None:
    """Reject an unknown ``--data`` value or a bad user array early (named sets are cheap to check, not built)."""
    if source not in DATA_SETS:
        as_dataset(_user_array(source), units)


def load_data(settings, seed, units: str | None = None) -> tuple[np.ndarray, dict]:
    """The data set named by ``settings`` (``data``, ``size``, ``temperature``, ``samples``; see
    :func:`data_params`) as float (samples, n_visible) in ``units`` (default ``settings.units``), plus
    ``info`` about how it was made. ``seed`` (int or SeedSequence) keys the Ising configurations.

    * bars-and-stripes: the 2^(n+1) - 2 patterns of :func:`bars_and_stripes`;
    * ising: :func:`statmech_nn.samplers.ising_ensemble.equilibrium_configurations` (Wolff, decorrelated by
      2 τ_int) of the L x L periodic model at T, flattened row-major; spins s map to (s + 1)/2 for binary units;
    * a user array: validated as it is (2-D, entries in the unit set; booleans read as off/on).
    """
    units = settings.units if units is None else units
    spin = check_units(units)
    if settings.data == "bars-and-stripes":
        return bars_and_stripes(settings.size, units), {"source": "bars-and-stripes"}
    if settings.data == "ising":
        from statmech_nn.samplers.ising_ensemble import equilibrium_configurations

        configs, info = equilibrium_configurations(settings.size, settings.temperature, settings.samples, seed)
        x = configs.reshape(len(configs), -1).astype(np.float64)
        return as_dataset(x if spin else (x + 1.0) / 2.0, units), {"source": "ising", **info}
    return as_dataset(_user_array(settings.data), units), {"source": settings.data}


def empirical_entropy(data) -> float:
    """H = -Σ_x p̂(x) ln p̂(x) of the data's distinct rows: -H is the largest mean log-likelihood any model can
    reach on the data (attained by p = p̂); for bars-and-stripes H = ln(2^(n+1) - 2)."""
    _, counts = np.unique(np.asarray(data), axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())
