"""Clean failures and no lost or mixed data: concurrent writers, out-of-range integers, damaged files, ``plot --out``,
full and read-only disks, SIGTERM, and the local Dask cluster's listeners (docs/cli.md, "Guarantees").

Every test waits for a state (a lock held, a row count, a status), never for a number of seconds.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from statmech_nn.io.atomic import WriterLock
from statmech_nn.io.runfile import read_run
from statmech_nn.io.sweepfile import read_sweep
from statmech_nn.sims.cli import main

from .conftest import cli

SMALL = ["ising", "--L", "8", "--T", "2.3", "--sweeps", "400", "--burn-in", "10", "--seed", "5", "--quiet"]
LONG = ["ising", "--L", "64", "--T", "2.3", "--algorithm", "metropolis", "--sweeps", "2000000", "--burn-in", "0",
        "--seed", "9", "--quiet"]
SPEC = 'study = "ising"\nseed = 3\n[fixed]\nalgorithm = "metropolis"\nsweeps = 200\nburn_in = 10\n[grid]\nL = [4, 6]\n'


def one_line_error(capsys, code_seen: int, code: int = 2) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert code_seen == code, err
    assert len(err) == 1 and "Traceback" not in err[0] and err[0].startswith("statmech-nn"), err
    return err[0]


def listing(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()}


def wait_until(condition, proc=None, timeout=120.0, what="the state"):
    """Poll for a state of the files; ``proc`` must still be running while we wait."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc is not None:
            assert proc.poll() is None, f"the process ended before {what}"
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"{what} never came")


def rows(path: Path) -> int:
    try:
        return read_run(path).rows
    except Exception:  # noqa: BLE001 - not there yet, or being replaced
        return 0


# ------------------------------------------------------------------------------------------- one writer per file
@pytest.mark.parametrize("mode", ["new", "overwrite", "resume"])
def test_a_second_writer_is_refused_while_the_first_holds_the_file(tmp_path, capsys, mode):
    path = tmp_path / "run.h5"
    if mode != "new":
        assert main([*SMALL, "--out", str(path)]) == 0
        if mode == "resume":
            with h5py.File(path, "r+") as f:
                f.attrs["status"] = "interrupted"
    before = path.read_bytes() if path.exists() else None
    flag = {"new": [], "overwrite": ["--overwrite"], "resume": ["--resume"]}[mode]
    with WriterLock(path):  # as a running writer holds it
        line = one_line_error(capsys, main([*SMALL, "--out", str(path), *flag]))
    assert "another writer" in line and f"process {os.getpid()}" in line
    assert (path.read_bytes() if path.exists() else None) == before
    assert not [p for p in listing(tmp_path) if "partial" in p]


def test_a_second_sweep_is_refused(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC)
    out = tmp_path / "s.h5"
    with WriterLock(out):
        line = one_line_error(capsys, main(["sweep", str(spec), "--out", str(out), "--workers", "1"]))
    assert "another writer" in line and not out.exists() and not (tmp_path / "s.h5.d").exists()


def test_a_stale_lock_of_a_killed_writer_does_not_block(tmp_path):
    path = tmp_path / "run.h5"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, threading; from statmech_nn.io.atomic import WriterLock\n"
        f"lock = WriterLock({str(path)!r}); lock.__enter__(); print('locked', flush=True); threading.Event().wait()")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    assert (tmp_path / ".run.h5.lock").exists()  # left behind by kill -9, but no longer locked
    assert main([*SMALL, "--out", str(path)]) == 0 and read_run(path).status == "complete"
    assert not (tmp_path / ".run.h5.lock").exists()


def test_two_real_writers_at_once_never_mix_rows(tmp_path):
    """Started together with --overwrite: each exits 0 or 2 with one line, and the file is one seed's run."""
    path = tmp_path / "run.h5"
    args = [a for a in SMALL if a != "--quiet"]
    procs = [subprocess.Popen(cli(*args[:-2], "--seed", str(seed), "--out", str(path), "--overwrite", "--quiet"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in (5, 6)]
    results = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]
    assert set(codes) <= {0, 2} and 0 in codes, results
    for (_, err), code in zip(results, codes):
        assert "Traceback" not in err and (code == 0 or len(err.strip().splitlines()) == 1), err
    run = read_run(path)
    assert run.status == "complete"
    alone = tmp_path / "alone.h5"
    assert main([*SMALL[:-3], "--seed", str(run.parameters["seed"]), "--quiet", "--out", str(alone)]) == 0
    np.testing.assert_array_equal(run["energy"], read_run(alone)["energy"])


# ------------------------------------------------------------------------------------- integers beyond int64
@pytest.mark.parametrize("flag", ["--sweeps", "--burn-in", "--measure-every", "--seed"])
def test_integers_beyond_int64_are_rejected_before_anything_exists(tmp_path, capsys, flag):
    out = tmp_path / "r.h5"
    line = one_line_error(capsys, main(["ising", flag, "1e20", "--out", str(out)]))
    assert f"'{flag[2:].replace('-', '_')}'" in line and listing(tmp_path) == set()


@pytest.mark.parametrize("fixed", ["sweeps = 100000000000000000000", "sweeps = 1e20", "burn_in = -1"])
def test_spec_values_beyond_int64_are_rejected(tmp_path, capsys, fixed):
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC.replace("sweeps = 200", fixed))
    out = tmp_path / "s.h5"
    one_line_error(capsys, main(["sweep", str(spec), "--out", str(out)]))
    assert listing(tmp_path) == {"s.toml"}


