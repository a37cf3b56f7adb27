"""Spin glasses: SK and Edwards–Anderson Ising models, the spherical p-spin, exact enumeration, parallel tempering,
dynamics on the sphere and the Auffinger–Ben Arous–Černý complexity.

Modules: :mod:`.ising_couplings` (CSR container), :mod:`.sk`, :mod:`.ea`, :mod:`.pspin`, :mod:`.enumeration`,
:mod:`.tempering`, :mod:`.sphere`, :mod:`.abc_theory`. Stream keys after a run's seed: SK couplings 0, EA couplings
1 and graph 2, p-spin couplings 3, tempering 10–12, sphere 20–21.
"""
from .abc_theory import complexity, critical_energy, ground_energy, threshold_energy
from .ea import ea_model
from .enumeration import Enumeration, all_energies, enumerate_states
from .ising_couplings import IsingCouplings
from .pspin import PSpin, pspin_from_couplings, pspin_model, random_sphere_points
from .sk import sk_from_matrix, sk_model
from .sphere import anneal, classify, descend, init_sphere, langevin
from .tempering import (adapted_ladder, advance, configurations_at, geometric_ladder, init_tempering,
                        swap_acceptance, up_fraction)

__all__ = ["Enumeration", "IsingCouplings", "PSpin", "adapted_ladder", "advance", "all_energies", "anneal",
           "classify", "complexity", "configurations_at", "critical_energy", "descend", "ea_model", "enumerate_states",
           "geometric_ladder", "ground_energy", "init_sphere", "init_tempering", "langevin", "pspin_from_couplings",
           "pspin_model", "random_sphere_points", "sk_from_matrix", "sk_model", "swap_acceptance",
           "threshold_energy", "up_fraction"]
