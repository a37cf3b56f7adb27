"""Free-energy landscape of small RBMs: descent minima, exact basins, minimax barriers, disconnectivity tree,
and the rbm-landscape study (docs/rbm_landscape.md)."""
from __future__ import annotations

import heapq

import h5py
import networkx as nx
import numpy as np
import pytest
from scipy import stats as sps

from statmech_nn import landscape
from statmech_nn.analysis import analyze
from statmech_nn.io.runfile import read_run
from statmech_nn.models.rbm import configurations, random_rbm
from statmech_nn.io.modelfile import save_model
from statmech_nn.sims.cli import main

P_FAIL = 1e-4  # a correct code fails a statistical test less often than this


def rugged(units: str):
    """A random RBM with 4 (binary) or 5 (spin) local minima of F(v) over 10 visible units."""
    scale, seed = (2.0, 4) if units == "binary" else (1.2, 7)
    return random_rbm(10, 7, scale, seed, bias_scale=0.4, units=units)


def brute_minima(model) -> np.ndarray:
    """Indices of the states no single flip lowers, from F of all states and all their neighbours."""
    n = model.n_visible
    f = model.free_energy(configurations(n, model.units))
    index = np.arange(f.size)
    neighbours = f[index[:, None] ^ (1 << np.arange(n))]
    return np.flatnonzero((neighbours >= f[:, None]).all(axis=1))


def brute_barriers(model, minima: np.ndarray) -> np.ndarray:
    """Minimax F over single-flip paths between minima, by a bottleneck Dijkstra over the hypercube."""
    n = model.n_visible
    f = model.free_energy(configurations(n, model.units))
    out = np.empty((len(minima), len(minima)))
    for a, src in enumerate(minima):
        best = np.full(f.size, np.inf)
        best[src] = f[src]
        heap = [(f[src], src)]
        while heap:
            level, s = heapq.heappop(heap)
            if level > best[s]:
                continue
            for i in range(n):
                t = s ^ (1 << i)
                new = max(level, f[t])
                if new < best[t]:
                    best[t] = new
                    heapq.heappush(heap, (new, t))
        out[a] = best[minima]
    return out


@pytest.mark.parametrize("units", ["binary", "spin"])
@pytest.mark.parametrize("descent", landscape.DESCENTS)
def test_descent_ends_in_true_local_minima(units, descent):
    model = rugged(units)
    ends, free_energy, flips = landscape.descend(model, 3, 0, 300, descent)
    assert landscape.is_local_minimum(model, ends).all()
    np.testing.assert_allclose(free_energy, model.free_energy(ends), rtol=0, atol=1e-10)
    index = (((ends > 0).astype(np.int64)) << np.arange(model.n_visible)).sum(axis=1)
    assert set(index) <= set(brute_minima(model))
    assert flips.min() >= 0 and flips.max() > 0
    # reproducible and independent of how the starts are split into calls
    first, _, _ = landscape.descend(model, 3, 0, 120, descent)
    rest, _, _ = landscape.descend(model, 3, 120, 180, descent)
    np.testing.assert_array_equal(np.concatenate([first, rest]), ends)
    # negative control: a random state is (almost never) a local minimum
    noise = configurations(model.n_visible, units)[np.arange(0, 2**model.n_visible, 37)]
    assert not landscape.is_local_minimum(model, noise).all()


@pytest.mark.parametrize("units", ["binary", "spin"])
def test_exact_basins_partition_the_states(units):
    model = rugged(units)
    index, minima, free_energy, basin = landscape.exact_basins(model)
    np.testing.assert_array_equal(np.sort(index), brute_minima(model))
    assert len(index) >= 3
    assert basin.sum() == pytest.approx(1.0, abs=1e-12) and (basin > 0).all()
    assert np.all(np.diff(free_energy) >= 0)
    np.testing.assert_allclose(free_energy, model.free_energy(minima), atol=1e-10)


def _chi2_pvalue(counts: np.ndarray, p: np.ndarray) -> float:
    expected = counts.sum() * p
    return float(sps.chi2.sf(np.sum((counts - expected) ** 2 / expected), len(p) - 1))


