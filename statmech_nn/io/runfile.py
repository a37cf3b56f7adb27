"""The run file (format v1, documented in docs/format.md): writer and reader.

Layout of a run (the root of a file, or a group inside a sweep file)::

    /                      attrs: format="statmech_nn run", format_version=1, study, status
    /h5md                  attrs: version=[1, 1]; /h5md/creator attrs: name, version
    /parameters            attrs: every declared parameter under its declared name
    /provenance            attrs: versions, git commit, command line, seed entropy, created, history
    /observables/<name>/step    int64 (n,)        chunked, resizable
    /observables/<name>/value   (n, ...)          chunked, resizable; attrs: dims (axis names, "step" first)
    /results/<name>        study-level arrays or scalars
    /checkpoint/<name>     the sampler state (configuration, RNG state, counters; nested state as subgroups);
                           attrs: rows (the longest observable's length at the checkpoint)

Nothing lost: the file at ``path`` is only ever replaced whole. :class:`RunWriter` buffers rows in memory and at each
commit copies the last complete file to a temporary sibling, appends, writes the new checkpoint, closes, fsyncs
and ``os.replace``\\ s it over ``path`` (:mod:`statmech_nn.io.atomic`). A ``kill -9`` at any moment leaves the
previous complete file; a full disk leaves it too, and removes the temporary file.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from .. import __version__
from ..errors import FormatError, OutputError
from .atomic import atomic_write
from .provenance import utc_now

FORMAT_NAME = "statmech_nn run"
FORMAT_VERSION = 2
STATUSES = ("running", "interrupted", "complete")
_CHUNK_BYTES = 64 * 1024


def check_output_path(path: str | os.PathLike, *, resume: bool = False, overwrite: bool = False) -> Path:
    """Validate ``--out`` before anything is computed; nothing is created here."""
    path = Path(path)
    if resume and overwrite:
        raise OutputError("options '--resume' and '--overwrite' exclude each other")
    if path.is_dir():
        raise OutputError(f"parameter 'out': got {str(path)!r}; allowed: a file path, not a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"parameter 'out': got {str(path)!r}; allowed: a path in an existing directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"parameter 'out': got {str(path)!r}; allowed: a path in a writable directory")
    if resume and not path.exists():
        raise OutputError(f"parameter 'out': got {str(path)!r}; allowed with --resume: an existing run file")
    if path.exists() and not (resume or overwrite):
        raise OutputError(
            f"parameter 'out': got {str(path)!r}, which exists; allowed: a new path, or --resume / --overwrite"
        )
    return path


def _row_chunks(shape: tuple, dtype) -> tuple:
    row_bytes = max(1, int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize)
    return (max(1, _CHUNK_BYTES // row_bytes), *shape)


def write_header(group: h5py.Group, study: str, parameters: Mapping, provenance: Mapping,
                 observables: Mapping[str, tuple]) -> None:
    """Write the skeleton of a run into ``group``; ``observables`` maps name -> (dtype, row shape)."""
    group.attrs.update(format=FORMAT_NAME, format_version=FORMAT_VERSION, study=study, status="running")
    h5md = group.create_group("h5md")
    h5md.attrs["version"] = np.array([1, 1], dtype=np.int32)
    h5md.create_group("creator").attrs.update(name="statmech_nn", version=__version__)
    group.create_group("parameters", track_order=True).attrs.update(dict(parameters))
    prov = group.create_group("provenance", track_order=True)
    prov.attrs.update(dict(provenance))
    prov.attrs["history"] = np.array([f"{provenance.get('created', utc_now())} created"], dtype=h5py.string_dtype())
    obs = group.create_group("observables")
    for name, (dtype, shape, *dims) in observables.items():
        g = obs.create_group(name)
        g.create_dataset("step", shape=(0,), maxshape=(None,), dtype=np.int64, chunks=(_CHUNK_BYTES // 8,))
        value = g.create_dataset("value", shape=(0, *shape), maxshape=(None, *shape), dtype=dtype,
                                 chunks=_row_chunks(shape, dtype))
        row_dims = tuple(dims[0]) if dims else tuple(f"dim_{i}" for i in range(len(shape)))
        value.attrs["dims"] = np.array(["step", *row_dims], dtype=h5py.string_dtype())
    group.create_group("results")
    group.create_group("checkpoint").attrs["rows"] = 0


def append_rows(group: h5py.Group, rows: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Append (steps, values) to each named observable of a run group."""
    for name, (steps, values) in rows.items():
        g = group["observables"][name]
        n0, n = g["step"].shape[0], len(steps)
        if n == 0:
            continue
        g["step"].resize((n0 + n,))
        g["step"][n0:] = steps
        g["value"].resize((n0 + n, *g["value"].shape[1:]))
        g["value"][n0:] = values


