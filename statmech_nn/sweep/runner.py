"""The sweep driver: validate, lay out ``OUT`` and ``OUT.d/``, farm the points out to an executor, record results.

Every check (spec, every grid point's parameters, output path, ``--resume`` against the stored spec) happens
before any file is touched. Points run in :func:`~statmech_nn.sweep.worker.run_points` tasks of one or more
points, each point writing its own shard; only this driver writes the sweep file, rewriting it whole after
completed points (after the next tasks are out; at most once per ``WRITE_EVERY`` and for at most ``WRITE_SHARE``
of the time) and at the end. Seeds derive from (root seed, point index) only, so the numbers do not depend on
the executor, the number of workers, the points per task or on interruptions.

Points per task (:func:`points_per_task`): short points are batched so that a task holds about ``TASK_SECONDS``
of work (the executor's round trip per task — a Dask scheduler's is tens of milliseconds — is then shared by
the batch), from the median duration the workers report; never more than remaining / (2 × tasks in flight), so
the last tasks still spread over every worker (guided self-scheduling); one point per task until a duration is
known. A batch returns when its last point is done, but each point's shard is committed as it completes: an
interrupted batch loses no finished point (``--resume`` only reads its shard).

Failures: a point whose task fails is recorded (status 2, its message) and reported on stderr while the others
go on. When a local pool breaks because a worker died, the pool is remade and the points of its in-flight tasks
are resubmitted, one per task; a point in flight during two breaks fails with "worker died" (a batch failing
with an exception, e.g. Dask's KilledWorker, is retried the same way, point by point). Ctrl-C stops submitting,
cancels what has not started, waits up to ``DRAIN_SECONDS`` for running points (local pool workers get the same
Ctrl-C and save their shard at the last chunk) and records what finished; ``--resume`` continues.
"""
from __future__ import annotations

import math
import os
import shutil
import signal
import statistics
import sys
import threading
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from statmech_nn.study import get_study

from ..errors import OutputError, ParameterError, ResumeError
from ..io.atomic import WriterLock
from ..io.provenance import collect
from ..io.runfile import check_output_path
from .executors import LocalPool, cores, dask_executor, numba_threads
from .spec import MAX_POINTS, Spec, load_spec, spec_difference
from ..io.sweepfile import DONE, FAILED, PENDING, Sweep, read_sweep, shard_dir, write_sweep
from .worker import describe, run_batch, run_points

WRITE_EVERY = 1.0     # seconds between rewrites of the sweep file while points complete, at least
WRITE_SHARE = 0.02    # and at most this share of the driver's time (a grid of 10 000 points takes ~0.5 s a write)
DRAIN_SECONDS = 10.0  # how long Ctrl-C waits for running points to report
TASK_SECONDS = 0.5    # automatic batches aim at this much work per task


@dataclass(frozen=True)
class SweepOutcome:
    path: Path
    status: str   # "complete" (every point done or failed) or "interrupted"
    done: int
    failed: int
    total: int
    point_seconds: float = 0.0  # the workers' time in the points simulated by this call, as they report it

    @property
    def exit_status(self) -> int:
        """0 if every point is done, 1 if some failed, 130 if interrupted."""
        return 130 if self.status == "interrupted" else 1 if self.failed else 0


