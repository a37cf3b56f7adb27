"""Points batched into tasks: the same numbers in the files for any points per task, number of workers and
executor; the rule choosing the points per task; and an interrupted batch loses no finished point (kill -9 of the
driver, Ctrl-C), with --resume continuing bit-identically."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.io import read_run
from statmech_nn.io.sweepfile import shard_dir
from statmech_nn.sweep import LocalPool, read_sweep, run_sweep
from statmech_nn.sweep.runner import TASK_SECONDS, points_per_task

from .test_sweep import TINY, assert_same_sweep, shard_done, spec_text, wait_for, write_spec

# four points of about 0.3 s each on one core: a batch of all four is still running after its first point
MEDIUM = spec_text(top='study = "ising"\nseed = 5',
                   fixed='algorithm = "metropolis"\nL = 64\nsweeps = 60000\nmeasure_every = 20\nburn_in = 100',
                   grid="T = [2.3, 2.6, 2.9, 3.2]")


@pytest.fixture(scope="module")
def pool():
    with LocalPool(2) as executor:
        yield executor


@pytest.fixture(scope="module")
def medium(tmp_path_factory, pool):
    """The MEDIUM spec and its sweep run one point per task."""
    tmp = tmp_path_factory.mktemp("medium")
    spec = write_spec(tmp, MEDIUM)
    assert run_sweep(spec, tmp / "reference.h5", executor=pool, workers=2, points_per_task=1).exit_status == 0
    return spec, tmp / "reference.h5"


def test_same_files_for_any_points_per_task(tmp_path, pool):
    """(Batches on Dask: test_sweep.py::test_bit_identical_for_one_and_two_workers_and_dask.)"""
    spec = write_spec(tmp_path, TINY)
    reference = tmp_path / "reference.h5"
    assert run_sweep(spec, reference, executor=pool, workers=2, points_per_task=1).exit_status == 0
    for workers, per_task in [(2, 2), (2, 4), (1, 6)]:  # pairs; a task of 4 and one of 2; the grid in one task
        out = tmp_path / f"w{workers}-p{per_task}.h5"
        assert run_sweep(spec, out, executor=pool, workers=workers, points_per_task=per_task).exit_status == 0
        assert_same_sweep(reference, out)


def test_points_per_task_rule():
    assert points_per_task(1000, 2, None) == 1  # no duration measured yet
    assert points_per_task(1000, 2, TASK_SECONDS / 10.5) == 10  # about TASK_SECONDS of work per task
    assert points_per_task(1000, 2, 3 * TASK_SECONDS) == 1  # long points go alone
    assert points_per_task(1000, 2, 0.0) == 250  # however short: at most remaining / (2 x 2 tasks in flight)
    assert points_per_task(12, 2, TASK_SECONDS / 100) == 3  # the tail spreads over the workers
    assert points_per_task(3, 4, TASK_SECONDS / 100) == 1


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "2"])
def test_bad_points_per_task_creates_nothing(tmp_path, value):
    spec = write_spec(tmp_path, TINY)
    with pytest.raises(ParameterError, match="points_per_task"):
        run_sweep(spec, tmp_path / "out.h5", workers=1, points_per_task=value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


def start_batched(spec, out, **popen):
    """A driver running the whole sweep as one task of 4 points on one worker."""
    code = ("import sys; from statmech_nn.sweep import run_sweep; "
            "raise SystemExit(run_sweep(sys.argv[1], sys.argv[2], workers=1, points_per_task=4).exit_status)")
    return subprocess.Popen([sys.executable, "-c", code, str(spec), str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def identity(path) -> tuple[int, int]:
    return os.stat(path).st_ino, os.stat(path).st_mtime_ns


def complete_shards(out) -> set[int]:
    return {int(p.stem.split("-")[1]) for p in shard_dir(out).glob("point-*.h5") if shard_done(p)}


def test_kill_9_of_the_driver_mid_batch_keeps_finished_points(tmp_path, pool, medium):
    spec, reference = medium
    out = tmp_path / "s.h5"
    proc = start_batched(spec, out)
    wait_for(lambda: complete_shards(out), proc)  # a point finished, its batch (and so the sweep file) not
    proc.kill()
    proc.wait(timeout=30)
    sweep = read_sweep(out)
    finished = {i: identity(sweep.shard(i)) for i in complete_shards(out)}
    assert finished and not sweep.status.any()  # finished points the driver had not heard of yet
    assert run_sweep(spec, out, executor=pool, workers=2, resume=True).exit_status == 0
    assert_same_sweep(reference, out)
    assert {i: identity(sweep.shard(i)) for i in finished} == finished  # read again, not recomputed


def test_ctrl_c_mid_batch_records_the_finished_points(tmp_path, pool, medium):
    spec, reference = medium
    out = tmp_path / "s.h5"
    proc = start_batched(spec, out, start_new_session=True)
    wait_for(lambda: complete_shards(out) and any(not shard_done(p) for p in shard_dir(out).glob("point-*.h5")),
             proc)  # a point of the batch finished and the next one is running
    os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C: the driver and its worker
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    sweep = read_sweep(out)
    done = {i for i in range(4) if sweep.status.ravel()[i] == 1}
    assert sweep.state == "interrupted" and done and done == complete_shards(out)  # every finished point recorded
    stopped = [i for i in range(4) if i not in done and sweep.shard(i).exists()]
    assert [read_run(sweep.shard(i)).status for i in stopped] == ["interrupted"]  # saved; later ones not started
    assert run_sweep(spec, out, executor=pool, workers=2, resume=True).exit_status == 0
    assert_same_sweep(reference, out)
    assert any("resumed" in h for h in read_sweep(out).point(stopped[0]).provenance["history"])
