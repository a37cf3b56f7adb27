"""The landscape and basin-volume studies, disconnectivity-graph topology and basin volumes (docs/landscape.md)."""
from __future__ import annotations

import math

import h5py
import networkx as nx
import numpy as np
import pytest
from scipy import ndimage

import statmech_nn
from statmech_nn.io.modelfile import save_model
from statmech_nn.landscape import (Database, MullerBrown, Quadratic, components, harmonic_log_volume, level_tree,
                                   leaf_positions, log_basin_volume, log_det_hessian, merges, minimize)
from statmech_nn.models.rbm import random_rbm
from statmech_nn.sims.cli import main

Z_FAIL = 3.9  # two-sided normal quantile: a correct estimator fails less than 1e-4 of the time


# ------------------------------------------------------------------------------------ disconnectivity graphs
def hand_made():
    """Minima 0..5; TSs join {0,1} at 5, {2,3} at 4, {0..3} at 6 (also a higher, redundant 0-3 TS at 9);
    minimum 4 and 5 are joined to each other only (at 3): a disconnected database."""
    energy = np.array([0.0, 1.0, 2.0, 3.0, 0.5, 1.5])
    ts_energy = [5.0, 4.0, 6.0, 9.0, 3.0]
    connects = [(0, 1), (2, 3), (1, 2), (0, 3), (4, 5)]
    return energy, ts_energy, connects


def test_merges_are_the_minimum_spanning_forest():
    energy, ts_energy, connects = hand_made()
    edges, levels = merges(6, ts_energy, connects)
    assert sorted(map(tuple, edges.tolist())) == [(0, 1), (1, 2), (2, 3), (4, 5)]  # the 9.0 TS is redundant
    np.testing.assert_array_equal(np.sort(levels), [3.0, 4.0, 5.0, 6.0])
    np.testing.assert_array_equal(components(6, connects), [0, 0, 0, 0, 4, 4])


def test_level_tree_topology_and_no_crossings():
    energy, ts_energy, connects = hand_made()
    edges, levels = merges(6, ts_energy, connects)
    g = level_tree(energy, edges, levels, n_levels=13)  # grid step 0.5: levels 0.5, 1.0, ..., 6.5
    assert nx.is_forest(g)
    roots = [n for n in g if g.in_degree(n) == 0]
    assert len(roots) == 2  # the disconnected pair {4, 5} is its own tree
    leaves_of = {r: sorted(g.nodes[n]["minimum"] for n in nx.descendants(g, r) if n[0] == "min") for r in roots}
    assert sorted(leaves_of.values()) == [[0, 1, 2, 3], [4, 5]]
    grid = sorted({g.nodes[n]["level"] for n in g if n[0] == "basin"})
    np.testing.assert_allclose(np.diff(grid), 0.5)  # a regular grid of levels
    for n in g:  # superbasin at level E: minima below E joined by merges below E
        if n[0] == "basin":
            e_k = g.nodes[n]["level"]
            members = set(g.nodes[n]["members"])
            if e_k > 6.0:
                assert members in ({0, 1, 2, 3}, {4, 5})
            elif 5.0 < e_k <= 6.0:
                assert members in ({0, 1}, {2, 3}, {4, 5})
    x = leaf_positions(g)
    for n in g:  # every subtree's leaves are contiguous: lines cannot cross
        xs = sorted(x[c] for c in nx.descendants(g, n) | {n} if g.out_degree(c) == 0)
        assert xs == list(np.arange(xs[0], xs[0] + len(xs)))


def test_level_tree_catches_a_wrong_merge():
    """Negative control: joining 0 with 3 below 6 changes the superbasins the topology test checks."""
    energy, _, _ = hand_made()
    g = level_tree(energy, np.array([(0, 1), (2, 3), (0, 3), (4, 5)]), np.array([5.0, 4.0, 4.5, 3.0]), 13)
    assert any(set(g.nodes[n]["members"]) == {0, 1, 2, 3} for n in g if n[0] == "basin"
               and 5.0 < g.nodes[n]["level"] <= 6.0)


# ------------------------------------------------------------------------------------------------- volumes
def test_ray_volume_of_a_quadratic_well_is_the_ellipsoid():
    A = np.diag([1.0, 4.0, 9.0, 0.5])
    q = Quadratic(A)
    exact = harmonic_log_volume(log_det_hessian(q, np.zeros(4)), 4, 0.5)
    assert exact == pytest.approx(math.log(math.pi ** 2 / 2 * 1.0 / math.sqrt(18.0)))  # V_4 r^4 / sqrt(det A)
    v = log_basin_volume(q, np.zeros(4), 0.5, 600, 11)
    assert abs(v.log_volume - exact) < Z_FAIL * v.error
    wrong = harmonic_log_volume(log_det_hessian(Quadratic(2 * A), np.zeros(4)), 4, 0.5)  # negative control
    assert abs(v.log_volume - wrong) > Z_FAIL * v.error


