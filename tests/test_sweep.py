"""Sweeps: layout, seeding, bit-identical results across executors, kill -9 / Ctrl-C / dead workers and --resume,
failed points, and rejection of bad specs (one line, exit 2, nothing created)."""
from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time

import h5py
import numpy as np
import psutil
import pytest

from statmech_nn.summaries.ising import SUMMARIES
from statmech_nn.io import read_run
from statmech_nn.io.sweepfile import shard_dir
from statmech_nn.study import get_study
from statmech_nn.sims.cli import main
from statmech_nn.study import run_study
from statmech_nn.sweep import load_spec, read_sweep, run_sweep
from statmech_nn.sweep.spec import tomllib

from .conftest import cli



def spec_text(top='study = "ising"\nseed = 11', fixed='algorithm = "metropolis"\nsweeps = 200\nburn_in = 20',
              grid="L = [4, 6]\nT = {start = 2.0, stop = 3.0, num = 3}") -> str:
    return f"{top}\n[fixed]\n{fixed}\n[grid]\n{grid}\n"


TINY = spec_text()
# about 1.5 s per point on one core: long enough to interrupt a sweep in the middle
SLOW = spec_text(top='study = "ising"\nseed = 23',
                 fixed='algorithm = "metropolis"\nsweeps = 300000\nmeasure_every = 20\nburn_in = 100',
                 grid="L = [64, 96]\nT = [2.3, 2.6, 2.9]")


def write_spec(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def assert_same_sweep(a_path, b_path):
    """Identical /results and identical observables in every shard."""
    a, b = read_sweep(a_path), read_sweep(b_path)
    assert (a.status == 1).all() and (b.status == 1).all()
    assert a.results.keys() == b.results.keys() == set(SUMMARIES)
    for name in a.results:
        for key in ("mean", "error", "tau"):
            np.testing.assert_array_equal(getattr(a.results[name], key), getattr(b.results[name], key))
    for index in range(a.status.size):
        ra, rb = a.point(index), b.point(index)
        for name in ra.observables:
            np.testing.assert_array_equal(ra.observables[name].step, rb.observables[name].step)
            np.testing.assert_array_equal(ra.observables[name].value, rb.observables[name].value)


def test_bit_identical_for_one_and_two_workers_and_dask(tmp_path):
    """Automatic points per task on 1 worker; batches of 2 on 2 workers, of 4 and 2 on a 2-worker LocalCluster."""
    spec = write_spec(tmp_path, TINY)
    outs = [tmp_path / f"{name}.h5" for name in ("w1", "w2", "dask")]
    assert run_sweep(spec, outs[0], workers=1).exit_status == 0
    assert run_sweep(spec, outs[1], workers=2, points_per_task=2).exit_status == 0
    assert run_sweep(spec, outs[2], workers=2, scheduler="local", points_per_task=4).exit_status == 0
    assert_same_sweep(outs[0], outs[1])
    assert_same_sweep(outs[0], outs[2])


def test_layout_links_and_python_api(tmp_path, capsys):
    spec = write_spec(tmp_path, TINY)
    out = tmp_path / "tiny.h5"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "2"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}: 6/6 points done (0 failed)"
    # relative links: the sweep still reads after moving the file and its shard directory together
    moved = tmp_path / "moved"
    moved.mkdir()
    out.rename(moved / out.name)
    (tmp_path / "tiny.h5.d").rename(moved / "tiny.h5.d")
    out = moved / out.name
    with h5py.File(out, "r") as f:
        assert f.attrs["format"] == "statmech_nn sweep" and f.attrs["format_version"] == 1
        assert f.attrs["study"] == "ising" and f.attrs["status"] == "complete"
        assert f["spec"].attrs["toml"] == TINY and f["spec"].attrs["seed"] == 11
        assert list(f["spec"].attrs["axes"]) == ["L", "T"]
        params = f["parameters"].attrs
        assert params["algorithm"] == "metropolis" and params["sweeps"] == 200 and params["J"] == 1.0
        assert "L" not in params and "T" not in params
        np.testing.assert_array_equal(f["grid/L"][()], [4, 6])
        np.testing.assert_array_equal(f["grid/T"][()], [2.0, 2.5, 3.0])
        assert f["points/status"].dtype == np.int8 and f["points/status"].shape == (2, 3)
        assert (f["points/status"][()] == 1).all() and f["points/message"].shape == (2, 3)
        assert f["points"].get("4", getlink=True).filename == "tiny.h5.d/point-000004.h5"
        assert f["points/4/observables/energy/value"].shape == (200,)
        assert f["points/4/parameters"].attrs["L"] == 6 and f["points/4/parameters"].attrs["T"] == 2.5
        assert set(f["results"]) == set(SUMMARIES)
        for name in SUMMARIES:
            for key in ("mean", "error", "tau"):
                assert f[f"results/{name}/{key}"].shape == (2, 3)
                assert np.isfinite(f[f"results/{name}/{key}"][()]).all()
        for key in ("package_version", "git_commit", "numpy_version", "command_line", "history"):
            assert key in f["provenance"].attrs
    sweep = read_sweep(out)
    assert sweep.spec["grid"]["T"] == {"start": 2.0, "stop": 3.0, "num": 3}
    assert list(sweep.axes) == ["L", "T"] and sweep.state == "complete"
    assert sweep.point((1, 1)).parameters["T"] == 2.5 and sweep.point(4).status == "complete"
    # a point's stream is seed_sequence(root seed, ravel index) and nothing else
    direct = moved / "direct.h5"
    study = get_study("ising")
    run_study(study, {**sweep.parameters, "L": 6, "T": 2.5}, direct, point=(4,))
    np.testing.assert_array_equal(read_run(direct)["energy"], sweep.point(4)["energy"])


