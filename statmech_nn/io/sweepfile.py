"""The sweep file (format v1, docs/sweeps.md): its in-memory form, writer and reader.

Layout (``OUT``; the points' runs are shards in ``OUT.d/point-NNNNNN.h5``, ordinary run files)::

    /                       attrs: format="statmech_nn sweep", format_version=1, study, status
    /spec                   attrs: toml (source text), canonical (JSON content), seed, axes (grid order)
    /parameters             attrs: the non-grid parameters, resolved defaults and the root seed included
    /grid/<axis>            the axis values, axes in spec order
    /points/status          int8, shaped by the grid: 0 pending, 1 done, 2 failed
    /points/message         strings, shaped by the grid: the error of a failed point
    /points/<index>         external link to the shard of each point that has one (relative path)
    /results/<name>/mean    float64 shaped by the grid (NaN where not done); also .../error, .../tau
    /provenance             attrs like a run's, history included

The file is small: the driver, its only writer, rewrites it whole (temporary file, then ``os.replace``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ..errors import FormatError
from .provenance import utc_now
from .atomic import atomic_write
from .runfile import Run, _attrs, open_h5, read_run, reported_damage  # shared with the run format

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FORMAT_NAME = "statmech_nn sweep"
FORMAT_VERSION = 1
PENDING, DONE, FAILED = 0, 1, 2
_STR = h5py.string_dtype()


def shard_dir(path: str | os.PathLike) -> Path:
    """The directory of a sweep's shards: ``OUT.d`` beside ``OUT``."""
    path = Path(path)
    return path.with_name(path.name + ".d")


@dataclass(frozen=True)
class Summary:
    """One estimate over the grid: arrays shaped by the grid axes, NaN where a point is not done."""

    mean: np.ndarray
    error: np.ndarray
    tau: np.ndarray


@dataclass
class Sweep:
    """A sweep file in memory; :func:`read_sweep` returns one, the driver updates one and writes it."""

    path: Path
    study: str
    state: str                       # running, interrupted or complete
    spec_text: str
    canonical: str
    seed: int
    axes: dict[str, np.ndarray]
    parameters: dict[str, Any]
    provenance: dict[str, Any]       # history: a list of events
    status: np.ndarray               # int8, grid-shaped: PENDING, DONE, FAILED
    messages: np.ndarray             # str objects, grid-shaped
    results: dict[str, Summary] = field(default_factory=dict)

    @classmethod
    def new(cls, spec, path: str | os.PathLike, provenance: dict[str, Any]) -> Sweep:
        """A new sweep of ``spec`` (a :class:`statmech_nn.sweep.spec.Spec`), every point pending."""
        return cls(Path(path), spec.study, "running", spec.text, spec.canonical(), spec.seed, dict(spec.axes),
                   dict(spec.parameters), {**provenance, "history": [f"{provenance['created']} created"]},
                   np.zeros(spec.shape, dtype=np.int8), np.full(spec.shape, "", dtype=object))

    @property
    def spec(self) -> dict[str, Any]:
        """The spec as parsed TOML."""
        return tomllib.loads(self.spec_text)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.status.shape

    def shard(self, index: int) -> Path:
        """The shard (run file) of point ``index``."""
        width = max(6, len(str(self.status.size - 1)))
        return shard_dir(self.path) / f"point-{index:0{width}d}.h5"

    def point(self, index: int | tuple[int, ...]) -> Run:
        """The run of a point, by ravel index or grid multi-index."""
        if isinstance(index, tuple):
            index = int(np.ravel_multi_index(index, self.shape))
        return read_run(self.shard(index))

    def note(self, event: str) -> None:
        self.provenance["history"].append(f"{utc_now()} {event}")

    def record(self, index: int, estimates: dict[str, np.ndarray]) -> None:
        """Mark point ``index`` done with its (value, error, tau) per estimate."""
        where = np.unravel_index(index, self.shape)
        for name, (mean, error, tau) in estimates.items():
            if name not in self.results:
                self.results[name] = Summary(*(np.full(self.shape, np.nan) for _ in range(3)))
            summary = self.results[name]
            summary.mean[where], summary.error[where], summary.tau[where] = mean, error, tau
        self.status[where], self.messages[where] = DONE, ""

    def fail(self, index: int, message: str) -> None:
        where = np.unravel_index(index, self.shape)
        self.status[where], self.messages[where] = FAILED, message


