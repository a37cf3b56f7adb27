"""The ``spinglass`` and ``loss-band`` studies through the command line: parallel tempering against exact
enumeration at the file level, the coupling-file convention, p-spin end points, bad input and reproducibility."""
from __future__ import annotations

import math

import h5py
import numba
import numpy as np
import pytest

from statmech_nn import spinglass as sg
from statmech_nn.analysis import analyze
from statmech_nn.io.runfile import read_run
from statmech_nn.sims.cli import main

#: |z| above this fails: P(|N(0,1)| > 4.5) = 7e-6, so a correct sampler fails < 1e-4 of the time even with the
#: two quantities and two models compared here.
Z_MAX = 4.5


def run(tmp_path, name, *args):
    out = tmp_path / name
    assert main(["spinglass", *args, "--out", str(out), "--quiet", "--seed", "5"]) == 0
    return read_run(out)


def z(estimate, exact: float) -> float:
    return abs(estimate.value - exact) / estimate.error


PT = ["--algorithm", "pt", "--replicas", "8", "--T-min", "0.5", "--T-max", "2.0", "--sweeps", "20000",
      "--burn-in", "1000", "--measure-every", "5"]


@pytest.mark.parametrize("model", [["--model", "sk", "--N", "10"], ["--model", "ea", "--graph", "FILE",
                                                                  "--bonds", "pm1"]])
def test_pt_matches_exact_enumeration_in_files(tmp_path, model):
    """⟨H⟩/N and ⟨q²⟩ at the ladder's lowest T (0.5) from the PT file agree with the exact file within Z_MAX of
    the PT run's own τ-corrected error; negative control: the exact file at T = 0.6 is rejected."""
    graph = tmp_path / "graph.txt"
    graph.write_text("# a 3x4 open grid plus two diagonals\n" + "".join(
        f"{4 * r + c} {4 * r + c + 1}\n" for r in range(3) for c in range(3)) + "".join(
        f"{4 * r + c} {4 * r + c + 4}\n" for r in range(2) for c in range(4)) + "0 5\n6 11\n")
    model = [str(graph) if a == "FILE" else a for a in model] + ["--instance-seed", "7"]
    exact = analyze(run(tmp_path, "exact.h5", *model, "--algorithm", "exact", "--T", "0.5"))
    wrong = analyze(run(tmp_path, "wrong.h5", *model, "--algorithm", "exact", "--T", "0.6"))
    pt = analyze(run(tmp_path, "pt.h5", *model, *PT))
    assert z(pt["energy"], exact["energy_mean"].value) < Z_MAX
    assert z(pt["q2"], exact["q2"].value) < Z_MAX
    assert z(pt["energy"], wrong["energy_mean"].value) > Z_MAX
    assert pt["lowest_energy"].value >= exact["ground_energy"].value - 1e-12


def test_couplings_file_is_the_unit_variance_upper_triangle(tmp_path):
    """An N×N .npy holding the generated sample's unit-variance J_ij (upper triangle) reproduces the run from
    --instance-seed bit for bit: the model applies N^-1/2 itself. Ground states have the stored ground energy."""
    n = 12
    J = np.triu(sg.sk_model(n, 3).dense() * math.sqrt(n), 1)
    np.save(tmp_path / "J.npy", J)
    from_file = run(tmp_path, "file.h5", "--model", "sk", "--couplings", str(tmp_path / "J.npy"),
                    "--algorithm", "exact", "--T", "1.0")
    generated = run(tmp_path, "gen.h5", "--model", "sk", "--N", str(n), "--instance-seed", "3",
                    "--algorithm", "exact", "--T", "1.0")
    for name in ("ground_energy", "energy_mean", "log_z", "ground_states", "q2"):
        np.testing.assert_allclose(from_file.results[name], generated.results[name], rtol=1e-13, err_msg=name)
    model = sg.sk_from_matrix(J)
    states = from_file.results["ground_states"]
    assert states.dtype == np.int8 and set(np.unique(states)) <= {-1, 1}
    np.testing.assert_allclose(model.energy(states) / n, from_file.results["ground_energy"], rtol=1e-12)
    with h5py.File(tmp_path / "file.h5") as f:
        assert f["results/ground_energy"].shape == () and "N^(-1/2)" in f["results/hamiltonian"][()].decode()


def test_pspin_descent_ends_at_minima_with_abc_values(tmp_path):
    """Every converged descent end point has Hessian index 0 (the Riemannian Hessian with the radial term);
    e_ground and e_threshold are ABČ's −E_0 = −1.657, −E_∞ = −2√(2/3) for p = 3."""
    r = run(tmp_path, "ps.h5", "--model", "pspin", "--p", "3", "--N", "16", "--algorithm", "gd", "--starts", "12",
            "--tol", "1e-8").results
    assert r["minima_energy"].shape == (12,) and r["hessian_index"].shape == (12,)
    assert np.all(r["hessian_index"] == 0)
    assert abs(r["e_ground"] + 1.657) < 5e-4 and r["e_threshold"] == pytest.approx(-2 * math.sqrt(2 / 3), 1e-14)
    # negative control: the same points classified without descending are not minima
    raw = run(tmp_path, "raw.h5", "--model", "pspin", "--p", "3", "--N", "16", "--algorithm", "langevin",
              "--starts", "12", "--steps", "2", "--T", "1.0").results
    assert np.all(raw["hessian_index"] > 0)