def test_descent_basins_match_exact_basins():
    """Steepest descent from random starts reaches minimum k with the exact basin probability: Pearson χ² test of
    the multinomial counts, rejected below p = 1e-4; the same test rejects a wrong (reversed) basin vector."""
    model = rugged("binary")
    _, minima, _, basin = landscape.exact_basins(model)
    ends, free_energy, _ = landscape.descend(model, 11, 0, 8000)
    found, _, fraction, _ = landscape.unique_minima(ends, free_energy)
    rank = {m.tobytes(): k for k, m in enumerate(minima)}
    counts = np.zeros(len(minima))
    for m, p in zip(found, fraction):
        counts[rank[m.tobytes()]] = round(p * len(ends))
    assert counts.sum() == len(ends)
    assert _chi2_pvalue(counts, basin) > P_FAIL
    assert _chi2_pvalue(counts, basin[::-1]) < P_FAIL  # negative control


@pytest.mark.parametrize("units", ["binary", "spin"])
def test_exact_barriers_equal_brute_force_minimax(units):
    model = rugged(units)
    table, _ = landscape.landscape_table(model)
    index, minima, free_energy, _ = landscape.exact_basins(model)
    edges, levels = landscape.exact_merges(table, index)
    barriers = landscape.barrier_matrix(free_energy, edges, levels)
    brute = brute_barriers(model, index)
    np.testing.assert_allclose(barriers, brute, rtol=0, atol=1e-12)
    # greedy direct paths give upper bounds, and their spanning tree never goes below the exact saddles
    path = landscape.path_barriers(model, minima)
    assert np.all(path >= brute - 1e-12)
    assert np.all(landscape.barrier_matrix(free_energy, *landscape.path_merges(model, minima)) >= brute - 1e-12)
    # negative control: ignoring the saddles (max of the two minima) is not the minimax barrier
    assert not np.allclose(np.maximum.outer(free_energy, free_energy), brute)


def test_disconnectivity_tree_structure():
    model = rugged("spin")
    table, _ = landscape.landscape_table(model)
    index, _, free_energy, basin = landscape.exact_basins(model)
    edges, levels = landscape.exact_merges(table, index)
    g = landscape.disconnectivity_tree(free_energy, edges, levels, basin)
    m = len(free_energy)
    assert nx.is_arborescence(g)
    leaves = sorted(n for n in g if g.out_degree(n) == 0)
    assert leaves == list(range(m))
    assert all(g.nodes[p]["level"] >= g.nodes[c]["level"] for p, c in g.edges)
    barriers = landscape.barrier_matrix(free_energy, edges, levels)
    for i in range(m):
        for j in range(i):
            lca = nx.lowest_common_ancestor(g, i, j)
            assert g.nodes[lca]["level"] == barriers[i, j]


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "model.h5"
    with h5py.File(path, "w") as f:
        save_model(f, rugged("binary"))
    return path


def test_study_writes_landscape(tmp_path, model_file):
    out = tmp_path / "landscape.h5"
    assert main(["rbm-landscape", "--model", str(model_file), "--starts", "3000", "--seed", "2", "--out", str(out),
                 "--quiet"]) == 0
    run = read_run(out)
    r = run.results
    model = rugged("binary")
    _, minima, free_energy, basin = landscape.exact_basins(model)
    np.testing.assert_array_equal(r["minima"], minima)
    np.testing.assert_allclose(r["basin_size_exact"], basin)
    assert r["basin_size"].sum() == pytest.approx(1.0)
    m = len(minima)
    assert r["tree_levels"].shape == (2 * m - 1,) and r["tree_edges"].shape == (2 * m - 2, 2)
    assert r["barriers"].shape == (m, m)
    est = analyze(run)
    assert est["minima"].value == m
    assert abs(est["global_basin"].value - basin[0]) < 4.0 * est["global_basin"].error


@pytest.mark.parametrize("args, name", [
    (["--starts", "0"], "'starts'"),
    (["--descent", "metropolis"], "'descent'"),
    (["--barriers", "saddle"], "'barriers'"),
])
def test_bad_input(tmp_path, model_file, capsys, args, name):
    base = ["rbm-landscape", "--model", str(model_file), "--out", str(tmp_path / "x.h5"), "--quiet"]
    assert main(base + args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and name in err[0]
    assert not (tmp_path / "x.h5").exists()


def test_missing_model_file(tmp_path, capsys):
    assert main(["rbm-landscape", "--model", str(tmp_path / "none.h5"), "--out", str(tmp_path / "x.h5"),
                 "--quiet"]) == 2
    assert "'model'" in capsys.readouterr().err