def test_huge_grids_are_refused_at_once_unless_the_cap_is_raised(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC.replace("L = [4, 6]", "L = [4, 6]\nT = {start = 1.0, stop = 3.0, num = 1000000000}"))
    line = one_line_error(capsys, main(["sweep", str(spec), "--out", str(tmp_path / "s.h5")]))
    assert "2000000000 points" in line and "--max-points" in line
    spec.write_text(SPEC.replace("L = [4, 6]", "L = [4, 6]\nT = [2.0, 2.5]"))
    line = one_line_error(capsys, main(["sweep", str(spec), "--out", str(tmp_path / "s.h5"), "--max-points", "3"]))
    assert "4 points" in line and listing(tmp_path) == {"s.toml"}


def test_a_run_that_cannot_fit_in_memory_is_refused(tmp_path, capsys):
    line = one_line_error(capsys, main(["ising", "--L", "65536", "--out", str(tmp_path / "r.h5")]))
    assert "parameter 'L'" in line and "GiB" in line and listing(tmp_path) == set()


# ------------------------------------------------------------------------------------------------ damaged files
def damage(path: Path, how: str) -> None:
    with h5py.File(path, "r+") as f:
        if how == "no-observables":
            del f["observables"]
        elif how == "short-values":
            g = f["observables/energy"]
            g["value"].resize((3,))
        elif how == "checkpoint-missing-entry":
            del f["checkpoint/spins"]
            f.attrs["status"] = "interrupted"
        elif how == "checkpoint-wrong-shape":
            del f["checkpoint/counters"]
            f["checkpoint/counters"] = np.zeros((2, 2), np.int64)
            f.attrs["status"] = "interrupted"
        elif how == "bad-status":
            f.attrs["status"] = "exploded"


@pytest.mark.parametrize("how", ["no-observables", "short-values", "bad-status", "truncated", "garbage"])
@pytest.mark.parametrize("command", ["info", "analyze", "plot"])
def test_damaged_run_files_give_one_line(tmp_path, capsys, how, command):
    path = tmp_path / "run.h5"
    assert main([*SMALL, "--out", str(path)]) == 0
    if how == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x89HDF\r\n\x1a\n" + os.urandom(4000))
    else:
        damage(path, how)
    capsys.readouterr()
    line = one_line_error(capsys, main([command, str(path)]))
    assert str(path) in line


@pytest.mark.parametrize("how", ["checkpoint-missing-entry", "checkpoint-wrong-shape", "no-observables"])
def test_damaged_checkpoints_refuse_to_resume(tmp_path, capsys, how):
    path = tmp_path / "run.h5"
    assert main([*SMALL, "--out", str(path)]) == 0
    damage(path, how)
    before = path.read_bytes()
    capsys.readouterr()
    line = one_line_error(capsys, main([*SMALL, "--out", str(path), "--resume"]))
    assert str(path) in line and path.read_bytes() == before


def test_damaged_sweep_file_gives_one_line(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC)
    out = tmp_path / "s.h5"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    with h5py.File(out, "r+") as f:
        del f["points/status"]
        f["points/status"] = np.zeros(7, np.int8)
    capsys.readouterr()
    for command in (["info", str(out)], ["analyze", str(out)], ["plot", str(out)],
                    ["sweep", str(spec), "--out", str(out), "--resume"]):
        assert str(out) in one_line_error(capsys, main(command))


@pytest.mark.parametrize("what", ["missing-W", "wrong-shape", "nan"])
def test_damaged_model_files_give_one_line(tmp_path, capsys, what):
    model = tmp_path / "model.h5"
    with h5py.File(model, "w") as f:
        f["W"] = np.full((4, 3), np.nan) if what == "nan" else np.zeros((4, 3))
        f["visible_bias"] = np.zeros(4 if what != "wrong-shape" else 5)
        f["hidden_bias"] = np.zeros(3)
        if what == "missing-W":
            del f["W"]
    line = one_line_error(capsys, main(["rbm-logz", "--model", str(model), "--method", "exact",
                                        "--out", str(tmp_path / "z.h5")]))
    assert "model" in line and not (tmp_path / "z.h5").exists()


