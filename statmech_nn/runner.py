"""The one simulation loop every study uses.

A study subclasses :class:`Simulation`: immutable settings plus ``init_state`` (explicit state arrays: configuration,
RNG state, counters), declared ``phases`` and ``step``, which updates the state in place and returns the rows it
measured. :func:`execute` advances it in chunks of about ``chunk_seconds`` of work, hands rows to the writer,
commits a checkpoint every ``checkpoint_every`` seconds, shows progress on a terminal, turns Ctrl-C / SIGTERM into
a final commit at the last complete chunk, and resumes from a stored checkpoint. Because a kernel's output depends
only on its state, chunk sizes, interruptions and resumes never change the numbers.
"""
from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .params import Settings
from .rng import seed_sequence
from .threads import owned_by


State = dict  # name -> numpy array, or a nested State (stored as a checkpoint subgroup)
Rows = dict    # observable name -> (steps int64 (n,), values (n, *row shape))


class Simulation:
    """The base class of every study's simulation: immutable ``settings``, a root ``seed`` (SeedSequence), and
    explicit state arrays that a kernel updates in place.

    A study declares

    * ``observables`` — ``{name: (dtype, row shape)}`` or ``(dtype, row shape, dims)`` with one dimension name per
      axis of a row (stored as the observable's ``dims``); a class attribute or a property;
    * ``streams`` — named random-stream keys ``{name: int}``; :meth:`stream` derives a child of the run's seed;
    * :meth:`phases` — the ordered phases and their length in units of progress (e.g. burn-in sweeps, then
      measured rows); a phase of length 0 is skipped;
    * :meth:`init_state` — the state arrays (dicts may nest);
    * :meth:`step` — do units ``[start, start + n)`` of ``phase`` and return the rows measured;
    * :meth:`results` — study-level arrays, written at the end (and at an interruption);
    * ``threads`` — which layer owns the cores (:mod:`statmech_nn.threads`): ``"numba"`` (the default) or
      ``"blas"``, or ``{phase: owner}`` for phases that differ.

    The base class owns the progress counter (``state["progress"]``), cuts chunks at phase boundaries and gives
    the runner :meth:`advance` and :meth:`progress`. Kernels depend only on their state, so how the work is cut
    into chunks, interrupted and resumed never changes the numbers.
    """

    observables: Mapping[str, tuple] = {}
    streams: Mapping[str, int] = {}
    threads: str | Mapping[str, str] = "numba"

    def __init__(self, settings: Settings, seed: np.random.SeedSequence):
        self.settings = settings
        self.seed = seed

    # ----------------------------------------------------------------------------------- declared by a study
    def phases(self) -> dict[str, int]:
        raise NotImplementedError

    def init_state(self) -> State:
        raise NotImplementedError

    def step(self, state: State, phase: str, start: int, n: int) -> Rows:
        raise NotImplementedError

    def results(self, state: State) -> dict[str, np.ndarray]:
        return {}

    # --------------------------------------------------------------------------------- owned by the base
    def stream(self, name: str, *key: int) -> np.random.SeedSequence:
        """The child stream ``name`` (a key of :attr:`streams`) of the run's seed, extended by ``key``."""
        return seed_sequence(self.seed, self.streams[name], *key)

    @cached_property
    def _phases(self) -> tuple[tuple[str, int], ...]:
        return tuple((name, int(n)) for name, n in self.phases().items() if n > 0)

    def start(self) -> State:
        """A fresh state: :meth:`init_state` plus the progress counter."""
        with owned_by(self.owner()):
            return {**self.init_state(), "progress": np.zeros((), np.int64)}

    def owner(self, phase: str | None = None) -> str:
        """Who owns the cores in ``phase`` (``None``: outside the phases — set-up and results)."""
        return self.threads if isinstance(self.threads, str) else self.threads.get(phase, "numba")

    def progress(self, state: State) -> tuple[int, int]:
        """(units done, units in all)."""
        return int(state["progress"]), sum(n for _, n in self._phases)

    def phase(self, state: State) -> tuple[str, int, int] | None:
        """(phase, units of it done, its length) at the current progress; ``None`` when finished."""
        done = int(state["progress"])
        for name, n in self._phases:
            if done < n:
                return name, done, n
            done -= n
        return None

    def advance(self, state: State, max_units: int) -> Rows:
        """Up to ``max_units`` units of the current phase (never across a phase boundary)."""
        where = self.phase(state)
        if where is None:
            return {}
        name, done, n = where
        k = min(max_units, n - done)
        with owned_by(self.owner(name)):
            rows = self.step(state, name, done, k)
        state["progress"][...] = state["progress"] + k
        return rows

    def row_specs(self) -> dict[str, tuple]:
        """``observables`` with every entry as (dtype, row shape, dims)."""
        return {name: _with_dims(spec) for name, spec in self.observables.items()}


