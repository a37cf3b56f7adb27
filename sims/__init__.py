"""The studies: one module per study, each a subcommand of the ``statmech-nn`` console script."""
from __future__ import annotations

from statmech_nn.errors import SpecError
from statmech_nn.study import Study

from . import chaos, ising, isometry, rbm, rbm_landscape, rbm_random, rg, signal_prop

STUDIES: dict[str, Study] = {s.name: s for s in (
    ising.STUDY,
    signal_prop.STUDY,
    chaos.STUDY,
    isometry.STUDY,
    *rbm.STUDIES,
    rbm_random.STUDY,
    rbm_landscape.STUDY,
    *rg.STUDIES,
)}


def get_study(name: str) -> Study:
    try:
        return STUDIES[name]
    except KeyError:
        raise SpecError(f"unknown study {name!r}; known: {', '.join(STUDIES)}") from None