def _replace_datasets(group: h5py.Group, arrays: Mapping) -> None:
    """Write ``arrays`` into ``group``, replacing what is there; a nested mapping becomes a subgroup."""
    for name, value in arrays.items():
        if name in group:
            del group[name]
        if isinstance(value, Mapping):
            _replace_datasets(group.create_group(name), value)
        else:
            group.create_dataset(name, data=np.asarray(value))


def _read_tree(group: h5py.Group) -> dict:
    """A group's datasets as arrays and its subgroups as nested dicts."""
    return {k: _read_tree(v) if isinstance(v, h5py.Group) else v[()] for k, v in group.items()}


def _as_arrays(tree: Mapping) -> dict:
    """A nested mapping with every leaf as a numpy array (results may hold subgroups)."""
    return {k: _as_arrays(v) if isinstance(v, Mapping) else np.asarray(v) for k, v in tree.items()}


def stored_rows(group: h5py.Group) -> int:
    """Rows stored in a run group: the longest observable (observables may be sampled at different steps)."""
    return max((g["step"].shape[0] for g in group["observables"].values()), default=0)


def write_state(group: h5py.Group, state: Mapping[str, np.ndarray], status: str,
                results: Mapping[str, np.ndarray] | None = None) -> None:
    """Replace the checkpoint (and results), record the number of rows it matches, set the status."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    _replace_datasets(group["checkpoint"], state)
    group["checkpoint"].attrs["rows"] = stored_rows(group)
    _replace_datasets(group["results"], results or {})
    group.attrs["status"] = status


def add_history(group: h5py.Group, event: str) -> None:
    """Record an event (a resume, an interruption) in ``/provenance`` attrs ``history``."""
    prov = group["provenance"]
    history = [h.decode() if isinstance(h, bytes) else h for h in prov.attrs.get("history", [])]
    prov.attrs["history"] = np.array([*history, f"{utc_now()} {event}"], dtype=h5py.string_dtype())


def _copy_compact(src: Path, new: h5py.File) -> None:
    """``src`` copied object by object into the new file ``new``, without the checkpoint and results it will
    replace: a byte copy would carry the space of every replaced checkpoint along, and HDF5 never gives it back."""
    with h5py.File(src, "r") as old:
        new.attrs.update(old.attrs)
        for name in old:
            if name in ("checkpoint", "results"):
                new.create_group(name).attrs.update(old[name].attrs)
            else:
                old.copy(old[name], new, name=name)


class RunWriter:
    """The single writer of one run file (the caller holds its :class:`~statmech_nn.io.atomic.WriterLock`).
    Rows are buffered; :meth:`commit` makes them durable atomically."""

    def __init__(self, path: str | os.PathLike, rows: int = 0):
        self.path = Path(path)
        self.rows = rows  # rows in the last complete file
        self._pending: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        self._events: list[str] = []

    @classmethod
    def create(cls, path, study: str, parameters: Mapping, provenance: Mapping,
               observables: Mapping[str, tuple]) -> RunWriter:
        """Atomically create (or replace) ``path`` with an empty run."""
        writer = cls(path)

        atomic_write(writer.path, lambda f: write_header(f, study, parameters, provenance, observables),
                     "nothing was written; free space and run again")
        return writer

    def append(self, rows: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> None:
        for name, (steps, values) in rows.items():
            if len(steps):
                self._pending.setdefault(name, []).append((np.asarray(steps), np.asarray(values)))

    def note(self, event: str) -> None:
        """Add an event to the provenance history at the next commit."""
        self._events.append(event)

    def commit(self, state: Mapping, status: str = "running", results: Mapping[str, np.ndarray] | None = None) -> None:
        """Write buffered rows, the checkpoint ``state`` and ``status``; replace the file atomically. If the disk
        is full or unwritable, the last complete file stays and a one-line StorageError says so."""
        rows = 0

        def build(f: h5py.File) -> None:
            nonlocal rows
            _copy_compact(self.path, f)
            append_rows(f, {name: (np.concatenate([s for s, _ in parts]), np.concatenate([v for _, v in parts]))
                            for name, parts in self._pending.items()})
            write_state(f, state, status, results)
            for event in self._events:
                add_history(f, event)
            rows = stored_rows(f)

        atomic_write(self.path, build, f"the run is intact up to row {self.rows}; free space and --resume")
        self.rows = rows
        self._pending.clear()
        self._events.clear()


@dataclass(frozen=True)
class Series:
    """One observable: ``step[i]`` is when row ``value[i]`` was measured; ``dims`` names the axes of ``value``
    (the first is ``step``)."""

    step: np.ndarray
    value: np.ndarray
    dims: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.step)


@dataclass(frozen=True)
class Run:
    """A run: parameters, provenance, observables and results in memory; the checkpoint (the sampler state, which
    can be large) is read from the file only when :attr:`checkpoint` is asked for."""

    path: str
    study: str
    status: str
    format_version: int
    parameters: dict
    provenance: dict
    observables: dict[str, Series] = field(default_factory=dict)
    results: dict[str, np.ndarray] = field(default_factory=dict)
    rows: int = 0
    group: str = "/"   # where the run lives in ``path`` (a sweep point is a linked shard)
    state: dict | None = field(default=None, repr=False)  # the checkpoint, when held in memory

    def __getitem__(self, name: str) -> np.ndarray:
        """The values of an observable: ``run["energy"]``."""
        return self.observables[name].value

    @property
    def checkpoint(self) -> dict:
        """The stored sampler state (nested dicts for subgroups), read on demand."""
        if self.state is not None:
            return self.state
        with open_h5(self.path) as f, reported_damage(self.path, "checkpoint"):
            return _read_tree(f[self.group]["checkpoint"])

    def to_xarray(self):
        """The observables as an ``xarray.Dataset`` (needs the optional xarray package): each observable a
        variable over its stored ``dims``; the step axis is ``step`` when all observables share their steps and
        ``<name>_step`` otherwise; scalar results become attributes-free 0-d variables named ``results_<name>``."""
        try:
            import xarray as xr
        except ImportError:
            raise FormatError("Run.to_xarray needs xarray: pip install 'statmech-nn[xarray]'") from None
        steps = [s.step for s in self.observables.values()]
        shared = all(len(a) == len(steps[0]) and np.array_equal(a, steps[0]) for a in steps)
        variables, coords = {}, {}
        for name, series in self.observables.items():
            step_dim = "step" if shared else f"{name}_step"
            dims = (step_dim, *series.dims[1:])
            coords[step_dim] = series.step
            variables[name] = (dims, series.value)
        for name, value in self.results.items():
            value = np.asarray(value)
            if value.dtype.kind in "biuf":
                variables[f"results_{name}"] = (tuple(f"{name}_{i}" for i in range(value.ndim)), value)
        return xr.Dataset(variables, coords=coords,
                          attrs={"study": self.study, "status": self.status, **_plain(self.parameters)})


def _plain(attrs: Mapping) -> dict:
    """Attributes xarray/netCDF can hold (tuples as lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in attrs.items()}


