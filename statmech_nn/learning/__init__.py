"""Classic learning theory of single-layer networks, each result as theory beside a simulation.

* ``capacity``          Cover's function counting, Gardner's α_c(κ), exact LP separability, optimal stability
* ``ising_perceptron``  Krauth–Mézard storage capacity and Györgyi's transition of ±1-weight perceptrons
                        (replica-symmetric theory + exact enumeration of all 2^N weight vectors)
* ``hopfield``          Hebbian couplings and Numba retrieval dynamics (T = 0 asynchronous, Glauber heat bath)
* ``hopfield_theory``   Amit–Gutfreund–Sompolinsky replica-symmetric solution: α_c, m_c, retrieval spinodal,
                        global-stability line, T_g
* ``teacher_student``   generalization curves of Gibbs (T ≥ 0), Bayes-optimal and Hebb students (theory + simulation)

Simulations are organised as independent trials; trial ``t`` of grid point ``p`` draws all its randomness from
``seed_sequence(seed, p, t, ...)``, so any subset of trials can be run (in any order, in chunks) and reproduced.
The ``*_curve`` functions return the arrays a study stores: ``alpha``, ``<name>``, ``<name>_error``,
``<name>_theory`` and scalar theory values.
"""
