"""Gray-code enumeration against brute force over all 2^N configurations (N ≤ 10)."""
import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.spinglass.ea import ea_model
from statmech_nn.spinglass.enumeration import all_energies, enumerate_states
from statmech_nn.spinglass.sk import sk_model

TEMPS = [0.3, 1.0, 2.5]
MODELS = {
    "sk": lambda: sk_model(10, 21),
    "ea-gauss-rrg": lambda: ea_model("random-regular:10:3", 22),
    "ea-pm1-grid": lambda: ea_model("grid:3x3", 23, couplings="pm1"),
}


def _brute(model):
    n = model.n_spins
    s = 1 - 2 * ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1)
    return s, model.energy(s)


@pytest.mark.parametrize("name", MODELS)
def test_enumeration_matches_brute_force(name):
    model = MODELS[name]()
    s, e = _brute(model)
    res = enumerate_states(model, TEMPS, n_bins=64)
    np.testing.assert_allclose(all_energies(model), e, atol=1e-12)
    assert res.ground_energy == pytest.approx(e.min(), abs=1e-12)
    ground = s[e <= e.min() + 1e-9 * (1 + abs(e.min()))]
    canonical = {tuple(g * g[-1]) for g in ground}
    assert len(ground) == 2 * len(canonical) and not res.ground_truncated
    assert {tuple(g) for g in res.ground_states} == canonical
    for k, t in enumerate(TEMPS):
        w = np.exp(-(e - e.min()) / t)
        assert res.log_z[k] == pytest.approx(np.log(w.sum()) - e.min() / t, rel=1e-12)
        assert res.mean_energy[k] == pytest.approx(np.sum(w * e) / w.sum(), rel=1e-10, abs=1e-12)
        mean = np.sum(w * e) / w.sum()
        assert res.energy_variance[k] == pytest.approx(np.sum(w * (e - mean) ** 2) / w.sum(), rel=1e-8, abs=1e-12)
    counts = np.bincount(np.clip(np.floor((e - res.bin_edges[0]) / np.diff(res.bin_edges[:2])).astype(int), 0,
                                 res.counts.size - 1), minlength=res.counts.size)
    np.testing.assert_array_equal(res.counts, counts)
    assert res.counts.sum() == 2 ** model.n_spins


def test_density_of_states_gives_exact_thermodynamics_for_integer_couplings():
    model = ea_model("grid:4x4", 5, couplings="pm1")
    res = enumerate_states(model, TEMPS)
    assert res.exact_bins
    log_z, mean, var = res.thermodynamics(TEMPS)
    np.testing.assert_allclose(log_z, res.log_z, rtol=1e-12)
    np.testing.assert_allclose(mean, res.mean_energy, rtol=1e-10)
    np.testing.assert_allclose(var, res.energy_variance, rtol=1e-8, atol=1e-12)
    assert len(res.ground_states) > 1  # ±J ground states are degenerate beyond the global flip


def test_fine_bins_approximate_continuous_energies_to_the_bin_width():
    model = sk_model(12, 6)
    res = enumerate_states(model, [1.0], n_bins=1 << 16)
    width = res.bin_edges[1] - res.bin_edges[0]
    log_z, mean, _ = res.thermodynamics([1.0])
    assert not res.exact_bins
    assert abs(log_z[0] - res.log_z[0]) < width and abs(mean[0] - res.mean_energy[0]) < 2 * width
    assert abs(log_z[0] - res.log_z[0]) > 0.0


@pytest.mark.parametrize("kwargs, name", [({"temperatures": [1.0, -1.0]}, "temperatures"),
                                          ({"n_bins": 0}, "n_bins"), ({"max_ground": 0}, "max_ground")])
def test_enumeration_rejects_bad_settings(kwargs, name):
    with pytest.raises(ParameterError) as err:
        enumerate_states(sk_model(4, 0), **kwargs)
    assert err.value.name == name
