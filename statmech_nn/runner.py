"""The one simulation loop every study uses.

A study supplies a :class:`Simulation`: immutable settings plus ``init_state`` (explicit state arrays: configuration,
RNG state, counters) and ``advance(state, max_rows)``, which updates the state in place and returns the rows it
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
from typing import Protocol

import numpy as np

from .io.runfile import RunWriter


class Simulation(Protocol):
    study: str
    observables: Mapping[str, tuple]  # name -> (dtype, row shape)

    def init_state(self) -> dict[str, np.ndarray]: ...

    def advance(self, state: dict[str, np.ndarray], max_rows: int) -> dict[str, tuple[np.ndarray, np.ndarray]]: ...

    def progress(self, state: dict[str, np.ndarray]) -> tuple[int, int]: ...

    def results(self, state: dict[str, np.ndarray]) -> dict[str, np.ndarray]: ...


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


class _StopFlag:
    """Turns SIGINT/SIGTERM into a flag checked between chunks (kernels are never cut mid-update)."""

    def __init__(self):
        self.signal: int | None = None
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


def execute(sim: Simulation, writer: RunWriter, state: dict[str, np.ndarray], options: RunOptions = RunOptions(),
            rows_stored: int = 0) -> Outcome:
    """Advance ``sim`` from ``state`` to the end, writing through ``writer``; see the module docstring."""
    max_rows, rows = 1, rows_stored
    done, total = sim.progress(state)
    bar = _progress_bar(options.progress, done, total)
    last_commit = time.monotonic()
    try:
        with _StopFlag() as stop:
            while done < total:
                t0 = time.monotonic()
                out = sim.advance(state, max_rows)
                elapsed = time.monotonic() - t0
                writer.append(out)
                rows += max((len(s) for s, _ in out.values()), default=0)
                new_done, _ = sim.progress(state)
                if bar is not None:
                    bar.update(new_done - done)
                done = new_done
                max_rows = _next_chunk(max_rows, elapsed, options.chunk_seconds)
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
    """Grow or shrink the rows per kernel call so one call takes about ``target`` seconds."""
    if elapsed < target / 4:
        return current * 2
    if elapsed > 2 * target and current > 1:
        return max(1, current // 2)
    return current