def _with_dims(spec: tuple) -> tuple:
    dtype, shape, *dims = spec
    dims = tuple(dims[0]) if dims else tuple(f"dim_{i}" for i in range(len(shape)))
    if len(dims) != len(shape):
        raise ValueError(f"dims {dims} do not match the row shape {shape}")
    return dtype, tuple(shape), dims


@dataclass(frozen=True)
class RunOptions:
    checkpoint_every: float = 60.0  # seconds of wall time between commits
    chunk_seconds: float = 0.25     # target duration of one kernel call (Ctrl-C latency)
    progress: bool = False          # draw a progress bar (the CLI passes isatty())


@dataclass(frozen=True)
class Outcome:
    status: str        # "complete" or "interrupted"
    rows: int          # rows stored in the file
    done: int          # progress units done (e.g. sweeps)
    total: int
    run: object = None  # the Run, for runs kept in memory


#: A stop signal that arrived before a run started (see :func:`defer_stop_signals`), taken up by the next run.
_pending_signal: int | None = None


def defer_stop_signals() -> None:
    """Make SIGINT/SIGTERM that arrive outside a run stop the next run at its first chunk instead of killing the
    process (sweep workers: a signal between creating a shard and entering the run loop still saves the shard)."""
    def remember(signum, frame):
        global _pending_signal
        _pending_signal = signum

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, remember)


class _StopFlag:
    """Turns SIGINT/SIGTERM into a flag checked between chunks (kernels are never cut mid-update)."""

    def __init__(self):
        self.signal: int | None = _pending_signal
        self._old: dict[int, object] = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        self.signal = signum

    def __exit__(self, *exc):
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def _progress_bar(enabled: bool, done: int, total: int):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="step", dynamic_ncols=True, file=sys.stderr)


def execute(sim: Simulation, writer, state: State, options: RunOptions = RunOptions(),
            rows_stored: int = 0) -> Outcome:
    """Advance ``sim`` from ``state`` to the end, writing through ``writer``; see the module docstring."""
    max_units, rows = 1, rows_stored
    done, total = sim.progress(state)
    bar = _progress_bar(options.progress, done, total)
    last_commit = time.monotonic()
    try:
        with _StopFlag() as stop, owned_by(sim.owner()):
            while done < total:
                t0 = time.monotonic()
                out = sim.advance(state, max_units)
                elapsed = time.monotonic() - t0
                writer.append(out)
                rows += max((len(s) for s, _ in out.values()), default=0)
                new_done, _ = sim.progress(state)
                if bar is not None:
                    bar.update(new_done - done)
                done = new_done
                max_units = _next_chunk(max_units, elapsed, options.chunk_seconds)
                if stop.signal is not None:
                    writer.note(f"interrupted by signal {stop.signal} at {done}/{total}")
                    writer.commit(state, "interrupted", sim.results(state))
                    return Outcome("interrupted", rows, done, total)
                if time.monotonic() - last_commit > options.checkpoint_every and done < total:
                    writer.commit(state, "running")
                    last_commit = time.monotonic()
            writer.commit(state, "complete", sim.results(state))
    finally:
        if bar is not None:
            bar.close()
    return Outcome("complete", rows, done, total)


def _next_chunk(current: int, elapsed: float, target: float) -> int:
    """Grow or shrink the units per kernel call so one call takes about ``target`` seconds."""
    if elapsed < target / 4:
        return current * 2
    if elapsed > 2 * target and current > 1:
        return max(1, current // 2)
    return current