def run_sweep(spec: Spec | dict | str | os.PathLike, out: str | os.PathLike, *, executor: Executor | None = None,
              workers: int | None = None, scheduler: str | None = None, resume: bool = False,
              overwrite: bool = False, progress: bool = False, max_points: int = MAX_POINTS,
              dashboard: str | None = None, points_per_task: int | None = None) -> SweepOutcome:
    """Run (or resume) the sweep ``spec`` (a TOML path, a mapping or a :class:`Spec`) into ``out`` and ``out.d/``.

    Executor: ``executor`` (any ``concurrent.futures.Executor``, e.g. ``mpi4py.futures.MPIPoolExecutor()``; not
    shut down here), else ``scheduler`` (a Dask address, or ``"local"`` for a LocalCluster), else a local process
    pool. ``workers`` is the number of local processes (default: all cores); it also sets the Numba threads per
    task (cores // workers; 1 when unknown, i.e. for a given executor without ``workers`` or a remote scheduler).
    ``max_points`` caps the grid (checked before any point is validated); ``dashboard`` is the address of a local
    cluster's Dask dashboard (default: none). ``points_per_task`` fixes how many points one task runs (default:
    chosen from the measured point duration, see :func:`points_per_task`); it changes no number in the files.
    SIGTERM ends a sweep as Ctrl-C does (status interrupted, exit 130).
    """
    spec = load_spec(spec, max_points=max_points)
    if points_per_task is not None and (isinstance(points_per_task, bool) or not isinstance(points_per_task, int)
                                        or points_per_task < 1):
        raise ParameterError("points_per_task", points_per_task, "an integer >= 1, or None (automatic)")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ParameterError("workers", workers, "an integer >= 1")
    if executor is not None and scheduler is not None:
        raise ValueError("give an executor or a scheduler, not both")
    if scheduler not in (None, "local") and workers is not None:
        raise ParameterError("workers", workers, "nothing with a remote scheduler (its cluster has its workers)")
    path = check_output_path(out, resume=resume, overwrite=overwrite)
    shards = shard_dir(path)
    if workers is None and executor is None and scheduler in (None, "local"):
        workers = cores()
    with ExitStack() as stack:
        stack.enter_context(WriterLock(path, "sweep file"))
        if resume:
            sweep, spec = _resumable(read_sweep(path), spec)
        elif (shards.exists() or shards.is_symlink()) and not overwrite:
            raise OutputError(f"{shards} exists (the shards of another sweep?); allowed: --overwrite or --resume")
        else:
            check_output_path(path, overwrite=overwrite)  # again, now that no other writer can create it
            sweep = Sweep.new(spec, path, collect(spec.seed))
        stack.enter_context(_terminate_as_interrupt())
        if executor is None:
            executor = stack.enter_context(dask_executor(scheduler, workers, dashboard) if scheduler
                                           else LocalPool(workers))
        if overwrite and (shards.is_symlink() or shards.is_file()):
            shards.unlink()
        elif overwrite and shards.exists():
            shutil.rmtree(shards)
        shards.mkdir(exist_ok=True)
        write_sweep(sweep)
        # a local pool gets no more points than workers (so a point in flight is running); others 2 per worker
        limit = workers * (1 if isinstance(executor, LocalPool) else 2) if workers else sweep.status.size
        threads = numba_threads(workers) if workers else 1
        if get_study(spec.study).batch is not None and _run_batch(sweep, spec, executor, threads):
            return SweepOutcome(sweep.path, "complete", int((sweep.status == DONE).sum()),
                                int((sweep.status == FAILED).sum()), sweep.status.size)
        driver = _Driver(sweep, spec, executor, threads, limit, progress, points_per_task)
        return driver.run()