def _attrs(obj) -> dict:
    return {k: (v.decode() if isinstance(v, bytes) else v.item() if isinstance(v, np.generic) else v)
            for k, v in obj.attrs.items()}


def _dims(value: h5py.Dataset) -> tuple[str, ...]:
    dims = value.attrs.get("dims")
    if dims is None:  # files written before dims were stored
        return ("step", *(f"dim_{i}" for i in range(value.ndim - 1)))
    return tuple(d.decode() if isinstance(d, bytes) else str(d) for d in dims)


REQUIRED_GROUPS = ("parameters", "provenance", "observables", "results", "checkpoint")
_DAMAGE = (KeyError, OSError, ValueError, TypeError, RuntimeError, AttributeError, IndexError)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


@contextmanager
def reported_damage(where, what: str):
    """Whatever h5py or numpy raise on a damaged file becomes one FormatError naming ``where`` and ``what``."""
    try:
        yield
    except FormatError:
        raise
    except _DAMAGE as exc:
        raise FormatError(f"{where}: damaged {what} ({_one_line(exc)})") from None


def read_group(group: h5py.Group, path: str = "") -> Run:
    """Read a run stored at ``group`` (a file root or a sweep point), checked as a whole first: required groups,
    every observable's step and value of equal length. The checkpoint stays in the file. Any damage is a
    :class:`FormatError` naming the file and what is wrong."""
    where = path or group.name
    with reported_damage(where, "run file"):
        return _read_group(group, where)