def test_failed_point_is_reported_and_the_others_finish(tmp_path, capsys):
    """A run of 1 sweep has 1 row, too few for error bars: the point's analysis raises inside the worker."""
    spec = write_spec(tmp_path, spec_text(fixed='algorithm = "metropolis"\nburn_in = 20',
                                          grid="L = [4]\nsweeps = [1, 200]\nT = {start = 2.0, stop = 3.0, num = 3}"))
    out = tmp_path / "fail.h5"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "2"]) == 1
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if "failed" in line]
    assert len(lines) == 3 and all("sweeps=1," in line and "at least 2" in line for line in lines), captured.err
    # points finish in any order: each failed point is reported once, with its grid values
    assert sorted(line.split(" failed")[0] for line in lines) == [
        "point 0 (L=4, sweeps=1, T=2.0)", "point 1 (L=4, sweeps=1, T=2.5)", "point 2 (L=4, sweeps=1, T=3.0)"]
    assert "3/6 points done (3 failed)" in captured.out
    sweep = read_sweep(out)
    np.testing.assert_array_equal(sweep.status, [[[2, 2, 2], [1, 1, 1]]])
    assert all("at least 2" in m for m in sweep.messages[0, 0]) and not any(sweep.messages[0, 1])
    assert np.isnan(sweep.results["energy"].mean[0, 0]).all()
    assert np.isfinite(sweep.results["energy"].mean[0, 1]).all()


BAD = [
    (spec_text(fixed="foo = 1"), "'foo'"),
    (spec_text(grid="temperature = [2.0]"), "'temperature'"),
    (spec_text() + "[other]\nx = 1\n", "'other'"),
    (spec_text(top='study = "ising"\nseed = 11\ncolour = 1'), "'colour'"),
    (spec_text(top='study = "ising"\nseed = -1'), "'seed'"),
    (spec_text(top='study = "potts"'), "potts"),
    (spec_text(top="seed = 1"), "'study'"),
    (spec_text().split("[grid]")[0], "[grid]"),
    (spec_text(fixed="seed = 3"), "'seed'"),
    (spec_text(fixed="T = 2.0"), "both"),
    (spec_text(fixed='sweeps = "many"'), "'sweeps'"),
    (spec_text(fixed='algorithm = "glauber"'), "'algorithm'"),
    (spec_text(fixed="L = ["), "invalid TOML"),
    *[(spec_text(grid=axis + "\nT = [2.5]"), needle) for axis, needle in [
        ("L = []", "empty"),
        ('L = "big"', "'L'"),
        ("L = [8.5]", "'L'"),
        ("L = [0]", "'L'"),
        ("L = [4, 5]", "even"),  # the study's cross-check (checkerboard order), run for every point
        ("L = {start = 4, stop = 9, num = 3}", "non-integer"),
        ("L = {start = 4, stop = 8, num = 0}", "'num'"),
        ("L = {start = 4, stop = 8, num = 2, step = 1}", "'step'"),
        ("L = {start = 4, stop = 8}", "'num'"),
    ]],
    (spec_text(grid="L = [4]\nT = {start = 0, stop = 2, num = 3, log = true}"), "log"),
    (spec_text(grid="L = [4]\nT = [0.0]"), "'T'"),
    (spec_text(fixed='algorithm = "metropolis"', grid="L = [4]\nsweeps = [10]\nmeasure_every = [20]"),
     "'measure_every'"),
]


