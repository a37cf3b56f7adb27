"""The ``simplicity`` study: wiring against the library and exact laws, reproducibility (threads, partial blocks),
merged counts, matched architectures, the summaries' bootstrap, memory estimate, and bad input at the CLI."""
import math

import numba
import numpy as np
import pytest
from scipy import stats

import statmech_nn
from statmech_nn import study as study_module
from statmech_nn.errors import FormatError
from statmech_nn.rng import seed_sequence
from statmech_nn.simplicity.complexity import lz_complexity
from statmech_nn.simplicity.estimators import complexity_bound_fit
from statmech_nn.simplicity.exact import neuron_function_probabilities
from statmech_nn.simplicity.runs import (bootstrap_summary, good_turing_error, lz_complexity_parallel,
                                         matched_widths, memory_bytes, n_parameters, uniform_complexity_quantile)
from statmech_nn.simplicity.sampler import NetworkSpec, block_states, count_functions, sample_functions
from statmech_nn.simplicity.table import FunctionTable
from statmech_nn.sims.cli import main
from statmech_nn.summaries.simplicity import merge_runs

Z = 4.5  # |z| above this happens with probability < 1e-5 for a correct estimate with a correct error
SMALL = {"inputs": 4, "layers": (6, 5), "phi": "tanh", "sigma_w2": 1.5, "sigma_b2": 0.4, "block_size": 50}


def run(**values):
    return statmech_nn.run("simplicity", **{**SMALL, "seed": 3, **values})


def test_run_counts_equal_the_library_count_of_its_stream_with_a_cut_last_block():
    out = run(samples=20 * 50 - 7)
    spec = NetworkSpec(4, (6, 5), "tanh", "gaussian", 1.5, 0.4)
    stream = seed_sequence(seed_sequence(3), 1)  # the study's stream key 1
    table = count_functions(spec, stream, 0, 19, 50)
    table.add(sample_functions(spec, block_states(stream, 19, 1), 50)[:43])
    functions, counts = table.to_arrays()
    r = out.results
    assert np.array_equal(r["functions"], functions) and np.array_equal(r["counts"], counts)
    assert int(r["n_samples"]) == 993 and int(r["n_distinct"]) == len(counts) and r["p_top"] == counts[0] / 993
    assert np.array_equal(r["complexity"], lz_complexity(functions, 4))
    assert out.observables["distinct"].step[-1] == 993 and out.observables["distinct"].value[-1] == len(counts)


def test_same_results_for_one_and_two_threads():
    numba.set_num_threads(1)
    try:
        one = run(samples=2000).results
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    two = run(samples=2000).results
    for key in ("functions", "counts", "complexity"):
        assert np.array_equal(one[key], two[key])


def test_runs_of_disjoint_blocks_merge_into_the_run_of_both_and_overlaps_are_refused(tmp_path):
    def stored(name, **values):
        path = tmp_path / f"{name}.h5"
        study_module.run_study(study_module.get_study("simplicity"), {**SMALL, "seed": 5, **values}, path)
        return statmech_nn.open(path)

    first, second = stored("a", samples=400), stored("b", samples=600, first_block=8)
    both = stored("ab", samples=1000)
    functions, counts = merge_runs([first, second]).to_arrays()
    assert np.array_equal(functions, both.results["functions"]) and np.array_equal(counts, both.results["counts"])
    with pytest.raises(FormatError, match="overlap"):
        merge_runs([first, stored("c", samples=300, first_block=7)])
    with pytest.raises(FormatError, match="ensemble"):
        merge_runs([first, stored("d", samples=400, first_block=8, sigma_b2=0.5)])
    other_seed = stored("e", samples=400, seed=6)  # another seed: its networks are other networks
    assert merge_runs([first, other_seed]).n_samples == 800


def test_perceptron_of_two_inputs_matches_the_exact_cone_measures_and_a_wrong_bias_fails():
    """--layers 0 is the perceptron f(x) = [w·x + b > 0]; P(f) of its 16 functions is known exactly."""
    exact = neuron_function_probabilities(1.0, 1.0)
    for sigma_b2, passes in ((1.0, True), (0.25, False)):
        r = statmech_nn.run("simplicity", inputs=2, layers="0", sigma_b2=sigma_b2, samples=200_000, seed=8).results
        observed = np.bincount(r["functions"][:, 0].astype(np.int64), weights=r["counts"], minlength=16)
        keep = exact > 0
        assert observed[~keep].sum() == 0
        chi2 = (((observed - 200_000 * exact)[keep]) ** 2 / (200_000 * exact[keep])).sum()
        assert (chi2 < stats.chi2.isf(1e-4, keep.sum() - 1)) == passes


def test_summarised_constant_probability_agrees_with_the_exact_one_within_its_bootstrap_error():
    exact = neuron_function_probabilities(1.0, 1.0)
    out = run(inputs=2, layers="0", sigma_w2=1.0, sigma_b2=1.0, samples=50_000)
    est = statmech_nn.analyze(out)["p_constant"]
    assert abs(est.value - (exact[0] + exact[15])) < Z * est.error
    wrong = neuron_function_probabilities(1.0, 2.0)  # negative control: another σ_b² is rejected
    assert abs(est.value - (wrong[0] + wrong[15])) > Z * est.error


