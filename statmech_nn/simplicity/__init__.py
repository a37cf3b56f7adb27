"""Simplicity bias of random networks: the Boolean functions f : {0,1}^n → {0,1} they compute, how often, and how
complex (Valle-Pérez, Camargo & Louis, ICLR 2019). Modules: :mod:`.complexity` (K_LZ and other measures of packed
truth tables), :mod:`.sampler` (the parallel network sampler), :mod:`.table` (the function-count hash table),
:mod:`.estimators` (rank–frequency, P–K bound fit, Good–Turing, bootstrap), :mod:`.exact` (exact references)."""
from .complexity import (bit_entropy, compressed_length, critical_sample_ratio, lz_complexity, lz_phrases, ones,
                         pack_bits, sensitivity, unpack_bits)
from .estimators import (bootstrap, complexity_bound_fit, constant_probability, distribution, function_entropy,
                         good_turing_unseen, mean_complexity, rank_frequency, rarefaction)
from .sampler import ACTIVATIONS, WEIGHTS, NetworkSpec, block_states, count_functions, sample_functions
from .table import FunctionTable
