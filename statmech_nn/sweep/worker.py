"""What runs inside a worker: sweep points (one or a batch per task), and the initializer of local pool processes.

A task gets parameters and paths (never open h5py objects), writes each point's shard with
:func:`~statmech_nn.study.run_study` (atomic commits) and returns plain data, never raising, so that its result
crosses any executor. Per point::

    {"status": "complete", "estimates": {name: float64[3] (value, error, tau)}, "simulated": bool}
    {"status": "failed", "message": "one line"}
    {"status": "interrupted"}      # a signal stopped the run; the shard holds its checkpoint
    {"status": "skipped"}          # (batches) not started, because an earlier point of the task was interrupted

``simulated`` is False for a point whose shard was complete already (on resume: only analysed).
"""
from __future__ import annotations

import os
import sys
import threading
import time

import numba
import numpy as np

from ..errors import StatmechError
from ..io.atomic import WriterLock
from ..io.runfile import open_h5, read_run
from ..runner import defer_stop_signals
from ..study import get_study, run_study

_in_pool = False  # set in local pool processes by init_pool_worker


def init_pool_worker(threads: int, driver: int) -> None:
    """Initializer of local pool processes: Numba threads, Ctrl-C handling, and exit when the driver is gone.

    ``NUMBA_NUM_THREADS`` is exported only if Numba is not imported yet (the spawn start method usually imports
    the driver's main module, and with it Numba, first): changing it later makes Numba's next compilation fail.
    :func:`run_point` enforces the limit either way with ``numba.set_num_threads``.
    """
    global _in_pool
    _in_pool = True
    if "numba" not in sys.modules:
        os.environ["NUMBA_NUM_THREADS"] = str(threads)
    defer_stop_signals()  # Ctrl-C / SIGTERM: a running point saves at its next chunk, a starting one at its first
    threading.Thread(target=_exit_with, args=(driver,), daemon=True).start()


def _exit_with(driver: int) -> None:
    while os.getppid() == driver:
        time.sleep(0.2)
    os._exit(1)  # orphaned by a killed driver: shards are committed atomically and the point lock dies with us


def run_point(study: str, values: dict, index: int, shard: str, threads: int, argv: list[str]) -> dict:
    """Run point ``index`` of a sweep into ``shard``: from scratch, resumed from its checkpoint, or (when the
    shard is complete already) only analysed. ``threads`` caps Numba's threads in this task."""
    numba.set_num_threads(max(1, min(numba.config.NUMBA_NUM_THREADS, threads)))
    try:
        st = get_study(study)
        with WriterLock(shard, "shard", wait=True):  # e.g. a worker of a killed driver may still be saving it
            status = _shard_status(shard)
            if status != "complete":
                outcome = run_study(st, values, shard, resume=status is not None, point=(index,), argv=argv,
                                    lock=False)
                if outcome.status != "complete":
                    if _in_pool:  # signalled: Ctrl-C, or the pool broke and SIGTERMs its survivors; leave the pool
                        threading.Timer(0.5, os._exit, (0,)).start()
                    return {"status": "interrupted"}
            estimates = st.analyze(read_run(shard))
    except Exception as exc:  # noqa: BLE001 - reported as the point's failure, never raised across the executor
        return {"status": "failed", "message": describe(exc)}
    return {"status": "complete", "simulated": status != "complete",
            "estimates": {k: np.array([e.value, e.error, e.tau], dtype=np.float64) for k, e in estimates.items()}}


def run_points(study: str, points: list[tuple[int, dict, str]], threads: int, argv: list[str]) -> list[dict]:
    """Run several points, given as ``(index, values, shard)``, one after the other in one task (one executor
    round trip for all). Each point is :func:`run_point`, so its shard is committed when it completes, whatever
    happens to the rest; its result gains ``"seconds"``, the time it took here, unless it was only analysed (a
    complete shard, on resume). Points after an interrupted one are not started: ``{"status": "skipped"}``."""
    results: list[dict] = []
    for index, values, shard in points:
        if results and results[-1]["status"] in ("interrupted", "skipped"):
            results.append({"status": "skipped"})
            continue
        start = time.perf_counter()
        result = run_point(study, values, index, shard, threads, argv)
        if result.get("simulated", True):
            result["seconds"] = time.perf_counter() - start
        results.append(result)
    return results


def run_batch(study: str, values: list[dict], threads: int) -> dict:
    """Evaluate every point of a sweep in one call with the study's ``batch`` (e.g. a mean-field grid);
    ``{"status": "complete", "estimates": [per point {name: float64[3]}]}``, ``{"status": "unbatchable"}``
    when the points need runs, or ``{"status": "failed", "message": ...}``."""
    numba.set_num_threads(max(1, min(numba.config.NUMBA_NUM_THREADS, threads)))
    try:
        st = get_study(study)
        estimates = st.batch([st.settings(v) for v in values])
    except Exception as exc:  # noqa: BLE001 - reported, never raised across the executor
        return {"status": "failed", "message": describe(exc)}
    if estimates is None:
        return {"status": "unbatchable"}
    return {"status": "complete",
            "estimates": [{k: np.array(v, dtype=np.float64) for k, v in e.items()} for e in estimates]}


def describe(exc: BaseException) -> str:
    """An exception as one line: a user error's message, otherwise its type and message."""
    text = str(exc) if isinstance(exc, StatmechError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())


def _shard_status(shard: str) -> str | None:
    if not os.path.exists(shard):
        return None
    with open_h5(shard) as f:
        return str(f.attrs.get("status", ""))