def test_matched_widths_keep_the_width_or_the_closest_parameter_count():
    assert matched_widths(7, (40, 40), 5, "width") == (40,) * 5
    assert n_parameters(7, (40, 40)) == 8 * 40 + 41 * 40 + 41
    for depth in range(1, 9):
        (w,) = set(matched_widths(7, (40, 40), depth, "parameters"))
        gaps = [abs(n_parameters(7, (v,) * depth) - 2001) for v in range(1, 400)]
        assert abs(n_parameters(7, (w,) * depth) - 2001) == min(gaps)
    assert matched_widths(7, (40, 40), 2, "parameters") == (40, 40)


def test_bootstrap_summary_reproduces_the_bound_fit_and_the_binomial_error():
    spec = NetworkSpec(5, (10, 10), "relu", "gaussian", 2.0, 0.5)
    functions, counts = count_functions(spec, 4, 0, 40, 500).to_arrays()
    k = lz_complexity_parallel(functions, 5)
    assert np.array_equal(k, lz_complexity(functions, 5))
    boot = bootstrap_summary(functions, counts, k, 5, simple_below=10.0, n_boot=300)
    fit = complexity_bound_fit(counts, k)
    assert boot["a"][0] == pytest.approx(fit["a"], rel=1e-12) and boot["b"][0] == pytest.approx(fit["b"], rel=1e-12)
    p, total = boot["p_constant"][0], counts.sum()
    binomial = math.sqrt(p * (1 - p) / total)
    # the bootstrap standard deviation of B draws has relative error 1/sqrt(2(B-1))
    assert abs(boot["p_constant"][1] / binomial - 1) < Z / math.sqrt(2 * 299)
    half = bootstrap_summary(functions, counts // 4, k, 5, simple_below=10.0, n_boot=300)  # negative control
    assert abs(half["p_constant"][1] / binomial - 1) > Z / math.sqrt(2 * 299)


def test_esty_error_matches_the_spread_of_the_good_turing_estimate():
    """Across repeated samples from a known law, sd(n_1/N − unseen mass) ≈ Esty's error."""
    rng = np.random.default_rng(1)
    p = 1.0 / np.arange(1, 3001) ** 1.1
    p /= p.sum()
    diffs, errors = [], []
    for _ in range(400):
        c = rng.multinomial(2000, p)
        diffs.append((c == 1).sum() / 2000 - p[c == 0].sum())
        errors.append(good_turing_error(c[c > 0]))
    ratio = np.std(diffs, ddof=1) / np.mean(errors)
    assert abs(ratio - 1) < Z / math.sqrt(2 * 399) + 0.1  # + 0.1: Esty's error is asymptotic
    assert abs(ratio * math.sqrt(2) - 1) > Z / math.sqrt(2 * 399) + 0.1  # a √2-wrong error would be caught


def test_uniform_complexity_median_of_two_inputs_equals_enumeration():
    words = np.arange(16, dtype=np.uint64)[:, None]
    exact = np.quantile(lz_complexity(words, 2), 0.5, method="lower")
    assert uniform_complexity_quantile(2, 0.5) == exact


def test_memory_estimate_bounds_the_table_and_refuses_a_run_too_large(tmp_path, capsys, monkeypatch):
    spec = NetworkSpec(7, (), "relu", "gaussian", 1.0, 1.0)
    table = count_functions(spec, 1, 0, 20, 200)
    assert table.keys.nbytes + table.counts.nbytes < memory_bytes(7, 4000, 200)
    assert memory_bytes(7, 10**8, 1000) > 5 * memory_bytes(7, 10**7, 1000)  # grows with samples (power-of-2 slots)
    assert memory_bytes(2, 10**9, 1000) < 2**30  # at most 16 functions of two inputs
    monkeypatch.setattr(study_module, "physical_memory", lambda: 2.0**30)
    out = tmp_path / "big.h5"
    assert main(["simplicity", "--samples", "100000000", "--seed", "1", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'samples'" in err[0] and not out.exists()


@pytest.mark.parametrize("flags, name", [
    (["--layers", "40,0"], "layers"),
    (["--layers", "none"], "layers"),
    (["--layers", "0", "--depth", "3"], "layers"),
    (["--layers", "10,20", "--depth", "2"], "layers"),
    (["--inputs", "21"], "inputs"),
    (["--weights", "cauchy"], "weights"),
    (["--match", "depth", "--depth", "2"], "match"),
    (["--samples", "0"], "samples"),
])
def test_bad_input_is_one_line_exit_2_and_no_file(flags, name, tmp_path, capsys):
    out = tmp_path / "bad.h5"
    assert main(["simplicity", *flags, "--seed", "1", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"'{name}'" in err[0] and "Traceback" not in err[0], err
    assert not list(tmp_path.iterdir())