BAD = [
    (["--model", "pspin", "--algorithm", "gd", "--p", "1"], "'p'"),
    (["--model", "pspin", "--algorithm", "gd", "--p", "4", "--N", "3"], "'N'"),
    (["--model", "sk", "--couplings", "ASYM"], "'couplings'"),
    (["--model", "sk", "--couplings", "RECT"], "'couplings'"),
    (["--model", "sk", "--couplings", "NAN"], "'couplings'"),
    (["--model", "ea", "--graph", "EMPTY"], "'graph'"),
    (["--model", "ea", "--graph", "grid:2x2"], "'graph'"),
    (["--model", "sk", "--algorithm", "gd"], "'algorithm'"),
    (["--model", "sk", "--N", "31"], "'N'"),
    (["--model", "sk", "--algorithm", "pt", "--T-min", "2", "--T-max", "1"], "'T_max'"),
]


@pytest.mark.parametrize("args, name", BAD)
def test_bad_input_exit_2_one_line_no_file(tmp_path, capsys, args, name):
    files = {"ASYM": np.triu(np.ones((4, 4)), 1) + np.tril(2 * np.ones((4, 4)), -1), "RECT": np.zeros((3, 4)),
             "NAN": np.where(np.triu(np.ones((4, 4)), 1) > 0, np.nan, 0.0)}
    for key, array in files.items():
        np.save(tmp_path / f"{key}.npy", array)
    (tmp_path / "EMPTY.txt").write_text("# only a self-loop, removed: no edges\n0 0\n")
    args = [str(tmp_path / f"{a}.npy") if a in files else str(tmp_path / "EMPTY.txt") if a == "EMPTY" else a
            for a in args]
    out = tmp_path / "bad.h5"
    assert main(["spinglass", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and name in err
    assert not out.exists()


def _numbers(path) -> dict:
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda k, v: out.__setitem__(k, v[()]) if isinstance(v, h5py.Dataset)
                     and k.split("/")[0] in ("observables", "results") else None)
    return out


@pytest.mark.parametrize("args", [["--model", "sk", "--N", "24", *PT[:6], "--sweeps", "300", "--burn-in", "10",
                                   "--measure-every", "3"],
                                  ["--model", "pspin", "--N", "20", "--algorithm", "anneal", "--starts", "6",
                                   "--steps", "50"]])
def test_same_seed_bit_identical_for_any_thread_count(tmp_path, args):
    numba.set_num_threads(1)
    try:
        one = _numbers(run(tmp_path, "one.h5", *args).path)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    two = _numbers(run(tmp_path, "two.h5", *args).path)
    assert one.keys() == two.keys() and len(one) > 3
    for key in one:
        np.testing.assert_array_equal(one[key], two[key], err_msg=key)


def test_loss_band_reproducible_and_complete(tmp_path):
    args = ["loss-band", "--depth", "2", "--hidden", "3,6", "--starts", "3", "--n-train", "40", "--n-test", "30",
            "--epochs", "2", "--batch-size", "10", "--seed", "9", "--quiet"]
    for name in ("a.h5", "b.h5"):
        assert main([*args, "--out", str(tmp_path / name)]) == 0
    a, b = _numbers(tmp_path / "a.h5"), _numbers(tmp_path / "b.h5")
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert a["results/test_loss"].shape == (2, 3) and np.all(np.isfinite(a["results/test_loss"]))
    assert a["results/p_spin_p"] == 3


def test_figures_of_every_mode_and_the_band_sweep(tmp_path):
    """plot works for exact, p-spin and loss-band runs and for a p-spin sweep over N (the band figure)."""
    import matplotlib

    matplotlib.use("Agg")
    from statmech_nn.analysis import SWEEP_FIGURES, plots, run_figure
    from statmech_nn.sweep import read_sweep, run_sweep

    for name, args in (("exact.h5", ["--model", "sk", "--N", "6", "--algorithm", "exact"]),
                       ("gd.h5", ["--model", "pspin", "--N", "8", "--algorithm", "gd", "--starts", "4"])):
        plots.save(run_figure(run(tmp_path, name, *args)), tmp_path / f"{name}.png")
    spec = tmp_path / "band.toml"
    spec.write_text('study = "spinglass"\nseed = 3\n[fixed]\nmodel = "pspin"\nalgorithm = "gd"\nstarts = 3\n'
                    '[grid]\nN = [5, 7]\n')
    run_sweep(str(spec), str(tmp_path / "band.h5"), workers=1)
    sweep = read_sweep(tmp_path / "band.h5")
    assert sweep.results["minima_energy"].mean.shape == (2,)
    plots.save(SWEEP_FIGURES["spinglass"](sweep), tmp_path / "band.png")
    assert (tmp_path / "band.png").stat().st_size > 0
