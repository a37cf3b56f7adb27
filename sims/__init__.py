"""The studies: one module per study, each a subcommand of the ``statmech-nn`` console script.

A study module declares its parameters, its :class:`~statmech_nn.runner.Simulation` subclass and a
:class:`~statmech_nn.study.Study`; setup.cfg registers it under the ``statmech_nn.studies`` entry points, through
which the library finds it (:func:`statmech_nn.study.get_study`). Physics lives in the library, not here.
"""
