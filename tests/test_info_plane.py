"""The info-plane study: stored values equal the library's estimates of a freshly built network, respect
I(X;T) ≤ log2 n and I(T;Y) ≤ H(Y) for every estimator and task, are reproducible (same seed ⇒ bit-identical,
interrupted minibatch training ⇒ the same numbers), and bad input exits 2 with one line and no file."""
import copy
import math

import numpy as np
import pytest

from statmech_nn.information import binned_mi, entropy_bits, gradient_moments
from statmech_nn.information.plane import log_epochs
from statmech_nn.nets import MLP, Objective
from statmech_nn.sims.cli import main
from statmech_nn.sims.info_plane import STUDY
from statmech_nn.study import run_study

TINY = {"layers": (6, 4, 3), "epochs": 12, "log_points": 4, "lr": 0.01, "seed": 3}


def memory_run(**values):
    return run_study(STUDY, {**TINY, **values}, None).run


def test_untrained_network_is_one_row_of_library_estimates():
    """--epochs 0 stores one row (epoch 0) equal to the estimators applied to the network built from the same
    streams; the schedule is geometric and distinct."""
    run = memory_run(epochs=0)
    assert list(run.observables["mi_xt"].step) == [0] and len(run["train_loss"]) == 1
    sim = STUDY.build(STUDY.settings({**TINY, "epochs": 0}))
    theta = sim.start()["trainer"]["params"]
    x, y = sim.inputs
    hidden = MLP((12, 6, 4, 3, 2), "tanh").representations(theta, x)[:-1]
    expected = np.array([binned_mi(t, y, 30, "fixed", -1.0, 1.0) for t in hidden])
    expected[:, 1] = np.minimum(expected[:, 1], entropy_bits(y))  # the stored clip to H(Y) removes rounding
    assert np.array_equal(run["mi_xt"][0], expected[:, 0]) and np.array_equal(run["mi_ty"][0], expected[:, 1])
    train = Objective(sim.net, "cross_entropy", sim.split.x_train, sim.split.y_train)
    assert run["train_loss"][0] == train.value(theta)
    assert np.array_equal(run["grad_mean"][0], gradient_moments(train, theta)[0])
    steps = log_epochs(8000, 50)
    assert steps[0] == 0 and steps[-1] == 8000 and np.all(np.diff(steps) > 0) and 40 <= len(steps) <= 51


@pytest.mark.parametrize("values", [
    {"task": "tishby12", "estimator": "binning", "binning": "equal-mass", "phi": "relu"},
    {"task": "mixture", "samples": 300, "estimator": "kde", "noise_var": 0.05, "optimizer": "sgd",
     "batch_size": 16, "momentum": 0.9},
    {"task": "teacher", "samples": 300, "estimator": "ksg", "phi": "linear"},
])
def test_stored_information_respects_its_ceilings(values):
    """0 ≤ I(X;T) ≤ log2(number of inputs) and 0 ≤ I(T;Y) ≤ H(Y) in every stored row."""
    run = memory_run(**values)
    top_x, top_y = float(run.results["log2_inputs"]), float(run.results["h_y"])
    n = 4096 if values["task"] == "tishby12" else values["samples"]
    assert top_x == math.log2(n) and 0.9 < top_y <= 1.0
    for name in [k for k in run.observables if k.startswith("mi_")]:
        ceiling = top_x if "xt" in name else top_y
        assert np.all(run[name] >= 0) and np.all(run[name] <= ceiling), name
    assert ("mi_xt_lower" in run.observables) == (values["estimator"] == "kde")
    if values["estimator"] == "kde":
        assert np.all(run["mi_xt_lower"] <= run["mi_xt"])


def test_same_seed_same_numbers_and_replicates_differ():
    a, b, c = memory_run(), memory_run(), memory_run(replicate=1)
    for name in a.observables:
        assert np.array_equal(a[name], b[name]), name
    assert not np.array_equal(a["train_loss"], c["train_loss"])


def test_interrupted_minibatch_training_continues_bit_for_bit():
    """SGD with minibatches (rng, permutation and cursor in the state): advancing 5 epochs, copying the state
    into a fresh simulation and finishing gives the rows of an uninterrupted run; control: a state whose
    minibatch cursor is reset gives other numbers."""
    settings = STUDY.settings({**TINY, "optimizer": "sgd", "batch_size": 100, "lr": 0.05})

    def finish(sim, state):
        rows = []
        while sim.phase(state) is not None:
            rows.append(sim.advance(state, 4))
        return np.concatenate([r["train_loss"][1] for r in rows if r])

    whole = finish(STUDY.build(settings), STUDY.build(settings).start())
    sim = STUDY.build(settings)
    state = sim.start()
    first = sim.advance(state, 5)["train_loss"][1]
    resumed = np.concatenate([first, finish(STUDY.build(settings), copy.deepcopy(state))])
    assert np.array_equal(whole, resumed)
    broken = copy.deepcopy(state)
    broken["trainer"]["cursor"][...] = 0
    assert not np.array_equal(whole, np.concatenate([first, finish(STUDY.build(settings), broken)]))


@pytest.mark.parametrize("extra,needle", [
    (["--bins", "1"], "'bins'"),
    (["--noise-var", "-0.1"], "'noise_var'"),
    (["--task", "mnist"], "'task'"),
    (["--binning", "log"], "'binning'"),
    (["--bin-low", "1", "--bin-high", "-1"], "'bin_high'"),
    (["--optimizer", "sgd"], "'batch_size'"),
    (["--layers", "10,0,3"], "'layers'"),
])
def test_bad_input_is_one_line_exit_2_no_file(tmp_path, capsys, extra, needle):
    out = tmp_path / "ip.h5"
    code = main(["info-plane", "--epochs", "2", "--seed", "1", *extra, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and needle in err and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_help_lists_every_parameter(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["info-plane", "--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0 and all(p.flag in out for p in STUDY.params)