# ------------------------------------------------------------------------------------------------- plot --out
@pytest.mark.parametrize("target", ["missing/dir/fig.png", "fig.unknown", "adir", "fig"])
def test_plot_out_is_checked_before_drawing(tmp_path, capsys, target):
    path = tmp_path / "run.h5"
    assert main([*SMALL, "--out", str(path)]) == 0
    (tmp_path / "adir").mkdir()
    capsys.readouterr()
    line = one_line_error(capsys, main(["plot", str(path), "--out", str(tmp_path / target)]))
    assert "'out'" in line


# ------------------------------------------------------------------------------------ full and read-only disks
@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs (needs root and mount permission; skipped otherwise), unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("a small filesystem needs root and mount(8)")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_keeps_the_last_commit_and_says_so(small_disk, capsys):
    path = small_disk / "run.h5"
    code = main([*LONG, "--L", "16", "--checkpoint-every", "0.01", "--out", str(path)])
    line = one_line_error(capsys, code, code=1)
    assert "no space left" in line and "--resume" in line
    assert not [p for p in listing(small_disk) if "partial" in p or p.endswith(".lock")]
    run = read_run(path)  # the last commit, readable
    assert run.status == "running"


def test_directory_made_read_only_mid_run_keeps_the_file(tmp_path, capsys, monkeypatch):
    """A directory that stops being writable after two commits (root ignores permission bits, so the refusal is
    injected where the file is replaced): one line, exit 1, the last commit intact, no temporary file left."""
    import statmech_nn.io.atomic as atomic

    replace, calls = os.replace, []

    def refuse_third(src, dst):
        calls.append(dst)
        if len(calls) > 2:
            raise PermissionError(13, "Permission denied", str(dst))
        replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", refuse_third)
    path = tmp_path / "run.h5"
    code = main([*LONG, "--L", "8", "--sweeps", "20000", "--checkpoint-every", "1e-9", "--out", str(path)])
    line = one_line_error(capsys, code, code=1)
    assert "permission denied" in line and "--resume" in line
    assert read_run(path).rows > 0 and listing(tmp_path) == {"run.h5"}


# ------------------------------------------------------------------------------------------------------ signals
def test_sigterm_ends_a_run_like_ctrl_c(tmp_path):
    path = tmp_path / "run.h5"
    proc = subprocess.Popen(cli(*LONG, "--checkpoint-every", "0.05", "--out", str(path)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: rows(path) > 0, proc, what="a first commit")
    proc.terminate()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "--resume" in err and "Traceback" not in err
    assert read_run(path).status == "interrupted"


def test_sigterm_ends_a_sweep_like_ctrl_c(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC.replace("sweeps = 200", "sweeps = 3000000").replace("L = [4, 6]", "L = [16, 24, 32]"))
    out = tmp_path / "s.h5"
    proc = subprocess.Popen(cli("sweep", str(spec), "--out", str(out), "--workers", "2", "--quiet"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: out.exists() and any((tmp_path / "s.h5.d").glob("point-*.h5")), proc, what="running points")
    proc.terminate()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "--resume" in err and "Traceback" not in err, err
    assert "leaked" not in err
    assert read_sweep(out).state == "interrupted"


# ---------------------------------------------------------------------------------------------------- network
def test_local_dask_cluster_listens_on_loopback_without_a_dashboard():
    """Every socket the local cluster listens on is bound to 127.0.0.1, and its HTTP server serves no dashboard."""
    pytest.importorskip("distributed")
    psutil = pytest.importorskip("psutil")
    import urllib.error
    import urllib.request

    from statmech_nn.sweep.executors import dask_executor

    with dask_executor("local", workers=1) as executor:
        client = executor._client
        assert client.scheduler.address.startswith("tcp://127.0.0.1:")
        assert executor.submit(sum, [1, 2]).result() == 3
        me = psutil.Process()
        pids = {me.pid, *(p.pid for p in me.children(recursive=True))}
        listening = [c for c in psutil.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN and c.pid in pids]
        assert listening and all(c.laddr.ip == "127.0.0.1" for c in listening), listening
        port = client.scheduler_info()["services"].get("dashboard")
        if port is not None:  # dask keeps an HTTP server for health checks; the dashboard must not be on it
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=30)
            assert refused.value.code == 404
