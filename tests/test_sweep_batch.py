"""Mean-field grids through the sweep runner: one batch call, the same numbers as per-point theory."""
import numpy as np

from statmech_nn.meanfield import fixed_point, sigma_w2_critical
from statmech_nn.sims.cli import main
from statmech_nn.sweep import read_sweep, run_sweep
from statmech_nn.io.sweepfile import DONE, shard_dir

GRID = {"study": "signal-prop", "seed": 1, "fixed": {},
        "grid": {"phi": ["tanh", "erf"], "sigma_w2": [0.8, 1.5, 3.0], "sigma_b2": [0.0, 0.05, 1.0]}}


def test_theory_grid_is_one_batch_matching_per_point_theory(tmp_path, capsys):
    out = tmp_path / "phase.h5"
    assert run_sweep(GRID, out, workers=1).exit_status == 0
    sweep = read_sweep(out)
    assert (sweep.status == DONE).all() and sweep.results["chi1"].mean.shape == (2, 3, 3)
    assert list(shard_dir(out).iterdir()) == []  # no per-point runs
    for i, phi in enumerate(GRID["grid"]["phi"]):
        for j, sw2 in enumerate(GRID["grid"]["sigma_w2"]):
            for k, sb2 in enumerate(GRID["grid"]["sigma_b2"]):
                fp = fixed_point(phi, sw2, sb2)
                for name in ("q_star", "chi1", "c_star", "xi_c"):
                    np.testing.assert_allclose(sweep.results[name].mean[i, j, k], getattr(fp, name), rtol=1e-9,
                                               atol=1e-12, err_msg=f"{name} at {phi}, {sw2}, {sb2}")
                assert sweep.results["chi1"].error[i, j, k] == 0.0
            np.testing.assert_allclose(sweep.results["sigma_w2_critical"].mean[i, 0, 2],
                                       sigma_w2_critical(phi, 1.0), rtol=1e-10)
    assert main(["plot", str(out), "--map", "chi1", "--out", str(tmp_path / "m.png")]) == 2  # three axes
    assert "exactly two axes" in capsys.readouterr().err


def test_heat_map_and_simulating_points_fall_back_to_runs(tmp_path):
    spec = {"study": "signal-prop", "seed": 2, "fixed": {"phi": "tanh"},
            "grid": {"sigma_w2": [1.0, 2.0, 4.0], "sigma_b2": [0.05, 0.5]}}
    out = tmp_path / "map.h5"
    assert run_sweep(spec, out, workers=1).exit_status == 0
    png = tmp_path / "chi1.png"
    assert main(["plot", str(out), "--map", "chi1", "--out", str(png)]) == 0 and png.stat().st_size > 10_000
    sim = {"study": "signal-prop", "seed": 2,
           "fixed": {"phi": "tanh", "width": 20, "networks": 2, "depth": 3},
           "grid": {"sigma_w2": [1.0, 2.0]}}
    out = tmp_path / "sim.h5"
    assert run_sweep(sim, out, workers=1).exit_status == 0
    sweep = read_sweep(out)
    assert len(list(shard_dir(out).glob("point-*.h5"))) == 2  # simulating points are real runs
    assert np.isfinite(sweep.results["q_L"].mean).all()