def test_mueller_brown_basin_areas_match_a_dense_grid():
    """The three basins at height 20 above each minimum: rays against the area of the grid component of
    {E < E_min + 20} holding the minimum (grid step 2e-3; its error is far below the rays')."""
    mb = MullerBrown()
    h = 2e-3
    xs, ys = np.arange(-1.6, 1.2, h), np.arange(-0.5, 2.1, h)
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    E = sum(a * np.exp(aa * (X - x0) ** 2 + b * (X - x0) * (Y - y0) + c * (Y - y0) ** 2)
            for a, aa, b, c, x0, y0 in zip([-200, -100, -170, 15], [-1, -1, -6.5, 0.7], [0, 0, 11, 0.6],
                                           [-10, -10, -6.5, 0.7], [1, 0, -0.5, -1], [0, 0.5, 1.5, 1]))
    for start in ([-0.5, 1.4], [0.6, 0.0], [0.0, 0.5]):
        m = minimize(mb, np.array(start))
        labels, _ = ndimage.label(E < m.energy + 20.0)
        i, j = np.rint((m.x[0] - xs[0]) / h).astype(int), np.rint((m.x[1] - ys[0]) / h).astype(int)
        area = np.sum(labels == labels[i, j]) * h * h
        v = log_basin_volume(mb, m.x, 20.0, 400, 5)
        assert abs(v.log_volume - math.log(area)) < Z_FAIL * v.error + 0.01


# --------------------------------------------------------------------------------------------------- studies
def test_mueller_brown_run_stores_the_database():
    run = statmech_nn.run("landscape", system="muller-brown", hops=100, connect=2, seed=3)
    r = run.results
    energy = r["minima"]["energy"]
    np.testing.assert_allclose(energy, [-146.6995, -108.1667, -80.7678], atol=1e-3)
    assert r["global_minimum_energy"] == energy[0] and r["minima"]["coords"].shape == (3, 2)
    np.testing.assert_allclose(np.sort(r["ts"]["energy"]), [-72.2489, -40.6648], atol=1e-3)
    assert sorted(map(tuple, np.sort(r["ts"]["connects"], axis=1).tolist())) == [(0, 2), (1, 2)]
    assert np.all(r["ts"]["negative_eigenvalue"] < 0) and np.all(r["minima"]["lowest_eigenvalue"] > 0)
    again = statmech_nn.run("landscape", system="muller-brown", hops=100, connect=2, seed=3)
    assert np.array_equal(again["energy"], run["energy"])
    assert np.array_equal(again.results["ts"]["coords"], r["ts"]["coords"])


def test_network_widths_are_parts_of_one_database():
    run = statmech_nn.run("landscape", system="mlp", data="xor", hidden="2,3", l2=1e-2, hops=6, connect=0, seed=1)
    r = run.results
    np.testing.assert_array_equal(r["parts"]["hidden"], [2, 3])
    part = r["minima"]["part"]
    assert set(part) == {0, 1} and r["global_minimum_energy"].shape == (2,)
    for k, d in ((0, 2 * 3 + 3 * 2), (1, 3 * 3 + 4 * 2)):
        e = r["minima"]["energy"][part == k]
        assert np.all(np.diff(e) >= 0) and r["global_minimum_energy"][k] == e[0]
        assert np.all(np.isfinite(r["minima"]["coords"][part == k][:, :d]))
    assert np.all(np.isfinite(r["minima"]["test_loss"]))
    assert {"minima_h2", "minima_h3"} <= set(statmech_nn.analyze(run))


def test_rbm_system_does_what_rbm_landscape_does(tmp_path):
    model = tmp_path / "model.h5"
    with h5py.File(model, "w") as f:
        save_model(f, random_rbm(10, 7, 2.0, 4, bias_scale=0.4, units="binary"))
    for study in ("landscape", "rbm-landscape"):
        extra = ["--system", "rbm"] if study == "landscape" else []
        assert main([study, *extra, "--model", str(model), "--starts", "300", "--seed", "2",
                     "--out", str(tmp_path / f"{study}.h5"), "--quiet"]) == 0
    new, old = (statmech_nn.open(tmp_path / f"{s}.h5") for s in ("landscape", "rbm-landscape"))
    for key in ("free_energy", "basin_size", "barriers", "merge_edges", "merge_levels", "tree_levels"):
        np.testing.assert_array_equal(new.results[key], old.results[key])
    np.testing.assert_array_equal(new.results["minima"]["coords"], old.results["minima"])
    np.testing.assert_array_equal(new.results["minima"]["energy"], old.results["free_energy"])
    np.testing.assert_array_equal(new.results["ts"]["connects"], old.results["merge_edges"])
    np.testing.assert_array_equal(new["minimum_free_energy"], old["minimum_free_energy"])


def test_basin_volume_study(tmp_path):
    out = tmp_path / "vol.h5"
    assert main(["basin-volume", "--system", "muller-brown", "--minima", "3", "--directions", "50", "--delta-e",
                 "20", "--seed", "1", "--out", str(out), "--quiet"]) == 0
    run = statmech_nn.open(out)
    assert np.all(np.isfinite(run["log_volume"])) and np.all(np.isfinite(run["log_det_hessian"]))
    assert run.results["coords"].shape == (3, 2)


@pytest.mark.parametrize("args", [
    ["landscape", "--system", "lj", "--atoms", "1"],
    ["landscape", "--system", "rbm"],
    ["landscape", "--system", "mlp", "--hidden", "2,2"],
    ["landscape", "--system", "mlp", "--data", "mnist"],
    ["landscape", "--system", "pspin", "--p", "3", "--N", "2"],
    ["landscape", "--temperature", "-0.5"],
    ["landscape", "--hops", "-1"],
    ["basin-volume", "--hidden", "2,3"],
    ["basin-volume", "--delta-e", "0"],
])
def test_bad_input_exits_2_without_a_file(tmp_path, capsys, args):
    out = tmp_path / "bad.h5"
    assert main([*args, "--out", str(out), "--quiet"]) == 2
    assert not out.exists()
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "error" in err