def _read_group(group: h5py.Group, where: str) -> Run:
    if group.attrs.get("format") != FORMAT_NAME:
        raise FormatError(f"{where}: not a statmech_nn run (no format attribute {FORMAT_NAME!r})")
    version = int(group.attrs["format_version"])
    if version > FORMAT_VERSION:
        raise FormatError(f"{where}: run format version {version} is newer than this package reads ({FORMAT_VERSION})")
    missing = [name for name in REQUIRED_GROUPS if not isinstance(group.get(name), h5py.Group)]
    if missing:
        raise FormatError(f"{where}: damaged run file (missing group /{missing[0]})")
    status = str(group.attrs["status"])
    if status not in STATUSES:
        raise FormatError(f"{where}: damaged run file (status {status!r})")
    obs = {}
    for name, g in group["observables"].items():
        step, value = g["step"][()], g["value"][()]
        if step.ndim != 1 or step.dtype.kind not in "iu" or len(value) != len(step):
            raise FormatError(f"{where}: damaged run file (observable {name!r}: {len(step)} steps, "
                              f"{len(value)} values)")
        obs[name] = Series(step, value, _dims(g["value"]))
    return Run(
        path=where, study=str(group.attrs["study"]), status=status, format_version=version,
        parameters=_attrs(group["parameters"]), provenance=_attrs(group["provenance"]), observables=obs,
        results=_read_tree(group["results"]), rows=int(group["checkpoint"].attrs.get("rows", 0)),
        group=group.name,
    )


class MemoryWriter:
    """The :class:`RunWriter` interface kept in memory, for quick interactive runs (``statmech_nn.run``):
    nothing touches the disk; :meth:`run` gives the :class:`Run` a file would hold."""

    def __init__(self, study: str, parameters: Mapping, provenance: Mapping, observables: Mapping[str, tuple]):
        self._head = dict(study=study, parameters=dict(parameters), provenance=dict(provenance))
        self._specs = {name: spec for name, spec in observables.items()}
        self._parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {name: [] for name in observables}
        self._status, self._results, self._state = "running", {}, {}

    def append(self, rows: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> None:
        for name, (steps, values) in rows.items():
            if len(steps):
                self._parts[name].append((np.array(steps), np.array(values)))

    def note(self, event: str) -> None:
        pass

    def commit(self, state: Mapping, status: str = "running", results: Mapping | None = None) -> None:
        self._state, self._status = dict(state), status
        self._results = _as_arrays(results or {})

    def run(self) -> Run:
        observables = {}
        for name, (dtype, shape, *dims) in self._specs.items():
            parts = self._parts[name]
            step = np.concatenate([s for s, _ in parts]) if parts else np.zeros(0, np.int64)
            value = (np.concatenate([v for _, v in parts]) if parts else np.zeros((0, *shape))).astype(dtype)
            row_dims = tuple(dims[0]) if dims else tuple(f"dim_{i}" for i in range(len(shape)))
            observables[name] = Series(step.astype(np.int64), value, ("step", *row_dims))
        return Run(path="", study=self._head["study"], status=self._status, format_version=FORMAT_VERSION,
                   parameters={k: (np.asarray(v) if isinstance(v, tuple) else v)
                               for k, v in self._head["parameters"].items()},
                   provenance=self._head["provenance"], observables=observables, results=self._results,
                   rows=max((len(s) for s in observables.values()), default=0), state=self._state)


def open_h5(path: str | os.PathLike) -> h5py.File:
    """Open an existing file read-only, turning h5py's errors into a :class:`FormatError`."""
    try:
        return h5py.File(path, "r")
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file") from None
    except OSError as exc:
        raise FormatError(f"{path}: not a readable HDF5 file ({_one_line(exc)})") from None


def file_format(path: str | os.PathLike) -> str:
    """The ``format`` attribute of a file ("statmech_nn run", "statmech_nn sweep"), or a FormatError."""
    with open_h5(path) as f, reported_damage(path, "HDF5 file"):
        kind = f.attrs.get("format")
    if kind is None:
        raise FormatError(f"{path}: not a statmech_nn file (no format attribute)")
    return kind.decode() if isinstance(kind, bytes) else str(kind)


def read_run(path: str | os.PathLike) -> Run:
    """Read a run file: parameters, provenance, observables and results (the checkpoint on demand)."""
    with open_h5(path) as f:
        return read_group(f, str(path))
