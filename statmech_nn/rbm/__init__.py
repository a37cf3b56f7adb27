"""Restricted Boltzmann machines as energy systems (model: :mod:`statmech_nn.models.rbm`; sampling:
:mod:`statmech_nn.samplers.rbm_gibbs`).

* :mod:`.exact` — log Z, p(v) and log-likelihoods by enumerating one layer;
* :mod:`.ais`   — annealed importance sampling of log Z, forward and reverse;
* :mod:`.train` — CD-k, PCD and tempered training over an explicit, checkpointable state;
* :mod:`.data`  — bars and stripes, user arrays, base rates.
"""