def write_sweep(sweep: Sweep) -> None:
    """Write ``sweep`` to its path atomically (a full disk leaves the last complete sweep file)."""
    done = int((sweep.status == DONE).sum())
    atomic_write(sweep.path, lambda f: _write(sweep, f),
                 f"the points' shards are intact ({done} points recorded); free space and --resume", track_order=True)


def _write(sweep: Sweep, f: h5py.File) -> None:
    f.attrs.update(format=FORMAT_NAME, format_version=FORMAT_VERSION, study=sweep.study, status=sweep.state)
    f.create_group("spec").attrs.update(toml=sweep.spec_text, canonical=sweep.canonical, seed=sweep.seed,
                                        axes=np.array(list(sweep.axes), dtype=_STR))
    f.create_group("parameters", track_order=True).attrs.update(sweep.parameters)
    grid = f.create_group("grid", track_order=True)
    for name, values in sweep.axes.items():
        grid.create_dataset(name, data=values.astype(_STR) if values.dtype.kind == "U" else values)
    points = f.create_group("points")
    points.create_dataset("status", data=sweep.status)
    points.create_dataset("message", data=sweep.messages.astype(_STR))
    for index in range(sweep.status.size):
        shard = sweep.shard(index)
        if shard.exists():
            points[str(index)] = h5py.ExternalLink(f"{shard.parent.name}/{shard.name}", "/")
    results = f.create_group("results", track_order=True)
    for name, summary in sweep.results.items():
        g = results.create_group(name)
        for key in ("mean", "error", "tau"):
            g.create_dataset(key, data=getattr(summary, key))
    prov = f.create_group("provenance", track_order=True)
    prov.attrs.update({k: v for k, v in sweep.provenance.items() if k != "history"})
    prov.attrs["history"] = np.array(sweep.provenance["history"], dtype=_STR)




def read_sweep(path: str | os.PathLike) -> Sweep:
    """Read a sweep file: ``.spec``, ``.axes``, ``.results[name].mean/.error/.tau``, ``.status``, ``.point(i)``."""
    with open_h5(path) as f, reported_damage(path, "sweep file"):
        return _read(f, path)


def _read(f: h5py.File, path) -> Sweep:
    if f.attrs.get("format") != FORMAT_NAME:
        raise FormatError(f"{path}: not a statmech_nn sweep (no format attribute {FORMAT_NAME!r})")
    version = int(f.attrs["format_version"])
    if version > FORMAT_VERSION:
        raise FormatError(f"{path}: sweep format version {version} is newer than this package reads "
                          f"({FORMAT_VERSION})")
    spec = _attrs(f["spec"])
    axes = {name: _array(f["grid"][name]) for name in spec["axes"]}
    provenance = _attrs(f["provenance"])
    provenance["history"] = [str(h) for h in provenance.get("history", [])]
    shape = tuple(len(a) for a in axes.values())
    status = f["points/status"][()]
    if status.shape != shape:
        raise FormatError(f"{path}: damaged sweep file (points/status has shape {status.shape}, the grid {shape})")
    results = {name: Summary(g["mean"][()], g["error"][()], g["tau"][()]) for name, g in f["results"].items()}
    return Sweep(Path(path), str(f.attrs["study"]), str(f.attrs["status"]), spec["toml"], spec["canonical"],
                 int(spec["seed"]), axes, _attrs(f["parameters"]), provenance, status,
                 f["points/message"].asstr()[()].astype(object), results)




def _array(dataset: h5py.Dataset) -> np.ndarray:
    if h5py.check_string_dtype(dataset.dtype) is not None:
        return dataset.asstr()[()].astype(np.str_)
    return dataset[()]
