"""Study ``simplicity``: the Boolean functions f : {0,1}^n → {0,1} that random networks compute, how often, and how
complex (Valle-Pérez, Camargo & Louis, "Deep learning generalizes because the parameter-function map is biased
towards simple functions", ICLR 2019), and whether depth adds to the bias.

``samples`` networks n → layers → 1 (W ~ N(0, σ_w²/fan_in) or a law of equal variance, b ~ N(0, σ_b²)) are run on
all 2^n inputs x_a (the binary expansion of a, most significant bit first); f(x_a) = [h_out(x_a) > 0]. Networks
come in blocks of ``block_size``, block b from the stream ``seed_sequence(seed, 1, b)``
(:mod:`statmech_nn.simplicity.sampler`); the phase ``sample`` counts one block per unit into a hash table
(:class:`~statmech_nn.simplicity.table.FunctionTable`), one row of the observable ``distinct`` per block. /results
holds the distribution: ``functions`` (packed truth tables), ``counts`` (decreasing), ``n_samples``,
``n_distinct``, ``p_top``, ``complexity`` (K_LZ); docs/simplicity.md.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.simplicity.runs import MATCHES, count_blocks, lz_complexity_parallel, matched_widths, memory_bytes
from statmech_nn.simplicity.runs import n_parameters
from statmech_nn.simplicity.complexity import n_words
from statmech_nn.simplicity.sampler import ACTIVATIONS, MAX_INPUTS, WEIGHTS, NetworkSpec
from statmech_nn.simplicity.table import FunctionTable
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.simplicity import CONVENTIONS, analyze

PERCEPTRON = (0,)  # --layers 0: no hidden layer


def hidden_widths(s: Settings) -> tuple[int, ...]:
    """The hidden widths of the run: ``layers`` (``0``: none), or ``depth`` layers matched to them by ``match``."""
    layers = () if s.layers == PERCEPTRON else s.layers
    return layers if s.depth == 0 else matched_widths(s.inputs, layers, s.depth, s.match)


def _check(s: Settings) -> None:
    PARAMS["layers"].check(s.layers == PERCEPTRON or 0 not in s.layers, s.layers,
                           "positive widths, or 0 alone for no hidden layer (the perceptron)")
    if s.depth:
        PARAMS["layers"].check(s.layers != PERCEPTRON, s.layers, "hidden layers to match when depth > 0")
        PARAMS["layers"].check(s.match != "width" or len(set(s.layers)) == 1, s.layers,
                               "hidden layers of one width when depth > 0 and match = width")


PARAMS = ParamSet(
    Param("inputs", int, 7, "number of Boolean inputs n (the functions have 2^n-bit truth tables)", low=1,
          high=MAX_INPUTS),
    Param("layers", int, (40, 40), "hidden-layer widths, e.g. 40,40; 0: no hidden layer (the perceptron)", low=0,
          high=100000, many=True),
    Param("phi", str, "relu", "activation function φ of the hidden layers", choices=ACTIVATIONS),
    Param("sigma_w2", float, 1.0, "weight variance σ_w² (W_ij ~ N(0, σ_w²/fan_in))", low=0, low_open=True),
    Param("sigma_b2", float, 1.0, "bias variance σ_b²", low=0),
    Param("weights", str, "gaussian", "weight law of variance σ_w²/fan_in", choices=WEIGHTS),
    Param("depth", int, 0, "0: the hidden layers are --layers; L > 0: L hidden layers of one width matched to "
          "--layers by --match", low=0, high=1000),
    Param("match", str, "width", "with depth > 0: keep the width of --layers, or the number of parameters of "
          "--layers (the closest width)", choices=MATCHES),
    Param("samples", int, 1_000_000, "networks sampled", low=1, high=10**12),
    Param("block_size", int, 1000, "networks per block (block b has its own random stream; the numbers depend "
          "on it)", low=1, high=10**6),
    Param("first_block", int, 0, "index of the first block: runs of disjoint block ranges of one seed merge into "
          "the run of all of them", low=0, high=2**62),
    seed_param(),
    check=_check,
)


def _memory(s: Settings) -> tuple[float, str]:
    """Bytes a run needs, and the parameter that drives them (one block of truth tables, or the table)."""
    need = memory_bytes(s.inputs, s.samples, s.block_size)
    return need, ("block_size" if 8 * n_words(s.inputs) * s.block_size > need / 2 else "samples")


class _LiveTable(Mapping):
    """The checkpoint view of the live table: read (by a commit) as its arrays in slot order, without a copy
    between commits."""

    def __init__(self, table: FunctionTable):
        self.table = table

    def __getitem__(self, key: str) -> np.ndarray:
        return dict(zip(("functions", "counts"), self.table.to_arrays(canonical=False)))[key]

    def __iter__(self):
        return iter(("functions", "counts"))

    def __len__(self) -> int:
        return 2


def live_table(state) -> FunctionTable:
    """The table of ``state``, rebuilt once from checkpoint arrays (fresh or resumed runs)."""
    if not isinstance(state["table"], _LiveTable):
        state["table"] = _LiveTable(FunctionTable.from_arrays(state["table"]["functions"], state["table"]["counts"]))
    return state["table"].table


class Simplicity(Simulation):
    """Phase ``sample``: one unit per block of networks; rows of ``distinct`` (step = networks counted so far in
    this run). State: ``table`` (``functions``, ``counts`` of the distinct functions seen, slot order)."""

    observables = {"distinct": (np.int64, ())}
    streams = {"networks": 1}

    @property
    def spec(self) -> NetworkSpec:
        s = self.settings
        return NetworkSpec(s.inputs, hidden_widths(s), s.phi, s.weights, s.sigma_w2, s.sigma_b2)

    def phases(self) -> dict[str, int]:
        return {"sample": -(-self.settings.samples // self.settings.block_size)}

    def init_state(self) -> dict:
        words = self.spec.n_words
        return {"table": {"functions": np.zeros((0, words), np.uint64), "counts": np.zeros(0, np.int64)}}

    def step(self, state, phase: str, start: int, n: int) -> dict:
        s = self.settings
        first = start * s.block_size
        distinct = count_blocks(self.spec, self.stream("networks"), s.first_block + start, n, s.block_size,
                                live_table(state), samples=min(n * s.block_size, s.samples - first))
        counted = np.minimum(first + s.block_size * np.arange(1, n + 1, dtype=np.int64), s.samples)
        return {"distinct": (counted, distinct)}

    def results(self, state) -> dict:
        s = self.settings
        functions, counts = live_table(state).to_arrays()
        total = int(counts.sum())
        widths = np.array(hidden_widths(s), dtype=np.int64)
        return {"functions": functions, "counts": counts, "n_samples": np.int64(total),
                "n_distinct": np.int64(counts.size), "p_top": np.float64(counts[0] / total if total else np.nan),
                "complexity": lz_complexity_parallel(functions, s.inputs), "hidden_widths": widths,
                "n_parameters": np.int64(n_parameters(s.inputs, widths)),
                "blocks": np.array([s.first_block, s.first_block + int(state["progress"])], np.int64),
                "seed_key": np.array([*self.seed.spawn_key, self.streams["networks"]], np.int64),
                "conventions": np.bytes_(CONVENTIONS)}


STUDY = Study("simplicity", "the Boolean functions of random networks: simplicity bias of the parameter-function map",
              PARAMS, Simplicity, summarize=analyze,
              example={"inputs": 3, "layers": (8, 8), "samples": 3000, "block_size": 100},
              memory=_memory)
