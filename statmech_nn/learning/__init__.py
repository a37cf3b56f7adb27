"""Classic learning theory of single-layer networks, each result as theory beside a simulation.

* ``capacity``          Cover's function counting, Gardner's capacity α_c(κ), LP separability, optimal stability
* ``ising_perceptron``  Krauth–Mézard storage capacity and Györgyi's transition of ±1-weight perceptrons
                        (replica-symmetric theory + exact enumeration of all 2^N weight vectors)
* ``hopfield``          Hebbian couplings and Numba retrieval dynamics (T = 0 asynchronous, Glauber heat bath)
* ``hopfield_theory``   Amit–Gutfreund–Sompolinsky replica-symmetric solution and phase boundaries
* ``teacher_student``   generalization curves of Gibbs, Bayes-optimal and Hebb students (theory + simulation)

Simulations are organised as independent trials; trial ``t`` of grid point ``p`` draws all its randomness from
``seed_sequence(seed, p, t, ...)``, so any subset of trials can be run (in any order, in chunks) and reproduced.
"""
