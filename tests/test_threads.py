"""The threading policy (statmech_nn.threads): in every phase one layer owns the cores, the other gets one thread.

The speed this buys is measured by benchmarks/threading_policy.py (a timed comparison does not belong in a test);
here we check the state that produces it — the thread counts each pool actually has inside a phase."""
import numba
import numpy as np
import pytest
from threadpoolctl import threadpool_info

from statmech_nn.runner import Simulation
from statmech_nn.params import ParamSet
from statmech_nn.study import Study, run_study, seed_param
from statmech_nn.threads import budget, owned_by


def blas_threads() -> int:
    return max(lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas")


@pytest.fixture
def two_threads():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs two Numba threads")
    before = numba.get_num_threads()
    numba.set_num_threads(2)
    yield
    numba.set_num_threads(before)


def test_owner_gets_the_budget_and_the_other_pool_one_thread(two_threads):
    blas_before = blas_threads()
    with owned_by("numba"):
        assert (numba.get_num_threads(), blas_threads()) == (2, 1)
        with owned_by("blas"):  # nested: the budget is the outer one, not the 1 thread Numba has now
            assert budget() == 2
            assert (numba.get_num_threads(), blas_threads()) == (1, 2)
        assert (numba.get_num_threads(), blas_threads()) == (2, 1)
    assert (numba.get_num_threads(), blas_threads()) == (2, blas_before)


def test_a_smaller_budget_is_respected(two_threads):
    numba.set_num_threads(1)  # e.g. one of two sweep workers
    with owned_by("blas"):
        assert (numba.get_num_threads(), blas_threads()) == (1, 1)


def test_unknown_owner_is_refused():
    with pytest.raises(ValueError, match="numba"):
        with owned_by("openmp"):
            pass


class Probe(Simulation):
    """Records, in each phase, the thread counts its kernels see."""
    observables = {"numba_threads": (np.int64, ()), "blas_threads": (np.int64, ())}
    threads = {"fit": "blas"}

    def phases(self):
        return {"sample": 2, "fit": 2}

    def init_state(self):
        return {"setup": np.array([numba.get_num_threads(), blas_threads()])}

    def step(self, state, phase, start, n):
        steps = np.arange(start, start + n) + (2 if phase == "fit" else 0)
        return {"numba_threads": (steps, np.full(n, numba.get_num_threads())),
                "blas_threads": (steps, np.full(n, blas_threads()))}

    def results(self, state):
        return {"setup": state["setup"]}


PROBE = Study("probe", "thread counts per phase", ParamSet(seed_param()), Probe)


def test_simulation_phases_run_under_their_declared_owner(two_threads):
    run = run_study(PROBE, {}, None).run
    assert run.observables["numba_threads"].value.tolist() == [2, 2, 1, 1]
    assert run.observables["blas_threads"].value.tolist() == [1, 1, 2, 2]
    assert run.results["setup"].tolist() == [2, 1]  # set-up belongs to the default owner, Numba
