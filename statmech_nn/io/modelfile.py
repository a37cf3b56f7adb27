"""RBM model files: the ``--model`` input of the RBM studies and the weights they write.

A model file is an HDF5 file whose root or ``/results`` group holds the datasets

    W               float (n_visible, n_hidden)
    visible_bias    float (n_visible,)
    hidden_bias     float (n_hidden,)

— a run written by ``rbm-train`` (its final weights in ``/results``) or any file with these datasets at the root.
The unit convention ({0,1} "binary" or ±1 "spin"; the same numbers are a different model in each) is read from,
in order: a ``units`` dataset of that group, a ``units`` attribute of that group or of the root, the ``units``
entry of a run's ``/parameters``. A file that records none is read as binary unless ``--units`` says otherwise.

``--units`` semantics: ``auto`` (the default) takes the recorded convention; an explicit ``binary`` / ``spin``
must agree with a recorded one — reinterpreting trained weights in the other convention would silently change
the model, so a conflict is a :class:`~statmech_nn.errors.ParameterError` — and chooses the convention of a file
that records none.
"""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM, UNITS
from statmech_nn.params import Param, Settings

#: ``--units`` value meaning "the convention recorded in the model file (binary if none)".
AUTO = "auto"
DATASETS = ("W", "visible_bias", "hidden_bias")


def model_params() -> tuple[Param, Param]:
    """The shared ``model`` and ``units`` declarations of studies that read a model file."""
    return (Param("model", str, None, "RBM to use: a run written by rbm-train, or an HDF5 file with datasets W "
                  "(n_visible x n_hidden), visible_bias, hidden_bias"),
            Param("units", str, AUTO, "unit convention: binary {0,1}, spin {-1,+1}, or auto (the one the file "
                  "records; binary if none); must agree with a recorded one", choices=(AUTO, *UNITS)))


def _text(x) -> str:
    x = x[()] if isinstance(x, h5py.Dataset) else x
    x = x.item() if isinstance(x, np.ndarray) else x
    return x.decode() if isinstance(x, bytes) else str(x)


def _recorded_units(f: h5py.File, group: h5py.Group) -> str | None:
    for source in (group.get("units"), group.attrs.get("units"), f.attrs.get("units"),
                   f["parameters"].attrs.get("units") if isinstance(f.get("parameters"), h5py.Group) else None):
        if source is not None:
            return _text(source)
    return None


def _bad(path, problem: str) -> ParameterError:
    return ParameterError("model", str(path), "an RBM file (rbm-train run or HDF5 with W, visible_bias, "
                          f"hidden_bias); {problem}")


def load_model(path, units: str | None = None) -> RBM:
    """The RBM stored in ``path`` (see the module docstring); ``units`` None/"auto", "binary" or "spin".
    Every problem (no such file, not HDF5, missing or mis-shaped datasets, non-finite numbers, a units
    conflict) is a ParameterError naming ``model`` (or ``units``) and the problem."""
    if units not in (None, AUTO, *UNITS):
        raise ParameterError("units", units, "one of " + ", ".join((AUTO, *UNITS)))
    if not Path(path).is_file():
        raise _bad(path, "no such file")
    try:
        f = h5py.File(path, "r")
    except OSError:
        raise _bad(path, "not a readable HDF5 file") from None
    with f:
        group = f["results"] if isinstance(f.get("results"), h5py.Group) and "W" in f["results"] else f
        missing = [name for name in DATASETS if not isinstance(group.get(name), h5py.Dataset)]
        if missing:
            where = "/results or the root" if group is f else group.name
            raise _bad(path, f"datasets {', '.join(missing)} missing (looked in {where})")
        arrays = {name: group[name][()] for name in DATASETS}
        recorded = _recorded_units(f, group)
    if recorded is not None and recorded not in UNITS:
        raise _bad(path, f"recorded units {recorded!r} not one of {', '.join(UNITS)}")
    if recorded is not None and units in UNITS and units != recorded:
        raise ParameterError("units", units, f"auto or {recorded}: the model file records {recorded} units")
    chosen = units if units in UNITS else recorded or "binary"
    for name, x in arrays.items():
        if not np.issubdtype(np.asarray(x).dtype, np.number):
            raise _bad(path, f"{name} is not numeric")
    w = np.asarray(arrays["W"])
    if w.ndim != 2 or 0 in w.shape:
        raise _bad(path, f"W has shape {w.shape}, not (n_visible, n_hidden) with both >= 1")
    for name, size, axis in (("visible_bias", w.shape[0], "rows"), ("hidden_bias", w.shape[1], "columns")):
        if np.shape(arrays[name]) != (size,):
            raise _bad(path, f"{name} has shape {np.shape(arrays[name])} but W has {size} {axis}")
    for name, x in arrays.items():
        bad = np.count_nonzero(~np.isfinite(x))
        if bad:
            raise _bad(path, f"{name} has {bad} non-finite (NaN/inf) entries")
    return RBM(arrays["W"], arrays["visible_bias"], arrays["hidden_bias"], chosen)


def model_arrays(model: RBM) -> dict[str, np.ndarray]:
    """The datasets of a model file, ``units`` included (as a byte string), e.g. for a run's ``/results``."""
    return {"W": np.array(model.weights), "visible_bias": np.array(model.visible_bias),
            "hidden_bias": np.array(model.hidden_bias), "units": np.bytes_(model.units)}


def save_model(group: h5py.Group, model: RBM) -> None:
    """Write ``model`` into an open HDF5 group (W, visible_bias, hidden_bias and a ``units`` attribute)."""
    for name, value in model_arrays(model).items():
        if name != "units":
            group.create_dataset(name, data=value)
    group.attrs["units"] = model.units


def check_model(settings: Settings) -> RBM:
    """The model named by validated ``model`` and ``units`` settings; used as (part of) a ParamSet check so that
    a bad model file is rejected before any output file is created."""
    return load_model(settings.model, settings.units)