@contextmanager
def _terminate_as_interrupt():
    """SIGTERM (e.g. from a batch system or ``kill``) stops the sweep the way Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _run_batch(sweep: Sweep, spec: Spec, executor: Executor, threads: int) -> bool:
    """Evaluate the whole grid in one task when the study can (a mean-field grid); False if it needs runs."""
    result = executor.submit(run_batch, spec.study, [spec.values(i) for i in range(spec.size)], threads).result()
    if result["status"] == "unbatchable":
        return False
    for index in range(spec.size):
        if result["status"] == "complete":
            sweep.record(index, result["estimates"][index])
        else:
            sweep.fail(index, result["message"])
    sweep.state = "complete"
    sweep.note("evaluated as one batch (no per-point runs)")
    write_sweep(sweep)
    return True


def _resumable(sweep: Sweep, spec: Spec) -> tuple[Sweep, Spec]:
    """The stored sweep, ready to continue, and the spec (with the stored seed if it gives none), if ``spec`` is
    the one the sweep was started with."""
    if not spec.seed_given:
        spec = spec.with_seed(sweep.seed)
    difference = spec_difference(sweep.canonical, spec.canonical())
    if difference:
        raise ResumeError(f"{sweep.path}: {difference}; --resume needs the spec the sweep was started with")
    if (sweep.status == DONE).all():
        raise ResumeError(f"{sweep.path}: all {sweep.status.size} points are done; nothing to resume")
    retry = sweep.status == FAILED
    sweep.status[retry], sweep.messages[retry] = PENDING, ""
    sweep.state = "running"
    sweep.note(f"resumed: {collect()['command_line']}")
    return sweep, spec


def points_per_task(remaining: int, in_flight: int, point_seconds: float | None) -> int:
    """Points in the next task: about ``TASK_SECONDS`` of work at ``point_seconds`` per point (1 while unknown),
    at most ceil(remaining / (2 in_flight)) so that the last tasks still spread over all ``in_flight`` task slots
    (guided self-scheduling, Polychronopoulos & Kuck, IEEE Trans. Comput. 36, 1425 (1987), with half its chunk)."""
    if point_seconds is None:
        return 1
    by_time = int(TASK_SECONDS / max(point_seconds, 1e-6))
    return max(1, min(by_time, math.ceil(remaining / (2 * in_flight))))


class _Driver:
    def __init__(self, sweep: Sweep, spec: Spec, executor: Executor, threads: int, limit: int, progress: bool,
                 fixed_points_per_task: int | None = None):
        self.sweep, self.spec, self.executor, self.threads, self.limit = sweep, spec, executor, threads, limit
        self.fixed = fixed_points_per_task
        self.pending = deque(int(i) for i in (sweep.status.ravel() != DONE).nonzero()[0])
        self.in_flight: dict = {}  # future -> (point indices, pool generation)
        self.generation = 0
        self.breaks: Counter[int] = Counter()
        self.seconds: deque[float] = deque(maxlen=32)  # durations of the latest points, as workers report them
        self.point_seconds = 0.0
        self.argv = list(sys.argv)
        self.bar = None
        if progress:
            from tqdm import tqdm

            self.bar = tqdm(total=sweep.status.size, initial=sweep.status.size - len(self.pending), unit="point",
                            dynamic_ncols=True, file=sys.stderr)
        self.last_write, self.write_every = time.monotonic(), WRITE_EVERY

    def run(self) -> SweepOutcome:
        state = "interrupted"
        try:
            self._loop()
            state = "complete"
        except KeyboardInterrupt:
            self._drain()
        finally:
            if self.bar is not None:
                self.bar.close()
            self.sweep.state = state
            if state == "interrupted":
                self.sweep.note(f"interrupted with {self._count(DONE)}/{self.sweep.status.size} points done")
            write_sweep(self.sweep)
        return SweepOutcome(self.sweep.path, state, self._count(DONE), self._count(FAILED), self.sweep.status.size,
                            self.point_seconds)

    def _loop(self) -> None:
        dirty = False
        self._fill()
        while self.in_flight:
            finished, _ = wait(self.in_flight, timeout=WRITE_EVERY, return_when=FIRST_COMPLETED)
            for future in finished:
                dirty |= self._collect(future)
            self._fill()  # the next tasks go out before the sweep file is written
            if dirty and time.monotonic() - self.last_write >= self.write_every:
                start = time.monotonic()
                write_sweep(self.sweep)
                self.last_write, dirty = time.monotonic(), False
                self.write_every = max(WRITE_EVERY, (self.last_write - start) / WRITE_SHARE)

    def _fill(self) -> None:
        while self.pending and len(self.in_flight) < self.limit:
            self._submit(self._next_points())

    def _next_points(self) -> list[int]:
        """The next task's points: a point retried after a break goes alone (so that a second break fails only
        the points then in flight); others are batched by :func:`points_per_task` or the fixed number."""
        size = self.fixed or points_per_task(len(self.pending), self.limit,
                                             statistics.median_low(self.seconds) if self.seconds else None)
        points = [self.pending.popleft()]
        while self.pending and len(points) < size and not self.breaks[points[0]] and not self.breaks[self.pending[0]]:
            points.append(self.pending.popleft())
        return points

    def _collect(self, future) -> bool:
        """Record the results of a finished task; True if any point was recorded."""
        indices, generation = self.in_flight.pop(future)
        try:
            results = future.result()
        except BrokenExecutor:
            if generation == self.generation:  # the first of this break's futures
                self._restart()
            self._lost(indices)
            return False
        except Exception as exc:  # noqa: BLE001 - e.g. Dask's KilledWorker: the point fails
            if len(indices) > 1:  # which point of the batch killed its worker is unknown: retry them one by one
                self._lost(indices)
                return False
            results = [{"status": "failed", "message": describe(exc)}]
        recorded = False
        for index, result in reversed(list(zip(indices, results))):  # requeued points keep their order
            if result["status"] == "skipped":  # after an interrupted point of the batch: not started
                self.pending.appendleft(index)
            elif result["status"] == "interrupted":  # its worker was signalled (and left a local pool)
                self._lost([index])
            else:
                self._record(index, result)
                recorded = True
        return recorded

    def _submit(self, indices: list[int]) -> None:
        points = [(i, self.spec.values(i), str(self.sweep.shard(i))) for i in indices]
        args = (run_points, self.spec.study, points, self.threads, self.argv)
        try:
            future = self.executor.submit(*args)
        except BrokenExecutor:  # the pool broke since the last results came in
            self._restart()
            future = self.executor.submit(*args)
        self.in_flight[future] = (indices, self.generation)

    def _restart(self) -> None:
        """Remake a local pool that broke because a worker died; other executors cannot be remade."""
        restart = getattr(self.executor, "restart", None)
        if restart is None:
            raise BrokenExecutor("a worker of the executor died; continue with --resume")
        restart()
        self.generation += 1

    def _lost(self, indices: list[int]) -> None:
        """The worker of these points died or was stopped: resubmit each point (alone), or fail it the second time.
        Points of a batch that completed before have their shards committed: the retry only reads them."""
        for index in reversed(indices):
            self.breaks[index] += 1
            if self.breaks[index] >= 2:
                self._record(index, {"status": "failed", "message": "worker died"})
            else:
                self.pending.appendleft(index)

    def _record(self, index: int, result: dict) -> None:
        if "seconds" in result:
            self.seconds.append(result["seconds"])
            self.point_seconds += result["seconds"]
        if result["status"] == "complete":
            self.sweep.record(index, result["estimates"])
        else:
            self.sweep.fail(index, result["message"])
            point = ", ".join(f"{k}={v}" for k, v in self.spec.point(index).items())
            self._say(f"point {index} ({point}) failed: {result['message']}")
        if self.bar is not None:
            self.bar.update(1)

    def _drain(self) -> None:
        """After Ctrl-C or SIGTERM: cancel what has not started, ask running points to save (a local pool's
        workers get SIGTERM), record the points that finish within DRAIN_SECONDS (in a batch: those before the
        interrupted one)."""
        for future in self.in_flight:
            future.cancel()
        interrupt = getattr(self.executor, "interrupt", None)
        if interrupt is not None:
            interrupt()
        try:
            wait(self.in_flight, timeout=DRAIN_SECONDS)
        except KeyboardInterrupt:
            pass
        for future, (indices, _) in self.in_flight.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                for index, result in zip(indices, future.result()):
                    if result["status"] in ("complete", "failed"):
                        self._record(index, result)

    def _say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)

    def _count(self, status: int) -> int:
        return int((self.sweep.status == status).sum())
