"""The Python front door: statmech_nn.run / open / analyze / studies, dims and xarray, lazy checkpoints."""
from __future__ import annotations

import numpy as np
import pytest

import statmech_nn as sm


def test_run_in_memory_equals_the_file_and_open_reads_both_kinds(tmp_path):
    memory = sm.run("chaos", width=20, depth=3, points=32, networks=2, seed=4)
    path = tmp_path / "chaos.h5"
    disk = sm.run("chaos", out=path, width=20, depth=3, points=32, networks=2, seed=4)
    assert memory.status == disk.status == "complete" and memory.path == "" and disk.path == str(path)
    np.testing.assert_array_equal(memory["length"], disk["length"])
    assert disk.observables["length"].dims == ("step", "network") == memory.observables["length"].dims
    assert sm.open(path).study == "chaos"
    assert sm.analyze(path)["length_ratio"].value == sm.analyze(memory)["length_ratio"].value
    spec = tmp_path / "s.toml"
    spec.write_text('study = "ising"\nseed = 1\n[fixed]\nsweeps = 50\nburn_in = 5\n[grid]\nL = [4, 6]\n')
    from statmech_nn.sims.cli import main

    assert main(["sweep", str(spec), "--out", str(tmp_path / "s.h5"), "--workers", "1", "--quiet"]) == 0
    assert type(sm.open(tmp_path / "s.h5")).__name__ == "Sweep"
    assert {"ising", "chaos", "signal-prop"} <= set(sm.studies())


def test_checkpoint_is_read_only_when_asked(tmp_path, monkeypatch):
    path = tmp_path / "r.h5"
    sm.run("ising", out=path, L=8, sweeps=100, burn_in=5, seed=2)
    import statmech_nn.io.runfile as runfile

    calls = []
    real = runfile._read_tree
    monkeypatch.setattr(runfile, "_read_tree", lambda g: calls.append(g.name) or real(g))
    run = sm.open(path)
    assert "/checkpoint" not in calls
    assert set(run.checkpoint) >= {"spins", "rng", "counters", "progress"} and calls[-1] == "/checkpoint"


def test_to_xarray_names_dimensions(tmp_path):
    xr = pytest.importorskip("xarray")
    run = sm.run("chaos", width=20, depth=3, points=32, networks=2, seed=4)
    data = run.to_xarray()
    assert isinstance(data, xr.Dataset)
    assert data["length"].dims == ("step", "network") and data["length"].shape == (4, 2)
    np.testing.assert_array_equal(data["step"].values, np.arange(4))
    assert data.attrs["study"] == "chaos"