@pytest.mark.parametrize("text,needle", BAD)
def test_bad_spec_is_one_line_exit_2_nothing_created(tmp_path, capsys, text, needle):
    spec = write_spec(tmp_path, text)
    out = tmp_path / "out.h5"
    assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("statmech-nn: error:") and needle in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


def test_spec_from_a_mapping_is_stored_as_equivalent_toml(tmp_path):
    data = tomllib.loads(TINY)
    spec = load_spec(data)
    assert tomllib.loads(spec.text) == data
    assert spec.canonical() == load_spec(write_spec(tmp_path, TINY)).canonical()
    assert spec.shape == (2, 3) and spec.point(4) == {"L": 6, "T": 2.5}


def test_output_rules(tmp_path, capsys):
    spec = write_spec(tmp_path, TINY)
    out = tmp_path / "s.h5"
    args = ["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]
    assert main([*args, "--resume"]) == 2 and "--resume" in capsys.readouterr().err  # nothing to resume
    (tmp_path / "s.h5.d").mkdir()
    assert main(args) == 2 and "s.h5.d" in capsys.readouterr().err  # stray shards need --overwrite
    (tmp_path / "s.h5.d" / "stray.h5").write_bytes(b"x")
    assert main([*args, "--overwrite"]) == 0
    assert not (tmp_path / "s.h5.d" / "stray.h5").exists()
    before = out.read_bytes()
    assert main(args) == 2 and "exists" in capsys.readouterr().err
    assert main([*args, "--resume"]) == 2 and "nothing to resume" in capsys.readouterr().err
    changed = write_spec(tmp_path, TINY.replace("sweeps = 200", "sweeps = 300"), "changed.toml")
    assert main(["sweep", str(changed), "--out", str(out), "--resume"]) == 2
    assert "parameter 'sweeps'" in capsys.readouterr().err
    reformatted = write_spec(tmp_path, TINY.replace("{start = 2.0, stop = 3.0, num = 3}", "[2, 2.5, 3]")
                             .replace("seed = 11", "seed   =   11  # same content"), "same.toml")
    assert main(["sweep", str(reformatted), "--out", str(out), "--resume"]) == 2
    assert "nothing to resume" in capsys.readouterr().err  # the same spec: passes the check
    assert main([*args, "--workers", "0"]) == 2 and "'workers'" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_console_script_exit_status(run_cli, tmp_path):
    spec = write_spec(tmp_path, TINY.replace("L = [4, 6]", "L = []"))
    proc = run_cli("sweep", str(spec), "--out", str(tmp_path / "x.h5"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.h5").exists() and not (tmp_path / "x.h5.d").exists()


# -- interruptions --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    """The SLOW spec and its uninterrupted sweep."""
    tmp = tmp_path_factory.mktemp("slow")
    spec = write_spec(tmp, SLOW)
    assert run_sweep(spec, tmp / "reference.h5", workers=2).exit_status == 0
    return spec, tmp / "reference.h5"


def start(spec, out, **popen):
    return subprocess.Popen(cli("sweep", str(spec), "--out", str(out), "--workers", "2", "--quiet"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def wait_for_done(out, proc, at_least=1, timeout=120):
    """The number of done points once the sweep file shows at least ``at_least`` (the sweep still running)."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        assert proc.poll() is None, "the sweep finished before it could be interrupted"
        try:
            with h5py.File(out, "r") as f:
                done = int((f["points/status"][()] == 1).sum())
        except (OSError, KeyError):  # not written yet
            done = 0
        if done >= at_least:
            return done
        time.sleep(0.02)
    raise AssertionError("no point finished")


def shard_done(path) -> bool:
    try:
        with h5py.File(path, "r") as f:
            return f.attrs.get("status") == "complete"
    except OSError:  # being replaced
        return False


def wait_for(condition, proc, timeout=120):
    """Poll a state of the files until ``condition()`` holds (the sweep still running)."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        assert proc.poll() is None, "the sweep finished before it could be interrupted"
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("the state never came")


def shard_identity(out):
    sweep = read_sweep(out)
    return {i: (os.stat(sweep.shard(i)).st_ino, os.stat(sweep.shard(i)).st_mtime_ns)
            for i in np.flatnonzero(sweep.status.ravel() == 1)}


def test_kill_9_of_the_driver_then_resume_equals_uninterrupted(tmp_path, slow):
    spec, reference = slow
    out = tmp_path / "s.h5"
    proc = start(spec, out)
    wait_for_done(out, proc)
    proc.kill()
    proc.wait(timeout=30)
    done = shard_identity(out)
    assert 0 < len(done) < 6 and read_sweep(out).state == "running"
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--quiet"]) == 0
    assert_same_sweep(reference, out)
    after = shard_identity(out)
    assert all(after[i] == done[i] for i in done)  # finished points were not recomputed
    assert any("resumed" in h for h in read_sweep(out).provenance["history"])


def test_ctrl_c_saves_and_resume_continues_from_checkpoints(tmp_path, slow):
    spec, reference = slow
    out = tmp_path / "s.h5"
    proc = start(spec, out, start_new_session=True)
    wait_for_done(out, proc)
    wait_for(lambda: any(not shard_done(p) for p in shard_dir(out).glob("point-*.h5")), proc)  # points running
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the driver and its workers
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "--resume" in err and "Traceback" not in err, err
    sweep = read_sweep(out)
    assert sweep.state == "interrupted" and 0 < (sweep.status == 1).sum() < 6
    pending = [i for i in range(6) if sweep.status.ravel()[i] == 0 and sweep.shard(i).exists()]
    partial = {i: read_run(sweep.shard(i)) for i in pending}
    assert any(r.status == "interrupted" for r in partial.values())  # saved at the last complete chunk
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--quiet"]) == 0
    assert_same_sweep(reference, out)
    continued = next(i for i, r in partial.items() if r.status == "interrupted")
    assert any("resumed" in h for h in read_sweep(out).point(continued).provenance["history"])


def pool_workers(proc):
    """The pool's worker processes (children of the driver, without multiprocessing's resource tracker)."""
    workers = []
    for child in psutil.Process(proc.pid).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(child.cmdline()):
                workers.append(child)
        except psutil.Error:  # gone meanwhile
            pass
    return workers


def running_points(out) -> int:
    """How many shards a worker is writing now: their writer locks are held (a state, not a guess at time)."""
    held = 0
    for lock in shard_dir(out).glob(".point-*.h5.lock"):
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
        except BlockingIOError:
            held += 1
        finally:
            os.close(fd)
    return held


def wait_for_workers(proc, old=(), timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        workers = [w for w in pool_workers(proc) if w.pid not in old]
        if len(workers) == 2:
            return workers
        time.sleep(0.05)
    raise AssertionError("no pool workers")


def test_dead_worker_pool_is_remade_and_results_are_identical(tmp_path, slow):
    spec, reference = slow
    out = tmp_path / "s.h5"
    proc = start(spec, out)
    workers = wait_for_workers(proc)
    wait_for(lambda: running_points(out) == 2, proc)  # both workers inside a point
    workers[0].kill()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert_same_sweep(reference, out)


def test_point_in_flight_during_two_breaks_fails_as_worker_died(tmp_path, slow):
    spec, _ = slow
    out = tmp_path / "s.h5"
    proc = start(spec, out)
    first = wait_for_workers(proc)
    wait_for(lambda: running_points(out) == 2, proc)
    for w in first:
        w.kill()
    second = wait_for_workers(proc, old={w.pid for w in first})
    wait_for(lambda: running_points(out) == 2, proc)  # the same two points, resubmitted first
    for w in second:
        w.kill()
    _, err = proc.communicate(timeout=120)
    sweep = read_sweep(out)
    assert proc.returncode == 1, err
    assert (sweep.status == 2).sum() == 2 and (sweep.status == 1).sum() == 4
    assert sorted(m for m in sweep.messages.ravel() if m) == ["worker died", "worker died"]
    assert err.count("failed: worker died") == 2


def test_resume_without_seed_in_the_spec_reuses_the_stored_seed(tmp_path):
    spec = write_spec(tmp_path, TINY.replace("seed = 11\n", ""))
    out = tmp_path / "s.h5"
    assert run_sweep(spec, out, workers=1).exit_status == 0
    sweep = read_sweep(out)
    energy = sweep.point(5)["energy"]
    sweep.shard(5).unlink()  # lost: the point must be rerun with the stored root seed
    with h5py.File(out, "r+") as f:
        f["points/status"][1, 2] = 0
    assert run_sweep(spec, out, workers=1, resume=True).exit_status == 0
    np.testing.assert_array_equal(read_sweep(out).point(5)["energy"], energy)
    assert read_sweep(out).seed == sweep.seed
