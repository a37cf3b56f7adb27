"""Spin-glass models: coupling conventions, energies against direct sums, and rejection of bad input."""
import math

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from statmech_nn.errors import ParameterError
from statmech_nn.spinglass.ea import ea_model
from statmech_nn.spinglass.pspin import pspin_from_couplings, pspin_model
from statmech_nn.spinglass.sk import sk_from_matrix, sk_model


def _configs(n):
    return 1 - 2 * ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1)


def test_sk_energy_is_the_upper_triangle_sum_scaled_by_root_n():
    rng = np.random.default_rng(5)
    n = 7
    J = np.triu(rng.standard_normal((n, n)), 1)
    s = _configs(n)
    direct = -np.einsum("ci,ij,cj->c", s, J, s) / math.sqrt(n)
    model = sk_from_matrix(J)
    np.testing.assert_allclose(model.energy(s), direct, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(sk_from_matrix(J + J.T).couplings, model.couplings)


def test_sk_seeded_couplings_are_unit_variance_and_reproducible():
    a, b = sk_model(60, 3), sk_model(60, 3)
    np.testing.assert_array_equal(a.couplings, b.couplings)
    J = np.triu(a.dense() * math.sqrt(60), 1)[np.triu_indices(60, 1)]
    lo, hi = stats.chi2.ppf([5e-5, 1 - 5e-5], J.size)  # Σ J² ~ χ²(n) for unit-variance Gaussian J
    assert lo < np.sum(J ** 2) < hi
    assert not np.array_equal(sk_model(60, 4).couplings, a.couplings)


def test_ea_grid_is_periodic_and_pm1_energy_unit():
    model = ea_model("grid:4x4", 1, couplings="pm1")
    assert model.n_spins == 16 and np.all(np.diff(model.offsets) == 4)
    assert set(np.abs(model.couplings)) == {1.0} and model.energy_unit == 1.0
    s = _configs(16)[::97]
    w = model.dense()
    g = nx.convert_node_labels_to_integers(nx.grid_2d_graph(4, 4, periodic=True), ordering="sorted")
    direct = np.array([-sum(w[i, j] * c[i] * c[j] for i, j in g.edges()) for c in s])
    np.testing.assert_allclose(model.energy(s), direct, atol=1e-12)


def test_ea_accepts_graphs_and_edge_arrays_alike():
    g = nx.random_regular_graph(3, 12, seed=1)
    a = ea_model(g, 7)
    b = ea_model(np.array(list(g.edges())), 7)
    np.testing.assert_array_equal(a.dense(), b.dense())
    assert ea_model("random-regular:12:3", 7).couplings.size == 36
    assert ea_model("random-regular:12:3", 7).energy_unit == 0.0


@pytest.mark.parametrize("bad, name", [
    (np.zeros((3, 4)), "couplings"),
    (np.array([[0.0, np.nan], [0.0, 0.0]]), "couplings"),
    (np.array([[0.0, 1.0, 2.0], [1.5, 0.0, 0.3], [2.0, 0.3, 0.0]]), "couplings"),  # lower ≠ upper
    (np.array([[1.0, 1.0], [0.0, 0.0]]), "couplings"),  # self-coupling
])
def test_sk_rejects_bad_couplings(bad, name):
    with pytest.raises(ParameterError) as err:
        sk_from_matrix(bad)
    assert err.value.name == name


@pytest.mark.parametrize("call, name", [
    (lambda: sk_model(1, 0), "n_spins"),
    (lambda: ea_model(nx.empty_graph(5), 0), "graph"),
    (lambda: ea_model("grid:2x2", 0), "graph"),
    (lambda: ea_model("random-regular:5:3", 0), "graph"),
    (lambda: ea_model("grid:4x4", 0, couplings="binary"), "couplings"),
    (lambda: pspin_model(10, 1, 0), "p"),
    (lambda: pspin_model(10, 6, 0), "p"),
    (lambda: pspin_model(2, 3, 0), "n_spins"),
    (lambda: pspin_model(1000, 4, 0), "n_spins"),
    (lambda: pspin_from_couplings(5, 3, np.full(10, np.nan)), "couplings"),
    (lambda: pspin_from_couplings(5, 3, np.zeros(9)), "couplings"),
    (lambda: sk_model(5, -1), "seed"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError) as err:
        call()
    assert err.value.name == name
