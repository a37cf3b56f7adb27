"""Random-weight RBM study: sampled magnetisations and replica overlaps against exact enumeration, and the
paramagnet / spin-glass sides of the annealed line βσ = 1 (docs/rbm_random.md)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from statmech_nn.analysis import analyze
from statmech_nn.io.runfile import read_run
from statmech_nn.rbm.exact import replica_moments
from statmech_nn.sims import rbm_random
from statmech_nn.sims.cli import main
from statmech_nn.study import run_study

COMPARED = ("abs_m_v", "abs_m_h", "abs_q_v", "q2_v", "q2_h", "energy")
#: Two-sided z for a family of len(COMPARED) comparisons failing with probability < 1e-4 in all (Bonferroni).
Z = float(norm.isf(1e-4 / (2 * len(COMPARED))))


def _run(tmp_path, name, **values):
    path = tmp_path / f"{name}.h5"
    run_study(rbm_random.STUDY, values, path)
    return read_run(path)


def _exact(run, **changes) -> dict[str, float]:
    """Exact averages of the run's disorder sample 0 (at the run's parameters with ``changes``)."""
    s = rbm_random.STUDY.settings(run.parameters).replace(**changes)
    exact = replica_moments(rbm_random.STUDY.build(s).model(0))
    exact["energy"] *= s.T / math.sqrt(s.n_visible * rbm_random.hidden_units(s))
    return exact


def _z_scores(estimates, exact) -> dict[str, float]:
    return {k: (estimates[k].value - exact[k]) / estimates[k].error for k in COMPARED}


@pytest.mark.parametrize("temperatures, units", [(1, "spin"), (3, "spin"), (3, "binary")])
def test_sampled_overlaps_match_exact_enumeration(tmp_path, temperatures, units):
    """One disorder sample (N_v = 8, N_h = 6) in the spin-glass region (βσ = 1.5, with a field and w0): every
    compared average within Z error bars (τ_int-corrected) of the exact one; negative control: the exact values
    of the same sample at a 15% higher temperature are rejected by the same test."""
    values = dict(n_visible=8, n_hidden=6, sigma=1.5, w0=0.4, field=0.1, T=1.0, units=units, samples=1,
                  replicas=3, temperatures=temperatures, beta_min=0.4, sweeps=12000, burn_in=200, seed=3)
    run = _run(tmp_path, "exact", **values)
    estimates = analyze(run)
    z = _z_scores(estimates, _exact(run))
    assert max(map(abs, z.values())) < Z, z
    hot = _exact(run, T=1.15)
    assert max(map(abs, _z_scores(estimates, hot).values())) > Z


def test_paramagnet_and_spin_glass_sides_of_annealed_line(tmp_path):
    """±1 units, h = w0 = 0, N_v = N_h ∈ {12, 24}. Paramagnet (βσ = 0.5): χ_SG = N[⟨q²⟩] stays finite (equal at
    both sizes within Z combined errors) and the energy is the annealed -βσ². Spin glass (βσ = 2): [⟨q²⟩] exceeds
    the paramagnet's at each size, and χ_SG grows with N, by more than Z combined errors."""
    common = dict(sigma=1.0, samples=32, replicas=2, sweeps=1000, burn_in=300, beta_min=0.4, seed=5)
    chi, q2 = {}, {}
    for n in (12, 24):
        pm = analyze(_run(tmp_path, f"pm{n}", n_visible=n, T=2.0, **common))
        sg = analyze(_run(tmp_path, f"sg{n}", n_visible=n, T=0.5, temperatures=4, **common))
        chi[n] = pm["chi_sg"], sg["chi_sg"]
        q2[n] = pm["q2_v"], sg["q2_v"]
        assert sg["q2_v"].value - pm["q2_v"].value > Z * math.hypot(sg["q2_v"].error, pm["q2_v"].error)
        assert abs(pm["energy"].value - pm["energy_annealed"].value) < Z * pm["energy"].error
    (pm12, sg12), (pm24, sg24) = chi[12], chi[24]
    assert abs(pm24.value - pm12.value) < Z * math.hypot(pm24.error, pm12.error)
    assert sg24.value - sg12.value > Z * math.hypot(sg24.error, sg12.error)
    # negative control: the paramagnet's [⟨q²⟩] itself is not size-independent (it falls as 1/N)
    assert q2[12][0].value - q2[24][0].value > Z * math.hypot(q2[12][0].error, q2[24][0].error)


@pytest.mark.parametrize("args, name", [
    (["--sigma", "-1"], "'sigma'"),
    (["--replicas", "1"], "'replicas'"),
    (["--T", "0"], "'T'"),
    (["--units", "potts"], "'units'"),
    (["--beta-min", "1"], "'beta_min'"),
    (["--measure-every", "50", "--sweeps", "10"], "'measure_every'"),
])
def test_bad_input(tmp_path, capsys, args, name):
    out = tmp_path / "x.h5"
    assert main(["rbm-random", "--out", str(out), "--quiet", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and name in err[0]
    assert not out.exists()


def test_phase_sweep_and_its_figure(tmp_path):
    """The example's sweep, in miniature, through the sweep runner; `statmech-nn plot` draws the phase diagram."""
    from statmech_nn.sweep import read_sweep
    from statmech_nn.sweep.runner import run_sweep

    spec = {"study": "rbm-random", "seed": 11,
            "fixed": {"samples": 2, "temperatures": 2, "sweeps": 40, "burn_in": 10},
            "grid": {"n_visible": [4, 6], "w0": [0.0, 1.5], "T": [0.7, 1.4]}}
    assert run_sweep(spec, tmp_path / "phase.h5", workers=1).exit_status == 0
    sweep = read_sweep(tmp_path / "phase.h5")
    assert sweep.results["q2_v"].mean.shape == (2, 2, 2)
    assert np.isfinite(sweep.results["q2_v"].mean).all()
    assert main(["plot", str(tmp_path / "phase.h5"), "--out", str(tmp_path / "phase.png")]) == 0
    assert (tmp_path / "phase.png").stat().st_size > 10_000
