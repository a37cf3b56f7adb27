"""Parameter sweeps: a TOML spec, points run on a local process pool, Dask or any ``concurrent.futures``
executor, one sweep file plus a shard (run file) per point. See docs/sweeps.md."""
from .executors import LocalPool, SchedulerError, dask_executor
from .runner import SweepOutcome, run_sweep
from .spec import Spec, load_spec
from ..io.sweepfile import Summary, Sweep, read_sweep

__all__ = ["LocalPool", "SchedulerError", "Spec", "Summary", "Sweep", "SweepOutcome", "dask_executor", "load_spec",
           "read_sweep", "run_sweep"]
